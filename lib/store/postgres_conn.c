/* The PostgreSQL backend's connection: connecting and reconnecting, the
 * prepared statements, parameters in binary, and the mapping of server
 * errors to CPOR codes.
 *
 * Every value reaches the server as a bound binary parameter of a statement
 * prepared once per connection: no SQL text is ever built from caller
 * strings, and records (bytea) travel byte for byte. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "store/postgres_int.h"

/* Type OIDs of the parameters (pg_type.dat; fixed since PostgreSQL 7). */
#define BYTEA 17
#define INT8 20
#define INT4 23
#define TEXT 25

typedef struct statement {
  const char *sql;
  int n;
  Oid types[CPOR__PG_MAX_PARAMS];
} statement;

#define OBJECT_COLUMNS "SELECT id, owner, ref, state, revision, data FROM objects "

/* Column orders matter: postgres.c reads results by position. */
static const statement statements[CPOR__PG_COUNT] = {
    /* A read transaction sees one snapshot throughout (its cursors' pages
     * and gets agree); being read-only it never fails to serialize. */
    [CPOR__PG_BEGIN_READ] = {"BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", 0, {0}},
    /* Writers need no more than READ COMMITTED: every write that decides a
     * race is conditional (revisions) or unique (keys, events, ids). */
    [CPOR__PG_BEGIN_WRITE] = {"BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE", 0, {0}},
    [CPOR__PG_COMMIT] = {"COMMIT", 0, {0}},
    [CPOR__PG_ROLLBACK] = {"ROLLBACK", 0, {0}},
    [CPOR__PG_SAVEPOINT] = {"SAVEPOINT cpor_call", 0, {0}},
    [CPOR__PG_RELEASE] = {"RELEASE SAVEPOINT cpor_call", 0, {0}},
    [CPOR__PG_ROLLBACK_TO] = {"ROLLBACK TO SAVEPOINT cpor_call", 0, {0}},
    [CPOR__PG_OBJECT_GET] = {OBJECT_COLUMNS "WHERE kind = $1 AND id = $2", 2, {INT8, TEXT}},
    /* ON CONFLICT DO NOTHING: a duplicate is reported as no row inserted
     * instead of an error, which would abort the whole transaction. A
     * concurrent insert of the same id makes this one wait for its end. */
    [CPOR__PG_OBJECT_INSERT] =
        {"INSERT INTO objects(kind, id, owner, ref, state, revision, data) "
         "VALUES ($1, $2, $3, $4, $5, 1, $6) ON CONFLICT (kind, id) DO NOTHING",
         6,
         {INT8, TEXT, TEXT, TEXT, INT4, BYTEA}},
    /* One round trip: the updated count, and the stored revision as the
     * statement's snapshot saw it (NULL: no such object). */
    [CPOR__PG_OBJECT_UPDATE] = {"WITH u AS (UPDATE objects SET owner = $3, ref = $4, state = $5, "
                                "data = $6, revision = revision + 1 "
                                "WHERE kind = $1 AND id = $2 AND revision = $7 RETURNING 1) "
                                "SELECT (SELECT count(*) FROM u), "
                                "(SELECT revision FROM objects WHERE kind = $1 AND id = $2)",
                                7,
                                {INT8, TEXT, TEXT, TEXT, INT4, BYTEA, INT8}},
    [CPOR__PG_OBJECT_DELETE] = {"WITH d AS (DELETE FROM objects "
                                "WHERE kind = $1 AND id = $2 AND revision = $3 RETURNING 1) "
                                "SELECT (SELECT count(*) FROM d), "
                                "(SELECT revision FROM objects WHERE kind = $1 AND id = $2)",
                                3,
                                {INT8, TEXT, INT8}},
    /* Keyset pages: each page starts after the last row of the previous one,
     * through the index whose prefix the WHERE clause fixes; the last
     * parameter is the page size. */
    [CPOR__PG_PAGE_KIND] = {OBJECT_COLUMNS "WHERE kind = $1 AND id > $2 ORDER BY id LIMIT $3",
                            3,
                            {INT8, TEXT, INT8}},
    [CPOR__PG_PAGE_OWNER] = {OBJECT_COLUMNS
                             "WHERE kind = $1 AND owner = $2 AND id > $3 ORDER BY id LIMIT $4",
                             4,
                             {INT8, TEXT, TEXT, INT8}},
    [CPOR__PG_PAGE_REF] = {OBJECT_COLUMNS
                           "WHERE kind = $1 AND ref = $2 AND id > $3 ORDER BY id LIMIT $4",
                           4,
                           {INT8, TEXT, TEXT, INT8}},
    [CPOR__PG_PAGE_STATE] = {OBJECT_COLUMNS
                             "WHERE kind = $1 AND state = $2 AND id > $3 ORDER BY id LIMIT $4",
                             4,
                             {INT8, INT4, TEXT, INT8}},
    [CPOR__PG_LINES_DELETE] = {"DELETE FROM lines WHERE claim_id = $1", 1, {TEXT}},
    [CPOR__PG_LINES_INSERT] = {"INSERT INTO lines(claim_id, line, unit, partner_id, status) "
                               "VALUES ($1, $2, $3, $4, $5)",
                               5,
                               {TEXT, INT8, TEXT, TEXT, INT4}},
    [CPOR__PG_PAGE_LINES] = {"SELECT claim_id, line, partner_id, status FROM lines "
                             "WHERE unit = $1 AND (claim_id, line) > ($2, $3) "
                             "ORDER BY claim_id, line LIMIT $4",
                             4,
                             {TEXT, TEXT, INT8, INT8}},
    [CPOR__PG_KEYS_OF] = {"SELECT key FROM keys WHERE claim_id = $1", 1, {TEXT}},
    /* No row inserted: another claim holds the key (a concurrent holder that
     * has not committed yet is waited for). */
    [CPOR__PG_KEY_INSERT] = {"INSERT INTO keys(key, claim_id) VALUES ($1, $2) "
                             "ON CONFLICT (key) DO NOTHING",
                             2,
                             {TEXT, TEXT}},
    [CPOR__PG_KEY_DELETE] = {"DELETE FROM keys WHERE key = $1 AND claim_id = $2", 2, {TEXT, TEXT}},
    [CPOR__PG_KEYS_DELETE_ALL] = {"DELETE FROM keys WHERE claim_id = $1", 1, {TEXT}},
    [CPOR__PG_DEADLINE_SET] = {"INSERT INTO deadlines(claim_id, kind, due) VALUES ($1, $2, $3) "
                               "ON CONFLICT (claim_id, kind) DO UPDATE SET due = EXCLUDED.due",
                               3,
                               {TEXT, INT8, INT8}},
    [CPOR__PG_DEADLINE_CLEAR] = {"DELETE FROM deadlines WHERE claim_id = $1 AND kind = $2",
                                 2,
                                 {TEXT, INT8}},
    [CPOR__PG_PAGE_DEADLINES] = {"SELECT claim_id, due FROM deadlines "
                                 "WHERE kind = $1 AND due <= $2 AND (due, claim_id) > ($3, $4) "
                                 "ORDER BY due, claim_id LIMIT $5",
                                 5,
                                 {INT8, INT8, INT8, TEXT, INT8}},
    /* Queued (postgres_pipe.c): a duplicate is an error, reported by the
     * next statement with an answer as CPOR_ECONFLICT. */
    [CPOR__PG_EVENT_APPEND] = {"INSERT INTO events(claim_id, seq, data) VALUES ($1, $2, $3)",
                               3,
                               {TEXT, INT8, BYTEA}},
    [CPOR__PG_PAGE_EVENTS] = {"SELECT seq, data FROM events WHERE claim_id = $1 AND seq > $2 "
                              "ORDER BY seq LIMIT $3",
                              3,
                              {TEXT, INT8, INT8}},
    /* Version 4. The counter's row stays locked until the transaction ends:
     * a second writer waits here for the first to commit, so numbers become
     * visible in the order they were handed out (a reader never sees N + 1
     * before N). The core takes counters last, to keep that wait short. */
    [CPOR__PG_COUNTER_NEXT] = {"INSERT INTO counters(name, value) VALUES ($1, $2) "
                               "ON CONFLICT (name) DO UPDATE SET value = counters.value + $2 "
                               "RETURNING value",
                               2,
                               {TEXT, INT8}},
    /* The final value of a counter this transaction holds (locked). */
    [CPOR__PG_COUNTER_SET] = {"UPDATE counters SET value = $2 WHERE name = $1", 2, {TEXT, INT8}},
    [CPOR__PG_CHANGE_APPEND] = {"INSERT INTO changes(change, claim_id, seq, state) "
                                "VALUES ($1, $2, $3, $4)",
                                4,
                                {INT8, TEXT, INT8, INT4}},
    [CPOR__PG_OBJECT_LOCK] = {"SELECT 1 FROM objects WHERE kind = $1 AND id = $2 FOR UPDATE",
                              2,
                              {INT8, TEXT}},
    [CPOR__PG_PAGE_CHANGES] = {"SELECT change, claim_id, seq, state FROM changes "
                               "WHERE change > $1 ORDER BY change LIMIT $2",
                               2,
                               {INT8, INT8}},
    /* Version 4's audit cursors: keyset pages over the primary keys (keys:
     * keys_claim), each row with the claim object's id through a LEFT JOIN
     * (NULL: a row no claim holds). The first column is the page's
     * position. */
    [CPOR__PG_PAGE_KEYS_OF] = {"SELECT claim_id, key FROM keys WHERE claim_id = $1 AND key > $2 "
                               "ORDER BY key LIMIT $3",
                               3,
                               {TEXT, TEXT, INT8}},
    [CPOR__PG_PAGE_KEYS_ALL] = {"SELECT k.claim_id, k.key, o.id FROM keys k LEFT JOIN objects o "
                                "ON o.kind = 7 AND o.id = k.claim_id "
                                "WHERE (k.claim_id, k.key) > ($1, $2) "
                                "ORDER BY k.claim_id, k.key LIMIT $3",
                                3,
                                {TEXT, TEXT, INT8}},
    [CPOR__PG_PAGE_LINES_ALL] = {"SELECT l.claim_id, l.line, l.partner_id, l.status, l.unit, o.id "
                                 "FROM lines l LEFT JOIN objects o "
                                 "ON o.kind = 7 AND o.id = l.claim_id "
                                 "WHERE (l.claim_id, l.line) > ($1, $2) "
                                 "ORDER BY l.claim_id, l.line LIMIT $3",
                                 3,
                                 {TEXT, INT8, INT8}},
    [CPOR__PG_PAGE_EVENTS_ALL] = {"SELECT e.claim_id, e.seq, e.data, o.id FROM events e "
                                  "LEFT JOIN objects o ON o.kind = 7 AND o.id = e.claim_id "
                                  "WHERE (e.claim_id, e.seq) > ($1, $2) "
                                  "ORDER BY e.claim_id, e.seq LIMIT $3",
                                  3,
                                  {TEXT, INT8, INT8}},
};

