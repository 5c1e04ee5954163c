/* Durability (DESIGN.md Part 4): a process killed in the middle of writing to
 * a SQLite file loses nothing it was told was committed, and leaves no
 * partial claim behind.
 *
 * A child opens a context on the file and writes claims in a loop: creates,
 * PoE, submissions, contested submissions (two claims written at once),
 * reviews, approvals that reject a competitor (two claims), batches of
 * several claims in one transaction, and cpor_ctx_advance. After every call
 * that returned CPOR_OK it tells the parent, through a pipe, the claim and
 * the number of history events that claim has at least. The parent SIGKILLs
 * it at a random moment, then checks the file: integrity_check is "ok",
 * every reported claim is there with at least its reported history, and
 * every claim in the store is whole (events 1..next_seq-1, unit rows for its
 * live lines, no orphan rows). Random kill points; assertions hold for any. */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/records.h"
#include "store/storage.h"
#include "dbcheck.h"

#define DAY_MS 86400000LL
#define BASE_TIME ((cpor_time)20759 * DAY_MS + 9 * 3600000LL) /* 2026-11-02 09:00 UTC */

static const char *const TEAMS[] = {"TEAMS", NULL};

typedef struct report {
  char id[37];
  unsigned events; /* the claim has at least this many history events */
} report;

static struct {
  test_dbfile file;
  char customer[40];
} env;

static cpor_ctx *open_ctx(const char *path, cpor_manual_clock *clock) {
  cpor_ctx *ctx = NULL;
  test_ok(test_open_file_ctx(path, clock, -1, &ctx), NULL, path);
  return ctx;
}

/* The file with two partners and a customer; tenants come per claim. */
static void setup_file(void) {
  test_dbfile_make(&env.file, "dur");
  cpor_manual_clock *clock = NULL;
  test_ok(cpor_manual_clock_new(&clock, BASE_TIME), NULL, "clock");
  cpor_ctx *x = open_ctx(env.file.path, clock);
  test_ok(cpor_partner_create(x, SYS, "contoso", "Contoso"), x, "partner");
  test_ok(cpor_partner_create(x, SYS, "fabrikam", "Fabrikam"), x, "partner");
  test_ok(cpor_location_create(x, SYS, "contoso", "1111111", "HQ"), x, "location");
  test_ok(cpor_location_create(x, SYS, "fabrikam", "2222222", "HQ"), x, "location");
  test_ok(cpor_location_enroll(x, SYS, "1111111", CPOR_PROGRAM_OSU_M365, 1), x, "enroll");
  test_ok(cpor_location_enroll(x, SYS, "2222222", CPOR_PROGRAM_OSU_M365, 1), x, "enroll");
  char *cust = NULL;
  test_ok(cpor_customer_create(x, SYS, "Contoso Ltd", &cust), x, "customer");
  snprintf(env.customer, sizeof env.customer, "%s", cust);
  cpor_free(cust);
  cpor_ctx_close(x);
  cpor_manual_clock_free(clock);
}

static void teardown_file(void) {
  test_dbfile_remove(&env.file);
}

/* ---- the child ------------------------------------------------------------ */

typedef struct writer {
  cpor_ctx *ctx;
  cpor_manual_clock *clock;
  int fd;
  cpor_actor a, b, reviewer;
} writer;

static void child_fail(writer *w, const char *what, int rc) {
  fprintf(stderr, "child: %s: %s (%s)\n", what, cpor_status_name(rc) ? cpor_status_name(rc) : "?",
          w->ctx ? cpor_ctx_errmsg(w->ctx) : "");
  _exit(3);
}

static void tell(writer *w, const char *id, unsigned events) {
  char line[64];
  int n = snprintf(line, sizeof line, "%s %u\n", id, events);
  /* Shorter than PIPE_BUF: the write is atomic. */
  if (write(w->fd, line, (size_t)n) != n) _exit(4);
}

static void must(writer *w, int rc, const char *what) {
  if (rc != CPOR_OK) child_fail(w, what, rc);
}

static void tenant_of(unsigned round, unsigned i, char tid[37], char domain[64]) {
  snprintf(tid, 37, "%08x-0000-4000-8000-%012x", round, i);
  snprintf(domain, 64, "t%u-%u.onmicrosoft.com", round, i);
}

