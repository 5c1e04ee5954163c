/* Partner Center fidelity (issue 13): info-needed reasons, removal reasons,
 * PoE on approved associations and its instants, the preflight check and
 * submit's complete problem list, the claim's recorded policy, the 2023
 * activity names. Runs on memory and SQLite. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "world.h"

#define SHA "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"

static const char *const TEAMS[] = {"TEAMS", NULL};
static const char *const EXCHANGE[] = {"EXCHANGE", NULL};

/* The payload of the claim's last event. */
static char *last_payload(world *w, const char *id) {
  cpor_event_iter *it = NULL;
  test_ok(cpor_claim_history(w->ctx, &w->system, id, &it), w->ctx, "history");
  cpor_event *e;
  char *p = NULL;
  while (cpor_event_iter_next(it, &e) == CPOR_OK) {
    free(p);
    p = strdup(cpor_event_payload(e));
    cpor_event_free(e);
  }
  cpor_event_iter_free(it);
  return p;
}

START_TEST(info_request_reasons) {
  world w;
  world_open(&w, NULL, NULL, NULL);
  const char *id = under_review(&w, &w.a, MPN_A, TEAMS);
  REFUSED(&w, cpor_claim_request_info(w.ctx, &w.reviewer, id, 0, "x"), CPOR_EINVAL);
  ck_assert_ptr_nonnull(strstr(cpor_ctx_errmsg(w.ctx), "missing_customer_ack"));
  REFUSED(&w, cpor_claim_request_info(w.ctx, &w.reviewer, id, 7, "x"), CPOR_EINVAL);
  REFUSED(&w, cpor_claim_request_info(w.ctx, &w.reviewer, id, CPOR_INFO_MISSING_DATES, NULL),
          CPOR_EINVAL);
  test_ok(cpor_claim_request_info(w.ctx, &w.reviewer, id, CPOR_INFO_MISSING_DATES, "the dates"),
          w.ctx, "request");
  cpor_claim *c = NULL;
  test_ok(cpor_claim_get(w.ctx, &w.a, id, &c), w.ctx, "get");
  ck_assert_int_eq(cpor_claim_info_reason(c), CPOR_INFO_MISSING_DATES);
  cpor_claim_free(c);
  char *p = last_payload(&w, id);
  ck_assert_str_eq(p, "{\"reason\":\"missing_dates\"}");
  free(p);
  test_ok(cpor_claim_respond(w.ctx, &w.a, id, "attached"), w.ctx, "respond");
  test_ok(cpor_claim_get(w.ctx, &w.a, id, &c), w.ctx, "get");
  ck_assert_int_eq(cpor_claim_info_reason(c), 0); /* only while the request is open */
  cpor_claim_free(c);
  ck_assert_str_eq(cpor_info_reason_name(CPOR_INFO_MISSING_CUSTOMER_ACK), "missing_customer_ack");
  int v = 0;
  ck_assert_int_eq(cpor_info_reason_from_name("missing_partner_service", &v), CPOR_OK);
  ck_assert_int_eq(v, CPOR_INFO_MISSING_PARTNER_SERVICE);
  ck_assert_int_eq(cpor_info_reason_from_name("Missing_poe", &v), CPOR_EINVAL);
  world_close(&w);
}
END_TEST

static const char *associated(world *w, const cpor_actor *who, const char *mpn,
                              const char *const *wl) {
  const char *id = under_review(w, who, mpn, wl);
  test_ok(cpor_claim_approve(w->ctx, &w->reviewer, id), w->ctx, "approve");
  cpor_manual_clock_advance(w->clock, 10 * 86400000LL);
  return id;
}