/* ---- parameters and columns ------------------------------------------------------ */

void cpor__pg_text(cpor__pg_params *p, const char *text) {
  p->values[p->n] = text;
  p->lengths[p->n] = text ? (int)strlen(text) : 0;
  p->n++;
}

void cpor__pg_bytes(cpor__pg_params *p, const void *data, size_t len) {
  /* A NULL value is SQL NULL; an empty record is an empty bytea. */
  p->values[p->n] = len ? data : "";
  p->lengths[p->n] = (int)len;
  p->n++;
}

static void put_be(char *out, uint64_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; i--) {
    out[i] = (char)(v & 0xff);
    v >>= 8;
  }
}

void cpor__pg_int8(cpor__pg_params *p, int64_t v) {
  put_be(p->ints[p->n], (uint64_t)v, 8);
  p->values[p->n] = p->ints[p->n];
  p->lengths[p->n] = 8;
  p->n++;
}

void cpor__pg_int4(cpor__pg_params *p, int32_t v) {
  put_be(p->ints[p->n], (uint32_t)v, 4);
  p->values[p->n] = p->ints[p->n];
  p->lengths[p->n] = 4;
  p->n++;
}

static uint64_t get_be(const PGresult *r, int row, int col, int bytes) {
  const unsigned char *b = (const unsigned char *)PQgetvalue(r, row, col);
  if (PQgetisnull(r, row, col) || PQgetlength(r, row, col) != bytes) return 0;
  uint64_t v = 0;
  for (int i = 0; i < bytes; i++)
    v = v << 8 | b[i];
  return v;
}

