/* libFuzzer harness for cpor_tz_parse and the queries on a parsed zone.
 *
 * The input is a TZ string (NUL-terminated here, since the API takes a C
 * string). A zone that parses must also answer every query without crashing
 * and obey start_of_day's defining property (the earliest instant on the day); see README.md to
 * build and run. */
#include <stdlib.h>
#include <string.h>

#include "cpor/calendar.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_day(const cpor_tz *tz, cpor_time t) {
  cpor_date d;
  int32_t off;
  if (cpor_tz_offset(tz, t, &off) == CPOR_OK && (off < -49 * 3600 || off > 49 * 3600)) abort();
  if (cpor_tz_local_date(tz, t, &d) != CPOR_OK) return;
  cpor_time s;
  if (cpor_tz_start_of_day(tz, d, &s) != CPOR_OK) abort();
  cpor_date a, b;
  /* The first instant of d is at or before t and is on d; no earlier instant
   * is (sampled: the millisecond before, then every half hour for two days). */
  if (s > t || cpor_tz_local_date(tz, s, &a) != CPOR_OK || a != d) abort();
  if (cpor_tz_local_date(tz, s - 1, &b) == CPOR_OK && b == d) abort();
  for (int k = 1; k <= 100; k++)
    if (cpor_tz_local_date(tz, s - k * INT64_C(1800000), &b) == CPOR_OK && b == d) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *s = malloc(size + 1);
  if (s == NULL) return 0;
  memcpy(s, data, size);
  s[size] = '\0';
  cpor_tz *tz = (cpor_tz *)&tz;
  int rc = cpor_tz_parse(s, &tz);
  free(s);
  if (rc != CPOR_OK && rc != CPOR_EINVAL) abort();
  if (rc != CPOR_OK) {
    if (tz != NULL) abort();
    return 0;
  }
  /* Instants around year ends, mid-year, and the edges of the supported range. */
  static const cpor_time ts[] = {
      INT64_C(0),
      INT64_C(1704067199999),   /* 2023-12-31T23:59:59.999Z */
      INT64_C(1710064800000),   /* 2024-03-10T10:00:00Z */
      INT64_C(1719792000000),   /* 2024-07-01T00:00:00Z */
      INT64_C(1735689600000),   /* 2025-01-01T00:00:00Z */
      INT64_C(-62135596800000), /* 0001-01-01T00:00:00Z */
      INT64_C(-62135510400000), /* 0001-01-02T00:00:00Z */
      INT64_C(253402214400000), /* 9999-12-31T00:00:00Z */
      INT64_C(253402300799999), /* 9999-12-31T23:59:59.999Z */
      INT64_MIN,
      INT64_MAX,
  };
  for (size_t i = 0; i < sizeof ts / sizeof ts[0]; i++)
    check_day(tz, ts[i]);
  for (cpor_date d = 19800; d < 19800 + 400; d += 7) {
    cpor_time t;
    if (cpor_tz_start_of_day(tz, d, &t) != CPOR_OK) abort();
  }
  cpor_time t;
  if (cpor_tz_start_of_day(tz, -719163, &t) != CPOR_ERANGE) abort();
  if (cpor_tz_start_of_day(tz, 2932897, &t) != CPOR_ERANGE) abort();
  cpor_tz_free(tz);
  return 0;
}
