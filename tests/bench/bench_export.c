/* Export / import / verify benchmark (issue #12): a SQLite store of N
 * submitted claims (one line, PoE, submit: 3 events each) at two sizes,
 * N/10 and N; for each, export to a file, import it into a new SQLite file,
 * and verify, each in a fresh process: claims per second and peak RSS
 * (getrusage ru_maxrss) of that process, with SQLite's memory map off. Peak RSS that does not grow
 * with N shows the three stream.
 *
 * usage: bench_export [--full] [N]   (default N = 100000; --full: 1000000).
 * CPOR_BENCH_KEEP set: the stores and exports are kept (their directory is printed).
 * CPOR_BENCH_CACHE_MB=N: SQLite's page cache limit (cache_mb) instead of the
 * default 64 MiB; the peaks follow it, not the store size. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench_util.h"
#include "cpor/cpor.h"

static cpor_manual_clock *clk;

static cpor_ctx *open_ctx(const char *path) {
  if (!clk) MUST(NULL, cpor_manual_clock_new(&clk, BASE_TIME));
  cpor_ctx_options o = CPOR_CTX_OPTIONS_INIT;
  o.db_path = path;
  /* No memory map: its file pages would count in ru_maxrss and hide what the
   * calls themselves hold (the page cache: 64 MiB, or CPOR_BENCH_CACHE_MB). */
  static cpor_sqlite_options sq = CPOR_SQLITE_OPTIONS_INIT;
  sq.mmap_mb = -1;
  const char *cache = getenv("CPOR_BENCH_CACHE_MB");
  if (cache) sq.cache_mb = atoi(cache);
  o.sqlite = &sq;
  o.clock = cpor_manual_clock_now;
  o.clock_user = clk;
  cpor_ctx *ctx = NULL;
  MUST(NULL, cpor_ctx_open(&ctx, &o));
  return ctx;
}

static void build(const char *path, size_t n) {
  cpor_ctx *x = open_ctx(path);
  cpor_actor ops = mk_actor(CPOR_ROLE_SYSTEM, NULL, "ops");
  cpor_actor a = mk_actor(CPOR_ROLE_INCENTIVES_ADMIN, "contoso", "ann");
  MUST(x, cpor_partner_create(x, &ops, "contoso", "Contoso"));
  MUST(x, cpor_location_create(x, &ops, "contoso", "1111111", "HQ"));
  MUST(x, cpor_location_enroll(x, &ops, "1111111", CPOR_PROGRAM_OSU_M365, 1));
  char *cust = NULL;
  MUST(x, cpor_customer_create(x, &ops, "Contoso Ltd", &cust));
  MUST(x, cpor_ctx_begin(x));
  for (size_t i = 0; i < n; i++) {
    char tid[37], domain[64];
    snprintf(tid, sizeof tid, "%08x-0000-4000-8000-000000000000",
             (unsigned)(i / NWL) & 0xffffffffu);
    snprintf(domain, sizeof domain, "t%zu.onmicrosoft.com", i / NWL);
    if (i % NWL == 0) MUST(x, cpor_tenant_create(x, &ops, cust, tid, domain));
    char id[37];
    submit_claim(x, &a, "1111111", tid, domain, M365[i % NWL], id);
    if (i % 1000 == 999) {
      MUST(x, cpor_ctx_commit(x));
      MUST(x, cpor_ctx_begin(x));
    }
  }
  MUST(x, cpor_ctx_commit(x));
  cpor_free(cust);
  cpor_ctx_close(x);
}

static int to_file(void *user, const char *line, size_t len) {
  return fwrite(line, 1, len, user) == len ? 0 : CPOR_ESTORAGE;
}

typedef struct rd {
  FILE *f;
  char *buf;
  size_t cap;
} rd;

static int from_file(void *user, const char **line, size_t *len) {
  rd *r = user;
  ssize_t n = getline(&r->buf, &r->cap, r->f);
  if (n < 0) return ferror(r->f) ? CPOR_ESTORAGE : 0;
  *line = r->buf, *len = (size_t)n;
  return 1;
}

static const cpor_actor sys_actor = {1, CPOR_ROLE_SYSTEM, NULL, "bench"};

/* A line of /proc/self/status in KiB (0 when absent). */
static long status_kb(const char *key) {
  FILE *f = fopen("/proc/self/status", "r");
  char line[256];
  long v = 0;
  size_t n = strlen(key);
  while (f && fgets(line, sizeof line, f))
    if (strncmp(line, key, n) == 0 && line[n] == ':') v = atol(line + n + 1);
  if (f) fclose(f);
  return v;
}

