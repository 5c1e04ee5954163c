/* Helpers of the storage tests: calls through the vtable and renderings of
 * the results as text, so one string comparison checks content and order.
 *
 * Header-only (static inline) because the build compiles only conformance.c
 * next to each test; these are shared with test_store_memory.c and
 * test_custom_storage.c. A rendering lives in one of a few rotating buffers,
 * valid until that many calls later. Every function expects an open
 * transaction, as the vtable does; conf_keys a write transaction. */
#ifndef CPOR_TESTS_CONF_UTIL_H
#define CPOR_TESTS_CONF_UTIL_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/storage.h"
#include "testutil.h"

#define BEGIN(s, w) ck_assert_status((s)->m.begin((s)->self, (w)), CPOR_OK)
#define COMMIT(s) ck_assert_status((s)->m.commit((s)->self), CPOR_OK)
#define ROLLBACK(s) ck_assert_status((s)->m.rollback((s)->self), CPOR_OK)
#define SAVEPOINT(s) ck_assert_status((s)->m.savepoint((s)->self), CPOR_OK)
#define RELEASE(s) ck_assert_status((s)->m.release((s)->self), CPOR_OK)
#define ROLLBACK_TO(s)                                                                             \
  do {                                                                                             \
    int rt_rc_ = (s)->m.rollback_to((s)->self);                                                    \
    ck_assert_msg(rt_rc_ == CPOR_OK, "rollback_to: %s: %s", conf_code(rt_rc_),                     \
                  (s)->m.errmsg && (s)->m.errmsg((s)->self) ? (s)->m.errmsg((s)->self) : "");      \
  } while (0)

typedef struct conf_text {
  char *p;
  size_t n, cap;
} conf_text;

static inline conf_text conf_text_new(void) {
  static char bufs[6][16384];
  static int next;
  conf_text t = {bufs[next], 0, sizeof bufs[0]};
  next = (next + 1) % 6;
  t.p[0] = '\0';
  return t;
}

static inline void conf_addf(conf_text *t, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(t->p + t->n, t->cap - t->n, fmt, ap);
  va_end(ap);
  ck_assert_msg(n >= 0 && (size_t)n < t->cap - t->n, "rendering too long");
  t->n += (size_t)n;
}

static inline void conf_addhex(conf_text *t, const void *data, size_t len) {
  for (size_t i = 0; i < len; i++)
    conf_addf(t, "%02x", ((const unsigned char *)data)[i]);
}

static inline const char *conf_code(int rc) {
  const char *name = cpor_status_name(rc);
  return name ? name + 5 : "?"; /* without "CPOR_" */
}

/* ---- objects ---------------------------------------------------------------------- */

/* The stored revision of (kind, id), 0 when absent. */
static inline uint64_t conf_rev(cpor_storage *s, uint32_t kind, const char *id) {
  cpor_store_object o;
  memset(&o, 0, sizeof o);
  return s->m.object_get(s->self, kind, id, &o) == CPOR_OK ? o.revision : 0;
}

static inline int conf_put_rev(cpor_storage *s, uint32_t kind, const char *id, const char *owner,
                               const char *ref, int32_t state, uint64_t revision, const void *data,
                               size_t len, uint32_t mode) {
  cpor_store_object o = {kind, id, owner, ref, state, revision, data, len};
  return s->m.object_put(s->self, &o, mode);
}

/* An unconditional write: UPDATE and DELETE name the revision stored now
 * (read first; 0 when absent, and the write then finds it absent too). */
static inline int conf_put(cpor_storage *s, uint32_t kind, const char *id, const char *owner,
                           const char *ref, int32_t state, const void *data, size_t len,
                           uint32_t mode) {
  uint64_t rev = mode == CPOR_STORE_INSERT || !id ? 0 : conf_rev(s, kind, id);
  return conf_put_rev(s, kind, id, owner, ref, state, rev, data, len, mode);
}

/* A duplicate event or change number, the write's code given (inside a
 * savepoint): refused at once (CPOR_EEXISTS), or accepted and reported by the
 * next method with an answer as CPOR_ECONFLICT (a late answer, storage.h).
 * Either way the caller then undoes the call with rollback_to. */
