/* Stored records (README.md, "Stored records"): the canonical JSON
 * documents, the binary formats of the previous release that must still
 * read, round trips, and a corpus of hostile documents that must be refused
 * with CPOR_ECORRUPT, never a crash; allocation failure is CPOR_ENOMEM. */
#include <jansson.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json_doc.h"
#include "core/records.h"
#include "testutil.h"

#define TENANT "2b7f3c1e-0000-4000-8000-000000000001"
#define CLAIM_ID "7c9e6679-7425-40de-944b-e07fc1f90ae7"
#define SEQ 3

/* Records written by the binary encoder of the previous release (formats 2,
 * and format 1 for claims and events), hex: what a v1 SQLite file holds. */
static const char BIN_PARTNER[] = "010000000b000000436f6e746f736f204c7464";
static const char BIN_LOCATION[] = "010000000f000000436f6e746f736f2053656174746c650a000000";
static const char BIN_CUSTOMER[] = "010000000c00000046616272696b616d20496e63";
static const char BIN_TENANT[] =
    "01000000020000000c00000066616272696b616d2e636f6d1800000066616272696b616d2e6f6e6d6963726f"
    "736f66742e636f6d";
static const char BIN_SUBSCRIPTION[] = "010000000a000000443336355f53414c45530200000002000000";
static const char BIN_WORKLOAD[] =
    "010000001200000044796e616d696373203336352053616c6573020000000100000001000000";
static const char BIN_CLAIM[] =
    "020000001600000046616272696b616d2053616c657320726f6c6c6f757407000000313233343536370c0000"
    "0066616272696b616d2e636f6d020000000200000007000000416e6e204c6565ffffffff10000000616e6e40"
    "66616272696b616d2e636f6dffffffffffffffffffffffff07000000426f204368656e0e000000626f40636f"
    "6e746f736f2e636f6dffffffffffffffffffffffff020000000a000000443336355f53414c45532400000035"
    "643165326633612d303030302d343030302d383030302d30303030303030303030303207000000080000000c"
    "000000443336355f53455256494345ffffffff0300000000000000010000000e0000007369676e65642d736f"
    "772e7064660f0000006170706c69636174696f6e2f7064664000000039663836643038313838346337643635"
    "3961326665616130633535616430313561336266346631623262306238323263643135643663313562306630"
    "3061303855bc000000000000030000000000000001000000000000000500000080a67c9ba101000000f1d9a0"
    "a101000000000000000000800075b1b8a101000000f1d9a0a101000001000000010000000500000001000000"
    "0500000001000000050000000100000005000000010000001e000000020000000500000001000000";
static const char BIN_CLAIM_V1[] =
    "010000001600000046616272696b616d2053616c657320726f6c6c6f757407000000313233343536370c0000"
    "0066616272696b616d2e636f6d020000000200000007000000416e6e204c6565ffffffff10000000616e6e40"
    "66616272696b616d2e636f6dffffffffffffffffffffffff07000000426f204368656e0e000000626f40636f"
    "6e746f736f2e636f6dffffffffffffffffffffffff020000000a000000443336355f53414c45532400000035"
    "643165326633612d303030302d343030302d383030302d30303030303030303030303207000000080000000c"
    "000000443336355f53455256494345ffffffff0300000000000000010000000e0000007369676e65642d736f"
    "772e7064660f0000006170706c69636174696f6e2f7064664000000039663836643038313838346337643635"
    "3961326665616130633535616430313561336266346631623262306238323263643135643663313562306630"
    "3061303855bc000000000000030000000000000001000000000000000500000080a67c9ba101000000f1d9a0"
    "a101000000000000000000800075b1b8a1010000";
static const char BIN_EVENT[] =
    "0200000000f1d9a0a101000007000000030000000500000000000000060000007265762d31370e0000007265"
    "7669657720737461727465640d0000007b226e6f7465223a226f6b227d";
static const char BIN_EVENT_V1[] =
    "0100000000f1d9a0a101000007000000030000000500000000000000060000007265762d31370e0000007265"
    "766965772073746172746564";

/* The canonical documents of the same records. */
static const char J_PARTNER[] = "{\"name\":\"Contoso Ltd\",\"schema\":1}";
static const char J_LOCATION[] =
    "{\"name\":\"Contoso Seattle\",\"programs\":[\"osa_sell\",\"osu_bizapps\"]"
    ",\"schema\":1}";
static const char J_CUSTOMER[] = "{\"name\":\"Fabrikam Inc\",\"schema\":1}";
static const char J_TENANT[] =
    "{\"domains\":[\"fabrikam.com\",\"fabrikam.onmicrosoft.com\"],\"schema\":1}";
static const char J_SUBSCRIPTION[] = "{\"channel\":\"web_direct\",\"schema\":1,\"state\":\"active\""
                                     ",\"workload\":\"D365_SALES\"}";
static const char J_WORKLOAD[] =
    "{\"area\":\"bizapps\",\"dynamics\":true,\"name\":\"Dynamics 365 Sales\""
    ",\"needs_subscription\":true,\"schema\":1}";
static const char J_CLAIM[] =
    "{\"activity\":\"usage\",\"area\":\"bizapps\""
    ",\"contacts\":{\"customer_contact_email\":\"ann@fabrikam.com\""
    ",\"customer_contact_name\":\"Ann Lee\""
    ",\"partner_contact_email\":\"bo@contoso.com\""
    ",\"partner_contact_name\":\"Bo Chen\"},\"contested\":true"
    ",\"created_at\":1793610000000,\"disputes\":1,\"domain\":\"fabrikam.com\""
    ",\"final\":false,\"id\":\"7c9e6679-7425-40de-944b-e07fc1f90ae7\""
    ",\"last_at\":1793700000000,\"lines\":[{\"reason\":\"lost_arbitration\""
    ",\"state\":\"REJECTED\""
    ",\"subscription\":\"5d1e2f3a-0000-4000-8000-000000000002\""
    ",\"workload\":\"D365_SALES\"},{\"reason\":\"none\",\"state\":\"UNDER_REVIEW\""
    ",\"subscription\":null,\"workload\":\"D365_SERVICE\"}],\"mpn_id\":\"1234567\""
    ",\"name\":\"Fabrikam Sales rollout\",\"next_seq\":5,\"partner_id\":\"contoso\""
    ",\"poe\":[{\"media_type\":\"application/pdf\",\"name\":\"signed-sow.pdf\""
    ",\"sha256\":\"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\""
    ",\"size\":48213}],\"policy\":{\"dispute\":{\"count\":30,\"unit\":\"calendar\"}"
    ",\"dispute_review_sla\":{\"count\":5,\"unit\":\"business\"}"
    ",\"optout\":{\"count\":5,\"unit\":\"business\"},\"response\":{\"count\":5"
    ",\"unit\":\"business\"},\"review_sla\":{\"count\":5,\"unit\":\"business\"}"
    ",\"review_start_sla\":{\"count\":5,\"unit\":\"business\"}},\"reason\":\"none\""
    ",\"schema\":1,\"sla_due_at\":1794100000000,\"state\":\"UNDER_REVIEW\""
    ",\"tenant_id\":\"2b7f3c1e-0000-4000-8000-000000000001\""
    ",\"updated_at\":1793700000000,\"window_closes_at\":null}";
