/* The SQLite backend: what only this backend can show (files, schema, locks,
 * bad files, two connections on one file), plus the storage conformance
 * suite on a file database and on ":memory:". */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "conf_util.h"
#include "conformance.h"
#include "store/storage.h"
#include "testutil.h"

/* Calls a method of a storage: CALL(st, begin, 1). */
#define CALL(st, method, ...) ((st)->m.method((st)->self, __VA_ARGS__))
#define CALL0(st, method) ((st)->m.method((st)->self))
/* The object query of the 0.1 vtable, kept for these tests' brevity. */
typedef struct cpor_store_filter {
  uint32_t kind, by;
  const char *key;
  int32_t state;
} cpor_store_filter;
static int scan(cpor_storage *st, const cpor_store_filter *f, cpor__object_fn fn, void *arg) {
  return cpor__store_objects(st, f->kind, f->by, f->key, f->state, NULL, 0, fn, arg);
}
#define ERRMSG(st) ((st)->m.errmsg((st)->self) ? (st)->m.errmsg((st)->self) : "")

/* ---- temporary files ------------------------------------------------------------ */

/* Everything lives under run_dir, made by main and removed after the run, so
 * a failed test (whose teardown does not run) leaves nothing behind. */
static char run_dir[256];
static char tmpdir[512]; /* per test: made by setup, removed by teardown */

static const char *tmp_root(void) {
  const char *t = getenv("TMPDIR");
  return t && *t ? t : "/tmp";
}

static void remove_tree(const char *path) {
  DIR *d = opendir(path);
  if (d) {
    struct dirent *e;
    while ((e = readdir(d))) {
      if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
      char sub[1024];
      snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
      remove_tree(sub);
    }
    closedir(d);
    rmdir(path);
  } else {
    chmod(path, 0644);
    unlink(path);
  }
}

static void setup(void) {
  snprintf(tmpdir, sizeof tmpdir, "%s/test-XXXXXX", run_dir);
  ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void teardown(void) {
  remove_tree(tmpdir);
}

/* A path inside the test's directory (static buffer per slot). */
static const char *tpath(int slot, const char *name) {
  static char buf[4][1024];
  snprintf(buf[slot], sizeof buf[slot], "%s/%s", tmpdir, name);
  return buf[slot];
}

static void write_file(const char *path, const void *data, size_t len) {
  FILE *f = fopen(path, "wb");
  ck_assert_ptr_nonnull(f);
  ck_assert_uint_eq(fwrite(data, 1, len, f), len);
  ck_assert_int_eq(fclose(f), 0);
}

/* The whole file (malloc'd), for byte-for-byte comparisons. */
static unsigned char *slurp(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  ck_assert_ptr_nonnull(f);
  size_t cap = 1 << 16, n = 0;
  unsigned char *buf = malloc(cap);
  ck_assert_ptr_nonnull(buf);
  size_t got;
  while ((got = fread(buf + n, 1, cap - n, f)) > 0) {
    n += got;
    if (n == cap) buf = realloc(buf, cap *= 2);
    ck_assert_ptr_nonnull(buf);
  }
  fclose(f);
  *len = n;
  return buf;
}

static int exists(const char *path) {
  return access(path, F_OK) == 0;
}

/* Opening must fail with `code`, name the path in the message, contain
 * `needle`, and leave the file exactly as it was. */
static void expect_refused(const char *path, const cpor_sqlite_options *opts, int code,
                           const char *needle) {
  size_t before_len = 0;
  unsigned char *before = exists(path) ? slurp(path, &before_len) : NULL;
  cpor_storage *st = (cpor_storage *)1;
  char err[512];
  ck_assert_status(cpor_storage_open_sqlite(&st, path, opts, err, sizeof err), code);
  ck_assert_ptr_null(st);
  ck_assert_msg(strstr(err, path) != NULL, "message does not name the path: %s", err);
  ck_assert_msg(strstr(err, needle) != NULL, "message lacks \"%s\": %s", needle, err);
  if (before) {
    size_t after_len;
    unsigned char *after = slurp(path, &after_len);
    ck_assert_uint_eq(after_len, before_len);
    ck_assert_msg(memcmp(before, after, before_len) == 0, "the file changed");
    free(after);
    free(before);
  }
  char side[600];
  snprintf(side, sizeof side, "%s-wal", path);
  ck_assert_msg(!exists(side), "a WAL file was created");
  snprintf(side, sizeof side, "%s-journal", path);
  ck_assert_msg(!exists(side), "a journal was created");
}

static cpor_storage *open_ok(const char *path, const cpor_sqlite_options *opts) {
  cpor_storage *st = NULL;
  char err[512];
  int rc = cpor_storage_open_sqlite(&st, path, opts, err, sizeof err);
  ck_assert_msg(rc == CPOR_OK, "open %s: %d %s", path, rc, err);
  ck_assert_ptr_nonnull(st);
  return st;
}

/* A raw SQLite connection for looking behind the backend's back. */
static sqlite3 *raw_open(const char *path) {
  sqlite3 *db = NULL;
  ck_assert_int_eq(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL),
                   SQLITE_OK);
  return db;
}

static void raw_exec(sqlite3 *db, const char *sql) {
  char *msg = NULL;
  int rc = sqlite3_exec(db, sql, NULL, NULL, &msg);
  ck_assert_msg(rc == SQLITE_OK, "%s: %s", sql, msg ? msg : "?");
}

/* The first column of the first row, as text (static buffer). */
static const char *raw_text(sqlite3 *db, const char *sql) {
  static char buf[256];
  sqlite3_stmt *st = NULL;
  ck_assert_int_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
  buf[0] = '\0';
  if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
    snprintf(buf, sizeof buf, "%s", (const char *)sqlite3_column_text(st, 0));
  sqlite3_finalize(st);
  return buf;
}

/* EXPLAIN QUERY PLAN's details, one per line (static buffer). */
static const char *raw_plan(sqlite3 *db, const char *query) {
  static char buf[1024];
  char sql[512];
  snprintf(sql, sizeof sql, "EXPLAIN QUERY PLAN %s", query);
  sqlite3_stmt *st = NULL;
  ck_assert_int_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
  buf[0] = '\0';
  while (sqlite3_step(st) == SQLITE_ROW) {
    size_t n = strlen(buf);
    snprintf(buf + n, sizeof buf - n, "%s\n", (const char *)sqlite3_column_text(st, 3));
  }
  sqlite3_finalize(st);
  return buf;
}

