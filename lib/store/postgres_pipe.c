/* The PostgreSQL backend's queue of writes that need no answer, sent ahead of
 * the next statement that does (libpq pipeline mode): one round trip instead
 * of one per write.
 *
 * Queued are the writes whose answer the core need not see before it goes
 * on: SAVEPOINT, the delete and inserts of lines_replace, a keys_replace that
 * lets go of every key, deadline_set and deadline_clear, ROLLBACK TO, the
 * counters' final values (none can fail but for I/O, locks or connections:
 * the claim's object row, written first by this transaction, is locked until
 * it ends), and event_append and change_append, whose duplicate is reported
 * later as CPOR_ECONFLICT (storage.h allows both: the core undoes the call).
 * Every statement whose answer matters (reads, object writes, events, keys,
 * RELEASE, COMMIT) is sent after the queue in the same pipeline, and reports
 * the first failure of a queued write as its own: a call never returns
 * CPOR_OK before its writes are confirmed.
 *
 * Queued parameters are copied: the caller's buffers may go at once. Nothing
 * queued is on the wire yet, so dropping the queue (rollback, rollback_to)
 * undoes it without a round trip. The connection is in pipeline mode only
 * inside cpor__pg_exec: between methods it takes plain statements. */
#include <stdlib.h>
#include <string.h>

#include "store/postgres_int.h"

void cpor__pg_queue_drop(cpor__pg *s) {
  s->nqueued = 0;
  s->qlen = 0;
  s->sp_pending = 0;
}

static int reserve(cpor__pg *s, size_t more) {
  if (s->qcap - s->qlen >= more) return 1;
  size_t cap = s->qcap ? s->qcap : 4096;
  while (cap - s->qlen < more)
    cap *= 2;
  char *b = realloc(s->qbuf, cap);
  if (!b) return 0;
  s->qbuf = b;
  s->qcap = cap;
  return 1;
}

static int enqueue(cpor__pg *s, cpor__pg_id id, const cpor__pg_params *p, const char *what,
                   const char *duplicate) {
  if (s->lost) return cpor__pg_error(s, CPOR_ESTORAGE, "the connection was lost: roll back");
  if (s->nqueued == CPOR__PG_QUEUE) {
    /* A long queue goes out with a statement of its own answer. */
    PGresult *r;
    int rc = cpor__pg_exec(s, CPOR__PG_NOTHING, NULL, what, &r);
    PQclear(r);
    if (rc) return rc;
  }
  size_t need = 0;
  int n = p ? p->n : 0;
  for (int i = 0; i < n; i++)
    need += (size_t)p->lengths[i];
  if (!reserve(s, need)) return cpor__pg_error(s, CPOR_ENOMEM, "out of memory");
  cpor__pg_queued *q = &s->queue[s->nqueued];
  q->id = id;
  q->what = what;
  q->duplicate = duplicate;
  q->n = n;
  for (int i = 0; i < n; i++) {
    q->lengths[i] = p->lengths[i];
    q->null[i] = p->values[i] == NULL;
    q->off[i] = s->qlen;
    if (p->lengths[i]) memcpy(s->qbuf + s->qlen, p->values[i], (size_t)p->lengths[i]);
    s->qlen += (size_t)p->lengths[i];
  }
  s->nqueued++;
  return CPOR_OK;
}

int cpor__pg_queue(cpor__pg *s, cpor__pg_id id, const cpor__pg_params *p, const char *what) {
  return enqueue(s, id, p, what, NULL);
}

int cpor__pg_queue_unique(cpor__pg *s, cpor__pg_id id, const cpor__pg_params *p, const char *what,
                          const char *duplicate) {
  return enqueue(s, id, p, what, duplicate);
}

/* The connection cannot be trusted after a failure in the middle of a
 * pipeline: the next transaction starts on a new one. */
static int broken(cpor__pg *s, const char *what) {
  int rc = cpor__pg_fail(s, NULL, what);
  s->lost = 1;
  s->in_tx = 0;
  return rc == CPOR_OK ? CPOR_ESTORAGE : rc;
}

