#include "dbcheck.h"

#include <stdlib.h>
#include <string.h>

#include "core/records.h"

static int on_event(void *arg, uint32_t seq, const void *data, size_t len) {
  test_history *h = arg;
  if (seq != h->count + 1) {
    h->gap = 1;
    return 1;
  }
  h->count++;
  cpor_event *e = NULL;
  if (cpor__event_decode(seq, data, len, &e) != CPOR_OK) {
    h->undecodable = 1;
    return 0;
  }
  if (seq == 1) h->first_kind = e->kind;
  h->last_state = e->state;
  if (e->kind >= 0 && e->kind < 32) {
    h->kinds |= 1u << e->kind;
    h->per_kind[e->kind]++;
  }
  cpor_event_free(e);
  return 0;
}

int test_history_scan(cpor_storage *s, const char *claim_id, test_history *h) {
  memset(h, 0, sizeof *h);
  return cpor__store_events(s, claim_id, on_event, h);
}

int test_same_claim(const cpor_claim *a, const cpor_claim *b) {
  cpor_store_object oa = {0}, ob = {0};
  void *ba = NULL, *bb = NULL;
  ck_assert_int_eq(cpor__claim_encode(a, &oa, &ba), CPOR_OK);
  ck_assert_int_eq(cpor__claim_encode(b, &ob, &bb), CPOR_OK);
  int same = oa.len == ob.len && memcmp(oa.data, ob.data, oa.len) == 0;
  free(ba);
  free(bb);
  return same;
}

sqlite3 *test_sql_open_checked(const char *path) {
  sqlite3 *db = NULL;
  ck_assert_int_eq(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
  sqlite3_busy_timeout(db, 5000);
  sqlite3_stmt *st = NULL;
  ck_assert_int_eq(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL), SQLITE_OK);
  ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
  ck_assert_str_eq((const char *)sqlite3_column_text(st, 0), "ok");
  sqlite3_finalize(st);
  return db;
}

long test_sql_count(sqlite3 *db, const char *sql) {
  sqlite3_stmt *st = NULL;
  ck_assert_int_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
  ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
  long n = (long)sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  return n;
}
