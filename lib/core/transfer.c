/* The export format's kinds, the system-only prologue, canonical JSON and
 * record recoding shared by export, import and verify (transfer.h). */
#include "core/transfer.h"

#include <stdlib.h>
#include <string.h>

#include "core/claims.h"
#include "core/dirauth.h"
#include "core/json_read.h"
#include "core/records.h"
#include "rules/dirauthz.h"

const uint32_t cpor__export_kinds[] = {
    CPOR_STORE_PARTNER, CPOR_STORE_LOCATION,     CPOR_STORE_CUSTOMER, CPOR_STORE_TENANT,
    CPOR_STORE_DOMAIN,  CPOR_STORE_SUBSCRIPTION, CPOR_STORE_WORKLOAD, CPOR_STORE_CLAIM,
    CPOR_STORE_OUTBOX,  CPOR_STORE_IDEMPOTENCY};
const size_t cpor__export_nkinds = sizeof cpor__export_kinds / sizeof cpor__export_kinds[0];

static const char *const kind_names[] = {NULL,     "partner",      "location",   "customer",
                                         "tenant", "subscription", "workload",   "claim",
                                         "domain", "outbox",       "idempotency"};

const char *cpor__export_kind_name(uint32_t kind) {
  return kind >= 1 && kind < sizeof kind_names / sizeof kind_names[0] ? kind_names[kind] : NULL;
}

uint32_t cpor__export_kind_from_name(const char *name) {
  for (uint32_t k = 1; name && k < sizeof kind_names / sizeof kind_names[0]; k++)
    if (!strcmp(kind_names[k], name)) return k;
  return 0;
}

int cpor__store_permit(cpor_ctx *ctx, const cpor_actor *actor, int op) {
  if (!ctx) return CPOR_EINVAL;
  return cpor__dir_permit(ctx, actor, op);
}

int cpor__json_canonical(const void *data, size_t len, char **canon, size_t *canon_len) {
  *canon = NULL;
  *canon_len = 0;
  if (!len || ((const char *)data)[0] != '{') return CPOR_ECORRUPT;
  cpor__jr r;
  cpor__jw w = {0};
  cpor__jr_init(&r, data, len);
  cpor__jr_canon(&r, &w, NULL);
  int rc = cpor__jr_end(&r);
  if (!rc) rc = w.rc;
  if (rc) {
    cpor__jw_free(&w);
    return rc == CPOR_ENOMEM ? CPOR_ENOMEM : CPOR_ECORRUPT;
  }
  if (w.len == len && !memcmp(w.data, data, len)) {
    cpor__jw_free(&w);
    return 1;
  }
  *canon_len = w.len;
  *canon = cpor__jw_cstr(&w);
  return *canon ? 0 : CPOR_ENOMEM;
}
