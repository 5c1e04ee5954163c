/* A tiny storage backend for libcpor, as a third party would write one: it
 * includes only the public <cpor/sys/storage.h> and passes the same
 * conformance suite as the built-in backends.
 *
 * Clarity over speed: this is an example. Every table (tables.c) is a
 * growable array of row pointers kept sorted by its primary key and searched
 * by binary search.
 * Each array's order is the order its scan must visit (objects by (kind, id),
 * lines by (claim_id, line), deadlines by (kind, due, claim_id), events by
 * (claim_id, seq)), so every scan is a plain loop. lines_by_unit and the
 * one-APPROVED/one-ASSOCIATED check walk every line. Inserting moves the tail
 * of an array: fine for tens of thousands of rows, not for millions.
 *
 * Transactions: the first change inside a transaction saves a deep copy of
 * the whole store; rollback puts the copy back, commit drops it. The store
 * lives in one process and is used by one thread, so begin takes no lock.
 *
 * Scan callbacks should not write to the store (the core never does): the
 * loop goes on by position, so rows could then be skipped or visited twice. */
#include "backend.h"
#include "tables.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ID_MAX 255 /* ids (object ids, claim ids, units) are 1-255 bytes */

/* ---- the store ---------------------------------------------------------------------- */

typedef struct store {
  db live;
  db saved;        /* the store as the transaction found it, once it changed */
  int saved_valid; /* saved holds a copy */
  int in_txn;
  char err[128];
} store;

static int fail(store *st, int rc, const char *msg) {
  snprintf(st->err, sizeof st->err, "%s", msg);
  return rc;
}

/* Every method but begin: clear the message, require a transaction. */
static int enter(store *st) {
  st->err[0] = '\0';
  if (!st->in_txn) return fail(st, CPOR_ESTORAGE, "no transaction");
  return CPOR_OK;
}

static int id_ok(const char *s) {
  return s && s[0] && strlen(s) <= ID_MAX;
}

/* Called by every method right before it changes anything. */
static int before_change(store *st) {
  if (st->saved_valid) return CPOR_OK;
  if (!db_copy(&st->saved, &st->live))
    return fail(st, CPOR_ENOMEM, "out of memory saving the store for rollback");
  st->saved_valid = 1;
  return CPOR_OK;
}

/* Adds a new row at its place (the caller checked it is not there). */
static int insert_row(store *st, int k, void *row) {
  table *t = &st->live.t[k];
  size_t at = table_lower_bound(t, row, row_types[k].cmp);
  int rc = before_change(st);
  if (!rc) rc = table_splice(t, at, 0, &row, 1, row_types[k].free);
  if (rc) {
    row_types[k].free(row);
    return fail(st, rc, "out of memory");
  }
  return CPOR_OK;
}

static int s_begin(void *self, int write) {
  store *st = self;
  (void)write; /* nothing is shared with anyone: no lock to take */
  st->err[0] = '\0';
  if (st->in_txn) return fail(st, CPOR_ESTORAGE, "a transaction is open already");
  st->in_txn = 1;
  return CPOR_OK;
}

static int s_commit(void *self) {
  store *st = self;
  int rc = enter(st);
  if (rc) return rc;
  if (st->saved_valid) db_free(&st->saved);
  st->saved_valid = 0;
  st->in_txn = 0;
  return CPOR_OK;
}

static int s_rollback(void *self) {
  store *st = self;
  int rc = enter(st);
  if (rc) return rc;
  if (st->saved_valid) {
    db_free(&st->live);
    st->live = st->saved;
    memset(&st->saved, 0, sizeof st->saved);
  }
  st->saved_valid = 0;
  st->in_txn = 0;
  return CPOR_OK;
}

/* ---- objects ------------------------------------------------------------------------ */

static int s_object_get(void *self, uint32_t kind, const char *id, cpor_store_object_fn fn,
                        void *arg) {
  store *st = self;
  int rc = enter(st);
  if (rc) return rc;
  if (!id_ok(id) || !fn) return fail(st, CPOR_EINVAL, "object_get: bad arguments");
  const table *t = &st->live.t[OBJS];
  obj_row key = {.kind = kind, .id = (char *)id};
  size_t i = table_lower_bound(t, &key, obj_cmp);
  if (i == t->n || obj_cmp(t->rows[i], &key) != 0)
    return fail(st, CPOR_ENOTFOUND, "no such object");
  cpor_store_object o = obj_view(t->rows[i]);
  return fn(arg, &o);
}

