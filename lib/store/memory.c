/* The in-memory storage backend: every table and index kept in this process.
 *
 * Each row is one allocation holding its strings and data, with intrusive
 * treap nodes for the ordered indexes and its key bytes for the hash
 * indexes, so linking and unlinking rows never allocates. Every mutation
 * allocates what it needs first (the new row, an undo-log slot, hash room)
 * and only then changes anything: out of memory leaves the store as it was.
 *
 * Transactions keep an undo log. A mutation never edits a row in place: it
 * unlinks the old row (kept alive in the log) and links a new one, so
 * rollback unlinks and frees the new rows and relinks the old ones, and
 * commit frees the old ones. Pointers handed out (object_get, cursor rows)
 * therefore stay valid until the end of the transaction, longer than the
 * vtable asks. A cursor keeps a copy of the last key it returned and
 * re-seeks past it at every cursor_next: O(log n) per row, whatever happens
 * to the store in between.
 *
 * The exclusive keys of a claim are one allocation (a keyset: the claim ID,
 * then one entry per key, then the bytes), each entry in a hash map from
 * key to entry, and the keyset in a hash map from claim ID: a claim that
 * holds keys costs one allocation plus a hash slot per key and one more. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/hashmap.h"
#include "store/memory.h"
#include "store/ordered.h"
#include "store/storage.h"

#define ID_MAX 255 /* object ids, claim ids, units and keys: 1-255 bytes */
#define CONTAINER(ptr, type, member) ((type *)(void *)((char *)(ptr)-offsetof(type, member)))

typedef struct mobj {
  cpor__tnode by_id, by_owner, by_ref, by_state;
  uint32_t kind;
  int32_t state;
  uint64_t revision;
  const char *id;          /* the primary key, inside key[] */
  const char *owner, *ref; /* NULL or inside key[] */
  const unsigned char *data;
  size_t len, keylen;
  char key[]; /* kind (4 bytes, big-endian), id, NUL, owner, NUL, ref, NUL, data */
} mobj;

typedef struct mline {
  cpor__tnode by_unit, by_claim;
  struct mline *next; /* the rows one lines_replace added */
  /* The rows one lines_replace removed: a chain of its own, since a row
   * added by one call of a transaction may be removed by a later one while
   * the first call's undo record still walks its `next`. */
  struct mline *gone;
  uint32_t line;
  int32_t status;
  const char *unit, *claim_id, *partner_id;
  char buf[]; /* unit, NUL, claim_id, NUL, partner_id, NUL */
} mline;

typedef struct mkeyset mkeyset;

typedef struct mkey {
  const mkeyset *set; /* the claim holding the key */
  const char *key;    /* inside the keyset */
  size_t len;
} mkey;

struct mkeyset {
  cpor__tnode by_claim; /* in keyset_claim: the KEYS cursor's (claim_id, key) order */
  const char *claim_id; /* inside the allocation */
  size_t claimlen, count;
  mkey keys[]; /* then the claim ID and the keys, each NUL-terminated */
};

typedef struct mdeadline {
  cpor__tnode by_due;
  uint32_t kind;
  cpor_time due;
  const char *claim_id; /* inside key[] */
  size_t keylen;
  char key[]; /* kind (4 bytes), claim_id, NUL */
} mdeadline;

typedef struct mevent {
  cpor__tnode by_seq;
  uint32_t seq;
  size_t len;
  const char *claim_id; /* inside buf[] */
  const unsigned char *data;
  char buf[]; /* claim_id, NUL, data */
} mevent;

/* A change row (vtable version 4): a claim reached an event and a state. */
typedef struct mchange {
  cpor__tnode by_change;
  uint64_t change;
  uint32_t seq;
  int32_t state;
  char claim_id[]; /* NUL-terminated */
} mchange;

/* A store-wide counter. Its undo record keeps the value before the
 * reservation; a counter made by the reservation is unmade on rollback. */
#define COUNTER_NAME_MAX 64
#define COUNTERS_MAX 8
typedef struct mcounter {
  char name[COUNTER_NAME_MAX + 1];
  uint64_t value;
} mcounter;
typedef struct mcounter_undo {
  size_t index;
  uint64_t value;
  int created;
} mcounter_undo;

enum { T_OBJ, T_LINES, T_KEYS, T_DEADLINE, T_EVENT, T_CHANGE, T_COUNTER };

/* One mutation: old rows to relink on rollback (freed on commit), new rows
 * to unlink and free on rollback. Lines use mline.gone (old) and mline.next
 * (new) lists; either may be
 * NULL (an insert has no old row, a delete no new one). */
typedef struct undo {
  int table;
  void *old, *new_;
} undo;

typedef struct mstore {
  cpor__hmap objs;
  cpor__treap obj_id, obj_owner, obj_ref, obj_state;
  cpor__treap line_unit, line_claim;
  cpor__hmap keys;          /* key -> mkey */
  cpor__hmap keysets;       /* claim ID -> mkeyset */
  cpor__treap keyset_claim; /* the keysets in claim ID order */
  cpor__hmap deadlines;
  cpor__treap deadline_due;
  cpor__treap events;
  cpor__treap changes;
  mcounter counters[COUNTERS_MAX];
  size_t ncounters;
  int in_txn;
  undo *log;
  size_t nlog, caplog;
  size_t mark; /* the savepoint: the log length when it was set */
  int in_sp;
  long budget; /* allocations left before simulated OOM; < 0 unlimited */
  char err[160];
} mstore;

/* ---- small helpers ---------------------------------------------------------------- */

static void *alloc(mstore *st, size_t n) {
  if (st->budget == 0) return NULL;
  if (st->budget > 0) st->budget--;
  return malloc(n);
}

static int fail(mstore *st, int rc, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(st->err, sizeof st->err, fmt, ap);
  va_end(ap);
  return rc;
}

/* Common entry checks: a store, and an open transaction. */
static int enter(mstore *st) {
  if (!st) return CPOR_EINVAL;
  st->err[0] = '\0';
  if (!st->in_txn) return fail(st, CPOR_ESTORAGE, "no transaction");
  return CPOR_OK;
}

