/* Stored records as canonical JSON documents (README.md, "Stored records"):
 * compact, keys sorted, "schema": 1 in each, enums by name, instants as ms
 * since the epoch (null for CPOR_TIME_NONE). A directory record leaves out
 * what the store keeps in its columns (id, owner); a claim carries its id,
 * partner and tenant so that it reads on its own (SQL views, exports), and
 * the decoder checks them against the columns. A record that does not start
 * with '{' is in a binary format of an earlier release (records_bin.c). */
#include "core/records.h"

#include <stdlib.h>
#include <string.h>

#include "core/json_doc.h"
#include "core/records_bin.h"
#include "rules/payload.h"

#define MAX_DOMAINS 4096
#define MAX_ITEMS 1024
#define MAX_WINDOW 3650

static void obj_init(cpor_store_object *obj, uint32_t kind, const char *id, const char *owner,
                     const char *ref, int32_t state) {
  memset(obj, 0, sizeof *obj);
  obj->kind = kind;
  obj->id = id;
  obj->owner = owner;
  obj->ref = ref;
  obj->state = state;
}

/* Ends an encoding: the bytes go to *buf (the caller frees) and obj. */
static int put_doc(cpor__jw *w, json_t *doc, cpor_store_object *obj, void **buf) {
  size_t len = 0;
  int rc = cpor__jw_finish(w, doc, buf, &len);
  if (rc) return rc;
  obj->data = *buf;
  obj->len = len;
  return CPOR_OK;
}

/* Ends a decoding: the whole document was read, nothing is left over. */
static int end_doc(cpor__jr *r, cpor__jin *doc) {
  cpor__jr_end(r, doc);
  json_decref(doc->o);
  return r->rc;
}

/* A copy of a column value the store keeps (required). */
static char *column(cpor__jr *r, const char *s) {
  if (r->rc) return NULL;
  if (!s) return cpor__jr_fail(r, CPOR_ECORRUPT), NULL;
  char *d = strdup(s);
  if (!d) cpor__jr_fail(r, CPOR_ENOMEM);
  return d;
}

/* The state the store indexes (its state column) is the document's. */
static void same_state(cpor__jr *r, int32_t state, int32_t column) {
  if (!r->rc && state != column) cpor__jr_fail(r, CPOR_ECORRUPT);
}

/* A record in a binary format is read through the current one: decoded,
 * encoded as JSON and decoded again. Old files then get every check of the
 * JSON decoder (a value the format cannot hold is corruption), and the two
 * decoders cannot drift apart. Only old rows pay for it. */
#define LEGACY(k, T)                                                                               \
  static int legacy_##k(const cpor_store_object *obj, T **out) {                                   \
    T *old = NULL;                                                                                 \
    int rc = cpor__bin_##k##_decode(obj, &old);                                                    \
    if (rc) return rc;                                                                             \
    cpor_store_object doc;                                                                         \
    void *buf = NULL;                                                                              \
    rc = cpor__##k##_encode(old, &doc, &buf);                                                      \
    if (rc == CPOR_OK) rc = cpor__##k##_decode(&doc, out);                                         \
    free(buf);                                                                                     \
    cpor_##k##_free(old);                                                                          \
    return rc == CPOR_EINVAL ? CPOR_ECORRUPT : rc;                                                 \
  }
LEGACY(partner, cpor_partner)
LEGACY(location, cpor_location)
LEGACY(customer, cpor_customer)
LEGACY(tenant, cpor_tenant)
LEGACY(subscription, cpor_subscription)
LEGACY(workload, cpor_workload)
LEGACY(claim, cpor_claim)

static int legacy_event(uint32_t seq, const void *data, size_t len, cpor_event **out) {
  cpor_event *old = NULL;
  int rc = cpor__bin_event_decode(seq, data, len, &old);
  if (rc) return rc;
  void *buf = NULL;
  size_t n = 0;
  rc = cpor__event_encode(old, &buf, &n);
  if (rc == CPOR_OK) rc = cpor__event_decode(seq, buf, n, out);
  free(buf);
  cpor_event_free(old);
  return rc == CPOR_EINVAL ? CPOR_ECORRUPT : rc;
}

/* ---- partners, locations, customers ---------------------------------------- */