START_TEST(removal_reasons) {
  world w;
  world_open(&w, NULL, NULL, NULL);
  const char *id = associated(&w, &w.a, MPN_A, TEAMS);
  ck_assert_int_eq(state_of(&w, id), CPOR_STATE_ASSOCIATED);
  REFUSED(&w, cpor_claim_remove(w.ctx, &w.a, id, 0, NULL), CPOR_EINVAL);
  ck_assert_ptr_nonnull(strstr(cpor_ctx_errmsg(w.ctx), "claimed_in_error"));
  REFUSED(&w, cpor_claim_remove(w.ctx, &w.a, id, CPOR_REMOVAL_OTHER, NULL), CPOR_EINVAL);
  REFUSED(&w, cpor_claim_remove(w.ctx, &w.a, id, CPOR_REMOVAL_OTHER, ""), CPOR_EINCOMPLETE);
  test_ok(cpor_claim_remove(w.ctx, &w.a, id, CPOR_REMOVAL_CLAIMED_IN_ERROR, "wrong tenant"), w.ctx,
          "remove");
  cpor_claim *c = NULL;
  test_ok(cpor_claim_get(w.ctx, &w.a, id, &c), w.ctx, "get");
  ck_assert_int_eq(cpor_claim_state(c), CPOR_STATE_ENDED);
  ck_assert_int_eq(cpor_claim_reason(c), CPOR_REASON_PARTNER_REMOVED);
  ck_assert_int_eq(cpor_claim_removal_reason(c), CPOR_REMOVAL_CLAIMED_IN_ERROR);
  cpor_claim_free(c);
  char *p = last_payload(&w, id);
  ck_assert_str_eq(p, "{\"reason\":\"claimed_in_error\"}");
  free(p);
  cpor_claim *r = NULL;
  test_ok(cpor_claim_replay(w.ctx, &w.system, id, &r), w.ctx, "replay");
  ck_assert_int_eq(cpor_claim_removal_reason(r), CPOR_REMOVAL_CLAIMED_IN_ERROR);
  cpor_claim_free(r);
  world_close(&w);
}
END_TEST

START_TEST(poe_on_approved_and_associated) {
  world w;
  world_open(&w, NULL, NULL, NULL);
  const char *id = under_review(&w, &w.a, MPN_A, TEAMS);
  char cid[37];
  strcpy(cid, id);
  test_ok(cpor_claim_approve(w.ctx, &w.reviewer, cid), w.ctx, "approve");
  cpor_time t1 = cpor_manual_clock_get(w.clock) + 1000;
  cpor_manual_clock_set(w.clock, t1);
  test_ok(cpor_claim_add_poe(w.ctx, &w.a, cid, "late.pdf", "application/pdf", SHA, 10), w.ctx,
          "poe while APPROVED");
  cpor_manual_clock_advance(w.clock, 10 * 86400000LL);
  ck_assert_int_eq(state_of(&w, cid), CPOR_STATE_ASSOCIATED);
  cpor_time t2 = cpor_manual_clock_get(w.clock);
  test_ok(cpor_claim_add_poe(w.ctx, &w.a, cid, "later.pdf", "application/pdf", SHA, 11), w.ctx,
          "poe while ASSOCIATED");
  cpor_claim *c = NULL;
  test_ok(cpor_claim_get(w.ctx, &w.a, cid, &c), w.ctx, "get");
  ck_assert_uint_eq(cpor_claim_poe_count(c), 3);
  ck_assert_int_eq(cpor_claim_poe_added_at(c, 1), t1);
  ck_assert_int_eq(cpor_claim_poe_added_at(c, 2), t2);
  ck_assert_int_eq(cpor_claim_last_poe_at(c), t2);
  ck_assert_int_eq(cpor_claim_poe_added_at(c, 3), CPOR_TIME_NONE);
  cpor_claim_free(c);
  /* A rival under review: the reviewer compares the latest PoE instants. */
  const char *rival = under_review(&w, &w.b, MPN_B, TEAMS);
  cpor_claim_iter *it = NULL;
  test_ok(cpor_claim_competitors(w.ctx, &w.reviewer, rival, &it), w.ctx, "competitors");
  ck_assert_int_eq(cpor_claim_iter_next(it, &c), CPOR_OK);
  ck_assert_str_eq(cpor_claim_id(c), cid);
  ck_assert_int_eq(cpor_claim_last_poe_at(c), t2);
  cpor_claim_free(c);
  ck_assert_int_eq(cpor_claim_iter_next(it, &c), CPOR_ITEROVER);
  cpor_claim_iter_free(it);
  world_close(&w);
}
END_TEST

