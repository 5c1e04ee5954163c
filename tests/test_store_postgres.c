/* The PostgreSQL backend through the storage vtable only: what a server can
 * fail that a file cannot (two connections, lost connections, logins,
 * another application's schema), plus revisions, keys, cursors, savepoints,
 * events and deadlines.
 *
 * Needs a server: CPOR_TEST_PG is a conninfo or URL of a database the tests
 * may create schemas in (.ci/pg.sh run sets it, and CPOR_TEST_PG_URL: the
 * same database over TCP with a password). Without it the suite prints why
 * and skips. Every test works in a fresh schema of that database, reached
 * through the search_path, and drops it at the end. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <check.h>
#include <libpq-fe.h>

#include "conformance.h"
#include "cpor/postgres.h"
#include "pgtest.h"
#include "store/postgres_int.h"
#include "store/storage.h"

#define CALL(st, method, ...) ((st)->m.method((st)->self, __VA_ARGS__))
#define CALL0(st, method) ((st)->m.method((st)->self))
#define ERRMSG(st) ((st)->m.errmsg((st)->self) ? (st)->m.errmsg((st)->self) : "")

#define ck_assert_status(expr, expected)                                                           \
  do {                                                                                             \
    int ck_rc_ = (expr);                                                                           \
    ck_assert_msg(ck_rc_ == (expected), "%s: got %s (%d), want %s", #expr,                         \
                  cpor_status_name(ck_rc_) ? cpor_status_name(ck_rc_) : "?", ck_rc_, #expected);   \
  } while (0)
#define OK(st, expr)                                                                               \
  do {                                                                                             \
    int ok_rc_ = (expr);                                                                           \
    ck_assert_msg(ok_rc_ == CPOR_OK, "%s: %d %s", #expr, ok_rc_, ERRMSG(st));                      \
  } while (0)

static void sleep_ms(long ms) {
  struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
  nanosleep(&t, NULL);
}

/* ---- the server ------------------------------------------------------------------ */

static char schema[64]; /* this test's schema */
static char conninfo[2048];
/* Every storage a test opened, so that a forked child that exits without
 * closing its parent's (closing would end the parent's session) leaks
 * nothing definite under valgrind. */
cpor_storage *test_pg_opened[32]; /* external: the stores are not optimized away */
static int nopened;

#define sql pgtest_sql

static void setup(void) {
  nopened = 0;
  pgtest_schema_new(schema, sizeof schema);
  pgtest_schema_conninfo(conninfo, sizeof conninfo, schema);
}

static void teardown(void) {
  pgtest_schema_drop(schema);
}

static cpor_storage *open_named(const char *app) {
  cpor_postgres_options o = CPOR_POSTGRES_OPTIONS_INIT;
  o.application_name = app;
  o.connect_timeout_ms = 5000;
  cpor_storage *st = NULL;
  char err[512];
  int rc = cpor_storage_open_postgres(&st, conninfo, &o, err, sizeof err);
  ck_assert_msg(rc == CPOR_OK, "open: %d %s", rc, err);
  test_pg_opened[nopened++ % 32] = st;
  return st;
}

static cpor_storage *open_store(void) {
  return open_named(NULL);
}

static cpor_store_object obj(uint32_t kind, const char *id, const char *owner, const char *ref,
                             int32_t state, const char *data, size_t len) {
  cpor_store_object o = {.kind = kind, .id = id, .owner = owner, .ref = ref, .state = state};
  o.data = data;
  o.len = len;
  return o;
}

static void put(cpor_storage *st, uint32_t kind, const char *id, const char *owner, const char *ref,
                int32_t state) {
  cpor_store_object o = obj(kind, id, owner, ref, state, id, strlen(id));
  OK(st, CALL(st, object_put, &o, CPOR_STORE_INSERT));
}

/* ---- open and schema ---------------------------------------------------------------- */

START_TEST(t_open_creates_schema) {
  cpor_storage *st = open_store();
  char *marker = sql("SELECT value FROM %s.meta WHERE key = 'application'", schema);
  char *version = sql("SELECT value FROM %s.meta WHERE key = 'schema_version'", schema);
  ck_assert_str_eq(marker, "libcpor");
  ck_assert_str_eq(version, "4");
  free(marker);
  free(version);
  /* Every cursor query has an index. */
  char *n = sql("SELECT count(*) FROM pg_indexes WHERE schemaname = '%s' AND indexname IN "
                "('objects_owner', 'objects_ref', 'objects_state', 'lines_unit', "
                "'deadlines_due', 'events_pkey', 'keys_pkey', 'objects_pkey')",
                schema);
  ck_assert_str_eq(n, "8");
  free(n);
  cpor_storage_free(st);
  /* Reopening an existing store changes nothing. */
  st = open_store();
  cpor_storage_free(st);
}
END_TEST

/* Several hosts opening an empty schema at once: one creates it, the others
 * wait on the advisory lock and find it made. */
START_TEST(t_open_concurrently) {
  pid_t kids[6];
  for (int i = 0; i < 6; i++) {
    kids[i] = fork();
    ck_assert_int_ge(kids[i], 0);
    if (kids[i] == 0) {
      cpor_storage *st = NULL;
      char err[512];
      int rc = cpor_storage_open_postgres(&st, conninfo, NULL, err, sizeof err);
      if (rc) fprintf(stderr, "child open: %s\n", err);
      cpor_storage_free(st);
      _exit(rc == CPOR_OK ? 0 : 1);
    }
  }
  for (int i = 0; i < 6; i++) {
    int status = 0;
    ck_assert_int_eq(waitpid(kids[i], &status, 0), kids[i]);
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child %d failed", i);
  }
  char *n = sql("SELECT count(*) FROM %s.meta", schema);
  ck_assert_str_eq(n, "2");
  free(n);
}
END_TEST

static int open_code(const char *ci, char *err, size_t errlen) {
  cpor_storage *st = NULL;
  cpor_postgres_options o = CPOR_POSTGRES_OPTIONS_INIT;
  o.connect_timeout_ms = 3000;
  int rc = cpor_storage_open_postgres(&st, ci, &o, err, errlen);
  cpor_storage_free(st);
  return rc;
}

START_TEST(t_open_refuses_foreign_schema) {
  char err[512];
  free(sql("CREATE TABLE %s.invoices (id int)", schema));
  ck_assert_status(open_code(conninfo, err, sizeof err), CPOR_ECORRUPT);
  ck_assert_msg(strstr(err, "not a libcpor database"), "%s", err);
  /* Nothing was written: no meta table appeared. */
  char *n = sql("SELECT count(*) FROM pg_tables WHERE schemaname = '%s'", schema);
  ck_assert_str_eq(n, "1");
  free(n);
  /* A meta table without the marker is another application's too. */
  free(sql("DROP TABLE %s.invoices; CREATE TABLE %s.meta (key text, value text);"
           "INSERT INTO %s.meta VALUES ('application', 'billing')",
           schema, schema, schema));
  ck_assert_status(open_code(conninfo, err, sizeof err), CPOR_ECORRUPT);
  ck_assert_msg(strstr(err, "marker"), "%s", err);
  /* And one with other columns. */
  free(sql("DROP TABLE %s.meta; CREATE TABLE %s.meta (a int)", schema, schema));
  ck_assert_status(open_code(conninfo, err, sizeof err), CPOR_ECORRUPT);
}
END_TEST

START_TEST(t_open_refuses_newer_schema) {
  cpor_storage_free(open_store());
  free(sql("UPDATE %s.meta SET value = '99' WHERE key = 'schema_version'", schema));
  char err[512];
  ck_assert_status(open_code(conninfo, err, sizeof err), CPOR_EVERSION);
  ck_assert_msg(strstr(err, "newer"), "%s", err);
  char *v = sql("SELECT value FROM %s.meta WHERE key = 'schema_version'", schema);
  ck_assert_str_eq(v, "99");
  free(v);
}
END_TEST

