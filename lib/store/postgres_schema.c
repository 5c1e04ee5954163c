/* The PostgreSQL backend's schema: recognizing a libcpor schema, and creating
 * or upgrading its tables.
 *
 * Opening never writes to a schema before it is known to be ours: a schema
 * holding another application's tables, or a newer libcpor schema, is
 * refused by reads alone and left as it was. The tables live in the first
 * schema of the search_path (current_schema()), so one database can hold
 * several stores, one per schema. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/postgres_int.h"

/* Text columns sort bytewise (COLLATE "C"): the vtable orders ids, claim IDs
 * and keys by their bytes, whatever the database's locale. */
#define ID "text COLLATE \"C\""

/* The claims view's columns of schema 2, kept by schema 3 (which appends). */
#define CLAIMS_VIEW_COLUMNS                                                                        \
  "  o.id AS id, o.owner AS partner_id, d->>'mpn_id' AS mpn_id, o.ref AS tenant_id,"               \
  "  d->>'domain' AS domain, d->>'name' AS name, d->>'area' AS area,"                              \
  "  d->>'activity' AS activity, d->>'state' AS state, d->>'reason' AS reason,"                    \
  "  (d->'contested')::boolean AS contested, (d->'final')::boolean AS final,"                      \
  "  (d->>'disputes')::bigint AS disputes, (d->>'created_at')::bigint AS created_at,"              \
  "  (d->>'updated_at')::bigint AS updated_at,"                                                    \
  "  (d->>'window_closes_at')::bigint AS window_closes_at,"                                        \
  "  (d->>'sla_due_at')::bigint AS sla_due_at,"

/* Forward migrations: migrations[v] takes a schema from version v to v + 1.
 * They run in order inside one transaction (PostgreSQL's DDL is
 * transactional), under the advisory lock. Append a step for each schema
 * change; never edit a step that has shipped. */