/* A claim with one line and a PoE, not yet submitted (2 events). */
static void create_claim(writer *w, const cpor_actor *who, const char *mpn, const char *tid,
                         const char *domain, char id[37], int report_each) {
  cpor_claim_spec s = test_spec("durability", mpn, tid, domain, CPOR_AREA_M365, 1, TEAMS);
  cpor_claim *c = NULL;
  must(w, cpor_claim_create(w->ctx, who, &s, &c), "create");
  snprintf(id, 37, "%s", cpor_claim_id(c));
  cpor_claim_free(c);
  if (report_each) tell(w, id, 1);
  must(w,
       cpor_claim_add_poe(w->ctx, who, id, "usage.pdf", "application/pdf",
                          "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", 1234),
       "poe");
  if (report_each) tell(w, id, 2);
}

static _Noreturn void child_main(int fd, unsigned round) {
  writer w = {0};
  w.fd = fd;
  w.a = test_actor(CPOR_ROLE_INCENTIVES_ADMIN, "contoso", "ann");
  w.b = test_actor(CPOR_ROLE_INCENTIVES_ADMIN, "fabrikam", "bob");
  w.reviewer = test_actor(CPOR_ROLE_REVIEWER, NULL, "rita");
  /* Each round lives 1000 days after the last: its windows are its own. */
  if (cpor_manual_clock_new(&w.clock, BASE_TIME + (cpor_time)round * 1000 * DAY_MS)) _exit(5);
  cpor_ctx_options o = CPOR_CTX_OPTIONS_INIT;
  o.db_path = env.file.path;
  o.clock = cpor_manual_clock_now;
  o.clock_user = w.clock;
  if (cpor_ctx_open(&w.ctx, &o) != CPOR_OK) _exit(6);
  for (unsigned i = 0;; i++) {
    char tid[37], domain[64], a[37], b[37];
    tenant_of(round, i, tid, domain);
    must(&w, cpor_tenant_create(w.ctx, SYS, env.customer, tid, domain), "tenant");
    if (i % 5 == 4) {
      /* A batch: three claims of three tenants, committed together. */
      char ids[3][37], t2[37], d2[64];
      must(&w, cpor_ctx_begin(w.ctx), "begin");
      for (unsigned k = 0; k < 3; k++) {
        tenant_of(round, 100000 + i * 3 + k, t2, d2);
        must(&w, cpor_tenant_create(w.ctx, SYS, env.customer, t2, d2), "tenant in batch");
        create_claim(&w, &w.a, "1111111", t2, d2, ids[k], 0);
        must(&w, cpor_claim_submit(w.ctx, &w.a, ids[k]), "submit in batch");
      }
      must(&w, cpor_ctx_commit(w.ctx), "commit");
      for (unsigned k = 0; k < 3; k++)
        tell(&w, ids[k], 3);
    }
    create_claim(&w, &w.a, "1111111", tid, domain, a, 1);
    must(&w, cpor_claim_submit(w.ctx, &w.a, a), "submit");
    tell(&w, a, 3);
    int contested = i % 2 == 0;
    if (contested) {
      /* A competitor: its submission writes both claims (contested). */
      create_claim(&w, &w.b, "2222222", tid, domain, b, 1);
      must(&w, cpor_claim_submit(w.ctx, &w.b, b), "submit b");
      tell(&w, b, 4); /* created, poe, submitted, contested */
      tell(&w, a, 4); /* + contested */
    }
    must(&w, cpor_claim_start_review(w.ctx, &w.reviewer, a), "review");
    tell(&w, a, contested ? 5 : 4);
    if (i % 3 != 2) {
      /* Approval rejects the competitor (lost arbitration): two claims. */
      must(&w, cpor_claim_approve(w.ctx, &w.reviewer, a), "approve");
      tell(&w, a, contested ? 6 : 5);
      if (contested) tell(&w, b, 5);
    }
    cpor_manual_clock_advance(w.clock, DAY_MS);
    if (i % 4 == 3) {
      /* Windows of the approvals a week ago close: several claims change. */
      size_t changed = 0;
      must(&w, cpor_ctx_advance(w.ctx, &changed), "advance");
    }
  }
}

/* ---- the parent's checks -------------------------------------------------- */

