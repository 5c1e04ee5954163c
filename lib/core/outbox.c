/* The outbox: leasing and acknowledging the messages feed.c writes. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "core/claims.h"
#include "core/feed.h"
#include "core/records.h"
#include "store/storage.h"

struct cpor_message {
  uint64_t id;
  char *kind, *role, *org, *claim_id, *payload, *json;
  uint32_t seq, deliveries;
  cpor_time created_at, lease_until;
  int refers;       /* the record leaves the payload out: it is the event's */
  uint32_t version; /* the record's: a lease rewrites it in its own version */
};

struct cpor_message_iter {
  cpor_message **v;
  size_t n, next;
};

void cpor_message_free(cpor_message *m) {
  if (!m) return;
  free(m->kind), free(m->role), free(m->org), free(m->claim_id);
  free(m->payload), free(m->json);
  free(m);
}

uint64_t cpor_message_id(const cpor_message *m) {
  return m ? m->id : 0;
}
const char *cpor_message_kind(const cpor_message *m) {
  return m ? m->kind : NULL;
}
const char *cpor_message_recipient_role(const cpor_message *m) {
  return m ? m->role : NULL;
}
const char *cpor_message_recipient_org(const cpor_message *m) {
  return m ? m->org : NULL;
}
const char *cpor_message_claim_id(const cpor_message *m) {
  return m ? m->claim_id : NULL;
}
uint32_t cpor_message_event_seq(const cpor_message *m) {
  return m ? m->seq : 0;
}
cpor_time cpor_message_created_at(const cpor_message *m) {
  return m ? m->created_at : CPOR_TIME_NONE;
}
cpor_time cpor_message_lease_until(const cpor_message *m) {
  return m ? m->lease_until : CPOR_TIME_NONE;
}
uint32_t cpor_message_deliveries(const cpor_message *m) {
  return m ? m->deliveries : 0;
}
const char *cpor_message_payload(const cpor_message *m) {
  return m ? m->payload : NULL;
}
const char *cpor_message_json(const cpor_message *m) {
  return m ? m->json : NULL;
}

int cpor_message_iter_next(cpor_message_iter *it, cpor_message **out) {
  if (out) *out = NULL;
  if (!it || !out) return CPOR_EINVAL;
  if (it->next == it->n) return CPOR_ITEROVER;
  *out = it->v[it->next];
  it->v[it->next++] = NULL;
  return CPOR_OK;
}

void cpor_message_iter_free(cpor_message_iter *it) {
  if (!it) return;
  for (size_t i = 0; i < it->n; i++)
    cpor_message_free(it->v[i]);
  free(it->v);
  free(it);
}

/* ---- the stored record -------------------------------------------------------- */

static int take_str(json_t *o, const char *key, int nullable, char **out) {
  json_t *v = json_object_get(o, key);
  if (nullable && json_is_null(v)) return CPOR_OK;
  if (!json_is_string(v)) return CPOR_ECORRUPT;
  return (*out = strdup(json_string_value(v))) ? CPOR_OK : CPOR_ENOMEM;
}

static int take_int(json_t *o, const char *key, int nullable, int64_t lo, int64_t hi,
                    int64_t *out) {
  json_t *v = json_object_get(o, key);
  if (nullable && json_is_null(v)) {
    *out = CPOR_TIME_NONE;
    return CPOR_OK;
  }
  if (!json_is_integer(v) || json_integer_value(v) < lo || json_integer_value(v) > hi)
    return CPOR_ECORRUPT;
  *out = json_integer_value(v);
  return CPOR_OK;
}

