/* Helpers of the storage tests: calls through the vtable and renderings of
 * the results as text, so one string comparison checks content and order.
 *
 * Header-only (static inline) because the build compiles only conformance.c
 * next to each test; these are shared with test_store_memory.c. A rendering
 * lives in one of a few rotating buffers, valid until that many calls later.
 * Every function expects an open transaction, as the vtable does. */
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

typedef struct conf_text {
  char *p;
  size_t n, cap;
} conf_text;

static inline conf_text conf_text_new(void) {
  static char bufs[4][16384];
  static int next;
  conf_text t = {bufs[next], 0, sizeof bufs[0]};
  next = (next + 1) % 4;
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

static inline int conf_put(cpor_storage *s, uint32_t kind, const char *id, const char *owner,
                           const char *ref, int32_t state, const void *data, size_t len,
                           uint32_t mode) {
  cpor_store_object o = {kind, id, owner, ref, state, data, len};
  return s->m.object_put(s->self, &o, mode);
}

/* ---- objects ---------------------------------------------------------------------- */

typedef struct conf_object {
  int owner_null, ref_null;
  char owner[256], ref[256];
  int32_t state;
  unsigned char *data; /* malloc'd copy; free it */
  size_t len;
} conf_object;

static inline int conf_copy_object(void *arg, const cpor_store_object *o) {
  conf_object *c = arg;
  if (!c) return 0;
  c->owner_null = !o->owner;
  c->ref_null = !o->ref;
  snprintf(c->owner, sizeof c->owner, "%s", o->owner ? o->owner : "");
  snprintf(c->ref, sizeof c->ref, "%s", o->ref ? o->ref : "");
  c->state = o->state;
  c->data = malloc(o->len + 1);
  ck_assert_ptr_nonnull(c->data);
  if (o->len) memcpy(c->data, o->data, o->len);
  c->len = o->len;
  return 0;
}

static inline int conf_get_object(cpor_storage *s, uint32_t kind, const char *id,
                                  conf_object *out) {
  return s->m.object_get(s->self, kind, id, conf_copy_object, out);
}

static inline void conf_render_object(conf_text *t, const cpor_store_object *o) {
  conf_addf(t, "%u/%s owner=%s ref=%s state=%d data=", (unsigned)o->kind, o->id,
            o->owner ? o->owner : "(null)", o->ref ? o->ref : "(null)", (int)o->state);
  conf_addhex(t, o->data, o->len);
}

static inline int conf_render_object_cb(void *arg, const cpor_store_object *o) {
  conf_render_object(arg, o);
  return 0;
}

/* "kind/id owner=.. ref=.. state=.. data=<hex>", or the error's name. */
static inline const char *conf_get(cpor_storage *s, uint32_t kind, const char *id) {
  conf_text t = conf_text_new();
  int rc = s->m.object_get(s->self, kind, id, conf_render_object_cb, &t);
  if (rc) conf_addf(&t, "%s", cpor_status_name(rc) ? cpor_status_name(rc) + 5 : "?");
  return t.p;
}

static inline int conf_add_id(void *arg, const cpor_store_object *o) {
  conf_addf(arg, "%s,", o->id);
  return 0;
}

/* The ids an object_scan visits, "id,id,". */
static inline const char *conf_scan(cpor_storage *s, uint32_t kind, uint32_t by, const char *key,
                                    int32_t state) {
  conf_text t = conf_text_new();
  cpor_store_filter f = {kind, by, key, state};
  ck_assert_status(s->m.object_scan(s->self, &f, conf_add_id, &t), CPOR_OK);
  return t.p;
}

typedef struct conf_order {
  long n;
  char prev[256];
} conf_order;

static inline int conf_check_order(void *arg, const cpor_store_object *o) {
  conf_order *c = arg;
  ck_assert_msg(c->n == 0 || strcmp(c->prev, o->id) < 0, "%s visited after %s", o->id, c->prev);
  snprintf(c->prev, sizeof c->prev, "%s", o->id);
  c->n++;
  return 0;
}

/* How many CPOR_STORE_CLAIM objects a scan visits; checks ascending ids. */
static inline long conf_scan_count(cpor_storage *s, uint32_t by, const char *key, int32_t state) {
  conf_order c = {0};
  cpor_store_filter f = {CPOR_STORE_CLAIM, by, key, state};
  ck_assert_status(s->m.object_scan(s->self, &f, conf_check_order, &c), CPOR_OK);
  return c.n;
}

/* ---- counting and stopping callbacks (arg: int * or NULL / conf_stop *) ------------- */

static inline int conf_count(void *arg) {
  if (arg) ++*(int *)arg;
  return 0;
}
static inline int conf_count_object(void *arg, const cpor_store_object *o) {
  (void)o;
  return conf_count(arg);
}
static inline int conf_count_line(void *arg, const cpor_store_line *l) {
  (void)l;
  return conf_count(arg);
}
static inline int conf_count_deadline(void *arg, const char *c, uint32_t k, cpor_time d) {
  (void)c, (void)k, (void)d;
  return conf_count(arg);
}
static inline int conf_count_event(void *arg, uint32_t seq, const void *d, size_t n) {
  (void)seq, (void)d, (void)n;
  return conf_count(arg);
}

/* Returns value from the stop_at-th call on. */
typedef struct conf_stop {
  int stop_at, value, calls;
} conf_stop;

static inline int conf_stop_call(void *arg) {
  conf_stop *c = arg;
  return ++c->calls >= c->stop_at ? c->value : 0;
}
static inline int conf_stop_object(void *arg, const cpor_store_object *o) {
  (void)o;
  return conf_stop_call(arg);
}
static inline int conf_stop_line(void *arg, const cpor_store_line *l) {
  (void)l;
  return conf_stop_call(arg);
}
static inline int conf_stop_deadline(void *arg, const char *c, uint32_t k, cpor_time d) {
  (void)c, (void)k, (void)d;
  return conf_stop_call(arg);
}
static inline int conf_stop_event(void *arg, uint32_t seq, const void *d, size_t n) {
  (void)seq, (void)d, (void)n;
  return conf_stop_call(arg);
}

/* ---- lines, deadlines, events ----------------------------------------------------- */

static inline int conf_add_line(void *arg, const cpor_store_line *l) {
  conf_addf(arg, "%s#%u:%s:%s:%d;", l->claim_id, (unsigned)l->line, l->unit,
            l->partner_id ? l->partner_id : "(null)", (int)l->status);
  return 0;
}

/* "claim#line:unit:partner:status;" per row of the unit. */
static inline const char *conf_lines(cpor_storage *s, const char *unit) {
  conf_text t = conf_text_new();
  ck_assert_status(s->m.lines_by_unit(s->self, unit, conf_add_line, &t), CPOR_OK);
  return t.p;
}

static inline int conf_add_deadline(void *arg, const char *claim, uint32_t kind, cpor_time due) {
  (void)kind;
  conf_addf(arg, "%s@%lld;", claim, (long long)due);
  return 0;
}

/* "claim@due;" per deadline of the kind due by upto. */
static inline const char *conf_deadlines(cpor_storage *s, uint32_t kind, cpor_time upto) {
  conf_text t = conf_text_new();
  ck_assert_status(s->m.deadline_scan(s->self, kind, upto, conf_add_deadline, &t), CPOR_OK);
  return t.p;
}

static inline int conf_add_event(void *arg, uint32_t seq, const void *data, size_t len) {
  conf_addf(arg, "%u=", (unsigned)seq);
  conf_addhex(arg, data, len);
  conf_addf(arg, ";");
  return 0;
}

/* "seq=<hex>;" per event of the claim. */
static inline const char *conf_events(cpor_storage *s, const char *claim) {
  conf_text t = conf_text_new();
  ck_assert_status(s->m.event_scan(s->self, claim, conf_add_event, &t), CPOR_OK);
  return t.p;
}

typedef struct conf_dump_ctx {
  conf_text *t;
  const char *prefix;
  uint32_t kind;
} conf_dump_ctx;

static inline int conf_dump_object(void *arg, const cpor_store_object *o) {
  conf_addf(arg, "obj ");
  conf_render_object(arg, o);
  conf_addf(arg, "\n");
  return 0;
}
static inline int conf_dump_line(void *arg, const cpor_store_line *l) {
  conf_addf(arg, "line ");
  conf_add_line(arg, l);
  conf_addf(arg, "\n");
  return 0;
}
static inline int conf_dump_deadline(void *arg, const char *claim, uint32_t kind, cpor_time due) {
  conf_addf(arg, "deadline %u ", (unsigned)kind);
  conf_add_deadline(arg, claim, kind, due);
  conf_addf(arg, "\n");
  return 0;
}
static inline int conf_dump_event(void *arg, uint32_t seq, const void *data, size_t len) {
  conf_dump_ctx *c = arg;
  conf_addf(c->t, "event %s ", c->prefix);
  conf_add_event(c->t, seq, data, len);
  conf_addf(c->t, "\n");
  return 0;
}

/* The whole store as the tests name things: objects of every kind, lines of
 * units u0..u9, every deadline, events of claims c0..c9; "" when empty. */
static inline const char *conf_dump(cpor_storage *s) {
  conf_text t = conf_text_new();
  for (uint32_t k = 1; k <= 8; k++) {
    cpor_store_filter f = {k, CPOR_STORE_BY_KIND, NULL, 0};
    ck_assert_status(s->m.object_scan(s->self, &f, conf_dump_object, &t), CPOR_OK);
  }
  char name[8];
  for (int i = 0; i < 10; i++) {
    snprintf(name, sizeof name, "u%d", i);
    ck_assert_status(s->m.lines_by_unit(s->self, name, conf_dump_line, &t), CPOR_OK);
  }
  for (uint32_t k = 1; k <= 3; k++)
    ck_assert_status(s->m.deadline_scan(s->self, k, INT64_MAX, conf_dump_deadline, &t), CPOR_OK);
  for (int i = 0; i < 10; i++) {
    snprintf(name, sizeof name, "c%d", i);
    conf_dump_ctx c = {&t, name, 0};
    ck_assert_status(s->m.event_scan(s->self, name, conf_dump_event, &c), CPOR_OK);
  }
  return t.p;
}

/* Twelve counted operations, one of each method plus begin and commit;
 * returns the first failure (the transaction is then left open). */
static inline int conf_script(cpor_storage *s) {
  int rc, n = 0;
  cpor_store_filter f = {CPOR_STORE_CLAIM, CPOR_STORE_BY_KIND, NULL, 0};
  cpor_store_line l[] = {{"c1", 0, "u1", "p1", CPOR_STATE_APPROVED}};
  if ((rc = s->m.begin(s->self, 1)) ||
      (rc = conf_put(s, CPOR_STORE_CLAIM, "c1", "p1", NULL, 1, "x", 1, CPOR_STORE_INSERT)) ||
      (rc = s->m.object_get(s->self, CPOR_STORE_CLAIM, "c1", conf_count_object, &n)) ||
      (rc = s->m.object_scan(s->self, &f, conf_count_object, &n)) ||
      (rc = s->m.lines_replace(s->self, "c1", l, 1)) ||
      (rc = s->m.lines_by_unit(s->self, "u1", conf_count_line, &n)) ||
      (rc = s->m.deadline_set(s->self, "c1", CPOR_DEADLINE_OPTOUT, 5)) ||
      (rc = s->m.deadline_clear(s->self, "c1", CPOR_DEADLINE_SLA)) ||
      (rc = s->m.deadline_scan(s->self, CPOR_DEADLINE_OPTOUT, 9, conf_count_deadline, &n)) ||
      (rc = s->m.event_append(s->self, "c1", 1, "e", 1)) ||
      (rc = s->m.event_scan(s->self, "c1", conf_count_event, &n)) || (rc = s->m.commit(s->self)))
    return rc;
  ck_assert_int_eq(n, 5);
  return CPOR_OK;
}

#endif