int64_t cpor__pg_get_int8(const PGresult *r, int row, int col) {
  return (int64_t)get_be(r, row, col, 8);
}

int32_t cpor__pg_get_int4(const PGresult *r, int row, int col) {
  return (int32_t)(uint32_t)get_be(r, row, col, 4);
}

const char *cpor__pg_get_text(const PGresult *r, int row, int col) {
  /* libpq ends every value with a NUL, binary ones included. */
  return PQgetisnull(r, row, col) ? NULL : PQgetvalue(r, row, col);
}

/* ---- messages ---------------------------------------------------------------------- */

/* Where a keyword's value ends: a quoted conninfo value, or the first blank
 * or URL separator. */
static const char *value_end(const char *v) {
  if (*v == '\'') {
    for (v++; *v && *v != '\''; v++)
      if (*v == '\\' && v[1]) v++;
    return *v ? v + 1 : v;
  }
  while (*v && !isspace((unsigned char)*v) && *v != '&' && *v != '"')
    v++;
  return v;
}

/* The end of a URL's user information ("user:secret@"), or NULL. */
static const char *userinfo_secret(const char *p, const char **end) {
  const char *at = p + strcspn(p, "@/? \t\n\"'");
  if (*at != '@') return NULL;
  const char *colon = memchr(p, ':', (size_t)(at - p));
  if (!colon) return NULL;
  *end = at;
  return colon + 1;
}