static cpor_check_report *check(world *w, const cpor_actor *a, const char *id,
                                const cpor_claim_spec *s) {
  cpor_check_report *r = NULL;
  char *before = store_dump(w->storage);
  test_ok(cpor_claim_check(w->ctx, a, id, s, &r), w->ctx, "check");
  char *after = store_dump(w->storage);
  ck_assert_msg(strcmp(before, after) == 0, "the check wrote");
  free(before);
  free(after);
  return r;
}

START_TEST(preflight_lists_every_problem) {
  world w;
  world_open(&w, NULL, NULL, NULL);
  /* A draft with only its identity: five contacts and the PoE are missing. */
  cpor_claim_spec s = CPOR_CLAIM_SPEC_INIT;
  s.name = "bare";
  s.mpn_id = MPN_A;
  s.tenant_id = T1;
  s.domain = T1_DOMAIN;
  s.area = CPOR_AREA_M365;
  s.activity = CPOR_ACTIVITY_USAGE;
  s.line_count = 1;
  s.workloads = TEAMS;
  cpor_claim *c = NULL;
  test_ok(cpor_claim_create(w.ctx, &w.a, &s, &c), w.ctx, "create");
  char id[37];
  strcpy(id, cpor_claim_id(c));
  cpor_claim_free(c);
  cpor_check_report *r = check(&w, &w.a, id, NULL);
  ck_assert_uint_eq(cpor_check_report_count(r), 6);
  for (size_t i = 0; i < 6; i++)
    ck_assert_int_eq(cpor_check_report_code(r, i), CPOR_EINCOMPLETE);
  ck_assert_str_eq(cpor_check_report_message(r, 0), "customer contact name is missing");
  ck_assert_str_eq(cpor_check_report_message(r, 5), "no proof of execution has been added");
  ck_assert_ptr_null(cpor_check_report_message(r, 6));
  cpor_check_report_free(r);
  /* Submit names every one of them in one message. */
  REFUSED(&w, cpor_claim_submit(w.ctx, &w.a, id), CPOR_EINCOMPLETE);
  ck_assert_ptr_nonnull(strstr(cpor_ctx_errmsg(w.ctx), "(6 problems)"));
  ck_assert_ptr_nonnull(strstr(cpor_ctx_errmsg(w.ctx), "partner contact email is missing"));
  ck_assert_ptr_nonnull(strstr(cpor_ctx_errmsg(w.ctx), "no proof of execution"));
  /* A spec never created: unenrolled location, foreign domain, a duplicate. */
  const char *held = under_review(&w, &w.a, MPN_A, EXCHANGE);
  (void)held;
  cpor_claim_spec t =
      test_spec("dup", MPN_A_UNENROLLED, T1, T2_DOMAIN, CPOR_AREA_M365, 1, EXCHANGE);
  r = check(&w, &w.a, NULL, &t);
  ck_assert_uint_eq(cpor_check_report_count(r), 4);
  ck_assert_int_eq(cpor_check_report_code(r, 0), CPOR_EINCOMPLETE); /* no PoE yet */
  ck_assert_int_eq(cpor_check_report_code(r, 1), CPOR_ENOTENROLLED);
  ck_assert_int_eq(cpor_check_report_code(r, 2), CPOR_EMISMATCH);
  ck_assert_int_eq(cpor_check_report_code(r, 3), CPOR_EDUPLICATE);
  cpor_check_report_free(r);
  /* A submitted claim is no draft; the reviewer does not submit. */
  r = check(&w, &w.a, held, NULL);
  ck_assert_int_eq(cpor_check_report_code(r, 0), CPOR_ESTATE);
  cpor_check_report_free(r);
  cpor_check_report *none = NULL;
  REFUSED(&w, cpor_claim_check(w.ctx, &w.reviewer, id, NULL, &none), CPOR_EPERM);
  REFUSED(&w, cpor_claim_check(w.ctx, &w.a, id, &t, &none), CPOR_EINVAL);
  REFUSED(&w, cpor_claim_check(w.ctx, &w.a, NULL, NULL, &none), CPOR_EINVAL);
  REFUSED(&w, cpor_claim_check(w.ctx, &w.b, id, NULL, &none), CPOR_ENOTFOUND);
  ck_assert_ptr_null(none);
  /* A complete draft has no problem. */
  const char *ok = draft(&w, &w.a, MPN_A, TEAMS);
  r = check(&w, &w.a, ok, NULL);
  ck_assert_uint_eq(cpor_check_report_count(r), 0);
  cpor_check_report_free(r);
  world_close(&w);
}
END_TEST

