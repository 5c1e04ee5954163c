/* Settled state (DESIGN.md 1.2): the timed transitions due at a call's now,
 * applied in (due instant, claim ID) order, each at its own instant. */
#include <string.h>

#include "rules.h"

/* A subscription line that can no longer be claimed when the window closes
 * is rejected instead of associated (subscription_ended). */
static int recheck(const cpor__env *env, cpor__view *view, cpor__touched *t) {
  cpor_claim *c = t->claim;
  for (size_t i = 0; i < c->nlines; i++) {
    const cpor__line *l = &c->lines[i];
    if (!cpor__rules_live(l->state) || !l->subscription) continue;
    const cpor_subscription *s = cpor__view_sub(view, l->subscription);
    const char *msg;
    if (s && cpor__rules_subscription(s, c->tenant_id, l->workload, &msg) == CPOR_OK) continue;
    int rc = cpor__k_line_lost(env, t, i, CPOR_STATE_REJECTED, CPOR_REASON_SUBSCRIPTION_ENDED);
    if (rc) return rc;
  }
  return CPOR_OK;
}

static int associate(const cpor__env *env, cpor__view *view, cpor__touched *t) {
  int rc = recheck(env, view, t);
  if (rc || t->claim->state != CPOR_STATE_APPROVED) return rc;
  if ((rc = cpor__k_supersede(env, view, t))) return rc;
  cpor__env at;
  if ((rc = cpor__k_stamp(env, t->claim, &at))) return rc;
  if ((rc = cpor__rules_enter(&at, t->claim, CPOR_STATE_ASSOCIATED, CPOR_REASON_NONE)))
    return cpor__kfail(env, rc, "cannot compute the claim's windows");
  return cpor__k_event(&at, t, &cpor__k_system, CPOR_EVENT_ASSOCIATED, NULL,
                       "opt-out window closed: partner of record");
}

static int no_response(const cpor__env *env, cpor__touched *t) {
  cpor__env at;
  int rc = cpor__k_stamp(env, t->claim, &at);
  if (rc) return rc;
  if ((rc = cpor__rules_enter(&at, t->claim, CPOR_STATE_REJECTED, CPOR_REASON_NO_PARTNER_RESPONSE)))
    return cpor__kfail(env, rc, "cannot compute the claim's windows");
  return cpor__k_event(&at, t, &cpor__k_system, CPOR_EVENT_REJECTED,
                       "{\"reason\":\"no_partner_response\"}",
                       "rejected: no_partner_response: no response within the window");
}

int cpor__settle(const cpor__env *env, cpor__view *view) {
  for (;;) {
    cpor__touched *next = NULL;
    cpor_time at = CPOR_TIME_NONE;
    for (size_t i = 0; i < view->n; i++) {
      cpor__touched *t = view->v[i];
      cpor_time due = cpor__rules_due(t->claim, env->now);
      if (due == CPOR_TIME_NONE) continue;
      if (!next || due < at || (due == at && strcmp(t->claim->id, next->claim->id) < 0))
        next = t, at = due;
    }
    if (!next) return CPOR_OK;
    cpor__env e = *env;
    e.now = at; /* the transition happened when the window closed */
    e.lenient = 1;
    int rc = next->claim->state == CPOR_STATE_APPROVED ? associate(&e, view, next)
                                                       : no_response(&e, next);
    if (rc) return rc;
  }
}
