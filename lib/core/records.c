/* Stored records as canonical JSON documents (README.md, "Stored records"):
 * compact, keys sorted bytewise, "schema": 2 in each, enums by name, instants
 * as ms since the epoch (null for CPOR_TIME_NONE). Written by json_write.c
 * and read by json_read.c, both by hand: a record is encoded and decoded on
 * every claim read and write, and a general JSON library made that the cost
 * of the call (tests hold both to jansson).
 *
 * A directory document leaves out what the store keeps in its columns (id,
 * owner); a claim carries its id, partner and tenant so that it reads on its
 * own (SQL views, exports), and its columns must agree with it. Members may
 * come in any order and with whitespace; every key is required. A record
 * that does not start with '{' is in a binary format of an earlier release
 * (records_bin.c). */
#include "core/records.h"

#include <stdlib.h>
#include <string.h>

#include "core/json_read.h"
#include "json/json_write.h"
#include "core/records_bin.h"
#include "rules/payload.h"

#define SCHEMA CPOR__RECORD_SCHEMA
#define MAX_DOMAINS 4096
#define MAX_ITEMS 1024

static void obj_init(cpor_store_object *obj, uint32_t kind, const char *id, const char *owner,
                     const char *ref, int32_t state) {
  memset(obj, 0, sizeof *obj);
  obj->kind = kind;
  obj->id = id;
  obj->owner = owner;
  obj->ref = ref;
  obj->state = state;
}

static int is_doc(const void *data, size_t len) {
  return len > 0 && *(const unsigned char *)data == '{';
}

/* ---- the frame of every document ---------------------------------------------- */

static void schema_put(cpor__jw *w) {
  cpor__jw_int(w, "schema", SCHEMA);
}

static void schema_get(cpor__jr *r) {
  cpor__jr_int(r, SCHEMA, SCHEMA);
}

/* Closes the document and hands over its bytes (the caller frees *buf). */
static int finish(cpor__jw *w, void **buf, size_t *len) {
  cpor__jw_close(w, '}');
  if (w->rc) {
    int rc = w->rc;
    cpor__jw_free(w);
    return rc;
  }
  *buf = w->data;
  *len = w->len;
  return CPOR_OK;
}

static int finish_obj(cpor__jw *w, cpor_store_object *obj, void **buf) {
  size_t len = 0;
  int rc = finish(w, buf, &len);
  if (rc == CPOR_OK) {
    obj->data = *buf;
    obj->len = len;
  }
  return rc;
}

/* Reads one object whose members are keys[0..n), every one required: fn
 * reads the value of member k into rec. */
typedef void member_fn(cpor__jr *r, int k, void *rec);

static void read_object_opt(cpor__jr *r, const char *const *keys, int n, member_fn *fn, void *rec,
                            uint64_t optional) {
  uint64_t seen = 0;
  int k;
  if (!cpor__jr_open(r, '{')) return;
  while ((k = cpor__jr_field(r, keys, n, &seen)) >= 0)
    fn(r, k, rec);
  cpor__jr_need(r, seen | optional, n);
}

static void read_object(cpor__jr *r, const char *const *keys, int n, member_fn *fn, void *rec) {
  read_object_opt(r, keys, n, fn, rec, 0);
}

/* optional: the bits of the keys a document may lack (keys added later). */
static int read_doc_opt(const void *data, size_t len, const char *const *keys, int n, member_fn *fn,
                        void *rec, uint64_t optional) {
  cpor__jr r;
  cpor__jr_init(&r, data, len);
  read_object_opt(&r, keys, n, fn, rec, optional);
  return cpor__jr_end(&r);
}

static int read_doc(const void *data, size_t len, const char *const *keys, int n, member_fn *fn,
                    void *rec) {
  return read_doc_opt(data, len, keys, n, fn, rec, 0);
}

/* A copy of a column value the store keeps (required). */
static char *column(const char *s, int *rc) {
  if (*rc) return NULL;
  if (!s) return *rc = CPOR_ECORRUPT, NULL;
  char *d = strdup(s);
  if (!d) *rc = CPOR_ENOMEM;
  return d;
}

/* A record in a binary format is read through the current one: decoded,
 * encoded as JSON and decoded again. Old rows then get every check of the
 * JSON decoder (a value a document cannot hold is corruption), and the two
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

/* ---- partners, customers, locations --------------------------------------------- */

/* Partners and customers: {"name", "schema"}. */
static const char *const named_keys[] = {"name", "schema"};

static void named_member(cpor__jr *r, int k, void *rec) {
  if (k == 0)
    *(char **)rec = cpor__jr_str(r, 0);
  else
    schema_get(r);
}

static int named_encode(const char *name, cpor_store_object *obj, void **buf) {
  cpor__jw w = {0};
  cpor__jw_open(&w, NULL, '{');
  cpor__jw_str(&w, "name", name);
  schema_put(&w);
  return finish_obj(&w, obj, buf);
}

/* The id from the column, the name from the document. */
static int named_decode(const cpor_store_object *obj, char **id, char **name) {
  int rc = CPOR_OK;
  *id = column(obj->id, &rc);
  if (rc == CPOR_OK) rc = read_doc(obj->data, obj->len, named_keys, 2, named_member, name);
  return rc;
}

int cpor__partner_encode(const cpor_partner *p, cpor_store_object *obj, void **buf) {
  obj_init(obj, CPOR_STORE_PARTNER, p->id, NULL, NULL, 0);
  return named_encode(p->name, obj, buf);
}