int cpor__partner_encode(const cpor_partner *p, cpor_store_object *obj, void **buf) {
  cpor__jw w = {0};
  json_t *doc = cpor__jw_doc(&w);
  cpor__jw_str(&w, doc, "name", p->name);
  obj_init(obj, CPOR_STORE_PARTNER, p->id, NULL, NULL, 0);
  return put_doc(&w, doc, obj, buf);
}

int cpor__partner_decode(const cpor_store_object *obj, cpor_partner **out) {
  if (!cpor__json_is_doc(obj->data, obj->len)) return legacy_partner(obj, out);
  cpor_partner *p = calloc(1, sizeof *p);
  if (!p) return CPOR_ENOMEM;
  cpor__jr r = {0};
  cpor__jin d = cpor__jr_doc(&r, obj->data, obj->len);
  p->id = column(&r, obj->id);
  p->name = cpor__jr_str(&r, &d, "name", 0);
  int rc = end_doc(&r, &d);
  if (rc) {
    cpor_partner_free(p);
    return rc;
  }
  *out = p;
  return CPOR_OK;
}

/* Programs: the enrolled ones by name, in ascending value order. */
static void programs_put(cpor__jw *w, json_t *doc, uint32_t programs) {
  json_t *a = cpor__jw_put(w, doc, "programs", json_array());
  for (int p = 0; p < 32; p++)
    if (programs & (1u << p)) cpor__jw_append(w, a, cpor__jw_name(w, cpor_program_name, p));
}

static uint32_t programs_get(cpor__jr *r, cpor__jin *doc) {
  size_t n;
  json_t *a = cpor__jr_array(r, doc, "programs", 32, &n);
  uint32_t bits = 0;
  int last = 0;
  for (size_t i = 0; i < n && !r->rc; i++) {
    int p = cpor__jr_elem_enum(r, a, i, cpor_program_name);
    if (p <= last) cpor__jr_fail(r, CPOR_ECORRUPT); /* repeated or out of order */
    bits |= 1u << p;
    last = p;
  }
  return bits;
}

int cpor__location_encode(const cpor_location *l, cpor_store_object *obj, void **buf) {
  cpor__jw w = {0};
  json_t *doc = cpor__jw_doc(&w);
  cpor__jw_str(&w, doc, "name", l->name);
  programs_put(&w, doc, l->programs);
  obj_init(obj, CPOR_STORE_LOCATION, l->mpn_id, l->partner_id, NULL, 0);
  return put_doc(&w, doc, obj, buf);
}

int cpor__location_decode(const cpor_store_object *obj, cpor_location **out) {
  if (!cpor__json_is_doc(obj->data, obj->len)) return legacy_location(obj, out);
  cpor_location *l = calloc(1, sizeof *l);
  if (!l) return CPOR_ENOMEM;
  cpor__jr r = {0};
  cpor__jin d = cpor__jr_doc(&r, obj->data, obj->len);
  l->mpn_id = column(&r, obj->id);
  l->partner_id = column(&r, obj->owner);
  l->name = cpor__jr_str(&r, &d, "name", 0);
  l->programs = programs_get(&r, &d);
  int rc = end_doc(&r, &d);
  if (rc) {
    cpor_location_free(l);
    return rc;
  }
  *out = l;
  return CPOR_OK;
}

int cpor__customer_encode(const cpor_customer *c, cpor_store_object *obj, void **buf) {
  cpor__jw w = {0};
  json_t *doc = cpor__jw_doc(&w);
  cpor__jw_str(&w, doc, "name", c->name);
  obj_init(obj, CPOR_STORE_CUSTOMER, c->id, NULL, NULL, 0);
  return put_doc(&w, doc, obj, buf);
}

int cpor__customer_decode(const cpor_store_object *obj, cpor_customer **out) {
  if (!cpor__json_is_doc(obj->data, obj->len)) return legacy_customer(obj, out);
  cpor_customer *c = calloc(1, sizeof *c);
  if (!c) return CPOR_ENOMEM;
  cpor__jr r = {0};
  cpor__jin d = cpor__jr_doc(&r, obj->data, obj->len);
  c->id = column(&r, obj->id);
  c->name = cpor__jr_str(&r, &d, "name", 0);
  int rc = end_doc(&r, &d);
  if (rc) {
    cpor_customer_free(c);
    return rc;
  }
  *out = c;
  return CPOR_OK;
}

