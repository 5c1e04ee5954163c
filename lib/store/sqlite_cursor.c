/* The SQLite backend's pull cursors: one prepared statement per cursor,
 * stepped by cursor_next. A row's pointers are SQLite's column values, valid
 * until the next step, exactly what the contract promises. */
#include <stdlib.h>
#include <string.h>

#include "store/sqlite_int.h"

typedef struct cursor {
  cpor__stmt q;
  cpor_store_query query;
  char *key; /* copies: the caller's strings need not outlive open */
  char *after;
  int done; /* stepping after SQLITE_DONE would start the query over */
  /* Version 4's walks of every row: the statement for the rows no claim
   * holds, run when the walk of the claims ends (CPOR__SQL_COUNT: none). */
  cpor__sql_id orphans;
  int all;
} cursor;

static cpor__sql_id objects_statement(uint32_t by) {
  switch (by) {
  case CPOR_STORE_BY_KIND:
    return CPOR__SQL_OBJECT_SCAN_KIND;
  case CPOR_STORE_BY_OWNER:
    return CPOR__SQL_OBJECT_SCAN_OWNER;
  case CPOR_STORE_BY_REF:
    return CPOR__SQL_OBJECT_SCAN_REF;
  case CPOR_STORE_BY_STATE:
    return CPOR__SQL_OBJECT_SCAN_STATE;
  default:
    return CPOR__SQL_COUNT;
  }
}

static char *dup_or_null(const char *s, int *oom) {
  if (!s) return NULL;
  char *d = strdup(s);
  if (!d) *oom = 1;
  return d;
}

/* Which statement serves the query, or CPOR__SQL_COUNT for a bad one. */
static cpor__sql_id statement(const cpor_store_query *q) {
  switch (q->what) {
  case CPOR_STORE_CURSOR_OBJECTS: {
    cpor__sql_id id = objects_statement(q->by);
    int keyed = id == CPOR__SQL_OBJECT_SCAN_OWNER || id == CPOR__SQL_OBJECT_SCAN_REF;
    return id == CPOR__SQL_COUNT || (keyed && !q->key) ? CPOR__SQL_COUNT
                                                       : cpor__sql_of_kind(id, q->kind);
  }
  case CPOR_STORE_CURSOR_LINES:
    if (!q->key) return CPOR__SQL_LINES_ALL;
    return cpor__sql_valid_id(q->key) ? CPOR__SQL_LINES_BY_UNIT : CPOR__SQL_COUNT;
  case CPOR_STORE_CURSOR_DEADLINES:
    return CPOR__SQL_DEADLINE_SCAN;
  case CPOR_STORE_CURSOR_EVENTS:
    if (!q->key) return CPOR__SQL_EVENTS_ALL;
    return cpor__sql_valid_id(q->key) ? CPOR__SQL_EVENT_SCAN : CPOR__SQL_COUNT;
  case CPOR_STORE_CURSOR_CHANGES:
    return q->after_change <= INT64_MAX ? CPOR__SQL_CHANGE_SCAN : CPOR__SQL_COUNT;
  case CPOR_STORE_CURSOR_KEYS:
    if (!q->key) return CPOR__SQL_KEYS_ALL;
    return cpor__sql_valid_id(q->key) ? CPOR__SQL_KEYS_OF : CPOR__SQL_COUNT;
  default:
    return CPOR__SQL_COUNT;
  }
}

int cpor__sqlite_cursor_open(void *self, const cpor_store_query *q, void **out) {
  cpor__sqlite *s = self;
  if (!q || !out) return cpor__sql_error(s, CPOR_EINVAL, "cursor_open: bad argument");
  *out = NULL;
  cpor__sql_id id = statement(q);
  if (id == CPOR__SQL_COUNT) return cpor__sql_error(s, CPOR_EINVAL, "cursor_open: bad query");
  /* Object rows are read from the table: a held claim update goes first. */
  if (q->what == CPOR_STORE_CURSOR_OBJECTS) {
    int hrc = cpor__sql_held_flush(s);
    if (hrc) return hrc;
  }
  cursor *c = calloc(1, sizeof *c);
  int oom = !c;
  if (c) {
    c->query = *q;
    c->orphans = id == CPOR__SQL_LINES_ALL    ? CPOR__SQL_LINES_ORPHANS
                 : id == CPOR__SQL_EVENTS_ALL ? CPOR__SQL_EVENTS_ORPHANS
                 : id == CPOR__SQL_KEYS_ALL   ? CPOR__SQL_KEYS_ORPHANS
                                              : CPOR__SQL_COUNT;
    c->all = c->orphans != CPOR__SQL_COUNT;
    c->key = dup_or_null(q->key, &oom);
    c->after = dup_or_null(q->after, &oom);
  }
  if (oom) {
    if (c) free(c->key), free(c->after), free(c);
    return cpor__sql_error(s, CPOR_ENOMEM, "cursor_open: out of memory");
  }
  int rc = cpor__sql_acquire(s, id, &c->q);
  if (rc) {
    free(c->key), free(c->after), free(c);
    return rc;
  }
  sqlite3_stmt *st = c->q.st;
  /* Each statement names only the parameters it uses; binding an unused
   * index is a harmless SQLITE_RANGE. */
  switch (q->what) {
  case CPOR_STORE_CURSOR_OBJECTS:
    sqlite3_bind_int64(st, 1, q->kind);
    cpor__sql_bind_text(st, 2, c->key);
    sqlite3_bind_int(st, 3, q->state);
    cpor__sql_bind_text(st, 4, c->after ? c->after : "");
    break;
  case CPOR_STORE_CURSOR_LINES:
    cpor__sql_bind_text(st, 1, c->key);
    break;
  case CPOR_STORE_CURSOR_DEADLINES:
    sqlite3_bind_int64(st, 1, q->kind);
    sqlite3_bind_int64(st, 2, q->upto);
    break;
  case CPOR_STORE_CURSOR_CHANGES:
    sqlite3_bind_int64(st, 1, (sqlite3_int64)q->after_change);
    break;
  case CPOR_STORE_CURSOR_KEYS:
    cpor__sql_bind_text(st, 1, c->key); /* none in KEYS_ALL */
    break;
  default:
    cpor__sql_bind_text(st, 1, c->key);
    sqlite3_bind_int64(st, 2, q->after_seq);
    break;
  }
  *out = c;
  return CPOR_OK;
}