int cpor__partner_decode(const cpor_store_object *obj, cpor_partner **out) {
  if (!is_doc(obj->data, obj->len)) return legacy_partner(obj, out);
  cpor_partner *p = calloc(1, sizeof *p);
  if (!p) return CPOR_ENOMEM;
  int rc = named_decode(obj, &p->id, &p->name);
  if (rc) {
    cpor_partner_free(p);
    return rc;
  }
  *out = p;
  return CPOR_OK;
}

int cpor__customer_encode(const cpor_customer *c, cpor_store_object *obj, void **buf) {
  obj_init(obj, CPOR_STORE_CUSTOMER, c->id, NULL, NULL, 0);
  return named_encode(c->name, obj, buf);
}

int cpor__customer_decode(const cpor_store_object *obj, cpor_customer **out) {
  if (!is_doc(obj->data, obj->len)) return legacy_customer(obj, out);
  cpor_customer *c = calloc(1, sizeof *c);
  if (!c) return CPOR_ENOMEM;
  int rc = named_decode(obj, &c->id, &c->name);
  if (rc) {
    cpor_customer_free(c);
    return rc;
  }
  *out = c;
  return CPOR_OK;
}

/* Programs: the enrolled ones by name, in ascending value order. */
static const char *const location_keys[] = {"name", "programs", "schema"};

static void location_member(cpor__jr *r, int k, void *rec) {
  cpor_location *l = rec;
  if (k == 0) {
    l->name = cpor__jr_str(r, 0);
  } else if (k == 1) {
    int last = 0;
    if (cpor__jr_open(r, '['))
      while (cpor__jr_next(r)) {
        int p = cpor__jr_enum(r, cpor_program_from_name, 0);
        if (p <= last || p > 31) cpor__jr_fail(r, CPOR_ECORRUPT); /* repeated or out of order */
        l->programs |= 1u << (p & 31);
        last = p;
      }
  } else {
    schema_get(r);
  }
}

int cpor__location_encode(const cpor_location *l, cpor_store_object *obj, void **buf) {
  cpor__jw w = {0};
  cpor__jw_open(&w, NULL, '{');
  cpor__jw_str(&w, "name", l->name);
  cpor__jw_open(&w, "programs", '[');
  for (int p = 0; p < 32; p++)
    if (l->programs >> p & 1) cpor__jw_name(&w, NULL, cpor_program_name(p));
  cpor__jw_close(&w, ']');
  schema_put(&w);
  obj_init(obj, CPOR_STORE_LOCATION, l->mpn_id, l->partner_id, NULL, 0);
  return finish_obj(&w, obj, buf);
}

int cpor__location_decode(const cpor_store_object *obj, cpor_location **out) {
  if (!is_doc(obj->data, obj->len)) return legacy_location(obj, out);
  cpor_location *l = calloc(1, sizeof *l);
  if (!l) return CPOR_ENOMEM;
  int rc = CPOR_OK;
  l->mpn_id = column(obj->id, &rc);
  l->partner_id = column(obj->owner, &rc);
  if (rc == CPOR_OK) rc = read_doc(obj->data, obj->len, location_keys, 3, location_member, l);
  if (rc) {
    cpor_location_free(l);
    return rc;
  }
  *out = l;
  return CPOR_OK;
}

/* ---- tenants, subscriptions, workloads ------------------------------------------ */

static const char *const tenant_keys[] = {"domains", "schema"};

static void tenant_member(cpor__jr *r, int k, void *rec) {
  cpor_tenant *t = rec;
  if (k == 1) {
    schema_get(r);
    return;
  }
  size_t cap = 0;
  if (!cpor__jr_open(r, '[')) return;
  while (cpor__jr_next(r)) {
    if (t->ndomains == cap) {
      char **v =
          cap < MAX_DOMAINS ? realloc(t->domains, (cap = cap ? cap * 2 : 4) * sizeof *v) : NULL;
      if (!v) {
        cpor__jr_fail(r, cap < MAX_DOMAINS ? CPOR_ENOMEM : CPOR_ECORRUPT);
        return;
      }
      t->domains = v;
    }
    char *d = cpor__jr_str(r, 0);
    if (!d) return;
    t->domains[t->ndomains++] = d;
  }
}

int cpor__tenant_encode(const cpor_tenant *t, cpor_store_object *obj, void **buf) {
  cpor__jw w = {0};
  cpor__jw_open(&w, NULL, '{');
  cpor__jw_open(&w, "domains", '[');
  for (size_t i = 0; i < t->ndomains; i++)
    cpor__jw_name(&w, NULL, t->domains[i]); /* never null */
  cpor__jw_close(&w, ']');
  schema_put(&w);
  obj_init(obj, CPOR_STORE_TENANT, t->id, t->customer_id, NULL, 0);
  return finish_obj(&w, obj, buf);
}

int cpor__tenant_decode(const cpor_store_object *obj, cpor_tenant **out) {
  if (!is_doc(obj->data, obj->len)) return legacy_tenant(obj, out);
  cpor_tenant *t = calloc(1, sizeof *t);
  if (!t) return CPOR_ENOMEM;
  int rc = CPOR_OK;
  t->id = column(obj->id, &rc);
  t->customer_id = column(obj->owner, &rc);
  if (rc == CPOR_OK) rc = read_doc(obj->data, obj->len, tenant_keys, 2, tenant_member, t);
  if (rc == CPOR_OK && !t->domains && !(t->domains = malloc(sizeof *t->domains)))
    rc = CPOR_ENOMEM; /* as the binary decoder: never NULL */
  if (rc) {
    cpor_tenant_free(t);
    return rc;
  }
  *out = t;
  return CPOR_OK;
}

