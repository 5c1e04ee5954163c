/* cpor_ctx_verify: every claim's stored rows checked against its history
 * and against what a write of its record writes (claim_rows.c), streamed
 * from cursors in one read transaction. The all-rows LINES and KEYS cursors
 * come in claim ID order like the claims: they are merged with the walk of
 * the claims, so no claim's rows are held longer than its own check. */
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/claim_rows.h"
#include "core/list.h"
#include "core/transfer.h"
#include "rules/dirauthz.h"
#include "store/recode.h"

/* An all-rows cursor with its current row (one look-ahead). */
typedef struct merge {
  void *cur;
  int have; /* 1: row holds a row; 0: the end */
  cpor_store_row row;
} merge;

typedef struct verifier {
  cpor_ctx *ctx;
  cpor_finding_fn report;
  void *user;
  uint64_t problems;
  int rc; /* the first failure: a storage error or the report's own code */
  merge lines, keys;
  uint64_t expected[4], matched[4]; /* deadlines by kind */
} verifier;

static int found(verifier *v, const char *claim_id, const char *kind, const char *fmt, ...)
#ifdef __GNUC__
    __attribute__((format(printf, 4, 5)))
#endif
    ;
static int found(verifier *v, const char *claim_id, const char *kind, const char *fmt, ...) {
  char detail[600];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(detail, sizeof detail, fmt, ap);
  va_end(ap);
  v->problems++;
  if (v->report && !v->rc) {
    int rc = v->report(v->user, claim_id, kind, detail);
    if (rc) v->rc = cpor__fail(v->ctx, rc < 0 ? rc : CPOR_EINVAL, "the report callback stopped");
  }
  return v->rc;
}

static int store_err(verifier *v, int rc) {
  if (!v->rc) v->rc = cpor__storage_fail(v->ctx, rc, "cannot read the store");
  return v->rc;
}

static int step(verifier *v, merge *m) {
  cpor_storage *s = v->ctx->storage;
  if (!m->cur) return m->have = 0;
  int rc = s->m.cursor_next(s->self, m->cur, &m->row);
  if (rc < 0) return m->have = 0, store_err(v, rc);
  m->have = rc;
  return CPOR_OK;
}

static int merge_open(verifier *v, merge *m, uint32_t what) {
  cpor_storage *s = v->ctx->storage;
  memset(m, 0, sizeof *m);
  if (s->version < 4) return CPOR_OK; /* no audit cursors: nothing to merge */
  cpor_store_query q = {.what = what};
  int rc = s->m.cursor_open(s->self, &q, &m->cur);
  if (rc) return store_err(v, rc);
  return step(v, m);
}

static void merge_close(verifier *v, merge *m) {
  if (m->cur) v->ctx->storage->m.cursor_close(v->ctx->storage->self, m->cur);
  m->cur = NULL;
}

/* The rows before claim id (rows of no claim, or of a claim not walked). */
static int stray_rows(verifier *v, const char *id) {
  while (!v->rc && v->lines.have &&
         (!v->lines.row.line.claim_id || !id || strcmp(v->lines.row.line.claim_id, id) < 0)) {
    const cpor_store_line *l = &v->lines.row.line;
    found(v, l->claim_id, "orphan", "a unit row (unit %s, line %u) of no claim", l->unit,
          (unsigned)l->line);
    step(v, &v->lines);
  }
  while (!v->rc && v->keys.have &&
         (!v->keys.row.claim_id || !id || strcmp(v->keys.row.claim_id, id) < 0)) {
    found(v, v->keys.row.claim_id, "orphan", "exclusive key '%s' held by no claim",
          v->keys.row.key);
    step(v, &v->keys);
  }
  return v->rc;
}

