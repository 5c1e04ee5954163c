/* The Check runner with TAP output, and dates: what every test needs, the
 * kernel's included (it links no context). */
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

/* pgtest.c, when linked (the kernel's tests link no store). */
int pgtest_begin_run(int *status) __attribute__((weak));
void pgtest_end_run(void) __attribute__((weak));
/* lib/core/written.c, when linked: the library's self-checks. */
extern int cpor__self_check __attribute__((weak));

int cpor_test_run(Suite *suite) {
  if (&cpor__self_check) cpor__self_check = 1;
  /* CPOR_TEST_BACKEND=postgres runs the suite on PostgreSQL, or skips it
   * (saying why) when there is no server. */
  const char *backend = getenv("CPOR_TEST_BACKEND");
  int on_pg = backend && !strcmp(backend, "postgres") && pgtest_begin_run;
  if (on_pg) {
    int status = 0;
    if (!pgtest_begin_run(&status)) {
      srunner_free(srunner_create(suite));
      return status;
    }
  }
  SRunner *sr = srunner_create(suite);
  srunner_set_tap(sr, "-");
  srunner_run_all(sr, CK_SILENT);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  if (on_pg && pgtest_end_run) pgtest_end_run();
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

cpor_date D(const char *iso) {
  cpor_date d = 0;
  int rc = cpor_date_parse(iso, &d);
  ck_assert_msg(rc == CPOR_OK, "bad test date %s", iso);
  return d;
}