static const char *const migrations[] = {
    /* 0 -> 1: the first schema. Every cursor query has its index: the
     * primary key or one of the others, with the cursor's order as the
     * index's trailing columns. */
    "CREATE TABLE meta ("
    "  key text PRIMARY KEY,"
    "  value text NOT NULL"
    ");"
    "INSERT INTO meta(key, value) VALUES ('" CPOR__PG_MARKER_KEY "', '" CPOR__PG_MARKER_VALUE "'),"
    "  ('" CPOR__PG_VERSION_KEY "', '0');"
    "CREATE TABLE objects ("
    "  kind bigint NOT NULL,"
    "  id " ID " NOT NULL,"
    "  owner " ID ","
    "  ref " ID ","
    "  state integer NOT NULL DEFAULT 0,"
    "  revision bigint NOT NULL,"
    "  data bytea NOT NULL,"
    "  PRIMARY KEY (kind, id)"
    ");"
    "CREATE INDEX objects_owner ON objects(kind, owner, id);"
    "CREATE INDEX objects_ref ON objects(kind, ref, id);"
    "CREATE INDEX objects_state ON objects(kind, state, id);"
    "CREATE TABLE lines ("
    "  claim_id " ID " NOT NULL,"
    "  line bigint NOT NULL,"
    "  unit " ID " NOT NULL,"
    "  partner_id " ID ","
    "  status integer NOT NULL,"
    "  PRIMARY KEY (claim_id, line)"
    ");"
    "CREATE INDEX lines_unit ON lines(unit, claim_id, line);"
    /* The exclusive keys: the primary key is what makes them exclusive
     * across every host. */
    "CREATE TABLE keys ("
    "  key " ID " PRIMARY KEY,"
    "  claim_id " ID " NOT NULL"
    ");"
    "CREATE INDEX keys_claim ON keys(claim_id, key);"
    "CREATE TABLE deadlines ("
    "  claim_id " ID " NOT NULL,"
    "  kind bigint NOT NULL,"
    "  due bigint NOT NULL,"
    "  PRIMARY KEY (claim_id, kind)"
    ");"
    "CREATE INDEX deadlines_due ON deadlines(kind, due, claim_id);"
    "CREATE TABLE events ("
    "  claim_id " ID " NOT NULL,"
    "  seq bigint NOT NULL,"
    "  data bytea NOT NULL,"
    "  PRIMARY KEY (claim_id, seq)"
    ");",
    /* 1 -> 2: the read-only views of README "Reading the database with
     * SQL", with the SQLite backend's names and columns. */
    "CREATE VIEW claims AS SELECT" CLAIMS_VIEW_COLUMNS
    "  jsonb_array_length(d->'lines') AS line_count, o.revision AS revision"
    "  FROM (SELECT *, convert_from(data, 'UTF8')::jsonb AS d FROM objects WHERE kind = 7) o;"
    "CREATE VIEW claim_lines AS SELECT"
    "  o.id AS claim_id, l.n - 1 AS line, l.v->>'workload' AS workload,"
    "  l.v->>'subscription' AS subscription_id, l.v->>'state' AS state,"
    "  l.v->>'reason' AS reason"
    "  FROM objects o, jsonb_array_elements(convert_from(o.data, 'UTF8')::jsonb->'lines')"
    "  WITH ORDINALITY AS l(v, n) WHERE o.kind = 7;"
    "CREATE VIEW claim_events AS SELECT"
    "  e.claim_id AS claim_id, e.seq AS seq, (d->>'at')::bigint AS at, d->>'kind' AS kind,"
    "  d->>'state' AS state, d->'actor'->>'role' AS actor_role,"
    "  d->'actor'->>'org' AS actor_org, d->'actor'->>'user' AS actor_user,"
    "  d->>'text' AS text, (d->'payload')::text AS payload"
    "  FROM (SELECT claim_id, seq, convert_from(data, 'UTF8')::jsonb AS d FROM events) e;"
    "CREATE VIEW partners AS SELECT id, convert_from(data, 'UTF8')::jsonb->>'name' AS name"
    "  FROM objects WHERE kind = 1;"
    "CREATE VIEW locations AS SELECT id AS mpn_id, owner AS partner_id,"
    "  convert_from(data, 'UTF8')::jsonb->>'name' AS name,"
    "  (convert_from(data, 'UTF8')::jsonb->'programs')::text AS programs"
    "  FROM objects WHERE kind = 2;"
    "CREATE VIEW customers AS SELECT id, convert_from(data, 'UTF8')::jsonb->>'name' AS name"
    "  FROM objects WHERE kind = 3;"
    "CREATE VIEW tenants AS SELECT id, owner AS customer_id,"
    "  (convert_from(data, 'UTF8')::jsonb->'domains')::text AS domains"
    "  FROM objects WHERE kind = 4;"
    "CREATE VIEW subscriptions AS SELECT id, owner AS tenant_id,"
    "  convert_from(data, 'UTF8')::jsonb->>'workload' AS workload,"
    "  convert_from(data, 'UTF8')::jsonb->>'channel' AS channel,"
    "  convert_from(data, 'UTF8')::jsonb->>'state' AS state FROM objects WHERE kind = 5;",
    /* 2 -> 3: store-wide counters and the change feed (vtable version 4);
     * the outbox view; the claims view gains the integration keys (appended
     * columns: CREATE OR REPLACE keeps the others as they were). */
    "CREATE TABLE counters ("
    "  name " ID " PRIMARY KEY,"
    "  value bigint NOT NULL"
    ");"
    "CREATE TABLE changes ("
    "  change bigint PRIMARY KEY,"
    "  claim_id " ID " NOT NULL,"
    "  seq bigint NOT NULL,"
    "  state integer NOT NULL"
    ");"
    "CREATE OR REPLACE VIEW claims AS SELECT" CLAIMS_VIEW_COLUMNS
    "  jsonb_array_length(d->'lines') AS line_count, o.revision AS revision,"
    "  d->>'external_ref' AS external_ref, d->>'idempotency_key' AS idempotency_key"
    "  FROM (SELECT *, convert_from(data, 'UTF8')::jsonb AS d FROM objects WHERE kind = 7) o;"
    "CREATE VIEW outbox AS SELECT"
    "  id::bigint AS id, d->>'kind' AS kind, d->'recipient'->>'role' AS recipient_role,"
    "  d->'recipient'->>'org' AS recipient_org, ref AS claim_id,"
    "  (d->>'seq')::bigint AS event_seq, (d->>'created_at')::bigint AS created_at,"
    "  (d->>'lease_until')::bigint AS lease_until, (d->>'deliveries')::bigint AS deliveries,"
    "  (d->'payload')::text AS payload"
    "  FROM (SELECT *, convert_from(data, 'UTF8')::jsonb AS d FROM objects WHERE kind = 9) o;",
    /* 3 -> 4: a message whose record refers to its event's payload (message
     * record version 2) shows the event's payload. Same columns: CREATE OR
     * REPLACE keeps the view's grants. */
    "CREATE OR REPLACE VIEW outbox AS SELECT"
    "  id::bigint AS id, d->>'kind' AS kind, d->'recipient'->>'role' AS recipient_role,"
    "  d->'recipient'->>'org' AS recipient_org, ref AS claim_id,"
    "  (d->>'seq')::bigint AS event_seq, (d->>'created_at')::bigint AS created_at,"
    "  (d->>'lease_until')::bigint AS lease_until, (d->>'deliveries')::bigint AS deliveries,"
    "  coalesce(d->'payload',"
    "    (SELECT coalesce(convert_from(e.data, 'UTF8')::jsonb->'payload', '{}'::jsonb)"
    "     FROM events e WHERE e.claim_id = o.ref AND e.seq = (d->>'seq')::bigint))::text"
    "    AS payload"
    "  FROM (SELECT *, convert_from(data, 'UTF8')::jsonb AS d FROM objects WHERE kind = 9) o;",
};

