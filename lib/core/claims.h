/* Shared by the claim files: line resolution and unit checks. */
#ifndef CPOR_CORE_CLAIMS_H
#define CPOR_CORE_CLAIMS_H

#include "core/ctx.h"
#include "core/list.h"

/* Validates a claim_id argument into canonical form. */
int cpor__claim_id_arg(cpor_ctx *ctx, const char *in, char out[37]);
/* The caller's actor (any version) read into *out, the latest layout, and
 * validated: what the rest of the call uses. */
int cpor__actor_arg(cpor_ctx *ctx, const cpor_actor *in, cpor_actor *out);
/* Common prologue of every call on one claim: validates the actor (into
 * *actor_out, see cpor__actor_arg) and the ID, begins the call, loads the
 * claim into v (v->v[0]; settled) and checks that the actor may do the
 * action. On failure the call is over. */
int cpor__claim_open(cpor_ctx *ctx, const cpor_actor *actor, cpor_actor *actor_out,
                     const char *claim_id, int action, cpor__view *v);
/* The handle handed to a caller: a copy as of the call's now. */
int cpor__claim_handout(cpor_ctx *ctx, const cpor_claim *c, cpor_claim **out);
/* Sets the read-time fields of c as of now (overdue, a passed dispute window). */
void cpor__claim_as_of(cpor_claim *c, cpor_time now);
/* The caller's spec (any version) read into *s (the latest layout), with
 * format checks (no store access): CPOR_OK, EINVAL, EVERSION. */
int cpor__spec_arg(cpor_ctx *ctx, const cpor_claim_spec *in, cpor_claim_spec *s);
/* Copies the set fields of the spec into c (canonical forms); CPOR_ENOMEM. */
int cpor__spec_apply(cpor_claim *c, const cpor_claim_spec *s);
/* Activity, location, tenant and domain, and (lines_from) the lines resolved
 * against the store: the first failure. */
int cpor__claim_check_identity(cpor_ctx *ctx, cpor_claim *c, const cpor_claim_spec *lines_from);
/* Builds c's lines from workloads[]/subs[] against c's tenant and area. */
int cpor__lines_resolve(cpor_ctx *ctx, cpor_claim *c, size_t n, const char *const *workloads,
                        const char *const *subs);
/* t's history as of now: its stored events, then those settling added (moved
 * from t into out). */
int cpor__history_load(cpor_ctx *ctx, cpor__touched *t, cpor__list *out);
/* Adds to the view the claims live on t's units and their subscriptions. */
int cpor__view_neighbors(cpor_ctx *ctx, cpor__view *v, cpor__touched *t);
/* Built-in or registered workload, inside a call. */
int cpor__workload_find(cpor_ctx *ctx, const char *code, cpor_workload **out);
/* 1 when one of the claim's lines is a Dynamics 365 product. */
int cpor__claim_has_dynamics(cpor_ctx *ctx, const cpor_claim *c, int *out);

#endif
