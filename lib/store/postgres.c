/* The PostgreSQL storage backend: one store shared by many hosts, written
 * only against include/cpor/sys/storage.h like the SQLite one.
 *
 * What it relies on from PostgreSQL, and why:
 *  - Races are decided by the database, never by a lock in this process:
 *    updates and deletes name the revision they read (UPDATE ... WHERE
 *    revision = $n), and inserts of objects, events and exclusive keys are
 *    INSERT ... ON CONFLICT DO NOTHING on their primary keys. A duplicate
 *    is "no row inserted" rather than an error, so the transaction goes on
 *    as the vtable promises (an error would abort it in PostgreSQL).
 *  - Write transactions are READ COMMITTED: a conditional update that waits
 *    for a concurrent writer of the same row re-reads it when that one
 *    commits and finds the revision moved (CPOR_ECONFLICT). Read
 *    transactions are REPEATABLE READ READ ONLY: one snapshot throughout.
 *  - Cursors read keyset pages (16 rows, then 64, then 256 per round trip, each page
 *    starting after the last row of the previous one through an index), so
 *    several cursors can be open on one connection and a row costs the same
 *    at any store size. The deadline cursor reads plainly (no FOR UPDATE
 *    SKIP LOCKED): the query promises every due row, and the core's
 *    conditional updates decide which host settles a claim.
 *  - A lost connection fails the call with CPOR_ESTORAGE; rollback then
 *    succeeds, and the next begin reconnects (a server restarted between
 *    transactions is not even seen: begin retries once on a new
 *    connection). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/postgres_int.h"
#include "struct_version.h"

static int valid_id(const char *id) {
  if (!id) return 0;
  size_t n = strnlen(id, 256);
  return n >= 1 && n <= 255;
}

static int writing(cpor__pg *s, const char *what) {
  if (s->in_tx == 2) return CPOR_OK;
  char msg[96];
  snprintf(msg, sizeof msg, "%s: no write transaction is open", what);
  return cpor__pg_error(s, CPOR_ESTORAGE, msg);
}

static void drop_got(cpor__pg *s) {
  PQclear(s->got);
  s->got = NULL;
}

/* The number of rows a statement changed. */
static long changed(const PGresult *r) {
  return atol(PQcmdTuples((PGresult *)r));
}

/* ---- transactions ----------------------------------------------------------------- */

static int m_begin(void *self, int write) {
  cpor__pg *s = self;
  if (s->in_tx) return cpor__pg_error(s, CPOR_ESTORAGE, "begin: a transaction is already open");
  drop_got(s);
  if (s->lost || PQstatus(s->conn) != CONNECTION_OK) {
    int rc = cpor__pg_reconnect(s);
    if (rc) return rc;
  }
  cpor__counters_forget(&s->counters);
  cpor__pg_queue_drop(s);
  cpor__pg_written_clear(s);
  cpor__pg_id id = write ? CPOR__PG_BEGIN_WRITE : CPOR__PG_BEGIN_READ;
  int rc = cpor__pg_run(s, id, NULL, "begin");
  /* The server went away since the last call (a restart, an idle timeout):
   * nothing of this transaction has happened yet, so one retry on a new
   * connection is safe. */
  if (rc == CPOR_ESTORAGE && s->lost && cpor__pg_reconnect(s) == CPOR_OK)
    rc = cpor__pg_run(s, id, NULL, "begin");
  if (rc == CPOR_OK) s->in_tx = write ? 2 : 1;
  return rc;
}

static int m_commit(void *self) {
  cpor__pg *s = self;
  drop_got(s);
  if (!s->in_tx) return cpor__pg_error(s, CPOR_ESTORAGE, "commit: no transaction is open");
  int rc = cpor__pg_counters_flush(s);
  cpor__counters_forget(&s->counters);
  cpor__pg_written_clear(s);
  if (rc) return rc; /* the transaction stays open: the core rolls it back */
  PGresult *r;
  rc = cpor__pg_exec(s, CPOR__PG_COMMIT, NULL, "commit", &r);
  /* A COMMIT ends the transaction whatever it answers; one that did not run
   * (a queued write before it failed) leaves it to the core's rollback. */
  if (rc && s->final_aborted) return rc;
  s->in_tx = 0;
  /* COMMIT of a transaction that failed earlier rolls it back, and says so
   * only in its command tag. */
  if (rc == CPOR_OK && strcmp(PQcmdStatus(r), "COMMIT") != 0)
    rc = cpor__pg_error(s, CPOR_ESTORAGE,
                        "commit: a statement of the transaction had failed; it was rolled back");
  if (rc == CPOR_ESTORAGE && s->lost)
    cpor__pg_error(s, CPOR_ESTORAGE,
                   "commit: connection to the server lost; whether the transaction committed is "
                   "unknown");
  PQclear(r);
  return rc;
}

static int m_rollback(void *self) {
  cpor__pg *s = self;
  drop_got(s);
  int was = s->in_tx;
  s->in_tx = 0;
  cpor__counters_forget(&s->counters);
  cpor__pg_queue_drop(s); /* never sent */
  cpor__pg_written_clear(s);
  /* A lost connection took the transaction with it. */
  if (!was || s->lost || PQtransactionStatus(s->conn) == PQTRANS_IDLE) return CPOR_OK;
  int rc = cpor__pg_run(s, CPOR__PG_ROLLBACK, NULL, "rollback");
  return s->lost ? CPOR_OK : rc;
}