static int check_lines(verifier *v, const cpor_claim *c, const cpor__claim_rows *want) {
  if (!v->lines.cur) return CPOR_OK;
  size_t i = 0;
  while (!v->rc && v->lines.have && v->lines.row.line.claim_id &&
         !strcmp(v->lines.row.line.claim_id, c->id)) {
    const cpor_store_line *l = &v->lines.row.line;
    while (i < want->nlines && want->lines[i].line < l->line) {
      found(v, c->id, "lines", "unit row %u (unit %s) is missing", (unsigned)want->lines[i].line,
            want->lines[i].unit);
      i++;
    }
    if (i < want->nlines && want->lines[i].line == l->line) {
      const cpor_store_line *w = &want->lines[i++];
      if (strcmp(w->unit, l->unit) || w->status != l->status || !l->partner_id ||
          strcmp(w->partner_id, l->partner_id))
        found(v, c->id, "lines", "unit row %u is (%s, %s, %s); the record says (%s, %s, %s)",
              (unsigned)l->line, l->unit, l->partner_id ? l->partner_id : "null",
              cpor_state_name(l->status) ? cpor_state_name(l->status) : "?", w->unit, w->partner_id,
              cpor_state_name(w->status));
    } else {
      found(v, c->id, "lines", "unit row %u (unit %s) is not a live line of the record",
            (unsigned)l->line, l->unit);
    }
    step(v, &v->lines);
  }
  for (; !v->rc && i < want->nlines; i++)
    found(v, c->id, "lines", "unit row %u (unit %s) is missing", (unsigned)want->lines[i].line,
          want->lines[i].unit);
  return v->rc;
}

static int check_keys(verifier *v, const cpor_claim *c, const cpor__claim_rows *want) {
  if (!v->keys.cur) return CPOR_OK;
  size_t i = 0;
  while (!v->rc && v->keys.have && v->keys.row.claim_id && !strcmp(v->keys.row.claim_id, c->id)) {
    const char *k = v->keys.row.key;
    int cmp = -1;
    while (i < want->nkeys && (cmp = strcmp(want->keys[i], k)) < 0)
      found(v, c->id, "keys", "exclusive key '%s' is missing", want->keys[i++]);
    if (i < want->nkeys && cmp == 0)
      i++;
    else
      found(v, c->id, "keys", "exclusive key '%s' is held but the record does not call for it", k);
    step(v, &v->keys);
  }
  for (; !v->rc && i < want->nkeys; i++)
    found(v, c->id, "keys", "exclusive key '%s' is missing", want->keys[i]);
  return v->rc;
}

/* At most one APPROVED and one ASSOCIATED line per unit (DESIGN.md 1.3). */
static int check_units(verifier *v, const cpor_claim *c, const cpor__claim_rows *want) {
  for (size_t i = 0; !v->rc && i < want->nlines; i++) {
    int st = want->lines[i].status;
    if (st != CPOR_STATE_APPROVED && st != CPOR_STATE_ASSOCIATED) continue;
    cpor__unit_rows rows;
    int rc = cpor__unit_rows_load(v->ctx, want->lines[i].unit, &rows);
    if (rc) return v->rc = rc;
    size_t n = 0;
    const char *other = NULL;
    for (size_t j = 0; j < rows.n; j++)
      if (rows.rows[j].status == st) {
        n++;
        if (strcmp(rows.rows[j].claim_id, c->id)) other = rows.rows[j].claim_id;
      }
    /* Reported by each claim whose record holds such a line there. */
    if (n > 1 && other)
      found(v, c->id, "unit", "unit %s has %zu %s lines (claims %s and %s)", want->lines[i].unit, n,
            cpor_state_name(st), c->id, other);
    cpor__unit_rows_free(&rows);
  }
  return v->rc;
}

static void free_event(void *e) {
  cpor_event_free(e);
}

