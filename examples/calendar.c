/* Business days: a calendar from rule text, then add, count, roll and the
 * deadline of a window in a time zone. Prints what it computes; exits 0 only
 * when every value is the documented one (so running it is a test). */
#include <cpor/cpor.h>
#include <stdio.h>
#include <string.h>

static const char *rules = "name acme\n"
                           "weekend sat sun\n"
                           "fixed 12-25 observe=nearest \"Christmas Day\"\n"
                           "nth 11 thu 4 \"Thanksgiving Day\"\n"
                           "date 2026-11-27            # the day after Thanksgiving\n";

static int expect(const char *what, cpor_date got, const char *want) {
  char buf[11];
  cpor_date_format(got, buf, sizeof buf);
  printf("%-40s %s\n", what, buf);
  return strcmp(buf, want) == 0;
}

int main(void) {
  char err[128];
  cpor_calendar *cal = NULL;
  if (cpor_calendar_parse(rules, &cal, err, sizeof err) != CPOR_OK) {
    fprintf(stderr, "calendar: %s\n", err);
    return 1;
  }
  cpor_date wed, d;
  cpor_date_parse("2026-11-25", &wed);
  int ok = 1;
  cpor_calendar_add_business_days(cal, wed, 1, &d);
  ok &= expect("2026-11-25 + 1 business day", d, "2026-11-30");
  cpor_calendar_add_business_days(cal, wed, 5, &d);
  ok &= expect("2026-11-25 + 5 business days", d, "2026-12-04");
  cpor_calendar_add_business_days(cal, wed, -3, &d);
  ok &= expect("2026-11-25 - 3 business days", d, "2026-11-20");
  cpor_date sat;
  cpor_date_parse("2026-11-28", &sat);
  cpor_calendar_adjust(cal, sat, CPOR_ROLL_PRECEDING, &d);
  ok &= expect("Saturday 2026-11-28 rolled back", d, "2026-11-25");
  int64_t n = 0;
  cpor_date jan;
  cpor_date_parse("2027-01-01", &jan);
  cpor_calendar_count_business_days(cal, wed, jan, &n);
  printf("%-40s %lld\n", "business days in [2026-11-25, 2027-01-01)", (long long)n);
  ok &= n == 24;

  /* An approval on Wednesday 10:00 in New York: the opt-out window. */
  cpor_tz *tz = NULL;
  cpor_tz_parse("EST5EDT,M3.2.0,M11.1.0", &tz);
  cpor_time approved = (cpor_time)wed * 86400000 + 15 * 3600000; /* 15:00Z = 10:00 EST */
  cpor_time closes = 0;
  cpor_calendar_deadline(cal, tz, approved, 5, &d, &closes);
  ok &= expect("opt-out window: last day", d, "2026-12-04");
  printf("%-40s %lld ms (2026-12-05T05:00:00Z)\n", "window closes at", (long long)closes);
  cpor_date dec5;
  cpor_date_parse("2026-12-05", &dec5);
  ok &= closes == (cpor_time)dec5 * 86400000 + 5 * 3600000;
  cpor_tz_free(tz);
  cpor_calendar_unref(cal);
  puts(ok ? "all as documented" : "MISMATCH");
  return ok ? 0 : 1;
}
