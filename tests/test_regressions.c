/* Named regression tests: one per scenario of issue 9's "Why", each asserting
 * the fixed behaviour with exact codes, and an unchanged store for refusals.
 * Run on memory and on SQLite (CPOR_TEST_BACKEND=sqlite). Allocation failure
 * at every point is tests/test_alloc.c (it needs malloc wrapped at link). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conformance.h"
#include "pgtest.h"
#include "core/records.h"
#include "store/storage.h"
#include "world.h"

static const char *const TEAMS[] = {"TEAMS", NULL};
static const char *const SALES[] = {"D365_SALES"};
#define SHA "2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae"

static cpor_claim *get(world *w, const char *id) {
  cpor_claim *c = NULL;
  test_ok(cpor_claim_get(w->ctx, &w->reviewer, id, &c), w->ctx, "get");
  return c;
}

static int line_reason_of(world *w, const char *id, size_t i) {
  cpor_claim *c = get(w, id);
  int r = cpor_claim_line_reason(c, i);
  cpor_claim_free(c);
  return r;
}

static void msg_has(world *w, const char *part) {
  ck_assert_msg(strstr(cpor_ctx_errmsg(w->ctx), part), "message '%s' lacks '%s'",
                cpor_ctx_errmsg(w->ctx), part);
}

/* A Business Applications draft (by C) on one D365_SALES line; sub NULL:
 * resolved by the library. */
static const char *sales_draft(world *w, const char *tenant, const char *domain, const char *sub) {
  static char id[37];
  cpor_claim_spec s = test_spec("Sales", MPN_C, tenant, domain, CPOR_AREA_BIZAPPS, 1, SALES);
  const char *subs[] = {sub};
  s.subscriptions = sub ? subs : NULL;
  s.technical_contact_name = "Tess";
  s.technical_contact_email = "tess@contoso.com";
  cpor_claim *c = NULL;
  test_ok(cpor_claim_create(w->ctx, &w->c, &s, &c), w->ctx, "create sales");
  strcpy(id, cpor_claim_id(c));
  cpor_claim_free(c);
  test_ok(cpor_claim_add_poe(w->ctx, &w->c, id, "p.pdf", "application/pdf", SHA, 1), w->ctx, "poe");
  return id;
}

/* ---- 1. closed response window ---------------------------------------------- */

/* A claim of partner A waiting for its response (info requested). */
static void info_requested(world *w, char id[37]) {
  strcpy(id, under_review(w, &w->a, MPN_A, TEAMS));
  test_ok(cpor_claim_request_info(w->ctx, &w->reviewer, id, CPOR_INFO_OTHER, "which users?"),
          w->ctx, "info");
}

START_TEST(response_after_window_is_ewindow_with_or_without_advance) {
  for (int advanced = 0; advanced <= 1; advanced++) {
    world w;
    world_open(&w, NULL, NULL, NULL);
    char id[37];
    info_requested(&w, id);
    /* Monday 09:00 + 5 business days: closes Tuesday 11-10 00:00. */
    world_at(&w, "2026-11-09T23:59:59.999");
    ck_assert_int_eq(state_of(&w, id), CPOR_STATE_PARTNER_ACTION_REQUIRED);
    world_at(&w, "2026-11-10T00:00:00");
    if (advanced) test_ok(cpor_ctx_advance(w.ctx, NULL), w.ctx, "advance");
    REFUSED(&w, cpor_claim_respond(w.ctx, &w.a, id, "all of them"), CPOR_EWINDOW);
    msg_has(&w, "the response window has closed");
    REFUSED(&w, cpor_claim_add_poe(w.ctx, &w.a, id, "late.pdf", "application/pdf", SHA, 5),
            CPOR_ESTATE);
    REFUSED(&w, cpor_claim_withdraw(w.ctx, &w.a, id), CPOR_ESTATE);
    ck_assert_int_eq(state_of(&w, id), CPOR_STATE_REJECTED);
    ck_assert_int_eq(reason_of(&w, id), CPOR_REASON_NO_PARTNER_RESPONSE);
    world_close(&w);
  }
}
END_TEST

/* ---- 2. a dispute does not undo a lost arbitration ------------------------- */

START_TEST(dispute_does_not_revive_a_line_lost_in_arbitration) {
  world w;
  world_open(&w, NULL, NULL, NULL);
  const char *two[] = {"TEAMS", "EXCHANGE", NULL};
  char x[37], y[37];
  strcpy(x, under_review(&w, &w.a, MPN_A, two));
  strcpy(y, under_review(&w, &w.b, MPN_B, TEAMS));
  test_ok(cpor_claim_approve(w.ctx, &w.reviewer, y), w.ctx, "approve y");
  ck_assert_int_eq(state_of(&w, x), CPOR_STATE_UNDER_REVIEW);
  ck_assert_int_eq(line_state_of(&w, x, 0), CPOR_STATE_REJECTED);
  ck_assert_int_eq(line_reason_of(&w, x, 0), CPOR_REASON_LOST_ARBITRATION);
  test_ok(cpor_claim_reject(w.ctx, &w.reviewer, x, CPOR_REASON_INSUFFICIENT_POE, NULL), w.ctx,
          "reject x");
  test_ok(cpor_claim_dispute(w.ctx, &w.a, x, "the report is legible"), w.ctx, "dispute");
  test_ok(cpor_claim_decide_dispute(w.ctx, &w.reviewer, x, 1, NULL), w.ctx, "grant");
  ck_assert_int_eq(line_state_of(&w, x, 0), CPOR_STATE_REJECTED);
  ck_assert_int_eq(line_state_of(&w, x, 1), CPOR_STATE_UNDER_REVIEW);
  /* y's opt-out window runs until 11-10: approving x waits for it. */
  world_at(&w, "2026-11-12T09:00:00");
  test_ok(cpor_claim_approve(w.ctx, &w.reviewer, x), w.ctx, "approve x");
  ck_assert_int_eq(line_state_of(&w, x, 0), CPOR_STATE_REJECTED);
  ck_assert_int_eq(line_reason_of(&w, x, 0), CPOR_REASON_LOST_ARBITRATION);
  world_at(&w, "2026-12-01T00:00:00");
  test_ok(cpor_ctx_advance(w.ctx, NULL), w.ctx, "advance");
  ck_assert_int_eq(state_of(&w, x), CPOR_STATE_ASSOCIATED);
  ck_assert_int_eq(line_state_of(&w, x, 0), CPOR_STATE_REJECTED);
  ck_assert_int_eq(line_state_of(&w, x, 1), CPOR_STATE_ASSOCIATED);
  ck_assert_int_eq(state_of(&w, y), CPOR_STATE_ASSOCIATED); /* not superseded */
  ck_assert_int_eq(line_state_of(&w, y, 0), CPOR_STATE_ASSOCIATED);
  world_close(&w);
}
END_TEST

