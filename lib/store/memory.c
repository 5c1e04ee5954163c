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
 * commit frees the old ones. Pointers handed to callbacks therefore stay
 * valid until commit, even when the callback writes. Scans re-seek from a
 * copy of the last key after each callback, so a callback may also write. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpor/model.h"
#include "store/hashmap.h"
#include "store/memory.h"
#include "store/ordered.h"
#include "store/storage.h"

#define ID_MAX 255 /* object ids and claim ids: 1-255 bytes */
#define CONTAINER(ptr, type, member) ((type *)(void *)((char *)(ptr)-offsetof(type, member)))

typedef struct mobj {
  cpor__tnode by_id, by_owner, by_ref, by_state;
  uint32_t kind;
  int32_t state;
  const char *id;          /* the primary key, inside key[] */
  const char *owner, *ref; /* NULL or inside key[] */
  const unsigned char *data;
  size_t len, keylen;
  char key[]; /* kind (4 bytes, big-endian), id, NUL, owner, NUL, ref, NUL, data */
} mobj;

typedef struct mline {
  cpor__tnode by_unit, by_claim;
  struct mline *next; /* the rows one lines_replace added or removed */
  uint32_t line;
  int32_t status;
  const char *unit, *claim_id, *partner_id;
  size_t ukeylen;
  char ukey[]; /* status (1 byte), unit, NUL, claim_id, NUL, partner_id, NUL */
} mline;

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

enum { T_OBJ, T_LINES, T_DEADLINE, T_EVENT };

/* One mutation: old rows to relink on rollback (freed on commit), new rows
 * to unlink and free on rollback. Lines use mline.next lists. */
typedef struct undo {
  int table;
  void *old, *new_;
} undo;

