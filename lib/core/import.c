/* cpor_ctx_import: an export (docs/export-format.md) loaded into an empty
 * store in one write transaction, each line checked before it is written,
 * each claim replayed through the kernel and written as a normal write
 * writes it (claim_rows.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/claim_rows.h"
#include "core/import_line.h"
#include "core/list.h"
#include "core/feed.h"
#include "core/records.h"
#include "core/transfer.h"
#include "store/recode.h"
#include "store/storage.h"
#include "rules/dirauthz.h"

typedef struct importer {
  cpor_ctx *ctx;
  uint64_t lineno;
  size_t kind_at;    /* index in cpor__export_kinds of the last object line */
  char last_id[256]; /* its id ("" before the first of its kind) */
  int have_object;
  uint64_t objects, claims, events;
  uint64_t max_message; /* the highest outbox message id imported */
  /* the claim whose history is being read */
  cpor__xline claim;
  cpor_claim *c;
  uint64_t claim_line;
  cpor__list events_l; /* cpor_event */
  cpor__list raw;      /* cpor__xline of its event lines */
} importer;

#define BAD(x, ...) cpor__fail((x)->ctx, CPOR_ECORRUPT, __VA_ARGS__)

static void free_event(void *e) {
  cpor_event_free(e);
}
static void free_xline(void *l) {
  cpor__xline_free(l);
  free(l);
}

static void drop_claim(importer *x) {
  cpor__xline_free(&x->claim);
  cpor_claim_free(x->c);
  x->c = NULL;
  cpor__list_clear(&x->events_l, free_event);
  cpor__list_clear(&x->raw, free_xline);
  memset(&x->events_l, 0, sizeof x->events_l);
  memset(&x->raw, 0, sizeof x->raw);
}

static int exists(importer *x, uint32_t kind, const char *id) {
  cpor_store_object o;
  if (!id) return 0;
  return x->ctx->storage->m.object_get(x->ctx->storage->self, kind, id, &o) == CPOR_OK;
}

static int store_fail(importer *x, int rc, const char *what) {
  return cpor__storage_fail(x->ctx, rc, what);
}

static int put_object(importer *x, uint32_t kind, const cpor__xline *l) {
  cpor_store_object o = {
      kind,         l->id, l->owner, l->ref, (int32_t)l->state, 0, l->record ? l->record : "",
      l->record_len};
  int rc = x->ctx->storage->m.object_put(x->ctx->storage->self, &o, CPOR_STORE_INSERT);
  if (rc == CPOR_EEXISTS)
    return BAD(x, "line %llu: %s '%.100s' is given twice", (unsigned long long)x->lineno,
               cpor__export_kind_name(kind), l->id);
  return rc ? store_fail(x, rc, "cannot write a record") : CPOR_OK;
}

/* The claim read so far with its history: replayed, checked, written. */
static int finish_claim(importer *x) {
  if (!x->c) return CPOR_OK;
  cpor_ctx *ctx = x->ctx;
  cpor_claim *c = x->c, *r = NULL;
  unsigned long long at = (unsigned long long)x->claim_line;
  if (!exists(x, CPOR_STORE_PARTNER, c->partner_id))
    return BAD(x, "line %llu: claim %s names partner '%.100s', which is not in the input", at,
               c->id, c->partner_id);
  if (c->tenant_id && !exists(x, CPOR_STORE_TENANT, c->tenant_id))
    return BAD(x, "line %llu: claim %s names tenant '%.100s', which is not in the input", at, c->id,
               c->tenant_id);
  cpor__env env = cpor__kenv(ctx);
  int rc = cpor__replay(&env, c->id, (cpor_event *const *)x->events_l.v, x->events_l.n, &r);
  if (rc) {
    char why[1024];
    snprintf(why, sizeof why, "%s", ctx->errmsg);
    return BAD(x, "line %llu: the history of claim %s does not replay: %.300s", at, c->id, why);
  }
  cpor_store_object enc;
  void *buf = NULL;
  rc = cpor__claim_encode_as(r, c->record_schema, &enc, &buf);
  int same = !rc && enc.len == x->claim.record_len && !memcmp(enc.data, x->claim.record, enc.len);
  free((void *)enc.data);
  cpor_claim_free(r);
  if (rc) return cpor__fail(ctx, rc, "out of memory");
  if (!same)
    return BAD(x, "line %llu: the history of claim %s does not replay to its record", at, c->id);
  if ((rc = put_object(x, CPOR_STORE_CLAIM, &x->claim))) return rc;
  if ((rc = cpor__claim_rows_write(ctx, c))) return rc;
  cpor__claim_rows rows;
  if (cpor__claim_rows_make(c, &rows)) return cpor__fail(ctx, CPOR_ENOMEM, "out of memory");
  cpor_storage *s = ctx->storage;
  for (uint32_t k = CPOR_DEADLINE_OPTOUT; !rc && k <= CPOR_DEADLINE_SLA; k++)
    if (rows.due[k] != CPOR_TIME_NONE && (rc = s->m.deadline_set(s->self, c->id, k, rows.due[k])))
      rc = store_fail(x, rc, "cannot write a deadline");
  cpor__claim_rows_free(&rows);
  uint32_t last_seq = 0;
  for (size_t i = 0; !rc && i < x->raw.n; i++) {
    const cpor__xline *e = x->raw.v[i];
    last_seq = (uint32_t)e->seq;
    if ((rc = s->m.event_append(s->self, c->id, (uint32_t)e->seq, e->record, e->record_len)))
      rc = store_fail(x, rc, "cannot append history");
  }
  /* The imported claim is one change of the new store's feed. */
  uint64_t number = 0;
  if (!rc && last_seq && cpor__feed_supported(s) &&
      ((rc = s->m.counter_next(s->self, "change", 1, &number)) ||
       (rc = s->m.change_append(s->self, number, c->id, last_seq, c->state))))
    rc = store_fail(x, rc, "cannot record the change");
  x->claims++;
  drop_claim(x);
  return rc;
}