/* The history: seqs 1..n, each decoding; then the replay against the record. */
static int check_history(verifier *v, const cpor_store_object *o, const cpor_claim *c) {
  cpor_storage *s = v->ctx->storage;
  cpor_store_query q = {.what = CPOR_STORE_CURSOR_EVENTS, .key = o->id};
  void *cur = NULL;
  int rc = s->m.cursor_open(s->self, &q, &cur);
  if (rc) return store_err(v, rc);
  cpor__list l = {0};
  cpor_store_row row;
  uint32_t expect = 1;
  int broken = 0;
  while ((rc = s->m.cursor_next(s->self, cur, &row)) == 1) {
    if (row.seq != expect) {
      found(v, o->id, "events", "event %u follows event %u (seqs must run 1..n)", (unsigned)row.seq,
            (unsigned)(expect - 1));
      broken = 1;
    }
    expect = row.seq + 1;
    cpor_event *e = NULL;
    int drc = cpor__event_decode(row.seq, row.data, row.len, &e);
    if (drc == CPOR_ENOMEM) {
      rc = drc;
      break;
    }
    if (drc) {
      found(v, o->id, "undecodable", "event %u does not decode", (unsigned)row.seq);
      broken = 1;
      continue;
    }
    if (cpor__list_push(&l, e)) {
      cpor_event_free(e);
      rc = CPOR_ENOMEM;
      break;
    }
  }
  s->m.cursor_close(s->self, cur);
  if (rc < 0) {
    cpor__list_clear(&l, free_event);
    return store_err(v, rc);
  }
  if (!v->rc && !broken && c->next_seq != expect)
    found(v, o->id, "events", "the history has %u events; the record says %u",
          (unsigned)(expect - 1), (unsigned)(c->next_seq ? c->next_seq - 1 : 0));
  else if (!v->rc && !broken) {
    cpor__env env = cpor__kenv(v->ctx);
    cpor_claim *r = NULL;
    rc = cpor__replay(&env, o->id, (cpor_event *const *)l.v, l.n, &r);
    if (rc == CPOR_ENOMEM) {
      v->rc = cpor__fail(v->ctx, rc, "out of memory");
    } else if (rc) {
      char why[1024];
      snprintf(why, sizeof why, "%s", v->ctx->errmsg);
      v->ctx->errmsg[0] = 0;
      v->ctx->errcode = CPOR_OK;
      found(v, o->id, "record", "the history does not replay: %.300s", why);
    } else {
      cpor_store_object enc;
      void *buf = NULL;
      rc = cpor__claim_encode_as(r, c->record_schema, &enc, &buf);
      int same = !rc && enc.len == o->len && !memcmp(enc.data, o->data, o->len);
      free((void *)enc.data);
      if (rc)
        v->rc = cpor__fail(v->ctx, CPOR_ENOMEM, "out of memory");
      else if (!same)
        found(v, o->id, "record",
              "the record differs from its replayed history (state %s, replayed %s)",
              cpor_state_name(c->state) ? cpor_state_name(c->state) : "?",
              cpor_state_name(r->state) ? cpor_state_name(r->state) : "?");
      cpor_claim_free(r);
    }
  }
  cpor__list_clear(&l, free_event);
  return v->rc;
}

static int same_str(const char *a, const char *b) {
  return (!a && !b) || (a && b && !strcmp(a, b));
}

/* Decodes a claim whose indexed columns may disagree with its record (the
 * decoder refuses those): on a refusal, again with the columns the record
 * itself names; *columns_bad 1 when that was needed. */
static int decode_claim(const cpor_store_object *o, cpor_claim **c, int *columns_bad) {
  *columns_bad = 0;
  int rc = cpor__claim_decode(o, c);
  if (rc != CPOR_ECORRUPT) return rc;
  json_error_t err;
  json_t *j = json_loadb(o->data, o->len, 0, &err);
  const char *id = json_string_value(json_object_get(j, "id"));
  const char *owner = json_string_value(json_object_get(j, "partner_id"));
  const char *ref = json_string_value(json_object_get(j, "tenant_id"));
  const char *state = json_string_value(json_object_get(j, "state"));
  int st = 0;
  if (id && owner && state && cpor_state_from_name(state, &st) == CPOR_OK) {
    cpor_store_object again = *o;
    again.id = id, again.owner = owner, again.ref = ref, again.state = st;
    if ((rc = cpor__claim_decode(&again, c)) == CPOR_OK) *columns_bad = 1;
  }
  json_decref(j);
  return rc;
}

