/* Reading claims: get, find (queries) and history. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/claims.h"
#include "core/list.h"
#include "core/valid.h"
#include "struct_version.h"

int cpor_claim_get(cpor_ctx *ctx, const cpor_actor *actor, const char *claim_id, cpor_claim **out) {
  if (!ctx) return CPOR_EINVAL;
  if (!out) return cpor__fail(ctx, CPOR_EINVAL, "out is NULL");
  *out = NULL;
  cpor__view v = {0};
  cpor_actor a;
  int rc = cpor__claim_open(ctx, actor, &a, claim_id, CPOR__ACT_VIEW, &v);
  if (rc) return rc;
  cpor_claim *c = v.v[0]->claim;
  v.v[0]->claim = NULL; /* the handle: taken from the view */
  cpor__claim_as_of(c, ctx->now);
  cpor__view_free(&v);
  rc = cpor__call_end(ctx, CPOR_OK);
  if (rc)
    cpor_claim_free(c);
  else
    *out = c;
  return rc;
}

struct cpor_claim_iter {
  cpor__list l;
};

static void free_claim(void *c) {
  cpor_claim_free(c);
}

void cpor_claim_iter_free(cpor_claim_iter *it) {
  if (!it) return;
  cpor__list_clear(&it->l, free_claim);
  free(it);
}

int cpor_claim_iter_next(cpor_claim_iter *it, cpor_claim **out) {
  if (!it || !out) return CPOR_EINVAL;
  void *item = NULL;
  int rc = cpor__list_next(&it->l, &item);
  *out = item; /* through a void *: no type-punned store */
  return rc;
}

/* The query with the actor's visibility folded in. */
typedef struct filter {
  const char *partner_id, *tenant_id, *unit;
  uint32_t state, overdue;
  cpor_time now;
  const char *after_id; /* canonical */
  cpor_time closes_before, updated_since;
} filter;

typedef struct collector {
  cpor_claim_iter *it;
  const filter *f;
  cpor_ctx *ctx;
} collector;

static int live_on(const cpor_claim *c, const char *unit) {
  for (size_t i = 0; i < c->nlines; i++)
    if (cpor__rules_live(c->lines[i].state) && cpor__line_on_unit(c, &c->lines[i], unit)) return 1;
  return 0;
}

static int matches(const filter *f, const cpor_claim *c) {
  if (f->partner_id && strcmp(f->partner_id, c->partner_id) != 0) return 0;
  if (f->tenant_id && strcmp(f->tenant_id, c->tenant_id) != 0) return 0;
  if (f->state && (uint32_t)c->state != f->state) return 0;
  if (f->overdue && !cpor__rules_overdue(c, f->now)) return 0;
  if (f->after_id && strcmp(c->id, f->after_id) <= 0) return 0;
  if (f->closes_before &&
      (c->window_closes_at == CPOR_TIME_NONE || c->window_closes_at >= f->closes_before))
    return 0;
  if (f->updated_since && c->updated_at < f->updated_since) return 0;
  return 1;
}

/* The claim as of now (settled in memory), kept when it matches. */
static int by_id(collector *col, const char *id) {
  const cpor__list *l = &col->it->l;
  for (size_t i = 0; i < l->n; i++)
    if (strcmp(((cpor_claim *)l->v[i])->id, id) == 0) return 0; /* seen already */
  cpor__view v = {0};
  int rc = cpor__view_settled(col->ctx, id, &v);
  cpor_claim *c = rc ? NULL : v.v[0]->claim;
  if (c) cpor__claim_as_of(c, col->f->now); /* the windows a caller sees */
  if (c && matches(col->f, c) && (!col->f->unit || live_on(c, col->f->unit))) {
    v.v[0]->claim = NULL;
    if ((rc = cpor__list_push(&col->it->l, c))) cpor_claim_free(c);
  }
  cpor__view_free(&v);
  return rc;
}

static int on_object(void *arg, const cpor_store_object *obj) {
  return obj->id ? by_id(arg, obj->id) : CPOR_ECORRUPT;
}

static int on_line(void *arg, const cpor_store_line *l) {
  return l->claim_id ? by_id(arg, l->claim_id) : CPOR_ECORRUPT;
}

static int on_deadline(void *arg, const char *id, uint32_t kind, cpor_time due) {
  (void)kind, (void)due;
  return id ? by_id(arg, id) : CPOR_ECORRUPT;
}

/* A state query also finds the claims that settling moves into the state:
 * the due ones, and the incumbents an association supersedes. */