static const char J_CLAIM_V1[] =
    "{\"activity\":\"usage\",\"area\":\"bizapps\""
    ",\"contacts\":{\"customer_contact_email\":\"ann@fabrikam.com\""
    ",\"customer_contact_name\":\"Ann Lee\""
    ",\"partner_contact_email\":\"bo@contoso.com\""
    ",\"partner_contact_name\":\"Bo Chen\"},\"contested\":true"
    ",\"created_at\":1793610000000,\"disputes\":0,\"domain\":\"fabrikam.com\""
    ",\"final\":false,\"id\":\"7c9e6679-7425-40de-944b-e07fc1f90ae7\""
    ",\"last_at\":1793700000000,\"lines\":[{\"reason\":\"lost_arbitration\""
    ",\"state\":\"REJECTED\""
    ",\"subscription\":\"5d1e2f3a-0000-4000-8000-000000000002\""
    ",\"workload\":\"D365_SALES\"},{\"reason\":\"none\",\"state\":\"UNDER_REVIEW\""
    ",\"subscription\":null,\"workload\":\"D365_SERVICE\"}],\"mpn_id\":\"1234567\""
    ",\"name\":\"Fabrikam Sales rollout\",\"next_seq\":5,\"partner_id\":\"contoso\""
    ",\"poe\":[{\"media_type\":\"application/pdf\",\"name\":\"signed-sow.pdf\""
    ",\"sha256\":\"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\""
    ",\"size\":48213}],\"policy\":null,\"reason\":\"none\",\"schema\":1"
    ",\"sla_due_at\":1794100000000,\"state\":\"UNDER_REVIEW\""
    ",\"tenant_id\":\"2b7f3c1e-0000-4000-8000-000000000001\""
    ",\"updated_at\":1793700000000,\"window_closes_at\":null}";
static const char J_EVENT[] =
    "{\"actor\":{\"org\":\"\",\"role\":\"reviewer\",\"user\":\"rev-17\"}"
    ",\"at\":1793700000000,\"kind\":\"review_started\",\"payload\":{\"note\":\"ok\"}"
    ",\"schema\":1,\"seq\":3,\"state\":\"UNDER_REVIEW\",\"text\":\"review started\"}";
static const char J_EVENT_V1[] =
    "{\"actor\":{\"org\":\"\",\"role\":\"reviewer\",\"user\":\"rev-17\"}"
    ",\"at\":1793700000000,\"kind\":\"review_started\",\"payload\":{},\"schema\":1"
    ",\"seq\":3,\"state\":\"UNDER_REVIEW\",\"text\":\"review started\"}";

/* ---- the record kinds, behind one interface ------------------------------------ */

typedef struct kind {
  const char *name;
  const char *id, *owner, *ref; /* the columns the store keeps */
  int32_t state;
  int (*decode)(const cpor_store_object *obj, void **rec);
  int (*encode)(const void *rec, void **buf, size_t *len);
  int (*equal)(const void *a, const void *b);
  void (*release)(void *rec);
  const char *bin, *json;
} kind;

static int same(const char *a, const char *b) {
  return a == b || (a && b && strcmp(a, b) == 0);
}

#define WRAP(k, T)                                                                                 \
  static int dec_##k(const cpor_store_object *obj, void **rec) {                                   \
    T *r = NULL;                                                                                   \
    int rc = cpor__##k##_decode(obj, &r);                                                          \
    *rec = r;                                                                                      \
    return rc;                                                                                     \
  }                                                                                                \
  static int enc_##k(const void *rec, void **buf, size_t *len) {                                   \
    cpor_store_object obj;                                                                         \
    int rc = cpor__##k##_encode(rec, &obj, buf);                                                   \
    if (!rc) *len = obj.len;                                                                       \
    return rc;                                                                                     \
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

static int dec_event(const cpor_store_object *obj, void **rec) {
  cpor_event *e = NULL;
  int rc = cpor__event_decode(SEQ, obj->data, obj->len, &e);
  *rec = e;
  return rc;
}
static int enc_event(const void *rec, void **buf, size_t *len) {
  return cpor__event_encode(rec, buf, len);
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
  if (!same(x->id, y->id) || !same(x->name, y->name) || !same(x->partner_id, y->partner_id) ||
      !same(x->mpn_id, y->mpn_id) || !same(x->tenant_id, y->tenant_id) ||
      !same(x->domain, y->domain) || x->area != y->area || x->activity != y->activity ||
      x->nlines != y->nlines || x->npoe != y->npoe || x->state != y->state ||
      x->reason != y->reason || x->contested != y->contested || x->final != y->final ||
      x->next_seq != y->next_seq || x->created_at != y->created_at ||
      x->updated_at != y->updated_at || x->window_closes_at != y->window_closes_at ||
      x->sla_due_at != y->sla_due_at || x->last_at != y->last_at ||
      x->has_policy != y->has_policy || x->disputes != y->disputes ||
      memcmp(&x->policy, &y->policy, sizeof x->policy) != 0)
    return 0;
  for (int f = 0; f < CPOR__NFIELDS; f++)
    if (!same(x->fields[f], y->fields[f])) return 0;
  for (size_t i = 0; i < x->nlines; i++)
    if (!same(x->lines[i].workload, y->lines[i].workload) ||
        !same(x->lines[i].subscription, y->lines[i].subscription) ||
        x->lines[i].state != y->lines[i].state || x->lines[i].reason != y->lines[i].reason)
      return 0;
  for (size_t i = 0; i < x->npoe; i++)
    if (!same(x->poe[i].name, y->poe[i].name) ||
        !same(x->poe[i].media_type, y->poe[i].media_type) ||
        !same(x->poe[i].sha256, y->poe[i].sha256) || x->poe[i].size != y->poe[i].size)
      return 0;
  return 1;
}
static int eq_event(const void *a, const void *b) {
  const cpor_event *x = a, *y = b;
  return x->seq == y->seq && x->at == y->at && x->kind == y->kind && x->state == y->state &&
         x->role == y->role && same(x->org, y->org) && same(x->user, y->user) &&
         same(x->text, y->text) && same(x->payload, y->payload);
}

