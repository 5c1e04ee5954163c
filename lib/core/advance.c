/* Timed transitions: cpor_ctx_advance. Its cost follows the number of due
 * deadlines: the store hands over only those (deadline_scan). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/actions.h"

typedef struct due {
  cpor_time at;
  uint32_t kind;
  char id[37];
} due;

typedef struct due_list {
  due *v;
  size_t n, cap;
} due_list;

static int collect(void *arg, const char *claim_id, uint32_t kind, cpor_time at) {
  due_list *l = arg;
  if (l->n == l->cap) {
    size_t cap = l->cap ? l->cap * 2 : 64;
    due *v = realloc(l->v, cap * sizeof *v);
    if (!v) return CPOR_ENOMEM;
    l->v = v;
    l->cap = cap;
  }
  due *d = &l->v[l->n++];
  d->at = at;
  d->kind = kind;
  snprintf(d->id, sizeof d->id, "%s", claim_id);
  return 0;
}

static int by_deadline(const void *a, const void *b) {
  const due *x = a, *y = b;
  if (x->at != y->at) return x->at < y->at ? -1 : 1;
  int c = strcmp(x->id, y->id);
  return c ? c : (x->kind > y->kind) - (x->kind < y->kind);
}

/* Applies one due transition at its own instant; returns the number of
 * claims whose state changed (or a negative error). */
static int apply(cpor_ctx *ctx, const due *d) {
  cpor_claim *c = NULL;
  int rc = cpor__load_claim(ctx, d->id, &c);
  if (rc) return rc;
  int expected =
      d->kind == CPOR_DEADLINE_OPTOUT ? CPOR_STATE_APPROVED : CPOR_STATE_PARTNER_ACTION_REQUIRED;
  if (c->state != expected || c->window_closes_at != d->at) {
    /* A stale row: the claim moved on in the same store. Fail loudly: the
     * deadline rows are written with the claim, so this is corruption. */
    cpor_claim_free(c);
    return cpor__fail(ctx, CPOR_ECORRUPT, "deadline of claim %s does not match its state", d->id);
  }
  cpor__change ch;
  cpor__change_init(&ch, c, 0);
  cpor__changes cs = {0};
  cpor_time now = ctx->now;
  ctx->now = d->at; /* the transition happened when the window closed */
  cpor__env env = cpor__env_of(ctx);
  if (d->kind == CPOR_DEADLINE_OPTOUT) {
    rc = cpor__associate(ctx, &cs, &ch);
  } else {
    rc = cpor__rules_enter(&env, c, CPOR_STATE_REJECTED, CPOR_REASON_NO_PARTNER_RESPONSE);
    if (!rc)
      rc = cpor__change_event(ctx, &ch, &cpor__system_actor, CPOR_EVENT_REJECTED,
                              "rejected: no_partner_response: no response within the window");
  }
  if (!rc) rc = cpor__changes_write(ctx, &cs, &ch);
  int changed = 1; /* the due claim, plus every claim it moved (superseded) */
  for (size_t i = 0; i < cs.n; i++)
    changed += cs.v[i].old_state != cs.v[i].claim->state;
  ctx->now = now;
  cpor__changes_free(&cs);
  cpor__change_free(&ch);
  return rc ? rc : changed;
}

int cpor_ctx_advance(cpor_ctx *ctx, size_t *changed) {
  if (!ctx) return CPOR_EINVAL;
  if (changed) *changed = 0;
  int rc = cpor__call_begin(ctx, 1);
  if (rc) return rc;
  due_list l = {0};
  cpor_storage *s = ctx->storage;
  rc = s->m.deadline_scan(s->self, CPOR_DEADLINE_OPTOUT, ctx->now, collect, &l);
  if (!rc) rc = s->m.deadline_scan(s->self, CPOR_DEADLINE_RESPONSE, ctx->now, collect, &l);
  if (rc) rc = cpor__storage_fail(ctx, rc, "cannot read due deadlines");
  if (!rc && l.n > 1) qsort(l.v, l.n, sizeof *l.v, by_deadline);
  size_t n = 0;
  for (size_t i = 0; rc == CPOR_OK && i < l.n; i++) {
    int r = apply(ctx, &l.v[i]);
    if (r < 0)
      rc = r;
    else
      n += (size_t)r;
  }
  free(l.v);
  rc = cpor__call_end(ctx, rc);
  if (rc == CPOR_OK && changed) *changed = n;
  return rc;
}