static int decode(const cpor_store_object *obj, cpor_message **out) {
  *out = NULL;
  json_error_t jerr;
  json_t *o = json_loadb(obj->data, obj->len, JSON_REJECT_DUPLICATES, &jerr);
  if (!json_is_object(o)) {
    json_decref(o);
    return CPOR_ECORRUPT;
  }
  cpor_message *m = calloc(1, sizeof *m);
  int rc = m ? CPOR_OK : CPOR_ENOMEM;
  int64_t id = 0, seq = 0, del = 0, v = 0;
  json_t *r = json_object_get(o, "recipient");
  if (!rc) rc = take_int(o, "v", 0, 1, CPOR__MESSAGE_VERSION, &v);
  if (!rc) rc = take_int(o, "id", 0, 1, INT64_MAX, &id);
  if (!rc) rc = take_str(o, "kind", 0, &m->kind);
  if (!rc) rc = json_is_object(r) ? take_str(r, "role", 0, &m->role) : CPOR_ECORRUPT;
  if (!rc) rc = take_str(r, "org", 1, &m->org);
  if (!rc) rc = take_str(o, "claim", 0, &m->claim_id);
  if (!rc) rc = take_int(o, "seq", 0, 1, UINT32_MAX, &seq);
  if (!rc) rc = take_int(o, "deliveries", 0, 0, UINT32_MAX, &del);
  if (!rc) rc = take_int(o, "created_at", 0, INT64_MIN + 1, INT64_MAX, &m->created_at);
  if (!rc) rc = take_int(o, "lease_until", 1, INT64_MIN + 1, INT64_MAX, &m->lease_until);
  json_t *p = json_object_get(o, "payload");
  if (!rc && !p && v >= 2)
    m->refers = 1; /* resolve_payload reads it */
  else if (!rc && !json_is_object(p))
    rc = CPOR_ECORRUPT;
  else if (!rc && !(m->payload = json_dumps(p, JSON_COMPACT | JSON_SORT_KEYS)))
    rc = CPOR_ENOMEM;
  json_decref(o);
  if (!rc) {
    char idbuf[24];
    if (strcmp(cpor__message_id_text((uint64_t)id, idbuf), obj->id)) rc = CPOR_ECORRUPT;
    m->id = (uint64_t)id, m->seq = (uint32_t)seq, m->deliveries = (uint32_t)del;
    m->version = (uint32_t)v;
  }
  if (rc) {
    cpor_message_free(m);
    return rc;
  }
  *out = m;
  return CPOR_OK;
}

static cpor__message_rec as_rec(const cpor_message *m, uint64_t revision) {
  return (cpor__message_rec){.version = m->version,
                             .id = m->id,
                             .revision = revision,
                             .kind = m->kind,
                             .role = m->role,
                             .org = m->org,
                             .claim_id = m->claim_id,
                             .seq = m->seq,
                             .deliveries = m->deliveries,
                             .created_at = m->created_at,
                             .lease_until = m->lease_until,
                             .payload = m->refers ? NULL : m->payload};
}

/* The payload of a message whose record refers to its event's: the
 * payload of event seq of its claim ("{}" for an event that has none, as
 * the notice said). */
typedef struct event_payload {
  char *text;
  int rc;
} event_payload;

static int on_event(void *arg, uint32_t seq, const void *data, size_t len) {
  event_payload *ep = arg;
  cpor_event *e = NULL;
  ep->rc = cpor__event_decode(seq, data, len, &e);
  if (ep->rc) return 1;
  const char *p = e->payload && *e->payload ? e->payload : "{}";
  if (!(ep->text = strdup(p))) ep->rc = CPOR_ENOMEM;
  cpor_event_free(e);
  return 1;
}

static int resolve_payload(cpor_ctx *ctx, cpor_message *m) {
  if (!m->refers || m->payload) return CPOR_OK;
  event_payload ep = {NULL, CPOR_ENOTFOUND};
  int rc = cpor__store_event(ctx->storage, m->claim_id, m->seq, on_event, &ep);
  if (rc < 0 && rc != CPOR_ENOTFOUND)
    return cpor__storage_fail(ctx, rc, "cannot read the history of a message's claim");
  if (ep.rc == CPOR_ENOMEM) return cpor__fail(ctx, ep.rc, "out of memory");
  if (ep.rc)
    return cpor__fail(ctx, CPOR_ECORRUPT,
                      "stored data is corrupt (outbox message %llu names event %u of claim %s, "
                      "which %s)",
                      (unsigned long long)m->id, (unsigned)m->seq, m->claim_id,
                      ep.rc == CPOR_ENOTFOUND ? "does not exist" : "cannot be read");
  m->payload = ep.text;
  return CPOR_OK;
}

/* What cpor_message_json hands out: the record as stored, with the
 * payload written in when the record refers to its event's. */
