/* The example backend's tables: rows, sorted arrays of row pointers, and
 * the deep copy that transactions save (see tables.h). */
#include "tables.h"

#include <stdlib.h>
#include <string.h>

/* ---- rows ----------------------------------------------------------------------------- */

/* Copies of caller memory: NULL stays NULL; bytes get at least one byte. */
static char *copy_str(const char *s) {
  if (!s) return NULL;
  size_t n = strlen(s) + 1;
  char *p = malloc(n);
  if (p) memcpy(p, s, n);
  return p;
}

static void *copy_bytes(const void *data, size_t len) {
  void *p = malloc(len ? len : 1);
  if (p && len) memcpy(p, data, len);
  return p;
}

static int cmp_u32(uint32_t a, uint32_t b) {
  return (a > b) - (a < b);
}

static int cmp_time(cpor_time a, cpor_time b) {
  return (a > b) - (a < b);
}

/* strcmp compares bytes as unsigned char: the bytewise order asked for. */
int obj_cmp(const void *a, const void *b) {
  const obj_row *x = a, *y = b;
  int c = cmp_u32(x->kind, y->kind);
  return c ? c : strcmp(x->id, y->id);
}

void obj_free(void *row) {
  obj_row *r = row;
  if (!r) return;
  free(r->id), free(r->owner), free(r->ref), free(r->data);
  free(r);
}

obj_row *obj_new(const cpor_store_object *o, uint64_t revision) {
  obj_row *r = calloc(1, sizeof *r);
  if (!r) return NULL;
  r->kind = o->kind;
  r->state = o->state;
  r->revision = revision;
  r->len = o->len;
  r->id = copy_str(o->id);
  r->owner = copy_str(o->owner);
  r->ref = copy_str(o->ref);
  r->data = copy_bytes(o->data, o->len);
  if (!r->id || (o->owner && !r->owner) || (o->ref && !r->ref) || !r->data) {
    obj_free(r);
    return NULL;
  }
  return r;
}

cpor_store_object obj_view(const obj_row *r) {
  cpor_store_object o = {r->kind, r->id, r->owner, r->ref, r->state, r->revision, r->data, r->len};
  return o;
}

static void *obj_copy(const void *row) {
  cpor_store_object o = obj_view(row);
  return obj_new(&o, o.revision);
}

int line_cmp(const void *a, const void *b) {
  const line_row *x = a, *y = b;
  int c = strcmp(x->unit, y->unit);
  if (!c) c = strcmp(x->claim_id, y->claim_id);
  return c ? c : cmp_u32(x->line, y->line);
}

void line_free(void *row) {
  line_row *r = row;
  if (!r) return;
  free(r->claim_id), free(r->unit), free(r->partner_id);
  free(r);
}

line_row *line_new(const cpor_store_line *l) {
  line_row *r = calloc(1, sizeof *r);
  if (!r) return NULL;
  r->line = l->line;
  r->status = l->status;
  r->claim_id = copy_str(l->claim_id);
  r->unit = copy_str(l->unit);
  r->partner_id = copy_str(l->partner_id);
  if (!r->claim_id || !r->unit || (l->partner_id && !r->partner_id)) {
    line_free(r);
    return NULL;
  }
  return r;
}

cpor_store_line line_view(const line_row *r) {
  cpor_store_line l = {r->claim_id, r->line, r->unit, r->partner_id, r->status};
  return l;
}

static void *line_copy(const void *row) {
  cpor_store_line l = line_view(row);
  return line_new(&l);
}

int key_cmp(const void *a, const void *b) {
  const key_row *x = a, *y = b;
  return strcmp(x->key, y->key);
}

void key_free(void *row) {
  key_row *r = row;
  if (!r) return;
  free(r->key), free(r->claim_id);
  free(r);
}

key_row *key_new(const char *key, const char *claim_id) {
  key_row *r = calloc(1, sizeof *r);
  if (!r) return NULL;
  r->key = copy_str(key);
  r->claim_id = copy_str(claim_id);
  if (!r->key || !r->claim_id) {
    key_free(r);
    return NULL;
  }
  return r;
}

static void *key_copy(const void *row) {
  const key_row *r = row;
  return key_new(r->key, r->claim_id);
}

int deadline_cmp(const void *a, const void *b) {
  const deadline_row *x = a, *y = b;
  int c = cmp_u32(x->kind, y->kind);
  if (!c) c = cmp_time(x->due, y->due);
  return c ? c : strcmp(x->claim_id, y->claim_id);
}

void deadline_free(void *row) {
  deadline_row *r = row;
  if (!r) return;
  free(r->claim_id);
  free(r);
}

