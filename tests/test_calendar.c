/* Business-day calendars: building, queries, rolls, batches, range ends, and
 * the table path checked against the exact path. */
#include <stdlib.h>

#include "calendar/internal.h"
#include "testutil.h"

#define DATE_MIN (-719162) /* 0001-01-01, a Monday */
#define DATE_MAX 2932896   /* 9999-12-31, a Friday */

static cpor_calendar *weekends(void) {
  cpor_calendar *cal = NULL;
  ck_assert_status(cpor_calendar_builtin("weekends", &cal), CPOR_OK);
  return cal;
}

static cpor_calendar *build(cpor_calendar_builder *b) {
  cpor_calendar *cal = NULL;
  ck_assert_status(cpor_calendar_builder_build(b, &cal), CPOR_OK);
  ck_assert_ptr_nonnull(cal);
  return cal;
}

static cpor_date add(const cpor_calendar *cal, const char *iso, int32_t n) {
  cpor_date out = 0;
  ck_assert_status(cpor_calendar_add_business_days(cal, D(iso), n, &out), CPOR_OK);
  return out;
}

static int64_t count(const cpor_calendar *cal, const char *from, const char *to) {
  int64_t out = 0;
  ck_assert_status(cpor_calendar_count_business_days(cal, D(from), D(to), &out), CPOR_OK);
  return out;
}

static cpor_date roll(const cpor_calendar *cal, const char *iso, cpor_roll r) {
  cpor_date out = 0;
  ck_assert_status(cpor_calendar_adjust(cal, D(iso), r, &out), CPOR_OK);
  return out;
}

/* A deterministic generator, so failures reproduce. */
static uint64_t rng_state = 0x9E3779B97F4A7C15u;
static uint32_t rnd(void) {
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 7;
  rng_state ^= rng_state << 17;
  return (uint32_t)(rng_state >> 11);
}
static int32_t rnd_range(int32_t lo, int32_t hi) { /* inclusive */
  return lo + (int32_t)(rnd() % (uint32_t)(hi - lo + 1));
}

START_TEST(add_basics) {
  cpor_calendar *cal = weekends();
  ck_assert_int_eq(add(cal, "2026-01-03", 1), D("2026-01-05")); /* Saturday + 1 = Monday */
  ck_assert_int_eq(add(cal, "2026-01-04", 1), D("2026-01-05")); /* Sunday + 1 */
  ck_assert_int_eq(add(cal, "2026-01-02", 1), D("2026-01-05")); /* Friday + 1 */
  ck_assert_int_eq(add(cal, "2026-01-05", 1), D("2026-01-06"));
  ck_assert_int_eq(add(cal, "2026-01-05", 5), D("2026-01-12"));
  ck_assert_int_eq(add(cal, "2026-01-03", 0), D("2026-01-05")); /* n = 0 rolls forward */
  ck_assert_int_eq(add(cal, "2026-01-04", 0), D("2026-01-05"));
  ck_assert_int_eq(add(cal, "2026-01-05", 0), D("2026-01-05"));
  ck_assert_int_eq(add(cal, "2026-01-05", -1), D("2026-01-02"));
  ck_assert_int_eq(add(cal, "2026-01-03", -1), D("2026-01-02"));
  ck_assert_int_eq(add(cal, "2026-01-04", -1), D("2026-01-02"));
  ck_assert_int_eq(add(cal, "2026-01-04", -5), D("2025-12-29"));
  ck_assert_int_eq(add(cal, "2025-12-31", 2), D("2026-01-02"));
  ck_assert_int_eq(add(cal, "2026-01-01", 261), D("2027-01-01"));
  ck_assert_int_eq(add(cal, "2027-01-01", -261), D("2026-01-01"));
  ck_assert_int_eq(add(cal, "2026-01-01", -2609), D("2016-01-01"));
  cpor_calendar_unref(cal);
}
END_TEST

