/* The core's converter of stored records, for a backend's data migration:
 * a record of an older binary format becomes its JSON document (the bytes
 * the library writes today). Implemented in lib/core/recode.c. */
#ifndef CPOR_STORE_RECODE_H
#define CPOR_STORE_RECODE_H

#include "cpor/sys/storage.h"

/* *out (malloc'd, *len bytes) is obj's record as JSON; CPOR_ECORRUPT when
 * it does not decode, CPOR_ENOMEM. A record that is JSON already is copied. */
int cpor__record_recode(const cpor_store_object *obj, void **out, size_t *len);
/* *same = 1 when obj's record decodes and encodes again to the very bytes
 * and columns (id, owner, ref, state) of obj: what a write of that record
 * stores. CPOR_ECORRUPT when it does not decode, CPOR_ENOTSUP for a kind
 * without a record format (domain, outbox, idempotency), CPOR_ENOMEM. */
int cpor__record_matches(const cpor_store_object *obj, int *same);
/* The same for a history entry. */
int cpor__event_recode(uint32_t seq, const void *data, size_t len, void **out, size_t *outlen);

#endif
