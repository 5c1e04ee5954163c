/* The CPOR journeys of issue #3, end to end through the public API on the
 * in-memory store: exact states, reasons, codes, and an unchanged store
 * after every refusal. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "world.h"

static const char *const TEAMS[] = {"TEAMS", NULL};
static const char *const TEAMS_EXCHANGE[] = {"TEAMS", "EXCHANGE", NULL};
static const char *const EXCHANGE[] = {"EXCHANGE", NULL};

static size_t advance(world *w) {
  size_t n = 99;
  OK(w, cpor_ctx_advance(w->ctx, &n));
  return n;
}

static cpor_time window_of(world *w, const char *id) {
  cpor_claim *c = NULL;
  OK(w, cpor_claim_get(w->ctx, &w->reviewer, id, &c));
  cpor_time t = cpor_claim_window_closes_at(c);
  cpor_claim_free(c);
  return t;
}

/* 1. Happy path, in a time zone with DST, with and without a holiday. */
static void happy(int holiday) {
  cpor_calendar_builder *b = NULL;
  cpor_calendar *cal = NULL;
  ck_assert_int_eq(cpor_calendar_builder_new(&b), CPOR_OK);
  if (holiday) ck_assert_int_eq(cpor_calendar_builder_add_holiday(b, D("2026-11-04")), CPOR_OK);
  ck_assert_int_eq(cpor_calendar_builder_build(b, &cal), CPOR_OK);
  cpor_calendar_builder_free(b);
  world w;
  world_open(&w, "PST8PDT,M3.2.0,M11.1.0", cal, NULL);
  cpor_calendar_unref(cal);
  const char *id = under_review(&w, &w.a, MPN_A, TEAMS);
  world_at(&w, "2026-11-02T18:00:00"); /* Monday 10:00 PST */
  OK(&w, cpor_claim_approve(w.ctx, &w.reviewer, id));
  /* 5 business days strictly after Monday 11-02: due Monday 11-09 (Tuesday
   * 11-10 with the holiday); the window closes at the next local midnight. */
  cpor_time closes = holiday ? T("2026-11-11T08:00:00") : T("2026-11-10T08:00:00");
  ck_assert_int_eq(window_of(&w, id), closes);
  cpor_manual_clock_set(w.clock, closes - 1);
  ck_assert_uint_eq(advance(&w), 0);
  ck_assert_int_eq(state_of(&w, id), CPOR_STATE_APPROVED);
  cpor_manual_clock_set(w.clock, closes);
  ck_assert_uint_eq(advance(&w), 1);
  ck_assert_int_eq(state_of(&w, id), CPOR_STATE_ASSOCIATED);
  ck_assert_int_eq(line_state_of(&w, id, 0), CPOR_STATE_ASSOCIATED);
  ck_assert_uint_eq(advance(&w), 0); /* idempotent */
  char *h = history_kinds(&w, id);
  ck_assert_str_eq(h, "created,poe_added,submitted,review_started,approved,associated");
  free(h);
  /* The association's event is stamped at the window's close, by the system. */
  cpor_event_iter *it = NULL;
  OK(&w, cpor_claim_history(w.ctx, &w.a, id, &it));
  cpor_event *e = NULL;
  for (int i = 0; i < 6; i++) {
    cpor_event_free(e);
    ck_assert_int_eq(cpor_event_iter_next(it, &e), CPOR_OK);
  }
  ck_assert_int_eq(cpor_event_at(e), closes);
  ck_assert_int_eq(cpor_event_actor_role(e), CPOR_ROLE_SYSTEM);
  ck_assert_int_eq(cpor_event_state(e), CPOR_STATE_ASSOCIATED);
  cpor_event_free(e);
  ck_assert_int_eq(cpor_event_iter_next(it, &e), CPOR_ITEROVER);
  cpor_event_iter_free(it);
  world_close(&w);
}

START_TEST(happy_path) {
  happy(0);
}
END_TEST

START_TEST(happy_path_with_holiday) {
  happy(1);
}
END_TEST

