/* PostgreSQL for the tests: see pgtest.h. */
#include "pgtest.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <check.h>

#include "cpor/postgres.h"

#ifdef CPOR_TEST_HAVE_PG
#include <libpq-fe.h>

static int run_id;
static int seq;

const char *pgtest_base(void) {
  const char *b = getenv("CPOR_TEST_PG");
  return b && *b ? b : NULL;
}

static void quiet(void *arg, const char *msg) {
  (void)arg;
  (void)msg;
}

int pgtest_begin_run(int *status) {
  const char *base = pgtest_base();
  const char *ci = getenv("CI");
  if (!base && ci && !strcmp(ci, "true")) {
    printf("1..1\nnot ok 1 - CI=true but CPOR_TEST_PG is not set: the PostgreSQL tests must run "
           "(bash .ci/pg.sh run ...)\n");
    *status = 1;
    return 0;
  }
  if (!base) {
    printf("1..0 # SKIP CPOR_TEST_PG is not set (run the tests through `bash .ci/pg.sh run`)\n");
    *status = 0;
    return 0;
  }
  PGconn *c = PQconnectdb(base);
  if (PQstatus(c) != CONNECTION_OK) {
    /* Set but unusable: a failure, not a skip. */
    printf("1..1\nnot ok 1 - CPOR_TEST_PG does not connect: %s", PQerrorMessage(c));
    PQfinish(c);
    *status = 1;
    return 0;
  }
  PQfinish(c);
  run_id = (int)getpid();
  return 1;
}

void pgtest_end_run(void) {
  const char *base = pgtest_base();
  if (!base || !run_id) return;
  PGconn *c = PQconnectdb(base);
  if (PQstatus(c) != CONNECTION_OK) {
    PQfinish(c);
    return;
  }
  PQsetNoticeProcessor(c, quiet, NULL);
  char q[160];
  snprintf(q, sizeof q, "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'cpor\\_t%d\\_%%'",
           run_id);
  PGresult *r = PQexec(c, q);
  for (int i = 0; PQresultStatus(r) == PGRES_TUPLES_OK && i < PQntuples(r); i++) {
    snprintf(q, sizeof q, "DROP SCHEMA %s CASCADE", PQgetvalue(r, i, 0));
    PQclear(PQexec(c, q));
  }
  PQclear(r);
  PQfinish(c);
}

static PGconn *admin(void) {
  const char *base = pgtest_base();
  ck_assert_msg(base != NULL, "CPOR_TEST_PG is not set");
  PGconn *c = PQconnectdb(base);
  ck_assert_msg(PQstatus(c) == CONNECTION_OK, "admin connection: %s", PQerrorMessage(c));
  PQsetNoticeProcessor(c, quiet, NULL); /* DROP ... CASCADE lists what it drops */
  return c;
}

char *pgtest_sql(const char *fmt, ...) {
  char text[4096];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(text, sizeof text, fmt, ap);
  va_end(ap);
  PGconn *c = admin();
  PGresult *r = PQexec(c, text);
  ExecStatusType st = PQresultStatus(r);
  ck_assert_msg(st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK, "%s: %s", text,
                PQresultErrorMessage(r));
  char *v = st == PGRES_TUPLES_OK && PQntuples(r) > 0 && !PQgetisnull(r, 0, 0)
                ? strdup(PQgetvalue(r, 0, 0))
                : NULL;
  PQclear(r);
  PQfinish(c);
  return v;
}

void pgtest_conninfo(char *out, size_t outlen, const char *extra) {
  char *msg = NULL;
  PQconninfoOption *opts = PQconninfoParse(pgtest_base(), &msg);
  ck_assert_msg(opts != NULL, "CPOR_TEST_PG does not parse: %s", msg ? msg : "");
  size_t o = 0;
  for (PQconninfoOption *p = opts; p->keyword; p++) {
    if (!p->val || !strcmp(p->keyword, "options")) continue;
    o += (size_t)snprintf(out + o, outlen - o, "%s='", p->keyword);
    for (const char *v = p->val; *v && o + 3 < outlen; v++) {
      if (*v == '\'' || *v == '\\') out[o++] = '\\';
      out[o++] = *v;
    }
    o += (size_t)snprintf(out + o, outlen - o, "' ");
  }
  snprintf(out + o, outlen - o, "%s", extra ? extra : "");
  PQconninfoFree(opts);
}

void pgtest_schema_new(char *schema, size_t len) {
  /* A test process forked by Check has its own pid: names stay unique. */
  snprintf(schema, len, "cpor_t%d_%d_%d", run_id ? run_id : (int)getpid(), (int)getpid(), ++seq);
  free(pgtest_sql("CREATE SCHEMA %s", schema));
}

void pgtest_schema_conninfo(char *out, size_t outlen, const char *schema) {
  char extra[128];
  snprintf(extra, sizeof extra, "options='-c search_path=%s'", schema);
  pgtest_conninfo(out, outlen, extra);
}

/* Percent-encodes v (every byte but unreserved ones) at out + o. */
static size_t url_put(char *out, size_t outlen, size_t o, const char *v) {
  for (; *v && o + 4 < outlen; v++) {
    unsigned char ch = (unsigned char)*v;
    if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
        strchr("-._~", ch))
      out[o++] = (char)ch;
    else
      o += (size_t)snprintf(out + o, outlen - o, "%%%02X", ch);
  }
  out[o] = 0;
  return o;
}

