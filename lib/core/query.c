/* Reading claims: get and history (queries: find.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/claims.h"
#include "core/list.h"
#include "core/valid.h"

int cpor_claim_get(cpor_ctx *ctx, const cpor_actor *actor, const char *claim_id, cpor_claim **out) {
  if (!ctx) return CPOR_EINVAL;
  if (!out) return cpor__fail(ctx, CPOR_EINVAL, "out is NULL");
  *out = NULL;
  cpor__view v = {0};
  cpor_actor a;
  int rc = cpor__claim_open(ctx, actor, &a, claim_id, CPOR__ACT_VIEW, &v);
  if (rc) return rc;
  cpor_claim *c = v.v[0]->claim;
  v.v[0]->claim = NULL; /* the handle: taken from the view */
  cpor__claim_as_of(c, ctx->now);
  cpor__view_free(&v);
  rc = cpor__call_end(ctx, CPOR_OK);
  if (rc)
    cpor_claim_free(c);
  else
    *out = c;
  return rc;
}

struct cpor_event_iter {
  cpor__list l;
};

static void free_event(void *e) {
  cpor_event_free(e);
}

void cpor_event_iter_free(cpor_event_iter *it) {
  if (!it) return;
  cpor__list_clear(&it->l, free_event);
  free(it);
}

int cpor_event_iter_next(cpor_event_iter *it, cpor_event **out) {
  if (!it || !out) return CPOR_EINVAL;
  void *item = NULL;
  int rc = cpor__list_next(&it->l, &item);
  *out = item; /* through a void *: no type-punned store */
  return rc;
}

static int on_event(void *arg, uint32_t seq, const void *data, size_t len) {
  cpor_event *e = NULL;
  int rc = cpor__event_decode(seq, data, len, &e);
  if (!rc && (rc = cpor__list_push(arg, e))) cpor_event_free(e);
  return rc;
}

int cpor__history_load(cpor_ctx *ctx, cpor__touched *t, cpor__list *out) {
  int rc = cpor__store_events(ctx->storage, t->claim->id, on_event, out);
  if (rc) return cpor__storage_fail(ctx, rc, "cannot read history");
  /* Then what settling adds as of now (the store has not caught up yet). */
  for (size_t i = 0; i < t->nevents; i++) {
    if (cpor__list_push(out, t->events[i])) return cpor__fail(ctx, CPOR_ENOMEM, "out of memory");
    t->events[i] = NULL;
  }
  return CPOR_OK;
}

int cpor_claim_history(cpor_ctx *ctx, const cpor_actor *actor, const char *claim_id,
                       cpor_event_iter **out) {
  if (!ctx) return CPOR_EINVAL;
  if (!out) return cpor__fail(ctx, CPOR_EINVAL, "out is NULL");
  *out = NULL;
  cpor__view v = {0};
  cpor_actor a;
  int rc = cpor__claim_open(ctx, actor, &a, claim_id, CPOR__ACT_VIEW, &v);
  if (rc) return rc;
  cpor__touched *t = v.v[0];
  cpor_event_iter *it = calloc(1, sizeof *it);
  if (!it) rc = cpor__fail(ctx, CPOR_ENOMEM, "out of memory");
  if (!rc) rc = cpor__history_load(ctx, t, &it->l);
  cpor__view_free(&v);
  rc = cpor__call_end(ctx, rc);
  if (rc) {
    cpor_event_iter_free(it);
    return rc;
  }
  *out = it;
  return CPOR_OK;
}
