/* The calendar rule language, Easter, and the built-in calendars. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calendar/internal.h"
#include "testutil.h"

static cpor_calendar *parse(const char *text) {
  cpor_calendar *cal = NULL;
  char err[128];
  int rc = cpor_calendar_parse(text, &cal, err, sizeof err);
  ck_assert_msg(rc == CPOR_OK, "parse: %d %s", rc, err);
  return cal;
}

static int biz(const cpor_calendar *cal, const char *iso) {
  return cpor_calendar_is_business_day(cal, D(iso));
}

START_TEST(every_rule_kind) {
  cpor_calendar *cal = parse("# a test calendar\n"
                             "\n"
                             "name  test-cal   # trailing comment\n"
                             "weekend FRI sat\n"
                             "date 2026-03-04 \"One-off\"\n"
                             "workday 2026-03-06\n"
                             "fixed 05-01 \"Labour Day\"\n"
                             "fixed 07-04 observe=nearest \"Nearest\"\n"
                             "fixed 08-01 observe=next\n"
                             "fixed 09-01 Observe=SUNDAY Unquoted\n"
                             "fixed 02-29 \"Leap\"\n"
                             "nth 11 thu 4 \"Thanksgiving\"\n"
                             "NTH 05 Mon -1 \"Memorial\"\n"
                             "nth 03 sun 5 \"Fifth Sunday\"\n"
                             "easter -2 \"Good Friday\"\r\n"
                             "easter +1 \"Easter Monday\"\n");
  ck_assert_str_eq(cpor_calendar_name(cal), "test-cal");
  /* Weekend Friday and Saturday: Sunday is a business day. */
  ck_assert_int_eq(biz(cal, "2026-01-04"), 1);
  ck_assert_int_eq(biz(cal, "2026-01-02"), 0);
  ck_assert_int_eq(biz(cal, "2026-01-03"), 0);
  ck_assert_int_eq(biz(cal, "2026-03-04"), 0); /* date */
  ck_assert_int_eq(biz(cal, "2026-03-06"), 1); /* workday on a Friday */
  ck_assert_int_eq(biz(cal, "2026-05-01"), 0); /* fixed, no observance: a Friday anyway */
  ck_assert_int_eq(biz(cal, "2027-05-02"), 1); /* 05-01 Sat, observe=none: not moved */
  ck_assert_int_eq(biz(cal, "2027-05-03"), 1);
  ck_assert_int_eq(biz(cal, "2026-07-03"), 0); /* 07-04 Sat -> Fri (a weekend day here) */
  ck_assert_int_eq(biz(cal, "2027-07-05"), 0); /* Sun -> Mon */
  ck_assert_int_eq(biz(cal, "2027-07-04"), 1); /* the Sunday itself is no holiday */
  ck_assert_int_eq(biz(cal, "2026-08-03"), 0); /* 08-01 Sat -> Mon */
  ck_assert_int_eq(biz(cal, "2027-08-02"), 0); /* 08-01 Sun -> Mon */
  ck_assert_int_eq(biz(cal, "2027-08-01"), 1);
  ck_assert_int_eq(biz(cal, "2026-09-01"), 0); /* Tuesday */
  ck_assert_int_eq(biz(cal, "2029-09-02"), 1); /* 2029-09-01 Sat: observe=sunday keeps it */
  ck_assert_int_eq(biz(cal, "2029-09-03"), 1);
  ck_assert_int_eq(biz(cal, "2030-09-02"), 0); /* 2030-09-01 Sun -> Mon */
  ck_assert_int_eq(biz(cal, "2030-09-01"), 1);
  ck_assert_int_eq(biz(cal, "2028-02-29"), 0);
  ck_assert_int_eq(biz(cal, "2026-11-26"), 0);
  ck_assert_int_eq(biz(cal, "2026-05-25"), 0);
  ck_assert_int_eq(biz(cal, "2026-03-29"), 0); /* a 5th Sunday of March 2026 */
  ck_assert_int_eq(biz(cal, "2026-03-22"), 1);
  ck_assert_int_eq(biz(cal, "2027-03-28"), 1); /* March 2027 has four Sundays */
  ck_assert_int_eq(biz(cal, "2026-04-03"), 0); /* Good Friday (a Friday anyway) */
  ck_assert_int_eq(biz(cal, "2026-04-06"), 0); /* Easter Monday */
  ck_assert_int_eq(biz(cal, "2026-04-05"), 1); /* Easter Sunday is a business day here */
  cpor_calendar_unref(cal);

  cal = parse("weekmask 1111111\nnth 01 fri -5\nnth 01 mon 1\n");
  ck_assert_int_eq(biz(cal, "2021-01-01"), 0); /* January 2021 has five Fridays */
  ck_assert_int_eq(biz(cal, "2026-01-02"), 0); /* five Fridays: 2, 9, ..., 30 */
  ck_assert_int_eq(biz(cal, "2028-01-07"), 1); /* four Fridays: no holiday in 2028 */
  ck_assert_int_eq(biz(cal, "2026-01-05"), 0);
  ck_assert_int_eq(biz(cal, "2026-01-03"), 1); /* weekmask: every day */
  ck_assert_str_eq(cpor_calendar_name(cal), "");
  cpor_calendar_unref(cal);

  cal = parse("");
  ck_assert_int_eq(biz(cal, "2026-01-03"), 0); /* default Monday-Friday */
  ck_assert_int_eq(biz(cal, "2026-01-02"), 1);
  cpor_calendar_unref(cal);
}
END_TEST