/* ---- small store helpers -------------------------------------------------------- */

static void put(cpor_storage *st, const char *id, const char *owner, int32_t state,
                const char *data, int expect) {
  cpor_store_object o = {CPOR_STORE_CLAIM, id, owner, NULL, state, 0, data, strlen(data)};
  ck_assert_status(CALL(st, object_put, &o, CPOR_STORE_INSERT), expect);
}

static int copy_data(void *arg, const cpor_store_object *o) {
  snprintf(arg, 64, "%.*s", (int)o->len, (const char *)o->data);
  return 0;
}

typedef struct line_list {
  char text[512]; /* "claim:line:status " per row */
} line_list;

static int collect_line(void *arg, const cpor_store_line *l) {
  line_list *ll = arg;
  size_t n = strlen(ll->text);
  snprintf(ll->text + n, sizeof ll->text - n, "%s:%u:%d ", l->claim_id, (unsigned)l->line,
           (int)l->status);
  return 0;
}

static const char *lines_of(cpor_storage *st, const char *unit) {
  static line_list ll;
  ll.text[0] = '\0';
  ck_assert_status(cpor__store_lines(st, unit, collect_line, &ll), CPOR_OK);
  return ll.text;
}

/* ---- options and arguments ------------------------------------------------------ */

START_TEST(options_init) {
  cpor_sqlite_options o;
  memset(&o, 0xff, sizeof o);
  ck_assert_status(cpor_sqlite_options_init(&o, CPOR_SQLITE_OPTIONS_VERSION), CPOR_OK);
  ck_assert_uint_eq(o.version, 2);
  ck_assert_int_eq(o.busy_timeout_ms, 0); /* every zero is the default (5000 ms) */
  ck_assert_uint_eq(o.synchronous_full, 0);
  ck_assert_uint_eq(o.read_only, 0);
  ck_assert_int_eq(o.cache_mb, 0);
  ck_assert_int_eq(o.mmap_mb, 0);
  ck_assert_status(cpor_sqlite_options_init(&o, 0), CPOR_EVERSION);
  ck_assert_status(cpor_sqlite_options_init(&o, 99), CPOR_EVERSION);
  ck_assert_status(cpor_sqlite_options_init(NULL, 1), CPOR_EINVAL);
}
END_TEST

START_TEST(open_bad_arguments) {
  cpor_storage *st = (cpor_storage *)1;
  char err[256];
  ck_assert_status(cpor_storage_open_sqlite(NULL, ":memory:", NULL, err, sizeof err), CPOR_EINVAL);
  ck_assert_status(cpor_storage_open_sqlite(&st, NULL, NULL, err, sizeof err), CPOR_EINVAL);
  ck_assert_ptr_null(st);
  ck_assert_str_ne(err, "");
  cpor_sqlite_options o = CPOR_SQLITE_OPTIONS_INIT;
  o.version = 0;
  ck_assert_status(cpor_storage_open_sqlite(&st, ":memory:", &o, err, sizeof err), CPOR_EVERSION);
  o.version = 99;
  ck_assert_status(cpor_storage_open_sqlite(&st, ":memory:", &o, err, sizeof err), CPOR_EVERSION);
  ck_assert_str_eq(err, ":memory:: unsupported cpor_sqlite_options version 99 (this library reads "
                        "versions 1 to 2)");
  cpor_sqlite_options bad = CPOR_SQLITE_OPTIONS_INIT;
  bad.read_only = 2;
  ck_assert_status(cpor_storage_open_sqlite(&st, ":memory:", &bad, NULL, 0), CPOR_EINVAL);
  /* err may be NULL, or too small: the message is cut, never overflows. */
  char tiny[4] = "xxx";
  ck_assert_status(cpor_storage_open_sqlite(&st, NULL, NULL, tiny, sizeof tiny), CPOR_EINVAL);
  ck_assert_uint_eq(strlen(tiny), 3);
  ck_assert_ptr_null(st);
  cpor_storage_free(NULL);
}
END_TEST

/* ---- a new database --------------------------------------------------------------- */

START_TEST(new_file_has_schema_and_wal) {
  const char *path = tpath(0, "new.db");
  cpor_storage *st = open_ok(path, NULL);
  ck_assert(exists(path));
  sqlite3 *db = raw_open(path);
  ck_assert_str_eq(raw_text(db, "PRAGMA application_id"), "1129336658"); /* 0x43504f52 */
  ck_assert_str_eq(raw_text(db, "PRAGMA user_version"), "4");
  ck_assert_str_eq(raw_text(db, "PRAGMA journal_mode"), "wal");
  ck_assert_str_eq(raw_text(db, "SELECT value FROM meta WHERE key = 'application'"), "libcpor");
  ck_assert_str_eq(raw_text(db, "SELECT count(*) FROM sqlite_master WHERE type = 'table'"), "9");
  ck_assert_str_eq(raw_text(db, "SELECT group_concat(name) FROM (SELECT name FROM sqlite_master "
                                "WHERE type = 'table' AND name IN ('counters', 'changes', "
                                "'messages') ORDER BY name)"),
                   "changes,counters,messages");
  /* The outbox's messages have no index but their primary key. */
  ck_assert_str_eq(raw_text(db, "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND "
                                "tbl_name = 'messages' AND sql IS NOT NULL"),
                   "0");
  /* No index names a status value: exclusive keys replaced them. */
  ck_assert_str_eq(raw_text(db, "SELECT count(*) FROM sqlite_master WHERE sql LIKE '%status =%'"),
                   "0");
  /* The deadline cursor's query is answered from the (kind, due) index
   * without a sort: its cost follows the rows that are due. */
  const char *plan = raw_plan(db, "SELECT o.id, d.due FROM deadlines d JOIN objects o ON o.oid = "
                                  "d.oid WHERE d.kind = 1 AND d.due <= 5 ORDER BY d.due, d.oid");
  ck_assert_msg(strstr(plan, "TEMP B-TREE") == NULL, "plan: %s", plan);
  ck_assert_msg(strstr(plan, "COVERING INDEX deadlines_due") != NULL, "plan: %s", plan);
  sqlite3_close(db);
  cpor_storage_free(st);
}
END_TEST