static size_t id_len(const char *s) {
  return s ? strnlen(s, ID_MAX + 1) : 0;
}
static int id_ok(const char *s) {
  size_t n = id_len(s);
  return n >= 1 && n <= ID_MAX;
}

static void put_kind(char *p, uint32_t k) {
  p[0] = (char)(k >> 24), p[1] = (char)(k >> 16), p[2] = (char)(k >> 8), p[3] = (char)k;
}

static int cmp_str(const char *a, const char *b) {
  return strcmp(a, b);
}
static int cmp_u(uint64_t a, uint64_t b) {
  return (a > b) - (a < b);
}
static int cmp_i(int64_t a, int64_t b) {
  return (a > b) - (a < b);
}

/* Room for one more undo record, taken before the mutation it records. */
static int log_reserve(mstore *st) {
  if (st->nlog < st->caplog) return CPOR_OK;
  size_t cap = st->caplog ? st->caplog * 2 : 64;
  if (st->budget == 0) return CPOR_ENOMEM;
  if (st->budget > 0) st->budget--;
  undo *log = realloc(st->log, cap * sizeof *log);
  if (!log) return CPOR_ENOMEM;
  st->log = log;
  st->caplog = cap;
  return CPOR_OK;
}

static void log_push(mstore *st, int table, void *old, void *new_) {
  st->log[st->nlog++] = (undo){table, old, new_};
}

static int oom(mstore *st) {
  return fail(st, CPOR_ENOMEM, "out of memory");
}

/* ---- objects ---------------------------------------------------------------------- */

static int cmp_obj_id(const cpor__tnode *a, const cpor__tnode *b) {
  const mobj *x = CONTAINER(a, mobj, by_id), *y = CONTAINER(b, mobj, by_id);
  int c = cmp_u(x->kind, y->kind);
  return c ? c : cmp_str(x->id, y->id);
}
static int cmp_obj_owner(const cpor__tnode *a, const cpor__tnode *b) {
  const mobj *x = CONTAINER(a, mobj, by_owner), *y = CONTAINER(b, mobj, by_owner);
  int c = cmp_u(x->kind, y->kind);
  if (!c) c = cmp_str(x->owner, y->owner);
  return c ? c : cmp_str(x->id, y->id);
}
static int cmp_obj_ref(const cpor__tnode *a, const cpor__tnode *b) {
  const mobj *x = CONTAINER(a, mobj, by_ref), *y = CONTAINER(b, mobj, by_ref);
  int c = cmp_u(x->kind, y->kind);
  if (!c) c = cmp_str(x->ref, y->ref);
  return c ? c : cmp_str(x->id, y->id);
}
static int cmp_obj_state(const cpor__tnode *a, const cpor__tnode *b) {
  const mobj *x = CONTAINER(a, mobj, by_state), *y = CONTAINER(b, mobj, by_state);
  int c = cmp_u(x->kind, y->kind);
  if (!c) c = cmp_i(x->state, y->state);
  return c ? c : cmp_str(x->id, y->id);
}
static const void *obj_key(const void *v, size_t *len) {
  const mobj *o = v;
  *len = o->keylen;
  return o->key;
}

static void obj_link(mstore *st, mobj *o) {
  cpor__hmap_insert(&st->objs, o);
  cpor__treap_insert(&st->obj_id, &o->by_id);
  if (o->owner) cpor__treap_insert(&st->obj_owner, &o->by_owner);
  if (o->ref) cpor__treap_insert(&st->obj_ref, &o->by_ref);
  cpor__treap_insert(&st->obj_state, &o->by_state);
}

static void obj_unlink(mstore *st, mobj *o) {
  cpor__hmap_remove(&st->objs, o);
  cpor__treap_remove(&st->obj_id, &o->by_id);
  if (o->owner) cpor__treap_remove(&st->obj_owner, &o->by_owner);
  if (o->ref) cpor__treap_remove(&st->obj_ref, &o->by_ref);
  cpor__treap_remove(&st->obj_state, &o->by_state);
}

static mobj *obj_new(mstore *st, const cpor_store_object *in, uint64_t revision) {
  size_t idn = strlen(in->id), on = in->owner ? strlen(in->owner) + 1 : 0;
  size_t rn = in->ref ? strlen(in->ref) + 1 : 0;
  if (in->len > SIZE_MAX / 2 || on > SIZE_MAX / 4 || rn > SIZE_MAX / 4) return NULL; /* overflow */
  mobj *o = alloc(st, sizeof *o + 4 + idn + 1 + on + rn + in->len);
  if (!o) return NULL;
  memset(o, 0, sizeof *o);
  o->kind = in->kind;
  o->state = in->state;
  o->revision = revision;
  o->keylen = 4 + idn;
  put_kind(o->key, in->kind);
  char *p = o->key + 4;
  o->id = memcpy(p, in->id, idn + 1);
  p += idn + 1;
  if (in->owner) o->owner = memcpy(p, in->owner, on), p += on;
  if (in->ref) o->ref = memcpy(p, in->ref, rn), p += rn;
  if (in->len) memcpy(p, in->data, in->len);
  o->data = (unsigned char *)p;
  o->len = in->len;
  return o;
}

static cpor_store_object obj_view(const mobj *o) {
  return (cpor_store_object){o->kind,  o->id,       o->owner, o->ref,
                             o->state, o->revision, o->data,  o->len};
}

static mobj *obj_lookup(mstore *st, uint32_t kind, const char *id) {
  char key[4 + ID_MAX];
  size_t n = strlen(id);
  put_kind(key, kind);
  memcpy(key + 4, id, n);
  return cpor__hmap_get(&st->objs, key, 4 + n);
}