static const char *text(sqlite3_stmt *st, int i) {
  return (const char *)sqlite3_column_text(st, i);
}

int cpor__sqlite_cursor_next(void *self, void *cur, cpor_store_row *row) {
  cpor__sqlite *s = self;
  cursor *c = cur;
  if (!c || !row) return cpor__sql_error(s, CPOR_EINVAL, "cursor_next: bad argument");
  if (c->done) return 0;
  int src = sqlite3_step(c->q.st);
  if (src == SQLITE_DONE && c->orphans != CPOR__SQL_COUNT) {
    /* The walk of the claims ended: now the rows no claim holds. */
    cpor__sql_release(&c->q);
    cpor__sql_id next = c->orphans;
    c->orphans = CPOR__SQL_COUNT;
    int rc = cpor__sql_acquire(s, next, &c->q);
    if (rc) {
      c->done = 1;
      return rc;
    }
    src = sqlite3_step(c->q.st);
  }
  sqlite3_stmt *st = c->q.st;
  if (src == SQLITE_DONE) {
    c->done = 1;
    return 0;
  }
  if (src != SQLITE_ROW) return cpor__sql_fail(s, src, "cursor_next");
  memset(row, 0, sizeof *row);
  switch (c->query.what) {
  case CPOR_STORE_CURSOR_OBJECTS: {
    cpor_store_object *o = &row->object;
    o->kind = c->query.kind;
    o->id = text(st, 0);
    o->owner = text(st, 1);
    o->ref = text(st, 2);
    o->state = sqlite3_column_int(st, 3);
    o->revision = (uint64_t)sqlite3_column_int64(st, 4);
    o->data = cpor__sql_column_blob(st, 5, &o->len);
    break;
  }
  case CPOR_STORE_CURSOR_LINES:
    row->line.claim_id = row->claim_id = text(st, 0);
    row->line.line = (uint32_t)sqlite3_column_int64(st, 1);
    row->line.partner_id = text(st, 2);
    row->line.status = sqlite3_column_int(st, 3);
    row->line.unit = c->all ? text(st, 4) : c->key;
    break;
  case CPOR_STORE_CURSOR_KEYS:
    row->claim_id = text(st, 0);
    row->key = text(st, 1);
    break;
  case CPOR_STORE_CURSOR_DEADLINES:
    row->claim_id = text(st, 0);
    row->deadline_kind = c->query.kind;
    row->due = sqlite3_column_int64(st, 1);
    break;
  case CPOR_STORE_CURSOR_CHANGES:
    row->change = (uint64_t)sqlite3_column_int64(st, 0);
    row->claim_id = text(st, 1); /* NULL: a row whose claim is gone */
    row->seq = (uint32_t)sqlite3_column_int64(st, 2);
    row->object.state = sqlite3_column_int(st, 3);
    break;
  default:
    if (c->all) {
      row->claim_id = text(st, 0);
      row->seq = (uint32_t)sqlite3_column_int64(st, 1);
      row->data = cpor__sql_column_blob(st, 2, &row->len);
      break;
    }
    row->claim_id = c->key;
    row->seq = (uint32_t)sqlite3_column_int64(st, 0);
    row->data = cpor__sql_column_blob(st, 1, &row->len);
    break;
  }
  return 1;
}

void cpor__sqlite_cursor_close(void *self, void *cur) {
  (void)self;
  cursor *c = cur;
  if (!c) return;
  cpor__sql_release(&c->q);
  free(c->key);
  free(c->after);
  free(c);
}
