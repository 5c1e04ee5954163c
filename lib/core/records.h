/* The records behind the public handles, and their stored encoding. A handle
 * the caller gets is one of these, owned by the caller. */
#ifndef CPOR_CORE_RECORDS_H
#define CPOR_CORE_RECORDS_H

#include "cpor/context.h"
#include "cpor/sys/storage.h"

struct cpor_partner {
  char *id, *name;
};

struct cpor_location {
  char *mpn_id, *partner_id, *name;
  uint32_t programs; /* bit p set: enrolled in program p */
};

struct cpor_customer {
  char *id, *name;
};

struct cpor_tenant {
  char *id, *customer_id;
  size_t ndomains;
  char **domains;
};

struct cpor_subscription {
  char *id, *tenant_id, *workload;
  int32_t channel, state;
};

struct cpor_workload {
  char *code, *name;
  int32_t area;
  int32_t needs_subscription, dynamics, builtin;
};

typedef struct cpor__line {
  char *workload;
  char *subscription; /* NULL for Microsoft 365 lines */
  int32_t state, reason;
} cpor__line;

typedef struct cpor__poe {
  char *name, *media_type, *sha256;
  uint64_t size;
} cpor__poe;

#define CPOR__NFIELDS 12 /* cpor_field values 1..11 */

struct cpor_claim {
  char *id, *name, *partner_id, *mpn_id, *tenant_id, *domain;
  int32_t area, activity;
  char *fields[CPOR__NFIELDS];
  size_t nlines;
  cpor__line *lines;
  size_t npoe;
  cpor__poe *poe;
  int32_t state, reason;
  uint32_t contested;
  uint32_t final;    /* a rejection that can no longer be disputed */
  uint32_t next_seq; /* the seq of the next history event */
  cpor_time created_at, updated_at;
  cpor_time window_closes_at; /* CPOR_TIME_NONE when no window is open */
  cpor_time sla_due_at;       /* CPOR_TIME_NONE when no SLA runs */
  /* not stored: computed when the handle is handed out */
  int overdue;
  cpor_time read_at;
};

struct cpor_event {
  uint32_t seq;
  cpor_time at;
  int32_t kind, state, role;
  char *org, *user, *text;
};

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
int cpor__claim_encode(const cpor_claim *c, cpor_store_object *obj, void **buf);
int cpor__claim_decode(const cpor_store_object *obj, cpor_claim **out);
int cpor__event_encode(const cpor_event *e, void **buf, size_t *len);
int cpor__event_decode(uint32_t seq, const void *data, size_t len, cpor_event **out);

/* Deep copies (NULL on OOM). */
cpor_claim *cpor__claim_dup(const cpor_claim *c);
cpor_workload *cpor__workload_dup(const cpor_workload *w);

/* The claim unit of a line: "t:<tenant>:<WORKLOAD>" or "s:<subscription>";
 * malloc'd, NULL on OOM. */
char *cpor__unit_key(const cpor_claim *c, const cpor__line *l);

/* strdup that accepts NULL. Sets *oom when a copy fails. */
char *cpor__strdup(const char *s, int *oom);

#endif