START_TEST(from_until) {
  cpor_calendar *cal = parse("weekmask 1111111\n"
                             "from 2021 fixed 06-19\n"
                             "until 2000 fixed 06-20\n"
                             "from 2010 until 2012 fixed 06-21\n"
                             "from 2022 until 2022 fixed 01-01 observe=nearest\n"
                             "from 2005 easter -365\n");
  ck_assert_int_eq(biz(cal, "2020-06-19"), 1);
  ck_assert_int_eq(biz(cal, "2021-06-19"), 0);
  ck_assert_int_eq(biz(cal, "9999-06-19"), 0);
  ck_assert_int_eq(biz(cal, "2000-06-20"), 0);
  ck_assert_int_eq(biz(cal, "0001-06-20"), 0);
  ck_assert_int_eq(biz(cal, "2001-06-20"), 1);
  ck_assert_int_eq(biz(cal, "2009-06-21"), 1);
  ck_assert_int_eq(biz(cal, "2010-06-21"), 0);
  ck_assert_int_eq(biz(cal, "2012-06-21"), 0);
  ck_assert_int_eq(biz(cal, "2013-06-21"), 1);
  /* The bounds apply to the nominal year: 2022-01-01 is observed in 2021. */
  ck_assert_int_eq(biz(cal, "2021-12-31"), 0);
  ck_assert_int_eq(biz(cal, "2022-01-01"), 1);
  /* Easter 2005 was 27 March; 365 days before is 2004-03-27, from the 2005 rule. */
  ck_assert_int_eq(biz(cal, "2004-03-27"), 0);
  ck_assert_int_eq(biz(cal, "2003-04-11"), 1); /* Easter 2004 (11 April) - 365: year 2004 */
  cpor_calendar_unref(cal);
}
END_TEST

struct bad {
  const char *text, *message;
};

