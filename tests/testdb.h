/* A database that the processes of one test share, on the test's backend:
 * a SQLite file, or with CPOR_TEST_BACKEND=postgres a fresh schema of
 * CPOR_TEST_PG reached by a postgresql:// URL (so that every process opens
 * it by db_path, as another host would). Used by the race and crash tests,
 * which run unchanged on both. */
#ifndef CPOR_TEST_TESTDB_H
#define CPOR_TEST_TESTDB_H

#include "testutil.h"

typedef struct test_db {
  int pg;           /* 1: PostgreSQL */
  test_dbfile file; /* SQLite */
  char schema[64];  /* PostgreSQL */
  char path[2048];  /* the db_path: the file, or the schema's URL */
} test_db;

/* 1 when CPOR_TEST_BACKEND=postgres. */
int test_db_on_pg(void);
void test_db_make(test_db *d, const char *tag);
void test_db_remove(test_db *d);
/* A storage on db_path (a file or a postgresql:// URL): CPOR_OK or the
 * open's code, the message to err. */
int test_db_storage(const char *db_path, cpor_storage **out, char *err, size_t errlen);

#endif