START_TEST(t_open_bad_arguments) {
  char err[512];
  cpor_storage *st = NULL;
  ck_assert_status(cpor_storage_open_postgres(NULL, conninfo, NULL, err, sizeof err), CPOR_EINVAL);
  ck_assert_status(cpor_storage_open_postgres(&st, NULL, NULL, err, sizeof err), CPOR_EINVAL);
  cpor_postgres_options o = CPOR_POSTGRES_OPTIONS_INIT;
  o.version = 99;
  ck_assert_status(cpor_storage_open_postgres(&st, conninfo, &o, err, sizeof err), CPOR_EVERSION);
  ck_assert_msg(strstr(err, "cpor_postgres_options"), "%s", err);
  ck_assert_status(cpor_postgres_options_init(&o, 2), CPOR_EVERSION);
  ck_assert_status(cpor_postgres_options_init(&o, 1), CPOR_OK);
  ck_assert_status(cpor_postgres_options_init(NULL, 1), CPOR_EINVAL);
  ck_assert_status(open_code("postgresql://[::1/db", err, sizeof err), CPOR_EINVAL);
  ck_assert_status(open_code("host='unterminated password=s3cret-quoted", err, sizeof err),
                   CPOR_EINVAL);
  ck_assert_msg(!strstr(err, "s3cret"), "password in message: %s", err);
  ck_assert_status(
      open_code("postgresql://u:s3cret-url@127.0.0.1:1/x?bogus_option=1", err, sizeof err),
      CPOR_EINVAL);
  ck_assert_msg(!strstr(err, "s3cret"), "password in message: %s", err);
  ck_assert_ptr_null(st);
}
END_TEST

START_TEST(t_open_unreachable) {
  char err[512];
  /* Port 1 on loopback: refused at once. */
  ck_assert_status(open_code("postgresql://cpor:s3cret-unreach@127.0.0.1:1/cpor", err, sizeof err),
                   CPOR_ESTORAGE);
  ck_assert_msg(!strstr(err, "s3cret"), "password in message: %s", err);
  ck_assert_msg(strstr(err, "cannot connect"), "%s", err);
  ck_assert_status(open_code("host=/nonexistent/dir port=5 password=s3cret-kw", err, sizeof err),
                   CPOR_ESTORAGE);
  ck_assert_msg(!strstr(err, "s3cret"), "password in message: %s", err);
}
END_TEST

START_TEST(t_open_wrong_password) {
  const char *url = getenv("CPOR_TEST_PG_URL");
  if (!url || !strstr(url, "@")) {
    printf("# CPOR_TEST_PG_URL unset: wrong password not checked\n");
    return;
  }
  /* The URL with its password replaced. */
  char bad[1024];
  const char *scheme = strstr(url, "://");
  const char *at = strchr(url, '@');
  const char *colon = memchr(scheme + 3, ':', (size_t)(at - scheme - 3));
  ck_assert_ptr_nonnull(colon);
  snprintf(bad, sizeof bad, "%.*s:wrong-pw-X7%s", (int)(colon - url), url, at);
  char err[512];
  ck_assert_status(open_code(bad, err, sizeof err), CPOR_ESTORAGE);
  ck_assert_msg(!strstr(err, "wrong-pw-X7"), "password in message: %s", err);
  ck_assert_msg(strstr(err, "password authentication failed"), "%s", err);
  /* The right one works (and is not echoed in anything). */
  cpor_storage *st = NULL;
  int rc = cpor_storage_open_postgres(&st, url, NULL, err, sizeof err);
  ck_assert_msg(rc == CPOR_OK, "%s", err);
  cpor_storage_free(st);
}
END_TEST

START_TEST(t_scrub) {
  char out[256];
  cpor__pg_scrub(out, sizeof out, "postgresql://bob:hunter2@db:5432/x failed\n");
  ck_assert_str_eq(out, "postgresql://bob:***@db:5432/x failed");
  cpor__pg_scrub(out, sizeof out, "host=a password = 'it''s \\' x' user=b");
  ck_assert_msg(!strstr(out, "it") && strstr(out, "user=b"), "%s", out);
  cpor__pg_scrub(out, sizeof out, "postgres://h/db?user=u&password=hunter2&sslmode=disable");
  ck_assert_str_eq(out, "postgres://h/db?user=u&password=***&sslmode=disable");
  cpor__pg_scrub(out, sizeof out, "postgresql://bob@db/x");
  ck_assert_str_eq(out, "postgresql://bob@db/x");
  cpor__pg_scrub(out, sizeof out, "failed: refused\n\tIs the server running?\n");
  ck_assert_str_eq(out, "failed: refused Is the server running?");
  cpor__pg_scrub(out, sizeof out, "failed: refused\n\tIs the server running?\n");
  ck_assert_str_eq(out, "failed: refused Is the server running?");
  cpor__pg_scrub(out, 8, "password=abcdef");
  ck_assert_str_eq(out, "passwor");
}
END_TEST

/* ---- objects and revisions ------------------------------------------------------------ */

START_TEST(t_objects_revisions) {
  cpor_storage *st = open_store();
  static const char rec[] = {'a', 0, 'b', (char)0xff, 0};
  OK(st, CALL(st, begin, 1));
  cpor_store_object o = obj(CPOR_STORE_CLAIM, "c1", "p1", "r1", 3, rec, sizeof rec);
  OK(st, CALL(st, object_put, &o, CPOR_STORE_INSERT));
  ck_assert_status(CALL(st, object_put, &o, CPOR_STORE_INSERT), CPOR_EEXISTS);
  /* The same id in another kind is another object; NULL owner and ref and an
   * empty record are kept as such. */
  cpor_store_object other = obj(CPOR_STORE_PARTNER, "c1", NULL, NULL, 0, NULL, 0);
  OK(st, CALL(st, object_put, &other, CPOR_STORE_INSERT));
  /* A duplicate did not abort the transaction. */
  OK(st, CALL0(st, commit));

  OK(st, CALL(st, begin, 0));
  cpor_store_object got;
  OK(st, CALL(st, object_get, CPOR_STORE_CLAIM, "c1", &got));
  ck_assert_uint_eq(got.revision, 1);
  ck_assert_uint_eq(got.len, sizeof rec);
  ck_assert_int_eq(memcmp(got.data, rec, sizeof rec), 0);
  ck_assert_str_eq(got.id, "c1");
  ck_assert_str_eq(got.owner, "p1");
  ck_assert_str_eq(got.ref, "r1");
  ck_assert_int_eq(got.state, 3);
  ck_assert_uint_eq(got.kind, CPOR_STORE_CLAIM);
  OK(st, CALL(st, object_get, CPOR_STORE_PARTNER, "c1", &got));
  ck_assert_ptr_null(got.owner);
  ck_assert_ptr_null(got.ref);
  ck_assert_uint_eq(got.len, 0);
  ck_assert_status(CALL(st, object_get, CPOR_STORE_CLAIM, "nope", &got), CPOR_ENOTFOUND);
  ck_assert_status(CALL(st, object_get, CPOR_STORE_CLAIM, "", &got), CPOR_EINVAL);
  /* No writes in a read transaction. */
  ck_assert_status(CALL(st, object_put, &o, CPOR_STORE_UPDATE), CPOR_ESTORAGE);
  OK(st, CALL0(st, rollback));

  OK(st, CALL(st, begin, 1));
  cpor_store_object u = obj(CPOR_STORE_CLAIM, "c1", "p2", NULL, -4, "v2", 2);
  u.revision = 1;
  OK(st, CALL(st, object_put, &u, CPOR_STORE_UPDATE));
  OK(st, CALL(st, object_get, CPOR_STORE_CLAIM, "c1", &got));
  ck_assert_uint_eq(got.revision, 2);
  ck_assert_int_eq(got.state, -4);
  ck_assert_ptr_null(got.ref);
  ck_assert_int_eq(memcmp(got.data, "v2", 2), 0);
  /* A stale revision: conflict; the transaction goes on. */
  ck_assert_status(CALL(st, object_put, &u, CPOR_STORE_UPDATE), CPOR_ECONFLICT);
  ck_assert_msg(strstr(ERRMSG(st), "revision 1 read, 2 stored"), "%s", ERRMSG(st));
  ck_assert_status(CALL(st, object_put, &u, CPOR_STORE_DELETE), CPOR_ECONFLICT);
  cpor_store_object missing = obj(CPOR_STORE_CLAIM, "zz", NULL, NULL, 0, "x", 1);
  missing.revision = 1;
  ck_assert_status(CALL(st, object_put, &missing, CPOR_STORE_UPDATE), CPOR_ENOTFOUND);
  ck_assert_status(CALL(st, object_put, &missing, CPOR_STORE_DELETE), CPOR_ENOTFOUND);
  ck_assert_status(CALL(st, object_put, &missing, 9), CPOR_EINVAL);
  u.revision = 2;
  u.data = NULL; /* ignored by DELETE */
  u.len = 99;
  OK(st, CALL(st, object_put, &u, CPOR_STORE_DELETE));
  ck_assert_status(CALL(st, object_get, CPOR_STORE_CLAIM, "c1", &got), CPOR_ENOTFOUND);
  OK(st, CALL0(st, commit));
  cpor_storage_free(st);
}
END_TEST