typedef struct mstore {
  cpor__hmap objs;
  cpor__treap obj_id, obj_owner, obj_ref, obj_state;
  cpor__treap line_unit, line_claim;
  cpor__hmap line_unique; /* (status, unit) -> the APPROVED/ASSOCIATED row */
  cpor__hmap deadlines;
  cpor__treap deadline_due;
  cpor__treap events;
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

static const char *obj_id(const mobj *o) {
  return o->id;
}

static int cmp_obj_id(const cpor__tnode *a, const cpor__tnode *b) {
  const mobj *x = CONTAINER(a, mobj, by_id), *y = CONTAINER(b, mobj, by_id);
  int c = cmp_u(x->kind, y->kind);
  return c ? c : cmp_str(obj_id(x), obj_id(y));
}
static int cmp_obj_owner(const cpor__tnode *a, const cpor__tnode *b) {
  const mobj *x = CONTAINER(a, mobj, by_owner), *y = CONTAINER(b, mobj, by_owner);
  int c = cmp_u(x->kind, y->kind);
  if (!c) c = cmp_str(x->owner, y->owner);
  return c ? c : cmp_str(obj_id(x), obj_id(y));
}
static int cmp_obj_ref(const cpor__tnode *a, const cpor__tnode *b) {
  const mobj *x = CONTAINER(a, mobj, by_ref), *y = CONTAINER(b, mobj, by_ref);
  int c = cmp_u(x->kind, y->kind);
  if (!c) c = cmp_str(x->ref, y->ref);
  return c ? c : cmp_str(obj_id(x), obj_id(y));
}
static int cmp_obj_state(const cpor__tnode *a, const cpor__tnode *b) {
  const mobj *x = CONTAINER(a, mobj, by_state), *y = CONTAINER(b, mobj, by_state);
  int c = cmp_u(x->kind, y->kind);
  if (!c) c = cmp_i(x->state, y->state);
  return c ? c : cmp_str(obj_id(x), obj_id(y));
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

static mobj *obj_new(mstore *st, const cpor_store_object *in) {
  size_t idn = strlen(in->id), on = in->owner ? strlen(in->owner) + 1 : 0;
  size_t rn = in->ref ? strlen(in->ref) + 1 : 0;
  if (in->len > SIZE_MAX / 2 || on > SIZE_MAX / 4 || rn > SIZE_MAX / 4) return NULL; /* overflow */
  mobj *o = alloc(st, sizeof *o + 4 + idn + 1 + on + rn + in->len);
  if (!o) return NULL;
  memset(o, 0, sizeof *o);
  o->kind = in->kind;
  o->state = in->state;
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
  return (cpor_store_object){o->kind, obj_id(o), o->owner, o->ref, o->state, o->data, o->len};
}

static mobj *obj_lookup(mstore *st, uint32_t kind, const char *id) {
  char key[4 + ID_MAX];
  size_t n = strlen(id);
  put_kind(key, kind);
  memcpy(key + 4, id, n);
  return cpor__hmap_get(&st->objs, key, 4 + n);
}

static int m_object_get(void *self, uint32_t kind, const char *id, cpor_store_object_fn fn,
                        void *arg) {
  mstore *st = self;
  int rc = enter(st);
  if (rc) return rc;
  if (!id_ok(id) || !fn) return fail(st, CPOR_EINVAL, "object_get: bad id or callback");
  mobj *o = obj_lookup(st, kind, id);
  if (!o) return fail(st, CPOR_ENOTFOUND, "object %u/%s not found", (unsigned)kind, id);
  cpor_store_object view = obj_view(o);
  return fn(arg, &view);
}

static int m_object_put(void *self, const cpor_store_object *obj, uint32_t mode) {
  mstore *st = self;
  int rc = enter(st);
  if (rc) return rc;
  if (!obj || !id_ok(obj->id) || (!obj->data && obj->len) ||
      (mode != CPOR_STORE_INSERT && mode != CPOR_STORE_UPDATE))
    return fail(st, CPOR_EINVAL, "object_put: bad object or mode");
  mobj *old = obj_lookup(st, obj->kind, obj->id);
  if (old && mode == CPOR_STORE_INSERT)
    return fail(st, CPOR_EEXISTS, "object %u/%s exists", (unsigned)obj->kind, obj->id);
  if (!old && mode == CPOR_STORE_UPDATE)
    return fail(st, CPOR_ENOTFOUND, "object %u/%s not found", (unsigned)obj->kind, obj->id);
  if (log_reserve(st) || cpor__hmap_reserve(&st->objs, 1)) return oom(st);
  mobj *o = obj_new(st, obj);
  if (!o) return oom(st);
  if (old) obj_unlink(st, old);
  obj_link(st, o);
  log_push(st, T_OBJ, old, o);
  return CPOR_OK;
}

static int m_object_scan(void *self, const cpor_store_filter *f, cpor_store_object_fn fn,
                         void *arg) {
  mstore *st = self;
  int rc = enter(st);
  if (rc) return rc;
  if (!f || !fn || f->by < CPOR_STORE_BY_KIND || f->by > CPOR_STORE_BY_STATE ||
      ((f->by == CPOR_STORE_BY_OWNER || f->by == CPOR_STORE_BY_REF) && !f->key))
    return fail(st, CPOR_EINVAL, "object_scan: bad filter");
  static const size_t offs[] = {offsetof(mobj, by_id), offsetof(mobj, by_owner),
                                offsetof(mobj, by_ref), offsetof(mobj, by_state)};
  cpor__treap *trees[] = {&st->obj_id, &st->obj_owner, &st->obj_ref, &st->obj_state};
  size_t off = offs[f->by - 1];
  cpor__treap *t = trees[f->by - 1];
  /* The probe starts before every id ("" < any id) and then holds a copy of
   * the last visited id, which stays valid whatever the callback does. */
  char last[ID_MAX + 1] = "";
  mobj pb = {.kind = f->kind, .id = last, .owner = f->key, .ref = f->key, .state = f->state};
  int strict = 0;
  for (;;) {
    cpor__tnode *n = cpor__treap_seek(t, (cpor__tnode *)((char *)&pb + off), strict);
    if (!n) return CPOR_OK;
    const mobj *o = (const mobj *)(const void *)((const char *)n - off);
    if (o->kind != f->kind) return CPOR_OK;
    if (f->by == CPOR_STORE_BY_OWNER && strcmp(o->owner, f->key)) return CPOR_OK;
    if (f->by == CPOR_STORE_BY_REF && strcmp(o->ref, f->key)) return CPOR_OK;
    if (f->by == CPOR_STORE_BY_STATE && o->state != f->state) return CPOR_OK;
    strcpy(last, obj_id(o));
    cpor_store_object view = obj_view(o);
    rc = fn(arg, &view);
    if (rc) return rc;
    strict = 1;
  }
}

/* ---- lines ------------------------------------------------------------------------ */

static const char *line_unit(const mline *l) {
  return l->unit;
}
static int line_special(int32_t status) {
  return status == CPOR_STATE_APPROVED || status == CPOR_STATE_ASSOCIATED;
}

static int cmp_line_unit(const cpor__tnode *a, const cpor__tnode *b) {
  const mline *x = CONTAINER(a, mline, by_unit), *y = CONTAINER(b, mline, by_unit);
  int c = cmp_str(line_unit(x), line_unit(y));
  if (!c) c = cmp_str(x->claim_id, y->claim_id);
  return c ? c : cmp_u(x->line, y->line);
}
static int cmp_line_claim(const cpor__tnode *a, const cpor__tnode *b) {
  const mline *x = CONTAINER(a, mline, by_claim), *y = CONTAINER(b, mline, by_claim);
  int c = cmp_str(x->claim_id, y->claim_id);
  return c ? c : cmp_u(x->line, y->line);
}
/* For checking the new rows among themselves: (status, unit) must be unique
 * for APPROVED/ASSOCIATED rows, (line) for all of them. */
static int cmp_line_ukey(const cpor__tnode *a, const cpor__tnode *b) {
  const mline *x = CONTAINER(a, mline, by_unit), *y = CONTAINER(b, mline, by_unit);
  int c = cmp_i(x->status, y->status);
  return c ? c : cmp_str(line_unit(x), line_unit(y));
}
static const void *line_key(const void *v, size_t *len) {
  const mline *l = v;
  *len = l->ukeylen;
  return l->ukey;
}

static void line_link(mstore *st, mline *l) {
  cpor__treap_insert(&st->line_unit, &l->by_unit);
  cpor__treap_insert(&st->line_claim, &l->by_claim);
  if (line_special(l->status)) cpor__hmap_insert(&st->line_unique, l);
}

static void line_unlink(mstore *st, mline *l) {
  cpor__treap_remove(&st->line_unit, &l->by_unit);
  cpor__treap_remove(&st->line_claim, &l->by_claim);
  if (line_special(l->status)) cpor__hmap_remove(&st->line_unique, l);
}

static void free_lines(mline *l) {
  while (l) {
    mline *next = l->next;
    free(l);
    l = next;
  }
}

static mline *line_new(mstore *st, const char *claim_id, const cpor_store_line *in) {
  size_t un = strlen(in->unit) + 1, cn = strlen(claim_id) + 1;
  size_t pn = in->partner_id ? strlen(in->partner_id) + 1 : 0;
  mline *l = alloc(st, sizeof *l + 1 + un + cn + pn);
  if (!l) return NULL;
  memset(l, 0, sizeof *l);
  l->line = in->line;
  l->status = in->status;
  l->ukey[0] = (char)in->status;
  l->ukeylen = un; /* status byte + unit without its NUL */
  char *p = l->ukey + 1;
  l->unit = memcpy(p, in->unit, un);
  l->claim_id = memcpy(p + un, claim_id, cn);
  if (in->partner_id) l->partner_id = memcpy(p + un + cn, in->partner_id, pn);
  return l;
}

/* Builds the new rows and checks them among themselves; NULL rc on success. */
static int lines_build(mstore *st, const char *claim_id, const cpor_store_line *lines, size_t count,
                       mline **out, size_t *nspecial) {
  cpor__treap by_line, by_ukey;
  cpor__treap_init(&by_line, cmp_line_claim);
  cpor__treap_init(&by_ukey, cmp_line_ukey);
  mline *head = NULL;
  *nspecial = 0;
  for (size_t i = 0; i < count; i++) {
    const cpor_store_line *in = &lines[i];
    if (!in->unit || (in->claim_id && strcmp(in->claim_id, claim_id))) {
      free_lines(head);
      return fail(st, CPOR_EINVAL, "lines_replace: row %zu has no unit or another claim", i);
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
    if (!line_special(l->status)) continue;
    if (cpor__treap_insert(&by_ukey, &l->by_unit)) {
      free_lines(head);
      return fail(st, CPOR_EEXISTS, "lines_replace: two rows of status %d on unit %s",
                  (int)in->status, in->unit);
    }
    (*nspecial)++;
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
  size_t nspecial;
  rc = lines_build(st, claim_id, lines, count, &fresh, &nspecial);
  if (rc) return rc;
  for (mline *l = fresh; l; l = l->next) {
    if (!line_special(l->status)) continue;
    const mline *held = cpor__hmap_get(&st->line_unique, l->ukey, l->ukeylen);
    if (held && strcmp(held->claim_id, claim_id)) {
      rc = fail(st, CPOR_EEXISTS, "unit %s already has a row of status %d (claim %s)", line_unit(l),
                (int)l->status, held->claim_id);
      free_lines(fresh);
      return rc;
    }
  }
  if (log_reserve(st) || cpor__hmap_reserve(&st->line_unique, nspecial)) {
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
    l->next = old;
    old = l;
  }
  for (mline *l = fresh; l; l = l->next)
    line_link(st, l);
  log_push(st, T_LINES, old, fresh);
  return CPOR_OK;
}

static int m_lines_by_unit(void *self, const char *unit, cpor_store_line_fn fn, void *arg) {
  mstore *st = self;
  int rc = enter(st);
  if (rc) return rc;
  if (!unit || !fn) return fail(st, CPOR_EINVAL, "lines_by_unit: bad unit or callback");
  char last[ID_MAX + 1] = "";
  mline pb = {.unit = unit, .claim_id = last};
  int strict = 0;
  for (;;) {
    cpor__tnode *n = cpor__treap_seek(&st->line_unit, &pb.by_unit, strict);
    const mline *l = n ? CONTAINER(n, mline, by_unit) : NULL;
    if (!l || strcmp(line_unit(l), unit)) break;
    strcpy(last, l->claim_id);
    pb.line = l->line;
    cpor_store_line view = {l->claim_id, l->line, line_unit(l), l->partner_id, l->status};
    rc = fn(arg, &view);
    if (rc) break;
    strict = 1;
  }
  return rc;
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

static int m_deadline_set(void *self, const char *claim_id, uint32_t kind, cpor_time due) {
  mstore *st = self;
  int rc = enter(st);
  if (rc) return rc;
  if (!id_ok(claim_id)) return fail(st, CPOR_EINVAL, "deadline_set: bad claim id");
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
  if (!id_ok(claim_id)) return fail(st, CPOR_EINVAL, "deadline_clear: bad claim id");
  mdeadline *old = deadline_lookup(st, claim_id, kind);
  if (!old) return CPOR_OK;
  if (log_reserve(st)) return oom(st);
  deadline_unlink(st, old);
  log_push(st, T_DEADLINE, old, NULL);
  return CPOR_OK;
}

static int m_deadline_scan(void *self, uint32_t kind, cpor_time upto, cpor_store_deadline_fn fn,
                           void *arg) {
  mstore *st = self;
  int rc = enter(st);
  if (rc) return rc;
  if (!fn) return fail(st, CPOR_EINVAL, "deadline_scan: no callback");
  char last[ID_MAX + 1] = "";
  mdeadline pb = {.kind = kind, .due = INT64_MIN, .claim_id = last};
  int strict = 0;
  for (;;) {
    cpor__tnode *n = cpor__treap_seek(&st->deadline_due, &pb.by_due, strict);
    const mdeadline *d = n ? CONTAINER(n, mdeadline, by_due) : NULL;
    if (!d || d->kind != kind || d->due > upto) return CPOR_OK;
    strcpy(last, d->claim_id);
    pb.due = d->due;
    rc = fn(arg, last, kind, pb.due);
    if (rc) return rc;
    strict = 1;
  }
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

static int m_event_scan(void *self, const char *claim_id, cpor_store_event_fn fn, void *arg) {
  mstore *st = self;
  int rc = enter(st);
  if (rc) return rc;
  if (!id_ok(claim_id) || !fn) return fail(st, CPOR_EINVAL, "event_scan: bad claim id");
  mevent pb = {.seq = 0, .claim_id = claim_id};
  int strict = 0;
  for (;;) {
    cpor__tnode *n = cpor__treap_seek(&st->events, &pb.by_seq, strict);
    const mevent *e = n ? CONTAINER(n, mevent, by_seq) : NULL;
    if (!e || strcmp(e->claim_id, claim_id)) return CPOR_OK;
    pb.seq = e->seq;
    rc = fn(arg, e->seq, e->data, e->len);
    if (rc) return rc;
    strict = 1;
  }
}

/* ---- transactions ----------------------------------------------------------------- */

static void undo_one(mstore *st, const undo *u) {
  switch (u->table) {
  case T_OBJ:
    obj_unlink(st, u->new_);
    free(u->new_);
    if (u->old) obj_link(st, u->old);
    break;
  case T_LINES:
    for (mline *l = u->new_; l; l = l->next)
      line_unlink(st, l);
    free_lines(u->new_);
    for (mline *l = u->old; l; l = l->next)
      line_link(st, l);
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
  }
}

static int m_begin(void *self, int write) {
  mstore *st = self;
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
      free_lines(st->log[i].old);
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
  cpor__hmap_fini(&st->objs);
  cpor__hmap_fini(&st->line_unique);
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
    .object_scan = m_object_scan,
    .lines_replace = m_lines_replace,
    .lines_by_unit = m_lines_by_unit,
    .deadline_set = m_deadline_set,
    .deadline_clear = m_deadline_clear,
    .deadline_scan = m_deadline_scan,
    .event_append = m_event_append,
    .event_scan = m_event_scan,
    .errmsg = m_errmsg,
    .close = m_close,
};

int cpor__memory_backend(const cpor_storage_methods **methods, void **self) {
  if (!methods || !self) return CPOR_EINVAL;
  mstore *st = calloc(1, sizeof *st);
  if (!st) return CPOR_ENOMEM;
  cpor__hmap_init(&st->objs, obj_key);
  cpor__hmap_init(&st->line_unique, line_key);
  cpor__hmap_init(&st->deadlines, deadline_key);
  cpor__treap_init(&st->obj_id, cmp_obj_id);
  cpor__treap_init(&st->obj_owner, cmp_obj_owner);
  cpor__treap_init(&st->obj_ref, cmp_obj_ref);
  cpor__treap_init(&st->obj_state, cmp_obj_state);
  cpor__treap_init(&st->line_unit, cmp_line_unit);
  cpor__treap_init(&st->line_claim, cmp_line_claim);
  cpor__treap_init(&st->deadline_due, cmp_deadline);
  cpor__treap_init(&st->events, cmp_event);
  st->budget = -1;
  *methods = &memory_methods;
  *self = st;
  return CPOR_OK;
}
