/* A claim's unit rows and exclusive keys: lines_replace and keys_replace of
 * the SQLite backend.
 *
 * Only the difference from what is stored is written. Most updates of a
 * claim change the status of a line and keep its keys: deleting and
 * inserting every row would touch four b-trees twice for nothing (the lines
 * and their unit index, the keys and their oid index). No private savepoint
 * either: see run_writes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/sqlite_int.h"

static int out_of_memory(cpor__sqlite *s, const char *what) {
  char msg[96];
  snprintf(msg, sizeof msg, "%s: out of memory", what);
  return cpor__sql_error(s, CPOR_ENOMEM, msg);
}

static char *dup_column(sqlite3_stmt *st, int i, int *oom) {
  const char *t = (const char *)sqlite3_column_text(st, i);
  if (!t) return NULL;
  size_t n = strlen(t) + 1;
  char *r = malloc(n);
  if (!r) *oom = 1;
  return r ? memcpy(r, t, n) : NULL;
}

static int same_text(const char *a, const char *b) {
  return a == b || (a && b && strcmp(a, b) == 0);
}

/* ---- stored rows ---------------------------------------------------------------- */

typedef struct stored {
  sqlite3_int64 line; /* lines: the line number */
  char *text;         /* lines: the unit; keys: the key */
  char *partner_id;   /* lines only */
  int status;         /* lines only */
  int kept;           /* matched by a wanted row */
} stored;

typedef struct stored_set {
  stored *v;
  size_t n, cap;
} stored_set;

static void stored_free(stored_set *set) {
  for (size_t i = 0; i < set->n; i++) {
    free(set->v[i].text);
    free(set->v[i].partner_id);
  }
  free(set->v);
}

/* Reads the claim's rows with statement id (LINES_OF_OID or KEYS_OF_OID). */
static int stored_load(cpor__sqlite *s, cpor__sql_id id, sqlite3_int64 oid, stored_set *set,
                       const char *what) {
  memset(set, 0, sizeof *set);
  cpor__stmt q;
  int rc = cpor__sql_acquire(s, id, &q);
  if (rc) return rc;
  sqlite3_bind_int64(q.st, 1, oid);
  int lines = id == CPOR__SQL_LINES_OF_OID, oom = 0, src;
  while (!oom && (src = sqlite3_step(q.st)) == SQLITE_ROW) {
    if (set->n == set->cap) {
      size_t cap = set->cap ? 2 * set->cap : 4;
      stored *v = realloc(set->v, cap * sizeof *v);
      if (!v) {
        oom = 1;
        break;
      }
      set->v = v;
      set->cap = cap;
    }
    stored *r = &set->v[set->n++];
    memset(r, 0, sizeof *r);
    if (lines) {
      r->line = sqlite3_column_int64(q.st, 0);
      r->text = dup_column(q.st, 1, &oom);
      r->partner_id = dup_column(q.st, 2, &oom);
      r->status = sqlite3_column_int(q.st, 3);
    } else {
      r->text = dup_column(q.st, 0, &oom);
    }
  }
  if (oom)
    rc = out_of_memory(s, what);
  else if (src != SQLITE_DONE)
    rc = cpor__sql_fail(s, src, what);
  cpor__sql_release(&q);
  if (rc) stored_free(set);
  return rc;
}

/* Runs the planned writes, inserts first: only an insert can meet a row
 * that exists (CPOR_EEXISTS), and then the inserts before it are deleted
 * again, so the claim's rows are as before the call. After a failure of the
 * store itself (CPOR_ESTORAGE, CPOR_ENOMEM) the core undoes the whole call
 * (its savepoint or its transaction). run(k, 0) writes the k-th, run(k, 1)
 * deletes the k-th insert; the detail of a failure stays in s->err. */
typedef int (*write_fn)(cpor__sqlite *s, void *plan, size_t k, int undo);

