/* The SQLite backend's schema: recognizing a libcpor database, and creating
 * or upgrading its tables.
 *
 * Opening never writes to a file before it is known to be ours: a database of
 * another application, a newer libcpor schema or a file that is not SQLite at
 * all is refused by reads alone, and is left byte for byte as it was. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/recode.h"
#include "store/sqlite_int.h"

/* Forward migrations: the parts whose `from` is v take a database from
 * user_version v to v + 1 (a version may need several parts: C compilers
 * need not take string literals over 4095 bytes). They run in order inside
 * one write transaction, so a database is at one version or the next, never
 * in between. Append parts for each schema change; never edit one that has
 * shipped. */
/* The claims view's columns of schema 2, kept by schema 3 (which appends). */
#define CLAIMS_VIEW_COLUMNS                                                                        \
  "  o.id AS id, o.owner AS partner_id, json_extract(d, '$.mpn_id') AS mpn_id,"                    \
  "  o.ref AS tenant_id, json_extract(d, '$.domain') AS domain,"                                   \
  "  json_extract(d, '$.name') AS name, json_extract(d, '$.area') AS area,"                        \
  "  json_extract(d, '$.activity') AS activity, json_extract(d, '$.state') AS state,"              \
  "  json_extract(d, '$.reason') AS reason, json_extract(d, '$.contested') AS contested,"          \
  "  json_extract(d, '$.final') AS final, json_extract(d, '$.disputes') AS disputes,"              \
  "  json_extract(d, '$.created_at') AS created_at,"                                               \
  "  json_extract(d, '$.updated_at') AS updated_at,"                                               \
  "  json_extract(d, '$.window_closes_at') AS window_closes_at,"                                   \
  "  json_extract(d, '$.sla_due_at') AS sla_due_at,"

/* The outbox view's columns before its payload (schema 3, kept by 4). */
#define OUTBOX_VIEW_COLUMNS                                                                        \
  "  CAST(id AS INTEGER) AS id, json_extract(d, '$.kind') AS kind,"                                \
  "  json_extract(d, '$.recipient.role') AS recipient_role,"                                       \
  "  json_extract(d, '$.recipient.org') AS recipient_org, ref AS claim_id,"                        \
  "  json_extract(d, '$.seq') AS event_seq, json_extract(d, '$.created_at') AS created_at,"        \
  "  json_extract(d, '$.lease_until') AS lease_until,"

typedef struct step {
  int from; /* the user_version this part upgrades from */
  const char *sql;
} step;

