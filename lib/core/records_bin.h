/* Decoders of the binary record formats 1 and 2 (releases before storage v2).
 * Same contracts as the decoders of records.h; records.c reads a row through
 * them when it does not start with '{'. */
#ifndef CPOR_CORE_RECORDS_BIN_H
#define CPOR_CORE_RECORDS_BIN_H

#include "cpor/sys/storage.h"
#include "rules/record.h"

int cpor__bin_partner_decode(const cpor_store_object *obj, cpor_partner **out);
int cpor__bin_location_decode(const cpor_store_object *obj, cpor_location **out);
int cpor__bin_customer_decode(const cpor_store_object *obj, cpor_customer **out);
int cpor__bin_tenant_decode(const cpor_store_object *obj, cpor_tenant **out);
int cpor__bin_subscription_decode(const cpor_store_object *obj, cpor_subscription **out);
int cpor__bin_workload_decode(const cpor_store_object *obj, cpor_workload **out);
int cpor__bin_claim_decode(const cpor_store_object *obj, cpor_claim **out);
int cpor__bin_event_decode(uint32_t seq, const void *data, size_t len, cpor_event **out);

#endif