/* The SAVEPOINT waits in the queue for the call's first statement with an
 * answer: a call that only reads never sends it, and one that fails before
 * it was sent is undone by forgetting the queue. */
static int m_savepoint(void *self) {
  cpor__pg *s = self;
  int rc = writing(s, "savepoint");
  if (rc) return rc;
  if ((rc = cpor__pg_queue(s, CPOR__PG_SAVEPOINT, NULL, "savepoint"))) return rc;
  s->sp_pending = 1;
  s->sp_at = s->nqueued - 1; /* a full queue was sent before it */
  s->sp_qlen = s->qlen;      /* it has no parameters */
  cpor__counters_savepoint(&s->counters);
  return CPOR_OK;
}

/* Forgets the SAVEPOINT still in the queue and what was queued after it. */
static void unqueue_savepoint(cpor__pg *s) {
  s->nqueued = s->sp_at;
  s->qlen = s->sp_qlen;
  s->sp_pending = 0;
}

/* Sends what the call queued with the RELEASE: a call returns only once its
 * writes are confirmed. */
static int m_release(void *self) {
  cpor__pg *s = self;
  int rc = writing(s, "release");
  if (rc) return rc;
  if (s->sp_pending && s->nqueued == s->sp_at + 1)
    unqueue_savepoint(s); /* nothing written: nothing to send */
  else
    rc = cpor__pg_run(s, CPOR__PG_RELEASE, NULL, "release");
  if (!rc) cpor__counters_release(&s->counters);
  return rc;
}

/* ROLLBACK TO keeps the savepoint: RELEASE ends it, as the vtable's
 * rollback_to does. This also clears a failed statement's abort state. */
static int m_rollback_to(void *self) {
  cpor__pg *s = self;
  int rc = writing(s, "rollback_to");
  if (rc) return rc;
  cpor__counters_rollback_to(&s->counters);
  cpor__pg_written_clear(s);
  if (s->sp_pending) { /* nothing since the savepoint reached the server */
    unqueue_savepoint(s);
    return CPOR_OK;
  }
  cpor__pg_queue_drop(s); /* what the call queued since, never sent */
  rc = cpor__pg_queue(s, CPOR__PG_ROLLBACK_TO, NULL, "rollback_to");
  return rc ? rc : cpor__pg_run(s, CPOR__PG_RELEASE, NULL, "rollback_to");
}

/* ---- objects ------------------------------------------------------------------------- */

/* A row of OBJECT_COLUMNS: id, owner, ref, state, revision, data. */
static void read_object(const PGresult *r, int row, uint32_t kind, cpor_store_object *o) {
  o->kind = kind;
  o->id = cpor__pg_get_text(r, row, 0);
  o->owner = cpor__pg_get_text(r, row, 1);
  o->ref = cpor__pg_get_text(r, row, 2);
  o->state = cpor__pg_get_int4(r, row, 3);
  o->revision = (uint64_t)cpor__pg_get_int8(r, row, 4);
  o->data = PQgetvalue(r, row, 5);
  o->len = (size_t)PQgetlength(r, row, 5);
}

static int m_object_get(void *self, uint32_t kind, const char *id, cpor_store_object *out) {
  cpor__pg *s = self;
  if (!valid_id(id) || !out) return cpor__pg_error(s, CPOR_EINVAL, "object_get: bad argument");
  drop_got(s);
  if (cpor__pg_written_get(s, kind, id, out)) return CPOR_OK;
  cpor__pg_params p = {0};
  cpor__pg_int8(&p, kind);
  cpor__pg_text(&p, id);
  PGresult *r;
  int rc = cpor__pg_exec(s, CPOR__PG_OBJECT_GET, &p, "object_get", &r);
  if (rc) return rc;
  if (PQntuples(r) == 0) {
    PQclear(r);
    return cpor__pg_error(s, CPOR_ENOTFOUND, "object_get: no such object");
  }
  read_object(r, 0, kind, out);
  s->got = r; /* the pointers in *out point into it */
  return CPOR_OK;
}

/* After a conditional UPDATE or DELETE: row 0 holds the rows changed and the
 * revision stored before the statement (NULL: no such object). */
static int conditional_result(cpor__pg *s, const PGresult *r, uint64_t read, const char *what) {
  if (cpor__pg_get_int8(r, 0, 0) == 1) return CPOR_OK;
  char msg[160];
  if (PQgetisnull(r, 0, 1)) {
    snprintf(msg, sizeof msg, "%s: no such object", what);
    return cpor__pg_error(s, CPOR_ENOTFOUND, msg);
  }
  snprintf(msg, sizeof msg,
           "%s: the object changed since it was read (revision %llu read, %llu "
           "stored)",
           what, (unsigned long long)read, (unsigned long long)cpor__pg_get_int8(r, 0, 1));
  return cpor__pg_error(s, CPOR_ECONFLICT, msg);
}

