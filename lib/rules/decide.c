/* The actions on a claim (DESIGN.md 1.2): authorization, windows, then the
 * transition and its history. The view is settled before a decision. */
#include <stdio.h>
#include <string.h>

#include "payload.h"
#include "rules.h"

static int had(const char *s) {
  return s && *s;
}

/* A refusal by state that is really a window that closed: the settled claim
 * has moved on (DESIGN.md 1.2: at or after the close is CPOR_EWINDOW). */
static int window_closed(const cpor__env *env, int action, const cpor_claim *c) {
  if (action == CPOR__ACT_OPT_OUT && cpor__rules_variants(env, c).customer_may_end &&
      c->state == CPOR_STATE_ENDED)
    return CPOR_OK; /* an ended association: there is nothing left to end */
  if (action == CPOR__ACT_OPT_OUT &&
      (c->state == CPOR_STATE_ASSOCIATED || c->state == CPOR_STATE_ENDED))
    return cpor__kfail(env, CPOR_EWINDOW,
                       "the opt-out window has closed: the association became official");
  if (action == CPOR__ACT_RESPOND && c->state == CPOR_STATE_REJECTED &&
      c->reason == CPOR_REASON_NO_PARTNER_RESPONSE)
    return cpor__kfail(env, CPOR_EWINDOW,
                       "the response window has closed: the claim was rejected "
                       "(no_partner_response)");
  return CPOR_OK;
}

/* The states a customer's opt-out acts in: APPROVED; from submission on
 * under CPOR_OPTOUT_FROM_SUBMISSION; ASSOCIATED under customer_may_end. The
 * role rules are those of an opt-out while APPROVED. */
static int optout_state(const cpor__env *env, const cpor_claim *c) {
  cpor__variants v = cpor__rules_variants(env, c);
  if (c->state == CPOR_STATE_ASSOCIATED && v.customer_may_end) return CPOR_STATE_APPROVED;
  if (v.optout_from == CPOR_OPTOUT_FROM_SUBMISSION && cpor__rules_pending(c->state))
    return CPOR_STATE_APPROVED;
  return c->state;
}

int cpor__k_authorize(const cpor__env *env, const cpor_actor *actor, int action,
                      const cpor_claim *c) {
  const char *msg = NULL;
  int state = action == CPOR__ACT_OPT_OUT ? optout_state(env, c) : c->state;
  int rc = cpor__rules_check(actor, action, c->partner_id, c->tenant_id, state, &msg);
  if (rc == CPOR_ENOTFOUND) return cpor__kfail(env, rc, "no such claim '%s'", c->id);
  if (rc == CPOR_ESTATE && window_closed(env, action, c)) return CPOR_EWINDOW;
  if (rc)
    return cpor__kfail(env, rc, "cannot %s claim %s (%s, as %s): %s", cpor__action_name(action),
                       c->id, cpor_state_name(c->state), cpor_role_name((int)actor->role), msg);
  return CPOR_OK;
}

static int enter(const cpor__env *env, cpor_claim *c, int state, int reason) {
  int rc = cpor__rules_enter(env, c, state, reason);
  return rc ? cpor__kfail(env, rc, "cannot compute the claim's windows") : CPOR_OK;
}

/* Every subscription a live line names must still be claimable. */
static int subscriptions_ok(const cpor__env *env, const cpor__view *view, const cpor_claim *c) {
  for (size_t i = 0; i < c->nlines; i++) {
    const cpor__line *l = &c->lines[i];
    if (!cpor__rules_live(l->state) || !l->subscription) continue;
    const cpor_subscription *s = cpor__view_sub(view, l->subscription);
    const char *msg = "the subscription does not exist";
    if (s && cpor__rules_subscription(s, c->tenant_id, l->workload, &msg) == CPOR_OK) continue;
    return cpor__kfail(env, CPOR_ESUBSCRIPTION, "line %zu: subscription %s: %s", i + 1,
                       l->subscription, msg);
  }
  return CPOR_OK;
}

