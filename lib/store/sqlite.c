/* The SQLite storage backend: the default store, and the reference example
 * for writing a backend against include/cpor/sys/storage.h.
 *
 * What it relies on from SQLite, and why:
 *  - Races are decided by the database, never by this process: primary keys
 *    make object_put(INSERT) and event_append conditional, updates name the
 *    revision they read, and the keys table's primary key refuses a second
 *    holder of an exclusive key. The backend knows no claim state.
 *  - A write transaction begins with BEGIN IMMEDIATE: writers queue at begin
 *    (up to the busy timeout), so a transaction never reads a state that
 *    another writer changes before it commits.
 *  - Every statement is prepared once per connection and reused, with values
 *    bound (never SQL built from strings): the hot path allocates nothing.
 *
 * Several cursors may be open at once, and a cursor of the same query as one
 * already running gets a private statement (sqlite_stmt.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/sqlite_int.h"
#include "store/storage.h"
#include "struct_version.h"

/* ---- binding helpers ---------------------------------------------------------- */

/* SQLITE_STATIC: every string stays valid until the method returns, and each
 * method resets its statement and clears the bindings before returning. */
int cpor__sql_bind_text(sqlite3_stmt *st, int i, const char *text) {
  return text ? sqlite3_bind_text(st, i, text, -1, SQLITE_STATIC) : sqlite3_bind_null(st, i);
}

static int bind_blob(sqlite3_stmt *st, int i, const void *data, size_t len) {
  /* A NULL pointer would bind SQL NULL; an empty record is an empty blob. */
  return sqlite3_bind_blob64(st, i, len ? data : "", len, SQLITE_STATIC);
}

/* A column as a string that is NULL for SQL NULL. */
static const char *column_text(sqlite3_stmt *st, int i) {
  return (const char *)sqlite3_column_text(st, i);
}

/* A blob column; never a NULL pointer, so callers may memcmp an empty one. */
const void *cpor__sql_column_blob(sqlite3_stmt *st, int i, size_t *len) {
  const void *p = sqlite3_column_blob(st, i);
  *len = (size_t)sqlite3_column_bytes(st, i);
  return p ? p : "";
}

int cpor__sql_valid_id(const char *id) {
  if (!id) return 0;
  size_t n = strnlen(id, 256);
  return n >= 1 && n <= 255;
}

/* ---- transactions --------------------------------------------------------------- */

static int m_begin(void *self, int write) {
  cpor__sqlite *s = self;
  cpor__sql_oid_forget(s);
  cpor__sql_held_drop(s);
  cpor__counters_forget(&s->counters);
  if (!sqlite3_get_autocommit(s->db))
    return cpor__sql_error(s, CPOR_ESTORAGE, "begin: a transaction is already open");
  return cpor__sql_run(s, write ? CPOR__SQL_BEGIN_WRITE : CPOR__SQL_BEGIN_READ, "begin");
}

static int m_commit(void *self) {
  cpor__sqlite *s = self;
  cpor__sql_oid_forget(s);
  cpor__sql_release(&s->get);
  /* A failure leaves the transaction open: the core rolls it back. */
  int rc = cpor__sql_held_flush(s);
  if (!rc) rc = cpor__sqlite_counters_flush(s);
  if (rc) return rc;
  cpor__counters_forget(&s->counters);
  return cpor__sql_run(s, CPOR__SQL_COMMIT, "commit");
}

static int m_rollback(void *self) {
  cpor__sqlite *s = self;
  cpor__sql_oid_forget(s);
  cpor__sql_held_drop(s);
  cpor__counters_forget(&s->counters);
  cpor__sql_release(&s->get);
  /* SQLite rolls back by itself after some errors (a full disk, an I/O
   * error): the transaction the core wants to end is already gone. */
  if (sqlite3_get_autocommit(s->db)) return CPOR_OK;
  return cpor__sql_run(s, CPOR__SQL_ROLLBACK, "rollback");
}

/* A call inside a batch: SAVEPOINT .. RELEASE, or ROLLBACK TO then RELEASE
 * (ROLLBACK TO keeps the savepoint open). */
