/* Reading and writing records through the storage vtable. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

LOADER(cpor__load_claim, cpor_claim, CPOR_STORE_CLAIM, cpor__claim_decode)
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
  ctx->wrote = 1;
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

/* a b c d, malloc'd; NULL and *oom set when out of memory. */
static char *join(const char *a, const char *b, const char *c, const char *d, int *oom) {
  size_t la = strlen(a), lb = strlen(b), lc = strlen(c), ld = strlen(d);
  char *r = malloc(la + lb + lc + ld + 1);
  if (!r) {
    *oom = 1;
    return NULL;
  }
  memcpy(r, a, la);
  memcpy(r + la, b, lb);
  memcpy(r + la + lb, c, lc);
  memcpy(r + la + lb + lc, d, ld + 1);
  return r;
}

/* The exclusive keys of a line (DESIGN.md 1.3): one holder per unit in
 * APPROVED and in ASSOCIATED, and one pending or held line per partner and
 * unit (the duplicate rule). Returns how many it wrote to out[0..2). */
static int line_keys(const cpor_claim *c, const cpor__line *l, const char *unit, char *out[2],
                     int *oom) {
  int n = 0;
  if (!cpor__rules_pending_or_held(l->state)) return 0;
  out[n++] = join("partner ", c->partner_id, " ", unit, oom);
  if (l->state == CPOR_STATE_APPROVED) out[n++] = join("approved ", unit, "", "", oom);
  if (l->state == CPOR_STATE_ASSOCIATED) out[n++] = join("associated ", unit, "", "", oom);
  return n;
}

static int has_key(char *const *keys, size_t n, const char *k) {
  for (size_t i = 0; i < n; i++)
    if (strcmp(keys[i], k) == 0) return 1;
  return 0;
}

static int write_lines(cpor_ctx *ctx, const cpor_claim *c) {
  size_t cap = c->nlines ? c->nlines : 1;
  cpor_store_line *v = calloc(cap, sizeof *v);
  char **units = calloc(cap, sizeof *units);
  char **keys = calloc(2 * cap, sizeof *keys);
  int rc = CPOR_OK, oom = !v || !units || !keys;
  size_t n = 0, nkeys = 0;
  for (size_t i = 0; !oom && i < c->nlines; i++) {
    if (!cpor__rules_live(c->lines[i].state)) continue;
    if (!(units[i] = cpor__unit_key(c, &c->lines[i]))) {
      oom = 1;
      break;
    }
    v[n].claim_id = c->id;
    v[n].line = (uint32_t)i;
    v[n].unit = units[i];
    v[n].partner_id = c->partner_id;
    v[n].status = c->lines[i].state;
    n++;
    char *k[2] = {NULL, NULL};
    int nk = line_keys(c, &c->lines[i], units[i], k, &oom);
    for (int j = 0; j < nk; j++) {
      if (k[j] && !has_key(keys, nkeys, k[j]))
        keys[nkeys++] = k[j];
      else
        free(k[j]);
    }
  }
  if (oom) {
    rc = cpor__fail(ctx, CPOR_ENOMEM, "out of memory");
    goto out;
  }
  rc = ctx->storage->m.lines_replace(ctx->storage->self, c->id, v, n);
  if (rc) {
    rc = cpor__storage_fail(ctx, rc, "cannot write claim lines");
    goto out;
  }
  rc = ctx->storage->m.keys_replace(ctx->storage->self, c->id, (const char *const *)keys, nkeys);
  if (rc == CPOR_EEXISTS)
    /* Another writer took a unit between our read and our write: the store's
     * exclusive keys decided the race; rerunning the call reads the winner. */
    rc = cpor__fail(ctx, CPOR_ECONFLICT, "another claim took a unit of %s concurrently", c->id);
  else if (rc)
    rc = cpor__storage_fail(ctx, rc, "cannot write the claim's keys");
out:
  for (size_t i = 0; units && i < c->nlines; i++)
    free(units[i]);
  for (size_t i = 0; keys && i < nkeys; i++)
    free(keys[i]);
  free(units);
  free(keys);
  free(v);
  return rc;
}

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

/* The deadline kind a window belongs to in a state (0: none kept). */
static uint32_t window_kind(int state) {
  if (state == CPOR_STATE_APPROVED) return CPOR_DEADLINE_OPTOUT;
  if (state == CPOR_STATE_PARTNER_ACTION_REQUIRED) return CPOR_DEADLINE_RESPONSE;
  return 0;
}

static int touched_write(cpor_ctx *ctx, cpor__touched *ch) {
  cpor_claim *c = ch->claim;
  ctx->wrote = 1;
  cpor_store_object obj;
  void *buf = NULL;
  int rc = cpor__put(ctx, ch->is_new ? CPOR_STORE_INSERT : CPOR_STORE_UPDATE, c->revision,
                     cpor__claim_encode(c, &obj, &buf), &obj, buf);
  if (rc) return rc;
  c->revision = ch->is_new ? 1 : c->revision + 1;
  if (ch->lines_dirty || ch->old_state != c->state) {
    rc = write_lines(ctx, c);
    if (rc) return rc;
  }
  uint32_t ok = window_kind(ch->old_state), nk = window_kind(c->state);
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
