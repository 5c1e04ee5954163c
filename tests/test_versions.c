/* Struct versions: every options struct is read at every version from 1 to
 * the library's (an old caller's struct by its own layout), 0 and newer ones
 * are CPOR_EVERSION naming the struct and both versions, zero fields are the
 * defaults; and the version 2 fields (SQLite cache and mmap, query cursor,
 * limit and filters). */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/sqlite_int.h"
#include "store/storage.h"
#include "world.h"

#define OK(w, expr) ck_assert_msg((expr) == CPOR_OK, "%s: %s", #expr, cpor_ctx_errmsg((w)->ctx))
#define ERRMSG_IS(w, want) ck_assert_str_eq(cpor_ctx_errmsg((w)->ctx), want)

/* The version 1 layouts, frozen as the 0.1 headers had them. */
typedef struct sqlite_options_v1 {
  uint32_t version;
  int32_t busy_timeout_ms;
  uint32_t synchronous_full;
  uint32_t read_only;
} sqlite_options_v1;
typedef struct claim_query_v1 {
  uint32_t version;
  const char *partner_id;
  const char *tenant_id;
  uint32_t state;
  const char *unit_workload;
  const char *unit_subscription;
  uint32_t overdue;
} claim_query_v1;
_Static_assert(offsetof(cpor_sqlite_options, read_only) == offsetof(sqlite_options_v1, read_only),
               "v2 keeps the v1 prefix");
_Static_assert(offsetof(cpor_claim_query, overdue) == offsetof(claim_query_v1, overdue),
               "v2 keeps the v1 prefix");

/* A v1 struct with 0xff bytes after it: a library that read past the v1
 * layout would see a garbage after_id / limit / cache size. */
#define POISONED(type)                                                                             \
  struct {                                                                                         \
    type s;                                                                                        \
    unsigned char poison[64];                                                                      \
  }

static const char *const TEAMS[] = {"TEAMS", NULL};
static const char *const EXCHANGE[] = {"EXCHANGE", NULL};
static const char *const SHAREPOINT[] = {"SHAREPOINT", NULL};

/* ---- the _init functions ------------------------------------------------------- */