static int m_object_get(void *self, uint32_t kind, const char *id, cpor_store_object *out) {
  mstore *st = self;
  int rc = enter(st);
  if (rc) return rc;
  if (!id_ok(id) || !out) return fail(st, CPOR_EINVAL, "object_get: bad id or output");
  mobj *o = obj_lookup(st, kind, id);
  if (!o) return fail(st, CPOR_ENOTFOUND, "object %u/%s not found", (unsigned)kind, id);
  *out = obj_view(o);
  return CPOR_OK;
}

static int m_object_put(void *self, const cpor_store_object *obj, uint32_t mode) {
  mstore *st = self;
  int rc = enter(st);
  if (rc) return rc;
  if (!obj || !id_ok(obj->id) || (mode != CPOR_STORE_DELETE && !obj->data && obj->len) ||
      mode < CPOR_STORE_INSERT || mode > CPOR_STORE_DELETE)
    return fail(st, CPOR_EINVAL, "object_put: bad object or mode");
  mobj *old = obj_lookup(st, obj->kind, obj->id);
  if (old && mode == CPOR_STORE_INSERT)
    return fail(st, CPOR_EEXISTS, "object %u/%s exists", (unsigned)obj->kind, obj->id);
  if (!old && mode != CPOR_STORE_INSERT)
    return fail(st, CPOR_ENOTFOUND, "object %u/%s not found", (unsigned)obj->kind, obj->id);
  if (old && old->revision != obj->revision)
    return fail(st, CPOR_ECONFLICT, "object %u/%s is at revision %llu, not %llu",
                (unsigned)obj->kind, obj->id, (unsigned long long)old->revision,
                (unsigned long long)obj->revision);
  if (log_reserve(st)) return oom(st);
  mobj *o = NULL;
  if (mode != CPOR_STORE_DELETE) {
    if (cpor__hmap_reserve(&st->objs, 1)) return oom(st);
    if (!(o = obj_new(st, obj, old ? old->revision + 1 : 1))) return oom(st);
  }
  if (old) obj_unlink(st, old);
  if (o) obj_link(st, o);
  log_push(st, T_OBJ, old, o);
  return CPOR_OK;
}

/* ---- lines ------------------------------------------------------------------------ */

static int cmp_line_unit(const cpor__tnode *a, const cpor__tnode *b) {
  const mline *x = CONTAINER(a, mline, by_unit), *y = CONTAINER(b, mline, by_unit);
  int c = cmp_str(x->unit, y->unit);
  if (!c) c = cmp_str(x->claim_id, y->claim_id);
  return c ? c : cmp_u(x->line, y->line);
}
static int cmp_line_claim(const cpor__tnode *a, const cpor__tnode *b) {
  const mline *x = CONTAINER(a, mline, by_claim), *y = CONTAINER(b, mline, by_claim);
  int c = cmp_str(x->claim_id, y->claim_id);
  return c ? c : cmp_u(x->line, y->line);
}

static void line_link(mstore *st, mline *l) {
  cpor__treap_insert(&st->line_unit, &l->by_unit);
  cpor__treap_insert(&st->line_claim, &l->by_claim);
}

static void line_unlink(mstore *st, mline *l) {
  cpor__treap_remove(&st->line_unit, &l->by_unit);
  cpor__treap_remove(&st->line_claim, &l->by_claim);
}

static void free_lines(mline *l) {
  while (l) {
    mline *next = l->next;
    free(l);
    l = next;
  }
}

static void free_gone(mline *l) {
  while (l) {
    mline *gone = l->gone;
    free(l);
    l = gone;
  }
}

static mline *line_new(mstore *st, const char *claim_id, const cpor_store_line *in) {
  size_t un = strlen(in->unit) + 1, cn = strlen(claim_id) + 1;
  size_t pn = in->partner_id ? strlen(in->partner_id) + 1 : 0;
  mline *l = alloc(st, sizeof *l + un + cn + pn);
  if (!l) return NULL;
  memset(l, 0, sizeof *l);
  l->line = in->line;
  l->status = in->status;
  l->unit = memcpy(l->buf, in->unit, un);
  l->claim_id = memcpy(l->buf + un, claim_id, cn);
  if (in->partner_id) l->partner_id = memcpy(l->buf + un + cn, in->partner_id, pn);
  return l;
}

/* Builds the new rows, checking that their line numbers are distinct. */
static int lines_build(mstore *st, const char *claim_id, const cpor_store_line *lines, size_t count,
                       mline **out) {
  cpor__treap by_line;
  cpor__treap_init(&by_line, cmp_line_claim);
  mline *head = NULL;
  for (size_t i = 0; i < count; i++) {
    const cpor_store_line *in = &lines[i];
    if (!id_ok(in->unit) || (in->claim_id && strcmp(in->claim_id, claim_id))) {
      free_lines(head);
      return fail(st, CPOR_EINVAL, "lines_replace: row %zu has a bad unit or another claim", i);
    }
    mline *l = line_new(st, claim_id, in);
    if (!l) {
      free_lines(head);
      return oom(st);
    }
    l->next = head;
    head = l;
    if (cpor__treap_insert(&by_line, &l->by_claim)) {
      free_lines(head);
      return fail(st, CPOR_EEXISTS, "lines_replace: line %u given twice", (unsigned)in->line);
    }
  }
  *out = head;
  return CPOR_OK;
}

static int m_lines_replace(void *self, const char *claim_id, const cpor_store_line *lines,
                           size_t count) {
  mstore *st = self;
  int rc = enter(st);
  if (rc) return rc;
  if (!id_ok(claim_id) || (count && !lines))
    return fail(st, CPOR_EINVAL, "lines_replace: bad claim id or rows");
  mline *fresh = NULL;
  if ((rc = lines_build(st, claim_id, lines, count, &fresh))) return rc;
  if (log_reserve(st)) {
    free_lines(fresh);
    return oom(st);
  }
  /* Nothing can fail from here on. */
  mline *old = NULL;
  mline pb = {.claim_id = claim_id, .line = 0};
  cpor__tnode *n;
  while ((n = cpor__treap_seek(&st->line_claim, &pb.by_claim, 0)) != NULL) {
    mline *l = CONTAINER(n, mline, by_claim);
    if (strcmp(l->claim_id, claim_id)) break;
    line_unlink(st, l);
    l->gone = old;
    old = l;
  }
  for (mline *l = fresh; l; l = l->next)
    line_link(st, l);
  log_push(st, T_LINES, old, fresh);
  return CPOR_OK;
}

