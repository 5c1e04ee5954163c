/* The C journey: set up a partner and a customer, claim Microsoft Teams,
 * submit it with proof of execution, review and approve it, let the opt-out
 * window pass (a manual clock) and see the association become official.
 * Exits 0 only when the claim ends ASSOCIATED (so running it is a test). */
#include <cpor/cpor.h>
#include <stdio.h>

#define TRY(call)                                                                                  \
  do {                                                                                             \
    if ((call) != CPOR_OK) {                                                                       \
      fprintf(stderr, "%s: %s\n", #call, cpor_ctx_errmsg(ctx));                                    \
      goto out;                                                                                    \
    }                                                                                              \
  } while (0)

int main(void) {
  const char *tenant = "8c3d5a1e-2b4f-4c6d-9e8f-0a1b2c3d4e5f";
  int status = 1;
  cpor_manual_clock *clock = NULL;
  cpor_manual_clock_new(&clock, 1795687200000); /* 2026-11-25T10:00:00Z, a Wednesday */
  cpor_ctx *ctx = NULL;
  cpor_ctx_options o = CPOR_CTX_OPTIONS_INIT;
  o.clock = cpor_manual_clock_now; /* tests and scripts: time is what we say */
  o.clock_user = clock;
  if (cpor_ctx_open(&ctx, &o) != CPOR_OK) return 1; /* in memory */

  cpor_actor ops = CPOR_ACTOR_INIT; /* the operator: reference data */
  ops.role = CPOR_ROLE_SYSTEM, ops.user = "ops";
  TRY(cpor_partner_create(ctx, &ops, "contoso", "Contoso Partners"));
  TRY(cpor_location_create(ctx, &ops, "contoso", "1234567", "Contoso HQ"));
  TRY(cpor_location_enroll(ctx, &ops, "1234567", CPOR_PROGRAM_OSU_M365, 1));
  char *customer = NULL;
  TRY(cpor_customer_create(ctx, &ops, "Woodgrove Bank", &customer));
  int rc = cpor_tenant_create(ctx, &ops, customer, tenant, "woodgrove.onmicrosoft.com");
  cpor_free(customer);
  TRY(rc);

  cpor_actor ann = CPOR_ACTOR_INIT, rita = CPOR_ACTOR_INIT;
  ann.role = CPOR_ROLE_INCENTIVES_ADMIN, ann.org = "contoso", ann.user = "ann@contoso.com";
  rita.role = CPOR_ROLE_REVIEWER, rita.user = "rita@microsoft.com";

  const char *workloads[] = {"TEAMS"};
  cpor_claim_spec s = CPOR_CLAIM_SPEC_INIT;
  s.name = "Teams adoption";
  s.mpn_id = "1234567";
  s.tenant_id = tenant;
  s.domain = "woodgrove.onmicrosoft.com";
  s.area = CPOR_AREA_M365;
  s.activity = CPOR_ACTIVITY_USAGE;
  s.line_count = 1;
  s.workloads = workloads;
  s.customer_contact_name = "Wendy";
  s.customer_contact_title = "CIO";
  s.customer_contact_email = "wendy@woodgrove.example";
  s.partner_contact_name = "Ann";
  s.partner_contact_email = "ann@contoso.example";
  cpor_claim *claim = NULL;
  TRY(cpor_claim_create(ctx, &ann, &s, &claim));
  char id[37];
  snprintf(id, sizeof id, "%s", cpor_claim_id(claim));
  cpor_claim_free(claim);
  TRY(cpor_claim_add_poe(ctx, &ann, id, "teams-usage.pdf", "application/pdf",
                         "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
                         48213));
  TRY(cpor_claim_submit(ctx, &ann, id));
  TRY(cpor_claim_start_review(ctx, &rita, id));
  TRY(cpor_claim_approve(ctx, &rita, id));

  cpor_manual_clock_advance(clock, 14LL * 86400000); /* two weeks later */
  size_t changed = 0;
  TRY(cpor_ctx_advance(ctx, &changed));
  TRY(cpor_claim_get(ctx, &ann, id, &claim));
  printf("claim %s: %s after advance (%zu changed)\n", id, cpor_state_name(cpor_claim_state(claim)),
         changed);
  status = cpor_claim_state(claim) == CPOR_STATE_ASSOCIATED ? 0 : 1;
  cpor_claim_free(claim);

  cpor_event_iter *it = NULL;
  TRY(cpor_claim_history(ctx, &ann, id, &it));
  cpor_event *e;
  while (cpor_event_iter_next(it, &e) == CPOR_OK) {
    printf("  %2u %-16s %-16s %s\n", cpor_event_seq(e), cpor_event_kind_name(cpor_event_kind(e)),
           cpor_role_name(cpor_event_actor_role(e)), cpor_event_text(e));
    cpor_event_free(e);
  }
  cpor_event_iter_free(it);
out:
  cpor_ctx_close(ctx);
  cpor_manual_clock_free(clock);
  return status;
}
