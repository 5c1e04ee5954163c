/* Store-level checks shared by the crash and race tests: a claim's history
 * read straight from the backend, and a SQLite file's own integrity. */
#ifndef CPOR_TEST_DBCHECK_H
#define CPOR_TEST_DBCHECK_H

#include <sqlite3.h>

#include "store/storage.h"
#include "testutil.h"

typedef struct test_history {
  uint32_t count;        /* events read, seq 1..count without a gap */
  int gap;               /* a seq was missing or out of order */
  int undecodable;       /* an event failed to decode */
  int first_kind;        /* kind of event 1 */
  int last_state;        /* claim state after the last event */
  uint32_t kinds;        /* bit k: an event of kind k was seen */
  uint32_t per_kind[32]; /* events of each kind */
} test_history;

/* Reads a claim's events through the vtable (inside the caller's transaction). */
int test_history_scan(cpor_storage *s, const char *claim_id, test_history *h);

/* 1 when two claims encode to the same record (a replay against a get). */
int test_same_claim(const cpor_claim *a, const cpor_claim *b);

/* Opens the SQLite file directly, asserts PRAGMA integrity_check is "ok"; the
 * caller closes the handle with sqlite3_close. */
sqlite3 *test_sql_open_checked(const char *path);
/* The single integer a query returns. */
long test_sql_count(sqlite3 *db, const char *sql);

#endif
