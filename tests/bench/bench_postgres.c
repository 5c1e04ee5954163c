/* PostgreSQL benchmark (issue 11), one run against the server CPOR_TEST_PG
 * names (`bash .ci/pg.sh run build/tests/bench/bench_postgres`), each store
 * in a fresh schema dropped at the end:
 *  1. claims submitted per second (create with one line + PoE + submit,
 *     BATCH per cpor_ctx_begin/commit) versus a bare libpq insert of the
 *     same rows (the rows the library wrote for its first claim: object,
 *     line, keys, events, deadline, change rows, outbox message; with the
 *     library's own bytes; the counters once per transaction) with
 *     prepared statements, in the same transaction sizes, into a second
 *     schema the library created;
 *  2. 1, 2 and 4 processes, each with its own connection, submitting on
 *     disjoint units (its own partner and tenants), one call per
 *     transaction: claims per second in all;
 *  3. get-claim and one transition (start_review) at SMALL and at LARGE
 *     stored claims: us/op and the ratio.
 *
 * usage: bench_postgres [--full | LARGE]   default LARGE 100000; --full 1M.
 * Figures only: nothing here fails on speed. */
#define _DEFAULT_SOURCE
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench_util.h"
#include "cpor/cpor.h"

#define BATCH BENCH_BATCH

static const char *base; /* CPOR_TEST_PG */

/* ---- the server ------------------------------------------------------------------ */

static void quiet(void *arg, const char *msg) {
  (void)arg, (void)msg;
}

static PGconn *connect_base(void) {
  PGconn *c = PQconnectdb(base);
  if (PQstatus(c) != CONNECTION_OK) {
    fprintf(stderr, "bench_postgres: %s", PQerrorMessage(c));
    exit(1);
  }
  return c;
}

static PGresult *sql(PGconn *c, const char *q) {
  PGresult *r = PQexec(c, q);
  ExecStatusType st = PQresultStatus(r);
  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
    fprintf(stderr, "bench_postgres: %s: %s", q, PQerrorMessage(c));
    exit(1);
  }
  return r;
}

static void sql_do(PGconn *c, const char *q) {
  PQclear(sql(c, q));
}

/* A fresh schema and its URL (every keyword of CPOR_TEST_PG, and the
 * search_path), for db_path. */
static void schema_new(const char *name, char *url, size_t len) {
  PGconn *c = connect_base();
  char q[160];
  snprintf(q, sizeof q, "DROP SCHEMA IF EXISTS %s CASCADE; CREATE SCHEMA %s", name, name);
  PQsetNoticeProcessor(c, quiet, NULL);
  sql_do(c, q);
  PQfinish(c);
  PQconninfoOption *opts = PQconninfoParse(base, NULL);
  if (!opts) die(NULL, CPOR_EINVAL, "CPOR_TEST_PG does not parse");
  size_t o = (size_t)snprintf(url, len, "postgresql://");
  char sep = '?';
  for (PQconninfoOption *p = opts; p->keyword; p++) {
    if (!p->val || !*p->val || !strcmp(p->keyword, "options")) continue;
    o += (size_t)snprintf(url + o, len - o, "%c%s=", sep, p->keyword);
    for (const char *v = p->val; *v && o + 4 < len; v++)
      o += (size_t)snprintf(url + o, len - o, strchr("/ =&?%'", *v) ? "%%%02X" : "%c",
                            (unsigned char)*v);
    sep = '&';
  }
  snprintf(url + o, len - o, "%coptions=-c%%20search_path%%3D%s", sep, name);
  PQconninfoFree(opts);
}

static void schema_drop(const char *name) {
  PGconn *c = connect_base();
  char q[128];
  snprintf(q, sizeof q, "DROP SCHEMA IF EXISTS %s CASCADE", name);
  PQsetNoticeProcessor(c, quiet, NULL);
  sql_do(c, q);
  PQfinish(c);
}

/* ---- a world that grows ----------------------------------------------------------- */

/* who: 0.. (a partner and a range of tenants of its own); setup: 1 to
 * create the reference data the others share. */
