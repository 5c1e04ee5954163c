/* Allocation failure and storage failure at every point of a complete claim
 * journey (DESIGN.md Part 4: "allocation failure at every point gives
 * CPOR_ENOMEM and an unchanged store"). This executable is linked with
 * -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=strdup: the library's
 * own static objects call the wrappers below (SQLite and jansson are shared
 * libraries and are not wrapped). */
#include <execinfo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conformance.h"
#include "world.h"

/* ---- the allocation-failure injector ----------------------------------------- */

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
char *__real_strdup(const char *s);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t n);
char *__wrap_strdup(const char *s);

static long fail_at; /* 0: never */
static long allocs;  /* allocations counted since arming */
static int injected; /* the fail_at-th allocation was refused */

static void arm(long k) {
  fail_at = k;
  allocs = 0;
  injected = 0;
}

/* CPOR_ALLOC_TRACE=1 prints the stack of every refused allocation (for
 * finding the allocation behind a failure: addr2line -e test_alloc). */
static void *trace[16];
static int refuse(void) {
  if (!fail_at || ++allocs != fail_at) return 0;
  injected = 1;
  if (getenv("CPOR_ALLOC_TRACE")) backtrace_symbols_fd(trace, backtrace(trace, 16), 2);
  return 1;
}

void *__wrap_malloc(size_t n) {
  return refuse() ? NULL : __real_malloc(n);
}
void *__wrap_calloc(size_t n, size_t size) {
  return refuse() ? NULL : __real_calloc(n, size);
}
void *__wrap_realloc(void *p, size_t n) {
  return refuse() ? NULL : __real_realloc(p, n);
}
char *__wrap_strdup(const char *s) {
  return refuse() ? NULL : __real_strdup(s);
}

/* ---- the journey ------------------------------------------------------------- */

static const char *const TEAMS[] = {"TEAMS", NULL};
#define SHA "2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae"

/* What the steps share: claim IDs as they are created. */
typedef struct journey {
  world *w;
  char b[37], c[37], d[37], cust[64];
  cpor_time start, later; /* the journey's clock: from start, then later */
} journey;

typedef int (*step_fn)(cpor_ctx *ctx, journey *j);

