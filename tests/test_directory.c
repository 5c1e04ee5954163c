/* The directory (partners, locations, customers, tenants, subscriptions,
 * workloads), the enumeration names, and the stored-record decoders. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/records.h"
#include "world.h"

START_TEST(partners_and_locations) {
  world w;
  world_open(&w, NULL, NULL, NULL);
  cpor_partner *p = NULL;
  OK(&w, cpor_partner_get(w.ctx, SYS, "contoso", &p));
  ck_assert_str_eq(cpor_partner_id(p), "contoso");
  ck_assert_str_eq(cpor_partner_name(p), "Contoso Partners");
  cpor_partner_free(p);
  REFUSED(&w, cpor_partner_get(w.ctx, SYS, "nobody", &p), CPOR_ENOTFOUND);
  ck_assert_ptr_null(p);
  ck_assert_str_eq(cpor_ctx_errmsg(w.ctx), "no such partner 'nobody'");
  cpor_location *l = NULL;
  OK(&w, cpor_location_get(w.ctx, SYS, MPN_A, &l));
  ck_assert_str_eq(cpor_location_partner_id(l), "contoso");
  ck_assert_int_eq(cpor_location_is_enrolled(l, CPOR_PROGRAM_OSU_M365), 1);
  ck_assert_int_eq(cpor_location_is_enrolled(l, 99), 0);
  cpor_location_free(l);
  OK(&w, cpor_location_enroll(w.ctx, SYS, MPN_A, CPOR_PROGRAM_OSU_M365, 0));
  OK(&w, cpor_location_get(w.ctx, SYS, MPN_A, &l));
  ck_assert_int_eq(cpor_location_is_enrolled(l, CPOR_PROGRAM_OSU_M365), 0);
  ck_assert_int_eq(cpor_location_is_enrolled(l, CPOR_PROGRAM_OSA_SELL), 1);
  cpor_location_free(l);
  REFUSED(&w, cpor_location_enroll(w.ctx, SYS, MPN_A, 0, 1), CPOR_EINVAL);
  REFUSED(&w, cpor_location_enroll(w.ctx, SYS, "999", CPOR_PROGRAM_OSU_M365, 1), CPOR_ENOTFOUND);
  REFUSED(&w, cpor_location_get(w.ctx, SYS, "", &l), CPOR_EINVAL);
  REFUSED(&w, cpor_partner_create(w.ctx, SYS, "x", ""), CPOR_EINVAL);
  /* Getters and destructors accept NULL. */
  ck_assert_ptr_null(cpor_partner_name(NULL));
  ck_assert_int_eq(cpor_location_is_enrolled(NULL, 1), 0);
  cpor_partner_free(NULL);
  cpor_location_free(NULL);
  world_close(&w);
}
END_TEST

START_TEST(customers_and_tenants) {
  world w;
  world_open(&w, NULL, NULL, NULL);
  char *id = NULL;
  OK(&w, cpor_customer_create(w.ctx, SYS, "Woodgrove", &id));
  ck_assert_uint_eq(strlen(id), 36);
  cpor_customer *c = NULL;
  OK(&w, cpor_customer_get(w.ctx, SYS, id, &c));
  ck_assert_str_eq(cpor_customer_name(c), "Woodgrove");
  cpor_customer_free(c);
  REFUSED(&w, cpor_customer_get(w.ctx, SYS, "01234567-89ab-cdef-0123-456789abcdef", &c),
          CPOR_ENOTFOUND);
  const char *tid = "{ABCDEF01-2345-6789-ABCD-EF0123456789}";
  OK(&w, cpor_tenant_create(w.ctx, SYS, id, tid, "Tailspin.OnMicrosoft.com"));
  OK(&w, cpor_tenant_add_domain(w.ctx, SYS, tid, "tailspin.example"));
  REFUSED(&w, cpor_tenant_add_domain(w.ctx, SYS, tid, "tailspin.example"), CPOR_EEXISTS);
  REFUSED(&w, cpor_tenant_add_domain(w.ctx, SYS, tid, "no_underscores.example"), CPOR_EINVAL);
  REFUSED(&w, cpor_tenant_add_domain(w.ctx, SYS, tid, "single"), CPOR_EINVAL);
  REFUSED(&w, cpor_tenant_create(w.ctx, SYS, id, tid, "other.example"), CPOR_EEXISTS);
  REFUSED(&w,
          cpor_tenant_create(w.ctx, SYS, "01234567-89ab-cdef-0123-456789abcdef",
                             "01234567-89ab-cdef-0123-456789abcde0", "new.example"),
          CPOR_ENOTFOUND);
  cpor_tenant *t = NULL;
  OK(&w, cpor_tenant_get(w.ctx, SYS, "abcdef01-2345-6789-abcd-ef0123456789", &t));
  ck_assert_str_eq(cpor_tenant_id(t), "abcdef01-2345-6789-abcd-ef0123456789");
  ck_assert_str_eq(cpor_tenant_customer_id(t), id);
  ck_assert_uint_eq(cpor_tenant_domain_count(t), 2);
  ck_assert_str_eq(cpor_tenant_domain(t, 0), "tailspin.onmicrosoft.com");
  ck_assert_str_eq(cpor_tenant_domain(t, 1), "tailspin.example");
  ck_assert_ptr_null(cpor_tenant_domain(t, 2));
  cpor_tenant_free(t);
  cpor_free(id);
  world_close(&w);
}
END_TEST