static void bench_open(bench *b, const char *url, int who, int setup) {
  memset(b, 0, sizeof *b);
  MUST(NULL, cpor_manual_clock_new(&b->clock, BASE_TIME));
  cpor_ctx_options o = CPOR_CTX_OPTIONS_INIT;
  o.db_path = url;
  o.clock = cpor_manual_clock_now;
  o.clock_user = b->clock;
  char err[512] = "";
  o.errbuf = err;
  o.errbuf_len = sizeof err;
  int rc = cpor_ctx_open(&b->ctx, &o);
  if (rc) die(NULL, rc, err);
  snprintf(b->partner, sizeof b->partner, "p%d", who);
  snprintf(b->mpn, sizeof b->mpn, "%07d", 1000000 + who);
  b->origin = (size_t)who << 24;
  b->ops = mk_actor(CPOR_ROLE_SYSTEM, NULL, "ops");
  b->a = mk_actor(CPOR_ROLE_INCENTIVES_ADMIN, b->partner, "ann");
  b->reviewer = mk_actor(CPOR_ROLE_REVIEWER, NULL, "rita");
  cpor_ctx *x = b->ctx;
  if (setup) {
    MUST(x, cpor_partner_create(x, &b->ops, b->partner, "Partner"));
    MUST(x, cpor_location_create(x, &b->ops, b->partner, b->mpn, "HQ"));
    MUST(x, cpor_location_enroll(x, &b->ops, b->mpn, CPOR_PROGRAM_OSU_M365, 1));
  }
  char *cust = NULL;
  MUST(x, cpor_customer_create(x, &b->ops, "Contoso Ltd", &cust));
  snprintf(b->customer, sizeof b->customer, "%s", cust);
  cpor_free(cust);
}

/* ---- 1. the bare libpq insert ------------------------------------------------------ */

/* The rows the library wrote for one claim, read back as they are. */
typedef struct sample {
  PGresult *obj, *lines, *keys, *events, *deadlines, *changes, *msg;
  char unit[128];
} sample;

static PGresult *rows(PGconn *c, const char *schema, const char *what, const char *table,
                      const char *where, const char *id) {
  char q[512];
  snprintf(q, sizeof q, "SELECT %s FROM %s.%s WHERE %s = '%s'", what, schema, table, where, id);
  return sql(c, q);
}

static void sample_rows(const char *schema, const char *id, sample *s) {
  PGconn *c = connect_base();
  s->obj = rows(c, schema, "owner, ref, state, data", "objects", "kind = 7 AND id", id);
  s->lines = rows(c, schema, "line, unit, partner_id, status", "lines", "claim_id", id);
  s->keys = rows(c, schema, "key", "keys", "claim_id", id);
  s->events = rows(c, schema, "seq, data", "events", "claim_id", id);
  s->deadlines = rows(c, schema, "kind, due", "deadlines", "claim_id", id);
  s->changes = rows(c, schema, "seq, state", "changes", "claim_id", id);
  s->msg = rows(c, schema, "data", "objects", "kind = 9 AND ref", id);
  snprintf(s->unit, sizeof s->unit, "%s", PQgetvalue(s->lines, 0, 1));
  PQfinish(c);
}

/* s with the first occurrence of from replaced by to. */
static void replaced(char *out, size_t len, const char *s, const char *from, const char *to) {
  const char *p = strstr(s, from);
  if (!p) p = s + strlen(s), from = "", to = "";
  snprintf(out, len, "%.*s%s%s", (int)(p - s), s, to, p + strlen(from));
}

static void prep(PGconn *c, const char *name, const char *q, int n) {
  PGresult *r = PQprepare(c, name, q, n, NULL);
  if (PQresultStatus(r) != PGRES_COMMAND_OK) {
    fprintf(stderr, "bench_postgres: prepare %s: %s", name, PQerrorMessage(c));
    exit(1);
  }
  PQclear(r);
}

static void run(PGconn *c, const char *name, int n, const char *const *v, const int *len,
                const int *fmt) {
  PGresult *r = PQexecPrepared(c, name, n, v, len, fmt, 0);
  if (PQresultStatus(r) != PGRES_COMMAND_OK) {
    fprintf(stderr, "bench_postgres: %s: %s", name, PQerrorMessage(c));
    exit(1);
  }
  PQclear(r);
}