/* ---- 3. a tenant edit re-checks named subscriptions ----------------------- */

static int set_tenant(world *w, const char *id, const char *tenant, const char *domain,
                      const char *sub) {
  cpor_claim_spec e = CPOR_CLAIM_SPEC_INIT;
  e.tenant_id = tenant;
  e.domain = domain;
  const char *subs[] = {sub};
  if (sub) {
    e.line_count = 1;
    e.workloads = SALES;
    e.subscriptions = subs;
  }
  return cpor_claim_edit(w->ctx, &w->c, id, &e);
}

static void line_sub_is(world *w, const char *id, const char *sub) {
  cpor_claim *c = get(w, id);
  ck_assert_str_eq(cpor_claim_line_subscription(c, 0), sub);
  cpor_claim_free(c);
}

START_TEST(tenant_edit_rechecks_named_subscriptions) {
  world w;
  world_open(&w, NULL, NULL, NULL);
  char id[37];
  strcpy(id, sales_draft(&w, T1, T1_DOMAIN, NULL));
  line_sub_is(&w, id, SUB_SALES); /* the only claimable one on T1 */
  /* T2 has a claimable D365_SALES subscription: it must not replace the named one. */
  REFUSED(&w, set_tenant(&w, id, T2, T2_DOMAIN, NULL), CPOR_ESUBSCRIPTION);
  msg_has(&w, "not on the claimed tenant");
  line_sub_is(&w, id, SUB_SALES);
  test_ok(set_tenant(&w, id, T2, T2_DOMAIN, SUB_OTHER_TENANT), w.ctx, "to T2, naming its sub");
  line_sub_is(&w, id, SUB_OTHER_TENANT);
  REFUSED(&w, set_tenant(&w, id, T1, T1_DOMAIN, NULL), CPOR_ESUBSCRIPTION);
  test_ok(set_tenant(&w, id, T1, T1_DOMAIN, SUB_SALES), w.ctx, "back to T1");
  line_sub_is(&w, id, SUB_SALES);
  cpor_claim *c = get(&w, id);
  ck_assert_str_eq(cpor_claim_tenant_id(c), T1);
  cpor_claim_free(c);
  world_close(&w);
}
END_TEST

/* ---- 4. a subscription ending while APPROVED ------------------------------ */

START_TEST(subscription_expiring_while_approved_rejects_the_line) {
  for (int disabled = 0; disabled <= 1; disabled++) {
    world w;
    world_open(&w, NULL, NULL, NULL);
    char id[37];
    strcpy(id, sales_draft(&w, T1, T1_DOMAIN, SUB_SALES));
    test_ok(cpor_claim_submit(w.ctx, &w.c, id), w.ctx, "submit");
    test_ok(cpor_claim_start_review(w.ctx, &w.reviewer, id), w.ctx, "review");
    test_ok(cpor_claim_approve(w.ctx, &w.reviewer, id), w.ctx, "approve");
    size_t changed = 0;
    test_ok(cpor_subscription_set_state(w.ctx, SYS, SUB_SALES,
                                        disabled ? CPOR_SUB_DISABLED : CPOR_SUB_EXPIRED, &changed),
            w.ctx, "expire");
    ck_assert_uint_eq(changed, 1);
    ck_assert_int_eq(state_of(&w, id), CPOR_STATE_REJECTED);
    ck_assert_int_eq(reason_of(&w, id), CPOR_REASON_SUBSCRIPTION_ENDED);
    cpor_claim *c = get(&w, id);
    ck_assert_int_eq(cpor_claim_disputable(c), 0);
    cpor_claim_free(c);
    REFUSED(&w, cpor_claim_dispute(w.ctx, &w.c, id, "it was renewed"), CPOR_ESTATE);
    world_at(&w, "2026-12-15T00:00:00"); /* long past the opt-out window */
    test_ok(cpor_ctx_advance(w.ctx, NULL), w.ctx, "advance");
    ck_assert_int_eq(state_of(&w, id), CPOR_STATE_REJECTED);
    char *kinds = history_kinds(&w, id);
    ck_assert_ptr_null(strstr(kinds, "associated"));
    free(kinds);
    world_close(&w);
  }
}
END_TEST