/* ---- tenants, subscriptions, workloads ----------------------------------------- */

int cpor__tenant_encode(const cpor_tenant *t, cpor_store_object *obj, void **buf) {
  cpor__jw w = {0};
  json_t *doc = cpor__jw_doc(&w);
  json_t *a = cpor__jw_put(&w, doc, "domains", json_array());
  for (size_t i = 0; i < t->ndomains; i++)
    cpor__jw_append(&w, a, cpor__jw_string(&w, t->domains[i]));
  obj_init(obj, CPOR_STORE_TENANT, t->id, t->customer_id, NULL, 0);
  return put_doc(&w, doc, obj, buf);
}

int cpor__tenant_decode(const cpor_store_object *obj, cpor_tenant **out) {
  if (!cpor__json_is_doc(obj->data, obj->len)) return legacy_tenant(obj, out);
  cpor_tenant *t = calloc(1, sizeof *t);
  if (!t) return CPOR_ENOMEM;
  cpor__jr r = {0};
  cpor__jin d = cpor__jr_doc(&r, obj->data, obj->len);
  t->id = column(&r, obj->id);
  t->customer_id = column(&r, obj->owner);
  size_t n;
  json_t *a = cpor__jr_array(&r, &d, "domains", MAX_DOMAINS, &n);
  if (!r.rc && !(t->domains = calloc(n ? n : 1, sizeof *t->domains)))
    cpor__jr_fail(&r, CPOR_ENOMEM);
  for (size_t i = 0; i < n && !r.rc; i++, t->ndomains++)
    t->domains[i] = cpor__jr_elem_str(&r, a, i);
  int rc = end_doc(&r, &d);
  if (rc) {
    cpor_tenant_free(t);
    return rc;
  }
  *out = t;
  return CPOR_OK;
}

int cpor__subscription_encode(const cpor_subscription *s, cpor_store_object *obj, void **buf) {
  cpor__jw w = {0};
  json_t *doc = cpor__jw_doc(&w);
  cpor__jw_str(&w, doc, "workload", s->workload);
  cpor__jw_enum(&w, doc, "channel", cpor_channel_name, s->channel);
  cpor__jw_enum(&w, doc, "state", cpor_sub_state_name, s->state);
  obj_init(obj, CPOR_STORE_SUBSCRIPTION, s->id, s->tenant_id, NULL, s->state);
  return put_doc(&w, doc, obj, buf);
}

int cpor__subscription_decode(const cpor_store_object *obj, cpor_subscription **out) {
  if (!cpor__json_is_doc(obj->data, obj->len)) return legacy_subscription(obj, out);
  cpor_subscription *s = calloc(1, sizeof *s);
  if (!s) return CPOR_ENOMEM;
  cpor__jr r = {0};
  cpor__jin d = cpor__jr_doc(&r, obj->data, obj->len);
  s->id = column(&r, obj->id);
  s->tenant_id = column(&r, obj->owner);
  s->workload = cpor__jr_str(&r, &d, "workload", 0);
  s->channel = cpor__jr_enum(&r, &d, "channel", cpor_channel_name);
  s->state = cpor__jr_enum(&r, &d, "state", cpor_sub_state_name);
  same_state(&r, s->state, obj->state);
  int rc = end_doc(&r, &d);
  if (rc) {
    cpor_subscription_free(s);
    return rc;
  }
  *out = s;
  return CPOR_OK;
}

int cpor__workload_encode(const cpor_workload *wl, cpor_store_object *obj, void **buf) {
  cpor__jw w = {0};
  json_t *doc = cpor__jw_doc(&w);
  cpor__jw_str(&w, doc, "name", wl->name);
  cpor__jw_enum(&w, doc, "area", cpor_area_name, wl->area);
  cpor__jw_bool(&w, doc, "needs_subscription", wl->needs_subscription);
  cpor__jw_bool(&w, doc, "dynamics", wl->dynamics);
  obj_init(obj, CPOR_STORE_WORKLOAD, wl->code, NULL, NULL, 0);
  return put_doc(&w, doc, obj, buf);
}