/* init(s, v) zeroes exactly the bytes of version v and sets the version. */
#define CHECK_INIT(type, init, current, v1_end, v2_end)                                            \
  do {                                                                                             \
    for (uint32_t v = 1; v <= (current); v++) {                                                    \
      type s;                                                                                      \
      memset(&s, 0xab, sizeof s);                                                                  \
      ck_assert_status(init(&s, v), CPOR_OK);                                                      \
      ck_assert_uint_eq(s.version, v);                                                             \
      size_t end = v == 1 ? (v1_end) : v == 2 ? (v2_end) : sizeof s;                               \
      const unsigned char *b = (const unsigned char *)&s;                                          \
      for (size_t i = sizeof s.version; i < sizeof s; i++)                                         \
        ck_assert_msg(b[i] == (i < end ? 0 : 0xab), "%s v%u byte %zu", #type, v, i);               \
    }                                                                                              \
    type s;                                                                                        \
    ck_assert_status(init(&s, 0), CPOR_EVERSION);                                                  \
    ck_assert_status(init(&s, (current) + 1), CPOR_EVERSION);                                      \
    ck_assert_status(init(NULL, 1), CPOR_EINVAL);                                                  \
  } while (0)

#define END(type, member) (offsetof(type, member) + sizeof(((type *)0)->member))

START_TEST(init_functions) {
  CHECK_INIT(cpor_ctx_options, cpor_ctx_options_init, 2, END(cpor_ctx_options, errbuf_len),
             sizeof s);
  CHECK_INIT(cpor_sqlite_options, cpor_sqlite_options_init, 2, END(cpor_sqlite_options, read_only),
             sizeof s);
  CHECK_INIT(cpor_claim_spec, cpor_claim_spec_init, 2, END(cpor_claim_spec, isv_product), sizeof s);
  CHECK_INIT(cpor_claim_query, cpor_claim_query_init, 3, END(cpor_claim_query, overdue),
             END(cpor_claim_query, updated_since));
  CHECK_INIT(cpor_actor, cpor_actor_init, 1, sizeof s, sizeof s);
  /* Storage methods: versions 3 to 5 (1 and 2 had another layout). A
   * version 3 init leaves the later members alone (the caller's struct may
   * be a version 3 one, shorter). */
  for (uint32_t v = 0; v <= 6; v++) {
    cpor_storage_methods m;
    memset(&m, 0xab, sizeof m);
    int ok = v >= 3 && v <= 5;
    ck_assert_status(cpor_storage_methods_init(&m, v), ok ? CPOR_OK : CPOR_EVERSION);
    if (ok) {
      ck_assert_uint_eq(m.version, v);
      ck_assert(m.cursor_open == NULL);
      ck_assert(m.close == NULL);
      if (v >= 4) ck_assert(m.counter_next == NULL && m.change_append == NULL);
      if (v == 3) ck_assert(m.counter_next != NULL); /* untouched: 0xabab... */
      if (v == 5) ck_assert_uint_eq(m.flags, 0);
      if (v == 4) ck_assert_uint_eq(m.flags, 0xababababu); /* untouched */
    }
  }
  ck_assert_status(cpor_storage_methods_init(NULL, 3), CPOR_EINVAL);
  /* The _INIT macros set the current version and nothing else. */
  cpor_sqlite_options so = CPOR_SQLITE_OPTIONS_INIT;
  cpor_claim_query q = CPOR_CLAIM_QUERY_INIT;
  cpor_ctx_options o = CPOR_CTX_OPTIONS_INIT;
  ck_assert_uint_eq(so.version, 2);
  ck_assert_int_eq(so.busy_timeout_ms + so.cache_mb + so.mmap_mb, 0);
  ck_assert_uint_eq(q.version, 3);
  ck_assert(q.after_id == NULL && q.limit == 0 && q.updated_since == 0 && q.external_ref == NULL);
  cpor_claim_spec sp = CPOR_CLAIM_SPEC_INIT;
  ck_assert_uint_eq(sp.version, 2);
  ck_assert(sp.idempotency_key == NULL && sp.external_ref == NULL && sp.expected_revision == 0);
  ck_assert_uint_eq(o.version, 2);
  ck_assert(o.optout_from == 0 && o.customer_may_end == 0 && o.max_disputes == 0);
  ck_assert_int_eq(o.policy.optout.count, 0);
}
END_TEST

/* ---- cpor_ctx_options -------------------------------------------------------------- */

START_TEST(ctx_options_versions) {
  char err[160];
  cpor_ctx *ctx = (cpor_ctx *)1;
  cpor_ctx_options o = CPOR_CTX_OPTIONS_INIT;
  o.errbuf = err;
  o.errbuf_len = sizeof err;
  uint32_t bad[] = {0, CPOR_CTX_OPTIONS_VERSION + 1};
  for (size_t i = 0; i < 2; i++) {
    o.version = bad[i];
    ck_assert_status(cpor_ctx_open(&ctx, &o), CPOR_EVERSION);
    ck_assert_ptr_null(ctx);
    char want[160];
    snprintf(want, sizeof want,
             "unsupported cpor_ctx_options version %u (this library reads versions 1 to 2)",
             bad[i]);
    ck_assert_str_eq(err, want);
  }
  o.version = 1;
  ck_assert_status(cpor_ctx_open(&ctx, &o), CPOR_OK);
  cpor_ctx_close(ctx);
  const int32_t out_of_range[] = {-1, 3651};
  for (size_t i = 0; i < 2; i++) {
    o.policy.dispute.count = out_of_range[i];
    ck_assert_status(cpor_ctx_open(&ctx, &o), CPOR_EINVAL);
    ck_assert_str_eq(err, "policy windows need a count of 1-3650 (0: the default) and a unit of "
                          "business or calendar days");
  }
  o.policy.dispute.count = 10;
  o.policy.dispute.unit = 3;
  ck_assert_status(cpor_ctx_open(&ctx, &o), CPOR_EINVAL);
  ck_assert_str_eq(err, "policy windows need a count of 1-3650 (0: the default) and a unit of "
                        "business or calendar days");
}
END_TEST

/* The response window of a claim asked for information at the world's
 * Monday 2026-11-02 09:00, on a context over w's store with this policy. */
static cpor_time response_window(world *w, const cpor_policy *policy) {
  cpor_ctx_close(w->ctx);
  cpor_ctx_options o;
  ck_assert_status(cpor_ctx_options_init(&o, CPOR_CTX_OPTIONS_VERSION), CPOR_OK);
  o.storage = w->storage;
  o.clock = cpor_manual_clock_now;
  o.clock_user = w->clock;
  if (policy) o.policy = *policy;
  ck_assert_status(cpor_ctx_open(&w->ctx, &o), CPOR_OK);
  world_at(w, "2026-11-02T09:00:00");
  const char *id = under_review(w, &w->a, MPN_A, TEAMS);
  OK(w, cpor_claim_request_info(w->ctx, &w->reviewer, id, CPOR_INFO_OTHER, "which users?"));
  cpor_claim *c = NULL;
  OK(w, cpor_claim_get(w->ctx, &w->reviewer, id, &c));
  cpor_time t = cpor_claim_window_closes_at(c);
  cpor_claim_free(c);
  OK(w, cpor_claim_withdraw(w->ctx, &w->a, id)); /* frees the unit for the next run */
  return t;
}

START_TEST(zero_policy_is_the_default) {
  world w;
  world_open(&w, NULL, NULL, NULL);
  /* Only the version set: 5 business days from Monday close the next
   * Tuesday at 00:00 (5 calendar days would close on Sunday). */
  ck_assert_int_eq(response_window(&w, NULL), T("2026-11-10T00:00:00"));
  const cpor_policy spelled = CPOR_POLICY_DEFAULT;
  ck_assert_int_eq(response_window(&w, &spelled), T("2026-11-10T00:00:00"));
  /* A count with a zero unit keeps the default unit (business days). */
  cpor_policy p;
  memset(&p, 0, sizeof p);
  p.response.count = 6;
  ck_assert_int_eq(response_window(&w, &p), T("2026-11-11T00:00:00"));
  p.response.unit = CPOR_CALENDAR_DAYS;
  ck_assert_int_eq(response_window(&w, &p), T("2026-11-09T00:00:00"));
  world_close(&w);
}
END_TEST

/* ---- cpor_sqlite_options ------------------------------------------------------------- */

static long long pragma(cpor_storage *st, const char *name) {
  sqlite3 *db = ((cpor__sqlite *)st->self)->db;
  char sql[64];
  snprintf(sql, sizeof sql, "PRAGMA %s", name);
  sqlite3_stmt *s = NULL;
  ck_assert_int_eq(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
  ck_assert_int_eq(sqlite3_step(s), SQLITE_ROW);
  long long v = sqlite3_column_int64(s, 0);
  sqlite3_finalize(s);
  return v;
}

static cpor_storage *open_file(const test_dbfile *f, const void *opts) {
  cpor_storage *st = NULL;
  char err[256] = "";
  ck_assert_msg(cpor_storage_open_sqlite(&st, f->path, opts, err, sizeof err) == CPOR_OK, "%s",
                err);
  return st;
}

START_TEST(sqlite_options_versions) {
  test_dbfile f;
  test_dbfile_make(&f, "versions");
  /* Defaults: NULL, a v1 struct, a v2 struct with only the version. */
  POISONED(sqlite_options_v1) v1;
  memset(&v1, 0xff, sizeof v1);
  v1.s.version = 1;
  v1.s.busy_timeout_ms = 0;
  v1.s.synchronous_full = 0;
  v1.s.read_only = 0;
  cpor_sqlite_options v2 = CPOR_SQLITE_OPTIONS_INIT;
  const void *defaults[] = {NULL, &v1, &v2};
  for (size_t i = 0; i < 3; i++) {
    cpor_storage *st = open_file(&f, defaults[i]);
    ck_assert_int_eq(pragma(st, "busy_timeout"), 5000);
    ck_assert_int_eq(pragma(st, "cache_size"), -65536);          /* 64 MiB */
    ck_assert_int_le(pragma(st, "mmap_size"), 2048LL * 1048576); /* capped by SQLite */
    ck_assert_int_gt(pragma(st, "mmap_size"), 0);
    ck_assert_int_eq(pragma(st, "synchronous"), 1); /* NORMAL */
    cpor_storage_free(st);
  }
  /* The v2 fields, and "fail at once". */
  v2.busy_timeout_ms = -1;
  v2.cache_mb = 8;
  v2.mmap_mb = -1;
  v2.synchronous_full = 1;
  cpor_storage *st = open_file(&f, &v2);
  ck_assert_int_eq(pragma(st, "busy_timeout"), 0);
  ck_assert_int_eq(pragma(st, "cache_size"), -8192);
  ck_assert_int_eq(pragma(st, "mmap_size"), 0);
  ck_assert_int_eq(pragma(st, "synchronous"), 2); /* FULL */
  cpor_storage_free(st);
  v2.mmap_mb = 16;
  st = open_file(&f, &v2);
  ck_assert_int_eq(pragma(st, "mmap_size"), 16 * 1048576);
  cpor_storage_free(st);
  test_dbfile_remove(&f);
}
END_TEST

START_TEST(sqlite_options_refused) {
  char err[256];
  cpor_storage *st = (cpor_storage *)1;
  cpor_sqlite_options o = CPOR_SQLITE_OPTIONS_INIT;
  uint32_t versions[] = {0, CPOR_SQLITE_OPTIONS_VERSION + 1};
  for (size_t i = 0; i < 2; i++) {
    o.version = versions[i];
    ck_assert_status(cpor_storage_open_sqlite(&st, ":memory:", &o, err, sizeof err), CPOR_EVERSION);
    ck_assert_ptr_null(st);
    char want[160];
    snprintf(want, sizeof want,
             ":memory:: unsupported cpor_sqlite_options version %u (this library reads versions 1 "
             "to 2)",
             versions[i]);
    ck_assert_str_eq(err, want);
  }
  static const struct {
    int32_t cache_mb, mmap_mb;
    uint32_t sync;
    const char *msg;
  } bad[] = {
      {-1, 0, 0, "cache_mb must be 0 (64) or 1-65536"},
      {65537, 0, 0, "cache_mb must be 0 (64) or 1-65536"},
      {0, -2, 0, "mmap_mb must be 0 (2048), -1 (no mmap) or 1-1048576"},
      {0, 1048577, 0, "mmap_mb must be 0 (2048), -1 (no mmap) or 1-1048576"},
      {0, 0, 2, "synchronous_full and read_only must be 0 or 1"},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    cpor_sqlite_options b = CPOR_SQLITE_OPTIONS_INIT;
    b.cache_mb = bad[i].cache_mb;
    b.mmap_mb = bad[i].mmap_mb;
    b.synchronous_full = bad[i].sync;
    ck_assert_status(cpor_storage_open_sqlite(&st, ":memory:", &b, err, sizeof err), CPOR_EINVAL);
    char want[160];
    snprintf(want, sizeof want, ":memory:: %s", bad[i].msg);
    ck_assert_str_eq(err, want);
  }
  /* The largest values are accepted. */
  cpor_sqlite_options big = CPOR_SQLITE_OPTIONS_INIT;
  big.cache_mb = 65536;
  big.mmap_mb = 1048576;
  ck_assert_status(cpor_storage_open_sqlite(&st, ":memory:", &big, err, sizeof err), CPOR_OK);
  cpor_storage_free(st);
}
END_TEST

/* busy_timeout_ms < 0: a locked database fails the first try. */
START_TEST(sqlite_fail_at_once) {
  test_dbfile f;
  test_dbfile_make(&f, "busy");
  cpor_storage *a = open_file(&f, NULL);
  cpor_sqlite_options now = CPOR_SQLITE_OPTIONS_INIT;
  now.busy_timeout_ms = -1;
  cpor_storage *b = open_file(&f, &now);
  ck_assert_status(a->m.begin(a->self, 1), CPOR_OK);
  ck_assert_status(b->m.begin(b->self, 1), CPOR_ESTORAGE);
  ck_assert_str_eq(b->m.errmsg(b->self), "begin: database is locked (busy timeout 0 ms exceeded)");
  ck_assert_status(a->m.rollback(a->self), CPOR_OK);
  cpor_storage_free(b);
  cpor_storage_free(a);
  test_dbfile_remove(&f);
}
END_TEST

/* ---- cpor_claim_spec and cpor_actor ----------------------------------------------- */

START_TEST(spec_and_actor_versions) {
  world w;
  world_open(&w, NULL, NULL, NULL);
  const char *id = draft(&w, &w.a, MPN_A, TEAMS);
  cpor_claim_spec s = test_spec("v", MPN_A, T1, T1_DOMAIN, CPOR_AREA_M365, 1, EXCHANGE);
  cpor_claim_spec e = CPOR_CLAIM_SPEC_INIT;
  e.name = "renamed";
  uint32_t bad[] = {0, CPOR_CLAIM_SPEC_VERSION + 1};
  char want[160];
  for (size_t i = 0; i < 2; i++) {
    snprintf(want, sizeof want,
             "unsupported cpor_claim_spec version %u (this library reads versions 1 to 2)", bad[i]);
    s.version = e.version = bad[i];
    REFUSED(&w, cpor_claim_create(w.ctx, &w.a, &s, NULL), CPOR_EVERSION);
    ERRMSG_IS(&w, want);
    REFUSED(&w, cpor_claim_edit(w.ctx, &w.a, id, &e), CPOR_EVERSION);
    ERRMSG_IS(&w, want);

    snprintf(want, sizeof want,
             "unsupported cpor_actor version %u (this library reads versions 1 to 1)", bad[i]);
    cpor_actor a = w.a, r = w.reviewer;
    a.version = r.version = bad[i];
    s.version = e.version = 1;
    cpor_claim *c = (cpor_claim *)1;
    REFUSED(&w, cpor_claim_create(w.ctx, &a, &s, NULL), CPOR_EVERSION);
    ERRMSG_IS(&w, want);
    REFUSED(&w, cpor_claim_edit(w.ctx, &a, id, &e), CPOR_EVERSION);
    ERRMSG_IS(&w, want);
    REFUSED(&w, cpor_claim_submit(w.ctx, &a, id), CPOR_EVERSION);
    ERRMSG_IS(&w, want);
    REFUSED(&w, cpor_claim_get(w.ctx, &a, id, &c), CPOR_EVERSION);
    ERRMSG_IS(&w, want);
    ck_assert_ptr_null(c);
    cpor_claim_iter *it = (cpor_claim_iter *)1;
    cpor_claim_query q = CPOR_CLAIM_QUERY_INIT;
    q.partner_id = "contoso";
    REFUSED(&w, cpor_claim_find(w.ctx, &a, &q, &it), CPOR_EVERSION);
    ERRMSG_IS(&w, want);
    ck_assert_ptr_null(it);
    REFUSED(&w, cpor_claim_competitors(w.ctx, &r, id, &it), CPOR_EVERSION);
    ERRMSG_IS(&w, want);
  }
  /* Version 1 (the current one) works. */
  OK(&w, cpor_claim_create(w.ctx, &w.a, &s, NULL));
  OK(&w, cpor_claim_edit(w.ctx, &w.a, id, &e));
  ck_assert_status(cpor_claim_create(w.ctx, NULL, &s, NULL), CPOR_EINVAL);
  ERRMSG_IS(&w, "actor is NULL");
  world_close(&w);
}
END_TEST

/* ---- cpor_claim_query -------------------------------------------------------------- */

/* "id,id,..." of what the query returns (n: how many). */
static char *found(world *w, const cpor_actor *who, const void *q, size_t *n) {
  cpor_claim_iter *it = NULL;
  OK(w, cpor_claim_find(w->ctx, who, q, &it));
  char *out = calloc(1, 4096);
  cpor_claim *c;
  *n = 0;
  while (cpor_claim_iter_next(it, &c) == CPOR_OK) {
    if (*n) strcat(out, ",");
    strcat(out, cpor_claim_id(c));
    ++*n;
    cpor_claim_free(c);
  }
  cpor_claim_iter_free(it);
  return out;
}

static int cmp_ids(const void *a, const void *b) {
  return strcmp(a, b);
}

/* Nine claims: three partners x three workloads, created an hour apart;
 * ids[] sorted. */
static void nine_claims(world *w, char ids[9][37]) {
  const cpor_actor *who[] = {&w->a, &w->b, &w->c};
  const char *mpn[] = {MPN_A, MPN_B, MPN_C};
  const char *const *wl[] = {TEAMS, EXCHANGE, SHAREPOINT};
  for (int i = 0; i < 9; i++) {
    char at[32];
    snprintf(at, sizeof at, "2026-11-02T%02d:00:00", 9 + i);
    world_at(w, at);
    strcpy(ids[i], draft(w, who[i % 3], mpn[i % 3], wl[i / 3]));
  }
  qsort(ids, 9, sizeof ids[0], cmp_ids);
}

START_TEST(query_versions) {
  world w;
  world_open(&w, NULL, NULL, NULL);
  char ids[9][37];
  nine_claims(&w, ids);
  /* A v1 query (poison after it) is read by the v1 layout. */
  POISONED(claim_query_v1) v1;
  memset(&v1, 0xff, sizeof v1);
  memset(&v1.s, 0, sizeof v1.s);
  v1.s.version = 1;
  v1.s.partner_id = "contoso";
  size_t n;
  free(found(&w, &w.reviewer, &v1, &n));
  ck_assert_uint_eq(n, 3);
  cpor_claim_query q = CPOR_CLAIM_QUERY_INIT;
  q.partner_id = "contoso";
  free(found(&w, &w.reviewer, &q, &n));
  ck_assert_uint_eq(n, 3);
  uint32_t bad[] = {0, CPOR_CLAIM_QUERY_VERSION + 1};
  for (size_t i = 0; i < 2; i++) {
    q.version = bad[i];
    cpor_claim_iter *it = (cpor_claim_iter *)1;
    REFUSED(&w, cpor_claim_find(w.ctx, &w.reviewer, &q, &it), CPOR_EVERSION);
    ck_assert_ptr_null(it);
    char want[160];
    snprintf(want, sizeof want,
             "unsupported cpor_claim_query version %u (this library reads versions 1 to 3)",
             bad[i]);
    ERRMSG_IS(&w, want);
  }
  q.version = CPOR_CLAIM_QUERY_VERSION;
  q.after_id = "not-a-guid";
  cpor_claim_iter *it = NULL;
  REFUSED(&w, cpor_claim_find(w.ctx, &w.reviewer, &q, &it), CPOR_EINVAL);
  ERRMSG_IS(&w, "after_id must be a claim ID (GUID)");
  world_close(&w);
}
END_TEST

START_TEST(query_unfiltered) {
  world w;
  world_open(&w, NULL, NULL, NULL);
  char ids[9][37];
  nine_claims(&w, ids);
  char all[1024] = "";
  for (int i = 0; i < 9; i++) {
    if (i) strcat(all, ",");
    strcat(all, ids[i]);
  }
  cpor_claim_query q = CPOR_CLAIM_QUERY_INIT;
  size_t n;
  char *got = found(&w, &w.reviewer, &q, &n); /* every claim, in ID order */
  ck_assert_str_eq(got, all);
  free(got);
  got = found(&w, &w.system, &q, &n);
  ck_assert_str_eq(got, all);
  free(got);
  /* Partners and customers still name a filter... */
  cpor_claim_iter *it = (cpor_claim_iter *)1;
  REFUSED(&w, cpor_claim_find(w.ctx, &w.a, &q, &it), CPOR_EINVAL);
  ERRMSG_IS(&w, "a query needs at least one filter");
  ck_assert_ptr_null(it);
  REFUSED(&w, cpor_claim_find(w.ctx, &w.cust1, &q, &it), CPOR_EINVAL);
  ERRMSG_IS(&w, "a query needs at least one filter");
  /* ...and a v2 field is one; they see only their own. */
  q.limit = 100;
  free(found(&w, &w.a, &q, &n));
  ck_assert_uint_eq(n, 3);
  free(found(&w, &w.cust1, &q, &n));
  ck_assert_uint_eq(n, 9);
  free(found(&w, &w.cust2, &q, &n));
  ck_assert_uint_eq(n, 0);
  world_close(&w);
}
END_TEST

/* limit + after_id pages through every claim exactly once, in order. */
static void page_through(world *w, const cpor_actor *who, cpor_claim_query q, uint32_t limit,
                         const char *want) {
  char all[1024] = "", last[37] = "";
  q.limit = limit;
  for (int pages = 0;; pages++) {
    ck_assert_int_lt(pages, 20);
    q.after_id = last[0] ? last : NULL;
    size_t n;
    char *page = found(w, who, &q, &n);
    ck_assert_uint_le(n, limit);
    if (n == 0) {
      free(page);
      break;
    }
    if (all[0]) strcat(all, ",");
    strcat(all, page);
    strcpy(last, page + strlen(page) - 36);
    free(page);
  }
  ck_assert_str_eq(all, want);
}

START_TEST(query_paging) {
  world w;
  world_open(&w, NULL, NULL, NULL);
  char ids[9][37];
  nine_claims(&w, ids);
  char all[1024] = "", mine[1024] = "";
  for (int i = 0; i < 9; i++) {
    if (i) strcat(all, ",");
    strcat(all, ids[i]);
    cpor_claim *c = NULL;
    OK(&w, cpor_claim_get(w.ctx, &w.reviewer, ids[i], &c));
    if (!strcmp(cpor_claim_partner_id(c), "contoso")) {
      if (mine[0]) strcat(mine, ",");
      strcat(mine, ids[i]);
    }
    cpor_claim_free(c);
  }
  cpor_claim_query q = CPOR_CLAIM_QUERY_INIT;
  for (uint32_t limit = 1; limit <= 10; limit++)
    page_through(&w, &w.reviewer, q, limit, all);
  q.partner_id = "contoso";
  page_through(&w, &w.a, q, 2, mine);
  page_through(&w, &w.reviewer, q, 1, mine);
  /* The cursor is compared canonically: braces and uppercase work. */
  char braced[40];
  snprintf(braced, sizeof braced, "{%s}", ids[6]);
  for (char *p = braced; *p; p++)
    if (*p >= 'a' && *p <= 'f') *p = (char)(*p - 'a' + 'A');
  cpor_claim_query tail = CPOR_CLAIM_QUERY_INIT;
  tail.after_id = braced;
  size_t n;
  char *got = found(&w, &w.reviewer, &tail, &n);
  char want[200];
  snprintf(want, sizeof want, "%s,%s", ids[7], ids[8]);
  ck_assert_str_eq(got, want);
  free(got);
  world_close(&w);
}
END_TEST

START_TEST(query_time_filters) {
  world w;
  world_open(&w, NULL, NULL, NULL);
  char ids[9][37];
  nine_claims(&w, ids); /* created 09:00 .. 17:00, never touched since */
  cpor_claim_query q = CPOR_CLAIM_QUERY_INIT;
  q.updated_since = T("2026-11-02T15:00:00"); /* inclusive */
  size_t n;
  free(found(&w, &w.reviewer, &q, &n));
  ck_assert_uint_eq(n, 3);
  q.updated_since = T("2026-11-02T15:00:00") + 1;
  free(found(&w, &w.reviewer, &q, &n));
  ck_assert_uint_eq(n, 2);
  q.partner_id = "fabrikam"; /* combined (AND) with the other filters */
  free(found(&w, &w.reviewer, &q, &n));
  ck_assert_uint_eq(n, 1);

  /* Windows: an approved claim (opt-out closes 11-11) and one waiting for
   * the partner (response closes 11-12); drafts have none. */
  world_at(&w, "2026-11-03T09:00:00");
  const char *id = under_review(&w, &w.a, MPN_A, (const char *const[]){"INTUNE", NULL});
  char approved[37], asked[37];
  strcpy(approved, id);
  OK(&w, cpor_claim_approve(w.ctx, &w.reviewer, approved));
  world_at(&w, "2026-11-04T09:00:00");
  strcpy(asked, under_review(&w, &w.b, MPN_B, (const char *const[]){"INTUNE", NULL}));
  OK(&w, cpor_claim_request_info(w.ctx, &w.reviewer, asked, CPOR_INFO_OTHER, "more?"));
  cpor_claim *a = NULL, *b = NULL;
  OK(&w, cpor_claim_get(w.ctx, &w.reviewer, approved, &a));
  OK(&w, cpor_claim_get(w.ctx, &w.reviewer, asked, &b));
  cpor_time wa = cpor_claim_window_closes_at(a), wb = cpor_claim_window_closes_at(b);
  cpor_claim_free(a);
  cpor_claim_free(b);
  ck_assert_int_lt(wa, wb);
  cpor_claim_query wq = CPOR_CLAIM_QUERY_INIT;
  wq.window_closes_before = wa; /* strictly before */
  free(found(&w, &w.reviewer, &wq, &n));
  ck_assert_uint_eq(n, 0);
  wq.window_closes_before = wa + 1;
  char *got = found(&w, &w.reviewer, &wq, &n);
  ck_assert_str_eq(got, approved);
  free(got);
  wq.window_closes_before = wb + 1;
  free(found(&w, &w.reviewer, &wq, &n));
  ck_assert_uint_eq(n, 2);
  got = found(&w, &w.b, &wq, &n); /* a partner sees only its own */
  ck_assert_str_eq(got, asked);
  free(got);
  /* Once the opt-out window has passed the claim is ASSOCIATED: no window. */
  world_at(&w, "2026-11-11T00:00:00");
  got = found(&w, &w.reviewer, &wq, &n);
  ck_assert_str_eq(got, asked);
  free(got);
  world_close(&w);
}
END_TEST

static Suite *versions_suite(void) {
  Suite *s = suite_create("versions");
  TCase *tc = tcase_create("versions");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, init_functions);
  tcase_add_test(tc, ctx_options_versions);
  tcase_add_test(tc, zero_policy_is_the_default);
  tcase_add_test(tc, sqlite_options_versions);
  tcase_add_test(tc, sqlite_options_refused);
  tcase_add_test(tc, sqlite_fail_at_once);
  tcase_add_test(tc, spec_and_actor_versions);
  tcase_add_test(tc, query_versions);
  tcase_add_test(tc, query_unfiltered);
  tcase_add_test(tc, query_paging);
  tcase_add_test(tc, query_time_filters);
  suite_add_tcase(s, tc);
  return s;
}

CPOR_TEST_MAIN(versions_suite)
