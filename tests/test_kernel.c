/* The kernel table-driven, with no store and no context (DESIGN.md Part 4):
 * claim records and views built by hand, then cpor__decide, cpor__settle,
 * cpor__k_subscription_ended and cpor__replay called directly. */
#include <stdlib.h>
#include <string.h>

#include "rules/rules.h"
#include "rules_oracle.h"
#include "testutil.h"

#define P "contoso"
#define TEN "11111111-2222-3333-4444-555555555555"
#define SUB "00000000-0000-0000-0000-000000000001"
#define DAY 86400000LL

/* ---- fixtures: an environment and hand-built claims -------------------------- */

static cpor_calendar *cal;
static cpor_tz *tz;
static cpor_policy policy;
static char msg[512];

static void setup(void) {
  ck_assert_int_eq(cpor_calendar_builtin("weekends", &cal), CPOR_OK);
  ck_assert_int_eq(cpor_tz_parse("UTC0", &tz), CPOR_OK);
  cpor_policy d = CPOR_POLICY_DEFAULT;
  policy = d;
}
static void teardown(void) {
  cpor_calendar_unref(cal);
  cpor_tz_free(tz);
}

/* Monday 2026-11-02 09:00 UTC (+ days, ms). */
static cpor_time at(int days, int64_t ms) {
  return (cpor_time)D("2026-11-02") * DAY + 9 * 3600000LL + days * DAY + ms;
}

static cpor__env env_at(cpor_time now) {
  msg[0] = 0;
  cpor__env e = {cal, tz, &policy, now, msg, sizeof msg, 0, NULL};
  return e;
}

static char *dup(const char *s) {
  int oom = 0;
  char *d = cpor__strdup(s, &oom);
  ck_assert(!oom);
  return d;
}

/* A complete claim of partner in state, one line per workload (NULL-ended;
 * a workload "D365_SALES" names subscription SUB), every line in state. */
static cpor_claim *claim(const char *id, const char *partner, int state,
                         const char *const *workloads) {
  cpor_claim *c = calloc(1, sizeof *c);
  c->id = dup(id);
  c->name = dup("Rollout");
  c->partner_id = dup(partner);
  c->mpn_id = dup("1111111");
  c->tenant_id = dup(TEN);
  c->domain = dup("contoso.onmicrosoft.com");
  c->area = CPOR_AREA_M365;
  c->activity = CPOR_ACTIVITY_USAGE;
  const int f[] = {CPOR_FIELD_CUSTOMER_CONTACT_NAME, CPOR_FIELD_CUSTOMER_CONTACT_TITLE,
                   CPOR_FIELD_CUSTOMER_CONTACT_EMAIL, CPOR_FIELD_PARTNER_CONTACT_NAME,
                   CPOR_FIELD_PARTNER_CONTACT_EMAIL};
  for (size_t i = 0; i < sizeof f / sizeof f[0]; i++)
    c->fields[f[i]] = dup("x@y.example");
  while (workloads[c->nlines])
    c->nlines++;
  c->lines = calloc(c->nlines, sizeof *c->lines);
  for (size_t i = 0; i < c->nlines; i++) {
    c->lines[i].workload = dup(workloads[i]);
    if (strcmp(workloads[i], "D365_SALES") == 0) {
      c->lines[i].subscription = dup(SUB);
      c->area = CPOR_AREA_BIZAPPS;
    }
    c->lines[i].state = state;
  }
  c->npoe = 1;
  c->poe = calloc(1, sizeof *c->poe);
  c->poe->name = dup("report.pdf");
  c->poe->media_type = dup("application/pdf");
  c->poe->sha256 = dup("00");
  c->poe->size = 1;
  c->state = state;
  c->next_seq = 3;
  c->created_at = c->updated_at = c->last_at = at(0, 0);
  c->window_closes_at = c->sla_due_at = CPOR_TIME_NONE;
  c->policy = policy;
  c->has_policy = state != CPOR_STATE_EDITING;
  return c;
}

static cpor__touched *add(cpor__view *v, cpor_claim *c) {
  cpor__touched *t = NULL;
  ck_assert_int_eq(cpor__view_add(v, c, 0, &t), CPOR_OK);
  return t;
}

static void add_sub(cpor__view *v, const char *id, int state) {
  cpor_subscription *s = calloc(1, sizeof *s);
  s->id = dup(id);
  s->tenant_id = dup(TEN);
  s->workload = dup("D365_SALES");
  s->channel = CPOR_CHANNEL_WEB_DIRECT;
  s->state = state;
  ck_assert_int_eq(cpor__view_add_sub(v, s), CPOR_OK);
}

static cpor_actor actor(int role) {
  cpor_actor a = CPOR_ACTOR_INIT;
  a.role = (uint32_t)role;
  a.org = role <= CPOR_ROLE_INCENTIVES_USER ? P : role == CPOR_ROLE_CUSTOMER ? TEN : NULL;
  a.user = "u";
  return a;
}

static const char *const TEAMS[] = {"TEAMS", NULL};
static const cpor_location enrolled = {"1111111", P, "HQ", 0xFFu, 0};
static const cpor__poe new_poe = {"more.pdf", "application/pdf", "11", 2, CPOR_TIME_NONE};

static int decide(cpor__view *v, cpor_time now, int action, int role, const char *text) {
  cpor_actor a = actor(role);
  cpor__request r = {action,   &a,  CPOR_REASON_INSUFFICIENT_POE, text, 1, &enrolled, 0,
                     &new_poe, NULL};
  cpor__env e = env_at(now);
  return cpor__decide(&e, &r, v);
}

static int settle(cpor__view *v, cpor_time now) {
  cpor__env e = env_at(now);
  return cpor__settle(&e, v);
}

