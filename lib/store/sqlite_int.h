/* The SQLite backend's private declarations, shared by sqlite.c (the methods
 * and the open call), sqlite_schema.c (validation and migrations) and
 * sqlite_stmt.c (the prepared-statement cache and error mapping).
 *
 * Like the rest of the backend this uses only the public vtable header and
 * sqlite3.h, so it can serve as the example for a third-party backend. */
#ifndef CPOR_STORE_SQLITE_INT_H
#define CPOR_STORE_SQLITE_INT_H

#include <sqlite3.h>

#include "cpor/sys/storage.h"
#include "store/counters.h"

/* The schema version this library writes (PRAGMA user_version). */
#define CPOR__SQLITE_SCHEMA_VERSION 4
/* PRAGMA application_id: 'CPOR' in ASCII, so `file` and other tools can tell
 * a libcpor database from any other SQLite file. */
#define CPOR__SQLITE_APPLICATION_ID 0x43504f52
/* The row of the meta table that marks a libcpor database. */
#define CPOR__SQLITE_MARKER_KEY "application"
#define CPOR__SQLITE_MARKER_VALUE "libcpor"

/* Every statement the backend runs. Each has its own cache slot, so a scan in
 * progress is never disturbed by another method called from its callback. */
typedef enum cpor__sql_id {
  CPOR__SQL_BEGIN_READ,
  CPOR__SQL_BEGIN_WRITE,
  CPOR__SQL_COMMIT,
  CPOR__SQL_ROLLBACK,
  CPOR__SQL_CALL_SAVEPOINT,
  CPOR__SQL_CALL_RELEASE,
  CPOR__SQL_CALL_ROLLBACK_TO,
  /* Objects: two blocks in the same order (cpor__sql_of_kind maps one to
   * the other), for the objects table and for the outbox's messages. */
  CPOR__SQL_OBJECT_GET,
  CPOR__SQL_OBJECT_INSERT,
  CPOR__SQL_OBJECT_UPDATE,
  CPOR__SQL_OBJECT_UPDATE_SAME,
  CPOR__SQL_OBJECT_UPDATE_TO,
  CPOR__SQL_OBJECT_UPDATE_SAME_TO,
  CPOR__SQL_OBJECT_DELETE,
  CPOR__SQL_OBJECT_EXISTS,
  CPOR__SQL_OBJECT_SCAN_KIND,
  CPOR__SQL_OBJECT_SCAN_OWNER,
  CPOR__SQL_OBJECT_SCAN_REF,
  CPOR__SQL_OBJECT_SCAN_STATE,
  CPOR__SQL_MSG_GET,
  CPOR__SQL_MSG_INSERT,
  CPOR__SQL_MSG_UPDATE,
  CPOR__SQL_MSG_UPDATE_SAME,
  CPOR__SQL_MSG_UPDATE_TO,
  CPOR__SQL_MSG_UPDATE_SAME_TO,
  CPOR__SQL_MSG_DELETE,
  CPOR__SQL_MSG_EXISTS,
  CPOR__SQL_MSG_SCAN_KIND,
  CPOR__SQL_MSG_SCAN_OWNER,
  CPOR__SQL_MSG_SCAN_REF,
  CPOR__SQL_MSG_SCAN_STATE,
  CPOR__SQL_LINES_BY_UNIT,
  CPOR__SQL_DEADLINE_SET,
  CPOR__SQL_DEADLINE_CLEAR,
  CPOR__SQL_DEADLINE_SCAN,
  CPOR__SQL_EVENT_APPEND,
  CPOR__SQL_EVENT_SCAN,
  CPOR__SQL_COUNTER_READ,
  CPOR__SQL_COUNTER_SET,
  CPOR__SQL_CHANGE_APPEND,
  CPOR__SQL_CHANGE_SCAN,
  /* Version 4's audit cursors: KEYS, and LINES / EVENTS over every claim,
   * each walk followed by its rows that no claim object holds. */
  CPOR__SQL_KEYS_OF,
  CPOR__SQL_KEYS_ALL,
  CPOR__SQL_KEYS_ORPHANS,
  CPOR__SQL_LINES_ALL,
  CPOR__SQL_LINES_ORPHANS,
  CPOR__SQL_EVENTS_ALL,
  CPOR__SQL_EVENTS_ORPHANS,
  /* A claim's rows by its oid (sqlite_rows.c): only the difference from
   * what is stored is written. */
  CPOR__SQL_CLAIM_OID,
  CPOR__SQL_LINES_OF_OID,
  CPOR__SQL_LINE_INSERT,
  CPOR__SQL_LINE_STATUS,
  CPOR__SQL_LINE_UPDATE,
  CPOR__SQL_LINE_DELETE,
  CPOR__SQL_KEYS_OF_OID,
  CPOR__SQL_KEY_INSERT,
  CPOR__SQL_KEY_DELETE,
  CPOR__SQL_COUNT
} cpor__sql_id;

