/* Civil dates: conversions, parsing, formatting, weekdays. */
#include <string.h>

#include "testutil.h"

#define DATE_MIN (-719162) /* 0001-01-01 */
#define DATE_MAX 2932896   /* 9999-12-31 */

START_TEST(epoch_and_known_dates) {
  cpor_date d = 42;
  ck_assert_status(cpor_date_from_ymd(1970, 1, 1, &d), CPOR_OK);
  ck_assert_int_eq(d, 0);
  ck_assert_status(cpor_date_from_ymd(1, 1, 1, &d), CPOR_OK);
  ck_assert_int_eq(d, DATE_MIN);
  ck_assert_status(cpor_date_from_ymd(9999, 12, 31, &d), CPOR_OK);
  ck_assert_int_eq(d, DATE_MAX);
  ck_assert_status(cpor_date_from_ymd(2000, 3, 1, &d), CPOR_OK);
  ck_assert_int_eq(d, 11017);
  ck_assert_status(cpor_date_from_ymd(1969, 12, 31, &d), CPOR_OK);
  ck_assert_int_eq(d, -1);
  ck_assert_status(cpor_date_from_ymd(2026, 1, 5, &d), CPOR_OK);
  ck_assert_int_eq(d, 20458);
  ck_assert_int_eq(D("2024-02-29"), 19782);
  ck_assert_int_eq(D("1900-01-01"), -25567);
}
END_TEST

START_TEST(from_ymd_errors) {
  cpor_date d = 7;
  ck_assert_status(cpor_date_from_ymd(2026, 2, 30, &d), CPOR_EINVAL);
  ck_assert_status(cpor_date_from_ymd(2026, 2, 29, &d), CPOR_EINVAL);
  ck_assert_status(cpor_date_from_ymd(1900, 2, 29, &d), CPOR_EINVAL);
  ck_assert_status(cpor_date_from_ymd(2026, 13, 1, &d), CPOR_EINVAL);
  ck_assert_status(cpor_date_from_ymd(2026, 0, 1, &d), CPOR_EINVAL);
  ck_assert_status(cpor_date_from_ymd(2026, 4, 31, &d), CPOR_EINVAL);
  ck_assert_status(cpor_date_from_ymd(2026, 1, 0, &d), CPOR_EINVAL);
  ck_assert_status(cpor_date_from_ymd(2026, 1, -1, &d), CPOR_EINVAL);
  ck_assert_status(cpor_date_from_ymd(0, 1, 1, &d), CPOR_ERANGE);
  ck_assert_status(cpor_date_from_ymd(10000, 1, 1, &d), CPOR_ERANGE);
  ck_assert_status(cpor_date_from_ymd(-5, 1, 1, &d), CPOR_ERANGE);
  ck_assert_status(cpor_date_from_ymd(INT32_MAX, 1, 1, &d), CPOR_ERANGE);
  ck_assert_status(cpor_date_from_ymd(INT32_MIN, 1, 1, &d), CPOR_ERANGE);
  ck_assert_status(cpor_date_from_ymd(2026, 1, 1, NULL), CPOR_EINVAL);
  ck_assert_int_eq(d, 7); /* untouched on failure */
  ck_assert_status(cpor_date_from_ymd(2000, 2, 29, &d), CPOR_OK);
}
END_TEST

START_TEST(parse_errors) {
  static const char *const bad[] = {"2026-02-30",  "2026-13-01",  "2026-1-1",
                                    " 2026-01-01", "2026-01-01 ", "2026-01-01x",
                                    "2026-01-011", "10000-01-01", "",
                                    "2026",        "2026-01",     "2026/01/01",
                                    "2026-00-10",  "2026-01-00",  "+026-01-01",
                                    "-026-01-01",  "2026-0a-01",  "2026-01-3",
                                    "2026--1-01",  "２026-01-01", "2026-01-01\n"};
  cpor_date d = 99;
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    ck_assert_msg(cpor_date_parse(bad[i], &d) == CPOR_EINVAL, "accepted '%s'", bad[i]);
  ck_assert_status(cpor_date_parse(NULL, &d), CPOR_EINVAL);
  ck_assert_status(cpor_date_parse("2026-01-01", NULL), CPOR_EINVAL);
  ck_assert_status(cpor_date_parse("0000-01-01", &d), CPOR_ERANGE);
  ck_assert_int_eq(d, 99);
  ck_assert_status(cpor_date_parse("0001-01-01", &d), CPOR_OK);
  ck_assert_int_eq(d, DATE_MIN);
  ck_assert_status(cpor_date_parse("9999-12-31", &d), CPOR_OK);
  ck_assert_int_eq(d, DATE_MAX);
}
END_TEST

START_TEST(format) {
  char buf[16];
  ck_assert_status(cpor_date_format(0, buf, sizeof buf), CPOR_OK);
  ck_assert_str_eq(buf, "1970-01-01");
  ck_assert_status(cpor_date_format(DATE_MIN, buf, 11), CPOR_OK);
  ck_assert_str_eq(buf, "0001-01-01");
  ck_assert_status(cpor_date_format(DATE_MAX, buf, 11), CPOR_OK);
  ck_assert_str_eq(buf, "9999-12-31");
  memset(buf, 'x', sizeof buf);
  ck_assert_status(cpor_date_format(0, buf, 10), CPOR_EINVAL);
  ck_assert_int_eq(buf[0], 'x');
  ck_assert_status(cpor_date_format(0, buf, 0), CPOR_EINVAL);
  ck_assert_status(cpor_date_format(0, NULL, 11), CPOR_EINVAL);
  ck_assert_status(cpor_date_format(DATE_MIN - 1, buf, 11), CPOR_ERANGE);
  ck_assert_status(cpor_date_format(DATE_MAX + 1, buf, 11), CPOR_ERANGE);
  ck_assert_status(cpor_date_format(INT32_MIN, buf, 11), CPOR_ERANGE);
  ck_assert_status(cpor_date_format(INT32_MAX, buf, 11), CPOR_ERANGE);
}
END_TEST