void cpor__pg_scrub(char *out, size_t outlen, const char *msg) {
  if (!outlen) return;
  size_t o = 0;
  const char *p = msg ? msg : "";
  while (*p && o + 1 < outlen) {
    const char *skip_to = NULL;
    size_t keep = 1; /* bytes of p copied as they are */
    if (strncasecmp(p, "password", 8) == 0) {
      const char *v = p + 8;
      while (*v == ' ')
        v++;
      if (*v == '=') {
        v++;
        while (*v == ' ')
          v++;
        keep = (size_t)(v - p);
        skip_to = value_end(v);
      }
    } else if (strncmp(p, "://", 3) == 0) {
      const char *end, *secret = userinfo_secret(p + 3, &end);
      if (secret) {
        keep = (size_t)(secret - p);
        skip_to = end;
      }
    }
    for (size_t i = 0; i < keep && o + 1 < outlen; i++) {
      /* One line: libpq continues a message on indented lines ("\n\tIs the
       * server running ..."). */
      if (p[i] == '\n' || p[i] == '\t') {
        if (o > 0 && out[o - 1] != ' ') out[o++] = ' ';
      } else {
        out[o++] = p[i];
      }
    }
    p += keep;
    if (skip_to) {
      for (const char *m = "***"; *m && o + 1 < outlen; m++)
        out[o++] = *m;
      p = skip_to;
    }
  }
  /* libpq ends its messages with a newline. */
  while (o > 0 && (out[o - 1] == '\n' || out[o - 1] == ' '))
    o--;
  out[o] = '\0';
}

int cpor__pg_error(cpor__pg *s, int code, const char *msg) {
  cpor__pg_scrub(s->err, sizeof s->err, msg);
  return code;
}

static int set_err(cpor__pg *s, int code, const char *what, const char *detail) {
  char raw[2 * sizeof s->err];
  snprintf(raw, sizeof raw, "%s: %s", what, detail && *detail ? detail : "failed");
  return cpor__pg_error(s, code, raw);
}

static int connection_gone(const cpor__pg *s, const char *state) {
  if (PQstatus(s->conn) == CONNECTION_BAD) return 1;
  /* 08: connection exception; 57P01-03: the server is shutting down. */
  return state && (strncmp(state, "08", 2) == 0 || strncmp(state, "57P0", 4) == 0);
}

