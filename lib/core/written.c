/* The claim the batch wrote last, kept decoded (ctx.h, cpor__written_*).
 *
 * A batch is one write transaction. On a one-writer store
 * (CPOR_STORAGE_ONE_WRITER) nothing but this context changes the store
 * until it ends, so the claim as this context wrote it is the claim the
 * store would hand back: the next call on it (the PoE after the create,
 * the submit after the PoE) skips the read and the decode. The copy is
 * dropped when a call that wrote it fails (its savepoint may undo the
 * write), when anything else writes a claim, and when the batch ends. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ctx.h"
#include "core/records.h"

static int keeps(const cpor_ctx *ctx) {
  return ctx->batch && (ctx->storage->m.flags & CPOR_STORAGE_ONE_WRITER);
}

void cpor__written_drop(cpor_ctx *ctx) {
  cpor_claim_free(ctx->written);
  ctx->written = NULL;
  ctx->written_now = 0;
}

int cpor__written_keep(cpor_ctx *ctx, const cpor_claim *c) {
  cpor__written_drop(ctx);
  if (!keeps(ctx)) return CPOR_OK;
  if (!(ctx->written = cpor__claim_dup(c))) return cpor__fail(ctx, CPOR_ENOMEM, "out of memory");
  ctx->written_now = 1;
  return CPOR_OK;
}

void cpor__written_call_end(cpor_ctx *ctx, int ok) {
  if (!ok && ctx->written_now) cpor__written_drop(ctx);
  ctx->written_now = 0;
}

int cpor__self_check;

/* With cpor__self_check set (the test suites set it) every copy handed out
 * is checked against the store. */
static int check_copy(cpor_ctx *ctx, const cpor_claim *c) {
  cpor_store_object stored;
  memset(&stored, 0, sizeof stored);
  cpor_storage *s = ctx->storage;
  int rc = s->m.object_get(s->self, CPOR_STORE_CLAIM, c->id, &stored);
  if (rc) return cpor__storage_fail(ctx, rc, "cannot read");
  cpor_store_object mine;
  void *buf = NULL;
  if (cpor__claim_encode(c, &mine, &buf) != CPOR_OK)
    return cpor__fail(ctx, CPOR_ENOMEM, "out of memory while encoding");
  int same = stored.revision == c->revision && stored.len == mine.len &&
             memcmp(stored.data, mine.data, mine.len) == 0;
  free((void *)mine.data);
  if (!same) {
    fprintf(stderr, "libcpor: the kept copy of claim %s differs from the store\n", c->id);
    abort();
  }
  return CPOR_OK;
}

int cpor__written_find(cpor_ctx *ctx, const char *id, cpor_claim **out) {
  *out = NULL;
  if (!ctx->written || !keeps(ctx) || strcmp(ctx->written->id, id) != 0) return CPOR_OK;
  int rc = cpor__self_check ? check_copy(ctx, ctx->written) : CPOR_OK;
  if (rc) return rc;
  if (!(*out = cpor__claim_dup(ctx->written))) return cpor__fail(ctx, CPOR_ENOMEM, "out of memory");
  return CPOR_OK;
}