static const step migrations[] = {
    /* 0 -> 1: the first schema. */
    {0, "CREATE TABLE meta ("
        "  key TEXT PRIMARY KEY,"
        "  value TEXT NOT NULL"
        ") WITHOUT ROWID;"
        "INSERT INTO meta(key, value) VALUES ('" CPOR__SQLITE_MARKER_KEY
        "', '" CPOR__SQLITE_MARKER_VALUE "');"
        /* A rowid table: records are up to a few KB, and measured with 1.5 KB
         * records a WITHOUT ROWID table (whose index b-tree then holds every
         * record inline) inserted 3x and read 5x slower. */
        "CREATE TABLE objects ("
        "  kind INTEGER NOT NULL,"
        "  id TEXT NOT NULL,"
        "  owner TEXT,"
        "  ref TEXT,"
        "  state INTEGER NOT NULL DEFAULT 0,"
        "  data BLOB NOT NULL,"
        "  PRIMARY KEY (kind, id)"
        ");"
        "CREATE INDEX objects_owner ON objects(kind, owner, id);"
        "CREATE INDEX objects_ref ON objects(kind, ref, id);"
        "CREATE INDEX objects_state ON objects(kind, state, id);"
        /* Small rows: WITHOUT ROWID saves the rowid indirection. */
        "CREATE TABLE lines ("
        "  claim_id TEXT NOT NULL,"
        "  line INTEGER NOT NULL,"
        "  unit TEXT NOT NULL,"
        "  partner_id TEXT,"
        "  status INTEGER NOT NULL,"
        "  PRIMARY KEY (claim_id, line)"
        ") WITHOUT ROWID;"
        "CREATE INDEX lines_unit ON lines(unit, claim_id, line);"
        /* The invariant of DESIGN 1.3, enforced by the database itself so that
         * racing processes cannot break it: at most one APPROVED (5) and one
         * ASSOCIATED (6) line per unit. */
        "CREATE UNIQUE INDEX lines_one_approved ON lines(unit) WHERE status = 5;"
        "CREATE UNIQUE INDEX lines_one_associated ON lines(unit) WHERE status = 6;"
        "CREATE TABLE deadlines ("
        "  claim_id TEXT NOT NULL,"
        "  kind INTEGER NOT NULL,"
        "  due INTEGER NOT NULL,"
        "  PRIMARY KEY (claim_id, kind)"
        ") WITHOUT ROWID;"
        "CREATE INDEX deadlines_due ON deadlines(kind, due, claim_id);"
        "CREATE TABLE events ("
        "  claim_id TEXT NOT NULL,"
        "  seq INTEGER NOT NULL,"
        "  data BLOB NOT NULL,"
        "  PRIMARY KEY (claim_id, seq)"
        ");"},
    /* 1 -> 2 (storage v3): objects get a revision and an integer row id
     * (oid) that the claim's other rows use instead of its text UUID; the
     * uniqueness of APPROVED and ASSOCIATED lines moves from two partial
     * indexes on status values to exclusive keys the core computes. The
     * keys of the rows a 1 file holds are written here once, in the core's
     * spelling (lib/core/access.c, line_keys): 'partner P U' for every
     * submitted-or-later line (status 2-6, 8), 'approved U' (5) and
     * 'associated U' (6) - the only place this backend reads a status. */
    {1, "CREATE TABLE objects2 ("
        "  oid INTEGER PRIMARY KEY,"
        "  kind INTEGER NOT NULL,"
        "  id TEXT NOT NULL,"
        "  owner TEXT,"
        "  ref TEXT,"
        "  state INTEGER NOT NULL DEFAULT 0,"
        "  revision INTEGER NOT NULL DEFAULT 1,"
        "  data BLOB NOT NULL,"
        "  UNIQUE (kind, id)"
        ");"
        "INSERT INTO objects2(kind, id, owner, ref, state, revision, data)"
        "  SELECT kind, id, owner, ref, state, 1, data FROM objects ORDER BY kind, id;"
        "CREATE TABLE lines2 ("
        "  oid INTEGER NOT NULL,"
        "  line INTEGER NOT NULL,"
        "  unit TEXT NOT NULL,"
        "  partner_id TEXT,"
        "  status INTEGER NOT NULL,"
        "  PRIMARY KEY (oid, line)"
        ") WITHOUT ROWID;"
        "INSERT INTO lines2(oid, line, unit, partner_id, status)"
        "  SELECT o.oid, l.line, l.unit, l.partner_id, l.status FROM lines l"
        "  JOIN objects2 o ON o.kind = 7 AND o.id = l.claim_id;"
        "CREATE TABLE keys ("
        "  key TEXT PRIMARY KEY,"
        "  oid INTEGER NOT NULL"
        ") WITHOUT ROWID;"
        "INSERT OR IGNORE INTO keys(key, oid)"
        "  SELECT 'partner ' || partner_id || ' ' || unit, oid FROM lines2"
        "  WHERE status IN (2, 3, 4, 5, 6, 8);"
        "INSERT INTO keys(key, oid) SELECT 'approved ' || unit, oid FROM lines2 WHERE status = 5;"
        "INSERT INTO keys(key, oid) SELECT 'associated ' || unit, oid FROM lines2 WHERE status = 6;"
        "CREATE TABLE deadlines2 ("
        "  oid INTEGER NOT NULL,"
        "  kind INTEGER NOT NULL,"
        "  due INTEGER NOT NULL,"
        "  PRIMARY KEY (oid, kind)"
        ") WITHOUT ROWID;"
        "INSERT INTO deadlines2(oid, kind, due)"
        "  SELECT o.oid, d.kind, d.due FROM deadlines d"
        "  JOIN objects2 o ON o.kind = 7 AND o.id = d.claim_id;"
        "CREATE TABLE events2 ("
        "  oid INTEGER NOT NULL,"
        "  seq INTEGER NOT NULL,"
        "  data BLOB NOT NULL,"
        "  PRIMARY KEY (oid, seq)"
        ");"
        "INSERT INTO events2(oid, seq, data)"
        "  SELECT o.oid, e.seq, e.data FROM events e"
        "  JOIN objects2 o ON o.kind = 7 AND o.id = e.claim_id ORDER BY o.oid, e.seq;"
        "DROP TABLE objects; DROP TABLE lines; DROP TABLE deadlines; DROP TABLE events;"
        "ALTER TABLE objects2 RENAME TO objects;"
        "ALTER TABLE lines2 RENAME TO lines;"
        "ALTER TABLE deadlines2 RENAME TO deadlines;"
        "ALTER TABLE events2 RENAME TO events;"
        "CREATE INDEX objects_owner ON objects(kind, owner, id);"
        "CREATE INDEX objects_ref ON objects(kind, ref, id);"
        "CREATE INDEX objects_state ON objects(kind, state, id);"
        "CREATE INDEX lines_unit ON lines(unit);"
        "CREATE INDEX keys_oid ON keys(oid);"
        "CREATE INDEX deadlines_due ON deadlines(kind, due);"},
    /* Read-only views of the JSON records (README "Reading the database with
     * SQL"): one row per record, or per line and event; instants are
     * milliseconds since the Unix epoch (UTC), NULL when unset. */
    {1, "CREATE VIEW claims AS SELECT" CLAIMS_VIEW_COLUMNS
        "  json_array_length(d, '$.lines') AS line_count, o.revision AS revision"
        "  FROM (SELECT *, CAST(data AS TEXT) AS d FROM objects WHERE kind = 7) o;"
        "CREATE VIEW claim_lines AS SELECT"
        "  o.id AS claim_id, CAST(l.key AS INTEGER) AS line,"
        "  json_extract(l.value, '$.workload') AS workload,"
        "  json_extract(l.value, '$.subscription') AS subscription_id,"
        "  json_extract(l.value, '$.state') AS state, json_extract(l.value, '$.reason') AS reason"
        "  FROM objects o, json_each(CAST(o.data AS TEXT), '$.lines') l WHERE o.kind = 7;"
        "CREATE VIEW claim_events AS SELECT"
        "  o.id AS claim_id, e.seq AS seq, json_extract(d, '$.at') AS at,"
        "  json_extract(d, '$.kind') AS kind, json_extract(d, '$.state') AS state,"
        "  json_extract(d, '$.actor.role') AS actor_role,"
        "  json_extract(d, '$.actor.org') AS actor_org,"
        "  json_extract(d, '$.actor.user') AS actor_user, json_extract(d, '$.text') AS text,"
        "  json_extract(d, '$.payload') AS payload"
        "  FROM (SELECT oid, seq, CAST(data AS TEXT) AS d FROM events) e"
        "  JOIN objects o ON o.oid = e.oid;"
        "CREATE VIEW partners AS SELECT id, json_extract(CAST(data AS TEXT), '$.name') AS name"
        "  FROM objects WHERE kind = 1;"
        "CREATE VIEW locations AS SELECT id AS mpn_id, owner AS partner_id,"
        "  json_extract(CAST(data AS TEXT), '$.name') AS name,"
        "  json_extract(CAST(data AS TEXT), '$.programs') AS programs FROM objects WHERE kind = 2;"
        "CREATE VIEW customers AS SELECT id, json_extract(CAST(data AS TEXT), '$.name') AS name"
        "  FROM objects WHERE kind = 3;"
        "CREATE VIEW tenants AS SELECT id, owner AS customer_id,"
        "  json_extract(CAST(data AS TEXT), '$.domains') AS domains FROM objects WHERE kind = 4;"
        "CREATE VIEW subscriptions AS SELECT id, owner AS tenant_id,"
        "  json_extract(CAST(data AS TEXT), '$.workload') AS workload,"
        "  json_extract(CAST(data AS TEXT), '$.channel') AS channel,"
        "  json_extract(CAST(data AS TEXT), '$.state') AS state FROM objects WHERE kind = 5;"},
    /* 2 -> 3: store-wide counters and the change feed (vtable version 4);
     * the outbox view; the claims view gains the integration keys. */
    {2, "CREATE TABLE counters ("
        "  name TEXT PRIMARY KEY,"
        "  value INTEGER NOT NULL"
        ") WITHOUT ROWID;"
        "CREATE TABLE changes ("
        "  change INTEGER PRIMARY KEY,"
        "  oid INTEGER NOT NULL,"
        "  seq INTEGER NOT NULL,"
        "  state INTEGER NOT NULL"
        ");"
        "DROP VIEW claims;"
        "CREATE VIEW claims AS SELECT" CLAIMS_VIEW_COLUMNS
        "  json_array_length(d, '$.lines') AS line_count, o.revision AS revision,"
        "  json_extract(d, '$.external_ref') AS external_ref,"
        "  json_extract(d, '$.idempotency_key') AS idempotency_key"
        "  FROM (SELECT *, CAST(data AS TEXT) AS d FROM objects WHERE kind = 7) o;"
        "CREATE VIEW outbox AS SELECT" OUTBOX_VIEW_COLUMNS
        "  json_extract(d, '$.deliveries') AS deliveries, json_extract(d, '$.payload') AS payload"
        "  FROM (SELECT *, CAST(data AS TEXT) AS d FROM objects WHERE kind = 9);"},
    /* 3 -> 4: the outbox's messages get a table of their own, keyed by their
     * 20-digit id, with no other index: in objects each message cost four
     * index entries. Rows move byte for byte. The view's payload is the
     * message's own or, when the record refers to its event's (message
     * record version 2), the event's. */
    {3, "CREATE TABLE messages ("
        "  id TEXT PRIMARY KEY,"
        "  owner TEXT,"
        "  ref TEXT,"
        "  state INTEGER NOT NULL DEFAULT 0,"
        "  revision INTEGER NOT NULL DEFAULT 1,"
        "  data BLOB NOT NULL"
        ") WITHOUT ROWID;"
        "INSERT INTO messages(id, owner, ref, state, revision, data)"
        "  SELECT id, owner, ref, state, revision, data FROM objects WHERE kind = 9;"
        "DELETE FROM objects WHERE kind = 9;"
        "DROP VIEW outbox;"
        "CREATE VIEW outbox AS SELECT" OUTBOX_VIEW_COLUMNS
        "  json_extract(d, '$.deliveries') AS deliveries,"
        "  coalesce(json_extract(d, '$.payload'),"
        "    (SELECT coalesce(json_extract(CAST(e.data AS TEXT), '$.payload'), '{}')"
        "     FROM objects c JOIN events e ON e.oid = c.oid"
        "     WHERE c.kind = 7 AND c.id = m.ref AND e.seq = json_extract(d, '$.seq'))) AS payload"
        "  FROM (SELECT *, CAST(data AS TEXT) AS d FROM messages) m;"},
};

