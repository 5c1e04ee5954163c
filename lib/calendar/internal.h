/* Private structures of the calendar module, shared by date.c, builder.c,
 * engine.c, rules.c and builtin.c. Nothing here is exported: the cpor__
 * functions are hidden by symbol visibility and the version script, but white-box
 * tests link the internal static library and may call them. */
#ifndef CPOR_CALENDAR_INTERNAL_H
#define CPOR_CALENDAR_INTERNAL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cpor/calendar.h"
#include "cpor_config.h"

/* The supported range, as day numbers: 0001-01-01 and 9999-12-31. */
#define CPOR__DATE_MIN (-719162)
#define CPOR__DATE_MAX 2932896

#define CPOR__MAX_NAME 255 /* bytes of a calendar name */

static inline bool cpor__date_in_range(cpor_date d) {
  return d >= CPOR__DATE_MIN && d <= CPOR__DATE_MAX;
}

/* Day number of a civil date, for any year that fits (no validation). */
int32_t cpor__days_from_civil(int32_t y, int32_t m, int32_t d);
int32_t cpor__days_in_month(int32_t y, int32_t m);
/* Easter Sunday (Gregorian) of year y, 1 <= y <= 9999. */
cpor_date cpor__easter(int32_t y);

/* ---- rules ---------------------------------------------------------------- */

enum cpor__rule_kind { CPOR__RULE_FIXED, CPOR__RULE_NTH, CPOR__RULE_EASTER };
enum cpor__observe {
  CPOR__OBSERVE_NONE,
  CPOR__OBSERVE_NEAREST, /* Sat -> Fri, Sun -> Mon */
  CPOR__OBSERVE_NEXT,    /* Sat, Sun -> Mon */
  CPOR__OBSERVE_SUNDAY   /* Sun -> Mon */
};

/* A recurring holiday, expanded into dates at build time. from/until bound the
 * year of the nominal date, not of the observed one. */
struct cpor__rule {
  uint8_t kind;    /* enum cpor__rule_kind */
  uint8_t observe; /* enum cpor__observe (fixed only) */
  uint8_t month;   /* 1..12 (fixed, nth) */
  uint8_t day;     /* 1..31 (fixed) */
  uint8_t dow;     /* 0 = Monday .. 6 = Sunday (nth) */
  int8_t nth;      /* 1..5 or -1..-5 (nth) */
  int16_t offset;  /* days from Easter Sunday, -365..365 (easter) */
  int16_t from;    /* first year, 1..9999 */
  int16_t until;   /* last year, 1..9999 */
};

/* The observed date of a rule in year y; false when it has none that year
 * (a missing 5th weekday, 29 February in a common year). The result may lie
 * outside years 1..9999 when observance or an Easter offset crosses the edge. */
bool cpor__rule_date(const struct cpor__rule *r, int32_t y, int32_t *out);

struct cpor__dates {
  cpor_date *v;
  size_t n, cap;
};

struct cpor_calendar_builder {
  uint32_t weekmask;
  bool has_weekmask; /* only meaningful for a staging builder of add_rules */
  char *name;        /* NULL: no name set */
  struct cpor__dates holidays, workdays;
  struct cpor__rule *rules;
  size_t nrules, caprules;
};

int cpor__dates_push(struct cpor__dates *a, cpor_date d);
int cpor__rules_push(cpor_calendar_builder *b, const struct cpor__rule *r);
void cpor__builder_clear(cpor_calendar_builder *b);

/* Parses rule text into a fresh (zeroed) staging builder; on CPOR_EINVAL,
 * writes "line N: ..." to err. The staging builder must be cleared by the
 * caller in every case. */
int cpor__rules_parse(const char *text, cpor_calendar_builder *stage, char *err, size_t errlen);

/* ---- built calendars ---------------------------------------------------------- */

/* Business days are counted by C(x) = number of business days in [base, x),
 * base being the Monday on or before 0001-01-01: the weekmask gives whole
 * weeks arithmetically, and a sorted list of exceptions (holidays on weekmask
 * days: -1; working days off the weekmask: +1) with their prefix sums corrects
 * it. Inside the table range, C is precomputed densely. */
struct cpor_calendar {
  atomic_long refs;
  char *name;
  uint32_t weekmask;
  int32_t week_count;     /* business days in a plain week */
  int32_t week_prefix[8]; /* business days in the first r days of a week (Monday first) */
  int32_t week_nth[7];    /* weekday of the r-th business day of a week */
  cpor_date base;         /* a Monday, on or before CPOR__DATE_MIN */

  cpor_date *exc;   /* sorted exception dates */
  int32_t *exc_sum; /* exc_sum[i] = sum of the deltas of exc[0..i) */
  size_t nexc;
  int64_t ord_min, ord_end; /* C(DATE_MIN), C(DATE_MAX + 1) */

  /* The table: dates [t0, t0 + tn). tprefix[i] = C(t0 + i) - C(t0), i <= tn;
   * tbday[j] = the business day of table ordinal j, j < ttotal. */
  cpor_date t0;
  uint32_t tn;
  uint32_t tcount_max; /* largest offset a count may use (stays <= DATE_MAX) */
  int64_t tord0;       /* C(t0) */
  int32_t ttotal;
  int32_t *tprefix;
  cpor_date *tbday;
};

/* The exact path is kept out of line, so the table path of the public
 * functions stays a leaf with no stack frame. */
#if defined(__GNUC__)
#define CPOR__COLD __attribute__((noinline, cold))
#else
#define CPOR__COLD
#endif

/* Exact (table-free) queries, for the out-of-table path and for the tests
 * that check the tables against them. Arguments are not NULL-checked. */
CPOR__COLD int cpor__calendar_is_business_exact(const cpor_calendar *cal, cpor_date date);
CPOR__COLD int cpor__calendar_add_exact(const cpor_calendar *cal, cpor_date date, int32_t n,
                                        cpor_date *out);
CPOR__COLD int cpor__calendar_count_exact(const cpor_calendar *cal, cpor_date from, cpor_date to,
                                          int64_t *out);
/* Prepares the arithmetic and the tables of a calendar whose weekmask and
 * exception lists are set. */
int cpor__calendar_prepare(cpor_calendar *cal);

#endif
