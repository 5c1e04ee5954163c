/* Loading the kernel's views from the store, settling them, and the
 * store-wide settle every write begins with. */
#include <stdlib.h>
#include <string.h>

#include "core/claims.h"

static int add_claim(cpor_ctx *ctx, cpor__view *v, const char *id, cpor__touched **out) {
  cpor__touched *t = cpor__view_find(v, id);
  if (t) return out ? (*out = t, CPOR_OK) : CPOR_OK;
  cpor_claim *c = NULL;
  int rc = cpor__load_claim(ctx, id, &c);
  if (rc == CPOR_ENOTFOUND && v->n)
    return cpor__fail(ctx, CPOR_ECORRUPT,
                      "stored data is corrupt (a unit row names claim %.40s, "
                      "which does not exist)",
                      id);
  if (rc) return rc;
  rc = cpor__view_add(v, c, 0, out);
  return rc ? cpor__fail(ctx, rc, "out of memory") : CPOR_OK;
}

/* Adds the other claims with a row on unit (status 0: any live status). */
static int add_unit(cpor_ctx *ctx, cpor__view *v, const char *self, const char *unit, int status) {
  cpor__unit_rows rows;
  int rc = cpor__unit_rows_load(ctx, unit, &rows);
  for (size_t k = 0; rc == CPOR_OK && k < rows.n; k++) {
    const cpor_store_line *r = &rows.rows[k];
    if (strcmp(r->claim_id, self) != 0 && (!status || r->status == status))
      rc = add_claim(ctx, v, r->claim_id, NULL);
  }
  cpor__unit_rows_free(&rows);
  return rc;
}

/* For each live line of c (with state `state` when non-zero), the other
 * claims on its unit with a row of status `status`. */
static int add_units(cpor_ctx *ctx, cpor__view *v, const cpor_claim *c, int state, int status) {
  for (size_t i = 0; i < c->nlines; i++) {
    const cpor__line *l = &c->lines[i];
    if (!cpor__rules_live(l->state) || (state && l->state != state)) continue;
    char *unit = cpor__unit_key(c, l);
    if (!unit) return cpor__fail(ctx, CPOR_ENOMEM, "out of memory");
    int rc = add_unit(ctx, v, c->id, unit, status);
    free(unit);
    if (rc) return rc;
  }
  return CPOR_OK;
}

/* The subscriptions named by the live lines of the view's claims (only
 * APPROVED claims when approved_only: what settling re-checks). */
static int add_subs(cpor_ctx *ctx, cpor__view *v, int approved_only) {
  for (size_t j = 0; j < v->n; j++) {
    const cpor_claim *c = v->v[j]->claim;
    if (approved_only && c->state != CPOR_STATE_APPROVED) continue;
    for (size_t i = 0; i < c->nlines; i++) {
      const cpor__line *l = &c->lines[i];
      if (!cpor__rules_live(l->state) || !l->subscription || cpor__view_sub(v, l->subscription))
        continue;
      cpor_subscription *s = NULL;
      int rc = cpor__load_subscription(ctx, l->subscription, &s);
      if (rc == CPOR_ENOTFOUND)
        return cpor__fail(ctx, CPOR_ECORRUPT,
                          "stored data is corrupt (claim %s names subscription %s, which does "
                          "not exist)",
                          c->id, l->subscription);
      if (rc) return rc;
      if (cpor__view_add_sub(v, s)) return cpor__fail(ctx, CPOR_ENOMEM, "out of memory");
    }
  }
  return CPOR_OK;
}

int cpor__view_load(cpor_ctx *ctx, const char *id, int neighbors, cpor__view *v) {
  cpor__touched *t = NULL;
  int rc = add_claim(ctx, v, id, &t);
  if (!rc && neighbors) rc = add_units(ctx, v, t->claim, 0, 0);
  return rc ? rc : add_subs(ctx, v, 0);
}

static int has_state_line(const cpor_claim *c, int state) {
  for (size_t i = 0; i < c->nlines; i++)
    if (c->lines[i].state == state) return 1;
  return 0;
}

int cpor__view_settled(cpor_ctx *ctx, const char *id, cpor__view *v) {
  cpor__touched *t = NULL;
  int rc = add_claim(ctx, v, id, &t);
  if (rc) return rc;
  const cpor_claim *c = t->claim;
  /* Only its own window, or an association on a unit it holds, can change a
   * claim by now: most reads need nothing more. */
  int due = cpor__rules_due(c, ctx->now) != CPOR_TIME_NONE;
  if (!due && !has_state_line(c, CPOR_STATE_ASSOCIATED)) return CPOR_OK;
  rc = add_units(ctx, v, c, CPOR_STATE_ASSOCIATED, CPOR_STATE_APPROVED);
  if (!rc) rc = add_subs(ctx, v, 1);
  cpor__env env = cpor__kenv(ctx);
  if (!rc) rc = cpor__settle(&env, v);
  return rc > 0 || rc == CPOR_OK ? CPOR_OK : cpor__kernel_fail(ctx, rc);
}

typedef struct due {
  cpor_time at;
  char id[37];
} due;

typedef struct due_list {
  due *v;
  size_t n, cap;
} due_list;

static int on_due(void *arg, const char *claim_id, uint32_t kind, cpor_time at) {
  (void)kind;
  due_list *l = arg;
  if (!claim_id || strlen(claim_id) >= sizeof l->v->id) return CPOR_ECORRUPT;
  if (l->n == l->cap) {
    size_t cap = l->cap ? l->cap * 2 : 64;
    due *v = realloc(l->v, cap * sizeof *v);
    if (!v) return CPOR_ENOMEM;
    l->v = v;
    l->cap = cap;
  }
  l->v[l->n].at = at;
  strcpy(l->v[l->n++].id, claim_id);
  return 0;
}