static const cpor_event *last_event(const cpor__touched *t) {
  ck_assert_uint_gt(t->nevents, 0);
  return t->events[t->nevents - 1];
}

/* ---- every (state, action, role) cell ---------------------------------------- */

/* The state an allowed action leads to (0: unchanged). */
static int leads_to(int action) {
  switch (action) {
  case CPOR__ACT_SUBMIT:
    return CPOR_STATE_SUBMITTED;
  case CPOR__ACT_START_REVIEW:
  case CPOR__ACT_RESPOND:
  case CPOR__ACT_DECIDE_DISPUTE: /* granted */
    return CPOR_STATE_UNDER_REVIEW;
  case CPOR__ACT_REQUEST_INFO:
    return CPOR_STATE_PARTNER_ACTION_REQUIRED;
  case CPOR__ACT_APPROVE:
    return CPOR_STATE_APPROVED;
  case CPOR__ACT_WITHDRAW:
  case CPOR__ACT_REJECT:
  case CPOR__ACT_OPT_OUT:
    return CPOR_STATE_REJECTED;
  case CPOR__ACT_DISPUTE:
    return CPOR_STATE_DISPUTED;
  case CPOR__ACT_REMOVE:
    return CPOR_STATE_ENDED;
  default:
    return 0;
  }
}

/* A claim in state whose windows are open at at(0, 0) (REJECTED: disputable). */
static cpor_claim *open_claim(int state) {
  cpor_claim *c = claim("c1", P, state, TEAMS);
  if (state == CPOR_STATE_REJECTED) c->reason = CPOR_REASON_INSUFFICIENT_POE;
  if (state == CPOR_STATE_ENDED) c->reason = CPOR_REASON_PARTNER_REMOVED;
  for (size_t i = 0; i < c->nlines; i++)
    c->lines[i].reason = c->reason;
  if (state == CPOR_STATE_APPROVED || state == CPOR_STATE_PARTNER_ACTION_REQUIRED ||
      state == CPOR_STATE_REJECTED)
    c->window_closes_at = at(3, 0);
  return c;
}

START_TEST(decide_matrix) {
  int cells = 0;
  for (int state = CPOR_STATE_EDITING; state <= CPOR_STATE_ENDED; state++)
    for (int action = CPOR__ACT_ADD_POE; action < CPOR__ACT_COUNT; action++)
      for (int role = CPOR_ROLE_GLOBAL_ADMIN; role <= CPOR_ROLE_SYSTEM; role++) {
        cpor__view v = {0};
        cpor__touched *t = add(&v, open_claim(state));
        int want = oracle_check(action, role, state);
        /* A window that closed is EWINDOW, not a state refusal (DESIGN.md 1.2). */
        if (want == CPOR_ESTATE && action == CPOR__ACT_OPT_OUT &&
            (state == CPOR_STATE_ASSOCIATED || state == CPOR_STATE_ENDED))
          want = CPOR_EWINDOW;
        int got = decide(&v, at(0, 0), action, role, "why");
        ck_assert_msg(got == want, "%s, %s, %s: got %s want %s (%s)", cpor_state_name(state),
                      cpor__action_name(action), cpor_role_name(role), cpor_status_name(got),
                      cpor_status_name(want), msg);
        if (got == CPOR_OK) {
          int to = leads_to(action);
          ck_assert_int_eq(t->claim->state, to ? to : state);
          ck_assert_uint_eq(t->nevents, 1);
          ck_assert_int_eq(last_event(t)->role, role);
          ck_assert_int_eq(last_event(t)->at, at(0, 0));
        } else {
          ck_assert_uint_eq(t->nevents, 0);
          ck_assert_msg(msg[0], "no message");
        }
        cpor__view_free(&v);
        cells++;
      }
  ck_assert_int_eq(cells, 9 * 13 * 7);
}
END_TEST

START_TEST(respond_after_no_partner_response_is_ewindow) {
  cpor__view v = {0};
  cpor__touched *t = add(&v, open_claim(CPOR_STATE_PARTNER_ACTION_REQUIRED));
  ck_assert_int_eq(settle(&v, at(3, 0)), CPOR_OK);
  ck_assert_int_eq(t->claim->state, CPOR_STATE_REJECTED);
  ck_assert_int_eq(decide(&v, at(3, 0), CPOR__ACT_RESPOND, CPOR_ROLE_GLOBAL_ADMIN, "late"),
                   CPOR_EWINDOW);
  ck_assert_ptr_nonnull(strstr(msg, "the response window has closed"));
  /* Another rejection reason is a plain state refusal. */
  t->claim->reason = CPOR_REASON_INSUFFICIENT_POE;
  ck_assert_int_eq(decide(&v, at(3, 0), CPOR__ACT_RESPOND, CPOR_ROLE_GLOBAL_ADMIN, "late"),
                   CPOR_ESTATE);
  cpor__view_free(&v);
}
END_TEST

/* ---- windows at their boundaries --------------------------------------------- */

/* Enters the window's state at t0 by the action that opens it, checks where
 * it closes, then the last ms inside and the first ms outside. */
static void window_edges(int from, int opener, int closer, int closer_role, int count, int unit,
                         cpor_time want_close) {
  cpor_window w = {count, (uint32_t)unit};
  policy.optout = policy.response = policy.dispute = w;
  for (int inside = 1; inside >= 0; inside--) {
    cpor__view v = {0};
    cpor__touched *t = add(&v, claim("c1", P, from, TEAMS));
    /* Friday 2026-11-06 15:00 UTC: a weekend falls inside every window. */
    cpor_time t0 = at(4, 6 * 3600000LL);
    ck_assert_int_eq(decide(&v, t0, opener, CPOR_ROLE_REVIEWER, "x"), CPOR_OK);
    ck_assert_int_eq(t->claim->window_closes_at, want_close);
    cpor_time now = inside ? want_close - 1 : want_close;
    ck_assert_int_eq(settle(&v, now), CPOR_OK);
    int rc = decide(&v, now, closer, closer_role, "y");
    ck_assert_msg(rc == (inside ? CPOR_OK : CPOR_EWINDOW), "%s at %s: %s (%s)",
                  cpor__action_name(closer), inside ? "last ms" : "close", cpor_status_name(rc),
                  msg);
    cpor__view_free(&v);
  }
  cpor_policy d = CPOR_POLICY_DEFAULT;
  policy = d;
}

