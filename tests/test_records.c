/* Stored records (README.md, "Stored records"): canonical JSON documents
 * written and read by hand (lib/json/json_write.c, lib/core/json_read.c) and held to
 * jansson here; the binary formats 1 and 2 of earlier releases still read.
 *
 * Linked with -Wl,--wrap=malloc,... like test_alloc: the library's objects
 * call the allocation-failure injector below (jansson does not). */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bin_records.h"
#include "core/json_read.h"
#include "core/records.h"
#include "rules/payload.h"
#include "testutil.h"

/* ---- the allocation-failure injector --------------------------------------------- */

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
char *__real_strdup(const char *s);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t n);
char *__wrap_strdup(const char *s);

static long allocs_left = -1; /* -1: never fail */
static int refuse(void) {
  return allocs_left >= 0 && allocs_left-- == 0;
}
void *__wrap_malloc(size_t n) {
  return refuse() ? NULL : __real_malloc(n);
}
void *__wrap_calloc(size_t n, size_t size) {
  return refuse() ? NULL : __real_calloc(n, size);
}
void *__wrap_realloc(void *p, size_t n) {
  return refuse() ? NULL : __real_realloc(p, n);
}
char *__wrap_strdup(const char *s) {
  return refuse() ? NULL : __real_strdup(s);
}

/* ---- sample records ---------------------------------------------------------------- */

#define TENANT "2b7f3c1e-0000-4000-8000-000000000001"
#define CLAIM_ID "7c9e6679-7425-40de-944b-e07fc1f90ae7"
#define SEQ 3
#define T0 1793610000000LL

static char *domains[] = {"fabrikam.com", "fabrikam.onmicrosoft.com"};
static cpor_partner partner = {"contoso", "Contoso \"Ltd\" \\ caf\xc3\xa9 \xf0\x9f\x98\x80", 0};
static cpor_location location = {"1234567", "contoso", "Contoso Seattle", 1u << 1 | 1u << 3, 0};
static cpor_location location0 = {"7654321", "contoso", "", 0, 0};
static cpor_customer customer = {"fabrikam", "Fabrikam\tInc\x01\x1f\x7f", 0};
static cpor_tenant tenant = {TENANT, "fabrikam", 2, domains, 0};
static cpor_tenant tenant0 = {TENANT, "fabrikam", 0, NULL, 0};
static cpor_subscription subscription = {"5d1e2f3a-0000-4000-8000-000000000002",
                                         TENANT,
                                         "D365_SALES",
                                         CPOR_CHANNEL_WEB_DIRECT,
                                         CPOR_SUB_IN_GRACE,
                                         0};
static cpor_workload workload = {"D365_SALES", "Dynamics 365 Sales", CPOR_AREA_BIZAPPS, 1, 1, 0, 0};
static cpor_workload workload0 = {"TEAMS", "Teams", CPOR_AREA_M365, 0, 0, 0, 0};

static cpor__line lines[] = {{"D365_SALES", "5d1e2f3a-0000-4000-8000-000000000002",
                              CPOR_STATE_REJECTED, CPOR_REASON_LOST_ARBITRATION},
                             {"D365_SERVICE", NULL, CPOR_STATE_UNDER_REVIEW, CPOR_REASON_NONE}};
static cpor__poe poes[] = {
    {"signed-sow.pdf", "application/pdf",
     "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", 48213, T0 + 5},
    {"old.png", "image/png", "0000000000000000000000000000000000000000000000000000000000000000",
     (uint64_t)INT64_MAX, CPOR_TIME_NONE}};

/* Every field set (and every contact). */
static cpor_claim full_claim(void) {
  cpor_claim c;
  memset(&c, 0, sizeof c);
  c.id = CLAIM_ID;
  c.name = "Fabrikam \xe2\x80\x93 \"rollout\"\n";
  c.partner_id = "contoso";
  c.mpn_id = "1234567";
  c.tenant_id = TENANT;
  c.domain = "fabrikam.com";
  c.area = CPOR_AREA_BIZAPPS;
  c.activity = CPOR_ACTIVITY_REVENUE;
  static char *values[CPOR__NFIELDS] = {NULL,  "Ann Lee",       "CIO", "ann@fabrikam.com", "Tom",
                                        "CTO", "t@f.com",       "Bo",  "bo@contoso.com",   "Sam",
                                        "Fab", "ISV \\ product"};
  for (int f = 1; f < CPOR__NFIELDS; f++)
    c.fields[f] = values[f];
  c.nlines = 2;
  c.lines = lines;
  c.npoe = 2;
  c.poe = poes;
  c.state = CPOR_STATE_PARTNER_ACTION_REQUIRED;
  c.reason = CPOR_REASON_MISSING_CONSENT;
  c.contested = 1;
  c.final = 1;
  c.next_seq = UINT32_MAX;
  c.created_at = T0;
  c.updated_at = T0 + 1;
  c.window_closes_at = -5;
  c.sla_due_at = INT64_MAX;
  c.last_at = INT64_MIN + 1;
  c.has_policy = 1;
  c.disputes = 2;
  c.info_reason = CPOR_INFO_MISSING_DATES;
  c.removal_reason = CPOR_REMOVAL_CLAIMED_IN_ERROR;
  cpor_window *w = &c.policy.optout;
  for (int i = 0; i < 6; i++)
    w[i] = (cpor_window){i + 1, i % 2 ? CPOR_CALENDAR_DAYS : CPOR_BUSINESS_DAYS};
  w[5] = (cpor_window){0, 0};
  c.variants = (cpor__variants){CPOR_OPTOUT_FROM_SUBMISSION, 1, 3};
  c.optout_closes_at = T0 + 2;
  c.external_ref = "PO-4711 \xe2\x80\x93 \"EU\"";
  c.idempotency_key = "create/2026-11-02/\\1";
  return c;
}

/* Every field that may be unset, unset. */
static cpor_claim sparse_claim(void) {
  cpor_claim c;
  memset(&c, 0, sizeof c);
  c.id = CLAIM_ID;
  c.partner_id = "contoso";
  c.mpn_id = "1";
  c.tenant_id = TENANT;
  c.domain = "a.b";
  c.area = CPOR_AREA_M365;
  c.activity = CPOR_ACTIVITY_USAGE;
  c.state = CPOR_STATE_EDITING;
  c.created_at = c.updated_at = c.window_closes_at = c.sla_due_at = c.last_at = c.optout_closes_at =
      CPOR_TIME_NONE;
  return c;
}

static cpor_event full_event(void) {
  return (cpor_event){SEQ,
                      T0,
                      CPOR_EVENT_EDITED,
                      CPOR_STATE_SUBMITTED,
                      CPOR_ROLE_INCENTIVES_ADMIN,
                      "contoso",
                      "u\xc3\xa9",
                      "edited: \"name\"",
                      "{\"changes\":{\"n\":[-1,0,1.5,true,false,{}],"
                      "\"name\":{\"from\":null,\"to\":\"a\\\"\\u0001\xc3\xa9\"}},\"z\":[]}"};
}