START_TEST(count_basics) {
  cpor_calendar *cal = weekends();
  ck_assert_int_eq(count(cal, "2026-01-05", "2026-01-05"), 0);
  ck_assert_int_eq(count(cal, "2026-01-05", "2026-01-06"), 1);
  ck_assert_int_eq(count(cal, "2026-01-03", "2026-01-05"), 0);
  ck_assert_int_eq(count(cal, "2026-01-05", "2026-01-12"), 5);
  ck_assert_int_eq(count(cal, "2026-01-12", "2026-01-05"), -5);
  ck_assert_int_eq(count(cal, "2025-12-29", "2026-01-05"), 5);
  ck_assert_int_eq(count(cal, "2026-01-01", "2027-01-01"), 261);
  ck_assert_int_eq(count(cal, "2027-01-01", "2026-01-01"), -261);
  ck_assert_int_eq(count(cal, "2016-01-01", "2026-01-01"), 2609);
  ck_assert_int_eq(count(cal, "1800-01-01", "2400-01-01"), 156533);
  ck_assert_int_eq(count(cal, "2400-01-01", "1800-01-01"), -156533);
  int64_t n = 0;
  ck_assert_status(cpor_calendar_count_business_days(cal, DATE_MIN, DATE_MAX, &n), CPOR_OK);
  ck_assert_int_eq(n, 2608614);
  ck_assert_status(cpor_calendar_count_business_days(cal, DATE_MAX, DATE_MIN, &n), CPOR_OK);
  ck_assert_int_eq(n, -2608614);
  cpor_calendar_unref(cal);
}
END_TEST

START_TEST(invariants) {
  cpor_calendar *cal = NULL;
  ck_assert_status(cpor_calendar_builtin("us-federal", &cal), CPOR_OK);
  const cpor_date lo = D("1850-01-01"), hi = D("2250-12-31");
  for (int i = 0; i < 20000; i++) {
    cpor_date d = rnd_range(lo, hi), r;
    int32_t n = rnd_range(-700, 700);
    int64_t c, c2;
    if (cpor_calendar_add_business_days(cal, d, n, &r) != CPOR_OK) ck_abort_msg("add %d %d", d, n);
    int biz = cpor_calendar_is_business_day(cal, d);
    if (cpor_calendar_is_business_day(cal, r) != 1)
      ck_abort_msg("add(%d, %d) = %d is not a business day", d, n, r);
    cpor_calendar_count_business_days(cal, d, r, &c);
    cpor_calendar_count_business_days(cal, r, d, &c2);
    if (c != -c2) ck_abort_msg("count(%d, %d) not antisymmetric", d, r);
    if (biz && c != n) ck_abort_msg("count(%d, add(%d, %d)) = %lld", d, d, n, (long long)c);
    /* From a holiday or weekend: count(d, r) includes no d, so it is n - 1
     * forward (the first step reaches the first business day) and n back. */
    if (!biz && n != 0 && c != (n > 0 ? n - 1 : n))
      ck_abort_msg("count from non-business %d, n %d: %lld", d, n, (long long)c);
  }
  cpor_calendar_unref(cal);
}
END_TEST

