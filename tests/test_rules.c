/* The claim rules in isolation: no store, no context. The authorization and
 * state matrix of DESIGN.md 1.2/1.4 over every (state, action, role), the
 * program mapping, subscription claimability, completeness and windows. */
#include <string.h>

#include "core/records.h"
#include "rules/rules.h"
#include "rules_oracle.h"
#include "testutil.h"

#define P "contoso"
#define TEN "11111111-2222-3333-4444-555555555555"

static cpor_actor actor(int role, const char *org) {
  cpor_actor a = CPOR_ACTOR_INIT;
  a.role = (uint32_t)role;
  a.org = org;
  a.user = "u";
  return a;
}

START_TEST(matrix) {
  int cells = 0;
  for (int state = CPOR_STATE_EDITING; state <= CPOR_STATE_ENDED; state++)
    for (int action = CPOR__ACT_VIEW; action < CPOR__ACT_COUNT; action++) {
      if (action == CPOR__ACT_CREATE) continue;
      for (int role = CPOR_ROLE_GLOBAL_ADMIN; role <= CPOR_ROLE_SYSTEM; role++) {
        const char *org = role <= CPOR_ROLE_INCENTIVES_USER ? P
                          : role == CPOR_ROLE_CUSTOMER      ? TEN
                                                            : NULL;
        cpor_actor a = actor(role, org);
        const char *msg = NULL;
        int got = cpor__rules_check(&a, action, P, TEN, state, &msg);
        int want = oracle_check(action, role, state);
        ck_assert_msg(got == want, "state %s, %s, role %s: got %s want %s", cpor_state_name(state),
                      cpor__action_name(action), cpor_role_name(role), cpor_status_name(got),
                      cpor_status_name(want));
        ck_assert(got == CPOR_OK || msg != NULL);
        /* Another partner: never more than "not found", read or write. */
        if (role <= CPOR_ROLE_INCENTIVES_USER) {
          cpor_actor other = actor(role, "fabrikam");
          ck_assert_int_eq(cpor__rules_check(&other, action, P, TEN, state, &msg), CPOR_ENOTFOUND);
        }
        if (role == CPOR_ROLE_CUSTOMER) {
          cpor_actor other = actor(role, "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee");
          ck_assert_int_eq(cpor__rules_check(&other, action, P, TEN, state, &msg), CPOR_EACCES);
        }
        cells++;
      }
    }
  ck_assert_int_eq(cells, 9 * 15 * 7);
}
END_TEST

START_TEST(create_roles) {
  const char *msg;
  for (int role = CPOR_ROLE_GLOBAL_ADMIN; role <= CPOR_ROLE_SYSTEM; role++) {
    cpor_actor a = actor(role, role <= CPOR_ROLE_INCENTIVES_USER ? P
                               : role == CPOR_ROLE_CUSTOMER      ? TEN
                                                                 : NULL);
    int want = role == CPOR_ROLE_GLOBAL_ADMIN || role == CPOR_ROLE_INCENTIVES_ADMIN ||
                       role == CPOR_ROLE_INCENTIVES_USER
                   ? CPOR_OK
                   : CPOR_EPERM;
    ck_assert_int_eq(cpor__rules_check(&a, CPOR__ACT_CREATE, P, NULL, 0, &msg), want);
  }
}
END_TEST

START_TEST(actor_validation) {
  const char *msg;
  cpor_actor a = actor(CPOR_ROLE_GLOBAL_ADMIN, P);
  ck_assert_int_eq(cpor__rules_actor_valid(&a, &msg), CPOR_OK);
  a.version = 2; /* read at the API boundary (test_versions), not by the kernel */
  ck_assert_int_eq(cpor__rules_actor_valid(&a, &msg), CPOR_OK);
  a = actor(0, P);
  ck_assert_int_eq(cpor__rules_actor_valid(&a, &msg), CPOR_EINVAL);
  a = actor(CPOR_ROLE_CUSTOMER, "contoso");
  ck_assert_int_eq(cpor__rules_actor_valid(&a, &msg), CPOR_EINVAL);
  a = actor(CPOR_ROLE_GLOBAL_ADMIN, NULL);
  ck_assert_int_eq(cpor__rules_actor_valid(&a, &msg), CPOR_EINVAL);
  a = actor(CPOR_ROLE_REVIEWER, NULL);
  ck_assert_int_eq(cpor__rules_actor_valid(&a, &msg), CPOR_OK);
  a.user = "";
  ck_assert_int_eq(cpor__rules_actor_valid(&a, &msg), CPOR_EINVAL);
  ck_assert_int_eq(cpor__rules_actor_valid(NULL, &msg), CPOR_EINVAL);
}
END_TEST