START_TEST(windows_at_their_edges) {
  const cpor_time fri = (cpor_time)D("2026-11-06") * DAY;
  /* 5 business days after Friday: Friday 11-13 is the last, closes Saturday 00:00. */
  window_edges(CPOR_STATE_UNDER_REVIEW, CPOR__ACT_APPROVE, CPOR__ACT_OPT_OUT, CPOR_ROLE_CUSTOMER, 5,
               CPOR_BUSINESS_DAYS, fri + 8 * DAY);
  window_edges(CPOR_STATE_UNDER_REVIEW, CPOR__ACT_APPROVE, CPOR__ACT_OPT_OUT, CPOR_ROLE_CUSTOMER, 5,
               CPOR_CALENDAR_DAYS, fri + 6 * DAY);
  window_edges(CPOR_STATE_UNDER_REVIEW, CPOR__ACT_REQUEST_INFO, CPOR__ACT_RESPOND,
               CPOR_ROLE_GLOBAL_ADMIN, 5, CPOR_BUSINESS_DAYS, fri + 8 * DAY);
  window_edges(CPOR_STATE_UNDER_REVIEW, CPOR__ACT_REQUEST_INFO, CPOR__ACT_RESPOND,
               CPOR_ROLE_GLOBAL_ADMIN, 14, CPOR_CALENDAR_DAYS, fri + 15 * DAY);
  window_edges(CPOR_STATE_UNDER_REVIEW, CPOR__ACT_REJECT, CPOR__ACT_DISPUTE,
               CPOR_ROLE_INCENTIVES_ADMIN, 30, CPOR_CALENDAR_DAYS, fri + 31 * DAY);
  window_edges(CPOR_STATE_UNDER_REVIEW, CPOR__ACT_REJECT, CPOR__ACT_DISPUTE,
               CPOR_ROLE_INCENTIVES_ADMIN, 1, CPOR_BUSINESS_DAYS, fri + 4 * DAY);
}
END_TEST

/* ---- arbitration ----------------------------------------------------------- */

START_TEST(arbitration_two_and_three_rivals) {
  const char *two[] = {"TEAMS", "EXCHANGE", NULL}, *mixed[] = {"TEAMS", "INTUNE", NULL};
  const char *ex[] = {"EXCHANGE", NULL};
  cpor__view v = {0};
  cpor__touched *x = add(&v, claim("x", P, CPOR_STATE_UNDER_REVIEW, two));
  cpor__touched *y = add(&v, claim("y", "fabrikam", CPOR_STATE_UNDER_REVIEW, TEAMS));
  cpor__touched *z = add(&v, claim("z", "northwind", CPOR_STATE_SUBMITTED, two));
  cpor__touched *m = add(&v, claim("m", "adatum", CPOR_STATE_DISPUTED, mixed));
  cpor__touched *own = add(&v, claim("own", P, CPOR_STATE_SUBMITTED, ex));
  cpor__touched *draft = add(&v, claim("d", "litware", CPOR_STATE_EDITING, TEAMS));
  ck_assert_int_eq(decide(&v, at(1, 0), CPOR__ACT_APPROVE, CPOR_ROLE_REVIEWER, NULL), CPOR_OK);
  ck_assert_int_eq(x->claim->state, CPOR_STATE_APPROVED);
  /* y and z lose every line: the claim is REJECTED lost_arbitration, final. */
  cpor__touched *lost[] = {y, z};
  for (size_t i = 0; i < 2; i++) {
    ck_assert_int_eq(lost[i]->claim->state, CPOR_STATE_REJECTED);
    ck_assert_int_eq(lost[i]->claim->reason, CPOR_REASON_LOST_ARBITRATION);
    ck_assert_int_eq(lost[i]->claim->final, 1);
    ck_assert_int_eq(last_event(lost[i])->kind, CPOR_EVENT_REJECTED);
    ck_assert_int_eq(last_event(lost[i])->role, CPOR_ROLE_SYSTEM);
    for (size_t k = 0; k < lost[i]->claim->nlines; k++)
      ck_assert_int_eq(lost[i]->claim->lines[k].reason, CPOR_REASON_LOST_ARBITRATION);
  }
  ck_assert_uint_eq(z->nevents, 2); /* line 1 rejected, then the claim */
  ck_assert_int_eq(z->events[0]->kind, CPOR_EVENT_LINE_REJECTED);
  /* m keeps INTUNE and its state; only its TEAMS line lost. */
  ck_assert_int_eq(m->claim->state, CPOR_STATE_DISPUTED);
  ck_assert_int_eq(m->claim->lines[0].state, CPOR_STATE_REJECTED);
  ck_assert_int_eq(m->claim->lines[1].state, CPOR_STATE_DISPUTED);
  ck_assert_int_eq(last_event(m)->kind, CPOR_EVENT_LINE_REJECTED);
  /* The same partner's lines and drafts are untouched. */
  ck_assert_int_eq(own->claim->state, CPOR_STATE_SUBMITTED);
  ck_assert_uint_eq(own->nevents, 0);
  ck_assert_int_eq(draft->claim->state, CPOR_STATE_EDITING);
  ck_assert_uint_eq(draft->nevents, 0);
  cpor__view_free(&v);
}
END_TEST