/* 2. Opt-out inside, after, and from another tenant. */
START_TEST(opt_out) {
  world w;
  world_open(&w, NULL, NULL, NULL);
  const char *id = under_review(&w, &w.a, MPN_A, TEAMS);
  OK(&w, cpor_claim_approve(w.ctx, &w.reviewer, id));
  REFUSED(&w, cpor_claim_opt_out(w.ctx, &w.cust2, id), CPOR_EACCES);
  REFUSED(&w, cpor_claim_opt_out(w.ctx, &w.a, id), CPOR_EPERM);
  world_at(&w, "2026-11-06T12:00:00");
  OK(&w, cpor_claim_opt_out(w.ctx, &w.cust1, id));
  ck_assert_int_eq(state_of(&w, id), CPOR_STATE_REJECTED);
  ck_assert_int_eq(reason_of(&w, id), CPOR_REASON_CUSTOMER_DECLINED);
  /* Approved Monday 11-02 09:00 UTC: closes at 2026-11-10T00:00Z. */
  const char *id2 = under_review(&w, &w.a, MPN_A, EXCHANGE);
  world_at(&w, "2026-11-09T09:00:00");
  OK(&w, cpor_claim_approve(w.ctx, &w.reviewer, id2));
  ck_assert_int_eq(window_of(&w, id2), T("2026-11-17T00:00:00"));
  world_at(&w, "2026-11-17T00:00:00");
  if (getenv("CPOR_TEST_VARIANTS") && strstr(getenv("CPOR_TEST_VARIANTS"), "may_end")) {
    /* The variant: the customer may end the official association. */
    OK(&w, cpor_claim_opt_out(w.ctx, &w.cust1, id2));
    ck_assert_int_eq(state_of(&w, id2), CPOR_STATE_ENDED);
    ck_assert_int_eq(reason_of(&w, id2), CPOR_REASON_CUSTOMER_DECLINED);
  } else {
    REFUSED(&w, cpor_claim_opt_out(w.ctx, &w.cust1, id2), CPOR_EWINDOW);
  }
  world_close(&w);
}
END_TEST

/* 3. Information requested: no response -> rejected; a response -> back. */
START_TEST(no_response) {
  world w;
  world_open(&w, NULL, NULL, NULL);
  const char *id = under_review(&w, &w.a, MPN_A, TEAMS);
  OK(&w, cpor_claim_request_info(w.ctx, &w.reviewer, id, CPOR_INFO_MISSING_POE,
                                 "Please attach the usage report"));
  ck_assert_int_eq(state_of(&w, id), CPOR_STATE_PARTNER_ACTION_REQUIRED);
  ck_assert_int_eq(window_of(&w, id), T("2026-11-10T00:00:00"));
  world_at(&w, "2026-11-09T23:59:59.999");
  ck_assert_uint_eq(advance(&w), 0);
  world_at(&w, "2026-11-10T00:00:00");
  ck_assert_uint_eq(advance(&w), 1);
  ck_assert_int_eq(state_of(&w, id), CPOR_STATE_REJECTED);
  ck_assert_int_eq(reason_of(&w, id), CPOR_REASON_NO_PARTNER_RESPONSE);

  const char *id2 = under_review(&w, &w.a, MPN_A, EXCHANGE);
  OK(&w,
     cpor_claim_request_info(w.ctx, &w.reviewer, id2, CPOR_INFO_MISSING_PRODUCTS, "Which users?"));
  REFUSED(&w, cpor_claim_respond(w.ctx, &w.a, id2, ""), CPOR_EINCOMPLETE);
  REFUSED(&w, cpor_claim_respond(w.ctx, &w.a_user, id2, "all"), CPOR_EPERM);
  OK(&w, cpor_claim_respond(w.ctx, &w.a, id2, "All 250 users"));
  ck_assert_int_eq(state_of(&w, id2), CPOR_STATE_UNDER_REVIEW);
  world_at(&w, "2026-12-31T00:00:00");
  ck_assert_uint_eq(advance(&w), 0);
  ck_assert_int_eq(state_of(&w, id2), CPOR_STATE_UNDER_REVIEW);
  world_close(&w);
}
END_TEST

/* 4. Disputes: day 30 accepted, day 31 refused; upheld is final; granted
 * goes back under review. */
START_TEST(disputes) {
  world w;
  world_open(&w, NULL, NULL, NULL);
  const char *id = under_review(&w, &w.a, MPN_A, TEAMS);
  world_at(&w, "2026-11-02T15:00:00");
  OK(&w, cpor_claim_reject(w.ctx, &w.reviewer, id, CPOR_REASON_INSUFFICIENT_POE, "blurry"));
  ck_assert_int_eq(window_of(&w, id), T("2026-12-03T00:00:00"));
  world_at(&w, "2026-12-03T00:00:00"); /* day 31 */
  REFUSED(&w, cpor_claim_dispute(w.ctx, &w.a, id, "It is readable"), CPOR_EWINDOW);
  world_at(&w, "2026-12-02T23:59:59"); /* day 30 */
  REFUSED(&w, cpor_claim_dispute(w.ctx, &w.a, id, ""), CPOR_EINCOMPLETE);
  REFUSED(&w, cpor_claim_dispute(w.ctx, &w.a_user, id, "x"), CPOR_EPERM);
  OK(&w, cpor_claim_dispute(w.ctx, &w.a, id, "It is readable"));
  ck_assert_int_eq(state_of(&w, id), CPOR_STATE_DISPUTED);
  OK(&w, cpor_claim_decide_dispute(w.ctx, &w.reviewer, id, 0, "still blurry"));
  ck_assert_int_eq(state_of(&w, id), CPOR_STATE_REJECTED);
  ck_assert_int_eq(reason_of(&w, id), CPOR_REASON_INSUFFICIENT_POE);
  REFUSED(&w, cpor_claim_dispute(w.ctx, &w.a, id, "again"), CPOR_ESTATE);

  const char *id2 = under_review(&w, &w.a, MPN_A, EXCHANGE);
  OK(&w, cpor_claim_reject(w.ctx, &w.reviewer, id2, CPOR_REASON_MISSING_CONSENT, NULL));
  OK(&w, cpor_claim_dispute(w.ctx, &w.a, id2, "Consent is on page 2"));
  OK(&w, cpor_claim_decide_dispute(w.ctx, &w.reviewer, id2, 1, NULL));
  ck_assert_int_eq(state_of(&w, id2), CPOR_STATE_UNDER_REVIEW);
  char *h = history_kinds(&w, id2);
  ck_assert_str_eq(h, "created,poe_added,submitted,review_started,rejected,disputed,"
                      "dispute_granted");
  free(h);
  /* A withdrawal cannot be disputed. */
  const char *id3 = draft(&w, &w.a, MPN_A, (const char *const[]){"INTUNE", NULL});
  OK(&w, cpor_claim_withdraw(w.ctx, &w.a_billing, id3));
  ck_assert_int_eq(reason_of(&w, id3), CPOR_REASON_PARTNER_REQUEST);
  REFUSED(&w, cpor_claim_dispute(w.ctx, &w.a, id3, "oops"), CPOR_ESTATE);
  world_close(&w);
}
END_TEST

