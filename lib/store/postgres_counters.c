/* The PostgreSQL backend's counters (vtable version 4), held for the rest
 * of the write transaction that first takes them.
 *
 * The first counter_next of a name in a transaction updates its row, which
 * stays locked until the transaction ends: no other writer can take a number
 * meanwhile, and numbers become visible in the order they were handed out.
 * Later calls in the same transaction hand out the following numbers from
 * memory, and the row gets its final value once, with the COMMIT. Without
 * this a batch of 1,000 claims updated one row 4,000 times in one
 * transaction; PostgreSQL keeps every version of the row until commit and
 * walks them all on each update, so the batch cost grew with its square.
 *
 * Savepoints (one at a time, vtable): a counter first taken inside the
 * savepoint is forgotten by rollback_to (its row update and lock go with
 * the savepoint); one taken before goes back to its value at the savepoint. */
#include <string.h>

#include "store/postgres_int.h"

#define COUNTER_NAME_MAX 64

static cpor__pg_counter *find(cpor__pg *s, const char *name) {
  for (int i = 0; i < s->ncounters; i++)
    if (strcmp(s->counters[i].name, name) == 0) return &s->counters[i];
  return NULL;
}

int cpor__pg_counter_next(cpor__pg *s, const char *name, uint64_t count, uint64_t *first) {
  size_t n = name ? strnlen(name, COUNTER_NAME_MAX + 1) : 0;
  if (n < 1 || n > COUNTER_NAME_MAX || count < 1 || count > INT64_MAX || !first)
    return cpor__pg_error(s, CPOR_EINVAL, "counter_next: bad name, count or output");
  if (s->in_tx != 2)
    return cpor__pg_error(s, CPOR_ESTORAGE, "counter_next: no write transaction is open");
  cpor__pg_counter *c = find(s, name);
  if (c) {
    if ((uint64_t)(INT64_MAX - c->handed) < count)
      return cpor__pg_error(s, CPOR_ESTORAGE, "counter_next: the counter is exhausted");
    *first = (uint64_t)c->handed + 1;
    c->handed += (int64_t)count;
    return CPOR_OK;
  }
  cpor__pg_params p = {0};
  cpor__pg_text(&p, name);
  cpor__pg_int8(&p, (int64_t)count);
  PGresult *r;
  int rc = cpor__pg_exec(s, CPOR__PG_COUNTER_NEXT, &p, "counter_next", &r);
  if (rc) return rc;
  if (PQntuples(r) != 1) {
    PQclear(r);
    return cpor__pg_error(s, CPOR_ESTORAGE, "counter_next: no value returned");
  }
  int64_t last = cpor__pg_get_int8(r, 0, 0);
  PQclear(r);
  *first = (uint64_t)last - count + 1;
  if (s->ncounters < CPOR__PG_COUNTERS) { /* more names: each takes its row every time */
    c = &s->counters[s->ncounters++];
    memcpy(c->name, name, n + 1);
    c->stored = c->handed = c->saved = last;
    c->in_savepoint = s->in_savepoint;
  }
  return CPOR_OK;
}

int cpor__pg_counters_flush(cpor__pg *s) {
  for (int i = 0; i < s->ncounters; i++) {
    cpor__pg_counter *c = &s->counters[i];
    if (c->handed == c->stored) continue;
    cpor__pg_params p = {0};
    cpor__pg_text(&p, c->name);
    cpor__pg_int8(&p, c->handed);
    /* Queued: it goes out with the COMMIT. */
    int rc = cpor__pg_queue(s, CPOR__PG_COUNTER_SET, &p, "counter_next");
    if (rc) return rc;
    c->stored = c->handed;
  }
  return CPOR_OK;
}

void cpor__pg_counters_forget(cpor__pg *s) {
  s->ncounters = 0;
  s->in_savepoint = 0;
}

void cpor__pg_counters_savepoint(cpor__pg *s) {
  s->in_savepoint = 1;
  for (int i = 0; i < s->ncounters; i++) {
    s->counters[i].saved = s->counters[i].handed;
    s->counters[i].in_savepoint = 0;
  }
}

void cpor__pg_counters_release(cpor__pg *s) {
  s->in_savepoint = 0;
  for (int i = 0; i < s->ncounters; i++)
    s->counters[i].in_savepoint = 0;
}

void cpor__pg_counters_rollback_to(cpor__pg *s) {
  s->in_savepoint = 0;
  int k = 0;
  for (int i = 0; i < s->ncounters; i++) {
    cpor__pg_counter c = s->counters[i];
    if (c.in_savepoint) continue; /* its row update went with the savepoint */
    c.handed = c.saved;
    s->counters[k++] = c;
  }
  s->ncounters = k;
}
