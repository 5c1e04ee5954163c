/* Status codes, version, memory. */
#include <string.h>

#include "testutil.h"

START_TEST(codes_are_fixed) {
  /* Values are an ABI promise: a renumbered code fails here. */
  ck_assert_int_eq(CPOR_OK, 0);
  ck_assert_int_eq(CPOR_EINVAL, -1);
  ck_assert_int_eq(CPOR_ENOTFOUND, -3);
  ck_assert_int_eq(CPOR_EDUPLICATE, -8);
  ck_assert_int_eq(CPOR_ESUBSCRIPTION, -14);
  ck_assert_int_eq(CPOR_ESTORAGE, -15);
  ck_assert_int_eq(CPOR_ERANGE, -19);
  ck_assert_int_eq(CPOR_ITEROVER, -20);
  ck_assert_int_eq(CPOR_ECONFLICT, -21);
  ck_assert_int_eq(cpor_status_count(), 22);
}
END_TEST

START_TEST(names_and_texts) {
  for (int c = 0; c > -cpor_status_count(); c--) {
    ck_assert_ptr_nonnull(cpor_status_name(c));
    ck_assert_int_eq(strncmp(cpor_status_name(c), "CPOR_", 5), 0);
    ck_assert_str_ne(cpor_strerror(c), "unknown status");
  }
  ck_assert_str_eq(cpor_status_name(CPOR_EWINDOW), "CPOR_EWINDOW");
  ck_assert_str_eq(cpor_strerror(CPOR_ENOTFOUND), "not found");
  ck_assert_ptr_null(cpor_status_name(1));
  ck_assert_ptr_null(cpor_status_name(-cpor_status_count()));
  ck_assert_str_eq(cpor_strerror(42), "unknown status");
  ck_assert_str_eq(cpor_strerror(-1000), "unknown status");
}
END_TEST

START_TEST(version) {
  ck_assert_int_eq(cpor_version_number(), CPOR_VERSION_NUMBER);
  ck_assert_str_eq(cpor_version_string(), CPOR_VERSION_STRING);
  ck_assert_int_eq(CPOR_VERSION_NUMBER, 200);
}
END_TEST

START_TEST(free_null) {
  cpor_free(NULL);
  cpor_free(strdup("x"));
}
END_TEST

static Suite *common_suite(void) {
  Suite *s = suite_create("common");
  TCase *tc = tcase_create("core");
  tcase_add_test(tc, codes_are_fixed);
  tcase_add_test(tc, names_and_texts);
  tcase_add_test(tc, version);
  tcase_add_test(tc, free_null);
  suite_add_tcase(s, tc);
  return s;
}

CPOR_TEST_MAIN(common_suite)