START_TEST(submit_rechecks_subscription_and_enrollment) {
  world w;
  world_open(&w, NULL, NULL, NULL);
  char id[37];
  strcpy(id, sales_draft(&w, T1, T1_DOMAIN, SUB_SALES));
  test_ok(cpor_subscription_set_state(w.ctx, SYS, SUB_SALES, CPOR_SUB_PROVISIONING, NULL), w.ctx,
          "back to provisioning");
  REFUSED(&w, cpor_claim_submit(w.ctx, &w.c, id), CPOR_ESUBSCRIPTION);
  msg_has(&w, "the subscription is not yet provisioned");
  /* Disabled: the draft's line is rejected at once (subscription_ended). */
  test_ok(cpor_subscription_set_state(w.ctx, SYS, SUB_SALES, CPOR_SUB_DISABLED, NULL), w.ctx,
          "disable");
  ck_assert_int_eq(state_of(&w, id), CPOR_STATE_REJECTED);
  ck_assert_int_eq(reason_of(&w, id), CPOR_REASON_SUBSCRIPTION_ENDED);
  REFUSED(&w, cpor_claim_submit(w.ctx, &w.c, id), CPOR_ESTATE);
  char m[37];
  strcpy(m, draft(&w, &w.a, MPN_A, TEAMS));
  test_ok(cpor_location_enroll(w.ctx, SYS, MPN_A, CPOR_PROGRAM_OSU_M365, 0), w.ctx, "unenroll");
  REFUSED(&w, cpor_claim_submit(w.ctx, &w.a, m), CPOR_ENOTENROLLED);
  test_ok(cpor_location_enroll(w.ctx, SYS, MPN_A, CPOR_PROGRAM_OSU_M365, 1), w.ctx, "enroll");
  test_ok(cpor_claim_submit(w.ctx, &w.a, m), w.ctx, "submit");
  world_close(&w);
}
END_TEST

/* ---- 5. clock skew ---------------------------------------------------------- */

START_TEST(clock_skew_within_one_second_is_stamped_beyond_is_erange) {
  world w;
  world_open(&w, NULL, NULL, NULL);
  char id[37];
  strcpy(id, draft(&w, &w.a, MPN_A, TEAMS)); /* last event 2026-11-02T09:00:00.000 */
  world_at(&w, "2026-11-02T08:59:59.000");
  test_ok(cpor_claim_comment(w.ctx, &w.a, id, "one second behind"), w.ctx, "comment");
  world_at(&w, "2026-11-02T08:59:58.999");
  REFUSED(&w, cpor_claim_comment(w.ctx, &w.a, id, "too far behind"), CPOR_ERANGE);
  msg_has(&w, "2026-11-02T08:59:58.999Z");
  msg_has(&w, "2026-11-02T09:00:00.000Z");
  cpor_event_iter *it = NULL;
  test_ok(cpor_claim_history(w.ctx, &w.reviewer, id, &it), w.ctx, "history");
  cpor_event *e = NULL;
  cpor_time last = CPOR_TIME_NONE;
  int n = 0;
  while (cpor_event_iter_next(it, &e) == CPOR_OK) {
    ck_assert_int_ge(cpor_event_at(e), last);
    last = cpor_event_at(e);
    if (cpor_event_kind(e) == CPOR_EVENT_COMMENTED)
      ck_assert_int_eq(cpor_event_at(e), T("2026-11-02T09:00:00"));
    n++;
    cpor_event_free(e);
  }
  cpor_event_iter_free(it);
  ck_assert_int_eq(n, 3); /* created, PoE, the comment */
  world_close(&w);
}
END_TEST

/* ---- 6. texts stored whole -------------------------------------------------- */

/* 4000 bytes: head ASCII bytes, then 3-byte and 2-byte characters to the end
 * (so a multi-byte character straddles every offset a cut could fall at). */
static void long_text(char out[4001], size_t head) {
  size_t n = 0;
  while (n < head)
    out[n++] = 'a';
  while (4000 - n > 4 || 4000 - n == 3) {
    memcpy(out + n, "\xe2\x82\xac", 3); /* U+20AC EURO SIGN */
    n += 3;
  }
  while (4000 - n >= 2) {
    memcpy(out + n, "\xc3\xa9", 2); /* U+00E9 */
    n += 2;
  }
  out[n] = 0;
}

START_TEST(texts_are_stored_whole) {
  world w;
  world_open(&w, NULL, NULL, NULL);
  char id[37];
  strcpy(id, draft(&w, &w.a, MPN_A, TEAMS));
  char texts[3][4001];
  for (size_t h = 0; h < 3; h++) {
    long_text(texts[h], h);
    ck_assert_uint_eq(strlen(texts[h]), 4000);
    test_ok(cpor_claim_comment(w.ctx, &w.a, id, texts[h]), w.ctx, "comment");
  }
  char over[4002];
  long_text(over, 0);
  strcat(over, "a");
  REFUSED(&w, cpor_claim_comment(w.ctx, &w.a, id, over), CPOR_EINVAL);
  cpor_event_iter *it = NULL;
  test_ok(cpor_claim_history(w.ctx, &w.reviewer, id, &it), w.ctx, "history");
  cpor_event *e = NULL;
  size_t seen = 0;
  while (cpor_event_iter_next(it, &e) == CPOR_OK) {
    if (cpor_event_kind(e) == CPOR_EVENT_COMMENTED) {
      ck_assert_uint_lt(seen, 3);
      ck_assert_uint_eq(strlen(cpor_event_text(e)), 4000);
      ck_assert_msg(memcmp(cpor_event_text(e), texts[seen], 4001) == 0, "comment %zu differs",
                    seen);
      seen++;
    }
    cpor_event_free(e);
  }
  cpor_event_iter_free(it);
  ck_assert_uint_eq(seen, 3);
  world_close(&w);
}
END_TEST

/* ---- 7. a failed call inside a batch keeps nothing -------------------------- */