int cpor__pg_fail(cpor__pg *s, const PGresult *res, const char *what) {
  const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
  const char *primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
  if (connection_gone(s, state)) {
    s->lost = 1;
    s->in_tx = 0; /* the server ended the transaction with the session */
    char detail[sizeof s->err];
    snprintf(detail, sizeof detail,
             "connection to the server lost (%s); the next transaction "
             "reconnects",
             primary ? primary : PQerrorMessage(s->conn));
    return set_err(s, CPOR_ESTORAGE, what, detail);
  }
  if (!res) {
    /* libpq answers NULL only when it could not allocate the result. */
    const char *m = PQerrorMessage(s->conn);
    return set_err(s, *m ? CPOR_ESTORAGE : CPOR_ENOMEM, what, *m ? m : "out of memory");
  }
  if (!state) state = "";
  if (strcmp(state, "23505") == 0) return set_err(s, CPOR_EEXISTS, what, primary);
  if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0)
    return set_err(s, CPOR_ECONFLICT, what, primary);
  if (strcmp(state, "53200") == 0) return set_err(s, CPOR_ENOMEM, what, primary);
  if (strcmp(state, "57014") == 0) {
    char detail[128];
    snprintf(detail, sizeof detail, "statement cancelled (statement timeout %u ms exceeded)",
             (unsigned)s->statement_timeout_ms);
    return set_err(s, CPOR_ESTORAGE, what, s->statement_timeout_ms ? detail : primary);
  }
  return set_err(s, CPOR_ESTORAGE, what, primary ? primary : PQresultErrorMessage(res));
}

/* ---- statements ----------------------------------------------------------------------- */

void cpor__pg_name(cpor__pg_id id, char *out, size_t len) {
  snprintf(out, len, "cpor_%d", (int)id);
}

static int prepare_one(cpor__pg *s, cpor__pg_id id);

/* What ends a call or a transaction is prepared with the first write
 * transaction: one that has failed refuses to prepare anything but COMMIT,
 * ROLLBACK and ROLLBACK TO, and a failed call's rollback_to needs RELEASE. */
static const cpor__pg_id endings[] = {CPOR__PG_COMMIT, CPOR__PG_ROLLBACK, CPOR__PG_SAVEPOINT,
                                      CPOR__PG_RELEASE, CPOR__PG_ROLLBACK_TO};

int cpor__pg_prepare(cpor__pg *s, cpor__pg_id id) {
  int rc = prepare_one(s, id);
  for (size_t i = 0;
       rc == CPOR_OK && id == CPOR__PG_BEGIN_WRITE && i < sizeof endings / sizeof *endings; i++)
    rc = prepare_one(s, endings[i]);
  return rc;
}

static int prepare_one(cpor__pg *s, cpor__pg_id id) {
  if (s->prepared[id]) return CPOR_OK;
  char name[16];
  cpor__pg_name(id, name, sizeof name);
  const statement *st = &statements[id];
  PGresult *r = PQprepare(s->conn, name, st->sql, st->n, st->types);
  int ok = r && PQresultStatus(r) == PGRES_COMMAND_OK;
  /* 42P05: prepared already (a connection that was reset without our
   * knowing keeps nothing, so this is the same session): use it. */
  const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
  if (!ok && state && strcmp(state, "42P05") == 0) ok = 1;
  int rc = ok ? CPOR_OK : cpor__pg_fail(s, r, "prepare");
  PQclear(r);
  if (ok) s->prepared[id] = 1;
  return rc;
}

int cpor__pg_exec(cpor__pg *s, cpor__pg_id id, const cpor__pg_params *p, const char *what,
                  PGresult **res) {
  *res = NULL;
  if (s->lost) return cpor__pg_error(s, CPOR_ESTORAGE, "the connection was lost: roll back");
  if (s->nqueued) return cpor__pg_pipeline(s, id, p, what, res);
  if (id == CPOR__PG_NOTHING) return CPOR_OK;
  int rc = cpor__pg_prepare(s, id);
  if (rc) return rc;
  static const int formats[CPOR__PG_MAX_PARAMS] = {1, 1, 1, 1, 1, 1, 1, 1};
  char name[16];
  cpor__pg_name(id, name, sizeof name);
  int n = p ? p->n : 0;
  PGresult *r =
      PQexecPrepared(s->conn, name, n, p ? p->values : NULL, p ? p->lengths : NULL, formats, 1);
  ExecStatusType st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
  if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) {
    *res = r;
    return CPOR_OK;
  }
  rc = cpor__pg_fail(s, r, what);
  PQclear(r);
  return rc;
}

