/* The context: opening, errors, calls and their transactions. */
#include "core/ctx.h"
#include "cpor/postgres.h"
#include "struct_version.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cpor__fail(cpor_ctx *ctx, int code, const char *fmt, ...) {
  ctx->errcode = code;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(ctx->errmsg, sizeof ctx->errmsg, fmt, ap);
  va_end(ap);
  return code;
}

int cpor__storage_fail(cpor_ctx *ctx, int rc, const char *what) {
  if (rc == CPOR_ENOMEM) return cpor__fail(ctx, rc, "out of memory while %s", what);
  if (rc == CPOR_ECORRUPT) return cpor__fail(ctx, rc, "stored data is corrupt (%s)", what);
  return cpor__fail(ctx, rc, "%s: %s", what, cpor__storage_errmsg(ctx->storage));
}

static int open_fail(const cpor_ctx_options *o, int rc, const char *msg) {
  if (o && o->errbuf && o->errbuf_len) snprintf(o->errbuf, o->errbuf_len, "%s", msg);
  return rc;
}

/* The policy with its zero windows (and zero units) made the defaults;
 * 0 when a window is out of range. */
static int policy_resolve(const cpor_policy *in, cpor_policy *out) {
  static const cpor_policy defaults = CPOR_POLICY_DEFAULT;
  *out = *in;
  cpor_window *w[] = {&out->optout,     &out->response, &out->review_start_sla,
                      &out->review_sla, &out->dispute,  &out->dispute_review_sla};
  const cpor_window *d[] = {&defaults.optout,     &defaults.response, &defaults.review_start_sla,
                            &defaults.review_sla, &defaults.dispute,  &defaults.dispute_review_sla};
  for (size_t i = 0; i < sizeof w / sizeof w[0]; i++) {
    if (w[i]->count == 0) *w[i] = *d[i];
    if (w[i]->unit == 0) w[i]->unit = d[i]->unit;
    if (w[i]->count < 1 || w[i]->count > 3650) return 0;
    if (w[i]->unit != CPOR_BUSINESS_DAYS && w[i]->unit != CPOR_CALENDAR_DAYS) return 0;
  }
  return 1;
}

int cpor_ctx_options_init(cpor_ctx_options *opts, uint32_t version) {
  return cpor__struct_init(&cpor__ctx_options_layout, opts, version);
}

/* postgresql:// and postgres:// URLs name a PostgreSQL store. */
int cpor__is_postgres_url(const char *path) {
  return strncmp(path, "postgresql://", 13) == 0 || strncmp(path, "postgres://", 11) == 0;
}

int cpor_ctx_open(cpor_ctx **out, const cpor_ctx_options *opts) {
  if (!out) return open_fail(opts, CPOR_EINVAL, "out is NULL");
  *out = NULL;
  char msg[300];
  cpor_ctx_options latest;
  const cpor_ctx_options *o = &latest;
  int rc = cpor__struct_read(&cpor__ctx_options_layout, opts, &latest, msg, sizeof msg);
  if (rc) return open_fail(opts, rc, msg);
  cpor_policy policy;
  if (!policy_resolve(&o->policy, &policy))
    return open_fail(opts, CPOR_EINVAL,
                     "policy windows need a count of 1-3650 (0: the default) and a unit of "
                     "business or calendar days");
  if (o->optout_from > CPOR_OPTOUT_FROM_SUBMISSION || o->customer_may_end > 1 ||
      o->max_disputes > 100)
    return open_fail(opts, CPOR_EINVAL,
                     "policy variants: optout_from is 0, approval (1) or submission (2); "
                     "customer_may_end 0 or 1; max_disputes 0-100");
  cpor_ctx *ctx = calloc(1, sizeof *ctx);
  if (!ctx) return open_fail(opts, CPOR_ENOMEM, "out of memory");
  ctx->policy = policy;
  ctx->variants.optout_from = o->optout_from ? o->optout_from : CPOR_OPTOUT_FROM_APPROVAL;
  ctx->variants.customer_may_end = o->customer_may_end;
  ctx->variants.max_disputes = o->max_disputes ? o->max_disputes : 1;
  ctx->clock = o->clock ? o->clock : cpor_system_clock_now;
  ctx->clock_user = o->clock_user;
  rc = cpor_tz_parse(o->tz ? o->tz : "UTC0", &ctx->tz);
  if (rc) {
    snprintf(msg, sizeof msg, "bad time zone '%.200s': a POSIX TZ rule is expected",
             o->tz ? o->tz : "");
    goto fail;
  }
  if (o->calendar) {
    ctx->cal = cpor_calendar_ref(o->calendar);
  } else if ((rc = cpor_calendar_builtin("weekends", &ctx->cal))) {
    snprintf(msg, sizeof msg, "cannot build the default calendar");
    goto fail;
  }
  if (o->storage) {
    ctx->storage = o->storage;
  } else if (o->db_path) {
    /* Straight into the caller's buffer: the message names the path, which
     * may be longer than any fixed buffer here. */
    rc = cpor__is_postgres_url(o->db_path)
             ? cpor_storage_open_postgres(&ctx->storage, o->db_path, NULL, o->errbuf, o->errbuf_len)
             : cpor_storage_open_sqlite(&ctx->storage, o->db_path, o->sqlite, o->errbuf,
                                        o->errbuf_len);
    if (rc) {
      cpor_ctx_close(ctx);
      return rc;
    }
    ctx->own_storage = 1;
  } else {
    rc = cpor_storage_open_memory(&ctx->storage);
    if (rc) {
      snprintf(msg, sizeof msg, "cannot open the in-memory store");
      goto fail;
    }
    ctx->own_storage = 1;
  }
  *out = ctx;
  return CPOR_OK;
fail:
  cpor_ctx_close(ctx);
  return open_fail(opts, rc, msg);
}

