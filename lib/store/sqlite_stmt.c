/* The SQLite backend's statements: fixed SQL texts, prepared once per
 * connection and reused, and the mapping of SQLite errors to CPOR codes.
 *
 * Every value reaches SQLite through a bound parameter: no SQL text is ever
 * built from caller strings. */
#include <stdio.h>
#include <string.h>

#include "store/sqlite_int.h"

/* The statements of one object table, by the prefix P of their ids: T the
 * table, KC the condition on the kind and KCOL / KVAL its column and value
 * ("" for a table of one kind), OID the claim's row id column. Updates are
 * conditional on the revision read: the race between two writers is decided
 * here, not by a lock the backend holds. The _TO updates write a held update
 * (sqlite_held.c), several updates as one. The scans select the same columns
 * so one row reader serves them all; ?4 is the id to resume after ('' from
 * the first: ids are never empty). */
#define OBJECT_SQL(P, T, KC, KCOL, KVAL, OID)                                                      \
  [CPOR__SQL_##P##_GET] =                                                                          \
      "SELECT owner, ref, state, revision, data, " OID " FROM " T " WHERE " KC "id = ?2",          \
  [CPOR__SQL_##P##_INSERT] = "INSERT INTO " T "(" KCOL "id, owner, ref, state, revision, data) "   \
                             "VALUES (" KVAL "?2, ?3, ?4, ?5, 1, ?6)",                             \
  [CPOR__SQL_##P##_UPDATE] = "UPDATE " T " SET owner = ?3, ref = ?4, state = ?5, data = ?6, "      \
                             "revision = revision + 1 WHERE " KC "id = ?2 AND revision = ?7",      \
  [CPOR__SQL_##P##_UPDATE_SAME] = "UPDATE " T " SET state = ?5, data = ?6, revision = revision + " \
                                  "1 WHERE " KC "id = ?2 AND revision = ?7 AND owner IS ?3 AND "   \
                                  "ref IS ?4",                                                     \
  [CPOR__SQL_##P##_UPDATE_TO] = "UPDATE " T " SET owner = ?3, ref = ?4, state = ?5, data = ?6, "   \
                                "revision = ?8 WHERE " KC "id = ?2 AND revision = ?7",             \
  [CPOR__SQL_##P##_UPDATE_SAME_TO] = "UPDATE " T " SET state = ?5, data = ?6, revision = ?8 "      \
                                     "WHERE " KC "id = ?2 AND revision = ?7 AND owner IS ?3 AND "  \
                                     "ref IS ?4",                                                  \
  [CPOR__SQL_##P##_DELETE] = "DELETE FROM " T " WHERE " KC "id = ?2 AND revision = ?7",            \
  [CPOR__SQL_##P##_EXISTS] = "SELECT 1 FROM " T " WHERE " KC "id = ?2",                            \
  [CPOR__SQL_##P##_SCAN_KIND] =                                                                    \
      "SELECT id, owner, ref, state, revision, data FROM " T " WHERE " KC "id > ?4 ORDER BY id",   \
  [CPOR__SQL_##P##_SCAN_OWNER] = "SELECT id, owner, ref, state, revision, data FROM " T            \
                                 " WHERE " KC "owner = ?2 AND id > ?4 ORDER BY id",                \
  [CPOR__SQL_##P##_SCAN_REF] = "SELECT id, owner, ref, state, revision, data FROM " T " WHERE " KC \
                               "ref = ?2 AND id > ?4 ORDER BY id",                                 \
  [CPOR__SQL_##P##_SCAN_STATE] = "SELECT id, owner, ref, state, revision, data FROM " T            \
                                 " WHERE " KC "state = ?3 AND id > ?4 ORDER BY id"

/* Column orders matter: sqlite.c reads results by position. */
static const char *const sql_text[CPOR__SQL_COUNT] = {
    [CPOR__SQL_BEGIN_READ] = "BEGIN DEFERRED",
    /* IMMEDIATE takes the write lock at once: two writers serialize at begin
     * (waiting up to the busy timeout) instead of failing at their first
     * write with a stale snapshot. */
    [CPOR__SQL_BEGIN_WRITE] = "BEGIN IMMEDIATE",
    [CPOR__SQL_COMMIT] = "COMMIT",
    [CPOR__SQL_ROLLBACK] = "ROLLBACK",
    [CPOR__SQL_CALL_SAVEPOINT] = "SAVEPOINT cpor_call",
    [CPOR__SQL_CALL_RELEASE] = "RELEASE cpor_call",
    [CPOR__SQL_CALL_ROLLBACK_TO] = "ROLLBACK TO cpor_call",
    /* Objects: the statements below are written once for both tables
     * (OBJECT_SQL): objects, and messages, which holds the outbox kind. */
    OBJECT_SQL(OBJECT, "objects", "kind = ?1 AND ", "kind, ", "?1, ", "oid"),
    /* The outbox kind has a table of its own (sqlite.c, cpor__sql_of_kind):
     * its messages stay out of the four indexes of objects. */
    OBJECT_SQL(MSG, "messages", "", "", "", "0"),
    /* A claim's rows name it by its integer row id (oid), not by its text
     * UUID: every index of lines, keys, deadlines and events stays small.
     * Kind 7 is CPOR_STORE_CLAIM (sqlite.c asserts it). */
    [CPOR__SQL_CLAIM_OID] = "SELECT oid FROM objects WHERE kind = 7 AND id = ?1",
    [CPOR__SQL_LINES_OF_OID] =
        "SELECT line, unit, partner_id, status FROM lines WHERE oid = ?1 ORDER BY line",
    [CPOR__SQL_LINE_INSERT] =
        "INSERT INTO lines(oid, line, unit, partner_id, status) VALUES (?1, ?2, ?3, ?4, ?5)",
    /* A status change leaves lines_unit alone: the column is not indexed. */
    [CPOR__SQL_LINE_STATUS] = "UPDATE lines SET status = ?5 WHERE oid = ?1 AND line = ?2",
    [CPOR__SQL_LINE_UPDATE] =
        "UPDATE lines SET unit = ?3, partner_id = ?4, status = ?5 WHERE oid = ?1 AND line = ?2",
    [CPOR__SQL_LINE_DELETE] = "DELETE FROM lines WHERE oid = ?1 AND line = ?2",
    [CPOR__SQL_LINES_BY_UNIT] = "SELECT o.id, l.line, l.partner_id, l.status FROM lines l "
                                "JOIN objects o ON o.oid = l.oid "
                                "WHERE l.unit = ?1 ORDER BY o.id, l.line",
    [CPOR__SQL_KEYS_OF_OID] = "SELECT key FROM keys WHERE oid = ?1",
    [CPOR__SQL_KEY_INSERT] = "INSERT INTO keys(key, oid) VALUES (?2, ?1)",
    [CPOR__SQL_KEY_DELETE] = "DELETE FROM keys WHERE key = ?2 AND oid = ?1",
    /* ?1 is the claim's oid (cpor__sql_claim_oid) in these and in
     * EVENT_APPEND; ?2 in CHANGE_APPEND. */
    [CPOR__SQL_DEADLINE_SET] = "INSERT INTO deadlines(oid, kind, due) VALUES (?1, ?2, ?3) "
                               "ON CONFLICT(oid, kind) DO UPDATE SET due = excluded.due",
    [CPOR__SQL_DEADLINE_CLEAR] = "DELETE FROM deadlines WHERE oid = ?1 AND kind = ?2",
    /* Served by the (kind, due, oid) index: the cost follows the rows
     * visited, not the rows stored. */
    [CPOR__SQL_DEADLINE_SCAN] = "SELECT o.id, d.due FROM deadlines d "
                                "JOIN objects o ON o.oid = d.oid "
                                "WHERE d.kind = ?1 AND d.due <= ?2 ORDER BY d.due, d.oid",
    [CPOR__SQL_EVENT_APPEND] = "INSERT INTO events(oid, seq, data) VALUES (?1, ?2, ?3)",
    [CPOR__SQL_EVENT_SCAN] = "SELECT seq, data FROM events WHERE oid = (SELECT oid FROM objects "
                             "WHERE kind = 7 AND id = ?1) AND seq > ?2 "
                             "ORDER BY seq",
    /* Version 4. The counter row is written by the reservation itself, so
     * under SQLite's single writer numbers are handed out in commit order. */
    /* Three plain statements: an upsert with RETURNING costs SQLite an
     * ephemeral table per call, about three times as much. */
    [CPOR__SQL_COUNTER_READ] = "SELECT value FROM counters WHERE name = ?1",
    [CPOR__SQL_COUNTER_SET] = "INSERT INTO counters(name, value) VALUES (?1, ?2) "
                              "ON CONFLICT (name) DO UPDATE SET value = excluded.value",
    [CPOR__SQL_CHANGE_APPEND] =
        "INSERT INTO changes(change, oid, seq, state) VALUES (?1, ?2, ?3, ?4)",
    [CPOR__SQL_CHANGE_SCAN] = "SELECT c.change, o.id, c.seq, c.state FROM changes c "
                              "LEFT JOIN objects o ON o.oid = c.oid "
                              "WHERE c.change > ?1 ORDER BY c.change",
    /* Version 4's audit cursors. The walks go through the claims in id
     * order (objects(kind, id)) and each claim's rows by their primary key;
     * the rows whose oid names no claim follow, with a NULL claim ID. The
     * keys_oid index holds (oid, key): a claim's keys come in key order. */
    [CPOR__SQL_KEYS_OF] = "SELECT o.id, k.key FROM objects o JOIN keys k ON k.oid = o.oid "
                          "WHERE o.kind = 7 AND o.id = ?1 ORDER BY k.key",
    [CPOR__SQL_KEYS_ALL] = "SELECT o.id, k.key FROM objects o JOIN keys k ON k.oid = o.oid "
                           "WHERE o.kind = 7 ORDER BY o.id, k.key",
    [CPOR__SQL_KEYS_ORPHANS] = "SELECT NULL, k.key FROM keys k WHERE NOT EXISTS "
                               "(SELECT 1 FROM objects o WHERE o.oid = k.oid AND o.kind = 7) "
                               "ORDER BY k.oid, k.key",
    [CPOR__SQL_LINES_ALL] = "SELECT o.id, l.line, l.partner_id, l.status, l.unit "
                            "FROM objects o JOIN lines l ON l.oid = o.oid "
                            "WHERE o.kind = 7 ORDER BY o.id, l.line",
    [CPOR__SQL_LINES_ORPHANS] = "SELECT NULL, l.line, l.partner_id, l.status, l.unit FROM lines l "
                                "WHERE NOT EXISTS (SELECT 1 FROM objects o "
                                "WHERE o.oid = l.oid AND o.kind = 7) ORDER BY l.oid, l.line",
    [CPOR__SQL_EVENTS_ALL] = "SELECT o.id, e.seq, e.data FROM objects o JOIN events e "
                             "ON e.oid = o.oid WHERE o.kind = 7 ORDER BY o.id, e.seq",
    [CPOR__SQL_EVENTS_ORPHANS] = "SELECT NULL, e.seq, e.data FROM events e WHERE NOT EXISTS "
                                 "(SELECT 1 FROM objects o WHERE o.oid = e.oid AND o.kind = 7) "
                                 "ORDER BY e.oid, e.seq",
};

_Static_assert(CPOR__SQL_MSG_SCAN_STATE - CPOR__SQL_MSG_GET ==
                   CPOR__SQL_OBJECT_SCAN_STATE - CPOR__SQL_OBJECT_GET,
               "the two object blocks have the same statements");

cpor__sql_id cpor__sql_of_kind(cpor__sql_id id, uint32_t kind) {
  if (kind != CPOR_STORE_OUTBOX || id < CPOR__SQL_OBJECT_GET || id > CPOR__SQL_OBJECT_SCAN_STATE)
    return id;
  return (cpor__sql_id)(id - CPOR__SQL_OBJECT_GET + CPOR__SQL_MSG_GET);
}

static int prepare(cpor__sqlite *s, cpor__sql_id id, unsigned flags, sqlite3_stmt **out) {
  int rc = sqlite3_prepare_v3(s->db, sql_text[id], -1, flags, out, NULL);
  if (rc != SQLITE_OK) {
    sqlite3_finalize(*out);
    *out = NULL;
    return cpor__sql_fail(s, rc, "prepare");
  }
  return CPOR_OK;
}

int cpor__sql_acquire(cpor__sqlite *s, cpor__sql_id id, cpor__stmt *out) {
  out->st = NULL;
  out->owned = 0;
  sqlite3_stmt **slot = &s->stmts[id];
  if (!*slot) {
    /* PERSISTENT: the statement lives for the whole connection, so SQLite
     * allocates it outside its short-lived lookaside memory. */
    int rc = prepare(s, id, SQLITE_PREPARE_PERSISTENT, slot);
    if (rc) return rc;
  }
  if (!sqlite3_stmt_busy(*slot)) {
    out->st = *slot;
    return CPOR_OK;
  }
  /* The cached statement is mid-scan: a callback called the same method
   * again. Resetting it would silently end the outer scan, so this call gets
   * a private statement instead (rare, so the allocation does not matter). */
  int rc = prepare(s, id, 0, &out->st);
  if (rc) return rc;
  out->owned = 1;
  return CPOR_OK;
}

void cpor__sql_release(cpor__stmt *stmt) {
  if (!stmt->st) return;
  if (stmt->owned) {
    sqlite3_finalize(stmt->st);
  } else {
    /* Reset ends the statement's read of the database (so COMMIT is not
     * blocked by it); clearing the bindings drops our pointers to the
     * caller's strings, which were bound with SQLITE_STATIC. */
    sqlite3_reset(stmt->st);
    sqlite3_clear_bindings(stmt->st);
  }
  stmt->st = NULL;
  stmt->owned = 0;
}

int cpor__sql_run(cpor__sqlite *s, cpor__sql_id id, const char *what) {
  cpor__stmt q;
  int rc = cpor__sql_acquire(s, id, &q);
  if (rc) return rc;
  int src = sqlite3_step(q.st);
  rc = src == SQLITE_DONE || src == SQLITE_ROW ? CPOR_OK : cpor__sql_fail(s, src, what);
  cpor__sql_release(&q);
  return rc;
}

void cpor__sql_finalize_all(cpor__sqlite *s) {
  for (int i = 0; i < CPOR__SQL_COUNT; i++) {
    sqlite3_finalize(s->stmts[i]); /* NULL is a harmless no-op */
    s->stmts[i] = NULL;
  }
}

int cpor__sql_error(cpor__sqlite *s, int code, const char *msg) {
  snprintf(s->err, sizeof s->err, "%s", msg);
  return code;
}

int cpor__sql_fail(cpor__sqlite *s, int rc, const char *what) {
  const char *detail = s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc);
  switch (rc & 0xff) {
  case SQLITE_CONSTRAINT:
    if (rc == SQLITE_CONSTRAINT_PRIMARYKEY || rc == SQLITE_CONSTRAINT_UNIQUE) {
      snprintf(s->err, sizeof s->err, "%s: %s", what, detail);
      return CPOR_EEXISTS;
    }
    break;
  case SQLITE_BUSY:
  case SQLITE_LOCKED:
    /* BUSY_SNAPSHOT is not a timeout: a read transaction tried to write
     * after another connection committed; only a new transaction helps. */
    if (rc == SQLITE_BUSY_SNAPSHOT) {
      snprintf(s->err, sizeof s->err,
               "%s: database changed since this read transaction began (%s); retry in a new "
               "transaction",
               what, detail);
      return CPOR_ESTORAGE;
    }
    snprintf(s->err, sizeof s->err, "%s: database is locked (busy timeout %d ms exceeded)", what,
             s->busy_timeout_ms);
    return CPOR_ESTORAGE;
  case SQLITE_CORRUPT:
  case SQLITE_NOTADB:
    snprintf(s->err, sizeof s->err, "%s: %s", what, detail);
    return CPOR_ECORRUPT;
  case SQLITE_NOMEM:
    snprintf(s->err, sizeof s->err, "%s: out of memory", what);
    return CPOR_ENOMEM;
  default:
    break;
  }
  /* I/O errors, a full disk, a read-only file, ...: the storage failed. */
  snprintf(s->err, sizeof s->err, "%s: %s", what, detail);
  return CPOR_ESTORAGE;
}

void cpor__sql_oid_forget(cpor__sqlite *s) {
  for (size_t i = 0; i < sizeof s->oids / sizeof *s->oids; i++)
    s->oids[i].id[0] = 0;
}

void cpor__sql_oid_remember(cpor__sqlite *s, const char *claim_id, sqlite3_int64 oid) {
  size_t n = strlen(claim_id);
  struct cpor__oid_slot *slot = &s->oids[s->oid_next++ % (sizeof s->oids / sizeof *s->oids)];
  if (n >= sizeof slot->id) return; /* valid ids are shorter */
  memcpy(slot->id, claim_id, n + 1);
  slot->oid = oid;
}

int cpor__sql_claim_oid(cpor__sqlite *s, const char *claim_id, sqlite3_int64 *oid,
                        const char *what) {
  for (size_t i = 0; i < sizeof s->oids / sizeof *s->oids; i++)
    if (s->oids[i].id[0] && strcmp(s->oids[i].id, claim_id) == 0) {
      *oid = s->oids[i].oid;
      return CPOR_OK;
    }
  cpor__stmt q;
  int rc = cpor__sql_acquire(s, CPOR__SQL_CLAIM_OID, &q);
  if (rc) return rc;
  cpor__sql_bind_text(q.st, 1, claim_id);
  int src = sqlite3_step(q.st);
  if (src == SQLITE_ROW) {
    *oid = sqlite3_column_int64(q.st, 0);
    cpor__sql_oid_remember(s, claim_id, *oid);
  } else {
    rc = src == SQLITE_DONE ? CPOR_ENOTFOUND : cpor__sql_fail(s, src, what);
  }
  cpor__sql_release(&q);
  return rc;
}

int cpor__sql_claim_row(cpor__sqlite *s, const char *claim_id, sqlite3_int64 *oid,
                        const char *what) {
  int rc = cpor__sql_claim_oid(s, claim_id, oid, what);
  if (rc != CPOR_ENOTFOUND) return rc;
  char msg[96];
  snprintf(msg, sizeof msg, "%s: no such claim", what);
  return cpor__sql_error(s, CPOR_ENOTFOUND, msg);
}

int cpor__sql_done(cpor__sqlite *s, sqlite3_stmt *st, const char *what) {
  int rc = sqlite3_step(st);
  return rc == SQLITE_DONE ? CPOR_OK : cpor__sql_fail(s, rc, what);
}
