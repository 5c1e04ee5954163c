/* What a write owes the integration surface, written in its transaction:
 * one change row per claim it changed (the change feed) and one outbox
 * message per notification its events owe (DESIGN.md 1.6). Both take their
 * numbers from store-wide counters, last in the call, so that a backend with
 * concurrent writers holds its counters for as short a time as it can. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/feed.h"
#include "json/json_write.h"

int cpor__feed_supported(const cpor_storage *s) {
  return s->m.counter_next && s->m.change_append;
}

char *cpor__message_id_text(uint64_t id, char buf[24]) {
  snprintf(buf, 24, "%020llu", (unsigned long long)id);
  return buf;
}

int cpor__message_encode(const cpor__message_rec *m, cpor_store_object *obj, char idbuf[24]) {
  cpor__jw w = {0};
  cpor__jw_open(&w, NULL, '{');
  cpor__jw_str(&w, "claim", m->claim_id);
  cpor__jw_time(&w, "created_at", m->created_at);
  cpor__jw_uint(&w, "deliveries", m->deliveries);
  cpor__jw_uint(&w, "id", m->id);
  cpor__jw_name(&w, "kind", m->kind);
  cpor__jw_time(&w, "lease_until", m->lease_until);
  if (m->payload) cpor__jw_raw(&w, "payload", m->payload, strlen(m->payload));
  cpor__jw_open(&w, "recipient", '{');
  cpor__jw_str(&w, "org", m->org);
  cpor__jw_name(&w, "role", m->role);
  cpor__jw_close(&w, '}');
  cpor__jw_uint(&w, "seq", m->seq);
  cpor__jw_uint(&w, "v", m->version ? m->version : CPOR__MESSAGE_VERSION);
  cpor__jw_close(&w, '}');
  if (w.rc) {
    int rc = w.rc;
    cpor__jw_free(&w);
    return rc;
  }
  memset(obj, 0, sizeof *obj);
  obj->kind = CPOR_STORE_OUTBOX;
  obj->id = cpor__message_id_text(m->id, idbuf);
  obj->owner = m->org;
  obj->ref = m->claim_id;
  obj->revision = m->revision;
  obj->len = w.len;
  obj->data = cpor__jw_cstr(&w);
  return obj->data ? CPOR_OK : CPOR_ENOMEM;
}

/* The notices of one touched claim's new events, appended to *v. */
typedef struct notices {
  cpor__notice *v;
  const cpor_claim **claim;
  const cpor_event **event;
  size_t n, cap;
} notices;

static void notices_free(notices *ns) {
  for (size_t i = 0; i < ns->n; i++)
    free(ns->v[i].payload);
  free(ns->v);
  free(ns->claim);
  free(ns->event);
}

static int notices_push(notices *ns, const cpor_claim *c, const cpor_event *e,
                        const cpor__notice *n) {
  if (ns->n == ns->cap) {
    size_t cap = ns->cap ? ns->cap * 2 : 8;
    cpor__notice *v = realloc(ns->v, cap * sizeof *v);
    if (v) ns->v = v;
    const cpor_claim **cv = realloc(ns->claim, cap * sizeof *cv);
    if (cv) ns->claim = cv;
    const cpor_event **ev = realloc(ns->event, cap * sizeof *ev);
    if (ev) ns->event = ev;
    if (!v || !cv || !ev) return CPOR_ENOMEM;
    ns->cap = cap;
  }
  ns->claim[ns->n] = c;
  ns->event[ns->n] = e;
  ns->v[ns->n++] = *n;
  return CPOR_OK;
}

static int collect(const cpor__view *v, notices *ns, size_t *changed) {
  *changed = 0;
  for (size_t i = 0; i < v->n; i++) {
    const cpor__touched *t = v->v[i];
    if (!cpor__touched_changed(t)) continue;
    (*changed)++;
    for (size_t k = 0; k < t->nevents; k++) {
      cpor__notice n;
      int rc = cpor__k_notice(t->claim, t->events[k], &n);
      if (rc < 0) return rc;
      if (rc == 1 && (rc = notices_push(ns, t->claim, t->events[k], &n))) {
        free(n.payload);
        return rc;
      }
    }
  }
  return CPOR_OK;
}

static int write_changes(cpor_ctx *ctx, const cpor__view *v, size_t n) {
  cpor_storage *s = ctx->storage;
  uint64_t next = 0;
  int rc = s->m.counter_next(s->self, "change", n, &next);
  if (rc) return cpor__storage_fail(ctx, rc, "cannot number the changes");
  for (size_t i = 0; i < v->n; i++) {
    const cpor__touched *t = v->v[i];
    if (!cpor__touched_changed(t)) continue;
    const cpor_claim *c = t->claim;
    uint32_t seq = t->events[t->nevents - 1]->seq;
    if ((rc = s->m.change_append(s->self, next++, c->id, seq, c->state)))
      return rc == CPOR_EEXISTS
                 ? cpor__fail(ctx, CPOR_ECONFLICT, "another writer took change number %llu",
                              (unsigned long long)(next - 1))
                 : cpor__storage_fail(ctx, rc, "cannot record the change");
  }
  return CPOR_OK;
}

static int write_messages(cpor_ctx *ctx, const notices *ns) {
  cpor_storage *s = ctx->storage;
  uint64_t next = 0;
  int rc = s->m.counter_next(s->self, "outbox", ns->n, &next);
  if (rc) return cpor__storage_fail(ctx, rc, "cannot number the outbox messages");
  for (size_t i = 0; i < ns->n; i++) {
    const cpor__notice *n = &ns->v[i];
    cpor__message_rec m = {.id = next++,
                           .kind = n->kind,
                           .role = n->role,
                           .org = n->org,
                           .claim_id = ns->claim[i]->id,
                           .seq = ns->event[i]->seq,
                           .created_at = ns->event[i]->at,
                           .lease_until = CPOR_TIME_NONE,
                           /* the event's own: the record refers to it */
                           .payload = n->verbatim ? NULL : n->payload};
    cpor_store_object obj;
    char idbuf[24];
    rc = cpor__message_encode(&m, &obj, idbuf);
    rc = cpor__put(ctx, CPOR_STORE_INSERT, 0, rc, &obj, NULL);
    if (rc == CPOR_EEXISTS)
      return cpor__fail(ctx, CPOR_ECONFLICT, "another writer took outbox message %s", idbuf);
    if (rc) return rc;
  }
  return CPOR_OK;
}

int cpor__feed_write(cpor_ctx *ctx, const cpor__view *v) {
  if (!cpor__feed_supported(ctx->storage)) return CPOR_OK; /* a version 3 backend */
  notices ns = {0};
  size_t changed = 0;
  int rc = collect(v, &ns, &changed);
  if (rc == CPOR_ENOMEM) rc = cpor__fail(ctx, rc, "out of memory");
  if (rc == CPOR_ECORRUPT) rc = cpor__fail(ctx, rc, "an event's payload is not a JSON object");
  /* "change" before "outbox", always: two writers never wait for each
   * other's second counter. */
  if (!rc && changed) rc = write_changes(ctx, v, changed);
  if (!rc && ns.n) rc = write_messages(ctx, &ns);
  notices_free(&ns);
  return rc;
}