/* ---- kinds: one table drives the generic tests ------------------------------------- */

static int same(const char *a, const char *b) {
  return a == b || (a && b && strcmp(a, b) == 0);
}

typedef struct kind {
  const char *name;
  int (*encode)(const void *rec, cpor_store_object *obj, void **buf);
  int (*decode)(const cpor_store_object *obj, void **out);
  int (*equal)(const void *a, const void *b);
  void (*release)(void *rec);
} kind;

#define WRAP(k, T)                                                                                 \
  static int enc_##k(const void *rec, cpor_store_object *obj, void **buf) {                        \
    return cpor__##k##_encode(rec, obj, buf);                                                      \
  }                                                                                                \
  static int dec_##k(const cpor_store_object *obj, void **out) {                                   \
    return cpor__##k##_decode(obj, (T **)out);                                                     \
  }                                                                                                \
  static void rel_##k(void *rec) {                                                                 \
    cpor_##k##_free(rec);                                                                          \
  }
WRAP(partner, cpor_partner)
WRAP(location, cpor_location)
WRAP(customer, cpor_customer)
WRAP(tenant, cpor_tenant)
WRAP(subscription, cpor_subscription)
WRAP(workload, cpor_workload)
WRAP(claim, cpor_claim)

/* Events are rows (claim, seq, data): the object carries the data only. */
static int enc_event(const void *rec, cpor_store_object *obj, void **buf) {
  memset(obj, 0, sizeof *obj);
  int rc = cpor__event_encode(rec, buf, &obj->len);
  obj->data = *buf;
  return rc;
}
static int dec_event(const cpor_store_object *obj, void **out) {
  return cpor__event_decode(SEQ, obj->data, obj->len, (cpor_event **)out);
}
static void rel_event(void *rec) {
  cpor_event_free(rec);
}

static int eq_partner(const void *a, const void *b) {
  const cpor_partner *x = a, *y = b;
  return same(x->id, y->id) && same(x->name, y->name);
}
static int eq_location(const void *a, const void *b) {
  const cpor_location *x = a, *y = b;
  return same(x->mpn_id, y->mpn_id) && same(x->partner_id, y->partner_id) &&
         same(x->name, y->name) && x->programs == y->programs;
}
static int eq_customer(const void *a, const void *b) {
  const cpor_customer *x = a, *y = b;
  return same(x->id, y->id) && same(x->name, y->name);
}
static int eq_tenant(const void *a, const void *b) {
  const cpor_tenant *x = a, *y = b;
  if (!same(x->id, y->id) || !same(x->customer_id, y->customer_id) || x->ndomains != y->ndomains)
    return 0;
  for (size_t i = 0; i < x->ndomains; i++)
    if (!same(x->domains[i], y->domains[i])) return 0;
  return 1;
}
static int eq_subscription(const void *a, const void *b) {
  const cpor_subscription *x = a, *y = b;
  return same(x->id, y->id) && same(x->tenant_id, y->tenant_id) && same(x->workload, y->workload) &&
         x->channel == y->channel && x->state == y->state;
}
static int eq_workload(const void *a, const void *b) {
  const cpor_workload *x = a, *y = b;
  return same(x->code, y->code) && same(x->name, y->name) && x->area == y->area &&
         x->needs_subscription == y->needs_subscription && x->dynamics == y->dynamics;
}
static int eq_claim(const void *a, const void *b) {
  const cpor_claim *x = a, *y = b;
  const char *const xs[] = {x->id,        x->name,   x->partner_id,   x->mpn_id,
                            x->tenant_id, x->domain, x->external_ref, x->idempotency_key};
  const char *const ys[] = {y->id,        y->name,   y->partner_id,   y->mpn_id,
                            y->tenant_id, y->domain, y->external_ref, y->idempotency_key};
  for (int i = 0; i < 8; i++)
    if (!same(xs[i], ys[i])) return 0;
  for (int f = 1; f < CPOR__NFIELDS; f++)
    if (!same(x->fields[f], y->fields[f])) return 0;
  if (x->nlines != y->nlines || x->npoe != y->npoe) return 0;
  for (size_t i = 0; i < x->nlines; i++) {
    const cpor__line *l = &x->lines[i], *m = &y->lines[i];
    if (!same(l->workload, m->workload) || !same(l->subscription, m->subscription) ||
        l->state != m->state || l->reason != m->reason)
      return 0;
  }
  for (size_t i = 0; i < x->npoe; i++) {
    const cpor__poe *p = &x->poe[i], *q = &y->poe[i];
    if (!same(p->name, q->name) || !same(p->media_type, q->media_type) ||
        !same(p->sha256, q->sha256) || p->size != q->size || p->added_at != q->added_at)
      return 0;
  }
  return x->area == y->area && x->activity == y->activity && x->state == y->state &&
         x->reason == y->reason && x->contested == y->contested && x->final == y->final &&
         x->next_seq == y->next_seq && x->created_at == y->created_at &&
         x->updated_at == y->updated_at && x->window_closes_at == y->window_closes_at &&
         x->sla_due_at == y->sla_due_at && x->last_at == y->last_at &&
         x->has_policy == y->has_policy && x->disputes == y->disputes &&
         x->info_reason == y->info_reason && x->removal_reason == y->removal_reason &&
         !memcmp(&x->policy, &y->policy, sizeof x->policy) &&
         !memcmp(&x->variants, &y->variants, sizeof x->variants) &&
         x->optout_closes_at == y->optout_closes_at;
}
static int eq_event(const void *a, const void *b) {
  const cpor_event *x = a, *y = b;
  return x->seq == y->seq && x->at == y->at && x->kind == y->kind && x->state == y->state &&
         x->role == y->role && same(x->org, y->org) && same(x->user, y->user) &&
         same(x->text, y->text) && same(x->payload ? x->payload : "{}", y->payload);
}

