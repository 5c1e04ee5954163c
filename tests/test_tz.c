/* POSIX TZ rule strings and deadlines.
 *
 * Expected instants are written as UTC wall times and turned into epoch
 * milliseconds by utc() below, which counts days naively (year by year, month
 * by month) so that it shares no arithmetic with the library. Each expected
 * value was worked out by hand from the rule; the comments show the working. */
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

#define HOUR 3600
#define MS 1000

static int leap(int y) {
  return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
}

static int64_t days(int y, int m, int d) {
  static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  int64_t n = 0;
  for (int i = 1970; i < y; i++)
    n += 365 + leap(i);
  for (int i = y; i < 1970; i++)
    n -= 365 + leap(i);
  for (int i = 1; i < m; i++)
    n += mdays[i - 1] + (i == 2 && leap(y));
  return n + d - 1;
}

static cpor_date ymd(int y, int m, int d) {
  return (cpor_date)days(y, m, d);
}

/* Epoch milliseconds of a UTC wall time. */
static cpor_time utc(int y, int mo, int d, int h, int mi, int s) {
  return ((days(y, mo, d) * 24 + h) * 60 * 60 + mi * 60 + s) * (cpor_time)MS;
}

static cpor_tz *tz_ok(const char *s) {
  cpor_tz *tz = NULL;
  int rc = cpor_tz_parse(s, &tz);
  ck_assert_msg(rc == CPOR_OK, "parse \"%s\": %d", s, rc);
  ck_assert_ptr_nonnull(tz);
  return tz;
}

static int32_t off_at(const cpor_tz *tz, cpor_time t) {
  int32_t off = INT32_MIN;
  ck_assert_status(cpor_tz_offset(tz, t, &off), CPOR_OK);
  return off;
}

static cpor_date date_at(const cpor_tz *tz, cpor_time t) {
  cpor_date d = INT32_MIN;
  ck_assert_status(cpor_tz_local_date(tz, t, &d), CPOR_OK);
  return d;
}

static cpor_time sod(const cpor_tz *tz, cpor_date d) {
  cpor_time t = INT64_MIN;
  ck_assert_status(cpor_tz_start_of_day(tz, d, &t), CPOR_OK);
  return t;
}

/* A transition at instant t from offset `before` to offset `after`. */
static void assert_transition(const cpor_tz *tz, cpor_time t, int32_t before, int32_t after) {
  ck_assert_int_eq(off_at(tz, t - 1), before);
  ck_assert_int_eq(off_at(tz, t), after);
}

static const char *const valid_zones[] = {
    "UTC0",
    "GMT0",
    "EST5EDT,M3.2.0,M11.1.0",
    "PST8PDT,M3.2.0,M11.1.0",
    "CET-1CEST,M3.5.0,M10.5.0/3",
    "<+0530>-5:30",
    "IST-5:30",
    "AEST-10AEDT,M10.1.0,M4.1.0/3",
    "<-03>3<-02>,M3.5.0/-2,M10.5.0/-1",
    "EST5EDT,0/0,J365/25",
    "<+00>0<+02>-2,M3.5.0/1,M10.5.0/3",
    "EET-2EEST,M3.5.0/0,M10.5.0/0",
    "<-03>3<-02>,M11.1.0/0,M2.3.0/0",
    "EST5EDT",
    "PST8PDT7",
    "NZST-12NZDT,M9.5.0,M4.1.0/3",
    "IST-1GMT0,M10.5.0,M3.5.0/1",
    "<+00>0<+01>,M3.1.0/167,M10.1.0/-167",
    "<+00>0<+01>,J60/0,J61/0",
    "<+00>0<+01>,59/0,60/0",
    "AAA+5:30:15BBB-6:45:59,M2.5.6/23:59:59,M12.5.6/-23:59:59",
    "ABC-24DEF+24,M3.2.0/+2,M11.1.0/+0",
    "<A-1>1<B+2>-2,J1,J365",
    "XXX0YYY,0,365",
};

START_TEST(parse_valid) {
  for (size_t i = 0; i < sizeof valid_zones / sizeof valid_zones[0]; i++) {
    cpor_tz *tz = tz_ok(valid_zones[i]);
    cpor_tz_free(tz);
  }
  cpor_tz_free(NULL); /* a no-op */
}
END_TEST

START_TEST(parse_invalid) {
  static const char *const bad[] = {
      "",
      ":Europe/Paris",
      "Europe/Paris",
      "UTC",        /* no offset */
      "EST",        /* no offset */
      "ES5",        /* name too short */
      "<AB>5",      /* quoted name too short */
      "<>5",        /* empty quoted name */
      "<ABC5",      /* unterminated quote */
      "<AB C>5",    /* bad char in a quoted name */
      "E1T5",       /* digit in an unquoted name */
      "EST25",      /* offset hours > 24 */
      "EST-25",     /* offset hours > 24 */
      "EST123",     /* three digits in an offset */
      "EST5:60",    /* minutes > 59 */
      "EST5:30:60", /* seconds > 59 */
      "EST5:",      /* missing minutes */
      "EST+",       /* sign without hours */
      "EST5ED",     /* dst name too short */
      "EST5EDT25",  /* dst offset hours > 24 */
      "EST5EDT,M13.1.0,M11.1.0",
      "EST5EDT,M0.1.0,M11.1.0",
      "EST5EDT,M3.6.0,M11.1.0",
      "EST5EDT,M3.0.0,M11.1.0",
      "EST5EDT,M3.2.7,M11.1.0",
      "EST5EDT,M3.2,M11.1.0",
      "EST5EDT,M3..0,M11.1.0",
      "EST5EDT,M3.2.0",      /* missing end rule */
      "EST5EDT,M3.2.0,",     /* empty end rule */
      "EST5EDT,,M11.1.0",    /* empty start rule */
      "EST5EDT,J0,J365",     /* J is 1-based */
      "EST5EDT,J1,J366",     /* J366 does not exist */
      "EST5EDT,0,366",       /* n is 0..365 */
      "EST5EDT,J,J365",      /* J without a number */
      "EST5EDT,J1/168,J365", /* time hours > 167 */
      "EST5EDT,J1/-168,J365",
      "EST5EDT,J1/2:60,J365",
      "EST5EDT,J1/,J365",        /* slash without a time */
      "EST5EDT,M3.2.0,M11.1.0x", /* trailing junk */
      "EST5EDT,M3.2.0,M11.1.0,J1",
      "EST5EDT ",
      " EST5EDT",
      "UTC0 ",
      "UTC0,M3.2.0,M11.1.0", /* rules without a DST name */
      "EST5EDT4:00:00:00",
      "PST8PDT,M3.2.0/2:00:00:00,M11.1.0",
      "CET-1CEST,M3.5.0,M10.5.0/3\n",
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    cpor_tz *tz = (cpor_tz *)&tz; /* must be reset to NULL */
    int rc = cpor_tz_parse(bad[i], &tz);
    ck_assert_msg(rc == CPOR_EINVAL, "\"%s\" gave %d", bad[i], rc);
    ck_assert_ptr_null(tz);
  }
  cpor_tz *tz = (cpor_tz *)&tz;
  ck_assert_status(cpor_tz_parse(NULL, &tz), CPOR_EINVAL);
  ck_assert_ptr_null(tz);
  ck_assert_status(cpor_tz_parse("UTC0", NULL), CPOR_EINVAL);
}
END_TEST