/* One open database: the `self` of the vtable. A context is used by one
 * thread at a time, so nothing here needs a lock. */
typedef struct cpor__sqlite {
  sqlite3 *db;
  cpor__counters counters;              /* taken by the open write transaction (store/counters.h) */
  int busy_timeout_ms;                  /* for the "database is locked" message */
  sqlite3_stmt *stmts[CPOR__SQL_COUNT]; /* prepared on first use, kept until close */
  struct cpor__stmt_s {
    sqlite3_stmt *st;
    int owned;
  } get;         /* the last object_get, left on its row (its pointers are the caller's) */
  char err[512]; /* the last failure; "" when none yet */
  /* The row ids of the claims this transaction read or wrote last: their
   * rows (lines, keys, deadlines, events, changes) are written by oid
   * without looking the claim up again. Forgotten at every transaction
   * boundary, rollback_to and delete, so an id never names a reused oid. */
  struct cpor__oid_slot {
    sqlite3_int64 oid;
    char id[256]; /* "" when empty */
  } oids[4];
  unsigned oid_next;
  /* The claim update held back (sqlite_held.c), and the claim whose stored
   * revision this transaction knows. */
  struct cpor__sql_held {
    int on;
    char id[256];
    char *owner, *ref;
    int32_t state;
    uint64_t base, revision; /* the stored revision; the one after the held updates */
    void *data;
    size_t len, cap;
  } held;
  struct cpor__sql_known {
    int on;
    char id[256];
    uint64_t revision;
  } known;
} cpor__sqlite;

/* A claim update held back (sqlite_held.c). One writer at a time (BEGIN
 * IMMEDIATE): a transaction that updates the claim it inserted or read
 * needs no answer from the database to know the update applies, so the
 * last such update is held in memory and written once, when something
 * could see the row: another object's update, an objects cursor, a
 * savepoint, commit. A claim created, given its PoE and submitted in a
 * batch is written twice (insert, update) instead of three times.
 *   held_put: for an UPDATE of a claim; *taken 1 when held (or refused:
 *     the return code), 0 when the caller must write it (after which it
 *     calls held_wrote);
 *   held_get: for object_get; *found 1 with *out filled from the held row;
 *   held_flush: writes the held update; held_drop: forgets it (rollback);
 *   held_knows: records the stored revision of a claim just read/written. */
int cpor__sql_held_put(cpor__sqlite *s, const cpor_store_object *obj, int *taken);
/* An update conditional on obj->revision (sqlite.c): to 0 sets revision + 1,
 * else to; *changed: whether the row was written. */
int cpor__sql_object_update(cpor__sqlite *s, const cpor_store_object *obj, uint64_t to,
                            int *changed);
void cpor__sql_held_get(cpor__sqlite *s, uint32_t kind, const char *id, cpor_store_object *out,
                        int *found);
int cpor__sql_held_flush(cpor__sqlite *s);
void cpor__sql_held_drop(cpor__sqlite *s);
void cpor__sql_held_knows(cpor__sqlite *s, const char *id, uint64_t revision);
void cpor__sql_held_free(cpor__sqlite *s);