START_TEST(rolls) {
  cpor_calendar *cal = weekends();
  /* 2026-01-31 is a Saturday, 2026-02-01 a Sunday. */
  ck_assert_int_eq(roll(cal, "2026-01-31", CPOR_ROLL_UNADJUSTED), D("2026-01-31"));
  ck_assert_int_eq(roll(cal, "2026-01-31", CPOR_ROLL_FOLLOWING), D("2026-02-02"));
  ck_assert_int_eq(roll(cal, "2026-01-31", CPOR_ROLL_MODIFIED_FOLLOWING), D("2026-01-30"));
  ck_assert_int_eq(roll(cal, "2026-01-31", CPOR_ROLL_PRECEDING), D("2026-01-30"));
  ck_assert_int_eq(roll(cal, "2026-01-31", CPOR_ROLL_MODIFIED_PRECEDING), D("2026-01-30"));
  ck_assert_int_eq(roll(cal, "2026-01-31", CPOR_ROLL_NEAREST), D("2026-01-30"));
  ck_assert_int_eq(roll(cal, "2026-02-01", CPOR_ROLL_FOLLOWING), D("2026-02-02"));
  ck_assert_int_eq(roll(cal, "2026-02-01", CPOR_ROLL_MODIFIED_FOLLOWING), D("2026-02-02"));
  ck_assert_int_eq(roll(cal, "2026-02-01", CPOR_ROLL_PRECEDING), D("2026-01-30"));
  ck_assert_int_eq(roll(cal, "2026-02-01", CPOR_ROLL_MODIFIED_PRECEDING), D("2026-02-02"));
  ck_assert_int_eq(roll(cal, "2026-02-01", CPOR_ROLL_NEAREST), D("2026-02-02"));
  ck_assert_int_eq(roll(cal, "2026-02-28", CPOR_ROLL_MODIFIED_FOLLOWING), D("2026-02-27"));
  ck_assert_int_eq(roll(cal, "2026-03-01", CPOR_ROLL_MODIFIED_PRECEDING), D("2026-03-02"));
  ck_assert_int_eq(roll(cal, "2026-03-01", CPOR_ROLL_MODIFIED_FOLLOWING), D("2026-03-02"));
  ck_assert_int_eq(roll(cal, "2026-01-10", CPOR_ROLL_MODIFIED_FOLLOWING), D("2026-01-12"));
  ck_assert_int_eq(roll(cal, "2026-01-10", CPOR_ROLL_MODIFIED_PRECEDING), D("2026-01-09"));
  for (int r = CPOR_ROLL_UNADJUSTED; r <= CPOR_ROLL_NEAREST; r++)
    ck_assert_int_eq(roll(cal, "2026-01-07", (cpor_roll)r), D("2026-01-07"));
  cpor_date out = 5;
  ck_assert_status(cpor_calendar_adjust(cal, 0, (cpor_roll)99, &out), CPOR_EINVAL);
  ck_assert_status(cpor_calendar_adjust(cal, 0, (cpor_roll)-1, &out), CPOR_EINVAL);
  ck_assert_status(cpor_calendar_adjust(cal, DATE_MAX + 1, CPOR_ROLL_UNADJUSTED, &out),
                   CPOR_ERANGE);
  ck_assert_int_eq(out, 5);
  cpor_calendar_unref(cal);

  /* Ties go forward: a Wednesday holiday is one day from both Tuesday and
   * Thursday; and a holiday Friday makes a Saturday tie Thursday/Monday. */
  cpor_calendar_builder *b = NULL;
  ck_assert_status(cpor_calendar_builder_new(&b), CPOR_OK);
  ck_assert_status(cpor_calendar_builder_add_holiday(b, D("2026-01-07")), CPOR_OK);
  ck_assert_status(cpor_calendar_builder_add_holiday(b, D("2026-01-30")), CPOR_OK);
  cal = build(b);
  ck_assert_int_eq(roll(cal, "2026-01-07", CPOR_ROLL_NEAREST), D("2026-01-08"));
  ck_assert_int_eq(roll(cal, "2026-01-31", CPOR_ROLL_NEAREST), D("2026-02-02"));
  ck_assert_int_eq(roll(cal, "2026-01-30", CPOR_ROLL_NEAREST), D("2026-01-29"));
  ck_assert_int_eq(roll(cal, "2026-01-31", CPOR_ROLL_MODIFIED_FOLLOWING), D("2026-01-29"));
  cpor_calendar_unref(cal);
  cpor_calendar_builder_free(b);
}
END_TEST