int cpor__workload_decode(const cpor_store_object *obj, cpor_workload **out) {
  if (!cpor__json_is_doc(obj->data, obj->len)) return legacy_workload(obj, out);
  cpor_workload *wl = calloc(1, sizeof *wl);
  if (!wl) return CPOR_ENOMEM;
  cpor__jr r = {0};
  cpor__jin d = cpor__jr_doc(&r, obj->data, obj->len);
  wl->code = column(&r, obj->id);
  wl->name = cpor__jr_str(&r, &d, "name", 0);
  wl->area = cpor__jr_enum(&r, &d, "area", cpor_area_name);
  wl->needs_subscription = cpor__jr_bool(&r, &d, "needs_subscription");
  wl->dynamics = cpor__jr_bool(&r, &d, "dynamics");
  int rc = end_doc(&r, &d);
  if (rc) {
    cpor_workload_free(wl);
    return rc;
  }
  *out = wl;
  return CPOR_OK;
}

cpor_workload *cpor__workload_dup(const cpor_workload *w) {
  cpor_workload *d = calloc(1, sizeof *d);
  if (!d) return NULL;
  int oom = 0;
  *d = *w;
  d->code = cpor__strdup(w->code, &oom);
  d->name = cpor__strdup(w->name, &oom);
  if (oom) {
    cpor_workload_free(d);
    return NULL;
  }
  return d;
}

/* ---- claims -------------------------------------------------------------------- */

static const char *day_unit_name(int unit) {
  return unit == CPOR_BUSINESS_DAYS ? "business" : unit == CPOR_CALENDAR_DAYS ? "calendar" : NULL;
}

/* The windows of cpor_policy, in its member order. */
static const char *const window_keys[] = {"optout",     "response", "review_start_sla",
                                          "review_sla", "dispute",  "dispute_review_sla"};
#define NWINDOWS (sizeof window_keys / sizeof window_keys[0])
_Static_assert(sizeof(cpor_policy) == NWINDOWS * sizeof(cpor_window), "a key per policy window");

static void policy_put(cpor__jw *w, json_t *doc, const cpor_claim *c) {
  if (!c->has_policy) {
    cpor__jw_put(w, doc, "policy", json_null());
    return;
  }
  json_t *p = cpor__jw_put(w, doc, "policy", json_object());
  const cpor_window *win = &c->policy.optout;
  for (size_t i = 0; i < NWINDOWS; i++) {
    json_t *o = cpor__jw_put(w, p, window_keys[i], json_object());
    cpor__jw_int(w, o, "count", win[i].count);
    cpor__jw_enum(w, o, "unit", day_unit_name, (int)win[i].unit);
  }
}

static void policy_get(cpor__jr *r, cpor__jin *doc, cpor_claim *c) {
  cpor__jin p = cpor__jr_obj(r, doc, "policy", 1);
  if (!p.o) return;
  cpor_window *win = &c->policy.optout;
  for (size_t i = 0; i < NWINDOWS; i++) {
    cpor__jin o = cpor__jr_obj(r, &p, window_keys[i], 0);
    win[i].count = (int32_t)cpor__jr_int(r, &o, "count", 1, MAX_WINDOW);
    win[i].unit = (uint32_t)cpor__jr_enum(r, &o, "unit", day_unit_name);
    cpor__jr_end(r, &o);
  }
  cpor__jr_end(r, &p);
  c->has_policy = 1;
}

/* Contacts: only the fields that are set, keyed by their payload names. */
static void contacts_put(cpor__jw *w, json_t *doc, const cpor_claim *c) {
  json_t *o = cpor__jw_put(w, doc, "contacts", json_object());
  for (int f = 1; f < CPOR__NFIELDS; f++)
    if (c->fields[f]) cpor__jw_str(w, o, cpor__field_key(f), c->fields[f]);
}

static void contacts_get(cpor__jr *r, cpor__jin *doc, cpor_claim *c) {
  cpor__jin o = cpor__jr_obj(r, doc, "contacts", 0);
  for (int f = 1; f < CPOR__NFIELDS && o.o; f++)
    if (json_object_get(o.o, cpor__field_key(f)))
      c->fields[f] = cpor__jr_str(r, &o, cpor__field_key(f), 0);
  cpor__jr_end(r, &o); /* a key that names no field */
}

