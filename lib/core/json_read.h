/* A strict JSON reader for stored records (README.md, "Stored records"): a
 * pull reader over one document, for decoders that know the shape they
 * expect. RFC 8259 JSON, plus: a string must not hold NUL (raw or \u0000)
 * and must be valid UTF-8 (escaped surrogates must pair); an integer read as
 * one has no fraction or exponent and fits the range asked for.
 *
 * Errors are sticky: the first one is kept in rc (CPOR_ECORRUPT for bad or
 * unexpected input, CPOR_ENOMEM), later calls return zeros and NULL. */
#ifndef CPOR_CORE_JSON_READ_H
#define CPOR_CORE_JSON_READ_H

#include <stddef.h>
#include <stdint.h>

#include "json/json_write.h"

typedef struct cpor__jr {
  const unsigned char *p, *end;
  int rc;
  int first; /* just inside '{' or '[': no ',' before the next item */
} cpor__jr;

void cpor__jr_init(cpor__jr *r, const void *data, size_t len);
void cpor__jr_fail(cpor__jr *r, int rc);
/* After the top-level value: only whitespace may be left. Returns rc. */
int cpor__jr_end(cpor__jr *r);

/* Objects and arrays: open, then read members with cpor__jr_field (objects)
 * or elements while cpor__jr_next (arrays) says one follows; both consume
 * the closing bracket. open returns 0 on failure. */
int cpor__jr_open(cpor__jr *r, char bracket); /* '{' or '[' */
int cpor__jr_next(cpor__jr *r);
/* The next member's key as an index into keys[0..n) (n <= 64), in any
 * order; its value is next. -1 at the end of the object or on failure. A key
 * not in keys or one already in *seen (the bits of the keys read so far) is
 * corruption. */
int cpor__jr_field(cpor__jr *r, const char *const *keys, int n, uint64_t *seen);
/* Corruption unless every key of keys[0..n) was read. */
void cpor__jr_need(cpor__jr *r, uint64_t seen, int n);

/* Values. A null where one is not allowed is corruption (wrong type). */
int cpor__jr_is_str(cpor__jr *r); /* 1 when the next value is a string (not consumed) */
int cpor__jr_null(cpor__jr *r);   /* 1 (and consumed) when the next value is null */
char *cpor__jr_str(cpor__jr *r, int nullable); /* malloc'd; NULL for null */
int64_t cpor__jr_int(cpor__jr *r, int64_t min, int64_t max);
int64_t cpor__jr_time(cpor__jr *r); /* null is CPOR_TIME_NONE */
int cpor__jr_bool(cpor__jr *r);
/* A name of an enumeration (from_name as cpor_state_from_name); null is 0
 * when nullable. */
int cpor__jr_enum(cpor__jr *r, int (*from_name)(const char *, int *), int nullable);
/* Copies the next value, whatever it is, to w in canonical form (compact,
 * keys sorted bytewise, strings escaped as the writer does; numbers as
 * written). A duplicate key is corruption. */
void cpor__jr_canon(cpor__jr *r, cpor__jw *w, const char *key);
/* The same without the fast path for canonical input (for tests: both must
 * give the same result on every input). */
void cpor__jr_canon_full(cpor__jr *r, cpor__jw *w, const char *key);

#endif
