/* The PostgreSQL backend's private declarations, shared by postgres.c (the
 * methods and the open call), postgres_conn.c (the connection, prepared
 * statements and error mapping) and postgres_schema.c (recognizing a libcpor
 * schema, and migrations).
 *
 * Like the SQLite backend it uses only the public vtable header and the
 * client library's header (libpq-fe.h). */
#ifndef CPOR_STORE_POSTGRES_INT_H
#define CPOR_STORE_POSTGRES_INT_H

#include <libpq-fe.h>

#include "cpor/postgres.h"
#include "store/counters.h"
#include "cpor/sys/storage.h"

/* The schema version this library writes (meta 'schema_version'). */
#define CPOR__PG_SCHEMA_VERSION 4
/* The row of the meta table that marks a libcpor schema. */
#define CPOR__PG_MARKER_KEY "application"
#define CPOR__PG_MARKER_VALUE "libcpor"
#define CPOR__PG_VERSION_KEY "schema_version"
/* pg_advisory_xact_lock key of the migrations: 'CPOR' in ASCII. */
#define CPOR__PG_MIGRATION_LOCK 0x43504f52

/* Every statement the backend runs, prepared once per connection under the
 * name "cpor_<id>". Columns are read by position. */
typedef enum cpor__pg_id {
  CPOR__PG_BEGIN_READ,
  CPOR__PG_BEGIN_WRITE,
  CPOR__PG_COMMIT,
  CPOR__PG_ROLLBACK,
  CPOR__PG_SAVEPOINT,
  CPOR__PG_RELEASE,
  CPOR__PG_ROLLBACK_TO,
  CPOR__PG_OBJECT_GET,
  CPOR__PG_OBJECT_INSERT,
  CPOR__PG_OBJECT_UPDATE,
  CPOR__PG_OBJECT_DELETE,
  CPOR__PG_PAGE_KIND,
  CPOR__PG_PAGE_OWNER,
  CPOR__PG_PAGE_REF,
  CPOR__PG_PAGE_STATE,
  CPOR__PG_LINES_DELETE,
  CPOR__PG_LINES_INSERT,
  CPOR__PG_PAGE_LINES,
  CPOR__PG_KEYS_OF,
  CPOR__PG_KEY_INSERT,
  CPOR__PG_KEY_DELETE,
  CPOR__PG_DEADLINE_SET,
  CPOR__PG_DEADLINE_CLEAR,
  CPOR__PG_PAGE_DEADLINES,
  CPOR__PG_EVENT_APPEND,
  CPOR__PG_PAGE_EVENTS,
  CPOR__PG_COUNTER_NEXT,
  CPOR__PG_COUNTER_SET,
  CPOR__PG_CHANGE_APPEND,
  CPOR__PG_PAGE_CHANGES,
  CPOR__PG_OBJECT_LOCK,
  /* Version 4's audit cursors */
  CPOR__PG_PAGE_KEYS_OF,
  CPOR__PG_PAGE_KEYS_ALL,
  CPOR__PG_PAGE_LINES_ALL,
  CPOR__PG_PAGE_EVENTS_ALL,
  CPOR__PG_KEYS_DELETE_ALL,
  CPOR__PG_COUNT
} cpor__pg_id;

/* No statement: cpor__pg_exec then only sends the queue (postgres_pipe.c). */
#define CPOR__PG_NOTHING CPOR__PG_COUNT

/* Rows a cursor fetches per round trip (keyset pages): a small first page
 * (a caller that wants one row does not pay for a page of records), then
 * four times more each time up to the largest. */
#define CPOR__PG_FIRST_PAGE 16
#define CPOR__PG_PAGE 256

/* One connection: the `self` of the vtable. Used by one thread at a time. */

/* A write waiting in the queue (postgres_pipe.c): its parameters are copied
 * into the queue's buffer at off[i]. */
#define CPOR__PG_MAX_PARAMS 8
#define CPOR__PG_QUEUE 64
typedef struct cpor__pg_queued {
  cpor__pg_id id;
  const char *what;
  const char *duplicate; /* a row that must be unique: the message when it is not */
  int n;
  int lengths[CPOR__PG_MAX_PARAMS];
  unsigned char null[CPOR__PG_MAX_PARAMS];
  size_t off[CPOR__PG_MAX_PARAMS];
} cpor__pg_queued;

/* An object the open write transaction wrote (postgres_cache.c): one block
 * holds the record and the strings. */
#define CPOR__PG_WRITTEN 4
typedef struct cpor__pg_written {
  char *block;           /* NULL: the slot is free */
  cpor_store_object obj; /* its strings and record point into block */
} cpor__pg_written;

typedef struct cpor__pg {
  PGconn *conn;
  unsigned char prepared[CPOR__PG_COUNT]; /* 1: prepared on this connection */
  int in_tx;                              /* 0 none, 1 read, 2 write */
  int lost;                               /* the connection dropped: reconnect at begin */
  uint32_t statement_timeout_ms;
  PGresult *got;           /* object_get's row, kept until the next get, write or end */
  char err[512];           /* the last failure; "" when none yet */
  cpor__counters counters; /* held by the open write transaction */
  cpor__pg_queued queue[CPOR__PG_QUEUE]; /* writes not sent yet, in order */
  int nqueued;
  char *qbuf; /* their parameters */
  size_t qlen, qcap;
  int sp_pending;    /* the call's SAVEPOINT is still in the queue, at sp_at */
  int sp_at;         /* its place in the queue */
  size_t sp_qlen;    /* qlen before it */
  int final_aborted; /* the last pipelined statement did not run (an earlier one failed) */
  cpor__pg_written written[CPOR__PG_WRITTEN]; /* objects this transaction wrote */
  int written_next;                           /* the slot a new one takes */
} cpor__pg;

