/* Small helpers over the kernel's records (see record.h). */
#include "record.h"

#include <stdlib.h>
#include <string.h>

char *cpor__strdup(const char *s, int *oom) {
  if (!s) return NULL;
  char *d = strdup(s);
  if (!d) *oom = 1;
  return d;
}

void cpor__lines_free(cpor__line *v, size_t n) {
  for (size_t i = 0; i < n; i++) {
    free(v[i].workload);
    free(v[i].subscription);
  }
  free(v);
}

static const cpor_policy default_policy = CPOR_POLICY_DEFAULT;
static const cpor__variants default_variants = {CPOR_OPTOUT_FROM_APPROVAL, 0, 1};

/* Both structs are 32-bit members only: no padding for memcmp to see. */
_Static_assert(sizeof(cpor_policy) == 6 * sizeof(cpor_window) && sizeof(cpor_window) == 8,
               "cpor_policy has no padding");
_Static_assert(sizeof(cpor__variants) == 3 * sizeof(uint32_t), "cpor__variants has no padding");

int cpor__policy_is_default(const cpor_policy *p, const cpor__variants *v) {
  return !memcmp(p, &default_policy, sizeof *p) && !memcmp(v, &default_variants, sizeof *v);
}

void cpor__policy_set_default(cpor_claim *c) {
  c->policy = default_policy;
  c->variants = default_variants;
  c->has_policy = 1;
}

char *cpor__unit_key(const cpor_claim *c, const cpor__line *l) {
  size_t n = 2 + (l->subscription ? strlen(l->subscription)
                                  : strlen(c->tenant_id) + 1 + strlen(l->workload));
  char *k = malloc(n + 1);
  if (!k) return NULL;
  if (l->subscription) {
    strcpy(k, "s:");
    strcat(k, l->subscription);
  } else {
    strcpy(k, "t:");
    strcat(k, c->tenant_id);
    strcat(k, ":");
    strcat(k, l->workload);
  }
  return k;
}

int cpor__line_on_unit(const cpor_claim *c, const cpor__line *l, const char *unit) {
  if (l->subscription)
    return unit[0] == 's' && unit[1] == ':' && !strcmp(unit + 2, l->subscription);
  size_t t = strlen(c->tenant_id);
  return unit[0] == 't' && unit[1] == ':' && !strncmp(unit + 2, c->tenant_id, t) &&
         unit[2 + t] == ':' && !strcmp(unit + 3 + t, l->workload);
}
