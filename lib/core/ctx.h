/* The context's internals, shared by the files that implement the API. */
#ifndef CPOR_CORE_CTX_H
#define CPOR_CORE_CTX_H

#include "core/records.h"
#include "rules/rules.h"
#include "store/storage.h"

struct cpor_ctx {
  cpor_storage *storage;
  int own_storage;
  cpor_clock_fn clock;
  void *clock_user;
  cpor_calendar *cal;
  cpor_tz *tz;
  cpor_policy policy;
  cpor__variants variants;
  int errcode;
  char errmsg[1024];
  int batch;     /* inside cpor_ctx_begin .. commit */
  int savepoint; /* the batch's current call took its savepoint (at its first write) */
  int poisoned;  /* a write failed inside the batch: only rollback remains */
  cpor_time now;
  size_t settled; /* claims the last write call's settling changed */
  int wrote;      /* the current call has written */
  /* The current call made every decision: what it writes from now on can
   * fail only as the store fails (cpor__view_write of a single decision).
   * On a one-writer store (CPOR_STORAGE_ONE_WRITER) such a call needs no
   * savepoint. settling: cpor__settle_store is writing its decisions, one
   * claim after the other. */
  int decided;
  int settling;
  /* The claim the batch wrote last, decoded (core/written.c); written_now:
   * the current call wrote it. */
  cpor_claim *written;
  int written_now;
  /* Inside a batch (one write transaction: no other writer), the store is
   * settled up to before batch_next_due: the earliest timed deadline left
   * after the last settling, lowered by every deadline the batch writes.
   * CPOR_TIME_NONE: unknown (settle). */
  cpor_time batch_next_due;
  uint64_t jitter; /* the state of the conflict pauses' generator */
  /* The CPOR_ECONFLICT just failed is the caller's (an expected revision),
   * not a race: cpor__retry_again does not rerun it. */
  int conflict_final;
  int rerun; /* the call runs again after a conflict (lock before reading) */
};

/* The current call is about to write: marks it, and inside a batch takes
 * its savepoint first (a call that only reads needs none). Every write path
 * calls this before its first storage write. */
void cpor__writing(cpor_ctx *ctx);

/* Sets the context's error and returns code. */
int cpor__fail(cpor_ctx *ctx, int code, const char *fmt, ...)
#ifdef __GNUC__
    __attribute__((format(printf, 3, 4)))
#endif
    ;
/* Records a storage method's failure (detail from the backend). */
int cpor__storage_fail(cpor_ctx *ctx, int rc, const char *what);

/* Every API call: begin reads the clock and opens a transaction (unless a
 * batch is open); end commits on rc == CPOR_OK, else rolls back, and returns
 * the call's final status (a failed commit turns success into failure). */
int cpor__is_postgres_url(const char *path);
int cpor__call_begin(cpor_ctx *ctx, int write);
int cpor__call_end(cpor_ctx *ctx, int rc);

/* Conflicts (DESIGN.md Part 2): a write call that met CPOR_ECONFLICT outside
 * a batch runs again from the start, at most CPOR__TRIES times in all, after
 * a jittered pause; then CPOR_ECONFLICT is the answer. cpor__retry_again
 * says whether to run again (and pauses first). */
#define CPOR__TRIES 8
int cpor__retry_again(cpor_ctx *ctx, int rc, unsigned attempt);
#define CPOR__RETRY(ctx, call)                                                                     \
  do {                                                                                             \
    for (unsigned attempt_ = 0;; attempt_++) {                                                     \
      int rc_ = (call);                                                                            \
      if (!cpor__retry_again((ctx), rc_, attempt_)) return rc_;                                    \
    }                                                                                              \
  } while (0)

/* The claim a batch on a one-writer store wrote last (core/written.c):
 * keep stores a copy of c as written (revision included); find sets *out to
 * a copy of it for id, or to NULL when it is not kept (read the store);
 * both fail only with CPOR_ENOMEM. call_end drops the copy when the call
 * that wrote it failed; drop forgets it. */
int cpor__written_keep(cpor_ctx *ctx, const cpor_claim *c);
/* Nonzero: the library checks its internal copies against the store and
 * aborts on a difference (set by the test suites, never by a user). */
extern int cpor__self_check;
int cpor__written_find(cpor_ctx *ctx, const char *id, cpor_claim **out);
void cpor__written_call_end(cpor_ctx *ctx, int ok);
void cpor__written_drop(cpor_ctx *ctx);

/* The unknown-ID answer: CPOR_ENOTFOUND "no such <kind> '<id>'". */
int cpor__not_found(cpor_ctx *ctx, uint32_t kind, const char *id);
/* Object reads: CPOR_ENOTFOUND (with a message naming what) when missing. */
int cpor__load_claim(cpor_ctx *ctx, const char *id, cpor_claim **out);
int cpor__load_location(cpor_ctx *ctx, const char *mpn, cpor_location **out);
int cpor__load_tenant(cpor_ctx *ctx, const char *id, cpor_tenant **out);
int cpor__load_subscription(cpor_ctx *ctx, const char *id, cpor_subscription **out);
int cpor__load_workload(cpor_ctx *ctx, const char *code, cpor_workload **out);
/* Decodes whatever object_get/scan hands over (arg: a cpor__loader). */
typedef int (*cpor__decode_fn)(const cpor_store_object *obj, void **out);
int cpor__load(cpor_ctx *ctx, uint32_t kind, const char *id, cpor__decode_fn decode, void **out);
/* Writes an encoded record (mode CPOR_STORE_*); UPDATE is conditional on
 * revision, the revision the record was read with. */
int cpor__put(cpor_ctx *ctx, uint32_t mode, uint64_t revision, int rc_encode,
              cpor_store_object *obj, void *buf);

/* ---- views: load, settle, write -------------------------------------------- */

/* Loads claim id into the view (as v[0] when the view is empty); with
 * neighbors, also every claim live on its units; then the subscriptions
 * every claim's live lines name. */
int cpor__view_load(cpor_ctx *ctx, const char *id, int neighbors, cpor__view *v);
/* Reads: claim id settled at the call's now, in memory (v->v[0]), with what
 * can change it by then: its own due window, and the due claims APPROVED on
 * units it holds. */
int cpor__view_settled(cpor_ctx *ctx, const char *id, cpor__view *v);
/* Writes: applies and writes every transition due store-wide (what
 * cpor_ctx_advance does); *changed: the claims whose state changed. */
int cpor__settle_store(cpor_ctx *ctx, size_t *changed);
/* The earliest opt-out or response deadline stored (INT64_MAX: none). */
int cpor__next_due(cpor_ctx *ctx, cpor_time *out);
/* Writes every changed claim of the view: its record, unit rows, deadlines
 * and new events; the claims that let go of a unit before those that take it. */
int cpor__view_write(cpor_ctx *ctx, cpor__view *v);
/* Fails the call with the kernel's refusal (its message is in ctx). */
int cpor__kernel_fail(cpor_ctx *ctx, int rc);
/* The environment for the kernel, writing refusals into the context. */
cpor__env cpor__kenv(cpor_ctx *ctx);

/* The live unit rows of one unit (arg for lines_by_unit). */
typedef struct cpor__unit_rows {
  size_t n, cap;
  cpor_store_line *rows; /* strings owned */
} cpor__unit_rows;
int cpor__unit_rows_load(cpor_ctx *ctx, const char *unit, cpor__unit_rows *out);
void cpor__unit_rows_free(cpor__unit_rows *r);

#endif
