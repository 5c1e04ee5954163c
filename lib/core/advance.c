/* Timed transitions: cpor_ctx_advance. Every write call settles the store
 * first (core/view.c); advance is a write call that does nothing else, so it
 * reports what that settling changed. Its cost follows the number of due
 * deadlines: the store hands over only those (deadline_scan). */
#include "core/ctx.h"

static int cpor_ctx_advance_once(cpor_ctx *ctx, size_t *changed) {
  if (!ctx) return CPOR_EINVAL;
  if (changed) *changed = 0;
  int rc = cpor__call_begin(ctx, 1);
  if (rc) return rc;
  size_t n = ctx->settled;
  rc = cpor__call_end(ctx, CPOR_OK);
  if (rc == CPOR_OK && changed) *changed = n;
  return rc;
}

int cpor_ctx_advance(cpor_ctx *ctx, size_t *changed) {
  CPOR__RETRY(ctx, cpor_ctx_advance_once(ctx, changed));
}
