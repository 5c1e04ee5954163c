/* The change feed: the change rows feed.c writes, read in number order. */
#include <stdlib.h>
#include <string.h>

#include "core/claims.h"
#include "core/feed.h"

#define LIMIT_DEFAULT 1000
#define LIMIT_MAX 100000

typedef struct change {
  uint64_t number;
  char *claim_id;
  int32_t state;
  uint32_t seq;
} change;

struct cpor_change_iter {
  change *v;
  size_t n, cap, next;
};

void cpor_change_iter_free(cpor_change_iter *it) {
  if (!it) return;
  for (size_t i = 0; i < it->n; i++)
    free(it->v[i].claim_id);
  free(it->v);
  free(it);
}

int cpor_change_iter_next(cpor_change_iter *it, uint64_t *number, const char **claim_id, int *state,
                          uint32_t *seq) {
  if (!it) return CPOR_EINVAL;
  if (it->next == it->n) return CPOR_ITEROVER;
  const change *c = &it->v[it->next++];
  if (number) *number = c->number;
  if (claim_id) *claim_id = c->claim_id;
  if (state) *state = c->state;
  if (seq) *seq = c->seq;
  return CPOR_OK;
}

static int push(cpor_change_iter *it, const cpor_store_row *row) {
  if (it->n == it->cap) {
    size_t cap = it->cap ? it->cap * 2 : 64;
    change *v = realloc(it->v, cap * sizeof *v);
    if (!v) return CPOR_ENOMEM;
    it->v = v;
    it->cap = cap;
  }
  char *id = strdup(row->claim_id);
  if (!id) return CPOR_ENOMEM;
  it->v[it->n++] = (change){row->change, id, row->object.state, row->seq};
  return CPOR_OK;
}

/* Whether the actor may read the claim a change names (its stored owner
 * and tenant columns decide; a claim gone since is not shown). */
static int visible(cpor_ctx *ctx, const cpor_actor *a, const char *claim_id, int *out) {
  *out = 1;
  if (a->role == CPOR_ROLE_SYSTEM || a->role == CPOR_ROLE_REVIEWER) return CPOR_OK;
  cpor_store_object obj;
  memset(&obj, 0, sizeof obj);
  int rc = ctx->storage->m.object_get(ctx->storage->self, CPOR_STORE_CLAIM, claim_id, &obj);
  if (rc == CPOR_ENOTFOUND) return *out = 0, CPOR_OK;
  if (rc) return rc;
  const char *org = a->role == CPOR_ROLE_CUSTOMER ? obj.ref : obj.owner;
  *out = org && a->org && strcmp(org, a->org) == 0;
  return CPOR_OK;
}

static int read_changes(cpor_ctx *ctx, const cpor_actor *a, uint64_t after, size_t limit,
                        cpor_change_iter *it) {
  cpor_storage *s = ctx->storage;
  cpor_store_query q = {.what = CPOR_STORE_CURSOR_CHANGES, .after_change = after};
  void *cur = NULL;
  int rc = s->m.cursor_open(s->self, &q, &cur);
  if (rc) return cpor__storage_fail(ctx, rc, "cannot read the change feed");
  cpor_store_row row;
  while (it->n < limit) {
    memset(&row, 0, sizeof row);
    if ((rc = s->m.cursor_next(s->self, cur, &row)) <= 0) break;
    int shown = 0;
    if (!row.claim_id) continue; /* its claim is gone (a store edited by hand) */
    if ((rc = visible(ctx, a, row.claim_id, &shown)) < 0) break;
    if (shown && (rc = push(it, &row)) < 0) break;
  }
  s->m.cursor_close(s->self, cur);
  if (rc == CPOR_ENOMEM) return cpor__fail(ctx, rc, "out of memory");
  if (rc < 0) return cpor__storage_fail(ctx, rc, "cannot read the change feed");
  return CPOR_OK;
}

int cpor_changes_since(cpor_ctx *ctx, const cpor_actor *actor, uint64_t after, size_t limit,
                       cpor_change_iter **out) {
  if (!ctx) return CPOR_EINVAL;
  if (!out) return cpor__fail(ctx, CPOR_EINVAL, "out is NULL");
  *out = NULL;
  cpor_actor a;
  int rc = cpor__actor_arg(ctx, actor, &a);
  if (rc) return rc;
  if (limit > LIMIT_MAX) return cpor__fail(ctx, CPOR_EINVAL, "limit must be 0-%d", LIMIT_MAX);
  if (after > INT64_MAX)
    return cpor__fail(ctx, CPOR_EINVAL, "after must be 0-%lld", (long long)INT64_MAX);
  if (!cpor__feed_supported(ctx->storage))
    return cpor__fail(ctx, CPOR_ENOTSUP,
                      "the storage backend has no change feed (vtable version 3)");
  cpor_change_iter *it = calloc(1, sizeof *it);
  if (!it) return cpor__fail(ctx, CPOR_ENOMEM, "out of memory");
  if (!(rc = cpor__call_begin(ctx, 0)))
    rc = cpor__call_end(ctx, read_changes(ctx, &a, after, limit ? limit : LIMIT_DEFAULT, it));
  if (rc) {
    cpor_change_iter_free(it);
    return rc;
  }
  *out = it;
  return CPOR_OK;
}