static const char *const subscription_keys[] = {"channel", "schema", "state", "workload"};

static void subscription_member(cpor__jr *r, int k, void *rec) {
  cpor_subscription *s = rec;
  switch (k) {
  case 0:
    s->channel = cpor__jr_enum(r, cpor_channel_from_name, 0);
    break;
  case 1:
    schema_get(r);
    break;
  case 2:
    s->state = cpor__jr_enum(r, cpor_sub_state_from_name, 0);
    break;
  default:
    s->workload = cpor__jr_str(r, 0);
  }
}

int cpor__subscription_encode(const cpor_subscription *s, cpor_store_object *obj, void **buf) {
  cpor__jw w = {0};
  cpor__jw_open(&w, NULL, '{');
  cpor__jw_name(&w, "channel", cpor_channel_name(s->channel));
  schema_put(&w);
  cpor__jw_name(&w, "state", cpor_sub_state_name(s->state));
  cpor__jw_str(&w, "workload", s->workload);
  obj_init(obj, CPOR_STORE_SUBSCRIPTION, s->id, s->tenant_id, NULL, s->state);
  return finish_obj(&w, obj, buf);
}

int cpor__subscription_decode(const cpor_store_object *obj, cpor_subscription **out) {
  if (!is_doc(obj->data, obj->len)) return legacy_subscription(obj, out);
  cpor_subscription *s = calloc(1, sizeof *s);
  if (!s) return CPOR_ENOMEM;
  int rc = CPOR_OK;
  s->id = column(obj->id, &rc);
  s->tenant_id = column(obj->owner, &rc);
  if (rc == CPOR_OK)
    rc = read_doc(obj->data, obj->len, subscription_keys, 4, subscription_member, s);
  if (rc == CPOR_OK && s->state != obj->state) rc = CPOR_ECORRUPT; /* the state column */
  if (rc) {
    cpor_subscription_free(s);
    return rc;
  }
  *out = s;
  return CPOR_OK;
}

static const char *const workload_keys[] = {"area", "dynamics", "name", "needs_subscription",
                                            "schema"};

static void workload_member(cpor__jr *r, int k, void *rec) {
  cpor_workload *wl = rec;
  switch (k) {
  case 0:
    wl->area = cpor__jr_enum(r, cpor_area_from_name, 0);
    break;
  case 1:
    wl->dynamics = cpor__jr_bool(r);
    break;
  case 2:
    wl->name = cpor__jr_str(r, 0);
    break;
  case 3:
    wl->needs_subscription = cpor__jr_bool(r);
    break;
  default:
    schema_get(r);
  }
}

int cpor__workload_encode(const cpor_workload *wl, cpor_store_object *obj, void **buf) {
  cpor__jw w = {0};
  cpor__jw_open(&w, NULL, '{');
  cpor__jw_name(&w, "area", cpor_area_name(wl->area));
  cpor__jw_bool(&w, "dynamics", wl->dynamics);
  cpor__jw_str(&w, "name", wl->name);
  cpor__jw_bool(&w, "needs_subscription", wl->needs_subscription);
  schema_put(&w);
  obj_init(obj, CPOR_STORE_WORKLOAD, wl->code, NULL, NULL, 0);
  return finish_obj(&w, obj, buf);
}

