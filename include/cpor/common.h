/* libcpor — common definitions: status codes, version, memory.
 *
 * Every fallible function of libcpor returns an int: CPOR_OK (0) or one of the
 * negative CPOR_E* codes below. Code values are part of the ABI: they are never
 * renumbered, and a retired code stays reserved. */
#ifndef CPOR_COMMON_H
#define CPOR_COMMON_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(CPOR_BUILDING) && defined(__GNUC__)
#define CPOR_API __attribute__((visibility("default")))
#else
#define CPOR_API
#endif

#define CPOR_VERSION_MAJOR 0
#define CPOR_VERSION_MINOR 2
#define CPOR_VERSION_PATCH 0
/* MAJOR * 10000 + MINOR * 100 + PATCH */
#define CPOR_VERSION_NUMBER                                                                        \
  (CPOR_VERSION_MAJOR * 10000 + CPOR_VERSION_MINOR * 100 + CPOR_VERSION_PATCH)
#define CPOR_VERSION_STRING "0.2.0"

/* Versioned structs (the options structs, cpor_actor, the storage vtable):
 * the first field is uint32_t version. The library reads every version from
 * 1 to its own, an older caller's struct by that version's layout, and a
 * zero field means the documented default; so an _INIT macro sets only the
 * version, and a cpor_x_init(x, version) function does the same for
 * languages without macros. CPOR_VERSIONED_INIT(type, v) is what the _INIT
 * macros expand to: a designated initializer in C (no missing-initializer
 * warnings), a value-initialized copy in C++ (before C++20 has none). */
#ifdef __cplusplus
extern "C++" {
template <typename T> inline T cpor_versioned_init_(uint32_t v) {
  T t = T();
  t.version = v;
  return t;
}
}
#define CPOR_VERSIONED_INIT(type, v) (cpor_versioned_init_<type>(v))
#else
#define CPOR_VERSIONED_INIT(type, v)                                                               \
  { .version = (v) }
#endif

/* Status codes. Values are fixed forever. */
enum cpor_status {
  CPOR_OK = 0,              /* success */
  CPOR_EINVAL = -1,         /* an argument is malformed */
  CPOR_ENOMEM = -2,         /* out of memory */
  CPOR_ENOTFOUND = -3,      /* no such record (also: records the actor may not see) */
  CPOR_EEXISTS = -4,        /* a record with that key exists already */
  CPOR_EPERM = -5,          /* the actor's role may not do this */
  CPOR_EACCES = -6,         /* the actor belongs to another organization than the record */
  CPOR_ESTATE = -7,         /* the action is not allowed in the claim's current state */
  CPOR_EDUPLICATE = -8,     /* the same partner already holds or claims this unit */
  CPOR_EWINDOW = -9,        /* the window for this action is closed */
  CPOR_EMISMATCH = -10,     /* tenant ID and domain do not belong together */
  CPOR_EINCOMPLETE = -11,   /* a required field is missing for this action */
  CPOR_EACTIVITY = -12,     /* the activity is not allowed for the solution area */
  CPOR_ENOTENROLLED = -13,  /* the MPN ID is not enrolled in the program */
  CPOR_ESUBSCRIPTION = -14, /* the subscription cannot be claimed (detail in the message) */
  CPOR_ESTORAGE = -15,      /* the storage backend failed */
  CPOR_ECORRUPT = -16,      /* stored data fails validation */
  CPOR_EVERSION = -17,      /* unsupported options/vtable/schema version */
  CPOR_ENOTSUP = -18,       /* not supported by this build or backend */
  CPOR_ERANGE = -19,        /* a date or count is outside the supported range */
  CPOR_ITEROVER = -20,      /* end of an iteration (not an error) */
  CPOR_ECONFLICT = -21 /* another writer changed what the call read; retried, try again later */
};

/* Static English text for a status code; never NULL ("unknown status" for
 * values that are not codes). */
CPOR_API const char *cpor_strerror(int code);

/* The code's name, e.g. "CPOR_EINVAL"; NULL for values that are not codes. */
CPOR_API const char *cpor_status_name(int code);

/* Number of status codes: codes are 0, -1, ..., -(cpor_status_count() - 1). */
CPOR_API int cpor_status_count(void);

/* Runtime version of the library: CPOR_VERSION_NUMBER / CPOR_VERSION_STRING of
 * the build that is loaded (may differ from the headers compiled against). */
CPOR_API int32_t cpor_version_number(void);
CPOR_API const char *cpor_version_string(void);

/* Frees memory the library returned to the caller (strings, arrays). NULL is a
 * no-op. Handles have their own _free functions. */
CPOR_API void cpor_free(void *ptr);

#ifdef __cplusplus
}
#endif

#endif /* CPOR_COMMON_H */