/* n claims' rows as the sample's, each claim on its own unit; BATCH per
 * transaction; the seconds spent. */
static double bare_insert(const char *schema, size_t n, const sample *s) {
  PGconn *c = connect_base();
  char q[128];
  snprintf(q, sizeof q, "SET search_path = %s", schema);
  sql_do(c, q);
  prep(c, "obj",
       "INSERT INTO objects(kind, id, owner, ref, state, revision, data) "
       "VALUES (7, $1, $2, $3, $4, 1, $5::bytea) ON CONFLICT (kind, id) DO NOTHING",
       5);
  prep(c, "line",
       "INSERT INTO lines(claim_id, line, unit, partner_id, status) VALUES ($1, $2, $3, $4, $5)",
       5);
  prep(c, "key", "INSERT INTO keys(key, claim_id) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING", 2);
  prep(c, "ev",
       "INSERT INTO events(claim_id, seq, data) VALUES ($1, $2, $3::bytea) "
       "ON CONFLICT (claim_id, seq) DO NOTHING",
       3);
  prep(c, "dl",
       "INSERT INTO deadlines(claim_id, kind, due) VALUES ($1, $2, $3) "
       "ON CONFLICT (claim_id, kind) DO UPDATE SET due = EXCLUDED.due",
       3);
  prep(c, "change", "INSERT INTO changes(change, claim_id, seq, state) VALUES ($1, $2, $3, $4)", 4);
  prep(c, "msg",
       "INSERT INTO objects(kind, id, owner, ref, state, revision, data) "
       "VALUES (9, $1, NULL, $2, 0, 1, $3::bytea)",
       3);
  prep(c, "counter",
       "INSERT INTO counters(name, value) VALUES ($1, $2) "
       "ON CONFLICT (name) DO UPDATE SET value = counters.value + $2",
       2);
  long long change = 1, msg_id = 1;
  /* The records come back as bytea text (hex) and go in as it: the same
   * bytes (the backend sends them binary; the server's hex decoding is the
   * bare insert's only extra). */
  double t0 = now_s();
  for (size_t i = 0; i < n;) {
    sql_do(c, "BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE");
    for (size_t k = 0; k < BATCH && i < n; k++, i++) {
      char id[37], tid[37], domain[64], unit[256];
      snprintf(id, sizeof id, "%08x-%04x-4%03x-8%03x-%08x%04x", rnd(), rnd() & 0xffff,
               rnd() & 0xfff, rnd() & 0xfff, rnd(), rnd() & 0xffff);
      tenant_of((size_t)1 << 40 | i / NWL, tid, domain);
      snprintf(unit, sizeof unit, "t:%s:%s", tid, M365[i % NWL]);
      const char *ov[5] = {id, PQgetvalue(s->obj, 0, 0), tid, PQgetvalue(s->obj, 0, 2),
                           PQgetvalue(s->obj, 0, 3)};
      run(c, "obj", 5, ov, NULL, NULL);
      for (int l = 0; l < PQntuples(s->lines); l++) {
        const char *lv[5] = {id, PQgetvalue(s->lines, l, 0), unit, PQgetvalue(s->lines, l, 2),
                             PQgetvalue(s->lines, l, 3)};
        run(c, "line", 5, lv, NULL, NULL);
      }
      for (int kk = 0; kk < PQntuples(s->keys); kk++) {
        char key[1024];
        replaced(key, sizeof key, PQgetvalue(s->keys, kk, 0), s->unit, unit);
        const char *kv[2] = {key, id};
        run(c, "key", 2, kv, NULL, NULL);
      }
      for (int e = 0; e < PQntuples(s->events); e++) {
        const char *ev[3] = {id, PQgetvalue(s->events, e, 0), PQgetvalue(s->events, e, 1)};
        run(c, "ev", 3, ev, NULL, NULL);
      }
      for (int d = 0; d < PQntuples(s->deadlines); d++) {
        const char *dv[3] = {id, PQgetvalue(s->deadlines, d, 0), PQgetvalue(s->deadlines, d, 1)};
        run(c, "dl", 3, dv, NULL, NULL);
      }
      for (int h = 0; h < PQntuples(s->changes); h++) {
        char num[24];
        snprintf(num, sizeof num, "%lld", change++);
        const char *hv[4] = {num, id, PQgetvalue(s->changes, h, 0), PQgetvalue(s->changes, h, 1)};
        run(c, "change", 4, hv, NULL, NULL);
      }
      for (int m = 0; m < PQntuples(s->msg); m++) {
        char mid[24];
        snprintf(mid, sizeof mid, "%020lld", msg_id++);
        const char *mv[3] = {mid, id, PQgetvalue(s->msg, m, 0)};
        run(c, "msg", 3, mv, NULL, NULL);
      }
    }
    char nc[24], nm[24];
    snprintf(nc, sizeof nc, "%zu", (size_t)PQntuples(s->changes) * BATCH);
    snprintf(nm, sizeof nm, "%zu", (size_t)PQntuples(s->msg) * BATCH);
    const char *cv[2] = {"change", nc}, *mv[2] = {"outbox", nm};
    run(c, "counter", 2, cv, NULL, NULL);
    run(c, "counter", 2, mv, NULL, NULL);
    sql_do(c, "COMMIT");
  }
  double t = now_s() - t0;
  PQfinish(c);
  return t;
}

