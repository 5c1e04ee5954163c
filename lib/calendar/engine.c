/* Business-day queries.
 *
 * Everything rests on C(x), the number of business days in [base, x) (see
 * internal.h): count(a, b) = C(b) - C(a), and the n-th business day after d
 * is the business day whose ordinal is C(d + 1) + n - 1. Inside the table
 * range C and its inverse are arrays, so a query is two loads; outside it
 * they are computed exactly from the weekmask and the exception list. */
#include <stdlib.h>

#include "internal.h"

/* ---- exact path ------------------------------------------------------------ */

/* Weekmask days in [base, x), x >= base. */
static inline int64_t mask_count(const cpor_calendar *cal, cpor_date x) {
  int64_t off = (int64_t)x - cal->base;
  return off / 7 * cal->week_count + cal->week_prefix[off % 7];
}

/* The first index i with exc[i] >= x. */
static size_t lower_bound(const cpor_date *v, size_t n, cpor_date x) {
  size_t lo = 0;
  while (n > 0) {
    size_t half = n / 2;
    if (v[lo + half] < x) {
      lo += half + 1;
      n -= half + 1;
    } else {
      n = half;
    }
  }
  return lo;
}

static int64_t ordinal(const cpor_calendar *cal, cpor_date x) {
  return mask_count(cal, x) + cal->exc_sum[lower_bound(cal->exc, cal->nexc, x)];
}

/* The t-th (0-based) weekmask day counted from base. */
static int64_t mask_nth(const cpor_calendar *cal, int64_t t) {
  return cal->base + t / cal->week_count * 7 + cal->week_nth[t % cal->week_count];
}

/* The business day whose ordinal is k, CPOR_ERANGE if none is in range. */
static int from_ordinal(const cpor_calendar *cal, int64_t k, cpor_date *out) {
  if (k < cal->ord_min || k >= cal->ord_end) return CPOR_ERANGE;
  /* The first exception i past which the ordinal has been reached. Between
   * exceptions C is the weekmask count plus a constant, inverted directly. */
  size_t lo = 0, n = cal->nexc;
  while (n > 0) {
    size_t half = n / 2, i = lo + half;
    if (mask_count(cal, cal->exc[i] + 1) + cal->exc_sum[i + 1] <= k) {
      lo = i + 1;
      n -= half + 1;
    } else {
      n = half;
    }
  }
  int64_t y = mask_nth(cal, k - cal->exc_sum[lo]);
  if (lo < cal->nexc && y >= cal->exc[lo]) y = cal->exc[lo]; /* a working day off the weekmask */
  *out = (cpor_date)y;
  return CPOR_OK;
}

CPOR__COLD int cpor__calendar_is_business_exact(const cpor_calendar *cal, cpor_date date) {
  if (!cpor__date_in_range(date)) return CPOR_ERANGE;
  size_t i = lower_bound(cal->exc, cal->nexc, date);
  if (i < cal->nexc && cal->exc[i] == date) return cal->exc_sum[i + 1] > cal->exc_sum[i];
  return (cal->weekmask >> cpor_date_weekday(date)) & 1;
}

CPOR__COLD int cpor__calendar_add_exact(const cpor_calendar *cal, cpor_date date, int32_t n,
                                        cpor_date *out) {
  if (!cpor__date_in_range(date)) return CPOR_ERANGE;
  int pos = n > 0;
  return from_ordinal(cal, ordinal(cal, date + pos) + n - pos, out);
}

CPOR__COLD int cpor__calendar_count_exact(const cpor_calendar *cal, cpor_date from, cpor_date to,
                                          int64_t *out) {
  if (!cpor__date_in_range(from) || !cpor__date_in_range(to)) return CPOR_ERANGE;
  *out = ordinal(cal, to) - ordinal(cal, from);
  return CPOR_OK;
}

/* ---- preparation -------------------------------------------------------------- */