/* A parameter list: values with their lengths, sent in binary. */
typedef struct cpor__pg_params {
  int n;
  const char *values[CPOR__PG_MAX_PARAMS];
  int lengths[CPOR__PG_MAX_PARAMS];
  char ints[CPOR__PG_MAX_PARAMS][8]; /* network-order integers */
} cpor__pg_params;

void cpor__pg_text(cpor__pg_params *p, const char *text); /* NULL: SQL NULL */
void cpor__pg_bytes(cpor__pg_params *p, const void *data, size_t len);
void cpor__pg_int8(cpor__pg_params *p, int64_t v);
void cpor__pg_int4(cpor__pg_params *p, int32_t v);
int64_t cpor__pg_get_int8(const PGresult *r, int row, int col);
int32_t cpor__pg_get_int4(const PGresult *r, int row, int col);
/* A text column, NULL for SQL NULL. */
const char *cpor__pg_get_text(const PGresult *r, int row, int col);

/* Runs statement id (preparing it first on this connection). CPOR_OK with
 * *res set (the caller PQclears it) when the statement succeeded; otherwise
 * the mapped code with s->err set, and *res NULL. what names the operation. */
int cpor__pg_exec(cpor__pg *s, cpor__pg_id id, const cpor__pg_params *p, const char *what,
                  PGresult **res);
/* The same for a statement whose result is not needed. */
int cpor__pg_run(cpor__pg *s, cpor__pg_id id, const cpor__pg_params *p, const char *what);
/* Prepares statement id on this connection unless it is already. */
int cpor__pg_prepare(cpor__pg *s, cpor__pg_id id);
/* The name statement id is prepared under ("cpor_<id>"). */
void cpor__pg_name(cpor__pg_id id, char *out, size_t len);

/* The write queue (postgres_pipe.c). cpor__pg_queue appends a write whose
 * only failures are I/O, lock and connection failures; it is sent with the
 * next cpor__pg_exec (which then reports the first failure of a queued write
 * as its own, and sets s->final_aborted when its own statement did not run
 * because of it). cpor__pg_queue_drop forgets the queue (nothing of it was
 * sent), a SAVEPOINT in it included. cpor__pg_pipeline is cpor__pg_exec with a queue. */
int cpor__pg_queue(cpor__pg *s, cpor__pg_id id, const cpor__pg_params *p, const char *what);
/* The same for an insert whose row must be unique: a duplicate is reported
 * as CPOR_ECONFLICT with the message given. */
int cpor__pg_queue_unique(cpor__pg *s, cpor__pg_id id, const cpor__pg_params *p, const char *what,
                          const char *duplicate);
void cpor__pg_queue_drop(cpor__pg *s);
int cpor__pg_pipeline(cpor__pg *s, cpor__pg_id id, const cpor__pg_params *p, const char *what,
                      PGresult **res);
/* Forgets what was prepared (after a reconnect). */
void cpor__pg_forget_prepared(cpor__pg *s);

/* Maps a failed result (NULL: the call itself failed) to a CPOR code and
 * records the detail in s->err: 23505 -> CPOR_EEXISTS; 40001, 40P01 ->
 * CPOR_ECONFLICT; a lost connection -> CPOR_ESTORAGE and s->lost; 57014 ->
 * CPOR_ESTORAGE naming the statement timeout; out of memory -> CPOR_ENOMEM;
 * anything else -> CPOR_ESTORAGE. */
int cpor__pg_fail(cpor__pg *s, const PGresult *res, const char *what);
/* Records a message for a failure detected by the backend itself. */
int cpor__pg_error(cpor__pg *s, int code, const char *msg);

/* Connects and sets the session up; on a failure s->err says why. */
int cpor__pg_connect(cpor__pg *s, const char *conninfo, const cpor_postgres_options *o);
/* Reconnects a connection that was lost (PQreset) and sets the session up. */
int cpor__pg_reconnect(cpor__pg *s);

/* Copies msg to out with passwords removed: the value of every password=
 * keyword, and the password of a URL's user information. */
void cpor__pg_scrub(char *out, size_t outlen, const char *msg);

/* Counters (postgres_counters.c, store/counters.c): counter_next; the
 * final values queued before COMMIT. */
int cpor__pg_counter_next(cpor__pg *s, const char *name, uint64_t count, uint64_t *first);
int cpor__pg_counters_flush(cpor__pg *s);

/* Objects the open write transaction wrote (postgres_cache.c): keep a copy
 * after a successful insert or update (revision: the one stored now;
 * CPOR_ENOMEM without memory, the write then fails); get
 * fills *out from a copy (1) or returns 0; forget drops one (a delete, a
 * failed write); clear drops all (the transaction ended, rollback_to). */
int cpor__pg_written_keep(cpor__pg *s, const cpor_store_object *o, uint64_t revision);
int cpor__pg_written_get(cpor__pg *s, uint32_t kind, const char *id, cpor_store_object *out);
void cpor__pg_written_forget(cpor__pg *s, uint32_t kind, const char *id);
void cpor__pg_written_clear(cpor__pg *s);

/* Checks that the connection's schema is libcpor's (or empty) without
 * writing anything, then creates or upgrades the tables under the advisory
 * lock. Writes the reason to s->err. */
int cpor__pg_schema_open(cpor__pg *s);

#endif