static int s_object_put(void *self, const cpor_store_object *obj, uint32_t mode) {
  store *st = self;
  int rc = enter(st);
  if (rc) return rc;
  if (!obj || !id_ok(obj->id) || (!obj->data && obj->len) ||
      (mode != CPOR_STORE_INSERT && mode != CPOR_STORE_UPDATE))
    return fail(st, CPOR_EINVAL, "object_put: bad arguments");
  table *t = &st->live.t[OBJS];
  obj_row key = {.kind = obj->kind, .id = (char *)obj->id};
  size_t i = table_lower_bound(t, &key, obj_cmp);
  int found = i < t->n && obj_cmp(t->rows[i], &key) == 0;
  if (mode == CPOR_STORE_INSERT && found)
    return fail(st, CPOR_EEXISTS, "the object exists already");
  if (mode == CPOR_STORE_UPDATE && !found) return fail(st, CPOR_ENOTFOUND, "no such object");
  void *row = obj_new(obj);
  if (!row) return fail(st, CPOR_ENOMEM, "out of memory");
  if ((rc = before_change(st)) || (rc = table_splice(t, i, (size_t)found, &row, 1, obj_free))) {
    obj_free(row);
    return fail(st, rc, "out of memory");
  }
  return CPOR_OK;
}

static int obj_matches(const obj_row *r, const cpor_store_filter *f) {
  switch (f->by) {
  case CPOR_STORE_BY_OWNER:
    return r->owner && strcmp(r->owner, f->key) == 0;
  case CPOR_STORE_BY_REF:
    return r->ref && strcmp(r->ref, f->key) == 0;
  case CPOR_STORE_BY_STATE:
    return r->state == f->state;
  default:
    return 1; /* CPOR_STORE_BY_KIND */
  }
}

static int s_object_scan(void *self, const cpor_store_filter *filter, cpor_store_object_fn fn,
                         void *arg) {
  store *st = self;
  int rc = enter(st);
  if (rc) return rc;
  if (!filter || !fn || filter->by < CPOR_STORE_BY_KIND || filter->by > CPOR_STORE_BY_STATE ||
      ((filter->by == CPOR_STORE_BY_OWNER || filter->by == CPOR_STORE_BY_REF) && !filter->key))
    return fail(st, CPOR_EINVAL, "object_scan: bad filter");
  const table *t = &st->live.t[OBJS];
  obj_row key = {.kind = filter->kind, .id = (char *)""}; /* before every id of the kind */
  for (size_t i = table_lower_bound(t, &key, obj_cmp); i < t->n; i++) {
    const obj_row *r = t->rows[i];
    if (r->kind != filter->kind) break;
    if (!obj_matches(r, filter)) continue;
    cpor_store_object o = obj_view(r);
    if ((rc = fn(arg, &o))) return rc;
  }
  return CPOR_OK;
}

/* ---- lines -------------------------------------------------------------------------- */

static int exclusive(int32_t status) {
  return status == CPOR_STATE_APPROVED || status == CPOR_STATE_ASSOCIATED;
}

static int line_qsort_cmp(const void *a, const void *b) {
  return line_cmp(*(void *const *)a, *(void *const *)b);
}

/* CPOR_EEXISTS when lines[k] would be a second APPROVED (or ASSOCIATED) row
 * on its unit: among the new rows, or among other claims' live rows. */
static int check_unique(const table *t, const char *claim_id, const cpor_store_line *lines,
                        size_t k) {
  const cpor_store_line *l = &lines[k];
  if (!exclusive(l->status)) return CPOR_OK;
  for (size_t j = 0; j < k; j++)
    if (lines[j].status == l->status && strcmp(lines[j].unit, l->unit) == 0) return CPOR_EEXISTS;
  for (size_t i = 0; i < t->n; i++) {
    const line_row *r = t->rows[i];
    if (r->status == l->status && strcmp(r->unit, l->unit) == 0 &&
        strcmp(r->claim_id, claim_id) != 0)
      return CPOR_EEXISTS;
  }
  return CPOR_OK;
}