/* 5. Competing claims and arbitration. */
static const char *holder(world *w, const cpor_actor *who, const char *mpn, const char *const *wl) {
  const char *id = under_review(w, who, mpn, wl);
  OK(w, cpor_claim_approve(w->ctx, &w->reviewer, id));
  world_at(w, "2026-11-20T00:00:00");
  ck_assert_uint_eq(advance(w), 1);
  ck_assert_int_eq(state_of(w, id), CPOR_STATE_ASSOCIATED);
  return id;
}

/* The reviewer's view of a claim's competitors, as sorted partner:STATE. */
static void competitors(world *w, const char *id, const char *want) {
  cpor_claim_iter *it = NULL;
  OK(w, cpor_claim_competitors(w->ctx, &w->reviewer, id, &it));
  char items[8][64];
  size_t n = 0;
  cpor_claim *c;
  while (n < 8 && cpor_claim_iter_next(it, &c) == CPOR_OK) {
    snprintf(items[n++], sizeof items[0], "%s:%s", cpor_claim_partner_id(c),
             cpor_state_name(cpor_claim_state(c)));
    cpor_claim_free(c);
  }
  cpor_claim_iter_free(it);
  qsort(items, n, sizeof items[0], (int (*)(const void *, const void *))strcmp);
  char got[512] = "";
  for (size_t i = 0; i < n; i++) {
    if (i) strcat(got, ",");
    strcat(got, items[i]);
  }
  ck_assert_str_eq(got, want);
}

static int holders(world *w, int state) {
  cpor_claim_query q = CPOR_CLAIM_QUERY_INIT;
  q.tenant_id = T1;
  q.unit_workload = "TEAMS";
  cpor_claim_iter *it = NULL;
  OK(w, cpor_claim_find(w->ctx, &w->reviewer, &q, &it));
  cpor_claim *c;
  int n = 0;
  while (cpor_claim_iter_next(it, &c) == CPOR_OK) {
    for (size_t i = 0; i < cpor_claim_line_count(c); i++)
      if (!strcmp(cpor_claim_line_workload(c, i), "TEAMS") && cpor_claim_line_state(c, i) == state)
        n++;
    cpor_claim_free(c);
  }
  cpor_claim_iter_free(it);
  return n;
}

