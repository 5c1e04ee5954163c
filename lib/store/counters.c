/* Counters held by a write transaction (counters.h). */
#include <string.h>

#include "store/counters.h"

int cpor__counters_valid(const char *name, uint64_t count, const uint64_t *first) {
  size_t n = name ? strnlen(name, CPOR__COUNTER_NAME_MAX + 1) : 0;
  return n >= 1 && n <= CPOR__COUNTER_NAME_MAX && count >= 1 && count <= INT64_MAX && first;
}

cpor__counter *cpor__counters_find(cpor__counters *cs, const char *name) {
  for (int i = 0; i < cs->n; i++)
    if (strcmp(cs->c[i].name, name) == 0) return &cs->c[i];
  return NULL;
}

int cpor__counters_hand(cpor__counter *c, uint64_t count, uint64_t *first) {
  if (count > (uint64_t)(INT64_MAX - c->handed)) return 0;
  *first = (uint64_t)c->handed + 1;
  c->handed += (int64_t)count;
  return 1;
}

cpor__counter *cpor__counters_add(cpor__counters *cs, const char *name, int64_t stored,
                                  int64_t handed) {
  size_t n = strlen(name);
  if (cs->n == CPOR__COUNTERS || n > CPOR__COUNTER_NAME_MAX) return NULL;
  cpor__counter *c = &cs->c[cs->n++];
  memcpy(c->name, name, n + 1);
  c->stored = stored;
  c->handed = c->saved = handed;
  c->in_savepoint = cs->in_savepoint;
  return c;
}

cpor__counter *cpor__counters_dirty(cpor__counters *cs, int *i) {
  for (; *i < cs->n; (*i)++)
    if (cs->c[*i].handed != cs->c[*i].stored) return &cs->c[(*i)++];
  return NULL;
}

void cpor__counters_forget(cpor__counters *cs) {
  cs->n = 0;
  cs->in_savepoint = 0;
}

void cpor__counters_savepoint(cpor__counters *cs) {
  cs->in_savepoint = 1;
  for (int i = 0; i < cs->n; i++) {
    cs->c[i].saved = cs->c[i].handed;
    cs->c[i].in_savepoint = 0;
  }
}

void cpor__counters_release(cpor__counters *cs) {
  cs->in_savepoint = 0;
  for (int i = 0; i < cs->n; i++)
    cs->c[i].in_savepoint = 0;
}

void cpor__counters_rollback_to(cpor__counters *cs) {
  cs->in_savepoint = 0;
  int k = 0;
  for (int i = 0; i < cs->n; i++) {
    cpor__counter c = cs->c[i];
    if (c.in_savepoint) continue; /* what was written for it went with the savepoint */
    c.handed = c.saved;
    cs->c[k++] = c;
  }
  cs->n = k;
}