START_TEST(batch_tenant_with_taken_domain_keeps_nothing) {
  world w;
  world_open(&w, NULL, NULL, NULL);
  char *before = store_dump(w.storage);
  char *cust = NULL;
  test_ok(cpor_customer_create(w.ctx, SYS, "Litware", &cust), w.ctx, "customer");
  ck_assert_int_eq(cpor_ctx_begin(w.ctx), CPOR_OK);
  const char *t3 = "33333333-3333-3333-3333-333333333333";
  ck_assert_status(cpor_tenant_create(w.ctx, SYS, cust, t3, T1_DOMAIN), CPOR_EEXISTS);
  cpor_tenant *t = NULL;
  ck_assert_status(cpor_tenant_get(w.ctx, SYS, t3, &t), CPOR_ENOTFOUND);
  cpor_claim_spec s = test_spec("Steal", MPN_A, t3, T1_DOMAIN, CPOR_AREA_M365, 1, TEAMS);
  ck_assert_status(cpor_claim_create(w.ctx, &w.a, &s, NULL), CPOR_ENOTFOUND);
  /* The batch goes on: a later call keeps what it did. */
  test_ok(cpor_tenant_create(w.ctx, SYS, cust, t3, "litware.onmicrosoft.com"), w.ctx, "tenant");
  ck_assert_status(cpor_claim_create(w.ctx, &w.a, &s, NULL), CPOR_EMISMATCH);
  test_ok(cpor_ctx_commit(w.ctx), w.ctx, "commit");
  test_ok(cpor_tenant_get(w.ctx, SYS, t3, &t), w.ctx, "tenant kept");
  ck_assert_uint_eq(cpor_tenant_domain_count(t), 1);
  ck_assert_str_eq(cpor_tenant_domain(t, 0), "litware.onmicrosoft.com");
  cpor_tenant_free(t);
  cpor_free(cust);
  free(before);
  world_close(&w);
}
END_TEST

/* A batch that writes one claim's lines twice (create, then submit) and is
 * rolled back leaves the store as it was: no unit row naming a claim that
 * does not exist (the conformance suite's lines_replace_changes_rows holds
 * the backends to it with rows out of order, which the core never writes). */
START_TEST(batch_rolled_back_after_two_line_writes_keeps_no_row) {
  world w;
  world_open(&w, NULL, NULL, NULL);
  char *before = store_dump(w.storage);
  cpor_claim_spec s = test_spec("Twice", MPN_A, T1, T1_DOMAIN, CPOR_AREA_M365, 1, TEAMS);
  for (int round = 0; round < 2; round++) {
    ck_assert_int_eq(cpor_ctx_begin(w.ctx), CPOR_OK);
    cpor_claim *c = NULL;
    test_ok(cpor_claim_create(w.ctx, &w.a, &s, &c), w.ctx, "create");
    char id[37];
    strcpy(id, cpor_claim_id(c));
    cpor_claim_free(c);
    test_ok(cpor_claim_add_poe(w.ctx, &w.a, id, "p.pdf", "application/pdf", SHA, 1), w.ctx, "poe");
    test_ok(cpor_claim_submit(w.ctx, &w.a, id), w.ctx, "submit");
    if (round == 0) {
      ck_assert_int_eq(cpor_ctx_rollback(w.ctx), CPOR_OK);
      char *after = store_dump(w.storage);
      ck_assert_str_eq(after, before);
      free(after);
    } else {
      test_ok(cpor_ctx_commit(w.ctx), w.ctx, "commit");
      c = get(&w, id);
      ck_assert_int_eq(cpor_claim_state(c), CPOR_STATE_SUBMITTED);
      cpor_claim_free(c);
    }
  }
  free(before);
  world_close(&w);
}
END_TEST

/* A claim's state as stored, read inside the transaction the caller holds. */
static int on_claim(void *arg, const cpor_store_object *o) {
  cpor_claim *c = NULL;
  ck_assert_int_eq(cpor__claim_decode(o, &c), CPOR_OK);
  *(int *)arg = cpor_claim_state(c);
  cpor_claim_free(c);
  return 0;
}
static int stored_state(cpor_storage *s, const char *id) {
  int state = 0;
  ck_assert_int_eq(cpor__store_get(s, CPOR_STORE_CLAIM, id, on_claim, &state), CPOR_OK);
  return state;
}

START_TEST(batch_advance_failing_on_second_claim_keeps_nothing) {
  world w;
  world_open(&w, NULL, NULL, NULL);
  const char *ex[] = {"EXCHANGE", NULL};
  char x[37], y[37];
  strcpy(x, under_review(&w, &w.a, MPN_A, TEAMS));
  strcpy(y, under_review(&w, &w.b, MPN_B, ex));
  test_ok(cpor_claim_approve(w.ctx, &w.reviewer, x), w.ctx, "approve x");
  test_ok(cpor_claim_approve(w.ctx, &w.reviewer, y), w.ctx, "approve y");
  world_at(&w, "2026-12-01T00:00:00");
  char *before = store_dump(w.storage);
  /* Every storage operation of the advance fails in turn, inside a batch. */
  long failures = 0;
  for (long k = 1;; k++) {
    cpor_storage *faulty = NULL;
    long ops = 0;
    ck_assert_int_eq(cpor_faulty_storage_with_savepoints(&faulty, w.storage, -1, &ops), CPOR_OK);
    cpor_ctx_options o = CPOR_CTX_OPTIONS_INIT;
    o.storage = faulty;
    o.clock = cpor_manual_clock_now;
    o.clock_user = w.clock;
    cpor_ctx *ctx = NULL;
    ck_assert_int_eq(cpor_ctx_open(&ctx, &o), CPOR_OK);
    test_ok(cpor_ctx_begin(ctx), ctx, "begin");
    long start = ops;
    cpor_faulty_storage_fail_at(faulty, start + k);
    size_t changed = 0;
    int rc = cpor_ctx_advance(ctx, &changed);
    if (rc == CPOR_OK) {
      /* Past the last operation; or the savepoint itself failed, which the
       * core tolerates (the call runs without one). */
      int done = ops < start + k;
      ck_assert_uint_eq(changed, 2);
      ck_assert_int_eq(cpor_ctx_rollback(ctx), CPOR_OK);
      cpor_ctx_close(ctx);
      cpor_storage_free(faulty);
      if (done) break;
      continue;
    }
    ck_assert_status(rc, CPOR_ESTORAGE);
    failures++;
    /* Inside the batch: nothing of the advance, the first claim included. */
    cpor_faulty_storage_fail_at(faulty, -1);
    ck_assert_int_eq(stored_state(w.storage, x), CPOR_STATE_APPROVED);
    ck_assert_int_eq(stored_state(w.storage, y), CPOR_STATE_APPROVED);
    /* A storage failure poisons the batch (CHANGELOG 0.2): commit rolls it back. */
    ck_assert_status(cpor_partner_create(ctx, SYS, "adatum", "Adatum"), CPOR_ESTORAGE);
    ck_assert_status(cpor_ctx_commit(ctx), CPOR_ESTORAGE);
    cpor_ctx_close(ctx);
    cpor_storage_free(faulty);
    char *after = store_dump(w.storage);
    ck_assert_str_eq(before, after);
    free(after);
  }
  /* Every operation failed once, the last ones being the second claim's
   * writes (after the first claim's). */
  ck_assert_int_gt(failures, 10);
  free(before);
  world_close(&w);
}
END_TEST