/* ---- exclusive keys --------------------------------------------------------------- */

static const void *key_key(const void *v, size_t *len) {
  const mkey *k = v;
  *len = k->len;
  return k->key;
}
static const void *keyset_key(const void *v, size_t *len) {
  const mkeyset *s = v;
  *len = s->claimlen;
  return s->claim_id;
}

static int cmp_keyset(const cpor__tnode *a, const cpor__tnode *b) {
  return cmp_str(CONTAINER(a, mkeyset, by_claim)->claim_id,
                 CONTAINER(b, mkeyset, by_claim)->claim_id);
}

static void keyset_link(mstore *st, mkeyset *s) {
  for (size_t i = 0; i < s->count; i++)
    cpor__hmap_insert(&st->keys, &s->keys[i]);
  cpor__hmap_insert(&st->keysets, s);
  cpor__treap_insert(&st->keyset_claim, &s->by_claim);
}
static void keyset_unlink(mstore *st, mkeyset *s) {
  for (size_t i = 0; i < s->count; i++)
    cpor__hmap_remove(&st->keys, &s->keys[i]);
  cpor__hmap_remove(&st->keysets, s);
  cpor__treap_remove(&st->keyset_claim, &s->by_claim);
}

/* One allocation: the header, the entries, the claim ID and the keys. */
static mkeyset *keyset_new(mstore *st, const char *claim_id, const char *const *keys,
                           size_t count) {
  size_t cn = strlen(claim_id), size = sizeof(mkeyset) + cn + 1;
  if (count > (SIZE_MAX / 2 - size) / (sizeof(mkey) + ID_MAX + 1)) return NULL;
  size += count * sizeof(mkey);
  for (size_t i = 0; i < count; i++)
    size += strlen(keys[i]) + 1;
  mkeyset *s = alloc(st, size);
  if (!s) return NULL;
  memset(&s->by_claim, 0, sizeof s->by_claim);
  char *p = (char *)&s->keys[count];
  s->claim_id = memcpy(p, claim_id, cn + 1);
  s->claimlen = cn;
  s->count = count;
  p += cn + 1;
  for (size_t i = 0; i < count; i++) {
    size_t n = strlen(keys[i]);
    s->keys[i] = (mkey){s, memcpy(p, keys[i], n + 1), n};
    p += n + 1;
  }
  return s;
}

static int m_keys_replace(void *self, const char *claim_id, const char *const *keys, size_t count) {
  mstore *st = self;
  int rc = enter(st);
  if (rc) return rc;
  if (!id_ok(claim_id) || (count && !keys))
    return fail(st, CPOR_EINVAL, "keys_replace: bad claim id or keys");
  for (size_t i = 0; i < count; i++)
    if (!id_ok(keys[i]))
      return fail(st, CPOR_EINVAL, "keys_replace: key %zu is not 1-255 bytes", i);
  mkeyset *old = cpor__hmap_get(&st->keysets, claim_id, strlen(claim_id));
  mkeyset *fresh = NULL;
  if (log_reserve(st) || cpor__hmap_reserve(&st->keys, count) ||
      cpor__hmap_reserve(&st->keysets, 1))
    return oom(st);
  if (count && !(fresh = keyset_new(st, claim_id, keys, count))) return oom(st);
  /* Each new key must be free or held by this claim: checked against the
   * map without the old keys, one key at a time as it is linked, which also
   * finds a key given twice. A refusal puts everything back. */
  if (old) keyset_unlink(st, old);
  for (size_t i = 0; fresh && i < fresh->count; i++) {
    const mkey *k = &fresh->keys[i];
    const mkey *held = cpor__hmap_get(&st->keys, k->key, k->len);
    if (held) {
      rc = held->set == fresh
               ? fail(st, CPOR_EINVAL, "keys_replace: key %s given twice", k->key)
               : fail(st, CPOR_EEXISTS, "key %s is held by claim %s", k->key, held->set->claim_id);
      for (size_t j = 0; j < i; j++)
        cpor__hmap_remove(&st->keys, &fresh->keys[j]);
      free(fresh);
      if (old) keyset_link(st, old);
      return rc;
    }
    cpor__hmap_insert(&st->keys, &fresh->keys[i]);
  }
  if (fresh) {
    cpor__hmap_insert(&st->keysets, fresh);
    cpor__treap_insert(&st->keyset_claim, &fresh->by_claim);
  }
  log_push(st, T_KEYS, old, fresh);
  return CPOR_OK;
}

/* ---- deadlines -------------------------------------------------------------------- */

static int cmp_deadline(const cpor__tnode *a, const cpor__tnode *b) {
  const mdeadline *x = CONTAINER(a, mdeadline, by_due), *y = CONTAINER(b, mdeadline, by_due);
  int c = cmp_u(x->kind, y->kind);
  if (!c) c = cmp_i(x->due, y->due);
  return c ? c : cmp_str(x->claim_id, y->claim_id);
}
static const void *deadline_key(const void *v, size_t *len) {
  const mdeadline *d = v;
  *len = d->keylen;
  return d->key;
}

static void deadline_link(mstore *st, mdeadline *d) {
  cpor__hmap_insert(&st->deadlines, d);
  cpor__treap_insert(&st->deadline_due, &d->by_due);
}
static void deadline_unlink(mstore *st, mdeadline *d) {
  cpor__hmap_remove(&st->deadlines, d);
  cpor__treap_remove(&st->deadline_due, &d->by_due);
}

static mdeadline *deadline_lookup(mstore *st, const char *claim_id, uint32_t kind) {
  char key[4 + ID_MAX];
  size_t n = strlen(claim_id);
  put_kind(key, kind);
  memcpy(key + 4, claim_id, n);
  return cpor__hmap_get(&st->deadlines, key, 4 + n);
}

