/* The records behind the public handles, and their stored encoding. A handle
 * the caller gets is one of these, owned by the caller. */
#ifndef CPOR_CORE_RECORDS_H
#define CPOR_CORE_RECORDS_H

#include "cpor/sys/storage.h"
#include "rules/record.h"

/* The "schema" field of every stored document. */
#define CPOR__RECORD_SCHEMA 2

/* Encoding (for the store) and decoding (from it): decode returns
 * CPOR_ECORRUPT for bad data, CPOR_ENOMEM. */
int cpor__partner_encode(const cpor_partner *p, cpor_store_object *obj, void **buf);
int cpor__partner_decode(const cpor_store_object *obj, cpor_partner **out);
int cpor__location_encode(const cpor_location *l, cpor_store_object *obj, void **buf);
int cpor__location_decode(const cpor_store_object *obj, cpor_location **out);
int cpor__customer_encode(const cpor_customer *c, cpor_store_object *obj, void **buf);
int cpor__customer_decode(const cpor_store_object *obj, cpor_customer **out);
int cpor__tenant_encode(const cpor_tenant *t, cpor_store_object *obj, void **buf);
int cpor__tenant_decode(const cpor_store_object *obj, cpor_tenant **out);
int cpor__subscription_encode(const cpor_subscription *s, cpor_store_object *obj, void **buf);
int cpor__subscription_decode(const cpor_store_object *obj, cpor_subscription **out);
int cpor__workload_encode(const cpor_workload *w, cpor_store_object *obj, void **buf);
int cpor__workload_decode(const cpor_store_object *obj, cpor_workload **out);
/* Claims are written at CPOR__CLAIM_SCHEMA: schema 4 names the default
 * policy ("policy": "default"), schema 3 spelled it out; schema 3 leaves out
 * the members whose value is null (unset), schema 2 wrote them. */
#define CPOR__CLAIM_SCHEMA 4
int cpor__claim_encode(const cpor_claim *c, cpor_store_object *obj, void **buf);
/* The record of c as schema 2, 3 or 4 writes it (verify and import compare a
 * replayed claim with the stored record in that record's own schema). */
int cpor__claim_encode_as(const cpor_claim *c, uint32_t schema, cpor_store_object *obj, void **buf);
int cpor__claim_decode(const cpor_store_object *obj, cpor_claim **out);
int cpor__event_encode(const cpor_event *e, void **buf, size_t *len);
int cpor__event_decode(uint32_t seq, const void *data, size_t len, cpor_event **out);

/* Deep copies (NULL on OOM). */
cpor_claim *cpor__claim_dup(const cpor_claim *c);
cpor_workload *cpor__workload_dup(const cpor_workload *w);

#endif