/* ---- 8. bad input: corrupt rows, clock extremes, NULL texts ---------------- */

/* A wrapper whose unit rows come back without a partner. */
typedef struct null_partner {
  cpor_storage *inner;
} null_partner;

static int np_cursor_next(void *self, void *cur, cpor_store_row *row) {
  null_partner *np = self;
  int rc = np->inner->m.cursor_next(np->inner->self, cur, row);
  if (rc == 1 && row->line.claim_id) row->line.partner_id = NULL;
  return rc;
}
#define FWD(name, sig, args)                                                                       \
  static int np_##name sig {                                                                       \
    null_partner *np = self;                                                                       \
    return np->inner->m.name args;                                                                 \
  }
FWD(begin, (void *self, int write), (np->inner->self, write))
FWD(commit, (void *self), (np->inner->self))
FWD(rollback, (void *self), (np->inner->self))
FWD(savepoint, (void *self), (np->inner->self))
FWD(release, (void *self), (np->inner->self))
FWD(rollback_to, (void *self), (np->inner->self))
FWD(object_get, (void *self, uint32_t k, const char *id, cpor_store_object *o),
    (np->inner->self, k, id, o))
FWD(object_put, (void *self, const cpor_store_object *o, uint32_t mode), (np->inner->self, o, mode))
FWD(lines_replace, (void *self, const char *id, const cpor_store_line *l, size_t n),
    (np->inner->self, id, l, n))
FWD(keys_replace, (void *self, const char *id, const char *const *k, size_t n),
    (np->inner->self, id, k, n))
FWD(deadline_set, (void *self, const char *id, uint32_t k, cpor_time due),
    (np->inner->self, id, k, due))
FWD(deadline_clear, (void *self, const char *id, uint32_t k), (np->inner->self, id, k))
FWD(event_append, (void *self, const char *id, uint32_t seq, const void *d, size_t len),
    (np->inner->self, id, seq, d, len))
FWD(cursor_open, (void *self, const cpor_store_query *q, void **cur), (np->inner->self, q, cur))
static void np_cursor_close(void *self, void *cur) {
  null_partner *np = self;
  np->inner->m.cursor_close(np->inner->self, cur);
}
static void np_close(void *self) {
  (void)self;
}

START_TEST(unit_row_without_partner_is_ecorrupt) {
  world w;
  world_open(&w, NULL, NULL, NULL);
  char a[37], b[37];
  strcpy(a, under_review(&w, &w.a, MPN_A, TEAMS));
  strcpy(b, draft(&w, &w.b, MPN_B, TEAMS));
  static const cpor_storage_methods m = {
      .version = CPOR_STORAGE_VERSION,
      .begin = np_begin,
      .commit = np_commit,
      .rollback = np_rollback,
      .savepoint = np_savepoint,
      .release = np_release,
      .rollback_to = np_rollback_to,
      .object_get = np_object_get,
      .object_put = np_object_put,
      .lines_replace = np_lines_replace,
      .keys_replace = np_keys_replace,
      .deadline_set = np_deadline_set,
      .deadline_clear = np_deadline_clear,
      .event_append = np_event_append,
      .cursor_open = np_cursor_open,
      .cursor_next = np_cursor_next,
      .cursor_close = np_cursor_close,
      .close = np_close,
  };
  null_partner np = {w.storage};
  cpor_storage *bad = NULL;
  ck_assert_int_eq(cpor_storage_new(&bad, &m, &np), CPOR_OK);
  cpor_ctx_options o = CPOR_CTX_OPTIONS_INIT;
  o.storage = bad;
  o.clock = cpor_manual_clock_now;
  o.clock_user = w.clock;
  cpor_ctx *ctx = NULL;
  ck_assert_int_eq(cpor_ctx_open(&ctx, &o), CPOR_OK);
  char *before = store_dump(w.storage);
  ck_assert_status(cpor_claim_submit(ctx, &w.b, b), CPOR_ECORRUPT);
  ck_assert_ptr_nonnull(strstr(cpor_ctx_errmsg(ctx), "unit row of t:" T1 ":TEAMS"));
  ck_assert_status(cpor_claim_approve(ctx, &w.reviewer, a), CPOR_ECORRUPT);
  char *after = store_dump(w.storage);
  ck_assert_str_eq(before, after);
  free(before);
  free(after);
  cpor_ctx_close(ctx);
  cpor_storage_free(bad);
  world_close(&w);
}
END_TEST