static int s_lines_replace(void *self, const char *claim_id, const cpor_store_line *lines,
                           size_t count) {
  store *st = self;
  int rc = enter(st);
  if (rc) return rc;
  if (!id_ok(claim_id) || (count && !lines))
    return fail(st, CPOR_EINVAL, "lines_replace: bad arguments");
  table *t = &st->live.t[LINES];
  for (size_t k = 0; k < count; k++) {
    const cpor_store_line *l = &lines[k];
    if (!l->claim_id || strcmp(l->claim_id, claim_id) != 0 || !id_ok(l->unit))
      return fail(st, CPOR_EINVAL, "lines_replace: a row of another claim, or a bad unit");
    for (size_t j = 0; j < k; j++)
      if (lines[j].line == l->line) return fail(st, CPOR_EINVAL, "lines_replace: a line twice");
  }
  for (size_t k = 0; k < count; k++)
    if (check_unique(t, claim_id, lines, k))
      return fail(st, CPOR_EEXISTS, "a unit would have two APPROVED or ASSOCIATED rows");

  /* The new rows, sorted by line, replace the claim's block of rows. */
  void **rows = calloc(count ? count : 1, sizeof *rows);
  if (!rows) return fail(st, CPOR_ENOMEM, "out of memory");
  for (size_t k = 0; k < count; k++)
    if (!(rows[k] = line_new(&lines[k]))) rc = CPOR_ENOMEM;
  if (!rc && count > 1) qsort(rows, count, sizeof *rows, line_qsort_cmp);
  line_row key = {.claim_id = (char *)claim_id, .line = 0};
  size_t lo = table_lower_bound(t, &key, line_cmp), hi = lo;
  while (hi < t->n && strcmp(((line_row *)t->rows[hi])->claim_id, claim_id) == 0)
    hi++;
  if (rc || (rc = before_change(st)) ||
      (rc = table_splice(t, lo, hi - lo, rows, count, line_free))) {
    for (size_t k = 0; k < count; k++)
      line_free(rows[k]);
    free(rows);
    return fail(st, rc, "out of memory");
  }
  free(rows);
  return CPOR_OK;
}

static int s_lines_by_unit(void *self, const char *unit, cpor_store_line_fn fn, void *arg) {
  store *st = self;
  int rc = enter(st);
  if (rc) return rc;
  if (!unit || !fn) return fail(st, CPOR_EINVAL, "lines_by_unit: bad arguments");
  const table *t = &st->live.t[LINES];
  for (size_t i = 0; i < t->n; i++) { /* (claim_id, line) order */
    const line_row *r = t->rows[i];
    if (strcmp(r->unit, unit) != 0) continue;
    cpor_store_line l = line_view(r);
    if ((rc = fn(arg, &l))) return rc;
  }
  return CPOR_OK;
}

/* ---- deadlines ---------------------------------------------------------------------- */

static int deadline_kind_ok(uint32_t kind) {
  return kind >= CPOR_DEADLINE_OPTOUT && kind <= CPOR_DEADLINE_SLA;
}

/* The first deadline of the kind (rows are in (kind, due, claim_id) order). */
static size_t first_of_kind(const table *t, uint32_t kind) {
  deadline_row key = {.kind = kind, .due = INT64_MIN, .claim_id = (char *)""};
  return table_lower_bound(t, &key, deadline_cmp);
}

/* The position of the (claim_id, kind) deadline, or t->n: a linear walk. */
static size_t find_deadline(const table *t, const char *claim_id, uint32_t kind) {
  for (size_t i = first_of_kind(t, kind); i < t->n; i++) {
    const deadline_row *r = t->rows[i];
    if (r->kind != kind) break;
    if (strcmp(r->claim_id, claim_id) == 0) return i;
  }
  return t->n;
}

static int s_deadline_set(void *self, const char *claim_id, uint32_t kind, cpor_time due) {
  store *st = self;
  int rc = enter(st);
  if (rc) return rc;
  if (!id_ok(claim_id) || !deadline_kind_ok(kind))
    return fail(st, CPOR_EINVAL, "deadline_set: bad arguments");
  table *t = &st->live.t[DEADLINES];
  deadline_row *row = deadline_new(kind, due, claim_id);
  if (!row) return fail(st, CPOR_ENOMEM, "out of memory");
  size_t old = find_deadline(t, claim_id, kind);
  if (old < t->n) {
    if ((rc = before_change(st))) {
      deadline_free(row);
      return rc;
    }
    table_splice(t, old, 1, NULL, 0, deadline_free); /* shrinks: cannot fail */
  }
  return insert_row(st, DEADLINES, row);
}

