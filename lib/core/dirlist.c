/* Directory listings: partners, locations, customers, tenants and
 * subscriptions the actor may read, in ID order. The result is read whole
 * when the iterator is made (a later change makes them stream). */
#include <stdlib.h>

#include "core/dirauth.h"
#include "core/valid.h"

/* What every directory iterator is: the records, and how to free one. */
typedef struct dir_iter {
  cpor__list l;
  const cpor__dir_kind *k;
} dir_iter;

static void dir_iter_free(dir_iter *it) {
  if (!it) return;
  cpor__list_clear(&it->l, it->k->free);
  free(it);
}

static int dir_iter_next(dir_iter *it, void **out) {
  if (!it || !out) return CPOR_EINVAL;
  *out = NULL;
  return cpor__list_next(&it->l, out);
}

/* One listing call into a new iterator of size bytes (a struct whose first
 * member is a dir_iter). owner (may be NULL: all) is the ID of a record of
 * parent_kind the actor must reach under parent_op. */
static int dir_list(cpor_ctx *ctx, const cpor_actor *actor, int op, const cpor__dir_kind *k,
                    int parent_op, const cpor__dir_kind *parent_kind, const char *owner,
                    size_t size, void **out) {
  dir_iter *it = calloc(1, size);
  if (!it) return cpor__fail(ctx, CPOR_ENOMEM, "out of memory");
  it->k = k;
  cpor__dir_actor da;
  int rc = cpor__dir_call_begin(ctx, actor, op, &da);
  if (rc) {
    free(it);
    return rc;
  }
  if (owner) {
    void *parent = NULL;
    cpor__dir_actor pa = da;
    pa.scope = cpor__dirauthz_scope(actor->role, parent_op);
    rc = cpor__dir_load(ctx, &pa, parent_kind, owner, &parent);
    if (parent) parent_kind->free(parent);
  }
  if (rc == CPOR_OK) rc = cpor__dir_scan(ctx, &da, k, owner, &it->l);
  rc = cpor__dir_call_end(ctx, &da, rc);
  if (rc) {
    dir_iter_free(it);
    return rc;
  }
  *out = it;
  return CPOR_OK;
}

static int list_prologue(cpor_ctx *ctx, const cpor_actor *actor, int op, void *out) {
  if (!ctx) return CPOR_EINVAL;
  int rc = cpor__dir_permit(ctx, actor, op);
  if (rc) return rc;
  return out ? CPOR_OK : cpor__fail(ctx, CPOR_EINVAL, "out is NULL");
}

/* The public iterator types are the one dir_iter under five names. */
#define DIR_ITER(name, type)                                                                       \
  struct cpor_##name##_iter {                                                                      \
    dir_iter d;                                                                                    \
  };                                                                                               \
  int cpor_##name##_iter_next(cpor_##name##_iter *it, type **out) {                                \
    void *item = NULL;                                                                             \
    int rc = dir_iter_next(it ? &it->d : NULL, out ? &item : NULL);                                \
    if (out) *out = item;                                                                          \
    return rc;                                                                                     \
  }                                                                                                \
  void cpor_##name##_iter_free(cpor_##name##_iter *it) {                                           \
    dir_iter_free(it ? &it->d : NULL);                                                             \
  }

DIR_ITER(partner, cpor_partner)
DIR_ITER(location, cpor_location)
DIR_ITER(customer, cpor_customer)
DIR_ITER(tenant, cpor_tenant)
DIR_ITER(subscription, cpor_subscription)

int cpor_partner_list(cpor_ctx *ctx, const cpor_actor *actor, cpor_partner_iter **out) {
  int rc = list_prologue(ctx, actor, CPOR__DIR_PARTNER_READ, out);
  if (rc) return rc;
  *out = NULL;
  void *it = NULL;
  rc = dir_list(ctx, actor, CPOR__DIR_PARTNER_READ, &cpor__dir_partners, 0, NULL, NULL,
                sizeof(cpor_partner_iter), &it);
  *out = it;
  return rc;
}

int cpor_location_list(cpor_ctx *ctx, const cpor_actor *actor, const char *partner_id,
                       cpor_location_iter **out) {
  int rc = list_prologue(ctx, actor, CPOR__DIR_LOCATION_READ, out);
  if (rc) return rc;
  *out = NULL;
  if (partner_id && cpor__valid_partner_id(partner_id))
    return cpor__fail(ctx, CPOR_EINVAL, "malformed partner ID");
  void *it = NULL;
  rc = dir_list(ctx, actor, CPOR__DIR_LOCATION_READ, &cpor__dir_locations, CPOR__DIR_PARTNER_READ,
                &cpor__dir_partners, partner_id, sizeof(cpor_location_iter), &it);
  *out = it;
  return rc;
}

int cpor_customer_list(cpor_ctx *ctx, const cpor_actor *actor, cpor_customer_iter **out) {
  int rc = list_prologue(ctx, actor, CPOR__DIR_CUSTOMER_READ, out);
  if (rc) return rc;
  *out = NULL;
  void *it = NULL;
  rc = dir_list(ctx, actor, CPOR__DIR_CUSTOMER_READ, &cpor__dir_customers, 0, NULL, NULL,
                sizeof(cpor_customer_iter), &it);
  *out = it;
  return rc;
}

int cpor_tenant_list(cpor_ctx *ctx, const cpor_actor *actor, const char *customer_id,
                     cpor_tenant_iter **out) {
  int rc = list_prologue(ctx, actor, CPOR__DIR_TENANT_READ, out);
  if (rc) return rc;
  *out = NULL;
  char id[CPOR_GUID_LEN + 1];
  if (customer_id && cpor__guid_canon(customer_id, id))
    return cpor__fail(ctx, CPOR_EINVAL, "customer ID must be a GUID");
  void *it = NULL;
  rc = dir_list(ctx, actor, CPOR__DIR_TENANT_READ, &cpor__dir_tenants, CPOR__DIR_CUSTOMER_READ,
                &cpor__dir_customers, customer_id ? id : NULL, sizeof(cpor_tenant_iter), &it);
  *out = it;
  return rc;
}

int cpor_subscription_list(cpor_ctx *ctx, const cpor_actor *actor, const char *tenant_id,
                           cpor_subscription_iter **out) {
  int rc = list_prologue(ctx, actor, CPOR__DIR_SUBSCRIPTION_READ, out);
  if (rc) return rc;
  *out = NULL;
  char id[CPOR_GUID_LEN + 1];
  if (tenant_id && cpor__guid_canon(tenant_id, id))
    return cpor__fail(ctx, CPOR_EINVAL, "tenant ID must be a GUID");
  void *it = NULL;
  rc = dir_list(ctx, actor, CPOR__DIR_SUBSCRIPTION_READ, &cpor__dir_subscriptions,
                CPOR__DIR_TENANT_READ, &cpor__dir_tenants, tenant_id ? id : NULL,
                sizeof(cpor_subscription_iter), &it);
  *out = it;
  return rc;
}
