/* Who may read and write the directory (DESIGN.md 1.4, reference data): a
 * pure table of role x operation -> scope, and the ownership test that turns
 * a scope into a decision for one record. No I/O; the core loads the record
 * and asks. */
#ifndef CPOR_RULES_DIRAUTHZ_H
#define CPOR_RULES_DIRAUTHZ_H

#include "cpor/model.h"

/* Every directory call, by what it does to which kind of record. */
typedef enum cpor__dir_op {
  CPOR__DIR_PARTNER_CREATE = 1,
  CPOR__DIR_PARTNER_READ,
  CPOR__DIR_LOCATION_CREATE,
  CPOR__DIR_LOCATION_RENAME,
  CPOR__DIR_LOCATION_ENROLL,
  CPOR__DIR_LOCATION_READ,
  CPOR__DIR_CUSTOMER_CREATE,
  CPOR__DIR_CUSTOMER_READ,
  CPOR__DIR_TENANT_CREATE,
  CPOR__DIR_TENANT_ADD_DOMAIN,
  CPOR__DIR_TENANT_READ,
  CPOR__DIR_SUBSCRIPTION_CREATE,
  CPOR__DIR_SUBSCRIPTION_SET_STATE,
  CPOR__DIR_SUBSCRIPTION_READ,
  CPOR__DIR_WORKLOAD_REGISTER,
  CPOR__DIR_WORKLOAD_READ,
  /* The whole store at once (cpor_ctx_export, _import, _verify): the
   * system's alone. Marked as writes so that cpor__dir_permit refuses every
   * other role outright. */
  CPOR__DIR_STORE_EXPORT,
  CPOR__DIR_STORE_IMPORT,
  CPOR__DIR_STORE_VERIFY,
  CPOR__DIR_OP_COUNT
} cpor__dir_op;

/* How much of the directory a role reaches with an operation. */
typedef enum cpor__dir_scope {
  CPOR__DIR_NONE = 0, /* nothing: a write is CPOR_EPERM, a read sees nothing */
  CPOR__DIR_OWN,      /* the records of the actor's own organization */
  CPOR__DIR_ALL       /* every record */
} cpor__dir_scope;

/* The organizations a record belongs to (NULL: none of that kind). A
 * partner or location belongs to its partner; a tenant and its subscriptions
 * to the tenant; a customer record to the customer. */
typedef struct cpor__dir_owner {
  const char *partner_id;
  const char *tenant_id;
  const char *customer_id;
} cpor__dir_owner;

/* The actor's organization as the core resolved it: a partner actor's
 * partner ID, or a customer actor's canonical tenant ID and that tenant's
 * customer ID (NULL when the tenant does not exist). */
typedef struct cpor__dir_org {
  const char *partner_id;
  const char *tenant_id;
  const char *customer_id;
} cpor__dir_org;

/* The scope of a role for an operation (CPOR__DIR_NONE for unknown ones). */
int cpor__dirauthz_scope(uint32_t role, int op);
/* 1 when the operation writes. */
int cpor__dirauthz_is_write(int op);
/* What the operation does, for messages ("create partners"). */
const char *cpor__dirauthz_op_name(int op);
/* 1 when a role with this scope may touch a record with this owner. */
int cpor__dirauthz_reaches(int scope, const cpor__dir_org *org, const cpor__dir_owner *owner);

#endif