START_TEST(recorded_policy_governs_the_claim) {
  world w;
  world_open(&w, NULL, NULL, NULL);
  const char *d = draft(&w, &w.a, MPN_A, TEAMS);
  char id[37];
  strcpy(id, d);
  cpor_claim *c = NULL;
  cpor_policy p;
  test_ok(cpor_claim_get(w.ctx, &w.a, id, &c), w.ctx, "get");
  ck_assert_int_eq(cpor_claim_policy(c, &p), 0); /* a draft has none yet */
  cpor_claim_free(c);
  test_ok(cpor_claim_submit(w.ctx, &w.a, id), w.ctx, "submit");
  /* Another host with another policy: 7 calendar days to opt out. */
  cpor_ctx_options o = CPOR_CTX_OPTIONS_INIT;
  o.storage = w.storage;
  o.clock = cpor_manual_clock_now;
  o.clock_user = w.clock;
  o.calendar = w.cal;
  o.policy.optout.count = 7;
  o.policy.optout.unit = CPOR_CALENDAR_DAYS;
  cpor_ctx *other = NULL;
  test_ok(cpor_ctx_open(&other, &o), NULL, "open other");
  test_ok(cpor_claim_start_review(other, &w.reviewer, id), other, "review");
  test_ok(cpor_claim_approve(other, &w.reviewer, id), other, "approve");
  test_ok(cpor_claim_get(other, &w.a, id, &c), other, "get");
  ck_assert_int_eq(cpor_claim_policy(c, &p), 1);
  ck_assert_int_eq(p.optout.count, 5);
  ck_assert_uint_eq(p.optout.unit, CPOR_BUSINESS_DAYS);
  /* 5 business days from the approval (world clock: Monday), not 7 calendar. */
  cpor_time closes = cpor_claim_window_closes_at(c);
  cpor_claim_free(c);
  cpor_time want = 0;
  cpor_tz *utc = NULL;
  cpor_calendar *weekends = NULL;
  ck_assert_int_eq(cpor_tz_parse("UTC0", &utc), CPOR_OK);
  ck_assert_int_eq(cpor_calendar_builtin("weekends", &weekends), CPOR_OK);
  ck_assert_int_eq(
      cpor_calendar_deadline(weekends, utc, cpor_manual_clock_get(w.clock), 5, NULL, &want),
      CPOR_OK);
  cpor_calendar_unref(weekends);
  cpor_tz_free(utc);
  ck_assert_int_eq(closes, want);
  /* A claim submitted through the other context gets the other policy. */
  const char *d2 = draft(&w, &w.b, MPN_B, EXCHANGE);
  test_ok(cpor_claim_submit(other, &w.b, d2), other, "submit other");
  test_ok(cpor_claim_get(other, &w.b, d2, &c), other, "get other");
  ck_assert_int_eq(cpor_claim_policy(c, &p), 1);
  ck_assert_int_eq(p.optout.count, 7);
  cpor_claim_free(c);
  cpor_ctx_close(other);
  world_close(&w);
}
END_TEST