static int submit(const cpor__env *env, const cpor__request *req, cpor__view *view,
                  cpor__touched *t) {
  cpor_claim *c = t->claim;
  cpor__problems p = {0};
  int rc = cpor__k_submit_problems(env, req, view, t, &p);
  if (!rc && p.n) rc = cpor__k_problems_fail(env, "cannot submit", &p);
  cpor__problems_free(&p);
  if (rc) return rc;
  /* The claim's policy from now on: the context's windows and variants. */
  cpor__variants var = cpor__rules_variants(env, c);
  c->policy = *env->policy;
  c->variants = var;
  c->has_policy = 1;
  if ((rc = enter(env, c, CPOR_STATE_SUBMITTED, CPOR_REASON_NONE))) return rc;
  const cpor_window *w = &c->policy.optout;
  char payload[384];
  if (cpor__policy_is_default(&c->policy, &var))
    snprintf(payload, sizeof payload, "{\"policy\":\"%s\"}", CPOR__POLICY_DEFAULT_NAME);
  else
    snprintf(
        payload, sizeof payload,
        "{\"policy\":{\"customer_may_end\":%s,\"dispute\":[%d,%u],\"dispute_review_sla\":[%d,%u],"
        "\"max_disputes\":%u,\"optout\":[%d,%u],\"optout_from\":\"%s\",\"response\":[%d,%u],"
        "\"review_sla\":[%d,%u],\"review_start_sla\":[%d,%u]}}",
        var.customer_may_end ? "true" : "false", w[4].count, w[4].unit, w[5].count, w[5].unit,
        var.max_disputes, w[0].count, w[0].unit,
        var.optout_from == CPOR_OPTOUT_FROM_SUBMISSION ? "submission" : "approval", w[1].count,
        w[1].unit, w[3].count, w[3].unit, w[2].count, w[2].unit);
  rc = cpor__k_event(env, t, req->actor, CPOR_EVENT_SUBMITTED, payload, "submitted for review");
  return rc ? rc : cpor__k_contest(env, view, t, req->actor);
}

static const char *sep(const char *text) {
  return had(text) ? ": " : "";
}
static const char *txt(const char *text) {
  return had(text) ? text : "";
}

static int dispute(const cpor__env *env, const cpor__request *req, cpor__view *view,
                   cpor__touched *t) {
  cpor_claim *c = t->claim;
  char when[48];
  if (c->final)
    return cpor__kfail(env, CPOR_ESTATE, "this rejection (%s) cannot be disputed",
                       cpor_reason_name(c->reason));
  if (env->now >= c->window_closes_at)
    return cpor__kfail(env, CPOR_EWINDOW, "the dispute window closed at %s",
                       cpor__k_format_time(c->window_closes_at, when));
  c->disputes++;
  int rc = enter(env, c, CPOR_STATE_DISPUTED, c->reason);
  if (!rc) rc = cpor__k_duplicates(env, view, t);
  return rc ? rc : cpor__k_event(env, t, req->actor, CPOR_EVENT_DISPUTED, NULL, "%s", req->text);
}

static int decide_dispute(const cpor__env *env, const cpor__request *req, cpor__touched *t) {
  cpor_claim *c = t->claim;
  int rc;
  if (req->grant) {
    rc = enter(env, c, CPOR_STATE_UNDER_REVIEW, CPOR_REASON_NONE);
    return rc ? rc
              : cpor__k_event(env, t, req->actor, CPOR_EVENT_DISPUTE_GRANTED, NULL,
                              "dispute granted: back under review%s%s", sep(req->text),
                              txt(req->text));
  }
  c->final = 1;
  rc = enter(env, c, CPOR_STATE_REJECTED, c->reason);
  return rc ? rc
            : cpor__k_event(env, t, req->actor, CPOR_EVENT_DISPUTE_UPHELD, NULL,
                            "dispute upheld: rejection (%s) is final%s%s",
                            cpor_reason_name(c->reason), sep(req->text), txt(req->text));
}

static int approve(const cpor__env *env, const cpor__request *req, cpor__view *view,
                   cpor__touched *t) {
  cpor_claim *c = t->claim;
  char when[48];
  int rc = subscriptions_ok(env, view, c);
  if (!rc) rc = cpor__k_arbitrate(env, view, t);
  if (!rc) rc = enter(env, c, CPOR_STATE_APPROVED, CPOR_REASON_NONE);
  return rc ? rc
            : cpor__k_event(env, t, req->actor, CPOR_EVENT_APPROVED, NULL,
                            "approved; customer notified, opt-out window closes %s",
                            cpor__k_format_time(c->window_closes_at, when));
}

static int transition(const cpor__env *env, const cpor__request *req, cpor__touched *t, int state,
                      int reason, int kind, const char *payload, const char *text);

/* {"reason":"<name>"} */
static const char *reason_payload(char buf[64], const char *name) {
  snprintf(buf, 64, "{\"reason\":\"%s\"}", name);
  return buf;
}

