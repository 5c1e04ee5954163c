/* The JSON document helpers (see json_doc.h): one place for "required
 * string", "enum by name", "instant or null" and their checks. */
#include "core/json_doc.h"

#include <stdlib.h>
#include <string.h>

/* ---- writing ---------------------------------------------------------------- */

static void wfail(cpor__jw *w, int rc) {
  if (!w->rc) w->rc = rc;
}

json_t *cpor__jw_put(cpor__jw *w, json_t *o, const char *key, json_t *v) {
  if (!v || !o || w->rc) {
    if (!v) wfail(w, CPOR_ENOMEM);
    json_decref(v);
    return NULL;
  }
  if (json_object_set_new(o, key, v)) return wfail(w, CPOR_ENOMEM), NULL;
  return v;
}

json_t *cpor__jw_append(cpor__jw *w, json_t *a, json_t *v) {
  if (!v || !a || w->rc) {
    if (!v) wfail(w, CPOR_ENOMEM);
    json_decref(v);
    return NULL;
  }
  if (json_array_append_new(a, v)) return wfail(w, CPOR_ENOMEM), NULL;
  return v;
}

json_t *cpor__jw_doc(cpor__jw *w) {
  json_t *doc = json_object();
  if (!doc) return wfail(w, CPOR_ENOMEM), NULL;
  cpor__jw_int(w, doc, CPOR__SCHEMA_KEY, CPOR__SCHEMA);
  return doc;
}

/* json_string refuses invalid UTF-8 and fails on OOM alike: tell them apart,
 * so that a record the format cannot hold is CPOR_EINVAL, not "no memory". */
json_t *cpor__jw_string(cpor__jw *w, const char *s) {
  if (!s) return json_null();
  json_t *v = json_string(s);
  if (v) return v;
  json_t *raw = json_string_nocheck(s);
  wfail(w, raw ? CPOR_EINVAL : CPOR_ENOMEM);
  json_decref(raw);
  return NULL;
}

void cpor__jw_str(cpor__jw *w, json_t *o, const char *key, const char *s) {
  if (w->rc) return;
  json_t *v = cpor__jw_string(w, s);
  if (v || !w->rc) cpor__jw_put(w, o, key, v);
}

void cpor__jw_int(cpor__jw *w, json_t *o, const char *key, int64_t v) {
  if (!w->rc) cpor__jw_put(w, o, key, json_integer((json_int_t)v));
}

void cpor__jw_bool(cpor__jw *w, json_t *o, const char *key, int v) {
  if (!w->rc) cpor__jw_put(w, o, key, json_boolean(v));
}

json_t *cpor__jw_name(cpor__jw *w, cpor__name_fn name, int v) {
  const char *s = name(v);
  if (!s) return wfail(w, CPOR_EINVAL), NULL;
  json_t *j = json_string_nocheck(s); /* our own ASCII names */
  if (!j) wfail(w, CPOR_ENOMEM);
  return j;
}

void cpor__jw_enum(cpor__jw *w, json_t *o, const char *key, cpor__name_fn name, int v) {
  if (w->rc) return;
  json_t *j = cpor__jw_name(w, name, v);
  if (j) cpor__jw_put(w, o, key, j);
}

void cpor__jw_time(cpor__jw *w, json_t *o, const char *key, cpor_time t) {
  if (!w->rc)
    cpor__jw_put(w, o, key, t == CPOR_TIME_NONE ? json_null() : json_integer((json_int_t)t));
}

/* The dump goes to a buffer of our own (malloc), not jansson's allocator: the
 * caller frees it with free() even when the application has redirected
 * jansson's allocations (json_set_alloc_funcs). */
typedef struct dumpbuf {
  char *p;
  size_t len, cap;
} dumpbuf;

static int append(const char *s, size_t n, void *arg) {
  dumpbuf *o = arg;
  if (o->cap - o->len <= n) { /* keep room for a NUL */
    size_t cap = o->cap ? o->cap : 1024;
    while (cap - o->len <= n)
      cap *= 2;
    char *p = realloc(o->p, cap);
    if (!p) return -1;
    o->p = p;
    o->cap = cap;
  }
  memcpy(o->p + o->len, s, n);
  o->len += n;
  o->p[o->len] = 0;
  return 0;
}

char *cpor__json_dump(const json_t *v, size_t *len) {
  dumpbuf o = {NULL, 0, 0};
  if (json_dump_callback(v, append, &o, JSON_COMPACT | JSON_SORT_KEYS) || !o.p) {
    free(o.p);
    return NULL;
  }
  if (len) *len = o.len;
  return o.p;
}

int cpor__jw_finish(cpor__jw *w, json_t *doc, void **buf, size_t *len) {
  char *s = w->rc || !doc ? NULL : cpor__json_dump(doc, len);
  json_decref(doc);
  if (!s) return w->rc ? w->rc : CPOR_ENOMEM;
  *buf = s;
  return CPOR_OK;
}

/* ---- reading ---------------------------------------------------------------- */

void cpor__jr_fail(cpor__jr *r, int rc) {
  if (!r->rc) r->rc = rc;
}

static void corrupt(cpor__jr *r) {
  cpor__jr_fail(r, CPOR_ECORRUPT);
}

int cpor__json_is_doc(const void *data, size_t len) {
  return data && len > 0 && *(const unsigned char *)data == '{';
}