#define KIND(k)                                                                                    \
  { #k, enc_##k, dec_##k, eq_##k, rel_##k }
static const kind K_PARTNER = KIND(partner), K_LOCATION = KIND(location),
                  K_CUSTOMER = KIND(customer), K_TENANT = KIND(tenant),
                  K_SUBSCRIPTION = KIND(subscription), K_WORKLOAD = KIND(workload),
                  K_CLAIM = KIND(claim), K_EVENT = KIND(event);

typedef struct sample {
  const kind *k;
  const void *rec;
} sample;

static cpor_claim claim_full, claim_sparse, claim_default;
static cpor_event event_full, event_empty;

/* A submitted claim under the default policy (schema 4 names it). */
static cpor_claim default_claim(void) {
  cpor_claim c = sparse_claim();
  c.state = CPOR_STATE_SUBMITTED;
  c.created_at = c.updated_at = c.last_at = T0;
  c.sla_due_at = T0 + 7;
  cpor__policy_set_default(&c);
  return c;
}

static void samples_init(void) {
  claim_full = full_claim();
  claim_sparse = sparse_claim();
  claim_default = default_claim();
  event_full = full_event();
  event_empty = full_event();
  event_empty.payload = NULL;
}

static const sample samples[] = {
    {&K_PARTNER, &partner},           {&K_LOCATION, &location},  {&K_LOCATION, &location0},
    {&K_CUSTOMER, &customer},         {&K_TENANT, &tenant},      {&K_TENANT, &tenant0},
    {&K_SUBSCRIPTION, &subscription}, {&K_WORKLOAD, &workload},  {&K_WORKLOAD, &workload0},
    {&K_CLAIM, &claim_full},          {&K_CLAIM, &claim_sparse}, {&K_EVENT, &event_full},
    {&K_EVENT, &event_empty},         {&K_CLAIM, &claim_default}};
#define NSAMPLES ((int)(sizeof samples / sizeof samples[0]))

/* An encoder's buffer as a NUL-terminated document (malloc'd; buf freed),
 * which obj's data then points to. */
static char *as_doc(void *buf, cpor_store_object *obj) {
  char *doc = malloc(obj->len + 1);
  memcpy(doc, buf, obj->len);
  doc[obj->len] = 0;
  free(buf);
  obj->data = doc;
  return doc;
}

/* The sample's document (malloc'd, NUL-terminated) and its object. */
static char *encode(const sample *s, cpor_store_object *obj) {
  samples_init();
  void *buf = NULL;
  ck_assert_status(s->k->encode(s->rec, obj, &buf), CPOR_OK);
  return as_doc(buf, obj);
}

/* Decodes text as the sample's kind (with its columns). */
static int decode_text(const sample *s, const cpor_store_object *cols, const void *data, size_t len,
                       void **out) {
  cpor_store_object o = *cols;
  o.data = data;
  o.len = len;
  *out = NULL;
  return s->k->decode(&o, out);
}

static int status_of(const sample *s, const cpor_store_object *cols, const char *doc) {
  void *rec = NULL;
  int rc = decode_text(s, cols, doc, strlen(doc), &rec);
  if (rc == CPOR_OK) s->k->release(rec);
  return rc;
}

/* ---- round trips and canonical bytes ----------------------------------------------- */

START_TEST(round_trip) {
  const sample *s = &samples[_i];
  cpor_store_object obj;
  char *doc = encode(s, &obj);
  void *rec = NULL;
  ck_assert_status(s->k->decode(&obj, &rec), CPOR_OK);
  ck_assert_msg(s->k->equal(s->rec, rec), "%s: %s", s->k->name, doc);
  /* A canonical document decodes and encodes to itself. */
  cpor_store_object again;
  void *buf = NULL;
  ck_assert_status(s->k->encode(rec, &again, &buf), CPOR_OK);
  ck_assert_uint_eq(again.len, obj.len);
  ck_assert(memcmp(buf, doc, obj.len) == 0);
  /* Claims are at schema 4 (null members left out, the default policy
   * named), the others at 2. */
  ck_assert_ptr_nonnull(strstr(doc, s->k == &K_CLAIM ? "\"schema\":4" : "\"schema\":2"));
  free(buf);
  s->k->release(rec);
  free(doc);
}
END_TEST

/* Our bytes are what jansson writes for the same document, sorted and compact. */
START_TEST(canonical_as_jansson) {
  const sample *s = &samples[_i];
  cpor_store_object obj;
  char *doc = encode(s, &obj);
  json_error_t err;
  json_t *j = json_loadb(doc, obj.len, JSON_REJECT_DUPLICATES, &err);
  ck_assert_msg(j != NULL, "%s: %s: %s", s->k->name, err.text, doc);
  char *ref = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
  ck_assert_str_eq(doc, ref);
  free(ref);
  json_decref(j);
  free(doc);
}
END_TEST

/* A copy of j with every object's keys in reverse order. */
static json_t *reversed(json_t *j) {
  if (json_is_array(j)) {
    json_t *a = json_array();
    for (size_t i = 0; i < json_array_size(j); i++)
      json_array_append_new(a, reversed(json_array_get(j, i)));
    return a;
  }
  if (!json_is_object(j)) return json_incref(j);
  size_t n = json_object_size(j), i = 0;
  const char **keys = malloc((n ? n : 1) * sizeof *keys);
  const char *key;
  json_t *v;
  json_object_foreach(j, key, v) keys[i++] = key;
  json_t *o = json_object();
  while (i--)
    json_object_set_new(o, keys[i], reversed(json_object_get(j, keys[i])));
  free(keys);
  return o;
}

/* Reformatted documents (whitespace, other key order, escaped non-ASCII)
 * read as the same record; reading is not canonical, writing is. */
START_TEST(reformatted_documents_read) {
  const sample *s = &samples[_i];
  cpor_store_object obj;
  char *doc = encode(s, &obj);
  json_t *j = json_loadb(doc, obj.len, 0, NULL), *r = reversed(j);
  const size_t flags[] = {JSON_INDENT(2), JSON_COMPACT | JSON_ENSURE_ASCII, JSON_INDENT(1)};
  for (int f = 0; f < 3; f++) {
    char *text = json_dumps(r, flags[f]);
    ck_assert_int_eq(text[0], '{');
    void *rec = NULL;
    ck_assert_status(decode_text(s, &obj, text, strlen(text), &rec), CPOR_OK);
    ck_assert_msg(s->k->equal(s->rec, rec), "%s: %s", s->k->name, text);
    cpor_store_object again;
    void *buf = NULL;
    ck_assert_status(s->k->encode(rec, &again, &buf), CPOR_OK);
    ck_assert(again.len == obj.len && memcmp(buf, doc, obj.len) == 0);
    free(buf);
    s->k->release(rec);
    free(text);
  }
  json_decref(r);
  json_decref(j);
  free(doc);
}
END_TEST

START_TEST(contact_keys_sorted) {
  /* contacts_put relies on this order: checked here against the names. */
  cpor_claim c = full_claim();
  cpor_store_object obj;
  void *buf = NULL;
  ck_assert_status(cpor__claim_encode(&c, &obj, &buf), CPOR_OK);
  json_t *j = json_loadb(buf, obj.len, 0, NULL), *contacts = json_object_get(j, "contacts");
  ck_assert_uint_eq(json_object_size(contacts), CPOR__NFIELDS - 1);
  const char *key, *last = "";
  json_t *v;
  json_object_foreach(contacts, key, v) { /* jansson keeps the order read */
    ck_assert_msg(strcmp(last, key) < 0, "%s before %s", last, key);
    last = key;
  }
  json_decref(j);
  free(buf);
}
END_TEST

START_TEST(claim_dup_is_deep) {
  cpor_claim c = full_claim();
  cpor_claim *d = cpor__claim_dup(&c);
  ck_assert(eq_claim(&c, d));
  ck_assert_ptr_ne(d->name, c.name);
  ck_assert_ptr_ne(d->lines, c.lines);
  ck_assert_ptr_ne(d->poe[0].sha256, c.poe[0].sha256);
  cpor_claim_free(d);
}
END_TEST

/* The payload is embedded as a JSON value, canonical whatever it was given as. */
START_TEST(event_payload_embedded) {
  cpor_event e = full_event();
  e.payload = " {\"z\" : [ ], \"a\":{\"y\":1,\"x\":\"\\u00e9\\/\"}} ";
  void *buf = NULL;
  size_t len = 0;
  ck_assert_status(cpor__event_encode(&e, &buf, &len), CPOR_OK);
  ck_assert_ptr_nonnull(strstr(buf, "\"payload\":{\"a\":{\"x\":\"\xc3\xa9/\",\"y\":1},\"z\":[]},"));
  cpor_event *d = NULL;
  ck_assert_status(cpor__event_decode(SEQ, buf, len, &d), CPOR_OK);
  ck_assert_str_eq(d->payload, "{\"a\":{\"x\":\"\xc3\xa9/\",\"y\":1},\"z\":[]}");
  cpor_event_free(d);
  free(buf);
  const char *bad[] = {"[]", "1", "{", "{\"a\":1}x", "{\"a\":1,\"a\":2}", "\"{}\"", ""};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    e.payload = (char *)bad[i];
    buf = NULL;
    ck_assert_msg(cpor__event_encode(&e, &buf, &len) == CPOR_EINVAL, "%s", bad[i]);
    ck_assert_ptr_null(buf);
  }
}
END_TEST