static int create(cpor_ctx *ctx, const cpor_actor *who, const char *mpn, size_t n,
                  const char *const *wl, char id[37]) {
  cpor_claim_spec s = test_spec("Rollout", mpn, T1, T1_DOMAIN, CPOR_AREA_M365, n, wl);
  cpor_claim *c = NULL;
  int rc = cpor_claim_create(ctx, who, &s, &c);
  if (!rc) strcpy(id, cpor_claim_id(c));
  cpor_claim_free(c);
  return rc;
}
static int s_create_b(cpor_ctx *ctx, journey *j) {
  const char *wl[] = {"TEAMS", "EXCHANGE"};
  return create(ctx, &j->w->b, MPN_B, 2, wl, j->b);
}
static int s_poe_b(cpor_ctx *ctx, journey *j) {
  return cpor_claim_add_poe(ctx, &j->w->b, j->b, "usage.pdf", "application/pdf", SHA, 10);
}
static int s_submit_b(cpor_ctx *ctx, journey *j) { /* contested: A holds TEAMS */
  return cpor_claim_submit(ctx, &j->w->b, j->b);
}
static int s_review_b(cpor_ctx *ctx, journey *j) {
  return cpor_claim_start_review(ctx, &j->w->reviewer, j->b);
}
static int s_comment_b(cpor_ctx *ctx, journey *j) {
  return cpor_claim_comment(ctx, &j->w->b, j->b, "the customer's IT lead confirmed the rollout");
}
static int s_approve_b(cpor_ctx *ctx, journey *j) { /* C loses arbitration */
  return cpor_claim_approve(ctx, &j->w->reviewer, j->b);
}
static int s_get_c(cpor_ctx *ctx, journey *j) {
  cpor_claim *c = NULL;
  int rc = cpor_claim_get(ctx, &j->w->reviewer, j->c, &c);
  cpor_claim_free(c);
  return rc;
}
static int s_reject_d(cpor_ctx *ctx, journey *j) {
  return cpor_claim_reject(ctx, &j->w->reviewer, j->d, CPOR_REASON_INSUFFICIENT_POE, "blurry");
}
static int s_read_settled(cpor_ctx *ctx, journey *j) { /* B reads ASSOCIATED before advance */
  cpor_manual_clock_set(j->w->clock, j->later);
  cpor_event_iter *it = NULL;
  int rc = cpor_claim_history(ctx, &j->w->reviewer, j->b, &it);
  cpor_event *e = NULL;
  while (!rc && (rc = cpor_event_iter_next(it, &e)) == CPOR_OK)
    cpor_event_free(e);
  cpor_event_iter_free(it);
  return rc == CPOR_ITEROVER ? CPOR_OK : rc;
}
static int s_advance(cpor_ctx *ctx, journey *j) { /* B associated, A superseded */
  (void)j;
  return cpor_ctx_advance(ctx, NULL);
}
static int s_dispute_d(cpor_ctx *ctx, journey *j) {
  return cpor_claim_dispute(ctx, &j->w->c, j->d, "the new report is legible");
}
static int s_grant_d(cpor_ctx *ctx, journey *j) {
  return cpor_claim_decide_dispute(ctx, &j->w->reviewer, j->d, 1, "granted");
}
static int s_info_d(cpor_ctx *ctx, journey *j) {
  return cpor_claim_request_info(ctx, &j->w->reviewer, j->d, CPOR_INFO_OTHER,
                                 "which tenants use it?");
}
static int s_respond_d(cpor_ctx *ctx, journey *j) {
  return cpor_claim_respond(ctx, &j->w->c, j->d, "all of them");
}
static int s_approve_d(cpor_ctx *ctx, journey *j) {
  return cpor_claim_approve(ctx, &j->w->reviewer, j->d);
}
static int s_opt_out_d(cpor_ctx *ctx, journey *j) {
  return cpor_claim_opt_out(ctx, &j->w->cust1, j->d);
}
static int s_edit_b(cpor_ctx *ctx, journey *j) {
  cpor_claim_spec e = CPOR_CLAIM_SPEC_INIT;
  e.customer_contact_title = "CTO";
  return cpor_claim_edit(ctx, &j->w->b, j->b, &e);
}
/* An idempotent create (run twice: the second returns the first claim) and
 * an edit at the expected revision. */
static int s_keyed_create(cpor_ctx *ctx, journey *j) {
  const char *wl[] = {"SHAREPOINT"};
  cpor_claim_spec s = test_spec("Keyed", MPN_A, T1, T1_DOMAIN, CPOR_AREA_M365, 1, wl);
  s.idempotency_key = "alloc-key";
  s.external_ref = "PO-1";
  cpor_claim *c = NULL;
  int rc = cpor_claim_create(ctx, &j->w->a, &s, &c);
  cpor_claim_free(c);
  return rc;
}
static int s_edit_expected(cpor_ctx *ctx, journey *j) {
  cpor_claim *c = NULL;
  int rc = cpor_claim_get(ctx, &j->w->b, j->b, &c);
  if (rc) return rc;
  cpor_claim_spec e = CPOR_CLAIM_SPEC_INIT;
  e.external_ref = "PO-2";
  e.expected_revision = cpor_claim_revision(c);
  cpor_claim_free(c);
  return cpor_claim_edit(ctx, &j->w->b, j->b, &e);
}
static int drain(cpor_claim_iter *it, int rc) {
  cpor_claim *c = NULL;
  while (!rc && (rc = cpor_claim_iter_next(it, &c)) == CPOR_OK)
    cpor_claim_free(c);
  cpor_claim_iter_free(it);
  return rc == CPOR_ITEROVER ? CPOR_OK : rc;
}
static int s_find(cpor_ctx *ctx, journey *j) {
  cpor_claim_query q = CPOR_CLAIM_QUERY_INIT;
  q.tenant_id = T1;
  q.unit_workload = "TEAMS";
  cpor_claim_iter *it = NULL;
  return drain(it, cpor_claim_find(ctx, &j->w->reviewer, &q, &it));
}
static int s_competitors(cpor_ctx *ctx, journey *j) {
  cpor_claim_iter *it = NULL;
  return drain(it, cpor_claim_competitors(ctx, &j->w->reviewer, j->b, &it));
}
static int s_replay(cpor_ctx *ctx, journey *j) {
  cpor_claim *c = NULL;
  int rc = cpor_claim_replay(ctx, &j->w->reviewer, j->b, &c);
  cpor_claim_free(c);
  return rc;
}
static int s_remove_b(cpor_ctx *ctx, journey *j) {
  return cpor_claim_remove(ctx, &j->w->b, j->b, CPOR_REMOVAL_ENGAGEMENT_ENDED, NULL);
}
static int s_sub_expired(cpor_ctx *ctx, journey *j) { /* ends C's Sales association */
  (void)j;
  return cpor_subscription_set_state(ctx, SYS, SUB_SALES, CPOR_SUB_EXPIRED, NULL);
}
static int s_partner(cpor_ctx *ctx, journey *j) {
  (void)j;
  return cpor_partner_create(ctx, SYS, "adatum", "Adatum");
}
static int s_location(cpor_ctx *ctx, journey *j) {
  (void)j;
  return cpor_location_create(ctx, SYS, "adatum", "5555555", "HQ");
}
static int s_enroll(cpor_ctx *ctx, journey *j) {
  (void)j;
  return cpor_location_enroll(ctx, SYS, "5555555", CPOR_PROGRAM_OSU_M365, 1);
}
static int s_customer(cpor_ctx *ctx, journey *j) {
  char *id = NULL;
  int rc = cpor_customer_create(ctx, SYS, "Adatum Corp", &id);
  if (!rc) strcpy(j->cust, id);
  cpor_free(id);
  return rc;
}
static int s_tenant(cpor_ctx *ctx, journey *j) {
  return cpor_tenant_create(ctx, SYS, j->cust, "99999999-8888-7777-6666-555555555555",
                            "adatum.onmicrosoft.com");
}
static int s_domain(cpor_ctx *ctx, journey *j) {
  (void)j;
  return cpor_tenant_add_domain(ctx, SYS, T1, "contoso.example");
}
static int s_subscription(cpor_ctx *ctx, journey *j) {
  (void)j;
  return cpor_subscription_create(ctx, SYS, "00000000-0000-0000-0000-0000000000aa", T1,
                                  "D365_SALES", CPOR_CHANNEL_WEB_DIRECT, CPOR_SUB_ACTIVE);
}