#define NSTEPS (sizeof migrations / sizeof migrations[0])
_Static_assert(CPOR__SQLITE_SCHEMA_VERSION == 4, "append the migration of the new version");

typedef struct inspection {
  int is_new;       /* empty: no schema objects, nothing set */
  int version;      /* PRAGMA user_version */
  uint32_t appid;   /* PRAGMA application_id */
  int schema_count; /* rows of sqlite_master */
} inspection;

/* Runs a fixed one-value query. */
static int query_int(cpor__sqlite *s, const char *sql, int64_t *out) {
  sqlite3_stmt *st = NULL;
  int rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
  if (rc == SQLITE_OK) {
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
      *out = sqlite3_column_int64(st, 0);
      rc = SQLITE_OK;
    }
  }
  int code = rc == SQLITE_OK ? CPOR_OK : cpor__sql_fail(s, rc, "reading the database header");
  sqlite3_finalize(st);
  return code;
}

/* 1 when the meta table carries the libcpor marker, 0 when it does not (or
 * there is no meta table), or a negative code. */
static int has_marker(cpor__sqlite *s) {
  sqlite3_stmt *st = NULL;
  int rc = sqlite3_prepare_v2(s->db, "SELECT value FROM meta WHERE key = ?1", -1, &st, NULL);
  if (rc != SQLITE_OK) {
    sqlite3_finalize(st);
    /* A missing table is an answer ("not ours"), not a failure. */
    return (rc & 0xff) == SQLITE_ERROR ? 0 : cpor__sql_fail(s, rc, "reading the meta table");
  }
  sqlite3_bind_text(st, 1, CPOR__SQLITE_MARKER_KEY, -1, SQLITE_STATIC);
  rc = sqlite3_step(st);
  int found = 0;
  if (rc == SQLITE_ROW) {
    const unsigned char *v = sqlite3_column_text(st, 0);
    found = v && strcmp((const char *)v, CPOR__SQLITE_MARKER_VALUE) == 0;
    rc = SQLITE_DONE;
  }
  int code = rc == SQLITE_DONE ? found : cpor__sql_fail(s, rc, "reading the meta table");
  sqlite3_finalize(st);
  return code;
}