/* Two hosts read revision 1; the first to write wins, the other conflicts,
 * also when it writes while the first has not committed yet (it waits, then
 * finds the revision moved). */
START_TEST(t_revision_race) {
  cpor_storage *a = open_store(), *b = open_store();
  OK(a, CALL(a, begin, 1));
  put(a, CPOR_STORE_CLAIM, "c1", NULL, NULL, 1);
  OK(a, CALL0(a, commit));

  OK(a, CALL(a, begin, 1));
  cpor_store_object u = obj(CPOR_STORE_CLAIM, "c1", NULL, NULL, 2, "A", 1);
  u.revision = 1;
  OK(a, CALL(a, object_put, &u, CPOR_STORE_UPDATE));
  pid_t kid = fork();
  ck_assert_int_ge(kid, 0);
  if (kid == 0) {
    /* b's update blocks on a's row lock until a commits. */
    cpor_storage *c = open_store();
    int rc = c->m.begin(c->self, 1);
    cpor_store_object v = obj(CPOR_STORE_CLAIM, "c1", NULL, NULL, 3, "B", 1);
    v.revision = 1;
    if (rc == CPOR_OK) rc = c->m.object_put(c->self, &v, CPOR_STORE_UPDATE);
    c->m.rollback(c->self);
    cpor_storage_free(c);
    _exit(rc == CPOR_ECONFLICT ? 0 : 10 - rc);
  }
  sleep_ms(300);
  OK(a, CALL0(a, commit));
  int status = 0;
  ck_assert_int_eq(waitpid(kid, &status, 0), kid);
  ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child: %d", WEXITSTATUS(status));

  OK(b, CALL(b, begin, 1));
  cpor_store_object got;
  OK(b, CALL(b, object_get, CPOR_STORE_CLAIM, "c1", &got));
  ck_assert_uint_eq(got.revision, 2);
  ck_assert_int_eq(((const char *)got.data)[0], 'A');
  ck_assert_status(CALL(b, object_put, &u, CPOR_STORE_UPDATE), CPOR_ECONFLICT);
  OK(b, CALL0(b, rollback));
  cpor_storage_free(a);
  cpor_storage_free(b);
}
END_TEST

/* ---- exclusive keys -------------------------------------------------------------------- */

static char *keys_of(const char *claim) {
  return sql("SELECT coalesce(string_agg(key, ',' ORDER BY key), '') FROM %s.keys "
             "WHERE claim_id = '%s'",
             schema, claim);
}

static void expect_keys(const char *claim, const char *want) {
  char *k = keys_of(claim);
  ck_assert_str_eq(k, want);
  free(k);
}

START_TEST(t_keys_exclusive) {
  cpor_storage *a = open_store(), *b = open_store();
  const char *k12[] = {"k1", "k2"}, *k32[] = {"k3", "k2"}, *k3[] = {"k3"}, *k42[] = {"k4", "k2"};
  OK(a, CALL(a, begin, 1));
  OK(a, CALL(a, keys_replace, "c1", k12, 2));
  OK(a, CALL0(a, commit));

  OK(b, CALL(b, begin, 1));
  ck_assert_status(CALL(b, keys_replace, "c2", k32, 2), CPOR_EEXISTS);
  ck_assert_msg(strstr(ERRMSG(b), "k2"), "%s", ERRMSG(b));
  OK(b, CALL(b, keys_replace, "c2", k3, 1));
  /* Refused again: c2 keeps exactly what it had (k3, not k4). */
  ck_assert_status(CALL(b, keys_replace, "c2", k42, 2), CPOR_EEXISTS);
  OK(b, CALL0(b, commit));
  expect_keys("c2", "k3");
  expect_keys("c1", "k1,k2");

  /* c1 lets k2 go; c2 may take it. Replacing with the same set is a no-op. */
  OK(a, CALL(a, begin, 1));
  OK(a, CALL(a, keys_replace, "c1", k12, 1));
  OK(a, CALL(a, keys_replace, "c1", k12, 1));
  OK(a, CALL0(a, commit));
  OK(b, CALL(b, begin, 1));
  OK(b, CALL(b, keys_replace, "c2", k32, 2));
  OK(b, CALL0(b, commit));
  expect_keys("c2", "k2,k3");
  expect_keys("c1", "k1");
  OK(a, CALL(a, begin, 1));
  OK(a, CALL(a, keys_replace, "c1", NULL, 0));
  const char *bad[] = {""};
  ck_assert_status(CALL(a, keys_replace, "c1", bad, 1), CPOR_EINVAL);
  OK(a, CALL0(a, commit));
  expect_keys("c1", "");
  cpor_storage_free(a);
  cpor_storage_free(b);
}
END_TEST

/* A key taken by a transaction that has not committed: the second claimant
 * waits for it, then is refused (commit) or gets it (rollback). */
static int claim_key_in_child(const char *claim, const char *key) {
  pid_t kid = fork();
  ck_assert_int_ge(kid, 0);
  if (kid == 0) {
    cpor_storage *c = open_store();
    int rc = c->m.begin(c->self, 1);
    if (rc == CPOR_OK) rc = c->m.keys_replace(c->self, claim, &key, 1);
    if (rc == CPOR_OK)
      rc = c->m.commit(c->self);
    else
      c->m.rollback(c->self);
    _exit(-rc);
  }
  return (int)kid;
}

static int child_code(int kid) {
  int status = 0;
  ck_assert_int_eq(waitpid(kid, &status, 0), kid);
  ck_assert(WIFEXITED(status));
  return -WEXITSTATUS(status);
}

START_TEST(t_keys_race) {
  cpor_storage *a = open_store();
  const char *k[] = {"unit-9"};
  OK(a, CALL(a, begin, 1));
  OK(a, CALL(a, keys_replace, "c1", k, 1));
  int kid = claim_key_in_child("c2", "unit-9");
  sleep_ms(300);
  OK(a, CALL0(a, commit));
  ck_assert_status(child_code(kid), CPOR_EEXISTS);

  OK(a, CALL(a, begin, 1));
  OK(a, CALL(a, keys_replace, "c1", NULL, 0));
  kid = claim_key_in_child("c2", "unit-9");
  sleep_ms(300);
  OK(a, CALL0(a, rollback)); /* c1 keeps it after all */
  ck_assert_status(child_code(kid), CPOR_EEXISTS);

  /* Letting go of every key waits in the queue for the next statement with
   * an answer (a read here): from then on a taker waits for the end. */
  OK(a, CALL(a, begin, 1));
  OK(a, CALL(a, keys_replace, "c1", NULL, 0));
  cpor_store_object got;
  ck_assert_status(CALL(a, object_get, CPOR_STORE_CLAIM, "none", &got), CPOR_ENOTFOUND);
  kid = claim_key_in_child("c2", "unit-9");
  sleep_ms(300);
  OK(a, CALL0(a, commit)); /* released: the waiter gets it */
  ck_assert_status(child_code(kid), CPOR_OK);
  expect_keys("c2", "unit-9");
  cpor_storage_free(a);
}
END_TEST

/* Many hosts at once: processes increment one counter object by
 * conditional updates (rerunning on CPOR_ECONFLICT as the core does) and
 * compete for the same exclusive keys. No increment is lost, and each key
 * ends with exactly one holder. */
