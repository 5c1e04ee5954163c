/* Idempotent creates (cpor_claim_spec.idempotency_key): the record that
 * maps (partner, key) to the claim the first create made. */
#ifndef CPOR_CORE_IDEMPOTENCY_H
#define CPOR_CORE_IDEMPOTENCY_H

#include "core/ctx.h"

/* The store ID of (partner, key) and the canonical content of a create. */
typedef struct cpor__idem {
  const char *partner_id, *key; /* borrowed */
  char id[256];
  char *content; /* malloc'd canonical JSON */
} cpor__idem;

/* Prepares k for the create of c (its fields applied from spec, canonical)
 * with spec's lines; CPOR_ENOMEM (ctx says so). */
int cpor__idem_init(cpor_ctx *ctx, cpor__idem *k, const cpor_claim *c, const cpor_claim_spec *spec);
void cpor__idem_free(cpor__idem *k);
/* Inside a call: the claim an earlier create with k's key made, when its
 * content is k's (claim_id set), "" when the key is unused; CPOR_EEXISTS
 * (naming the key) when it was used with other content. */
int cpor__idem_find(cpor_ctx *ctx, const cpor__idem *k, char claim_id[37]);
/* Inside a write call: records that k's create made claim_id. Another
 * writer that recorded the key first is CPOR_ECONFLICT (the call reruns and
 * finds it). */
int cpor__idem_put(cpor_ctx *ctx, const cpor__idem *k, const char *claim_id);

#endif
