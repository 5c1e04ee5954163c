/* The SQLite backend's counters and change rows (vtable version 4). SQLite
 * has one writer at a time, so numbers are handed out, and become visible,
 * in commit order without anything more. */
#include <string.h>

#include "store/sqlite_int.h"

/* The counter's stored value in *value (0: no row yet). */
static int counter_read(cpor__sqlite *s, const char *name, sqlite3_int64 *value) {
  cpor__stmt q;
  int rc = cpor__sql_acquire(s, CPOR__SQL_COUNTER_READ, &q);
  if (rc) return rc;
  cpor__sql_bind_text(q.st, 1, name);
  int src = sqlite3_step(q.st);
  *value = src == SQLITE_ROW ? sqlite3_column_int64(q.st, 0) : 0;
  rc = src == SQLITE_ROW || src == SQLITE_DONE ? CPOR_OK : cpor__sql_fail(s, src, "counter_next");
  cpor__sql_release(&q);
  return rc;
}

static int counter_write(cpor__sqlite *s, const char *name, int64_t value) {
  cpor__stmt q;
  int rc = cpor__sql_acquire(s, CPOR__SQL_COUNTER_SET, &q);
  if (rc) return rc;
  cpor__sql_bind_text(q.st, 1, name);
  sqlite3_bind_int64(q.st, 2, value);
  rc = cpor__sql_done(s, q.st, "counter_next");
  cpor__sql_release(&q);
  return rc;
}

/* The row is read once per transaction, and written once, at commit
 * (store/counters.h): the writer holds the database, nobody else can take a
 * number meanwhile. */
int cpor__sqlite_counter_next(void *self, const char *name, uint64_t count, uint64_t *first) {
  cpor__sqlite *s = self;
  if (!cpor__counters_valid(name, count, first))
    return cpor__sql_error(s, CPOR_EINVAL, "counter_next: bad name, count or output");
  if (sqlite3_get_autocommit(s->db))
    return cpor__sql_error(s, CPOR_ESTORAGE, "counter_next: no transaction");
  cpor__sql_release(&s->get);
  cpor__counter *c = cpor__counters_find(&s->counters, name), one;
  int rc = CPOR_OK;
  if (!c) {
    sqlite3_int64 v = 0;
    if ((rc = counter_read(s, name, &v))) return rc;
    c = cpor__counters_add(&s->counters, name, v, v);
    if (!c) { /* more names than slots: this one goes to its row now */
      one = (cpor__counter){.stored = v, .handed = v};
      c = &one;
    }
  }
  if (!cpor__counters_hand(c, count, first))
    return cpor__sql_error(s, CPOR_ESTORAGE, "counter_next: the counter is exhausted");
  if (c == &one) rc = counter_write(s, name, one.handed);
  return rc;
}

int cpor__sqlite_counters_flush(cpor__sqlite *s) {
  int i = 0;
  for (cpor__counter *c; (c = cpor__counters_dirty(&s->counters, &i));) {
    int rc = counter_write(s, c->name, c->handed);
    if (rc) return rc;
    c->stored = c->handed;
  }
  return CPOR_OK;
}

int cpor__sqlite_change_append(void *self, uint64_t change, const char *claim_id, uint32_t seq,
                               int32_t state) {
  cpor__sqlite *s = self;
  if (change < 1 || change > INT64_MAX || !cpor__sql_valid_id(claim_id))
    return cpor__sql_error(s, CPOR_EINVAL, "change_append: bad change number or claim id");
  cpor__sql_release(&s->get);
  sqlite3_int64 oid;
  int rc = cpor__sql_claim_row(s, claim_id, &oid, "change_append");
  if (rc) return rc;
  cpor__stmt q;
  if ((rc = cpor__sql_acquire(s, CPOR__SQL_CHANGE_APPEND, &q))) return rc;
  sqlite3_bind_int64(q.st, 1, (sqlite3_int64)change);
  sqlite3_bind_int64(q.st, 2, oid);
  sqlite3_bind_int64(q.st, 3, seq);
  sqlite3_bind_int(q.st, 4, state);
  rc = cpor__sql_done(s, q.st, "change_append");
  cpor__sql_release(&q);
  return rc;
}
