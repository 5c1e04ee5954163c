/* A tiny storage backend for libcpor, as a third party would write one: it
 * includes only the public <cpor/sys/storage.h> and passes the same
 * conformance suite as the built-in backends.
 *
 * Clarity over speed: this is an example. Every table (tables.c) is a
 * growable array of row pointers kept sorted and searched by binary search.
 * Each array's order is the order its query returns (objects by (kind, id),
 * lines by (unit, claim_id, line), deadlines by (kind, due, claim_id), events
 * by (claim_id, seq)), so a cursor is a position in an array. Two shortcuts a
 * real backend would not take: object queries by owner, ref or state walk
 * every object of the kind (a real one keeps an index per column, as the
 * vtable asks), and writes move the tail of an array. Fine for tens of
 * thousands of rows, not for millions.
 *
 * Revisions: every object row keeps one, 1 when inserted and one more at
 * every update; UPDATE and DELETE compare it with the one the caller read.
 * Keys: a table of (key, claim_id) rows, sorted by key, one row per key.
 *
 * Transactions: the first change inside a transaction saves a deep copy of
 * the whole store; rollback puts the copy back, commit drops it. Savepoints
 * work the same way with a second copy, taken at the first change after the
 * savepoint. The store lives in one process and is used by one thread, so
 * begin takes no lock and no write ever meets a conflict it did not cause.
 *
 * Cursors hold the position of the next row to look at. That is enough
 * because the core never writes while a cursor is open (the vtable says
 * so); a backend whose cursors must survive writes would remember the last
 * key instead and search again from it. */
#include "backend.h"
#include "tables.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ID_MAX 255 /* ids, claim ids, units and keys are 1-255 bytes */

/* ---- the store ---------------------------------------------------------------------- */

typedef struct store {
  db live;
  db saved;        /* the store as the transaction found it, once it changed */
  int saved_valid; /* saved holds a copy */
  db sp_saved;     /* the same for the savepoint */
  int sp_saved_valid;
  int in_txn, in_sp;
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
  if (!st->saved_valid) {
    if (!db_copy(&st->saved, &st->live))
      return fail(st, CPOR_ENOMEM, "out of memory saving the store for rollback");
    st->saved_valid = 1;
  }
  if (st->in_sp && !st->sp_saved_valid) {
    if (!db_copy(&st->sp_saved, &st->live))
      return fail(st, CPOR_ENOMEM, "out of memory saving the store for rollback_to");
    st->sp_saved_valid = 1;
  }
  return CPOR_OK;
}

/* Puts a saved copy back as the live store (or just forgets it). */
static void restore(store *st, db *saved, int *valid, int put_back) {
  if (!*valid) return;
  if (put_back) {
    db_free(&st->live);
    st->live = *saved;
    memset(saved, 0, sizeof *saved);
  } else {
    db_free(saved);
  }
  *valid = 0;
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
  st->in_sp = 0;
  return CPOR_OK;
}

static int s_commit(void *self) {
  store *st = self;
  int rc = enter(st);
  if (rc) return rc;
  restore(st, &st->sp_saved, &st->sp_saved_valid, 0);
  restore(st, &st->saved, &st->saved_valid, 0);
  st->in_txn = 0;
  return CPOR_OK;
}

static int s_rollback(void *self) {
  store *st = self;
  int rc = enter(st);
  if (rc) return rc;
  restore(st, &st->sp_saved, &st->sp_saved_valid, 0);
  restore(st, &st->saved, &st->saved_valid, 1);
  st->in_txn = 0;
  return CPOR_OK;
}

static int s_savepoint(void *self) {
  store *st = self;
  int rc = enter(st);
  if (rc) return rc;
  if (st->in_sp) return fail(st, CPOR_ESTORAGE, "a savepoint is open already");
  st->in_sp = 1; /* the copy is taken at the first change */
  return CPOR_OK;
}