START_TEST(holidays_and_working_days) {
  cpor_calendar_builder *b = NULL;
  ck_assert_status(cpor_calendar_builder_new(&b), CPOR_OK);
  cpor_calendar *plain = build(b);
  ck_assert_str_eq(cpor_calendar_name(plain), "");
  ck_assert_status(cpor_calendar_builder_add_working_day(b, D("2026-01-03")), CPOR_OK); /* Sat */
  ck_assert_status(cpor_calendar_builder_add_holiday(b, D("2026-01-05")), CPOR_OK);     /* Mon */
  ck_assert_status(cpor_calendar_builder_add_holiday(b, D("2026-01-05")), CPOR_OK);     /* twice */
  ck_assert_status(cpor_calendar_builder_add_holiday(b, D("2026-01-10")), CPOR_OK);     /* Sat */
  ck_assert_status(cpor_calendar_builder_add_working_day(b, D("2026-01-11")), CPOR_OK); /* Sun */
  ck_assert_status(cpor_calendar_builder_add_holiday(b, D("2026-01-11")), CPOR_OK);     /* wins */
  ck_assert_status(cpor_calendar_builder_add_working_day(b, D("2026-01-07")), CPOR_OK); /* no-op */
  /* Out of the supported table, to exercise the exact path. */
  ck_assert_status(cpor_calendar_builder_add_holiday(b, D("2500-03-01")), CPOR_OK);     /* Mon */
  ck_assert_status(cpor_calendar_builder_add_working_day(b, D("2500-02-27")), CPOR_OK); /* Sat */
  cpor_calendar *cal = build(b);
  ck_assert_int_eq(cpor_calendar_is_business_day(cal, D("2026-01-03")), 1);
  ck_assert_int_eq(cpor_calendar_is_business_day(cal, D("2026-01-04")), 0);
  ck_assert_int_eq(cpor_calendar_is_business_day(cal, D("2026-01-05")), 0);
  ck_assert_int_eq(cpor_calendar_is_business_day(cal, D("2026-01-11")), 0);
  ck_assert_int_eq(cpor_calendar_is_business_day(cal, D("2026-01-07")), 1);
  ck_assert_int_eq(add(cal, "2026-01-02", 1), D("2026-01-03"));
  ck_assert_int_eq(add(cal, "2026-01-02", 2), D("2026-01-06"));
  ck_assert_int_eq(add(cal, "2026-01-06", -1), D("2026-01-03"));
  ck_assert_int_eq(add(cal, "2026-01-04", 0), D("2026-01-06"));
  ck_assert_int_eq(count(cal, "2026-01-01", "2026-01-12"), 7);
  ck_assert_int_eq(count(cal, "2026-01-01", "2026-01-12"),
                   count(plain, "2026-01-01", "2026-01-12"));
  ck_assert_int_eq(cpor_calendar_is_business_day(cal, D("2500-03-01")), 0);
  ck_assert_int_eq(cpor_calendar_is_business_day(cal, D("2500-02-27")), 1);
  ck_assert_int_eq(add(cal, "2500-02-26", 1), D("2500-02-27"));
  ck_assert_int_eq(add(cal, "2500-02-27", 1), D("2500-03-02"));
  ck_assert_int_eq(add(cal, "2500-03-02", -1), D("2500-02-27"));
  ck_assert_int_eq(count(cal, "2500-02-23", "2500-03-09"), 10);
  /* The builder stays usable and the first calendar is not affected. */
  ck_assert_status(cpor_calendar_builder_add_holiday(b, D("2026-01-06")), CPOR_OK);
  cpor_calendar *cal2 = build(b);
  ck_assert_int_eq(add(cal2, "2026-01-04", 0), D("2026-01-07"));
  ck_assert_int_eq(add(cal, "2026-01-04", 0), D("2026-01-06"));
  cpor_calendar_unref(cal2);
  cpor_calendar_unref(cal);
  cpor_calendar_unref(plain);
  cpor_calendar_builder_free(b);
}
END_TEST

START_TEST(weekmasks) {
  cpor_calendar_builder *b = NULL;
  ck_assert_status(cpor_calendar_builder_new(&b), CPOR_OK);
  ck_assert_status(cpor_calendar_builder_set_weekmask(b, 0), CPOR_EINVAL);
  ck_assert_status(cpor_calendar_builder_set_weekmask(b, 0x80), CPOR_EINVAL);
  ck_assert_status(cpor_calendar_builder_set_weekmask(b, 0xFF), CPOR_EINVAL);
  ck_assert_status(cpor_calendar_builder_set_weekmask(b, 0x7F), CPOR_OK);
  cpor_calendar *every = build(b);
  ck_assert_int_eq(count(every, "2026-01-01", "2027-01-01"), 365);
  ck_assert_int_eq(add(every, "2026-01-03", 1), D("2026-01-04"));
  ck_assert_int_eq(add(every, "3000-01-03", -1), D("3000-01-02"));
  /* Sunday-Thursday week. */
  ck_assert_status(cpor_calendar_builder_set_weekmask(b, 0x4F), CPOR_OK);
  cpor_calendar *st = build(b);
  ck_assert_int_eq(add(st, "2026-01-08", 1), D("2026-01-11")); /* Thu + 1 = Sun */
  ck_assert_int_eq(add(st, "9000-01-02", 1), D("9000-01-05")); /* Thu + 1 = Sun */
  ck_assert_int_eq(cpor_calendar_is_business_day(st, D("2026-01-09")), 0);
  cpor_calendar_unref(every);
  cpor_calendar_unref(st);
  cpor_calendar_builder_free(b);
}
END_TEST