static const step_fn steps[] = {
    s_create_b, s_poe_b,        s_edit_b,       s_keyed_create, s_keyed_create, s_edit_expected,
    s_submit_b, s_comment_b,    s_review_b,     s_find,         s_competitors,  s_approve_b,
    s_get_c,    s_reject_d,     s_read_settled, s_advance,      s_replay,       s_dispute_d,
    s_grant_d,  s_info_d,       s_respond_d,    s_approve_d,    s_opt_out_d,    s_sub_expired,
    s_remove_b, s_partner,      s_location,     s_enroll,       s_customer,     s_tenant,
    s_domain,   s_subscription,
};
#define NSTEPS (sizeof steps / sizeof steps[0])

/* The world the journey starts from, two weeks on: A (contoso) associated on
 * TEAMS and C (northwind) on subscription SUB_SALES (their opt-out windows
 * closed), C's claim j->c under review on TEAMS and j->d on INTUNE. */
static void journey_open(world *w, journey *j) {
  world_open(w, NULL, NULL, NULL);
  memset(j, 0, sizeof *j);
  j->w = w;
  const char *a = under_review(w, &w->a, MPN_A, TEAMS);
  test_ok(cpor_claim_approve(w->ctx, &w->reviewer, a), w->ctx, "approve A");
  const char *wl[] = {"D365_SALES"};
  cpor_claim_spec s = test_spec("Sales", MPN_C, T1, T1_DOMAIN, CPOR_AREA_BIZAPPS, 1, wl);
  s.technical_contact_name = "Tess";
  s.technical_contact_email = "tess@contoso.com";
  cpor_claim *c = NULL;
  test_ok(cpor_claim_create(w->ctx, &w->c, &s, &c), w->ctx, "create sales");
  char sales[37];
  strcpy(sales, cpor_claim_id(c));
  cpor_claim_free(c);
  test_ok(cpor_claim_add_poe(w->ctx, &w->c, sales, "p.pdf", "application/pdf", SHA, 1), w->ctx,
          "poe");
  test_ok(cpor_claim_submit(w->ctx, &w->c, sales), w->ctx, "submit sales");
  test_ok(cpor_claim_start_review(w->ctx, &w->reviewer, sales), w->ctx, "review sales");
  test_ok(cpor_claim_approve(w->ctx, &w->reviewer, sales), w->ctx, "approve sales");
  j->start = T("2026-11-16T09:00:00");
  j->later = T("2026-12-01T00:00:00");
  cpor_manual_clock_set(w->clock, j->start);
  strcpy(j->c, under_review(w, &w->c, MPN_C, TEAMS));
  const char *intune[] = {"INTUNE", NULL};
  strcpy(j->d, under_review(w, &w->c, MPN_C, intune));
}

