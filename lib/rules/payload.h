/* Payload helpers shared by the event builders and replay. */
#ifndef CPOR_RULES_PAYLOAD_H
#define CPOR_RULES_PAYLOAD_H

#include "rules.h"

/* The JSON key of a contact field (cpor_field), NULL when out of range. */
const char *cpor__field_key(int field);
/* Appends PoE to t's claim with its event (at most 100: CPOR_ERANGE). */
int cpor__k_add_poe(const cpor__env *env, const cpor_actor *actor, cpor__touched *t,
                    const cpor__poe *poe);

#endif