static int s_deadline_clear(void *self, const char *claim_id, uint32_t kind) {
  store *st = self;
  int rc = enter(st);
  if (rc) return rc;
  if (!id_ok(claim_id) || !deadline_kind_ok(kind))
    return fail(st, CPOR_EINVAL, "deadline_clear: bad arguments");
  table *t = &st->live.t[DEADLINES];
  size_t old = find_deadline(t, claim_id, kind);
  if (old == t->n) return CPOR_OK;
  if ((rc = before_change(st))) return rc;
  return table_splice(t, old, 1, NULL, 0, deadline_free);
}

static int s_deadline_scan(void *self, uint32_t kind, cpor_time upto, cpor_store_deadline_fn fn,
                           void *arg) {
  store *st = self;
  int rc = enter(st);
  if (rc) return rc;
  if (!deadline_kind_ok(kind) || !fn) return fail(st, CPOR_EINVAL, "deadline_scan: bad arguments");
  const table *t = &st->live.t[DEADLINES];
  /* Starts at the kind's first deadline and stops at the first one not due:
   * the cost follows the number visited. */
  for (size_t i = first_of_kind(t, kind); i < t->n; i++) {
    const deadline_row *r = t->rows[i];
    if (r->kind != kind || r->due > upto) break;
    if ((rc = fn(arg, r->claim_id, r->kind, r->due))) return rc;
  }
  return CPOR_OK;
}

/* ---- events ------------------------------------------------------------------------- */

static int s_event_append(void *self, const char *claim_id, uint32_t seq, const void *data,
                          size_t len) {
  store *st = self;
  int rc = enter(st);
  if (rc) return rc;
  if (!id_ok(claim_id) || (!data && len))
    return fail(st, CPOR_EINVAL, "event_append: bad arguments");
  const table *t = &st->live.t[EVENTS];
  event_row key = {.claim_id = (char *)claim_id, .seq = seq};
  size_t i = table_lower_bound(t, &key, event_cmp);
  if (i < t->n && event_cmp(t->rows[i], &key) == 0)
    return fail(st, CPOR_EEXISTS, "the event exists already");
  event_row *row = event_new(claim_id, seq, data, len);
  if (!row) return fail(st, CPOR_ENOMEM, "out of memory");
  return insert_row(st, EVENTS, row);
}

static int s_event_scan(void *self, const char *claim_id, cpor_store_event_fn fn, void *arg) {
  store *st = self;
  int rc = enter(st);
  if (rc) return rc;
  if (!claim_id || !fn) return fail(st, CPOR_EINVAL, "event_scan: bad arguments");
  const table *t = &st->live.t[EVENTS];
  event_row key = {.claim_id = (char *)claim_id, .seq = 0};
  for (size_t i = table_lower_bound(t, &key, event_cmp); i < t->n; i++) {
    const event_row *r = t->rows[i];
    if (strcmp(r->claim_id, claim_id) != 0) break;
    if ((rc = fn(arg, r->seq, r->data, r->len))) return rc;
  }
  return CPOR_OK;
}

/* ---- lifetime ----------------------------------------------------------------------- */

static const char *s_errmsg(void *self) {
  store *st = self;
  return st->err[0] ? st->err : NULL;
}

static void s_close(void *self) {
  store *st = self;
  db_free(&st->live);
  if (st->saved_valid) db_free(&st->saved);
  free(st);
}

int example_storage_open(cpor_storage **out) {
  if (!out) return CPOR_EINVAL;
  *out = NULL;
  cpor_storage_methods m = CPOR_STORAGE_METHODS_INIT;
  m.begin = s_begin;
  m.commit = s_commit;
  m.rollback = s_rollback;
  m.object_get = s_object_get;
  m.object_put = s_object_put;
  m.object_scan = s_object_scan;
  m.lines_replace = s_lines_replace;
  m.lines_by_unit = s_lines_by_unit;
  m.deadline_set = s_deadline_set;
  m.deadline_clear = s_deadline_clear;
  m.deadline_scan = s_deadline_scan;
  m.event_append = s_event_append;
  m.event_scan = s_event_scan;
  m.errmsg = s_errmsg;
  m.close = s_close;
  store *st = calloc(1, sizeof *st);
  if (!st) return CPOR_ENOMEM;
  int rc = cpor_storage_new(out, &m, st); /* st is the storage's from now on */
  if (rc) free(st);
  return rc;
}