START_TEST(empty_file_becomes_a_database) {
  /* Decision: an EMPTY file is a valid new database (SQLite itself treats a
   * 0-byte file so; mkstemp-made paths work). */
  const char *path = tpath(0, "empty.db");
  write_file(path, "", 0);
  cpor_storage *st = open_ok(path, NULL);
  put(st, "c1", "p1", 2, "payload", CPOR_OK);
  cpor_storage_free(st);
  sqlite3 *db = raw_open(path);
  ck_assert_str_eq(raw_text(db, "PRAGMA user_version"), "4");
  sqlite3_close(db);
}
END_TEST

START_TEST(migrates_from_version_zero) {
  /* A SQLite database that exists but has nothing in it (user_version 0, no
   * tables) is migrated step by step to the current version. */
  const char *path = tpath(0, "v0.db");
  sqlite3 *db = raw_open(path);
  raw_exec(db, "CREATE TABLE t(x); DROP TABLE t;"); /* a real, non-empty file */
  ck_assert_str_eq(raw_text(db, "PRAGMA user_version"), "0");
  sqlite3_close(db);
  struct stat sb;
  ck_assert_int_eq(stat(path, &sb), 0);
  ck_assert_int_gt(sb.st_size, 0);
  cpor_storage *st = open_ok(path, NULL);
  cpor_storage_free(st);
  db = raw_open(path);
  ck_assert_str_eq(raw_text(db, "PRAGMA user_version"), "4");
  ck_assert_str_eq(raw_text(db, "PRAGMA application_id"), "1129336658");
  sqlite3_close(db);
}
END_TEST

START_TEST(memory_database) {
  cpor_storage *st = open_ok(":memory:", NULL);
  ck_assert_status(CALL(st, begin, 1), CPOR_OK);
  put(st, "c1", "p1", 2, "hello", CPOR_OK);
  char got[64] = "";
  ck_assert_status(cpor__store_get(st, CPOR_STORE_CLAIM, "c1", copy_data, got), CPOR_OK);
  ck_assert_str_eq(got, "hello");
  ck_assert_status(CALL0(st, commit), CPOR_OK);
  cpor_storage_free(st);
  /* A second :memory: store is a separate, empty database. */
  st = open_ok(":memory:", NULL);
  ck_assert_status(cpor__store_get(st, CPOR_STORE_CLAIM, "c1", copy_data, got), CPOR_ENOTFOUND);
  cpor_storage_free(st);
}
END_TEST

START_TEST(file_prefix_is_a_plain_name) {
  /* This SQLite parses "file:" names as URIs by default; a caller's path
   * must stay a file name, options and all. */
  char cwd[512];
  ck_assert_ptr_nonnull(getcwd(cwd, sizeof cwd));
  ck_assert_int_eq(chdir(tmpdir), 0);
  cpor_storage *st = open_ok("file:odd.db?mode=memory", NULL);
  put(st, "c1", NULL, 0, "x", CPOR_OK);
  cpor_storage_free(st);
  ck_assert(exists("file:odd.db?mode=memory"));
  ck_assert_int_eq(chdir(cwd), 0);
}
END_TEST

/* ---- durability of what was committed ------------------------------------------- */

static int count_events(void *arg, uint32_t seq, const void *data, size_t len) {
  (*(int *)arg)++;
  return 0;
}

static int first_deadline(void *arg, const char *claim_id, uint32_t kind, cpor_time due) {
  snprintf(arg, 64, "%s@%lld", claim_id, (long long)due);
  return 1; /* stop: the method returns 1 */
}

START_TEST(reopen_keeps_data) {
  const char *path = tpath(0, "keep.db");
  cpor_storage *st = open_ok(path, NULL);
  ck_assert_status(CALL(st, begin, 1), CPOR_OK);
  put(st, "c1", "p1", 2, "committed", CPOR_OK);
  cpor_store_line l = {"c1", 0, "unit-1", "p1", CPOR_STATE_ASSOCIATED};
  ck_assert_status(CALL(st, lines_replace, "c1", &l, 1), CPOR_OK);
  ck_assert_status(CALL(st, deadline_set, "c1", CPOR_DEADLINE_OPTOUT, 1234), CPOR_OK);
  ck_assert_status(CALL(st, event_append, "c1", 1, "e1", 2), CPOR_OK);
  ck_assert_status(CALL0(st, commit), CPOR_OK);
  /* A transaction still open at close is rolled back. */
  ck_assert_status(CALL(st, begin, 1), CPOR_OK);
  put(st, "c2", "p1", 2, "lost", CPOR_OK);
  cpor_storage_free(st);

  st = open_ok(path, NULL);
  ck_assert_status(CALL(st, begin, 0), CPOR_OK);
  char got[64] = "";
  ck_assert_status(cpor__store_get(st, CPOR_STORE_CLAIM, "c1", copy_data, got), CPOR_OK);
  ck_assert_str_eq(got, "committed");
  ck_assert_status(cpor__store_get(st, CPOR_STORE_CLAIM, "c2", copy_data, got), CPOR_ENOTFOUND);
  ck_assert_str_eq(lines_of(st, "unit-1"), "c1:0:6 ");
  ck_assert_status(cpor__store_deadlines(st, CPOR_DEADLINE_OPTOUT, 5000, first_deadline, got), 1);
  ck_assert_str_eq(got, "c1@1234");
  int n = 0;
  ck_assert_status(cpor__store_events(st, "c1", count_events, &n), CPOR_OK);
  ck_assert_int_eq(n, 1);
  ck_assert_status(CALL0(st, commit), CPOR_OK);
  cpor_storage_free(st);
}
END_TEST

/* ---- bad files: refused, and left exactly as they were ---------------------------- */

START_TEST(random_bytes_are_refused) {
  const char *path = tpath(0, "random.db");
  unsigned char junk[8192];
  uint32_t x = 2463534242u; /* xorshift: the same bytes every run */
  for (size_t i = 0; i < sizeof junk; i++) {
    x ^= x << 13, x ^= x >> 17, x ^= x << 5;
    junk[i] = (unsigned char)x;
  }
  write_file(path, junk, sizeof junk);
  expect_refused(path, NULL, CPOR_ECORRUPT, "file is not a database");
  /* Short text is not a database either. */
  write_file(path, "hello, world\n", 13);
  expect_refused(path, NULL, CPOR_ECORRUPT, "not a database");
}
END_TEST