START_TEST(arbitration) {
  world w;
  world_open(&w, NULL, NULL, NULL);
  char a[37], b[37], c[37];
  strcpy(a, holder(&w, &w.a, MPN_A, TEAMS));
  world_at(&w, "2026-11-23T09:00:00");
  strcpy(b, under_review(&w, &w.b, MPN_B, TEAMS));
  strcpy(c, under_review(&w, &w.c, MPN_C, TEAMS));
  cpor_claim *x = NULL;
  OK(&w, cpor_claim_get(w.ctx, &w.b, b, &x));
  ck_assert_int_eq(cpor_claim_contested(x), 1);
  cpor_claim_free(x);
  OK(&w, cpor_claim_get(w.ctx, &w.c, c, &x));
  ck_assert_int_eq(cpor_claim_contested(x), 1);
  cpor_claim_free(x);
  /* The reviewer sees who competes; the partners never do. */
  competitors(&w, b, "contoso:ASSOCIATED,northwind:UNDER_REVIEW");
  competitors(&w, a, "fabrikam:UNDER_REVIEW,northwind:UNDER_REVIEW");
  cpor_claim_iter *none = NULL;
  REFUSED(&w, cpor_claim_competitors(w.ctx, &w.b, b, &none), CPOR_EPERM);
  ck_assert_ptr_null(none);
  REFUSED(&w, cpor_claim_competitors(w.ctx, &w.cust1, b, &none), CPOR_EPERM);
  OK(&w, cpor_claim_approve(w.ctx, &w.reviewer, b));
  ck_assert_int_eq(state_of(&w, c), CPOR_STATE_REJECTED);
  ck_assert_int_eq(reason_of(&w, c), CPOR_REASON_LOST_ARBITRATION);
  competitors(&w, b, "contoso:ASSOCIATED");
  ck_assert_int_eq(state_of(&w, a), CPOR_STATE_ASSOCIATED);
  ck_assert_int_eq(holders(&w, CPOR_STATE_ASSOCIATED), 1);
  ck_assert_int_eq(holders(&w, CPOR_STATE_APPROVED), 1);
  world_at(&w, "2026-12-01T00:00:00");
  ck_assert_uint_eq(advance(&w), 2); /* B associated, A ended */
  ck_assert_int_eq(state_of(&w, b), CPOR_STATE_ASSOCIATED);
  ck_assert_int_eq(state_of(&w, a), CPOR_STATE_ENDED);
  ck_assert_int_eq(reason_of(&w, a), CPOR_REASON_SUPERSEDED);
  ck_assert_int_eq(holders(&w, CPOR_STATE_ASSOCIATED), 1);
  ck_assert_int_eq(holders(&w, CPOR_STATE_APPROVED), 0);
  char *h = history_kinds(&w, a);
  ck_assert_str_eq(
      h, "created,poe_added,submitted,review_started,approved,associated,contested,ended");
  free(h);
  world_close(&w);
}
END_TEST

START_TEST(arbitration_customer_opts_out) {
  world w;
  world_open(&w, NULL, NULL, NULL);
  char a[37], b[37];
  strcpy(a, holder(&w, &w.a, MPN_A, TEAMS));
  strcpy(b, under_review(&w, &w.b, MPN_B, TEAMS));
  OK(&w, cpor_claim_approve(w.ctx, &w.reviewer, b));
  OK(&w, cpor_claim_opt_out(w.ctx, &w.cust1, b));
  world_at(&w, "2027-01-01T00:00:00");
  ck_assert_uint_eq(advance(&w), 0);
  ck_assert_int_eq(state_of(&w, a), CPOR_STATE_ASSOCIATED);
  ck_assert_int_eq(state_of(&w, b), CPOR_STATE_REJECTED);
  world_close(&w);
}
END_TEST

START_TEST(arbitration_partial_lines) {
  world w;
  world_open(&w, NULL, NULL, NULL);
  char a[37], b[37];
  strcpy(a, holder(&w, &w.a, MPN_A, TEAMS_EXCHANGE));
  strcpy(b, under_review(&w, &w.b, MPN_B, TEAMS));
  OK(&w, cpor_claim_approve(w.ctx, &w.reviewer, b));
  world_at(&w, "2027-01-01T00:00:00");
  ck_assert_uint_eq(advance(&w), 1);
  ck_assert_int_eq(state_of(&w, a), CPOR_STATE_ASSOCIATED); /* keeps EXCHANGE */
  ck_assert_int_eq(line_state_of(&w, a, 0), CPOR_STATE_ENDED);
  ck_assert_int_eq(line_state_of(&w, a, 1), CPOR_STATE_ASSOCIATED);
  char *h = history_kinds(&w, a);
  ck_assert_str_eq(
      h, "created,poe_added,submitted,review_started,approved,associated,contested,line_ended");
  free(h);
  world_close(&w);
}
END_TEST

START_TEST(second_approval_waits) {
  world w;
  world_open(&w, NULL, NULL, NULL);
  char b[37], c[37];
  strcpy(b, under_review(&w, &w.b, MPN_B, TEAMS));
  OK(&w, cpor_claim_approve(w.ctx, &w.reviewer, b));
  strcpy(c, under_review(&w, &w.c, MPN_C, TEAMS)); /* submitted during B's window */
  REFUSED(&w, cpor_claim_approve(w.ctx, &w.reviewer, c), CPOR_ESTATE);
  world_close(&w);
}
END_TEST