#define KIND(k, id, owner, ref, state, bin, json)                                                  \
  { #k, id, owner, ref, state, dec_##k, enc_##k, eq_##k, rel_##k, bin, json }
static const kind kinds[] = {
    KIND(partner, "contoso", NULL, NULL, 0, BIN_PARTNER, J_PARTNER),
    KIND(location, "1234567", "contoso", NULL, 0, BIN_LOCATION, J_LOCATION),
    KIND(customer, "fabrikam", NULL, NULL, 0, BIN_CUSTOMER, J_CUSTOMER),
    KIND(tenant, TENANT, "fabrikam", NULL, 0, BIN_TENANT, J_TENANT),
    KIND(subscription, "5d1e2f3a-0000-4000-8000-000000000002", TENANT, NULL, CPOR_SUB_ACTIVE,
         BIN_SUBSCRIPTION, J_SUBSCRIPTION),
    KIND(workload, "D365_SALES", NULL, NULL, 0, BIN_WORKLOAD, J_WORKLOAD),
    KIND(claim, CLAIM_ID, "contoso", TENANT, CPOR_STATE_UNDER_REVIEW, BIN_CLAIM, J_CLAIM),
    KIND(claim, CLAIM_ID, "contoso", TENANT, CPOR_STATE_UNDER_REVIEW, BIN_CLAIM_V1, J_CLAIM_V1),
    KIND(event, NULL, NULL, NULL, 0, BIN_EVENT, J_EVENT),
    KIND(event, NULL, NULL, NULL, 0, BIN_EVENT_V1, J_EVENT_V1),
};
#define NKINDS (sizeof kinds / sizeof kinds[0])

static cpor_store_object object(const kind *k, const void *data, size_t len) {
  cpor_store_object o = {0, k->id, k->owner, k->ref, k->state, data, len};
  return o;
}

/* Decodes data as kind k; returns the status, *rec the record (or NULL). */
static int decode(const kind *k, const void *data, size_t len, void **rec) {
  cpor_store_object o = object(k, data, len);
  *rec = NULL;
  int rc = k->decode(&o, rec);
  if (rc) ck_assert_ptr_null(*rec);
  return rc;
}

static int decode_str(const kind *k, const char *doc, void **rec) {
  return decode(k, doc, strlen(doc), rec);
}

static size_t unhex(const char *hex, unsigned char *out, size_t cap) {
  size_t n = strlen(hex) / 2;
  ck_assert_uint_le(n, cap);
  for (size_t i = 0; i < n; i++) {
    unsigned v;
    ck_assert_int_eq(sscanf(hex + 2 * i, "%2x", &v), 1);
    out[i] = (unsigned char)v;
  }
  return n;
}

/* Encodes rec and checks the bytes against want (a NUL-free document). */
static void expect_encoding(const kind *k, const void *rec, const char *want) {
  void *buf = NULL;
  size_t len = 0;
  ck_assert_status(k->encode(rec, &buf, &len), CPOR_OK);
  ck_assert_msg(len == strlen(want) && memcmp(buf, want, len) == 0, "%s: got\n%.*s\nwant\n%s",
                k->name, (int)len, (const char *)buf, want);
  free(buf);
}

/* ---- the previous release's files ----------------------------------------------- */

/* Every binary record of the previous release decodes and re-encodes to its
 * canonical document. */
START_TEST(binary_formats_read) {
  const kind *k = &kinds[_i];
  unsigned char bin[1024];
  size_t n = unhex(k->bin, bin, sizeof bin);
  ck_assert_uint_ne(bin[0], '{');
  void *rec = NULL;
  ck_assert_status(decode(k, bin, n, &rec), CPOR_OK);
  expect_encoding(k, rec, k->json);
  k->release(rec);
}
END_TEST

/* What the binary records hold, field by field, for the two richest kinds. */
START_TEST(binary_claim_and_event_fields) {
  unsigned char bin[1024];
  size_t n = unhex(BIN_CLAIM, bin, sizeof bin);
  cpor_claim *c = NULL;
  void *rec = NULL;
  ck_assert_status(decode(&kinds[6], bin, n, &rec), CPOR_OK);
  c = rec;
  ck_assert_str_eq(c->id, CLAIM_ID);
  ck_assert_str_eq(c->tenant_id, TENANT);
  ck_assert_ptr_null(c->fields[CPOR_FIELD_CUSTOMER_CONTACT_TITLE]);
  ck_assert_str_eq(c->fields[CPOR_FIELD_PARTNER_CONTACT_EMAIL], "bo@contoso.com");
  ck_assert_uint_eq(c->nlines, 2);
  ck_assert_int_eq(c->lines[0].reason, CPOR_REASON_LOST_ARBITRATION);
  ck_assert_ptr_null(c->lines[1].subscription);
  ck_assert_uint_eq(c->poe[0].size, 48213);
  ck_assert(c->window_closes_at == CPOR_TIME_NONE);
  ck_assert_uint_eq(c->has_policy, 1);
  ck_assert_int_eq(c->policy.dispute.count, 30);
  ck_assert_uint_eq(c->policy.dispute.unit, CPOR_CALENDAR_DAYS);
  ck_assert_uint_eq(c->disputes, 1);
  cpor_claim_free(c);
  /* Format 1 claims have no policy, no dispute count; last_at is updated_at. */
  n = unhex(BIN_CLAIM_V1, bin, sizeof bin);
  ck_assert_status(decode(&kinds[7], bin, n, &rec), CPOR_OK);
  c = rec;
  ck_assert_uint_eq(c->has_policy, 0);
  ck_assert_uint_eq(c->disputes, 0);
  ck_assert(c->last_at == c->updated_at);
  cpor_claim_free(c);
  /* Format 1 events have no payload: "{}". */
  n = unhex(BIN_EVENT_V1, bin, sizeof bin);
  cpor_event *e = NULL;
  ck_assert_status(cpor__event_decode(SEQ, bin, n, &e), CPOR_OK);
  ck_assert_str_eq(e->payload, "{}");
  ck_assert_int_eq(e->kind, CPOR_EVENT_REVIEW_STARTED);
  ck_assert_str_eq(e->org, "");
  cpor_event_free(e);
}
END_TEST

/* ---- round trips -------------------------------------------------------------- */

/* encode(decode(doc)) == doc for canonical input, and decode(encode(r)) == r. */
START_TEST(canonical_round_trip) {
  const kind *k = &kinds[_i];
  void *rec = NULL, *again = NULL;
  ck_assert_status(decode_str(k, k->json, &rec), CPOR_OK);
  expect_encoding(k, rec, k->json);
  void *buf = NULL;
  size_t len = 0;
  ck_assert_status(k->encode(rec, &buf, &len), CPOR_OK);
  ck_assert_status(decode(k, buf, len, &again), CPOR_OK);
  ck_assert(k->equal(rec, again));
  free(buf);
  k->release(again);
  k->release(rec);
}
END_TEST

static cpor_claim sparse_claim(void) {
  cpor_claim c;
  memset(&c, 0, sizeof c);
  c.id = CLAIM_ID;
  c.partner_id = "contoso";
  c.tenant_id = TENANT;
  c.mpn_id = "1";
  c.domain = "a.example";
  c.area = CPOR_AREA_M365;
  c.activity = CPOR_ACTIVITY_USAGE;
  c.state = CPOR_STATE_EDITING;
  c.created_at = c.updated_at = c.last_at = 0;
  c.window_closes_at = c.sla_due_at = CPOR_TIME_NONE;
  return c;
}

/* A draft with nothing optional: null name, no contacts, lines or PoE, no
 * policy; the extreme instants and counts; text that needs escaping. */
START_TEST(edge_values_round_trip) {
  cpor_claim c = sparse_claim();
  expect_encoding(&kinds[6], &c,
                  "{\"activity\":\"usage\",\"area\":\"m365\",\"contacts\":{},\"contested\":false,"
                  "\"created_at\":0,\"disputes\":0,\"domain\":\"a.example\",\"final\":false,"
                  "\"id\":\"" CLAIM_ID "\",\"last_at\":0,\"lines\":[],\"mpn_id\":\"1\","
                  "\"name\":null,\"next_seq\":0,\"partner_id\":\"contoso\",\"poe\":[],"
                  "\"policy\":null,\"reason\":\"none\",\"schema\":1,\"sla_due_at\":null,"
                  "\"state\":\"EDITING\",\"tenant_id\":\"" TENANT "\",\"updated_at\":0,"
                  "\"window_closes_at\":null}");
  char *name = "quote \" backslash \\ tab \t newline \n \xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 /";
  cpor__poe poe = {"a", "text/plain", "00", (uint64_t)INT64_MAX};
  c.name = name;
  c.fields[CPOR_FIELD_ISV_PRODUCT] = "";
  c.poe = &poe;
  c.npoe = 1;
  c.created_at = INT64_MIN + 1;
  c.updated_at = INT64_MAX;
  c.next_seq = UINT32_MAX;
  c.disputes = UINT32_MAX;
  c.final = 1;
  cpor_policy p = CPOR_POLICY_DEFAULT;
  p.optout.count = 3650;
  c.policy = p;
  c.has_policy = 1;
  void *buf = NULL, *rec = NULL;
  size_t len = 0;
  ck_assert_status(kinds[6].encode(&c, &buf, &len), CPOR_OK);
  /* UTF-8 stays UTF-8; only what JSON requires is escaped. */
  ck_assert_ptr_nonnull(strstr(buf, "\"quote \\\" backslash \\\\ tab \\t newline \\n \xc3\xa9"));
  ck_assert_ptr_nonnull(strstr(buf, "\"isv_product\":\"\""));
  kind draft = kinds[6];
  draft.state = CPOR_STATE_EDITING; /* the store's state column */
  ck_assert_status(decode(&draft, buf, len, &rec), CPOR_OK);
  ck_assert(eq_claim(&c, rec));
  /* The same record always encodes to the same bytes. */
  expect_encoding(&kinds[6], rec, buf);
  free(buf);
  cpor_claim_free(rec);
}
END_TEST

/* Handing out a claim copies it: equal, and sharing no memory. */
START_TEST(claim_dup_is_deep) {
  void *rec = NULL;
  ck_assert_status(decode_str(&kinds[6], J_CLAIM, &rec), CPOR_OK);
  cpor_claim *c = rec, *d = cpor__claim_dup(c);
  ck_assert_ptr_nonnull(d);
  ck_assert(eq_claim(c, d));
  ck_assert_ptr_ne(d->lines, c->lines);
  ck_assert_ptr_ne(d->lines[0].workload, c->lines[0].workload);
  ck_assert_ptr_ne(d->poe[0].sha256, c->poe[0].sha256);
  ck_assert_ptr_ne(d->fields[CPOR_FIELD_CUSTOMER_CONTACT_NAME],
                   c->fields[CPOR_FIELD_CUSTOMER_CONTACT_NAME]);
  cpor_claim_free(c);
  expect_encoding(&kinds[6], d, J_CLAIM);
  cpor_claim_free(d);
}
END_TEST

/* An event's payload is embedded as an object and read back canonical. */
START_TEST(event_payload_embedded) {
  cpor_event e = {7,
                  5,
                  CPOR_EVENT_EDITED,
                  CPOR_STATE_EDITING,
                  CPOR_ROLE_INCENTIVES_ADMIN,
                  "contoso",
                  "u1",
                  "edited",
                  "{\"changes\":{\"name\":{\"from\":\"a\",\"to\":\"b\"}},\"n\":[1,2]}"};
  void *buf = NULL, *rec = NULL;
  size_t len = 0;
  ck_assert_status(cpor__event_encode(&e, &buf, &len), CPOR_OK);
  ck_assert_str_eq(buf, "{\"actor\":{\"org\":\"contoso\",\"role\":\"incentives_admin\",\"user\":"
                        "\"u1\"},\"at\":5,\"kind\":\"edited\",\"payload\":{\"changes\":{\"name\":"
                        "{\"from\":\"a\",\"to\":\"b\"}},\"n\":[1,2]},\"schema\":1,\"seq\":7,"
                        "\"state\":\"EDITING\",\"text\":\"edited\"}");
  cpor_event *d = NULL;
  ck_assert_status(cpor__event_decode(7, buf, len, &d), CPOR_OK);
  ck_assert(eq_event(&e, d));
  /* The history's seq is the store's key: the document must agree. */
  ck_assert_status(cpor__event_decode(8, buf, len, &d), CPOR_ECORRUPT);
  (void)rec;
  free(buf);
  cpor_event_free(d);
}
END_TEST

/* Whitespace and key order are not canonical but read; they re-encode
 * canonical. */
/* A NUL byte is never JSON (jansson alone would let one pass after a number). */
START_TEST(nul_byte_refused) {
  static const char doc[] = "{\"name\":\"x\",\"schema\":1\0}";
  void *rec = NULL;
  ck_assert_status(decode(&kinds[0], doc, sizeof doc - 1, &rec), CPOR_ECORRUPT);
}
END_TEST

START_TEST(non_canonical_input) {
  void *rec = NULL;
  ck_assert_status(decode_str(&kinds[0], " {\"schema\" : 1 ,\n\t\"name\":\"Contoso Ltd\"} ", &rec),
                   CPOR_ECORRUPT); /* a document starts with '{' */
  ck_assert_status(decode_str(&kinds[0], "{\"schema\" : 1 ,\n\t\"name\":\"Contoso Ltd\"}\n", &rec),
                   CPOR_OK);
  expect_encoding(&kinds[0], rec, J_PARTNER);
  kinds[0].release(rec);
  ck_assert_status(decode_str(&kinds[0], "{\"name\":\"Contoso \\u004ctd\",\"schema\":1}", &rec),
                   CPOR_OK);
  expect_encoding(&kinds[0], rec, J_PARTNER);
  kinds[0].release(rec);
}
END_TEST

/* ---- refusals ------------------------------------------------------------------- */

typedef struct hostile {
  int kind; /* index into kinds */
  const char *doc;
} hostile;

/* Each must be CPOR_ECORRUPT. */
static const hostile corpus[] = {
    {0, ""},
    {0, "{"},
    {0, "{}"},
    {0, "{\"name\":\"x\"}"},                             /* no schema */
    {0, "{\"name\":\"x\",\"schema\":2}"},                /* a later schema */
    {0, "{\"name\":\"x\",\"schema\":\"1\"}"},            /* schema of the wrong type */
    {0, "{\"name\":\"x\",\"schema\":1.0}"},              /* a real is not an integer */
    {0, "{\"name\":\"x\",\"schema\":1} "},               /* trailing whitespace is fine... */
    {0, "{\"name\":\"x\",\"schema\":1}x"},               /* ...trailing garbage is not */
    {0, "{\"name\":\"x\",\"schema\":1}{}"},              /* two documents */
    {0, "{\"name\":\"x\",\"schema\":1,\"schema\":1}"},   /* a duplicate key */
    {0, "{\"name\":\"x\",\"schema\":1,\"nick\":\"y\"}"}, /* an unknown key */
    {0, "{\"name\":null,\"schema\":1}"},                 /* a required string is null */
    {0, "{\"name\":7,\"schema\":1}"},
    {0, "{\"name\":\"a\\u0000b\",\"schema\":1}"},    /* NUL inside a string */
    {0, "{\"name\":\"\xff\",\"schema\":1}"},         /* invalid UTF-8 */
    {0, "{\"name\":\"\xed\xa0\x80\",\"schema\":1}"}, /* an encoded surrogate */
    {0, "{\"name\":\"\\ud800\",\"schema\":1}"},      /* a lone surrogate escape */
    {0, "[\"name\",\"schema\"]"},
    {0, "{\"name\":\"x\",\"schema\":99999999999999999999999}"},
    {1, "{\"name\":\"x\",\"programs\":[\"osa_sell\",\"osa_sell\"],\"schema\":1}"},
    {1, "{\"name\":\"x\",\"programs\":[\"osu_m365\",\"osa_sell\"],\"schema\":1}"},
    {1, "{\"name\":\"x\",\"programs\":[\"OSA_SELL\"],\"schema\":1}"}, /* names are exact */
    {1, "{\"name\":\"x\",\"programs\":[1],\"schema\":1}"},            /* values are names */
    {1, "{\"name\":\"x\",\"programs\":\"osa_sell\",\"schema\":1}"},
    {3, "{\"domains\":[\"a.example\",null],\"schema\":1}"},
    {3, "{\"domains\":{},\"schema\":1}"},
    {4, "{\"channel\":\"web_direct\",\"schema\":1,\"state\":\"gone\",\"workload\":\"X\"}"},
    {4, "{\"channel\":\"web_direct\",\"schema\":1,\"state\":2,\"workload\":\"X\"}"},
    {5, "{\"area\":\"bizapps\",\"dynamics\":1,\"name\":\"n\",\"needs_subscription\":true,"
        "\"schema\":1}"}, /* booleans are true/false */
    {5, "{\"area\":\"none\",\"dynamics\":true,\"name\":\"n\",\"needs_subscription\":true,"
        "\"schema\":1}"},
    {8, "{\"actor\":{\"org\":\"\",\"role\":\"reviewer\",\"user\":\"r\"},\"at\":1,\"kind\":"
        "\"review_started\",\"payload\":\"{}\",\"schema\":1,\"seq\":3,\"state\":\"UNDER_REVIEW\","
        "\"text\":\"t\"}"}, /* the payload is an object, not a string */
    {8, "{\"actor\":{\"org\":\"\",\"role\":\"reviewer\",\"user\":\"r\"},\"at\":1,\"kind\":"
        "\"reviewed\",\"payload\":{},\"schema\":1,\"seq\":3,\"state\":\"UNDER_REVIEW\","
        "\"text\":\"t\"}"}, /* no such event kind */
    {8, "{\"actor\":{\"org\":\"\",\"role\":\"reviewer\",\"user\":\"r\"},\"at\":1,\"kind\":"
        "\"review_started\",\"payload\":{},\"schema\":1,\"seq\":-3,\"state\":\"UNDER_REVIEW\","
        "\"text\":\"t\"}"},
    {8, "{\"actor\":{\"org\":\"\",\"role\":\"reviewer\",\"user\":\"r\"},\"at\":"
        "-9223372036854775808,\"kind\":\"review_started\",\"payload\":{},\"schema\":1,\"seq\":3,"
        "\"state\":\"UNDER_REVIEW\",\"text\":\"t\"}"}, /* NONE is spelled null */
    {8, "{\"actor\":{\"org\":\"\",\"role\":\"reviewer\",\"user\":\"r\",\"ip\":\"1\"},\"at\":1,"
        "\"kind\":\"review_started\",\"payload\":{},\"schema\":1,\"seq\":3,\"state\":"
        "\"UNDER_REVIEW\",\"text\":\"t\"}"},
};
#define NCORPUS (sizeof corpus / sizeof corpus[0])

START_TEST(hostile_documents) {
  const hostile *h = &corpus[_i];
  void *rec = NULL;
  int rc = decode_str(&kinds[h->kind], h->doc, &rec);
  if (_i == 7) { /* the control case: trailing whitespace is allowed */
    ck_assert_status(rc, CPOR_OK);
    kinds[h->kind].release(rec);
    return;
  }
  ck_assert_msg(rc == CPOR_ECORRUPT, "%s: %s -> %d", kinds[h->kind].name, h->doc, rc);
}
END_TEST

/* Replaces the value at path (keys separated by '.', array index as a
 * number) in doc: value NULL deletes it. Returns the new document text. */
static char *edit(const char *doc, const char *path, json_t *value) {
  json_error_t err;
  json_t *root = json_loads(doc, 0, &err), *o = root;
  ck_assert_ptr_nonnull(root);
  char buf[128];
  snprintf(buf, sizeof buf, "%s", path);
  char *save = NULL, *key = strtok_r(buf, ".", &save), *next;
  while ((next = strtok_r(NULL, ".", &save))) {
    o = json_is_array(o) ? json_array_get(o, (size_t)atoi(key)) : json_object_get(o, key);
    ck_assert_ptr_nonnull(o);
    key = next;
  }
  if (value)
    json_object_set_new(o, key, value);
  else
    ck_assert_int_eq(json_object_del(o, key), 0);
  char *s = json_dumps(root, JSON_COMPACT | JSON_SORT_KEYS);
  json_decref(root);
  return s;
}

static void expect_corrupt(const kind *k, char *doc, const char *what) {
  void *rec = NULL;
  int rc = decode_str(k, doc, &rec);
  ck_assert_msg(rc == CPOR_ECORRUPT, "%s %s: %s -> %d", k->name, what, doc, rc);
  free(doc);
}

/* Every key of every document: missing, of a wrong type, or joined by an
 * unknown sibling, the document is refused. Contacts are the exception: each
 * is optional (absent = unset). */
static const char *const nested[] = {"lines.0",       "lines.1",  "poe.0", "policy",
                                     "policy.optout", "contacts", "actor", NULL};

static void every_key(const kind *k, const char *prefix) {
  json_error_t err;
  json_t *root = json_loads(k->json, 0, &err), *o = root;
  char buf[128];
  snprintf(buf, sizeof buf, "%s", prefix);
  for (char *save = NULL, *key = *prefix ? strtok_r(buf, ".", &save) : NULL; key && o;
       key = strtok_r(NULL, ".", &save))
    o = json_is_array(o) ? json_array_get(o, (size_t)atoi(key)) : json_object_get(o, key);
  if (!json_is_object(o)) {
    json_decref(root);
    return;
  }
  const char *key;
  json_t *v;
  json_object_foreach(o, key, v) {
    char path[160];
    snprintf(path, sizeof path, "%s%s%s", prefix, *prefix ? "." : "", key);
    if (strcmp(prefix, "contacts") != 0) expect_corrupt(k, edit(k->json, path, NULL), "missing");
    expect_corrupt(k, edit(k->json, path, json_pack("[{}]")), "of a wrong type");
  }
  char path[160];
  snprintf(path, sizeof path, "%s%szz_unknown", prefix, *prefix ? "." : "");
  expect_corrupt(k, edit(k->json, path, json_integer(1)), "with an unknown key");
  json_decref(root);
}

START_TEST(every_key_checked) {
  const kind *k = &kinds[_i];
  every_key(k, "");
  for (size_t i = 0; nested[i]; i++)
    every_key(k, nested[i]);
}
END_TEST

/* Values out of their ranges, one at a time, on the claim document. */
START_TEST(claim_values_checked) {
  const kind *k = &kinds[6];
  expect_corrupt(k, edit(k->json, "disputes", json_integer(-1)), "negative count");
  expect_corrupt(k, edit(k->json, "next_seq", json_integer(4294967296)), "count too big");
  expect_corrupt(k, edit(k->json, "poe.0.size", json_integer(-1)), "negative size");
  expect_corrupt(k, edit(k->json, "state", json_string("under_review")), "state by case");
  expect_corrupt(k, edit(k->json, "lines.0.reason", json_string("because")), "unknown reason");
  expect_corrupt(k, edit(k->json, "lines.0.state", json_null()), "null state");
  expect_corrupt(k, edit(k->json, "area", json_integer(2)), "enum as number");
  expect_corrupt(k, edit(k->json, "created_at", json_string("2026-11-02")), "instant as text");
  expect_corrupt(k, edit(k->json, "created_at", json_real(1.5)), "instant as real");
  expect_corrupt(k, edit(k->json, "contested", json_integer(1)), "bool as number");
  expect_corrupt(k, edit(k->json, "contacts.nickname", json_string("x")), "unknown contact");
  expect_corrupt(k, edit(k->json, "contacts.customer_contact_name", json_null()), "null contact");
  expect_corrupt(k, edit(k->json, "policy.optout.count", json_integer(0)), "window of 0");
  expect_corrupt(k, edit(k->json, "policy.optout.count", json_integer(3651)), "window too long");
  expect_corrupt(k, edit(k->json, "policy.optout.unit", json_string("weeks")), "unknown unit");
  expect_corrupt(k, edit(k->json, "lines", json_pack("[1]")), "line not an object");
  expect_corrupt(k, edit(k->json, "lines.0.workload", json_null()), "line without workload");
  expect_corrupt(k, edit(k->json, "name", json_integer(0)), "name not a string");
  /* The columns the store keeps must agree with the document. */
  expect_corrupt(k, edit(k->json, "id", json_string("00000000-0000-4000-8000-000000000000")),
                 "another id");
  expect_corrupt(k, edit(k->json, "partner_id", json_string("tailspin")), "another partner");
  expect_corrupt(k, edit(k->json, "tenant_id", json_null()), "no tenant");
  /* Nullable where the format says so: a name, a line's subscription. */
  void *rec = NULL;
  char *doc = edit(k->json, "name", json_null());
  ck_assert_status(decode_str(k, doc, &rec), CPOR_OK);
  ck_assert_ptr_null(((cpor_claim *)rec)->name);
  expect_encoding(k, rec, doc);
  free(doc);
  k->release(rec);
  kind nocol = *k;
  nocol.ref = NULL; /* a row without its tenant column */
  ck_assert_status(decode_str(&nocol, k->json, &rec), CPOR_ECORRUPT);
  kind moved = *k;
  moved.state = CPOR_STATE_APPROVED; /* a state column changed behind the library's back */
  ck_assert_status(decode_str(&moved, k->json, &rec), CPOR_ECORRUPT);
  kind sub = kinds[4];
  sub.state = CPOR_SUB_EXPIRED;
  ck_assert_status(decode_str(&sub, J_SUBSCRIPTION, &rec), CPOR_ECORRUPT);
}
END_TEST

/* Too many items: arrays are bounded before anything is allocated. */
START_TEST(bounded_arrays) {
  json_t *a = json_array();
  for (int i = 0; i < 1025; i++)
    json_array_append_new(a, json_pack("{s:s,s:n,s:s,s:s}", "workload", "TEAMS", "subscription",
                                       "state", "EDITING", "reason", "none"));
  expect_corrupt(&kinds[6], edit(J_CLAIM, "lines", a), "1025 lines");
  json_t *d = json_array();
  for (int i = 0; i < 4097; i++)
    json_array_append_new(d, json_string("a.example"));
  expect_corrupt(&kinds[3], edit(J_TENANT, "domains", d), "4097 domains");
  /* Deep nesting in a payload is refused by the parser, not the stack. */
  size_t depth = 100000, n = 0;
  char *deep = malloc(depth * 2 + 256);
  n += (size_t)sprintf(deep, "{\"actor\":{\"org\":\"\",\"role\":\"system\",\"user\":\"s\"},"
                             "\"at\":1,\"kind\":\"edited\",\"payload\":{\"x\":");
  for (size_t i = 0; i < depth; i++)
    deep[n++] = '[';
  for (size_t i = 0; i < depth; i++)
    deep[n++] = ']';
  n += (size_t)sprintf(deep + n, "},\"schema\":1,\"seq\":3,\"state\":\"EDITING\",\"text\":\"t\"}");
  expect_corrupt(&kinds[8], deep, "deep nesting");
}
END_TEST

/* What the format cannot hold is CPOR_EINVAL at encoding, not a document
 * that will not read. */
START_TEST(unrepresentable_records) {
  cpor_claim c = sparse_claim();
  void *buf = NULL;
  size_t len = 0;
  c.state = 42;
  ck_assert_status(kinds[6].encode(&c, &buf, &len), CPOR_EINVAL);
  c = sparse_claim();
  c.name = "\xc3(";
  ck_assert_status(kinds[6].encode(&c, &buf, &len), CPOR_EINVAL);
  c = sparse_claim();
  cpor__poe poe = {"a", "text/plain", "00", (uint64_t)INT64_MAX + 1};
  c.poe = &poe;
  c.npoe = 1;
  ck_assert_status(kinds[6].encode(&c, &buf, &len), CPOR_EINVAL);
  c = sparse_claim();
  c.has_policy = 1; /* a policy whose units have no names */
  ck_assert_status(kinds[6].encode(&c, &buf, &len), CPOR_EINVAL);
  cpor_location l = {"1", "contoso", "x", 1u << 9};
  ck_assert_status(kinds[1].encode(&l, &buf, &len), CPOR_EINVAL);
  cpor_event e = {1,   1,    CPOR_EVENT_EDITED, CPOR_STATE_EDITING, CPOR_ROLE_SYSTEM, "", "s",
                  "t", "[1]"};
  ck_assert_status(cpor__event_encode(&e, &buf, &len), CPOR_EINVAL);
  e.payload = "{\"a\":";
  ck_assert_status(cpor__event_encode(&e, &buf, &len), CPOR_EINVAL);
  e.payload = NULL; /* no payload: {} */
  ck_assert_status(cpor__event_encode(&e, &buf, &len), CPOR_OK);
  ck_assert_ptr_nonnull(strstr(buf, "\"payload\":{}"));
  free(buf);
}
END_TEST

/* ---- out of memory ------------------------------------------------------------- */

static long allocs_left;
static void *failing_malloc(size_t n) {
  return allocs_left-- > 0 ? malloc(n) : NULL;
}

/* With jansson's n-th allocation failing, for every n: CPOR_ENOMEM, never
 * CPOR_ECORRUPT, until there is enough memory and the result is right. */
START_TEST(allocation_failure_is_enomem) {
  const kind *k = &kinds[_i];
  void *good = NULL;
  ck_assert_status(decode_str(k, k->json, &good), CPOR_OK);
  int saw_nomem = 0;
  for (long n = 0;; n++) {
    void *rec = NULL;
    json_set_alloc_funcs(failing_malloc, free);
    allocs_left = n;
    int rc = decode_str(k, k->json, &rec);
    json_set_alloc_funcs(malloc, free);
    ck_assert_msg(rc == CPOR_OK || rc == CPOR_ENOMEM, "%s decode, allocation %ld: %d", k->name, n,
                  rc);
    if (rc == CPOR_ENOMEM) {
      saw_nomem = 1;
      continue;
    }
    ck_assert(k->equal(good, rec));
    k->release(rec);
    break;
  }
  ck_assert(saw_nomem);
  saw_nomem = 0;
  for (long n = 0;; n++) {
    void *buf = NULL;
    size_t len = 0;
    json_set_alloc_funcs(failing_malloc, free);
    allocs_left = n;
    int rc = k->encode(good, &buf, &len);
    json_set_alloc_funcs(malloc, free);
    ck_assert_msg(rc == CPOR_OK || rc == CPOR_ENOMEM, "%s encode, allocation %ld: %d", k->name, n,
                  rc);
    if (rc == CPOR_ENOMEM) {
      saw_nomem = 1;
      continue;
    }
    ck_assert(len == strlen(k->json) && memcmp(buf, k->json, len) == 0);
    free(buf);
    break;
  }
  ck_assert(saw_nomem);
  k->release(good);
}
END_TEST

/* ---- mutations ------------------------------------------------------------------- */

static uint64_t rng = 0x9E3779B97F4A7C15u;
static uint32_t rnd(void) {
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return (uint32_t)(rng >> 11);
}

/* The allocation-free well-formedness check (which tells jansson's syntax
 * errors from its allocation failures) says what jansson says. */
static void agrees_with_jansson(const unsigned char *m, size_t n) {
  if (memchr(m, 0, n)) return; /* refused before jansson, which lets "1\0}" pass */
  json_error_t err;
  json_t *j = json_loadb((const char *)m, n, 0, &err);
  int code = j ? -1 : (int)json_error_code(&err);
  json_decref(j);
  if (code == json_error_numeric_overflow || code == json_error_stack_overflow) return;
  ck_assert_msg(cpor__json_wellformed(m, n) == (j != NULL), "jansson %s, we disagree: %.*s",
                j ? "accepts" : err.text, (int)n, (const char *)m);
}

START_TEST(wellformed_json) {
  static const char *const good[] = {
      "{}",
      "[]",
      " {\"a\" : [1, -0.5e+3, true, false, null, \"\\u00e9\\ud83d\\ude00\"]}\n",
      "{\"\":{}}",
      "[[[]]]",
      "{\"a\":\"\xc3\xa9\xf0\x9f\x98\x80\"}"};
  static const char *const bad[] = {"",
                                    "1",
                                    "\"x\"",
                                    "{",
                                    "{\"a\"}",
                                    "{\"a\":}",
                                    "{\"a\":1,}",
                                    "[1,]",
                                    "[01]",
                                    "[1.]",
                                    "[.5]",
                                    "[1e]",
                                    "[-]",
                                    "[tru]",
                                    "{\"a\":1}x",
                                    "{}{}",
                                    "{'a':1}",
                                    "[\"\\u0000\"]",
                                    "[\"\\ud800\"]",
                                    "[\"\\udc00\"]",
                                    "[\"\\x\"]",
                                    "[\"\t\"]",
                                    "[\"\xff\"]",
                                    "[\"\xc0\xaf\"]",
                                    "[\"\xed\xa0\x80\"]",
                                    "[\"\xf4\x90\x80\x80\"]",
                                    "[\"abc"};
  for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
    ck_assert_msg(cpor__json_wellformed(good[i], strlen(good[i])), "%s", good[i]);
    agrees_with_jansson((const unsigned char *)good[i], strlen(good[i]));
  }
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    ck_assert_msg(!cpor__json_wellformed(bad[i], strlen(bad[i])), "%s", bad[i]);
    agrees_with_jansson((const unsigned char *)bad[i], strlen(bad[i]));
  }
  char deep[5000];
  memset(deep, '[', 2500);
  memset(deep + 2500, ']', 2500);
  ck_assert(!cpor__json_wellformed(deep, sizeof deep)); /* past jansson's depth */
  ck_assert(cpor__json_wellformed(deep + 500, 4000));
}
END_TEST