START_TEST(range_ends) {
  cpor_calendar *cal = weekends();
  cpor_date out = 77;
  int64_t n = 77;
  ck_assert_status(cpor_calendar_add_business_days(cal, DATE_MAX, 1, &out), CPOR_ERANGE);
  ck_assert_status(cpor_calendar_add_business_days(cal, DATE_MAX - 1, 1, &out), CPOR_OK);
  ck_assert_int_eq(out, DATE_MAX);
  ck_assert_status(cpor_calendar_add_business_days(cal, DATE_MAX, 0, &out), CPOR_OK);
  ck_assert_int_eq(out, DATE_MAX);
  ck_assert_status(cpor_calendar_add_business_days(cal, DATE_MIN, -1, &out), CPOR_ERANGE);
  ck_assert_status(cpor_calendar_add_business_days(cal, DATE_MIN, 0, &out), CPOR_OK);
  ck_assert_int_eq(out, DATE_MIN);
  ck_assert_status(cpor_calendar_add_business_days(cal, DATE_MIN + 1, -1, &out), CPOR_OK);
  ck_assert_int_eq(out, DATE_MIN);
  ck_assert_status(cpor_calendar_add_business_days(cal, DATE_MIN, 2608614, &out), CPOR_OK);
  ck_assert_int_eq(out, DATE_MAX);
  ck_assert_status(cpor_calendar_add_business_days(cal, DATE_MIN, 2608615, &out), CPOR_ERANGE);
  ck_assert_status(cpor_calendar_add_business_days(cal, DATE_MAX, -2608614, &out), CPOR_OK);
  ck_assert_int_eq(out, DATE_MIN);
  ck_assert_status(cpor_calendar_add_business_days(cal, 0, INT32_MAX, &out), CPOR_ERANGE);
  ck_assert_status(cpor_calendar_add_business_days(cal, 0, INT32_MIN, &out), CPOR_ERANGE);
  out = 77;
  ck_assert_status(cpor_calendar_add_business_days(cal, DATE_MAX + 1, 0, &out), CPOR_ERANGE);
  ck_assert_status(cpor_calendar_add_business_days(cal, DATE_MIN - 1, 1, &out), CPOR_ERANGE);
  ck_assert_status(cpor_calendar_add_business_days(cal, INT32_MIN, 1, &out), CPOR_ERANGE);
  ck_assert_status(cpor_calendar_add_business_days(cal, INT32_MAX, -1, &out), CPOR_ERANGE);
  ck_assert_int_eq(out, 77);
  ck_assert_status(cpor_calendar_count_business_days(cal, DATE_MIN - 1, 0, &n), CPOR_ERANGE);
  ck_assert_status(cpor_calendar_count_business_days(cal, 0, DATE_MAX + 1, &n), CPOR_ERANGE);
  ck_assert_status(cpor_calendar_count_business_days(cal, INT32_MIN, INT32_MAX, &n), CPOR_ERANGE);
  ck_assert_int_eq(n, 77);
  ck_assert_status(cpor_calendar_is_business_day(cal, DATE_MAX + 1), CPOR_ERANGE);
  ck_assert_status(cpor_calendar_is_business_day(cal, DATE_MIN - 1), CPOR_ERANGE);
  ck_assert_int_eq(cpor_calendar_is_business_day(cal, DATE_MAX), 1);
  ck_assert_int_eq(cpor_calendar_is_business_day(cal, DATE_MIN), 1);
  cpor_calendar_unref(cal);

  /* Mondays only: from the last Friday no Monday is left. */
  cpor_calendar_builder *b = NULL;
  ck_assert_status(cpor_calendar_builder_new(&b), CPOR_OK);
  ck_assert_status(cpor_calendar_builder_set_weekmask(b, 0x01), CPOR_OK);
  cal = build(b);
  ck_assert_status(cpor_calendar_add_business_days(cal, DATE_MAX, 0, &out), CPOR_ERANGE);
  ck_assert_status(cpor_calendar_adjust(cal, DATE_MAX, CPOR_ROLL_FOLLOWING, &out), CPOR_ERANGE);
  ck_assert_status(cpor_calendar_adjust(cal, DATE_MAX, CPOR_ROLL_NEAREST, &out), CPOR_OK);
  ck_assert_int_eq(out, DATE_MAX - 4);
  ck_assert_status(cpor_calendar_adjust(cal, DATE_MAX, CPOR_ROLL_MODIFIED_FOLLOWING, &out),
                   CPOR_OK);
  ck_assert_int_eq(out, DATE_MAX - 4);
  cpor_calendar_unref(cal);
  cpor_calendar_builder_free(b);
}
END_TEST

/* A calendar with no business day at all: every Monday of the range is a
 * holiday. Queries must end, with CPOR_ERANGE. */