/* A record a document cannot hold is refused at encoding: CPOR_EINVAL. */
START_TEST(unrepresentable_records) {
  cpor_store_object obj;
  void *buf = NULL;
  cpor_claim c = full_claim();
  c.area = 0;
  ck_assert_status(cpor__claim_encode(&c, &obj, &buf), CPOR_EINVAL);
  c = full_claim();
  c.lines[0].reason = 99;
  ck_assert_status(cpor__claim_encode(&c, &obj, &buf), CPOR_EINVAL);
  c.lines[0].reason = CPOR_REASON_LOST_ARBITRATION;
  c.name = "bad \xff utf-8";
  ck_assert_status(cpor__claim_encode(&c, &obj, &buf), CPOR_EINVAL);
  c = full_claim();
  c.domain = NULL;
  ck_assert_status(cpor__claim_encode(&c, &obj, &buf), CPOR_EINVAL);
  c = full_claim();
  c.variants.optout_from = 7;
  ck_assert_status(cpor__claim_encode(&c, &obj, &buf), CPOR_EINVAL);
  cpor_location l = location;
  l.programs = 1u; /* bit 0 names no program */
  ck_assert_status(cpor__location_encode(&l, &obj, &buf), CPOR_EINVAL);
  cpor_subscription s = subscription;
  s.channel = 0;
  ck_assert_status(cpor__subscription_encode(&s, &obj, &buf), CPOR_EINVAL);
  ck_assert_ptr_null(buf);
}
END_TEST

/* ---- corruption -------------------------------------------------------------------- */

/* text with the first occurrence of from replaced by to (malloc'd). */
static char *replace(const char *text, const char *from, const char *to) {
  const char *p = strstr(text, from);
  ck_assert_msg(p != NULL, "%s not in %s", from, text);
  size_t a = (size_t)(p - text), n = strlen(text) - strlen(from) + strlen(to);
  char *s = malloc(n + 1);
  memcpy(s, text, a);
  strcpy(s + a, to);
  strcat(s, p + strlen(from));
  return s;
}

static void expect(const sample *s, const cpor_store_object *cols, const char *doc,
                   const char *from, const char *to, int want) {
  char *t = replace(doc, from, to);
  ck_assert_msg(status_of(s, cols, t) == want, "%s: %s -> %s: want %d", s->k->name, from, to, want);
  free(t);
}

static const sample *find(const kind *k) {
  for (int i = 0; i < NSAMPLES; i++)
    if (samples[i].k == k) return &samples[i];
  return NULL;
}

/* Every class of bad input, on a claim document. */
START_TEST(corruption_classes) {
  const sample *s = find(&K_CLAIM);
  cpor_store_object obj;
  char *doc = encode(s, &obj);
  const int C = CPOR_ECORRUPT;
  expect(s, &obj, doc, "\"activity\"", "\"x\":1,\"activity\"", C);           /* unknown key */
  expect(s, &obj, doc, "\"activity\":\"revenue\",", "", C);                  /* missing key */
  expect(s, &obj, doc, "\"count\":1,", "", C);                               /* ... nested */
  expect(s, &obj, doc, "\"activity\"", "\"area\":\"m365\",\"activity\"", C); /* duplicate */
  expect(s, &obj, doc, "\"activity\"", "\"activity\":\"usage\",\"activity\"", C);
  expect(s, &obj, doc, "{\"added_at\"", "{\"size\":1,\"added_at\"", C);
  expect(s, &obj, doc, "\"disputes\":2", "\"disputes\":\"2\"", C); /* wrong type */
  expect(s, &obj, doc, "\"disputes\":2", "\"disputes\":2.0", C);
  expect(s, &obj, doc, "\"disputes\":2", "\"disputes\":2e0", C);
  expect(s, &obj, doc, "\"disputes\":2", "\"disputes\":-1", C);
  expect(s, &obj, doc, "\"disputes\":2", "\"disputes\":4294967296", C);
  expect(s, &obj, doc, "\"disputes\":2", "\"disputes\":02", C);
  expect(s, &obj, doc, "\"disputes\":2", "\"disputes\":null", C);
  expect(s, &obj, doc, "\"contested\":true", "\"contested\":1", C);
  expect(s, &obj, doc, "\"domain\":\"fabrikam.com\"", "\"domain\":null", C);
  expect(s, &obj, doc, "\"lines\":[", "\"lines\":{", C);
  expect(s, &obj, doc, "\"contacts\":{", "\"contacts\":[", C);
  expect(s, &obj, doc, "\"state\":\"PARTNER_ACTION_REQUIRED\"", "\"state\":\"SUBMITTED\"",
         C); /* the state column disagrees */
  expect(s, &obj, doc, "\"id\":\"7c", "\"id\":\"8c", C);
  expect(s, &obj, doc, "\"reason\":\"missing_consent\"", "\"reason\":\"nope\"", C);
  expect(s, &obj, doc, "\"schema\":4", "\"schema\":1", C);
  expect(s, &obj, doc, "\"schema\":4", "\"schema\":5", C);
  expect(s, &obj, doc, "\"Ann Lee\"", "\"Ann\\u0000Lee\"", C);      /* NUL */
  expect(s, &obj, doc, "\"Ann Lee\"", "\"Ann\xc0\xafLee\"", C);     /* bad UTF-8: overlong */
  expect(s, &obj, doc, "\"Ann Lee\"", "\"Ann\xed\xa0\x80Lee\"", C); /* surrogate */
  expect(s, &obj, doc, "\"Ann Lee\"", "\"Ann\xffLee\"", C);
  expect(s, &obj, doc, "\"Ann Lee\"", "\"Ann\xe2\x82\"", C);   /* truncated */
  expect(s, &obj, doc, "\"Ann Lee\"", "\"Ann\\ud800Lee\"", C); /* lone surrogate */
  expect(s, &obj, doc, "\"Ann Lee\"", "\"Ann\\uDC00Lee\"", C);
  expect(s, &obj, doc, "\"Ann Lee\"", "\"Ann\\xLee\"", C); /* bad escape */
  expect(s, &obj, doc, "\"Ann Lee\"", "\"Ann\tLee\"", C);  /* raw control character */
  expect(s, &obj, doc, "\"lines\":[{", "\"lines\":[,{", C);
  expect(s, &obj, doc, "}],\"mpn_id\"", "},],\"mpn_id\"", C);             /* trailing comma */
  expect(s, &obj, doc, "\"Ann Lee\"", "\"Ann \\ud83d\\ude00\"", CPOR_OK); /* a pair is fine */
  expect(s, &obj, doc, "\"Ann Lee\"", "\"\\u0041nn Lee\"", CPOR_OK);
  expect(s, &obj, doc, "{\"activity\"", " \t{\r\n\"activity\" :", CPOR_ECORRUPT); /* not '{' */
  /* Trailing bytes; trailing whitespace is fine. */
  size_t n = strlen(doc);
  const char *tails[] = {"x", "{}", ",", "\0"};
  for (int i = 0; i < 4; i++) {
    char *t = malloc(n + 2);
    memcpy(t, doc, n);
    t[n] = tails[i][0];
    void *rec = NULL;
    ck_assert_status(decode_text(s, &obj, t, n + 1, &rec), C);
    free(t);
  }
  char *t = malloc(n + 2);
  memcpy(t, doc, n);
  memcpy(t + n, "\n ", 2);
  void *rec = NULL;
  ck_assert_status(decode_text(s, &obj, t, n + 2, &rec), CPOR_OK);
  s->k->release(rec);
  /* A raw NUL inside a string. */
  memcpy(t, doc, n);
  *(strstr(t, "Ann Lee") + 3) = 0;
  ck_assert_status(decode_text(s, &obj, t, n, &rec), C);
  free(t);
  free(doc);
}
END_TEST