START_TEST(arbitration_against_an_approved_rival_is_estate) {
  cpor__view v = {0};
  cpor__touched *x = add(&v, claim("x", P, CPOR_STATE_UNDER_REVIEW, TEAMS));
  add(&v, claim("y", "fabrikam", CPOR_STATE_APPROVED, TEAMS));
  cpor__touched *z = add(&v, claim("z", "northwind", CPOR_STATE_SUBMITTED, TEAMS));
  ck_assert_int_eq(decide(&v, at(1, 0), CPOR__ACT_APPROVE, CPOR_ROLE_REVIEWER, NULL), CPOR_ESTATE);
  ck_assert_ptr_nonnull(strstr(msg, "inside its opt-out window"));
  ck_assert_int_eq(x->claim->state, CPOR_STATE_UNDER_REVIEW);
  (void)z; /* the view is discarded after a refusal */
  cpor__view_free(&v);
}
END_TEST

/* ---- settling ---------------------------------------------------------------- */

START_TEST(settle_associates_supersedes_and_rejects) {
  const char *two[] = {"TEAMS", "EXCHANGE", NULL}, *ex[] = {"EXCHANGE", NULL};
  cpor__view v = {0};
  cpor__touched *inc = add(&v, claim("inc", "northwind", CPOR_STATE_ASSOCIATED, two));
  cpor__touched *x = add(&v, claim("x", P, CPOR_STATE_APPROVED, TEAMS));
  cpor__touched *z = add(&v, claim("z", "fabrikam", CPOR_STATE_APPROVED, ex));
  cpor__touched *r = add(&v, claim("r", "adatum", CPOR_STATE_PARTNER_ACTION_REQUIRED, TEAMS));
  cpor__touched *later = add(&v, claim("a-later", "litware", CPOR_STATE_APPROVED, TEAMS));
  x->claim->window_closes_at = at(2, 0);
  z->claim->window_closes_at = at(1, 0); /* first: takes EXCHANGE from the incumbent */
  r->claim->window_closes_at = at(1, 5);
  later->claim->window_closes_at = at(9, 0); /* not due yet */
  ck_assert_int_eq(settle(&v, at(5, 0)), CPOR_OK);
  ck_assert_int_eq(z->claim->state, CPOR_STATE_ASSOCIATED);
  ck_assert_int_eq(x->claim->state, CPOR_STATE_ASSOCIATED);
  ck_assert_int_eq(r->claim->state, CPOR_STATE_REJECTED);
  ck_assert_int_eq(r->claim->reason, CPOR_REASON_NO_PARTNER_RESPONSE);
  ck_assert_int_eq(later->claim->state, CPOR_STATE_APPROVED);
  ck_assert_uint_eq(later->nevents, 0);
  /* Each stamped when its window closed, by system. */
  const cpor__touched *due[] = {z, x, r};
  const cpor_time when[] = {at(1, 0), at(2, 0), at(1, 5)};
  for (size_t i = 0; i < 3; i++) {
    ck_assert_int_eq(last_event(due[i])->at, when[i]);
    ck_assert_int_eq(last_event(due[i])->role, CPOR_ROLE_SYSTEM);
    ck_assert_str_eq(last_event(due[i])->user, "system");
  }
  /* The incumbent: EXCHANGE ended at z's close, then TEAMS (its last) at x's. */
  ck_assert_uint_eq(inc->nevents, 2);
  ck_assert_int_eq(inc->events[0]->kind, CPOR_EVENT_LINE_ENDED);
  ck_assert_int_eq(inc->events[0]->at, at(1, 0));
  ck_assert_int_eq(inc->events[1]->kind, CPOR_EVENT_ENDED);
  ck_assert_int_eq(inc->events[1]->at, at(2, 0));
  ck_assert_int_eq(inc->claim->state, CPOR_STATE_ENDED);
  ck_assert_int_eq(inc->claim->reason, CPOR_REASON_SUPERSEDED);
  cpor__view_free(&v);
}
END_TEST

START_TEST(settle_order_ties_by_claim_id) {
  const char *two[] = {"TEAMS", "EXCHANGE", NULL}, *ex[] = {"EXCHANGE", NULL};
  cpor__view v = {0};
  cpor__touched *inc = add(&v, claim("inc", "northwind", CPOR_STATE_ASSOCIATED, two));
  /* Added b first: the order is (due, ID), not the view's. */
  cpor__touched *b = add(&v, claim("b", "fabrikam", CPOR_STATE_APPROVED, ex));
  cpor__touched *a = add(&v, claim("a", P, CPOR_STATE_APPROVED, TEAMS));
  a->claim->window_closes_at = b->claim->window_closes_at = at(1, 0);
  ck_assert_int_eq(settle(&v, at(1, 0)), CPOR_OK);
  ck_assert_uint_eq(inc->nevents, 2);
  ck_assert_int_eq(inc->events[0]->kind, CPOR_EVENT_LINE_ENDED);
  ck_assert_ptr_nonnull(strstr(inc->events[0]->payload, "\"line\":0")); /* a's TEAMS */
  ck_assert_int_eq(inc->events[1]->kind, CPOR_EVENT_ENDED);
  ck_assert_int_eq(a->claim->state, CPOR_STATE_ASSOCIATED);
  ck_assert_int_eq(b->claim->state, CPOR_STATE_ASSOCIATED);
  cpor__view_free(&v);
}
END_TEST

/* ---- subscription endings ---------------------------------------------------- */