static int run_writes(cpor__sqlite *s, size_t n, write_fn run, void *plan) {
  for (size_t k = 0; k < n; k++) {
    int rc = run(s, plan, k, 0);
    if (rc != CPOR_EEXISTS) {
      if (rc) return rc;
      continue;
    }
    char keep[sizeof s->err];
    memcpy(keep, s->err, sizeof keep);
    for (size_t j = 0; j < k; j++) {
      int urc = run(s, plan, j, 1);
      if (urc) return urc;
    }
    memcpy(s->err, keep, sizeof keep);
    return rc;
  }
  return CPOR_OK;
}

/* The claim's oid and its stored rows (statement id): 1 when the claim is
 * not stored and there is nothing to write (count 0), else CPOR_OK or the
 * failure (CPOR_ENOTFOUND "no such claim" when rows were to be written). */
static int rows_load(cpor__sqlite *s, const char *claim_id, size_t count, cpor__sql_id id,
                     sqlite3_int64 *oid, stored_set *have, const char *what) {
  cpor__sql_release(&s->get);
  int rc = count ? cpor__sql_claim_row(s, claim_id, oid, what)
                 : cpor__sql_claim_oid(s, claim_id, oid, what);
  if (rc == CPOR_ENOTFOUND && !count) return 1;
  return rc ? rc : stored_load(s, id, *oid, have, what);
}

/* ---- lines ---------------------------------------------------------------------- */

typedef struct line_write {
  cpor__sql_id id;          /* LINE_INSERT, LINE_STATUS, LINE_UPDATE or LINE_DELETE */
  const cpor_store_line *l; /* the wanted row (NULL for a delete) */
  sqlite3_int64 line;
} line_write;

typedef struct line_plan {
  sqlite3_int64 oid;
  line_write *w;
  size_t n;
} line_plan;

static int line_run(cpor__sqlite *s, void *arg, size_t k, int undo) {
  line_plan *p = arg;
  line_write w = p->w[k];
  if (undo) w = (line_write){CPOR__SQL_LINE_DELETE, NULL, w.line};
  cpor__stmt q;
  int rc = cpor__sql_acquire(s, w.id, &q);
  if (rc) return rc;
  sqlite3_bind_int64(q.st, 1, p->oid);
  sqlite3_bind_int64(q.st, 2, w.line);
  if (w.l) {
    if (w.id != CPOR__SQL_LINE_STATUS) {
      cpor__sql_bind_text(q.st, 3, w.l->unit);
      cpor__sql_bind_text(q.st, 4, w.l->partner_id);
    }
    sqlite3_bind_int(q.st, 5, w.l->status);
  }
  rc = cpor__sql_done(s, q.st, "lines_replace");
  cpor__sql_release(&q);
  return rc;
}

/* What turns the stored rows into the wanted ones. A wanted line number
 * that repeats is inserted again, and the primary key refuses it
 * (CPOR_EEXISTS), as a plain insert of every row would. */
static void line_diff(const cpor_store_line *lines, size_t count, stored_set *have, line_plan *p) {
  for (int pass = 0; pass < 2; pass++) {
    for (size_t j = 0; j < have->n; j++)
      have->v[j].kept = 0;
    for (size_t i = 0; i < count; i++) {
      const cpor_store_line *l = &lines[i];
      stored *match = NULL;
      for (size_t j = 0; j < have->n && !match; j++)
        if (!have->v[j].kept && have->v[j].line == (sqlite3_int64)l->line) match = &have->v[j];
      line_write w = {CPOR__SQL_LINE_INSERT, l, l->line};
      if (match) {
        match->kept = 1;
        if (!same_text(match->text, l->unit) || !same_text(match->partner_id, l->partner_id))
          w.id = CPOR__SQL_LINE_UPDATE;
        else if (match->status != l->status)
          w.id = CPOR__SQL_LINE_STATUS;
        else
          continue;
      }
      if ((w.id == CPOR__SQL_LINE_INSERT) == (pass == 0)) p->w[p->n++] = w;
    }
  }
  for (size_t j = 0; j < have->n; j++)
    if (!have->v[j].kept) p->w[p->n++] = (line_write){CPOR__SQL_LINE_DELETE, NULL, have->v[j].line};
}