int cpor__calendar_prepare(cpor_calendar *cal) {
  int32_t r = 0;
  cal->week_prefix[0] = 0;
  for (int w = 0; w < 7; w++) {
    if ((cal->weekmask >> w) & 1) cal->week_nth[r++] = w;
    cal->week_prefix[w + 1] = r;
  }
  cal->week_count = r;
  cal->base = CPOR__DATE_MIN - cpor_date_weekday(CPOR__DATE_MIN);
  cal->ord_min = ordinal(cal, CPOR__DATE_MIN);
  cal->ord_end = ordinal(cal, CPOR__DATE_MAX + 1);

  cpor_date t0 = cpor__days_from_civil(CPOR_TABLE_FIRST_YEAR, 1, 1);
  cpor_date t1 = cpor__days_from_civil(CPOR_TABLE_LAST_YEAR + 1, 1, 1);
  if (t1 < t0) t1 = t0;
  cal->t0 = t0;
  cal->tn = (uint32_t)(t1 - t0);
  cal->tcount_max = t1 <= CPOR__DATE_MAX ? cal->tn : (uint32_t)(CPOR__DATE_MAX - t0);
  cal->tord0 = ordinal(cal, t0);
  cal->tprefix = malloc(((size_t)cal->tn + 1) * sizeof *cal->tprefix);
  cal->tbday = malloc(((size_t)cal->tn + 1) * sizeof *cal->tbday);
  if (!cal->tprefix || !cal->tbday) return CPOR_ENOMEM;
  size_t e = lower_bound(cal->exc, cal->nexc, t0);
  int32_t count = 0;
  for (uint32_t i = 0; i < cal->tn; i++) {
    cpor_date d = t0 + (cpor_date)i;
    bool business = (cal->weekmask >> cpor_date_weekday(d)) & 1;
    if (e < cal->nexc && cal->exc[e] == d) {
      business = cal->exc_sum[e + 1] > cal->exc_sum[e];
      e++;
    }
    cal->tprefix[i] = count;
    if (business) cal->tbday[count++] = d;
  }
  cal->tprefix[cal->tn] = count;
  cal->ttotal = count;
  return CPOR_OK;
}

/* ---- fast path ---------------------------------------------------------------- */

static inline int add_one(const cpor_calendar *cal, cpor_date date, int32_t n, cpor_date *out) {
  /* Unsigned offsets: one comparison rejects dates on both sides. */
  uint32_t off = (uint32_t)date - (uint32_t)cal->t0;
  if (off < cal->tn) {
    int pos = n > 0;
    int64_t k = (int64_t)cal->tprefix[off + (uint32_t)pos] + n - pos;
    if ((uint64_t)k < (uint64_t)cal->ttotal) {
      *out = cal->tbday[k];
      return CPOR_OK;
    }
  }
  return cpor__calendar_add_exact(cal, date, n, out);
}

static inline int count_one(const cpor_calendar *cal, cpor_date from, cpor_date to, int64_t *out) {
  uint32_t a = (uint32_t)from - (uint32_t)cal->t0, b = (uint32_t)to - (uint32_t)cal->t0;
  if (a <= cal->tcount_max && b <= cal->tcount_max) {
    *out = (int64_t)cal->tprefix[b] - cal->tprefix[a];
    return CPOR_OK;
  }
  return cpor__calendar_count_exact(cal, from, to, out);
}

static inline int is_business(const cpor_calendar *cal, cpor_date date) {
  uint32_t off = (uint32_t)date - (uint32_t)cal->t0;
  if (off < cal->tn) return cal->tprefix[off + 1] - cal->tprefix[off];
  return cpor__calendar_is_business_exact(cal, date);
}

int cpor_calendar_is_business_day(const cpor_calendar *cal, cpor_date date) {
  if (!cal) return CPOR_EINVAL;
  return is_business(cal, date);
}

int cpor_calendar_add_business_days(const cpor_calendar *cal, cpor_date date, int32_t n,
                                    cpor_date *out) {
  if (!cal || !out) return CPOR_EINVAL;
  return add_one(cal, date, n, out);
}

int cpor_calendar_count_business_days(const cpor_calendar *cal, cpor_date from, cpor_date to,
                                      int64_t *out) {
  if (!cal || !out) return CPOR_EINVAL;
  return count_one(cal, from, to, out);
}