_Static_assert(sizeof migrations / sizeof migrations[0] == CPOR__PG_SCHEMA_VERSION,
               "one migration step per schema version");

typedef struct inspection {
  int is_new;  /* the schema holds nothing */
  int version; /* meta 'schema_version' */
} inspection;

/* Runs a fixed query (text results); CPOR_OK with *res when it succeeded. */
static int query(cpor__pg *s, const char *sql, int n, const char *const *values, const char *what,
                 PGresult **res) {
  *res = PQexecParams(s->conn, sql, n, NULL, values, NULL, NULL, 0);
  ExecStatusType st = *res ? PQresultStatus(*res) : PGRES_FATAL_ERROR;
  if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK) return CPOR_OK;
  int rc = cpor__pg_fail(s, *res, what);
  PQclear(*res);
  *res = NULL;
  return rc;
}

/* The value of a meta row, or NULL (the caller frees it). *rc is set on a
 * failure; a meta table that is not libcpor's (other columns) is an answer,
 * not a failure. */
static char *meta_value(cpor__pg *s, const char *key, int *rc) {
  const char *values[1] = {key};
  PGresult *r = PQexecParams(s->conn, "SELECT value::text FROM meta WHERE key::text = $1", 1, NULL,
                             values, NULL, NULL, 0);
  char *out = NULL;
  *rc = CPOR_OK;
  if (r && PQresultStatus(r) == PGRES_TUPLES_OK) {
    if (PQntuples(r) == 1 && !PQgetisnull(r, 0, 0)) out = strdup(PQgetvalue(r, 0, 0));
    if (PQntuples(r) == 1 && !out) *rc = cpor__pg_error(s, CPOR_ENOMEM, "out of memory");
  } else {
    const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    /* 42703 undefined column, 42883 no such operator: another meta. */
    if (!(state && (strcmp(state, "42703") == 0 || strcmp(state, "42883") == 0)))
      *rc = cpor__pg_fail(s, r, "reading the meta table");
  }
  PQclear(r);
  return out;
}

static int not_ours(cpor__pg *s, const char *schema, const char *why) {
  char msg[384];
  snprintf(msg, sizeof msg, "not a libcpor database (schema \"%s\" %s)", schema, why);
  return cpor__pg_error(s, CPOR_ECORRUPT, msg);
}

/* Reads what the schema holds, without writing. CPOR_OK with *ins filled
 * when it is empty or a libcpor schema this library can use. */
