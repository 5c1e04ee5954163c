/* Shared test support: the Check runner with TAP output, and helpers. */
#ifndef CPOR_TESTUTIL_H
#define CPOR_TESTUTIL_H

#include <check.h>

#include "cpor/cpor.h"

/* Runs the suite, TAP on stdout; returns the process exit status. */
int cpor_test_run(Suite *suite);

/* A date from "YYYY-MM-DD" that must parse (fails the test otherwise). */
cpor_date D(const char *iso);

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
