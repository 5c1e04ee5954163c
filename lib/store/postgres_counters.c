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
 * The bookkeeping (savepoints included) is store/counters.c, shared with
 * the SQLite backend. */
#include <string.h>

#include "store/postgres_int.h"

int cpor__pg_counter_next(cpor__pg *s, const char *name, uint64_t count, uint64_t *first) {
  if (!cpor__counters_valid(name, count, first))
    return cpor__pg_error(s, CPOR_EINVAL, "counter_next: bad name, count or output");
  if (s->in_tx != 2)
    return cpor__pg_error(s, CPOR_ESTORAGE, "counter_next: no write transaction is open");
  cpor__counter *c = cpor__counters_find(&s->counters, name);
  if (c) {
    if (!cpor__counters_hand(c, count, first))
      return cpor__pg_error(s, CPOR_ESTORAGE, "counter_next: the counter is exhausted");
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
  /* More names than slots: each takes its row every time. */
  cpor__counters_add(&s->counters, name, last, last);
  return CPOR_OK;
}

int cpor__pg_counters_flush(cpor__pg *s) {
  int i = 0;
  for (cpor__counter *c; (c = cpor__counters_dirty(&s->counters, &i));) {
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