/* The journey's outcome, so that every variant is checked to have done it. */
static void journey_check(world *w, journey *j) {
  ck_assert_int_eq(state_of(w, j->b), CPOR_STATE_ENDED);
  ck_assert_int_eq(reason_of(w, j->b), CPOR_REASON_PARTNER_REMOVED);
  ck_assert_int_eq(state_of(w, j->c), CPOR_STATE_REJECTED);
  ck_assert_int_eq(reason_of(w, j->c), CPOR_REASON_LOST_ARBITRATION);
  ck_assert_int_eq(state_of(w, j->d), CPOR_STATE_REJECTED);
  ck_assert_int_eq(reason_of(w, j->d), CPOR_REASON_CUSTOMER_DECLINED);
  cpor_tenant *t = NULL;
  test_ok(cpor_tenant_get(w->ctx, SYS, "99999999-8888-7777-6666-555555555555", &t), w->ctx,
          "tenant");
  cpor_tenant_free(t);
}

static void expect_unchanged(world *w, const char *before, const char *what, long k) {
  char *after = store_dump(w->storage);
  ck_assert_msg(strcmp(before, after) == 0, "%s: failure %ld changed the store", what, k);
  free(after);
}

/* Step i on w's context with allocation k failing, for k = 1, 2, ... until it
 * passes: every failure is CPOR_ENOMEM and changes nothing. */
static long alloc_step(journey *j, size_t i) {
  world *w = j->w;
  char *before = store_dump(w->storage);
  long k = 1;
  for (;; k++) {
    arm(k);
    int rc = steps[i](w->ctx, j);
    int hit = injected;
    arm(0);
    if (!hit) {
      test_ok(rc, w->ctx, "the step without an injected failure");
      break;
    }
    ck_assert_msg(rc == CPOR_ENOMEM, "step %zu, allocation %ld: %s (%s)", i, k,
                  cpor_status_name(rc), cpor_ctx_errmsg(w->ctx));
    ck_assert_msg(cpor_ctx_errcode(w->ctx) == CPOR_ENOMEM, "step %zu, allocation %ld: errcode %d",
                  i, k, cpor_ctx_errcode(w->ctx));
    expect_unchanged(w, before, "allocation", k);
  }
  free(before);
  return k - 1;
}

START_TEST(allocation_failure_every_point) {
  world w;
  journey j;
  journey_open(&w, &j);
  long total = 0;
  for (size_t i = 0; i < NSTEPS; i++)
    total += alloc_step(&j, i);
  journey_check(&w, &j);
  ck_assert_msg(total > 200, "only %ld allocations", total);
  world_close(&w);
}
END_TEST

/* A context over a faulty wrapper of w's store failing operation k (with
 * one calendar for all: building one per context would dominate the run). */
static cpor_calendar *weekends;
static cpor_ctx *faulty_ctx(world *w, long k, cpor_storage **faulty) {
  if (!weekends) ck_assert_int_eq(cpor_calendar_builtin("weekends", &weekends), CPOR_OK);
  ck_assert_int_eq(cpor_faulty_storage_new(faulty, w->storage, k, NULL), CPOR_OK);
  cpor_ctx_options o = CPOR_CTX_OPTIONS_INIT;
  o.calendar = weekends;
  o.storage = *faulty;
  o.clock = cpor_manual_clock_now;
  o.clock_user = w->clock;
  cpor_ctx *ctx = NULL;
  ck_assert_int_eq(cpor_ctx_open(&ctx, &o), CPOR_OK);
  return ctx;
}

