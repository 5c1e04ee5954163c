/* The binary record formats of releases before storage v2 (formats 1 and 2:
 * codec.h), kept to read old rows (records_bin.h). Every record starts with
 * its format number, a little-endian uint32. */
#include "core/records_bin.h"

#include <stdlib.h>
#include <string.h>

#include "core/codec.h"

#define FORMAT 1
/* Claims and events: format 2 adds the claim's last event instant, dispute
 * count and recorded policy, and the event's payload. Format 1 still reads. */
#define FORMAT_CLAIM 2
#define POLICY_WINDOWS 6
#define MAX_ITEMS 1024

static int start(cpor__rbuf *r, const cpor_store_object *obj) {
  cpor__rbuf_init(r, obj->data, obj->len);
  return cpor__r_u32(r) == FORMAT && !r->bad;
}

/* Decoding ends here: trailing bytes or a bad read are corruption. */
static int done(cpor__rbuf *r) {
  if (r->oom) return CPOR_ENOMEM;
  return r->bad || r->p != r->end ? CPOR_ECORRUPT : CPOR_OK;
}

int cpor__bin_partner_decode(const cpor_store_object *obj, cpor_partner **out) {
  cpor__rbuf r;
  cpor_partner *p = calloc(1, sizeof *p);
  if (!p) return CPOR_ENOMEM;
  int oom = 0;
  if (start(&r, obj)) {
    p->id = cpor__strdup(obj->id, &oom);
    p->name = cpor__r_str(&r);
  }
  int rc = oom ? CPOR_ENOMEM : done(&r);
  if (rc == CPOR_OK && (!p->id || !p->name)) rc = CPOR_ECORRUPT;
  if (rc) {
    cpor_partner_free(p);
    return rc;
  }
  *out = p;
  return CPOR_OK;
}

int cpor__bin_location_decode(const cpor_store_object *obj, cpor_location **out) {
  cpor__rbuf r;
  cpor_location *l = calloc(1, sizeof *l);
  if (!l) return CPOR_ENOMEM;
  int oom = 0;
  if (start(&r, obj)) {
    l->mpn_id = cpor__strdup(obj->id, &oom);
    l->partner_id = cpor__strdup(obj->owner, &oom);
    l->name = cpor__r_str(&r);
    l->programs = cpor__r_u32(&r);
  }
  int rc = oom ? CPOR_ENOMEM : done(&r);
  if (rc == CPOR_OK && (!l->mpn_id || !l->partner_id || !l->name)) rc = CPOR_ECORRUPT;
  if (rc) {
    cpor_location_free(l);
    return rc;
  }
  *out = l;
  return CPOR_OK;
}

int cpor__bin_customer_decode(const cpor_store_object *obj, cpor_customer **out) {
  cpor__rbuf r;
  cpor_customer *c = calloc(1, sizeof *c);
  if (!c) return CPOR_ENOMEM;
  int oom = 0;
  if (start(&r, obj)) {
    c->id = cpor__strdup(obj->id, &oom);
    c->name = cpor__r_str(&r);
  }
  int rc = oom ? CPOR_ENOMEM : done(&r);
  if (rc == CPOR_OK && (!c->id || !c->name)) rc = CPOR_ECORRUPT;
  if (rc) {
    cpor_customer_free(c);
    return rc;
  }
  *out = c;
  return CPOR_OK;
}

int cpor__bin_tenant_decode(const cpor_store_object *obj, cpor_tenant **out) {
  cpor__rbuf r;
  cpor_tenant *t = calloc(1, sizeof *t);
  if (!t) return CPOR_ENOMEM;
  int oom = 0;
  if (start(&r, obj)) {
    t->id = cpor__strdup(obj->id, &oom);
    t->customer_id = cpor__strdup(obj->owner, &oom);
    uint32_t n = cpor__r_u32(&r);
    if (!r.bad && n <= 4096) {
      t->domains = calloc(n ? n : 1, sizeof *t->domains);
      if (!t->domains) oom = 1;
      for (uint32_t i = 0; i < n && !oom && !r.bad; i++) {
        t->domains[i] = cpor__r_str(&r);
        t->ndomains = i + 1;
        if (!t->domains[i]) r.bad = 1;
      }
    } else {
      r.bad = 1;
    }
  }
  int rc = oom ? CPOR_ENOMEM : done(&r);
  if (rc == CPOR_OK && (!t->id || !t->customer_id)) rc = CPOR_ECORRUPT;
  if (rc) {
    cpor_tenant_free(t);
    return rc;
  }
  *out = t;
  return CPOR_OK;
}

