/* Who may do what, in which state: DESIGN.md 1.2 (edits, transitions) and
 * 1.4 (roles). Data tables, so the matrix reads like the documentation. */
#include <string.h>

#include "valid.h"
#include "rules.h"

#define R(role) (1u << (role))
#define PARTNER_ADMINS (R(CPOR_ROLE_GLOBAL_ADMIN) | R(CPOR_ROLE_INCENTIVES_ADMIN))
#define ALL_PARTNER (PARTNER_ADMINS | R(CPOR_ROLE_BILLING_ADMIN) | R(CPOR_ROLE_INCENTIVES_USER))
#define S(state) (1u << (state))
#define ANY_STATE 0x3FEu
#define BEFORE_ASSOCIATED                                                                          \
  (S(CPOR_STATE_EDITING) | S(CPOR_STATE_SUBMITTED) | S(CPOR_STATE_UNDER_REVIEW) |                  \
   S(CPOR_STATE_PARTNER_ACTION_REQUIRED) | S(CPOR_STATE_APPROVED) | S(CPOR_STATE_DISPUTED))
#define EDITABLE                                                                                   \
  (S(CPOR_STATE_EDITING) | S(CPOR_STATE_SUBMITTED) | S(CPOR_STATE_PARTNER_ACTION_REQUIRED))

typedef struct rule {
  const char *name;
  uint32_t roles;       /* roles that may */
  uint32_t draft_roles; /* roles that may only while EDITING */
  uint32_t states;      /* states that allow it (0: creation) */
} rule;

static const rule table[CPOR__ACT_COUNT] = {
    [CPOR__ACT_VIEW] = {"view",
                        ALL_PARTNER | R(CPOR_ROLE_REVIEWER) | R(CPOR_ROLE_CUSTOMER) |
                            R(CPOR_ROLE_SYSTEM),
                        0, ANY_STATE},
    [CPOR__ACT_CREATE] = {"create", PARTNER_ADMINS | R(CPOR_ROLE_INCENTIVES_USER), 0, 0},
    [CPOR__ACT_EDIT] = {"edit", PARTNER_ADMINS | R(CPOR_ROLE_BILLING_ADMIN),
                        R(CPOR_ROLE_INCENTIVES_USER), EDITABLE},
    [CPOR__ACT_ADD_POE] = {"add proof of execution", PARTNER_ADMINS | R(CPOR_ROLE_BILLING_ADMIN),
                           R(CPOR_ROLE_INCENTIVES_USER),
                           EDITABLE | S(CPOR_STATE_DISPUTED) | S(CPOR_STATE_APPROVED) |
                               S(CPOR_STATE_ASSOCIATED)},
    [CPOR__ACT_COMMENT] = {"comment", PARTNER_ADMINS | R(CPOR_ROLE_INCENTIVES_USER), 0, EDITABLE},
    [CPOR__ACT_SUBMIT] = {"submit", PARTNER_ADMINS, 0, S(CPOR_STATE_EDITING)},
    [CPOR__ACT_WITHDRAW] = {"withdraw", PARTNER_ADMINS | R(CPOR_ROLE_BILLING_ADMIN), 0,
                            BEFORE_ASSOCIATED},
    [CPOR__ACT_START_REVIEW] = {"start review", R(CPOR_ROLE_REVIEWER), 0, S(CPOR_STATE_SUBMITTED)},
    [CPOR__ACT_REQUEST_INFO] = {"request information", R(CPOR_ROLE_REVIEWER), 0,
                                S(CPOR_STATE_UNDER_REVIEW)},
    [CPOR__ACT_RESPOND] = {"respond", PARTNER_ADMINS, 0, S(CPOR_STATE_PARTNER_ACTION_REQUIRED)},
    [CPOR__ACT_APPROVE] = {"approve", R(CPOR_ROLE_REVIEWER), 0, S(CPOR_STATE_UNDER_REVIEW)},
    [CPOR__ACT_REJECT] = {"reject", R(CPOR_ROLE_REVIEWER), 0, S(CPOR_STATE_UNDER_REVIEW)},
    [CPOR__ACT_OPT_OUT] = {"opt out", R(CPOR_ROLE_CUSTOMER), 0, S(CPOR_STATE_APPROVED)},
    [CPOR__ACT_DISPUTE] = {"dispute", PARTNER_ADMINS, 0, S(CPOR_STATE_REJECTED)},
    [CPOR__ACT_DECIDE_DISPUTE] = {"decide a dispute", R(CPOR_ROLE_REVIEWER), 0,
                                  S(CPOR_STATE_DISPUTED)},
    [CPOR__ACT_REMOVE] = {"remove the association", PARTNER_ADMINS | R(CPOR_ROLE_BILLING_ADMIN), 0,
                          S(CPOR_STATE_ASSOCIATED)},
};

const char *cpor__action_name(int action) {
  return action > 0 && action < CPOR__ACT_COUNT ? table[action].name : "unknown action";
}

static int is_partner_role(uint32_t role) {
  return role >= CPOR_ROLE_GLOBAL_ADMIN && role <= CPOR_ROLE_INCENTIVES_USER;
}

int cpor__rules_actor_valid(const cpor_actor *a, const char **msg) {
  if (!a) return *msg = "actor is NULL", CPOR_EINVAL;
  if (a->role < CPOR_ROLE_GLOBAL_ADMIN || a->role > CPOR_ROLE_SYSTEM)
    return *msg = "unknown actor role", CPOR_EINVAL;
  if (cpor__valid_text(a->user, 128, 1) != CPOR_OK)
    return *msg = "actor user ID must be 1-128 bytes of text", CPOR_EINVAL;
  if (is_partner_role(a->role) && cpor__valid_partner_id(a->org) != CPOR_OK)
    return *msg = "a partner actor's organization must be a partner ID", CPOR_EINVAL;
  char guid[CPOR_GUID_LEN + 1];
  if (a->role == CPOR_ROLE_CUSTOMER && cpor__guid_canon(a->org, guid) != CPOR_OK)
    return *msg = "a customer actor's organization must be a tenant ID (GUID)", CPOR_EINVAL;
  return CPOR_OK;
}

int cpor__rules_check(const cpor_actor *a, int action, const char *partner_id,
                      const char *tenant_id, int state, const char **msg) {
  if (action <= 0 || action >= CPOR__ACT_COUNT) return *msg = "unknown action", CPOR_EINVAL;
  const rule *r = &table[action];
  if (is_partner_role(a->role) && strcmp(a->org, partner_id) != 0)
    return *msg = "no such claim", CPOR_ENOTFOUND;
  if (a->role == CPOR_ROLE_CUSTOMER && action != CPOR__ACT_CREATE) {
    char guid[CPOR_GUID_LEN + 1];
    if (cpor__guid_canon(a->org, guid) != CPOR_OK || !tenant_id || strcmp(guid, tenant_id) != 0)
      return *msg = "the claim is for another tenant", CPOR_EACCES;
  }
  uint32_t bit = R(a->role);
  int draft_only = !(r->roles & bit) && (r->draft_roles & bit);
  if (!(r->roles & bit) && !draft_only) {
    *msg = "the actor's role may not do this";
    return CPOR_EPERM;
  }
  if (action == CPOR__ACT_CREATE) return CPOR_OK;
  if (!(r->states & S(state))) {
    *msg = "the action is not allowed in the claim's current state";
    return CPOR_ESTATE;
  }
  if (draft_only && state != CPOR_STATE_EDITING) {
    *msg = "an incentives user may change a claim only while it is a draft";
    return CPOR_EPERM;
  }
  return CPOR_OK;
}