START_TEST(storage_failure_every_point) {
  world w;
  journey j;
  journey_open(&w, &j);
  for (size_t i = 0; i < NSTEPS; i++) {
    char *before = store_dump(w.storage);
    for (long k = 1;; k++) {
      cpor_storage *faulty = NULL;
      cpor_ctx *ctx = faulty_ctx(&w, k, &faulty);
      int rc = steps[i](ctx, &j);
      const char *msg = strstr(cpor_ctx_errmsg(ctx), "injected failure");
      cpor_ctx_close(ctx);
      cpor_storage_free(faulty);
      if (rc == CPOR_OK) break;
      ck_assert_msg(rc == CPOR_ESTORAGE && msg, "step %zu, operation %ld: %s", i, k,
                    cpor_status_name(rc));
      char what[32];
      snprintf(what, sizeof what, "storage, step %zu", i);
      expect_unchanged(&w, before, what, k);
    }
    free(before);
  }
  journey_check(&w, &j);
  world_close(&w);
}
END_TEST

/* The whole journey in one batch on ctx: the first failed call is the
 * expected code (its message in failed_msg), and the batch then keeps
 * nothing. */
static char failed_msg[512];
static int batch_journey(cpor_ctx *ctx, journey *j, int *failed_rc) {
  if ((*failed_rc = cpor_ctx_begin(ctx))) {
    snprintf(failed_msg, sizeof failed_msg, "%s", cpor_ctx_errmsg(ctx));
    return 0;
  }
  for (size_t i = 0; i < NSTEPS; i++) {
    int rc = steps[i](ctx, j);
    if (rc) {
      *failed_rc = rc;
      snprintf(failed_msg, sizeof failed_msg, "%s", cpor_ctx_errmsg(ctx));
      cpor_ctx_rollback(ctx);
      return (int)i;
    }
  }
  return cpor_ctx_commit(ctx) == CPOR_OK ? -1 : (int)NSTEPS;
}

START_TEST(allocation_failure_in_a_batch) {
  world w;
  journey j;
  journey_open(&w, &j);
  char *before = store_dump(w.storage);
  long k = 1;
  for (;; k++) {
    arm(k);
    int rc, at = batch_journey(w.ctx, &j, &rc);
    int hit = injected;
    arm(0);
    if (at < 0 && !hit) break;
    ck_assert_msg(hit, "the batch failed at step %d without an injected failure: %s (%s)", at,
                  cpor_status_name(rc), failed_msg);
    ck_assert_msg(at < (int)NSTEPS && rc == CPOR_ENOMEM, "allocation %ld, step %d: %s (%s)", k, at,
                  cpor_status_name(rc), failed_msg);
    expect_unchanged(&w, before, "batch allocation", k);
    cpor_manual_clock_set(w.clock, j.start); /* the journey moved it */
  }
  ck_assert_int_gt(k, 200);
  journey_check(&w, &j);
  free(before);
  world_close(&w);
}
END_TEST

START_TEST(storage_failure_in_a_batch) {
  world w;
  journey j;
  journey_open(&w, &j);
  char *before = store_dump(w.storage);
  for (long k = 1;; k++) {
    cpor_storage *faulty = NULL;
    cpor_ctx *ctx = faulty_ctx(&w, k, &faulty);
    int rc, at = batch_journey(ctx, &j, &rc);
    if (at < 0) {
      cpor_ctx_close(ctx);
      cpor_storage_free(faulty);
      break;
    }
    ck_assert_msg((rc == CPOR_ESTORAGE && strstr(failed_msg, "injected failure")) ||
                      at == (int)NSTEPS,
                  "operation %ld, step %d: %s (%s)", k, at, cpor_status_name(rc), failed_msg);
    cpor_ctx_close(ctx);
    cpor_storage_free(faulty);
    expect_unchanged(&w, before, "batch storage", k);
    cpor_manual_clock_set(w.clock, j.start);
  }
  journey_check(&w, &j);
  free(before);
  world_close(&w);
}
END_TEST

static void add(Suite *s, const char *name, const TTest *t) {
  TCase *tc = tcase_create(name);
  tcase_set_timeout(tc, 300);
  tcase_add_test(tc, t);
  suite_add_tcase(s, tc);
}

static Suite *alloc_suite(void) {
  Suite *s = suite_create("alloc");
  add(s, "allocation", allocation_failure_every_point);
  add(s, "storage", storage_failure_every_point);
  add(s, "allocation_batch", allocation_failure_in_a_batch);
  add(s, "storage_batch", storage_failure_in_a_batch);
  return s;
}

CPOR_TEST_MAIN(alloc_suite)
