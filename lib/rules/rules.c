/* Claim validation, windows and state entry (see rules.h). */
#include <string.h>

#include "rules.h"

int cpor__rules_program(int area, int activity) {
  if (area == CPOR_AREA_M365) return activity == CPOR_ACTIVITY_USAGE ? CPOR_PROGRAM_OSU_M365 : 0;
  if (area == CPOR_AREA_BIZAPPS) {
    switch (activity) {
    case CPOR_ACTIVITY_PRESALES:
      return CPOR_PROGRAM_OSA_SELL;
    case CPOR_ACTIVITY_USAGE:
      return CPOR_PROGRAM_OSU_BIZAPPS;
    /* Revenue association pays no incentive but is a sell-side claim: it
     * needs the same OSA Sell enrollment as pre-sales (see CHANGELOG). */
    case CPOR_ACTIVITY_REVENUE:
      return CPOR_PROGRAM_OSA_SELL;
    default:
      return 0;
    }
  }
  return 0;
}

int cpor__rules_subscription(const cpor_subscription *s, const char *tenant_id,
                             const char *workload, const char **msg) {
  if (strcmp(s->tenant_id, tenant_id) != 0)
    return *msg = "the subscription is not on the claimed tenant", CPOR_ESUBSCRIPTION;
  if (strcmp(s->workload, workload) != 0)
    return *msg = "the subscription is not for the line's product", CPOR_ESUBSCRIPTION;
  if (s->channel == CPOR_CHANNEL_CSP)
    return *msg = "the subscription is sold through CSP", CPOR_ESUBSCRIPTION;
  if (s->state == CPOR_SUB_PROVISIONING)
    return *msg = "the subscription is not yet provisioned", CPOR_ESUBSCRIPTION;
  if (s->state == CPOR_SUB_EXPIRED)
    return *msg = "the subscription has expired", CPOR_ESUBSCRIPTION;
  if (s->state == CPOR_SUB_DISABLED)
    return *msg = "the subscription is disabled", CPOR_ESUBSCRIPTION;
  return CPOR_OK;
}

static int missing(const char *s) {
  return !s || !*s;
}

int cpor__rules_each_missing(const cpor_claim *c, int dynamics, cpor__missing_fn fn, void *arg) {
  static const struct {
    int field;
    const char *what;
  } contacts[] = {
      {CPOR_FIELD_CUSTOMER_CONTACT_NAME, "customer contact name is missing"},
      {CPOR_FIELD_CUSTOMER_CONTACT_TITLE, "customer contact title is missing"},
      {CPOR_FIELD_CUSTOMER_CONTACT_EMAIL, "customer contact email is missing"},
      {CPOR_FIELD_PARTNER_CONTACT_NAME, "partner contact name is missing"},
      {CPOR_FIELD_PARTNER_CONTACT_EMAIL, "partner contact email is missing"},
  };
  int rc = CPOR_OK;
#define MISSING(cond, msg)                                                                         \
  do {                                                                                             \
    if (!rc && (cond)) rc = fn(arg, msg);                                                          \
  } while (0)
  MISSING(missing(c->name), "the claim name is missing");
  MISSING(c->nlines == 0, "the claim has no products");
  for (size_t i = 0; i < sizeof contacts / sizeof contacts[0]; i++)
    MISSING(missing(c->fields[contacts[i].field]), contacts[i].what);
  MISSING(dynamics && (missing(c->fields[CPOR_FIELD_TECHNICAL_CONTACT_NAME]) ||
                       missing(c->fields[CPOR_FIELD_TECHNICAL_CONTACT_EMAIL])),
          "a Dynamics 365 claim needs a technical contact");
  MISSING(c->activity == CPOR_ACTIVITY_REVENUE && (missing(c->fields[CPOR_FIELD_SOLUTION_SELLER]) ||
                                                   missing(c->fields[CPOR_FIELD_CUSTOMER_NAME]) ||
                                                   missing(c->fields[CPOR_FIELD_ISV_PRODUCT])),
          "a revenue association needs the solution seller, customer name and ISV product");
  MISSING(c->npoe == 0, "no proof of execution has been added");
#undef MISSING
  return rc;
}

static int first_missing(void *arg, const char *msg) {
  *(const char **)arg = msg;
  return CPOR_EINCOMPLETE;
}

int cpor__rules_complete(const cpor_claim *c, int dynamics, const char **msg) {
  return cpor__rules_each_missing(c, dynamics, first_missing, (void *)msg);
}

int cpor__rules_live(int state) {
  return state >= CPOR_STATE_EDITING && state != CPOR_STATE_REJECTED && state != CPOR_STATE_ENDED;
}

int cpor__rules_pending_or_held(int state) {
  return cpor__rules_live(state) && state != CPOR_STATE_EDITING;
}

int cpor__rules_pending(int state) {
  return state == CPOR_STATE_SUBMITTED || state == CPOR_STATE_UNDER_REVIEW ||
         state == CPOR_STATE_PARTNER_ACTION_REQUIRED || state == CPOR_STATE_DISPUTED;
}

int cpor__rules_line_final(const cpor__line *l) {
  return l->reason == CPOR_REASON_LOST_ARBITRATION || l->reason == CPOR_REASON_SUPERSEDED ||
         l->reason == CPOR_REASON_SUBSCRIPTION_ENDED;
}

