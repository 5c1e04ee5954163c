/* Calendar benchmark: ns/op of the business-day queries, scalar and batch, on
 * 1,000,000 random dates in 2005-2024 (fixed seed), for the us-federal
 * calendar and for us-federal with 200 extra random holidays.
 *
 * usage: bench_calendar [PYTHON BENCH_NUMPY_PY]
 * With a Python, each calendar's inputs, results and figures go to a temporary
 * file that bench_numpy.py reads to time numpy.busday_offset/busday_count on
 * the same data, check the results agree and print the speed ratio. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cpor/calendar.h"

#define N 1000000
#define REPEAT 5 /* best of */

static uint64_t rng = 0x2545F4914F6CDD1Du;
static uint32_t rnd(void) {
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return (uint32_t)(rng >> 11);
}

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static cpor_date date(const char *iso) {
  cpor_date d;
  if (cpor_date_parse(iso, &d) != CPOR_OK) abort();
  return d;
}

static void check(int rc, const char *what) {
  if (rc != CPOR_OK) {
    fprintf(stderr, "bench: %s failed: %s\n", what, cpor_strerror(rc));
    exit(1);
  }
}

static cpor_date *dates, *to, *out_add5, *out_addr, *tmp_dates;
static int32_t *nrand;
static int64_t *out_count, *tmp_counts;
static volatile int64_t sink;

enum { ADD5_SCALAR, ADD5_BATCH, ADDR_SCALAR, COUNT_SCALAR, COUNT_BATCH, ISBIZ_SCALAR, NFIG };
static const char *const fig_names[NFIG] = {"add(+5) scalar",           "add(+5) batch",
                                            "add(random +-260) scalar", "count(d, d+0..730) scalar",
                                            "count(d, d+0..730) batch", "is_business_day scalar"};

static double run(const cpor_calendar *cal, int which) {
  double best = 1e30;
  for (int r = 0; r < REPEAT; r++) {
    int64_t acc = 0;
    double t = now();
    switch (which) {
    case ADD5_SCALAR:
      for (size_t i = 0; i < N; i++)
        check(cpor_calendar_add_business_days(cal, dates[i], 5, &out_add5[i]), "add");
      break;
    case ADD5_BATCH:
      check(cpor_calendar_add_business_days_n(cal, dates, N, 5, tmp_dates), "add_n");
      break;
    case ADDR_SCALAR:
      for (size_t i = 0; i < N; i++)
        check(cpor_calendar_add_business_days(cal, dates[i], nrand[i], &out_addr[i]), "add");
      break;
    case COUNT_SCALAR:
      for (size_t i = 0; i < N; i++)
        check(cpor_calendar_count_business_days(cal, dates[i], to[i], &out_count[i]), "count");
      break;
    case COUNT_BATCH:
      check(cpor_calendar_count_business_days_n(cal, dates, to, N, tmp_counts), "count_n");
      break;
    default:
      for (size_t i = 0; i < N; i++)
        acc += cpor_calendar_is_business_day(cal, dates[i]);
      break;
    }
    t = now() - t;
    sink = acc;
    if (t < best) best = t;
  }
  return best * 1e9 / N;
}

/* Layout (native endianness, read by bench_numpy.py): char[8] "CPORBNCH",
 * int32 n, int32 nholidays, double ns[NFIG], int32 dates[n], int32 nrand[n],
 * int32 to[n], int32 holidays[nholidays], int32 add5[n], int32 addr[n],
 * int64 count[n]. */
static int write_data(const char *path, const cpor_calendar *cal, const double *ns) {
  /* The holidays as numpy needs them: every weekday that is not a business
   * day, wide enough for every result of the benchmark. */
  static int32_t hol[20000];
  int32_t nh = 0, n = N;
  for (cpor_date d = date("2000-01-01"); d <= date("2030-12-31"); d++)
    if (cpor_date_weekday(d) < 5 && !cpor_calendar_is_business_day(cal, d)) hol[nh++] = d;
  FILE *f = fopen(path, "wb");
  if (!f) return -1;
  fwrite("CPORBNCH", 1, 8, f);
  fwrite(&n, sizeof n, 1, f);
  fwrite(&nh, sizeof nh, 1, f);
  fwrite(ns, sizeof *ns, NFIG, f);
  fwrite(dates, sizeof *dates, N, f);
  fwrite(nrand, sizeof *nrand, N, f);
  fwrite(to, sizeof *to, N, f);
  fwrite(hol, sizeof *hol, (size_t)nh, f);
  fwrite(out_add5, sizeof *out_add5, N, f);
  fwrite(out_addr, sizeof *out_addr, N, f);
  fwrite(out_count, sizeof *out_count, N, f);
  return fclose(f);
}

