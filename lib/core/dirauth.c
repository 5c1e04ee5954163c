/* Directory authorization in the core: resolving the actor, reading records
 * through their owners, and hiding what the actor may not reach. */
#include "core/dirauth.h"

#include <stdlib.h>
#include <string.h>

#include "core/claims.h"
#include "core/valid.h"

int cpor__dir_permit(cpor_ctx *ctx, const cpor_actor *actor_in, int op) {
  /* The version check and validation of every call taking an actor. The
   * actor has one version so far: the caller's struct is read as it is
   * after this. */
  cpor_actor a;
  const cpor_actor *actor = &a;
  int rc = cpor__actor_arg(ctx, actor_in, &a);
  if (rc) return rc;
  if (cpor__dirauthz_is_write(op) && cpor__dirauthz_scope(actor->role, op) == CPOR__DIR_NONE)
    return cpor__fail(ctx, CPOR_EPERM, "role %s may not %s", cpor_role_name((int)actor->role),
                      cpor__dirauthz_op_name(op));
  return CPOR_OK;
}

/* A customer actor's customer: the customer of its tenant, if that exists. */
static int resolve_customer(cpor_ctx *ctx, cpor__dir_actor *da) {
  cpor_tenant *t = NULL;
  int rc = cpor__load_tenant(ctx, da->tenant, &t);
  if (rc == CPOR_ENOTFOUND) {
    ctx->errcode = CPOR_OK; /* an actor of an unknown tenant simply reaches nothing */
    ctx->errmsg[0] = 0;
    return CPOR_OK;
  }
  if (rc) return rc;
  da->customer = strdup(t->customer_id);
  cpor_tenant_free(t);
  if (!da->customer) return cpor__fail(ctx, CPOR_ENOMEM, "out of memory");
  da->org.customer_id = da->customer;
  return CPOR_OK;
}

static int resolve(cpor_ctx *ctx, const cpor_actor *actor, cpor__dir_actor *da) {
  if (da->scope != CPOR__DIR_OWN) return CPOR_OK;
  if (actor->role == CPOR_ROLE_CUSTOMER) {
    if (cpor__guid_canon(actor->org, da->tenant)) return CPOR_OK; /* refused by permit */
    da->org.tenant_id = da->tenant;
    return resolve_customer(ctx, da);
  }
  da->org.partner_id = actor->org;
  return CPOR_OK;
}

int cpor__dir_call_begin(cpor_ctx *ctx, const cpor_actor *actor, int op, cpor__dir_actor *da) {
  memset(da, 0, sizeof *da);
  da->scope = cpor__dirauthz_scope(actor->role, op);
  int rc = cpor__call_begin(ctx, cpor__dirauthz_is_write(op));
  if (rc) return rc;
  rc = resolve(ctx, actor, da);
  return rc ? cpor__dir_call_end(ctx, da, rc) : CPOR_OK;
}

int cpor__dir_call_end(cpor_ctx *ctx, cpor__dir_actor *da, int rc) {
  free(da->customer);
  da->customer = NULL;
  return cpor__call_end(ctx, rc);
}

int cpor__dir_not_found(cpor_ctx *ctx, uint32_t kind, const char *id) {
  return cpor__not_found(ctx, kind, id); /* exactly the unknown-ID answer */
}

/* Whose record a stored object is, from its indexed columns. */
static cpor__dir_owner owner_of(const cpor_store_object *obj) {
  cpor__dir_owner o = {NULL, NULL, NULL};
  switch (obj->kind) {
  case CPOR_STORE_PARTNER:
    o.partner_id = obj->id;
    break;
  case CPOR_STORE_LOCATION:
    o.partner_id = obj->owner;
    break;
  case CPOR_STORE_CUSTOMER:
    o.customer_id = obj->id;
    break;
  case CPOR_STORE_TENANT:
    o.tenant_id = obj->id;
    break;
  case CPOR_STORE_SUBSCRIPTION:
    o.tenant_id = obj->owner;
    break;
  default:
    break; /* workloads belong to no organization */
  }
  return o;
}

