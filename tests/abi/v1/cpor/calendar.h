/* libcpor — dates, business-day calendars, POSIX time zones and deadlines.
 *
 * Everything here is pure: no context, no host clock, no host time zone, no
 * locale. A built cpor_calendar and a parsed cpor_tz are immutable and may be
 * shared between threads freely.
 *
 * Supported range: years 0001-9999 (proleptic Gregorian). A date outside that
 * range given to a calendar function is CPOR_ERANGE; a result that would leave
 * it is CPOR_ERANGE too. */
#ifndef CPOR_CALENDAR_H
#define CPOR_CALENDAR_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef int32_t cpor_date;                  /* days since 1970-01-01, proleptic Gregorian */
typedef int64_t cpor_time;                  /* milliseconds since 1970-01-01T00:00:00Z */
typedef struct cpor_calendar cpor_calendar; /* immutable once built; thread-safe */
typedef struct cpor_calendar_builder cpor_calendar_builder;
typedef struct cpor_tz cpor_tz; /* immutable once parsed; thread-safe */

typedef enum cpor_roll {
  CPOR_ROLL_UNADJUSTED,
  CPOR_ROLL_FOLLOWING,
  CPOR_ROLL_MODIFIED_FOLLOWING,
  CPOR_ROLL_PRECEDING,
  CPOR_ROLL_MODIFIED_PRECEDING,
  CPOR_ROLL_NEAREST /* the nearest business day; ties go forward */
} cpor_roll;

/* ---- dates ---------------------------------------------------------------- */

/* CPOR_EINVAL for an impossible date (2026-02-30, month 13), CPOR_ERANGE for a
 * year outside 1..9999. *out is left untouched on failure. */
CPOR_API int cpor_date_from_ymd(int32_t year, int32_t month, int32_t day, cpor_date *out);
/* Any of the out pointers may be NULL. */
CPOR_API void cpor_date_to_ymd(cpor_date date, int32_t *year, int32_t *month, int32_t *day);
/* Exactly "YYYY-MM-DD" (four-digit year, two-digit month and day, nothing
 * before or after): CPOR_EINVAL otherwise; CPOR_ERANGE for year 0000. */
CPOR_API int cpor_date_parse(const char *iso, cpor_date *out);
/* Writes "YYYY-MM-DD" and a NUL: len must be >= 11 (CPOR_EINVAL otherwise);
 * CPOR_ERANGE for a date outside years 1..9999. */
CPOR_API int cpor_date_format(cpor_date date, char *buf, size_t len);
/* 0 = Monday ... 6 = Sunday. */
CPOR_API int cpor_date_weekday(cpor_date date);

/* ---- building calendars ----------------------------------------------------- */

/* A new builder: weekmask Monday-Friday, no holidays, no rules. */
CPOR_API int cpor_calendar_builder_new(cpor_calendar_builder **out);
CPOR_API void cpor_calendar_builder_free(cpor_calendar_builder *b); /* NULL is a no-op */
/* bit 0 = Monday ... bit 6 = Sunday; set = business day. CPOR_EINVAL for bits
 * above 6 or an empty mask. */
CPOR_API int cpor_calendar_builder_set_weekmask(cpor_calendar_builder *b, uint32_t mask);
CPOR_API int cpor_calendar_builder_add_holiday(cpor_calendar_builder *b, cpor_date date);
/* A weekend day that is worked. A date that is both a holiday and a working
 * day is a holiday. */
CPOR_API int cpor_calendar_builder_add_working_day(cpor_calendar_builder *b, cpor_date date);
/* Adds the rules of the calendar rule language (see DESIGN.md). On error the
 * builder is unchanged; cpor_calendar_parse gives the line and reason. */
CPOR_API int cpor_calendar_builder_add_rules(cpor_calendar_builder *b, const char *text);
/* Builds an immutable calendar (reference count 1). The builder stays usable. */
CPOR_API int cpor_calendar_builder_build(cpor_calendar_builder *b, cpor_calendar **out);

/* Built-in calendars: "weekends" (Saturday and Sunday off, no holidays) and
 * "us-federal" (US federal holidays with observance). CPOR_ENOTFOUND for any
 * other name. */