START_TEST(subscription_ended_ends_and_rejects_every_live_line) {
  const char *sales[] = {"D365_SALES", NULL}, *mixed[] = {"D365_SALES", "TEAMS", NULL};
  cpor__view v = {0};
  cpor__touched *held = add(&v, claim("h", P, CPOR_STATE_ASSOCIATED, sales));
  cpor__touched *appr = add(&v, claim("a", "fabrikam", CPOR_STATE_APPROVED, sales));
  cpor__touched *pend = add(&v, claim("p", "northwind", CPOR_STATE_SUBMITTED, mixed));
  cpor__touched *drft = add(&v, claim("d", "adatum", CPOR_STATE_EDITING, sales));
  appr->claim->window_closes_at = at(5, 0);
  add_sub(&v, SUB, CPOR_SUB_EXPIRED);
  cpor__env e = env_at(at(1, 0));
  ck_assert_int_eq(cpor__k_subscription_ended(&e, &v, SUB), CPOR_OK);
  ck_assert_int_eq(held->claim->state, CPOR_STATE_ENDED);
  ck_assert_int_eq(held->claim->reason, CPOR_REASON_SUBSCRIPTION_ENDED);
  cpor__touched *rej[] = {appr, drft};
  for (size_t i = 0; i < 2; i++) {
    ck_assert_int_eq(rej[i]->claim->state, CPOR_STATE_REJECTED);
    ck_assert_int_eq(rej[i]->claim->reason, CPOR_REASON_SUBSCRIPTION_ENDED);
    ck_assert_int_eq(rej[i]->claim->final, 1);
    ck_assert_int_eq(cpor_claim_disputable(rej[i]->claim), 0);
  }
  ck_assert_int_eq(pend->claim->state, CPOR_STATE_SUBMITTED); /* keeps TEAMS */
  ck_assert_int_eq(pend->claim->lines[0].state, CPOR_STATE_REJECTED);
  ck_assert_int_eq(pend->claim->lines[0].reason, CPOR_REASON_SUBSCRIPTION_ENDED);
  /* The rejected approval never associates. */
  ck_assert_int_eq(settle(&v, at(9, 0)), CPOR_OK);
  ck_assert_int_eq(appr->claim->state, CPOR_STATE_REJECTED);
  ck_assert_int_eq(decide(&v, at(9, 0), CPOR__ACT_DISPUTE, CPOR_ROLE_GLOBAL_ADMIN, "renewed"),
                   CPOR_ESTATE); /* v[0] is held: ENDED */
  cpor__view_free(&v);
}
END_TEST

START_TEST(settle_rechecks_the_subscription) {
  const char *sales[] = {"D365_SALES", NULL};
  cpor__view v = {0};
  cpor__touched *t = add(&v, claim("a", P, CPOR_STATE_APPROVED, sales));
  t->claim->window_closes_at = at(1, 0);
  add_sub(&v, SUB, CPOR_SUB_DISABLED);
  ck_assert_int_eq(settle(&v, at(2, 0)), CPOR_OK);
  ck_assert_int_eq(t->claim->state, CPOR_STATE_REJECTED);
  ck_assert_int_eq(t->claim->reason, CPOR_REASON_SUBSCRIPTION_ENDED);
  ck_assert_int_eq(last_event(t)->at, at(1, 0));
  cpor__view_free(&v);
}
END_TEST

/* ---- line outcomes after disputes --------------------------------------------- */

START_TEST(lost_line_stays_rejected_through_dispute_grant_approval) {
  const char *two[] = {"TEAMS", "EXCHANGE", NULL};
  cpor__view v = {0};
  cpor__touched *t = add(&v, claim("x", P, CPOR_STATE_UNDER_REVIEW, two));
  t->claim->lines[0].state = CPOR_STATE_REJECTED;
  t->claim->lines[0].reason = CPOR_REASON_LOST_ARBITRATION;
  ck_assert_int_eq(decide(&v, at(0, 0), CPOR__ACT_REJECT, CPOR_ROLE_REVIEWER, NULL), CPOR_OK);
  ck_assert_int_eq(t->claim->lines[1].reason, CPOR_REASON_INSUFFICIENT_POE);
  const int steps[][2] = {{CPOR__ACT_DISPUTE, CPOR_ROLE_GLOBAL_ADMIN},
                          {CPOR__ACT_DECIDE_DISPUTE, CPOR_ROLE_REVIEWER},
                          {CPOR__ACT_APPROVE, CPOR_ROLE_REVIEWER}};
  const int states[] = {CPOR_STATE_DISPUTED, CPOR_STATE_UNDER_REVIEW, CPOR_STATE_APPROVED};
  for (size_t i = 0; i < 3; i++) {
    ck_assert_int_eq(decide(&v, at(1, (int64_t)i), steps[i][0], steps[i][1], "j"), CPOR_OK);
    ck_assert_int_eq(t->claim->state, states[i]);
    ck_assert_int_eq(t->claim->lines[1].state, states[i]);
    ck_assert_int_eq(t->claim->lines[0].state, CPOR_STATE_REJECTED);
    ck_assert_int_eq(t->claim->lines[0].reason, CPOR_REASON_LOST_ARBITRATION);
  }
  cpor__view_free(&v);
}
END_TEST