static void lines_put(cpor__jw *w, json_t *doc, const cpor_claim *c) {
  json_t *a = cpor__jw_put(w, doc, "lines", json_array());
  for (size_t i = 0; i < c->nlines; i++) {
    const cpor__line *l = &c->lines[i];
    json_t *o = cpor__jw_append(w, a, json_object());
    cpor__jw_str(w, o, "workload", l->workload);
    cpor__jw_str(w, o, "subscription", l->subscription);
    cpor__jw_enum(w, o, "state", cpor_state_name, l->state);
    cpor__jw_enum(w, o, "reason", cpor_reason_name, l->reason);
  }
}

static void lines_get(cpor__jr *r, cpor__jin *doc, cpor_claim *c) {
  size_t n;
  json_t *a = cpor__jr_array(r, doc, "lines", MAX_ITEMS, &n);
  if (!r->rc && !(c->lines = calloc(n ? n : 1, sizeof *c->lines))) cpor__jr_fail(r, CPOR_ENOMEM);
  for (size_t i = 0; i < n && !r->rc; i++, c->nlines++) {
    cpor__line *l = &c->lines[i];
    cpor__jin o = cpor__jr_elem_obj(r, a, i);
    l->workload = cpor__jr_str(r, &o, "workload", 0);
    l->subscription = cpor__jr_str(r, &o, "subscription", 1);
    l->state = cpor__jr_enum(r, &o, "state", cpor_state_name);
    l->reason = cpor__jr_enum(r, &o, "reason", cpor_reason_name);
    cpor__jr_end(r, &o);
  }
}

static void poe_put(cpor__jw *w, json_t *doc, const cpor_claim *c) {
  json_t *a = cpor__jw_put(w, doc, "poe", json_array());
  for (size_t i = 0; i < c->npoe; i++) {
    const cpor__poe *p = &c->poe[i];
    json_t *o = cpor__jw_append(w, a, json_object());
    cpor__jw_str(w, o, "name", p->name);
    cpor__jw_str(w, o, "media_type", p->media_type);
    cpor__jw_str(w, o, "sha256", p->sha256);
    if (p->size > INT64_MAX && !w->rc) w->rc = CPOR_EINVAL;
    cpor__jw_int(w, o, "size", (int64_t)p->size);
  }
}

static void poe_get(cpor__jr *r, cpor__jin *doc, cpor_claim *c) {
  size_t n;
  json_t *a = cpor__jr_array(r, doc, "poe", MAX_ITEMS, &n);
  if (!r->rc && !(c->poe = calloc(n ? n : 1, sizeof *c->poe))) cpor__jr_fail(r, CPOR_ENOMEM);
  for (size_t i = 0; i < n && !r->rc; i++, c->npoe++) {
    cpor__poe *p = &c->poe[i];
    cpor__jin o = cpor__jr_elem_obj(r, a, i);
    p->name = cpor__jr_str(r, &o, "name", 0);
    p->media_type = cpor__jr_str(r, &o, "media_type", 0);
    p->sha256 = cpor__jr_str(r, &o, "sha256", 0);
    p->size = (uint64_t)cpor__jr_int(r, &o, "size", 0, INT64_MAX);
    cpor__jr_end(r, &o);
  }
}

int cpor__claim_encode(const cpor_claim *c, cpor_store_object *obj, void **buf) {
  cpor__jw w = {0};
  json_t *doc = cpor__jw_doc(&w);
  cpor__jw_str(&w, doc, "id", c->id);
  cpor__jw_str(&w, doc, "partner_id", c->partner_id);
  cpor__jw_str(&w, doc, "tenant_id", c->tenant_id);
  cpor__jw_str(&w, doc, "mpn_id", c->mpn_id);
  cpor__jw_str(&w, doc, "domain", c->domain);
  cpor__jw_str(&w, doc, "name", c->name);
  cpor__jw_enum(&w, doc, "area", cpor_area_name, c->area);
  cpor__jw_enum(&w, doc, "activity", cpor_activity_name, c->activity);
  contacts_put(&w, doc, c);
  lines_put(&w, doc, c);
  poe_put(&w, doc, c);
  cpor__jw_enum(&w, doc, "state", cpor_state_name, c->state);
  cpor__jw_enum(&w, doc, "reason", cpor_reason_name, c->reason);
  cpor__jw_bool(&w, doc, "contested", c->contested != 0);
  cpor__jw_bool(&w, doc, "final", c->final != 0);
  cpor__jw_int(&w, doc, "disputes", c->disputes);
  cpor__jw_int(&w, doc, "next_seq", c->next_seq);
  cpor__jw_time(&w, doc, "created_at", c->created_at);
  cpor__jw_time(&w, doc, "updated_at", c->updated_at);
  cpor__jw_time(&w, doc, "last_at", c->last_at);
  cpor__jw_time(&w, doc, "window_closes_at", c->window_closes_at);
  cpor__jw_time(&w, doc, "sla_due_at", c->sla_due_at);
  policy_put(&w, doc, c);
  obj_init(obj, CPOR_STORE_CLAIM, c->id, c->partner_id, c->tenant_id, c->state);
  return put_doc(&w, doc, obj, buf);
}