START_TEST(errors) {
  static const struct bad cases[] = {
      {"fixd 01-01", "line 1: unknown rule 'fixd'"},
      {"# x\n\nname x\ndate 2026-02-30", "line 4: bad date '2026-02-30'"},
      {"date 2026-1-1", "line 1: bad date '2026-1-1'"},
      {"date 0000-01-01", "line 1: bad date '0000-01-01'"},
      {"date", "line 1: missing argument to 'date'"},
      {"workday x", "line 1: bad date 'x'"},
      {"\n\n\n\nfixed 01-01 \"New Year", "line 5: unterminated quote"},
      {"fixed 01-01 \"A\"B", "line 1: text after closing quote"},
      {"fixed 01-01 ab\"c\"", "line 1: stray quote in 'ab\"c\"'"},
      {"\"fixed\" 01-01", "line 1: unknown rule 'fixed'"},
      {"weekend", "line 1: missing argument to 'weekend'"},
      {"weekend sat xyz", "line 1: unknown day 'xyz'"},
      {"weekend mon tue wed thu fri sat sun", "line 1: no business day in the week"},
      {"weekmask 11111", "line 1: bad weekmask '11111' (seven 0/1 digits, Monday first)"},
      {"weekmask 11111a0", "line 1: bad weekmask '11111a0' (seven 0/1 digits, Monday first)"},
      {"weekmask 0000000", "line 1: no business day in the week"},
      {"weekmask 1111100 x", "line 1: unexpected 'x'"},
      {"weekmask", "line 1: missing argument to 'weekmask'"},
      {"fixed 13-01", "line 1: bad month-day '13-01'"},
      {"fixed 02-30", "line 1: bad month-day '02-30'"},
      {"fixed 1-1", "line 1: bad month-day '1-1'"},
      {"fixed 01-01 observe=later", "line 1: bad observe 'later'"},
      {"fixed", "line 1: missing argument to 'fixed'"},
      {"fixed 01-01 \"A\" \"B\"", "line 1: unexpected 'B'"},
      {"fixed 01-01 New Year", "line 1: unexpected 'Year'"},
      {"nth 13 mon 1", "line 1: bad month '13'"},
      {"nth 01 xyz 1", "line 1: unknown day 'xyz'"},
      {"nth 01 mon 6", "line 1: bad occurrence '6' (1..5 or -1..-5)"},
      {"nth 01 mon 0", "line 1: bad occurrence '0' (1..5 or -1..-5)"},
      {"nth 01 mon -6", "line 1: bad occurrence '-6' (1..5 or -1..-5)"},
      {"nth 01 mon", "line 1: missing argument to 'nth'"},
      {"easter 400", "line 1: bad easter offset '400' (-365..365)"},
      {"easter -366", "line 1: bad easter offset '-366' (-365..365)"},
      {"easter x", "line 1: bad easter offset 'x' (-365..365)"},
      {"easter", "line 1: missing argument to 'easter'"},
      {"from 0 fixed 01-01", "line 1: bad year '0'"},
      {"from 10000 fixed 01-01", "line 1: bad year '10000'"},
      {"until 99x fixed 01-01", "line 1: bad year '99x'"},
      {"from", "line 1: missing argument to 'from'"},
      {"from 2000", "line 1: missing rule after 'from'"},
      {"until 2000 from 1990 fixed 01-01", "line 1: 'from' must come before 'until'"},
      {"from 2000 until 1990 fixed 01-01", "line 1: from 2000 is after until 1990"},
      {"from 2000 date 2026-01-01",
       "line 1: 'from' and 'until' apply only to fixed, nth and easter"},
      {"from 2000 bogus", "line 1: unknown rule 'bogus'"},
      {"name", "line 1: missing name"},
      {"name \"\"", "line 1: missing name"},
      {"name a b", "line 1: unexpected 'b'"},
      {"a b c d e f g h i j k l m n o p q", "line 1: too many words"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char err[160] = "junk";
    cpor_calendar *cal = (cpor_calendar *)1;
    int rc = cpor_calendar_parse(cases[i].text, &cal, err, sizeof err);
    ck_assert_msg(rc == CPOR_EINVAL, "'%s': rc %d", cases[i].text, rc);
    ck_assert_msg(strcmp(err, cases[i].message) == 0, "'%s': got '%s', want '%s'", cases[i].text,
                  err, cases[i].message);
    ck_assert_ptr_null(cal);
  }
}
END_TEST

START_TEST(error_buffer_and_args) {
  char err[8];
  cpor_calendar *cal = NULL;
  ck_assert_status(cpor_calendar_parse("fixd", &cal, err, sizeof err), CPOR_EINVAL);
  ck_assert_str_eq(err, "line 1:"); /* truncated, NUL-terminated */
  ck_assert_status(cpor_calendar_parse("fixd", &cal, NULL, 0), CPOR_EINVAL);
  ck_assert_status(cpor_calendar_parse("fixd", &cal, err, 0), CPOR_EINVAL);
  ck_assert_status(cpor_calendar_parse(NULL, &cal, err, sizeof err), CPOR_EINVAL);
  ck_assert_status(cpor_calendar_parse("", NULL, err, sizeof err), CPOR_EINVAL);
  ck_assert_status(cpor_calendar_parse("name ok", &cal, err, sizeof err), CPOR_OK);
  ck_assert_str_eq(err, "");
  cpor_calendar_unref(cal);
}
END_TEST

START_TEST(size_limits) {
  char err[128];
  cpor_calendar *cal = NULL;
  /* A line of 4096 bytes is fine, 4097 is not. */
  char *text = malloc(2 * 1024 * 1024 + 16);
  memset(text, ' ', 4096);
  memcpy(text, "# long", 6);
  text[4096] = '\0';
  ck_assert_status(cpor_calendar_parse(text, &cal, err, sizeof err), CPOR_OK);
  cpor_calendar_unref(cal);
  strcpy(text + 4096, " \nname x\n");
  ck_assert_status(cpor_calendar_parse(text, &cal, err, sizeof err), CPOR_EINVAL);
  ck_assert_str_eq(err, "line 1: line longer than 4096 bytes");
  /* 1 MiB of text is fine, one byte more is not. 1 MiB = 131072 lines of 8. */
  for (size_t i = 0; i < 131072; i++)
    memcpy(text + 8 * i, "# 45678\n", 8);
  text[1024 * 1024] = '\0';
  ck_assert_status(cpor_calendar_parse(text, &cal, err, sizeof err), CPOR_OK);
  cpor_calendar_unref(cal);
  strcpy(text + 1024 * 1024, "x");
  ck_assert_status(cpor_calendar_parse(text, &cal, err, sizeof err), CPOR_EINVAL);
  ck_assert_str_eq(err, "line 131073: rule text longer than 1 MiB");
  /* A huge single line stops at the line limit. */
  memset(text, 'x', 2 * 1024 * 1024);
  text[2 * 1024 * 1024] = '\0';
  ck_assert_status(cpor_calendar_parse(text, &cal, err, sizeof err), CPOR_EINVAL);
  ck_assert_str_eq(err, "line 1: line longer than 4096 bytes");
  free(text);
}
END_TEST

START_TEST(add_rules_all_or_nothing) {
  cpor_calendar_builder *b = NULL;
  cpor_calendar *cal = NULL;
  ck_assert_status(cpor_calendar_builder_new(&b), CPOR_OK);
  ck_assert_status(cpor_calendar_builder_add_rules(b, "name first\nfixed 01-05"), CPOR_OK);
  ck_assert_status(cpor_calendar_builder_add_rules(
                       b, "name second\nweekend fri sat\ndate 2026-01-06\nfixd 01-07"),
                   CPOR_EINVAL);
  ck_assert_status(cpor_calendar_builder_build(b, &cal), CPOR_OK);
  ck_assert_str_eq(cpor_calendar_name(cal), "first");
  ck_assert_int_eq(biz(cal, "2026-01-05"), 0);
  ck_assert_int_eq(biz(cal, "2026-01-06"), 1);
  ck_assert_int_eq(biz(cal, "2026-01-02"), 1); /* still Monday-Friday */
  cpor_calendar_unref(cal);
  /* Rules add up; a later name and weekmask replace the earlier ones. */
  ck_assert_status(cpor_calendar_builder_add_rules(b, "name second\nweekmask 0111111\n"), CPOR_OK);
  ck_assert_status(cpor_calendar_builder_build(b, &cal), CPOR_OK);
  ck_assert_str_eq(cpor_calendar_name(cal), "second");
  ck_assert_int_eq(biz(cal, "2026-01-05"), 0);
  ck_assert_int_eq(biz(cal, "2026-01-12"), 0); /* a Monday */
  ck_assert_int_eq(biz(cal, "2026-01-04"), 1); /* a Sunday */
  cpor_calendar_unref(cal);
  cpor_calendar_builder_free(b);
}
END_TEST

/* Meeus/Jones/Butcher, kept independent of the library's computus. */
static cpor_date easter_mjb(int32_t y) {
  int32_t a = y % 19, b = y / 100, c = y % 100, d = b / 4, e = b % 4;
  int32_t f = (b + 8) / 25, g = (b - f + 1) / 3;
  int32_t h = (19 * a + b - d - g + 15) % 30;
  int32_t i = c / 4, k = c % 4;
  int32_t l = (32 + 2 * e + 2 * i - h - k) % 7;
  int32_t m = (a + 11 * h + 22 * l) / 451;
  int32_t month = (h + l - 7 * m + 114) / 31, day = (h + l - 7 * m + 114) % 31 + 1;
  cpor_date out = 0;
  ck_assert_int_eq(cpor_date_from_ymd(y, month, day, &out), CPOR_OK);
  return out;
}

START_TEST(easter) {
  /* Published Gregorian Easter Sundays, 1990-2040 (month-day). */
  static const char *const table[] = {
      "04-15", "03-31", "04-19", "04-11", "04-03", "04-16", "04-07", "03-30", "04-12",
      "04-04", "04-23", "04-15", "03-31", "04-20", "04-11", "03-27", "04-16", "04-08",
      "03-23", "04-12", "04-04", "04-24", "04-08", "03-31", "04-20", "04-05", "03-27",
      "04-16", "04-01", "04-21", "04-12", "04-04", "04-17", "04-09", "03-31", "04-20",
      "04-05", "03-28", "04-16", "04-01", "04-21", "04-13", "03-28", "04-17", "04-09",
      "03-25", "04-13", "04-05", "04-25", "04-10", "04-01"};
  cpor_calendar *cal = parse("weekmask 1111111\neaster 0 Easter\neaster -2 \"Good Friday\"\n");
  for (int32_t y = 1990; y <= 2040; y++) {
    char iso[11];
    snprintf(iso, sizeof iso, "%04d-%s", (int)y, table[y - 1990]);
    cpor_date e = D(iso);
    ck_assert_msg(cpor__easter(y) == e, "Easter %d", y);
    ck_assert_int_eq(easter_mjb(y), e);
    ck_assert_int_eq(cpor_date_weekday(e), 6);
    ck_assert_int_eq(cpor_calendar_is_business_day(cal, e), 0);
    ck_assert_int_eq(cpor_calendar_is_business_day(cal, e - 2), 0);
    ck_assert_int_eq(cpor_calendar_is_business_day(cal, e - 1), 1);
    ck_assert_int_eq(cpor_calendar_is_business_day(cal, e + 1), 1);
  }
  /* The two algorithms agree in every supported year; Easter is a Sunday
   * from 22 March to 25 April. */
  for (int32_t y = 1; y <= 9999; y++) {
    cpor_date e = cpor__easter(y);
    int32_t yy, m, d;
    cpor_date_to_ymd(e, &yy, &m, &d);
    if (e != easter_mjb(y) || cpor_date_weekday(e) != 6 || yy != y || m * 100 + d < 322 ||
        m * 100 + d > 425)
      ck_abort_msg("Easter %d", y);
  }
  cpor_calendar_unref(cal);
}
END_TEST

static cpor_calendar *federal(void) {
  cpor_calendar *cal = NULL;
  ck_assert_status(cpor_calendar_builtin("us-federal", &cal), CPOR_OK);
  return cal;
}

START_TEST(us_federal_observed) {
  cpor_calendar *cal = federal();
  ck_assert_str_eq(cpor_calendar_name(cal), "us-federal");
  ck_assert_int_eq(biz(cal, "2021-12-31"), 0); /* New Year's Day 2022, observed */
  ck_assert_int_eq(biz(cal, "2022-01-03"), 1);
  ck_assert_int_eq(biz(cal, "2026-07-03"), 0); /* Independence Day 2026 (Sat) */
  ck_assert_int_eq(biz(cal, "2026-07-06"), 1);
  ck_assert_int_eq(biz(cal, "2022-12-26"), 0); /* Christmas 2022 (Sun) */
  ck_assert_int_eq(biz(cal, "2022-12-23"), 1);
  ck_assert_int_eq(biz(cal, "2020-06-19"), 1); /* no Juneteenth before 2021 */
  ck_assert_int_eq(biz(cal, "2021-06-18"), 0); /* Juneteenth 2021 (Sat), observed */
  ck_assert_int_eq(biz(cal, "2022-06-20"), 0); /* Juneteenth 2022 (Sun), observed */
  ck_assert_int_eq(biz(cal, "2026-11-26"), 0); /* Thanksgiving */
  ck_assert_int_eq(biz(cal, "2025-11-27"), 0);
  ck_assert_int_eq(biz(cal, "2026-05-25"), 0); /* Memorial Day */
  ck_assert_int_eq(biz(cal, "2021-05-31"), 0);
  ck_assert_int_eq(biz(cal, "2026-01-19"), 0); /* MLK Day */
  ck_assert_int_eq(biz(cal, "1985-01-21"), 1); /* before MLK Day existed */
  ck_assert_int_eq(biz(cal, "1986-01-20"), 0);
  ck_assert_int_eq(biz(cal, "1975-10-27"), 0); /* Veterans Day 1971-1977: 4th Mon of Oct */
  ck_assert_int_eq(biz(cal, "1975-11-11"), 1);
  ck_assert_int_eq(biz(cal, "1978-11-10"), 0); /* 1978-11-11 Sat */
  ck_assert_int_eq(biz(cal, "1970-02-23"), 0); /* 1970-02-22 Sun, Washington's Birthday */
  ck_assert_int_eq(biz(cal, "1970-05-29"), 0); /* 1970-05-30 Sat, Memorial Day */
  ck_assert_int_eq(biz(cal, "2500-12-24"), 0); /* Christmas 2500 (Sat), out of the table */
  ck_assert_int_eq(biz(cal, "2500-11-25"), 0); /* Thanksgiving 2500 */
  cpor_date out;
  ck_assert_status(cpor_calendar_add_business_days(cal, D("2021-12-30"), 1, &out), CPOR_OK);
  ck_assert_int_eq(out, D("2022-01-03"));
  int64_t n;
  ck_assert_status(cpor_calendar_count_business_days(cal, D("2026-01-01"), D("2027-01-01"), &n),
                   CPOR_OK);
  ck_assert_int_eq(n, 250);
  cpor_calendar_unref(cal);
}
END_TEST

START_TEST(us_federal_2026) {
  static const char *const want[] = {"2026-01-01", "2026-01-19", "2026-02-16", "2026-05-25",
                                     "2026-06-19", "2026-07-03", "2026-09-07", "2026-10-12",
                                     "2026-11-11", "2026-11-26", "2026-12-25"};
  cpor_calendar *cal = federal();
  size_t found = 0;
  for (cpor_date d = D("2026-01-01"); d <= D("2026-12-31"); d++) {
    if (cpor_date_weekday(d) >= 5 || cpor_calendar_is_business_day(cal, d)) continue;
    char iso[11];
    cpor_date_format(d, iso, sizeof iso);
    ck_assert_msg(found < 11, "extra holiday %s", iso);
    ck_assert_str_eq(iso, want[found]);
    found++;
  }
  ck_assert_int_eq(found, 11);
  cpor_calendar_unref(cal);

  cal = NULL;
  ck_assert_status(cpor_calendar_builtin("weekends", &cal), CPOR_OK);
  ck_assert_int_eq(biz(cal, "2026-01-01"), 1);
  ck_assert_int_eq(biz(cal, "2026-01-03"), 0);
  cpor_calendar_unref(cal);
}
END_TEST

static Suite *rules_suite(void) {
  Suite *s = suite_create("calendar_rules");
  TCase *tc = tcase_create("rules");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, every_rule_kind);
  tcase_add_test(tc, from_until);
  tcase_add_test(tc, errors);
  tcase_add_test(tc, error_buffer_and_args);
  tcase_add_test(tc, size_limits);
  tcase_add_test(tc, add_rules_all_or_nothing);
  tcase_add_test(tc, easter);
  tcase_add_test(tc, us_federal_observed);
  tcase_add_test(tc, us_federal_2026);
  suite_add_tcase(s, tc);
  return s;
}

CPOR_TEST_MAIN(rules_suite)