START_TEST(no_business_day) {
  cpor_calendar_builder *b = NULL;
  ck_assert_status(cpor_calendar_builder_new(&b), CPOR_OK);
  ck_assert_status(cpor_calendar_builder_set_weekmask(b, 0x01), CPOR_OK);
  for (cpor_date d = DATE_MIN; d <= DATE_MAX; d += 7)
    if (cpor_calendar_builder_add_holiday(b, d) != CPOR_OK) ck_abort_msg("add_holiday %d", d);
  cpor_calendar *cal = build(b);
  cpor_date out;
  int64_t n = 5;
  for (int r = CPOR_ROLL_FOLLOWING; r <= CPOR_ROLL_NEAREST; r++)
    ck_assert_status(cpor_calendar_adjust(cal, D("2026-01-05"), (cpor_roll)r, &out), CPOR_ERANGE);
  ck_assert_status(cpor_calendar_add_business_days(cal, D("2026-01-05"), 1, &out), CPOR_ERANGE);
  ck_assert_status(cpor_calendar_add_business_days(cal, D("5000-01-05"), -1, &out), CPOR_ERANGE);
  ck_assert_status(cpor_calendar_count_business_days(cal, DATE_MIN, DATE_MAX, &n), CPOR_OK);
  ck_assert_int_eq(n, 0);
  ck_assert_int_eq(cpor_calendar_is_business_day(cal, D("2026-01-05")), 0);
  cpor_calendar_unref(cal);
  cpor_calendar_builder_free(b);
}
END_TEST

START_TEST(batch_matches_scalar) {
  cpor_calendar *cal = NULL;
  ck_assert_status(cpor_calendar_builtin("us-federal", &cal), CPOR_OK);
  enum { N = 5000 };
  static cpor_date dates[N], out[N], to[N];
  static int64_t counts[N];
  const cpor_date lo = D("1700-01-01"), hi = D("2400-12-31");
  for (int32_t n = -300; n <= 300; n += 37) {
    for (int i = 0; i < N; i++) {
      dates[i] = rnd_range(lo, hi);
      to[i] = dates[i] + rnd_range(-1000, 1000);
    }
    ck_assert_status(cpor_calendar_add_business_days_n(cal, dates, N, n, out), CPOR_OK);
    ck_assert_status(cpor_calendar_count_business_days_n(cal, dates, to, N, counts), CPOR_OK);
    for (int i = 0; i < N; i++) {
      cpor_date r;
      int64_t c;
      cpor_calendar_add_business_days(cal, dates[i], n, &r);
      cpor_calendar_count_business_days(cal, dates[i], to[i], &c);
      if (r != out[i] || c != counts[i]) ck_abort_msg("batch differs at %d", dates[i]);
    }
    /* In place. */
    ck_assert_status(cpor_calendar_add_business_days_n(cal, dates, N, n, dates), CPOR_OK);
    for (int i = 0; i < N; i++)
      if (dates[i] != out[i]) ck_abort_msg("in-place batch differs");
  }
  dates[0] = D("2026-01-05");
  dates[1] = DATE_MAX;
  dates[2] = D("2026-01-05");
  ck_assert_status(cpor_calendar_add_business_days_n(cal, dates, 3, 1, out), CPOR_ERANGE);
  ck_assert_int_eq(out[0], D("2026-01-06"));
  ck_assert_int_eq(out[2], D("2026-01-06"));
  to[0] = DATE_MAX + 1;
  ck_assert_status(cpor_calendar_count_business_days_n(cal, dates, to, 1, counts), CPOR_ERANGE);
  ck_assert_status(cpor_calendar_add_business_days_n(cal, NULL, 0, 1, NULL), CPOR_OK);
  ck_assert_status(cpor_calendar_count_business_days_n(cal, NULL, NULL, 0, NULL), CPOR_OK);
  cpor_calendar_unref(cal);
}
END_TEST

/* The dense tables and the exact arithmetic must agree everywhere, on both
 * sides of the table edges (1900 and 2200 by default). */