/* Reads what the file is, without writing. CPOR_OK with *ins filled when it
 * is empty or a libcpor database this library can use. */
static int inspect(cpor__sqlite *s, inspection *ins) {
  memset(ins, 0, sizeof *ins);
  int64_t v;
  /* The first read of the file: "file is not a database" shows up here. */
  int rc = query_int(s, "PRAGMA application_id", &v);
  if (rc) return rc;
  ins->appid = (uint32_t)v;
  if ((rc = query_int(s, "PRAGMA user_version", &v))) return rc;
  ins->version = (int)v;
  if ((rc = query_int(s, "SELECT count(*) FROM sqlite_master", &v))) return rc;
  ins->schema_count = (int)v;

  if (ins->appid == CPOR__SQLITE_APPLICATION_ID) {
    if (ins->version > CPOR__SQLITE_SCHEMA_VERSION) {
      snprintf(s->err, sizeof s->err,
               "libcpor schema version %d is newer than this library's (%d): upgrade libcpor",
               ins->version, CPOR__SQLITE_SCHEMA_VERSION);
      return CPOR_EVERSION;
    }
  } else if (ins->appid != 0) {
    snprintf(s->err, sizeof s->err, "not a libcpor database (application_id 0x%08x)",
             (unsigned)ins->appid);
    return CPOR_ECORRUPT;
  }
  if (ins->schema_count == 0 && ins->version == 0) {
    ins->is_new = 1; /* an empty file, or one SQLite has just created */
    return CPOR_OK;
  }
  if (ins->appid != CPOR__SQLITE_APPLICATION_ID)
    return cpor__sql_error(s, CPOR_ECORRUPT,
                           "not a libcpor database (a SQLite database of another application)");
  rc = has_marker(s);
  if (rc < 0) return rc;
  if (rc == 0)
    return cpor__sql_error(s, CPOR_ECORRUPT,
                           "not a libcpor database (the libcpor marker is missing from meta)");
  return CPOR_OK;
}