static int increment(cpor_storage *st, int proc, int round) {
  for (int attempt = 0; attempt < 1000; attempt++) {
    int rc = st->m.begin(st->self, 1);
    cpor_store_object got;
    if (rc == CPOR_OK) rc = st->m.object_get(st->self, CPOR_STORE_CLAIM, "counter", &got);
    char buf[32];
    long n = rc == CPOR_OK ? strtol((const char *)got.data, NULL, 10) : 0;
    snprintf(buf, sizeof buf, "%ld", n + 1);
    cpor_store_object u = obj(CPOR_STORE_CLAIM, "counter", NULL, NULL, 0, buf, strlen(buf) + 1);
    u.revision = rc == CPOR_OK ? got.revision : 0;
    if (rc == CPOR_OK) rc = st->m.object_put(st->self, &u, CPOR_STORE_UPDATE);
    char claim[32], key[32];
    snprintf(claim, sizeof claim, "p%d-%d", proc, round);
    snprintf(key, sizeof key, "unit-%d", round % 5);
    const char *k = key;
    int krc = rc == CPOR_OK ? st->m.keys_replace(st->self, claim, &k, 1) : CPOR_OK;
    if (krc != CPOR_OK && krc != CPOR_EEXISTS) rc = krc;
    if (rc == CPOR_OK)
      rc = st->m.commit(st->self);
    else
      st->m.rollback(st->self);
    if (rc == CPOR_OK) return CPOR_OK;
    if (rc != CPOR_ECONFLICT) return rc;
  }
  return CPOR_ECONFLICT;
}

START_TEST(t_many_writers) {
  enum { PROCS = 6, ROUNDS = 60 };
  cpor_storage *st = open_store();
  OK(st, CALL(st, begin, 1));
  cpor_store_object c = obj(CPOR_STORE_CLAIM, "counter", NULL, NULL, 0, "0", 2);
  OK(st, CALL(st, object_put, &c, CPOR_STORE_INSERT));
  OK(st, CALL0(st, commit));
  pid_t kids[PROCS];
  for (int p = 0; p < PROCS; p++) {
    kids[p] = fork();
    ck_assert_int_ge(kids[p], 0);
    if (kids[p] == 0) {
      cpor_storage *mine = open_store();
      int rc = CPOR_OK;
      for (int r = 0; r < ROUNDS && rc == CPOR_OK; r++)
        rc = increment(mine, p, r);
      if (rc) fprintf(stderr, "writer %d: %d %s\n", p, rc, ERRMSG(mine));
      cpor_storage_free(mine);
      _exit(-rc);
    }
  }
  for (int p = 0; p < PROCS; p++)
    ck_assert_status(child_code(kids[p]), CPOR_OK);
  OK(st, CALL(st, begin, 0));
  cpor_store_object got;
  OK(st, CALL(st, object_get, CPOR_STORE_CLAIM, "counter", &got));
  ck_assert_str_eq((const char *)got.data, "360");
  ck_assert_uint_eq(got.revision, PROCS * ROUNDS + 1);
  OK(st, CALL0(st, commit));
  char *n = sql("SELECT count(*) FROM %s.keys", schema);
  ck_assert_str_eq(n, "5");
  free(n);
  cpor_storage_free(st);
}
END_TEST

/* ---- cursors ------------------------------------------------------------------------------ */

static int drain(cpor_storage *st, const cpor_store_query *q, char ids[][32], int max) {
  void *c = NULL;
  OK(st, CALL(st, cursor_open, q, &c));
  cpor_store_row row;
  int n = 0, rc;
  while ((rc = CALL(st, cursor_next, c, &row)) == 1) {
    const char *id = q->what == CPOR_STORE_CURSOR_OBJECTS ? row.object.id
                     : q->what == CPOR_STORE_CURSOR_LINES ? row.line.claim_id
                                                          : row.claim_id;
    if (n < max) snprintf(ids[n], 32, "%s", id);
    n++;
  }
  ck_assert_msg(rc == 0, "cursor_next: %d %s", rc, ERRMSG(st));
  /* At the end it stays at the end. */
  ck_assert_int_eq(CALL(st, cursor_next, c, &row), 0);
  st->m.cursor_close(st->self, c);
  return n;
}

static void assert_ascending(char ids[][32], int n) {
  for (int i = 1; i < n; i++)
    ck_assert_msg(strcmp(ids[i - 1], ids[i]) < 0, "%s before %s", ids[i - 1], ids[i]);
}

static char ids[1200][32];

START_TEST(t_cursor_objects) {
  cpor_storage *st = open_store();
  OK(st, CALL(st, begin, 1));
  /* 600 rows: more than two pages. Inserted out of order. */
  for (int i = 599; i >= 0; i--) {
    char id[16], ref[16];
    snprintf(id, sizeof id, "o%04d", i);
    snprintf(ref, sizeof ref, "r%d", i % 7);
    put(st, CPOR_STORE_CLAIM, id, i % 2 ? "pB" : "pA", ref, i % 3);
  }
  put(st, CPOR_STORE_PARTNER, "o0001", "pA", "r1", 1);
  /* Bytewise order, whatever the database's collation. */
  put(st, CPOR_STORE_LOCATION, "a", NULL, NULL, 0);
  put(st, CPOR_STORE_LOCATION, "B", NULL, NULL, 0);
  put(st, CPOR_STORE_LOCATION, "\xc3\xa9", NULL, NULL, 0);
  put(st, CPOR_STORE_LOCATION, "Z", NULL, NULL, 0);
  put(st, CPOR_STORE_LOCATION, "_", NULL, NULL, 0);
  OK(st, CALL0(st, commit));

  OK(st, CALL(st, begin, 0));
  cpor_store_query q = {
      .what = CPOR_STORE_CURSOR_OBJECTS, .kind = CPOR_STORE_CLAIM, .by = CPOR_STORE_BY_KIND};
  ck_assert_int_eq(drain(st, &q, ids, 1200), 600);
  assert_ascending(ids, 600);
  ck_assert_str_eq(ids[0], "o0000");
  q.after = "o0299";
  ck_assert_int_eq(drain(st, &q, ids, 1200), 300);
  ck_assert_str_eq(ids[0], "o0300");
  q.after = "o0599";
  ck_assert_int_eq(drain(st, &q, ids, 1200), 0);
  char longer[400];
  memset(longer, 'o', sizeof longer - 1);
  longer[sizeof longer - 1] = '\0';
  memcpy(longer, "o0100", 5);
  q.after = longer; /* o0100ooo...: after o0100, before o0101 */
  ck_assert_int_eq(drain(st, &q, ids, 1200), 499);
  ck_assert_str_eq(ids[0], "o0101");
  q.after = NULL;

  q.by = CPOR_STORE_BY_OWNER;
  q.key = "pA";
  ck_assert_int_eq(drain(st, &q, ids, 1200), 300);
  assert_ascending(ids, 300);
  q.after = "o0500";
  ck_assert_int_eq(drain(st, &q, ids, 1200), 49);
  ck_assert_str_eq(ids[0], "o0502");
  q.after = NULL;
  q.key = "nobody";
  ck_assert_int_eq(drain(st, &q, ids, 1200), 0);
  q.by = CPOR_STORE_BY_REF;
  q.key = "r3";
  ck_assert_int_eq(drain(st, &q, ids, 1200), 86); /* 3, 10, ..., 598 */
  assert_ascending(ids, 86);
  ck_assert_str_eq(ids[1], "o0010");
  q.by = CPOR_STORE_BY_STATE;
  q.state = 2;
  ck_assert_int_eq(drain(st, &q, ids, 1200), 200);
  ck_assert_str_eq(ids[0], "o0002");
  assert_ascending(ids, 200);

  cpor_store_query loc = {
      .what = CPOR_STORE_CURSOR_OBJECTS, .kind = CPOR_STORE_LOCATION, .by = CPOR_STORE_BY_KIND};
  ck_assert_int_eq(drain(st, &loc, ids, 1200), 5);
  ck_assert_str_eq(ids[0], "B");
  ck_assert_str_eq(ids[1], "Z");
  ck_assert_str_eq(ids[2], "_");
  ck_assert_str_eq(ids[3], "a");
  ck_assert_str_eq(ids[4], "\xc3\xa9");

  /* Malformed queries. */
  void *c = NULL;
  cpor_store_query bad = q;
  bad.by = 77;
  ck_assert_status(CALL(st, cursor_open, &bad, &c), CPOR_EINVAL);
  bad.by = CPOR_STORE_BY_OWNER;
  bad.key = NULL;
  ck_assert_status(CALL(st, cursor_open, &bad, &c), CPOR_EINVAL);
  bad.what = 99;
  ck_assert_status(CALL(st, cursor_open, &bad, &c), CPOR_EINVAL);
  ck_assert_ptr_null(c);
  OK(st, CALL0(st, commit));
  cpor_storage_free(st);
}
END_TEST