START_TEST(parse_length_limit) {
  /* "<" + 253 letters + ">0" is exactly 256 bytes; then grow past 256. */
  char s[300];
  memset(s, 'A', sizeof s);
  s[0] = '<';
  s[254] = '>';
  s[255] = '0';
  s[256] = '\0'; /* 256 bytes: accepted */
  cpor_tz *tz = tz_ok(s);
  ck_assert_int_eq(off_at(tz, 0), 0);
  cpor_tz_free(tz);
  s[255] = 'A';
  s[256] = '>';
  s[257] = '0';
  s[258] = '\0'; /* 258 bytes */
  tz = (cpor_tz *)&tz;
  ck_assert_status(cpor_tz_parse(s, &tz), CPOR_EINVAL);
  ck_assert_ptr_null(tz);
  /* 257 bytes exactly */
  s[0] = 'A';
  memset(s, 'A', 256);
  s[256] = '0';
  s[257] = '\0';
  ck_assert_status(cpor_tz_parse(s, &tz), CPOR_EINVAL);
}
END_TEST

START_TEST(null_arguments) {
  cpor_tz *tz = tz_ok("UTC0");
  cpor_date d;
  cpor_time t;
  int32_t off;
  ck_assert_status(cpor_tz_local_date(NULL, 0, &d), CPOR_EINVAL);
  ck_assert_status(cpor_tz_local_date(tz, 0, NULL), CPOR_EINVAL);
  ck_assert_status(cpor_tz_start_of_day(NULL, 0, &t), CPOR_EINVAL);
  ck_assert_status(cpor_tz_start_of_day(tz, 0, NULL), CPOR_EINVAL);
  ck_assert_status(cpor_tz_offset(NULL, 0, &off), CPOR_EINVAL);
  ck_assert_status(cpor_tz_offset(tz, 0, NULL), CPOR_EINVAL);
  cpor_tz_free(tz);
}
END_TEST

START_TEST(utc_zones) {
  const char *names[] = {"UTC0", "GMT0", "<+00>0", "UTC+0", "UTC-0:00:00"};
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
    cpor_tz *tz = tz_ok(names[i]);
    ck_assert_int_eq(off_at(tz, utc(2024, 7, 1, 12, 0, 0)), 0);
    ck_assert_int_eq(date_at(tz, utc(2024, 3, 9, 23, 59, 59) + 999), ymd(2024, 3, 9));
    ck_assert_int_eq(date_at(tz, utc(2024, 3, 10, 0, 0, 0)), ymd(2024, 3, 10));
    ck_assert_int_eq(date_at(tz, -1), ymd(1969, 12, 31));
    ck_assert_int_eq(date_at(tz, 0), 0);
    ck_assert_int_eq(sod(tz, ymd(2024, 3, 10)), utc(2024, 3, 10, 0, 0, 0));
    ck_assert_int_eq(sod(tz, ymd(1969, 12, 31)), -86400 * (cpor_time)MS);
    cpor_tz_free(tz);
  }
}
END_TEST

