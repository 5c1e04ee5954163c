/* The directory's authorization matrix, DESIGN.md 1.4: the system writes
 * reference data; a partner's global admin adds and renames its own
 * locations; system and reviewer read everything, a partner its own partner
 * and locations, a customer its own tenant, that tenant's subscriptions and
 * its customer record; everyone reads the workload catalog. */
#include "dirauthz.h"

#include <string.h>

#define N CPOR__DIR_NONE
#define O CPOR__DIR_OWN
#define A CPOR__DIR_ALL

typedef struct dir_rule {
  const char *name;
  int write;
  /* scope by role: global, billing, incentives admin, incentives user,
   * reviewer, customer, system (cpor_role order) */
  unsigned char scope[7];
} dir_rule;

static const dir_rule table[CPOR__DIR_OP_COUNT] = {
    /*                                                    GA BA IA IU RV CU SY */
    [CPOR__DIR_PARTNER_CREATE] = {"create partners", 1, {N, N, N, N, N, N, A}},
    [CPOR__DIR_PARTNER_READ] = {"read partners", 0, {O, O, O, O, A, N, A}},
    [CPOR__DIR_LOCATION_CREATE] = {"create locations", 1, {O, N, N, N, N, N, A}},
    [CPOR__DIR_LOCATION_RENAME] = {"rename locations", 1, {O, N, N, N, N, N, A}},
    [CPOR__DIR_LOCATION_ENROLL] = {"change program enrollment", 1, {N, N, N, N, N, N, A}},
    [CPOR__DIR_LOCATION_READ] = {"read locations", 0, {O, O, O, O, A, N, A}},
    [CPOR__DIR_CUSTOMER_CREATE] = {"create customers", 1, {N, N, N, N, N, N, A}},
    [CPOR__DIR_CUSTOMER_READ] = {"read customers", 0, {N, N, N, N, A, O, A}},
    [CPOR__DIR_TENANT_CREATE] = {"create tenants", 1, {N, N, N, N, N, N, A}},
    [CPOR__DIR_TENANT_ADD_DOMAIN] = {"add domains", 1, {N, N, N, N, N, N, A}},
    [CPOR__DIR_TENANT_READ] = {"read tenants", 0, {N, N, N, N, A, O, A}},
    [CPOR__DIR_SUBSCRIPTION_CREATE] = {"create subscriptions", 1, {N, N, N, N, N, N, A}},
    [CPOR__DIR_SUBSCRIPTION_SET_STATE] = {"change subscription states", 1, {N, N, N, N, N, N, A}},
    [CPOR__DIR_SUBSCRIPTION_READ] = {"read subscriptions", 0, {N, N, N, N, A, O, A}},
    [CPOR__DIR_WORKLOAD_REGISTER] = {"register workloads", 1, {N, N, N, N, N, N, A}},
    [CPOR__DIR_WORKLOAD_READ] = {"read workloads", 0, {A, A, A, A, A, A, A}},
    [CPOR__DIR_STORE_EXPORT] = {"export the store", 1, {N, N, N, N, N, N, A}},
    [CPOR__DIR_STORE_IMPORT] = {"import a store", 1, {N, N, N, N, N, N, A}},
    [CPOR__DIR_STORE_VERIFY] = {"verify the store", 1, {N, N, N, N, N, N, A}},
};

static int known(int op) {
  return op > 0 && op < CPOR__DIR_OP_COUNT;
}

int cpor__dirauthz_scope(uint32_t role, int op) {
  if (!known(op) || role < CPOR_ROLE_GLOBAL_ADMIN || role > CPOR_ROLE_SYSTEM) return N;
  return table[op].scope[role - CPOR_ROLE_GLOBAL_ADMIN];
}

int cpor__dirauthz_is_write(int op) {
  return known(op) && table[op].write;
}

const char *cpor__dirauthz_op_name(int op) {
  return known(op) ? table[op].name : "do this";
}

static int same(const char *a, const char *b) {
  return a && b && strcmp(a, b) == 0;
}

int cpor__dirauthz_reaches(int scope, const cpor__dir_org *org, const cpor__dir_owner *owner) {
  if (scope == A) return 1;
  if (scope != O) return 0;
  return same(org->partner_id, owner->partner_id) || same(org->tenant_id, owner->tenant_id) ||
         same(org->customer_id, owner->customer_id);
}
