/* cpor — calendar queries. Pure: they never open the database. The calendar
 * is --calendar (a built-in name or a rule file; default "weekends"). */
#include "cli.h"

#include <string.h>

static int get_calendar(cli *c, const cpor_calendar **out) {
  if (!c->cal) {
    int rc = cpor_calendar_builtin("weekends", &c->cal);
    if (rc) return cli_fail_lib(c, rc, cpor_strerror(rc));
  }
  *out = c->cal;
  return CLI_EXIT_OK;
}

static int parse_date(cli *c, const char *text, cpor_date *out) {
  int rc = cpor_date_parse(text, out);
  if (rc == CPOR_OK) return CLI_EXIT_OK;
  return cli_usage(c, "malformed date '%s' (want YYYY-MM-DD)", text);
}

static void print_date(cli *c, const char *key, cpor_date d) {
  char buf[16] = "";
  cpor_date_format(d, buf, sizeof buf);
  if (c->json)
    printf("{\"%s\":\"%s\"}\n", key, buf);
  else
    printf("%s\n", buf);
}

static int run_is_business_day(cli *c, const cli_args *a) {
  const cpor_calendar *cal = NULL;
  cpor_date d;
  int rc = parse_date(c, a->pos[0], &d);
  if (rc || (rc = get_calendar(c, &cal))) return rc;
  int r = cpor_calendar_is_business_day(cal, d);
  if (r < 0) return cli_fail_lib(c, r, cpor_strerror(r));
  if (c->json)
    printf("{\"date\":\"%s\",\"business_day\":%s}\n", a->pos[0], r ? "true" : "false");
  else
    printf("%s\n", r ? "yes" : "no");
  return CLI_EXIT_OK;
}

static int run_add(cli *c, const cli_args *a) {
  const cpor_calendar *cal = NULL;
  cpor_date d, out;
  long long n;
  int rc = parse_date(c, a->pos[0], &d);
  if (rc || (rc = cli_parse_int(c, "N", a->pos[1], INT32_MIN, INT32_MAX, &n)) ||
      (rc = get_calendar(c, &cal)))
    return rc;
  if ((rc = cpor_calendar_add_business_days(cal, d, (int32_t)n, &out)))
    return cli_fail_lib(c, rc, cpor_strerror(rc));
  print_date(c, "date", out);
  return CLI_EXIT_OK;
}

static int run_count(cli *c, const cli_args *a) {
  const cpor_calendar *cal = NULL;
  cpor_date from, to;
  int64_t n;
  int rc = parse_date(c, a->pos[0], &from);
  if (rc || (rc = parse_date(c, a->pos[1], &to)) || (rc = get_calendar(c, &cal))) return rc;
  if ((rc = cpor_calendar_count_business_days(cal, from, to, &n)))
    return cli_fail_lib(c, rc, cpor_strerror(rc));
  printf(c->json ? "{\"count\":%lld}\n" : "%lld\n", (long long)n);
  return CLI_EXIT_OK;
}

static int run_adjust(cli *c, const cli_args *a) {
  static const char *const rolls[] = {"unadjusted", "following",          "modified_following",
                                      "preceding",  "modified_preceding", "nearest"};
  const cpor_calendar *cal = NULL;
  cpor_date d, out;
  int roll = -1;
  const char *r = a->npos > 1 ? a->pos[1] : "following";
  for (int i = 0; i < 6; i++)
    if (!strcmp(r, rolls[i])) roll = i;
  int rc = parse_date(c, a->pos[0], &d);
  if (rc) return rc;
  if (roll < 0)
    return cli_usage(c,
                     "unknown roll '%s' (one of: unadjusted, following, modified_following, "
                     "preceding, modified_preceding, nearest)",
                     r);
  if ((rc = get_calendar(c, &cal))) return rc;
  if ((rc = cpor_calendar_adjust(cal, d, (cpor_roll)roll, &out)))
    return cli_fail_lib(c, rc, cpor_strerror(rc));
  print_date(c, "date", out);
  return CLI_EXIT_OK;
}

/* The deadline of "N business days after TIME" in the --tz time zone. */
static int run_deadline(cli *c, const cli_args *a) {
  const cpor_calendar *cal = NULL;
  cpor_time t, closes;
  cpor_date due;
  long long n;
  if (cli_parse_time(a->pos[0], &t) != 0)
    return cli_usage(c, "malformed time '%s' (want 2026-11-25T15:00:00Z)", a->pos[0]);
  int rc = cli_parse_int(c, "N", a->pos[1], 1, INT32_MAX, &n);
  if (rc || (rc = get_calendar(c, &cal))) return rc;
  cpor_tz *tz = NULL;
  if ((rc = cpor_tz_parse(c->tz ? c->tz : "UTC0", &tz))) return cli_fail_lib(c, rc, "bad --tz");
  rc = cpor_calendar_deadline(cal, tz, t, (int32_t)n, &due, &closes);
  cpor_tz_free(tz);
  if (rc) return cli_fail_lib(c, rc, cpor_strerror(rc));
  char dbuf[16] = "", tbuf[40] = "";
  cpor_date_format(due, dbuf, sizeof dbuf);
  cli_format_time(closes, tbuf, sizeof tbuf);
  if (c->json)
    printf("{\"due\":\"%s\",\"closes_at\":\"%s\"}\n", dbuf, tbuf);
  else
    printf("due %s, closes at %s\n", dbuf, tbuf);
  return CLI_EXIT_OK;
}

const cli_command cli_calendar_commands[] = {
    {"calendar", "is-business-day", "", 1, 1, run_is_business_day, "calendar is-business-day DATE",
     "Prints yes/no (JSON {date, business_day})."},
    {"calendar", "add", "", 2, 2, run_add, "calendar add DATE N",
     "The N-th business day after DATE (before, for N < 0; DATE rolled forward for 0)."},
    {"calendar", "count", "", 2, 2, run_count, "calendar count FROM TO",
     "Business days in [FROM, TO) (JSON {count})."},
    {"calendar", "adjust", "", 1, 2, run_adjust, "calendar adjust DATE [ROLL]",
     "Rolls DATE to a business day. ROLL: unadjusted, following (default), modified_following,\n"
     "preceding, modified_preceding, nearest."},
    {"calendar", "deadline", "", 2, 2, run_deadline, "calendar deadline TIME N",
     "Deadline of N business days after TIME in --tz: JSON {due, closes_at}."},
    {NULL, NULL, NULL, 0, 0, NULL, NULL, NULL}};