CPOR_API int cpor_calendar_builtin(const char *name, cpor_calendar **out);
/* Parses rule text into a calendar. On CPOR_EINVAL, err (if not NULL and
 * errlen > 0) receives "line N: what is wrong", NUL-terminated and truncated
 * to errlen. */
CPOR_API int cpor_calendar_parse(const char *text, cpor_calendar **out, char *err, size_t errlen);
/* Reference counting: ref returns cal; unref of the last reference frees it.
 * Both accept NULL. Atomic: safe from several threads. */
CPOR_API cpor_calendar *cpor_calendar_ref(cpor_calendar *cal);
CPOR_API void cpor_calendar_unref(cpor_calendar *cal);
/* The calendar's name ("" when it has none). */
CPOR_API const char *cpor_calendar_name(const cpor_calendar *cal);

/* ---- queries ---------------------------------------------------------------- */

/* 1, 0, or a negative error (CPOR_EINVAL for NULL, CPOR_ERANGE). */
CPOR_API int cpor_calendar_is_business_day(const cpor_calendar *cal, cpor_date date);
/* n > 0: the n-th business day strictly after date; n < 0: the |n|-th strictly
 * before; n == 0: date rolled with CPOR_ROLL_FOLLOWING. */
CPOR_API int cpor_calendar_add_business_days(const cpor_calendar *cal, cpor_date date, int32_t n,
                                             cpor_date *out);
/* Business days in the half-open range [from, to); count(a, b) == -count(b, a). */
CPOR_API int cpor_calendar_count_business_days(const cpor_calendar *cal, cpor_date from,
                                               cpor_date to, int64_t *out);
CPOR_API int cpor_calendar_adjust(const cpor_calendar *cal, cpor_date date, cpor_roll roll,
                                  cpor_date *out);
/* Batch form: out[i] = add_business_days(dates[i], n). On error, returns the
 * first error; out[] is then unspecified. dates and out may be the same array. */
CPOR_API int cpor_calendar_add_business_days_n(const cpor_calendar *cal, const cpor_date *dates,
                                               size_t count, int32_t n, cpor_date *out);
/* Batch form: out[i] = count_business_days(from[i], to[i]). */
CPOR_API int cpor_calendar_count_business_days_n(const cpor_calendar *cal, const cpor_date *from,
                                                 const cpor_date *to, size_t count, int64_t *out);

/* ---- time zones ------------------------------------------------------------- */

/* Parses a POSIX TZ rule string ("UTC0", "PST8PDT,M3.2.0,M11.1.0",
 * "CET-1CEST,M3.5.0,M10.5.0/3", "<+0530>-5:30", Jn and n day forms, transition
 * times from -167 to 167 hours). A leading ':' or a zoneinfo name is not a
 * rule: CPOR_EINVAL. Never reads the host's TZ or zoneinfo. */
CPOR_API int cpor_tz_parse(const char *posix, cpor_tz **out);
CPOR_API void cpor_tz_free(cpor_tz *tz); /* NULL is a no-op */
/* The local civil date of an instant. */
CPOR_API int cpor_tz_local_date(const cpor_tz *tz, cpor_time t, cpor_date *out);
/* The first instant of a local date; when local midnight does not exist (a
 * DST gap), the earliest valid instant of that date. */
CPOR_API int cpor_tz_start_of_day(const cpor_tz *tz, cpor_date date, cpor_time *out);
/* UTC offset in seconds (local = UTC + offset) in force at instant t. */
CPOR_API int cpor_tz_offset(const cpor_tz *tz, cpor_time t, int32_t *out_seconds);

/* The deadline of "n business days after the event": due = the n-th business
 * day strictly after the event's local date (n >= 1); closes_at = the first
 * instant of the local day after due (the window's exclusive end). Either out
 * pointer may be NULL. CPOR_EINVAL for n < 1. */
CPOR_API int cpor_calendar_deadline(const cpor_calendar *cal, const cpor_tz *tz, cpor_time event,
                                    int32_t n, cpor_date *due, cpor_time *closes_at);

#ifdef __cplusplus
}
#endif

#endif /* CPOR_CALENDAR_H */