static int on_due(void *arg, const char *id, uint32_t kind, cpor_time due) {
  collector *col = arg;
  int rc = on_deadline(arg, id, kind, due);
  if (rc || kind != CPOR_DEADLINE_OPTOUT || col->f->state != CPOR_STATE_ENDED) return rc;
  cpor_claim *c = NULL;
  if ((rc = cpor__load_claim(col->ctx, id, &c))) return rc;
  for (size_t i = 0; !rc && i < c->nlines; i++) {
    char *unit = cpor__unit_key(c, &c->lines[i]);
    if (!unit) rc = CPOR_ENOMEM;
    cpor__unit_rows rows = {0};
    if (!rc) rc = cpor__unit_rows_load(col->ctx, unit, &rows);
    for (size_t k = 0; !rc && k < rows.n; k++)
      if (rows.rows[k].status == CPOR_STATE_ASSOCIATED) rc = by_id(col, rows.rows[k].claim_id);
    cpor__unit_rows_free(&rows);
    free(unit);
  }
  cpor_claim_free(c);
  return rc;
}

static int moved_in(cpor_ctx *ctx, const filter *f, collector *col) {
  cpor_storage *s = ctx->storage;
  if (f->state != CPOR_STATE_ASSOCIATED && f->state != CPOR_STATE_REJECTED &&
      f->state != CPOR_STATE_ENDED)
    return CPOR_OK;
  int rc = cpor__store_deadlines(s, CPOR_DEADLINE_OPTOUT, f->now, on_due, col);
  if (!rc) rc = cpor__store_deadlines(s, CPOR_DEADLINE_RESPONSE, f->now, on_due, col);
  return rc;
}

static int cmp_claims(const void *a, const void *b) {
  const cpor_claim *x = *(void *const *)a, *y = *(void *const *)b;
  return strcmp(x->id, y->id);
}

static void sort_claims(cpor_claim_iter *it) {
  if (it->l.n > 1) qsort(it->l.v, it->l.n, sizeof *it->l.v, cmp_claims);
}

/* The first limit results (0: all). */
static void keep_first(cpor_claim_iter *it, uint32_t limit) {
  while (limit && it->l.n > limit)
    cpor_claim_free(it->l.v[--it->l.n]);
}

static int scan(cpor_ctx *ctx, const filter *f, cpor_claim_iter *it) {
  collector col = {it, f, ctx};
  cpor_storage *s = ctx->storage;
  int rc;
  if (f->unit) {
    rc = cpor__store_lines(s, f->unit, on_line, &col);
  } else if (f->overdue) {
    rc = cpor__store_deadlines(s, CPOR_DEADLINE_SLA, f->now, on_deadline, &col);
  } else {
    uint32_t by = CPOR_STORE_BY_STATE;
    const char *key = NULL;
    if (f->partner_id)
      by = CPOR_STORE_BY_OWNER, key = f->partner_id;
    else if (f->tenant_id)
      by = CPOR_STORE_BY_REF, key = f->tenant_id;
    else if (!f->state)
      by = CPOR_STORE_BY_KIND; /* the unfiltered query of the reviewer */
    rc = cpor__store_objects(s, CPOR_STORE_CLAIM, by, key, (int32_t)f->state, NULL, 0, on_object,
                             &col);
    if (!rc && by == CPOR_STORE_BY_STATE) rc = moved_in(ctx, f, &col);
  }
  if (rc == CPOR_ENOTFOUND || rc == CPOR_ECORRUPT || rc == CPOR_ENOMEM)
    return rc == CPOR_ENOTFOUND ? cpor__fail(ctx, CPOR_ECORRUPT, "a unit row names a missing claim")
                                : cpor__storage_fail(ctx, rc, "reading claims");
  if (rc) return ctx->errcode ? rc : cpor__storage_fail(ctx, rc, "cannot read claims");
  sort_claims(it);
  return CPOR_OK;
}

int cpor_claim_query_init(cpor_claim_query *q, uint32_t version) {
  return cpor__struct_init(&cpor__claim_query_layout, q, version);
}

/* Partners and customers name at least one filter; the reviewer and the
 * system may list every claim. */
static int filtered(const cpor_claim_query *q) {
  return q->partner_id || q->tenant_id || q->state || q->unit_workload || q->unit_subscription ||
         q->overdue || q->after_id || q->limit || q->window_closes_before || q->updated_since;
}