static int m_savepoint(void *self) {
  cpor__sqlite *s = self;
  if (sqlite3_get_autocommit(s->db))
    return cpor__sql_error(s, CPOR_ESTORAGE, "savepoint: no transaction is open");
  int rc = cpor__sql_held_flush(s); /* what a rollback_to keeps is in the database */
  if (!rc) rc = cpor__sql_run(s, CPOR__SQL_CALL_SAVEPOINT, "savepoint");
  if (rc == CPOR_OK) cpor__counters_savepoint(&s->counters);
  return rc;
}

static int m_release(void *self) {
  cpor__sqlite *s = self;
  int rc = cpor__sql_run(s, CPOR__SQL_CALL_RELEASE, "release");
  if (rc == CPOR_OK) cpor__counters_release(&s->counters);
  return rc;
}

static int m_rollback_to(void *self) {
  cpor__sqlite *s = self;
  cpor__sql_oid_forget(s); /* an insert undone may free its oid */
  cpor__sql_held_drop(s);  /* held after the savepoint: undone */
  cpor__sql_release(&s->get);
  if (sqlite3_get_autocommit(s->db))
    return cpor__sql_error(s, CPOR_ESTORAGE, "rollback_to: the transaction is gone");
  int rc = cpor__sql_run(s, CPOR__SQL_CALL_ROLLBACK_TO, "rollback_to");
  if (rc == CPOR_OK) cpor__counters_rollback_to(&s->counters);
  return rc ? rc : cpor__sql_run(s, CPOR__SQL_CALL_RELEASE, "rollback_to");
}

/* ---- objects -------------------------------------------------------------------- */

_Static_assert(CPOR_STORE_CLAIM == 7, "the statements name claims as kind 7");

static int m_object_get(void *self, uint32_t kind, const char *id, cpor_store_object *out) {
  cpor__sqlite *s = self;
  if (!cpor__sql_valid_id(id) || !out)
    return cpor__sql_error(s, CPOR_EINVAL, "object_get: bad argument");
  /* The statement stays stepped on its row until the next get, so the row's
   * pointers stay valid as the contract says. */
  cpor__stmt *q = &s->get;
  cpor__sql_release(q);
  int held = 0;
  cpor__sql_held_get(s, kind, id, out, &held);
  if (held) return CPOR_OK;
  int rc = cpor__sql_acquire(s, cpor__sql_of_kind(CPOR__SQL_OBJECT_GET, kind), q);
  if (rc) return rc;
  sqlite3_bind_int64(q->st, 1, kind);
  cpor__sql_bind_text(q->st, 2, id);
  int src = sqlite3_step(q->st);
  if (src == SQLITE_ROW) {
    memset(out, 0, sizeof *out);
    out->kind = kind;
    out->id = id;
    out->owner = column_text(q->st, 0);
    out->ref = column_text(q->st, 1);
    out->state = sqlite3_column_int(q->st, 2);
    out->revision = (uint64_t)sqlite3_column_int64(q->st, 3);
    out->data = cpor__sql_column_blob(q->st, 4, &out->len);
    if (kind == CPOR_STORE_CLAIM) {
      cpor__sql_oid_remember(s, id, sqlite3_column_int64(q->st, 5));
      cpor__sql_held_knows(s, id, out->revision);
    }
    return CPOR_OK;
  }
  rc = src == SQLITE_DONE ? CPOR_ENOTFOUND : cpor__sql_fail(s, src, "object_get");
  cpor__sql_release(q);
  return rc;
}

/* After a conditional write changed nothing: was the row missing, or did its
 * revision move? */
static int missing_or_moved(cpor__sqlite *s, const cpor_store_object *obj, const char *what) {
  cpor__stmt q;
  int rc = cpor__sql_acquire(s, cpor__sql_of_kind(CPOR__SQL_OBJECT_EXISTS, obj->kind), &q);
  if (rc) return rc;
  sqlite3_bind_int64(q.st, 1, obj->kind);
  cpor__sql_bind_text(q.st, 2, obj->id);
  int src = sqlite3_step(q.st);
  cpor__sql_release(&q);
  char msg[96];
  if (src == SQLITE_ROW) {
    snprintf(msg, sizeof msg, "%s: the revision moved (another writer)", what);
    return cpor__sql_error(s, CPOR_ECONFLICT, msg);
  }
  if (src != SQLITE_DONE) return cpor__sql_fail(s, src, what);
  snprintf(msg, sizeof msg, "%s: no such object", what);
  return cpor__sql_error(s, CPOR_ENOTFOUND, msg);
}