START_TEST(to_ymd) {
  int32_t y = 0, m = 0, d = 0;
  cpor_date_to_ymd(D("2024-02-29"), &y, &m, &d);
  ck_assert_int_eq(y, 2024);
  ck_assert_int_eq(m, 2);
  ck_assert_int_eq(d, 29);
  cpor_date_to_ymd(D("2026-12-31"), NULL, &m, NULL);
  ck_assert_int_eq(m, 12);
  cpor_date_to_ymd(0, NULL, NULL, NULL);
  /* Outside the supported range the proleptic calendar still converts. */
  cpor_date_to_ymd(DATE_MIN - 1, &y, &m, &d);
  ck_assert_int_eq(y, 0);
  ck_assert_int_eq(m, 12);
  ck_assert_int_eq(d, 31);
  cpor_date_to_ymd(DATE_MAX + 1, &y, &m, &d);
  ck_assert_int_eq(y, 10000);
  ck_assert_int_eq(m, 1);
  ck_assert_int_eq(d, 1);
  cpor_date_to_ymd(INT32_MIN, &y, &m, &d);
  ck_assert_int_lt(y, 0);
  cpor_date_to_ymd(INT32_MAX, &y, &m, &d);
  ck_assert_int_gt(y, 5000000);
}
END_TEST

/* Every day of the supported range: from_ymd, to_ymd, format and parse agree,
 * day numbers are consecutive and weekdays cycle. */
START_TEST(round_trip_every_day) {
  cpor_date expect = DATE_MIN;
  int wd = cpor_date_weekday(DATE_MIN);
  char buf[11];
  ck_assert_int_eq(wd, 0); /* 0001-01-01 was a Monday */
  for (int32_t y = 1; y <= 9999; y++) {
    for (int32_t m = 1; m <= 12; m++) {
      for (int32_t d = 1; d <= 31; d++) {
        /* Plain checks in this loop: each Check assertion costs a message to
         * the parent process, too slow for 3.6 million days. */
        cpor_date got, back;
        int32_t yy, mm, dd;
        int rc = cpor_date_from_ymd(y, m, d, &got);
        if (rc == CPOR_EINVAL) break;
        if (rc != CPOR_OK || got != expect)
          ck_abort_msg("from_ymd(%d-%d-%d) = %d, %d", y, m, d, rc, got);
        cpor_date_to_ymd(got, &yy, &mm, &dd);
        if (yy != y || mm != m || dd != d) ck_abort_msg("to_ymd(%d) = %d-%d-%d", got, yy, mm, dd);
        if (cpor_date_format(got, buf, sizeof buf) != CPOR_OK ||
            cpor_date_parse(buf, &back) != CPOR_OK || back != got)
          ck_abort_msg("format/parse of %d", got);
        if (cpor_date_weekday(got) != wd) ck_abort_msg("weekday of %s", buf);
        wd = (wd + 1) % 7;
        expect++;
      }
    }
  }
  ck_assert_int_eq(expect, DATE_MAX + 1);
}
END_TEST

START_TEST(weekdays) {
  ck_assert_int_eq(cpor_date_weekday(0), 3); /* Thursday */
  ck_assert_int_eq(cpor_date_weekday(-1), 2);
  ck_assert_int_eq(cpor_date_weekday(-3), 0);
  ck_assert_int_eq(cpor_date_weekday(-4), 6);
  ck_assert_int_eq(cpor_date_weekday(D("2026-01-05")), 0); /* Monday */
  ck_assert_int_eq(cpor_date_weekday(D("2026-07-04")), 5); /* Saturday */
  ck_assert_int_eq(cpor_date_weekday(D("2000-01-01")), 5);
  ck_assert_int_eq(cpor_date_weekday(D("1900-01-01")), 0);
  ck_assert_int_eq(cpor_date_weekday(D("1776-07-04")), 3);
  ck_assert_int_eq(cpor_date_weekday(D("9999-12-31")), 4); /* Friday */
  ck_assert_int_eq(cpor_date_weekday(D("2001-09-11")), 1);
  for (cpor_date d = -1000; d < 1000; d++)
    ck_assert_int_eq(cpor_date_weekday(d + 7), cpor_date_weekday(d));
  int w = cpor_date_weekday(INT32_MIN);
  ck_assert(w >= 0 && w <= 6);
  w = cpor_date_weekday(INT32_MAX);
  ck_assert(w >= 0 && w <= 6);
}
END_TEST

static Suite *date_suite(void) {
  Suite *s = suite_create("date");
  TCase *tc = tcase_create("date");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, epoch_and_known_dates);
  tcase_add_test(tc, from_ymd_errors);
  tcase_add_test(tc, parse_errors);
  tcase_add_test(tc, format);
  tcase_add_test(tc, to_ymd);
  tcase_add_test(tc, round_trip_every_day);
  tcase_add_test(tc, weekdays);
  suite_add_tcase(s, tc);
  return s;
}

CPOR_TEST_MAIN(date_suite)