deadline_row *deadline_new(uint32_t kind, cpor_time due, const char *claim_id) {
  deadline_row *r = calloc(1, sizeof *r);
  if (!r) return NULL;
  r->kind = kind;
  r->due = due;
  r->claim_id = copy_str(claim_id);
  if (!r->claim_id) {
    free(r);
    return NULL;
  }
  return r;
}

static void *deadline_copy(const void *row) {
  const deadline_row *r = row;
  return deadline_new(r->kind, r->due, r->claim_id);
}

int event_cmp(const void *a, const void *b) {
  const event_row *x = a, *y = b;
  int c = strcmp(x->claim_id, y->claim_id);
  return c ? c : cmp_u32(x->seq, y->seq);
}

void event_free(void *row) {
  event_row *r = row;
  if (!r) return;
  free(r->claim_id), free(r->data);
  free(r);
}

event_row *event_new(const char *claim_id, uint32_t seq, const void *data, size_t len) {
  event_row *r = calloc(1, sizeof *r);
  if (!r) return NULL;
  r->seq = seq;
  r->len = len;
  r->claim_id = copy_str(claim_id);
  r->data = copy_bytes(data, len);
  if (!r->claim_id || !r->data) {
    event_free(r);
    return NULL;
  }
  return r;
}

static void *event_copy(const void *row) {
  const event_row *r = row;
  return event_new(r->claim_id, r->seq, r->data, r->len);
}

/* ---- tables: sorted arrays of row pointers ---------------------------------------- */

const row_type row_types[NTABLES] = {
    {obj_cmp, obj_copy, obj_free},       {line_cmp, line_copy, line_free},
    {key_cmp, key_copy, key_free},       {deadline_cmp, deadline_copy, deadline_free},
    {event_cmp, event_copy, event_free},
};

size_t table_lower_bound(const table *t, const void *key, int (*cmp)(const void *, const void *)) {
  size_t lo = 0, hi = t->n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (cmp(t->rows[mid], key) < 0)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

int table_splice(table *t, size_t at, size_t nremove, void *const *add, size_t nadd,
                 void (*free_row)(void *)) {
  size_t n = t->n - nremove + nadd;
  if (n > t->cap) {
    size_t cap = t->cap ? t->cap * 2 : 16;
    while (cap < n)
      cap *= 2;
    void **rows = realloc(t->rows, cap * sizeof *rows);
    if (!rows) return CPOR_ENOMEM;
    t->rows = rows;
    t->cap = cap;
  }
  for (size_t i = 0; i < nremove; i++)
    free_row(t->rows[at + i]);
  size_t tail = t->n - at - nremove;
  if (tail) memmove(t->rows + at + nadd, t->rows + at + nremove, tail * sizeof *t->rows);
  if (nadd) memcpy(t->rows + at, add, nadd * sizeof *add);
  t->n = n;
  return CPOR_OK;
}

int table_replace_where(table *t, int (*drop)(const void *row, const void *arg), const void *arg,
                        void *const *add, size_t nadd, int (*cmp)(const void *, const void *),
                        void (*free_row)(void *)) {
  /* A new array: the kept rows and the added ones, merged in order. */
  size_t cap = t->n + nadd ? t->n + nadd : 1;
  void **rows = malloc(cap * sizeof *rows);
  if (!rows) return CPOR_ENOMEM;
  size_t n = 0, j = 0;
  for (size_t i = 0; i < t->n; i++) {
    if (drop(t->rows[i], arg)) {
      free_row(t->rows[i]);
      continue;
    }
    while (j < nadd && cmp(add[j], t->rows[i]) < 0)
      rows[n++] = add[j++];
    rows[n++] = t->rows[i];
  }
  while (j < nadd)
    rows[n++] = add[j++];
  free(t->rows);
  t->rows = rows;
  t->n = n;
  t->cap = cap;
  return CPOR_OK;
}

void db_free(db *d) {
  for (int k = 0; k < NTABLES; k++) {
    for (size_t i = 0; i < d->t[k].n; i++)
      row_types[k].free(d->t[k].rows[i]);
    free(d->t[k].rows);
  }
  memset(d, 0, sizeof *d);
}

int db_copy(db *dst, const db *src) {
  memset(dst, 0, sizeof *dst);
  for (int k = 0; k < NTABLES; k++) {
    const table *s = &src->t[k];
    table *d = &dst->t[k];
    d->rows = malloc((s->n ? s->n : 1) * sizeof *d->rows);
    if (!d->rows) goto oom;
    d->cap = s->n ? s->n : 1;
    for (; d->n < s->n; d->n++)
      if (!(d->rows[d->n] = row_types[k].copy(s->rows[d->n]))) goto oom;
  }
  return 1;
oom:
  db_free(dst);
  return 0;
}
