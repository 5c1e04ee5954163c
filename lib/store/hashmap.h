/* A small open-addressing hash map over byte-string keys, for the memory
 * backend's indexes.
 *
 * The map stores only value pointers plus their hashes: each value owns its
 * key bytes and the map reads them back through keyof. That keeps a slot at
 * 16 bytes (millions of rows stay cheap) and means an insert never allocates
 * except to grow the table, which callers do up front with reserve: after a
 * successful reserve(n), n inserts cannot fail. The table never shrinks, so
 * re-inserting values removed earlier (a rollback) never needs memory. */
#ifndef CPOR_STORE_HASHMAP_H
#define CPOR_STORE_HASHMAP_H

#include <stddef.h>
#include <stdint.h>

/* The key bytes of a stored value. */
typedef const void *(*cpor__hmap_keyof)(const void *value, size_t *len);

typedef struct cpor__hmap_slot {
  void *value; /* NULL: empty */
  uint64_t hash;
} cpor__hmap_slot;

typedef struct cpor__hmap {
  cpor__hmap_slot *slots;
  size_t cap; /* 0 or a power of two */
  size_t count;
  cpor__hmap_keyof keyof;
} cpor__hmap;

uint64_t cpor__hash_bytes(const void *key, size_t len);

void cpor__hmap_init(cpor__hmap *m, cpor__hmap_keyof keyof);
/* Frees the table, not the values. */
void cpor__hmap_fini(cpor__hmap *m);
/* Makes room for extra more values; CPOR_ENOMEM leaves the map unchanged. */
int cpor__hmap_reserve(cpor__hmap *m, size_t extra);
/* The value with that key, or NULL. */
void *cpor__hmap_get(const cpor__hmap *m, const void *key, size_t len);
/* Adds a value whose key is not in the map yet. Needs room (reserve). */
void cpor__hmap_insert(cpor__hmap *m, void *value);
/* Removes this very value (found by its key); no-op when absent. */
void cpor__hmap_remove(cpor__hmap *m, const void *value);

#endif