static int deadline_kind_ok(uint32_t kind) {
  return kind >= CPOR_DEADLINE_OPTOUT && kind <= CPOR_DEADLINE_SLA;
}

static int m_deadline_set(void *self, const char *claim_id, uint32_t kind, cpor_time due) {
  mstore *st = self;
  int rc = enter(st);
  if (rc) return rc;
  if (!id_ok(claim_id) || !deadline_kind_ok(kind))
    return fail(st, CPOR_EINVAL, "deadline_set: bad claim id or kind");
  mdeadline *old = deadline_lookup(st, claim_id, kind);
  if (log_reserve(st) || cpor__hmap_reserve(&st->deadlines, 1)) return oom(st);
  size_t n = strlen(claim_id);
  mdeadline *d = alloc(st, sizeof *d + 4 + n + 1);
  if (!d) return oom(st);
  memset(d, 0, sizeof *d);
  d->kind = kind;
  d->due = due;
  d->keylen = 4 + n;
  put_kind(d->key, kind);
  d->claim_id = memcpy(d->key + 4, claim_id, n + 1);
  if (old) deadline_unlink(st, old);
  deadline_link(st, d);
  log_push(st, T_DEADLINE, old, d);
  return CPOR_OK;
}

static int m_deadline_clear(void *self, const char *claim_id, uint32_t kind) {
  mstore *st = self;
  int rc = enter(st);
  if (rc) return rc;
  if (!id_ok(claim_id) || !deadline_kind_ok(kind))
    return fail(st, CPOR_EINVAL, "deadline_clear: bad claim id or kind");
  mdeadline *old = deadline_lookup(st, claim_id, kind);
  if (!old) return CPOR_OK;
  if (log_reserve(st)) return oom(st);
  deadline_unlink(st, old);
  log_push(st, T_DEADLINE, old, NULL);
  return CPOR_OK;
}

/* ---- events ----------------------------------------------------------------------- */

static int cmp_event(const cpor__tnode *a, const cpor__tnode *b) {
  const mevent *x = CONTAINER(a, mevent, by_seq), *y = CONTAINER(b, mevent, by_seq);
  int c = cmp_str(x->claim_id, y->claim_id);
  return c ? c : cmp_u(x->seq, y->seq);
}

static int m_event_append(void *self, const char *claim_id, uint32_t seq, const void *data,
                          size_t len) {
  mstore *st = self;
  int rc = enter(st);
  if (rc) return rc;
  if (!id_ok(claim_id) || (!data && len))
    return fail(st, CPOR_EINVAL, "event_append: bad claim id or data");
  if (log_reserve(st)) return oom(st);
  size_t n = strlen(claim_id) + 1;
  if (len > SIZE_MAX / 2) return oom(st); /* the size below would overflow */
  mevent *e = alloc(st, sizeof *e + n + len);
  if (!e) return oom(st);
  memset(e, 0, sizeof *e);
  e->seq = seq;
  e->len = len;
  e->claim_id = memcpy(e->buf, claim_id, n);
  if (len) memcpy(e->buf + n, data, len);
  e->data = (unsigned char *)e->buf + n;
  if (cpor__treap_insert(&st->events, &e->by_seq)) {
    free(e);
    return fail(st, CPOR_EEXISTS, "event %s/%u exists", claim_id, (unsigned)seq);
  }
  log_push(st, T_EVENT, NULL, e);
  return CPOR_OK;
}

/* ---- counters and change rows (version 4) ------------------------------------------ */

static int m_counter_next(void *self, const char *name, uint64_t count, uint64_t *first) {
  mstore *st = self;
  int rc = enter(st);
  if (rc) return rc;
  size_t n = name ? strnlen(name, COUNTER_NAME_MAX + 1) : 0;
  if (n < 1 || n > COUNTER_NAME_MAX || count < 1 || !first)
    return fail(st, CPOR_EINVAL, "counter_next: bad name, count or output");
  size_t i = 0;
  while (i < st->ncounters && strcmp(st->counters[i].name, name))
    i++;
  if (i == COUNTERS_MAX) return fail(st, CPOR_EINVAL, "counter_next: too many counters");
  uint64_t old = i < st->ncounters ? st->counters[i].value : 0;
  if (count > UINT64_MAX - old) return fail(st, CPOR_ERANGE, "counter_next: %s overflows", name);
  if (log_reserve(st)) return oom(st);
  mcounter_undo *u = alloc(st, sizeof *u);
  if (!u) return oom(st);
  *u = (mcounter_undo){i, old, i == st->ncounters};
  if (u->created) {
    memcpy(st->counters[i].name, name, n + 1);
    st->ncounters++;
  }
  st->counters[i].value = old + count;
  log_push(st, T_COUNTER, u, NULL);
  *first = old + 1;
  return CPOR_OK;
}

static int cmp_change(const cpor__tnode *a, const cpor__tnode *b) {
  return cmp_u(CONTAINER(a, mchange, by_change)->change, CONTAINER(b, mchange, by_change)->change);
}

static int m_change_append(void *self, uint64_t change, const char *claim_id, uint32_t seq,
                           int32_t state) {
  mstore *st = self;
  int rc = enter(st);
  if (rc) return rc;
  if (!id_ok(claim_id) || change == 0)
    return fail(st, CPOR_EINVAL, "change_append: bad change number or claim id");
  if (log_reserve(st)) return oom(st);
  size_t n = strlen(claim_id) + 1;
  mchange *c = alloc(st, sizeof *c + n);
  if (!c) return oom(st);
  memset(c, 0, sizeof *c);
  c->change = change;
  c->seq = seq;
  c->state = state;
  memcpy(c->claim_id, claim_id, n);
  if (cpor__treap_insert(&st->changes, &c->by_change)) {
    free(c);
    return fail(st, CPOR_EEXISTS, "change %llu exists", (unsigned long long)change);
  }
  log_push(st, T_CHANGE, NULL, c);
  return CPOR_OK;
}

/* ---- cursors ---------------------------------------------------------------------- */

