/* Status codes, version and memory: the parts every module shares. */
#include <stdlib.h>

#include "cpor/common.h"

static const char *const status_text[] = {
    "success",
    "invalid argument",
    "out of memory",
    "not found",
    "record exists already",
    "operation not permitted for this role",
    "access denied: the record belongs to another organization",
    "action not allowed in the current state",
    "the partner already holds or claims this unit",
    "the window for this action is closed",
    "tenant ID and domain do not match",
    "a required field is missing",
    "activity not allowed for the solution area",
    "MPN ID not enrolled in the program",
    "subscription cannot be claimed",
    "storage backend failure",
    "stored data is corrupt",
    "unsupported version",
    "not supported",
    "value out of range",
    "iteration over",
    "conflict with a concurrent writer",
};

static const char *const status_names[] = {
    "CPOR_OK",         "CPOR_EINVAL",       "CPOR_ENOMEM",        "CPOR_ENOTFOUND",
    "CPOR_EEXISTS",    "CPOR_EPERM",        "CPOR_EACCES",        "CPOR_ESTATE",
    "CPOR_EDUPLICATE", "CPOR_EWINDOW",      "CPOR_EMISMATCH",     "CPOR_EINCOMPLETE",
    "CPOR_EACTIVITY",  "CPOR_ENOTENROLLED", "CPOR_ESUBSCRIPTION", "CPOR_ESTORAGE",
    "CPOR_ECORRUPT",   "CPOR_EVERSION",     "CPOR_ENOTSUP",       "CPOR_ERANGE",
    "CPOR_ITEROVER",   "CPOR_ECONFLICT",
};

#define STATUS_COUNT ((int)(sizeof status_names / sizeof status_names[0]))

_Static_assert(sizeof status_text / sizeof status_text[0] == STATUS_COUNT, "one text per code");
_Static_assert(STATUS_COUNT == -CPOR_ECONFLICT + 1, "codes are dense");

const char *cpor_strerror(int code) {
  if (code > 0 || code <= -STATUS_COUNT) return "unknown status";
  return status_text[-code];
}

const char *cpor_status_name(int code) {
  if (code > 0 || code <= -STATUS_COUNT) return NULL;
  return status_names[-code];
}

int cpor_status_count(void) {
  return STATUS_COUNT;
}

int32_t cpor_version_number(void) {
  return CPOR_VERSION_NUMBER;
}

const char *cpor_version_string(void) {
  return CPOR_VERSION_STRING;
}

void cpor_free(void *ptr) {
  free(ptr);
}