/* ---- 2. processes on disjoint units ----------------------------------------------- */

/* procs processes, each submitting per claims on its own units (one call
 * per transaction); claims per second in all, from the first start to the
 * last end. */
static double parallel_rate(const char *url, int procs, size_t per) {
  int gate[2], done[2];
  if (pipe(gate) || pipe(done)) abort();
  pid_t pids[8];
  for (int p = 0; p < procs; p++) {
    pids[p] = fork();
    if (pids[p] == 0) {
      close(gate[1]);
      close(done[0]);
      bench b;
      bench_open(&b, url, 10 + procs * 10 + p, 1);
      ensure_tenants(&b, per);
      if (write(done[1], "r", 1) != 1) _exit(2);
      char ch;
      while (read(gate[0], &ch, 1) > 0) {
      }
      grow(&b, per, 1);
      bench_close(&b);
      _exit(0);
    }
  }
  close(gate[0]);
  close(done[1]);
  for (int p = 0; p < procs; p++) {
    char ch;
    if (read(done[0], &ch, 1) != 1) die(NULL, CPOR_ESTORAGE, "a worker failed to set up");
  }
  close(done[0]);
  double t0 = now_s();
  close(gate[1]); /* go */
  for (int p = 0; p < procs; p++) {
    int st = 0;
    waitpid(pids[p], &st, 0);
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) die(NULL, CPOR_ESTORAGE, "a worker failed");
  }
  return (double)procs * (double)per / (now_s() - t0);
}

/* ---- 3. per-operation costs -------------------------------------------------------- */

typedef struct op_costs {
  double get_us, review_us;
} op_costs;

static op_costs measure_ops(bench *b, size_t ops, size_t *review_next) {
  op_costs r;
  double t0 = now_s();
  for (size_t k = 0; k < ops; k++) {
    cpor_claim *c = NULL;
    MUST(b->ctx, cpor_claim_get(b->ctx, &b->reviewer, b->ids[rnd() % b->n], &c));
    cpor_claim_free(c);
  }
  r.get_us = (now_s() - t0) / (double)ops * 1e6;
  t0 = now_s();
  for (size_t k = 0; k < ops; k++)
    MUST(b->ctx, cpor_claim_start_review(b->ctx, &b->reviewer, b->ids[*review_next + k]));
  r.review_us = (now_s() - t0) / (double)ops * 1e6;
  *review_next += ops;
  return r;
}