START_TEST(pst8pdt) {
  cpor_tz *tz = tz_ok("PST8PDT,M3.2.0,M11.1.0");
  /* Second Sunday of March 2024 is 03-10: 02:00 PST = 10:00Z, clocks to 03:00 PDT. */
  assert_transition(tz, utc(2024, 3, 10, 10, 0, 0), -8 * HOUR, -7 * HOUR);
  /* First Sunday of November 2024 is 11-03: 02:00 PDT = 09:00Z, back to 01:00 PST. */
  assert_transition(tz, utc(2024, 11, 3, 9, 0, 0), -7 * HOUR, -8 * HOUR);
  ck_assert_int_eq(off_at(tz, utc(2024, 1, 15, 0, 0, 0)), -8 * HOUR);
  ck_assert_int_eq(off_at(tz, utc(2024, 7, 15, 0, 0, 0)), -7 * HOUR);
  /* Midnight 03-10 is PST (08:00Z); midnight 03-11 is PDT (07:00Z). */
  ck_assert_int_eq(date_at(tz, utc(2024, 3, 10, 8, 0, 0) - 1), ymd(2024, 3, 9));
  ck_assert_int_eq(date_at(tz, utc(2024, 3, 10, 8, 0, 0)), ymd(2024, 3, 10));
  ck_assert_int_eq(date_at(tz, utc(2024, 3, 11, 7, 0, 0) - 1), ymd(2024, 3, 10));
  ck_assert_int_eq(date_at(tz, utc(2024, 3, 11, 7, 0, 0)), ymd(2024, 3, 11));
  ck_assert_int_eq(sod(tz, ymd(2024, 3, 10)), utc(2024, 3, 10, 8, 0, 0));
  ck_assert_int_eq(sod(tz, ymd(2024, 3, 11)), utc(2024, 3, 11, 7, 0, 0));
  /* Midnight 11-03 is PDT (07:00Z); midnight 11-04 is PST (08:00Z). */
  ck_assert_int_eq(date_at(tz, utc(2024, 11, 3, 7, 0, 0) - 1), ymd(2024, 11, 2));
  ck_assert_int_eq(date_at(tz, utc(2024, 11, 3, 7, 0, 0)), ymd(2024, 11, 3));
  ck_assert_int_eq(date_at(tz, utc(2024, 11, 4, 8, 0, 0) - 1), ymd(2024, 11, 3));
  ck_assert_int_eq(date_at(tz, utc(2024, 11, 4, 8, 0, 0)), ymd(2024, 11, 4));
  ck_assert_int_eq(sod(tz, ymd(2024, 11, 3)), utc(2024, 11, 3, 7, 0, 0));
  ck_assert_int_eq(sod(tz, ymd(2024, 11, 4)), utc(2024, 11, 4, 8, 0, 0));
  /* The UTC date is already the next day in the local evening. */
  ck_assert_int_eq(date_at(tz, utc(2024, 3, 9, 7, 30, 0)), ymd(2024, 3, 8));
  cpor_tz_free(tz);

  /* A DST name without rules takes the US rules, as glibc does. */
  tz = tz_ok("PST8PDT");
  assert_transition(tz, utc(2024, 3, 10, 10, 0, 0), -8 * HOUR, -7 * HOUR);
  assert_transition(tz, utc(2024, 11, 3, 9, 0, 0), -7 * HOUR, -8 * HOUR);
  cpor_tz_free(tz);
  /* An explicit DST offset. */
  tz = tz_ok("PST8PDT6:30,M3.2.0,M11.1.0");
  assert_transition(tz, utc(2024, 3, 10, 10, 0, 0), -8 * HOUR, -6 * HOUR - 1800);
  /* end: 02:00 local at UTC-6:30 = 08:30Z */
  assert_transition(tz, utc(2024, 11, 3, 8, 30, 0), -6 * HOUR - 1800, -8 * HOUR);
  cpor_tz_free(tz);
}
END_TEST

START_TEST(cet) {
  cpor_tz *tz = tz_ok("CET-1CEST,M3.5.0,M10.5.0/3");
  /* Last Sunday of March 2026 is 03-29: 02:00 CET = 01:00Z.
   * Last Sunday of October 2026 is 10-25: 03:00 CEST = 01:00Z. */
  assert_transition(tz, utc(2026, 3, 29, 1, 0, 0), HOUR, 2 * HOUR);
  assert_transition(tz, utc(2026, 10, 25, 1, 0, 0), 2 * HOUR, HOUR);
  ck_assert_int_eq(sod(tz, ymd(2026, 3, 29)), utc(2026, 3, 28, 23, 0, 0));
  ck_assert_int_eq(sod(tz, ymd(2026, 3, 30)), utc(2026, 3, 29, 22, 0, 0));
  ck_assert_int_eq(sod(tz, ymd(2026, 10, 25)), utc(2026, 10, 24, 22, 0, 0));
  ck_assert_int_eq(sod(tz, ymd(2026, 10, 26)), utc(2026, 10, 25, 23, 0, 0));
  ck_assert_int_eq(date_at(tz, utc(2026, 12, 31, 23, 0, 0)), ymd(2027, 1, 1));
  ck_assert_int_eq(date_at(tz, utc(2026, 12, 31, 23, 0, 0) - 1), ymd(2026, 12, 31));
  cpor_tz_free(tz);
  /* The same instants written the Godthab way: negative times. Start is
   * Saturday 22:00 at -03 (= 01:00Z Sunday); end is Saturday 23:00 at -02. */
  tz = tz_ok("<-03>3<-02>,M3.5.0/-2,M10.5.0/-1");
  assert_transition(tz, utc(2026, 3, 29, 1, 0, 0), -3 * HOUR, -2 * HOUR);
  assert_transition(tz, utc(2026, 10, 25, 1, 0, 0), -2 * HOUR, -3 * HOUR);
  ck_assert_int_eq(sod(tz, ymd(2026, 3, 28)), utc(2026, 3, 28, 3, 0, 0));
  ck_assert_int_eq(sod(tz, ymd(2026, 3, 29)), utc(2026, 3, 29, 2, 0, 0));
  ck_assert_int_eq(sod(tz, ymd(2026, 10, 25)), utc(2026, 10, 25, 3, 0, 0));
  /* Saturday 10-24 23:00-23:59 happens twice; it is still 10-24 both times. */
  ck_assert_int_eq(date_at(tz, utc(2026, 10, 25, 1, 59, 59)), ymd(2026, 10, 24));
  ck_assert_int_eq(date_at(tz, utc(2026, 10, 25, 2, 59, 59)), ymd(2026, 10, 24));
  ck_assert_int_eq(date_at(tz, utc(2026, 10, 25, 3, 0, 0)), ymd(2026, 10, 25));
  cpor_tz_free(tz);
}
END_TEST