/* A query and the position after the last row returned: its key, copied
 * (last, line, due, seq), re-sought at every cursor_next. */
typedef struct mcursor {
  uint32_t what, kind, by;
  int32_t state;
  cpor_time upto;
  int strict; /* seek past the position (0 only before the first row) */
  int done;
  uint32_t line, seq;
  cpor_time due;
  uint64_t change;
  char key[ID_MAX + 1];     /* the query's key */
  char last[ID_MAX + 1];    /* the last id or claim ID returned */
  int all;                  /* version 4: LINES / EVENTS / KEYS over every claim (key NULL) */
  char lastkey[ID_MAX + 1]; /* KEYS: the last key returned */
} mcursor;

static int m_cursor_open(void *self, const cpor_store_query *q, void **cursor) {
  mstore *st = self;
  if (cursor) *cursor = NULL;
  int rc = enter(st);
  if (rc) return rc;
  if (!q || !cursor) return fail(st, CPOR_EINVAL, "cursor_open: no query");
  /* Version 4: LINES and EVENTS without a key walk every row; KEYS takes an
   * optional claim ID. */
  int all = (q->what == CPOR_STORE_CURSOR_LINES || q->what == CPOR_STORE_CURSOR_EVENTS ||
             q->what == CPOR_STORE_CURSOR_KEYS) &&
            !q->key;
  int needs_key =
      !all && (q->what == CPOR_STORE_CURSOR_LINES || q->what == CPOR_STORE_CURSOR_EVENTS ||
               q->what == CPOR_STORE_CURSOR_KEYS);
  switch (q->what) {
  case CPOR_STORE_CURSOR_OBJECTS:
    if (q->by < CPOR_STORE_BY_KIND || q->by > CPOR_STORE_BY_STATE)
      return fail(st, CPOR_EINVAL, "cursor_open: unknown object selector %u", (unsigned)q->by);
    needs_key = q->by == CPOR_STORE_BY_OWNER || q->by == CPOR_STORE_BY_REF;
    if (q->after && id_len(q->after) > ID_MAX)
      return fail(st, CPOR_EINVAL, "cursor_open: after is longer than an id");
    break;
  case CPOR_STORE_CURSOR_LINES:
  case CPOR_STORE_CURSOR_EVENTS:
  case CPOR_STORE_CURSOR_DEADLINES:
  case CPOR_STORE_CURSOR_CHANGES:
  case CPOR_STORE_CURSOR_KEYS:
    break;
  default:
    return fail(st, CPOR_EINVAL, "cursor_open: unknown query %u", (unsigned)q->what);
  }
  if (needs_key && !id_ok(q->key)) return fail(st, CPOR_EINVAL, "cursor_open: bad key");
  mcursor *c = alloc(st, sizeof *c);
  if (!c) return oom(st);
  memset(c, 0, sizeof *c);
  c->what = q->what;
  c->kind = q->kind;
  c->by = q->by;
  c->state = q->state;
  c->upto = q->upto;
  c->all = all;
  if (needs_key) strcpy(c->key, q->key);
  switch (q->what) {
  case CPOR_STORE_CURSOR_OBJECTS:
    if (q->after) strcpy(c->last, q->after), c->strict = 1; /* "" sorts before every id */
    break;
  case CPOR_STORE_CURSOR_DEADLINES:
    c->due = INT64_MIN;
    break;
  case CPOR_STORE_CURSOR_EVENTS:
    if (!all) c->seq = q->after_seq, c->strict = 1;
    break;
  case CPOR_STORE_CURSOR_CHANGES:
    c->change = q->after_change, c->strict = 1;
    break;
  }
  *cursor = c;
  return CPOR_OK;
}

/* ---- version 4: the audit cursors (KEYS, every LINE, every EVENT) ---- */

/* The claim ID a row of claim_id reports: NULL when no claim object holds
 * it (a store edited by hand), as the vtable asks. */
static const char *held_claim(mstore *st, const char *claim_id) {
  return obj_lookup(st, CPOR_STORE_CLAIM, claim_id) ? claim_id : NULL;
}

static int next_line_all(mstore *st, mcursor *c, cpor_store_row *row) {
  mline pb = {.claim_id = c->last, .line = c->line};
  cpor__tnode *n = cpor__treap_seek(&st->line_claim, &pb.by_claim, c->strict);
  if (!n) return 0;
  const mline *l = CONTAINER(n, mline, by_claim);
  strcpy(c->last, l->claim_id);
  c->line = l->line;
  row->line =
      (cpor_store_line){held_claim(st, l->claim_id), l->line, l->unit, l->partner_id, l->status};
  row->claim_id = row->line.claim_id;
  return 1;
}

static int next_event_all(mstore *st, mcursor *c, cpor_store_row *row) {
  mevent pb = {.seq = c->seq, .claim_id = c->last};
  cpor__tnode *n = cpor__treap_seek(&st->events, &pb.by_seq, c->strict);
  if (!n) return 0;
  const mevent *e = CONTAINER(n, mevent, by_seq);
  strcpy(c->last, e->claim_id);
  c->seq = e->seq;
  row->claim_id = held_claim(st, e->claim_id);
  row->seq = e->seq;
  row->data = e->data;
  row->len = e->len;
  return 1;
}

/* The smallest key of s greater than after (NULL: the smallest), or NULL. A
 * keyset holds a claim's few keys in the order they were given. */
static const mkey *key_after(const mkeyset *s, const char *after) {
  const mkey *best = NULL;
  for (size_t i = 0; i < s->count; i++) {
    const mkey *k = &s->keys[i];
    if (after && strcmp(k->key, after) <= 0) continue;
    if (!best || strcmp(k->key, best->key) < 0) best = k;
  }
  return best;
}