/* Cursors interleave with each other and with object_get on one
 * connection; each row's pointers hold until that cursor moves. */
START_TEST(t_cursors_interleaved) {
  cpor_storage *st = open_store();
  OK(st, CALL(st, begin, 1));
  for (int i = 0; i < 300; i++) {
    char id[16];
    snprintf(id, sizeof id, "x%03d", i);
    put(st, CPOR_STORE_CLAIM, id, NULL, NULL, 0);
    put(st, CPOR_STORE_PARTNER, id, NULL, NULL, 0);
  }
  OK(st, CALL0(st, commit));
  OK(st, CALL(st, begin, 0));
  cpor_store_query q1 = {
      .what = CPOR_STORE_CURSOR_OBJECTS, .kind = CPOR_STORE_CLAIM, .by = CPOR_STORE_BY_KIND};
  cpor_store_query q2 = q1;
  q2.kind = CPOR_STORE_PARTNER;
  void *c1, *c2;
  OK(st, CALL(st, cursor_open, &q1, &c1));
  OK(st, CALL(st, cursor_open, &q2, &c2));
  cpor_store_row r1, r2;
  for (int i = 0; i < 300; i++) {
    ck_assert_int_eq(CALL(st, cursor_next, c1, &r1), 1);
    ck_assert_int_eq(CALL(st, cursor_next, c2, &r2), 1);
    cpor_store_object got;
    OK(st, CALL(st, object_get, CPOR_STORE_PARTNER, r1.object.id, &got));
    char want[16];
    snprintf(want, sizeof want, "x%03d", i);
    ck_assert_str_eq(r1.object.id, want);
    ck_assert_str_eq(r2.object.id, want);
    ck_assert_uint_eq(r1.object.kind, CPOR_STORE_CLAIM);
    ck_assert_uint_eq(r2.object.revision, 1);
    ck_assert_int_eq(memcmp(r2.object.data, want, 4), 0);
  }
  ck_assert_int_eq(CALL(st, cursor_next, c1, &r1), 0);
  st->m.cursor_close(st->self, c1);
  st->m.cursor_close(st->self, c2);
  st->m.cursor_close(st->self, NULL);
  OK(st, CALL0(st, commit));
  cpor_storage_free(st);
}
END_TEST

START_TEST(t_cursor_lines) {
  cpor_storage *st = open_store();
  OK(st, CALL(st, begin, 1));
  cpor_store_line l1[] = {{"c1", 0, "u1", "p1", 5}, {"c1", 1, "u2", NULL, 6}};
  cpor_store_line l2[] = {{"c2", 3, "u1", "p2", 1}, {"c2", 0, "u1", "p2", 2}};
  OK(st, CALL(st, lines_replace, "c1", l1, 2));
  OK(st, CALL(st, lines_replace, "c2", l2, 2));
  cpor_store_line wrong[] = {{"c9", 0, "u1", NULL, 0}};
  ck_assert_status(CALL(st, lines_replace, "c1", wrong, 1), CPOR_EINVAL);
  /* 300 one-line claims on u3: more than a page. */
  for (int i = 0; i < 300; i++) {
    char claim[16];
    snprintf(claim, sizeof claim, "m%03d", i);
    cpor_store_line l = {claim, 7, "u3", NULL, i};
    OK(st, CALL(st, lines_replace, claim, &l, 1));
  }
  OK(st, CALL0(st, commit));

  OK(st, CALL(st, begin, 0));
  cpor_store_query q = {.what = CPOR_STORE_CURSOR_LINES, .key = "u1"};
  void *c;
  OK(st, CALL(st, cursor_open, &q, &c));
  cpor_store_row row;
  struct {
    const char *claim;
    uint32_t line;
    int32_t status;
  } want[] = {{"c1", 0, 5}, {"c2", 0, 2}, {"c2", 3, 1}};
  for (int i = 0; i < 3; i++) {
    ck_assert_int_eq(CALL(st, cursor_next, c, &row), 1);
    ck_assert_str_eq(row.line.claim_id, want[i].claim);
    ck_assert_uint_eq(row.line.line, want[i].line);
    ck_assert_int_eq(row.line.status, want[i].status);
    ck_assert_str_eq(row.line.unit, "u1");
  }
  ck_assert_str_eq(row.line.partner_id, "p2");
  ck_assert_int_eq(CALL(st, cursor_next, c, &row), 0);
  st->m.cursor_close(st->self, c);
  q.key = "u2";
  OK(st, CALL(st, cursor_open, &q, &c));
  ck_assert_int_eq(CALL(st, cursor_next, c, &row), 1);
  ck_assert_ptr_null(row.line.partner_id);
  st->m.cursor_close(st->self, c);
  q.key = "u3";
  ck_assert_int_eq(drain(st, &q, ids, 1200), 300);
  assert_ascending(ids, 300);
  q.key = ""; /* NULL walks every row since version 4 (conformance.c) */
  ck_assert_status(CALL(st, cursor_open, &q, &c), CPOR_EINVAL);
  OK(st, CALL0(st, commit));

  OK(st, CALL(st, begin, 1));
  OK(st, CALL(st, lines_replace, "c1", NULL, 0));
  OK(st, CALL0(st, commit));
  OK(st, CALL(st, begin, 0));
  q.key = "u1";
  ck_assert_int_eq(drain(st, &q, ids, 1200), 2);
  ck_assert_str_eq(ids[0], "c2");
  OK(st, CALL0(st, commit));
  cpor_storage_free(st);
}
END_TEST

START_TEST(t_cursor_deadlines) {
  cpor_storage *st = open_store();
  OK(st, CALL(st, begin, 1));
  for (int i = 0; i < 300; i++) {
    char claim[16];
    snprintf(claim, sizeof claim, "d%03d", 299 - i);
    /* dues 0, 0, 10, 10, ...: ties are ordered by claim ID */
    OK(st, CALL(st, deadline_set, claim, CPOR_DEADLINE_OPTOUT, (cpor_time)(i / 2) * 10 - 500));
    OK(st, CALL(st, deadline_set, claim, CPOR_DEADLINE_SLA, 5));
  }
  /* Replacing and clearing. */
  OK(st, CALL(st, deadline_set, "d000", CPOR_DEADLINE_OPTOUT, -100000));
  OK(st, CALL(st, deadline_clear, "d001", CPOR_DEADLINE_OPTOUT));
  OK(st, CALL(st, deadline_clear, "d001", CPOR_DEADLINE_OPTOUT));
  ck_assert_status(CALL(st, deadline_set, "d001", 9, 1), CPOR_EINVAL);
  OK(st, CALL0(st, commit));

  OK(st, CALL(st, begin, 0));
  cpor_store_query q = {
      .what = CPOR_STORE_CURSOR_DEADLINES, .kind = CPOR_DEADLINE_OPTOUT, .upto = 1000};
  void *c;
  OK(st, CALL(st, cursor_open, &q, &c));
  cpor_store_row row;
  int n = 0;
  cpor_time last_due = INT64_MIN;
  char last_claim[32] = "";
  while (CALL(st, cursor_next, c, &row) == 1) {
    ck_assert_uint_eq(row.deadline_kind, CPOR_DEADLINE_OPTOUT);
    ck_assert(row.due <= 1000);
    ck_assert(row.due > last_due || (row.due == last_due && strcmp(row.claim_id, last_claim) > 0));
    if (n == 0) ck_assert_str_eq(row.claim_id, "d000");
    ck_assert_str_ne(row.claim_id, "d001");
    last_due = row.due;
    snprintf(last_claim, sizeof last_claim, "%s", row.claim_id);
    n++;
  }
  st->m.cursor_close(st->self, c);
  /* dues -500..990 for 298 claims (d000 moved, d001 cleared): i/2*10-500 <= 1000
   * for i <= 301: all but the two changed ones */
  ck_assert_int_eq(n, 299);
  q.upto = -491; /* -100000 (d000), then i = 0, 1 (due -500) */
  ck_assert_int_eq(drain(st, &q, ids, 1200), 3);
  ck_assert_str_eq(ids[0], "d000");
  ck_assert_str_eq(ids[1], "d298");
  ck_assert_str_eq(ids[2], "d299");
  q.kind = CPOR_DEADLINE_SLA;
  q.upto = 4;
  ck_assert_int_eq(drain(st, &q, ids, 1200), 0);
  q.upto = 5;
  ck_assert_int_eq(drain(st, &q, ids, 1200), 300);
  assert_ascending(ids, 300);
  q.kind = 42;
  ck_assert_status(CALL(st, cursor_open, &q, &c), CPOR_EINVAL);
  OK(st, CALL0(st, commit));
  cpor_storage_free(st);
}
END_TEST