static int m_object_put(void *self, const cpor_store_object *obj, uint32_t mode) {
  cpor__pg *s = self;
  if (!obj || !valid_id(obj->id) ||
      (mode != CPOR_STORE_INSERT && mode != CPOR_STORE_UPDATE && mode != CPOR_STORE_DELETE))
    return cpor__pg_error(s, CPOR_EINVAL, "object_put: bad argument");
  /* DELETE ignores the record. */
  if (mode != CPOR_STORE_DELETE && ((!obj->data && obj->len) || obj->len > INT32_MAX))
    return cpor__pg_error(s, CPOR_EINVAL, "object_put: bad record");
  const char *what = mode == CPOR_STORE_INSERT   ? "object insert"
                     : mode == CPOR_STORE_UPDATE ? "object update"
                                                 : "object delete";
  int rc = writing(s, what);
  if (rc) return rc;
  drop_got(s);
  cpor__pg_params p = {0};
  cpor__pg_int8(&p, obj->kind);
  cpor__pg_text(&p, obj->id);
  cpor__pg_id id = CPOR__PG_OBJECT_DELETE;
  if (mode != CPOR_STORE_DELETE) {
    cpor__pg_text(&p, obj->owner);
    cpor__pg_text(&p, obj->ref);
    cpor__pg_int4(&p, obj->state);
    cpor__pg_bytes(&p, obj->data, obj->len);
    id = mode == CPOR_STORE_INSERT ? CPOR__PG_OBJECT_INSERT : CPOR__PG_OBJECT_UPDATE;
  }
  if (mode != CPOR_STORE_INSERT) cpor__pg_int8(&p, (int64_t)obj->revision);
  PGresult *r;
  if ((rc = cpor__pg_exec(s, id, &p, what, &r)) == CPOR_OK) {
    if (mode == CPOR_STORE_INSERT) {
      if (changed(r) != 1) rc = cpor__pg_error(s, CPOR_EEXISTS, "object insert: the id exists");
    } else {
      rc = conditional_result(s, r, obj->revision, what);
    }
    PQclear(r);
  }
  /* A row written here stays locked until the transaction ends: its copy is
   * what a read would answer (postgres_cache.c). */
  if (rc == CPOR_OK && mode != CPOR_STORE_DELETE)
    rc = cpor__pg_written_keep(s, obj, mode == CPOR_STORE_INSERT ? 1 : obj->revision + 1);
  else
    cpor__pg_written_forget(s, obj->kind, obj->id);
  return rc;
}

/* ---- lines and keys -------------------------------------------------------------------- */

static int m_lines_replace(void *self, const char *claim_id, const cpor_store_line *lines,
                           size_t count) {
  cpor__pg *s = self;
  if (!valid_id(claim_id) || (count && !lines))
    return cpor__pg_error(s, CPOR_EINVAL, "lines_replace: bad argument");
  for (size_t i = 0; i < count; i++) {
    if (!lines[i].claim_id || strcmp(lines[i].claim_id, claim_id) != 0 || !valid_id(lines[i].unit))
      return cpor__pg_error(s, CPOR_EINVAL, "lines_replace: a row names another claim or no unit");
  }
  int rc = writing(s, "lines_replace");
  if (rc) return rc;
  /* No unique index but the primary key (whose line numbers the core keeps
   * distinct), and the claim's object row is locked by this transaction's
   * update of it: nothing here can race, so delete and insert suffice, and
   * they wait in the queue (postgres_pipe.c). */
  cpor__pg_params p = {0};
  cpor__pg_text(&p, claim_id);
  rc = cpor__pg_queue(s, CPOR__PG_LINES_DELETE, &p, "lines_replace");
  for (size_t i = 0; rc == CPOR_OK && i < count; i++) {
    cpor__pg_params q = {0};
    cpor__pg_text(&q, claim_id);
    cpor__pg_int8(&q, lines[i].line);
    cpor__pg_text(&q, lines[i].unit);
    cpor__pg_text(&q, lines[i].partner_id);
    cpor__pg_int4(&q, lines[i].status);
    rc = cpor__pg_queue(s, CPOR__PG_LINES_INSERT, &q, "lines_replace");
  }
  return rc;
}

static int key_statement(cpor__pg *s, cpor__pg_id id, const char *key, const char *claim_id,
                         long *rows) {
  cpor__pg_params p = {0};
  cpor__pg_text(&p, key);
  cpor__pg_text(&p, claim_id);
  PGresult *r;
  int rc = cpor__pg_exec(s, id, &p, "keys_replace", &r);
  if (rc == CPOR_OK && rows) *rows = changed(r);
  PQclear(r);
  return rc;
}

static int key_in(const char *key, const char *const *keys, size_t count) {
  for (size_t i = 0; i < count; i++)
    if (strcmp(keys[i], key) == 0) return 1;
  return 0;
}

static int held(const PGresult *cur, const char *key) {
  for (int i = 0; i < PQntuples(cur); i++)
    if (strcmp(PQgetvalue(cur, i, 0), key) == 0) return 1;
  return 0;
}