START_TEST(southern_hemisphere) {
  cpor_tz *tz = tz_ok("AEST-10AEDT,M10.1.0,M4.1.0/3");
  /* First Sunday of October 2025 is 10-05: 02:00 AEST = 10-04T16:00Z.
   * First Sunday of April 2026 is 04-05: 03:00 AEDT = 04-04T16:00Z. */
  assert_transition(tz, utc(2025, 10, 4, 16, 0, 0), 10 * HOUR, 11 * HOUR);
  assert_transition(tz, utc(2026, 4, 4, 16, 0, 0), 11 * HOUR, 10 * HOUR);
  /* DST spans the new year: 2026-01-01 00:00 AEDT = 2025-12-31T13:00Z. */
  ck_assert_int_eq(off_at(tz, utc(2025, 12, 31, 13, 0, 0)), 11 * HOUR);
  ck_assert_int_eq(off_at(tz, utc(2026, 1, 15, 0, 0, 0)), 11 * HOUR);
  ck_assert_int_eq(off_at(tz, utc(2026, 7, 1, 0, 0, 0)), 10 * HOUR);
  ck_assert_int_eq(date_at(tz, utc(2025, 12, 31, 13, 0, 0) - 1), ymd(2025, 12, 31));
  ck_assert_int_eq(date_at(tz, utc(2025, 12, 31, 13, 0, 0)), ymd(2026, 1, 1));
  ck_assert_int_eq(sod(tz, ymd(2026, 1, 1)), utc(2025, 12, 31, 13, 0, 0));
  ck_assert_int_eq(sod(tz, ymd(2026, 7, 1)), utc(2026, 6, 30, 14, 0, 0));
  /* 04-05: midnight is AEDT (04-04T13:00Z); 04-06 midnight is AEST (14:00Z). */
  ck_assert_int_eq(sod(tz, ymd(2026, 4, 5)), utc(2026, 4, 4, 13, 0, 0));
  ck_assert_int_eq(sod(tz, ymd(2026, 4, 6)), utc(2026, 4, 5, 14, 0, 0));
  cpor_tz_free(tz);
}
END_TEST

START_TEST(fractional_offsets) {
  const char *names[] = {"<+0530>-5:30", "IST-5:30", "IST-05:30:00"};
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
    cpor_tz *tz = tz_ok(names[i]);
    ck_assert_int_eq(off_at(tz, utc(2026, 6, 1, 0, 0, 0)), 5 * HOUR + 1800);
    /* 2026-01-02 00:00 IST = 2026-01-01T18:30Z */
    ck_assert_int_eq(date_at(tz, utc(2026, 1, 1, 18, 30, 0) - 1), ymd(2026, 1, 1));
    ck_assert_int_eq(date_at(tz, utc(2026, 1, 1, 18, 30, 0)), ymd(2026, 1, 2));
    ck_assert_int_eq(sod(tz, ymd(2026, 1, 2)), utc(2026, 1, 1, 18, 30, 0));
    cpor_tz_free(tz);
  }
  cpor_tz *tz = tz_ok("AAA+5:30:15");
  ck_assert_int_eq(off_at(tz, 0), -(5 * HOUR + 30 * 60 + 15));
  cpor_tz_free(tz);
}
END_TEST

START_TEST(midnight_gap) {
  /* Beirut style: DST starts at 00:00 local standard time. Last Sunday of
   * March 2026 is 03-29. 00:00 EET (UTC+2) on 03-29 is 03-28T22:00Z; at that
   * instant clocks jump to 01:00 EEST (UTC+3). One millisecond earlier the
   * local time is 03-28 23:59:59.999 EET, so the first instant whose local
   * date is 03-29 is 22:00Z, which reads 01:00 EEST. */
  cpor_tz *tz = tz_ok("EET-2EEST,M3.5.0/0,M10.5.0/0");
  cpor_time gap = utc(2026, 3, 28, 22, 0, 0);
  assert_transition(tz, gap, 2 * HOUR, 3 * HOUR);
  ck_assert_int_eq(date_at(tz, gap - 1), ymd(2026, 3, 28));
  ck_assert_int_eq(date_at(tz, gap), ymd(2026, 3, 29));
  ck_assert_int_eq(sod(tz, ymd(2026, 3, 29)), gap);
  ck_assert_int_eq(sod(tz, ymd(2026, 3, 28)), utc(2026, 3, 27, 22, 0, 0));
  ck_assert_int_eq(sod(tz, ymd(2026, 3, 30)), utc(2026, 3, 29, 21, 0, 0));
  /* End: last Sunday of October 2026 is 10-25; at 00:00 EEST (10-24T21:00Z)
   * clocks go back to 23:00 EET on 10-24, so midnight of 10-25 comes once, at
   * 00:00 EET = 22:00Z. */
  assert_transition(tz, utc(2026, 10, 24, 21, 0, 0), 3 * HOUR, 2 * HOUR);
  ck_assert_int_eq(date_at(tz, utc(2026, 10, 24, 21, 30, 0)), ymd(2026, 10, 24));
  ck_assert_int_eq(sod(tz, ymd(2026, 10, 25)), utc(2026, 10, 24, 22, 0, 0));
  cpor_tz_free(tz);

  /* Sao Paulo (old rules): first Sunday of November 2026 is 11-01; 00:00 at
   * -03 = 03:00Z jumps to 01:00 -02. Third Sunday of February 2027 is 02-21;
   * at 00:00 -02 (02:00Z) clocks go back to 23:00 -03 on 02-20. */
  tz = tz_ok("<-03>3<-02>,M11.1.0/0,M2.3.0/0");
  assert_transition(tz, utc(2026, 11, 1, 3, 0, 0), -3 * HOUR, -2 * HOUR);
  ck_assert_int_eq(sod(tz, ymd(2026, 11, 1)), utc(2026, 11, 1, 3, 0, 0));
  assert_transition(tz, utc(2027, 2, 21, 2, 0, 0), -2 * HOUR, -3 * HOUR);
  ck_assert_int_eq(sod(tz, ymd(2027, 2, 21)), utc(2027, 2, 21, 3, 0, 0));
  ck_assert_int_eq(sod(tz, ymd(2027, 1, 1)), utc(2027, 1, 1, 2, 0, 0));
  cpor_tz_free(tz);
}
END_TEST

