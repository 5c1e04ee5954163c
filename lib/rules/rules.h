/* The CPOR claim rules: pure functions, no I/O. Given a claim, an action, an
 * actor, "now", the policy, the calendar and what else is live on the claim's
 * units, they decide the outcome; the context reads and writes the store.
 * Every refusal returns a CPOR_E* code and a static or caller-buffer message. */
#ifndef CPOR_RULES_RULES_H
#define CPOR_RULES_RULES_H

#include "core/records.h"

typedef enum cpor__action {
  CPOR__ACT_VIEW = 1,
  CPOR__ACT_CREATE,
  CPOR__ACT_EDIT,
  CPOR__ACT_ADD_POE,
  CPOR__ACT_COMMENT,
  CPOR__ACT_SUBMIT,
  CPOR__ACT_WITHDRAW,
  CPOR__ACT_START_REVIEW,
  CPOR__ACT_REQUEST_INFO,
  CPOR__ACT_RESPOND,
  CPOR__ACT_APPROVE,
  CPOR__ACT_REJECT,
  CPOR__ACT_OPT_OUT,
  CPOR__ACT_DISPUTE,
  CPOR__ACT_DECIDE_DISPUTE,
  CPOR__ACT_REMOVE,
  CPOR__ACT_COUNT
} cpor__action;

const char *cpor__action_name(int action);

/* Everything time-dependent a rule needs. */
typedef struct cpor__env {
  const cpor_calendar *cal;
  const cpor_tz *tz;
  const cpor_policy *policy;
  cpor_time now;
} cpor__env;

/* Who may do what (DESIGN.md 1.4), then whether the state allows it:
 * CPOR_ENOTFOUND for a partner actor of another partner (no existence leak),
 * CPOR_EACCES for a customer of another tenant, CPOR_EPERM for a role that may
 * not, CPOR_ESTATE for a state that does not allow it. For CREATE, partner_id
 * is the partner the claim would belong to and state is 0. */
int cpor__rules_check(const cpor_actor *actor, int action, const char *partner_id,
                      const char *tenant_id, int state, const char **msg);

/* Validates the actor struct itself (version, role, org, user). */
int cpor__rules_actor_valid(const cpor_actor *actor, const char **msg);

/* The program a claim's solution area and activity map to; 0 when the
 * activity is not allowed for the area. */
int cpor__rules_program(int area, int activity);

/* Whether a subscription can be claimed on the tenant for the workload:
 * CPOR_OK or CPOR_ESUBSCRIPTION with a distinct message per reason. */
int cpor__rules_subscription(const cpor_subscription *s, const char *tenant_id,
                             const char *workload, const char **msg);

/* Whether a claim has everything submit needs: CPOR_OK or CPOR_EINCOMPLETE.
 * dynamics: 1 when one of its lines is a Dynamics 365 product. */
int cpor__rules_complete(const cpor_claim *c, int dynamics, const char **msg);

/* Line states that hold or claim a unit. */
int cpor__rules_live(int state);
/* Live and beyond a draft: these make a competitor's claim contested. */
int cpor__rules_pending_or_held(int state);

/* Windows: the exclusive end of a window opened at t. */
int cpor__rules_window_end(const cpor__env *env, const cpor_window *w, cpor_time t,
                           cpor_time *closes_at);

/* Moves the claim to a state: the lines that follow the claim (not rejected
 * or ended on their own) move with it; sets the windows and SLA of the new
 * state from env->now. */
int cpor__rules_enter(const cpor__env *env, cpor_claim *c, int state, int reason);

/* One line of a claim lost its unit (REJECTED lost_arbitration, or ENDED
 * superseded / subscription ended). Returns 1 when that was the claim's last
 * live line, after which the claim itself has entered that state. */
int cpor__rules_line_outcome(const cpor__env *env, cpor_claim *c, size_t line, int state,
                             int reason);

/* Whether an actor may see a claim's overdue flag, and the flag itself. */
int cpor__rules_overdue(const cpor_claim *c, cpor_time now);

#endif