START_TEST(table_matches_exact) {
  cpor_calendar_builder *b = NULL;
  ck_assert_status(cpor_calendar_builder_new(&b), CPOR_OK);
  ck_assert_status(cpor_calendar_builder_add_rules(b, "easter -2\neaster 1\nnth 08 mon 1\n"),
                   CPOR_OK);
  ck_assert_status(cpor_calendar_builder_add_rules(b, "fixed 12-25 observe=nearest"), CPOR_OK);
  for (int i = 0; i < 3000; i++) {
    cpor_date d = rnd_range(D("1850-01-01"), D("2250-12-31"));
    ck_assert_int_eq(cpor_calendar_builder_add_holiday(b, d), CPOR_OK);
    if (cpor_date_weekday(d) >= 5 && i % 2)
      ck_assert_int_eq(cpor_calendar_builder_add_working_day(b, d + 1), CPOR_OK);
  }
  cpor_calendar *cal = build(b);
  cpor_calendar *fed = NULL;
  ck_assert_status(cpor_calendar_builtin("us-federal", &fed), CPOR_OK);
  const cpor_calendar *cals[2] = {cal, fed};
  const cpor_date lo = D("1850-01-01"), hi = D("2250-12-31");
  for (int c = 0; c < 2; c++) {
    for (int i = 0; i < 100000; i++) {
      cpor_date d = rnd_range(lo, hi), e = rnd_range(lo, hi), r1 = 0, r2 = 0;
      int32_t n = i % 4 == 0 ? rnd_range(-20000, 20000) : rnd_range(-300, 300);
      int64_t c1 = 0, c2 = 0;
      int a1 = cpor_calendar_add_business_days(cals[c], d, n, &r1);
      int a2 = cpor__calendar_add_exact(cals[c], d, n, &r2);
      if (a1 != a2 || r1 != r2)
        ck_abort_msg("add(%d, %d): table %d/%d, exact %d/%d", d, n, a1, r1, a2, r2);
      cpor_calendar_count_business_days(cals[c], d, e, &c1);
      cpor__calendar_count_exact(cals[c], d, e, &c2);
      if (c1 != c2)
        ck_abort_msg("count(%d, %d): table %lld, exact %lld", d, e, (long long)c1, (long long)c2);
      if (cpor_calendar_is_business_day(cals[c], d) != cpor__calendar_is_business_exact(cals[c], d))
        ck_abort_msg("is_business_day(%d)", d);
    }
    /* Every day across each table edge, small n, against a day-by-day walk. */
    const cpor_date edges[2] = {D("1900-01-01"), D("2201-01-01")};
    for (int k = 0; k < 2; k++) {
      for (cpor_date d = edges[k] - 40; d < edges[k] + 40; d++) {
        for (int32_t n = -12; n <= 12; n++) {
          cpor_date r = 0, w = d;
          ck_assert_int_eq(cpor_calendar_add_business_days(cals[c], d, n, &r), CPOR_OK);
          if (n == 0)
            while (!cpor__calendar_is_business_exact(cals[c], w))
              w++;
          for (int32_t left = n; left > 0;
               w += cpor__calendar_is_business_exact(cals[c], w + 1) ? (left--, 1) : 1)
            ;
          for (int32_t left = n; left < 0;
               w -= cpor__calendar_is_business_exact(cals[c], w - 1) ? (left++, 1) : 1)
            ;
          if (r != w) ck_abort_msg("add(%d, %d) = %d, walk %d", d, n, r, w);
        }
      }
    }
  }
  cpor_calendar_unref(cal);
  cpor_calendar_unref(fed);
  cpor_calendar_builder_free(b);
}
END_TEST