int cpor__bin_subscription_decode(const cpor_store_object *obj, cpor_subscription **out) {
  cpor__rbuf r;
  cpor_subscription *s = calloc(1, sizeof *s);
  if (!s) return CPOR_ENOMEM;
  int oom = 0;
  if (start(&r, obj)) {
    s->id = cpor__strdup(obj->id, &oom);
    s->tenant_id = cpor__strdup(obj->owner, &oom);
    s->workload = cpor__r_str(&r);
    s->channel = (int32_t)cpor__r_u32(&r);
    s->state = (int32_t)cpor__r_u32(&r);
  }
  int rc = oom ? CPOR_ENOMEM : done(&r);
  if (rc == CPOR_OK && (!s->id || !s->tenant_id || !s->workload)) rc = CPOR_ECORRUPT;
  if (rc) {
    cpor_subscription_free(s);
    return rc;
  }
  *out = s;
  return CPOR_OK;
}

int cpor__bin_workload_decode(const cpor_store_object *obj, cpor_workload **out) {
  cpor__rbuf r;
  cpor_workload *wl = calloc(1, sizeof *wl);
  if (!wl) return CPOR_ENOMEM;
  int oom = 0;
  if (start(&r, obj)) {
    wl->code = cpor__strdup(obj->id, &oom);
    wl->name = cpor__r_str(&r);
    wl->area = (int32_t)cpor__r_u32(&r);
    wl->needs_subscription = (int32_t)cpor__r_u32(&r);
    wl->dynamics = (int32_t)cpor__r_u32(&r);
  }
  int rc = oom ? CPOR_ENOMEM : done(&r);
  if (rc == CPOR_OK && (!wl->code || !wl->name)) rc = CPOR_ECORRUPT;
  if (rc) {
    cpor_workload_free(wl);
    return rc;
  }
  *out = wl;
  return CPOR_OK;
}