START_TEST(midnight_twice) {
  /* DST ends at 01:00 EEST on 2026-10-25 (= 10-24T22:00Z) and clocks go back
   * to 00:00 EET: local midnight of 10-25 happens at 21:00Z (EEST) and again at
   * 22:00Z (EET). The day starts at the first. */
  cpor_tz *tz = tz_ok("EET-2EEST,M3.5.0/0,M10.5.0/1");
  assert_transition(tz, utc(2026, 10, 24, 22, 0, 0), 3 * HOUR, 2 * HOUR);
  ck_assert_int_eq(sod(tz, ymd(2026, 10, 25)), utc(2026, 10, 24, 21, 0, 0));
  ck_assert_int_eq(date_at(tz, utc(2026, 10, 24, 21, 0, 0) - 1), ymd(2026, 10, 24));
  ck_assert_int_eq(date_at(tz, utc(2026, 10, 24, 21, 30, 0)), ymd(2026, 10, 25));
  ck_assert_int_eq(date_at(tz, utc(2026, 10, 24, 22, 0, 0)), ymd(2026, 10, 25));
  cpor_tz_free(tz);
}
END_TEST

START_TEST(long_transition_times) {
  /* Start: first Sunday of March 2026 is 03-01; +167 h = 03-07 23:00 at +00.
   * End: first Sunday of October 2026 is 10-04; -167 h = 09-27 01:00 at +01
   * = 09-27T00:00Z. */
  cpor_tz *tz = tz_ok("<+00>0<+01>,M3.1.0/167,M10.1.0/-167");
  assert_transition(tz, utc(2026, 3, 7, 23, 0, 0), 0, HOUR);
  assert_transition(tz, utc(2026, 9, 27, 0, 0, 0), HOUR, 0);
  cpor_tz_free(tz);
  /* Start: 12-31 (J365) 24:00 at -03 = next 01-01T03:00Z. */
  tz = tz_ok("<-03>3<-02>,J365/24,J31/-1");
  assert_transition(tz, utc(2027, 1, 1, 3, 0, 0), -3 * HOUR, -2 * HOUR);
  /* End: 01-31 -1 h at -02 = 01-30 23:00 local = 01-31T01:00Z. */
  assert_transition(tz, utc(2027, 1, 31, 1, 0, 0), -2 * HOUR, -3 * HOUR);
  ck_assert_int_eq(sod(tz, ymd(2027, 1, 1)), utc(2027, 1, 1, 3, 0, 0));
  ck_assert_int_eq(sod(tz, ymd(2027, 1, 2)), utc(2027, 1, 2, 2, 0, 0));
  cpor_tz_free(tz);
}
END_TEST

START_TEST(all_year_dst) {
  /* Starts 01-01 00:00 EST (05:00Z) and ends 12-31 25:00 EDT, which is the
   * next 01-01 01:00 EDT = 05:00Z: the instant the next year's DST starts. */
  cpor_tz *tz = tz_ok("EST5EDT,0/0,J365/25");
  const cpor_time ts[] = {
      utc(2024, 1, 1, 4, 59, 59), utc(2024, 1, 1, 5, 0, 0),    utc(2024, 2, 29, 12, 0, 0),
      utc(2024, 7, 1, 0, 0, 0),   utc(2024, 12, 31, 23, 0, 0), utc(2025, 1, 1, 4, 59, 59),
      utc(2025, 1, 1, 5, 0, 0),   utc(2025, 12, 31, 12, 0, 0), utc(1999, 12, 31, 23, 59, 59),
  };
  for (size_t i = 0; i < sizeof ts / sizeof ts[0]; i++)
    ck_assert_int_eq(off_at(tz, ts[i]), -4 * HOUR);
  ck_assert_int_eq(sod(tz, ymd(2025, 1, 1)), utc(2025, 1, 1, 4, 0, 0));
  ck_assert_int_eq(date_at(tz, utc(2025, 1, 1, 4, 0, 0) - 1), ymd(2024, 12, 31));
  cpor_tz_free(tz);
}
END_TEST

START_TEST(julian_forms) {
  /* Jn never counts Feb 29: J60 is March 1 in every year; DST is that one day
   * (ends J61/0 = March 2 00:00 at +01 = March 1 23:00Z). */
  cpor_tz *tz = tz_ok("<+00>0<+01>,J60/0,J61/0");
  const int years[] = {2023, 2024, 2000, 2100};
  for (size_t i = 0; i < 4; i++) {
    int y = years[i];
    assert_transition(tz, utc(y, 3, 1, 0, 0, 0), 0, HOUR);
    assert_transition(tz, utc(y, 3, 1, 23, 0, 0), HOUR, 0);
  }
  ck_assert_int_eq(off_at(tz, utc(2024, 2, 29, 12, 0, 0)), 0);
  cpor_tz_free(tz);
  /* n is zero-based and counts Feb 29: n59 is Feb 29 in a leap year and
   * March 1 otherwise. */
  tz = tz_ok("<+00>0<+01>,59/0,60/0");
  assert_transition(tz, utc(2024, 2, 29, 0, 0, 0), 0, HOUR);
  assert_transition(tz, utc(2024, 2, 29, 23, 0, 0), HOUR, 0);
  ck_assert_int_eq(off_at(tz, utc(2024, 3, 1, 12, 0, 0)), 0);
  assert_transition(tz, utc(2023, 3, 1, 0, 0, 0), 0, HOUR);
  assert_transition(tz, utc(2023, 3, 1, 23, 0, 0), HOUR, 0);
  ck_assert_int_eq(off_at(tz, utc(2023, 2, 28, 12, 0, 0)), 0);
  cpor_tz_free(tz);
  /* J365 is always Dec 31; n365 is Dec 31 in a leap year and the next Jan 1
   * otherwise. n0 and J1 are both Jan 1. */
  tz = tz_ok("<+00>0<+01>,J365/0,J1/12");
  assert_transition(tz, utc(2023, 12, 31, 0, 0, 0), 0, HOUR);
  assert_transition(tz, utc(2024, 12, 31, 0, 0, 0), 0, HOUR);
  assert_transition(tz, utc(2025, 1, 1, 11, 0, 0), HOUR, 0);
  cpor_tz_free(tz);
  tz = tz_ok("<+00>0<+01>,365/0,0/12");
  assert_transition(tz, utc(2024, 12, 31, 0, 0, 0), 0, HOUR);
  assert_transition(tz, utc(2025, 1, 1, 11, 0, 0), HOUR, 0);
  ck_assert_int_eq(off_at(tz, utc(2023, 12, 31, 12, 0, 0)), 0);
  cpor_tz_free(tz);
}
END_TEST

