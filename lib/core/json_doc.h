/* Canonical JSON documents for stored records (README.md, "Stored records").
 *
 * Writing: a cpor__jw collects the first failure (CPOR_ENOMEM, or
 * CPOR_EINVAL for a value the format cannot hold, e.g. an enum value
 * without a name), so an encoder is a straight list of puts and one finish.
 * The document is dumped compact, keys sorted (JSON_SORT_KEYS), UTF-8 as is:
 * the same record always gives the same bytes.
 *
 * Reading: a cpor__jr collects the first failure (CPOR_ECORRUPT for any
 * malformed or inconsistent input, CPOR_ENOMEM when memory runs out). Each
 * object being read is a cpor__jin that counts the keys taken from it;
 * cpor__jr_end refuses an object with keys nobody asked for. Getters return
 * a harmless value (0, NULL) once the reader has failed, so a decoder reads
 * every field and checks r->rc once. */
#ifndef CPOR_CORE_JSON_DOC_H
#define CPOR_CORE_JSON_DOC_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "cpor/model.h"

#define CPOR__SCHEMA_KEY "schema"
#define CPOR__SCHEMA 1 /* the JSON record format; the binary formats were 1 and 2 */

typedef const char *(*cpor__name_fn)(int value);

/* ---- writing ---------------------------------------------------------------- */

typedef struct cpor__jw {
  int rc;
} cpor__jw;

/* A new document object holding "schema": CPOR__SCHEMA (NULL on OOM). */
json_t *cpor__jw_doc(cpor__jw *w);
void cpor__jw_str(cpor__jw *w, json_t *o, const char *key, const char *s); /* NULL: null */
void cpor__jw_int(cpor__jw *w, json_t *o, const char *key, int64_t v);
void cpor__jw_bool(cpor__jw *w, json_t *o, const char *key, int v);
void cpor__jw_enum(cpor__jw *w, json_t *o, const char *key, cpor__name_fn name, int v);
void cpor__jw_time(cpor__jw *w, json_t *o, const char *key, cpor_time t); /* NONE: null */
/* Sets key to v (taking it; NULL means OOM). Returns v, or NULL on failure. */
json_t *cpor__jw_put(cpor__jw *w, json_t *o, const char *key, json_t *v);
/* Appends v (taking it); returns v, or NULL on failure. */
json_t *cpor__jw_append(cpor__jw *w, json_t *a, json_t *v);
/* s as a JSON string, NULL as null (NULL and w->rc set on failure: EINVAL
 * for invalid UTF-8). */
json_t *cpor__jw_string(cpor__jw *w, const char *s);
/* The enum value as a JSON string (NULL and w->rc set when it has no name). */
json_t *cpor__jw_name(cpor__jw *w, cpor__name_fn name, int v);
/* v in canonical form (compact, keys sorted), NUL-terminated, malloc'd; NULL
 * on OOM. *len (may be NULL) is its length. */
char *cpor__json_dump(const json_t *v, size_t *len);
/* Dumps doc (and releases it) into a malloc'd buffer, not NUL-counted. */
int cpor__jw_finish(cpor__jw *w, json_t *doc, void **buf, size_t *len);

/* ---- reading ---------------------------------------------------------------- */

typedef struct cpor__jr {
  int rc;
} cpor__jr;

typedef struct cpor__jin {
  json_t *o; /* NULL once the reader has failed */
  size_t used;
} cpor__jin;

/* Whether data is a JSON document (its first byte is '{'); else it is one of
 * the binary formats. */
int cpor__json_is_doc(const void *data, size_t len);
/* Parses one JSON text (an object or array, no trailing bytes, no duplicate
 * keys, no NUL in strings): CPOR_ECORRUPT for malformed text, CPOR_ENOMEM
 * when memory runs out, which jansson does not always say
 * (cpor__json_wellformed decides). */
int cpor__json_parse(const void *data, size_t len, json_t **out);
/* Whether data is well-formed JSON by those rules; allocates nothing
 * (json_check.c). */
int cpor__json_wellformed(const void *data, size_t len);
/* Parses a whole document (no trailing bytes, no duplicate keys, no NUL in
 * strings) and takes its schema field. json_decref(in->o) when done. */
cpor__jin cpor__jr_doc(cpor__jr *r, const void *data, size_t len);
/* A required string (malloc'd), or with nullable, null -> NULL. */
char *cpor__jr_str(cpor__jr *r, cpor__jin *in, const char *key, int nullable);
int64_t cpor__jr_int(cpor__jr *r, cpor__jin *in, const char *key, int64_t min, int64_t max);
int cpor__jr_bool(cpor__jr *r, cpor__jin *in, const char *key);
int cpor__jr_enum(cpor__jr *r, cpor__jin *in, const char *key, cpor__name_fn name);
cpor_time cpor__jr_time(cpor__jr *r, cpor__jin *in, const char *key); /* null: NONE */
/* A value that must equal expect (a column the store also keeps). */
void cpor__jr_same(cpor__jr *r, cpor__jin *in, const char *key, const char *expect);
/* A nested object; with nullable, null gives an object whose o is NULL and
 * r->rc untouched: test in.o. */
cpor__jin cpor__jr_obj(cpor__jr *r, cpor__jin *in, const char *key, int nullable);
/* An array of at most max elements; *n is its size. NULL on failure. */
json_t *cpor__jr_array(cpor__jr *r, cpor__jin *in, const char *key, size_t max, size_t *n);
/* Array elements: an object, a string (malloc'd), an enum name. */
cpor__jin cpor__jr_elem_obj(cpor__jr *r, json_t *a, size_t i);
char *cpor__jr_elem_str(cpor__jr *r, json_t *a, size_t i);
int cpor__jr_elem_enum(cpor__jr *r, json_t *a, size_t i, cpor__name_fn name);
/* The value of key, whatever its type (NULL and ECORRUPT when absent). */
json_t *cpor__jr_any(cpor__jr *r, cpor__jin *in, const char *key);
/* The object is complete: every key in it was taken. */
void cpor__jr_end(cpor__jr *r, cpor__jin *in);
void cpor__jr_fail(cpor__jr *r, int rc);

#endif