static inline void conf_duplicate(cpor_storage *s, int rc) {
  cpor_store_object o;
  if (rc == CPOR_EEXISTS) {
    ck_assert_status(s->m.object_get(s->self, CPOR_STORE_PARTNER, "conf-absent", &o),
                     CPOR_ENOTFOUND);
    return;
  }
  ck_assert_status(rc, CPOR_OK);
  ck_assert_status(s->m.object_get(s->self, CPOR_STORE_PARTNER, "conf-absent", &o), CPOR_ECONFLICT);
}

static inline int conf_delete(cpor_storage *s, uint32_t kind, const char *id) {
  return conf_put(s, kind, id, NULL, NULL, 0, NULL, 0, CPOR_STORE_DELETE);
}

typedef struct conf_object {
  int owner_null, ref_null;
  char owner[256], ref[256];
  int32_t state;
  uint64_t revision;
  unsigned char *data; /* malloc'd copy; free it */
  size_t len;
} conf_object;

/* object_get, copying the result into *out (when not NULL). */
static inline int conf_get_object(cpor_storage *s, uint32_t kind, const char *id,
                                  conf_object *out) {
  cpor_store_object o;
  memset(&o, 0, sizeof o);
  int rc = s->m.object_get(s->self, kind, id, &o);
  if (rc || !out) return rc;
  out->owner_null = !o.owner;
  out->ref_null = !o.ref;
  snprintf(out->owner, sizeof out->owner, "%s", o.owner ? o.owner : "");
  snprintf(out->ref, sizeof out->ref, "%s", o.ref ? o.ref : "");
  out->state = o.state;
  out->revision = o.revision;
  out->data = malloc(o.len + 1);
  ck_assert_ptr_nonnull(out->data);
  if (o.len) memcpy(out->data, o.data, o.len);
  out->len = o.len;
  return CPOR_OK;
}

static inline void conf_render_object(conf_text *t, const cpor_store_object *o) {
  conf_addf(t, "%u/%s rev=%llu owner=%s ref=%s state=%d data=", (unsigned)o->kind, o->id,
            (unsigned long long)o->revision, o->owner ? o->owner : "(null)",
            o->ref ? o->ref : "(null)", (int)o->state);
  conf_addhex(t, o->data, o->len);
}

/* "kind/id rev=.. owner=.. ref=.. state=.. data=<hex>", or the error's name. */
static inline const char *conf_get(cpor_storage *s, uint32_t kind, const char *id) {
  conf_text t = conf_text_new();
  cpor_store_object o;
  memset(&o, 0, sizeof o);
  int rc = s->m.object_get(s->self, kind, id, &o);
  if (rc)
    conf_addf(&t, "%s", conf_code(rc));
  else
    conf_render_object(&t, &o);
  return t.p;
}

/* ---- cursors ---------------------------------------------------------------------- */

/* One row as the tests write it: objects "id,", lines
 * "claim#line:unit:partner:status;", deadlines "claim@due;", events
 * "seq=<hex>;". full: objects rendered whole ("obj ...\n"). */
/* Renders EVENTS rows with their claim ID also when not full (the walks of
 * every claim's events). */
#define CONF_EVENTS_ALL 0x104

static inline void conf_render_row(conf_text *t, uint32_t what, const cpor_store_row *r, int full) {
  switch (what) {
  case CPOR_STORE_CURSOR_OBJECTS:
    if (!full) {
      conf_addf(t, "%s,", r->object.id);
      break;
    }
    conf_addf(t, "obj ");
    conf_render_object(t, &r->object);
    conf_addf(t, "\n");
    break;
  case CPOR_STORE_CURSOR_LINES:
    conf_addf(t, "%s%s#%u:%s:%s:%d;%s", full ? "line " : "",
              r->line.claim_id ? r->line.claim_id : "(null)", (unsigned)r->line.line, r->line.unit,
              r->line.partner_id ? r->line.partner_id : "(null)", (int)r->line.status,
              full ? "\n" : "");
    break;
  case CPOR_STORE_CURSOR_DEADLINES:
    if (full) conf_addf(t, "deadline %u ", (unsigned)r->deadline_kind);
    conf_addf(t, "%s@%lld;%s", r->claim_id, (long long)r->due, full ? "\n" : "");
    break;
  case CPOR_STORE_CURSOR_KEYS:
    conf_addf(t, "%s%s:%s;%s", full ? "key " : "", r->claim_id ? r->claim_id : "(null)", r->key,
              full ? "\n" : "");
    break;
  default:
    if (full || what == CONF_EVENTS_ALL)
      conf_addf(t, "%s%s ", full ? "event " : "", r->claim_id ? r->claim_id : "(null)");
    conf_addf(t, "%u=", (unsigned)r->seq);
    conf_addhex(t, r->data, r->len);
    conf_addf(t, ";%s", full ? "\n" : "");
    break;
  }
}