int cpor_claim_find(cpor_ctx *ctx, const cpor_actor *actor_in, const cpor_claim_query *q_in,
                    cpor_claim_iter **out) {
  if (!ctx) return CPOR_EINVAL;
  if (!out) return cpor__fail(ctx, CPOR_EINVAL, "out is NULL");
  *out = NULL;
  cpor_actor a;
  const cpor_actor *actor = &a;
  int rc = cpor__actor_arg(ctx, actor_in, &a);
  if (rc) return rc;
  if (!q_in) return cpor__fail(ctx, CPOR_EINVAL, "query is NULL");
  cpor_claim_query latest;
  const cpor_claim_query *q = &latest;
  char msg[160];
  if ((rc = cpor__struct_read(&cpor__claim_query_layout, q_in, &latest, msg, sizeof msg)))
    return cpor__fail(ctx, rc, "%s", msg);
  char tenant[37] = "", sub[37] = "", actor_tenant[37] = "", after[37] = "";
  if (q->partner_id && cpor__valid_partner_id(q->partner_id))
    return cpor__fail(ctx, CPOR_EINVAL, "malformed partner ID");
  if (q->tenant_id && cpor__guid_canon(q->tenant_id, tenant))
    return cpor__fail(ctx, CPOR_EINVAL, "tenant ID must be a GUID");
  if (q->state && !cpor_state_name((int)q->state))
    return cpor__fail(ctx, CPOR_EINVAL, "unknown state");
  if (q->unit_workload && (cpor__valid_workload_code(q->unit_workload) || !tenant[0]))
    return cpor__fail(ctx, CPOR_EINVAL, "a Microsoft 365 unit needs a workload code and a tenant");
  if (q->unit_subscription && cpor__guid_canon(q->unit_subscription, sub))
    return cpor__fail(ctx, CPOR_EINVAL, "subscription ID must be a GUID");
  if (q->unit_workload && q->unit_subscription)
    return cpor__fail(ctx, CPOR_EINVAL, "a unit is a workload or a subscription, not both");
  if (q->after_id && cpor__guid_canon(q->after_id, after))
    return cpor__fail(ctx, CPOR_EINVAL, "after_id must be a claim ID (GUID)");
  if (!filtered(q) && actor->role != CPOR_ROLE_REVIEWER && actor->role != CPOR_ROLE_SYSTEM)
    return cpor__fail(ctx, CPOR_EINVAL, "a query needs at least one filter");
  filter f = {q->partner_id,
              tenant[0] ? tenant : NULL,
              NULL,
              q->state,
              q->overdue != 0,
              0,
              after[0] ? after : NULL,
              q->window_closes_before,
              q->updated_since};
  /* Visibility: a partner sees its own claims, a customer its tenant's. */
  int empty = 0;
  if (actor->role <= CPOR_ROLE_INCENTIVES_USER) {
    empty = f.partner_id && strcmp(f.partner_id, actor->org) != 0;
    f.partner_id = actor->org;
  } else if (actor->role == CPOR_ROLE_CUSTOMER) {
    cpor__guid_canon(actor->org, actor_tenant);
    empty = f.tenant_id && strcmp(f.tenant_id, actor_tenant) != 0;
    f.tenant_id = actor_tenant;
  }
  char unit[128];
  if (q->unit_workload) snprintf(unit, sizeof unit, "t:%s:%s", tenant, q->unit_workload);
  if (sub[0]) snprintf(unit, sizeof unit, "s:%s", sub);
  if (q->unit_workload || sub[0]) f.unit = unit;
  cpor_claim_iter *it = calloc(1, sizeof *it);
  if (!it) return cpor__fail(ctx, CPOR_ENOMEM, "out of memory");
  if ((rc = cpor__call_begin(ctx, 0))) {
    free(it);
    return rc;
  }
  f.now = ctx->now;
  if (!empty) rc = scan(ctx, &f, it);
  rc = cpor__call_end(ctx, rc);
  if (rc) {
    cpor_claim_iter_free(it);
    return rc;
  }
  keep_first(it, q->limit);
  *out = it;
  return CPOR_OK;
}

struct cpor_event_iter {
  cpor__list l;
};

static void free_event(void *e) {
  cpor_event_free(e);
}

void cpor_event_iter_free(cpor_event_iter *it) {
  if (!it) return;
  cpor__list_clear(&it->l, free_event);
  free(it);
}

int cpor_event_iter_next(cpor_event_iter *it, cpor_event **out) {
  if (!it || !out) return CPOR_EINVAL;
  void *item = NULL;
  int rc = cpor__list_next(&it->l, &item);
  *out = item; /* through a void *: no type-punned store */
  return rc;
}

static int on_event(void *arg, uint32_t seq, const void *data, size_t len) {
  cpor_event *e = NULL;
  int rc = cpor__event_decode(seq, data, len, &e);
  if (!rc && (rc = cpor__list_push(arg, e))) cpor_event_free(e);
  return rc;
}

int cpor__history_load(cpor_ctx *ctx, cpor__touched *t, cpor__list *out) {
  int rc = cpor__store_events(ctx->storage, t->claim->id, on_event, out);
  if (rc) return cpor__storage_fail(ctx, rc, "cannot read history");
  /* Then what settling adds as of now (the store has not caught up yet). */
  for (size_t i = 0; i < t->nevents; i++) {
    if (cpor__list_push(out, t->events[i])) return cpor__fail(ctx, CPOR_ENOMEM, "out of memory");
    t->events[i] = NULL;
  }
  return CPOR_OK;
}