static int run_python(const char *python, const char *script, const char *data) {
  fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) {
    execl(python, python, script, data, (char *)NULL);
    perror("bench: exec python");
    _exit(127);
  }
  int status = 0;
  if (pid < 0 || waitpid(pid, &status, 0) < 0) return 1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

static int bench(const char *label, const cpor_calendar *cal, int argc, char **argv) {
  double ns[NFIG];
  printf("calendar %s: %d dates in 2005-2024, weekmask Mon-Fri\n", label, N);
  for (int k = 0; k < NFIG; k++) {
    ns[k] = run(cal, k);
    printf("  %-28s %6.2f ns/op\n", fig_names[k], ns[k]);
  }
  /* Batch and scalar must agree. */
  if (memcmp(tmp_dates, out_add5, N * sizeof *out_add5) ||
      memcmp(tmp_counts, out_count, N * sizeof *out_count)) {
    fprintf(stderr, "bench: batch and scalar results differ\n");
    return 1;
  }
  if (argc < 3) return 0;
  char path[] = "/tmp/cpor-bench-XXXXXX";
  int fd = mkstemp(path);
  if (fd < 0) {
    perror("bench: mkstemp");
    return 1;
  }
  close(fd);
  int rc = write_data(path, cal, ns) ? 1 : run_python(argv[1], argv[2], path);
  unlink(path);
  return rc;
}

int main(int argc, char **argv) {
  dates = malloc(N * sizeof *dates);
  to = malloc(N * sizeof *to);
  nrand = malloc(N * sizeof *nrand);
  out_add5 = malloc(N * sizeof *out_add5);
  out_addr = malloc(N * sizeof *out_addr);
  tmp_dates = malloc(N * sizeof *tmp_dates);
  out_count = malloc(N * sizeof *out_count);
  tmp_counts = malloc(N * sizeof *tmp_counts);
  if (!dates || !to || !nrand || !out_add5 || !out_addr || !tmp_dates || !out_count || !tmp_counts)
    return 1;
  cpor_date lo = date("2005-01-01"), span = date("2024-12-31") - lo + 1;
  for (size_t i = 0; i < N; i++) {
    dates[i] = lo + (cpor_date)(rnd() % (uint32_t)span);
    nrand[i] = (int32_t)(rnd() % 521) - 260;
    to[i] = dates[i] + (cpor_date)(rnd() % 731);
  }

  cpor_calendar *fed = NULL, *more = NULL;
  cpor_calendar_builder *b = NULL;
  check(cpor_calendar_builtin("us-federal", &fed), "builtin");
  check(cpor_calendar_builder_new(&b), "builder");
  check(cpor_calendar_builder_add_rules(b, "weekend sat sun"), "rules");
  int added = 0;
  while (added < 200) {
    cpor_date d = lo + (cpor_date)(rnd() % (uint32_t)span);
    if (cpor_date_weekday(d) < 5 && cpor_calendar_is_business_day(fed, d) == 1) {
      check(cpor_calendar_builder_add_holiday(b, d), "holiday");
      added++;
    }
  }
  /* us-federal itself has 220 holidays in 2005-2024; the second calendar adds
   * 200 more on business days. */
  static const char *const fed_rules =
      "fixed 01-01 observe=nearest\nfrom 1986 nth 01 mon 3\nnth 02 mon 3\nnth 05 mon -1\n"
      "from 2021 fixed 06-19 observe=nearest\nfixed 07-04 observe=nearest\nnth 09 mon 1\n"
      "nth 10 mon 2\nfixed 11-11 observe=nearest\nnth 11 thu 4\nfixed 12-25 observe=nearest\n";
  check(cpor_calendar_builder_add_rules(b, fed_rules), "rules");
  check(cpor_calendar_builder_build(b, &more), "build");

  int rc = bench("us-federal", fed, argc, argv);
  if (rc == 0) rc = bench("us-federal + 200 holidays", more, argc, argv);
  if (argc < 3) printf("numpy comparison skipped: no Python given\n");
  cpor_calendar_unref(fed);
  cpor_calendar_unref(more);
  cpor_calendar_builder_free(b);
  free(dates);
  free(to);
  free(nrand);
  free(out_add5);
  free(out_addr);
  free(tmp_dates);
  free(out_count);
  free(tmp_counts);
  return rc;
}
