/* The SQLite backend's counters and change rows (vtable version 4). SQLite
 * has one writer at a time, so numbers are handed out, and become visible,
 * in commit order without anything more. */
#include <string.h>

#include "store/sqlite_int.h"

#define COUNTER_NAME_MAX 64

/* Bumps counter name by count: CPOR_OK with the new value in *value, or
 * with *value 0 when there is no such row yet (then created with count). */
static int counter_bump(cpor__sqlite *s, const char *name, uint64_t count, sqlite3_int64 *value) {
  cpor__stmt q;
  int rc = cpor__sql_acquire(s, CPOR__SQL_COUNTER_BUMP, &q);
  if (rc) return rc;
  cpor__sql_bind_text(q.st, 1, name);
  sqlite3_bind_int64(q.st, 2, (sqlite3_int64)count);
  /* RETURNING: the update is complete at the first step. */
  int src = sqlite3_step(q.st);
  *value = src == SQLITE_ROW ? sqlite3_column_int64(q.st, 0) : 0;
  rc = src == SQLITE_ROW || src == SQLITE_DONE ? CPOR_OK : cpor__sql_fail(s, src, "counter_next");
  cpor__sql_release(&q);
  if (rc || src == SQLITE_ROW) return rc;
  if ((rc = cpor__sql_acquire(s, CPOR__SQL_COUNTER_CREATE, &q))) return rc;
  cpor__sql_bind_text(q.st, 1, name);
  sqlite3_bind_int64(q.st, 2, (sqlite3_int64)count);
  rc = cpor__sql_done(s, q.st, "counter_next");
  cpor__sql_release(&q);
  if (rc == CPOR_OK) *value = (sqlite3_int64)count;
  return rc;
}

int cpor__sqlite_counter_next(void *self, const char *name, uint64_t count, uint64_t *first) {
  cpor__sqlite *s = self;
  size_t n = name ? strnlen(name, COUNTER_NAME_MAX + 1) : 0;
  if (n < 1 || n > COUNTER_NAME_MAX || count < 1 || count > INT64_MAX || !first)
    return cpor__sql_error(s, CPOR_EINVAL, "counter_next: bad name, count or output");
  if (sqlite3_get_autocommit(s->db))
    return cpor__sql_error(s, CPOR_ESTORAGE, "counter_next: no transaction");
  cpor__sql_release(&s->get);
  sqlite3_int64 last = 0;
  int rc = counter_bump(s, name, count, &last);
  if (!rc) *first = (uint64_t)last - count + 1;
  return rc;
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