/* The owner a record of kind must name, and its kind (0: none checked). */
static uint32_t parent_kind(uint32_t kind) {
  switch (kind) {
  case CPOR_STORE_LOCATION:
    return CPOR_STORE_PARTNER;
  case CPOR_STORE_TENANT:
    return CPOR_STORE_CUSTOMER;
  case CPOR_STORE_SUBSCRIPTION:
  case CPOR_STORE_DOMAIN:
    return CPOR_STORE_TENANT;
  default:
    return 0;
  }
}

static int object_line(importer *x, cpor__xline *l) {
  unsigned long long at = (unsigned long long)x->lineno;
  uint32_t kind = cpor__export_kind_from_name(l->kind);
  size_t idx = 0;
  while (idx < cpor__export_nkinds && cpor__export_kinds[idx] != kind)
    idx++;
  if (!kind || idx == cpor__export_nkinds)
    return BAD(x, "line %llu: unknown kind '%.40s'", at, l->kind);
  if (x->have_object && (idx < x->kind_at || (idx == x->kind_at && strcmp(l->id, x->last_id) <= 0)))
    return BAD(x,
               "line %llu: %s '%.100s' is out of order or given twice (records come by kind, "
               "then by ID)",
               at, l->kind, l->id);
  int rc = finish_claim(x);
  if (rc) return rc;
  x->have_object = 1;
  x->kind_at = idx;
  snprintf(x->last_id, sizeof x->last_id, "%s", l->id);
  if (strlen(l->id) < 1 || strlen(l->id) > 255)
    return BAD(x, "line %llu: an ID must be 1-255 bytes", at);
  /* The record must decode, and its columns be the ones its encoding has. */
  if (kind == CPOR_STORE_DOMAIN) {
    if (l->record || l->ref || l->state || !l->owner)
      return BAD(x, "line %llu: domain '%.100s' must have a null record and name its tenant", at,
                 l->id);
  } else if (!l->record) {
    return BAD(x, "line %llu: %s '%.100s' has no record", at, l->kind, l->id);
  }
  cpor_store_object in = {kind, l->id,     l->owner,     l->ref, (int32_t)l->state,
                          0,    l->record, l->record_len};
  int same = 0;
  rc = cpor__record_matches(&in, &same);
  if (rc == CPOR_ENOMEM) return cpor__fail(x->ctx, rc, "out of memory");
  if (rc == CPOR_ECORRUPT)
    return BAD(x, "line %llu: the record of %s '%.100s' does not decode", at, l->kind, l->id);
  if (rc == CPOR_OK && !same)
    return BAD(x, "line %llu: the id, owner, ref or state of %s '%.100s' disagree with its record",
               at, l->kind, l->id);
  cpor_claim *c = NULL;
  if (kind == CPOR_STORE_CLAIM && (rc = cpor__claim_decode(&in, &c)))
    return cpor__fail(x->ctx, rc, "out of memory");
  uint32_t parent = parent_kind(kind);
  if (parent && !exists(x, parent, l->owner)) {
    cpor_claim_free(c);
    return BAD(x, "line %llu: %s '%.100s' names %s '%.100s', which is not in the input", at,
               l->kind, l->id, cpor__export_kind_name(parent), l->owner ? l->owner : "");
  }
  if (kind == CPOR_STORE_OUTBOX && !exists(x, CPOR_STORE_CLAIM, l->ref))
    return cpor_claim_free(c),
           BAD(x,
               "line %llu: outbox message %.100s names claim '%.100s', which is not in the input",
               at, l->id, l->ref ? l->ref : "");
  if (kind == CPOR_STORE_CLAIM) {
    x->c = c;
    x->claim = *l;
    memset(l, 0, sizeof *l); /* kept until its history is read */
    x->claim_line = x->lineno;
    return CPOR_OK;
  }
  if (kind == CPOR_STORE_OUTBOX) {
    char *end = NULL;
    unsigned long long id = strtoull(l->id, &end, 10);
    if (strlen(l->id) != 20 || *end || id == 0)
      return BAD(x, "line %llu: outbox message id '%.100s' is not 20 digits", at, l->id);
    if (id > x->max_message) x->max_message = id;
  }
  x->objects++;
  return put_object(x, kind, l);
}

