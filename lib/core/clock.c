/* Clocks: the system clock (the default) and a settable one for tests. The
 * rules never read a clock: the context reads one once per call. */
#include <stdlib.h>
#include <time.h>

#include "cpor/context.h"

struct cpor_manual_clock {
  cpor_time now;
};

int cpor_manual_clock_new(cpor_manual_clock **out, cpor_time start) {
  if (!out) return CPOR_EINVAL;
  *out = calloc(1, sizeof **out);
  if (!*out) return CPOR_ENOMEM;
  (*out)->now = start;
  return CPOR_OK;
}

void cpor_manual_clock_free(cpor_manual_clock *clock) {
  free(clock);
}
void cpor_manual_clock_set(cpor_manual_clock *clock, cpor_time now) {
  if (clock) clock->now = now;
}
void cpor_manual_clock_advance(cpor_manual_clock *clock, int64_t ms) {
  if (!clock) return;
  /* Saturates instead of overflowing (UBSan clean at the extremes). */
  if (ms > 0 && clock->now > INT64_MAX - ms)
    clock->now = INT64_MAX;
  else if (ms < 0 && clock->now < INT64_MIN - ms)
    clock->now = INT64_MIN;
  else
    clock->now += ms;
}
cpor_time cpor_manual_clock_get(const cpor_manual_clock *clock) {
  return clock ? clock->now : CPOR_TIME_NONE;
}

int cpor_manual_clock_now(void *clock, cpor_time *out) {
  if (!clock || !out) return CPOR_EINVAL;
  *out = ((cpor_manual_clock *)clock)->now;
  return CPOR_OK;
}

int cpor_system_clock_now(void *user, cpor_time *out) {
  (void)user;
  if (!out) return CPOR_EINVAL;
  struct timespec ts;
  if (clock_gettime(CLOCK_REALTIME, &ts) != 0) return CPOR_ESTORAGE;
  *out = (cpor_time)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
  return CPOR_OK;
}