/* Random edits of every canonical document (and binary record): each decodes
 * or is refused; what decodes re-encodes to a document that decodes to the
 * same record. A deterministic stand-in for tests/fuzz/fuzz_records.c. */
START_TEST(mutated_documents) {
  static const char pieces[][8] = {"{",  "}",  "[",    "]",     "\"", ",",  ":",    "null", "1",
                                   "-1", "\\", "true", "\"x\"", "{}", "[]", "\xff", "0.5",  "1e99"};
  const kind *k = &kinds[_i];
  unsigned char bin[1024];
  size_t blen = unhex(k->bin, bin, sizeof bin);
  size_t jlen = strlen(k->json);
  unsigned char *m = malloc(jlen + blen + 64);
  int decoded = 0;
  for (int round = 0; round < 4000; round++) {
    const unsigned char *src = round % 4 == 3 ? bin : (const unsigned char *)k->json;
    size_t n = round % 4 == 3 ? blen : jlen;
    memcpy(m, src, n);
    int edits = 1 + (int)(rnd() % 3);
    for (int e = 0; e < edits && n > 0; e++) {
      size_t at = rnd() % n;
      switch (rnd() % 4) {
      case 0:
        m[at] ^= (unsigned char)(1u << (rnd() % 8));
        break;
      case 1:
        n = at;
        break; /* truncate */
      case 2:
        memmove(m + at, m + at + 1, n - at - 1), n--;
        break;
      default: {
        const char *p = pieces[rnd() % (sizeof pieces / sizeof pieces[0])];
        size_t pl = strlen(p);
        if (n + pl > jlen + blen + 60) break;
        memmove(m + at + pl, m + at, n - at);
        memcpy(m + at, p, pl);
        n += pl;
      }
      }
    }
    agrees_with_jansson(m, n);
    void *rec = NULL;
    int rc = decode(k, m, n, &rec);
    ck_assert_msg(rc == CPOR_OK || rc == CPOR_ECORRUPT, "%s round %d: %d", k->name, round, rc);
    if (rc) continue;
    decoded++;
    void *buf = NULL, *again = NULL;
    size_t len = 0;
    rc = k->encode(rec, &buf, &len);
    ck_assert_msg(rc == CPOR_OK || rc == CPOR_EINVAL, "%s round %d: encode %d", k->name, round, rc);
    if (rc == CPOR_OK) {
      ck_assert_status(decode(k, buf, len, &again), CPOR_OK);
      ck_assert(k->equal(rec, again));
      k->release(again);
      free(buf);
    }
    k->release(rec);
  }
  ck_assert_int_gt(decoded, 0); /* some edits are harmless (a changed letter) */
  free(m);
}
END_TEST