int cpor__json_parse(const void *data, size_t len, json_t **out) {
  *out = NULL;
  /* No JSON text holds a NUL byte; jansson lets one pass after a number. */
  if (memchr(data, 0, len)) return CPOR_ECORRUPT;
  json_error_t err;
  memset(&err, 0, sizeof err); /* an error jansson leaves unset reads "unknown" */
  /* Defaults refuse trailing bytes, \u0000 in strings and invalid UTF-8. */
  *out = json_loadb(data, len, JSON_REJECT_DUPLICATES, &err);
  if (*out) return CPOR_OK;
  switch (json_error_code(&err)) {
  case json_error_out_of_memory:
    return CPOR_ENOMEM;
  case json_error_duplicate_key: /* found only by parsing well-formed input */
  case json_error_numeric_overflow:
  case json_error_stack_overflow:
    return CPOR_ECORRUPT;
  default: /* a syntax error, or an allocation failure reported as one */
    return cpor__json_wellformed(data, len) ? CPOR_ENOMEM : CPOR_ECORRUPT;
  }
}

cpor__jin cpor__jr_doc(cpor__jr *r, const void *data, size_t len) {
  cpor__jin in = {NULL, 0};
  if (!cpor__json_is_doc(data, len)) return corrupt(r), in;
  int rc = cpor__json_parse(data, len, &in.o);
  if (rc) return cpor__jr_fail(r, rc), in;
  if (!json_is_object(in.o) ||
      cpor__jr_int(r, &in, CPOR__SCHEMA_KEY, CPOR__SCHEMA, CPOR__SCHEMA) != CPOR__SCHEMA)
    corrupt(r);
  return in;
}

json_t *cpor__jr_any(cpor__jr *r, cpor__jin *in, const char *key) {
  if (r->rc || !in->o) return NULL;
  json_t *v = json_object_get(in->o, key);
  if (!v) return corrupt(r), NULL;
  in->used++;
  return v;
}

static char *copy(cpor__jr *r, json_t *v, int nullable) {
  if (!v) return NULL;
  if (nullable && json_is_null(v)) return NULL;
  if (!json_is_string(v)) return corrupt(r), NULL;
  char *s = strdup(json_string_value(v)); /* the parser refused embedded NUL */
  if (!s) cpor__jr_fail(r, CPOR_ENOMEM);
  return s;
}

char *cpor__jr_str(cpor__jr *r, cpor__jin *in, const char *key, int nullable) {
  return copy(r, cpor__jr_any(r, in, key), nullable);
}

int64_t cpor__jr_int(cpor__jr *r, cpor__jin *in, const char *key, int64_t min, int64_t max) {
  json_t *v = cpor__jr_any(r, in, key);
  if (!v) return 0;
  if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max)
    return corrupt(r), 0;
  return (int64_t)json_integer_value(v);
}

int cpor__jr_bool(cpor__jr *r, cpor__jin *in, const char *key) {
  json_t *v = cpor__jr_any(r, in, key);
  if (v && !json_is_boolean(v)) corrupt(r);
  return json_is_true(v);
}

/* The value whose name is s: names are unique and the tables small. */
static int by_name(cpor__jr *r, json_t *v, cpor__name_fn name) {
  if (!v) return 0;
  const char *s = json_string_value(v);
  for (int i = 0; s && i < 64; i++) {
    const char *n = name(i);
    if (n && strcmp(n, s) == 0) return i;
  }
  return corrupt(r), 0;
}

int cpor__jr_enum(cpor__jr *r, cpor__jin *in, const char *key, cpor__name_fn name) {
  return by_name(r, cpor__jr_any(r, in, key), name);
}

cpor_time cpor__jr_time(cpor__jr *r, cpor__jin *in, const char *key) {
  json_t *v = cpor__jr_any(r, in, key);
  if (!v || json_is_null(v)) return CPOR_TIME_NONE;
  /* INT64_MIN is NONE: as an integer it would be a second spelling of null. */
  if (!json_is_integer(v) || json_integer_value(v) == CPOR_TIME_NONE) return corrupt(r), 0;
  return (cpor_time)json_integer_value(v);
}

void cpor__jr_same(cpor__jr *r, cpor__jin *in, const char *key, const char *expect) {
  json_t *v = cpor__jr_any(r, in, key);
  if (v && (!json_is_string(v) || !expect || strcmp(json_string_value(v), expect) != 0)) corrupt(r);
}

static cpor__jin as_obj(cpor__jr *r, json_t *v) {
  cpor__jin in = {NULL, 0};
  if (!v) return in;
  if (!json_is_object(v)) return corrupt(r), in;
  in.o = v;
  return in;
}

cpor__jin cpor__jr_obj(cpor__jr *r, cpor__jin *in, const char *key, int nullable) {
  json_t *v = cpor__jr_any(r, in, key);
  if (nullable && json_is_null(v)) return (cpor__jin){NULL, 0};
  return as_obj(r, v);
}

json_t *cpor__jr_array(cpor__jr *r, cpor__jin *in, const char *key, size_t max, size_t *n) {
  json_t *v = cpor__jr_any(r, in, key);
  *n = 0;
  if (!v) return NULL;
  if (!json_is_array(v) || json_array_size(v) > max) return corrupt(r), NULL;
  *n = json_array_size(v);
  return v;
}

cpor__jin cpor__jr_elem_obj(cpor__jr *r, json_t *a, size_t i) {
  return as_obj(r, r->rc ? NULL : json_array_get(a, i));
}

char *cpor__jr_elem_str(cpor__jr *r, json_t *a, size_t i) {
  return copy(r, r->rc ? NULL : json_array_get(a, i), 0);
}

int cpor__jr_elem_enum(cpor__jr *r, json_t *a, size_t i, cpor__name_fn name) {
  return by_name(r, r->rc ? NULL : json_array_get(a, i), name);
}

void cpor__jr_end(cpor__jr *r, cpor__jin *in) {
  if (!r->rc && in->o && json_object_size(in->o) != in->used) corrupt(r);
}