START_TEST(t_cursor_events) {
  cpor_storage *st = open_store();
  OK(st, CALL(st, begin, 1));
  for (uint32_t s = 1; s <= 300; s++) {
    unsigned char data[3] = {(unsigned char)s, 0, 0xfe};
    OK(st, CALL(st, event_append, "c1", s, data, sizeof data));
  }
  OK(st, CALL(st, event_append, "c2", 1, "other", 5));
  /* A duplicate is queued, then reported by the next statement with an
   * answer as a conflict; rollback_to undoes it. */
  OK(st, CALL0(st, savepoint));
  OK(st, CALL(st, event_append, "c1", 7, "dup", 3));
  cpor_store_object got;
  ck_assert_status(CALL(st, object_get, CPOR_STORE_CLAIM, "none", &got), CPOR_ECONFLICT);
  ck_assert_msg(strstr(ERRMSG(st), "event_append: the claim has an event with that seq"), "%s",
                ERRMSG(st));
  OK(st, CALL0(st, rollback_to));
  OK(st, CALL(st, event_append, "c3", 1, NULL, 0)); /* empty entries are kept */
  OK(st, CALL0(st, commit));

  OK(st, CALL(st, begin, 0));
  cpor_store_query q = {.what = CPOR_STORE_CURSOR_EVENTS, .key = "c1"};
  void *c;
  OK(st, CALL(st, cursor_open, &q, &c));
  cpor_store_row row;
  for (uint32_t s = 1; s <= 300; s++) {
    ck_assert_int_eq(CALL(st, cursor_next, c, &row), 1);
    ck_assert_uint_eq(row.seq, s);
    ck_assert_str_eq(row.claim_id, "c1");
    ck_assert_uint_eq(row.len, 3);
    const unsigned char *d = row.data;
    ck_assert(d[0] == (unsigned char)s && d[1] == 0 && d[2] == 0xfe);
  }
  ck_assert_int_eq(CALL(st, cursor_next, c, &row), 0);
  st->m.cursor_close(st->self, c);
  q.after_seq = 250;
  ck_assert_int_eq(drain(st, &q, ids, 1200), 50);
  q.after_seq = 300;
  ck_assert_int_eq(drain(st, &q, ids, 1200), 0);
  q.key = "c3";
  q.after_seq = 0;
  OK(st, CALL(st, cursor_open, &q, &c));
  ck_assert_int_eq(CALL(st, cursor_next, c, &row), 1);
  ck_assert_uint_eq(row.len, 0);
  st->m.cursor_close(st->self, c);
  q.key = "";
  ck_assert_status(CALL(st, cursor_open, &q, &c), CPOR_EINVAL);
  OK(st, CALL0(st, commit));
  cpor_storage_free(st);
}
END_TEST

/* Page edges: pages of 16, 64, then 256 rows; a query whose rows end exactly
 * at a page's end, one short or one over. */
START_TEST(t_cursor_page_edges) {
  static const int sizes[] = {0, 1, 15, 16, 17, 79, 80, 81, 335, 336, 337, 592};
  cpor_storage *st = open_store();
  OK(st, CALL(st, begin, 1));
  for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
    for (int i = 0; i < sizes[k]; i++) {
      char id[32];
      snprintf(id, sizeof id, "s%d-%04d", sizes[k], i);
      put(st, CPOR_STORE_CUSTOMER, id, NULL, NULL, sizes[k]);
    }
  }
  OK(st, CALL0(st, commit));
  OK(st, CALL(st, begin, 0));
  for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
    cpor_store_query q = {.what = CPOR_STORE_CURSOR_OBJECTS,
                          .kind = CPOR_STORE_CUSTOMER,
                          .by = CPOR_STORE_BY_STATE,
                          .state = sizes[k]};
    ck_assert_int_eq(drain(st, &q, ids, 1200), sizes[k]);
    assert_ascending(ids, sizes[k]);
  }
  OK(st, CALL0(st, commit));
  cpor_storage_free(st);
}
END_TEST

/* A statement that runs past statement_timeout_ms (here: waiting for a key
 * another transaction holds) fails with CPOR_ESTORAGE naming the timeout;
 * the store works again after the rollback. */
START_TEST(t_statement_timeout) {
  cpor_storage *a = open_store();
  cpor_postgres_options o = CPOR_POSTGRES_OPTIONS_INIT;
  o.statement_timeout_ms = 200;
  cpor_storage *b = NULL;
  char err[512];
  ck_assert_int_eq(cpor_storage_open_postgres(&b, conninfo, &o, err, sizeof err), CPOR_OK);
  const char *k[] = {"busy"};
  OK(a, CALL(a, begin, 1));
  OK(a, CALL(a, keys_replace, "c1", k, 1));
  OK(b, CALL(b, begin, 1));
  ck_assert_status(CALL(b, keys_replace, "c2", k, 1), CPOR_ESTORAGE);
  ck_assert_msg(strstr(ERRMSG(b), "statement timeout 200 ms"), "%s", ERRMSG(b));
  /* The transaction is aborted now: its commit says so and rolls back. */
  ck_assert_status(CALL0(b, commit), CPOR_ESTORAGE);
  OK(a, CALL0(a, commit));
  OK(b, CALL(b, begin, 1));
  const char *k2[] = {"free"};
  OK(b, CALL(b, keys_replace, "c2", k2, 1));
  OK(b, CALL0(b, commit));
  expect_keys("c2", "free");
  cpor_storage_free(a);
  cpor_storage_free(b);
}
END_TEST

/* A transaction whose first statement fails (a timeout on a locked table)
 * on a new connection, read and write: the rollback succeeds and the next
 * transaction works. */
START_TEST(t_failed_read_rolls_back) {
  cpor_postgres_options o = CPOR_POSTGRES_OPTIONS_INIT;
  o.statement_timeout_ms = 200;
  cpor_storage *st = NULL;
  char err[512];
  ck_assert_int_eq(cpor_storage_open_postgres(&st, conninfo, &o, err, sizeof err), CPOR_OK);
  PGconn *lock = PQconnectdb(conninfo);
  ck_assert_int_eq(PQstatus(lock), CONNECTION_OK);
  PQclear(PQexec(lock, "BEGIN"));
  PGresult *r = PQexec(lock, "LOCK TABLE objects IN ACCESS EXCLUSIVE MODE");
  ck_assert_int_eq(PQresultStatus(r), PGRES_COMMAND_OK);
  PQclear(r);
  for (int w = 0; w < 2; w++) {
    OK(st, CALL(st, begin, w));
    cpor_store_object got;
    ck_assert_status(CALL(st, object_get, CPOR_STORE_CLAIM, "x", &got), CPOR_ESTORAGE);
    ck_assert_msg(strstr(ERRMSG(st), "statement timeout 200 ms"), "%s", ERRMSG(st));
    OK(st, CALL0(st, rollback));
  }
  PQclear(PQexec(lock, "ROLLBACK"));
  PQfinish(lock);
  OK(st, CALL(st, begin, 0));
  cpor_store_object got;
  ck_assert_status(CALL(st, object_get, CPOR_STORE_CLAIM, "x", &got), CPOR_ENOTFOUND);
  OK(st, CALL0(st, commit));
  cpor_storage_free(st);
}
END_TEST