/* 6. Duplicates. */
START_TEST(duplicates) {
  world w;
  world_open(&w, NULL, NULL, NULL);
  holder(&w, &w.a, MPN_A, TEAMS);
  cpor_claim_spec s = CPOR_CLAIM_SPEC_INIT;
  s.mpn_id = MPN_A;
  s.tenant_id = T1;
  s.domain = T1_DOMAIN;
  s.area = CPOR_AREA_M365;
  s.activity = CPOR_ACTIVITY_USAGE;
  s.line_count = 1;
  s.workloads = TEAMS;
  REFUSED(&w, cpor_claim_create(w.ctx, &w.a, &s, NULL), CPOR_EDUPLICATE);
  /* A draft never blocks another claim (DESIGN.md 1.3): a second draft of
   * the same unit is fine, and so is submitting one of them; the other is
   * then a duplicate at submit. */
  const char *p = draft(&w, &w.a, MPN_A, EXCHANGE);
  s.workloads = EXCHANGE;
  OK(&w, cpor_claim_create(w.ctx, &w.a, &s, NULL));
  OK(&w, cpor_claim_submit(w.ctx, &w.a, p));
  REFUSED(&w, cpor_claim_create(w.ctx, &w.a, &s, NULL), CPOR_EDUPLICATE);
  /* Another partner may claim it: that is arbitration, not a duplicate. */
  s.mpn_id = MPN_B;
  OK(&w, cpor_claim_create(w.ctx, &w.b, &s, NULL));
  world_close(&w);
}
END_TEST

/* 7. Refusals. */
START_TEST(refusals) {
  world w;
  world_open(&w, NULL, NULL, NULL);
  cpor_claim_spec s = CPOR_CLAIM_SPEC_INIT;
  s.mpn_id = MPN_A;
  s.tenant_id = T1;
  s.domain = T2_DOMAIN;
  s.area = CPOR_AREA_M365;
  s.activity = CPOR_ACTIVITY_USAGE;
  s.line_count = 1;
  s.workloads = TEAMS;
  REFUSED(&w, cpor_claim_create(w.ctx, &w.a, &s, NULL), CPOR_EMISMATCH);
  s.domain = T1_DOMAIN;
  s.activity = CPOR_ACTIVITY_PRESALES;
  REFUSED(&w, cpor_claim_create(w.ctx, &w.a, &s, NULL), CPOR_EACTIVITY);
  s.activity = CPOR_ACTIVITY_USAGE;
  s.mpn_id = MPN_A_UNENROLLED;
  REFUSED(&w, cpor_claim_create(w.ctx, &w.a, &s, NULL), CPOR_ENOTENROLLED);
  s.mpn_id = MPN_B; /* another partner's location */
  REFUSED(&w, cpor_claim_create(w.ctx, &w.a, &s, NULL), CPOR_ENOTFOUND);
  s.mpn_id = MPN_A;
  s.area = CPOR_AREA_BIZAPPS;
  const char *sales[] = {"D365_SALES"};
  s.workloads = sales;
  struct {
    const char *sub, *msg;
  } subs[] = {
      {SUB_CSP, "sold through CSP"},
      {SUB_PROV, "not for the line's product"},
      {SUB_OTHER_TENANT, "not on the claimed tenant"},
  };
  for (size_t i = 0; i < 3; i++) {
    const char *v[] = {subs[i].sub};
    s.subscriptions = v;
    REFUSED(&w, cpor_claim_create(w.ctx, &w.a, &s, NULL), CPOR_ESUBSCRIPTION);
    ck_assert_msg(strstr(cpor_ctx_errmsg(w.ctx), subs[i].msg), "%s", cpor_ctx_errmsg(w.ctx));
  }
  const char *fin[] = {"D365_FINANCE"};
  s.workloads = fin;
  const char *prov[] = {SUB_PROV}, *exp[] = {SUB_EXPIRED}, *dis[] = {SUB_DISABLED};
  s.subscriptions = prov;
  REFUSED(&w, cpor_claim_create(w.ctx, &w.a, &s, NULL), CPOR_ESUBSCRIPTION);
  ck_assert_ptr_nonnull(strstr(cpor_ctx_errmsg(w.ctx), "not yet provisioned"));
  s.subscriptions = exp;
  REFUSED(&w, cpor_claim_create(w.ctx, &w.a, &s, NULL), CPOR_ESUBSCRIPTION);
  ck_assert_ptr_nonnull(strstr(cpor_ctx_errmsg(w.ctx), "expired"));
  s.subscriptions = dis;
  REFUSED(&w, cpor_claim_create(w.ctx, &w.a, &s, NULL), CPOR_ESUBSCRIPTION);
  ck_assert_ptr_nonnull(strstr(cpor_ctx_errmsg(w.ctx), "disabled"));
  /* The tenant's only claimable D365_SALES subscription is resolved. */
  s.workloads = sales;
  s.subscriptions = NULL;
  cpor_claim *c = NULL;
  OK(&w, cpor_claim_create(w.ctx, &w.a, &s, &c));
  ck_assert_str_eq(cpor_claim_line_subscription(c, 0), SUB_SALES);
  /* Submit without PoE; a D365 claim also needs a technical contact. */
  REFUSED(&w, cpor_claim_submit(w.ctx, &w.a, cpor_claim_id(c)), CPOR_EINCOMPLETE);
  cpor_claim_free(c);

  const char *id = draft(&w, &w.a, MPN_A, TEAMS);
  REFUSED(&w, cpor_claim_submit(w.ctx, &w.a_user, id), CPOR_EPERM);
  OK(&w, cpor_claim_submit(w.ctx, &w.a, id));
  OK(&w, cpor_claim_start_review(w.ctx, &w.reviewer, id));
  cpor_claim_spec e = CPOR_CLAIM_SPEC_INIT;
  e.customer_contact_title = "CTO";
  REFUSED(&w, cpor_claim_edit(w.ctx, &w.a, id, &e), CPOR_ESTATE);
  /* Another partner neither reads nor acts on it: no existence leak. */
  cpor_claim *x = NULL;
  REFUSED(&w, cpor_claim_get(w.ctx, &w.b, id, &x), CPOR_ENOTFOUND);
  ck_assert_ptr_null(x);
  REFUSED(&w, cpor_claim_withdraw(w.ctx, &w.b, id), CPOR_ENOTFOUND);
  REFUSED(&w, cpor_claim_comment(w.ctx, &w.b, id, "hi"), CPOR_ENOTFOUND);
  char msg_other[512];
  strcpy(msg_other, cpor_ctx_errmsg(w.ctx));
  REFUSED(&w, cpor_claim_comment(w.ctx, &w.b, "01234567-89ab-cdef-0123-456789abcdef", "hi"),
          CPOR_ENOTFOUND);
  /* The reviewer cannot act for the partner; the customer of the tenant
   * reads its claims, another tenant's customer may not. */
  REFUSED(&w, cpor_claim_withdraw(w.ctx, &w.reviewer, id), CPOR_EPERM);
  OK(&w, cpor_claim_get(w.ctx, &w.cust1, id, &x));
  cpor_claim_free(x);
  REFUSED(&w, cpor_claim_get(w.ctx, &w.cust2, id, &x), CPOR_EACCES);
  world_close(&w);
}
END_TEST