int cpor__bin_claim_decode(const cpor_store_object *obj, cpor_claim **out) {
  cpor__rbuf r;
  cpor_claim *c = calloc(1, sizeof *c);
  if (!c) return CPOR_ENOMEM;
  int oom = 0;
  cpor__rbuf_init(&r, obj->data, obj->len);
  uint32_t format = cpor__r_u32(&r);
  if (r.bad || format < 1 || format > FORMAT_CLAIM) {
    r.bad = 1;
    goto end;
  }
  c->id = cpor__strdup(obj->id, &oom);
  c->partner_id = cpor__strdup(obj->owner, &oom);
  c->tenant_id = cpor__strdup(obj->ref, &oom);
  c->name = cpor__r_str(&r);
  c->mpn_id = cpor__r_str(&r);
  c->domain = cpor__r_str(&r);
  c->area = (int32_t)cpor__r_u32(&r);
  c->activity = (int32_t)cpor__r_u32(&r);
  for (int f = 1; f < CPOR__NFIELDS; f++)
    c->fields[f] = cpor__r_str(&r);
  uint32_t n = cpor__r_u32(&r);
  if (r.bad || n > MAX_ITEMS) goto bad;
  c->lines = calloc(n ? n : 1, sizeof *c->lines);
  if (!c->lines) goto nomem;
  for (uint32_t i = 0; i < n && !r.bad; i++, c->nlines++) {
    c->lines[i].workload = cpor__r_str(&r);
    c->lines[i].subscription = cpor__r_str(&r);
    c->lines[i].state = (int32_t)cpor__r_u32(&r);
    c->lines[i].reason = (int32_t)cpor__r_u32(&r);
    if (!c->lines[i].workload) r.bad = 1;
  }
  n = cpor__r_u32(&r);
  if (r.bad || n > MAX_ITEMS) goto bad;
  c->poe = calloc(n ? n : 1, sizeof *c->poe);
  if (!c->poe) goto nomem;
  for (uint32_t i = 0; i < n && !r.bad; i++, c->npoe++) {
    c->poe[i].name = cpor__r_str(&r);
    c->poe[i].media_type = cpor__r_str(&r);
    c->poe[i].sha256 = cpor__r_str(&r);
    c->poe[i].size = (uint64_t)cpor__r_i64(&r);
    c->poe[i].added_at = format >= 2 ? cpor__r_i64(&r) : CPOR_TIME_NONE;
    if (!c->poe[i].name || !c->poe[i].media_type || !c->poe[i].sha256) r.bad = 1;
  }
  c->state = (int32_t)cpor__r_u32(&r);
  c->reason = (int32_t)cpor__r_u32(&r);
  c->contested = cpor__r_u32(&r);
  c->final = cpor__r_u32(&r);
  c->next_seq = cpor__r_u32(&r);
  c->created_at = cpor__r_i64(&r);
  c->updated_at = cpor__r_i64(&r);
  c->window_closes_at = cpor__r_i64(&r);
  c->sla_due_at = cpor__r_i64(&r);
  c->last_at = c->updated_at;
  c->optout_closes_at = CPOR_TIME_NONE;
  if (format >= 2) {
    c->last_at = cpor__r_i64(&r);
    c->disputes = cpor__r_u32(&r);
    c->info_reason = (int32_t)cpor__r_u32(&r);
    c->removal_reason = (int32_t)cpor__r_u32(&r);
    c->has_policy = cpor__r_u32(&r);
    cpor_window *pw = &c->policy.optout;
    for (int i = 0; i < POLICY_WINDOWS; i++) {
      pw[i].count = (int32_t)cpor__r_u32(&r);
      pw[i].unit = cpor__r_u32(&r);
    }
    c->variants.optout_from = cpor__r_u32(&r);
    c->variants.customer_may_end = cpor__r_u32(&r);
    c->variants.max_disputes = cpor__r_u32(&r);
    c->optout_closes_at = cpor__r_i64(&r);
  }
end:;
  int rc = oom || r.oom ? CPOR_ENOMEM : done(&r);
  if (rc == CPOR_OK && (!c->id || !c->partner_id || !c->tenant_id || !c->mpn_id || !c->domain ||
                        c->state < CPOR_STATE_EDITING || c->state > CPOR_STATE_ENDED))
    rc = CPOR_ECORRUPT;
  if (rc) {
    cpor_claim_free(c);
    return rc;
  }
  *out = c;
  return CPOR_OK;
bad:
  r.bad = 1;
  goto end;
nomem:
  oom = 1;
  goto end;
}

int cpor__bin_event_decode(uint32_t seq, const void *data, size_t len, cpor_event **out) {
  cpor_event *e = calloc(1, sizeof *e);
  if (!e) return CPOR_ENOMEM;
  cpor__rbuf r;
  cpor__rbuf_init(&r, data, len);
  uint32_t format = cpor__r_u32(&r);
  if (format < 1 || format > FORMAT_CLAIM) r.bad = 1;
  e->seq = seq;
  e->at = cpor__r_i64(&r);
  e->kind = (int32_t)cpor__r_u32(&r);
  e->state = (int32_t)cpor__r_u32(&r);
  e->role = (int32_t)cpor__r_u32(&r);
  e->org = cpor__r_str(&r);
  e->user = cpor__r_str(&r);
  e->text = cpor__r_str(&r);
  int oom = 0;
  e->payload = format >= 2 ? cpor__r_str(&r) : cpor__strdup("{}", &oom);
  int rc = oom ? CPOR_ENOMEM : done(&r);
  if (rc == CPOR_OK && (!e->org || !e->user || !e->text || !e->payload)) rc = CPOR_ECORRUPT;
  if (rc) {
    cpor_event_free(e);
    return rc;
  }
  *out = e;
  return CPOR_OK;
}