/* Deadlines of equal due come in an order of the backend's choosing: they
 * are collected, checked to come in due order and rendered sorted by
 * (due, claim_id), so that the rendering is the same for every backend. */
typedef struct conf_deadline {
  char claim[256];
  uint32_t kind;
  cpor_time due;
} conf_deadline;

static inline int conf_deadline_cmp(const void *a, const void *b) {
  const conf_deadline *x = a, *y = b;
  if (x->due != y->due) return x->due < y->due ? -1 : 1;
  return strcmp(x->claim, y->claim);
}

static inline void conf_render_deadlines(conf_text *t, conf_deadline *d, size_t n, int full) {
  qsort(d, n, sizeof *d, conf_deadline_cmp);
  for (size_t i = 0; i < n; i++) {
    cpor_store_row row;
    memset(&row, 0, sizeof row);
    row.claim_id = d[i].claim;
    row.deadline_kind = d[i].kind;
    row.due = d[i].due;
    conf_render_row(t, CPOR_STORE_CURSOR_DEADLINES, &row, full);
  }
}

/* Runs the query to its end (at most limit rows; 0: all) and renders the
 * rows; the code of the first failure, if any, ends the text ("!ESTORAGE"). */
static inline void conf_run(cpor_storage *s, const cpor_store_query *q, conf_text *t, int full,
                            long limit) {
  void *cur = NULL;
  int rc = s->m.cursor_open(s->self, q, &cur);
  if (rc) {
    conf_addf(t, "!%s", conf_code(rc));
    return;
  }
  enum { MAXD = 512 };
  static conf_deadline dls[MAXD];
  size_t nd = 0;
  for (long n = 0; !limit || n < limit; n++) {
    cpor_store_row row;
    memset(&row, 0xa5, sizeof row); /* the backend must set what it returns */
    rc = s->m.cursor_next(s->self, cur, &row);
    if (rc <= 0) break;
    ck_assert_int_eq(rc, 1);
    if (q->what != CPOR_STORE_CURSOR_DEADLINES) {
      conf_render_row(t, q->what == CPOR_STORE_CURSOR_EVENTS && !q->key ? CONF_EVENTS_ALL : q->what,
                      &row, full);
      continue;
    }
    ck_assert_msg(nd < MAXD, "too many deadlines to render");
    ck_assert_msg(nd == 0 || dls[nd - 1].due <= row.due, "deadlines out of due order");
    snprintf(dls[nd].claim, sizeof dls[nd].claim, "%s", row.claim_id);
    dls[nd].kind = row.deadline_kind;
    dls[nd++].due = row.due;
  }
  conf_render_deadlines(t, dls, nd, full);
  if (rc < 0) conf_addf(t, "!%s", conf_code(rc));
  s->m.cursor_close(s->self, cur);
}

static inline const char *conf_query(cpor_storage *s, const cpor_store_query *q) {
  conf_text t = conf_text_new();
  conf_run(s, q, &t, 0, 0);
  return t.p;
}

static inline cpor_store_query conf_objects_query(uint32_t kind, uint32_t by, const char *key,
                                                  int32_t state, const char *after) {
  cpor_store_query q;
  memset(&q, 0, sizeof q);
  q.what = CPOR_STORE_CURSOR_OBJECTS;
  q.kind = kind;
  q.by = by;
  q.key = key;
  q.state = state;
  q.after = after;
  return q;
}

/* The ids of the objects a query returns, "id,id,". */
static inline const char *conf_scan_after(cpor_storage *s, uint32_t kind, uint32_t by,
                                          const char *key, int32_t state, const char *after) {
  cpor_store_query q = conf_objects_query(kind, by, key, state, after);
  return conf_query(s, &q);
}