START_TEST(manual_clock_advance_saturates) {
  cpor_manual_clock *c = NULL;
  ck_assert_int_eq(cpor_manual_clock_new(&c, INT64_MAX - 5), CPOR_OK);
  cpor_manual_clock_advance(c, 10);
  ck_assert_int_eq(cpor_manual_clock_get(c), INT64_MAX);
  cpor_manual_clock_advance(c, INT64_MAX);
  ck_assert_int_eq(cpor_manual_clock_get(c), INT64_MAX);
  cpor_manual_clock_advance(c, INT64_MIN);
  ck_assert_int_eq(cpor_manual_clock_get(c), -1);
  cpor_manual_clock_set(c, INT64_MIN + 5);
  cpor_manual_clock_advance(c, -10);
  ck_assert_int_eq(cpor_manual_clock_get(c), INT64_MIN);
  cpor_manual_clock_advance(c, INT64_MIN);
  ck_assert_int_eq(cpor_manual_clock_get(c), INT64_MIN);
  cpor_manual_clock_advance(c, 7);
  ck_assert_int_eq(cpor_manual_clock_get(c), INT64_MIN + 7);
  cpor_manual_clock_advance(NULL, 1); /* a no-op */
  cpor_manual_clock_free(c);
}
END_TEST

START_TEST(null_texts_are_einval) {
  world w;
  world_open(&w, NULL, NULL, NULL);
  char d[37], r[37];
  strcpy(d, draft(&w, &w.a, MPN_A, TEAMS));
  strcpy(r, under_review(&w, &w.b, MPN_B, TEAMS));
  REFUSED(&w, cpor_claim_comment(w.ctx, &w.a, d, NULL), CPOR_EINVAL);
  REFUSED(&w, cpor_claim_request_info(w.ctx, &w.reviewer, r, CPOR_INFO_OTHER, NULL), CPOR_EINVAL);
  test_ok(cpor_claim_request_info(w.ctx, &w.reviewer, r, CPOR_INFO_OTHER, "which users?"), w.ctx,
          "info");
  REFUSED(&w, cpor_claim_respond(w.ctx, &w.b, r, NULL), CPOR_EINVAL);
  test_ok(cpor_claim_respond(w.ctx, &w.b, r, "all"), w.ctx, "respond");
  test_ok(cpor_claim_reject(w.ctx, &w.reviewer, r, CPOR_REASON_INSUFFICIENT_POE, NULL), w.ctx,
          "reject");
  REFUSED(&w, cpor_claim_dispute(w.ctx, &w.b, r, NULL), CPOR_EINVAL);
  world_close(&w);
}
END_TEST

START_TEST(batch_through_a_wrapper_keeps_every_call) {
  /* In 0.1 a backend without savepoints had a call that succeeded inside a
   * batch poison it (every later call ESTORAGE). Savepoints are required
   * since storage v3; the batch through a forwarding wrapper keeps every
   * call. */
  world w;
  world_open(&w, NULL, NULL, NULL);
  cpor_storage *plain = NULL;
  ck_assert_int_eq(cpor_faulty_storage_new(&plain, w.storage, -1, NULL), CPOR_OK);
  cpor_ctx_options o = CPOR_CTX_OPTIONS_INIT;
  o.storage = plain;
  cpor_ctx *ctx = NULL;
  ck_assert_int_eq(cpor_ctx_open(&ctx, &o), CPOR_OK);
  test_ok(cpor_ctx_begin(ctx), ctx, "begin");
  test_ok(cpor_partner_create(ctx, SYS, "adatum", "Adatum"), ctx, "first");
  test_ok(cpor_partner_create(ctx, SYS, "litware", "Litware"), ctx, "second");
  test_ok(cpor_ctx_commit(ctx), ctx, "commit");
  cpor_partner *p = NULL;
  test_ok(cpor_partner_get(ctx, SYS, "litware", &p), ctx, "kept");
  cpor_partner_free(p);
  cpor_ctx_close(ctx);
  cpor_storage_free(plain);
  world_close(&w);
}
END_TEST

/* Found by the batched world of the settled-state property: inside a batch,
 * a call that failed after settling a due claim (its settling undone with
 * it) left the batch believing nothing was due, and the next call acted on
 * the unsettled claim (a reject accepted after the response window had
 * closed). */
START_TEST(batch_failed_call_does_not_hide_a_due_transition) {
  world w;
  world_open(&w, NULL, NULL, NULL);
  char id[37];
  info_requested(&w, id);
  test_ok(cpor_ctx_begin(w.ctx), w.ctx, "begin");
  /* A first write call: nothing due yet. */
  test_ok(cpor_claim_comment(w.ctx, &w.a, id, "soon"), w.ctx, "comment");
  world_at(&w, "2026-12-31T00:00:00"); /* the response window closed */
  /* Settles the claim (REJECTED), then fails: its settling is undone. */
  ck_assert_status(cpor_claim_opt_out(w.ctx, &w.cust1, id), CPOR_ESTATE);
  ck_assert_status(cpor_claim_reject(w.ctx, &w.reviewer, id, CPOR_REASON_INSUFFICIENT_POE, "no"),
                   CPOR_ESTATE);
  ck_assert_ptr_nonnull(strstr(cpor_ctx_errmsg(w.ctx), "(REJECTED, as reviewer)"));
  test_ok(cpor_ctx_commit(w.ctx), w.ctx, "commit");
  ck_assert_int_eq(state_of(&w, id), CPOR_STATE_REJECTED);
  world_close(&w);
}
END_TEST

/* On a one-writer store (CPOR_STORAGE_ONE_WRITER, SQLite) a call of a batch
 * that decided everything before its first write takes no savepoint; a
 * directory call, which may still meet a duplicate between its writes, and
 * a call that settles first take one. A write failing in a call without a
 * savepoint ends the batch, and nothing of it is kept. */