START_TEST(other_application_is_refused) {
  const char *path = tpath(0, "other.db");
  sqlite3 *db = raw_open(path);
  raw_exec(db, "CREATE TABLE notes(x TEXT); INSERT INTO notes VALUES ('mine')");
  sqlite3_close(db);
  expect_refused(path, NULL, CPOR_ECORRUPT, "another application");

  const char *path2 = tpath(1, "other-id.db");
  db = raw_open(path2);
  raw_exec(db, "PRAGMA application_id = 305419896"); /* 0x12345678 */
  sqlite3_close(db);
  expect_refused(path2, NULL, CPOR_ECORRUPT, "application_id 0x12345678");

  /* Our application_id, but no marker: not ours after all. */
  const char *path3 = tpath(2, "no-marker.db");
  db = raw_open(path3);
  raw_exec(db, "PRAGMA application_id = 1129336658; PRAGMA user_version = 1;"
               "CREATE TABLE objects(x)");
  sqlite3_close(db);
  expect_refused(path3, NULL, CPOR_ECORRUPT, "marker");
}
END_TEST

START_TEST(newer_schema_is_refused) {
  const char *path = tpath(0, "newer.db");
  cpor_storage_free(open_ok(path, NULL));
  sqlite3 *db = raw_open(path);
  raw_exec(db, "PRAGMA user_version = 5");
  sqlite3_close(db); /* the last connection: the WAL is checkpointed away */
  expect_refused(path, NULL, CPOR_EVERSION, "schema version 5 is newer");
}
END_TEST

START_TEST(directory_is_refused) {
  const char *path = tpath(0, "a-directory");
  ck_assert_int_eq(mkdir(path, 0755), 0);
  expect_refused(path, NULL, CPOR_ESTORAGE, "unable to open");
}
END_TEST

START_TEST(missing_folder_is_not_created) {
  const char *dir = tpath(0, "missing");
  const char *path = tpath(1, "missing/x.db");
  expect_refused(path, NULL, CPOR_ESTORAGE, "unable to open");
  ck_assert(!exists(dir));
}
END_TEST

START_TEST(read_only_option) {
  const char *path = tpath(0, "ro.db");
  cpor_storage *st = open_ok(path, NULL);
  put(st, "c1", "p1", 2, "data", CPOR_OK);
  cpor_storage_free(st);
  size_t before_len;
  unsigned char *before = slurp(path, &before_len);

  cpor_sqlite_options ro = CPOR_SQLITE_OPTIONS_INIT;
  ro.read_only = 1;
  st = open_ok(path, &ro);
  ck_assert_status(CALL(st, begin, 0), CPOR_OK);
  char got[64] = "";
  ck_assert_status(cpor__store_get(st, CPOR_STORE_CLAIM, "c1", copy_data, got), CPOR_OK);
  ck_assert_str_eq(got, "data");
  ck_assert_status(CALL0(st, commit), CPOR_OK);
  /* Writes fail with CPOR_ESTORAGE and a reason. */
  int rc = CALL(st, begin, 1);
  if (rc == CPOR_OK) {
    put(st, "c2", "p1", 2, "nope", CPOR_ESTORAGE);
    ck_assert_status(CALL0(st, rollback), CPOR_OK);
  } else {
    ck_assert_status(rc, CPOR_ESTORAGE);
  }
  ck_assert_msg(strstr(ERRMSG(st), "readonly") != NULL, "%s", ERRMSG(st));
  cpor_storage_free(st);
  size_t after_len;
  unsigned char *after = slurp(path, &after_len);
  ck_assert_uint_eq(after_len, before_len);
  ck_assert(memcmp(before, after, before_len) == 0);
  free(before);
  free(after);

  /* Read-only on a file that does not exist or is empty: nothing to read. */
  expect_refused(tpath(1, "absent.db"), &ro, CPOR_ESTORAGE, "unable to open");
  ck_assert(!exists(tpath(1, "absent.db")));
  write_file(tpath(2, "blank.db"), "", 0);
  expect_refused(tpath(2, "blank.db"), &ro, CPOR_ESTORAGE, "read-only, but the database is empty");
}
END_TEST

START_TEST(read_only_file) {
  /* Decision: a file the process may not write is refused at open (when
   * writing was asked for) rather than failing at the first write. Not
   * registered when running as root (see sqlite_suite). */
  const char *path = tpath(0, "locked.db");
  cpor_storage_free(open_ok(path, NULL));
  ck_assert_int_eq(chmod(path, 0444), 0);
  expect_refused(path, NULL, CPOR_ESTORAGE, "read-only");
  cpor_sqlite_options ro = CPOR_SQLITE_OPTIONS_INIT;
  ro.read_only = 1;
  cpor_storage_free(open_ok(path, &ro));
}
END_TEST

/* ---- two connections on one file --------------------------------------------------- */

START_TEST(lock_contention_times_out) {
  const char *path = tpath(0, "lock.db");
  cpor_storage *a = open_ok(path, NULL);
  cpor_sqlite_options quick = CPOR_SQLITE_OPTIONS_INIT;
  quick.busy_timeout_ms = 50;
  cpor_storage *b = open_ok(path, &quick);
  ck_assert_status(CALL(a, begin, 1), CPOR_OK);
  put(a, "c1", "p1", 2, "a's", CPOR_OK);
  ck_assert_status(CALL(b, begin, 1), CPOR_ESTORAGE);
  ck_assert_str_eq(ERRMSG(b), "begin: database is locked (busy timeout 50 ms exceeded)");
  /* WAL: a reader is not blocked by the writer, and sees the last commit. */
  char got[64] = "";
  ck_assert_status(CALL(b, begin, 0), CPOR_OK);
  ck_assert_status(cpor__store_get(b, CPOR_STORE_CLAIM, "c1", copy_data, got), CPOR_ENOTFOUND);
  ck_assert_status(CALL0(b, commit), CPOR_OK);
  ck_assert_status(CALL0(a, commit), CPOR_OK);
  ck_assert_status(CALL(b, begin, 1), CPOR_OK);
  ck_assert_status(cpor__store_get(b, CPOR_STORE_CLAIM, "c1", copy_data, got), CPOR_OK);
  ck_assert_str_eq(got, "a's");
  ck_assert_status(CALL0(b, commit), CPOR_OK);
  cpor_storage_free(a);
  cpor_storage_free(b);
}
END_TEST