static int send_one(cpor__pg *s, cpor__pg_id id, int n, const char *const *values,
                    const int *lengths) {
  static const int formats[CPOR__PG_MAX_PARAMS] = {1, 1, 1, 1, 1, 1, 1, 1};
  char name[16];
  cpor__pg_name(id, name, sizeof name);
  return PQsendQueryPrepared(s->conn, name, n, values, lengths, formats, 1);
}

static int send_queued(cpor__pg *s, const cpor__pg_queued *q) {
  const char *values[CPOR__PG_MAX_PARAMS];
  for (int i = 0; i < q->n; i++)
    values[i] = q->null[i] ? NULL : s->qbuf + q->off[i];
  return send_one(s, q->id, q->n, values, q->lengths);
}

/* Reads one statement's result and the NULL that ends it: 1 when it
 * succeeded (*keep, when given, receives it), 0 when it failed (*rc set
 * unless an earlier failure set it), -1 when the connection broke. */
static int read_one(cpor__pg *s, const cpor__pg_queued *q, const char *what, int *rc,
                    PGresult **keep, int *aborted) {
  PGresult *r = PQgetResult(s->conn);
  if (!r) return -1;
  ExecStatusType st = PQresultStatus(r);
  int ok = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
  if (st == PGRES_PIPELINE_ABORTED) {
    if (aborted) *aborted = 1;
  } else if (!ok && *rc == CPOR_OK) {
    *rc = cpor__pg_fail(s, r, what);
    /* A queued row that must be unique (an event, a change number) and is
     * not: its method said CPOR_OK already, so the call that made it met
     * another writer (CPOR_ECONFLICT). Elsewhere in the queue nothing can
     * race: a duplicate there is the store's failure. */
    if (q && *rc == CPOR_EEXISTS) {
      *rc = q->duplicate ? CPOR_ECONFLICT : CPOR_ESTORAGE;
      if (q->duplicate) cpor__pg_error(s, *rc, q->duplicate);
    }
  }
  if (ok && keep)
    *keep = r;
  else
    PQclear(r);
  if (s->lost) return -1;
  PGresult *end = PQgetResult(s->conn);
  if (end) { /* one statement, one result: anything else is a broken stream */
    PQclear(end);
    return -1;
  }
  return ok;
}

int cpor__pg_pipeline(cpor__pg *s, cpor__pg_id id, const cpor__pg_params *p, const char *what,
                      PGresult **res) {
  *res = NULL;
  s->final_aborted = 0;
  int rc = CPOR_OK;
  /* Statements are prepared before the pipeline starts. */
  for (int i = 0; rc == CPOR_OK && i < s->nqueued; i++)
    rc = cpor__pg_prepare(s, s->queue[i].id);
  if (rc == CPOR_OK && id != CPOR__PG_NOTHING) rc = cpor__pg_prepare(s, id);
  if (rc) {
    cpor__pg_queue_drop(s);
    return rc;
  }
  int nq = s->nqueued;
  cpor__pg_queue_drop(s); /* on the wire from here: what fails is reported */
  if (!PQenterPipelineMode(s->conn)) return broken(s, what);
  int sent = 1;
  for (int i = 0; sent && i < nq; i++)
    sent = send_queued(s, &s->queue[i]);
  if (sent && id != CPOR__PG_NOTHING)
    sent = send_one(s, id, p ? p->n : 0, p ? p->values : NULL, p ? p->lengths : NULL);
  if (!sent || !PQpipelineSync(s->conn)) return broken(s, what);
  for (int i = 0; i < nq; i++)
    if (read_one(s, &s->queue[i], s->queue[i].what, &rc, NULL, NULL) < 0) return broken(s, what);
  if (id != CPOR__PG_NOTHING) {
    int got = read_one(s, NULL, what, &rc, res, &s->final_aborted);
    if (got < 0) {
      PQclear(*res);
      *res = NULL;
      return broken(s, what);
    }
  }
  PGresult *sync = PQgetResult(s->conn);
  int synced = sync && PQresultStatus(sync) == PGRES_PIPELINE_SYNC;
  PQclear(sync);
  if (!synced || !PQexitPipelineMode(s->conn)) {
    PQclear(*res);
    *res = NULL;
    return broken(s, what);
  }
  if (rc) {
    PQclear(*res);
    *res = NULL;
  }
  return rc;
}
