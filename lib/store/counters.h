/* Counters held by a write transaction, shared by the backends that keep
 * them in memory until commit (SQLite, PostgreSQL).
 *
 * A backend takes a counter's row once per transaction (PostgreSQL: an
 * update that locks it; SQLite, the one writer: a read) and records it here;
 * later reservations are handed out from memory, and the row gets its final
 * value once, before COMMIT (cpor__counters_dirty). Without this a batch of
 * 1,000 claims wrote one row 4,000 times in one transaction.
 *
 * Savepoints (one at a time, vtable): a counter first taken inside the
 * savepoint is forgotten by rollback_to (what its backend wrote for it went
 * with the savepoint); one taken before goes back to its value at the
 * savepoint. */
#ifndef CPOR_STORE_COUNTERS_H
#define CPOR_STORE_COUNTERS_H

#include <stdint.h>

#define CPOR__COUNTER_NAME_MAX 64
#define CPOR__COUNTERS 4

typedef struct cpor__counter {
  char name[CPOR__COUNTER_NAME_MAX + 1];
  int64_t stored;   /* the row's value as this transaction last wrote (or read) it */
  int64_t handed;   /* the last number handed out */
  int64_t saved;    /* handed when the current savepoint began */
  int in_savepoint; /* first taken inside the current savepoint */
} cpor__counter;

typedef struct cpor__counters {
  cpor__counter c[CPOR__COUNTERS];
  int n;
  int in_savepoint;
} cpor__counters;

/* 1 when counter_next's arguments are valid: a name of 1 to 64 bytes, a
 * count of 1 to INT64_MAX, an output. */
int cpor__counters_valid(const char *name, uint64_t count, const uint64_t *first);
/* The counter name this transaction holds, or NULL. */
cpor__counter *cpor__counters_find(cpor__counters *cs, const char *name);
/* Hands out count numbers after c->handed: *first is the first. 0 when the
 * counter would pass INT64_MAX (nothing is handed out then). */
int cpor__counters_hand(cpor__counter *c, uint64_t count, uint64_t *first);
/* Records a counter taken now, whose row holds stored and whose last number
 * handed out is handed; NULL when every slot is taken (the backend then
 * takes the row each time). */
cpor__counter *cpor__counters_add(cpor__counters *cs, const char *name, int64_t stored,
                                  int64_t handed);
/* The next counter whose row must be written (handed != stored) after *i,
 * starting at *i = 0; NULL at the end. The caller sets stored = handed once
 * it wrote the row. */
cpor__counter *cpor__counters_dirty(cpor__counters *cs, int *i);
/* At begin, commit and rollback. */
void cpor__counters_forget(cpor__counters *cs);
void cpor__counters_savepoint(cpor__counters *cs);
void cpor__counters_release(cpor__counters *cs);
void cpor__counters_rollback_to(cpor__counters *cs);

#endif