/* ---- transactions -----------------------------------------------------------------------------
 */

static int exists(cpor_storage *st, uint32_t kind, const char *id) {
  cpor_store_object got;
  int rc = CALL(st, object_get, kind, id, &got);
  ck_assert(rc == CPOR_OK || rc == CPOR_ENOTFOUND);
  return rc == CPOR_OK;
}

START_TEST(t_savepoints) {
  cpor_storage *st = open_store();
  ck_assert_status(CALL0(st, savepoint), CPOR_ESTORAGE); /* no transaction */
  OK(st, CALL(st, begin, 1));
  ck_assert_status(CALL(st, begin, 1), CPOR_ESTORAGE); /* never nested */
  put(st, CPOR_STORE_CLAIM, "a", NULL, NULL, 0);
  OK(st, CALL0(st, savepoint));
  put(st, CPOR_STORE_CLAIM, "b", NULL, NULL, 0);
  const char *k[] = {"kb"};
  OK(st, CALL(st, keys_replace, "b", k, 1));
  OK(st, CALL(st, event_append, "b", 1, "e", 1));
  OK(st, CALL0(st, rollback_to));
  OK(st, CALL0(st, savepoint));
  put(st, CPOR_STORE_CLAIM, "c", NULL, NULL, 0);
  OK(st, CALL0(st, release));
  /* A savepoint that ends in rollback_to, after a refused key. */
  OK(st, CALL0(st, savepoint));
  put(st, CPOR_STORE_CLAIM, "d", NULL, NULL, 0);
  OK(st, CALL0(st, rollback_to));
  OK(st, CALL0(st, commit));
  OK(st, CALL(st, begin, 0));
  ck_assert(exists(st, CPOR_STORE_CLAIM, "a"));
  ck_assert(!exists(st, CPOR_STORE_CLAIM, "b"));
  ck_assert(exists(st, CPOR_STORE_CLAIM, "c"));
  ck_assert(!exists(st, CPOR_STORE_CLAIM, "d"));
  ck_assert_status(CALL0(st, savepoint), CPOR_ESTORAGE); /* read transaction */
  OK(st, CALL0(st, commit));
  expect_keys("b", "");
  /* Rollback undoes everything; rollback with nothing open is harmless. */
  OK(st, CALL(st, begin, 1));
  put(st, CPOR_STORE_CLAIM, "e", NULL, NULL, 0);
  OK(st, CALL0(st, rollback));
  OK(st, CALL0(st, rollback));
  ck_assert_status(CALL0(st, commit), CPOR_ESTORAGE);
  OK(st, CALL(st, begin, 0));
  ck_assert(!exists(st, CPOR_STORE_CLAIM, "e"));
  OK(st, CALL0(st, commit));
  cpor_storage_free(st);
}
END_TEST

/* A read transaction sees one snapshot: another host's commit in between
 * shows up only in the next transaction. */
START_TEST(t_read_snapshot) {
  cpor_storage *a = open_store(), *b = open_store();
  OK(a, CALL(a, begin, 1));
  put(a, CPOR_STORE_CLAIM, "x", NULL, NULL, 0);
  OK(a, CALL0(a, commit));
  OK(b, CALL(b, begin, 0));
  ck_assert(exists(b, CPOR_STORE_CLAIM, "x"));
  OK(a, CALL(a, begin, 1));
  put(a, CPOR_STORE_CLAIM, "y", NULL, NULL, 0);
  OK(a, CALL0(a, commit));
  ck_assert(!exists(b, CPOR_STORE_CLAIM, "y"));
  OK(b, CALL0(b, commit));
  OK(b, CALL(b, begin, 0));
  ck_assert(exists(b, CPOR_STORE_CLAIM, "y"));
  OK(b, CALL0(b, commit));
  cpor_storage_free(a);
  cpor_storage_free(b);
}
END_TEST

static void kill_backends(const char *app) {
  free(sql("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
           "WHERE application_name = '%s'",
           app));
  sleep_ms(100);
}

START_TEST(t_reconnect) {
  char app[64];
  snprintf(app, sizeof app, "cpor-test-%d", (int)getpid());
  cpor_storage *st = open_named(app);
  OK(st, CALL(st, begin, 1));
  put(st, CPOR_STORE_CLAIM, "before", NULL, NULL, 0);
  OK(st, CALL0(st, commit));

  /* Lost between transactions: the next begin reconnects by itself. */
  kill_backends(app);
  OK(st, CALL(st, begin, 0));
  ck_assert(exists(st, CPOR_STORE_CLAIM, "before"));
  OK(st, CALL0(st, commit));

  /* Lost inside one: that call fails, rollback succeeds, the next
   * transaction works on a new connection, and nothing of the lost one was
   * kept. */
  OK(st, CALL(st, begin, 1));
  put(st, CPOR_STORE_CLAIM, "lost", NULL, NULL, 0);
  kill_backends(app);
  cpor_store_object o = obj(CPOR_STORE_CLAIM, "lost2", NULL, NULL, 0, "x", 1);
  ck_assert_status(CALL(st, object_put, &o, CPOR_STORE_INSERT), CPOR_ESTORAGE);
  ck_assert_msg(strstr(ERRMSG(st), "lost"), "%s", ERRMSG(st));
  ck_assert_status(CALL(st, object_put, &o, CPOR_STORE_INSERT), CPOR_ESTORAGE);
  OK(st, CALL0(st, rollback));
  OK(st, CALL(st, begin, 1));
  ck_assert(!exists(st, CPOR_STORE_CLAIM, "lost"));
  put(st, CPOR_STORE_CLAIM, "after", NULL, NULL, 0);
  OK(st, CALL0(st, commit));

  /* Lost with a cursor open (mid-page): the next page fails. */
  OK(st, CALL(st, begin, 1));
  for (int i = 0; i < 300; i++) {
    char id[16];
    snprintf(id, sizeof id, "p%03d", i);
    put(st, CPOR_STORE_PARTNER, id, NULL, NULL, 0);
  }
  OK(st, CALL0(st, commit));
  OK(st, CALL(st, begin, 0));
  cpor_store_query q = {
      .what = CPOR_STORE_CURSOR_OBJECTS, .kind = CPOR_STORE_PARTNER, .by = CPOR_STORE_BY_KIND};
  void *c;
  OK(st, CALL(st, cursor_open, &q, &c));
  cpor_store_row row;
  ck_assert_int_eq(CALL(st, cursor_next, c, &row), 1);
  kill_backends(app);
  int rc = 1;
  for (int i = 0; i < 300 && rc == 1; i++)
    rc = CALL(st, cursor_next, c, &row);
  ck_assert_status(rc, CPOR_ESTORAGE);
  st->m.cursor_close(st->self, c);
  OK(st, CALL0(st, rollback));
  OK(st, CALL(st, begin, 0));
  ck_assert(exists(st, CPOR_STORE_CLAIM, "after"));
  OK(st, CALL0(st, commit));
  cpor_storage_free(st);
}
END_TEST

/* ---- queued writes ------------------------------------------------------------------------- */

static char *count_of(const char *table, const char *claim) {
  return sql("SELECT count(*)::text FROM %s.%s WHERE claim_id = '%s'", schema, table, claim);
}

static void expect_count(const char *table, const char *claim, const char *want) {
  char *n = count_of(table, claim);
  ck_assert_msg(strcmp(n, want) == 0, "%s of %s: %s rows, want %s", table, claim, n, want);
  free(n);
}

