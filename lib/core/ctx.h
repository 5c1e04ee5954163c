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
  int errcode;
  char errmsg[512];
  int batch;    /* inside cpor_ctx_begin .. commit */
  int poisoned; /* a write failed inside the batch: only rollback remains */
  cpor_time now;
};

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
int cpor__call_begin(cpor_ctx *ctx, int write);
int cpor__call_end(cpor_ctx *ctx, int rc);
/* The environment for the rules at this call's now. */
cpor__env cpor__env_of(const cpor_ctx *ctx);

/* Object reads: CPOR_ENOTFOUND (with a message naming what) when missing. */
int cpor__load_claim(cpor_ctx *ctx, const char *id, cpor_claim **out);
int cpor__load_location(cpor_ctx *ctx, const char *mpn, cpor_location **out);
int cpor__load_tenant(cpor_ctx *ctx, const char *id, cpor_tenant **out);
int cpor__load_subscription(cpor_ctx *ctx, const char *id, cpor_subscription **out);
int cpor__load_workload(cpor_ctx *ctx, const char *code, cpor_workload **out);
/* Decodes whatever object_get/scan hands over (arg: a cpor__loader). */
typedef int (*cpor__decode_fn)(const cpor_store_object *obj, void **out);
int cpor__load(cpor_ctx *ctx, uint32_t kind, const char *id, cpor__decode_fn decode, void **out);
int cpor__put(cpor_ctx *ctx, uint32_t mode, int rc_encode, cpor_store_object *obj, void *buf);

/* ---- claim writes ---------------------------------------------------------- */

/* A claim as it was read (old) and as the call leaves it, plus the history
 * it gains. The call decides everything first, then writes every change set
 * at the end, so a refusal never writes. */
typedef struct cpor__change {
  cpor_claim *claim; /* owned */
  int is_new;
  int32_t old_state;
  cpor_time old_window, old_sla;
  int lines_dirty; /* the unit rows must be rewritten */
  cpor_event **events;
  size_t nevents, cap;
} cpor__change;

int cpor__change_init(cpor__change *ch, cpor_claim *claim, int is_new);
void cpor__change_free(cpor__change *ch);
/* Appends a history event (state after = the claim's current state). */
int cpor__change_event(cpor_ctx *ctx, cpor__change *ch, const cpor_actor *actor, int kind,
                       const char *fmt, ...)
#ifdef __GNUC__
    __attribute__((format(printf, 5, 6)))
#endif
    ;
/* Writes: the claim object, its unit rows (when dirty or the state moved),
 * its deadlines (what changed) and its new events. */
int cpor__change_write(cpor_ctx *ctx, cpor__change *ch);

/* Formats an instant as ISO 8601 UTC with milliseconds ("...T..:..:..Z"). */
void cpor__format_time(cpor_time t, char buf[32]);

/* The system actor used for timed transitions. */
extern const cpor_actor cpor__system_actor;

/* The live unit rows of one unit (arg for lines_by_unit). */
typedef struct cpor__unit_rows {
  size_t n, cap;
  cpor_store_line *rows; /* strings owned */
} cpor__unit_rows;
int cpor__unit_rows_load(cpor_ctx *ctx, const char *unit, cpor__unit_rows *out);
void cpor__unit_rows_free(cpor__unit_rows *r);

#endif