int cpor_claim_history(cpor_ctx *ctx, const cpor_actor *actor, const char *claim_id,
                       cpor_event_iter **out) {
  if (!ctx) return CPOR_EINVAL;
  if (!out) return cpor__fail(ctx, CPOR_EINVAL, "out is NULL");
  *out = NULL;
  cpor__view v = {0};
  cpor_actor a;
  int rc = cpor__claim_open(ctx, actor, &a, claim_id, CPOR__ACT_VIEW, &v);
  if (rc) return rc;
  cpor__touched *t = v.v[0];
  cpor_event_iter *it = calloc(1, sizeof *it);
  if (!it) rc = cpor__fail(ctx, CPOR_ENOMEM, "out of memory");
  if (!rc) rc = cpor__history_load(ctx, t, &it->l);
  cpor__view_free(&v);
  rc = cpor__call_end(ctx, rc);
  if (rc) {
    cpor_event_iter_free(it);
    return rc;
  }
  *out = it;
  return CPOR_OK;
}

/* A rival of c on unit: another partner's claim, pending or held there
 * once settled. */
static int add_rival(collector *col, const cpor_claim *c, const char *unit, const char *id) {
  const cpor__list *l = &col->it->l;
  for (size_t i = 0; i < l->n; i++)
    if (strcmp(((cpor_claim *)l->v[i])->id, id) == 0) return 0;
  cpor__view v = {0};
  int rc = cpor__view_settled(col->ctx, id, &v);
  cpor_claim *r = rc ? NULL : v.v[0]->claim;
  int keep = 0;
  for (size_t i = 0; r && i < r->nlines; i++)
    keep |=
        cpor__rules_pending_or_held(r->lines[i].state) && cpor__line_on_unit(r, &r->lines[i], unit);
  if (keep && strcmp(r->partner_id, c->partner_id) != 0) {
    v.v[0]->claim = NULL;
    cpor__claim_as_of(r, col->f->now);
    if ((rc = cpor__list_push(&col->it->l, r))) {
      cpor_claim_free(r);
      rc = cpor__fail(col->ctx, rc, "out of memory");
    }
  }
  cpor__view_free(&v);
  return rc;
}

static int rivals_of(collector *col, const cpor_claim *c) {
  int rc = CPOR_OK;
  for (size_t i = 0; !rc && i < c->nlines; i++) {
    if (!cpor__rules_live(c->lines[i].state)) continue;
    char *unit = cpor__unit_key(c, &c->lines[i]);
    if (!unit) return cpor__fail(col->ctx, CPOR_ENOMEM, "out of memory");
    cpor__unit_rows rows;
    rc = cpor__unit_rows_load(col->ctx, unit, &rows);
    for (size_t k = 0; !rc && k < rows.n; k++)
      if (strcmp(rows.rows[k].claim_id, c->id) != 0)
        rc = add_rival(col, c, unit, rows.rows[k].claim_id);
    cpor__unit_rows_free(&rows);
    free(unit);
  }
  return rc;
}

int cpor_claim_competitors(cpor_ctx *ctx, const cpor_actor *actor, const char *claim_id,
                           cpor_claim_iter **out) {
  if (!ctx) return CPOR_EINVAL;
  if (!out) return cpor__fail(ctx, CPOR_EINVAL, "out is NULL");
  *out = NULL;
  cpor_actor a, b;
  int rc = cpor__actor_arg(ctx, actor, &a);
  if (rc) return rc;
  if (a.role != CPOR_ROLE_REVIEWER && a.role != CPOR_ROLE_SYSTEM)
    return cpor__fail(ctx, CPOR_EPERM, "only the reviewer sees the competing claims");
  cpor__view v = {0};
  if ((rc = cpor__claim_open(ctx, &a, &b, claim_id, CPOR__ACT_VIEW, &v))) return rc;
  cpor_claim_iter *it = calloc(1, sizeof *it);
  filter f = {NULL, NULL, NULL, 0, 0, ctx->now, NULL, 0, 0};
  collector col = {it, &f, ctx};
  rc = it ? rivals_of(&col, v.v[0]->claim) : cpor__fail(ctx, CPOR_ENOMEM, "out of memory");
  if (rc > 0) rc = cpor__storage_fail(ctx, rc, "reading the competing claims");
  cpor__view_free(&v);
  rc = cpor__call_end(ctx, rc);
  if (rc) {
    cpor_claim_iter_free(it);
    return rc;
  }
  sort_claims(it);
  *out = it;
  return CPOR_OK;
}