static int check_claim(verifier *v, const cpor_store_object *o) {
  if (stray_rows(v, o->id)) return v->rc;
  cpor_claim *c = NULL;
  int columns_bad = 0;
  int rc = decode_claim(o, &c, &columns_bad);
  if (rc == CPOR_ENOMEM) return v->rc = cpor__fail(v->ctx, rc, "out of memory");
  if (rc) {
    found(v, o->id, "undecodable", "the claim record does not decode");
    /* Its rows cannot be checked: passed over. */
    while (!v->rc && v->lines.have && same_str(v->lines.row.line.claim_id, o->id))
      step(v, &v->lines);
    while (!v->rc && v->keys.have && same_str(v->keys.row.claim_id, o->id))
      step(v, &v->keys);
    return v->rc;
  }
  if (columns_bad || strcmp(c->id, o->id) || !same_str(o->owner, c->partner_id) ||
      !same_str(o->ref, c->tenant_id) || o->state != c->state)
    found(v, o->id, "columns",
          "the indexed columns (id %s, owner %s, ref %s, state %s) disagree with the record "
          "(%s, %s, %s, %s)",
          o->id, o->owner ? o->owner : "null", o->ref ? o->ref : "null",
          cpor_state_name(o->state) ? cpor_state_name(o->state) : "?", c->id, c->partner_id,
          c->tenant_id ? c->tenant_id : "null", cpor_state_name(c->state));
  cpor__claim_rows want;
  if (cpor__claim_rows_make(c, &want)) {
    cpor_claim_free(c);
    return v->rc = cpor__fail(v->ctx, CPOR_ENOMEM, "out of memory");
  }
  for (int k = CPOR_DEADLINE_OPTOUT; k <= CPOR_DEADLINE_SLA; k++)
    if (want.due[k] != CPOR_TIME_NONE) v->expected[k]++;
  if (!v->rc) check_history(v, o, c);
  if (!v->rc) check_lines(v, c, &want);
  if (!v->rc) check_keys(v, c, &want);
  if (!v->rc) check_units(v, c, &want);
  cpor__claim_rows_free(&want);
  cpor_claim_free(c);
  return v->rc;
}

/* The deadline a claim should have of kind k (CPOR_TIME_NONE: none), or a
 * negative code; *exists 0 when no claim object holds claim_id. */
static int due_of(verifier *v, const char *claim_id, uint32_t k, cpor_time *due, int *exists) {
  cpor_store_object o;
  *due = CPOR_TIME_NONE;
  *exists = 0;
  int rc = v->ctx->storage->m.object_get(v->ctx->storage->self, CPOR_STORE_CLAIM, claim_id, &o);
  if (rc == CPOR_ENOTFOUND) return CPOR_OK;
  if (rc) return store_err(v, rc);
  *exists = 1;
  cpor_claim *c = NULL;
  int columns_bad;
  if (decode_claim(&o, &c, &columns_bad)) return CPOR_OK; /* reported by the claim walk */
  cpor__claim_rows r;
  rc = cpor__claim_rows_make(c, &r);
  cpor_claim_free(c);
  if (rc) return v->rc = cpor__fail(v->ctx, rc, "out of memory");
  *due = r.due[k];
  cpor__claim_rows_free(&r);
  return CPOR_OK;
}