/* Schema 4 names the default policy; a claim whose policy departs from it
 * in one window or variant, and every claim written at schema 3, spells it
 * out; a name other than "default" is corruption. */
static char *claim_doc(const cpor_claim *c, uint32_t schema, cpor_store_object *obj) {
  void *buf = NULL;
  ck_assert_status(cpor__claim_encode_as(c, schema, obj, &buf), CPOR_OK);
  return as_doc(buf, obj);
}

START_TEST(default_policy_named) {
  samples_init();
  cpor_store_object obj;
  char *doc = claim_doc(&claim_default, 0, &obj);
  ck_assert_ptr_nonnull(strstr(doc, "\"policy\":\"default\",\"reason\""));
  cpor_claim *back = NULL;
  ck_assert_status(cpor__claim_decode(&obj, &back), CPOR_OK);
  cpor_policy p, d = CPOR_POLICY_DEFAULT;
  ck_assert_int_eq(cpor_claim_policy(back, &p), 1);
  ck_assert(!memcmp(&p, &d, sizeof p));
  ck_assert_int_eq(cpor_claim_optout_from(back), CPOR_OPTOUT_FROM_APPROVAL);
  ck_assert_int_eq(cpor_claim_customer_may_end(back), 0);
  ck_assert_int_eq(cpor_claim_max_disputes(back), 1);
  cpor_claim_free(back);
  const char *bad[] = {"\"Default\"", "\"\"", "\"default \"", "\"standard\"", "7", "true"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    expect(&samples[NSAMPLES - 1], &obj, doc, "\"default\"", bad[i], CPOR_ECORRUPT);
  free(doc);
  /* Schema 3 spells the same policy out, and it reads back the same. */
  doc = claim_doc(&claim_default, 3, &obj);
  ck_assert_ptr_nonnull(strstr(doc, "\"policy\":{\"customer_may_end\":false,\"dispute\":{"));
  ck_assert_status(cpor__claim_decode(&obj, &back), CPOR_OK);
  ck_assert(K_CLAIM.equal(&claim_default, back));
  cpor_claim_free(back);
  free(doc);
  /* One departure in any window's count or unit, or any variant. */
  for (int k = 0; k < 6 * 2 + 3; k++) {
    cpor_claim c = claim_default;
    cpor_window *w = &c.policy.optout;
    if (k < 12 && k % 2 == 0) w[k / 2].count++;
    if (k < 12 && k % 2 == 1)
      w[k / 2].unit = w[k / 2].unit == CPOR_BUSINESS_DAYS ? CPOR_CALENDAR_DAYS : CPOR_BUSINESS_DAYS;
    if (k == 12) c.variants.optout_from = CPOR_OPTOUT_FROM_SUBMISSION;
    if (k == 13) c.variants.customer_may_end = 1;
    if (k == 14) c.variants.max_disputes = 2;
    doc = claim_doc(&c, 0, &obj);
    ck_assert_msg(strstr(doc, "\"policy\":{") != NULL, "departure %d: %s", k, doc);
    ck_assert_status(cpor__claim_decode(&obj, &back), CPOR_OK);
    ck_assert_msg(K_CLAIM.equal(&c, back), "departure %d", k);
    cpor_claim_free(back);
    free(doc);
  }
}
END_TEST

/* Every key of every document (nested ones too): removing it, repeating it or
 * giving it a value of another type is corruption. */
static void every_key(const sample *s, const cpor_store_object *cols, const char *doc, json_t *root,
                      json_t *o) {
  size_t nkeys = json_object_size(o), i = 0;
  char **keys = malloc((nkeys ? nkeys : 1) * sizeof *keys);
  const char *k;
  json_t *v;
  json_object_foreach(o, k, v) keys[i++] = strdup(k);
  for (i = 0; i < nkeys; i++) {
    const char *key = keys[i];
    v = json_object_get(o, key);
    if (!strcmp(key, "payload") || json_object_get(root, "contacts") == o) continue;
    json_incref(v);
    json_object_del(o, key);
    char *t = json_dumps(root, JSON_COMPACT | JSON_SORT_KEYS);
    /* Claims written before 0.3 have neither external_ref nor
     * idempotency_key, and claim schema 3 leaves out every member that is
     * null: their absence is null. */
    static const char *const top[] = {"external_ref",   "idempotency_key",  "info_reason",
                                      "name",           "optout_closes_at", "policy",
                                      "removal_reason", "sla_due_at",       "window_closes_at"};
    static const char *const nested[] = {"subscription", "added_at", "unit", "optout_from"};
    const char *const *list = o == root ? top : nested;
    size_t nlist = o == root ? sizeof top / sizeof top[0] : sizeof nested / sizeof nested[0];
    int later = 0;
    for (size_t n = 0; s->k == &K_CLAIM && n < nlist; n++)
      later |= !strcmp(key, list[n]);
    ck_assert_msg(status_of(s, cols, t) == (later ? CPOR_OK : CPOR_ECORRUPT), "%s without %s",
                  s->k->name, key);
    free(t);
    json_object_set_new(o, key, json_is_array(v) ? json_object() : json_array());
    t = json_dumps(root, JSON_COMPACT | JSON_SORT_KEYS);
    ck_assert_msg(status_of(s, cols, t) == CPOR_ECORRUPT, "%s with %s of another type", s->k->name,
                  key);
    free(t);
    json_object_set_new(o, key, v);
    if (json_is_object(v)) every_key(s, cols, doc, root, v);
    if (json_is_array(v) && json_is_object(json_array_get(v, 0)))
      every_key(s, cols, doc, root, json_array_get(v, 0));
  }
  for (i = 0; i < nkeys; i++)
    free(keys[i]);
  free(keys);
  /* A repeated key: the first member written twice. */
  char *t = json_dumps(root, JSON_COMPACT | JSON_SORT_KEYS);
  const char *comma = strchr(t, ',');
  if (comma) {
    size_t n = (size_t)(comma - t);
    char *d = malloc(strlen(t) + n + 1);
    memcpy(d, t, n + 1);
    strcpy(d + n + 1, t + 1);
    ck_assert_msg(status_of(s, cols, d) == CPOR_ECORRUPT, "%s: %s", s->k->name, d);
    free(d);
  }
  free(t);
}

START_TEST(every_key_checked) {
  const sample *s = &samples[_i];
  cpor_store_object obj;
  char *doc = encode(s, &obj);
  json_t *j = json_loads(doc, 0, NULL);
  every_key(s, &obj, doc, j, j);
  json_decref(j);
  /* Every truncation is corruption. */
  for (size_t n = 0; n < obj.len; n++) {
    void *rec = NULL;
    ck_assert_status(decode_text(s, &obj, doc, n, &rec), CPOR_ECORRUPT);
  }
  free(doc);
}
END_TEST

/* Allocation k of a decode (and of an encode) fails, for every k: CPOR_ENOMEM,
 * never CPOR_ECORRUPT, and nothing leaks (valgrind/ASan runs see it). */
START_TEST(allocation_failure_is_enomem) {
  const sample *s = &samples[_i];
  cpor_store_object obj;
  char *doc = encode(s, &obj);
  for (long k = 0;; k++) {
    void *rec = NULL;
    allocs_left = k;
    int rc = s->k->decode(&obj, &rec);
    allocs_left = -1;
    ck_assert_msg(rc == CPOR_OK || rc == CPOR_ENOMEM, "%s decode, allocation %ld: %d", s->k->name,
                  k, rc);
    if (rc == CPOR_OK) {
      ck_assert(s->k->equal(s->rec, rec));
      s->k->release(rec);
      ck_assert(k > 0);
      break;
    }
  }
  for (long k = 0;; k++) {
    cpor_store_object o;
    void *buf = NULL;
    allocs_left = k;
    int rc = s->k->encode(s->rec, &o, &buf);
    allocs_left = -1;
    ck_assert(rc == CPOR_OK || rc == CPOR_ENOMEM);
    if (rc == CPOR_OK) {
      ck_assert(o.len == obj.len && !memcmp(buf, doc, o.len));
      free(buf);
      break;
    }
    ck_assert_ptr_null(buf);
  }
  free(doc);
}
END_TEST

/* ---- the binary formats of earlier releases ---------------------------------------- */

static size_t unhex(const char *hex, unsigned char *out) {
  size_t n = 0;
  for (; hex[0] && hex[1]; hex += 2) {
    unsigned v;
    sscanf(hex, "%2x", &v);
    out[n++] = (unsigned char)v;
  }
  return n;
}

/* Rows written by the 0.x releases (fixed bytes: the encoder they came from is gone). */
START_TEST(binary_rows_of_earlier_releases) {
  static const struct {
    const kind *k;
    const char *id, *owner, *hex, *want;
  } rows[] = {
      {&K_PARTNER, "contoso", NULL, "010000000b000000436f6e746f736f204c7464", "Contoso Ltd"},
      {&K_LOCATION, "1234567", "contoso", "010000000f000000436f6e746f736f2053656174746c650a000000",
       "Contoso Seattle"},
      {&K_CUSTOMER, "fabrikam", NULL, "010000000c00000046616272696b616d20496e63", "Fabrikam Inc"},
      {&K_TENANT, TENANT, "fabrikam",
       "01000000020000000c00000066616272696b616d2e636f6d1800000066616272696b616d2e6f6e6d6963726f"
       "736f66742e636f6d",
       "fabrikam.onmicrosoft.com"},
      {&K_SUBSCRIPTION, "5d1e2f3a-0000-4000-8000-000000000002", TENANT,
       "010000000a000000443336355f53414c45530200000002000000", "D365_SALES"},
      {&K_WORKLOAD, "D365_SALES", NULL,
       "010000001200000044796e616d696373203336352053616c6573020000000100000001000000",
       "Dynamics 365 Sales"},
  };
  for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
    unsigned char bytes[256];
    size_t n = unhex(rows[i].hex, bytes);
    cpor_store_object obj = {0, rows[i].id, rows[i].owner, NULL, 0, 0, bytes, n};
    if (rows[i].k == &K_SUBSCRIPTION) obj.state = CPOR_SUB_ACTIVE;
    void *rec = NULL;
    ck_assert_status(rows[i].k->decode(&obj, &rec), CPOR_OK);
    /* Re-encoded, it is a JSON document with the same content. */
    cpor_store_object again;
    void *buf = NULL;
    ck_assert_status(rows[i].k->encode(rec, &again, &buf), CPOR_OK);
    ck_assert_int_eq(((char *)buf)[0], '{');
    char *text = strndup(buf, again.len);
    ck_assert_msg(strstr(text, rows[i].want) != NULL, "%s: %s", rows[i].k->name, text);
    free(text);
    free(buf);
    rows[i].k->release(rec);
    /* A cut row is still corrupt. */
    obj.len = n - 1;
    ck_assert_status(rows[i].k->decode(&obj, &rec), CPOR_ECORRUPT);
  }
  /* A format-1 event: the payload reads as {}. */
  unsigned char bytes[256];
  size_t n = unhex("0100000000f1d9a0a10100000700000003000000050000000000000006000000726576"
                   "2d31370e0000007265766965772073746172746564",
                   bytes);
  cpor_event *e = NULL;
  ck_assert_status(cpor__event_decode(SEQ, bytes, n, &e), CPOR_OK);
  ck_assert_str_eq(e->payload, "{}");
  ck_assert_str_eq(e->text, "review started");
  ck_assert_int_eq(e->kind, CPOR_EVENT_REVIEW_STARTED);
  cpor_event_free(e);
}
END_TEST