START_TEST(one_writer_batch_skips_needless_savepoints) {
  world w;
  world_open(&w, NULL, NULL, NULL);
  char a[37], b[37];
  strcpy(a, draft(&w, &w.a, MPN_A, TEAMS));
  strcpy(b, draft(&w, &w.b, MPN_B, TEAMS));
  for (int one_writer = 1; one_writer >= 0; one_writer--) {
    cpor_storage *f = NULL;
    ck_assert_int_eq(cpor_faulty_storage_new(&f, w.storage, -1, NULL), CPOR_OK);
    if (one_writer) cpor_faulty_storage_flags(f, CPOR_STORAGE_ONE_WRITER);
    cpor_ctx *ctx = world_ctx_on(&w, f);
    const char *id = one_writer ? a : b;
    const cpor_actor *who = one_writer ? &w.a : &w.b;
    test_ok(cpor_ctx_begin(ctx), ctx, "begin");
    test_ok(cpor_claim_submit(ctx, who, id), ctx, "submit");
    ck_assert_int_eq(cpor_faulty_storage_savepoints(f), one_writer ? 0 : 1);
    /* Refused before any write: the batch goes on. */
    ck_assert_status(cpor_claim_submit(ctx, who, id), CPOR_ESTATE);
    test_ok(cpor_claim_comment(ctx, who, id, "still here"), ctx, "comment");
    ck_assert_int_eq(cpor_faulty_storage_savepoints(f), one_writer ? 0 : 2);
    test_ok(cpor_partner_create(ctx, SYS, one_writer ? "adatum" : "litware", "P"), ctx, "partner");
    ck_assert_int_eq(cpor_faulty_storage_savepoints(f), one_writer ? 1 : 3);
    test_ok(cpor_ctx_commit(ctx), ctx, "commit");
    cpor_ctx_close(ctx);
    cpor_storage_free(f);
    ck_assert_int_eq(state_of(&w, id), CPOR_STATE_SUBMITTED);
  }
  /* A due claim is settled first, inside a savepoint, by the call that
   * finds it due. */
  test_ok(cpor_claim_start_review(w.ctx, &w.reviewer, a), w.ctx, "start review");
  test_ok(cpor_claim_request_info(w.ctx, &w.reviewer, a, CPOR_INFO_OTHER, "which users?"), w.ctx,
          "info");
  world_at(&w, "2026-12-31T00:00:00"); /* the response window closed */
  cpor_storage *f = NULL;
  ck_assert_int_eq(cpor_faulty_storage_new(&f, w.storage, -1, NULL), CPOR_OK);
  cpor_faulty_storage_flags(f, CPOR_STORAGE_ONE_WRITER);
  cpor_ctx *ctx = world_ctx_on(&w, f);
  test_ok(cpor_ctx_begin(ctx), ctx, "begin");
  test_ok(cpor_claim_comment(ctx, &w.b, b, "settles a first"), ctx, "comment");
  ck_assert_int_eq(cpor_faulty_storage_savepoints(f), 1);
  test_ok(cpor_ctx_commit(ctx), ctx, "commit");
  cpor_ctx_close(ctx);
  cpor_storage_free(f);
  ck_assert_int_eq(state_of(&w, a), CPOR_STATE_REJECTED);
  world_close(&w);
}
END_TEST

START_TEST(one_writer_write_failure_keeps_nothing) {
  /* Every operation of a submit in a batch fails in turn, as the store
   * failing (ESTORAGE) and as a one-writer store breaking its promise
   * (EEXISTS from a write): the call fails with the code, nothing of it is
   * kept, and a failure after its first write ends the batch. */
  static const int codes[] = {CPOR_ESTORAGE, CPOR_EEXISTS};
  world w;
  world_open(&w, NULL, NULL, NULL);
  char id[37];
  strcpy(id, draft(&w, &w.a, MPN_A, TEAMS));
  char *before = store_dump(w.storage);
  for (size_t c = 0; c < sizeof codes / sizeof codes[0]; c++) {
    long ended = 0;
    for (long k = 1;; k++) {
      cpor_storage *f = NULL;
      long ops = 0;
      ck_assert_int_eq(cpor_faulty_storage_new(&f, w.storage, -1, &ops), CPOR_OK);
      cpor_faulty_storage_flags(f, CPOR_STORAGE_ONE_WRITER);
      cpor_faulty_storage_fail_code(f, codes[c]);
      cpor_ctx *ctx = world_ctx_on(&w, f);
      test_ok(cpor_ctx_begin(ctx), ctx, "begin");
      long start = ops;
      cpor_faulty_storage_fail_at(f, start + k);
      int rc = cpor_claim_submit(ctx, &w.a, id);
      int done = ops < start + k;
      if (rc == CPOR_OK) {
        ck_assert_msg(done, "operation %ld failed, yet the submit succeeded", k);
        ck_assert_int_eq(cpor_ctx_rollback(ctx), CPOR_OK);
        cpor_ctx_close(ctx);
        cpor_storage_free(f);
        break;
      }
      ck_assert_msg(rc == CPOR_ESTORAGE || rc == CPOR_ECONFLICT || rc == codes[c],
                    "operation %ld: %s (%s)", k, cpor_status_name(rc), cpor_ctx_errmsg(ctx));
      cpor_faulty_storage_fail_at(f, -1);
      /* The batch either goes on (nothing was written) or is ended. */
      int crc = cpor_ctx_commit(ctx);
      ck_assert_msg(crc == CPOR_OK || crc == CPOR_ESTORAGE, "commit: %s", cpor_status_name(crc));
      if (crc == CPOR_ESTORAGE) {
        ended++;
        ck_assert_str_eq(cpor_ctx_errmsg(ctx),
                         "a write in the batch failed: the batch was rolled back");
      }
      cpor_ctx_close(ctx);
      cpor_storage_free(f);
      char *after = store_dump(w.storage);
      ck_assert_str_eq(before, after);
      free(after);
    }
    ck_assert_int_gt(ended, 5); /* failures between the writes were met */
  }
  ck_assert_int_eq(state_of(&w, id), CPOR_STATE_EDITING);
  free(before);
  world_close(&w);
}
END_TEST

/* A concurrent writer (CPOR_ECONFLICT from the store) at any operation of a
 * write call: the call runs again and succeeds, and its effect is there
 * once. Adding a PoE was the one write without the retry (found by the
 * PostgreSQL race test, tests/test_concurrency.c). */
