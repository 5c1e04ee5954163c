/* One line of an export, parsed (import_line.c): the members every line
 * type may have, and which of them the line had. */
#ifndef CPOR_CORE_IMPORT_LINE_H
#define CPOR_CORE_IMPORT_LINE_H

#include <stddef.h>
#include <stdint.h>

enum {
  L_CLAIM,
  L_CLAIMS,
  L_EVENT,
  L_EVENTS,
  L_FORMAT,
  L_ID,
  L_KIND,
  L_OBJECTS,
  L_OWNER,
  L_RECORD,
  L_REF,
  L_SEQ,
  L_STATE,
  L_TYPE,
  L_VERSION,
  L_NKEYS
};

typedef struct cpor__xline {
  uint64_t seen; /* bit L_* set: the member was there */
  char *claim, *format, *id, *kind, *owner, *ref, *type;
  uint64_t claims, events, objects, seq, version;
  int64_t state;
  char *record; /* canonical bytes of "record" or "event"; NULL for null */
  size_t record_len;
} cpor__xline;

/* Parses line[0..len): CPOR_OK, CPOR_ECORRUPT (not one JSON object of known
 * members with values of their types) or CPOR_ENOMEM. *out is to be freed
 * with cpor__xline_free either way. */
int cpor__xline_parse(const char *line, size_t len, cpor__xline *out);
void cpor__xline_free(cpor__xline *l);
/* 1 when the line has exactly the members of mask. */
int cpor__xline_has(const cpor__xline *l, uint64_t mask);

#define XBIT(k) ((uint64_t)1 << (k))

#endif