static inline const char *conf_scan(cpor_storage *s, uint32_t kind, uint32_t by, const char *key,
                                    int32_t state) {
  return conf_scan_after(s, kind, by, key, state, NULL);
}

/* How many CPOR_STORE_CLAIM objects a query returns; checks ascending ids. */
static inline long conf_scan_count(cpor_storage *s, uint32_t by, const char *key, int32_t state) {
  cpor_store_query q = conf_objects_query(CPOR_STORE_CLAIM, by, key, state, NULL);
  void *cur = NULL;
  ck_assert_status(s->m.cursor_open(s->self, &q, &cur), CPOR_OK);
  long n = 0;
  char prev[256] = "";
  cpor_store_row row;
  int rc;
  while ((rc = s->m.cursor_next(s->self, cur, &row)) == 1) {
    ck_assert_msg(n == 0 || strcmp(prev, row.object.id) < 0, "%s after %s", row.object.id, prev);
    snprintf(prev, sizeof prev, "%s", row.object.id);
    n++;
  }
  ck_assert_status(rc, CPOR_OK);
  s->m.cursor_close(s->self, cur);
  return n;
}

static inline const char *conf_lines(cpor_storage *s, const char *unit) {
  cpor_store_query q = {.what = CPOR_STORE_CURSOR_LINES, .key = unit};
  return conf_query(s, &q);
}

static inline const char *conf_deadlines(cpor_storage *s, uint32_t kind, cpor_time upto) {
  cpor_store_query q = {.what = CPOR_STORE_CURSOR_DEADLINES, .kind = kind, .upto = upto};
  return conf_query(s, &q);
}

static inline const char *conf_events_after(cpor_storage *s, const char *claim, uint32_t after) {
  cpor_store_query q = {.what = CPOR_STORE_CURSOR_EVENTS, .key = claim, .after_seq = after};
  return conf_query(s, &q);
}

static inline const char *conf_events(cpor_storage *s, const char *claim) {
  return conf_events_after(s, claim, 0);
}

/* The number of rows a query returns (asserting no failure). */
static inline long conf_count(cpor_storage *s, const cpor_store_query *q) {
  void *cur = NULL;
  ck_assert_status(s->m.cursor_open(s->self, q, &cur), CPOR_OK);
  long n = 0;
  cpor_store_row row;
  int rc;
  while ((rc = s->m.cursor_next(s->self, cur, &row)) == 1)
    n++;
  ck_assert_status(rc, CPOR_OK);
  s->m.cursor_close(s->self, cur);
  return n;
}

/* The whole store as the tests name things: objects of every kind, lines of
 * units u0..u9, every deadline, events of claims c0..c9; "" when empty.
 * Keys cannot be read: see conf_keys. */
static inline const char *conf_dump(cpor_storage *s) {
  conf_text t = conf_text_new();
  for (uint32_t k = 1; k <= 8; k++) {
    cpor_store_query q = conf_objects_query(k, CPOR_STORE_BY_KIND, NULL, 0, NULL);
    conf_run(s, &q, &t, 1, 0);
  }
  char name[8];
  for (int i = 0; i < 10; i++) {
    snprintf(name, sizeof name, "u%d", i);
    cpor_store_query q = {.what = CPOR_STORE_CURSOR_LINES, .key = name};
    conf_run(s, &q, &t, 1, 0);
  }
  for (uint32_t k = 1; k <= 3; k++) {
    cpor_store_query q = {.what = CPOR_STORE_CURSOR_DEADLINES, .kind = k, .upto = INT64_MAX};
    conf_run(s, &q, &t, 1, 0);
  }
  for (int i = 0; i < 10; i++) {
    snprintf(name, sizeof name, "c%d", i);
    cpor_store_query q = {.what = CPOR_STORE_CURSOR_EVENTS, .key = name};
    conf_run(s, &q, &t, 1, 0);
  }
  return t.p;
}

/* ---- keys ------------------------------------------------------------------------- */

#define CONF_PROBE "~probe" /* a claim no test creates */

/* Inserts claim objects with the space-separated ids (no owner, ref or
 * data): a backend may refuse lines, keys, deadlines and events of a claim
 * it does not store. */