static int message_json(const cpor_message *m, char **out) {
  cpor__message_rec rec = as_rec(m, 0);
  rec.payload = m->payload;
  /* version 2 may carry its payload; a version 1 record always did */
  cpor_store_object obj;
  char idbuf[24];
  int rc = cpor__message_encode(&rec, &obj, idbuf);
  if (rc) return rc;
  *out = (char *)obj.data; /* NUL-terminated: cpor__jw_cstr */
  return CPOR_OK;
}

/* ---- leasing ------------------------------------------------------------------ */

#define LEASE_MAX_COUNT 1000
#define LEASE_MAX_MS 86400000u
#define PAGE 64

/* A message that may be leased, as read (its revision decides the race). */
typedef struct candidate {
  cpor_message *m;
  uint64_t revision;
} candidate;

typedef struct page {
  candidate v[PAGE];
  size_t n;
  char last[24];
  int end;
} page;

/* Reads the next messages after page->last that no lease holds at now. */
static int read_page(cpor_ctx *ctx, page *pg) {
  cpor_storage *s = ctx->storage;
  cpor_store_query q = {.what = CPOR_STORE_CURSOR_OBJECTS,
                        .kind = CPOR_STORE_OUTBOX,
                        .by = CPOR_STORE_BY_KIND,
                        .after = pg->last[0] ? pg->last : NULL};
  void *cur = NULL;
  int rc = s->m.cursor_open(s->self, &q, &cur);
  if (rc) return cpor__storage_fail(ctx, rc, "cannot read the outbox");
  pg->n = 0;
  pg->end = 1;
  cpor_store_row row;
  while (pg->n < PAGE) {
    memset(&row, 0, sizeof row);
    rc = s->m.cursor_next(s->self, cur, &row);
    if (rc <= 0) break;
    snprintf(pg->last, sizeof pg->last, "%s", row.object.id);
    cpor_message *m = NULL;
    if ((rc = decode(&row.object, &m))) break;
    if (m->lease_until != CPOR_TIME_NONE && m->lease_until > ctx->now) {
      cpor_message_free(m);
      continue;
    }
    pg->v[pg->n++] = (candidate){m, row.object.revision};
  }
  if (rc == 1) pg->end = 0; /* stopped on a full page */
  s->m.cursor_close(s->self, cur);
  if (rc == CPOR_ECORRUPT)
    return cpor__fail(ctx, rc, "stored data is corrupt (outbox message %s)", pg->last);
  if (rc == CPOR_ENOMEM) return cpor__fail(ctx, rc, "out of memory");
  if (rc < 0) return cpor__storage_fail(ctx, rc, "cannot read the outbox");
  return CPOR_OK;
}

/* Takes the lease of c->m: CPOR_OK, CPOR_ECONFLICT when another consumer
 * took it since it was read, or a failure. */
static int take(cpor_ctx *ctx, candidate *c, uint32_t lease_ms) {
  cpor_message *m = c->m;
  m->lease_until = ctx->now > INT64_MAX - lease_ms ? INT64_MAX : ctx->now + lease_ms;
  m->deliveries++;
  cpor__message_rec rec = as_rec(m, c->revision);
  cpor_store_object obj;
  char idbuf[24];
  int rc = cpor__message_encode(&rec, &obj, idbuf);
  if ((rc = cpor__put(ctx, CPOR_STORE_UPDATE, c->revision, rc, &obj, NULL))) return rc;
  if ((rc = resolve_payload(ctx, m))) return rc;
  free(m->json);
  m->json = NULL;
  if ((rc = message_json(m, &m->json))) return cpor__fail(ctx, CPOR_ENOMEM, "out of memory");
  return CPOR_OK;
}

static int push(cpor_message_iter *it, cpor_message *m) {
  cpor_message **v = realloc(it->v, (it->n + 1) * sizeof *v);
  if (!v) return CPOR_ENOMEM;
  it->v = v;
  it->v[it->n++] = m;
  return CPOR_OK;
}

static int system_only(cpor_ctx *ctx, const cpor_actor *in, const char *what) {
  cpor_actor a;
  int rc = cpor__actor_arg(ctx, in, &a);
  if (rc) return rc;
  if (a.role != CPOR_ROLE_SYSTEM)
    return cpor__fail(ctx, CPOR_EPERM, "only the system may %s", what);
  if (!cpor__feed_supported(ctx->storage))
    return cpor__fail(ctx, CPOR_ENOTSUP, "the storage backend has no outbox (vtable version 3)");
  return CPOR_OK;
}