START_TEST(month_week_forms) {
  /* M2.5.0: the last Sunday of February, 02-25 in 2024 and 02-28 in 2027;
   * M2.4.4: the fourth Thursday, 02-22 in 2024. */
  cpor_tz *tz = tz_ok("<+00>0<+01>,M2.5.0/0,M2.5.0/12");
  assert_transition(tz, utc(2024, 2, 25, 0, 0, 0), 0, HOUR);
  assert_transition(tz, utc(2027, 2, 28, 0, 0, 0), 0, HOUR);
  cpor_tz_free(tz);
  tz = tz_ok("<+00>0<+01>,M2.4.4/0,M12.5.6/0");
  assert_transition(tz, utc(2024, 2, 22, 0, 0, 0), 0, HOUR);
  /* M12.5.6: last Saturday of December 2024 is 12-28; 00:00 at +01 = 12-27T23:00Z */
  assert_transition(tz, utc(2024, 12, 27, 23, 0, 0), HOUR, 0);
  cpor_tz_free(tz);
}
END_TEST

START_TEST(negative_dst) {
  /* Europe/Dublin: "winter time" is the DST of the rule and is an hour
   * behind. IST (+01) until the last Sunday of October 02:00 IST (10-25 in
   * 2026, = 01:00Z); GMT from then until the last Sunday of March 01:00 GMT. */
  cpor_tz *tz = tz_ok("IST-1GMT0,M10.5.0,M3.5.0/1");
  assert_transition(tz, utc(2026, 10, 25, 1, 0, 0), HOUR, 0);
  assert_transition(tz, utc(2026, 3, 29, 1, 0, 0), 0, HOUR);
  ck_assert_int_eq(off_at(tz, utc(2026, 1, 1, 0, 0, 0)), 0);
  ck_assert_int_eq(sod(tz, ymd(2026, 7, 1)), utc(2026, 6, 30, 23, 0, 0));
  cpor_tz_free(tz);
}
END_TEST

START_TEST(range) {
  cpor_tz *tz = tz_ok("PST8PDT,M3.2.0,M11.1.0");
  cpor_date d;
  cpor_time t;
  int32_t off;
  cpor_date first = ymd(1, 1, 1), last = ymd(9999, 12, 31);
  ck_assert_int_eq(first, -719162);
  ck_assert_int_eq(last, 2932896);
  ck_assert_int_eq(sod(tz, first), utc(1, 1, 1, 8, 0, 0));
  ck_assert_int_eq(sod(tz, last), utc(9999, 12, 31, 8, 0, 0));
  ck_assert_int_eq(date_at(tz, utc(1, 1, 1, 8, 0, 0)), first);
  ck_assert_int_eq(date_at(tz, utc(9999, 12, 31, 23, 59, 59)), last);
  ck_assert_status(cpor_tz_start_of_day(tz, first - 1, &t), CPOR_ERANGE);
  ck_assert_status(cpor_tz_start_of_day(tz, last + 1, &t), CPOR_ERANGE);
  ck_assert_status(cpor_tz_start_of_day(tz, INT32_MIN, &t), CPOR_ERANGE);
  ck_assert_status(cpor_tz_start_of_day(tz, INT32_MAX, &t), CPOR_ERANGE);
  /* Range is judged on the local date: 0001-01-01T07:00Z is 0000-12-31 23:00
   * PST, and 10000-01-01T00:00Z is still 9999-12-31 16:00 PST. */
  ck_assert_status(cpor_tz_local_date(tz, utc(1, 1, 1, 7, 0, 0), &d), CPOR_ERANGE);
  ck_assert_status(cpor_tz_offset(tz, utc(1, 1, 1, 7, 0, 0), &off), CPOR_ERANGE);
  ck_assert_int_eq(off_at(tz, utc(1, 1, 1, 8, 0, 0)), -8 * HOUR);
  ck_assert_int_eq(off_at(tz, utc(9999, 7, 1, 0, 0, 0)), -7 * HOUR);
  ck_assert_int_eq(date_at(tz, utc(10000, 1, 1, 0, 0, 0)), last);
  ck_assert_int_eq(off_at(tz, utc(10000, 1, 1, 0, 0, 0)), -8 * HOUR);
  ck_assert_status(cpor_tz_offset(tz, utc(10000, 1, 1, 8, 0, 0), &off), CPOR_ERANGE);
  ck_assert_status(cpor_tz_local_date(tz, utc(10000, 1, 1, 8, 0, 0), &d), CPOR_ERANGE);
  cpor_tz_free(tz);
  /* East of Greenwich the first day starts in year 0 UTC; that instant is
   * still a valid input. */
  tz = tz_ok("IST-5:30");
  ck_assert_int_eq(sod(tz, first), utc(0, 12, 31, 18, 30, 0));
  ck_assert_int_eq(date_at(tz, utc(0, 12, 31, 18, 30, 0)), first);
  ck_assert_status(cpor_tz_local_date(tz, utc(0, 12, 31, 18, 30, 0) - 1, &d), CPOR_ERANGE);
  ck_assert_status(cpor_tz_local_date(tz, INT64_MIN, &d), CPOR_ERANGE);
  ck_assert_status(cpor_tz_local_date(tz, INT64_MAX, &d), CPOR_ERANGE);
  ck_assert_status(cpor_tz_offset(tz, INT64_MIN, &off), CPOR_ERANGE);
  ck_assert_status(cpor_tz_offset(tz, INT64_MAX, &off), CPOR_ERANGE);
  cpor_tz_free(tz);
}
END_TEST

/* ---- random inputs ----------------------------------------------------------- */

static uint64_t rng_state;

static uint32_t rnd(void) {
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 7;
  rng_state ^= rng_state << 17;
  return (uint32_t)(rng_state >> 16);
}

/* Every parsed zone obeys the defining property of start_of_day: it is the
 * earliest instant on the day. Earlier instants are sampled: the millisecond
 * before, then every half hour for two days back. */