int cpor__rules_window_end(const cpor__env *env, const cpor_window *w, cpor_time t,
                           cpor_time *closes_at) {
  if (w->unit == CPOR_BUSINESS_DAYS)
    return cpor_calendar_deadline(env->cal, env->tz, t, w->count, NULL, closes_at);
  /* Calendar days: the same rule with every day a business day. */
  cpor_date day;
  int rc = cpor_tz_local_date(env->tz, t, &day);
  if (rc) return rc;
  return cpor_tz_start_of_day(env->tz, day + w->count + 1, closes_at);
}

const cpor_policy *cpor__rules_policy(const cpor__env *env, const cpor_claim *c) {
  return c->has_policy ? &c->policy : env->policy;
}

cpor__variants cpor__rules_variants(const cpor__env *env, const cpor_claim *c) {
  static const cpor__variants none = {0, 0, 0};
  cpor__variants v = c->has_policy ? c->variants : env->variants ? *env->variants : none;
  if (!v.optout_from) v.optout_from = CPOR_OPTOUT_FROM_APPROVAL;
  if (!v.max_disputes) v.max_disputes = 1;
  return v;
}

/* Rejections that can never be disputed: the partner's own request, and
 * those where every line has an outcome of its own (a dispute could revive
 * nothing: DESIGN.md 1.3, line outcomes for good). */
static int final_reason(int reason) {
  return reason == CPOR_REASON_PARTNER_REQUEST || reason == CPOR_REASON_LOST_ARBITRATION ||
         reason == CPOR_REASON_SUBSCRIPTION_ENDED || reason == CPOR_REASON_SUPERSEDED;
}

int cpor__rules_enter(const cpor__env *env, cpor_claim *c, int state, int reason) {
  const cpor_policy *p = cpor__rules_policy(env, c);
  cpor__variants var = cpor__rules_variants(env, c);
  int from_submission = var.optout_from == CPOR_OPTOUT_FROM_SUBMISSION;
  const cpor_window *w = NULL, *sla = NULL;
  int rc = CPOR_OK;
  switch (state) {
  case CPOR_STATE_SUBMITTED:
    sla = &p->review_start_sla;
    /* The customer is notified on submit: its window runs from now. */
    if (from_submission && c->optout_closes_at == CPOR_TIME_NONE)
      rc = cpor__rules_window_end(env, &p->optout, env->now, &c->optout_closes_at);
    break;
  case CPOR_STATE_UNDER_REVIEW:
    sla = &p->review_sla;
    break;
  case CPOR_STATE_PARTNER_ACTION_REQUIRED:
    w = &p->response;
    break;
  case CPOR_STATE_APPROVED:
    if (!from_submission) w = &p->optout;
    break;
  case CPOR_STATE_DISPUTED:
    sla = &p->dispute_review_sla;
    break;
  case CPOR_STATE_REJECTED:
    if (final_reason(reason) || c->disputes >= var.max_disputes) c->final = 1;
    if (!c->final) w = &p->dispute;
    break;
  default:
    break;
  }
  cpor_time window = CPOR_TIME_NONE, due = CPOR_TIME_NONE;
  if (!rc && w) rc = cpor__rules_window_end(env, w, env->now, &window);
  /* Approved after a window that opened at submission: association waits
   * for what is left of it (nothing, when it has elapsed: due at once). */
  if (state == CPOR_STATE_APPROVED && from_submission)
    window = c->optout_closes_at > env->now ? c->optout_closes_at : env->now;
  if (!rc && sla) rc = cpor__rules_window_end(env, sla, env->now, &due);
  if (rc) return rc;
  int from = c->state;
  for (size_t i = 0; i < c->nlines; i++) {
    cpor__line *l = &c->lines[i];
    if (l->state == from && !cpor__rules_line_final(l)) {
      l->state = state;
      l->reason = reason;
    }
  }
  c->state = state;
  c->reason = reason;
  c->info_reason = 0; /* set by the request that enters PARTNER_ACTION_REQUIRED */
  c->window_closes_at = window;
  c->sla_due_at = due;
  return CPOR_OK;
}

int cpor__rules_line_outcome(const cpor__env *env, cpor_claim *c, size_t line, int state,
                             int reason) {
  c->lines[line].state = state;
  c->lines[line].reason = reason;
  for (size_t i = 0; i < c->nlines; i++)
    if (cpor__rules_live(c->lines[i].state)) return 0;
  /* The last live line is gone: the claim follows it. Its lines are all
   * REJECTED or ENDED already, so entering the state moves none of them. */
  int rc = cpor__rules_enter(env, c, state, reason);
  return rc ? rc : 1;
}

int cpor__rules_overdue(const cpor_claim *c, cpor_time now) {
  if (c->sla_due_at == CPOR_TIME_NONE || now < c->sla_due_at) return 0;
  /* Arbitration may keep a contested claim under review past the SLA. */
  if (c->contested && c->state == CPOR_STATE_UNDER_REVIEW) return 0;
  return 1;
}

cpor_time cpor__rules_due(const cpor_claim *c, cpor_time now) {
  if (c->state != CPOR_STATE_APPROVED && c->state != CPOR_STATE_PARTNER_ACTION_REQUIRED)
    return CPOR_TIME_NONE;
  if (c->window_closes_at == CPOR_TIME_NONE || c->window_closes_at > now) return CPOR_TIME_NONE;
  return c->window_closes_at;
}