/* Every write to deadlines fails on the server from here on. */
static void refuse_deadlines(void) {
  free(sql("CREATE FUNCTION %s.refuse() RETURNS trigger LANGUAGE plpgsql AS "
           "$$BEGIN RAISE EXCEPTION 'refused by the test'; END$$",
           schema));
  free(sql("CREATE TRIGGER refuse BEFORE INSERT OR UPDATE ON %s.deadlines "
           "FOR EACH ROW EXECUTE FUNCTION %s.refuse()",
           schema, schema));
}

static cpor_store_line line_of(const char *claim, uint32_t n, const char *unit) {
  cpor_store_line l = {.claim_id = claim, .line = n, .unit = unit, .partner_id = "p1", .status = 1};
  return l;
}

/* Lines and deadlines are queued until a statement with an answer: what a
 * savepoint undoes before they were sent never reaches the server, and more
 * than a queue's worth goes out on its own. */
START_TEST(t_queued_writes) {
  cpor_storage *st = open_store();
  OK(st, CALL(st, begin, 1));
  put(st, CPOR_STORE_CLAIM, "a", NULL, NULL, 0);
  OK(st, CALL0(st, savepoint));
  cpor_store_line l[100];
  char units[100][8];
  for (int i = 0; i < 100; i++) {
    snprintf(units[i], sizeof units[i], "u%d", i);
    l[i] = line_of("a", (uint32_t)i, units[i]);
  }
  OK(st, CALL(st, lines_replace, "a", l, 3));
  OK(st, CALL(st, deadline_set, "a", CPOR_DEADLINE_OPTOUT, 7));
  OK(st, CALL0(st, rollback_to)); /* nothing was sent */
  OK(st, CALL0(st, savepoint));
  OK(st, CALL(st, lines_replace, "a", l, 100)); /* more than the queue holds */
  OK(st, CALL0(st, rollback_to));
  OK(st, CALL0(st, savepoint));
  OK(st, CALL(st, lines_replace, "a", l, 100));
  OK(st, CALL(st, deadline_set, "a", CPOR_DEADLINE_SLA, 9));
  OK(st, CALL0(st, release));
  OK(st, CALL0(st, savepoint)); /* a call that wrote nothing */
  OK(st, CALL0(st, release));
  OK(st, CALL(st, deadline_clear, "a", CPOR_DEADLINE_SLA));
  OK(st, CALL(st, deadline_set, "a", CPOR_DEADLINE_OPTOUT, 5));
  OK(st, CALL0(st, commit)); /* sends the last two with the COMMIT */
  expect_count("lines", "a", "100");
  expect_count("deadlines", "a", "1");
  char *due = sql("SELECT kind || '@' || due FROM %s.deadlines WHERE claim_id = 'a'", schema);
  ck_assert_str_eq(due, "1@5");
  free(due);
  /* A rollback forgets what was queued. */
  OK(st, CALL(st, begin, 1));
  OK(st, CALL(st, lines_replace, "a", l, 1));
  OK(st, CALL0(st, rollback));
  expect_count("lines", "a", "100");
  cpor_storage_free(st);
}
END_TEST

/* A queued write that the server refuses is reported by the next method with
 * an answer (here a read, the release, the commit), as CPOR_ESTORAGE naming
 * the write; the call is then undone as after any storage failure, and the
 * connection goes on. */
START_TEST(t_queued_write_fails) {
  cpor_storage *st = open_store();
  OK(st, CALL(st, begin, 1));
  put(st, CPOR_STORE_CLAIM, "a", NULL, NULL, 0);
  OK(st, CALL0(st, commit));
  refuse_deadlines();
  cpor_store_line l = line_of("a", 0, "u1");

  /* Reported by the release: rollback_to undoes the call. */
  OK(st, CALL(st, begin, 1));
  OK(st, CALL0(st, savepoint));
  OK(st, CALL(st, lines_replace, "a", &l, 1));
  OK(st, CALL(st, deadline_set, "a", CPOR_DEADLINE_OPTOUT, 7));
  ck_assert_status(CALL0(st, release), CPOR_ESTORAGE);
  ck_assert_msg(strstr(ERRMSG(st), "deadline_set: refused by the test"), "%s", ERRMSG(st));
  OK(st, CALL0(st, rollback_to));
  put(st, CPOR_STORE_CLAIM, "b", NULL, NULL, 0); /* the transaction goes on */
  OK(st, CALL0(st, commit));
  expect_count("lines", "a", "0");
  expect_count("deadlines", "a", "0");

  /* Reported by a read. */
  OK(st, CALL(st, begin, 1));
  OK(st, CALL0(st, savepoint));
  OK(st, CALL(st, deadline_set, "a", CPOR_DEADLINE_OPTOUT, 7));
  cpor_store_object got;
  ck_assert_status(CALL(st, object_get, CPOR_STORE_CLAIM, "a", &got), CPOR_ESTORAGE);
  ck_assert_msg(strstr(ERRMSG(st), "deadline_set: refused by the test"), "%s", ERRMSG(st));
  OK(st, CALL0(st, rollback_to));
  ck_assert(exists(st, CPOR_STORE_CLAIM, "a"));
  OK(st, CALL0(st, commit));

  /* Reported by the commit, which did not run: the transaction is still
   * open, and the rollback ends it. */
  OK(st, CALL(st, begin, 1));
  put(st, CPOR_STORE_CLAIM, "c", NULL, NULL, 0);
  OK(st, CALL(st, deadline_set, "c", CPOR_DEADLINE_SLA, 3));
  ck_assert_status(CALL0(st, commit), CPOR_ESTORAGE);
  ck_assert_msg(strstr(ERRMSG(st), "deadline_set: refused by the test"), "%s", ERRMSG(st));
  OK(st, CALL0(st, rollback));
  OK(st, CALL(st, begin, 0));
  ck_assert(!exists(st, CPOR_STORE_CLAIM, "c"));
  ck_assert(exists(st, CPOR_STORE_CLAIM, "b"));
  OK(st, CALL0(st, commit));
  cpor_storage_free(st);
}
END_TEST

/* ---- the suite ---------------------------------------------------------------------------------
 */

/* The storage conformance suite, each test on a fresh schema (left to
 * pgtest_end_run: the suite frees the store, not the schema). */
static int open_conf(cpor_storage **out, void *arg) {
  (void)arg;
  return pgtest_open(out, NULL, 0);
}

static Suite *postgres_suite(void) {
  Suite *s = suite_create("store_postgres");
  TCase *tc = tcase_create("postgres");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, t_open_creates_schema);
  tcase_add_test(tc, t_open_concurrently);
  tcase_add_test(tc, t_open_refuses_foreign_schema);
  tcase_add_test(tc, t_open_refuses_newer_schema);
  tcase_add_test(tc, t_open_bad_arguments);
  tcase_add_test(tc, t_open_unreachable);
  tcase_add_test(tc, t_open_wrong_password);
  tcase_add_test(tc, t_scrub);
  tcase_add_test(tc, t_objects_revisions);
  tcase_add_test(tc, t_revision_race);
  tcase_add_test(tc, t_keys_exclusive);
  tcase_add_test(tc, t_keys_race);
  tcase_add_test(tc, t_many_writers);
  tcase_add_test(tc, t_cursor_objects);
  tcase_add_test(tc, t_cursors_interleaved);
  tcase_add_test(tc, t_cursor_lines);
  tcase_add_test(tc, t_cursor_deadlines);
  tcase_add_test(tc, t_cursor_events);
  tcase_add_test(tc, t_cursor_page_edges);
  tcase_add_test(tc, t_statement_timeout);
  tcase_add_test(tc, t_failed_read_rolls_back);
  tcase_add_test(tc, t_savepoints);
  tcase_add_test(tc, t_read_snapshot);
  tcase_add_test(tc, t_reconnect);
  tcase_add_test(tc, t_queued_writes);
  tcase_add_test(tc, t_queued_write_fails);
  suite_add_tcase(s, tc);
  cpor_conformance_add(s, "conformance_postgres", open_conf, NULL);
  return s;
}

int main(void) {
  int status = 0;
  if (!pgtest_begin_run(&status)) return status;
  SRunner *sr = srunner_create(postgres_suite());
  srunner_set_tap(sr, "-");
  srunner_run_all(sr, CK_SILENT);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  pgtest_end_run(); /* the schemas of tests that failed before their teardown */
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
