/* Deadlines: "n business days after an event" in a policy's time zone
 * (DESIGN.md 1.5). The event's day is its local date, not its UTC date, and the
 * window ends at the first instant of the local day after the due date, so a
 * missing (DST gap) midnight still gives a well-defined exclusive end. */
#include "cpor/calendar.h"

int cpor_calendar_deadline(const cpor_calendar *cal, const cpor_tz *tz, cpor_time event, int32_t n,
                           cpor_date *due, cpor_time *closes_at) {
  if (cal == NULL || tz == NULL || n < 1) return CPOR_EINVAL;
  cpor_date local;
  int rc = cpor_tz_local_date(tz, event, &local);
  if (rc != CPOR_OK) return rc;
  cpor_date d;
  rc = cpor_calendar_add_business_days(cal, local, n, &d);
  if (rc != CPOR_OK) return rc;
  /* Computed even when the caller does not want it, so the status never
   * depends on which outputs were asked for (a due of 9999-12-31 has no
   * following day: CPOR_ERANGE). d is in range here, so d + 1 cannot wrap. */
  cpor_time end;
  rc = cpor_tz_start_of_day(tz, d + 1, &end);
  if (rc != CPOR_OK) return rc;
  if (due != NULL) *due = d;
  if (closes_at != NULL) *closes_at = end;
  return CPOR_OK;
}