static int by_bytes(const void *a, const void *b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Inserts add[0..n) (the keys claim_id lacks) in bytewise order: two claims
 * wanting the same keys then wait for each other in one order instead of
 * deadlocking. On the first key another claim holds, removes the ones this
 * call inserted, so the claim's keys are as before. */
static int keys_add(cpor__pg *s, const char *claim_id, const char **add, size_t n) {
  if (n > 1) qsort(add, n, sizeof *add, by_bytes);
  for (size_t i = 0; i < n; i++) {
    long rows = 0;
    int rc = key_statement(s, CPOR__PG_KEY_INSERT, add[i], claim_id, &rows);
    if (rc) return rc;
    if (rows == 1) continue;
    char msg[sizeof s->err];
    snprintf(msg, sizeof msg, "keys_replace: key \"%s\" is held by another claim", add[i]);
    for (size_t j = 0; j < i; j++)
      if ((rc = key_statement(s, CPOR__PG_KEY_DELETE, add[j], claim_id, NULL))) return rc;
    return cpor__pg_error(s, CPOR_EEXISTS, msg);
  }
  return CPOR_OK;
}

static int m_keys_replace(void *self, const char *claim_id, const char *const *keys, size_t count) {
  cpor__pg *s = self;
  if (!valid_id(claim_id) || (count && !keys))
    return cpor__pg_error(s, CPOR_EINVAL, "keys_replace: bad argument");
  for (size_t i = 0; i < count; i++)
    if (!valid_id(keys[i])) return cpor__pg_error(s, CPOR_EINVAL, "keys_replace: bad key");
  int rc = writing(s, "keys_replace");
  if (rc) return rc;
  cpor__pg_params p = {0};
  cpor__pg_text(&p, claim_id);
  /* Letting go of every key cannot be refused: it waits in the queue. */
  if (count == 0) return cpor__pg_queue(s, CPOR__PG_KEYS_DELETE_ALL, &p, "keys_replace");
  /* Only the difference is written: most updates of a claim keep its keys.
   * The comparison is count x held (a claim holds a few keys). */
  PGresult *cur;
  if ((rc = cpor__pg_exec(s, CPOR__PG_KEYS_OF, &p, "keys_replace", &cur))) return rc;
  const char **add = count ? malloc(count * sizeof *add) : NULL;
  size_t n = 0;
  if (count && !add) rc = cpor__pg_error(s, CPOR_ENOMEM, "keys_replace: out of memory");
  for (size_t i = 0; rc == CPOR_OK && i < count; i++)
    if (!held(cur, keys[i])) add[n++] = keys[i];
  if (rc == CPOR_OK) rc = keys_add(s, claim_id, add, n);
  free(add);
  for (int i = 0; rc == CPOR_OK && i < PQntuples(cur); i++) {
    const char *k = PQgetvalue(cur, i, 0);
    if (!key_in(k, keys, count)) rc = key_statement(s, CPOR__PG_KEY_DELETE, k, claim_id, NULL);
  }
  PQclear(cur);
  return rc;
}

/* ---- deadlines and events --------------------------------------------------------------- */

static int deadline_kind(uint32_t kind) {
  return kind == CPOR_DEADLINE_OPTOUT || kind == CPOR_DEADLINE_RESPONSE ||
         kind == CPOR_DEADLINE_SLA;
}

static int m_deadline_set(void *self, const char *claim_id, uint32_t kind, cpor_time due) {
  cpor__pg *s = self;
  if (!valid_id(claim_id) || !deadline_kind(kind))
    return cpor__pg_error(s, CPOR_EINVAL, "deadline_set: bad claim id or kind");
  int rc = writing(s, "deadline_set");
  if (rc) return rc;
  cpor__pg_params p = {0};
  cpor__pg_text(&p, claim_id);
  cpor__pg_int8(&p, kind);
  cpor__pg_int8(&p, due);
  return cpor__pg_queue(s, CPOR__PG_DEADLINE_SET, &p, "deadline_set");
}

static int m_deadline_clear(void *self, const char *claim_id, uint32_t kind) {
  cpor__pg *s = self;
  if (!valid_id(claim_id)) return cpor__pg_error(s, CPOR_EINVAL, "deadline_clear: bad claim id");
  int rc = writing(s, "deadline_clear");
  if (rc) return rc;
  cpor__pg_params p = {0};
  cpor__pg_text(&p, claim_id);
  cpor__pg_int8(&p, kind);
  return cpor__pg_queue(s, CPOR__PG_DEADLINE_CLEAR, &p, "deadline_clear");
}

static int m_event_append(void *self, const char *claim_id, uint32_t seq, const void *data,
                          size_t len) {
  cpor__pg *s = self;
  if (!valid_id(claim_id) || (!data && len) || len > INT32_MAX)
    return cpor__pg_error(s, CPOR_EINVAL, "event_append: bad argument");
  int rc = writing(s, "event_append");
  if (rc) return rc;
  /* Queued: a duplicate (another writer's entry, or the caller's mistake)
   * is reported by the next method with an answer as CPOR_ECONFLICT. */
  cpor__pg_params p = {0};
  cpor__pg_text(&p, claim_id);
  cpor__pg_int8(&p, seq);
  cpor__pg_bytes(&p, data, len);
  return cpor__pg_queue_unique(s, CPOR__PG_EVENT_APPEND, &p, "event_append",
                               "event_append: the claim has an event with that seq");
}

/* ---- counters and change rows (version 4) ----------------------------------------------- */

static int m_counter_next(void *self, const char *name, uint64_t count, uint64_t *first) {
  return cpor__pg_counter_next(self, name, count, first);
}

static int m_change_append(void *self, uint64_t change, const char *claim_id, uint32_t seq,
                           int32_t state) {
  cpor__pg *s = self;
  if (change < 1 || change > INT64_MAX || !valid_id(claim_id))
    return cpor__pg_error(s, CPOR_EINVAL, "change_append: bad change number or claim id");
  int rc = writing(s, "change_append");
  if (rc) return rc;
  cpor__pg_params p = {0};
  cpor__pg_int8(&p, (int64_t)change);
  cpor__pg_text(&p, claim_id);
  cpor__pg_int8(&p, seq);
  cpor__pg_int4(&p, state);
  return cpor__pg_queue_unique(s, CPOR__PG_CHANGE_APPEND, &p, "change_append",
                               "change_append: the number exists");
}

static int m_object_lock(void *self, uint32_t kind, const char *id) {
  cpor__pg *s = self;
  if (!valid_id(id)) return cpor__pg_error(s, CPOR_EINVAL, "object_lock: bad id");
  int rc = writing(s, "object_lock");
  if (rc) return rc;
  drop_got(s);
  cpor__pg_params p = {0};
  cpor__pg_int8(&p, kind);
  cpor__pg_text(&p, id);
  return cpor__pg_run(s, CPOR__PG_OBJECT_LOCK, &p, "object_lock");
}

/* ---- cursors ----------------------------------------------------------------------------- */

/* A keyset cursor: the current page, and where the next one starts. */
typedef struct pg_cursor {
  uint32_t what, kind;
  cpor__pg_id stmt;
  int32_t state;
  cpor_time upto;
  char key[256];      /* OBJECTS BY_OWNER/BY_REF, LINES (unit), EVENTS (claim) */
  char last[272];     /* the last row's id / claim_id ("" before the first) */
  int64_t last_num;   /* the last row's line / due / seq / change */
  PGresult *page;     /* NULL before the first page */
  int limit;          /* the rows the next page asks for */
  int row, rows, end; /* end: the last page was short, nothing follows */
  char last_key[272]; /* KEYS: the last row's key ("" before the first) */
} pg_cursor;

static int copy_key(char *out, const char *key) {
  if (!valid_id(key)) return 0;
  strcpy(out, key);
  return 1;
}

static int objects_stmt(const cpor_store_query *q, pg_cursor *c) {
  switch (q->by) {
  case CPOR_STORE_BY_KIND:
    c->stmt = CPOR__PG_PAGE_KIND;
    return 1;
  case CPOR_STORE_BY_OWNER:
    c->stmt = CPOR__PG_PAGE_OWNER;
    return copy_key(c->key, q->key);
  case CPOR_STORE_BY_REF:
    c->stmt = CPOR__PG_PAGE_REF;
    return copy_key(c->key, q->key);
  case CPOR_STORE_BY_STATE:
    c->stmt = CPOR__PG_PAGE_STATE;
    c->state = q->state;
    return 1;
  default:
    return 0;
  }
}

/* The length of the UTF-8 sequence at s, or 0 when it is malformed. */
static size_t utf8_seq(const unsigned char *s) {
  unsigned b = s[0];
  size_t n;
  unsigned cp;
  if (b < 0x80) return 1;
  if (b >= 0xc2 && b <= 0xdf)
    n = 2, cp = b & 0x1f;
  else if (b >= 0xe0 && b <= 0xef)
    n = 3, cp = b & 0x0f;
  else if (b >= 0xf0 && b <= 0xf4)
    n = 4, cp = b & 0x07;
  else
    return 0;
  for (size_t i = 1; i < n; i++) {
    if ((s[i] & 0xc0) != 0x80) return 0;
    cp = cp << 6 | (s[i] & 0x3f);
  }
  if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
      (cp >= 0xd800 && cp <= 0xdfff))
    return 0;
  return n;
}