/* ---- a file of the previous release ------------------------------------------- */

#define V1_ASSOCIATED "93fa3b66-536a-468f-9cc0-0b6cc517f5e0"
#define V1_ENDED "e383fd46-5059-40c3-8201-81b20b4ec3da"

static void load_sql(const char *db, const char *name) {
  char path[512];
  const char *root = getenv("CPOR_SOURCE_ROOT");
  snprintf(path, sizeof path, "%s/tests/data/%s", root ? root : "..", name);
  FILE *f = fopen(path, "rb");
  ck_assert_msg(f != NULL, "cannot open %s", path);
  static char sql[65536];
  size_t n = fread(sql, 1, sizeof sql - 1, f);
  fclose(f);
  sql[n] = 0;
  sqlite3 *h = NULL;
  ck_assert_int_eq(sqlite3_open(db, &h), SQLITE_OK);
  ck_assert_msg(sqlite3_exec(h, sql, NULL, NULL, NULL) == SQLITE_OK, "%s", sqlite3_errmsg(h));
  sqlite3_close(h);
}

/* The first byte of a stored row's data. */
static int first_byte(const char *db, const char *sql) {
  sqlite3 *h = NULL;
  sqlite3_stmt *st = NULL;
  ck_assert_int_eq(sqlite3_open(db, &h), SQLITE_OK);
  ck_assert_int_eq(sqlite3_prepare_v2(h, sql, -1, &st, NULL), SQLITE_OK);
  ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
  ck_assert_int_gt(sqlite3_column_bytes(st, 0), 0);
  int b = ((const unsigned char *)sqlite3_column_blob(st, 0))[0];
  sqlite3_finalize(st);
  sqlite3_close(h);
  return b;
}