/* Binds obj and steps one put statement; *changed: whether it wrote a row.
 * to: the revision an _TO update sets (0 for the others). */
static int put_step(cpor__sqlite *s, cpor__sql_id id, const cpor_store_object *obj, uint32_t mode,
                    uint64_t to, const char *what, int *changed) {
  cpor__stmt q;
  int rc = cpor__sql_acquire(s, cpor__sql_of_kind(id, obj->kind), &q);
  if (rc) return rc;
  sqlite3_bind_int64(q.st, 1, obj->kind);
  cpor__sql_bind_text(q.st, 2, obj->id);
  if (mode != CPOR_STORE_DELETE) {
    cpor__sql_bind_text(q.st, 3, obj->owner);
    cpor__sql_bind_text(q.st, 4, obj->ref);
    sqlite3_bind_int(q.st, 5, obj->state);
    bind_blob(q.st, 6, obj->data, obj->len);
  }
  if (mode != CPOR_STORE_INSERT) sqlite3_bind_int64(q.st, 7, (sqlite3_int64)obj->revision);
  if (to) sqlite3_bind_int64(q.st, 8, (sqlite3_int64)to);
  rc = cpor__sql_done(s, q.st, what);
  *changed = rc == CPOR_OK && sqlite3_changes(s->db) > 0;
  cpor__sql_release(&q);
  return rc;
}

int cpor__sql_object_update(cpor__sqlite *s, const cpor_store_object *obj, uint64_t to,
                            int *changed) {
  /* Most updates keep owner and ref: the statement that sets only state and
   * data rewrites one index entry instead of three. When it changes nothing
   * (owner or ref changed, or the revision moved), the full update decides. */
  *changed = 0;
  int rc = put_step(s, to ? CPOR__SQL_OBJECT_UPDATE_SAME_TO : CPOR__SQL_OBJECT_UPDATE_SAME, obj,
                    CPOR_STORE_UPDATE, to, "object update", changed);
  if (rc == CPOR_OK && !*changed)
    rc = put_step(s, to ? CPOR__SQL_OBJECT_UPDATE_TO : CPOR__SQL_OBJECT_UPDATE, obj,
                  CPOR_STORE_UPDATE, to, "object update", changed);
  return rc;
}

static int m_object_put(void *self, const cpor_store_object *obj, uint32_t mode) {
  cpor__sqlite *s = self;
  if (!obj || !cpor__sql_valid_id(obj->id) || (!obj->data && obj->len) ||
      (mode != CPOR_STORE_INSERT && mode != CPOR_STORE_UPDATE && mode != CPOR_STORE_DELETE))
    return cpor__sql_error(s, CPOR_EINVAL, "object_put: bad argument");
  static const cpor__sql_id ids[] = {0, CPOR__SQL_OBJECT_INSERT, CPOR__SQL_OBJECT_UPDATE,
                                     CPOR__SQL_OBJECT_DELETE};
  static const char *const what[] = {"", "object insert", "object update", "object delete"};
  cpor__sql_release(&s->get); /* a write ends the last get's row */
  int changed = 0, rc = CPOR_OK;
  int claim = obj->kind == CPOR_STORE_CLAIM;
  if (claim && mode == CPOR_STORE_UPDATE) {
    int taken = 0;
    rc = cpor__sql_held_put(s, obj, &taken);
    if (taken || rc) return rc;
  } else if (mode == CPOR_STORE_DELETE && (rc = cpor__sql_held_flush(s))) {
    return rc;
  }
  if (mode == CPOR_STORE_UPDATE)
    rc = cpor__sql_object_update(s, obj, 0, &changed);
  else
    rc = put_step(s, ids[mode], obj, mode, 0, what[mode], &changed);
  if (mode == CPOR_STORE_DELETE) {
    cpor__sql_oid_forget(s);
    s->known.on = 0;
  }
  if (rc == CPOR_OK && !changed && mode != CPOR_STORE_INSERT)
    return missing_or_moved(s, obj, what[mode]);
  if (rc == CPOR_OK && claim && mode == CPOR_STORE_INSERT) {
    cpor__sql_oid_remember(s, obj->id, sqlite3_last_insert_rowid(s->db));
    cpor__sql_held_knows(s, obj->id, 1);
  }
  if (rc == CPOR_OK && claim && mode == CPOR_STORE_UPDATE)
    cpor__sql_held_knows(s, obj->id, obj->revision + 1);
  return rc;
}