typedef struct checker {
  cpor_storage *s;
  size_t claims, live_lines, bad;
  char first_bad[512];
} checker;

static void bad(checker *k, const char *id, const char *fmt, ...)
#ifdef __GNUC__
    __attribute__((format(printf, 3, 4)))
#endif
    ;
static void bad(checker *k, const char *id, const char *fmt, ...) {
  if (k->bad++ == 0) {
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(k->first_bad, sizeof k->first_bad, "claim %s: %s", id, msg);
  }
}

typedef struct row_find {
  const char *claim_id;
  uint32_t line;
  int status; /* -1: not found */
} row_find;

static int on_row(void *arg, const cpor_store_line *l) {
  row_find *f = arg;
  if (strcmp(l->claim_id, f->claim_id) == 0 && l->line == f->line) f->status = l->status;
  return 0;
}

static int on_claim(void *arg, const cpor_store_object *o) {
  checker *k = arg;
  k->claims++;
  cpor_claim *c = NULL;
  if (cpor__claim_decode(o, &c) != CPOR_OK) {
    bad(k, o->id, "does not decode");
    return 0;
  }
  test_history e;
  int rc = test_history_scan(k->s, c->id, &e);
  if (rc != 0 || e.gap)
    bad(k, c->id, "history has a gap after seq %u (scan %d)", e.count, rc);
  else if (e.count + 1 != c->next_seq)
    bad(k, c->id, "history has %u events, next_seq says %u", e.count, c->next_seq - 1);
  else if (e.undecodable || e.first_kind != CPOR_EVENT_CREATED)
    bad(k, c->id, "first event is kind %d (decode failed: %d)", e.first_kind, e.undecodable);
  else if (e.last_state != c->state)
    bad(k, c->id, "last event's state %d != claim state %d", e.last_state, (int)c->state);
  for (size_t i = 0; i < c->nlines; i++) {
    int live = c->lines[i].state >= CPOR_STATE_EDITING &&
               c->lines[i].state != CPOR_STATE_REJECTED && c->lines[i].state != CPOR_STATE_ENDED;
    if (!live) continue;
    k->live_lines++;
    char *unit = cpor__unit_key(c, &c->lines[i]);
    row_find f = {c->id, (uint32_t)i, -1};
    rc = cpor__store_lines(k->s, unit, on_row, &f);
    free(unit);
    if (rc != 0 || f.status != c->lines[i].state)
      bad(k, c->id, "line %zu has unit row status %d", i, f.status);
  }
  cpor_claim_free(c);
  return 0;
}

/* The file after a crash: SQLite's own check, then orphan rows. */
static void check_sqlite(void) {
  sqlite3 *db = test_sql_open_checked(env.file.path);
  ck_assert_int_eq(test_sql_count(db, "SELECT count(*) FROM lines WHERE oid NOT IN "
                                      "(SELECT oid FROM objects WHERE kind = 7)"),
                   0);
  ck_assert_int_eq(test_sql_count(db, "SELECT count(*) FROM events WHERE oid NOT IN "
                                      "(SELECT oid FROM objects WHERE kind = 7)"),
                   0);
  ck_assert_int_eq(test_sql_count(db, "SELECT count(*) FROM deadlines WHERE oid NOT IN "
                                      "(SELECT oid FROM objects WHERE kind = 7)"),
                   0);
  sqlite3_close(db);
}

static void scan_store(cpor_storage *s, checker *k) {
  memset(k, 0, sizeof *k);
  k->s = s;
  ck_assert_int_eq(s->m.begin(s->self, 0), CPOR_OK);
  ck_assert_int_eq(
      cpor__store_objects(s, CPOR_STORE_CLAIM, CPOR_STORE_BY_KIND, NULL, 0, NULL, 0, on_claim, k),
      CPOR_OK);
  s->m.rollback(s->self);
}