/* Bad input everywhere: EINVAL / EVERSION with a message, nothing changed. */
START_TEST(bad_input) {
  world w;
  world_open(&w, NULL, NULL, NULL);
  const char *id = draft(&w, &w.a, MPN_A, TEAMS);
  cpor_actor bad = w.a;
  bad.version = 99;
  REFUSED(&w, cpor_claim_submit(w.ctx, &bad, id), CPOR_EVERSION);
  bad = w.a;
  bad.role = 42;
  REFUSED(&w, cpor_claim_submit(w.ctx, &bad, id), CPOR_EINVAL);
  bad = w.a;
  bad.user = NULL;
  REFUSED(&w, cpor_claim_submit(w.ctx, &bad, id), CPOR_EINVAL);
  REFUSED(&w, cpor_claim_submit(w.ctx, NULL, id), CPOR_EINVAL);
  REFUSED(&w, cpor_claim_submit(w.ctx, &w.a, "not-a-guid"), CPOR_EINVAL);
  REFUSED(&w, cpor_claim_submit(w.ctx, &w.a, NULL), CPOR_EINVAL);
  cpor_claim_spec s = CPOR_CLAIM_SPEC_INIT;
  s.version = 7;
  REFUSED(&w, cpor_claim_create(w.ctx, &w.a, &s, NULL), CPOR_EVERSION);
  REFUSED(&w, cpor_claim_create(w.ctx, &w.a, NULL, NULL), CPOR_EINVAL);
  s.version = CPOR_CLAIM_SPEC_VERSION;
  REFUSED(&w, cpor_claim_create(w.ctx, &w.a, &s, NULL), CPOR_EINCOMPLETE);
  s.mpn_id = "12345678901";
  s.tenant_id = T1;
  s.domain = T1_DOMAIN;
  s.area = CPOR_AREA_M365;
  s.activity = CPOR_ACTIVITY_USAGE;
  REFUSED(&w, cpor_claim_create(w.ctx, &w.a, &s, NULL), CPOR_EINVAL);
  s.mpn_id = MPN_A;
  s.tenant_id = "{11111111-2222-3333-4444-55555555555}";
  REFUSED(&w, cpor_claim_create(w.ctx, &w.a, &s, NULL), CPOR_EINVAL);
  s.tenant_id = "{11111111-2222-3333-4444-555555555555}"; /* braces are fine */
  s.domain = "-bad.example.com";
  REFUSED(&w, cpor_claim_create(w.ctx, &w.a, &s, NULL), CPOR_EINVAL);
  s.domain = "CONTOSO.onmicrosoft.COM"; /* case-insensitive */
  s.customer_contact_email = "carol@@contoso.com";
  REFUSED(&w, cpor_claim_create(w.ctx, &w.a, &s, NULL), CPOR_EINVAL);
  s.customer_contact_email = NULL;
  s.area = 9;
  REFUSED(&w, cpor_claim_create(w.ctx, &w.a, &s, NULL), CPOR_EINVAL);
  s.area = CPOR_AREA_M365;
  char longname[300];
  memset(longname, 'x', sizeof longname - 1);
  longname[sizeof longname - 1] = 0;
  s.name = longname;
  REFUSED(&w, cpor_claim_create(w.ctx, &w.a, &s, NULL), CPOR_EINVAL);
  s.name = "\xff\xfe";
  REFUSED(&w, cpor_claim_create(w.ctx, &w.a, &s, NULL), CPOR_EINVAL);
  s.name = "ok";
  cpor_claim *c = NULL;
  OK(&w, cpor_claim_create(w.ctx, &w.a, &s, &c));
  ck_assert_str_eq(cpor_claim_tenant_id(c), T1);
  ck_assert_str_eq(cpor_claim_domain(c), T1_DOMAIN);
  cpor_claim_free(c);
  REFUSED(&w, cpor_claim_add_poe(w.ctx, &w.a, id, "x", "pdf", "00", 1), CPOR_EINVAL);
  REFUSED(&w, cpor_claim_add_poe(w.ctx, &w.a, id, "x", "application/pdf", "00", 1), CPOR_EINVAL);
  REFUSED(&w, cpor_claim_reject(w.ctx, &w.reviewer, id, CPOR_REASON_SUPERSEDED, NULL), CPOR_EINVAL);
  REFUSED(&w, cpor_partner_create(w.ctx, SYS, "bad id!", "x"), CPOR_EINVAL);
  REFUSED(&w, cpor_partner_create(w.ctx, SYS, "contoso", "again"), CPOR_EEXISTS);
  REFUSED(&w, cpor_location_create(w.ctx, SYS, "contoso", "12a", "x"), CPOR_EINVAL);
  REFUSED(&w, cpor_location_create(w.ctx, SYS, "nobody", "999", "x"), CPOR_ENOTFOUND);
  REFUSED(&w, cpor_location_create(w.ctx, SYS, "fabrikam", MPN_A, "x"), CPOR_EEXISTS);
  REFUSED(&w, cpor_tenant_add_domain(w.ctx, SYS, T2, T1_DOMAIN), CPOR_EEXISTS);
  REFUSED(&w, cpor_workload_register(w.ctx, SYS, "TEAMS", "Teams again", CPOR_AREA_M365, 0),
          CPOR_EEXISTS);
  REFUSED(&w, cpor_workload_register(w.ctx, SYS, "lower", "x", CPOR_AREA_M365, 0), CPOR_EINVAL);
  world_close(&w);
}
END_TEST

