/* The documented authorization matrix (DESIGN.md 1.2/1.4), written
 * independently of lib/rules/authz.c: shared by test_rules (cpor__rules_check)
 * and test_kernel (cpor__decide). */
#include "rules_oracle.h"

#include "rules/rules.h"

int role_may(int action, int role, int state) {
  int ga = role == CPOR_ROLE_GLOBAL_ADMIN, ia = role == CPOR_ROLE_INCENTIVES_ADMIN;
  int ba = role == CPOR_ROLE_BILLING_ADMIN, iu = role == CPOR_ROLE_INCENTIVES_USER;
  int partner = ga || ia || ba || iu;
  switch (action) {
  case CPOR__ACT_VIEW:
    return 1;
  case CPOR__ACT_EDIT:
  case CPOR__ACT_ADD_POE:
    return ga || ia || ba || (iu && state == CPOR_STATE_EDITING);
  case CPOR__ACT_COMMENT:
    return ga || ia || iu;
  case CPOR__ACT_SUBMIT:
  case CPOR__ACT_RESPOND:
  case CPOR__ACT_DISPUTE:
    return ga || ia;
  case CPOR__ACT_WITHDRAW:
  case CPOR__ACT_REMOVE:
    return ga || ia || ba;
  case CPOR__ACT_START_REVIEW:
  case CPOR__ACT_REQUEST_INFO:
  case CPOR__ACT_APPROVE:
  case CPOR__ACT_REJECT:
  case CPOR__ACT_DECIDE_DISPUTE:
    return role == CPOR_ROLE_REVIEWER;
  case CPOR__ACT_OPT_OUT:
    return role == CPOR_ROLE_CUSTOMER;
  default:
    return partner && 0;
  }
}

int state_allows(int action, int state) {
  switch (action) {
  case CPOR__ACT_VIEW:
    return 1;
  case CPOR__ACT_EDIT:
  case CPOR__ACT_COMMENT:
    return state == CPOR_STATE_EDITING || state == CPOR_STATE_SUBMITTED ||
           state == CPOR_STATE_PARTNER_ACTION_REQUIRED;
  case CPOR__ACT_ADD_POE:
    /* DESIGN.md 1.2: also the dispute's new PoE and PoE on approved
     * associations. */
    return state == CPOR_STATE_EDITING || state == CPOR_STATE_SUBMITTED ||
           state == CPOR_STATE_PARTNER_ACTION_REQUIRED || state == CPOR_STATE_DISPUTED ||
           state == CPOR_STATE_APPROVED || state == CPOR_STATE_ASSOCIATED;
  case CPOR__ACT_SUBMIT:
    return state == CPOR_STATE_EDITING;
  case CPOR__ACT_WITHDRAW:
    return state != CPOR_STATE_ASSOCIATED && state != CPOR_STATE_REJECTED &&
           state != CPOR_STATE_ENDED;
  case CPOR__ACT_START_REVIEW:
    return state == CPOR_STATE_SUBMITTED;
  case CPOR__ACT_REQUEST_INFO:
  case CPOR__ACT_APPROVE:
  case CPOR__ACT_REJECT:
    return state == CPOR_STATE_UNDER_REVIEW;
  case CPOR__ACT_RESPOND:
    return state == CPOR_STATE_PARTNER_ACTION_REQUIRED;
  case CPOR__ACT_OPT_OUT:
    return state == CPOR_STATE_APPROVED;
  case CPOR__ACT_DISPUTE:
    return state == CPOR_STATE_REJECTED;
  case CPOR__ACT_DECIDE_DISPUTE:
    return state == CPOR_STATE_DISPUTED;
  case CPOR__ACT_REMOVE:
    return state == CPOR_STATE_ASSOCIATED;
  default:
    return 0;
  }
}

int oracle_check(int action, int role, int state) {
  int iu_outside_draft = role == CPOR_ROLE_INCENTIVES_USER && state != CPOR_STATE_EDITING &&
                         (action == CPOR__ACT_EDIT || action == CPOR__ACT_ADD_POE);
  if (!role_may(action, role, CPOR_STATE_EDITING) && !role_may(action, role, state))
    return CPOR_EPERM;
  if (!state_allows(action, state)) return CPOR_ESTATE;
  if (iu_outside_draft) return CPOR_EPERM;
  return CPOR_OK;
}