int cpor__claim_decode(const cpor_store_object *obj, cpor_claim **out) {
  if (!cpor__json_is_doc(obj->data, obj->len)) return legacy_claim(obj, out);
  cpor_claim *c = calloc(1, sizeof *c);
  if (!c) return CPOR_ENOMEM;
  cpor__jr r = {0};
  cpor__jin d = cpor__jr_doc(&r, obj->data, obj->len);
  /* The columns the store indexes are copies of these (and of the state):
   * they must agree. */
  cpor__jr_same(&r, &d, "id", obj->id);
  cpor__jr_same(&r, &d, "partner_id", obj->owner);
  cpor__jr_same(&r, &d, "tenant_id", obj->ref);
  c->id = column(&r, obj->id);
  c->partner_id = column(&r, obj->owner);
  c->tenant_id = column(&r, obj->ref);
  c->mpn_id = cpor__jr_str(&r, &d, "mpn_id", 0);
  c->domain = cpor__jr_str(&r, &d, "domain", 0);
  c->name = cpor__jr_str(&r, &d, "name", 1);
  c->area = cpor__jr_enum(&r, &d, "area", cpor_area_name);
  c->activity = cpor__jr_enum(&r, &d, "activity", cpor_activity_name);
  contacts_get(&r, &d, c);
  lines_get(&r, &d, c);
  poe_get(&r, &d, c);
  c->state = cpor__jr_enum(&r, &d, "state", cpor_state_name);
  same_state(&r, c->state, obj->state);
  c->reason = cpor__jr_enum(&r, &d, "reason", cpor_reason_name);
  c->contested = (uint32_t)cpor__jr_bool(&r, &d, "contested");
  c->final = (uint32_t)cpor__jr_bool(&r, &d, "final");
  c->disputes = (uint32_t)cpor__jr_int(&r, &d, "disputes", 0, UINT32_MAX);
  c->next_seq = (uint32_t)cpor__jr_int(&r, &d, "next_seq", 0, UINT32_MAX);
  c->created_at = cpor__jr_time(&r, &d, "created_at");
  c->updated_at = cpor__jr_time(&r, &d, "updated_at");
  c->last_at = cpor__jr_time(&r, &d, "last_at");
  c->window_closes_at = cpor__jr_time(&r, &d, "window_closes_at");
  c->sla_due_at = cpor__jr_time(&r, &d, "sla_due_at");
  policy_get(&r, &d, c);
  int rc = end_doc(&r, &d);
  if (rc) {
    cpor_claim_free(c);
    return rc;
  }
  *out = c;
  return CPOR_OK;
}

/* A deep copy, field by field: handing out a claim must not cost a
 * serialization round trip. */
static int copy_lines(cpor_claim *d, const cpor_claim *c, int *oom) {
  d->lines = calloc(c->nlines ? c->nlines : 1, sizeof *d->lines);
  if (!d->lines) return *oom = 1;
  for (size_t i = 0; i < c->nlines; i++, d->nlines++) {
    d->lines[i] = c->lines[i];
    d->lines[i].workload = cpor__strdup(c->lines[i].workload, oom);
    d->lines[i].subscription = cpor__strdup(c->lines[i].subscription, oom);
  }
  return *oom;
}

static int copy_poe(cpor_claim *d, const cpor_claim *c, int *oom) {
  d->poe = calloc(c->npoe ? c->npoe : 1, sizeof *d->poe);
  if (!d->poe) return *oom = 1;
  for (size_t i = 0; i < c->npoe; i++, d->npoe++) {
    d->poe[i] = c->poe[i];
    d->poe[i].name = cpor__strdup(c->poe[i].name, oom);
    d->poe[i].media_type = cpor__strdup(c->poe[i].media_type, oom);
    d->poe[i].sha256 = cpor__strdup(c->poe[i].sha256, oom);
  }
  return *oom;
}