static int lease_once(cpor_ctx *ctx, size_t max, uint32_t lease_ms, cpor_message_iter *it) {
  int rc = cpor__call_begin(ctx, 1);
  if (rc) return rc;
  page pg;
  memset(&pg, 0, sizeof pg);
  while (!rc && it->n < max) {
    if ((rc = read_page(ctx, &pg))) break;
    size_t i = 0;
    for (; !rc && i < pg.n && it->n < max; i++) {
      rc = take(ctx, &pg.v[i], lease_ms);
      if (rc == CPOR_ECONFLICT || rc == CPOR_ENOTFOUND) { /* another consumer's now */
        rc = CPOR_OK;
        continue;
      }
      if (!rc && !(rc = push(it, pg.v[i].m))) pg.v[i].m = NULL;
      if (rc == CPOR_ENOMEM) rc = cpor__fail(ctx, rc, "out of memory");
    }
    for (size_t k = 0; k < pg.n; k++)
      cpor_message_free(pg.v[k].m);
    if (pg.end) break;
  }
  return cpor__call_end(ctx, rc);
}

int cpor_outbox_lease(cpor_ctx *ctx, const cpor_actor *actor, size_t max, uint32_t lease_ms,
                      cpor_message_iter **out) {
  if (!ctx) return CPOR_EINVAL;
  if (!out) return cpor__fail(ctx, CPOR_EINVAL, "out is NULL");
  *out = NULL;
  int rc = system_only(ctx, actor, "lease outbox messages");
  if (rc) return rc;
  if (max < 1 || max > LEASE_MAX_COUNT)
    return cpor__fail(ctx, CPOR_EINVAL, "max must be 1-%d messages", LEASE_MAX_COUNT);
  if (lease_ms < 1 || lease_ms > LEASE_MAX_MS)
    return cpor__fail(ctx, CPOR_EINVAL, "lease_ms must be 1-%u (24 h)", LEASE_MAX_MS);
  for (unsigned attempt = 0;; attempt++) {
    cpor_message_iter *it = calloc(1, sizeof *it);
    if (!it) return cpor__fail(ctx, CPOR_ENOMEM, "out of memory");
    rc = lease_once(ctx, max, lease_ms, it);
    if (rc == CPOR_OK) {
      *out = it;
      return CPOR_OK;
    }
    cpor_message_iter_free(it);
    if (!cpor__retry_again(ctx, rc, attempt)) return rc;
  }
}

/* ---- acknowledging -------------------------------------------------------------- */

static int ack_once(cpor_ctx *ctx, uint64_t id) {
  int rc = cpor__call_begin(ctx, 1);
  if (rc) return rc;
  char idbuf[24];
  cpor__message_id_text(id, idbuf);
  cpor_store_object obj;
  memset(&obj, 0, sizeof obj);
  rc = ctx->storage->m.object_get(ctx->storage->self, CPOR_STORE_OUTBOX, idbuf, &obj);
  if (rc == CPOR_ENOTFOUND)
    rc = cpor__fail(ctx, rc, "no outbox message %llu (acknowledged already, or never written)",
                    (unsigned long long)id);
  else if (rc)
    rc = cpor__storage_fail(ctx, rc, "cannot read the outbox");
  if (!rc) {
    cpor_store_object del = {.kind = CPOR_STORE_OUTBOX, .id = idbuf, .revision = obj.revision};
    rc = cpor__put(ctx, CPOR_STORE_DELETE, obj.revision, CPOR_OK, &del, NULL);
  }
  return cpor__call_end(ctx, rc);
}

int cpor_outbox_ack(cpor_ctx *ctx, const cpor_actor *actor, uint64_t id) {
  if (!ctx) return CPOR_EINVAL;
  int rc = system_only(ctx, actor, "acknowledge outbox messages");
  if (rc) return rc;
  if (id < 1 || id > INT64_MAX)
    return cpor__fail(ctx, CPOR_EINVAL, "message id must be 1-%lld", (long long)INT64_MAX);
  CPOR__RETRY(ctx, ack_once(ctx, id));
}