/* ---- a claim's rows: sqlite_rows.c ---------------------------------------------- */

static int m_deadline_set(void *self, const char *claim_id, uint32_t kind, cpor_time due) {
  cpor__sqlite *s = self;
  if (!cpor__sql_valid_id(claim_id))
    return cpor__sql_error(s, CPOR_EINVAL, "deadline_set: bad claim id");
  if (kind < CPOR_DEADLINE_OPTOUT || kind > CPOR_DEADLINE_SLA)
    return cpor__sql_error(s, CPOR_EINVAL, "deadline_set: unknown kind");
  cpor__sql_release(&s->get);
  sqlite3_int64 oid;
  int rc = cpor__sql_claim_row(s, claim_id, &oid, "deadline_set");
  if (rc) return rc;
  cpor__stmt q;
  if ((rc = cpor__sql_acquire(s, CPOR__SQL_DEADLINE_SET, &q))) return rc;
  sqlite3_bind_int64(q.st, 1, oid);
  sqlite3_bind_int64(q.st, 2, kind);
  sqlite3_bind_int64(q.st, 3, due);
  rc = cpor__sql_done(s, q.st, "deadline_set");
  cpor__sql_release(&q);
  return rc;
}

static int m_deadline_clear(void *self, const char *claim_id, uint32_t kind) {
  cpor__sqlite *s = self;
  if (!cpor__sql_valid_id(claim_id))
    return cpor__sql_error(s, CPOR_EINVAL, "deadline_clear: bad claim id");
  cpor__sql_release(&s->get);
  sqlite3_int64 oid;
  int rc = cpor__sql_claim_oid(s, claim_id, &oid, "deadline_clear");
  if (rc) return rc == CPOR_ENOTFOUND ? CPOR_OK : rc; /* no claim, no deadline */
  cpor__stmt q;
  if ((rc = cpor__sql_acquire(s, CPOR__SQL_DEADLINE_CLEAR, &q))) return rc;
  sqlite3_bind_int64(q.st, 1, oid);
  sqlite3_bind_int64(q.st, 2, kind);
  rc = cpor__sql_done(s, q.st, "deadline_clear");
  cpor__sql_release(&q);
  return rc;
}

static int m_event_append(void *self, const char *claim_id, uint32_t seq, const void *data,
                          size_t len) {
  cpor__sqlite *s = self;
  if (!cpor__sql_valid_id(claim_id) || (!data && len))
    return cpor__sql_error(s, CPOR_EINVAL, "event_append: bad argument");
  cpor__sql_release(&s->get);
  sqlite3_int64 oid;
  int rc = cpor__sql_claim_row(s, claim_id, &oid, "event_append");
  if (rc) return rc;
  cpor__stmt q;
  if ((rc = cpor__sql_acquire(s, CPOR__SQL_EVENT_APPEND, &q))) return rc;
  sqlite3_bind_int64(q.st, 1, oid);
  sqlite3_bind_int64(q.st, 2, seq);
  bind_blob(q.st, 3, data, len);
  rc = cpor__sql_done(s, q.st, "event_append");
  cpor__sql_release(&q);
  return rc;
}

/* ---- the rest of the vtable ------------------------------------------------------ */

static const char *m_errmsg(void *self) {
  cpor__sqlite *s = self;
  return s->err[0] ? s->err : NULL;
}

static void m_close(void *self) {
  cpor__sqlite *s = self;
  if (!s) return;
  cpor__sql_release(&s->get);
  cpor__sql_held_free(s);
  cpor__sql_finalize_all(s);
  /* Every statement is finalized, so close cannot fail with BUSY; an open
   * transaction is rolled back by SQLite. */
  sqlite3_close(s->db);
  free(s);
}