int cpor__sqlite_lines_replace(void *self, const char *claim_id, const cpor_store_line *lines,
                               size_t count) {
  cpor__sqlite *s = self;
  const char *what = "lines_replace";
  if (!cpor__sql_valid_id(claim_id) || (count && !lines))
    return cpor__sql_error(s, CPOR_EINVAL, "lines_replace: bad argument");
  for (size_t i = 0; i < count; i++)
    if (!lines[i].claim_id || strcmp(lines[i].claim_id, claim_id) != 0 || !lines[i].unit)
      return cpor__sql_error(s, CPOR_EINVAL, "lines_replace: a row names another claim or no unit");
  line_plan p = {0};
  stored_set have;
  int rc = rows_load(s, claim_id, count, CPOR__SQL_LINES_OF_OID, &p.oid, &have, what);
  if (rc) return rc == 1 ? CPOR_OK : rc;
  p.w = malloc((count + have.n + 1) * sizeof *p.w);
  if (!p.w) {
    stored_free(&have);
    return out_of_memory(s, what);
  }
  line_diff(lines, count, &have, &p);
  rc = run_writes(s, p.n, line_run, &p);
  free(p.w);
  stored_free(&have);
  return rc;
}

/* ---- keys ----------------------------------------------------------------------- */

typedef struct key_plan {
  sqlite3_int64 oid;
  const char **add; /* inserted first: a key another claim holds fails early */
  size_t nadd;
  const char **del;
  size_t ndel;
} key_plan;

static int key_run(cpor__sqlite *s, void *arg, size_t k, int undo) {
  key_plan *p = arg;
  int insert = k < p->nadd && !undo;
  const char *key = k < p->nadd ? p->add[k] : p->del[k - p->nadd];
  cpor__stmt q;
  int rc = cpor__sql_acquire(s, insert ? CPOR__SQL_KEY_INSERT : CPOR__SQL_KEY_DELETE, &q);
  if (rc) return rc;
  sqlite3_bind_int64(q.st, 1, p->oid);
  cpor__sql_bind_text(q.st, 2, key);
  rc = cpor__sql_done(s, q.st, "keys_replace");
  cpor__sql_release(&q);
  if (rc == CPOR_EEXISTS && insert) {
    char msg[320];
    snprintf(msg, sizeof msg, "keys_replace: key '%.255s' is held by another claim", key);
    cpor__sql_error(s, CPOR_EEXISTS, msg);
  }
  return rc;
}

int cpor__sqlite_keys_replace(void *self, const char *claim_id, const char *const *keys,
                              size_t count) {
  cpor__sqlite *s = self;
  const char *what = "keys_replace";
  if (!cpor__sql_valid_id(claim_id) || (count && !keys))
    return cpor__sql_error(s, CPOR_EINVAL, "keys_replace: bad argument");
  for (size_t i = 0; i < count; i++)
    if (!cpor__sql_valid_id(keys[i]))
      return cpor__sql_error(s, CPOR_EINVAL, "keys_replace: a key must be 1-255 bytes");
  key_plan p = {0};
  stored_set have;
  int rc = rows_load(s, claim_id, count, CPOR__SQL_KEYS_OF_OID, &p.oid, &have, what);
  if (rc) return rc == 1 ? CPOR_OK : rc;
  p.add = malloc((count + 1) * sizeof *p.add);
  p.del = malloc((have.n + 1) * sizeof *p.del);
  if (!p.add || !p.del) {
    rc = out_of_memory(s, what);
    goto out;
  }
  /* A wanted key that repeats is inserted again and refused, as before. */
  for (size_t i = 0; i < count; i++) {
    stored *match = NULL;
    for (size_t j = 0; j < have.n && !match; j++)
      if (!have.v[j].kept && have.v[j].text && strcmp(have.v[j].text, keys[i]) == 0)
        match = &have.v[j];
    if (match)
      match->kept = 1;
    else
      p.add[p.nadd++] = keys[i];
  }
  for (size_t j = 0; j < have.n; j++)
    if (!have.v[j].kept) p.del[p.ndel++] = have.v[j].text;
  rc = run_writes(s, p.nadd + p.ndel, key_run, &p);
out:
  free(p.add);
  free(p.del);
  stored_free(&have);
  return rc;
}
