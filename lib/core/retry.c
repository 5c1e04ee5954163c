/* Rerunning a call that met a concurrent writer (CPOR_ECONFLICT). */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/ctx.h"

/* xorshift64*: the pauses need spread, not quality; no clock is read. */
static uint64_t next_jitter(cpor_ctx *ctx) {
  uint64_t x = ctx->jitter ? ctx->jitter : (uint64_t)(uintptr_t)ctx | 1;
  x ^= x >> 12;
  x ^= x << 25;
  x ^= x >> 27;
  ctx->jitter = x;
  return x * 2685821657736338717ull;
}

int cpor__retry_again(cpor_ctx *ctx, int rc, unsigned attempt) {
  int final = ctx && ctx->conflict_final;
  if (ctx) ctx->conflict_final = 0, ctx->rerun = 0;
  if (!ctx || rc != CPOR_ECONFLICT || ctx->batch || final) return 0;
  if (attempt + 1 >= CPOR__TRIES) {
    size_t n = strlen(ctx->errmsg);
    snprintf(ctx->errmsg + n, sizeof ctx->errmsg - n, " (tried %d times)", CPOR__TRIES);
    return 0;
  }
  /* Up to 1, 2, 4 ... 64 ms, uniformly spread: racing hosts fall apart. */
  unsigned cap_us = 1000u << (attempt < 6 ? attempt : 6);
  unsigned us = (unsigned)(next_jitter(ctx) % cap_us) + 1;
  struct timespec ts = {0, (long)us * 1000L};
  nanosleep(&ts, NULL);
  ctx->rerun = 1; /* the rerun locks the claim it acts on before reading it */
  return 1;
}