START_TEST(null_args) {
  cpor_calendar *cal = NULL;
  cpor_calendar_builder *b = NULL;
  cpor_date d = 0;
  int64_t n = 0;
  ck_assert_status(cpor_calendar_builder_new(NULL), CPOR_EINVAL);
  cpor_calendar_builder_free(NULL);
  ck_assert_status(cpor_calendar_builder_set_weekmask(NULL, 0x1F), CPOR_EINVAL);
  ck_assert_status(cpor_calendar_builder_add_holiday(NULL, 0), CPOR_EINVAL);
  ck_assert_status(cpor_calendar_builder_add_working_day(NULL, 0), CPOR_EINVAL);
  ck_assert_status(cpor_calendar_builder_add_rules(NULL, "weekend sat sun"), CPOR_EINVAL);
  ck_assert_status(cpor_calendar_builder_build(NULL, &cal), CPOR_EINVAL);
  ck_assert_ptr_null(cal); /* *out is NULL on failure */
  cal = weekends();
  cpor_calendar *keep = cal;
  ck_assert_status(cpor_calendar_builder_new(&b), CPOR_OK);
  ck_assert_status(cpor_calendar_builder_build(b, NULL), CPOR_EINVAL);
  ck_assert_status(cpor_calendar_builder_add_rules(b, NULL), CPOR_EINVAL);
  ck_assert_status(cpor_calendar_builder_add_holiday(b, DATE_MAX + 1), CPOR_ERANGE);
  ck_assert_status(cpor_calendar_builder_add_working_day(b, DATE_MIN - 1), CPOR_ERANGE);
  ck_assert_status(cpor_calendar_is_business_day(NULL, 0), CPOR_EINVAL);
  ck_assert_status(cpor_calendar_add_business_days(NULL, 0, 1, &d), CPOR_EINVAL);
  ck_assert_status(cpor_calendar_add_business_days(cal, 0, 1, NULL), CPOR_EINVAL);
  ck_assert_status(cpor_calendar_count_business_days(NULL, 0, 1, &n), CPOR_EINVAL);
  ck_assert_status(cpor_calendar_count_business_days(cal, 0, 1, NULL), CPOR_EINVAL);
  ck_assert_status(cpor_calendar_adjust(NULL, 0, CPOR_ROLL_FOLLOWING, &d), CPOR_EINVAL);
  ck_assert_status(cpor_calendar_adjust(cal, 0, CPOR_ROLL_FOLLOWING, NULL), CPOR_EINVAL);
  ck_assert_status(cpor_calendar_add_business_days_n(NULL, &d, 1, 1, &d), CPOR_EINVAL);
  ck_assert_status(cpor_calendar_add_business_days_n(cal, NULL, 1, 1, &d), CPOR_EINVAL);
  ck_assert_status(cpor_calendar_add_business_days_n(cal, &d, 1, 1, NULL), CPOR_EINVAL);
  ck_assert_status(cpor_calendar_count_business_days_n(NULL, &d, &d, 1, &n), CPOR_EINVAL);
  ck_assert_status(cpor_calendar_count_business_days_n(cal, NULL, &d, 1, &n), CPOR_EINVAL);
  ck_assert_status(cpor_calendar_count_business_days_n(cal, &d, NULL, 1, &n), CPOR_EINVAL);
  ck_assert_status(cpor_calendar_count_business_days_n(cal, &d, &d, 1, NULL), CPOR_EINVAL);
  ck_assert_ptr_null(cpor_calendar_ref(NULL));
  cpor_calendar_unref(NULL);
  ck_assert_str_eq(cpor_calendar_name(NULL), "");
  ck_assert_status(cpor_calendar_builtin(NULL, &cal), CPOR_EINVAL);
  ck_assert_ptr_null(cal);
  ck_assert_status(cpor_calendar_builtin("weekends", NULL), CPOR_EINVAL);
  ck_assert_status(cpor_calendar_builtin("nope", &cal), CPOR_ENOTFOUND);
  ck_assert_status(cpor_calendar_builtin("", &cal), CPOR_ENOTFOUND);
  ck_assert_status(cpor_calendar_builtin("US-FEDERAL", &cal), CPOR_ENOTFOUND);
  cpor_calendar_builder_free(b);
  cpor_calendar_unref(keep);
}
END_TEST

START_TEST(refcount) {
  cpor_calendar *cal = weekends();
  ck_assert_str_eq(cpor_calendar_name(cal), "weekends");
  ck_assert_ptr_eq(cpor_calendar_ref(cal), cal);
  ck_assert_ptr_eq(cpor_calendar_ref(cal), cal);
  cpor_calendar_unref(cal);
  cpor_calendar_unref(cal);
  ck_assert_int_eq(add(cal, "2026-01-03", 1), D("2026-01-05")); /* still alive */
  cpor_calendar_unref(cal); /* freed: valgrind and ASan see no leak */
}
END_TEST

static Suite *calendar_suite(void) {
  Suite *s = suite_create("calendar");
  TCase *tc = tcase_create("calendar");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, add_basics);
  tcase_add_test(tc, count_basics);
  tcase_add_test(tc, invariants);
  tcase_add_test(tc, rolls);
  tcase_add_test(tc, holidays_and_working_days);
  tcase_add_test(tc, weekmasks);
  tcase_add_test(tc, range_ends);
  tcase_add_test(tc, no_business_day);
  tcase_add_test(tc, batch_matches_scalar);
  tcase_add_test(tc, table_matches_exact);
  tcase_add_test(tc, null_args);
  tcase_add_test(tc, refcount);
  suite_add_tcase(s, tc);
  return s;
}

CPOR_TEST_MAIN(calendar_suite)
