/* cpor_ctx_export: the whole store as JSON lines (docs/export-format.md),
 * streamed from cursors in one read transaction. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/transfer.h"
#include "rules/dirauthz.h"

typedef struct exporter {
  cpor_ctx *ctx;
  cpor_line_writer write;
  void *user;
  uint64_t objects, claims, events;
} exporter;

/* Hands the line in w (a JSON object) to the writer, with its newline. */
static int emit(exporter *x, cpor__jw *w) {
  if (!w->rc && w->len + 1 >= w->cap) {
    char *d = realloc(w->data, w->len + 2);
    if (!d)
      w->rc = CPOR_ENOMEM;
    else
      w->data = d, w->cap = w->len + 2;
  }
  if (w->rc) {
    int rc = w->rc;
    cpor__jw_free(w);
    return cpor__fail(x->ctx, rc, "out of memory");
  }
  w->data[w->len] = '\n';
  int rc = x->write(x->user, w->data, w->len + 1);
  cpor__jw_free(w);
  if (rc) return cpor__fail(x->ctx, rc < 0 ? rc : CPOR_EINVAL, "the line writer failed (%d)", rc);
  return CPOR_OK;
}

/* A stored record as the line's value: its bytes when they are canonical
 * JSON, null for an empty record (domains), else its canonical form. */
static int put_record(exporter *x, cpor__jw *w, const char *key, const char *what, const char *id,
                      const void *data, size_t len) {
  if (!len) {
    cpor__jw_null(w, key);
    return CPOR_OK;
  }
  char *canon = NULL;
  size_t clen = 0;
  int rc = cpor__json_canonical(data, len, &canon, &clen);
  if (rc == 1)
    cpor__jw_raw(w, key, data, len);
  else if (rc == 0)
    cpor__jw_raw(w, key, canon, clen);
  free(canon);
  if (rc == CPOR_ENOMEM) return cpor__fail(x->ctx, rc, "out of memory");
  if (rc < 0)
    return cpor__fail(x->ctx, CPOR_ECORRUPT,
                      "stored data is corrupt: the %s record of %.100s is not JSON", what, id);
  return CPOR_OK;
}

static int export_events(exporter *x, const char *claim_id) {
  cpor_storage *s = x->ctx->storage;
  cpor_store_query q = {.what = CPOR_STORE_CURSOR_EVENTS, .key = claim_id};
  void *cur = NULL;
  int rc = s->m.cursor_open(s->self, &q, &cur);
  if (rc) return cpor__storage_fail(x->ctx, rc, "cannot read a history");
  cpor_store_row row;
  while (!rc && (rc = s->m.cursor_next(s->self, cur, &row)) == 1) {
    cpor__jw w = {0};
    cpor__jw_open(&w, NULL, '{');
    cpor__jw_str(&w, "claim", claim_id);
    rc = put_record(x, &w, "event", "history", claim_id, row.data, row.len);
    cpor__jw_uint(&w, "seq", row.seq);
    cpor__jw_str(&w, "type", "event");
    cpor__jw_close(&w, '}');
    if (rc) {
      cpor__jw_free(&w);
      break;
    }
    x->events++;
    rc = emit(x, &w);
  }
  s->m.cursor_close(s->self, cur);
  if (rc < 0 && !x->ctx->errcode) return cpor__storage_fail(x->ctx, rc, "cannot read a history");
  return rc < 0 ? rc : CPOR_OK;
}

static int export_kind(exporter *x, uint32_t kind) {
  cpor_storage *s = x->ctx->storage;
  cpor_store_query q = {.what = CPOR_STORE_CURSOR_OBJECTS, .kind = kind, .by = CPOR_STORE_BY_KIND};
  void *cur = NULL;
  int rc = s->m.cursor_open(s->self, &q, &cur);
  if (rc) return cpor__storage_fail(x->ctx, rc, "cannot read the store");
  const char *name = cpor__export_kind_name(kind);
  cpor_store_row row;
  while (!rc && (rc = s->m.cursor_next(s->self, cur, &row)) == 1) {
    const cpor_store_object *o = &row.object;
    cpor__jw w = {0};
    cpor__jw_open(&w, NULL, '{');
    cpor__jw_str(&w, "id", o->id);
    cpor__jw_str(&w, "kind", name);
    cpor__jw_str(&w, "owner", o->owner);
    rc = put_record(x, &w, "record", name, o->id, o->data, o->len);
    cpor__jw_str(&w, "ref", o->ref);
    cpor__jw_int(&w, "state", o->state);
    cpor__jw_str(&w, "type", "object");
    cpor__jw_close(&w, '}');
    if (rc) {
      cpor__jw_free(&w);
      break;
    }
    if (kind == CPOR_STORE_CLAIM)
      x->claims++;
    else
      x->objects++;
    /* The id must outlive the line: the history is read with another cursor. */
    char id[256];
    snprintf(id, sizeof id, "%s", o->id);
    if ((rc = emit(x, &w))) break;
    if (kind == CPOR_STORE_CLAIM) rc = export_events(x, id);
  }
  s->m.cursor_close(s->self, cur);
  if (rc < 0 && !x->ctx->errcode) return cpor__storage_fail(x->ctx, rc, "cannot read the store");
  return rc < 0 ? rc : CPOR_OK;
}

int cpor_ctx_export(cpor_ctx *ctx, const cpor_actor *actor, cpor_line_writer write_fn, void *user) {
  int rc = cpor__store_permit(ctx, actor, CPOR__DIR_STORE_EXPORT);
  if (rc) return rc;
  if (!write_fn) return cpor__fail(ctx, CPOR_EINVAL, "write_fn is NULL");
  if ((rc = cpor__call_begin(ctx, 0))) return rc;
  exporter x = {ctx, write_fn, user, 0, 0, 0};
  cpor__jw w = {0};
  cpor__jw_open(&w, NULL, '{');
  cpor__jw_str(&w, "format", CPOR__EXPORT_FORMAT);
  cpor__jw_str(&w, "type", "header");
  cpor__jw_uint(&w, "version", CPOR__EXPORT_VERSION);
  cpor__jw_close(&w, '}');
  rc = emit(&x, &w);
  for (size_t i = 0; !rc && i < cpor__export_nkinds; i++)
    rc = export_kind(&x, cpor__export_kinds[i]);
  if (!rc) {
    cpor__jw_open(&w, NULL, '{');
    cpor__jw_uint(&w, "claims", x.claims);
    cpor__jw_uint(&w, "events", x.events);
    cpor__jw_uint(&w, "objects", x.objects);
    cpor__jw_str(&w, "type", "end");
    cpor__jw_close(&w, '}');
    rc = emit(&x, &w);
  }
  return cpor__call_end(ctx, rc);
}