int cpor_calendar_add_business_days_n(const cpor_calendar *cal, const cpor_date *dates,
                                      size_t count, int32_t n, cpor_date *out) {
  if (!cal || (count && (!dates || !out))) return CPOR_EINVAL;
  /* The loop body is add_one with the constants hoisted; a date or result
   * off the table takes the exact path for that element only. */
  const int32_t *prefix = cal->tprefix;
  const cpor_date *bday = cal->tbday;
  const uint32_t t0 = (uint32_t)cal->t0, tn = cal->tn;
  const uint64_t total = (uint64_t)cal->ttotal;
  const int pos = n > 0;
  const int64_t adj = (int64_t)n - pos;
  int rc = CPOR_OK;
  for (size_t i = 0; i < count; i++) {
    uint32_t off = (uint32_t)dates[i] - t0;
    if (off < tn) {
      int64_t k = prefix[off + (uint32_t)pos] + adj;
      if ((uint64_t)k < total) {
        out[i] = bday[k];
        continue;
      }
    }
    int r = cpor__calendar_add_exact(cal, dates[i], n, &out[i]);
    if (r != CPOR_OK && rc == CPOR_OK) rc = r;
  }
  return rc;
}

int cpor_calendar_count_business_days_n(const cpor_calendar *cal, const cpor_date *from,
                                        const cpor_date *to, size_t count, int64_t *out) {
  if (!cal || (count && (!from || !to || !out))) return CPOR_EINVAL;
  const int32_t *prefix = cal->tprefix;
  const uint32_t t0 = (uint32_t)cal->t0, max = cal->tcount_max;
  int rc = CPOR_OK;
  for (size_t i = 0; i < count; i++) {
    uint32_t a = (uint32_t)from[i] - t0, b = (uint32_t)to[i] - t0;
    if (a <= max && b <= max) {
      out[i] = (int64_t)prefix[b] - prefix[a];
      continue;
    }
    int r = cpor__calendar_count_exact(cal, from[i], to[i], &out[i]);
    if (r != CPOR_OK && rc == CPOR_OK) rc = r;
  }
  return rc;
}

/* ---- rolling ---------------------------------------------------------------------- */

static int preceding(const cpor_calendar *cal, cpor_date date, cpor_date *out) {
  int b = is_business(cal, date);
  if (b < 0) return b;
  if (b) {
    *out = date;
    return CPOR_OK;
  }
  return add_one(cal, date, -1, out);
}

static bool same_month(cpor_date a, cpor_date b) {
  int32_t ya, ma, yb, mb;
  cpor_date_to_ymd(a, &ya, &ma, NULL);
  cpor_date_to_ymd(b, &yb, &mb, NULL);
  return ya == yb && ma == mb;
}

int cpor_calendar_adjust(const cpor_calendar *cal, cpor_date date, cpor_roll roll, cpor_date *out) {
  if (!cal || !out || (unsigned)roll > CPOR_ROLL_NEAREST) return CPOR_EINVAL;
  if (!cpor__date_in_range(date)) return CPOR_ERANGE;
  cpor_date f = 0, p = 0;
  int rf, rp;
  switch (roll) {
  case CPOR_ROLL_UNADJUSTED:
    *out = date;
    return CPOR_OK;
  case CPOR_ROLL_FOLLOWING:
    return add_one(cal, date, 0, out);
  case CPOR_ROLL_PRECEDING:
    return preceding(cal, date, out);
  default:
    break;
  }
  rf = add_one(cal, date, 0, &f);
  rp = preceding(cal, date, &p);
  bool fok = rf == CPOR_OK, pok = rp == CPOR_OK;
  switch (roll) {
  case CPOR_ROLL_MODIFIED_FOLLOWING:
    /* Stay in the month; if neither way does (a month with no business
     * day), plain following. */
    if (fok && same_month(f, date))
      *out = f;
    else if (pok && same_month(p, date))
      *out = p;
    else if (fok || pok)
      *out = fok ? f : p;
    else
      return CPOR_ERANGE;
    return CPOR_OK;
  case CPOR_ROLL_MODIFIED_PRECEDING:
    if (pok && same_month(p, date))
      *out = p;
    else if (fok && same_month(f, date))
      *out = f;
    else if (fok || pok)
      *out = pok ? p : f;
    else
      return CPOR_ERANGE;
    return CPOR_OK;
  default: /* CPOR_ROLL_NEAREST: ties go forward */
    if (fok && pok)
      *out = (int64_t)f - date <= (int64_t)date - p ? f : p;
    else if (fok || pok)
      *out = fok ? f : p;
    else
      return CPOR_ERANGE;
    return CPOR_OK;
  }
}