static size_t utf8_put(unsigned char *out, unsigned cp) {
  if (cp < 0x80) return out[0] = (unsigned char)cp, 1;
  if (cp < 0x800) {
    out[0] = (unsigned char)(0xc0 | cp >> 6);
    out[1] = (unsigned char)(0x80 | (cp & 0x3f));
    return 2;
  }
  if (cp < 0x10000) {
    out[0] = (unsigned char)(0xe0 | cp >> 12);
    out[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
    out[2] = (unsigned char)(0x80 | (cp & 0x3f));
    return 3;
  }
  out[0] = (unsigned char)(0xf0 | cp >> 18);
  out[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3f));
  out[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
  out[3] = (unsigned char)(0x80 | (cp & 0x3f));
  return 4;
}

/* The cursor's `after` as text the server accepts (ids are UTF-8 text
 * there). An `after` that is not UTF-8 is replaced by the largest UTF-8
 * string of up to 255 bytes past its valid prefix that sorts before it: for
 * every id (valid, at most 255 bytes), id > after exactly when id > that
 * string. out holds at least 255 + 4 + 1 bytes. */
static void after_bound(char *out, size_t outlen, const char *after) {
  snprintf(out, outlen, "%.255s", after);
  const unsigned char *a = (const unsigned char *)out;
  size_t i = 0, n;
  while (a[i] && (n = utf8_seq(a + i)))
    i += n;
  if (!a[i]) return; /* valid */
  /* The largest code point whose encoding sorts before the malformed tail
   * (encodings sort as code points; none is a prefix of the tail). */
  char tail[256];
  snprintf(tail, sizeof tail, "%s", out + i);
  size_t tlen = strlen(tail);
  unsigned lo = 0, hi = 0x10ffff - 0x800; /* indexes that skip the surrogates */
  while (lo < hi) {
    unsigned mid = lo + (hi - lo + 1) / 2;
    unsigned cp = mid < 0xd800 ? mid : mid + 0x800;
    unsigned char e[4];
    size_t el = utf8_put(e, cp);
    int cmp = memcmp(e, tail, el < tlen ? el : tlen);
    if (cmp < 0 || (cmp == 0 && el < tlen))
      lo = mid;
    else
      hi = mid - 1;
  }
  unsigned cp = lo < 0xd800 ? lo : lo + 0x800;
  unsigned char *o = (unsigned char *)out;
  i += utf8_put(o + i, cp);
  /* Then the largest string that fits: U+10FFFF, then one shorter char. */
  static const unsigned fill[] = {0, 0x7f, 0x7ff, 0xffff, 0x10ffff};
  while (i < 255) {
    size_t room = 255 - i;
    i += utf8_put(o + i, fill[room < 4 ? room : 4]);
  }
  o[i] = 0;
}

/* Fills *c from the query; 0 when the query is malformed. */
static int cursor_plan(const cpor_store_query *q, pg_cursor *c) {
  c->what = q->what;
  c->kind = q->kind;
  switch (q->what) {
  case CPOR_STORE_CURSOR_OBJECTS:
    /* ids have at most 255 bytes, so an id is > after exactly when it is >
     * after's first 255 bytes: a longer `after` may be cut there. */
    if (q->after) after_bound(c->last, sizeof c->last, q->after);
    return objects_stmt(q, c);
  case CPOR_STORE_CURSOR_LINES:
    c->last_num = -1;
    if (!q->key) return c->stmt = CPOR__PG_PAGE_LINES_ALL, 1;
    c->stmt = CPOR__PG_PAGE_LINES;
    return copy_key(c->key, q->key);
  case CPOR_STORE_CURSOR_KEYS:
    if (!q->key) return c->stmt = CPOR__PG_PAGE_KEYS_ALL, 1;
    c->stmt = CPOR__PG_PAGE_KEYS_OF;
    return copy_key(c->key, q->key);
  case CPOR_STORE_CURSOR_DEADLINES:
    c->stmt = CPOR__PG_PAGE_DEADLINES;
    c->upto = q->upto;
    c->last_num = INT64_MIN;
    return deadline_kind(q->kind);
  case CPOR_STORE_CURSOR_EVENTS:
    if (!q->key) return c->stmt = CPOR__PG_PAGE_EVENTS_ALL, c->last_num = -1, 1;
    c->stmt = CPOR__PG_PAGE_EVENTS;
    c->last_num = q->after_seq;
    return copy_key(c->key, q->key);
  case CPOR_STORE_CURSOR_CHANGES:
    c->stmt = CPOR__PG_PAGE_CHANGES;
    c->last_num = (int64_t)q->after_change;
    return q->after_change <= INT64_MAX;
  default:
    return 0;
  }
}

static int m_cursor_open(void *self, const cpor_store_query *query, void **cursor) {
  cpor__pg *s = self;
  if (cursor) *cursor = NULL;
  if (!query || !cursor) return cpor__pg_error(s, CPOR_EINVAL, "cursor_open: bad argument");
  pg_cursor *c = calloc(1, sizeof *c);
  if (!c) return cpor__pg_error(s, CPOR_ENOMEM, "cursor_open: out of memory");
  if (!cursor_plan(query, c)) {
    free(c);
    return cpor__pg_error(s, CPOR_EINVAL, "cursor_open: unknown or malformed query");
  }
  /* Nothing is read before the first cursor_next. */
  *cursor = c;
  return CPOR_OK;
}

/* Remembers where the current page ended: the next one starts after it. */
static void note_last(pg_cursor *c) {
  int i = c->rows - 1;
  if (i < 0) return;
  switch (c->stmt) {
  case CPOR__PG_PAGE_KEYS_OF:
  case CPOR__PG_PAGE_KEYS_ALL:
    snprintf(c->last, sizeof c->last, "%s", PQgetvalue(c->page, i, 0));
    snprintf(c->last_key, sizeof c->last_key, "%s", PQgetvalue(c->page, i, 1));
    return;
  case CPOR__PG_PAGE_LINES_ALL:
  case CPOR__PG_PAGE_EVENTS_ALL:
    snprintf(c->last, sizeof c->last, "%s", PQgetvalue(c->page, i, 0));
    c->last_num = cpor__pg_get_int8(c->page, i, 1);
    return;
  default:
    break;
  }
  switch (c->what) {
  case CPOR_STORE_CURSOR_OBJECTS:
    snprintf(c->last, sizeof c->last, "%s", PQgetvalue(c->page, i, 0));
    break;
  case CPOR_STORE_CURSOR_LINES:
    snprintf(c->last, sizeof c->last, "%s", PQgetvalue(c->page, i, 0));
    c->last_num = cpor__pg_get_int8(c->page, i, 1);
    break;
  case CPOR_STORE_CURSOR_DEADLINES:
    snprintf(c->last, sizeof c->last, "%s", PQgetvalue(c->page, i, 0));
    c->last_num = cpor__pg_get_int8(c->page, i, 1);
    break;
  default: /* EVENTS, CHANGES */
    c->last_num = cpor__pg_get_int8(c->page, i, 0);
    break;
  }
}

static void page_params(const pg_cursor *c, cpor__pg_params *p) {
  switch (c->stmt) {
  case CPOR__PG_PAGE_KIND:
    cpor__pg_int8(p, c->kind);
    break;
  case CPOR__PG_PAGE_OWNER:
  case CPOR__PG_PAGE_REF:
    cpor__pg_int8(p, c->kind);
    cpor__pg_text(p, c->key);
    break;
  case CPOR__PG_PAGE_STATE:
    cpor__pg_int8(p, c->kind);
    cpor__pg_int4(p, c->state);
    break;
  case CPOR__PG_PAGE_LINES:
    cpor__pg_text(p, c->key);
    cpor__pg_text(p, c->last);
    cpor__pg_int8(p, c->last_num);
    return;
  case CPOR__PG_PAGE_KEYS_OF:
    cpor__pg_text(p, c->key);
    cpor__pg_text(p, c->last_key);
    return;
  case CPOR__PG_PAGE_KEYS_ALL:
    cpor__pg_text(p, c->last);
    cpor__pg_text(p, c->last_key);
    return;
  case CPOR__PG_PAGE_LINES_ALL:
  case CPOR__PG_PAGE_EVENTS_ALL:
    cpor__pg_text(p, c->last);
    cpor__pg_int8(p, c->last_num);
    return;
  case CPOR__PG_PAGE_DEADLINES:
    cpor__pg_int8(p, c->kind);
    cpor__pg_int8(p, c->upto);
    cpor__pg_int8(p, c->last_num);
    cpor__pg_text(p, c->last);
    return;
  case CPOR__PG_PAGE_CHANGES:
    cpor__pg_int8(p, c->last_num);
    return;
  default: /* EVENTS */
    cpor__pg_text(p, c->key);
    cpor__pg_int8(p, c->last_num);
    return;
  }
  cpor__pg_text(p, c->last); /* the object pages: id > $last */
}

static int next_page(cpor__pg *s, pg_cursor *c) {
  if (c->page) note_last(c);
  PQclear(c->page); /* the previous row's pointers end with this call */
  c->page = NULL;
  c->row = c->rows = 0;
  cpor__pg_params p = {0};
  page_params(c, &p);
  if (!c->limit) c->limit = CPOR__PG_FIRST_PAGE;
  cpor__pg_int8(&p, c->limit);
  int rc = cpor__pg_exec(s, c->stmt, &p, "cursor_next", &c->page);
  if (rc) return rc;
  c->rows = PQntuples(c->page);
  c->end = c->rows < c->limit;
  if (c->limit < CPOR__PG_PAGE) c->limit *= 4;
  return CPOR_OK;
}

static void read_row(const pg_cursor *c, cpor_store_row *row) {
  const PGresult *r = c->page;
  int i = c->row;
  memset(row, 0, sizeof *row);
  switch (c->stmt) {
  case CPOR__PG_PAGE_KEYS_OF:
    row->claim_id = PQgetvalue(r, i, 0);
    row->key = PQgetvalue(r, i, 1);
    return;
  case CPOR__PG_PAGE_KEYS_ALL:
    row->claim_id = cpor__pg_get_text(r, i, 2);
    row->key = PQgetvalue(r, i, 1);
    return;
  case CPOR__PG_PAGE_LINES_ALL:
    row->line.claim_id = row->claim_id = cpor__pg_get_text(r, i, 5);
    row->line.line = (uint32_t)cpor__pg_get_int8(r, i, 1);
    row->line.unit = PQgetvalue(r, i, 4);
    row->line.partner_id = cpor__pg_get_text(r, i, 2);
    row->line.status = cpor__pg_get_int4(r, i, 3);
    return;
  case CPOR__PG_PAGE_EVENTS_ALL:
    row->claim_id = cpor__pg_get_text(r, i, 3);
    row->seq = (uint32_t)cpor__pg_get_int8(r, i, 1);
    row->data = PQgetvalue(r, i, 2);
    row->len = (size_t)PQgetlength(r, i, 2);
    return;
  default:
    break;
  }
  switch (c->what) {
  case CPOR_STORE_CURSOR_OBJECTS:
    read_object(r, i, c->kind, &row->object);
    break;
  case CPOR_STORE_CURSOR_LINES:
    row->line.claim_id = PQgetvalue(r, i, 0);
    row->line.line = (uint32_t)cpor__pg_get_int8(r, i, 1);
    row->line.unit = c->key;
    row->line.partner_id = cpor__pg_get_text(r, i, 2);
    row->line.status = cpor__pg_get_int4(r, i, 3);
    break;
  case CPOR_STORE_CURSOR_DEADLINES:
    row->claim_id = PQgetvalue(r, i, 0);
    row->deadline_kind = c->kind;
    row->due = cpor__pg_get_int8(r, i, 1);
    break;
  case CPOR_STORE_CURSOR_CHANGES:
    row->change = (uint64_t)cpor__pg_get_int8(r, i, 0);
    row->claim_id = PQgetvalue(r, i, 1);
    row->seq = (uint32_t)cpor__pg_get_int8(r, i, 2);
    row->object.state = cpor__pg_get_int4(r, i, 3);
    break;
  default: /* EVENTS */
    row->claim_id = c->key;
    row->seq = (uint32_t)cpor__pg_get_int8(r, i, 0);
    row->data = PQgetvalue(r, i, 1);
    row->len = (size_t)PQgetlength(r, i, 1);
    break;
  }
}

static int m_cursor_next(void *self, void *cursor, cpor_store_row *row) {
  cpor__pg *s = self;
  pg_cursor *c = cursor;
  if (!c || !row) return cpor__pg_error(s, CPOR_EINVAL, "cursor_next: bad argument");
  if (c->row >= c->rows) {
    if (c->page && c->end) return 0;
    int rc = next_page(s, c);
    if (rc) return rc;
    if (c->rows == 0) return 0;
  }
  read_row(c, row);
  c->row++;
  return 1;
}

static void m_cursor_close(void *self, void *cursor) {
  pg_cursor *c = cursor;
  if (!c) return;
  PQclear(c->page);
  free(c);
}

/* ---- the rest of the vtable ------------------------------------------------------------------ */

static const char *m_errmsg(void *self) {
  cpor__pg *s = self;
  return s->err[0] ? s->err : NULL;
}

static void m_close(void *self) {
  cpor__pg *s = self;
  if (!s) return;
  drop_got(s);
  PQfinish(s->conn); /* an open transaction is rolled back by the server */
  cpor__pg_written_clear(s);
  free(s->qbuf);
  free(s);
}

static const cpor_storage_methods postgres_methods = {
    .version = CPOR_STORAGE_VERSION,
    .begin = m_begin,
    .commit = m_commit,
    .rollback = m_rollback,
    .savepoint = m_savepoint,
    .release = m_release,
    .rollback_to = m_rollback_to,
    .object_get = m_object_get,
    .object_put = m_object_put,
    .lines_replace = m_lines_replace,
    .keys_replace = m_keys_replace,
    .deadline_set = m_deadline_set,
    .deadline_clear = m_deadline_clear,
    .event_append = m_event_append,
    .cursor_open = m_cursor_open,
    .cursor_next = m_cursor_next,
    .cursor_close = m_cursor_close,
    .errmsg = m_errmsg,
    .close = m_close,
    .counter_next = m_counter_next,
    .change_append = m_change_append,
    .object_lock = m_object_lock,
};

/* ---- opening -----------------------------------------------------------------------------------
 */

int cpor_postgres_options_init(cpor_postgres_options *opts, uint32_t version) {
  return cpor__struct_init(&cpor__postgres_options_layout, opts, version);
}

static int open_fail(int code, char *err, size_t errlen, const char *conninfo, const char *msg) {
  if (!err || !errlen) return code;
  /* Each part scrubbed on its own: a password value ends at a blank, and
   * the ": " after the conninfo is not part of it. */
  char target[512], detail[1024];
  cpor__pg_scrub(target, sizeof target,
                 !conninfo   ? "(null)"
                 : *conninfo ? conninfo
                             : "(libpq defaults)");
  cpor__pg_scrub(detail, sizeof detail, msg);
  snprintf(err, errlen, "%s: %s", target, detail);
  return code;
}

int cpor_storage_open_postgres(cpor_storage **out, const char *conninfo,
                               const cpor_postgres_options *opts, char *err, size_t errlen) {
  if (err && errlen) err[0] = '\0';
  if (!out) return open_fail(CPOR_EINVAL, err, errlen, conninfo, "out is NULL");
  *out = NULL;
  if (!conninfo) return open_fail(CPOR_EINVAL, err, errlen, conninfo, "conninfo is NULL");
  cpor_postgres_options o;
  char msg[160];
  if (cpor__struct_read(&cpor__postgres_options_layout, opts, &o, msg, sizeof msg))
    return open_fail(CPOR_EVERSION, err, errlen, conninfo, msg);
  if (o.statement_timeout_ms > INT32_MAX)
    return open_fail(CPOR_EINVAL, err, errlen, conninfo,
                     "statement_timeout_ms must be at most 2147483647");

  cpor__pg *s = calloc(1, sizeof *s);
  if (!s) return open_fail(CPOR_ENOMEM, err, errlen, conninfo, "out of memory");
  s->statement_timeout_ms = o.statement_timeout_ms;
  int rc = cpor__pg_connect(s, conninfo, &o);
  if (rc == CPOR_OK) rc = cpor__pg_schema_open(s);
  if (rc == CPOR_OK) rc = cpor_storage_new(out, &postgres_methods, s);
  if (rc != CPOR_OK) {
    open_fail(rc, err, errlen, conninfo, s->err[0] ? s->err : "cannot open");
    m_close(s);
  }
  return rc;
}
