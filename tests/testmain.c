/* The Check runner with TAP output, and dates: what every test needs, the
 * kernel's included (it links no context). */
#include <stdlib.h>

#include "testutil.h"

int cpor_test_run(Suite *suite) {
  SRunner *sr = srunner_create(suite);
  srunner_set_tap(sr, "-");
  srunner_run_all(sr, CK_SILENT);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

cpor_date D(const char *iso) {
  cpor_date d = 0;
  int rc = cpor_date_parse(iso, &d);
  ck_assert_msg(rc == CPOR_OK, "bad test date %s", iso);
  return d;
}