START_TEST(activity_display_names) {
  ck_assert_str_eq(cpor_activity_display_name(CPOR_ACTIVITY_USAGE), "Usage recognition");
  ck_assert_str_eq(cpor_activity_display_name(CPOR_ACTIVITY_PRESALES),
                   "Build intent \xe2\x80\x93 Advisor");
  ck_assert_str_eq(cpor_activity_display_name(CPOR_ACTIVITY_REVENUE),
                   "Influenced revenue recognition");
  ck_assert_ptr_null(cpor_activity_display_name(0));
  ck_assert_ptr_null(cpor_activity_display_name(4));
  ck_assert_str_eq(cpor_activity_name(CPOR_ACTIVITY_USAGE), "usage"); /* the code stays */
}
END_TEST

START_TEST(workload_rename) {
  world w;
  world_open(&w, NULL, NULL, NULL);
  REFUSED(&w, cpor_workload_rename(w.ctx, &w.a, "TEAMS", "Teams Phone"), CPOR_EPERM);
  REFUSED(&w, cpor_workload_rename(w.ctx, &w.system, "NO_SUCH", "x"), CPOR_ENOTFOUND);
  REFUSED(&w, cpor_workload_rename(w.ctx, &w.system, "TEAMS", ""), CPOR_EINVAL);
  test_ok(cpor_workload_rename(w.ctx, &w.system, "TEAMS", "Microsoft Teams (2023)"), w.ctx,
          "rename built-in");
  test_ok(cpor_workload_rename(w.ctx, &w.system, "TEAMS", "Microsoft Teams"), w.ctx, "again");
  cpor_workload *wl = NULL;
  test_ok(cpor_workload_get(w.ctx, &w.a, "TEAMS", &wl), w.ctx, "get");
  ck_assert_str_eq(cpor_workload_name(wl), "Microsoft Teams");
  ck_assert_int_eq(cpor_workload_is_builtin(wl), 1);
  cpor_workload_free(wl);
  /* The list has it once, renamed; claims on it still work. */
  cpor_workload_iter *it = NULL;
  test_ok(cpor_workload_list(w.ctx, &w.a, &it), w.ctx, "list");
  int seen = 0;
  while (cpor_workload_iter_next(it, &wl) == CPOR_OK) {
    if (!strcmp(cpor_workload_code(wl), "TEAMS")) {
      seen++;
      ck_assert_str_eq(cpor_workload_name(wl), "Microsoft Teams");
    }
    cpor_workload_free(wl);
  }
  cpor_workload_iter_free(it);
  ck_assert_int_eq(seen, 1);
  const char *id = under_review(&w, &w.a, MPN_A, TEAMS);
  ck_assert_int_eq(state_of(&w, id), CPOR_STATE_UNDER_REVIEW);
  world_close(&w);
}
END_TEST

static void world_with(world *w, const char *variants) {
  setenv("CPOR_TEST_VARIANTS", variants, 1);
  world_open(w, NULL, NULL, NULL);
  unsetenv("CPOR_TEST_VARIANTS");
}