/* Claims and events in both binary formats, every field the format has. */
START_TEST(binary_claims_and_events) {
  samples_init();
  for (int format = 1; format <= 2; format++) {
    for (int full = 0; full < 2; full++) {
      cpor_claim c = full ? full_claim() : sparse_claim();
      cpor_store_object obj;
      void *buf = NULL;
      ck_assert_status(bin_claim_encode(&c, format, &obj, &buf), CPOR_OK);
      cpor_claim *d = NULL;
      ck_assert_status(cpor__claim_decode(&obj, &d), CPOR_OK);
      cpor_claim want = c;
      want.external_ref = want.idempotency_key = NULL; /* added in 0.3 */
      cpor__poe poe[2];
      if (format == 1) { /* what format 1 did not hold */
        if (c.npoe) memcpy(poe, c.poe, sizeof poe);
        for (size_t i = 0; i < c.npoe; i++)
          poe[i].added_at = CPOR_TIME_NONE;
        want.poe = c.npoe ? poe : NULL;
        want.last_at = c.updated_at;
        want.disputes = 0;
        want.info_reason = want.removal_reason = 0;
        want.has_policy = 0;
        memset(&want.policy, 0, sizeof want.policy);
        memset(&want.variants, 0, sizeof want.variants);
        want.optout_closes_at = CPOR_TIME_NONE;
      }
      ck_assert_msg(eq_claim(&want, d), "format %d, full %d", format, full);
      cpor_claim_free(d);
      free(buf);
    }
    cpor_event e = full_event();
    void *buf = NULL;
    size_t len = 0;
    ck_assert_status(bin_event_encode(&e, format, &buf, &len), CPOR_OK);
    cpor_event *d = NULL;
    ck_assert_status(cpor__event_decode(SEQ, buf, len, &d), CPOR_OK);
    cpor_event want = e;
    if (format == 1) want.payload = "{}";
    ck_assert(eq_event(&want, d));
    cpor_event_free(d);
    free(buf);
  }
  /* A binary row holding what a document cannot (an unnamed state) is corrupt. */
  cpor_claim c = full_claim();
  c.lines[1].state = 42;
  cpor_store_object obj;
  void *buf = NULL;
  ck_assert_status(bin_claim_encode(&c, 2, &obj, &buf), CPOR_OK);
  cpor_claim *d = NULL;
  ck_assert_status(cpor__claim_decode(&obj, &d), CPOR_ECORRUPT);
  c.lines[1].state = CPOR_STATE_UNDER_REVIEW;
  free(buf);
}
END_TEST