static void check_zone_invariants(const cpor_tz *tz) {
  for (int i = 0; i < 4; i++) {
    cpor_time t = utc(1970 + (int)(rnd() % 100), 1, 1, 0, 0, 0) +
                  (cpor_time)(rnd() % 366) * 86400000 + (cpor_time)(rnd() % 86400000);
    cpor_date d = date_at(tz, t);
    cpor_time s = sod(tz, d);
    ck_assert(s <= t);
    ck_assert_int_eq(date_at(tz, s), d);
    ck_assert_int_ne(date_at(tz, s - 1), d);
    for (int k = 1; k <= 100; k++)
      ck_assert_int_ne(date_at(tz, s - k * 1800 * (cpor_time)MS), d);
    int32_t off = off_at(tz, t);
    ck_assert(off >= -49 * HOUR && off <= 49 * HOUR);
  }
}

START_TEST(random_strings) {
  static const char alphabet[] = "0123456789+-:,./<>JMESTDPCUAIabz ";
  rng_state = 0x9E3779B97F4A7C15u;
  int nvalid = (int)(sizeof valid_zones / sizeof valid_zones[0]);
  int accepted = 0;
  char buf[300];
  for (int iter = 0; iter < 100000; iter++) {
    size_t len;
    if (iter % 4 == 0) { /* pure noise, sometimes longer than the limit */
      len = rnd() % (iter % 100 == 0 ? 290 : 40);
      for (size_t i = 0; i < len; i++)
        buf[i] = rnd() % 8 == 0 ? (char)(rnd() % 255 + 1) : alphabet[rnd() % (sizeof alphabet - 1)];
    } else { /* a valid zone with a few point mutations */
      const char *src = valid_zones[rnd() % (uint32_t)nvalid];
      len = strlen(src);
      memcpy(buf, src, len);
      int edits = 1 + (int)(rnd() % 3);
      for (int e = 0; e < edits; e++) {
        size_t at = len ? rnd() % len : 0;
        switch (rnd() % 4) {
        case 0: /* replace */
          if (len) buf[at] = alphabet[rnd() % (sizeof alphabet - 1)];
          break;
        case 1: /* delete */
          if (len) memmove(buf + at, buf + at + 1, len - at - 1), len--;
          break;
        case 2: /* insert */
          if (len < 250) {
            memmove(buf + at + 1, buf + at, len - at);
            buf[at] = alphabet[rnd() % (sizeof alphabet - 1)];
            len++;
          }
          break;
        default: /* truncate */
          len = at;
        }
      }
    }
    buf[len] = '\0';
    cpor_tz *tz = (cpor_tz *)&tz;
    int rc = cpor_tz_parse(buf, &tz);
    ck_assert_msg(rc == CPOR_OK || rc == CPOR_EINVAL, "\"%s\" gave %d", buf, rc);
    if (rc == CPOR_OK) {
      accepted++;
      if (iter % 16 == 1) check_zone_invariants(tz);
      cpor_tz_free(tz);
    } else {
      ck_assert_ptr_null(tz);
    }
  }
  /* The mutations must exercise both outcomes. */
  ck_assert_int_gt(accepted, 1000);
  ck_assert_int_lt(accepted, 90000);
}
END_TEST

START_TEST(parse_is_stable) {
  rng_state = 12345;
  for (size_t i = 0; i < sizeof valid_zones / sizeof valid_zones[0]; i++) {
    cpor_tz *a = tz_ok(valid_zones[i]);
    cpor_tz *b = tz_ok(valid_zones[i]);
    for (int k = 0; k < 200; k++) {
      cpor_time t = utc(1900, 1, 1, 0, 0, 0) + (cpor_time)(rnd() % (250u * 366u)) * 86400000 +
                    (cpor_time)(rnd() % 86400) * 1000;
      ck_assert_int_eq(off_at(a, t), off_at(b, t));
      ck_assert_int_eq(date_at(a, t), date_at(b, t));
      cpor_date d = date_at(a, t);
      ck_assert_int_eq(sod(a, d), sod(b, d));
    }
    check_zone_invariants(a);
    cpor_tz_free(a);
    cpor_tz_free(b);
  }
}
END_TEST

/* ---- deadlines ----------------------------------------------------------------- */

static cpor_calendar *weekends(void) {
  cpor_calendar *cal = NULL;
  ck_assert_status(cpor_calendar_builtin("weekends", &cal), CPOR_OK);
  return cal;
}

static void assert_deadline(const cpor_calendar *cal, const cpor_tz *tz, cpor_time event, int32_t n,
                            cpor_date want_due, cpor_time want_close) {
  cpor_date due = INT32_MIN;
  cpor_time close = INT64_MIN;
  ck_assert_status(cpor_calendar_deadline(cal, tz, event, n, &due, &close), CPOR_OK);
  ck_assert_int_eq(due, want_due);
  ck_assert_int_eq(close, want_close);
}

START_TEST(deadline_pst) {
  cpor_calendar *cal = weekends();
  cpor_tz *tz = tz_ok("PST8PDT,M3.2.0,M11.1.0");
  /* Friday 2024-03-08 10:00 PST + 5: Mon 11 .. Fri 15. DST began on 03-10, so
   * 03-16 starts at 00:00 PDT = 07:00Z. */
  assert_deadline(cal, tz, utc(2024, 3, 8, 18, 0, 0), 5, ymd(2024, 3, 15),
                  utc(2024, 3, 16, 7, 0, 0));
  /* Monday 2024-10-28 10:00 PDT + 5: Tue 29 .. Fri 11-01, Mon 11-04. DST ended
   * on 11-03, so 11-05 starts at 00:00 PST = 08:00Z. */
  assert_deadline(cal, tz, utc(2024, 10, 28, 17, 0, 0), 5, ymd(2024, 11, 4),
                  utc(2024, 11, 5, 8, 0, 0));
  /* Thursday 2024-03-07 23:30 PST is Friday 07:30Z: the local date (Thursday)
   * counts, so + 1 is Friday 03-08, closing at 03-09 00:00 PST = 08:00Z. With
   * the UTC date it would have been Monday. */
  assert_deadline(cal, tz, utc(2024, 3, 8, 7, 30, 0), 1, ymd(2024, 3, 8), utc(2024, 3, 9, 8, 0, 0));
  /* Friday 23:30 PST = Saturday 07:30Z. */
  assert_deadline(cal, tz, utc(2024, 3, 9, 7, 30, 0), 1, ymd(2024, 3, 11),
                  utc(2024, 3, 12, 7, 0, 0));
  /* n = 1 on a Saturday: Monday. */
  assert_deadline(cal, tz, utc(2024, 3, 9, 20, 0, 0), 1, ymd(2024, 3, 11),
                  utc(2024, 3, 12, 7, 0, 0));
  cpor_tz_free(tz);
  cpor_calendar_unref(cal);
}
END_TEST