START_TEST(optout_window_from_submission) {
  world w;
  world_with(&w, "from_submission");
  /* Submitted Monday 2026-11-02: the customer's window closes 11-10 00:00. */
  world_at(&w, "2026-11-02T09:00:00");
  const char *d = draft(&w, &w.a, MPN_A, TEAMS);
  char early[37], late[37], declined[37];
  strcpy(early, d);
  test_ok(cpor_claim_submit(w.ctx, &w.a, early), w.ctx, "submit");
  cpor_claim *c = NULL;
  test_ok(cpor_claim_get(w.ctx, &w.a, early, &c), w.ctx, "get");
  ck_assert_int_eq(cpor_claim_optout_from(c), CPOR_OPTOUT_FROM_SUBMISSION);
  ck_assert_int_eq(cpor_claim_optout_closes_at(c), T("2026-11-10T00:00:00"));
  cpor_claim_free(c);
  strcpy(late, draft(&w, &w.b, MPN_B, EXCHANGE));
  test_ok(cpor_claim_submit(w.ctx, &w.b, late), w.ctx, "submit late");
  strcpy(declined, draft(&w, &w.c, MPN_C, (const char *const[]){"INTUNE", NULL}));
  test_ok(cpor_claim_submit(w.ctx, &w.c, declined), w.ctx, "submit declined");
  /* The customer may decline before any approval. */
  world_at(&w, "2026-11-03T09:00:00");
  test_ok(cpor_claim_opt_out(w.ctx, &w.cust1, declined), w.ctx, "opt out while submitted");
  ck_assert_int_eq(state_of(&w, declined), CPOR_STATE_REJECTED);
  ck_assert_int_eq(reason_of(&w, declined), CPOR_REASON_CUSTOMER_DECLINED);
  /* Approved inside the window: APPROVED until it closes, then ASSOCIATED. */
  test_ok(cpor_claim_start_review(w.ctx, &w.reviewer, early), w.ctx, "review");
  test_ok(cpor_claim_approve(w.ctx, &w.reviewer, early), w.ctx, "approve early");
  ck_assert_int_eq(state_of(&w, early), CPOR_STATE_APPROVED);
  world_at(&w, "2026-11-09T23:59:59");
  ck_assert_int_eq(state_of(&w, early), CPOR_STATE_APPROVED);
  world_at(&w, "2026-11-10T00:00:00");
  ck_assert_int_eq(state_of(&w, early), CPOR_STATE_ASSOCIATED);
  /* Past the window: no opt-out; an approval associates at once. */
  world_at(&w, "2026-11-12T09:00:00");
  REFUSED(&w, cpor_claim_opt_out(w.ctx, &w.cust1, late), CPOR_EWINDOW);
  test_ok(cpor_claim_start_review(w.ctx, &w.reviewer, late), w.ctx, "review late");
  test_ok(cpor_claim_approve(w.ctx, &w.reviewer, late), w.ctx, "approve late");
  ck_assert_int_eq(state_of(&w, late), CPOR_STATE_ASSOCIATED);
  char *h = history_kinds(&w, late);
  ck_assert_str_eq(h, "created,poe_added,submitted,review_started,approved,associated");
  free(h);
  cpor_claim *r = NULL;
  test_ok(cpor_claim_replay(w.ctx, &w.system, late, &r), w.ctx, "replay");
  test_ok(cpor_claim_get(w.ctx, &w.system, late, &c), w.ctx, "get");
  ck_assert_int_eq(cpor_claim_state(r), cpor_claim_state(c));
  ck_assert_int_eq(cpor_claim_updated_at(r), cpor_claim_updated_at(c));
  cpor_claim_free(r);
  cpor_claim_free(c);
  world_close(&w);
}
END_TEST

START_TEST(customer_may_end_an_association) {
  world w;
  world_with(&w, "may_end");
  const char *id = associated(&w, &w.a, MPN_A, TEAMS);
  REFUSED(&w, cpor_claim_opt_out(w.ctx, &w.cust2, id), CPOR_EACCES);
  test_ok(cpor_claim_opt_out(w.ctx, &w.cust1, id), w.ctx, "end");
  ck_assert_int_eq(state_of(&w, id), CPOR_STATE_ENDED);
  ck_assert_int_eq(reason_of(&w, id), CPOR_REASON_CUSTOMER_DECLINED);
  REFUSED(&w, cpor_claim_opt_out(w.ctx, &w.cust1, id), CPOR_ESTATE);
  cpor_claim *r = NULL;
  test_ok(cpor_claim_replay(w.ctx, &w.system, id, &r), w.ctx, "replay");
  ck_assert_int_eq(cpor_claim_state(r), CPOR_STATE_ENDED);
  ck_assert_int_eq(cpor_claim_customer_may_end(r), 1);
  cpor_claim_free(r);
  world_close(&w);
}
END_TEST