static int exec_fixed(cpor__sqlite *s, const char *sql, const char *what) {
  int rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);
  return rc == SQLITE_OK ? CPOR_OK : cpor__sql_fail(s, rc, what);
}

/* Schema 2 stores JSON documents: the records of a schema 1 file (binary)
 * are rewritten, in the migration's transaction, through the core's own
 * decoder and encoder, so they read back identically. */
static int recode_rows(cpor__sqlite *s, const char *select, const char *update, int events) {
  sqlite3_stmt *q = NULL, *u = NULL;
  int rc = sqlite3_prepare_v2(s->db, select, -1, &q, NULL);
  if (rc == SQLITE_OK) rc = sqlite3_prepare_v2(s->db, update, -1, &u, NULL);
  int code = rc == SQLITE_OK ? CPOR_OK : cpor__sql_fail(s, rc, "upgrading the records");
  while (code == CPOR_OK && (rc = sqlite3_step(q)) == SQLITE_ROW) {
    size_t len;
    const void *data = cpor__sql_column_blob(q, events ? 2 : 6, &len);
    if (len && *(const char *)data == '{') continue; /* JSON already */
    void *out = NULL;
    size_t outlen = 0;
    if (events) {
      code = cpor__event_recode((uint32_t)sqlite3_column_int64(q, 1), data, len, &out, &outlen);
    } else {
      cpor_store_object o = {(uint32_t)sqlite3_column_int64(q, 1),
                             (const char *)sqlite3_column_text(q, 2),
                             (const char *)sqlite3_column_text(q, 3),
                             (const char *)sqlite3_column_text(q, 4),
                             sqlite3_column_int(q, 5),
                             1,
                             data,
                             len};
      code = cpor__record_recode(&o, &out, &outlen);
    }
    if (code) {
      snprintf(s->err, sizeof s->err, "upgrading the records: %s row %lld does not decode",
               events ? "an event" : "an object", (long long)sqlite3_column_int64(q, 0));
      break;
    }
    sqlite3_bind_blob64(u, 1, outlen ? out : "", outlen, SQLITE_TRANSIENT);
    sqlite3_bind_int64(u, 2, sqlite3_column_int64(q, 0));
    if (events) sqlite3_bind_int64(u, 3, sqlite3_column_int64(q, 1));
    free(out);
    rc = sqlite3_step(u);
    sqlite3_reset(u);
    if (rc != SQLITE_DONE) code = cpor__sql_fail(s, rc, "upgrading the records");
  }
  if (code == CPOR_OK && rc != SQLITE_DONE) code = cpor__sql_fail(s, rc, "upgrading the records");
  sqlite3_finalize(q);
  sqlite3_finalize(u);
  return code;
}