START_TEST(deadline_utc_and_gap) {
  cpor_calendar *cal = weekends();
  cpor_tz *tz = tz_ok("UTC0");
  /* Friday 2026-01-02 + 1 = Monday 01-05. */
  assert_deadline(cal, tz, utc(2026, 1, 2, 12, 0, 0), 1, ymd(2026, 1, 5), utc(2026, 1, 6, 0, 0, 0));
  /* Either output may be NULL. */
  cpor_date due = 0;
  cpor_time close = 0;
  ck_assert_status(cpor_calendar_deadline(cal, tz, 0, 1, NULL, NULL), CPOR_OK);
  ck_assert_status(cpor_calendar_deadline(cal, tz, 0, 1, &due, NULL), CPOR_OK);
  ck_assert_int_eq(due, ymd(1970, 1, 2)); /* Thursday -> Friday */
  ck_assert_status(cpor_calendar_deadline(cal, tz, 0, 1, NULL, &close), CPOR_OK);
  ck_assert_int_eq(close, utc(1970, 1, 3, 0, 0, 0));
  cpor_tz_free(tz);
  cpor_calendar_unref(cal);

  /* Every day a business day (a window in calendar days). Friday 2026-03-27
   * 12:00 EET + 1 = Saturday 03-28; 03-29 has no local midnight (DST starts
   * at 00:00 EET = 03-28T22:00Z, see midnight_gap), so the window closes at
   * 22:00Z. */
  cpor_calendar_builder *b = NULL;
  ck_assert_status(cpor_calendar_builder_new(&b), CPOR_OK);
  ck_assert_status(cpor_calendar_builder_set_weekmask(b, 0x7F), CPOR_OK);
  ck_assert_status(cpor_calendar_builder_build(b, &cal), CPOR_OK);
  cpor_calendar_builder_free(b);
  tz = tz_ok("EET-2EEST,M3.5.0/0,M10.5.0/0");
  assert_deadline(cal, tz, utc(2026, 3, 27, 10, 0, 0), 1, ymd(2026, 3, 28),
                  utc(2026, 3, 28, 22, 0, 0));
  cpor_tz_free(tz);
  cpor_calendar_unref(cal);
}
END_TEST

START_TEST(deadline_errors) {
  cpor_calendar *cal = weekends();
  cpor_tz *tz = tz_ok("UTC0");
  cpor_date due = 7;
  cpor_time close = 7;
  ck_assert_status(cpor_calendar_deadline(cal, tz, 0, 0, &due, &close), CPOR_EINVAL);
  ck_assert_status(cpor_calendar_deadline(cal, tz, 0, -3, &due, &close), CPOR_EINVAL);
  ck_assert_status(cpor_calendar_deadline(cal, tz, 0, INT32_MIN, &due, &close), CPOR_EINVAL);
  ck_assert_status(cpor_calendar_deadline(NULL, tz, 0, 1, &due, &close), CPOR_EINVAL);
  ck_assert_status(cpor_calendar_deadline(cal, NULL, 0, 1, &due, &close), CPOR_EINVAL);
  /* Out of range: the event, and a due date with no following day. */
  ck_assert_status(cpor_calendar_deadline(cal, tz, INT64_MAX, 1, &due, &close), CPOR_ERANGE);
  ck_assert_status(cpor_calendar_deadline(cal, tz, utc(9999, 12, 30, 12, 0, 0), 5, &due, &close),
                   CPOR_ERANGE);
  /* Outputs untouched on failure. */
  ck_assert_int_eq(due, 7);
  ck_assert_int_eq(close, 7);
  cpor_tz_free(tz);
  cpor_calendar_unref(cal);
}
END_TEST

static Suite *tz_suite(void) {
  Suite *s = suite_create("tz");
  TCase *tc = tcase_create("parse");
  tcase_add_test(tc, parse_valid);
  tcase_add_test(tc, parse_invalid);
  tcase_add_test(tc, parse_length_limit);
  tcase_add_test(tc, null_arguments);
  suite_add_tcase(s, tc);
  tc = tcase_create("zones");
  tcase_add_test(tc, utc_zones);
  tcase_add_test(tc, pst8pdt);
  tcase_add_test(tc, cet);
  tcase_add_test(tc, southern_hemisphere);
  tcase_add_test(tc, fractional_offsets);
  tcase_add_test(tc, midnight_gap);
  tcase_add_test(tc, midnight_twice);
  tcase_add_test(tc, long_transition_times);
  tcase_add_test(tc, all_year_dst);
  tcase_add_test(tc, julian_forms);
  tcase_add_test(tc, month_week_forms);
  tcase_add_test(tc, negative_dst);
  tcase_add_test(tc, range);
  suite_add_tcase(s, tc);
  tc = tcase_create("random");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, random_strings);
  tcase_add_test(tc, parse_is_stable);
  suite_add_tcase(s, tc);
  tc = tcase_create("deadline");
  tcase_add_test(tc, deadline_pst);
  tcase_add_test(tc, deadline_utc_and_gap);
  tcase_add_test(tc, deadline_errors);
  suite_add_tcase(s, tc);
  return s;
}

CPOR_TEST_MAIN(tz_suite)