START_TEST(at_most_one_dispute) {
  cpor__view v = {0};
  cpor__touched *t = add(&v, claim("x", P, CPOR_STATE_UNDER_REVIEW, TEAMS));
  ck_assert_int_eq(decide(&v, at(0, 0), CPOR__ACT_REJECT, CPOR_ROLE_REVIEWER, NULL), CPOR_OK);
  ck_assert_int_eq(decide(&v, at(0, 1), CPOR__ACT_DISPUTE, CPOR_ROLE_GLOBAL_ADMIN, "j"), CPOR_OK);
  ck_assert_int_eq(decide(&v, at(0, 2), CPOR__ACT_DECIDE_DISPUTE, CPOR_ROLE_REVIEWER, NULL),
                   CPOR_OK);
  ck_assert_int_eq(decide(&v, at(0, 3), CPOR__ACT_REJECT, CPOR_ROLE_REVIEWER, NULL), CPOR_OK);
  ck_assert_uint_eq(t->claim->disputes, 1);
  ck_assert_int_eq(t->claim->final, 1);
  ck_assert_int_eq(t->claim->window_closes_at, CPOR_TIME_NONE);
  ck_assert_int_eq(decide(&v, at(0, 4), CPOR__ACT_DISPUTE, CPOR_ROLE_GLOBAL_ADMIN, "again"),
                   CPOR_ESTATE);
  ck_assert_ptr_nonnull(strstr(msg, "cannot be disputed"));
  cpor__view_free(&v);
}
END_TEST

/* ---- clock skew and texts ------------------------------------------------------ */

START_TEST(clock_skew) {
  cpor__view v = {0};
  cpor__touched *t = add(&v, claim("x", P, CPOR_STATE_EDITING, TEAMS));
  cpor_time last = t->claim->last_at;
  ck_assert_int_eq(decide(&v, last - 1000, CPOR__ACT_COMMENT, CPOR_ROLE_GLOBAL_ADMIN, "ok"),
                   CPOR_OK);
  ck_assert_int_eq(last_event(t)->at, last);
  ck_assert_int_eq(decide(&v, last - 1001, CPOR__ACT_COMMENT, CPOR_ROLE_GLOBAL_ADMIN, "no"),
                   CPOR_ERANGE);
  ck_assert_ptr_nonnull(strstr(msg, "2026-11-02T08:59:58.999Z"));
  ck_assert_ptr_nonnull(strstr(msg, "2026-11-02T09:00:00.000Z"));
  ck_assert_uint_eq(t->nevents, 1);
  cpor__view_free(&v);
}
END_TEST

START_TEST(texts_stored_whole) {
  char text[4001];
  for (size_t n = 0; n < 4000; n += 3)
    memcpy(text + n, n + 3 <= 4000 ? "\xe2\x82\xac" : "%s%n", n + 3 <= 4000 ? 3 : 4000 - n);
  text[4000] = 0;
  const int actions[] = {CPOR__ACT_COMMENT, CPOR__ACT_REQUEST_INFO, CPOR__ACT_RESPOND,
                         CPOR__ACT_DISPUTE};
  const int states[] = {CPOR_STATE_EDITING, CPOR_STATE_UNDER_REVIEW,
                        CPOR_STATE_PARTNER_ACTION_REQUIRED, CPOR_STATE_REJECTED};
  const int roles[] = {CPOR_ROLE_GLOBAL_ADMIN, CPOR_ROLE_REVIEWER, CPOR_ROLE_GLOBAL_ADMIN,
                       CPOR_ROLE_GLOBAL_ADMIN};
  for (size_t i = 0; i < 4; i++) {
    cpor__view v = {0};
    cpor__touched *t = add(&v, open_claim(states[i]));
    ck_assert_int_eq(decide(&v, at(0, 0), actions[i], roles[i], text), CPOR_OK);
    ck_assert_ptr_nonnull(strstr(last_event(t)->text, text));
    cpor__view_free(&v);
  }
}
END_TEST

/* ---- replay ---------------------------------------------------------------------- */

/* A new draft "x" in v, its created event decided by a user of role at day 0:
 * a history that replays from the start. */
static cpor__touched *created_draft(cpor__view *v, int role) {
  cpor_claim *c = claim("x", P, CPOR_STATE_EDITING, TEAMS);
  c->next_seq = 1;
  c->last_at = CPOR_TIME_NONE;
  c->has_policy = 0;
  cpor__touched *t = NULL;
  ck_assert_int_eq(cpor__view_add(v, c, 1, &t), CPOR_OK);
  cpor_actor a = actor(role);
  cpor__env e = env_at(at(0, 0));
  ck_assert_int_eq(cpor__k_created(&e, t, &a), CPOR_OK);
  return t;
}

START_TEST(replay_folds_what_decide_did) {
  cpor__view v = {0};
  cpor__touched *t = created_draft(&v, CPOR_ROLE_GLOBAL_ADMIN);
  const int steps[][2] = {
      {CPOR__ACT_SUBMIT, CPOR_ROLE_GLOBAL_ADMIN},     {CPOR__ACT_START_REVIEW, CPOR_ROLE_REVIEWER},
      {CPOR__ACT_REQUEST_INFO, CPOR_ROLE_REVIEWER},   {CPOR__ACT_RESPOND, CPOR_ROLE_GLOBAL_ADMIN},
      {CPOR__ACT_REJECT, CPOR_ROLE_REVIEWER},         {CPOR__ACT_DISPUTE, CPOR_ROLE_GLOBAL_ADMIN},
      {CPOR__ACT_DECIDE_DISPUTE, CPOR_ROLE_REVIEWER}, {CPOR__ACT_APPROVE, CPOR_ROLE_REVIEWER}};
  for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++)
    ck_assert_msg(decide(&v, at(0, 1000 * (int64_t)(i + 1)), steps[i][0], steps[i][1], "t") ==
                      CPOR_OK,
                  "step %zu: %s", i, msg);
  ck_assert_int_eq(settle(&v, at(20, 0)), CPOR_OK);
  ck_assert_int_eq(t->claim->state, CPOR_STATE_ASSOCIATED);
  cpor_claim *r = NULL;
  cpor__env e = env_at(at(20, 0));
  ck_assert_msg(cpor__replay(&e, "x", t->events, t->nevents, &r) == CPOR_OK, "%s", msg);
  ck_assert_int_eq(r->state, t->claim->state);
  ck_assert_int_eq(r->reason, t->claim->reason);
  ck_assert_int_eq(r->lines[0].state, t->claim->lines[0].state);
  ck_assert_int_eq(r->window_closes_at, t->claim->window_closes_at);
  ck_assert_int_eq(r->last_at, t->claim->last_at);
  ck_assert_uint_eq(r->disputes, 1);
  ck_assert_uint_eq(r->next_seq, t->claim->next_seq);
  cpor_claim_free(r);
  cpor__view_free(&v);
}
END_TEST