/* A statement borrowed for one method call: the cached one, or a private
 * copy when the cached one is still running (a callback re-entered the same
 * scan). Always hand it back with cpor__sql_release. */
typedef struct cpor__stmt_s cpor__stmt; /* .owned 1: a private copy, finalized on release */

int cpor__sql_acquire(cpor__sqlite *s, cpor__sql_id id, cpor__stmt *out);
/* The statement of an object query (an CPOR__SQL_OBJECT_* id) for objects
 * of kind: the outbox kind's own table (messages) answers its kind. */
cpor__sql_id cpor__sql_of_kind(cpor__sql_id id, uint32_t kind);
void cpor__sql_release(cpor__stmt *stmt);
/* Runs a statement that returns no rows (BEGIN, COMMIT, ...) from the cache. */
int cpor__sql_run(cpor__sqlite *s, cpor__sql_id id, const char *what);
/* Finalizes every cached statement (before close, and before migrations). */
void cpor__sql_finalize_all(cpor__sqlite *s);

/* Maps a SQLite result code to a CPOR code and records the detail in s->err:
 * UNIQUE/PRIMARY KEY violations -> CPOR_EEXISTS, BUSY/LOCKED ->
 * CPOR_ESTORAGE "database is locked (busy timeout N ms exceeded)", corruption
 * -> CPOR_ECORRUPT, out of memory -> CPOR_ENOMEM, anything else ->
 * CPOR_ESTORAGE with sqlite3_errmsg. `what` names the operation. */
int cpor__sql_fail(cpor__sqlite *s, int rc, const char *what);
/* Records a message for a failure detected by the backend itself. */
int cpor__sql_error(cpor__sqlite *s, int code, const char *msg);

/* Cursors (sqlite_cursor.c). */
int cpor__sqlite_cursor_open(void *self, const cpor_store_query *q, void **cursor);
int cpor__sqlite_cursor_next(void *self, void *cursor, cpor_store_row *row);
void cpor__sqlite_cursor_close(void *self, void *cursor);

/* Counters and change rows (sqlite_feed.c). */
/* Writes the counters' final values (at commit). */
int cpor__sqlite_counters_flush(cpor__sqlite *s);
int cpor__sqlite_counter_next(void *self, const char *name, uint64_t count, uint64_t *first);
int cpor__sqlite_change_append(void *self, uint64_t change, const char *claim_id, uint32_t seq,
                               int32_t state);
/* The claim's oid (from the cache, else looked up and remembered):
 * CPOR_ENOTFOUND without a message when it is not stored. */
int cpor__sql_claim_oid(cpor__sqlite *s, const char *claim_id, sqlite3_int64 *oid,
                        const char *what);
void cpor__sql_oid_remember(cpor__sqlite *s, const char *claim_id, sqlite3_int64 oid);
void cpor__sql_oid_forget(cpor__sqlite *s);
/* The same for a claim that must be stored: CPOR_ENOTFOUND "<what>: no
 * such claim" when it is not. */
int cpor__sql_claim_row(cpor__sqlite *s, const char *claim_id, sqlite3_int64 *oid,
                        const char *what);
/* Steps a statement that returns no rows. */
int cpor__sql_done(cpor__sqlite *s, sqlite3_stmt *st, const char *what);

/* lines_replace and keys_replace (sqlite_rows.c). */
int cpor__sqlite_lines_replace(void *self, const char *claim_id, const cpor_store_line *lines,
                               size_t count);
int cpor__sqlite_keys_replace(void *self, const char *claim_id, const char *const *keys,
                              size_t count);

/* Binding and column helpers shared by the backend's files. */
int cpor__sql_bind_text(sqlite3_stmt *st, int i, const char *text);
const void *cpor__sql_column_blob(sqlite3_stmt *st, int i, size_t *len);
int cpor__sql_valid_id(const char *id);

/* Checks that db is a libcpor database (or empty) without writing anything,
 * then creates or upgrades the schema. Writes the reason to s->err. */
int cpor__sqlite_schema_open(cpor__sqlite *s, int read_only);

#endif
