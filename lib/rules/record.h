/* The kernel's record types: the claims, lines, events and directory records
 * that decisions read and produce. The public handles (cpor_claim, ...) are
 * these structs; the core encodes them for the store. Nothing here knows of
 * storage or of the context. */
#ifndef CPOR_RULES_RECORD_H
#define CPOR_RULES_RECORD_H

#include "cpor/context.h"

struct cpor_partner {
  char *id, *name;
  uint64_t revision;
};

/* revision: the store's revision of the record as read (not encoded; 0 for
 * a record not read from the store). Updates are conditional on it. */
struct cpor_location {
  char *mpn_id, *partner_id, *name;
  uint32_t programs; /* bit p set: enrolled in program p */
  uint64_t revision;
};

struct cpor_customer {
  char *id, *name;
  uint64_t revision;
};

struct cpor_tenant {
  char *id, *customer_id;
  size_t ndomains;
  char **domains;
  uint64_t revision;
};

struct cpor_subscription {
  char *id, *tenant_id, *workload;
  int32_t channel, state;
  uint64_t revision;
};

struct cpor_workload {
  char *code, *name;
  int32_t area;
  int32_t needs_subscription, dynamics, builtin;
  uint64_t revision;
};

typedef struct cpor__line {
  char *workload;
  char *subscription; /* NULL for Microsoft 365 lines */
  int32_t state, reason;
} cpor__line;

typedef struct cpor__poe {
  char *name, *media_type, *sha256;
  uint64_t size;
  cpor_time added_at; /* CPOR_TIME_NONE for PoE recorded before 0.2 */
} cpor__poe;

#define CPOR__NFIELDS 12 /* cpor_field values 1..11 */

/* The policy variants (DESIGN.md Part 5); zeros read as the defaults. */
typedef struct cpor__variants {
  uint32_t optout_from;      /* cpor_optout_from */
  uint32_t customer_may_end; /* 0 or 1 */
  uint32_t max_disputes;     /* >= 1 */
} cpor__variants;

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
  cpor_time last_at;          /* the instant of the last history event */
  uint32_t has_policy;        /* recorded at submission */
  uint32_t disputes;          /* disputes filed so far */
  int32_t info_reason;        /* while PARTNER_ACTION_REQUIRED: cpor_info_reason */
  int32_t removal_reason;     /* once removed by the partner: cpor_removal_reason */
  cpor_policy policy;
  cpor__variants variants;    /* recorded with the policy */
  cpor_time optout_closes_at; /* from submission: the opt-out window's end */
  char *external_ref;         /* the caller's reference, NULL when none */
  char *idempotency_key;      /* the key of the create that made it, NULL when none */
  /* not encoded: the store's revision as read (0: a new claim) */
  uint64_t revision;
  /* the schema of the record it was read from (0: a new claim) */
  uint32_t record_schema;
  /* not stored: computed when the handle is handed out */
  int overdue;
  cpor_time read_at;
};

struct cpor_event {
  uint32_t seq;
  cpor_time at;
  int32_t kind, state, role;
  char *org, *user, *text;
  char *payload; /* JSON object text: what the event changed ("{}" when nothing) */
};

/* The claim unit of a line: "t:<tenant>:<WORKLOAD>" or "s:<subscription>";
 * malloc'd, NULL on OOM. */
char *cpor__unit_key(const cpor_claim *c, const cpor__line *l);
/* Whether line l of c is on unit (no allocation). */
int cpor__line_on_unit(const cpor_claim *c, const cpor__line *l, const char *unit);

/* The policy a claim records when the context's is the default one: the
 * windows of CPOR_POLICY_DEFAULT and the default variants (opt-out from
 * approval, the customer may not end, one dispute). Records and payloads
 * name it (claim schema 4: "policy": "default") instead of spelling it out;
 * the name means these values for good: another default gets another name. */
#define CPOR__POLICY_DEFAULT_NAME "default"
int cpor__policy_is_default(const cpor_policy *p, const cpor__variants *v);
void cpor__policy_set_default(cpor_claim *c);

/* Frees n lines and the array. */
void cpor__lines_free(cpor__line *v, size_t n);

/* strdup that accepts NULL. Sets *oom when a copy fails. */
char *cpor__strdup(const char *s, int *oom);

#endif