/* ---- the reader against jansson ----------------------------------------------------- */

static uint64_t rng = 0x9E3779B97F4A7C15u;
static uint32_t rnd(void) {
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return (uint32_t)(rng >> 11);
}

static json_t *random_value(int depth) {
  static const char *const strs[] = {
      "",   "a",  "b",     "\"", "\\", "\n", "\x01\x1f", "caf\xc3\xa9", "\xf0\x9f\x98\x80",
      "ab", "aa", "a\x7f", "/"};
  switch (depth > 3 ? rnd() % 4 : rnd() % 6) {
  case 0:
    return json_string(strs[rnd() % 13]);
  case 1:
    return json_integer((json_int_t)rnd() - (1 << 30));
  case 2:
    return rnd() % 2 ? json_true() : json_false();
  case 3:
    return json_null();
  case 4: {
    json_t *a = json_array();
    for (int i = rnd() % 4; i > 0; i--)
      json_array_append_new(a, random_value(depth + 1));
    return a;
  }
  default: {
    json_t *o = json_object();
    for (int i = rnd() % 5; i > 0; i--)
      json_object_set_new(o, strs[rnd() % 13], random_value(depth + 1));
    return o;
  }
  }
}

/* Any JSON value, however formatted, copies to what jansson writes sorted
 * and compact. */
START_TEST(canonical_copies_as_jansson) {
  for (int i = 0; i < 3000; i++) {
    json_t *v = random_value(0);
    char *ref = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
    /* Every fourth is canonical already: the copy's fast path. */
    char *text = i % 4 == 3 ? strdup(ref)
                            : json_dumps(v, JSON_ENCODE_ANY | (i % 4 == 0   ? JSON_INDENT(2)
                                                               : i % 4 == 1 ? JSON_ENSURE_ASCII
                                                                            : JSON_COMPACT));
    cpor__jr r;
    cpor__jw w = {0};
    cpor__jr_init(&r, text, strlen(text));
    cpor__jr_canon(&r, &w, NULL);
    ck_assert_status(cpor__jr_end(&r), CPOR_OK);
    char *got = cpor__jw_cstr(&w);
    ck_assert_str_eq(got, ref);
    free(got);
    free(text);
    free(ref);
    json_decref(v);
  }
}
END_TEST

/* Texts that look canonical but are not (or are not JSON): the copy sorts,
 * unescapes or refuses them exactly as the full canonicalization does. */