/* Rejected, disputed, granted, rejected again: may it be disputed again? */
static int second_dispute(world *w) {
  const char *id = under_review(w, &w->a, MPN_A, TEAMS);
  test_ok(cpor_claim_reject(w->ctx, &w->reviewer, id, CPOR_REASON_INSUFFICIENT_POE, NULL), w->ctx,
          "reject");
  test_ok(cpor_claim_dispute(w->ctx, &w->a, id, "it was fine"), w->ctx, "dispute");
  test_ok(cpor_claim_decide_dispute(w->ctx, &w->reviewer, id, 1, NULL), w->ctx, "grant");
  test_ok(cpor_claim_reject(w->ctx, &w->reviewer, id, CPOR_REASON_MISSING_CONSENT, NULL), w->ctx,
          "reject again");
  cpor_claim *c = NULL;
  test_ok(cpor_claim_get(w->ctx, &w->a, id, &c), w->ctx, "get");
  int disputable = cpor_claim_disputable(c);
  cpor_claim_free(c);
  int rc = cpor_claim_dispute(w->ctx, &w->a, id, "again");
  ck_assert_int_eq(rc == CPOR_OK, disputable);
  return rc;
}

START_TEST(max_disputes) {
  world w;
  world_open(&w, NULL, NULL, NULL); /* the default: one dispute */
  ck_assert_int_eq(second_dispute(&w), CPOR_ESTATE);
  ck_assert_ptr_nonnull(strstr(cpor_ctx_errmsg(w.ctx), "cannot be disputed"));
  world_close(&w);
  world_with(&w, "max_disputes=2");
  ck_assert_int_eq(second_dispute(&w), CPOR_OK);
  world_close(&w);
}
END_TEST

START_TEST(variant_options_checked) {
  cpor_ctx_options o = CPOR_CTX_OPTIONS_INIT;
  char err[256] = "";
  o.errbuf = err;
  o.errbuf_len = sizeof err;
  cpor_ctx *ctx = NULL;
  o.optout_from = 3;
  ck_assert_int_eq(cpor_ctx_open(&ctx, &o), CPOR_EINVAL);
  ck_assert_ptr_nonnull(strstr(err, "optout_from"));
  o.optout_from = 0;
  o.max_disputes = 101;
  ck_assert_int_eq(cpor_ctx_open(&ctx, &o), CPOR_EINVAL);
  o.max_disputes = 0;
  o.customer_may_end = 2;
  ck_assert_int_eq(cpor_ctx_open(&ctx, &o), CPOR_EINVAL);
  ck_assert_ptr_null(ctx);
  /* A version-1 struct has no variants: the defaults. */
  o.customer_may_end = 7;
  o.version = 1;
  ck_assert_int_eq(cpor_ctx_open(&ctx, &o), CPOR_OK);
  cpor_ctx_close(ctx);
}
END_TEST

static Suite *fidelity_suite(void) {
  Suite *s = suite_create("fidelity");
  TCase *tc = tcase_create("partner_center");
  tcase_add_test(tc, info_request_reasons);
  tcase_add_test(tc, removal_reasons);
  tcase_add_test(tc, poe_on_approved_and_associated);
  tcase_add_test(tc, preflight_lists_every_problem);
  tcase_add_test(tc, recorded_policy_governs_the_claim);
  tcase_add_test(tc, activity_display_names);
  tcase_add_test(tc, workload_rename);
  tcase_add_test(tc, optout_window_from_submission);
  tcase_add_test(tc, customer_may_end_an_association);
  tcase_add_test(tc, max_disputes);
  tcase_add_test(tc, variant_options_checked);
  suite_add_tcase(s, tc);
  return s;
}

CPOR_TEST_MAIN(fidelity_suite)