static int inspect(cpor__pg *s, inspection *ins) {
  memset(ins, 0, sizeof *ins);
  PGresult *r;
  int rc = query(s,
                 "SELECT current_schema(), "
                 "(SELECT count(*) FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n "
                 "   ON n.oid = c.relnamespace WHERE n.nspname = current_schema() "
                 "   AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')), "
                 "(SELECT count(*) FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n "
                 "   ON n.oid = c.relnamespace WHERE n.nspname = current_schema() "
                 "   AND c.relname = 'meta' AND c.relkind IN ('r', 'p', 'v'))",
                 0, NULL, "reading the database's tables", &r);
  if (rc) return rc;
  if (PQgetisnull(r, 0, 0)) {
    PQclear(r);
    return cpor__pg_error(s, CPOR_ESTORAGE,
                          "no schema to use: the search_path names no schema that exists");
  }
  char schema[128];
  snprintf(schema, sizeof schema, "%s", PQgetvalue(r, 0, 0));
  long relations = atol(PQgetvalue(r, 0, 1));
  int has_meta = atol(PQgetvalue(r, 0, 2)) > 0;
  PQclear(r);
  if (relations == 0) {
    ins->is_new = 1;
    return CPOR_OK;
  }
  if (!has_meta) return not_ours(s, schema, "holds tables of another application");
  char *marker = meta_value(s, CPOR__PG_MARKER_KEY, &rc);
  int marked = marker && strcmp(marker, CPOR__PG_MARKER_VALUE) == 0;
  free(marker);
  if (rc) return rc;
  if (!marked) return not_ours(s, schema, "has a meta table without the libcpor marker");
  char *version = meta_value(s, CPOR__PG_VERSION_KEY, &rc);
  if (rc) return rc;
  char *end = NULL;
  long v = version ? strtol(version, &end, 10) : -1;
  int valid = version && *version && *end == '\0' && v >= 1 && v < 1000000;
  free(version);
  if (!valid) return not_ours(s, schema, "has no valid libcpor schema version");
  ins->version = (int)v;
  if (ins->version > CPOR__PG_SCHEMA_VERSION) {
    snprintf(s->err, sizeof s->err,
             "libcpor schema version %d is newer than this library's (%d): upgrade libcpor",
             ins->version, CPOR__PG_SCHEMA_VERSION);
    return CPOR_EVERSION;
  }
  return CPOR_OK;
}

/* Applies the missing steps inside the caller's transaction. */
static int migrate(cpor__pg *s, int from) {
  PGresult *r;
  for (int v = from; v < CPOR__PG_SCHEMA_VERSION; v++) {
    /* A fixed multi-statement text without parameters: the simple query
     * protocol (PQexec) runs it in the open transaction. */
    r = PQexec(s->conn, migrations[v]);
    int ok = r && PQresultStatus(r) == PGRES_COMMAND_OK;
    int rc = ok ? CPOR_OK : cpor__pg_fail(s, r, "creating the schema");
    PQclear(r);
    if (rc) return rc;
  }
  char version[16];
  snprintf(version, sizeof version, "%d", CPOR__PG_SCHEMA_VERSION);
  const char *values[2] = {version, CPOR__PG_VERSION_KEY};
  int rc = query(s, "UPDATE meta SET value = $1 WHERE key = $2", 2, values,
                 "setting the schema version", &r);
  PQclear(r);
  return rc;
}

static int run_fixed(cpor__pg *s, const char *sql, const char *what) {
  PGresult *r;
  int rc = query(s, sql, 0, NULL, what, &r);
  PQclear(r);
  return rc;
}

int cpor__pg_schema_open(cpor__pg *s) {
  inspection ins;
  int rc = inspect(s, &ins);
  if (rc) return rc;
  if (!ins.is_new && ins.version == CPOR__PG_SCHEMA_VERSION) return CPOR_OK;

  if ((rc = run_fixed(s, "BEGIN", "beginning the schema transaction"))) return rc;
  /* Two hosts opening an empty database at once: the second waits here,
   * then finds the schema the first one made. */
  char key[24];
  snprintf(key, sizeof key, "%d", CPOR__PG_MIGRATION_LOCK);
  const char *values[1] = {key};
  PGresult *r;
  rc = query(s, "SELECT pg_advisory_xact_lock($1::bigint)", 1, values,
             "locking the schema for the migration", &r);
  PQclear(r);
  if (rc == CPOR_OK) rc = inspect(s, &ins);
  if (rc == CPOR_OK && (ins.is_new || ins.version < CPOR__PG_SCHEMA_VERSION))
    rc = migrate(s, ins.is_new ? 0 : ins.version);
  if (rc == CPOR_OK) rc = run_fixed(s, "COMMIT", "committing the schema");
  if (rc) {
    /* keeps s->err: the first failure is the one to report */
    PQclear(PQexec(s->conn, "ROLLBACK"));
  }
  return rc;
}