/* Every reported claim, through the public API; every stored claim whole. */
static void check_claims(const report *r, size_t nr, size_t *claims_out) {
  cpor_manual_clock *clock = NULL;
  test_ok(cpor_manual_clock_new(&clock, BASE_TIME), NULL, "clock");
  cpor_storage *s = NULL;
  char err[256] = "";
  test_ok(cpor_storage_open_sqlite(&s, env.file.path, NULL, err, sizeof err), NULL, err);
  cpor_ctx_options o = CPOR_CTX_OPTIONS_INIT;
  o.storage = s;
  o.clock = cpor_manual_clock_now;
  o.clock_user = clock;
  cpor_ctx *ctx = NULL;
  test_ok(cpor_ctx_open(&ctx, &o), NULL, "open");
  cpor_actor reviewer = test_actor(CPOR_ROLE_REVIEWER, NULL, "rita");
  for (size_t i = 0; i < nr; i++) {
    cpor_claim *c = NULL;
    int rc = cpor_claim_get(ctx, &reviewer, r[i].id, &c);
    ck_assert_msg(rc == CPOR_OK, "reported claim %s is lost: %s", r[i].id, cpor_ctx_errmsg(ctx));
    ck_assert_uint_ge(cpor_claim_line_count(c), 1);
    if (r[i].events >= 2) ck_assert_uint_eq(cpor_claim_poe_count(c), 1);
    cpor_claim_free(c);
    cpor_event_iter *it = NULL;
    test_ok(cpor_claim_history(ctx, &reviewer, r[i].id, &it), ctx, "history");
    cpor_event *e = NULL;
    unsigned n = 0;
    while (cpor_event_iter_next(it, &e) == CPOR_OK) {
      if (n == 0) ck_assert_str_eq(cpor_event_kind_name(cpor_event_kind(e)), "created");
      n++;
      cpor_event_free(e);
    }
    cpor_event_iter_free(it);
    ck_assert_msg(n >= r[i].events, "claim %s: %u events, %u were committed", r[i].id, n,
                  r[i].events);
  }
  checker k;
  scan_store(s, &k);
  ck_assert_msg(k.bad == 0, "%zu partial claims; first: %s", k.bad, k.first_bad);
  *claims_out = k.claims;
  cpor_ctx_close(ctx);
  cpor_storage_free(s);
  cpor_manual_clock_free(clock);
}

/* Reads every complete line the child wrote; keeps the highest count. */
static void collect(int fd, report **r, size_t *n, size_t *cap) {
  char *buf = NULL;
  size_t len = 0, bcap = 0;
  for (;;) {
    if (len + 4096 > bcap) {
      bcap = bcap ? bcap * 2 : 65536;
      buf = realloc(buf, bcap);
      ck_assert_ptr_nonnull(buf);
    }
    ssize_t got = read(fd, buf + len, bcap - len - 1);
    if (got < 0 && errno == EINTR) continue;
    ck_assert_int_ge(got, 0);
    if (got == 0) break;
    len += (size_t)got;
  }
  buf[len] = 0;
  char *save = NULL;
  for (char *line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
    char id[37];
    unsigned ev;
    ck_assert_int_eq(sscanf(line, "%36s %u", id, &ev), 2);
    size_t j = 0;
    while (j < *n && strcmp((*r)[j].id, id) != 0)
      j++;
    if (j == *n) {
      if (*n == *cap) {
        *cap = *cap ? *cap * 2 : 256;
        *r = realloc(*r, *cap * sizeof **r);
        ck_assert_ptr_nonnull(*r);
      }
      snprintf((*r)[j].id, sizeof(*r)[j].id, "%s", id);
      (*r)[j].events = 0;
      (*n)++;
    }
    if (ev > (*r)[j].events) (*r)[j].events = ev;
  }
  free(buf);
}