static int s_release(void *self) {
  store *st = self;
  int rc = enter(st);
  if (rc) return rc;
  if (!st->in_sp) return fail(st, CPOR_ESTORAGE, "no savepoint is open");
  restore(st, &st->sp_saved, &st->sp_saved_valid, 0);
  st->in_sp = 0;
  return CPOR_OK;
}

static int s_rollback_to(void *self) {
  store *st = self;
  int rc = enter(st);
  if (rc) return rc;
  if (!st->in_sp) return fail(st, CPOR_ESTORAGE, "no savepoint is open");
  restore(st, &st->sp_saved, &st->sp_saved_valid, 1);
  st->in_sp = 0;
  return CPOR_OK;
}

/* ---- objects ------------------------------------------------------------------------ */

/* The position of (kind, id), or the table's size when there is none. */
static size_t find_object(const table *t, uint32_t kind, const char *id) {
  obj_row key = {.kind = kind, .id = (char *)id};
  size_t i = table_lower_bound(t, &key, obj_cmp);
  return i < t->n && obj_cmp(t->rows[i], &key) == 0 ? i : t->n;
}

static int s_object_get(void *self, uint32_t kind, const char *id, cpor_store_object *out) {
  store *st = self;
  int rc = enter(st);
  if (rc) return rc;
  if (!id_ok(id) || !out) return fail(st, CPOR_EINVAL, "object_get: bad arguments");
  const table *t = &st->live.t[OBJS];
  size_t i = find_object(t, kind, id);
  if (i == t->n) return fail(st, CPOR_ENOTFOUND, "no such object");
  *out = obj_view(t->rows[i]); /* points into our row: valid until it is replaced */
  return CPOR_OK;
}

static int s_object_put(void *self, const cpor_store_object *obj, uint32_t mode) {
  store *st = self;
  int rc = enter(st);
  if (rc) return rc;
  if (!obj || !id_ok(obj->id) || (mode != CPOR_STORE_DELETE && !obj->data && obj->len) ||
      (mode != CPOR_STORE_INSERT && mode != CPOR_STORE_UPDATE && mode != CPOR_STORE_DELETE))
    return fail(st, CPOR_EINVAL, "object_put: bad arguments");
  table *t = &st->live.t[OBJS];
  size_t i = find_object(t, obj->kind, obj->id);
  int found = i < t->n;
  if (mode == CPOR_STORE_INSERT) {
    if (found) return fail(st, CPOR_EEXISTS, "the object exists already");
    obj_row *row = obj_new(obj, 1);
    if (!row) return fail(st, CPOR_ENOMEM, "out of memory");
    return insert_row(st, OBJS, row);
  }
  /* UPDATE and DELETE: only from the revision the caller read. */
  if (!found) return fail(st, CPOR_ENOTFOUND, "no such object");
  const obj_row *old = t->rows[i];
  if (old->revision != obj->revision)
    return fail(st, CPOR_ECONFLICT, "the object changed since it was read");
  if (mode == CPOR_STORE_DELETE) {
    if ((rc = before_change(st))) return rc;
    return table_splice(t, i, 1, NULL, 0, obj_free); /* shrinks: cannot fail */
  }
  void *row = obj_new(obj, old->revision + 1);
  if (!row) return fail(st, CPOR_ENOMEM, "out of memory");
  if ((rc = before_change(st)) || (rc = table_splice(t, i, 1, &row, 1, obj_free))) {
    obj_free(row);
    return fail(st, rc, "out of memory");
  }
  return CPOR_OK;
}

/* ---- lines -------------------------------------------------------------------------- */

static int qsort_lines(const void *a, const void *b) {
  return line_cmp(*(void *const *)a, *(void *const *)b);
}

static int line_of_claim(const void *row, const void *claim_id) {
  return strcmp(((const line_row *)row)->claim_id, claim_id) == 0;
}