static int event_line(importer *x, cpor__xline *l) {
  unsigned long long at = (unsigned long long)x->lineno;
  if (!x->c || strcmp(l->claim, x->c->id))
    return BAD(x, "line %llu: an event of claim '%.100s' that does not follow that claim", at,
               l->claim);
  if (l->seq != x->events_l.n + 1)
    return BAD(x, "line %llu: event %llu of claim %s where event %zu was due (seqs run 1..n)", at,
               (unsigned long long)l->seq, l->claim, x->events_l.n + 1);
  if (!l->record) return BAD(x, "line %llu: an event without its record", at);
  cpor_event *e = NULL;
  int rc = cpor__event_decode((uint32_t)l->seq, l->record, l->record_len, &e);
  if (rc == CPOR_ENOMEM) return cpor__fail(x->ctx, rc, "out of memory");
  if (rc)
    return BAD(x, "line %llu: event %llu of claim %s does not decode", at,
               (unsigned long long)l->seq, l->claim);
  cpor__xline *copy = malloc(sizeof *copy);
  if (!copy || cpor__list_push(&x->events_l, e)) {
    free(copy);
    cpor_event_free(e);
    return cpor__fail(x->ctx, CPOR_ENOMEM, "out of memory");
  }
  *copy = *l;
  memset(l, 0, sizeof *l);
  if (cpor__list_push(&x->raw, copy)) {
    free_xline(copy);
    return cpor__fail(x->ctx, CPOR_ENOMEM, "out of memory");
  }
  x->events++;
  return CPOR_OK;
}

static int store_empty(importer *x) {
  cpor_storage *s = x->ctx->storage;
  for (size_t i = 0; i < cpor__export_nkinds; i++) {
    cpor_store_query q = {
        .what = CPOR_STORE_CURSOR_OBJECTS, .kind = cpor__export_kinds[i], .by = CPOR_STORE_BY_KIND};
    void *cur = NULL;
    int rc = s->m.cursor_open(s->self, &q, &cur);
    if (rc) return store_fail(x, rc, "cannot read the store");
    cpor_store_row row;
    rc = s->m.cursor_next(s->self, cur, &row);
    s->m.cursor_close(s->self, cur);
    if (rc < 0) return store_fail(x, rc, "cannot read the store");
    if (rc == 1)
      return cpor__fail(x->ctx, CPOR_EEXISTS,
                        "the store is not empty (it holds %s records): import needs an empty store",
                        cpor__export_kind_name(cpor__export_kinds[i]));
  }
  return CPOR_OK;
}

#define HEADER_KEYS (XBIT(L_FORMAT) | XBIT(L_TYPE) | XBIT(L_VERSION))
#define END_KEYS (XBIT(L_CLAIMS) | XBIT(L_EVENTS) | XBIT(L_OBJECTS) | XBIT(L_TYPE))
#define OBJECT_KEYS                                                                                \
  (XBIT(L_ID) | XBIT(L_KIND) | XBIT(L_OWNER) | XBIT(L_RECORD) | XBIT(L_REF) | XBIT(L_STATE) |      \
   XBIT(L_TYPE))
#define EVENT_KEYS (XBIT(L_CLAIM) | XBIT(L_EVENT) | XBIT(L_SEQ) | XBIT(L_TYPE))