START_TEST(racing_connections_cannot_double_associate) {
  const char *path = tpath(0, "race.db");
  cpor_storage *a = open_ok(path, NULL);
  cpor_storage *b = open_ok(path, NULL);
  ck_assert_status(CALL(a, begin, 1), CPOR_OK);
  put(a, "c1", "pa", 2, "one", CPOR_OK);
  put(a, "c2", "pb", 2, "two", CPOR_OK);
  put(a, "c3", "pc", 2, "three", CPOR_OK);
  const char *b_old[] = {"partner pb U2"};
  ck_assert_status(CALL(a, keys_replace, "c2", b_old, 1), CPOR_OK);
  ck_assert_status(CALL0(a, commit), CPOR_OK);

  /* B starts reading first and reads c1 at revision 1... */
  ck_assert_status(CALL(b, begin, 0), CPOR_OK);
  cpor_store_object seen;
  ck_assert_status(CALL(b, object_get, CPOR_STORE_CLAIM, "c1", &seen), CPOR_OK);
  ck_assert_uint_eq(seen.revision, 1);
  /* ...then A associates U and commits. */
  const char *a_keys[] = {"associated U"};
  ck_assert_status(CALL(a, begin, 1), CPOR_OK);
  cpor_store_object o = {CPOR_STORE_CLAIM, "c1", "pa", NULL, 6, 1, "one'", 4};
  ck_assert_status(CALL(a, object_put, &o, CPOR_STORE_UPDATE), CPOR_OK);
  ck_assert_status(CALL(a, keys_replace, "c1", a_keys, 1), CPOR_OK);
  ck_assert_status(CALL0(a, commit), CPOR_OK);
  /* B acting on its stale read cannot write at all. */
  const char *b_new[] = {"partner pb U2", "associated U"};
  ck_assert_status(CALL(b, keys_replace, "c2", b_new, 2), CPOR_ESTORAGE);
  ck_assert_msg(strstr(ERRMSG(b), "database changed") != NULL, "%s", ERRMSG(b));
  ck_assert_status(CALL0(b, rollback), CPOR_OK);
  /* In a fresh write transaction the key refuses a second holder, and B's
   * keys are as before the call; an update naming the old revision is a
   * conflict. */
  ck_assert_status(CALL(b, begin, 1), CPOR_OK);
  ck_assert_status(CALL(b, keys_replace, "c2", b_new, 2), CPOR_EEXISTS);
  ck_assert_msg(strstr(ERRMSG(b), "key 'associated U' is held by another claim") != NULL, "%s",
                ERRMSG(b));
  o.data = "b's";
  o.len = 3;
  ck_assert_status(CALL(b, object_put, &o, CPOR_STORE_UPDATE), CPOR_ECONFLICT);
  ck_assert_status(CALL(b, object_get, CPOR_STORE_CLAIM, "c1", &seen), CPOR_OK);
  ck_assert_uint_eq(seen.revision, 2);
  ck_assert_int_eq(memcmp(seen.data, "one'", 4), 0);
  /* B may hold its own keys, and release them. */
  const char *b_ok[] = {"partner pb U2", "approved U"};
  ck_assert_status(CALL(b, keys_replace, "c2", b_ok, 2), CPOR_OK);
  ck_assert_status(CALL0(b, commit), CPOR_OK);
  /* ...but no second claim takes "approved U". */
  const char *third[] = {"approved U"};
  ck_assert_status(CALL(a, begin, 1), CPOR_OK);
  ck_assert_status(CALL(a, keys_replace, "c3", third, 1), CPOR_EEXISTS);
  ck_assert_status(CALL(a, keys_replace, "c2", NULL, 0), CPOR_OK);
  ck_assert_status(CALL(a, keys_replace, "c3", third, 1), CPOR_OK);
  ck_assert_status(CALL0(a, commit), CPOR_OK);
  cpor_storage_free(a);
  cpor_storage_free(b);
  sqlite3 *db = raw_open(path);
  ck_assert_str_eq(
      raw_text(db, "SELECT group_concat(key, ',') FROM (SELECT key FROM keys ORDER BY key)"),
      "approved U,associated U");
  sqlite3_close(db);
}
END_TEST

/* ---- methods: codes, re-entrancy, integrity ------------------------------------------ */

typedef struct nest {
  cpor_storage *st;
  int outer, inner;
} nest;

static int count_inner(void *arg, const cpor_store_object *o) {
  ((nest *)arg)->inner++;
  return 0;
}

static int nested_scan(void *arg, const cpor_store_object *o) {
  nest *n = arg;
  n->outer++;
  /* The same scan again, and a get, from inside the callback. */
  cpor_store_filter all = {CPOR_STORE_CLAIM, CPOR_STORE_BY_KIND, NULL, 0};
  ck_assert_status(scan(n->st, &all, count_inner, n), CPOR_OK);
  char got[64];
  ck_assert_status(cpor__store_get(n->st, CPOR_STORE_CLAIM, o->id, copy_data, got), CPOR_OK);
  return 0;
}

static int stop_at_second(void *arg, const cpor_store_object *o) {
  return ++*(int *)arg == 2 ? 42 : 0;
}

START_TEST(scans_reenter_and_stop) {
  cpor_storage *st = open_ok(tpath(0, "scan.db"), NULL);
  ck_assert_status(CALL(st, begin, 1), CPOR_OK);
  put(st, "c1", "p1", 2, "1", CPOR_OK);
  put(st, "c2", "p1", 2, "2", CPOR_OK);
  put(st, "c3", "p2", 3, "3", CPOR_OK);
  nest n = {st, 0, 0};
  cpor_store_filter all = {CPOR_STORE_CLAIM, CPOR_STORE_BY_KIND, NULL, 0};
  ck_assert_status(scan(st, &all, nested_scan, &n), CPOR_OK);
  ck_assert_int_eq(n.outer, 3);
  ck_assert_int_eq(n.inner, 9);
  /* A non-zero callback result stops the scan and is returned; the
   * statement is reset, so the next scan starts from the beginning. */
  int seen = 0;
  ck_assert_status(scan(st, &all, stop_at_second, &seen), 42);
  ck_assert_int_eq(seen, 2);
  seen = 0;
  ck_assert_status(scan(st, &all, stop_at_second, &seen), 42);
  ck_assert_int_eq(seen, 2);
  ck_assert_status(CALL0(st, commit), CPOR_OK);
  cpor_storage_free(st);
}
END_TEST