START_TEST(killed_writer_loses_nothing) {
  int valgrind = getenv("CPOR_UNDER_VALGRIND") != NULL;
  unsigned rounds = valgrind ? 3 : 50;
  /* Under valgrind the child needs far longer to open the file and write. */
  unsigned max_delay_us = valgrind ? 3000000 : 20000;
  unsigned min_delay_us = valgrind ? 1500000 : 0;
  setup_file();
  srand(20261102);
  report *r = NULL;
  size_t nr = 0, cap = 0, claims = 0, killed_writing = 0;
  for (unsigned round = 0; round < rounds; round++) {
    int p[2];
    ck_assert_int_eq(pipe(p), 0);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
      close(p[0]);
      child_main(p[1], round);
    }
    close(p[1]);
    unsigned delay = min_delay_us + (unsigned)rand() % (max_delay_us - min_delay_us + 1);
    /* On a loaded machine no round may have got as far as a commit: the
     * last rounds then wait long enough for some (the test must exercise
     * a kill after writes, whatever the load). */
    if (nr == 0 && round + 3 >= rounds) delay = valgrind ? 10000000 : 1000000;
    struct timespec ts = {delay / 1000000, (long)(delay % 1000000) * 1000};
    nanosleep(&ts, NULL);
    int status = 0;
    /* The child writes until killed; it exits by itself only on a failure. */
    if (waitpid(pid, &status, WNOHANG) == 0) {
      kill(pid, SIGKILL);
      ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    }
    ck_assert_msg(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
                  "round %u: the writer ended by itself (status 0x%x)", round, status);
    size_t before = nr;
    collect(p[0], &r, &nr, &cap);
    close(p[0]);
    killed_writing += nr > before;
    check_sqlite();
    check_claims(r, nr, &claims);
  }
  /* Not a timing assertion: only that the test exercised something. */
  ck_assert_uint_gt(nr, 0);
  fprintf(stderr, "# %u rounds, %zu reported claims, %zu stored claims, %zu rounds with writes\n",
          rounds, nr, claims, killed_writing);
  free(r);
  teardown_file();
}
END_TEST

/* The checks above can fail: a claim missing its last event, or the unit
 * row of a live line, is reported as partial. */
static void exec_sql(const char *sql) {
  sqlite3 *db = NULL;
  ck_assert_int_eq(sqlite3_open_v2(env.file.path, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
  ck_assert_int_eq(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
  ck_assert_int_eq(sqlite3_changes(db), 1);
  sqlite3_close(db);
}

static size_t partial_claims(char *first, size_t len) {
  cpor_storage *s = NULL;
  char err[256] = "";
  test_ok(cpor_storage_open_sqlite(&s, env.file.path, NULL, err, sizeof err), NULL, err);
  checker k;
  scan_store(s, &k);
  cpor_storage_free(s);
  snprintf(first, len, "%s", k.first_bad);
  return k.bad;
}

START_TEST(checker_sees_partial_claims) {
  setup_file();
  cpor_manual_clock *clock = NULL;
  test_ok(cpor_manual_clock_new(&clock, BASE_TIME), NULL, "clock");
  writer w = {0};
  w.ctx = open_ctx(env.file.path, clock);
  w.a = test_actor(CPOR_ROLE_INCENTIVES_ADMIN, "contoso", "ann");
  w.fd = -1;
  char ids[2][37], tid[37], domain[64];
  for (unsigned i = 0; i < 2; i++) {
    tenant_of(0, i, tid, domain);
    test_ok(cpor_tenant_create(w.ctx, SYS, env.customer, tid, domain), w.ctx, "tenant");
    create_claim(&w, &w.a, "1111111", tid, domain, ids[i], 0);
    test_ok(cpor_claim_submit(w.ctx, &w.a, ids[i]), w.ctx, "submit");
  }
  cpor_ctx_close(w.ctx);
  cpor_manual_clock_free(clock);
  char first[512];
  ck_assert_uint_eq(partial_claims(first, sizeof first), 0);
  char sql[256];
  snprintf(sql, sizeof sql,
           "DELETE FROM events WHERE oid = (SELECT oid FROM objects WHERE kind = 7 AND id = '%s') "
           "AND seq = 3",
           ids[0]);
  exec_sql(sql);
  ck_assert_uint_eq(partial_claims(first, sizeof first), 1);
  ck_assert_ptr_nonnull(strstr(first, "history has 2 events, next_seq says 3"));
  snprintf(sql, sizeof sql,
           "DELETE FROM lines WHERE oid = (SELECT oid FROM objects WHERE kind = 7 AND id = '%s')",
           ids[1]);
  exec_sql(sql);
  ck_assert_uint_eq(partial_claims(first, sizeof first), 2);
  teardown_file();
}
END_TEST

static Suite *durability_suite(void) {
  Suite *s = suite_create("durability");
  TCase *tc = tcase_create("kill");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, killed_writer_loses_nothing);
  tcase_add_test(tc, checker_sees_partial_claims);
  suite_add_tcase(s, tc);
  return s;
}

CPOR_TEST_MAIN(durability_suite)