void pgtest_schema_url(char *out, size_t outlen, const char *schema) {
  char *msg = NULL;
  PQconninfoOption *opts = PQconninfoParse(pgtest_base(), &msg);
  ck_assert_msg(opts != NULL, "CPOR_TEST_PG does not parse: %s", msg ? msg : "");
  size_t o = (size_t)snprintf(out, outlen, "postgresql://");
  char sep = '?';
  for (PQconninfoOption *p = opts; p->keyword; p++) {
    if (!p->val || !*p->val || !strcmp(p->keyword, "options")) continue;
    o += (size_t)snprintf(out + o, outlen - o, "%c%s=", sep, p->keyword);
    o = url_put(out, outlen, o, p->val);
    sep = '&';
  }
  char opt[128];
  snprintf(opt, sizeof opt, "-c search_path=%s", schema);
  o += (size_t)snprintf(out + o, outlen - o, "%coptions=", sep);
  url_put(out, outlen, o, opt);
  PQconninfoFree(opts);
}

void pgtest_schema_drop(const char *schema) {
  if (schema && *schema) free(pgtest_sql("DROP SCHEMA IF EXISTS %s CASCADE", schema));
}

int pgtest_open(cpor_storage **out, char *schema, size_t len) {
  char name[64], ci[2048], err[512] = "";
  pgtest_schema_new(name, sizeof name);
  if (schema) snprintf(schema, len, "%s", name);
  pgtest_schema_conninfo(ci, sizeof ci, name);
  cpor_postgres_options o = CPOR_POSTGRES_OPTIONS_INIT;
  o.connect_timeout_ms = 5000;
  int rc = cpor_storage_open_postgres(out, ci, &o, err, sizeof err);
  if (rc != CPOR_OK) fprintf(stderr, "pgtest_open: %s\n", err);
  return rc;
}

int pgtest_can_restart(void) {
  return getenv("CPOR_TEST_PG_BIN") && getenv("CPOR_TEST_PG_DATA") && getenv("CPOR_TEST_PG_DIR");
}

/* pg_ctl ARGS as the server's owner (runuser when that is another user). */
static int pg_ctl(const char *const *args) {
  char bin[512], log[512];
  snprintf(bin, sizeof bin, "%s/pg_ctl", getenv("CPOR_TEST_PG_BIN"));
  snprintf(log, sizeof log, "%s/server.log", getenv("CPOR_TEST_PG_DIR"));
  const char *owner = getenv("CPOR_TEST_PG_OWNER");
  const char *argv[16];
  int n = 0;
  if (getuid() == 0 && owner && *owner && strcmp(owner, "root") != 0) {
    argv[n++] = "runuser";
    argv[n++] = "-u";
    argv[n++] = owner;
    argv[n++] = "--";
  }
  argv[n++] = bin;
  argv[n++] = "-D";
  argv[n++] = getenv("CPOR_TEST_PG_DATA");
  argv[n++] = "-l";
  argv[n++] = log;
  while (*args)
    argv[n++] = *args++;
  argv[n] = NULL;
  pid_t pid = fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    int null = open("/dev/null", O_WRONLY);
    if (null >= 0) dup2(null, 1);
    execvp(argv[0], (char *const *)argv);
    _exit(127);
  }
  int status = 0;
  if (waitpid(pid, &status, 0) != pid) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int pgtest_server_stop(void) {
  static const char *const args[] = {"-m", "immediate", "-w", "-t", "60", "stop", NULL};
  return pg_ctl(args);
}

int pgtest_server_start(void) {
  static const char *const args[] = {"-w", "-t", "60", "start", NULL};
  return pg_ctl(args);
}

#else /* built without libpq */

int pgtest_can_restart(void) {
  return 0;
}

int pgtest_server_stop(void) {
  return -1;
}

int pgtest_server_start(void) {
  return -1;
}

const char *pgtest_base(void) {
  return NULL;
}

int pgtest_begin_run(int *status) {
  const char *ci = getenv("CI");
  if (ci && !strcmp(ci, "true") && getenv("CPOR_TEST_PG")) {
    printf("1..1\nnot ok 1 - CI=true and CPOR_TEST_PG is set, but built without libpq\n");
    *status = 1;
    return 0;
  }
  printf("1..0 # SKIP built without libpq (meson option postgres)\n");
  *status = 0;
  return 0;
}

void pgtest_end_run(void) {}

char *pgtest_sql(const char *fmt, ...) {
  (void)fmt;
  ck_abort_msg("built without libpq");
  return NULL;
}

void pgtest_schema_new(char *schema, size_t len) {
  (void)schema;
  (void)len;
  ck_abort_msg("built without libpq");
}

void pgtest_conninfo(char *out, size_t outlen, const char *extra) {
  (void)out;
  (void)outlen;
  (void)extra;
  ck_abort_msg("built without libpq");
}

void pgtest_schema_conninfo(char *out, size_t outlen, const char *schema) {
  pgtest_conninfo(out, outlen, schema);
}

void pgtest_schema_url(char *out, size_t outlen, const char *schema) {
  pgtest_conninfo(out, outlen, schema);
}

void pgtest_schema_drop(const char *schema) {
  (void)schema;
}

int pgtest_open(cpor_storage **out, char *schema, size_t len) {
  (void)out;
  (void)schema;
  (void)len;
  return CPOR_ENOTSUP;
}

#endif