/* fork() after flushing stdout, so that a child prints nothing twice. */
static pid_t spawn(void) {
  fflush(stdout);
  return fork();
}

/* Waits for a child; the benchmark fails when it did. */
static void reap(pid_t pid) {
  int st = 0;
  waitpid(pid, &st, 0);
  if (!WIFEXITED(st) || WEXITSTATUS(st)) exit(1);
}

/* One operation in a fresh process: its seconds and peak RSS (KiB), and at
 * its end the resident memory by kind: the heap (RssAnon) apart from file
 * pages and SQLite's shared WAL index (RssFile, RssShmem). */
static void op(int which, const char *db, const char *file, const char *db2, size_t n) {
  pid_t pid = spawn();
  if (pid == 0) {
    double t0 = now_s();
    if (which == 0) {
      cpor_ctx *x = open_ctx(db);
      FILE *f = fopen(file, "wb");
      MUST(x, cpor_ctx_export(x, &sys_actor, to_file, f));
      fclose(f);
      cpor_ctx_close(x);
    } else if (which == 1) {
      unlink(db2);
      cpor_ctx *x = open_ctx(db2);
      rd r = {fopen(file, "rb"), NULL, 0};
      cpor_import_report rep = CPOR_IMPORT_REPORT_INIT;
      MUST(x, cpor_ctx_import(x, &sys_actor, from_file, &r, &rep));
      fclose(r.f);
      free(r.buf);
      cpor_ctx_close(x);
    } else {
      cpor_ctx *x = open_ctx(db2);
      uint64_t problems = 0;
      MUST(x, cpor_ctx_verify(x, &sys_actor, NULL, NULL, &problems));
      if (problems)
        fprintf(stderr, "bench_export: verify found %llu problems\n", (unsigned long long)problems),
            exit(1);
      cpor_ctx_close(x);
    }
    double dt = now_s() - t0;
    long anon = status_kb("RssAnon"), file_kb = status_kb("RssFile"), shm = status_kb("RssShmem");
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    static const char *const names[] = {"export", "import", "verify"};
    printf("  %-6s %8zu claims  %7.2f s  %9.0f claims/s  peak RSS %4ld MiB  "
           "(at the end: heap %ld, file %ld, shared %ld MiB)\n",
           names[which], n, dt, n / dt, ru.ru_maxrss / 1024, anon / 1024, file_kb / 1024,
           shm / 1024);
    exit(0);
  }
  reap(pid);
}

/* The build in its own process too: a parent that built a store keeps its
 * heap resident, and a child forked from it would count those pages in its
 * peak RSS (the first measurements of this benchmark did). */
static void in_child(void (*fn)(const char *, size_t), const char *db, size_t n) {
  pid_t pid = spawn();
  if (pid == 0) {
    fn(db, n);
    exit(0);
  }
  reap(pid);
}

int main(int argc, char **argv) {
  size_t n = 100000;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--full"))
      n = 1000000;
    else
      n = (size_t)strtoull(argv[i], NULL, 10);
  }
  if (getenv("CPOR_BENCH_FULL")) n = 1000000;
  char dir[] = "/tmp/cpor-bench-export-XXXXXX";
  if (!mkdtemp(dir)) return 1;
  size_t sizes[2] = {n / 10, n};
  int keep = getenv("CPOR_BENCH_KEEP") != NULL;
  printf("bench_export: SQLite, claims with 1 line and 3 events\n");
  for (int k = 0; k < 2; k++) {
    char db[128], file[128], db2[128];
    snprintf(db, sizeof db, "%s/s%d.db", dir, k);
    snprintf(file, sizeof file, "%s/s%d.jsonl", dir, k);
    snprintf(db2, sizeof db2, "%s/s%d-imported.db", dir, k);
    double t0 = now_s();
    in_child(build, db, sizes[k]);
    printf("  built %zu claims in %.1f s\n", sizes[k], now_s() - t0);
    for (int w = 0; w < 3; w++)
      op(w, db, file, db2, sizes[k]);
    if (!keep) unlink(db), unlink(file), unlink(db2);
  }
  if (!keep)
    rmdir(dir);
  else
    printf("  kept %s\n", dir);
  return 0;
}
