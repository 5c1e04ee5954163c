/* Business Applications subscriptions; ending one ends its associations. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/claims.h"
#include "core/dirauth.h"
#include "core/valid.h"

static int bad(cpor_ctx *ctx, const char *what) {
  return cpor__fail(ctx, CPOR_EINVAL, "%s", what);
}

static int cpor_subscription_create_once(cpor_ctx *ctx, const cpor_actor *actor,
                                         const char *subscription_id, const char *tenant_id,
                                         const char *workload, int channel, int state) {
  if (!ctx) return CPOR_EINVAL;
  int authz = cpor__dir_permit(ctx, actor, CPOR__DIR_SUBSCRIPTION_CREATE);
  if (authz) return authz;
  char sid[37], tid[37];
  if (cpor__guid_canon(subscription_id, sid)) return bad(ctx, "subscription ID must be a GUID");
  if (cpor__guid_canon(tenant_id, tid)) return bad(ctx, "tenant ID must be a GUID");
  if (cpor__valid_workload_code(workload)) return bad(ctx, "malformed workload code");
  if (!cpor_channel_name(channel)) return bad(ctx, "unknown channel");
  if (!cpor_sub_state_name(state)) return bad(ctx, "unknown subscription state");
  int rc = cpor__call_begin(ctx, 1);
  if (rc) return rc;
  cpor_tenant *t = NULL;
  cpor_workload *w = NULL;
  rc = cpor__load_tenant(ctx, tid, &t);
  if (!rc) rc = cpor__workload_find(ctx, workload, &w);
  if (!rc && !w->needs_subscription)
    rc = cpor__fail(ctx, CPOR_EINVAL, "%s is not a subscription product", workload);
  if (!rc) {
    cpor_subscription s = {sid, tid, (char *)workload, channel, state, 0};
    cpor_store_object obj;
    void *buf = NULL;
    rc = cpor__put(ctx, CPOR_STORE_INSERT, 0, cpor__subscription_encode(&s, &obj, &buf), &obj, buf);
  }
  cpor_tenant_free(t);
  cpor_workload_free(w);
  return cpor__call_end(ctx, rc);
}

int cpor_subscription_create(cpor_ctx *ctx, const cpor_actor *actor, const char *subscription_id,
                             const char *tenant_id, const char *workload, int channel, int state) {
  CPOR__RETRY(ctx, cpor_subscription_create_once(ctx, actor, subscription_id, tenant_id, workload,
                                                 channel, state));
}

int cpor_subscription_get(cpor_ctx *ctx, const cpor_actor *actor, const char *subscription_id,
                          cpor_subscription **out) {
  if (!ctx) return CPOR_EINVAL;
  int authz = cpor__dir_permit(ctx, actor, CPOR__DIR_SUBSCRIPTION_READ);
  if (authz) return authz;
  if (!out) return bad(ctx, "out is NULL");
  *out = NULL;
  char sid[37];
  if (cpor__guid_canon(subscription_id, sid)) return bad(ctx, "subscription ID must be a GUID");
  cpor__dir_actor da; /* a subscription is read through its tenant */
  int rc = cpor__dir_call_begin(ctx, actor, CPOR__DIR_SUBSCRIPTION_READ, &da);
  if (rc) return rc;
  rc = cpor__dir_load(ctx, &da, &cpor__dir_subscriptions, sid, (void **)out);
  return cpor__dir_call_end(ctx, &da, rc);
}

/* Every claim with a live line on the subscription, settled (the call
 * settled the store), plus the subscriptions they name. */
static int sub_view(cpor_ctx *ctx, const char *sid, cpor__view *v) {
  char unit[48];
  snprintf(unit, sizeof unit, "s:%s", sid);
  cpor__unit_rows rows;
  int rc = cpor__unit_rows_load(ctx, unit, &rows);
  for (size_t i = 0; !rc && i < rows.n; i++)
    if (!cpor__view_find(v, rows.rows[i].claim_id))
      rc = cpor__view_load(ctx, rows.rows[i].claim_id, 0, v);
  cpor__unit_rows_free(&rows);
  return rc;
}

static int cpor_subscription_set_state_once(cpor_ctx *ctx, const cpor_actor *actor,
                                            const char *subscription_id, int state,
                                            size_t *changed) {
  if (!ctx) return CPOR_EINVAL;
  if (changed) *changed = 0;
  int authz = cpor__dir_permit(ctx, actor, CPOR__DIR_SUBSCRIPTION_SET_STATE);
  if (authz) return authz;
  char sid[37];
  if (cpor__guid_canon(subscription_id, sid)) return bad(ctx, "subscription ID must be a GUID");
  if (!cpor_sub_state_name(state)) return bad(ctx, "unknown subscription state");
  int rc = cpor__call_begin(ctx, 1);
  if (rc) return rc;
  cpor_subscription *s = NULL;
  cpor__view v = {0};
  rc = cpor__load_subscription(ctx, sid, &s);
  if (!rc && (state == CPOR_SUB_EXPIRED || state == CPOR_SUB_DISABLED)) {
    rc = sub_view(ctx, sid, &v);
    cpor__env env = cpor__kenv(ctx);
    if (!rc && (rc = cpor__k_subscription_ended(&env, &v, sid))) rc = cpor__kernel_fail(ctx, rc);
  }
  if (!rc) {
    s->state = state;
    cpor_store_object obj;
    void *buf = NULL;
    rc = cpor__put(ctx, CPOR_STORE_UPDATE, s->revision, cpor__subscription_encode(s, &obj, &buf),
                   &obj, buf);
  }
  if (!rc) rc = cpor__view_write(ctx, &v);
  size_t n = 0;
  for (size_t i = 0; i < v.n; i++)
    n += v.v[i]->claim->state != v.v[i]->old_state || v.v[i]->nevents > 0;
  cpor__view_free(&v);
  cpor_subscription_free(s);
  rc = cpor__call_end(ctx, rc);
  if (!rc && changed) *changed = n;
  return rc;
}

int cpor_subscription_set_state(cpor_ctx *ctx, const cpor_actor *actor, const char *subscription_id,
                                int state, size_t *changed) {
  CPOR__RETRY(ctx, cpor_subscription_set_state_once(ctx, actor, subscription_id, state, changed));
}
