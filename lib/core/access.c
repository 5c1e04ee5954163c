/* Reading and writing records through the storage vtable. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/claim_rows.h"
#include "core/ctx.h"
#include "core/feed.h"

typedef struct loader {
  cpor__decode_fn decode;
  void *out;
  int rc;
} loader;

static int on_object(void *arg, const cpor_store_object *obj) {
  loader *l = arg;
  l->rc = l->decode(obj, &l->out);
  return 0;
}

static const char *kind_name(uint32_t kind) {
  static const char *const names[] = {"record", "partner",       "location", "customer",
                                      "tenant", "subscription",  "workload", "claim",
                                      "domain", "outbox message"};
  return kind < sizeof names / sizeof names[0] ? names[kind] : "record";
}

int cpor__not_found(cpor_ctx *ctx, uint32_t kind, const char *id) {
  return cpor__fail(ctx, CPOR_ENOTFOUND, "no such %s '%.100s'", kind_name(kind), id);
}

int cpor__load(cpor_ctx *ctx, uint32_t kind, const char *id, cpor__decode_fn decode, void **out) {
  loader l = {decode, NULL, CPOR_OK};
  int rc = cpor__store_get(ctx->storage, kind, id, on_object, &l);
  if (rc == CPOR_ENOTFOUND) return cpor__not_found(ctx, kind, id);
  if (rc) return cpor__storage_fail(ctx, rc, "cannot read");
  if (l.rc) return cpor__storage_fail(ctx, l.rc, kind_name(kind));
  *out = l.out;
  return CPOR_OK;
}

#define LOADER(fn, type, kind, decoder)                                                            \
  static int fn##_decode(const cpor_store_object *obj, void **out) {                               \
    int rc = decoder(obj, (type **)out);                                                           \
    if (rc == CPOR_OK) (*(type **)out)->revision = obj->revision;                                  \
    return rc;                                                                                     \
  }                                                                                                \
  int fn(cpor_ctx *ctx, const char *id, type **out) {                                              \
    return cpor__load(ctx, kind, id, fn##_decode, (void **)out);                                   \
  }

static int load_stored_claim(cpor_ctx *ctx, const char *id, cpor_claim **out);
LOADER(load_stored_claim, cpor_claim, CPOR_STORE_CLAIM, cpor__claim_decode)

int cpor__load_claim(cpor_ctx *ctx, const char *id, cpor_claim **out) {
  int rc = cpor__written_find(ctx, id, out);
  return rc || *out ? rc : load_stored_claim(ctx, id, out);
}
LOADER(cpor__load_location, cpor_location, CPOR_STORE_LOCATION, cpor__location_decode)
LOADER(cpor__load_tenant, cpor_tenant, CPOR_STORE_TENANT, cpor__tenant_decode)
LOADER(cpor__load_subscription, cpor_subscription, CPOR_STORE_SUBSCRIPTION,
       cpor__subscription_decode)
LOADER(cpor__load_workload, cpor_workload, CPOR_STORE_WORKLOAD, cpor__workload_decode)

int cpor__put(cpor_ctx *ctx, uint32_t mode, uint64_t revision, int rc_encode,
              cpor_store_object *obj, void *buf) {
  /* buf may have been read before the encoder ran (argument order is
   * unspecified): the encoded bytes are obj->data, which this call owns. */
  (void)buf;
  if (rc_encode) return cpor__fail(ctx, rc_encode, "out of memory while encoding");
  cpor__writing(ctx);
  if (obj->kind == CPOR_STORE_CLAIM) cpor__written_drop(ctx);
  obj->revision = revision;
  int rc = ctx->storage->m.object_put(ctx->storage->self, obj, mode);
  free((void *)obj->data);
  if (rc == CPOR_ECONFLICT)
    return cpor__fail(ctx, rc, "another writer changed %s '%.100s' concurrently",
                      kind_name(obj->kind), obj->id);
  if (rc == CPOR_EEXISTS)
    return cpor__fail(ctx, rc, "%s '%.100s' exists already", kind_name(obj->kind), obj->id);
  if (rc == CPOR_ENOTFOUND)
    return cpor__fail(ctx, rc, "no such %s '%.100s'", kind_name(obj->kind), obj->id);
  if (rc) return cpor__storage_fail(ctx, rc, "cannot write");
  return CPOR_OK;
}

/* ---- writing a decision's outcome ------------------------------------------ */

static int sync_deadline(cpor_ctx *ctx, const char *id, uint32_t kind, cpor_time old,
                         cpor_time now_due) {
  if (old == now_due) return CPOR_OK;
  if (now_due != CPOR_TIME_NONE && kind != CPOR_DEADLINE_SLA &&
      ctx->batch_next_due != CPOR_TIME_NONE && now_due < ctx->batch_next_due)
    ctx->batch_next_due = now_due;
  cpor_storage *s = ctx->storage;
  int rc = now_due == CPOR_TIME_NONE ? s->m.deadline_clear(s->self, id, kind)
                                     : s->m.deadline_set(s->self, id, kind, now_due);
  return rc ? cpor__storage_fail(ctx, rc, "cannot write a deadline") : CPOR_OK;
}