START_TEST(subscriptions) {
  world w;
  world_open(&w, NULL, NULL, NULL);
  cpor_subscription *s = NULL;
  OK(&w, cpor_subscription_get(w.ctx, SYS, SUB_CSP, &s));
  ck_assert_str_eq(cpor_subscription_tenant_id(s), T1);
  ck_assert_str_eq(cpor_subscription_workload(s), "D365_SALES");
  ck_assert_int_eq(cpor_subscription_channel(s), CPOR_CHANNEL_CSP);
  ck_assert_int_eq(cpor_subscription_state(s), CPOR_SUB_ACTIVE);
  cpor_subscription_free(s);
  const char *nid = "00000000-0000-0000-0000-0000000000ff";
  REFUSED(&w,
          cpor_subscription_create(w.ctx, SYS, nid, T1, "TEAMS", CPOR_CHANNEL_CSP, CPOR_SUB_ACTIVE),
          CPOR_EINVAL); /* not a subscription product */
  REFUSED(&w,
          cpor_subscription_create(w.ctx, SYS, nid, T1, "NOPE", CPOR_CHANNEL_CSP, CPOR_SUB_ACTIVE),
          CPOR_ENOTFOUND);
  REFUSED(&w, cpor_subscription_create(w.ctx, SYS, nid, T1, "D365_SALES", 7, CPOR_SUB_ACTIVE),
          CPOR_EINVAL);
  REFUSED(&w, cpor_subscription_create(w.ctx, SYS, SUB_CSP, T1, "D365_SALES", 1, 1), CPOR_EEXISTS);
  size_t changed = 9;
  OK(&w, cpor_subscription_set_state(w.ctx, SYS, SUB_PROV, CPOR_SUB_ACTIVE, &changed));
  ck_assert_uint_eq(changed, 0);
  REFUSED(&w, cpor_subscription_set_state(w.ctx, SYS, SUB_PROV, 0, NULL), CPOR_EINVAL);
  REFUSED(&w, cpor_subscription_set_state(w.ctx, SYS, nid, CPOR_SUB_ACTIVE, NULL), CPOR_ENOTFOUND);
  world_close(&w);
}
END_TEST

START_TEST(workloads) {
  world w;
  world_open(&w, NULL, NULL, NULL);
  cpor_workload *wl = NULL;
  OK(&w, cpor_workload_get(w.ctx, SYS, "D365_SALES", &wl));
  ck_assert_str_eq(cpor_workload_name(wl), "Dynamics 365 Sales");
  ck_assert_int_eq(cpor_workload_area(wl), CPOR_AREA_BIZAPPS);
  ck_assert_int_eq(cpor_workload_needs_subscription(wl), 1);
  ck_assert_int_eq(cpor_workload_is_dynamics(wl), 1);
  ck_assert_int_eq(cpor_workload_is_builtin(wl), 1);
  cpor_workload_free(wl);
  OK(&w, cpor_workload_register(w.ctx, SYS, "FABRIC", "Microsoft Fabric", CPOR_AREA_BIZAPPS, 1));
  REFUSED(&w, cpor_workload_register(w.ctx, SYS, "FABRIC", "again", CPOR_AREA_BIZAPPS, 1),
          CPOR_EEXISTS);
  REFUSED(&w, cpor_workload_register(w.ctx, SYS, "X1", "bad area", 3, 0), CPOR_EINVAL);
  OK(&w, cpor_workload_get(w.ctx, SYS, "FABRIC", &wl));
  ck_assert_int_eq(cpor_workload_is_builtin(wl), 0);
  ck_assert_int_eq(cpor_workload_is_dynamics(wl), 0);
  cpor_workload_free(wl);
  REFUSED(&w, cpor_workload_get(w.ctx, SYS, "NOPE", &wl), CPOR_ENOTFOUND);
  cpor_workload_iter *it = NULL;
  OK(&w, cpor_workload_list(w.ctx, SYS, &it));
  size_t n = 0;
  char prev[64] = "";
  int saw_fabric = 0, saw_teams = 0;
  while (cpor_workload_iter_next(it, &wl) == CPOR_OK) {
    ck_assert_int_lt(strcmp(prev, cpor_workload_code(wl)), 0);
    snprintf(prev, sizeof prev, "%s", cpor_workload_code(wl));
    saw_fabric |= !strcmp(prev, "FABRIC");
    saw_teams |= !strcmp(prev, "TEAMS");
    cpor_workload_free(wl);
    n++;
  }
  ck_assert_uint_eq(n, 27); /* 26 built in + FABRIC */
  ck_assert(saw_fabric && saw_teams);
  ck_assert_int_eq(cpor_workload_iter_next(it, &wl), CPOR_ITEROVER);
  cpor_workload_iter_free(it);
  world_close(&w);
}
END_TEST