void cpor_ctx_close(cpor_ctx *ctx) {
  if (!ctx) return;
  if (ctx->batch && ctx->storage) ctx->storage->m.rollback(ctx->storage->self);
  cpor__written_drop(ctx);
  if (ctx->own_storage) cpor_storage_free(ctx->storage);
  cpor_calendar_unref(ctx->cal);
  cpor_tz_free(ctx->tz);
  free(ctx);
}

int cpor_ctx_errcode(const cpor_ctx *ctx) {
  return ctx ? ctx->errcode : CPOR_EINVAL;
}
const char *cpor_ctx_errmsg(const cpor_ctx *ctx) {
  return ctx ? ctx->errmsg : "context is NULL";
}

static int read_clock(cpor_ctx *ctx) {
  cpor_time now = 0;
  if (ctx->clock(ctx->clock_user, &now) != CPOR_OK)
    return cpor__fail(ctx, CPOR_EINVAL, "the clock callback failed");
  ctx->now = now;
  return CPOR_OK;
}

int cpor_ctx_now(cpor_ctx *ctx, cpor_time *out) {
  if (!ctx || !out) return CPOR_EINVAL;
  ctx->errcode = CPOR_OK;
  ctx->errmsg[0] = 0;
  int rc = read_clock(ctx);
  if (rc == CPOR_OK) *out = ctx->now;
  return rc;
}

/* Every write first makes the store catch up with the timed transitions due
 * at its now (settled state): the decision then reads settled claims. */
static int settle_first(cpor_ctx *ctx, int write) {
  ctx->settled = 0;
  ctx->wrote = 0;
  ctx->decided = 0;
  if (!write) return CPOR_OK;
  /* Inside a batch nothing is due before the earliest deadline left: the
   * common bulk call (everything at one now) scans once per batch. */
  if (ctx->batch && ctx->batch_next_due != CPOR_TIME_NONE && ctx->now < ctx->batch_next_due)
    return CPOR_OK;
  int rc = cpor__settle_store(ctx, &ctx->settled);
  if (rc || !ctx->batch) return rc;
  return cpor__next_due(ctx, &ctx->batch_next_due);
}

void cpor__writing(cpor_ctx *ctx) {
  cpor_storage *s = ctx->storage;
  /* A decided call on a one-writer store can only fail as the store does,
   * which ends the batch anyway: its savepoint would buy nothing. */
  int needless = ctx->decided && (s->m.flags & CPOR_STORAGE_ONE_WRITER);
  if (ctx->batch && !ctx->wrote && !needless)
    ctx->savepoint = s->m.savepoint && s->m.savepoint(s->self) == CPOR_OK;
  ctx->wrote = 1;
}

int cpor__call_begin(cpor_ctx *ctx, int write) {
  ctx->errcode = CPOR_OK;
  ctx->errmsg[0] = 0;
  int rc;
  cpor_storage *s = ctx->storage;
  if (ctx->batch) {
    if (ctx->poisoned)
      return cpor__fail(ctx, CPOR_ESTORAGE,
                        "an earlier write in this batch failed: roll the batch back");
    /* One call inside a batch is atomic: it writes inside a savepoint,
     * taken at its first write (cpor__writing). */
    ctx->savepoint = 0;
  } else if ((rc = s->m.begin(s->self, write))) {
    return cpor__storage_fail(ctx, rc, "cannot begin a transaction");
  }
  /* The clock is read once the transaction holds its lock: a call that
   * waited for another writer is stamped after that writer's events. */
  rc = read_clock(ctx);
  if (!rc) rc = settle_first(ctx, write);
  return rc ? cpor__call_end(ctx, rc) : CPOR_OK;
}