static size_t history(cpor_ctx *ctx, const cpor_actor *a, const char *id, int *last_kind) {
  cpor_event_iter *it = NULL;
  ck_assert_status(cpor_claim_history(ctx, a, id, &it), CPOR_OK);
  size_t n = 0;
  cpor_event *e = NULL;
  while (cpor_event_iter_next(it, &e) == CPOR_OK) {
    n++;
    ck_assert_int_eq(cpor_event_payload(e)[0], '{');
    *last_kind = cpor_event_kind(e);
    cpor_event_free(e);
  }
  cpor_event_iter_free(it);
  return n;
}

/* A file written by the previous release (every record binary) reads: the
 * directory, the claims, their history and its replay; a write then stores
 * the claim and its new event as JSON next to the old rows. */
START_TEST(previous_release_file_reads) {
  test_dbfile f;
  test_dbfile_make(&f, "records-v1");
  load_sql(f.path, "v1_demo.sql");
  cpor_manual_clock *clock = NULL;
  ck_assert_status(cpor_manual_clock_new(&clock, (cpor_time)20807 * 86400000 + 9 * 3600000),
                   CPOR_OK);
  cpor_ctx *ctx = NULL;
  ck_assert_status(test_open_file_ctx(f.path, clock, -1, &ctx), CPOR_OK);
  cpor_actor sys = test_actor(CPOR_ROLE_SYSTEM, NULL, "ops");
  cpor_partner *p = NULL;
  ck_assert_status(cpor_partner_get(ctx, "contoso", &p), CPOR_OK);
  ck_assert_str_eq(cpor_partner_name(p), "Contoso Partners");
  cpor_partner_free(p);
  cpor_tenant *t = NULL;
  ck_assert_status(cpor_tenant_get(ctx, "8c3d5a1e-2b4f-4c6d-9e8f-0a1b2c3d4e5f", &t), CPOR_OK);
  ck_assert_str_eq(cpor_tenant_domain(t, 0), "contoso.onmicrosoft.com");
  cpor_tenant_free(t);
  cpor_claim *c = NULL, *r = NULL;
  ck_assert_status(cpor_claim_get(ctx, &sys, V1_ENDED, &c), CPOR_OK);
  ck_assert_int_eq(cpor_claim_state(c), CPOR_STATE_ENDED);
  ck_assert_int_eq(cpor_claim_reason(c), CPOR_REASON_SUPERSEDED);
  cpor_claim_free(c);
  ck_assert_status(cpor_claim_get(ctx, &sys, V1_ASSOCIATED, &c), CPOR_OK);
  ck_assert_int_eq(cpor_claim_state(c), CPOR_STATE_ASSOCIATED);
  ck_assert_str_eq(cpor_claim_name(c), "Fabrikam Teams adoption");
  ck_assert_status(cpor_claim_replay(ctx, &sys, V1_ASSOCIATED, &r), CPOR_OK);
  ck_assert_int_eq(cpor_claim_state(r), CPOR_STATE_ASSOCIATED);
  cpor_claim_free(r);
  cpor_claim_free(c);
  int last = 0;
  ck_assert_uint_eq(history(ctx, &sys, V1_ASSOCIATED, &last), 7);
  ck_assert_int_eq(last, CPOR_EVENT_ASSOCIATED);
  /* A write: the claim row and the new event are JSON, older events stay. */
  cpor_actor admin = test_actor(CPOR_ROLE_GLOBAL_ADMIN, "fabrikam", "ann");
  ck_assert_status(cpor_claim_remove(ctx, &admin, V1_ASSOCIATED), CPOR_OK);
  ck_assert_uint_eq(history(ctx, &sys, V1_ASSOCIATED, &last), 8);
  ck_assert_int_eq(last, CPOR_EVENT_REMOVED);
  ck_assert_status(cpor_claim_replay(ctx, &sys, V1_ASSOCIATED, &r), CPOR_OK);
  ck_assert_int_eq(cpor_claim_state(r), CPOR_STATE_ENDED);
  cpor_claim_free(r);
  cpor_ctx_close(ctx);
  ck_assert_int_eq(
      first_byte(f.path, "SELECT data FROM objects WHERE kind = 7 AND id = '" V1_ASSOCIATED "'"),
      '{');
  ck_assert_int_eq(first_byte(f.path,
                              "SELECT data FROM events WHERE seq = 8 AND claim_id = '" V1_ASSOCIATED
                              "'"),
                   '{');
  ck_assert_int_eq(first_byte(f.path,
                              "SELECT data FROM events WHERE seq = 7 AND claim_id = '" V1_ASSOCIATED
                              "'"),
                   2);
  ck_assert_int_eq(
      first_byte(f.path, "SELECT data FROM objects WHERE kind = 7 AND id = '" V1_ENDED "'"), 2);
  cpor_manual_clock_free(clock);
  test_dbfile_remove(&f);
}
END_TEST

