/* libFuzzer harness for the stored-record decoders (README.md, "Stored
 * records"). The first input byte picks the kind (partner, location,
 * customer, tenant, subscription, workload, claim, event); the rest is the
 * stored bytes, JSON or a binary format of an earlier release. Decoding must
 * never crash or leak and answers CPOR_OK or CPOR_ECORRUPT only; a record
 * that decodes encodes to a canonical document that decodes to the same
 * record: encode(decode(encode(x))) is encode(x) byte for byte. */
#include <stdlib.h>
#include <string.h>

#include "core/records.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

/* Object columns that agree with the claim document of the corpus. */
#define ID "7c9e6679-7425-40de-944b-e07fc1f90ae7"
#define OWNER "contoso"
#define REF "2b7f3c1e-0000-4000-8000-000000000001"

typedef int (*decode_fn)(const cpor_store_object *obj, void **out);
typedef int (*encode_fn)(const void *rec, cpor_store_object *obj, void **buf);

#define KIND(k, T)                                                                                 \
  static int dec_##k(const cpor_store_object *obj, void **out) {                                   \
    return cpor__##k##_decode(obj, (T **)out);                                                     \
  }                                                                                                \
  static int enc_##k(const void *rec, cpor_store_object *obj, void **buf) {                        \
    return cpor__##k##_encode(rec, obj, buf);                                                      \
  }                                                                                                \
  static void rel_##k(void *rec) {                                                                 \
    cpor_##k##_free(rec);                                                                          \
  }
KIND(partner, cpor_partner)
KIND(location, cpor_location)
KIND(customer, cpor_customer)
KIND(tenant, cpor_tenant)
KIND(subscription, cpor_subscription)
KIND(workload, cpor_workload)
KIND(claim, cpor_claim)

static int dec_event(const cpor_store_object *obj, void **out) {
  return cpor__event_decode(3, obj->data, obj->len, (cpor_event **)out);
}
static int enc_event(const void *rec, cpor_store_object *obj, void **buf) {
  memset(obj, 0, sizeof *obj);
  int rc = cpor__event_encode(rec, buf, &obj->len);
  obj->data = *buf;
  return rc;
}
static void rel_event(void *rec) {
  cpor_event_free(rec);
}

static const struct {
  decode_fn dec;
  encode_fn enc;
  void (*rel)(void *);
} kinds[] = {{dec_partner, enc_partner, rel_partner},
             {dec_location, enc_location, rel_location},
             {dec_customer, enc_customer, rel_customer},
             {dec_tenant, enc_tenant, rel_tenant},
             {dec_subscription, enc_subscription, rel_subscription},
             {dec_workload, enc_workload, rel_workload},
             {dec_claim, enc_claim, rel_claim},
             {dec_event, enc_event, rel_event}};

/* Encodes rec; aborts unless it succeeds. */
static void *encode(int k, const void *rec, cpor_store_object *obj) {
  void *buf = NULL;
  if (kinds[k].enc(rec, obj, &buf) != CPOR_OK) abort();
  return buf;
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size) {
  if (size < 1) return 0;
  int k = data[0] % 8;
  /* The state column: the claim corpus is UNDER_REVIEW, subscriptions active. */
  int32_t state = k == 6 ? CPOR_STATE_UNDER_REVIEW : k == 4 ? CPOR_SUB_ACTIVE : 0;
  cpor_store_object obj = {0, ID, OWNER, REF, state, 0, data + 1, size - 1};
  void *rec = NULL;
  int rc = kinds[k].dec(&obj, &rec);
  if (rc != CPOR_OK && rc != CPOR_ECORRUPT) abort();
  if (rc) return 0;
  cpor_store_object first, second;
  void *a = encode(k, rec, &first);
  /* first has the columns of the record (the encoder sets them). */
  void *again = NULL;
  if (((const char *)a)[0] != '{' || kinds[k].dec(&first, &again) != CPOR_OK) abort();
  void *b = encode(k, again, &second);
  if (first.len != second.len || memcmp(a, b, first.len)) abort();
  free(a);
  free(b);
  kinds[k].rel(again);
  kinds[k].rel(rec);
  return 0;
}
