/* Open addressing with linear probing and backward-shift deletion: no
 * tombstones, so lookups stay short after many deletes and the load factor
 * is just count / cap (kept at or under 3/4). */
#include "store/hashmap.h"

#include <stdlib.h>
#include <string.h>

#include "cpor/common.h"

uint64_t cpor__hash_bytes(const void *key, size_t len) {
  /* FNV-1a, then a final avalanche so the low bits used for the index
   * depend on every byte (FNV alone clusters on short similar keys). */
  const unsigned char *p = key;
  uint64_t h = 0xcbf29ce484222325u;
  for (size_t i = 0; i < len; i++) {
    h ^= p[i];
    h *= 0x100000001b3u;
  }
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdu;
  h ^= h >> 33;
  return h;
}

void cpor__hmap_init(cpor__hmap *m, cpor__hmap_keyof keyof) {
  memset(m, 0, sizeof *m);
  m->keyof = keyof;
}

void cpor__hmap_fini(cpor__hmap *m) {
  free(m->slots);
  m->slots = NULL;
  m->cap = m->count = 0;
}

static void place(cpor__hmap_slot *slots, size_t cap, void *value, uint64_t hash) {
  size_t i = (size_t)hash & (cap - 1);
  while (slots[i].value)
    i = (i + 1) & (cap - 1);
  slots[i].value = value;
  slots[i].hash = hash;
}

int cpor__hmap_reserve(cpor__hmap *m, size_t extra) {
  size_t need = m->count + extra;
  if (need < m->count) return CPOR_ENOMEM;
  if (need * 4 <= m->cap * 3) return CPOR_OK;
  size_t cap = m->cap ? m->cap : 16;
  while (need * 4 > cap * 3) {
    if (cap > SIZE_MAX / 2 / sizeof(cpor__hmap_slot)) return CPOR_ENOMEM;
    cap *= 2;
  }
  cpor__hmap_slot *slots = calloc(cap, sizeof *slots);
  if (!slots) return CPOR_ENOMEM;
  for (size_t i = 0; i < m->cap; i++)
    if (m->slots[i].value) place(slots, cap, m->slots[i].value, m->slots[i].hash);
  free(m->slots);
  m->slots = slots;
  m->cap = cap;
  return CPOR_OK;
}

static size_t find(const cpor__hmap *m, const void *key, size_t len, uint64_t hash) {
  if (!m->cap) return SIZE_MAX;
  for (size_t i = (size_t)hash & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
    const cpor__hmap_slot *s = &m->slots[i];
    if (!s->value) return SIZE_MAX;
    if (s->hash != hash) continue;
    size_t klen;
    const void *k = m->keyof(s->value, &klen);
    if (klen == len && memcmp(k, key, len) == 0) return i;
  }
}

void *cpor__hmap_get(const cpor__hmap *m, const void *key, size_t len) {
  size_t i = find(m, key, len, cpor__hash_bytes(key, len));
  return i == SIZE_MAX ? NULL : m->slots[i].value;
}

void cpor__hmap_insert(cpor__hmap *m, void *value) {
  size_t len;
  const void *key = m->keyof(value, &len);
  /* Callers reserve first; a full table here would be a bug, and probing a
   * full table would never end, so refuse rather than hang. */
  if (!m->cap || m->count >= m->cap - 1) abort();
  place(m->slots, m->cap, value, cpor__hash_bytes(key, len));
  m->count++;
}

void cpor__hmap_remove(cpor__hmap *m, const void *value) {
  size_t len;
  const void *key = m->keyof(value, &len);
  size_t i = find(m, key, len, cpor__hash_bytes(key, len));
  if (i == SIZE_MAX || m->slots[i].value != value) return;
  size_t mask = m->cap - 1;
  /* Backward shift: pull later members of the probe run into the hole when
   * their home slot is not cyclically inside (hole, j]. */
  for (size_t j = (i + 1) & mask;; j = (j + 1) & mask) {
    cpor__hmap_slot *s = &m->slots[j];
    if (!s->value) break;
    size_t home = (size_t)s->hash & mask;
    int between = i <= j ? (i < home && home <= j) : (i < home || home <= j);
    if (between) continue;
    m->slots[i] = *s;
    i = j;
  }
  m->slots[i].value = NULL;
  m->count--;
}
