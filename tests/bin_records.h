/* Binary (pre-JSON) record encoders for tests and benchmarks (bin_records.c). */
#ifndef CPOR_TESTS_BIN_RECORDS_H
#define CPOR_TESTS_BIN_RECORDS_H

#include "cpor/sys/storage.h"
#include "rules/record.h"

int bin_partner_encode(const cpor_partner *p, cpor_store_object *obj, void **buf);
int bin_location_encode(const cpor_location *l, cpor_store_object *obj, void **buf);
int bin_customer_encode(const cpor_customer *c, cpor_store_object *obj, void **buf);
int bin_tenant_encode(const cpor_tenant *t, cpor_store_object *obj, void **buf);
int bin_subscription_encode(const cpor_subscription *s, cpor_store_object *obj, void **buf);
int bin_workload_encode(const cpor_workload *wl, cpor_store_object *obj, void **buf);
int bin_claim_encode(const cpor_claim *c, int format, cpor_store_object *obj, void **buf);
int bin_event_encode(const cpor_event *e, int format, void **buf, size_t *len);

#endif