static int next_key(mstore *st, mcursor *c, cpor_store_row *row) {
  const mkeyset *s;
  const mkey *k = NULL;
  if (!c->all) {
    s = cpor__hmap_get(&st->keysets, c->key, strlen(c->key));
    if (!s || !(k = key_after(s, c->strict ? c->lastkey : NULL))) return 0;
  } else {
    mkeyset probe = {.claim_id = c->last};
    cpor__tnode *n = cpor__treap_seek(&st->keyset_claim, &probe.by_claim, 0);
    s = n ? CONTAINER(n, mkeyset, by_claim) : NULL;
    if (s && c->strict && !strcmp(s->claim_id, c->last)) {
      if (!(k = key_after(s, c->lastkey))) {
        n = cpor__treap_seek(&st->keyset_claim, &probe.by_claim, 1);
        s = n ? CONTAINER(n, mkeyset, by_claim) : NULL;
      }
    }
    if (!s) return 0;
    if (!k) k = key_after(s, NULL);
    if (!k) return 0; /* keysets are never empty */
    strcpy(c->last, s->claim_id);
  }
  strcpy(c->lastkey, k->key);
  row->claim_id = c->all ? held_claim(st, s->claim_id) : s->claim_id;
  row->key = k->key;
  return 1;
}

static int next_object(mstore *st, mcursor *c, cpor_store_row *row) {
  static const size_t offs[] = {offsetof(mobj, by_id), offsetof(mobj, by_owner),
                                offsetof(mobj, by_ref), offsetof(mobj, by_state)};
  cpor__treap *trees[] = {&st->obj_id, &st->obj_owner, &st->obj_ref, &st->obj_state};
  size_t off = offs[c->by - 1];
  mobj pb = {.kind = c->kind, .id = c->last, .owner = c->key, .ref = c->key, .state = c->state};
  cpor__tnode *n =
      cpor__treap_seek(trees[c->by - 1], (cpor__tnode *)((char *)&pb + off), c->strict);
  if (!n) return 0;
  const mobj *o = (const mobj *)(const void *)((const char *)n - off);
  if (o->kind != c->kind) return 0;
  if (c->by == CPOR_STORE_BY_OWNER && strcmp(o->owner, c->key)) return 0;
  if (c->by == CPOR_STORE_BY_REF && strcmp(o->ref, c->key)) return 0;
  if (c->by == CPOR_STORE_BY_STATE && o->state != c->state) return 0;
  strcpy(c->last, o->id);
  row->object = obj_view(o);
  return 1;
}

static int next_line(mstore *st, mcursor *c, cpor_store_row *row) {
  if (c->all) return next_line_all(st, c, row);
  mline pb = {.unit = c->key, .claim_id = c->last, .line = c->line};
  cpor__tnode *n = cpor__treap_seek(&st->line_unit, &pb.by_unit, c->strict);
  const mline *l = n ? CONTAINER(n, mline, by_unit) : NULL;
  if (!l || strcmp(l->unit, c->key)) return 0;
  strcpy(c->last, l->claim_id);
  c->line = l->line;
  row->line = (cpor_store_line){l->claim_id, l->line, l->unit, l->partner_id, l->status};
  return 1;
}

static int next_deadline(mstore *st, mcursor *c, cpor_store_row *row) {
  mdeadline pb = {.kind = c->kind, .due = c->due, .claim_id = c->last};
  cpor__tnode *n = cpor__treap_seek(&st->deadline_due, &pb.by_due, c->strict);
  const mdeadline *d = n ? CONTAINER(n, mdeadline, by_due) : NULL;
  if (!d || d->kind != c->kind || d->due > c->upto) return 0;
  strcpy(c->last, d->claim_id);
  c->due = d->due;
  row->claim_id = d->claim_id;
  row->deadline_kind = d->kind;
  row->due = d->due;
  return 1;
}

static int next_event(mstore *st, mcursor *c, cpor_store_row *row) {
  if (c->all) return next_event_all(st, c, row);
  mevent pb = {.seq = c->seq, .claim_id = c->key};
  cpor__tnode *n = cpor__treap_seek(&st->events, &pb.by_seq, c->strict);
  const mevent *e = n ? CONTAINER(n, mevent, by_seq) : NULL;
  if (!e || strcmp(e->claim_id, c->key)) return 0;
  c->seq = e->seq;
  row->claim_id = e->claim_id;
  row->seq = e->seq;
  row->data = e->data;
  row->len = e->len;
  return 1;
}

static int next_change(mstore *st, mcursor *c, cpor_store_row *row) {
  mchange pb = {.change = c->change};
  cpor__tnode *n = cpor__treap_seek(&st->changes, &pb.by_change, c->strict);
  const mchange *ch = n ? CONTAINER(n, mchange, by_change) : NULL;
  if (!ch) return 0;
  c->change = ch->change;
  row->change = ch->change;
  row->claim_id = ch->claim_id;
  row->seq = ch->seq;
  row->object.state = ch->state;
  return 1;
}

static int m_cursor_next(void *self, void *cursor, cpor_store_row *row) {
  mstore *st = self;
  int rc = enter(st);
  if (rc) return rc;
  mcursor *c = cursor;
  if (!c || !row) return fail(st, CPOR_EINVAL, "cursor_next: no cursor or row");
  if (c->done) return 0;
  switch (c->what) {
  case CPOR_STORE_CURSOR_OBJECTS:
    rc = next_object(st, c, row);
    break;
  case CPOR_STORE_CURSOR_LINES:
    rc = next_line(st, c, row);
    break;
  case CPOR_STORE_CURSOR_DEADLINES:
    rc = next_deadline(st, c, row);
    break;
  case CPOR_STORE_CURSOR_CHANGES:
    rc = next_change(st, c, row);
    break;
  case CPOR_STORE_CURSOR_KEYS:
    rc = next_key(st, c, row);
    break;
  default:
    rc = next_event(st, c, row);
    break;
  }
  c->strict = 1;
  c->done = !rc;
  return rc;
}

static void m_cursor_close(void *self, void *cursor) {
  (void)self;
  free(cursor);
}

/* ---- transactions ----------------------------------------------------------------- */