START_TEST(programs) {
  ck_assert_int_eq(cpor__rules_program(CPOR_AREA_M365, CPOR_ACTIVITY_USAGE), CPOR_PROGRAM_OSU_M365);
  ck_assert_int_eq(cpor__rules_program(CPOR_AREA_M365, CPOR_ACTIVITY_PRESALES), 0);
  ck_assert_int_eq(cpor__rules_program(CPOR_AREA_M365, CPOR_ACTIVITY_REVENUE), 0);
  ck_assert_int_eq(cpor__rules_program(CPOR_AREA_BIZAPPS, CPOR_ACTIVITY_PRESALES),
                   CPOR_PROGRAM_OSA_SELL);
  ck_assert_int_eq(cpor__rules_program(CPOR_AREA_BIZAPPS, CPOR_ACTIVITY_USAGE),
                   CPOR_PROGRAM_OSU_BIZAPPS);
  ck_assert_int_eq(cpor__rules_program(CPOR_AREA_BIZAPPS, CPOR_ACTIVITY_REVENUE),
                   CPOR_PROGRAM_OSA_SELL);
  ck_assert_int_eq(cpor__rules_program(3, CPOR_ACTIVITY_USAGE), 0);
}
END_TEST

START_TEST(subscriptions) {
  cpor_subscription s = {"sub", TEN, "D365_SALES", CPOR_CHANNEL_WEB_DIRECT, CPOR_SUB_ACTIVE, 0};
  const char *msg = NULL;
  ck_assert_int_eq(cpor__rules_subscription(&s, TEN, "D365_SALES", &msg), CPOR_OK);
  s.state = CPOR_SUB_IN_GRACE;
  ck_assert_int_eq(cpor__rules_subscription(&s, TEN, "D365_SALES", &msg), CPOR_OK);
  const struct {
    int channel, state;
    const char *tenant, *wl, *msg;
  } bad[] = {
      {CPOR_CHANNEL_WEB_DIRECT, CPOR_SUB_ACTIVE, "x", "D365_SALES",
       "the subscription is not on the claimed tenant"},
      {CPOR_CHANNEL_WEB_DIRECT, CPOR_SUB_ACTIVE, TEN, "D365_FINANCE",
       "the subscription is not for the line's product"},
      {CPOR_CHANNEL_CSP, CPOR_SUB_ACTIVE, TEN, "D365_SALES",
       "the subscription is sold through CSP"},
      {CPOR_CHANNEL_WEB_DIRECT, CPOR_SUB_PROVISIONING, TEN, "D365_SALES",
       "the subscription is not yet provisioned"},
      {CPOR_CHANNEL_WEB_DIRECT, CPOR_SUB_EXPIRED, TEN, "D365_SALES",
       "the subscription has expired"},
      {CPOR_CHANNEL_WEB_DIRECT, CPOR_SUB_DISABLED, TEN, "D365_SALES",
       "the subscription is disabled"},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    s.channel = bad[i].channel;
    s.state = bad[i].state;
    ck_assert_int_eq(cpor__rules_subscription(&s, bad[i].tenant, bad[i].wl, &msg),
                     CPOR_ESUBSCRIPTION);
    ck_assert_str_eq(msg, bad[i].msg);
  }
}
END_TEST