static const cpor_storage_methods sqlite_methods = {
    .version = CPOR_STORAGE_VERSION,
    .begin = m_begin,
    .commit = m_commit,
    .rollback = m_rollback,
    .savepoint = m_savepoint,
    .release = m_release,
    .rollback_to = m_rollback_to,
    .object_get = m_object_get,
    .object_put = m_object_put,
    .lines_replace = cpor__sqlite_lines_replace,
    .keys_replace = cpor__sqlite_keys_replace,
    .deadline_set = m_deadline_set,
    .deadline_clear = m_deadline_clear,
    .event_append = m_event_append,
    .cursor_open = cpor__sqlite_cursor_open,
    .cursor_next = cpor__sqlite_cursor_next,
    .cursor_close = cpor__sqlite_cursor_close,
    .errmsg = m_errmsg,
    .close = m_close,
    .counter_next = cpor__sqlite_counter_next,
    .change_append = cpor__sqlite_change_append,
    /* BEGIN IMMEDIATE: one writer at a time. */
    .flags = CPOR_STORAGE_ONE_WRITER,
};

/* ---- opening -------------------------------------------------------------------- */

int cpor_sqlite_options_init(cpor_sqlite_options *opts, uint32_t version) {
  return cpor__struct_init(&cpor__sqlite_options_layout, opts, version);
}

/* The options with their zero fields made the defaults of the header;
 * NULL when one is out of range. */
static const char *options_resolve(cpor_sqlite_options *o) {
  if (o->synchronous_full > 1 || o->read_only > 1)
    return "synchronous_full and read_only must be 0 or 1";
  if (o->cache_mb < 0 || o->cache_mb > 65536) return "cache_mb must be 0 (64) or 1-65536";
  if (o->mmap_mb < -1 || o->mmap_mb > 1048576)
    return "mmap_mb must be 0 (2048), -1 (no mmap) or 1-1048576";
  if (o->busy_timeout_ms == 0) o->busy_timeout_ms = 5000;
  if (o->busy_timeout_ms < 0) o->busy_timeout_ms = 0; /* SQLite: 0 = no wait */
  if (o->cache_mb == 0) o->cache_mb = 64;
  if (o->mmap_mb == 0) o->mmap_mb = 2048;
  if (o->mmap_mb < 0) o->mmap_mb = 0;
  return NULL;
}

static int open_fail(int code, char *err, size_t errlen, const char *path, const char *msg) {
  if (err && errlen) snprintf(err, errlen, "%s: %s", path ? path : "(null)", msg);
  return code;
}

/* Opens the connection and applies the per-connection settings: nothing here
 * writes to the file. */
static int connect_db(cpor__sqlite *s, const char *path, const cpor_sqlite_options *o) {
  int flags = (o->read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) |
              SQLITE_OPEN_NOMUTEX;
  /* This SQLite may be built with URI filenames on by default: a relative
   * path spelled "file:..." would then be parsed as a URI with options.
   * "./" keeps it an ordinary file name. */
  char *fixed = NULL;
  if (strncmp(path, "file:", 5) == 0) {
    size_t n = strlen(path);
    if (!(fixed = malloc(n + 3))) return cpor__sql_error(s, CPOR_ENOMEM, "out of memory");
    memcpy(fixed, "./", 2);
    memcpy(fixed + 2, path, n + 1);
  }
  int rc = sqlite3_open_v2(fixed ? fixed : path, &s->db, flags, NULL);
  free(fixed);
  if (rc != SQLITE_OK) {
    int code = cpor__sql_fail(s, rc, "cannot open");
    /* Whatever the reason (a missing folder, a directory, permissions), the
     * storage could not be opened. */
    return code == CPOR_ENOMEM ? code : CPOR_ESTORAGE;
  }
  sqlite3_extended_result_codes(s->db, 1);
  sqlite3_busy_timeout(s->db, s->busy_timeout_ms);
  if (!o->read_only && sqlite3_db_readonly(s->db, "main") == 1)
    return cpor__sql_error(s, CPOR_ESTORAGE,
                           "the file is read-only (open it with the read_only option to read it)");
  /* Connection settings, not stored in the file. Large stores read random
   * pages (claim IDs are random UUIDs): by default a 64 MiB page cache and
   * reads through mmap (up to 2 GiB of the file) keep a lookup at 1M claims
   * near its cost at 10k. Both are limits, not allocations made up front.
   * Each call inside a batch runs in a savepoint: its journal stays in memory
   * (temp_store) instead of spilling to temporary files. */
  char pragmas[240];
  snprintf(pragmas, sizeof pragmas,
           "PRAGMA synchronous = %s; PRAGMA foreign_keys = ON; PRAGMA cache_size = -%ld; "
           "PRAGMA mmap_size = %lld; PRAGMA temp_store = MEMORY",
           o->synchronous_full ? "FULL" : "NORMAL", (long)o->cache_mb * 1024,
           (long long)o->mmap_mb * 1048576);
  rc = sqlite3_exec(s->db, pragmas, NULL, NULL, NULL);
  return rc == SQLITE_OK ? CPOR_OK : cpor__sql_fail(s, rc, "configuring the connection");
}