static int s_lines_replace(void *self, const char *claim_id, const cpor_store_line *lines,
                           size_t count) {
  store *st = self;
  int rc = enter(st);
  if (rc) return rc;
  if (!id_ok(claim_id) || (count && !lines))
    return fail(st, CPOR_EINVAL, "lines_replace: bad arguments");
  for (size_t k = 0; k < count; k++) {
    const cpor_store_line *l = &lines[k];
    if (!l->claim_id || strcmp(l->claim_id, claim_id) != 0 || !id_ok(l->unit))
      return fail(st, CPOR_EINVAL, "lines_replace: a row of another claim, or a bad unit");
    for (size_t j = 0; j < k; j++)
      if (lines[j].line == l->line) return fail(st, CPOR_EINVAL, "lines_replace: a line twice");
  }
  /* The new rows, sorted, replace the claim's rows wherever they are. */
  void **rows = calloc(count ? count : 1, sizeof *rows);
  if (!rows) return fail(st, CPOR_ENOMEM, "out of memory");
  for (size_t k = 0; k < count; k++)
    if (!(rows[k] = line_new(&lines[k]))) rc = CPOR_ENOMEM;
  if (!rc && count > 1) qsort(rows, count, sizeof *rows, qsort_lines);
  if (rc || (rc = before_change(st)) ||
      (rc = table_replace_where(&st->live.t[LINES], line_of_claim, claim_id, rows, count, line_cmp,
                                line_free))) {
    for (size_t k = 0; k < count; k++)
      line_free(rows[k]);
    free(rows);
    return fail(st, rc, "out of memory");
  }
  free(rows);
  return CPOR_OK;
}

/* ---- keys --------------------------------------------------------------------------- */

static int qsort_keys(const void *a, const void *b) {
  return key_cmp(*(void *const *)a, *(void *const *)b);
}

static int key_of_claim(const void *row, const void *claim_id) {
  return strcmp(((const key_row *)row)->claim_id, claim_id) == 0;
}

static int s_keys_replace(void *self, const char *claim_id, const char *const *keys, size_t count) {
  store *st = self;
  int rc = enter(st);
  if (rc) return rc;
  if (!id_ok(claim_id) || (count && !keys))
    return fail(st, CPOR_EINVAL, "keys_replace: bad arguments");
  const table *t = &st->live.t[KEYS];
  for (size_t k = 0; k < count; k++) {
    if (!id_ok(keys[k])) return fail(st, CPOR_EINVAL, "keys_replace: a bad key");
    for (size_t j = 0; j < k; j++)
      if (strcmp(keys[j], keys[k]) == 0) return fail(st, CPOR_EINVAL, "keys_replace: a key twice");
    /* The one rule of the keys: nobody else holds it. */
    key_row probe = {.key = (char *)keys[k]};
    size_t i = table_lower_bound(t, &probe, key_cmp);
    if (i < t->n && key_cmp(t->rows[i], &probe) == 0 &&
        strcmp(((const key_row *)t->rows[i])->claim_id, claim_id) != 0)
      return fail(st, CPOR_EEXISTS, "another claim holds the key");
  }
  void **rows = calloc(count ? count : 1, sizeof *rows);
  if (!rows) return fail(st, CPOR_ENOMEM, "out of memory");
  for (size_t k = 0; k < count; k++)
    if (!(rows[k] = key_new(keys[k], claim_id))) rc = CPOR_ENOMEM;
  if (!rc && count > 1) qsort(rows, count, sizeof *rows, qsort_keys);
  if (rc || (rc = before_change(st)) ||
      (rc = table_replace_where(&st->live.t[KEYS], key_of_claim, claim_id, rows, count, key_cmp,
                                key_free))) {
    for (size_t k = 0; k < count; k++)
      key_free(rows[k]);
    free(rows);
    return fail(st, rc, "out of memory");
  }
  free(rows);
  return CPOR_OK;
}

/* ---- deadlines ---------------------------------------------------------------------- */