static void undo_one(mstore *st, const undo *u) {
  switch (u->table) {
  case T_OBJ:
    if (u->new_) obj_unlink(st, u->new_);
    free(u->new_);
    if (u->old) obj_link(st, u->old);
    break;
  case T_LINES:
    for (mline *l = u->new_; l; l = l->next)
      line_unlink(st, l);
    free_lines(u->new_);
    for (mline *l = u->old; l; l = l->gone)
      line_link(st, l);
    break;
  case T_KEYS:
    if (u->new_) keyset_unlink(st, u->new_);
    free(u->new_);
    if (u->old) keyset_link(st, u->old);
    break;
  case T_DEADLINE:
    if (u->new_) deadline_unlink(st, u->new_);
    free(u->new_);
    if (u->old) deadline_link(st, u->old);
    break;
  case T_EVENT:
    cpor__treap_remove(&st->events, &((mevent *)u->new_)->by_seq);
    free(u->new_);
    break;
  case T_CHANGE:
    cpor__treap_remove(&st->changes, &((mchange *)u->new_)->by_change);
    free(u->new_);
    break;
  case T_COUNTER: {
    mcounter_undo *cu = u->old;
    st->counters[cu->index].value = cu->value;
    if (cu->created) st->ncounters--;
    free(cu);
    break;
  }
  }
}

static int m_begin(void *self, int write) {
  mstore *st = self;
  (void)write;
  if (!st) return CPOR_EINVAL;
  st->err[0] = '\0';
  if (st->in_txn) return fail(st, CPOR_ESTORAGE, "a transaction is open already");
  st->in_txn = 1;
  st->in_sp = 0;
  st->nlog = 0;
  return CPOR_OK;
}

static int m_commit(void *self) {
  mstore *st = self;
  int rc = enter(st);
  if (rc) return rc;
  for (size_t i = 0; i < st->nlog; i++) {
    if (st->log[i].table == T_LINES)
      free_gone(st->log[i].old);
    else
      free(st->log[i].old);
  }
  st->nlog = 0;
  st->in_txn = 0;
  return CPOR_OK;
}

static int m_rollback(void *self) {
  mstore *st = self;
  int rc = enter(st);
  if (rc) return rc;
  /* Newest first: each step restores the state its mutation started from,
   * whose hash tables had room for every row relinked here. */
  while (st->nlog)
    undo_one(st, &st->log[--st->nlog]);
  st->in_txn = 0;
  return CPOR_OK;
}

static int m_savepoint(void *self) {
  mstore *st = self;
  int rc = enter(st);
  if (rc) return rc;
  if (st->in_sp) return fail(st, CPOR_ESTORAGE, "a savepoint is open already");
  st->mark = st->nlog;
  st->in_sp = 1;
  return CPOR_OK;
}

static int m_release(void *self) {
  mstore *st = self;
  int rc = enter(st);
  if (rc) return rc;
  if (!st->in_sp) return fail(st, CPOR_ESTORAGE, "no savepoint is open");
  st->in_sp = 0;
  return CPOR_OK;
}

static int m_rollback_to(void *self) {
  mstore *st = self;
  int rc = enter(st);
  if (rc) return rc;
  if (!st->in_sp) return fail(st, CPOR_ESTORAGE, "no savepoint is open");
  while (st->nlog > st->mark)
    undo_one(st, &st->log[--st->nlog]);
  st->in_sp = 0;
  return CPOR_OK;
}

/* ---- lifetime --------------------------------------------------------------------- */

static const char *m_errmsg(void *self) {
  mstore *st = self;
  return st && st->err[0] ? st->err : NULL;
}

/* Frees every row of a tree, children first (the nodes are inside them). */
static void free_tree(cpor__tnode *n, size_t off) {
  if (!n) return;
  free_tree(n->child[0], off);
  free_tree(n->child[1], off);
  free((char *)n - off);
}

static void m_close(void *self) {
  mstore *st = self;
  if (!st) return;
  if (st->in_txn) m_rollback(st);
  free_tree(st->obj_id.root, offsetof(mobj, by_id));
  free_tree(st->line_claim.root, offsetof(mline, by_claim));
  free_tree(st->deadline_due.root, offsetof(mdeadline, by_due));
  free_tree(st->events.root, offsetof(mevent, by_seq));
  free_tree(st->changes.root, offsetof(mchange, by_change));
  for (size_t i = 0; i < st->keysets.cap; i++)
    free(st->keysets.slots[i].value);
  cpor__hmap_fini(&st->objs);
  cpor__hmap_fini(&st->keys);
  cpor__hmap_fini(&st->keysets);
  cpor__hmap_fini(&st->deadlines);
  free(st->log);
  free(st);
}

void cpor__memory_set_alloc_budget(void *self, long n) {
  if (self) ((mstore *)self)->budget = n < 0 ? -1 : n;
}

static const cpor_storage_methods memory_methods = {
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
};

int cpor__memory_backend(const cpor_storage_methods **methods, void **self) {
  if (!methods || !self) return CPOR_EINVAL;
  mstore *st = calloc(1, sizeof *st);
  if (!st) return CPOR_ENOMEM;
  cpor__hmap_init(&st->objs, obj_key);
  cpor__hmap_init(&st->keys, key_key);
  cpor__hmap_init(&st->keysets, keyset_key);
  cpor__hmap_init(&st->deadlines, deadline_key);
  cpor__treap_init(&st->obj_id, cmp_obj_id);
  cpor__treap_init(&st->obj_owner, cmp_obj_owner);
  cpor__treap_init(&st->obj_ref, cmp_obj_ref);
  cpor__treap_init(&st->obj_state, cmp_obj_state);
  cpor__treap_init(&st->line_unit, cmp_line_unit);
  cpor__treap_init(&st->line_claim, cmp_line_claim);
  cpor__treap_init(&st->deadline_due, cmp_deadline);
  cpor__treap_init(&st->events, cmp_event);
  cpor__treap_init(&st->changes, cmp_change);
  cpor__treap_init(&st->keyset_claim, cmp_keyset);
  st->budget = -1;
  *methods = &memory_methods;
  *self = st;
  return CPOR_OK;
}
