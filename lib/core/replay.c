/* cpor_claim_replay: the claim re-derived from its history by the kernel. */
#include <stdlib.h>

#include "core/claims.h"
#include "core/list.h"

static void free_event(void *e) {
  cpor_event_free(e);
}

int cpor_claim_replay(cpor_ctx *ctx, const cpor_actor *actor, const char *claim_id,
                      cpor_claim **out) {
  if (!ctx) return CPOR_EINVAL;
  if (!out) return cpor__fail(ctx, CPOR_EINVAL, "out is NULL");
  *out = NULL;
  cpor__view v = {0};
  cpor_actor a;
  int rc = cpor__claim_open(ctx, actor, &a, claim_id, CPOR__ACT_VIEW, &v);
  if (rc) return rc;
  cpor__touched *t = v.v[0];
  cpor__list l = {0};
  rc = cpor__history_load(ctx, t, &l);
  cpor_claim *c = NULL;
  cpor__env env = cpor__kenv(ctx);
  if (!rc && (rc = cpor__replay(&env, t->claim->id, (cpor_event *const *)l.v, l.n, &c)))
    rc = cpor__kernel_fail(ctx, rc);
  if (c) c->revision = t->claim->revision; /* the store's: no event records it */
  cpor__list_clear(&l, free_event);
  cpor__view_free(&v);
  rc = cpor__call_end(ctx, rc);
  if (rc) {
    cpor_claim_free(c);
    return rc;
  }
  cpor__claim_as_of(c, ctx->now);
  *out = c;
  return CPOR_OK;
}
