/* The binary record encoders of releases before storage v2 (formats 1 and
 * 2), kept for tests and benchmarks only: the library writes JSON and reads
 * these through lib/core/records_bin.c. Claims and events take their format
 * (1 or 2); the directory records have format 1 only. */
#include "bin_records.h"

#include <stdlib.h>
#include <string.h>

#include "core/codec.h"

#define FORMAT 1
#define POLICY_WINDOWS 6

static int finish(cpor__wbuf *w, cpor_store_object *obj, void **buf) {
  if (w->oom) {
    cpor__wbuf_free(w);
    return CPOR_ENOMEM;
  }
  *buf = w->data;
  obj->data = w->data;
  obj->len = w->len;
  return CPOR_OK;
}

static void obj_init(cpor_store_object *obj, uint32_t kind, const char *id, const char *owner,
                     const char *ref, int32_t state) {
  memset(obj, 0, sizeof *obj);
  obj->kind = kind;
  obj->id = id;
  obj->owner = owner;
  obj->ref = ref;
  obj->state = state;
}

int bin_partner_encode(const cpor_partner *p, cpor_store_object *obj, void **buf) {
  cpor__wbuf w = {0};
  cpor__w_u32(&w, FORMAT);
  cpor__w_str(&w, p->name);
  obj_init(obj, CPOR_STORE_PARTNER, p->id, NULL, NULL, 0);
  return finish(&w, obj, buf);
}

int bin_location_encode(const cpor_location *l, cpor_store_object *obj, void **buf) {
  cpor__wbuf w = {0};
  cpor__w_u32(&w, FORMAT);
  cpor__w_str(&w, l->name);
  cpor__w_u32(&w, l->programs);
  obj_init(obj, CPOR_STORE_LOCATION, l->mpn_id, l->partner_id, NULL, 0);
  return finish(&w, obj, buf);
}

int bin_customer_encode(const cpor_customer *c, cpor_store_object *obj, void **buf) {
  cpor__wbuf w = {0};
  cpor__w_u32(&w, FORMAT);
  cpor__w_str(&w, c->name);
  obj_init(obj, CPOR_STORE_CUSTOMER, c->id, NULL, NULL, 0);
  return finish(&w, obj, buf);
}

int bin_tenant_encode(const cpor_tenant *t, cpor_store_object *obj, void **buf) {
  cpor__wbuf w = {0};
  cpor__w_u32(&w, FORMAT);
  cpor__w_u32(&w, (uint32_t)t->ndomains);
  for (size_t i = 0; i < t->ndomains; i++)
    cpor__w_str(&w, t->domains[i]);
  obj_init(obj, CPOR_STORE_TENANT, t->id, t->customer_id, NULL, 0);
  return finish(&w, obj, buf);
}

int bin_subscription_encode(const cpor_subscription *s, cpor_store_object *obj, void **buf) {
  cpor__wbuf w = {0};
  cpor__w_u32(&w, FORMAT);
  cpor__w_str(&w, s->workload);
  cpor__w_u32(&w, (uint32_t)s->channel);
  cpor__w_u32(&w, (uint32_t)s->state);
  obj_init(obj, CPOR_STORE_SUBSCRIPTION, s->id, s->tenant_id, NULL, s->state);
  return finish(&w, obj, buf);
}

int bin_workload_encode(const cpor_workload *wl, cpor_store_object *obj, void **buf) {
  cpor__wbuf w = {0};
  cpor__w_u32(&w, FORMAT);
  cpor__w_str(&w, wl->name);
  cpor__w_u32(&w, (uint32_t)wl->area);
  cpor__w_u32(&w, (uint32_t)wl->needs_subscription);
  cpor__w_u32(&w, (uint32_t)wl->dynamics);
  obj_init(obj, CPOR_STORE_WORKLOAD, wl->code, NULL, NULL, 0);
  return finish(&w, obj, buf);
}

int bin_claim_encode(const cpor_claim *c, int format, cpor_store_object *obj, void **buf) {
  cpor__wbuf w = {0};
  cpor__w_u32(&w, (uint32_t)format);
  cpor__w_str(&w, c->name);
  cpor__w_str(&w, c->mpn_id);
  cpor__w_str(&w, c->domain);
  cpor__w_u32(&w, (uint32_t)c->area);
  cpor__w_u32(&w, (uint32_t)c->activity);
  for (int f = 1; f < CPOR__NFIELDS; f++)
    cpor__w_str(&w, c->fields[f]);
  cpor__w_u32(&w, (uint32_t)c->nlines);
  for (size_t i = 0; i < c->nlines; i++) {
    cpor__w_str(&w, c->lines[i].workload);
    cpor__w_str(&w, c->lines[i].subscription);
    cpor__w_u32(&w, (uint32_t)c->lines[i].state);
    cpor__w_u32(&w, (uint32_t)c->lines[i].reason);
  }
  cpor__w_u32(&w, (uint32_t)c->npoe);
  for (size_t i = 0; i < c->npoe; i++) {
    cpor__w_str(&w, c->poe[i].name);
    cpor__w_str(&w, c->poe[i].media_type);
    cpor__w_str(&w, c->poe[i].sha256);
    cpor__w_i64(&w, (int64_t)c->poe[i].size);
    if (format >= 2) cpor__w_i64(&w, c->poe[i].added_at);
  }
  cpor__w_u32(&w, (uint32_t)c->state);
  cpor__w_u32(&w, (uint32_t)c->reason);
  cpor__w_u32(&w, c->contested);
  cpor__w_u32(&w, c->final);
  cpor__w_u32(&w, c->next_seq);
  cpor__w_i64(&w, c->created_at);
  cpor__w_i64(&w, c->updated_at);
  cpor__w_i64(&w, c->window_closes_at);
  cpor__w_i64(&w, c->sla_due_at);
  if (format < 2) goto end;
  cpor__w_i64(&w, c->last_at);
  cpor__w_u32(&w, c->disputes);
  cpor__w_u32(&w, (uint32_t)c->info_reason);
  cpor__w_u32(&w, (uint32_t)c->removal_reason);
  cpor__w_u32(&w, c->has_policy);
  const cpor_window *pw = &c->policy.optout;
  for (int i = 0; i < POLICY_WINDOWS; i++) {
    cpor__w_u32(&w, (uint32_t)pw[i].count);
    cpor__w_u32(&w, pw[i].unit);
  }
  cpor__w_u32(&w, c->variants.optout_from);
  cpor__w_u32(&w, c->variants.customer_may_end);
  cpor__w_u32(&w, c->variants.max_disputes);
  cpor__w_i64(&w, c->optout_closes_at);
end:
  obj_init(obj, CPOR_STORE_CLAIM, c->id, c->partner_id, c->tenant_id, c->state);
  return finish(&w, obj, buf);
}

int bin_event_encode(const cpor_event *e, int format, void **buf, size_t *len) {
  cpor__wbuf w = {0};
  cpor__w_u32(&w, (uint32_t)format);
  cpor__w_i64(&w, e->at);
  cpor__w_u32(&w, (uint32_t)e->kind);
  cpor__w_u32(&w, (uint32_t)e->state);
  cpor__w_u32(&w, (uint32_t)e->role);
  cpor__w_str(&w, e->org);
  cpor__w_str(&w, e->user);
  cpor__w_str(&w, e->text);
  if (format >= 2) cpor__w_str(&w, e->payload ? e->payload : "{}");
  if (w.oom) {
    cpor__wbuf_free(&w);
    return CPOR_ENOMEM;
  }
  *buf = w.data;
  *len = w.len;
  return CPOR_OK;
}