static int touched_write(cpor_ctx *ctx, cpor__touched *ch) {
  cpor_claim *c = ch->claim;
  cpor__writing(ctx);
  cpor_store_object obj;
  void *buf = NULL;
  int rc = cpor__put(ctx, ch->is_new ? CPOR_STORE_INSERT : CPOR_STORE_UPDATE, c->revision,
                     cpor__claim_encode(c, &obj, &buf), &obj, buf);
  if (rc) return rc;
  c->revision = ch->is_new ? 1 : c->revision + 1;
  if ((rc = cpor__written_keep(ctx, c))) return rc;
  if (ch->lines_dirty || ch->old_state != c->state) {
    rc = cpor__claim_rows_write(ctx, c);
    if (rc) return rc;
  }
  uint32_t ok = cpor__window_kind(ch->old_state), nk = cpor__window_kind(c->state);
  cpor_time oldw = ok ? ch->old_window : CPOR_TIME_NONE;
  cpor_time neww = nk ? c->window_closes_at : CPOR_TIME_NONE;
  if (ok && ok != nk) rc = sync_deadline(ctx, c->id, ok, oldw, CPOR_TIME_NONE);
  if (!rc && nk) rc = sync_deadline(ctx, c->id, nk, ok == nk ? oldw : CPOR_TIME_NONE, neww);
  if (!rc) rc = sync_deadline(ctx, c->id, CPOR_DEADLINE_SLA, ch->old_sla, c->sla_due_at);
  for (size_t i = 0; !rc && i < ch->nevents; i++) {
    void *ebuf = NULL;
    size_t len = 0;
    rc = cpor__event_encode(ch->events[i], &ebuf, &len);
    if (rc) {
      rc = cpor__fail(ctx, rc, "out of memory");
      break;
    }
    rc = ctx->storage->m.event_append(ctx->storage->self, c->id, ch->events[i]->seq, ebuf, len);
    free(ebuf);
    if (rc == CPOR_EEXISTS)
      rc = cpor__fail(ctx, CPOR_ECONFLICT, "another writer appended to the history of %s", c->id);
    else if (rc)
      rc = cpor__storage_fail(ctx, rc, "cannot append history");
  }
  return rc;
}

/* Whether t takes hold of a unit in this call (APPROVED or ASSOCIATED rows
 * it did not have): those are written after the others let go. */
static int takes_hold(const cpor__touched *t) {
  int s = t->claim->state;
  return (s == CPOR_STATE_APPROVED || s == CPOR_STATE_ASSOCIATED) && s != t->old_state;
}

int cpor__view_write(cpor_ctx *ctx, cpor__view *v) {
  int rc = CPOR_OK;
  /* The kernel decided the whole call (settling decides claim by claim, and
   * a later one may still fail). */
  if (!ctx->settling) ctx->decided = 1;
  for (int pass = 0; pass < 2; pass++)
    for (size_t i = 0; rc == CPOR_OK && i < v->n; i++)
      if (cpor__touched_changed(v->v[i]) && takes_hold(v->v[i]) == pass)
        rc = touched_write(ctx, v->v[i]);
  return rc ? rc : cpor__feed_write(ctx, v);
}

/* ---- unit rows ------------------------------------------------------------ */

static int on_line(void *arg, const cpor_store_line *line) {
  cpor__unit_rows *r = arg;
  if (!line->claim_id || !line->unit || !line->partner_id || !*line->claim_id ||
      !cpor_state_name(line->status))
    return CPOR_ECORRUPT; /* a stored row missing a required field */
  if (r->n == r->cap) {
    size_t cap = r->cap ? r->cap * 2 : 8;
    cpor_store_line *v = realloc(r->rows, cap * sizeof *v);
    if (!v) return CPOR_ENOMEM;
    r->rows = v;
    r->cap = cap;
  }
  int oom = 0;
  cpor_store_line *l = &r->rows[r->n];
  *l = *line;
  l->claim_id = cpor__strdup(line->claim_id, &oom);
  l->unit = cpor__strdup(line->unit, &oom);
  l->partner_id = cpor__strdup(line->partner_id, &oom);
  r->n++;
  return oom ? CPOR_ENOMEM : 0;
}

int cpor__unit_rows_load(cpor_ctx *ctx, const char *unit, cpor__unit_rows *out) {
  memset(out, 0, sizeof *out);
  int rc = cpor__store_lines(ctx->storage, unit, on_line, out);
  if (rc) {
    cpor__unit_rows_free(out);
    if (rc == CPOR_ECORRUPT)
      return cpor__fail(ctx, rc, "stored data is corrupt (a unit row of %.100s lacks a field)",
                        unit);
    return cpor__storage_fail(ctx, rc, "cannot read the unit's claims");
  }
  return CPOR_OK;
}

void cpor__unit_rows_free(cpor__unit_rows *r) {
  for (size_t i = 0; i < r->n; i++) {
    free((char *)r->rows[i].claim_id);
    free((char *)r->rows[i].unit);
    free((char *)r->rows[i].partner_id);
  }
  free(r->rows);
  memset(r, 0, sizeof *r);
}