/* The submitted event names the default policy, spells out any other, and
 * replays both to the policy the claim recorded; another name is ECORRUPT. */
static cpor__touched *submitted_under(cpor__view *v, const cpor_policy *p,
                                      const cpor__variants *var) {
  cpor__touched *t = created_draft(v, CPOR_ROLE_INCENTIVES_ADMIN);
  cpor_actor a = actor(CPOR_ROLE_INCENTIVES_ADMIN);
  cpor__env e = env_at(at(0, 0));
  cpor__request r = {CPOR__ACT_SUBMIT, &a, 0, NULL, 0, &enrolled, 0, NULL, NULL};
  e.policy = p;
  e.variants = var;
  ck_assert_msg(cpor__decide(&e, &r, v) == CPOR_OK, "%s", msg);
  return t;
}

START_TEST(submitted_names_the_default_policy) {
  const cpor_policy d = CPOR_POLICY_DEFAULT;
  cpor_policy other = d;
  other.dispute.count = 31;
  const cpor__variants submission = {CPOR_OPTOUT_FROM_SUBMISSION, 0, 1};
  struct {
    const cpor_policy *p;
    const cpor__variants *var;
    const char *payload;
  } cases[] = {
      {&d, NULL, "{\"policy\":\"default\"}"},
      {&other, NULL, "{\"policy\":{\"customer_may_end\":false,\"dispute\":[31,2],"},
      {&d, &submission, "{\"policy\":{\"customer_may_end\":false,\"dispute\":[30,2],"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    cpor__view v = {0};
    cpor__touched *t = submitted_under(&v, cases[i].p, cases[i].var);
    cpor_event *ev = t->events[t->nevents - 1];
    ck_assert_int_eq(ev->kind, CPOR_EVENT_SUBMITTED);
    ck_assert_msg(!strncmp(ev->payload, cases[i].payload, strlen(cases[i].payload)), "%zu: %s", i,
                  ev->payload);
    /* Replay from the draft recovers the recorded policy and variants. */
    ck_assert_uint_eq(t->nevents, 2);
    cpor_event *const *hist = t->events;
    cpor_claim *r = NULL;
    cpor__env e = env_at(at(0, 0));
    ck_assert_msg(cpor__replay(&e, "x", hist, 2, &r) == CPOR_OK, "%zu: %s", i, msg);
    ck_assert_int_eq(r->has_policy, 1);
    ck_assert(!memcmp(&r->policy, &t->claim->policy, sizeof r->policy));
    ck_assert(!memcmp(&r->variants, &t->claim->variants, sizeof r->variants));
    ck_assert_int_eq(r->state, CPOR_STATE_SUBMITTED);
    cpor_claim_free(r);
    if (i == 0) {
      /* Another name is no policy this release knows. */
      char *saved = ev->payload;
      const char *bad[] = {"{\"policy\":\"Default\"}", "{\"policy\":\"\"}", "{\"policy\":7}"};
      for (size_t b = 0; b < 3; b++) {
        ev->payload = (char *)bad[b];
        r = NULL;
        ck_assert_int_eq(cpor__replay(&e, "x", hist, 2, &r), CPOR_ECORRUPT);
        ck_assert_ptr_null(r);
      }
      ev->payload = saved;
    }
    cpor__view_free(&v);
  }
}
END_TEST

/* ---- policy variants (issue 13) ------------------------------------------------ */

static cpor_claim *with_variants(cpor_claim *c, uint32_t from, uint32_t may_end, uint32_t max) {
  c->has_policy = 1;
  c->variants.optout_from = from;
  c->variants.customer_may_end = may_end;
  c->variants.max_disputes = max;
  c->optout_closes_at = CPOR_TIME_NONE;
  return c;
}

START_TEST(variant_optout_from_submission) {
  /* Submitted at day 0: the window runs from submission (5 business days). */
  cpor__view v = {0};
  cpor__touched *t = add(&v, with_variants(claim("c1", P, CPOR_STATE_EDITING, TEAMS),
                                           CPOR_OPTOUT_FROM_SUBMISSION, 0, 1));
  cpor_actor a = actor(CPOR_ROLE_INCENTIVES_ADMIN);
  cpor__request r = {CPOR__ACT_SUBMIT, &a, 0, NULL, 0, &enrolled, 0, NULL, NULL};
  cpor__env e = env_at(at(0, 0));
  cpor__variants var = {CPOR_OPTOUT_FROM_SUBMISSION, 0, 1};
  e.variants = &var;
  ck_assert_int_eq(cpor__decide(&e, &r, &v), CPOR_OK);
  cpor_time closes = t->claim->optout_closes_at;
  ck_assert_int_eq(closes, (cpor_time)D("2026-11-10") * DAY);
  /* The customer may decline while it is submitted, until the close. */
  ck_assert_int_eq(decide(&v, closes - 1, CPOR__ACT_START_REVIEW, CPOR_ROLE_REVIEWER, NULL),
                   CPOR_OK);
  cpor__view w = {0};
  add(&w,
      with_variants(claim("c2", P, CPOR_STATE_SUBMITTED, TEAMS), CPOR_OPTOUT_FROM_SUBMISSION, 0, 1))
      ->claim->optout_closes_at = closes;
  ck_assert_int_eq(decide(&w, closes, CPOR__ACT_OPT_OUT, CPOR_ROLE_CUSTOMER, NULL), CPOR_EWINDOW);
  ck_assert_int_eq(decide(&w, closes - 1, CPOR__ACT_OPT_OUT, CPOR_ROLE_CUSTOMER, NULL), CPOR_OK);
  ck_assert_int_eq(w.v[0]->claim->state, CPOR_STATE_REJECTED);
  ck_assert_int_eq(w.v[0]->claim->reason, CPOR_REASON_CUSTOMER_DECLINED);
  cpor__view_free(&w);
  /* Approved after the close: due at once, associated at the approval. */
  cpor_time late = closes + 3 * DAY;
  ck_assert_int_eq(decide(&v, late, CPOR__ACT_APPROVE, CPOR_ROLE_REVIEWER, NULL), CPOR_OK);
  ck_assert_int_eq(t->claim->window_closes_at, late);
  e = env_at(late);
  ck_assert_int_eq(cpor__settle(&e, &v), CPOR_OK);
  ck_assert_int_eq(t->claim->state, CPOR_STATE_ASSOCIATED);
  ck_assert_int_eq(t->claim->last_at, late);
  cpor__view_free(&v);
  /* Approved inside the window: APPROVED until it closes. */
  cpor__view u = {0};
  cpor__touched *x = add(&u, with_variants(claim("c3", P, CPOR_STATE_UNDER_REVIEW, TEAMS),
                                           CPOR_OPTOUT_FROM_SUBMISSION, 0, 1));
  x->claim->optout_closes_at = closes;
  ck_assert_int_eq(decide(&u, closes - DAY, CPOR__ACT_APPROVE, CPOR_ROLE_REVIEWER, NULL), CPOR_OK);
  ck_assert_int_eq(x->claim->window_closes_at, closes);
  cpor__view_free(&u);
}
END_TEST

START_TEST(variant_customer_may_end) {
  cpor__view v = {0};
  cpor__touched *t = add(&v, with_variants(claim("c1", P, CPOR_STATE_ASSOCIATED, TEAMS), 0, 1, 1));
  ck_assert_int_eq(decide(&v, at(90, 0), CPOR__ACT_OPT_OUT, CPOR_ROLE_REVIEWER, NULL), CPOR_EPERM);
  ck_assert_int_eq(decide(&v, at(90, 0), CPOR__ACT_OPT_OUT, CPOR_ROLE_CUSTOMER, NULL), CPOR_OK);
  ck_assert_int_eq(t->claim->state, CPOR_STATE_ENDED);
  ck_assert_int_eq(t->claim->reason, CPOR_REASON_CUSTOMER_DECLINED);
  ck_assert_int_eq(t->claim->lines[0].state, CPOR_STATE_ENDED);
  ck_assert_int_eq(t->events[0]->kind, CPOR_EVENT_OPTED_OUT);
  cpor__view_free(&v);
  cpor__view w = {0};
  add(&w, with_variants(claim("c2", P, CPOR_STATE_ASSOCIATED, TEAMS), 0, 0, 1));
  ck_assert_int_eq(decide(&w, at(90, 0), CPOR__ACT_OPT_OUT, CPOR_ROLE_CUSTOMER, NULL),
                   CPOR_EWINDOW);
  cpor__view_free(&w);
}
END_TEST

START_TEST(variant_max_disputes) {
  for (uint32_t max = 1; max <= 3; max++) {
    cpor__view v = {0};
    cpor__touched *t =
        add(&v, with_variants(claim("c1", P, CPOR_STATE_UNDER_REVIEW, TEAMS), 0, 0, max));
    t->claim->disputes = 1; /* one dispute granted already */
    ck_assert_int_eq(decide(&v, at(1, 0), CPOR__ACT_REJECT, CPOR_ROLE_REVIEWER, NULL), CPOR_OK);
    ck_assert_uint_eq(t->claim->final, max <= 1);
    int rc = decide(&v, at(2, 0), CPOR__ACT_DISPUTE, CPOR_ROLE_INCENTIVES_ADMIN, "again");
    ck_assert_int_eq(rc, max <= 1 ? CPOR_ESTATE : CPOR_OK);
    cpor__view_free(&v);
  }
}
END_TEST

static Suite *kernel_suite(void) {
  Suite *s = suite_create("kernel");
  TCase *tc = tcase_create("kernel");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, decide_matrix);
  tcase_add_test(tc, respond_after_no_partner_response_is_ewindow);
  tcase_add_test(tc, windows_at_their_edges);
  tcase_add_test(tc, arbitration_two_and_three_rivals);
  tcase_add_test(tc, arbitration_against_an_approved_rival_is_estate);
  tcase_add_test(tc, settle_associates_supersedes_and_rejects);
  tcase_add_test(tc, settle_order_ties_by_claim_id);
  tcase_add_test(tc, subscription_ended_ends_and_rejects_every_live_line);
  tcase_add_test(tc, settle_rechecks_the_subscription);
  tcase_add_test(tc, lost_line_stays_rejected_through_dispute_grant_approval);
  tcase_add_test(tc, at_most_one_dispute);
  tcase_add_test(tc, clock_skew);
  tcase_add_test(tc, texts_stored_whole);
  tcase_add_test(tc, replay_folds_what_decide_did);
  tcase_add_test(tc, submitted_names_the_default_policy);
  tcase_add_test(tc, variant_optout_from_submission);
  tcase_add_test(tc, variant_customer_may_end);
  tcase_add_test(tc, variant_max_disputes);
  suite_add_tcase(s, tc);
  return s;
}

CPOR_TEST_MAIN(kernel_suite)