static int opt_out(const cpor__env *env, const cpor__request *req, cpor__touched *t) {
  cpor_claim *c = t->claim;
  if (c->state == CPOR_STATE_ASSOCIATED) /* customer_may_end */
    return transition(env, req, t, CPOR_STATE_ENDED, CPOR_REASON_CUSTOMER_DECLINED,
                      CPOR_EVENT_OPTED_OUT, NULL, "the customer ended the association");
  char when[48];
  if (c->state != CPOR_STATE_APPROVED && env->now >= c->optout_closes_at)
    return cpor__kfail(env, CPOR_EWINDOW, "the opt-out window closed at %s",
                       cpor__k_format_time(c->optout_closes_at, when));
  return transition(env, req, t, CPOR_STATE_REJECTED, CPOR_REASON_CUSTOMER_DECLINED,
                    CPOR_EVENT_OPTED_OUT, NULL, "the customer declined the association");
}

static int transition(const cpor__env *env, const cpor__request *req, cpor__touched *t, int state,
                      int reason, int kind, const char *payload, const char *text) {
  int rc = enter(env, t->claim, state, reason);
  return rc ? rc : cpor__k_event(env, t, req->actor, kind, payload, "%s", text);
}

int cpor__decide(const cpor__env *env0, const cpor__request *req, cpor__view *view) {
  cpor__touched *t = view->v[0];
  cpor_claim *c = t->claim;
  int rc = cpor__k_authorize(env0, req->actor, req->action, c);
  if (rc) return rc;
  cpor__env envv, *env = &envv;
  if ((rc = cpor__k_stamp(env0, c, env))) return rc;
  char when[48], payload[64];
  switch (req->action) {
  case CPOR__ACT_SUBMIT:
    return submit(env, req, view, t);
  case CPOR__ACT_WITHDRAW:
    return transition(env, req, t, CPOR_STATE_REJECTED, CPOR_REASON_PARTNER_REQUEST,
                      CPOR_EVENT_WITHDRAWN, NULL, "withdrawn at the partner's request");
  case CPOR__ACT_START_REVIEW:
    return transition(env, req, t, CPOR_STATE_UNDER_REVIEW, CPOR_REASON_NONE,
                      CPOR_EVENT_REVIEW_STARTED, NULL, "review started");
  case CPOR__ACT_REQUEST_INFO:
    if ((rc = enter(env, c, CPOR_STATE_PARTNER_ACTION_REQUIRED, CPOR_REASON_NONE))) return rc;
    c->info_reason = req->reason;
    return cpor__k_event(env, t, req->actor, CPOR_EVENT_INFO_REQUESTED,
                         reason_payload(payload, cpor_info_reason_name(req->reason)),
                         "information requested (%s; respond before %s): %s",
                         cpor_info_reason_name(req->reason),
                         cpor__k_format_time(c->window_closes_at, when), req->text);
  case CPOR__ACT_RESPOND:
    return transition(env, req, t, CPOR_STATE_UNDER_REVIEW, CPOR_REASON_NONE, CPOR_EVENT_RESPONDED,
                      NULL, req->text);
  case CPOR__ACT_APPROVE:
    return approve(env, req, view, t);
  case CPOR__ACT_REJECT:
    if ((rc = enter(env, c, CPOR_STATE_REJECTED, req->reason))) return rc;
    return cpor__k_event(env, t, req->actor, CPOR_EVENT_REJECTED,
                         reason_payload(payload, cpor_reason_name(req->reason)), "rejected: %s%s%s",
                         cpor_reason_name(req->reason), sep(req->text), txt(req->text));
  case CPOR__ACT_OPT_OUT:
    return opt_out(env, req, t);
  case CPOR__ACT_DISPUTE:
    return dispute(env, req, view, t);
  case CPOR__ACT_DECIDE_DISPUTE:
    return decide_dispute(env, req, t);
  case CPOR__ACT_REMOVE:
    if ((rc = enter(env, c, CPOR_STATE_ENDED, CPOR_REASON_PARTNER_REMOVED))) return rc;
    c->removal_reason = req->reason;
    return cpor__k_event(env, t, req->actor, CPOR_EVENT_REMOVED,
                         reason_payload(payload, cpor_removal_reason_name(req->reason)),
                         "association removed by the partner (%s)%s%s",
                         cpor_removal_reason_name(req->reason), sep(req->text), txt(req->text));
  case CPOR__ACT_COMMENT:
    return cpor__k_event(env, t, req->actor, CPOR_EVENT_COMMENTED, NULL, "%s", req->text);
  case CPOR__ACT_ADD_POE:
    return cpor__k_add_poe(env, req->actor, t, req->poe);
  default:
    return cpor__kfail(env, CPOR_EINVAL, "unknown action");
  }
}