static int poe_count(world *w, const char *id) {
  cpor_claim *c = get(w, id);
  int n = (int)cpor_claim_poe_count(c);
  cpor_claim_free(c);
  return n;
}

START_TEST(write_calls_retry_a_conflict) {
  world w;
  world_open(&w, NULL, NULL, NULL);
  char id[37];
  strcpy(id, draft(&w, &w.a, MPN_A, TEAMS));
  for (int call = 0; call < 2; call++) {
    long k = 1, ops = 0;
    for (;; k++) {
      cpor_storage *faulty = NULL;
      ops = 0;
      ck_assert_int_eq(cpor_faulty_storage_new(&faulty, w.storage, k, &ops), CPOR_OK);
      cpor_faulty_storage_fail_code(faulty, CPOR_ECONFLICT);
      cpor_ctx_options o = CPOR_CTX_OPTIONS_INIT;
      o.storage = faulty;
      o.clock = cpor_manual_clock_now;
      o.clock_user = w.clock;
      cpor_ctx *ctx = NULL;
      ck_assert_int_eq(cpor_ctx_open(&ctx, &o), CPOR_OK);
      int before = poe_count(&w, id);
      int rc = call == 0 ? cpor_claim_add_poe(ctx, &w.a, id, "more.pdf", "application/pdf", SHA, 9)
                         : cpor_claim_comment(ctx, &w.a, id, "a comment");
      ck_assert_msg(rc == CPOR_OK, "call %d, conflict at operation %ld: %s (%s)", call, k,
                    cpor_status_name(rc), cpor_ctx_errmsg(ctx));
      ck_assert_int_eq(poe_count(&w, id), before + (call == 0));
      cpor_ctx_close(ctx);
      cpor_storage_free(faulty);
      if (ops < k) break; /* no operation failed: every one was tried */
    }
    ck_assert_int_gt(k, 3);
  }
  world_close(&w);
}
END_TEST

/* PostgreSQL sends a call's deadline writes later, with its next statement
 * that has an answer (storage.h: a late answer). A call whose deadline write
 * the server refuses returns CPOR_ESTORAGE naming it and leaves the store as
 * it was, alone and inside a batch (which it ends). Other backends answer at
 * once, and a failure there is covered by the fault injection. */
START_TEST(late_write_failure_undoes_the_call) {
  world w;
  world_open(&w, NULL, NULL, NULL);
  if (!w.pgschema[0]) {
    world_close(&w);
    return;
  }
  const char *teams[] = {"TEAMS", NULL};
  const char *id = draft(&w, &w.a, MPN_A, teams);
  free(pgtest_sql("CREATE FUNCTION %s.refuse() RETURNS trigger LANGUAGE plpgsql AS "
                  "$$BEGIN RAISE EXCEPTION 'refused by the test'; END$$",
                  w.pgschema));
  free(pgtest_sql("CREATE TRIGGER refuse BEFORE INSERT OR UPDATE ON %s.deadlines "
                  "FOR EACH ROW EXECUTE FUNCTION %s.refuse()",
                  w.pgschema, w.pgschema));
  REFUSED(&w, cpor_claim_submit(w.ctx, &w.a, id), CPOR_ESTORAGE);
  ck_assert_msg(strstr(cpor_ctx_errmsg(w.ctx), "deadline_set: refused by the test"), "%s",
                cpor_ctx_errmsg(w.ctx));
  char *before = store_dump(w.storage);
  OK(&w, cpor_ctx_begin(w.ctx));
  ck_assert_status(cpor_claim_submit(w.ctx, &w.a, id), CPOR_ESTORAGE);
  ck_assert_msg(strstr(cpor_ctx_errmsg(w.ctx), "deadline_set: refused by the test"), "%s",
                cpor_ctx_errmsg(w.ctx));
  ck_assert_status(cpor_ctx_commit(w.ctx), CPOR_ESTORAGE); /* the batch was ended */
  char *after = store_dump(w.storage);
  ck_assert_str_eq(before, after);
  free(before);
  free(after);
  ck_assert_int_eq(state_of(&w, id), CPOR_STATE_EDITING);
  world_close(&w);
}
END_TEST

static Suite *regressions_suite(void) {
  Suite *s = suite_create("regressions");
  TCase *tc = tcase_create("issue9");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, response_after_window_is_ewindow_with_or_without_advance);
  tcase_add_test(tc, dispute_does_not_revive_a_line_lost_in_arbitration);
  tcase_add_test(tc, tenant_edit_rechecks_named_subscriptions);
  tcase_add_test(tc, subscription_expiring_while_approved_rejects_the_line);
  tcase_add_test(tc, submit_rechecks_subscription_and_enrollment);
  tcase_add_test(tc, clock_skew_within_one_second_is_stamped_beyond_is_erange);
  tcase_add_test(tc, texts_are_stored_whole);
  tcase_add_test(tc, batch_tenant_with_taken_domain_keeps_nothing);
  tcase_add_test(tc, batch_advance_failing_on_second_claim_keeps_nothing);
  tcase_add_test(tc, batch_rolled_back_after_two_line_writes_keeps_no_row);
  tcase_add_test(tc, unit_row_without_partner_is_ecorrupt);
  tcase_add_test(tc, manual_clock_advance_saturates);
  tcase_add_test(tc, null_texts_are_einval);
  tcase_add_test(tc, batch_through_a_wrapper_keeps_every_call);
  tcase_add_test(tc, one_writer_batch_skips_needless_savepoints);
  tcase_add_test(tc, batch_failed_call_does_not_hide_a_due_transition);
  tcase_add_test(tc, one_writer_write_failure_keeps_nothing);
  tcase_add_test(tc, write_calls_retry_a_conflict);
  tcase_add_test(tc, late_write_failure_undoes_the_call);
  suite_add_tcase(s, tc);
  return s;
}

CPOR_TEST_MAIN(regressions_suite)