static Suite *records_suite(void) {
  Suite *s = suite_create("records");
  TCase *tc = tcase_create("records");
  tcase_set_timeout(tc, 120);
  tcase_add_loop_test(tc, binary_formats_read, 0, NKINDS);
  tcase_add_test(tc, binary_claim_and_event_fields);
  tcase_add_loop_test(tc, canonical_round_trip, 0, NKINDS);
  tcase_add_test(tc, edge_values_round_trip);
  tcase_add_test(tc, claim_dup_is_deep);
  tcase_add_test(tc, event_payload_embedded);
  tcase_add_test(tc, non_canonical_input);
  tcase_add_test(tc, nul_byte_refused);
  tcase_add_loop_test(tc, hostile_documents, 0, NCORPUS);
  tcase_add_loop_test(tc, every_key_checked, 0, NKINDS);
  tcase_add_test(tc, claim_values_checked);
  tcase_add_test(tc, bounded_arrays);
  tcase_add_test(tc, unrepresentable_records);
  tcase_add_loop_test(tc, allocation_failure_is_enomem, 0, NKINDS);
  tcase_add_test(tc, wellformed_json);
  tcase_add_loop_test(tc, mutated_documents, 0, NKINDS);
  tcase_add_test(tc, previous_release_file_reads);
  suite_add_tcase(s, tc);
  return s;
}

CPOR_TEST_MAIN(records_suite)
