/* The directory calls' authorization (DESIGN.md 1.4): the actor is checked
 * at the top of every call, each record is read through its owner, and a
 * record the actor may not reach answers exactly like an unknown ID. The
 * matrix itself is lib/rules/dirauthz.c. */
#ifndef CPOR_CORE_DIRAUTH_H
#define CPOR_CORE_DIRAUTH_H

#include "core/ctx.h"
#include "core/list.h"
#include "rules/dirauthz.h"

/* The actor of one directory call and what it reaches. */
typedef struct cpor__dir_actor {
  int scope; /* cpor__dir_scope of the actor's role for op */
  cpor__dir_org org;
  char tenant[37];
  char *customer; /* a customer actor's customer ID (owned), when its tenant exists */
} cpor__dir_actor;

/* Top of every directory call, before anything is read: the actor must be
 * valid (CPOR_EINVAL / CPOR_EVERSION) and, for a write, its role must be
 * allowed to do the operation at all (CPOR_EPERM). */
int cpor__dir_permit(cpor_ctx *ctx, const cpor_actor *actor, int op);
/* cpor__call_begin, then resolves the actor's organization into *da. */
int cpor__dir_call_begin(cpor_ctx *ctx, const cpor_actor *actor, int op, cpor__dir_actor *da);
/* Frees *da, then cpor__call_end. */
int cpor__dir_call_end(cpor_ctx *ctx, cpor__dir_actor *da, int rc);

/* The answer for a record that does not exist or that the actor may not
 * reach: CPOR_ENOTFOUND, "no such <kind> '<id>'" (the wording of cpor__load). */
int cpor__dir_not_found(cpor_ctx *ctx, uint32_t kind, const char *id);
/* 1 when the actor reaches the stored object (decided on its id and owner
 * columns, before decoding). */
int cpor__dir_reaches(const cpor__dir_actor *da, const cpor_store_object *obj);
/* A kind of directory record: how to decode and free one. */
typedef struct cpor__dir_kind {
  uint32_t kind; /* CPOR_STORE_* */
  cpor__decode_fn decode;
  void (*free)(void *);
} cpor__dir_kind;
extern const cpor__dir_kind cpor__dir_partners, cpor__dir_locations, cpor__dir_customers,
    cpor__dir_tenants, cpor__dir_subscriptions;

/* Reads one object the actor reaches, else cpor__dir_not_found. */
int cpor__dir_load(cpor_ctx *ctx, const cpor__dir_actor *da, const cpor__dir_kind *k,
                   const char *id, void **out);
/* Appends every object of k that the actor reaches, decoded, to list, in
 * the store's id order; owner (may be NULL: all) selects one owner's. */
int cpor__dir_scan(cpor_ctx *ctx, const cpor__dir_actor *da, const cpor__dir_kind *k,
                   const char *owner, cpor__list *list);

#endif