int main(int argc, char **argv) {
  setvbuf(stdout, NULL, _IOLBF, 0); /* each figure as it is measured */
  base = getenv("CPOR_TEST_PG");
  if (!base || !*base) {
    printf("bench_postgres: CPOR_TEST_PG is not set: skipped (run it through `bash .ci/pg.sh run "
           "%s`)\n",
           argv[0]);
    return 0;
  }
  size_t large = 100000;
  if (argc > 1) large = strcmp(argv[1], "--full") == 0 ? 1000000 : (size_t)atol(argv[1]);
  const size_t small = 10000, sub_n = 10000, per = 1000, ops = 1000;
  if (large < small + 2 * ops) large = small + 2 * ops;
  char url[2048];
  PGconn *c = connect_base();
  printf("# bench_postgres: PostgreSQL %d, SMALL %zu, LARGE %zu\n", PQserverVersion(c), small,
         large);
  PQfinish(c);

  /* 1. library vs bare insert */
  schema_new("cpor_bench_lib", url, sizeof url);
  bench b;
  bench_open(&b, url, 0, 1);
  double t_lib = grow(&b, sub_n, BATCH);
  char first[37];
  snprintf(first, sizeof first, "%s", b.ids[0]);
  char bare_url[2048];
  schema_new("cpor_bench_bare", bare_url, sizeof bare_url);
  {
    bench tmp; /* the library creates the bare schema's tables */
    bench_open(&tmp, bare_url, 0, 0);
    bench_close(&tmp);
  }
  sample s;
  sample_rows("cpor_bench_lib", first, &s);
  double t_bare = bare_insert("cpor_bench_bare", sub_n, &s);
  printf("submit library: %.0f claims/s (%zu claims, %d per transaction; 3 calls each)\n",
         (double)sub_n / t_lib, sub_n, BATCH);
  printf("submit bare libpq insert: %.0f claims/s (%d objects, %d lines, %d keys, %d events, %d "
         "deadlines, %d changes, %d outbox rows per claim)\n",
         (double)sub_n / t_bare, 1, PQntuples(s.lines), PQntuples(s.keys), PQntuples(s.events),
         PQntuples(s.deadlines), PQntuples(s.changes), PQntuples(s.msg));
  printf("submit ratio library/bare: %.2f (target >= 0.5)\n", t_bare / t_lib);
  schema_drop("cpor_bench_bare");

  /* 3. get and transition at SMALL and LARGE (the same store grows) */
  bench_close(&b);
  schema_drop("cpor_bench_lib");
  schema_new("cpor_bench_lib", url, sizeof url);
  bench_open(&b, url, 0, 1);
  grow(&b, small, BATCH);
  size_t next = small - ops; /* claims still SUBMITTED: the last ones */
  op_costs a = measure_ops(&b, ops, &next);
  double tg = grow(&b, large, BATCH);
  printf("grow to %zu claims: %.0f claims/s\n", large, (double)(large - small) / tg);
  next = large - ops;
  op_costs z = measure_ops(&b, ops, &next);
  printf("get at %zu: %.1f us, at %zu: %.1f us, ratio %.2f (target <= 1.5)\n", small, a.get_us,
         large, z.get_us, z.get_us / a.get_us);
  printf("transition (start_review) at %zu: %.1f us, at %zu: %.1f us, ratio %.2f (target <= "
         "1.5)\n",
         small, a.review_us, large, z.review_us, z.review_us / a.review_us);
  bench_close(&b);
  schema_drop("cpor_bench_lib");

  /* 2. 1, 2, 4 processes on disjoint units */
  double r1 = 0;
  for (int procs = 1; procs <= 4; procs *= 2) {
    char name[32];
    snprintf(name, sizeof name, "cpor_bench_p%d", procs);
    schema_new(name, url, sizeof url);
    double r = parallel_rate(url, procs, per);
    if (procs == 1) r1 = r;
    printf("processes %d: %.0f claims/s (%.2fx one; %zu claims each, one call per transaction)\n",
           procs, r, r / r1, per);
    schema_drop(name);
  }
  PQclear(s.obj);
  PQclear(s.lines);
  PQclear(s.keys);
  PQclear(s.events);
  PQclear(s.deadlines);
  PQclear(s.changes);
  PQclear(s.msg);
  return 0;
}