START_TEST(method_codes) {
  cpor_storage *st = open_ok(tpath(0, "codes.db"), NULL);
  ck_assert_status(CALL(st, begin, 1), CPOR_OK);
  ck_assert_status(CALL(st, begin, 1), CPOR_ESTORAGE); /* never nested */
  put(st, "c1", "p1", 2, "x", CPOR_OK);
  put(st, "c1", "p1", 2, "x", CPOR_EEXISTS);
  ck_assert_msg(strstr(ERRMSG(st), "UNIQUE constraint failed") != NULL, "%s", ERRMSG(st));
  cpor_store_object o = {CPOR_STORE_CLAIM, "nope", NULL, NULL, 0, 0, "y", 1};
  ck_assert_status(CALL(st, object_put, &o, CPOR_STORE_UPDATE), CPOR_ENOTFOUND);
  ck_assert_status(CALL(st, object_put, &o, CPOR_STORE_DELETE), CPOR_ENOTFOUND);
  ck_assert_status(CALL(st, object_put, &o, 4), CPOR_EINVAL);
  ck_assert_status(CALL(st, object_put, NULL, CPOR_STORE_INSERT), CPOR_EINVAL);
  o.id = "";
  ck_assert_status(CALL(st, object_put, &o, CPOR_STORE_INSERT), CPOR_EINVAL);
  char big[300];
  memset(big, 'a', sizeof big - 1);
  big[sizeof big - 1] = '\0';
  o.id = big;
  ck_assert_status(CALL(st, object_put, &o, CPOR_STORE_INSERT), CPOR_EINVAL);
  ck_assert_status(CALL(st, event_append, "c1", 1, "e", 1), CPOR_OK);
  ck_assert_status(CALL(st, event_append, "c1", 1, "e", 1), CPOR_EEXISTS);
  ck_assert_status(CALL(st, deadline_clear, "c1", CPOR_DEADLINE_SLA), CPOR_OK);
  cpor_store_filter f = {CPOR_STORE_CLAIM, CPOR_STORE_BY_OWNER, NULL, 0};
  ck_assert_status(scan(st, &f, copy_data, NULL), CPOR_EINVAL);
  f.by = 99;
  ck_assert_status(scan(st, &f, copy_data, NULL), CPOR_EINVAL);
  cpor_store_line wrong = {"c9", 0, "U", "p", 1};
  ck_assert_status(CALL(st, lines_replace, "c1", &wrong, 1), CPOR_EINVAL);
  ck_assert_status(CALL(st, lines_replace, "c1", NULL, 1), CPOR_EINVAL);
  ck_assert_status(CALL0(st, rollback), CPOR_OK);
  ck_assert_status(CALL0(st, rollback), CPOR_OK); /* nothing open: harmless */
  ck_assert_status(CALL0(st, commit), CPOR_ESTORAGE);
  cpor_storage_free(st);
}
END_TEST

/* The backend writes a claim's rows by the row id it last saw the claim
 * under. An insert undone by rollback_to, or a delete, frees that id for the
 * next claim: the rows of the claim that is gone must then be refused, never
 * written to the claim that took its id. */
START_TEST(rows_never_follow_a_reused_row_id) {
  cpor_storage *st = open_ok(tpath(0, "oids.db"), NULL);
  cpor_store_line l = {"gone", 0, "U", "p", 2};
  const char *key[] = {"k"};
  ck_assert_status(CALL(st, begin, 1), CPOR_OK);
  put(st, "keep", "p1", 2, "x", CPOR_OK);
  ck_assert_status(CALL0(st, savepoint), CPOR_OK);
  put(st, "gone", "p1", 2, "x", CPOR_OK);
  ck_assert_status(CALL(st, event_append, "gone", 1, "e", 1), CPOR_OK);
  ck_assert_status(CALL0(st, rollback_to), CPOR_OK);
  put(st, "new1", "p1", 2, "x", CPOR_OK); /* most likely the undone row id */
  ck_assert_status(CALL(st, event_append, "gone", 1, "e", 1), CPOR_ENOTFOUND);
  ck_assert_str_eq(ERRMSG(st), "event_append: no such claim");
  ck_assert_status(CALL(st, lines_replace, "gone", &l, 1), CPOR_ENOTFOUND);
  ck_assert_status(CALL(st, keys_replace, "gone", key, 1), CPOR_ENOTFOUND);
  ck_assert_status(CALL(st, deadline_set, "gone", CPOR_DEADLINE_SLA, 5), CPOR_ENOTFOUND);
  ck_assert_status(CALL(st, change_append, 1, "gone", 1, 2), CPOR_ENOTFOUND);
  ck_assert_status(CALL(st, deadline_clear, "gone", CPOR_DEADLINE_SLA), CPOR_OK);
  /* A delete frees a row id the same way (the get remembers it). */
  put(st, "gone", "p1", 2, "x", CPOR_OK);
  cpor_store_object got;
  ck_assert_status(CALL(st, object_get, CPOR_STORE_CLAIM, "gone", &got), CPOR_OK);
  cpor_store_object del = {CPOR_STORE_CLAIM, "gone", NULL, NULL, 0, 1, NULL, 0};
  ck_assert_status(CALL(st, object_put, &del, CPOR_STORE_DELETE), CPOR_OK);
  put(st, "new2", "p1", 2, "x", CPOR_OK);
  ck_assert_status(CALL(st, event_append, "gone", 2, "e", 1), CPOR_ENOTFOUND);
  ck_assert_status(CALL0(st, commit), CPOR_OK);
  ck_assert_status(CALL(st, begin, 0), CPOR_OK);
  const char *ids[] = {"keep", "new1", "new2"};
  for (int i = 0; i < 3; i++) {
    cpor_store_query q = {.what = CPOR_STORE_CURSOR_EVENTS, .key = ids[i]};
    void *cur = NULL;
    cpor_store_row row;
    ck_assert_status(CALL(st, cursor_open, &q, &cur), CPOR_OK);
    ck_assert_int_eq(CALL(st, cursor_next, cur, &row), 0); /* no history at all */
    CALL(st, cursor_close, cur);
  }
  ck_assert_status(CALL0(st, rollback), CPOR_OK);
  cpor_storage_free(st);
}
END_TEST

/* Counters are read once per write transaction and written once, before
 * COMMIT; a commit whose counter write fails leaves the transaction to the
 * rollback, which hands the numbers out again. */
