/* Civil dates: day numbers since 1970-01-01 in the proleptic Gregorian
 * calendar. The conversions follow the idea of Howard Hinnant's
 * days_from_civil/civil_from_days: count in 400-year eras (146097 days) with
 * years starting on 1 March, so the leap day is the last day of a year and
 * month lengths follow a linear formula. */
#include "internal.h"

static bool is_leap(int64_t y) {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int32_t cpor__days_in_month(int32_t y, int32_t m) {
  static const int8_t len[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m < 1 || m > 12) return 0;
  return len[m - 1] + (m == 2 && is_leap(y));
}

int32_t cpor__days_from_civil(int32_t year, int32_t month, int32_t day) {
  int64_t y = (int64_t)year - (month <= 2);
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;                                            /* 0..399 */
  int64_t doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1; /* 0..365 */
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;                    /* 0..146096 */
  return (int32_t)(era * 146097 + doe - 719468);
}

int cpor_date_from_ymd(int32_t year, int32_t month, int32_t day, cpor_date *out) {
  if (!out || month < 1 || month > 12 || day < 1 || day > cpor__days_in_month(year, month))
    return CPOR_EINVAL;
  if (year < 1 || year > 9999) return CPOR_ERANGE;
  *out = cpor__days_from_civil(year, month, day);
  return CPOR_OK;
}

void cpor_date_to_ymd(cpor_date date, int32_t *year, int32_t *month, int32_t *day) {
  /* 64-bit arithmetic: any int32 day number converts without overflow. */
  int64_t z = (int64_t)date + 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097;                                      /* 0..146096 */
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* 0..399 */
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);               /* 0..365 */
  int64_t mp = (5 * doy + 2) / 153;                                    /* 0..11, March first */
  int64_t d = doy - (153 * mp + 2) / 5 + 1;
  int64_t m = mp < 10 ? mp + 3 : mp - 9;
  int64_t y = yoe + era * 400 + (m <= 2);
  if (year) *year = (int32_t)y;
  if (month) *month = (int32_t)m;
  if (day) *day = (int32_t)d;
}

static bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

static bool digits(const char *s, int n, int32_t *out) {
  int32_t v = 0;
  for (int i = 0; i < n; i++) {
    if (!is_digit(s[i])) return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return true;
}

int cpor_date_parse(const char *iso, cpor_date *out) {
  int32_t y, m, d;
  if (!iso || !out) return CPOR_EINVAL;
  /* Check each position before reading the next, so a short string is never
   * read past its NUL. */
  if (!digits(iso, 4, &y) || iso[4] != '-' || !digits(iso + 5, 2, &m) || iso[7] != '-' ||
      !digits(iso + 8, 2, &d) || iso[10] != '\0')
    return CPOR_EINVAL;
  return cpor_date_from_ymd(y, m, d, out);
}

int cpor_date_format(cpor_date date, char *buf, size_t len) {
  int32_t y, m, d;
  if (!buf || len < 11) return CPOR_EINVAL;
  if (!cpor__date_in_range(date)) return CPOR_ERANGE;
  cpor_date_to_ymd(date, &y, &m, &d);
  buf[0] = (char)('0' + y / 1000);
  buf[1] = (char)('0' + y / 100 % 10);
  buf[2] = (char)('0' + y / 10 % 10);
  buf[3] = (char)('0' + y % 10);
  buf[4] = '-';
  buf[5] = (char)('0' + m / 10);
  buf[6] = (char)('0' + m % 10);
  buf[7] = '-';
  buf[8] = (char)('0' + d / 10);
  buf[9] = (char)('0' + d % 10);
  buf[10] = '\0';
  return CPOR_OK;
}

int cpor_date_weekday(cpor_date date) {
  /* 1970-01-01 was a Thursday (3); floor modulo for days before it. */
  int64_t r = ((int64_t)date + 3) % 7;
  return (int)(r < 0 ? r + 7 : r);
}

cpor_date cpor__easter(int32_t y) {
  /* The Gregorian computus as Knuth gives it (TAOCP 1.3.2, exercise 14):
   * golden number, century corrections, epact, paschal full moon, Sunday
   * after. Kept apart from the Meeus/Jones/Butcher form the tests use, so
   * the two check each other. */
  int32_t g = y % 19 + 1;
  int32_t c = y / 100 + 1;
  int32_t x = 3 * c / 4 - 12;                         /* leap days dropped since 1582 */
  int32_t z = (8 * c + 5) / 25 - 5;                   /* moon's orbit correction */
  int32_t d = 5 * y / 4 - x - 10;                     /* March ((-d) mod 7) is a Sunday */
  int32_t e = ((11 * g + 20 + z - x) % 30 + 30) % 30; /* epact */
  if ((e == 25 && g > 11) || e == 24) e++;
  int32_t n = 44 - e; /* paschal full moon: March n */
  if (n < 21) n += 30;
  n = n + 7 - (d + n) % 7;
  return n > 31 ? cpor__days_from_civil(y, 4, n - 31) : cpor__days_from_civil(y, 3, n);
}
