/* Shared by the transition code (actions.c, advance.c, subscriptions.c). */
#ifndef CPOR_CORE_ACTIONS_H
#define CPOR_CORE_ACTIONS_H

#include "core/ctx.h"

/* The other claims a call changes, each loaded once. */
typedef struct cpor__changes {
  cpor__change *v;
  size_t n;
} cpor__changes;

void cpor__changes_free(cpor__changes *cs);
/* One line of another claim loses its unit (REJECTED or ENDED, with reason). */
int cpor__line_lost(cpor_ctx *ctx, cpor__changes *cs, const char *claim_id, uint32_t line,
                    int state, int reason);
/* The opt-out window of ch's claim closed: it becomes the partner of record
 * and the incumbents of its units end (superseded). */
int cpor__associate(cpor_ctx *ctx, cpor__changes *cs, cpor__change *ch);
/* Writes the others first, then main (may be NULL). */
int cpor__changes_write(cpor_ctx *ctx, cpor__changes *cs, cpor__change *main);

#endif
