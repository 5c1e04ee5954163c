/* Converting stored records to today's format, for backends' migrations. */
#include <stdlib.h>
#include <string.h>

#include "core/records.h"
#include "store/recode.h"

typedef int (*decode_fn)(const cpor_store_object *obj, void **out);
typedef int (*encode_fn)(const void *rec, cpor_store_object *obj, void **buf);
typedef void (*free_fn)(void *rec);

#define CODEC(name, type)                                                                          \
  static int name##_dec(const cpor_store_object *obj, void **out) {                                \
    return cpor__##name##_decode(obj, (type **)out);                                               \
  }                                                                                                \
  static int name##_enc(const void *rec, cpor_store_object *obj, void **buf) {                     \
    return cpor__##name##_encode(rec, obj, buf);                                                   \
  }                                                                                                \
  static void name##_free(void *rec) {                                                             \
    type##_free(rec);                                                                              \
  }

CODEC(partner, cpor_partner)
CODEC(location, cpor_location)
CODEC(customer, cpor_customer)
CODEC(tenant, cpor_tenant)
CODEC(subscription, cpor_subscription)
CODEC(workload, cpor_workload)
CODEC(claim, cpor_claim)

static const struct {
  decode_fn dec;
  encode_fn enc;
  free_fn free;
} codecs[] = {
    [CPOR_STORE_PARTNER] = {partner_dec, partner_enc, partner_free},
    [CPOR_STORE_LOCATION] = {location_dec, location_enc, location_free},
    [CPOR_STORE_CUSTOMER] = {customer_dec, customer_enc, customer_free},
    [CPOR_STORE_TENANT] = {tenant_dec, tenant_enc, tenant_free},
    [CPOR_STORE_SUBSCRIPTION] = {subscription_dec, subscription_enc, subscription_free},
    [CPOR_STORE_WORKLOAD] = {workload_dec, workload_enc, workload_free},
    [CPOR_STORE_CLAIM] = {claim_dec, claim_enc, claim_free},
};

static int copy(const void *data, size_t len, void **out, size_t *outlen) {
  *out = malloc(len ? len : 1);
  if (!*out) return CPOR_ENOMEM;
  if (len) memcpy(*out, data, len);
  *outlen = len;
  return CPOR_OK;
}

/* Decodes obj and encodes it again: enc (enc->data malloc'd, the other
 * pointers into *rec, which the caller frees with codecs[kind].free). */
static int reencode(const cpor_store_object *obj, cpor_store_object *enc, void **rec) {
  uint32_t k = obj->kind;
  *rec = NULL;
  int rc = codecs[k].dec(obj, rec);
  if (rc) return rc;
  void *buf = NULL;
  rc = codecs[k].enc(*rec, enc, &buf);
  if (rc) {
    codecs[k].free(*rec);
    *rec = NULL;
    return rc == CPOR_ENOMEM ? rc : CPOR_ECORRUPT;
  }
  return CPOR_OK;
}

static int has_codec(uint32_t k) {
  return k < sizeof codecs / sizeof codecs[0] && codecs[k].dec;
}

int cpor__record_recode(const cpor_store_object *obj, void **out, size_t *len) {
  *out = NULL;
  *len = 0;
  /* A domain row carries no record; an unknown kind is not ours to read. */
  if (!has_codec(obj->kind)) return copy(obj->data, obj->len, out, len);
  void *rec = NULL;
  cpor_store_object enc;
  int rc = reencode(obj, &enc, &rec);
  if (rc) return rc;
  codecs[obj->kind].free(rec);
  *out = (void *)enc.data;
  *len = enc.len;
  return CPOR_OK;
}

static int same_str(const char *a, const char *b) {
  return (!a && !b) || (a && b && !strcmp(a, b));
}

int cpor__record_matches(const cpor_store_object *obj, int *same) {
  *same = 0;
  if (!has_codec(obj->kind)) return CPOR_ENOTSUP;
  void *rec = NULL;
  cpor_store_object enc;
  int rc = reencode(obj, &enc, &rec);
  if (rc) return rc;
  *same = enc.len == obj->len && (!enc.len || !memcmp(enc.data, obj->data, enc.len)) &&
          same_str(enc.id, obj->id) && same_str(enc.owner, obj->owner) &&
          same_str(enc.ref, obj->ref) && enc.state == obj->state;
  free((void *)enc.data);
  codecs[obj->kind].free(rec);
  return CPOR_OK;
}

int cpor__event_recode(uint32_t seq, const void *data, size_t len, void **out, size_t *outlen) {
  *out = NULL;
  *outlen = 0;
  cpor_event *e = NULL;
  int rc = cpor__event_decode(seq, data, len, &e);
  if (rc) return rc;
  rc = cpor__event_encode(e, out, outlen);
  cpor_event_free(e);
  return rc == CPOR_OK || rc == CPOR_ENOMEM ? rc : CPOR_ECORRUPT;
}