static int deadline_kind_ok(uint32_t kind) {
  return kind >= CPOR_DEADLINE_OPTOUT && kind <= CPOR_DEADLINE_SLA;
}

/* The first deadline of the kind due at or after due (rows are in
 * (kind, due, claim_id) order). */
static size_t first_due(const table *t, uint32_t kind, cpor_time due) {
  deadline_row key = {.kind = kind, .due = due, .claim_id = (char *)""};
  return table_lower_bound(t, &key, deadline_cmp);
}

/* The position of the (claim_id, kind) deadline, or t->n: a linear walk. */
static size_t find_deadline(const table *t, const char *claim_id, uint32_t kind) {
  for (size_t i = first_due(t, kind, INT64_MIN); i < t->n; i++) {
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

/* ---- cursors ------------------------------------------------------------------------ */

typedef struct cursor {
  cpor_store_query q; /* q.key points at key below; q.after is not used after open */
  char key[ID_MAX + 1];
  size_t pos; /* the next row to look at in the query's table */
} cursor;

static int s_cursor_open(void *self, const cpor_store_query *q, void **out) {
  store *st = self;
  int rc = enter(st);
  if (rc) return rc;
  if (!q || !out) return fail(st, CPOR_EINVAL, "cursor_open: bad arguments");
  *out = NULL;
  int by_key = q->what == CPOR_STORE_CURSOR_LINES || q->what == CPOR_STORE_CURSOR_EVENTS ||
               (q->what == CPOR_STORE_CURSOR_OBJECTS &&
                (q->by == CPOR_STORE_BY_OWNER || q->by == CPOR_STORE_BY_REF));
  if (q->what < CPOR_STORE_CURSOR_OBJECTS || q->what > CPOR_STORE_CURSOR_EVENTS ||
      (q->what == CPOR_STORE_CURSOR_OBJECTS &&
       (q->by < CPOR_STORE_BY_KIND || q->by > CPOR_STORE_BY_STATE)))
    return fail(st, CPOR_EINVAL, "cursor_open: unknown query");
  if (by_key && !id_ok(q->key)) return fail(st, CPOR_EINVAL, "cursor_open: bad key");
  cursor *c = calloc(1, sizeof *c);
  if (!c) return fail(st, CPOR_ENOMEM, "out of memory");
  c->q = *q;
  c->q.key = by_key ? strcpy(c->key, q->key) : NULL;
  /* Start at the first row the query may return. */
  switch (q->what) {
  case CPOR_STORE_CURSOR_OBJECTS: {
    const table *t = &st->live.t[OBJS];
    obj_row key = {.kind = q->kind, .id = (char *)(q->after ? q->after : "")};
    c->pos = table_lower_bound(t, &key, obj_cmp);
    if (q->after && c->pos < t->n && obj_cmp(t->rows[c->pos], &key) == 0) c->pos++; /* > after */
    break;
  }
  case CPOR_STORE_CURSOR_LINES: {
    line_row key = {.unit = c->key, .claim_id = (char *)"", .line = 0};
    c->pos = table_lower_bound(&st->live.t[LINES], &key, line_cmp);
    break;
  }
  case CPOR_STORE_CURSOR_DEADLINES:
    c->pos = first_due(&st->live.t[DEADLINES], q->kind, INT64_MIN);
    break;
  default: { /* events: seq > after_seq */
    event_row key = {.claim_id = c->key, .seq = q->after_seq};
    const table *t = &st->live.t[EVENTS];
    c->pos = table_lower_bound(t, &key, event_cmp);
    if (c->pos < t->n && event_cmp(t->rows[c->pos], &key) == 0) c->pos++;
    break;
  }
  }
  *out = c;
  return CPOR_OK;
}

static int obj_matches(const obj_row *r, const cpor_store_query *q) {
  switch (q->by) {
  case CPOR_STORE_BY_OWNER:
    return r->owner && strcmp(r->owner, q->key) == 0;
  case CPOR_STORE_BY_REF:
    return r->ref && strcmp(r->ref, q->key) == 0;
  case CPOR_STORE_BY_STATE:
    return r->state == q->state;
  default:
    return 1; /* CPOR_STORE_BY_KIND */
  }
}

/* Each case returns 1 with the row filled, or 0 past the query's last row. */
static int s_cursor_next(void *self, void *cur, cpor_store_row *row) {
  store *st = self;
  int rc = enter(st);
  if (rc) return rc;
  cursor *c = cur;
  if (!c || !row) return fail(st, CPOR_EINVAL, "cursor_next: bad arguments");
  const cpor_store_query *q = &c->q;
  switch (q->what) {
  case CPOR_STORE_CURSOR_OBJECTS: {
    const table *t = &st->live.t[OBJS];
    for (; c->pos < t->n; c->pos++) {
      const obj_row *r = t->rows[c->pos];
      if (r->kind != q->kind) return 0;
      if (!obj_matches(r, q)) continue;
      c->pos++;
      row->object = obj_view(r);
      return 1;
    }
    return 0;
  }
  case CPOR_STORE_CURSOR_LINES: {
    const table *t = &st->live.t[LINES];
    if (c->pos == t->n) return 0;
    const line_row *r = t->rows[c->pos];
    if (strcmp(r->unit, q->key) != 0) return 0;
    c->pos++;
    row->line = line_view(r);
    return 1;
  }
  case CPOR_STORE_CURSOR_DEADLINES: {
    const table *t = &st->live.t[DEADLINES];
    if (c->pos == t->n) return 0;
    const deadline_row *r = t->rows[c->pos];
    if (r->kind != q->kind || r->due > q->upto) return 0;
    c->pos++;
    row->claim_id = r->claim_id;
    row->deadline_kind = r->kind;
    row->due = r->due;
    return 1;
  }
  default: {
    const table *t = &st->live.t[EVENTS];
    if (c->pos == t->n) return 0;
    const event_row *r = t->rows[c->pos];
    if (strcmp(r->claim_id, q->key) != 0) return 0;
    c->pos++;
    row->claim_id = r->claim_id;
    row->seq = r->seq;
    row->data = r->data;
    row->len = r->len;
    return 1;
  }
  }
}

static void s_cursor_close(void *self, void *cur) {
  (void)self;
  free(cur);
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
  if (st->sp_saved_valid) db_free(&st->sp_saved);
  free(st);
}

int example_storage_open(cpor_storage **out) {
  if (!out) return CPOR_EINVAL;
  *out = NULL;
  /* Version 3: this example has neither the counters and change rows nor
   * the audit cursors of version 4 (KEYS, LINES and EVENTS of every claim),
   * so the outbox, the change feed and cpor_ctx_verify's audit of unit rows
   * and keys are not available on it. */
  cpor_storage_methods m;
  if (cpor_storage_methods_init(&m, 3)) return CPOR_EVERSION;
  m.begin = s_begin;
  m.commit = s_commit;
  m.rollback = s_rollback;
  m.savepoint = s_savepoint;
  m.release = s_release;
  m.rollback_to = s_rollback_to;
  m.object_get = s_object_get;
  m.object_put = s_object_put;
  m.lines_replace = s_lines_replace;
  m.keys_replace = s_keys_replace;
  m.deadline_set = s_deadline_set;
  m.deadline_clear = s_deadline_clear;
  m.event_append = s_event_append;
  m.cursor_open = s_cursor_open;
  m.cursor_next = s_cursor_next;
  m.cursor_close = s_cursor_close;
  m.errmsg = s_errmsg;
  m.close = s_close;
  store *st = calloc(1, sizeof *st);
  if (!st) return CPOR_ENOMEM;
  int rc = cpor_storage_new(out, &m, st); /* st is the storage's from now on */
  if (rc) free(st);
  return rc;
}