static int recode(cpor__sqlite *s) {
  int rc = recode_rows(s, "SELECT oid, kind, id, owner, ref, state, data FROM objects",
                       "UPDATE objects SET data = ?1 WHERE oid = ?2", 0);
  return rc ? rc
            : recode_rows(s, "SELECT oid, seq, data FROM events",
                          "UPDATE events SET data = ?1 WHERE oid = ?2 AND seq = ?3", 1);
}

/* Applies the missing steps inside the caller's write transaction. */
static int migrate(cpor__sqlite *s, int from) {
  for (size_t i = 0; i < NSTEPS; i++) {
    if (migrations[i].from < from) continue;
    int rc = exec_fixed(s, migrations[i].sql, "creating the schema");
    if (rc) return rc;
  }
  if (from <= 1) {
    int rc = recode(s);
    if (rc) return rc;
  }
  /* PRAGMAs take no parameters; both values are this library's constants. */
  char sql[96];
  snprintf(sql, sizeof sql, "PRAGMA application_id = %d; PRAGMA user_version = %d",
           CPOR__SQLITE_APPLICATION_ID, CPOR__SQLITE_SCHEMA_VERSION);
  return exec_fixed(s, sql, "setting the schema version");
}

int cpor__sqlite_schema_open(cpor__sqlite *s, int read_only) {
  inspection ins;
  int rc = inspect(s, &ins);
  if (rc) return rc;
  int current = !ins.is_new && ins.version == CPOR__SQLITE_SCHEMA_VERSION;
  if (read_only) {
    if (current) return CPOR_OK;
    return cpor__sql_error(s, CPOR_ESTORAGE,
                           ins.is_new ? "opened read-only, but the database is empty"
                                      : "opened read-only, but the schema needs an upgrade");
  }
  /* Only now that the file is known to be ours (or empty) may it change.
   * WAL lets readers proceed while one writer commits; a :memory: database
   * answers "memory" and stays so. The mode is stored in the file, so this
   * is a no-op for a database that is already WAL. */
  if ((rc = exec_fixed(s, "PRAGMA journal_mode = WAL", "switching to WAL"))) return rc;
  if (current) return CPOR_OK;

  if ((rc = exec_fixed(s, "BEGIN IMMEDIATE", "locking the database for the schema"))) return rc;
  /* Another process may have created or upgraded the schema between the
   * first look and the lock: look again, now that nobody else can write. */
  rc = inspect(s, &ins);
  if (rc == CPOR_OK && ins.version < CPOR__SQLITE_SCHEMA_VERSION)
    rc = migrate(s, ins.is_new ? 0 : ins.version);
  if (rc == CPOR_OK) rc = exec_fixed(s, "COMMIT", "committing the schema");
  if (rc) sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL); /* keeps s->err */
  return rc;
}