static int one_line(importer *x, cpor__xline *l, int *ended) {
  unsigned long long at = (unsigned long long)x->lineno;
  const char *t = l->type ? l->type : "";
  if (x->lineno == 1) {
    if (strcmp(t, "header") || !cpor__xline_has(l, HEADER_KEYS) ||
        strcmp(l->format, CPOR__EXPORT_FORMAT))
      return BAD(x, "line 1: not a libcpor export (no header line)");
    if (l->version != CPOR__EXPORT_VERSION)
      return cpor__fail(x->ctx, CPOR_EVERSION,
                        "line 1: export format version %llu (this library reads version %d)",
                        (unsigned long long)l->version, CPOR__EXPORT_VERSION);
    return CPOR_OK;
  }
  if (*ended) return BAD(x, "line %llu: a line after the trailer", at);
  if (!strcmp(t, "object") && cpor__xline_has(l, OBJECT_KEYS)) return object_line(x, l);
  if (!strcmp(t, "event") && cpor__xline_has(l, EVENT_KEYS)) return event_line(x, l);
  if (!strcmp(t, "end") && cpor__xline_has(l, END_KEYS)) {
    int rc = finish_claim(x);
    if (rc) return rc;
    if (l->objects != x->objects || l->claims != x->claims || l->events != x->events)
      return BAD(x,
                 "line %llu: the trailer counts %llu records, %llu claims and %llu events; the "
                 "input has %llu, %llu and %llu",
                 at, (unsigned long long)l->objects, (unsigned long long)l->claims,
                 (unsigned long long)l->events, (unsigned long long)x->objects,
                 (unsigned long long)x->claims, (unsigned long long)x->events);
    *ended = 1;
    return CPOR_OK;
  }
  if (!strcmp(t, "header")) return BAD(x, "line %llu: a second header", at);
  return BAD(x, "line %llu: not a line of the export format", at);
}

static int run(importer *x, cpor_line_reader read_fn, void *user) {
  int rc = store_empty(x), ended = 0;
  while (!rc) {
    const char *line = NULL;
    size_t len = 0;
    int got = read_fn(user, &line, &len);
    if (got < 0) return cpor__fail(x->ctx, got, "the line reader failed (%d)", got);
    if (got == 0) break;
    x->lineno++;
    if (!line) return BAD(x, "line %llu: the reader gave no line", (unsigned long long)x->lineno);
    while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
      len--;
    cpor__xline l;
    rc = cpor__xline_parse(line, len, &l);
    if (rc == CPOR_ENOMEM)
      rc = cpor__fail(x->ctx, rc, "out of memory");
    else if (rc)
      rc = BAD(x, "line %llu: not one JSON object of the export format",
               (unsigned long long)x->lineno);
    else
      rc = one_line(x, &l, &ended);
    cpor__xline_free(&l);
  }
  if (!rc && x->lineno == 0) return BAD(x, "line 1: the input is empty");
  if (!rc && !ended)
    return BAD(x, "line %llu: the input ends without its trailer (truncated?)",
               (unsigned long long)x->lineno + 1);
  /* New messages are numbered after the imported ones. */
  cpor_storage *s = x->ctx->storage;
  uint64_t first = 0;
  if (!rc && x->max_message && cpor__feed_supported(s) &&
      (rc = s->m.counter_next(s->self, "outbox", x->max_message, &first)))
    rc = store_fail(x, rc, "cannot number the outbox");
  return rc;
}

int cpor_ctx_import(cpor_ctx *ctx, const cpor_actor *actor, cpor_line_reader read_fn, void *user,
                    cpor_import_report *report) {
  int rc = cpor__store_permit(ctx, actor, CPOR__DIR_STORE_IMPORT);
  if (rc) return rc;
  if (!read_fn) return cpor__fail(ctx, CPOR_EINVAL, "read_fn is NULL");
  if (report && report->version != CPOR_IMPORT_REPORT_VERSION)
    return cpor__fail(ctx, CPOR_EVERSION, "unsupported cpor_import_report version %u",
                      (unsigned)report->version);
  /* Outside a batch the import is its own transaction: on SQLite, one
   * that need not go through the WAL (cpor__sqlite_bulk). */
  int bulk = !ctx->batch && cpor__sqlite_bulk(ctx->storage, 1) == CPOR_OK;
  importer x;
  memset(&x, 0, sizeof x);
  x.ctx = ctx;
  if (!(rc = cpor__call_begin(ctx, 1))) {
    cpor__writing(ctx);
    rc = run(&x, read_fn, user);
    drop_claim(&x);
    rc = cpor__call_end(ctx, rc);
  }
  if (bulk) cpor__sqlite_bulk(ctx->storage, 0);
  if (!rc && report) {
    report->objects = x.objects;
    report->claims = x.claims;
    report->events = x.events;
  }
  return rc;
}