cpor_claim *cpor__claim_dup(const cpor_claim *c) {
  cpor_claim *d = malloc(sizeof *d);
  if (!d) return NULL;
  *d = *c;
  int oom = 0;
  char **s[] = {&d->id, &d->name, &d->partner_id, &d->mpn_id, &d->tenant_id, &d->domain};
  for (size_t i = 0; i < sizeof s / sizeof s[0]; i++)
    *s[i] = cpor__strdup(*s[i], &oom);
  for (int f = 0; f < CPOR__NFIELDS; f++)
    d->fields[f] = cpor__strdup(c->fields[f], &oom);
  d->lines = NULL;
  d->poe = NULL;
  d->nlines = d->npoe = 0;
  if (oom || copy_lines(d, c, &oom) || copy_poe(d, c, &oom)) {
    cpor_claim_free(d);
    return NULL;
  }
  return d;
}

/* ---- events -------------------------------------------------------------------- */

int cpor__event_encode(const cpor_event *e, void **buf, size_t *len) {
  cpor__jw w = {0};
  json_t *doc = cpor__jw_doc(&w);
  cpor__jw_int(&w, doc, "seq", e->seq);
  cpor__jw_time(&w, doc, "at", e->at);
  cpor__jw_enum(&w, doc, "kind", cpor_event_kind_name, e->kind);
  cpor__jw_enum(&w, doc, "state", cpor_state_name, e->state);
  json_t *actor = cpor__jw_put(&w, doc, "actor", json_object());
  cpor__jw_enum(&w, actor, "role", cpor_role_name, e->role);
  cpor__jw_str(&w, actor, "org", e->org);
  cpor__jw_str(&w, actor, "user", e->user);
  cpor__jw_str(&w, doc, "text", e->text);
  /* The payload is a JSON object text: embedded as an object, not a string. */
  const char *text = e->payload ? e->payload : "{}";
  json_t *payload = NULL;
  int rc = cpor__json_parse(text, strlen(text), &payload);
  if (rc == CPOR_OK && !json_is_object(payload)) rc = CPOR_ECORRUPT;
  if (rc && !w.rc) w.rc = rc == CPOR_ENOMEM ? CPOR_ENOMEM : CPOR_EINVAL;
  cpor__jw_put(&w, doc, "payload", rc ? NULL : json_incref(payload));
  json_decref(payload);
  return cpor__jw_finish(&w, doc, buf, len);
}

int cpor__event_decode(uint32_t seq, const void *data, size_t len, cpor_event **out) {
  if (!cpor__json_is_doc(data, len)) return legacy_event(seq, data, len, out);
  cpor_event *e = calloc(1, sizeof *e);
  if (!e) return CPOR_ENOMEM;
  cpor__jr r = {0};
  cpor__jin d = cpor__jr_doc(&r, data, len);
  e->seq = seq;
  if (cpor__jr_int(&r, &d, "seq", 0, UINT32_MAX) != seq) cpor__jr_fail(&r, CPOR_ECORRUPT);
  e->at = cpor__jr_time(&r, &d, "at");
  e->kind = cpor__jr_enum(&r, &d, "kind", cpor_event_kind_name);
  e->state = cpor__jr_enum(&r, &d, "state", cpor_state_name);
  cpor__jin actor = cpor__jr_obj(&r, &d, "actor", 0);
  e->role = cpor__jr_enum(&r, &actor, "role", cpor_role_name);
  e->org = cpor__jr_str(&r, &actor, "org", 0);
  e->user = cpor__jr_str(&r, &actor, "user", 0);
  cpor__jr_end(&r, &actor);
  e->text = cpor__jr_str(&r, &d, "text", 0);
  cpor__jin payload = cpor__jr_obj(&r, &d, "payload", 0);
  if (!r.rc && !(e->payload = cpor__json_dump(payload.o, NULL))) cpor__jr_fail(&r, CPOR_ENOMEM);
  int rc = end_doc(&r, &d);
  if (rc) {
    cpor_event_free(e);
    return rc;
  }
  *out = e;
  return CPOR_OK;
}