int cpor__dir_reaches(const cpor__dir_actor *da, const cpor_store_object *obj) {
  cpor__dir_owner o = owner_of(obj);
  return cpor__dirauthz_reaches(da->scope, &da->org, &o);
}

#define KIND(var, store_kind, type, decoder)                                                       \
  static int var##_decode(const cpor_store_object *obj, void **out) {                              \
    int rc = decoder(obj, (type **)out);                                                           \
    if (rc == CPOR_OK) (*(type **)out)->revision = obj->revision;                                  \
    return rc;                                                                                     \
  }                                                                                                \
  static void var##_free(void *p) {                                                                \
    type##_free(p);                                                                                \
  }                                                                                                \
  const cpor__dir_kind var = {store_kind, var##_decode, var##_free};

KIND(cpor__dir_partners, CPOR_STORE_PARTNER, cpor_partner, cpor__partner_decode)
KIND(cpor__dir_locations, CPOR_STORE_LOCATION, cpor_location, cpor__location_decode)
KIND(cpor__dir_customers, CPOR_STORE_CUSTOMER, cpor_customer, cpor__customer_decode)
KIND(cpor__dir_tenants, CPOR_STORE_TENANT, cpor_tenant, cpor__tenant_decode)
KIND(cpor__dir_subscriptions, CPOR_STORE_SUBSCRIPTION, cpor_subscription, cpor__subscription_decode)

typedef struct reader {
  const cpor__dir_actor *da;
  const cpor__dir_kind *k;
  cpor__list *list; /* scan: where decoded records go */
  void *out;        /* get: the decoded record */
  int hidden;
  int rc; /* a decode or list failure */
} reader;

static int on_get(void *arg, const cpor_store_object *obj) {
  reader *r = arg;
  if (!cpor__dir_reaches(r->da, obj))
    r->hidden = 1;
  else
    r->rc = r->k->decode(obj, &r->out);
  return 0;
}

int cpor__dir_load(cpor_ctx *ctx, const cpor__dir_actor *da, const cpor__dir_kind *k,
                   const char *id, void **out) {
  if (da->scope == CPOR__DIR_NONE) return cpor__dir_not_found(ctx, k->kind, id);
  reader r = {da, k, NULL, NULL, 0, CPOR_OK};
  int rc = cpor__store_get(ctx->storage, k->kind, id, on_get, &r);
  if (rc == CPOR_ENOTFOUND || (rc == CPOR_OK && r.hidden))
    return cpor__dir_not_found(ctx, k->kind, id);
  if (rc) return cpor__storage_fail(ctx, rc, "cannot read");
  if (r.rc) return cpor__storage_fail(ctx, r.rc, "cannot decode a directory record");
  *out = r.out;
  return CPOR_OK;
}

static int on_scan(void *arg, const cpor_store_object *obj) {
  reader *r = arg;
  if (!cpor__dir_reaches(r->da, obj)) return 0;
  void *item = NULL;
  if ((r->rc = r->k->decode(obj, &item))) return r->rc;
  if ((r->rc = cpor__list_push(r->list, item))) r->k->free(item);
  return r->rc;
}

int cpor__dir_scan(cpor_ctx *ctx, const cpor__dir_actor *da, const cpor__dir_kind *k,
                   const char *owner, cpor__list *list) {
  if (da->scope == CPOR__DIR_NONE) return CPOR_OK;
  reader r = {da, k, list, NULL, 0, CPOR_OK};
  int rc =
      cpor__store_objects(ctx->storage, k->kind, owner ? CPOR_STORE_BY_OWNER : CPOR_STORE_BY_KIND,
                          owner, 0, NULL, 0, on_scan, &r);
  if (r.rc == CPOR_ENOMEM) return cpor__fail(ctx, CPOR_ENOMEM, "out of memory");
  if (r.rc) return cpor__storage_fail(ctx, r.rc, "cannot decode a directory record");
  return rc ? cpor__storage_fail(ctx, rc, "cannot list") : CPOR_OK;
}