int cpor__pg_run(cpor__pg *s, cpor__pg_id id, const cpor__pg_params *p, const char *what) {
  PGresult *r;
  int rc = cpor__pg_exec(s, id, p, what, &r);
  PQclear(r);
  return rc;
}

void cpor__pg_forget_prepared(cpor__pg *s) {
  memset(s->prepared, 0, sizeof s->prepared);
}

/* ---- connecting ------------------------------------------------------------------------ */

/* A library does not print: the server's notices (warnings about the
 * session, not failures) are dropped instead of going to stderr. */
static void ignore_notice(void *arg, const char *msg) {
  (void)arg;
  (void)msg;
}

/* The per-session settings, again after every reconnect. */
static int session_setup(cpor__pg *s) {
  char ms[16];
  snprintf(ms, sizeof ms, "%u", (unsigned)s->statement_timeout_ms);
  const char *values[1] = {ms};
  PGresult *r = PQexecParams(s->conn, "SELECT set_config('statement_timeout', $1, false)", 1, NULL,
                             values, NULL, NULL, 0);
  int rc = r && PQresultStatus(r) == PGRES_TUPLES_OK
               ? CPOR_OK
               : cpor__pg_fail(s, r, "configuring the session");
  PQclear(r);
  return rc;
}

static int looks_like_conninfo(const char *c) {
  return strchr(c, '=') || strncmp(c, "postgresql://", 13) == 0 ||
         strncmp(c, "postgres://", 11) == 0;
}

int cpor__pg_connect(cpor__pg *s, const char *conninfo, const cpor_postgres_options *o) {
  if (looks_like_conninfo(conninfo)) {
    /* A syntax error is the caller's, not the server's: say so before
     * trying to connect. */
    char *msg = NULL;
    PQconninfoOption *parsed = PQconninfoParse(conninfo, &msg);
    if (!parsed) {
      int rc = set_err(s, msg ? CPOR_EINVAL : CPOR_ENOMEM, "malformed URL or conninfo",
                       msg ? msg : "out of memory");
      PQfreemem(msg);
      return rc;
    }
    PQconninfoFree(parsed);
  }
  /* Keywords before dbname are defaults the conninfo may override; those
   * after it are the options, which win. */
  const char *keys[8], *values[8];
  int n = 0;
  char timeout[16];
  uint32_t ms = o->connect_timeout_ms ? o->connect_timeout_ms : 10000;
  snprintf(timeout, sizeof timeout, "%u", (unsigned)((ms + 999) / 1000));
  if (!o->connect_timeout_ms) keys[n] = "connect_timeout", values[n++] = timeout;
  keys[n] = "dbname", values[n++] = conninfo;
  keys[n] = "fallback_application_name", values[n++] = "libcpor";
  if (o->connect_timeout_ms) keys[n] = "connect_timeout", values[n++] = timeout;
  if (o->application_name) keys[n] = "application_name", values[n++] = o->application_name;
  /* Text travels as the bytes the caller gave: UTF-8 both ways. */
  keys[n] = "client_encoding", values[n++] = "UTF8";
  keys[n] = NULL, values[n] = NULL;
  s->conn = PQconnectdbParams(keys, values, 1);
  if (!s->conn) return cpor__pg_error(s, CPOR_ENOMEM, "out of memory");
  PQsetNoticeProcessor(s->conn, ignore_notice, NULL); /* kept across PQreset */
  if (PQstatus(s->conn) != CONNECTION_OK)
    return set_err(s, CPOR_ESTORAGE, "cannot connect", PQerrorMessage(s->conn));
  /* INSERT ... ON CONFLICT arrived in 9.5. */
  if (PQserverVersion(s->conn) < 90500)
    return cpor__pg_error(s, CPOR_ENOTSUP, "PostgreSQL 9.5 or later is required");
  return session_setup(s);
}

int cpor__pg_reconnect(cpor__pg *s) {
  PQreset(s->conn); /* also ends pipeline mode */
  cpor__pg_queue_drop(s);
  cpor__pg_forget_prepared(s);
  s->in_tx = 0;
  if (PQstatus(s->conn) != CONNECTION_OK)
    return set_err(s, CPOR_ESTORAGE, "reconnecting", PQerrorMessage(s->conn));
  int rc = session_setup(s);
  if (rc == CPOR_OK) s->lost = 0;
  return rc;
}
