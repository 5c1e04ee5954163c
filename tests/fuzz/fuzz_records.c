/* libFuzzer harness for the stored-record decoders (lib/core/records.c): the
 * first input byte picks the record kind (and the state column), the rest is what the store hands
 * back, JSON or one of the old binary formats. A decoder may refuse
 * (CPOR_ECORRUPT, CPOR_ENOMEM) but must never crash or leak, and what it
 * accepts must encode (anything else aborts), decode again, and encode to
 * the same bytes: a decoded record always has one canonical document. The
 * allocation-free well-formedness check must also agree with jansson. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "core/json_doc.h"
#include "core/records.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

#define CLAIM_ID "7c9e6679-7425-40de-944b-e07fc1f90ae7"
#define TENANT "2b7f3c1e-0000-4000-8000-000000000001"

static void check_status(int rc) {
  if (rc != CPOR_OK && rc != CPOR_ECORRUPT && rc != CPOR_ENOMEM) abort();
}

/* Encoding twice (from the decoded record, then from its decoded document)
 * gives the same bytes. */
static void same_bytes(void *a, size_t alen, void *b, size_t blen) {
  if (alen != blen || memcmp(a, b, alen) != 0) abort();
  free(a);
  free(b);
}

#define KIND(k, T)                                                                                 \
  static void fuzz_##k(const cpor_store_object *obj) {                                             \
    T *r = NULL, *again = NULL;                                                                    \
    int rc = cpor__##k##_decode(obj, &r);                                                          \
    check_status(rc);                                                                              \
    if (rc) {                                                                                      \
      if (r) abort();                                                                              \
      return;                                                                                      \
    }                                                                                              \
    cpor_store_object o1, o2;                                                                      \
    void *b1 = NULL, *b2 = NULL;                                                                   \
    if (cpor__##k##_encode(r, &o1, &b1) != CPOR_OK) abort();                                       \
    o1.id = obj->id; /* the columns, as the store would give them back */                          \
    o1.owner = obj->owner;                                                                         \
    o1.ref = obj->ref;                                                                             \
    if (cpor__##k##_decode(&o1, &again) != CPOR_OK) abort();                                       \
    if (cpor__##k##_encode(again, &o2, &b2) != CPOR_OK) abort();                                   \
    same_bytes(b1, o1.len, b2, o2.len);                                                            \
    cpor_##k##_free(again);                                                                        \
    cpor_##k##_free(r);                                                                            \
  }

KIND(partner, cpor_partner)
KIND(location, cpor_location)
KIND(customer, cpor_customer)
KIND(tenant, cpor_tenant)
KIND(subscription, cpor_subscription)
KIND(workload, cpor_workload)
KIND(claim, cpor_claim)

static void fuzz_event(const unsigned char *data, size_t size) {
  cpor_event *e = NULL, *again = NULL;
  int rc = cpor__event_decode(3, data, size, &e);
  check_status(rc);
  if (rc) {
    if (e) abort();
    return;
  }
  void *b1 = NULL, *b2 = NULL;
  size_t l1 = 0, l2 = 0;
  if (cpor__event_encode(e, &b1, &l1) != CPOR_OK) abort();
  if (cpor__event_decode(3, b1, l1, &again) != CPOR_OK) abort();
  if (cpor__event_encode(again, &b2, &l2) != CPOR_OK) abort();
  same_bytes(b1, l1, b2, l2);
  cpor_event_free(again);
  cpor_event_free(e);
}

static void wellformed(const unsigned char *data, size_t size) {
  if (memchr(data, 0, size)) return; /* refused before jansson (it lets "1\0}" pass) */
  json_error_t err;
  json_t *j = json_loadb((const char *)data, size, 0, &err);
  int code = j ? -1 : (int)json_error_code(&err);
  json_decref(j);
  if (code == json_error_numeric_overflow || code == json_error_stack_overflow ||
      code == json_error_out_of_memory)
    return;
  if (cpor__json_wellformed(data, size) != (j != NULL)) abort();
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size) {
  if (size < 1 || size > 65536) return 0;
  /* The state column (claims, subscriptions) comes from the first byte too. */
  cpor_store_object obj = {0, "contoso", "fabrikam", TENANT, data[0] / 8 % 10, data + 1, size - 1};
  wellformed(data + 1, size - 1);
  switch (data[0] % 8) {
  case 0:
    fuzz_partner(&obj);
    break;
  case 1:
    fuzz_location(&obj);
    break;
  case 2:
    fuzz_customer(&obj);
    break;
  case 3:
    fuzz_tenant(&obj);
    break;
  case 4:
    fuzz_subscription(&obj);
    break;
  case 5:
    fuzz_workload(&obj);
    break;
  case 6:
    obj.id = CLAIM_ID;
    obj.owner = "contoso";
    fuzz_claim(&obj);
    break;
  default:
    fuzz_event(data + 1, size - 1);
    break;
  }
  return 0;
}