static inline void conf_claims(cpor_storage *s, const char *list) {
  char buf[1024];
  snprintf(buf, sizeof buf, "%s", list);
  for (char *save = NULL, *id = strtok_r(buf, " ", &save); id; id = strtok_r(NULL, " ", &save))
    ck_assert_status(conf_put(s, CPOR_STORE_CLAIM, id, NULL, NULL, 0, "", 0, CPOR_STORE_INSERT),
                     CPOR_OK);
}

/* Which of the space-separated keys some claim holds, "k1,k3,": each is
 * probed by a claim (inserted for the probe, deleted after) taking it
 * (CPOR_EEXISTS: held) and letting it go. Needs a write transaction; leaves
 * the store as it was. */
static inline const char *conf_keys(cpor_storage *s, const char *list) {
  conf_text t = conf_text_new();
  conf_claims(s, CONF_PROBE);
  char buf[1024];
  snprintf(buf, sizeof buf, "%s", list);
  for (char *save = NULL, *k = strtok_r(buf, " ", &save); k; k = strtok_r(NULL, " ", &save)) {
    const char *one[] = {k};
    int rc = s->m.keys_replace(s->self, CONF_PROBE, one, 1);
    if (rc == CPOR_EEXISTS) {
      conf_addf(&t, "%s,", k);
      continue;
    }
    ck_assert_status(rc, CPOR_OK);
    ck_assert_status(s->m.keys_replace(s->self, CONF_PROBE, NULL, 0), CPOR_OK);
  }
  ck_assert_status(conf_delete(s, CPOR_STORE_CLAIM, CONF_PROBE), CPOR_OK);
  return t.p;
}

/* keys_replace with a space-separated list ("" for none). */
static inline int conf_take(cpor_storage *s, const char *claim, const char *list) {
  char buf[1024];
  const char *keys[64];
  size_t n = 0;
  snprintf(buf, sizeof buf, "%s", list);
  for (char *save = NULL, *k = strtok_r(buf, " ", &save); k && n < 64;
       k = strtok_r(NULL, " ", &save))
    keys[n++] = k;
  return s->m.keys_replace(s->self, claim, n ? keys : NULL, n);
}

/* ---- the operation script of the fault-injection tests ---------------------------- */

#define CONF_SCRIPT_OPS 13

/* Thirteen counted operations, one of each counted method plus begin and
 * commit; returns the first failure (the transaction is then left open, no
 * cursor is). */
static inline int conf_script(cpor_storage *s) {
  int rc, n = 0;
  cpor_store_query q = conf_objects_query(CPOR_STORE_CLAIM, CPOR_STORE_BY_KIND, NULL, 0, NULL);
  cpor_store_line l[] = {{"c1", 0, "u1", "p1", 5}};
  const char *keys[] = {"k1"};
  cpor_store_object got;
  cpor_store_row row;
  void *cur = NULL;
  if ((rc = s->m.begin(s->self, 1)) || (rc = s->m.savepoint(s->self)) ||
      (rc = conf_put(s, CPOR_STORE_CLAIM, "c1", "p1", NULL, 1, "x", 1, CPOR_STORE_INSERT)) ||
      (rc = s->m.object_get(s->self, CPOR_STORE_CLAIM, "c1", &got)) ||
      (rc = s->m.release(s->self)) || (rc = s->m.cursor_open(s->self, &q, &cur)))
    return rc;
  rc = s->m.cursor_next(s->self, cur, &row);
  if (rc == 1 && strcmp(row.object.id, "c1") == 0) n++; /* read before the close */
  s->m.cursor_close(s->self, cur);
  if (rc < 0) return rc;
  if ((rc = s->m.lines_replace(s->self, "c1", l, 1)) ||
      (rc = s->m.keys_replace(s->self, "c1", keys, 1)) ||
      (rc = s->m.deadline_set(s->self, "c1", CPOR_DEADLINE_OPTOUT, 5)) ||
      (rc = s->m.deadline_clear(s->self, "c1", CPOR_DEADLINE_SLA)) ||
      (rc = s->m.event_append(s->self, "c1", 1, "e", 1)) || (rc = s->m.commit(s->self)))
    return rc;
  ck_assert_int_eq(n, 1);
  return CPOR_OK;
}

#endif