START_TEST(canonical_copy_near_misses) {
  static const struct {
    const char *in, *out; /* out NULL: refused (ECORRUPT) */
  } cases[] = {
      {"{\"a\":1,\"a\":2}", NULL},
      {"{\"b\":1,\"a\":2}", "{\"a\":2,\"b\":1}"},
      {"{\"a\":1,\"ab\":2}", "{\"a\":1,\"ab\":2}"},
      {"{\"ab\":1,\"a\":2}", "{\"a\":2,\"ab\":1}"},
      {"{\"a\": 1}", "{\"a\":1}"},
      {"[1 ,2]", "[1,2]"},
      {"\"\\u0041\"", "\"A\""},
      {"{\"\\u0062\":1,\"a\":2}", "{\"a\":2,\"b\":1}"},
      {"[tru]", NULL},
      {"{\"a\":01}", NULL},
      {"[1,]", NULL},
      {"{\"a\"}", NULL},
      {"\"\x7f\"", "\"\x7f\""},
      {"\"\xc3\xa9\"", "\"\xc3\xa9\""},
      {"\"\xc3\"", NULL},
      {"[[[]],{}]", "[[[]],{}]"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    cpor__jr r;
    cpor__jw w = {0};
    cpor__jr_init(&r, cases[i].in, strlen(cases[i].in));
    cpor__jr_canon(&r, &w, NULL);
    int rc = cpor__jr_end(&r);
    char *got = cpor__jw_cstr(&w);
    if (cases[i].out) {
      ck_assert_msg(rc == CPOR_OK, "case %zu: %d", i, rc);
      ck_assert_str_eq(got, cases[i].out);
    } else {
      ck_assert_msg(rc == CPOR_ECORRUPT, "case %zu: %d", i, rc);
    }
    free(got);
  }
}
END_TEST

static int canon_with(int full, const char *t, size_t n, char **out) {
  cpor__jr r;
  cpor__jw w = {0};
  cpor__jr_init(&r, t, n);
  (full ? cpor__jr_canon_full : cpor__jr_canon)(&r, &w, NULL);
  int rc = cpor__jr_end(&r);
  *out = rc ? NULL : cpor__jw_cstr(&w);
  cpor__jw_free(&w);
  return rc;
}

/* The copy's fast path changes nothing: on canonical texts and random byte
 * changes of them, the code and the bytes are those of the full
 * canonicalization. */
START_TEST(canonical_fast_path_matches_full) {
  static const char *const seeds[] = {
      "{\"a\":1,\"b\":[true,false,null,\"x\"],\"c\":{\"d\":-1.5e3,\"e\":\"\\u00e9\"}}",
      "{\"claim\":{\"activity\":\"usage\",\"lines\":[{\"subscription\":null,\"workload\":"
      "\"TEAMS\"}],\"name\":\"T\xc3\xa9\"}}",
      "[[],{},[{}],{\"\":0,\"a\":\"\xc3\xa9\"}]", "{\"ab\":1,\"b\":2}", "\"plain\""};
  static const char alphabet[] = "{}[]\",:\\ 0-1e.tnfu\x80\xff\xc3\xa9"
                                 "aAb\t";
  long fast = 0;
  for (size_t s = 0; s < sizeof seeds / sizeof *seeds; s++)
    for (int i = 0; i < 20000; i++) {
      char t[256];
      size_t n = strlen(seeds[s]);
      memcpy(t, seeds[s], n);
      for (int m = (int)(rnd() % 4); m > 0; m--) {
        size_t at = n ? rnd() % n : 0;
        char c = alphabet[rnd() % (sizeof alphabet - 1)];
        int op = (int)(rnd() % 3);
        if (op == 0 && n) {
          t[at] = c;
        } else if (op == 1 && n < 250) {
          memmove(t + at + 1, t + at, n - at);
          t[at] = c;
          n++;
        } else if (n) {
          memmove(t + at, t + at + 1, n - at - 1);
          n--;
        }
      }
      char *a = NULL, *b = NULL;
      int ra = canon_with(0, t, n, &a), rb = canon_with(1, t, n, &b);
      ck_assert_msg(ra == rb, "[%.*s]: %d vs %d", (int)n, t, ra, rb);
      if (ra == CPOR_OK) {
        ck_assert_str_eq(a, b);
        fast += strlen(a) == n && memcmp(a, t, n) == 0; /* was canonical */
      }
      free(a);
      free(b);
    }
  ck_assert_msg(fast > 1000, "only %ld canonical inputs", fast); /* the fast path ran */
}
END_TEST

/* Random byte changes of every document: decoding never crashes, says OK or
 * ECORRUPT, and what reads encodes and reads back to itself. */
START_TEST(mutated_documents) {
  const sample *s = &samples[_i];
  cpor_store_object obj;
  char *doc = encode(s, &obj);
  static const char alphabet[] = "{}[]\",:\\ 0-1e.tnfu\x00\x80\xff";
  unsigned char *t = malloc(obj.len + 8);
  for (int i = 0; i < 4000; i++) {
    memcpy(t, doc, obj.len);
    size_t n = obj.len;
    for (int m = 1 + rnd() % 3; m > 0; m--) {
      size_t at = rnd() % n;
      t[at] =
          rnd() % 2 ? (unsigned char)alphabet[rnd() % (sizeof alphabet - 1)] : (unsigned char)rnd();
    }
    void *rec = NULL;
    int rc = decode_text(s, &obj, t, n, &rec);
    ck_assert(rc == CPOR_OK || rc == CPOR_ECORRUPT);
    if (rc) continue;
    cpor_store_object again;
    void *buf = NULL;
    ck_assert_status(s->k->encode(rec, &again, &buf), CPOR_OK);
    void *rec2 = NULL;
    ck_assert_status(decode_text(s, &obj, buf, again.len, &rec2), CPOR_OK);
    ck_assert(s->k->equal(rec, rec2));
    s->k->release(rec2);
    s->k->release(rec);
    free(buf);
  }
  free(t);
  free(doc);
}
END_TEST

/* What the fuzzer found (tests/fuzz/README.md): reads past a cut document's
 * end, empty objects and keys in payloads. */
START_TEST(fuzz_regressions) {
  const sample *s = find(&K_PARTNER);
  cpor_store_object obj;
  char *doc = encode(s, &obj);
  const char *cut[] = {"{", "{\"name\":\"x\",", "{\"name\":\"x\"", "{ ", "{\"name\":"};
  for (size_t i = 0; i < sizeof cut / sizeof cut[0]; i++) {
    char *t = malloc(strlen(cut[i])); /* exactly the bytes: no NUL after them */
    memcpy(t, cut[i], strlen(cut[i]));
    void *rec = NULL;
    ck_assert_status(decode_text(s, &obj, t, strlen(cut[i]), &rec), CPOR_ECORRUPT);
    free(t);
  }
  free(doc);
  cpor_event e = full_event();
  e.payload = "{\"\":{},\"a\":[{}],\"b\":{\"\":\"\"}}";
  void *buf = NULL;
  size_t len = 0;
  ck_assert_status(cpor__event_encode(&e, &buf, &len), CPOR_OK);
  cpor_event *d = NULL;
  ck_assert_status(cpor__event_decode(SEQ, buf, len, &d), CPOR_OK);
  ck_assert_str_eq(d->payload, e.payload);
  cpor_event_free(d);
  free(buf);
}
END_TEST

static Suite *records_suite(void) {
  Suite *s = suite_create("records");
  TCase *tc = tcase_create("records");
  tcase_set_timeout(tc, 120);
  tcase_add_loop_test(tc, round_trip, 0, NSAMPLES);
  tcase_add_loop_test(tc, canonical_as_jansson, 0, NSAMPLES);
  tcase_add_loop_test(tc, reformatted_documents_read, 0, NSAMPLES);
  tcase_add_test(tc, contact_keys_sorted);
  tcase_add_test(tc, claim_dup_is_deep);
  tcase_add_test(tc, event_payload_embedded);
  tcase_add_test(tc, unrepresentable_records);
  tcase_add_test(tc, corruption_classes);
  tcase_add_test(tc, default_policy_named);
  tcase_add_loop_test(tc, every_key_checked, 0, NSAMPLES);
  tcase_add_loop_test(tc, allocation_failure_is_enomem, 0, NSAMPLES);
  tcase_add_test(tc, binary_rows_of_earlier_releases);
  tcase_add_test(tc, binary_claims_and_events);
  tcase_add_test(tc, canonical_copies_as_jansson);
  tcase_add_test(tc, canonical_copy_near_misses);
  tcase_add_test(tc, canonical_fast_path_matches_full);
  tcase_add_loop_test(tc, mutated_documents, 0, NSAMPLES);
  tcase_add_test(tc, fuzz_regressions);
  suite_add_tcase(s, tc);
  return s;
}

CPOR_TEST_MAIN(records_suite)
