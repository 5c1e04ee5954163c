/* Shared by the claim files: line resolution and unit checks. */
#ifndef CPOR_CORE_CLAIMS_H
#define CPOR_CORE_CLAIMS_H

#include "core/ctx.h"

/* Validates a claim_id argument into canonical form. */
int cpor__claim_id_arg(cpor_ctx *ctx, const char *in, char out[37]);
/* Common prologue of every claim call: validates the actor and the ID,
 * begins the call, loads the claim and checks the actor may do the action. */
int cpor__claim_open(cpor_ctx *ctx, const cpor_actor *actor, const char *claim_id, int action,
                     cpor_claim **out);
/* The handle handed to a caller: a copy with the read-time flags set. */
int cpor__claim_handout(cpor_ctx *ctx, const cpor_claim *c, cpor_claim **out);
/* Calls fn for every live unit row of ANOTHER claim on each live unit of c;
 * stops at the first non-zero return. */
typedef int (*cpor__unit_row_fn)(cpor_ctx *ctx, const cpor_claim *c, size_t line,
                                 const cpor_store_line *row, void *arg);
int cpor__each_unit_row(cpor_ctx *ctx, const cpor_claim *c, cpor__unit_row_fn fn, void *arg);
/* The same partner must not hold or claim any unit of c in another claim. */
int cpor__check_duplicates(cpor_ctx *ctx, const cpor_claim *c);
/* 1 when another partner holds or claims a unit of c (0, or a negative error). */
int cpor__is_contested(cpor_ctx *ctx, const cpor_claim *c);
/* Built-in or registered workload, inside a call. */
int cpor__workload_find(cpor_ctx *ctx, const char *code, cpor_workload **out);
/* 1 when one of the claim's lines is a Dynamics 365 product. */
int cpor__claim_has_dynamics(cpor_ctx *ctx, const cpor_claim *c, int *out);

#endif
