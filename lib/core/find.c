/* Claim queries: cpor_claim_find and cpor_claim_competitors.
 *
 * A find streams: the iterator reads the store page by page as it is
 * consumed, each page in its own read transaction, resuming after the last
 * claim ID seen. Pages start small (the first result comes after a handful
 * of claims are read, however many are stored) and grow. Every page reads as
 * of the instant of the find, so a claim whose timed transition was due then
 * is seen settled, on every page alike.
 *
 * The external reference has no column in the store: a query for it reads
 * the partner's (or the tenant's) index when it names one and filters the
 * claims as they stream; the reviewer's query that names neither reads every
 * claim. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/claims.h"
#include "core/list.h"
#include "core/valid.h"
#include "struct_version.h"

#define FIRST_PAGE 8
#define LAST_PAGE 256

/* The query with the actor's visibility folded in. */
typedef struct filter {
  const char *partner_id, *tenant_id, *unit;
  uint32_t state, overdue;
  cpor_time now;
  const char *after_id; /* canonical */
  cpor_time closes_before, updated_since;
  const char *external_ref;
} filter;

struct cpor_claim_iter {
  cpor__list l; /* the results read and not yet handed out */
  /* streaming (ctx != NULL): where the next page starts */
  cpor_ctx *ctx;
  filter f;
  char partner[65], tenant[37], unit[128], external_ref[201];
  uint32_t by; /* CPOR_STORE_BY_* of the index read */
  const char *key;
  char last[256]; /* the last claim ID read; "" before the first page */
  char **moved;   /* sorted IDs that settling moves into the queried state */
  size_t nmoved, capmoved, mpos;
  uint32_t limit, handed;
  size_t page;
  int done;
};

typedef struct collector {
  cpor_claim_iter *it;
  const filter *f;
  cpor_ctx *ctx;
  int dedup; /* the same claim may come twice (unit rows, deadlines) */
} collector;

static void free_claim(void *c) {
  cpor_claim_free(c);
}

static void free_ids(char **v, size_t n) {
  for (size_t i = 0; i < n; i++)
    free(v[i]);
  free(v);
}

void cpor_claim_iter_free(cpor_claim_iter *it) {
  if (!it) return;
  cpor__list_clear(&it->l, free_claim);
  free_ids(it->moved, it->nmoved);
  free(it);
}

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
  /* No store column holds it: filtered as the index streams (find.c top). */
  if (f->external_ref && (!c->external_ref || strcmp(c->external_ref, f->external_ref) != 0))
    return 0;
  return 1;
}