static int by_str(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The claims expecting a deadline of kind k that the store lacks: only
 * looked for when the counts say some are missing (this holds the IDs of
 * that kind's deadlines). */
static int missing_deadlines(verifier *v, uint32_t k) {
  cpor_storage *s = v->ctx->storage;
  cpor__list ids = {0};
  cpor_store_query q = {.what = CPOR_STORE_CURSOR_DEADLINES, .kind = k, .upto = INT64_MAX};
  void *cur = NULL;
  int rc = s->m.cursor_open(s->self, &q, &cur);
  if (rc) return store_err(v, rc);
  cpor_store_row row;
  while ((rc = s->m.cursor_next(s->self, cur, &row)) == 1) {
    char *id = strdup(row.claim_id);
    if (!id || cpor__list_push(&ids, id)) {
      free(id);
      rc = CPOR_ENOMEM;
      break;
    }
  }
  s->m.cursor_close(s->self, cur);
  if (rc < 0) {
    cpor__list_clear(&ids, free);
    return rc == CPOR_ENOMEM ? (v->rc = cpor__fail(v->ctx, rc, "out of memory")) : store_err(v, rc);
  }
  if (ids.n) qsort(ids.v, ids.n, sizeof *ids.v, by_str);
  q = (cpor_store_query){
      .what = CPOR_STORE_CURSOR_OBJECTS, .kind = CPOR_STORE_CLAIM, .by = CPOR_STORE_BY_KIND};
  if ((rc = s->m.cursor_open(s->self, &q, &cur))) {
    cpor__list_clear(&ids, free);
    return store_err(v, rc);
  }
  static const char *const names[] = {NULL, "opt-out", "response", "SLA"};
  while (!v->rc && (rc = s->m.cursor_next(s->self, cur, &row)) == 1) {
    cpor_claim *c = NULL;
    int columns_bad;
    if (decode_claim(&row.object, &c, &columns_bad)) continue;
    cpor__claim_rows r;
    if (!cpor__claim_rows_make(c, &r)) {
      const char *key = c->id;
      if (r.due[k] != CPOR_TIME_NONE &&
          (!ids.n || !bsearch(&key, ids.v, ids.n, sizeof *ids.v, by_str)))
        found(v, c->id, "deadline", "the %s deadline is missing", names[k]);
      cpor__claim_rows_free(&r);
    }
    cpor_claim_free(c);
  }
  s->m.cursor_close(s->self, cur);
  cpor__list_clear(&ids, free);
  return rc < 0 ? store_err(v, rc) : v->rc;
}

static int check_deadlines(verifier *v) {
  cpor_storage *s = v->ctx->storage;
  static const char *const names[] = {NULL, "opt-out", "response", "SLA"};
  for (uint32_t k = CPOR_DEADLINE_OPTOUT; !v->rc && k <= CPOR_DEADLINE_SLA; k++) {
    cpor_store_query q = {.what = CPOR_STORE_CURSOR_DEADLINES, .kind = k, .upto = INT64_MAX};
    void *cur = NULL;
    int rc = s->m.cursor_open(s->self, &q, &cur);
    if (rc) return store_err(v, rc);
    cpor_store_row row;
    while (!v->rc && (rc = s->m.cursor_next(s->self, cur, &row)) == 1) {
      cpor_time due;
      int exists;
      char id[256];
      snprintf(id, sizeof id, "%s", row.claim_id);
      if (due_of(v, id, k, &due, &exists)) break;
      if (!exists)
        found(v, NULL, "orphan", "a %s deadline of claim %s, which does not exist", names[k], id);
      else if (due == CPOR_TIME_NONE)
        found(v, id, "deadline", "a %s deadline the record does not call for", names[k]);
      else if (due != row.due)
        found(v, id, "deadline", "the %s deadline is at %lld; the record says %lld", names[k],
              (long long)row.due, (long long)due);
      else
        v->matched[k]++;
    }
    s->m.cursor_close(s->self, cur);
    if (rc < 0) return store_err(v, rc);
    if (!v->rc && v->matched[k] < v->expected[k]) missing_deadlines(v, k);
  }
  return v->rc;
}

/* Rows of no claim among the events (the claims' own were walked). */
static int orphan_events(verifier *v) {
  cpor_storage *s = v->ctx->storage;
  if (s->version < 4) return CPOR_OK;
  cpor_store_query q = {.what = CPOR_STORE_CURSOR_EVENTS};
  void *cur = NULL;
  int rc = s->m.cursor_open(s->self, &q, &cur);
  if (rc) return store_err(v, rc);
  cpor_store_row row;
  while (!v->rc && (rc = s->m.cursor_next(s->self, cur, &row)) == 1)
    if (!row.claim_id) found(v, NULL, "orphan", "history event %u of no claim", (unsigned)row.seq);
  s->m.cursor_close(s->self, cur);
  return rc < 0 ? store_err(v, rc) : v->rc;
}

/* An outbox message names an existing claim and a seq of its history. */
static int check_outbox(verifier *v, const cpor_store_object *o) {
  json_error_t err;
  json_t *j = json_loadb(o->data, o->len, 0, &err);
  const char *claim = j ? json_string_value(json_object_get(j, "claim")) : NULL;
  json_t *seq = j ? json_object_get(j, "seq") : NULL;
  if (!claim || !json_is_integer(seq)) {
    found(v, o->ref, "undecodable", "outbox message %s has no claim and seq", o->id);
  } else {
    cpor_store_object c;
    int rc = v->ctx->storage->m.object_get(v->ctx->storage->self, CPOR_STORE_CLAIM, claim, &c);
    cpor_claim *cl = NULL;
    if (rc == CPOR_ENOTFOUND)
      found(v, claim, "outbox", "outbox message %s names claim %s, which does not exist", o->id,
            claim);
    else if (rc)
      store_err(v, rc);
    else if (!cpor__claim_decode(&c, &cl) &&
             (json_integer_value(seq) < 1 || json_integer_value(seq) >= (json_int_t)cl->next_seq))
      found(v, claim, "outbox", "outbox message %s names event %lld, outside the history (1..%u)",
            o->id, (long long)json_integer_value(seq), (unsigned)(cl->next_seq - 1));
    cpor_claim_free(cl);
  }
  json_decref(j);
  return v->rc;
}

static int walk_kind(verifier *v, uint32_t kind) {
  cpor_storage *s = v->ctx->storage;
  cpor_store_query q = {.what = CPOR_STORE_CURSOR_OBJECTS, .kind = kind, .by = CPOR_STORE_BY_KIND};
  void *cur = NULL;
  int rc = s->m.cursor_open(s->self, &q, &cur);
  if (rc) return store_err(v, rc);
  cpor_store_row row;
  while (!v->rc && (rc = s->m.cursor_next(s->self, cur, &row)) == 1) {
    const cpor_store_object *o = &row.object;
    if (kind == CPOR_STORE_CLAIM) {
      check_claim(v, o);
    } else if (kind == CPOR_STORE_OUTBOX) {
      check_outbox(v, o);
    } else {
      int same = 0, mrc = cpor__record_matches(o, &same);
      if (mrc == CPOR_ENOMEM)
        v->rc = cpor__fail(v->ctx, mrc, "out of memory");
      else if (mrc == CPOR_ECORRUPT)
        found(v, NULL, "undecodable", "the %s record %s does not decode",
              cpor__export_kind_name(kind), o->id);
      else if (mrc == CPOR_OK && !same)
        found(v, NULL, "columns", "the indexed columns of %s %s disagree with its record",
              cpor__export_kind_name(kind), o->id);
    }
  }
  s->m.cursor_close(s->self, cur);
  return rc < 0 ? store_err(v, rc) : v->rc;
}

int cpor_ctx_verify(cpor_ctx *ctx, const cpor_actor *actor, cpor_finding_fn report_fn, void *user,
                    uint64_t *problems) {
  if (problems) *problems = 0;
  int rc = cpor__store_permit(ctx, actor, CPOR__DIR_STORE_VERIFY);
  if (rc) return rc;
  if ((rc = cpor__call_begin(ctx, 0))) return rc;
  verifier v;
  memset(&v, 0, sizeof v);
  v.ctx = ctx;
  v.report = report_fn;
  v.user = user;
  if (!merge_open(&v, &v.lines, CPOR_STORE_CURSOR_LINES))
    merge_open(&v, &v.keys, CPOR_STORE_CURSOR_KEYS);
  for (size_t i = 0; !v.rc && i < cpor__export_nkinds; i++)
    walk_kind(&v, cpor__export_kinds[i]);
  if (!v.rc) stray_rows(&v, NULL);
  merge_close(&v, &v.lines);
  merge_close(&v, &v.keys);
  if (!v.rc) check_deadlines(&v);
  if (!v.rc) orphan_events(&v);
  if (problems) *problems = v.problems;
  return cpor__call_end(ctx, v.rc);
}