int cpor_storage_open_sqlite(cpor_storage **out, const char *path, const cpor_sqlite_options *opts,
                             char *err, size_t errlen) {
  if (err && errlen) err[0] = '\0';
  if (!out) return open_fail(CPOR_EINVAL, err, errlen, path, "out is NULL");
  *out = NULL;
  if (!path) return open_fail(CPOR_EINVAL, err, errlen, path, "path is NULL");
  cpor_sqlite_options o;
  char msg[160];
  if (cpor__struct_read(&cpor__sqlite_options_layout, opts, &o, msg, sizeof msg))
    return open_fail(CPOR_EVERSION, err, errlen, path, msg);
  const char *bad = options_resolve(&o);
  if (bad) return open_fail(CPOR_EINVAL, err, errlen, path, bad);

  cpor__sqlite *s = calloc(1, sizeof *s);
  if (!s) return open_fail(CPOR_ENOMEM, err, errlen, path, "out of memory");
  s->busy_timeout_ms = o.busy_timeout_ms;
  int rc = connect_db(s, path, &o);
  if (rc == CPOR_OK) rc = cpor__sqlite_schema_open(s, (int)o.read_only);
  if (rc == CPOR_OK) rc = cpor_storage_new(out, &sqlite_methods, s);
  if (rc != CPOR_OK) {
    open_fail(rc, err, errlen, path, s->err[0] ? s->err : "cannot open");
    m_close(s);
  }
  return rc;
}

/* Asks for a journal mode and reads back the one SQLite gives (it keeps
 * the old one when other connections hold the file). */
static int journal_mode(cpor__sqlite *s, const char *want) {
  char sql[48];
  snprintf(sql, sizeof sql, "PRAGMA journal_mode = %s", want);
  sqlite3_stmt *st = NULL;
  int ok = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) == SQLITE_OK &&
           sqlite3_step(st) == SQLITE_ROW &&
           !sqlite3_stricmp((const char *)sqlite3_column_text(st, 0), want);
  sqlite3_finalize(st);
  return ok ? CPOR_OK : CPOR_ENOTSUP;
}

int cpor__sqlite_bulk(cpor_storage *st, int on) {
  if (!st || st->m.begin != m_begin) return CPOR_ENOTSUP;
  cpor__sqlite *s = st->self;
  if (!sqlite3_get_autocommit(s->db) || sqlite3_db_readonly(s->db, "main") != 0)
    return CPOR_ENOTSUP;
  const char *file = sqlite3_db_filename(s->db, "main");
  if (!file || !*file) return CPOR_ENOTSUP; /* :memory: */
  /* A file unlinked or renamed while open takes no rollback journal
   * (SQLite refuses its writes); the WAL still serves it. */
  int moved = 1;
  if (on &&
      (sqlite3_file_control(s->db, "main", SQLITE_FCNTL_HAS_MOVED, &moved) != SQLITE_OK || moved))
    return CPOR_ENOTSUP;
  return journal_mode(s, on ? "delete" : "wal");
}