int cpor__call_end(cpor_ctx *ctx, int rc) {
  ctx->decided = 0;
  if (ctx->batch) {
    cpor_storage *sb = ctx->storage;
    int sp = ctx->savepoint;
    ctx->savepoint = 0;
    cpor__written_call_end(ctx, rc == CPOR_OK);
    /* A failed call undoes its settling too: what is due is unknown again. */
    if (rc != CPOR_OK) ctx->batch_next_due = CPOR_TIME_NONE;
    if (rc == CPOR_OK) {
      /* Without a savepoint (a backend that has none) a call that
       * succeeded has nothing to release. */
      if (!sp) return CPOR_OK;
      int rrc = sb->m.release(sb->self);
      if (rrc == CPOR_OK) return CPOR_OK;
      cpor__written_drop(ctx);
      ctx->batch_next_due = CPOR_TIME_NONE;
      /* The call failed after all: a backend may answer for a write of the
       * call as late as the release (storage.h). It keeps nothing; a
       * conflict leaves the batch usable, as one met earlier in the call
       * does, anything else ends it. */
      int conflict = rrc == CPOR_ECONFLICT;
      rrc =
          cpor__storage_fail(ctx, conflict ? rrc : CPOR_ESTORAGE,
                             conflict ? "another writer came first" : "cannot release a savepoint");
      if (sb->m.rollback_to(sb->self) != CPOR_OK || !conflict) ctx->poisoned = 1;
      return rrc;
    }
    /* A failed call leaves nothing behind: its savepoint is rolled back.
     * Without one (a backend that has none), or when the store itself
     * failed, the batch can only be rolled back. */
    int undone = sp && sb->m.rollback_to(sb->self) == CPOR_OK;
    if ((!undone && ctx->wrote) || rc == CPOR_ESTORAGE || rc == CPOR_ENOMEM) ctx->poisoned = 1;
    return rc;
  }
  cpor_storage *s = ctx->storage;
  if (rc == CPOR_OK) {
    int crc = s->m.commit(s->self);
    if (crc == CPOR_OK) return CPOR_OK;
    cpor__storage_fail(ctx, crc, "cannot commit");
    s->m.rollback(s->self);
    return crc;
  }
  s->m.rollback(s->self);
  return rc;
}

int cpor_ctx_begin(cpor_ctx *ctx) {
  if (!ctx) return CPOR_EINVAL;
  ctx->errcode = CPOR_OK;
  ctx->errmsg[0] = 0;
  if (ctx->batch) return cpor__fail(ctx, CPOR_ESTATE, "a batch is already open");
  int rc = ctx->storage->m.begin(ctx->storage->self, 1);
  if (rc) return cpor__storage_fail(ctx, rc, "cannot begin a batch");
  ctx->batch = 1;
  ctx->batch_next_due = CPOR_TIME_NONE;
  ctx->poisoned = 0;
  cpor__written_drop(ctx);
  return CPOR_OK;
}

int cpor_ctx_commit(cpor_ctx *ctx) {
  if (!ctx) return CPOR_EINVAL;
  ctx->errcode = CPOR_OK;
  ctx->errmsg[0] = 0;
  if (!ctx->batch) return cpor__fail(ctx, CPOR_ESTATE, "no batch is open");
  cpor_storage *s = ctx->storage;
  ctx->batch = 0;
  cpor__written_drop(ctx);
  if (ctx->poisoned) {
    s->m.rollback(s->self);
    return cpor__fail(ctx, CPOR_ESTORAGE, "a write in the batch failed: the batch was rolled back");
  }
  int rc = s->m.commit(s->self);
  if (rc) {
    cpor__storage_fail(ctx, rc, "cannot commit the batch");
    s->m.rollback(s->self);
  }
  return rc;
}

int cpor_ctx_rollback(cpor_ctx *ctx) {
  if (!ctx) return CPOR_EINVAL;
  ctx->errcode = CPOR_OK;
  ctx->errmsg[0] = 0;
  if (!ctx->batch) return cpor__fail(ctx, CPOR_ESTATE, "no batch is open");
  ctx->batch = 0;
  cpor__written_drop(ctx);
  int rc = ctx->storage->m.rollback(ctx->storage->self);
  return rc ? cpor__storage_fail(ctx, rc, "cannot roll the batch back") : CPOR_OK;
}

cpor__env cpor__kenv(cpor_ctx *ctx) {
  cpor__env env = {ctx->cal,           ctx->tz, &ctx->policy,  ctx->now, ctx->errmsg,
                   sizeof ctx->errmsg, 0,       &ctx->variants};
  return env;
}

int cpor__kernel_fail(cpor_ctx *ctx, int rc) {
  ctx->errcode = rc;
  if (!ctx->errmsg[0]) snprintf(ctx->errmsg, sizeof ctx->errmsg, "%s", cpor_strerror(rc));
  return rc;
}
