/* The documented authorization matrix, as an oracle for the tests. */
#ifndef CPOR_TEST_RULES_ORACLE_H
#define CPOR_TEST_RULES_ORACLE_H

/* Whether a role (of the claim's own partner, for partner roles) may do the
 * action in the state, by DESIGN.md 1.4. */
int role_may(int action, int role, int state);
/* Whether the state allows the action, by DESIGN.md 1.2. */
int state_allows(int action, int state);
/* What cpor__rules_check answers for an actor of the claim's own partner
 * (or the customer of its tenant): CPOR_OK, CPOR_EPERM or CPOR_ESTATE. */
int oracle_check(int action, int role, int state);

#endif