START_TEST(names) {
  int v = 0;
  ck_assert_str_eq(cpor_state_name(CPOR_STATE_PARTNER_ACTION_REQUIRED), "PARTNER_ACTION_REQUIRED");
  ck_assert_int_eq(cpor_state_from_name("ASSOCIATED", &v), CPOR_OK);
  ck_assert_int_eq(v, CPOR_STATE_ASSOCIATED);
  ck_assert_int_eq(cpor_state_from_name("associated", &v), CPOR_EINVAL);
  ck_assert_ptr_null(cpor_state_name(0));
  ck_assert_ptr_null(cpor_state_name(10));
  ck_assert_str_eq(cpor_reason_name(CPOR_REASON_LOST_ARBITRATION), "lost_arbitration");
  ck_assert_int_eq(cpor_reason_from_name("no_partner_response", &v), CPOR_OK);
  ck_assert_int_eq(v, CPOR_REASON_NO_PARTNER_RESPONSE);
  ck_assert_str_eq(cpor_role_name(CPOR_ROLE_INCENTIVES_USER), "incentives_user");
  ck_assert_int_eq(cpor_role_from_name("reviewer", &v), CPOR_OK);
  ck_assert_int_eq(v, CPOR_ROLE_REVIEWER);
  ck_assert_str_eq(cpor_area_name(CPOR_AREA_BIZAPPS), "bizapps");
  ck_assert_str_eq(cpor_activity_name(CPOR_ACTIVITY_REVENUE), "revenue");
  ck_assert_str_eq(cpor_program_name(CPOR_PROGRAM_OSU_BIZAPPS), "osu_bizapps");
  ck_assert_str_eq(cpor_channel_name(CPOR_CHANNEL_WEB_DIRECT), "web_direct");
  ck_assert_str_eq(cpor_sub_state_name(CPOR_SUB_IN_GRACE), "in_grace");
  ck_assert_str_eq(cpor_event_kind_name(CPOR_EVENT_LINE_REJECTED), "line_rejected");
  ck_assert_ptr_null(cpor_event_kind_name(22));
  ck_assert_int_eq(cpor_channel_from_name(NULL, &v), CPOR_EINVAL);
  ck_assert_int_eq(cpor_sub_state_from_name("expired", NULL), CPOR_EINVAL);
}
END_TEST

/* Stored records that fail validation are CPOR_ECORRUPT, never a crash. */
START_TEST(corrupt_records) {
  cpor_claim c;
  memset(&c, 0, sizeof c);
  c.id = "11111111-2222-3333-4444-555555555555";
  c.partner_id = "contoso";
  c.tenant_id = T1;
  c.mpn_id = "1";
  c.domain = "a.b";
  c.area = CPOR_AREA_M365; /* a document names them: 0 is no value */
  c.activity = CPOR_ACTIVITY_USAGE;
  c.state = CPOR_STATE_EDITING;
  cpor__line l = {"TEAMS", NULL, 1, 0};
  c.lines = &l;
  c.nlines = 1;
  cpor_store_object obj;
  void *buf = NULL;
  ck_assert_int_eq(cpor__claim_encode(&c, &obj, &buf), CPOR_OK);
  cpor_claim *d = NULL;
  ck_assert_int_eq(cpor__claim_decode(&obj, &d), CPOR_OK);
  ck_assert_str_eq(cpor_claim_line_workload(d, 0), "TEAMS");
  cpor_claim_free(d);
  /* Every truncation, and every single-byte change, decodes or is refused. */
  unsigned char *copy = malloc(obj.len);
  for (size_t n = 0; n < obj.len; n++) {
    cpor_store_object t = obj;
    t.len = n;
    ck_assert_int_eq(cpor__claim_decode(&t, &d), CPOR_ECORRUPT);
  }
  for (size_t i = 0; i < obj.len; i++) {
    memcpy(copy, obj.data, obj.len);
    copy[i] ^= 0xA5;
    cpor_store_object t = obj;
    t.data = copy;
    d = NULL;
    int rc = cpor__claim_decode(&t, &d);
    ck_assert(rc == CPOR_OK || rc == CPOR_ECORRUPT);
    cpor_claim_free(d);
  }
  free(copy);
  free(buf);
  cpor_event *e = NULL;
  ck_assert_int_eq(cpor__event_decode(1, "junk", 4, &e), CPOR_ECORRUPT);
  ck_assert_ptr_null(e);
}
END_TEST

static Suite *directory_suite(void) {
  Suite *s = suite_create("directory");
  TCase *tc = tcase_create("directory");
  tcase_add_test(tc, partners_and_locations);
  tcase_add_test(tc, customers_and_tenants);
  tcase_add_test(tc, subscriptions);
  tcase_add_test(tc, workloads);
  tcase_add_test(tc, names);
  tcase_add_test(tc, corrupt_records);
  suite_add_tcase(s, tc);
  return s;
}

CPOR_TEST_MAIN(directory_suite)