START_TEST(windows) {
  cpor_calendar *cal = NULL;
  cpor_tz *tz = NULL;
  ck_assert_int_eq(cpor_calendar_builtin("weekends", &cal), CPOR_OK);
  ck_assert_int_eq(cpor_tz_parse("UTC0", &tz), CPOR_OK);
  cpor_policy p = CPOR_POLICY_DEFAULT;
  /* Friday 2026-11-27 15:00 UTC */
  cpor__env env = {cal,  tz, &p, (cpor_time)D("2026-11-27") * 86400000 + 15 * 3600000,
                   NULL, 0,  0,  NULL};
  cpor_time end = 0;
  ck_assert_int_eq(cpor__rules_window_end(&env, &p.optout, env.now, &end), CPOR_OK);
  ck_assert_int_eq(end, (cpor_time)D("2026-12-05") * 86400000); /* due Fri 12-04 */
  ck_assert_int_eq(cpor__rules_window_end(&env, &p.dispute, env.now, &end), CPOR_OK);
  ck_assert_int_eq(end, (cpor_time)D("2026-12-28") * 86400000); /* day 30 = 12-27 */
  /* State entry moves the following lines, not the lost ones. */
  cpor__line lines[2] = {{"TEAMS", NULL, CPOR_STATE_UNDER_REVIEW, 0},
                         {"EXCHANGE", NULL, CPOR_STATE_REJECTED, CPOR_REASON_LOST_ARBITRATION}};
  cpor_claim c;
  memset(&c, 0, sizeof c);
  c.state = CPOR_STATE_UNDER_REVIEW;
  c.nlines = 2;
  c.lines = lines;
  ck_assert_int_eq(cpor__rules_enter(&env, &c, CPOR_STATE_APPROVED, 0), CPOR_OK);
  ck_assert_int_eq(lines[0].state, CPOR_STATE_APPROVED);
  ck_assert_int_eq(lines[1].state, CPOR_STATE_REJECTED);
  ck_assert_int_eq(c.window_closes_at, (cpor_time)D("2026-12-05") * 86400000);
  ck_assert_int_eq(c.sla_due_at, CPOR_TIME_NONE);
  /* The last live line lost: the claim follows it. */
  ck_assert_int_eq(
      cpor__rules_line_outcome(&env, &c, 0, CPOR_STATE_REJECTED, CPOR_REASON_LOST_ARBITRATION), 1);
  ck_assert_int_eq(c.state, CPOR_STATE_REJECTED);
  ck_assert_int_eq(c.reason, CPOR_REASON_LOST_ARBITRATION);
  /* Withdrawal is final: no dispute window. */
  c.state = CPOR_STATE_SUBMITTED;
  lines[0].state = CPOR_STATE_SUBMITTED;
  c.final = 0;
  ck_assert_int_eq(cpor__rules_enter(&env, &c, CPOR_STATE_REJECTED, CPOR_REASON_PARTNER_REQUEST),
                   CPOR_OK);
  ck_assert_int_eq(c.final, 1);
  ck_assert_int_eq(c.window_closes_at, CPOR_TIME_NONE);
  /* Overdue: past the SLA, unless contested under review. */
  c.sla_due_at = 1000;
  c.state = CPOR_STATE_UNDER_REVIEW;
  ck_assert_int_eq(cpor__rules_overdue(&c, 999), 0);
  ck_assert_int_eq(cpor__rules_overdue(&c, 1000), 1);
  c.contested = 1;
  ck_assert_int_eq(cpor__rules_overdue(&c, 1000), 0);
  cpor_calendar_unref(cal);
  cpor_tz_free(tz);
}
END_TEST

START_TEST(completeness) {
  cpor_claim c;
  memset(&c, 0, sizeof c);
  const char *msg;
  ck_assert_int_eq(cpor__rules_complete(&c, 0, &msg), CPOR_EINCOMPLETE);
  ck_assert_str_eq(msg, "the claim name is missing");
  c.name = "n";
  cpor__line l = {"TEAMS", NULL, 1, 0};
  c.lines = &l;
  c.nlines = 1;
  c.fields[CPOR_FIELD_CUSTOMER_CONTACT_NAME] = "a";
  c.fields[CPOR_FIELD_CUSTOMER_CONTACT_TITLE] = "b";
  c.fields[CPOR_FIELD_CUSTOMER_CONTACT_EMAIL] = "a@b.cd";
  c.fields[CPOR_FIELD_PARTNER_CONTACT_NAME] = "p";
  c.fields[CPOR_FIELD_PARTNER_CONTACT_EMAIL] = "p@b.cd";
  ck_assert_int_eq(cpor__rules_complete(&c, 0, &msg), CPOR_EINCOMPLETE);
  ck_assert_str_eq(msg, "no proof of execution has been added");
  cpor__poe poe = {"x", "application/pdf", "00", 1, CPOR_TIME_NONE};
  c.poe = &poe;
  c.npoe = 1;
  ck_assert_int_eq(cpor__rules_complete(&c, 0, &msg), CPOR_OK);
  ck_assert_int_eq(cpor__rules_complete(&c, 1, &msg), CPOR_EINCOMPLETE);
  ck_assert_str_eq(msg, "a Dynamics 365 claim needs a technical contact");
  c.activity = CPOR_ACTIVITY_REVENUE;
  ck_assert_int_eq(cpor__rules_complete(&c, 0, &msg), CPOR_EINCOMPLETE);
}
END_TEST

static Suite *rules_suite(void) {
  Suite *s = suite_create("rules");
  TCase *tc = tcase_create("rules");
  tcase_add_test(tc, matrix);
  tcase_add_test(tc, create_roles);
  tcase_add_test(tc, actor_validation);
  tcase_add_test(tc, programs);
  tcase_add_test(tc, subscriptions);
  tcase_add_test(tc, windows);
  tcase_add_test(tc, completeness);
  suite_add_tcase(s, tc);
  return s;
}

CPOR_TEST_MAIN(rules_suite)