static int by_due(const void *a, const void *b) {
  const due *x = a, *y = b;
  if (x->at != y->at) return x->at < y->at ? -1 : 1;
  return strcmp(x->id, y->id);
}

typedef struct row_search {
  const char *id;
  int found;
} row_search;

static int find_row(void *arg, const char *claim_id, uint32_t kind, cpor_time at) {
  (void)kind, (void)at;
  row_search *r = arg;
  if (claim_id && strcmp(claim_id, r->id) == 0) r->found = 1;
  return r->found;
}

/* Whether a claim still has a due deadline row, read again now. */
static int still_due_row(cpor_ctx *ctx, const char *id, int *found) {
  row_search r = {id, 0};
  int rc = cpor__store_deadlines(ctx->storage, CPOR_DEADLINE_OPTOUT, ctx->now, find_row, &r);
  if (rc == 0 && !r.found)
    rc = cpor__store_deadlines(ctx->storage, CPOR_DEADLINE_RESPONSE, ctx->now, find_row, &r);
  if (rc < 0) return cpor__storage_fail(ctx, rc, "cannot read due deadlines");
  *found = r.found;
  return CPOR_OK;
}

/* One due claim, settled with what it supersedes, and written. The due
 * claims are independent but for their incumbents, which each one loads
 * after the previous ones wrote: the same outcome as settling all at once. */
static int settle_one(cpor_ctx *ctx, const char *id, size_t *changed) {
  cpor__view v = {0};
  cpor__touched *t = NULL;
  int rc = add_claim(ctx, &v, id, &t);
  /* A due claim must still be in the state its deadline belongs to: the
   * deadline rows are written with the claim. A backend whose writers run
   * at once (PostgreSQL, READ COMMITTED: each statement sees what committed
   * before it) may show a claim that another host settled after the scan:
   * its row is then gone, and there is nothing left to do. A row still
   * there is corrupt data. */
  if (!rc && cpor__rules_due(t->claim, ctx->now) == CPOR_TIME_NONE) {
    int found = 0;
    rc = still_due_row(ctx, id, &found);
    if (!rc && found)
      rc = cpor__fail(ctx, CPOR_ECORRUPT, "deadline of claim %s does not match its state", id);
    if (!rc) {
      cpor__view_free(&v);
      return CPOR_OK;
    }
  }
  if (!rc && t->claim->state == CPOR_STATE_APPROVED)
    rc = add_units(ctx, &v, t->claim, 0, CPOR_STATE_ASSOCIATED);
  if (!rc) rc = add_subs(ctx, &v, 1);
  cpor__env env = cpor__kenv(ctx);
  if (!rc && (rc = cpor__settle(&env, &v))) rc = cpor__kernel_fail(ctx, rc);
  if (!rc) rc = cpor__view_write(ctx, &v);
  for (size_t i = 0; !rc && i < v.n; i++)
    *changed += v.v[i]->claim->state != v.v[i]->old_state;
  cpor__view_free(&v);
  return rc;
}

int cpor__settle_store(cpor_ctx *ctx, size_t *changed) {
  *changed = 0;
  due_list l = {0};
  cpor_storage *s = ctx->storage;
  int rc = cpor__store_deadlines(s, CPOR_DEADLINE_OPTOUT, ctx->now, on_due, &l);
  if (!rc) rc = cpor__store_deadlines(s, CPOR_DEADLINE_RESPONSE, ctx->now, on_due, &l);
  if (rc == CPOR_ENOMEM)
    rc = cpor__fail(ctx, rc, "out of memory");
  else if (rc == CPOR_ECORRUPT)
    rc = cpor__fail(ctx, rc, "stored data is corrupt (a deadline row)");
  else if (rc)
    rc = cpor__storage_fail(ctx, rc, "cannot read due deadlines");
  if (!rc && l.n > 1) qsort(l.v, l.n, sizeof *l.v, by_due);
  ctx->settling = 1;
  for (size_t i = 0; !rc && i < l.n; i++)
    if (i == 0 || strcmp(l.v[i].id, l.v[i - 1].id) != 0) rc = settle_one(ctx, l.v[i].id, changed);
  ctx->settling = 0;
  free(l.v);
  return rc;
}

static int first_due(void *arg, const char *claim_id, uint32_t kind, cpor_time at) {
  (void)claim_id, (void)kind;
  cpor_time *t = arg;
  if (at < *t) *t = at;
  return 1; /* the scan is in due order: the first is the earliest */
}

int cpor__next_due(cpor_ctx *ctx, cpor_time *out) {
  cpor_storage *s = ctx->storage;
  cpor_time t = INT64_MAX;
  int rc = cpor__store_deadlines(s, CPOR_DEADLINE_OPTOUT, INT64_MAX, first_due, &t);
  if (rc == 1) rc = CPOR_OK;
  if (!rc) rc = cpor__store_deadlines(s, CPOR_DEADLINE_RESPONSE, INT64_MAX, first_due, &t);
  if (rc == 1) rc = CPOR_OK;
  if (rc) return cpor__storage_fail(ctx, rc, "cannot read due deadlines");
  *out = t;
  return CPOR_OK;
}

int cpor__view_neighbors(cpor_ctx *ctx, cpor__view *v, cpor__touched *t) {
  int rc = add_units(ctx, v, t->claim, 0, 0);
  return rc ? rc : add_subs(ctx, v, 0);
}