/* 8. History: every step with actor and text. */
START_TEST(history_actors) {
  world w;
  world_open(&w, NULL, NULL, NULL);
  const char *id = draft(&w, &w.a_user, MPN_A, TEAMS);
  OK(&w, cpor_claim_comment(w.ctx, &w.a_user, id, "drafted by Uma"));
  OK(&w, cpor_claim_submit(w.ctx, &w.a, id));
  cpor_event_iter *it = NULL;
  OK(&w, cpor_claim_history(w.ctx, &w.a, id, &it));
  const struct {
    int kind, role;
    const char *user, *text;
  } want[] = {
      {CPOR_EVENT_CREATED, CPOR_ROLE_INCENTIVES_USER, "uma@contoso", "claim created"},
      {CPOR_EVENT_POE_ADDED, CPOR_ROLE_INCENTIVES_USER, "uma@contoso", NULL},
      {CPOR_EVENT_COMMENTED, CPOR_ROLE_INCENTIVES_USER, "uma@contoso", "drafted by Uma"},
      {CPOR_EVENT_SUBMITTED, CPOR_ROLE_INCENTIVES_ADMIN, "ann@contoso", "submitted for review"},
  };
  for (size_t i = 0; i < 4; i++) {
    cpor_event *e = NULL;
    ck_assert_int_eq(cpor_event_iter_next(it, &e), CPOR_OK);
    ck_assert_uint_eq(cpor_event_seq(e), i + 1);
    ck_assert_int_eq(cpor_event_kind(e), want[i].kind);
    ck_assert_int_eq(cpor_event_actor_role(e), want[i].role);
    ck_assert_str_eq(cpor_event_actor_org(e), "contoso");
    ck_assert_str_eq(cpor_event_actor_user(e), want[i].user);
    if (want[i].text) ck_assert_str_eq(cpor_event_text(e), want[i].text);
    cpor_event_free(e);
  }
  cpor_event *e = NULL;
  ck_assert_int_eq(cpor_event_iter_next(it, &e), CPOR_ITEROVER);
  cpor_event_iter_free(it);
  world_close(&w);
}
END_TEST

