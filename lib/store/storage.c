/* Wrapping a backend: version checks and conversion to the latest layout. */
#include <stdlib.h>

#include <string.h>

#include "store/storage.h"
#include "struct_version.h"

/* Version 3 replaced the methods of versions 1 and 2 (callback scans, no
 * revisions): their layouts cannot be converted, only ported. Version 4
 * appended methods a version 3 backend lacks (read as NULL), version 5 the
 * flags (read as 0). */
static int supported(uint32_t version) {
  return version >= 3 && version <= CPOR_STORAGE_VERSION;
}

int cpor_storage_methods_init(cpor_storage_methods *methods, uint32_t version) {
  if (!methods) return CPOR_EINVAL;
  if (!supported(version)) return CPOR_EVERSION;
  return cpor__struct_init(&cpor__storage_methods_layout, methods, version);
}

int cpor_storage_new(cpor_storage **out, const cpor_storage_methods *methods, void *self) {
  if (!out) return CPOR_EINVAL;
  *out = NULL;
  if (!methods) return CPOR_EINVAL;
  if (!supported(methods->version)) return CPOR_EVERSION;
  cpor_storage_methods latest;
  int rc = cpor__struct_read(&cpor__storage_methods_layout, methods, &latest, NULL, 0);
  if (rc) return rc;
  const cpor_storage_methods *m = &latest;
  if (!m->begin || !m->commit || !m->rollback || !m->savepoint || !m->release || !m->rollback_to ||
      !m->object_get || !m->object_put || !m->lines_replace || !m->keys_replace ||
      !m->deadline_set || !m->deadline_clear || !m->event_append || !m->cursor_open ||
      !m->cursor_next || !m->cursor_close)
    return CPOR_EINVAL;
  cpor_storage *s = calloc(1, sizeof *s);
  if (!s) return CPOR_ENOMEM;
  s->m = *m;
  s->self = self;
  s->version = methods->version;
  *out = s;
  return CPOR_OK;
}

void cpor_storage_free(cpor_storage *s) {
  if (!s) return;
  if (s->m.close) s->m.close(s->self);
  free(s);
}

const char *cpor__storage_errmsg(const cpor_storage *s) {
  const char *msg = s->m.errmsg ? s->m.errmsg(s->self) : NULL;
  return msg && *msg ? msg : "storage backend failure";
}

int cpor_storage_open_memory(cpor_storage **out) {
  if (!out) return CPOR_EINVAL;
  *out = NULL;
  const cpor_storage_methods *m;
  void *self;
  int rc = cpor__memory_backend(&m, &self);
  if (rc) return rc;
  rc = cpor_storage_new(out, m, self);
  if (rc && m->close) m->close(self);
  return rc;
}

/* ---- callback walks over cursors ------------------------------------------- */

int cpor__store_get(cpor_storage *s, uint32_t kind, const char *id, cpor__object_fn fn, void *arg) {
  cpor_store_object obj;
  memset(&obj, 0, sizeof obj);
  int rc = s->m.object_get(s->self, kind, id, &obj);
  return rc ? rc : fn(arg, &obj);
}

/* The callback of a walk, by the query kind it serves. */
typedef struct visitor {
  cpor__object_fn object;
  cpor__line_fn line;
  cpor__deadline_fn deadline;
  cpor__event_fn event;
  void *arg;
} visitor;

static int visit(const visitor *v, const cpor_store_query *q, const cpor_store_row *row) {
  switch (q->what) {
  case CPOR_STORE_CURSOR_OBJECTS:
    return v->object(v->arg, &row->object);
  case CPOR_STORE_CURSOR_LINES:
    return v->line(v->arg, &row->line);
  case CPOR_STORE_CURSOR_DEADLINES:
    return v->deadline(v->arg, row->claim_id, row->deadline_kind, row->due);
  default:
    return v->event(v->arg, row->seq, row->data, row->len);
  }
}

static int walk(cpor_storage *s, const cpor_store_query *q, size_t limit, const visitor *v) {
  void *cur = NULL;
  int rc = s->m.cursor_open(s->self, q, &cur);
  if (rc) return rc;
  size_t n = 0;
  for (;;) {
    cpor_store_row row;
    memset(&row, 0, sizeof row);
    rc = s->m.cursor_next(s->self, cur, &row);
    if (rc <= 0) break; /* 0: the end; < 0: a failure */
    if ((rc = visit(v, q, &row))) break;
    if (limit && ++n == limit) break;
  }
  s->m.cursor_close(s->self, cur);
  return rc;
}

int cpor__store_objects(cpor_storage *s, uint32_t kind, uint32_t by, const char *key, int32_t state,
                        const char *after, size_t limit, cpor__object_fn fn, void *arg) {
  cpor_store_query q = {.what = CPOR_STORE_CURSOR_OBJECTS,
                        .kind = kind,
                        .by = by,
                        .key = key,
                        .state = state,
                        .after = after};
  visitor v = {fn, NULL, NULL, NULL, arg};
  return walk(s, &q, limit, &v);
}

int cpor__store_lines(cpor_storage *s, const char *unit, cpor__line_fn fn, void *arg) {
  cpor_store_query q = {.what = CPOR_STORE_CURSOR_LINES, .key = unit};
  visitor v = {NULL, fn, NULL, NULL, arg};
  return walk(s, &q, 0, &v);
}

int cpor__store_deadlines(cpor_storage *s, uint32_t kind, cpor_time upto, cpor__deadline_fn fn,
                          void *arg) {
  cpor_store_query q = {.what = CPOR_STORE_CURSOR_DEADLINES, .kind = kind, .upto = upto};
  visitor v = {NULL, NULL, fn, NULL, arg};
  return walk(s, &q, 0, &v);
}

int cpor__store_events(cpor_storage *s, const char *claim_id, cpor__event_fn fn, void *arg) {
  cpor_store_query q = {.what = CPOR_STORE_CURSOR_EVENTS, .key = claim_id};
  visitor v = {NULL, NULL, NULL, fn, arg};
  return walk(s, &q, 0, &v);
}

/* The one event: the first of those after seq - 1, when it is seq. */
typedef struct one_event {
  uint32_t seq;
  cpor__event_fn fn;
  void *arg;
  int found;
} one_event;

static int on_one_event(void *arg, uint32_t seq, const void *data, size_t len) {
  one_event *o = arg;
  if (seq != o->seq) return 0;
  o->found = 1;
  return o->fn(o->arg, seq, data, len);
}

int cpor__store_event(cpor_storage *s, const char *claim_id, uint32_t seq, cpor__event_fn fn,
                      void *arg) {
  if (seq == 0) return CPOR_ENOTFOUND;
  cpor_store_query q = {.what = CPOR_STORE_CURSOR_EVENTS, .key = claim_id, .after_seq = seq - 1};
  one_event o = {seq, fn, arg, 0};
  visitor v = {NULL, NULL, NULL, on_one_event, &o};
  int rc = walk(s, &q, 1, &v);
  return rc == 0 && !o.found ? CPOR_ENOTFOUND : rc;
}