START_TEST(counters_written_at_commit) {
  const char *path = tpath(0, "counters.db");
  cpor_storage *st = open_ok(path, NULL);
  uint64_t first = 0;
  ck_assert_status(CALL(st, begin, 1), CPOR_OK);
  ck_assert_status(CALL(st, counter_next, "change", 3, &first), CPOR_OK);
  ck_assert_uint_eq(first, 1);
  ck_assert_status(CALL(st, counter_next, "change", 1, &first), CPOR_OK);
  ck_assert_uint_eq(first, 4);
  ck_assert_status(CALL0(st, commit), CPOR_OK);
  sqlite3 *db = raw_open(path);
  ck_assert_str_eq(raw_text(db, "SELECT value FROM counters WHERE name = 'change'"), "4");
  raw_exec(db, "CREATE TRIGGER refuse BEFORE UPDATE ON counters "
               "BEGIN SELECT RAISE(ABORT, 'refused by the test'); END");
  ck_assert_status(CALL(st, begin, 1), CPOR_OK);
  ck_assert_status(CALL(st, counter_next, "change", 2, &first), CPOR_OK);
  ck_assert_uint_eq(first, 5);
  ck_assert_status(CALL0(st, commit), CPOR_ESTORAGE);
  ck_assert_msg(strstr(ERRMSG(st), "counter_next") && strstr(ERRMSG(st), "refused by the test"),
                "%s", ERRMSG(st));
  ck_assert_status(CALL0(st, rollback), CPOR_OK);
  ck_assert_str_eq(raw_text(db, "SELECT value FROM counters WHERE name = 'change'"), "4");
  raw_exec(db, "DROP TRIGGER refuse");
  ck_assert_status(CALL(st, begin, 1), CPOR_OK);
  ck_assert_status(CALL(st, counter_next, "change", 2, &first), CPOR_OK);
  ck_assert_uint_eq(first, 5); /* no gap */
  ck_assert_status(CALL0(st, commit), CPOR_OK);
  ck_assert_str_eq(raw_text(db, "SELECT value FROM counters WHERE name = 'change'"), "6");
  sqlite3_close(db);
  cpor_storage_free(st);
}
END_TEST

/* A claim updated twice in a transaction is written once (sqlite_held.c);
 * reads, objects cursors, savepoints and commit see every update, a stale
 * revision is still CPOR_ECONFLICT, and rollback_to and rollback undo it. */
static int upd(cpor_storage *st, int32_t state, uint64_t revision, const char *data) {
  cpor_store_object o = {CPOR_STORE_CLAIM, "c1", "p", NULL, state, revision, data, strlen(data)};
  return CALL(st, object_put, &o, CPOR_STORE_UPDATE);
}

/* What the database holds, read by another connection: "<UPDATE statements
 * so far> <revision><state><data>" of claim c1. */
static const char *held_row(sqlite3 *db) {
  static char buf[64];
  snprintf(buf, sizeof buf, "%s ", raw_text(db, "SELECT n FROM updates"));
  size_t n = strlen(buf);
  snprintf(buf + n, sizeof buf - n, "%s",
           raw_text(db, "SELECT revision || state || data FROM objects WHERE id = 'c1'"));
  return buf;
}

/* c1 as the backend answers (the transaction's view). */
#define SEEN(st, rev_state, hex)                                                                   \
  ck_assert_str_eq(conf_get(st, CPOR_STORE_CLAIM, "c1"),                                           \
                   "7/c1 rev=" rev_state " owner=p ref=(null) state=" rev_state " data=" hex)

START_TEST(claim_updates_held_until_seen) {
  const char *path = tpath(0, "held.db");
  cpor_storage *st = open_ok(path, NULL);
  sqlite3 *db = raw_open(path);
  raw_exec(db, "CREATE TABLE updates(n INTEGER); INSERT INTO updates VALUES (0);"
               "CREATE TRIGGER count_updates AFTER UPDATE ON objects "
               "BEGIN UPDATE updates SET n = n + 1; END;"
               "CREATE TRIGGER refuse BEFORE UPDATE ON objects WHEN NEW.state = 99 "
               "BEGIN SELECT RAISE(ABORT, 'refused by the test'); END");
  ck_assert_status(CALL(st, begin, 1), CPOR_OK);
  put(st, "c1", "p", 1, "a", CPOR_OK);
  ck_assert_status(upd(st, 2, 1, "b"), CPOR_OK);
  ck_assert_status(upd(st, 3, 2, "c"), CPOR_OK);
  ck_assert_status(upd(st, 4, 2, "x"), CPOR_ECONFLICT); /* the revision moved */
  SEEN(st, "3", "63");
  ck_assert_status(CALL0(st, commit), CPOR_OK);
  ck_assert_str_eq(held_row(db), "1 33c");
  /* An objects cursor sees a held update; a savepoint writes it first. */
  ck_assert_status(CALL(st, begin, 1), CPOR_OK);
  ck_assert_status(upd(st, 4, 3, "d"), CPOR_OK);
  ck_assert_int_eq(conf_scan_count(st, CPOR_STORE_BY_STATE, NULL, 4), 1);
  ck_assert_status(upd(st, 5, 4, "e"), CPOR_OK);
  ck_assert_status(CALL0(st, savepoint), CPOR_OK);
  ck_assert_status(upd(st, 6, 5, "f"), CPOR_OK);
  ck_assert_status(CALL0(st, rollback_to), CPOR_OK);
  SEEN(st, "5", "65");
  ck_assert_status(upd(st, 6, 5, "g"), CPOR_OK);
  ck_assert_status(CALL0(st, commit), CPOR_OK);
  ck_assert_str_eq(held_row(db), "4 66g");
  /* Rolled back, held or not; a held update refused at commit fails it. */
  ck_assert_status(CALL(st, begin, 1), CPOR_OK);
  ck_assert_status(upd(st, 7, 6, "h"), CPOR_OK);
  ck_assert_status(CALL0(st, rollback), CPOR_OK);
  ck_assert_status(CALL(st, begin, 1), CPOR_OK);
  SEEN(st, "6", "67"); /* read: held from now on */
  ck_assert_status(upd(st, 99, 6, "i"), CPOR_OK);
  ck_assert_status(CALL0(st, commit), CPOR_ESTORAGE);
  ck_assert_msg(strstr(ERRMSG(st), "object update") && strstr(ERRMSG(st), "refused by the test"),
                "%s", ERRMSG(st));
  ck_assert_status(CALL0(st, rollback), CPOR_OK);
  ck_assert_str_eq(held_row(db), "4 66g");
  /* Deleting a claim with a held update deletes the row. */
  ck_assert_status(CALL(st, begin, 1), CPOR_OK);
  ck_assert_status(upd(st, 7, 6, "j"), CPOR_OK);
  ck_assert_status(
      conf_put_rev(st, CPOR_STORE_CLAIM, "c1", NULL, NULL, 0, 7, NULL, 0, CPOR_STORE_DELETE),
      CPOR_OK);
  ck_assert_str_eq(conf_get(st, CPOR_STORE_CLAIM, "c1"), "ENOTFOUND");
  ck_assert_status(CALL0(st, commit), CPOR_OK);
  ck_assert_str_eq(raw_text(db, "SELECT count(*) FROM objects WHERE id = 'c1'"), "0");
  sqlite3_close(db);
  cpor_storage_free(st);
}
END_TEST