int cpor__workload_decode(const cpor_store_object *obj, cpor_workload **out) {
  if (!is_doc(obj->data, obj->len)) return legacy_workload(obj, out);
  cpor_workload *wl = calloc(1, sizeof *wl);
  if (!wl) return CPOR_ENOMEM;
  int rc = CPOR_OK;
  wl->code = column(obj->id, &rc);
  if (rc == CPOR_OK) rc = read_doc(obj->data, obj->len, workload_keys, 5, workload_member, wl);
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

/* ---- claims: the policy ----------------------------------------------------------- */

static const char *unit_name(int unit) {
  return unit == CPOR_BUSINESS_DAYS ? "business" : unit == CPOR_CALENDAR_DAYS ? "calendar" : NULL;
}

static int unit_from_name(const char *name, int *out) {
  *out = !strcmp(name, "business")   ? CPOR_BUSINESS_DAYS
         : !strcmp(name, "calendar") ? CPOR_CALENDAR_DAYS
                                     : 0;
  return *out ? CPOR_OK : CPOR_EINVAL;
}

static const char *optout_from_name(int from) {
  return from == CPOR_OPTOUT_FROM_APPROVAL     ? "approval"
         : from == CPOR_OPTOUT_FROM_SUBMISSION ? "submission"
                                               : NULL;
}

static int optout_from_from_name(const char *name, int *out) {
  *out = !strcmp(name, "approval")     ? CPOR_OPTOUT_FROM_APPROVAL
         : !strcmp(name, "submission") ? CPOR_OPTOUT_FROM_SUBMISSION
                                       : 0;
  return *out ? CPOR_OK : CPOR_EINVAL;
}

/* A window: {"count", "unit"}; a unit of 0 (the default's) is null. */
static const char *const window_keys[] = {"count", "unit"};

static void window_member(cpor__jr *r, int k, void *rec) {
  cpor_window *win = rec;
  if (k == 0)
    win->count = (int32_t)cpor__jr_int(r, INT32_MIN, INT32_MAX);
  else
    win->unit = (uint32_t)cpor__jr_enum(r, unit_from_name, 1);
}

static void window_put(cpor__jw *w, const char *key, const cpor_window *win) {
  cpor__jw_open(w, key, '{');
  cpor__jw_int(w, "count", win->count);
  if (win->unit)
    cpor__jw_name(w, "unit", unit_name((int)win->unit));
  else
    cpor__jw_null(w, "unit");
  cpor__jw_close(w, '}');
}

/* The recorded policy: its windows and variants, as the submitted event's
 * payload names them. The window of each key is cpor_policy's member w[i]. */
enum {
  P_CUSTOMER_MAY_END,
  P_DISPUTE,
  P_DISPUTE_REVIEW_SLA,
  P_MAX_DISPUTES,
  P_OPTOUT,
  P_OPTOUT_FROM,
  P_RESPONSE,
  P_REVIEW_SLA,
  P_REVIEW_START_SLA,
  P_N
};
static const char *const policy_keys[P_N] = {"customer_may_end", "dispute",    "dispute_review_sla",
                                             "max_disputes",     "optout",     "optout_from",
                                             "response",         "review_sla", "review_start_sla"};
/* The member of cpor_policy (in its order) a window key is, -1 for variants. */
static const int policy_window[P_N] = {-1, 4, 5, -1, 0, -1, 1, 3, 2};
_Static_assert(sizeof(cpor_policy) == 6 * sizeof(cpor_window), "a key per policy window");

static void policy_member(cpor__jr *r, int k, void *rec) {
  cpor_claim *c = rec;
  if (policy_window[k] >= 0)
    read_object_opt(r, window_keys, 2, window_member, &c->policy.optout + policy_window[k],
                    1u << 1 /* unit: absent (schema 3) is the default's null */);
  else if (k == P_CUSTOMER_MAY_END)
    c->variants.customer_may_end = (uint32_t)cpor__jr_bool(r);
  else if (k == P_MAX_DISPUTES)
    c->variants.max_disputes = (uint32_t)cpor__jr_int(r, 0, UINT32_MAX);
  else
    c->variants.optout_from = (uint32_t)cpor__jr_enum(r, optout_from_from_name, 1);
}

/* Schema 4 names the default policy instead of spelling it out. */
static void policy_put(cpor__jw *w, const cpor_claim *c, uint32_t schema) {
  if (!c->has_policy) {
    cpor__jw_null(w, "policy");
    return;
  }
  if (schema >= 4 && cpor__policy_is_default(&c->policy, &c->variants)) {
    cpor__jw_name(w, "policy", CPOR__POLICY_DEFAULT_NAME);
    return;
  }
  cpor__jw_open(w, "policy", '{');
  for (int k = 0; k < P_N; k++) {
    if (policy_window[k] >= 0)
      window_put(w, policy_keys[k], &c->policy.optout + policy_window[k]);
    else if (k == P_CUSTOMER_MAY_END)
      cpor__jw_bool(w, policy_keys[k], c->variants.customer_may_end);
    else if (k == P_MAX_DISPUTES)
      cpor__jw_uint(w, policy_keys[k], c->variants.max_disputes);
    else if (c->variants.optout_from)
      cpor__jw_name(w, policy_keys[k], optout_from_name((int)c->variants.optout_from));
    else
      cpor__jw_null(w, policy_keys[k]);
  }
  cpor__jw_close(w, '}');
}

/* ---- claims: contacts, lines, PoE -------------------------------------------------- */

/* Contacts: only the fields that are set, keyed by their payload names, in
 * the keys' bytewise order (test_records holds the order). */
static const int contact_fields[CPOR__NFIELDS - 1] = {CPOR_FIELD_CUSTOMER_CONTACT_EMAIL,
                                                      CPOR_FIELD_CUSTOMER_CONTACT_NAME,
                                                      CPOR_FIELD_CUSTOMER_CONTACT_TITLE,
                                                      CPOR_FIELD_CUSTOMER_NAME,
                                                      CPOR_FIELD_ISV_PRODUCT,
                                                      CPOR_FIELD_PARTNER_CONTACT_EMAIL,
                                                      CPOR_FIELD_PARTNER_CONTACT_NAME,
                                                      CPOR_FIELD_SOLUTION_SELLER,
                                                      CPOR_FIELD_TECHNICAL_CONTACT_EMAIL,
                                                      CPOR_FIELD_TECHNICAL_CONTACT_NAME,
                                                      CPOR_FIELD_TECHNICAL_CONTACT_TITLE};

static void contacts_put(cpor__jw *w, const cpor_claim *c) {
  cpor__jw_open(w, "contacts", '{');
  for (int i = 0; i < CPOR__NFIELDS - 1; i++) {
    int f = contact_fields[i];
    if (c->fields[f]) cpor__jw_str(w, cpor__field_key(f), c->fields[f]);
  }
  cpor__jw_close(w, '}');
}

static void contacts_get(cpor__jr *r, cpor_claim *c) {
  const char *keys[CPOR__NFIELDS - 1];
  for (int i = 0; i < CPOR__NFIELDS - 1; i++)
    keys[i] = cpor__field_key(contact_fields[i]);
  uint64_t seen = 0;
  int k;
  if (cpor__jr_open(r, '{'))
    while ((k = cpor__jr_field(r, keys, CPOR__NFIELDS - 1, &seen)) >= 0)
      c->fields[contact_fields[k]] = cpor__jr_str(r, 0);
}

/* Grows an array of items (lines, PoE) by one zeroed item; 0 on failure. */
static int grow(cpor__jr *r, void **items, size_t *n, size_t *cap, size_t size) {
  if (*n == *cap) {
    if (*cap >= MAX_ITEMS) return cpor__jr_fail(r, CPOR_ECORRUPT), 0;
    size_t c = *cap ? *cap * 2 : 4;
    void *v = realloc(*items, c * size);
    if (!v) return cpor__jr_fail(r, CPOR_ENOMEM), 0;
    *items = v;
    *cap = c;
  }
  memset((char *)*items + *n * size, 0, size);
  (*n)++;
  return 1;
}

static const char *const line_keys[] = {"reason", "state", "subscription", "workload"};

static void line_member(cpor__jr *r, int k, void *rec) {
  cpor__line *l = rec;
  switch (k) {
  case 0:
    l->reason = cpor__jr_enum(r, cpor_reason_from_name, 0);
    break;
  case 1:
    l->state = cpor__jr_enum(r, cpor_state_from_name, 0);
    break;
  case 2:
    l->subscription = cpor__jr_str(r, 1);
    break;
  default:
    l->workload = cpor__jr_str(r, 0);
  }
}

static void lines_put(cpor__jw *w, const cpor_claim *c) {
  cpor__jw_open(w, "lines", '[');
  for (size_t i = 0; i < c->nlines; i++) {
    const cpor__line *l = &c->lines[i];
    cpor__jw_open(w, NULL, '{');
    cpor__jw_name(w, "reason", cpor_reason_name(l->reason));
    cpor__jw_name(w, "state", cpor_state_name(l->state));
    cpor__jw_str(w, "subscription", l->subscription);
    cpor__jw_name(w, "workload", l->workload); /* never null */
    cpor__jw_close(w, '}');
  }
  cpor__jw_close(w, ']');
}

static void lines_get(cpor__jr *r, cpor_claim *c) {
  size_t cap = 0;
  if (cpor__jr_open(r, '['))
    while (cpor__jr_next(r) && grow(r, (void **)&c->lines, &c->nlines, &cap, sizeof *c->lines))
      read_object_opt(r, line_keys, 4, line_member, &c->lines[c->nlines - 1],
                      1u << 2 /* subscription: absent (schema 3) is none */);
}

static const char *const poe_keys[] = {"added_at", "media_type", "name", "sha256", "size"};

static void poe_member(cpor__jr *r, int k, void *rec) {
  cpor__poe *p = rec;
  switch (k) {
  case 0:
    p->added_at = cpor__jr_time(r);
    break;
  case 1:
    p->media_type = cpor__jr_str(r, 0);
    break;
  case 2:
    p->name = cpor__jr_str(r, 0);
    break;
  case 3:
    p->sha256 = cpor__jr_str(r, 0);
    break;
  default:
    p->size = (uint64_t)cpor__jr_int(r, 0, INT64_MAX);
  }
}

static void poe_put(cpor__jw *w, const cpor_claim *c) {
  cpor__jw_open(w, "poe", '[');
  for (size_t i = 0; i < c->npoe; i++) {
    const cpor__poe *p = &c->poe[i];
    cpor__jw_open(w, NULL, '{');
    cpor__jw_time(w, "added_at", p->added_at);
    cpor__jw_name(w, "media_type", p->media_type); /* never null */
    cpor__jw_name(w, "name", p->name);
    cpor__jw_name(w, "sha256", p->sha256);
    if (p->size > INT64_MAX) cpor__jw_fail(w, CPOR_EINVAL);
    cpor__jw_uint(w, "size", p->size);
    cpor__jw_close(w, '}');
  }
  cpor__jw_close(w, ']');
}

static void poe_get(cpor__jr *r, cpor_claim *c) {
  size_t cap = 0;
  if (cpor__jr_open(r, '['))
    while (cpor__jr_next(r) && grow(r, (void **)&c->poe, &c->npoe, &cap, sizeof *c->poe)) {
      cpor__poe *p = &c->poe[c->npoe - 1];
      p->added_at = CPOR_TIME_NONE; /* absent (schema 3): unknown */
      read_object_opt(r, poe_keys, 5, poe_member, p, 1u << 0);
    }
}

/* ---- claims ----------------------------------------------------------------------- */

enum {
  C_ACTIVITY,
  C_AREA,
  C_CONTACTS,
  C_CONTESTED,
  C_CREATED_AT,
  C_DISPUTES,
  C_DOMAIN,
  C_EXTERNAL_REF,
  C_FINAL,
  C_ID,
  C_IDEMPOTENCY_KEY,
  C_INFO_REASON,
  C_LAST_AT,
  C_LINES,
  C_MPN_ID,
  C_NAME,
  C_NEXT_SEQ,
  C_OPTOUT_CLOSES_AT,
  C_PARTNER_ID,
  C_POE,
  C_POLICY,
  C_REASON,
  C_REMOVAL_REASON,
  C_SCHEMA,
  C_SLA_DUE_AT,
  C_STATE,
  C_TENANT_ID,
  C_UPDATED_AT,
  C_WINDOW_CLOSES_AT,
  C_N
};
static const char *const claim_keys[C_N] = {
    [C_ACTIVITY] = "activity",
    [C_AREA] = "area",
    [C_CONTACTS] = "contacts",
    [C_CONTESTED] = "contested",
    [C_CREATED_AT] = "created_at",
    [C_DISPUTES] = "disputes",
    [C_DOMAIN] = "domain",
    [C_EXTERNAL_REF] = "external_ref",
    [C_FINAL] = "final",
    [C_ID] = "id",
    [C_IDEMPOTENCY_KEY] = "idempotency_key",
    [C_INFO_REASON] = "info_reason",
    [C_LAST_AT] = "last_at",
    [C_LINES] = "lines",
    [C_MPN_ID] = "mpn_id",
    [C_NAME] = "name",
    [C_NEXT_SEQ] = "next_seq",
    [C_OPTOUT_CLOSES_AT] = "optout_closes_at",
    [C_PARTNER_ID] = "partner_id",
    [C_POE] = "poe",
    [C_POLICY] = "policy",
    [C_REASON] = "reason",
    [C_REMOVAL_REASON] = "removal_reason",
    [C_SCHEMA] = "schema",
    [C_SLA_DUE_AT] = "sla_due_at",
    [C_STATE] = "state",
    [C_TENANT_ID] = "tenant_id",
    [C_UPDATED_AT] = "updated_at",
    [C_WINDOW_CLOSES_AT] = "window_closes_at",
};

static void claim_member(cpor__jr *r, int k, void *rec) {
  cpor_claim *c = rec;
  switch (k) {
  case C_ACTIVITY:
    c->activity = cpor__jr_enum(r, cpor_activity_from_name, 0);
    break;
  case C_AREA:
    c->area = cpor__jr_enum(r, cpor_area_from_name, 0);
    break;
  case C_CONTACTS:
    contacts_get(r, c);
    break;
  case C_CONTESTED:
    c->contested = (uint32_t)cpor__jr_bool(r);
    break;
  case C_CREATED_AT:
    c->created_at = cpor__jr_time(r);
    break;
  case C_DISPUTES:
    c->disputes = (uint32_t)cpor__jr_int(r, 0, UINT32_MAX);
    break;
  case C_DOMAIN:
    c->domain = cpor__jr_str(r, 0);
    break;
  case C_EXTERNAL_REF:
    c->external_ref = cpor__jr_str(r, 1);
    break;
  case C_FINAL:
    c->final = (uint32_t)cpor__jr_bool(r);
    break;
  case C_IDEMPOTENCY_KEY:
    c->idempotency_key = cpor__jr_str(r, 1);
    break;
  case C_ID:
    c->id = cpor__jr_str(r, 0);
    break;
  case C_INFO_REASON:
    c->info_reason = cpor__jr_enum(r, cpor_info_reason_from_name, 1);
    break;
  case C_LAST_AT:
    c->last_at = cpor__jr_time(r);
    break;
  case C_LINES:
    lines_get(r, c);
    break;
  case C_MPN_ID:
    c->mpn_id = cpor__jr_str(r, 0);
    break;
  case C_NAME:
    c->name = cpor__jr_str(r, 1);
    break;
  case C_NEXT_SEQ:
    c->next_seq = (uint32_t)cpor__jr_int(r, 0, UINT32_MAX);
    break;
  case C_OPTOUT_CLOSES_AT:
    c->optout_closes_at = cpor__jr_time(r);
    break;
  case C_PARTNER_ID:
    c->partner_id = cpor__jr_str(r, 0);
    break;
  case C_POE:
    poe_get(r, c);
    break;
  case C_POLICY:
    if (cpor__jr_is_str(r)) {
      char *name = cpor__jr_str(r, 0);
      if (name && !strcmp(name, CPOR__POLICY_DEFAULT_NAME))
        cpor__policy_set_default(c);
      else
        cpor__jr_fail(r, CPOR_ECORRUPT);
      free(name);
    } else if (!cpor__jr_null(r)) {
      read_object_opt(r, policy_keys, P_N, policy_member, c, 1ull << P_OPTOUT_FROM);
      c->has_policy = 1;
    }
    break;
  case C_REASON:
    c->reason = cpor__jr_enum(r, cpor_reason_from_name, 0);
    break;
  case C_REMOVAL_REASON:
    c->removal_reason = cpor__jr_enum(r, cpor_removal_reason_from_name, 1);
    break;
  case C_SCHEMA:
    c->record_schema = (uint32_t)cpor__jr_int(r, SCHEMA, CPOR__CLAIM_SCHEMA);
    break;
  case C_SLA_DUE_AT:
    c->sla_due_at = cpor__jr_time(r);
    break;
  case C_STATE:
    c->state = cpor__jr_enum(r, cpor_state_from_name, 0);
    break;
  case C_TENANT_ID:
    c->tenant_id = cpor__jr_str(r, 0);
    break;
  case C_UPDATED_AT:
    c->updated_at = cpor__jr_time(r);
    break;
  default:
    c->window_closes_at = cpor__jr_time(r);
  }
}

/* An instant every claim has: written even when unset (the decoder requires
 * it), whatever the schema leaves out. */
static void time_always(cpor__jw *w, const char *key, cpor_time t) {
  int omit = w->omit_null;
  w->omit_null = 0;
  cpor__jw_time(w, key, t);
  w->omit_null = omit;
}

/* A reason that may be unset: null for 0. */
static void opt_name(cpor__jw *w, const char *key, int v, const char *name) {
  if (v)
    cpor__jw_name(w, key, name);
  else
    cpor__jw_null(w, key);
}

int cpor__claim_encode(const cpor_claim *c, cpor_store_object *obj, void **buf) {
  return cpor__claim_encode_as(c, CPOR__CLAIM_SCHEMA, obj, buf);
}

int cpor__claim_encode_as(const cpor_claim *c, uint32_t schema, cpor_store_object *obj,
                          void **buf) {
  if (schema == 0) schema = CPOR__CLAIM_SCHEMA; /* not read from a record */
  if (schema < SCHEMA || schema > CPOR__CLAIM_SCHEMA) return CPOR_EINVAL;
  cpor__jw w = {.omit_null = schema >= 3};
  cpor__jw_open(&w, NULL, '{');
  cpor__jw_name(&w, "activity", cpor_activity_name(c->activity));
  cpor__jw_name(&w, "area", cpor_area_name(c->area));
  contacts_put(&w, c);
  cpor__jw_bool(&w, "contested", c->contested);
  time_always(&w, "created_at", c->created_at);
  cpor__jw_uint(&w, "disputes", c->disputes);
  cpor__jw_name(&w, "domain", c->domain); /* never null */
  cpor__jw_str(&w, "external_ref", c->external_ref);
  cpor__jw_bool(&w, "final", c->final);
  cpor__jw_name(&w, "id", c->id);
  cpor__jw_str(&w, "idempotency_key", c->idempotency_key);
  opt_name(&w, "info_reason", c->info_reason, cpor_info_reason_name(c->info_reason));
  time_always(&w, "last_at", c->last_at);
  lines_put(&w, c);
  cpor__jw_name(&w, "mpn_id", c->mpn_id);
  cpor__jw_str(&w, "name", c->name);
  cpor__jw_uint(&w, "next_seq", c->next_seq);
  cpor__jw_time(&w, "optout_closes_at", c->optout_closes_at);
  cpor__jw_name(&w, "partner_id", c->partner_id);
  poe_put(&w, c);
  policy_put(&w, c, schema);
  cpor__jw_name(&w, "reason", cpor_reason_name(c->reason));
  opt_name(&w, "removal_reason", c->removal_reason, cpor_removal_reason_name(c->removal_reason));
  cpor__jw_uint(&w, "schema", schema);
  cpor__jw_time(&w, "sla_due_at", c->sla_due_at);
  cpor__jw_name(&w, "state", cpor_state_name(c->state));
  cpor__jw_name(&w, "tenant_id", c->tenant_id);
  time_always(&w, "updated_at", c->updated_at);
  cpor__jw_time(&w, "window_closes_at", c->window_closes_at);
  obj_init(obj, CPOR_STORE_CLAIM, c->id, c->partner_id, c->tenant_id, c->state);
  return finish_obj(&w, obj, buf);
}

static int differ(const char *doc, const char *col) {
  return !col || strcmp(doc, col) != 0;
}

int cpor__claim_decode(const cpor_store_object *obj, cpor_claim **out) {
  if (!is_doc(obj->data, obj->len)) return legacy_claim(obj, out);
  cpor_claim *c = calloc(1, sizeof *c);
  if (!c) return CPOR_ENOMEM;
  /* Claims written before 0.3 carry no external_ref and idempotency_key;
   * schema 3 leaves out every member that is null (unset). */
  uint64_t added = 1ull << C_EXTERNAL_REF | 1ull << C_IDEMPOTENCY_KEY | 1ull << C_INFO_REASON |
                   1ull << C_NAME | 1ull << C_OPTOUT_CLOSES_AT | 1ull << C_POLICY |
                   1ull << C_REMOVAL_REASON | 1ull << C_SLA_DUE_AT | 1ull << C_WINDOW_CLOSES_AT;
  c->optout_closes_at = c->sla_due_at = c->window_closes_at = CPOR_TIME_NONE;
  int rc = read_doc_opt(obj->data, obj->len, claim_keys, C_N, claim_member, c, added);
  /* The columns the store indexes are copies of these: they must agree. */
  if (rc == CPOR_OK && (differ(c->id, obj->id) || differ(c->partner_id, obj->owner) ||
                        differ(c->tenant_id, obj->ref) || c->state != obj->state))
    rc = CPOR_ECORRUPT;
  if (rc) {
    cpor_claim_free(c);
    return rc;
  }
  *out = c;
  return CPOR_OK;
}

/* A deep copy, field by field: handing out a claim must not cost a
 * serialization round trip. */
static void copy_lines(cpor_claim *d, const cpor_claim *c, int *oom) {
  d->lines = calloc(c->nlines ? c->nlines : 1, sizeof *d->lines);
  if (!d->lines) {
    *oom = 1;
    return;
  }
  for (size_t i = 0; i < c->nlines; i++, d->nlines++) {
    d->lines[i] = c->lines[i];
    d->lines[i].workload = cpor__strdup(c->lines[i].workload, oom);
    d->lines[i].subscription = cpor__strdup(c->lines[i].subscription, oom);
  }
}

static void copy_poe(cpor_claim *d, const cpor_claim *c, int *oom) {
  d->poe = calloc(c->npoe ? c->npoe : 1, sizeof *d->poe);
  if (!d->poe) {
    *oom = 1;
    return;
  }
  for (size_t i = 0; i < c->npoe; i++, d->npoe++) {
    d->poe[i] = c->poe[i];
    d->poe[i].name = cpor__strdup(c->poe[i].name, oom);
    d->poe[i].media_type = cpor__strdup(c->poe[i].media_type, oom);
    d->poe[i].sha256 = cpor__strdup(c->poe[i].sha256, oom);
  }
}

cpor_claim *cpor__claim_dup(const cpor_claim *c) {
  cpor_claim *d = malloc(sizeof *d);
  if (!d) return NULL;
  *d = *c;
  int oom = 0;
  char **s[] = {&d->id,        &d->name,   &d->partner_id,   &d->mpn_id,
                &d->tenant_id, &d->domain, &d->external_ref, &d->idempotency_key};
  for (size_t i = 0; i < sizeof s / sizeof s[0]; i++)
    *s[i] = cpor__strdup(*s[i], &oom);
  for (int f = 0; f < CPOR__NFIELDS; f++)
    d->fields[f] = cpor__strdup(c->fields[f], &oom);
  d->lines = NULL;
  d->poe = NULL;
  d->nlines = d->npoe = 0;
  copy_lines(d, c, &oom);
  copy_poe(d, c, &oom);
  if (oom) {
    cpor_claim_free(d);
    return NULL;
  }
  return d;
}

/* ---- events ----------------------------------------------------------------------- */

/* The payload (a JSON object text) goes in as an object, canonical. */
static void payload_put(cpor__jw *w, const char *text) {
  const char *t = text + strspn(text, " \t\r\n");
  cpor__jr r;
  cpor__jr_init(&r, t, strlen(t));
  if (*t != '{') cpor__jr_fail(&r, CPOR_EINVAL);
  cpor__jr_canon(&r, w, "payload");
  int rc = cpor__jr_end(&r);
  if (rc) cpor__jw_fail(w, rc == CPOR_ENOMEM ? CPOR_ENOMEM : CPOR_EINVAL);
}

int cpor__event_encode(const cpor_event *e, void **buf, size_t *len) {
  cpor__jw w = {0};
  cpor__jw_open(&w, NULL, '{');
  cpor__jw_open(&w, "actor", '{');
  cpor__jw_name(&w, "org", e->org); /* never null */
  cpor__jw_name(&w, "role", cpor_role_name(e->role));
  cpor__jw_name(&w, "user", e->user);
  cpor__jw_close(&w, '}');
  cpor__jw_time(&w, "at", e->at);
  cpor__jw_name(&w, "kind", cpor_event_kind_name(e->kind));
  payload_put(&w, e->payload ? e->payload : "{}");
  schema_put(&w);
  cpor__jw_uint(&w, "seq", e->seq);
  cpor__jw_name(&w, "state", cpor_state_name(e->state));
  cpor__jw_name(&w, "text", e->text);
  return finish(&w, buf, len);
}

static int event_kind_from_name(const char *name, int *out) {
  for (int k = 1; cpor_event_kind_name(k); k++)
    if (!strcmp(cpor_event_kind_name(k), name)) return *out = k, CPOR_OK;
  return CPOR_EINVAL;
}

static const char *const actor_keys[] = {"org", "role", "user"};

static void actor_member(cpor__jr *r, int k, void *rec) {
  cpor_event *e = rec;
  switch (k) {
  case 0:
    e->org = cpor__jr_str(r, 0);
    break;
  case 1:
    e->role = cpor__jr_enum(r, cpor_role_from_name, 0);
    break;
  default:
    e->user = cpor__jr_str(r, 0);
  }
}

static const char *const event_keys[] = {"actor",  "at",  "kind",  "payload",
                                         "schema", "seq", "state", "text"};

static void event_member(cpor__jr *r, int k, void *rec) {
  cpor_event *e = rec;
  switch (k) {
  case 0:
    read_object(r, actor_keys, 3, actor_member, e);
    break;
  case 1:
    e->at = cpor__jr_time(r);
    break;
  case 2:
    e->kind = cpor__jr_enum(r, event_kind_from_name, 0);
    break;
  case 3: {
    cpor__jw w = {0};
    cpor__jr_canon(r, &w, NULL);
    e->payload = cpor__jw_cstr(&w);
    if (!r->rc && !e->payload) cpor__jr_fail(r, CPOR_ENOMEM);
    if (!r->rc && e->payload[0] != '{') cpor__jr_fail(r, CPOR_ECORRUPT);
    break;
  }
  case 4:
    schema_get(r);
    break;
  case 5:
    if ((uint32_t)cpor__jr_int(r, 0, UINT32_MAX) != e->seq) cpor__jr_fail(r, CPOR_ECORRUPT);
    break;
  case 6:
    e->state = cpor__jr_enum(r, cpor_state_from_name, 0);
    break;
  default:
    e->text = cpor__jr_str(r, 0);
  }
}

int cpor__event_decode(uint32_t seq, const void *data, size_t len, cpor_event **out) {
  if (!is_doc(data, len)) {
    /* An old row, read through the current format (see LEGACY). */
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
  cpor_event *e = calloc(1, sizeof *e);
  if (!e) return CPOR_ENOMEM;
  e->seq = seq;
  int rc = read_doc(data, len, event_keys, 8, event_member, e);
  if (rc) {
    cpor_event_free(e);
    return rc;
  }
  *out = e;
  return CPOR_OK;
}
