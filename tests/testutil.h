/* Shared test support: the Check runner with TAP output, and helpers. */
#ifndef CPOR_TESTUTIL_H
#define CPOR_TESTUTIL_H

#include <check.h>

#include "cpor/cpor.h"

/* Runs the suite, TAP on stdout; returns the process exit status. */
int cpor_test_run(Suite *suite);

/* A date from "YYYY-MM-DD" that must parse (fails the test otherwise). */
cpor_date D(const char *iso);

/* Fails the test unless rc is CPOR_OK, naming what and the context's message. */
void test_ok(int rc, cpor_ctx *ctx, const char *what);
cpor_actor test_actor(int role, const char *org, const char *user);
/* The operator, who writes reference data: the actor of set-up calls. */
extern const cpor_actor test_system;
#define SYS (&test_system)

/* A SQLite file in a fresh temporary folder (/tmp/cpor-TAG-XXXXXX/cpor.db);
 * remove deletes the file, its -wal/-shm/-journal companions and the folder. */
typedef struct test_dbfile {
  char dir[64], path[96];
} test_dbfile;
void test_dbfile_make(test_dbfile *f, const char *tag);
void test_dbfile_remove(const test_dbfile *f);
/* A context on a SQLite file with a manual clock; busy_ms < 0: default. */
int test_open_file_ctx(const char *path, cpor_manual_clock *clock, int busy_ms, cpor_ctx **out);

/* A claim spec with everything submit needs but the PoE: the name, the
 * identity, the customer and partner contacts and the lines (workloads,
 * nlines of them; subscriptions left for the library to resolve). */
cpor_claim_spec test_spec(const char *name, const char *mpn, const char *tenant, const char *domain,
                          int area, size_t nlines, const char *const *workloads);

#define CPOR_TEST_MAIN(suite_fn)                                                                   \
  int main(void) {                                                                                 \
    return cpor_test_run(suite_fn());                                                              \
  }

#define ck_assert_status(expr, expected)                                                           \
  do {                                                                                             \
    int ck_rc_ = (expr);                                                                           \
    ck_assert_msg(ck_rc_ == (expected), "%s: got %s (%d), want %s", #expr,                         \
                  cpor_status_name(ck_rc_) ? cpor_status_name(ck_rc_) : "?", ck_rc_, #expected);   \
  } while (0)

#endif