/* The claim as of now (settled in memory), kept when it matches. */
static int by_id(collector *col, const char *id) {
  const cpor__list *l = &col->it->l;
  for (size_t i = 0; col->dedup && i < l->n; i++)
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

static int on_line(void *arg, const cpor_store_line *l) {
  return l->claim_id ? by_id(arg, l->claim_id) : CPOR_ECORRUPT;
}

static int on_deadline(void *arg, const char *id, uint32_t kind, cpor_time due) {
  (void)kind, (void)due;
  return id ? by_id(arg, id) : CPOR_ECORRUPT;
}

static int cmp_claims(const void *a, const void *b) {
  const cpor_claim *x = *(void *const *)a, *y = *(void *const *)b;
  return strcmp(x->id, y->id);
}

static void sort_claims(cpor__list *l) {
  if (l->n > 1) qsort(l->v, l->n, sizeof *l->v, cmp_claims);
}

static int read_fail(cpor_ctx *ctx, int rc) {
  if (rc == CPOR_ENOTFOUND)
    return cpor__fail(ctx, CPOR_ECORRUPT, "a stored row names a missing claim");
  if (rc == CPOR_ECORRUPT || rc == CPOR_ENOMEM)
    return cpor__storage_fail(ctx, rc, "reading claims");
  return ctx->errcode ? rc : cpor__storage_fail(ctx, rc, "cannot read claims");
}

/* ---- the claims settling moves into a state ------------------------------------- */

typedef struct mover {
  cpor_claim_iter *it;
  cpor_ctx *ctx;
} mover;

/* Appends a copy of id to the growable array *v (n used, cap allocated). */
static int push_id(char ***v, size_t *n, size_t *cap, const char *id) {
  if (*n == *cap) {
    size_t c = *cap ? *cap * 2 : 16;
    char **nv = realloc(*v, c * sizeof *nv);
    if (!nv) return CPOR_ENOMEM;
    *v = nv;
    *cap = c;
  }
  if (!((*v)[*n] = strdup(id))) return CPOR_ENOMEM;
  (*n)++;
  return 0;
}

static int add_moved(mover *m, const char *id) {
  return push_id(&m->it->moved, &m->it->nmoved, &m->it->capmoved, id);
}

/* A claim due now moves (ASSOCIATED or REJECTED); at an association, the
 * incumbents of its units move to ENDED. */
static int on_due(void *arg, const char *id, uint32_t kind, cpor_time due) {
  (void)due;
  mover *m = arg;
  if (!id) return CPOR_ECORRUPT;
  int rc = add_moved(m, id);
  if (rc || kind != CPOR_DEADLINE_OPTOUT || m->it->f.state != CPOR_STATE_ENDED) return rc;
  cpor_claim *c = NULL;
  if ((rc = cpor__load_claim(m->ctx, id, &c))) return rc;
  for (size_t i = 0; !rc && i < c->nlines; i++) {
    char *unit = cpor__unit_key(c, &c->lines[i]);
    if (!unit) rc = CPOR_ENOMEM;
    cpor__unit_rows rows = {0};
    if (!rc) rc = cpor__unit_rows_load(m->ctx, unit, &rows);
    for (size_t k = 0; !rc && k < rows.n; k++)
      if (rows.rows[k].status == CPOR_STATE_ASSOCIATED) rc = add_moved(m, rows.rows[k].claim_id);
    cpor__unit_rows_free(&rows);
    free(unit);
  }
  cpor_claim_free(c);
  return rc;
}

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Only the due deadlines are read: the cost follows what is due. */
static int find_moved(cpor_ctx *ctx, cpor_claim_iter *it) {
  uint32_t s = it->f.state;
  if (s != CPOR_STATE_ASSOCIATED && s != CPOR_STATE_REJECTED && s != CPOR_STATE_ENDED)
    return CPOR_OK;
  mover m = {it, ctx};
  int rc = cpor__store_deadlines(ctx->storage, CPOR_DEADLINE_OPTOUT, it->f.now, on_due, &m);
  if (!rc) rc = cpor__store_deadlines(ctx->storage, CPOR_DEADLINE_RESPONSE, it->f.now, on_due, &m);
  if (rc) return rc;
  if (it->nmoved > 1) qsort(it->moved, it->nmoved, sizeof *it->moved, cmp_str);
  return CPOR_OK;
}

/* ---- one page ------------------------------------------------------------------- */

typedef struct page {
  char **ids;
  size_t n, cap;
} page;

static int page_add(page *p, const char *id) {
  return push_id(&p->ids, &p->n, &p->cap, id);
}

static void page_free(page *p) {
  free_ids(p->ids, p->n);
}

static int on_index(void *arg, const cpor_store_object *obj) {
  return obj->id ? page_add(arg, obj->id) : CPOR_ECORRUPT;
}

/* Reads the next page's claims: the index from after the last ID, merged
 * with the moved-in IDs up to where the index read stopped. */
static int read_page(cpor_claim_iter *it) {
  cpor_ctx *ctx = it->ctx;
  page p = {0};
  int rc =
      cpor__store_objects(ctx->storage, CPOR_STORE_CLAIM, it->by, it->key, (int32_t)it->f.state,
                          it->last[0] ? it->last : NULL, it->page, on_index, &p);
  int end = !rc && p.n < it->page;
  const char *bound = end || !p.n ? NULL : p.ids[p.n - 1];
  while (!rc && it->mpos < it->nmoved) {
    const char *m = it->moved[it->mpos];
    if (it->last[0] && strcmp(m, it->last) <= 0) {
      it->mpos++;
      continue;
    }
    if (bound && strcmp(m, bound) > 0) break;
    rc = page_add(&p, m);
    it->mpos++;
  }
  if (!rc && p.n > 1) qsort(p.ids, p.n, sizeof *p.ids, cmp_str);
  collector col = {it, &it->f, ctx, 0};
  for (size_t i = 0; !rc && i < p.n; i++)
    if (i == 0 || strcmp(p.ids[i], p.ids[i - 1]) != 0) rc = by_id(&col, p.ids[i]);
  if (!rc) {
    if (end)
      it->done = 1;
    else if (bound)
      snprintf(it->last, sizeof it->last, "%s", bound);
  }
  page_free(&p);
  if (it->page < LAST_PAGE) it->page *= 2;
  return rc ? read_fail(ctx, rc) : CPOR_OK;
}

static int fetch(cpor_claim_iter *it) {
  cpor_ctx *ctx = it->ctx;
  int rc = cpor__call_begin(ctx, 0);
  if (rc) return rc;
  ctx->now = it->f.now; /* every page reads as of the find */
  while (!rc && !it->done && it->l.pos == it->l.n) {
    cpor__list_clear(&it->l, free_claim); /* every item was handed out */
    rc = read_page(it);
  }
  return cpor__call_end(ctx, rc);
}

int cpor_claim_iter_next(cpor_claim_iter *it, cpor_claim **out) {
  if (!it || !out) return CPOR_EINVAL;
  *out = NULL;
  if (it->limit && it->handed >= it->limit) return CPOR_ITEROVER;
  if (it->ctx && it->l.pos == it->l.n && !it->done) {
    int rc = fetch(it);
    if (rc) {
      it->done = 1; /* a failed page ends the iteration */
      return rc;
    }
  }
  void *item = NULL;
  int rc = cpor__list_next(&it->l, &item);
  *out = item; /* through a void *: no type-punned store */
  if (rc == CPOR_OK) it->handed++;
  return rc;
}

/* ---- cpor_claim_find ------------------------------------------------------------ */

/* Unit and overdue queries read a unit's rows or the due SLAs: bounded by
 * that index, they are read in one go (and sorted by ID). */
static int read_all(cpor_ctx *ctx, cpor_claim_iter *it) {
  collector col = {it, &it->f, ctx, 1};
  int rc = it->f.unit ? cpor__store_lines(ctx->storage, it->f.unit, on_line, &col)
                      : cpor__store_deadlines(ctx->storage, CPOR_DEADLINE_SLA, it->f.now,
                                              on_deadline, &col);
  if (rc) return read_fail(ctx, rc);
  sort_claims(&it->l);
  return CPOR_OK;
}

int cpor_claim_query_init(cpor_claim_query *q, uint32_t version) {
  return cpor__struct_init(&cpor__claim_query_layout, q, version);
}

/* Partners and customers name at least one filter; the reviewer and the
 * system may list every claim. */
static int filtered(const cpor_claim_query *q) {
  return q->partner_id || q->tenant_id || q->state || q->unit_workload || q->unit_subscription ||
         q->overdue || q->after_id || q->limit || q->window_closes_before || q->updated_since ||
         q->external_ref;
}

/* Checks the query and folds the actor's visibility into it->f. 1: nothing
 * can match (the actor asked for another organization's claims). */
static int prepare(cpor_ctx *ctx, const cpor_actor *actor, const cpor_claim_query *q,
                   cpor_claim_iter *it) {
  char sub[37] = "", actor_tenant[37] = "", after[37] = "";
  if (q->partner_id && cpor__valid_partner_id(q->partner_id))
    return cpor__fail(ctx, CPOR_EINVAL, "malformed partner ID");
  if (q->tenant_id && cpor__guid_canon(q->tenant_id, it->tenant))
    return cpor__fail(ctx, CPOR_EINVAL, "tenant ID must be a GUID");
  if (q->state && !cpor_state_name((int)q->state))
    return cpor__fail(ctx, CPOR_EINVAL, "unknown state");
  if (q->unit_workload && (cpor__valid_workload_code(q->unit_workload) || !it->tenant[0]))
    return cpor__fail(ctx, CPOR_EINVAL, "a Microsoft 365 unit needs a workload code and a tenant");
  if (q->unit_subscription && cpor__guid_canon(q->unit_subscription, sub))
    return cpor__fail(ctx, CPOR_EINVAL, "subscription ID must be a GUID");
  if (q->unit_workload && q->unit_subscription)
    return cpor__fail(ctx, CPOR_EINVAL, "a unit is a workload or a subscription, not both");
  if (q->after_id && cpor__guid_canon(q->after_id, after))
    return cpor__fail(ctx, CPOR_EINVAL, "after_id must be a claim ID (GUID)");
  if (q->external_ref && cpor__valid_line(q->external_ref, 200))
    return cpor__fail(ctx, CPOR_EINVAL,
                      "external reference must be 1-200 bytes of text without control characters");
  if (!filtered(q) && actor->role != CPOR_ROLE_REVIEWER && actor->role != CPOR_ROLE_SYSTEM)
    return cpor__fail(ctx, CPOR_EINVAL, "a query needs at least one filter");
  filter *f = &it->f;
  if (q->partner_id) snprintf(it->partner, sizeof it->partner, "%s", q->partner_id);
  f->partner_id = q->partner_id ? it->partner : NULL;
  f->tenant_id = it->tenant[0] ? it->tenant : NULL;
  f->state = q->state;
  f->overdue = q->overdue != 0;
  f->closes_before = q->window_closes_before;
  f->updated_since = q->updated_since;
  if (q->external_ref) snprintf(it->external_ref, sizeof it->external_ref, "%s", q->external_ref);
  f->external_ref = q->external_ref ? it->external_ref : NULL;
  /* The resume cursor: the index is read from after it, and it filters. */
  snprintf(it->last, sizeof it->last, "%s", after);
  f->after_id = after[0] ? it->last : NULL;
  /* Visibility: a partner sees its own claims, a customer its tenant's. */
  int empty = 0;
  if (actor->role <= CPOR_ROLE_INCENTIVES_USER) {
    empty = f->partner_id && strcmp(f->partner_id, actor->org) != 0;
    snprintf(it->partner, sizeof it->partner, "%s", actor->org);
    f->partner_id = it->partner;
  } else if (actor->role == CPOR_ROLE_CUSTOMER) {
    cpor__guid_canon(actor->org, actor_tenant);
    empty = f->tenant_id && strcmp(f->tenant_id, actor_tenant) != 0;
    memcpy(it->tenant, actor_tenant, sizeof it->tenant);
    f->tenant_id = it->tenant;
  }
  if (q->unit_workload)
    snprintf(it->unit, sizeof it->unit, "t:%s:%s", it->tenant, q->unit_workload);
  if (sub[0]) snprintf(it->unit, sizeof it->unit, "s:%s", sub);
  if (q->unit_workload || sub[0]) f->unit = it->unit;
  /* The index read: the narrowest the query names. */
  it->by = CPOR_STORE_BY_STATE;
  if (f->partner_id)
    it->by = CPOR_STORE_BY_OWNER, it->key = f->partner_id;
  else if (f->tenant_id)
    it->by = CPOR_STORE_BY_REF, it->key = f->tenant_id;
  else if (!f->state)
    it->by = CPOR_STORE_BY_KIND; /* the unfiltered query of the reviewer */
  it->limit = q->limit;
  it->page = FIRST_PAGE;
  return empty;
}

int cpor_claim_find(cpor_ctx *ctx, const cpor_actor *actor_in, const cpor_claim_query *q_in,
                    cpor_claim_iter **out) {
  if (!ctx) return CPOR_EINVAL;
  if (!out) return cpor__fail(ctx, CPOR_EINVAL, "out is NULL");
  *out = NULL;
  cpor_actor actor;
  int rc = cpor__actor_arg(ctx, actor_in, &actor);
  if (rc) return rc;
  if (!q_in) return cpor__fail(ctx, CPOR_EINVAL, "query is NULL");
  cpor_claim_query q;
  char msg[160];
  if ((rc = cpor__struct_read(&cpor__claim_query_layout, q_in, &q, msg, sizeof msg)))
    return cpor__fail(ctx, rc, "%s", msg);
  cpor_claim_iter *it = calloc(1, sizeof *it);
  if (!it) return cpor__fail(ctx, CPOR_ENOMEM, "out of memory");
  int empty = prepare(ctx, &actor, &q, it);
  if (empty < 0) {
    cpor_claim_iter_free(it);
    return empty;
  }
  if ((rc = cpor__call_begin(ctx, 0))) {
    cpor_claim_iter_free(it);
    return rc;
  }
  it->f.now = ctx->now;
  if (empty)
    it->done = 1;
  else if (it->f.unit || it->f.overdue)
    rc = read_all(ctx, it), it->done = 1;
  else {
    /* The first page now: a bad store fails the find, not its first next. */
    it->ctx = ctx;
    rc = find_moved(ctx, it);
    if (rc) rc = read_fail(ctx, rc);
    if (!rc) rc = read_page(it);
  }
  rc = cpor__call_end(ctx, rc);
  if (rc) {
    cpor_claim_iter_free(it);
    return rc;
  }
  *out = it;
  return CPOR_OK;
}

/* ---- cpor_claim_competitors ----------------------------------------------------- */

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
  filter f = {NULL, NULL, NULL, 0, 0, ctx->now, NULL, 0, 0, NULL};
  collector col = {it, &f, ctx, 1};
  rc = it ? rivals_of(&col, v.v[0]->claim) : cpor__fail(ctx, CPOR_ENOMEM, "out of memory");
  if (rc > 0) rc = cpor__storage_fail(ctx, rc, "reading the competing claims");
  cpor__view_free(&v);
  rc = cpor__call_end(ctx, rc);
  if (rc) {
    cpor_claim_iter_free(it);
    return rc;
  }
  sort_claims(&it->l);
  *out = it;
  return CPOR_OK;
}
