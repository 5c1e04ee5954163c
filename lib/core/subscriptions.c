/* Business Applications subscriptions; ending one ends its associations. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/actions.h"
#include "core/claims.h"
#include "core/dirauth.h"
#include "core/valid.h"

static int bad(cpor_ctx *ctx, const char *what) {
  return cpor__fail(ctx, CPOR_EINVAL, "%s", what);
}

int cpor_subscription_create(cpor_ctx *ctx, const cpor_actor *actor, const char *subscription_id,
                             const char *tenant_id, const char *workload, int channel, int state) {
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
    cpor_subscription s = {sid, tid, (char *)workload, channel, state};
    cpor_store_object obj;
    void *buf = NULL;
    rc = cpor__put(ctx, CPOR_STORE_INSERT, cpor__subscription_encode(&s, &obj, &buf), &obj, buf);
  }
  cpor_tenant_free(t);
  cpor_workload_free(w);
  return cpor__call_end(ctx, rc);
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

typedef struct ender {
  cpor_ctx *ctx;
  cpor__changes *cs;
} ender;

static int end_row(void *arg, const cpor_store_line *row) {
  ender *e = arg;
  if (row->status != CPOR_STATE_ASSOCIATED) return 0;
  return cpor__line_lost(e->ctx, e->cs, row->claim_id, row->line, CPOR_STATE_ENDED,
                         CPOR_REASON_SUBSCRIPTION_ENDED);
}

int cpor_subscription_set_state(cpor_ctx *ctx, const cpor_actor *actor, const char *subscription_id,
                                int state, size_t *changed) {
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
  cpor__changes cs = {0};
  rc = cpor__load_subscription(ctx, sid, &s);
  if (!rc) {
    s->state = state;
    cpor_store_object obj;
    void *buf = NULL;
    rc = cpor__put(ctx, CPOR_STORE_UPDATE, cpor__subscription_encode(s, &obj, &buf), &obj, buf);
  }
  if (!rc && (state == CPOR_SUB_EXPIRED || state == CPOR_SUB_DISABLED)) {
    char unit[48];
    snprintf(unit, sizeof unit, "s:%s", sid);
    cpor__unit_rows rows;
    rc = cpor__unit_rows_load(ctx, unit, &rows);
    ender e = {ctx, &cs};
    for (size_t i = 0; !rc && i < rows.n; i++)
      rc = end_row(&e, &rows.rows[i]);
    if (!rc)
      cpor__unit_rows_free(&rows);
    else if (rows.rows)
      cpor__unit_rows_free(&rows);
  }
  size_t n = cs.n;
  if (!rc) rc = cpor__changes_write(ctx, &cs, NULL);
  cpor__changes_free(&cs);
  cpor_subscription_free(s);
  rc = cpor__call_end(ctx, rc);
  if (!rc && changed) *changed = n;
  return rc;
}