START_TEST(integrity_after_workload) {
  const char *path = tpath(0, "work.db");
  cpor_storage *st = open_ok(path, NULL);
  char id[32], unit[32], data[200];
  memset(data, 'd', sizeof data);
  for (int batch = 0; batch < 10; batch++) {
    ck_assert_status(CALL(st, begin, 1), CPOR_OK);
    for (int i = batch * 200; i < (batch + 1) * 200; i++) {
      snprintf(id, sizeof id, "claim-%05d", i);
      snprintf(unit, sizeof unit, "unit-%d", i % 150);
      cpor_store_object o = {CPOR_STORE_CLAIM, id, "p", unit, i % 9, 0, data, (size_t)(i % 200)};
      ck_assert_status(CALL(st, object_put, &o, CPOR_STORE_INSERT), CPOR_OK);
      cpor_store_line l = {id, 0, unit, "p", CPOR_STATE_ASSOCIATED};
      ck_assert_status(CALL(st, lines_replace, id, &l, 1), CPOR_OK);
      char key[64];
      snprintf(key, sizeof key, "associated %s", unit);
      const char *keys[] = {key};
      ck_assert_status(CALL(st, keys_replace, id, keys, 1), i < 150 ? CPOR_OK : CPOR_EEXISTS);
      ck_assert_status(CALL(st, deadline_set, id, CPOR_DEADLINE_OPTOUT, i), CPOR_OK);
      ck_assert_status(CALL(st, event_append, id, 1, data, 50), CPOR_OK);
    }
    /* Every other batch is thrown away. */
    ck_assert_status(batch % 2 ? CALL0(st, rollback) : CALL0(st, commit), CPOR_OK);
  }
  cpor_storage_free(st);
  sqlite3 *db = raw_open(path);
  ck_assert_str_eq(raw_text(db, "PRAGMA integrity_check"), "ok");
  ck_assert_str_eq(raw_text(db, "SELECT count(*) FROM objects"), "1000");
  ck_assert_str_eq(raw_text(db, "SELECT count(*) FROM lines"), "1000");
  ck_assert_str_eq(raw_text(db, "SELECT count(*) FROM keys"), "150");
  sqlite3_close(db);
}
END_TEST

/* ---- the conformance suite ------------------------------------------------------------ */

/* Each conformance test gets a fresh file: mkstemp makes an empty file,
 * which is a valid new database. The files live in one directory made by
 * main and removed after the run (tests run in forked children). */
static int open_conf_file(cpor_storage **out, void *arg) {
  char path[512];
  snprintf(path, sizeof path, "%s/conf-XXXXXX", run_dir);
  int fd = mkstemp(path);
  if (fd < 0) return CPOR_ESTORAGE;
  close(fd);
  return cpor_storage_open_sqlite(out, path, NULL, NULL, 0);
}

static int open_conf_memory(cpor_storage **out, void *arg) {
  return cpor_storage_open_sqlite(out, ":memory:", NULL, NULL, 0);
}

static Suite *sqlite_suite(void) {
  Suite *s = suite_create("store_sqlite");
  TCase *tc = tcase_create("sqlite");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, options_init);
  tcase_add_test(tc, open_bad_arguments);
  tcase_add_test(tc, new_file_has_schema_and_wal);
  tcase_add_test(tc, empty_file_becomes_a_database);
  tcase_add_test(tc, migrates_from_version_zero);
  tcase_add_test(tc, memory_database);
  tcase_add_test(tc, file_prefix_is_a_plain_name);
  tcase_add_test(tc, reopen_keeps_data);
  tcase_add_test(tc, random_bytes_are_refused);
  tcase_add_test(tc, other_application_is_refused);
  tcase_add_test(tc, newer_schema_is_refused);
  tcase_add_test(tc, directory_is_refused);
  tcase_add_test(tc, missing_folder_is_not_created);
  tcase_add_test(tc, read_only_option);
  if (geteuid() != 0) {
    tcase_add_test(tc, read_only_file);
  } else {
    /* root writes through chmod 0444, so the case cannot be set up: the test
     * is left out (not passed); read_only_option covers the option. */
    printf("# SKIP read_only_file: running as root, where chmod 0444 does not stop writes\n");
    fflush(stdout);
  }
  tcase_add_test(tc, lock_contention_times_out);
  tcase_add_test(tc, racing_connections_cannot_double_associate);
  tcase_add_test(tc, scans_reenter_and_stop);
  tcase_add_test(tc, method_codes);
  tcase_add_test(tc, integrity_after_workload);
  tcase_add_test(tc, rows_never_follow_a_reused_row_id);
  tcase_add_test(tc, counters_written_at_commit);
  tcase_add_test(tc, claim_updates_held_until_seen);
  suite_add_tcase(s, tc);
  cpor_conformance_add(s, "conformance_sqlite_file", open_conf_file, NULL);
  cpor_conformance_add(s, "conformance_sqlite_memory", open_conf_memory, NULL);
  return s;
}

int main(void) {
  snprintf(run_dir, sizeof run_dir, "%s/cpor-sqlite-XXXXXX", tmp_root());
  if (!mkdtemp(run_dir)) {
    perror("mkdtemp");
    return EXIT_FAILURE;
  }
  int status = cpor_test_run(sqlite_suite());
  remove_tree(run_dir);
  return status;
}