/* Subscription end ends its associations. */
START_TEST(subscription_end) {
  world w;
  world_open(&w, NULL, NULL, NULL);
  const char *wl[] = {"D365_SALES"}, *sub[] = {SUB_SALES};
  cpor_claim_spec s = test_spec("Sales", MPN_A, T1, T1_DOMAIN, CPOR_AREA_BIZAPPS, 1, wl);
  s.subscriptions = sub;
  cpor_claim *c = NULL;
  OK(&w, cpor_claim_create(w.ctx, &w.a, &s, &c));
  char id[37];
  strcpy(id, cpor_claim_id(c));
  cpor_claim_free(c);
  OK(&w, cpor_claim_add_poe(w.ctx, &w.a, id, "p", "application/pdf",
                            "9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08", 9));
  REFUSED(&w, cpor_claim_submit(w.ctx, &w.a, id), CPOR_EINCOMPLETE); /* technical contact */
  cpor_claim_spec e = CPOR_CLAIM_SPEC_INIT;
  e.technical_contact_name = "Tess";
  e.technical_contact_email = "tess@contoso.com";
  OK(&w, cpor_claim_edit(w.ctx, &w.a, id, &e));
  OK(&w, cpor_claim_submit(w.ctx, &w.a, id));
  OK(&w, cpor_claim_start_review(w.ctx, &w.reviewer, id));
  OK(&w, cpor_claim_approve(w.ctx, &w.reviewer, id));
  world_at(&w, "2026-12-01T00:00:00");
  ck_assert_uint_eq(advance(&w), 1);
  size_t changed = 0;
  OK(&w, cpor_subscription_set_state(w.ctx, SYS, SUB_SALES, CPOR_SUB_EXPIRED, &changed));
  ck_assert_uint_eq(changed, 1);
  ck_assert_int_eq(state_of(&w, id), CPOR_STATE_ENDED);
  ck_assert_int_eq(reason_of(&w, id), CPOR_REASON_SUBSCRIPTION_ENDED);
  world_close(&w);
}
END_TEST

START_TEST(remove_and_overdue) {
  world w;
  world_open(&w, NULL, NULL, NULL);
  const char *id = holder(&w, &w.a, MPN_A, TEAMS);
  REFUSED(&w, cpor_claim_remove(w.ctx, &w.a_user, id, CPOR_REMOVAL_ENGAGEMENT_ENDED, NULL),
          CPOR_EPERM);
  OK(&w, cpor_claim_remove(w.ctx, &w.a_billing, id, CPOR_REMOVAL_ENGAGEMENT_ENDED, NULL));
  ck_assert_int_eq(state_of(&w, id), CPOR_STATE_ENDED);
  ck_assert_int_eq(reason_of(&w, id), CPOR_REASON_PARTNER_REMOVED);
  /* Submitted Monday 2026-11-23: the review-start SLA ends 2026-12-01. */
  world_at(&w, "2026-11-23T10:00:00");
  const char *s = draft(&w, &w.a, MPN_A, EXCHANGE);
  OK(&w, cpor_claim_submit(w.ctx, &w.a, s));
  cpor_claim_query q = CPOR_CLAIM_QUERY_INIT;
  q.overdue = 1;
  cpor_claim_iter *it = NULL;
  cpor_claim *c = NULL;
  world_at(&w, "2026-11-30T23:59:59");
  OK(&w, cpor_claim_find(w.ctx, &w.reviewer, &q, &it));
  ck_assert_int_eq(cpor_claim_iter_next(it, &c), CPOR_ITEROVER);
  cpor_claim_iter_free(it);
  world_at(&w, "2026-12-01T00:00:00");
  OK(&w, cpor_claim_find(w.ctx, &w.reviewer, &q, &it));
  ck_assert_int_eq(cpor_claim_iter_next(it, &c), CPOR_OK);
  ck_assert_str_eq(cpor_claim_id(c), s);
  ck_assert_int_eq(cpor_claim_overdue(c), 1);
  cpor_claim_free(c);
  ck_assert_int_eq(cpor_claim_iter_next(it, &c), CPOR_ITEROVER);
  cpor_claim_iter_free(it);
  /* Another partner's query never shows it. */
  q.overdue = 0;
  q.partner_id = "contoso";
  OK(&w, cpor_claim_find(w.ctx, &w.b, &q, &it));
  ck_assert_int_eq(cpor_claim_iter_next(it, &c), CPOR_ITEROVER);
  cpor_claim_iter_free(it);
  world_close(&w);
}
END_TEST

static Suite *claims_suite(void) {
  Suite *s = suite_create("claims");
  TCase *tc = tcase_create("journeys");
  tcase_add_test(tc, happy_path);
  tcase_add_test(tc, happy_path_with_holiday);
  tcase_add_test(tc, opt_out);
  tcase_add_test(tc, no_response);
  tcase_add_test(tc, disputes);
  tcase_add_test(tc, arbitration);
  tcase_add_test(tc, arbitration_customer_opts_out);
  tcase_add_test(tc, arbitration_partial_lines);
  tcase_add_test(tc, second_approval_waits);
  tcase_add_test(tc, duplicates);
  tcase_add_test(tc, refusals);
  tcase_add_test(tc, bad_input);
  tcase_add_test(tc, history_actors);
  tcase_add_test(tc, subscription_end);
  tcase_add_test(tc, remove_and_overdue);
  suite_add_tcase(s, tc);
  return s;
}

CPOR_TEST_MAIN(claims_suite)
