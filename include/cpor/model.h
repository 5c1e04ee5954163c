/* libcpor — the domain model: enumerations, actors, and read-only handles.
 *
 * Handles (cpor_partner, cpor_claim, ...) are snapshots read from the store
 * and owned by the caller: free each with its _free function (NULL is a
 * no-op). Strings returned by getters belong to the handle and live as long
 * as it does. Changes go through the context functions in context.h. */
#ifndef CPOR_MODEL_H
#define CPOR_MODEL_H

#include "calendar.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- enumerations (values fixed; 0 is never a valid value) --------------- */

typedef enum cpor_state {
  CPOR_STATE_EDITING = 1,
  CPOR_STATE_SUBMITTED = 2,
  CPOR_STATE_UNDER_REVIEW = 3,
  CPOR_STATE_PARTNER_ACTION_REQUIRED = 4,
  CPOR_STATE_APPROVED = 5,
  CPOR_STATE_ASSOCIATED = 6,
  CPOR_STATE_REJECTED = 7,
  CPOR_STATE_DISPUTED = 8,
  CPOR_STATE_ENDED = 9
} cpor_state;

/* Why a claim (or a line) was rejected or ended. */
typedef enum cpor_reason {
  CPOR_REASON_NONE = 0,
  CPOR_REASON_INSUFFICIENT_POE = 1,
  CPOR_REASON_MISSING_CONSENT = 2, /* missing customer consent on PoE */
  CPOR_REASON_MISSING_PRODUCTS = 3,
  CPOR_REASON_POE_UNAVAILABLE = 4,
  CPOR_REASON_NO_PARTNER_RESPONSE = 5,
  CPOR_REASON_CUSTOMER_DECLINED = 6,
  CPOR_REASON_PARTNER_REQUEST = 7,
  CPOR_REASON_LOST_ARBITRATION = 8,
  CPOR_REASON_SUPERSEDED = 9,
  CPOR_REASON_SUBSCRIPTION_ENDED = 10,
  CPOR_REASON_PARTNER_REMOVED = 11
} cpor_reason;

/* Why a reviewer asks the partner for information (Partner Center's 2023
 * Manage page). */
typedef enum cpor_info_reason {
  CPOR_INFO_MISSING_POE = 1,
  CPOR_INFO_MISSING_CUSTOMER_ACK = 2, /* missing customer acknowledgment */
  CPOR_INFO_MISSING_DATES = 3,        /* missing or outdated dates */
  CPOR_INFO_MISSING_PARTNER_SERVICE = 4,
  CPOR_INFO_MISSING_PRODUCTS = 5,
  CPOR_INFO_OTHER = 6
} cpor_info_reason;

/* Why a partner removes an association (Partner Center makes it mandatory). */
typedef enum cpor_removal_reason {
  CPOR_REMOVAL_CUSTOMER_REQUEST = 1,
  CPOR_REMOVAL_ENGAGEMENT_ENDED = 2,
  CPOR_REMOVAL_CLAIMED_IN_ERROR = 3,
  CPOR_REMOVAL_OTHER = 4
} cpor_removal_reason;

typedef enum cpor_area {
  CPOR_AREA_M365 = 1,   /* Microsoft 365: the claim unit is (tenant, workload) */
  CPOR_AREA_BIZAPPS = 2 /* Business Applications: the claim unit is the subscription */
} cpor_area;

typedef enum cpor_activity {
  CPOR_ACTIVITY_PRESALES = 1,
  CPOR_ACTIVITY_USAGE = 2,
  CPOR_ACTIVITY_REVENUE = 3 /* revenue association: no incentive payment */
} cpor_activity;

typedef enum cpor_program {
  CPOR_PROGRAM_OSA_SELL = 1,
  CPOR_PROGRAM_OSU_M365 = 2,
  CPOR_PROGRAM_OSU_BIZAPPS = 3
} cpor_program;

typedef enum cpor_channel {
  CPOR_CHANNEL_VOLUME_LICENSING = 1,
  CPOR_CHANNEL_WEB_DIRECT = 2,
  CPOR_CHANNEL_CSP = 3
} cpor_channel;

typedef enum cpor_sub_state {
  CPOR_SUB_PROVISIONING = 1,
  CPOR_SUB_ACTIVE = 2,
  CPOR_SUB_IN_GRACE = 3,
  CPOR_SUB_EXPIRED = 4,
  CPOR_SUB_DISABLED = 5
} cpor_sub_state;

typedef enum cpor_role {
  CPOR_ROLE_GLOBAL_ADMIN = 1,
  CPOR_ROLE_BILLING_ADMIN = 2,
  CPOR_ROLE_INCENTIVES_ADMIN = 3,
  CPOR_ROLE_INCENTIVES_USER = 4,
  CPOR_ROLE_REVIEWER = 5, /* Microsoft */
  CPOR_ROLE_CUSTOMER = 6, /* an admin of the claimed tenant */
  CPOR_ROLE_SYSTEM = 7    /* automatic transitions */
} cpor_role;

enum cpor_event_kind {
  CPOR_EVENT_CREATED = 1,
  CPOR_EVENT_EDITED = 2,
  CPOR_EVENT_POE_ADDED = 3,
  CPOR_EVENT_COMMENTED = 4,
  CPOR_EVENT_SUBMITTED = 5,
  CPOR_EVENT_CONTESTED = 6, /* another partner holds or claims a unit of this claim */
  CPOR_EVENT_REVIEW_STARTED = 7,
  CPOR_EVENT_INFO_REQUESTED = 8,
  CPOR_EVENT_RESPONDED = 9,
  CPOR_EVENT_APPROVED = 10, /* the customer is notified; the opt-out window opens */
  CPOR_EVENT_REJECTED = 11,
  CPOR_EVENT_OPTED_OUT = 12,
  CPOR_EVENT_ASSOCIATED = 13,
  CPOR_EVENT_DISPUTED = 14,
  CPOR_EVENT_DISPUTE_GRANTED = 15,
  CPOR_EVENT_DISPUTE_UPHELD = 16,
  CPOR_EVENT_WITHDRAWN = 17,
  CPOR_EVENT_REMOVED = 18,
  CPOR_EVENT_ENDED = 19,
  CPOR_EVENT_LINE_ENDED = 20,   /* one line ended; the claim goes on with the others */
  CPOR_EVENT_LINE_REJECTED = 21 /* one line lost arbitration; the claim goes on */
};

/* Names: states as DESIGN.md spells them ("UNDER_REVIEW"); reasons, areas,
 * activities, programs, channels, subscription states, roles and event kinds
 * in lower_snake_case ("lost_arbitration", "m365", "bizapps", "presales",
 * "usage", "revenue", "osa_sell", "osu_m365", "osu_bizapps",
 * "volume_licensing", "web_direct", "csp", "provisioning", "active",
 * "in_grace", "expired", "disabled", "global_admin", "billing_admin",
 * "incentives_admin", "incentives_user", "reviewer", "customer", "system",
 * "created", ...). _name returns NULL for an unknown value; _from_name
 * returns CPOR_EINVAL for an unknown name (exact, case-sensitive). */
CPOR_API const char *cpor_state_name(int state);
CPOR_API int cpor_state_from_name(const char *name, int *out);
CPOR_API const char *cpor_reason_name(int reason);
CPOR_API int cpor_reason_from_name(const char *name, int *out);
CPOR_API const char *cpor_area_name(int area);
CPOR_API int cpor_area_from_name(const char *name, int *out);
CPOR_API const char *cpor_activity_name(int activity);
CPOR_API int cpor_activity_from_name(const char *name, int *out);
CPOR_API const char *cpor_program_name(int program);
CPOR_API int cpor_program_from_name(const char *name, int *out);
CPOR_API const char *cpor_channel_name(int channel);
CPOR_API int cpor_channel_from_name(const char *name, int *out);
CPOR_API const char *cpor_sub_state_name(int state);
CPOR_API int cpor_sub_state_from_name(const char *name, int *out);
CPOR_API const char *cpor_role_name(int role);
CPOR_API int cpor_role_from_name(const char *name, int *out);
CPOR_API const char *cpor_event_kind_name(int kind);
/* "missing_poe", "missing_customer_ack", "missing_dates",
 * "missing_partner_service", "missing_products", "other". */
CPOR_API const char *cpor_info_reason_name(int reason);
CPOR_API int cpor_info_reason_from_name(const char *name, int *out);
/* "customer_request", "engagement_ended", "claimed_in_error", "other". */
CPOR_API const char *cpor_removal_reason_name(int reason);
CPOR_API int cpor_removal_reason_from_name(const char *name, int *out);
/* The activity's display name on the 2023 Partner Center pages ("Usage
 * recognition", "Build intent \u2013 Advisor", "Influenced revenue
 * recognition"; UTF-8); the codes and cpor_activity_name stay. */
CPOR_API const char *cpor_activity_display_name(int activity);

/* ---- actors -------------------------------------------------------------- */

/* Who is calling. org is the partner ID for the four partner roles, the
 * tenant ID (GUID) for CPOR_ROLE_CUSTOMER, and ignored (may be NULL) for the
 * reviewer and the system. user is a free-form user ID (1-128 bytes). The
 * strings are borrowed for the duration of a call. */
#define CPOR_ACTOR_VERSION 1
typedef struct cpor_actor {
  uint32_t version; /* CPOR_ACTOR_VERSION, or any older one */
  uint32_t role;    /* cpor_role: required (0 is no role) */
  const char *org;
  const char *user;
} cpor_actor;
#define CPOR_ACTOR_INIT CPOR_VERSIONED_INIT(cpor_actor, CPOR_ACTOR_VERSION)
/* Zeroes *actor by version's size and sets its version; CPOR_EVERSION for
 * an unknown version. Every call taking an actor refuses a version of 0 or
 * newer than the library's with CPOR_EVERSION. */
CPOR_API int cpor_actor_init(cpor_actor *actor, uint32_t version);

/* ---- directory handles ----------------------------------------------------- */

typedef struct cpor_partner cpor_partner;
typedef struct cpor_location cpor_location;
typedef struct cpor_customer cpor_customer;
typedef struct cpor_tenant cpor_tenant;
typedef struct cpor_subscription cpor_subscription;
typedef struct cpor_workload cpor_workload;

CPOR_API const char *cpor_partner_id(const cpor_partner *p);
CPOR_API const char *cpor_partner_name(const cpor_partner *p);
CPOR_API void cpor_partner_free(cpor_partner *p);

CPOR_API const char *cpor_location_mpn_id(const cpor_location *l);
CPOR_API const char *cpor_location_partner_id(const cpor_location *l);
CPOR_API const char *cpor_location_name(const cpor_location *l);
/* 1 when enrolled in the program, else 0. */
CPOR_API int cpor_location_is_enrolled(const cpor_location *l, int program);
CPOR_API void cpor_location_free(cpor_location *l);

CPOR_API const char *cpor_customer_id(const cpor_customer *c);
CPOR_API const char *cpor_customer_name(const cpor_customer *c);
CPOR_API void cpor_customer_free(cpor_customer *c);

CPOR_API const char *cpor_tenant_id(const cpor_tenant *t); /* canonical lowercase GUID */
CPOR_API const char *cpor_tenant_customer_id(const cpor_tenant *t);
CPOR_API size_t cpor_tenant_domain_count(const cpor_tenant *t);
/* Domains in lowercase, in the order added; NULL when i is out of range. */
CPOR_API const char *cpor_tenant_domain(const cpor_tenant *t, size_t i);
CPOR_API void cpor_tenant_free(cpor_tenant *t);

CPOR_API const char *cpor_subscription_id(const cpor_subscription *s);
CPOR_API const char *cpor_subscription_tenant_id(const cpor_subscription *s);
CPOR_API const char *cpor_subscription_workload(const cpor_subscription *s);
CPOR_API int cpor_subscription_channel(const cpor_subscription *s);
CPOR_API int cpor_subscription_state(const cpor_subscription *s);
CPOR_API void cpor_subscription_free(cpor_subscription *s);

CPOR_API const char *cpor_workload_code(const cpor_workload *w);
CPOR_API const char *cpor_workload_name(const cpor_workload *w);
CPOR_API int cpor_workload_area(const cpor_workload *w);
/* 1 when a claim line on this workload names a subscription. */
CPOR_API int cpor_workload_needs_subscription(const cpor_workload *w);
/* 1 when the workload is a Dynamics 365 product (a claim needs a technical contact). */
CPOR_API int cpor_workload_is_dynamics(const cpor_workload *w);
CPOR_API int cpor_workload_is_builtin(const cpor_workload *w);
CPOR_API void cpor_workload_free(cpor_workload *w);

/* ---- claims ------------------------------------------------------------------ */

typedef struct cpor_claim cpor_claim;
typedef struct cpor_event cpor_event;

/* Instants that are not set read as CPOR_TIME_NONE. */
#define CPOR_TIME_NONE INT64_MIN

CPOR_API const char *cpor_claim_id(const cpor_claim *c);
CPOR_API const char *cpor_claim_name(const cpor_claim *c);
CPOR_API int cpor_claim_state(const cpor_claim *c);
CPOR_API int cpor_claim_reason(const cpor_claim *c); /* CPOR_REASON_NONE unless REJECTED/ENDED */
CPOR_API const char *cpor_claim_partner_id(const cpor_claim *c);
CPOR_API const char *cpor_claim_mpn_id(const cpor_claim *c);
CPOR_API const char *cpor_claim_tenant_id(const cpor_claim *c);
CPOR_API const char *cpor_claim_domain(const cpor_claim *c);
CPOR_API int cpor_claim_area(const cpor_claim *c);
CPOR_API int cpor_claim_activity(const cpor_claim *c);
CPOR_API cpor_time cpor_claim_created_at(const cpor_claim *c);
CPOR_API cpor_time cpor_claim_updated_at(const cpor_claim *c);
/* The exclusive end of the window open in the current state: the opt-out
 * window while APPROVED, the response window while PARTNER_ACTION_REQUIRED,
 * the dispute window while REJECTED and disputable; else CPOR_TIME_NONE. */
CPOR_API cpor_time cpor_claim_window_closes_at(const cpor_claim *c);
/* The exclusive end of the review SLA of the current state (SUBMITTED,
 * UNDER_REVIEW, DISPUTED), else CPOR_TIME_NONE; overdue is 1 when the clock
 * read by the call that returned the handle had passed it (a contested claim
 * under review is never overdue: arbitration may take longer). */
CPOR_API cpor_time cpor_claim_sla_due_at(const cpor_claim *c);
CPOR_API int cpor_claim_overdue(const cpor_claim *c);
/* 1 when another partner held or claimed one of its units when it was submitted. */
CPOR_API int cpor_claim_contested(const cpor_claim *c);
/* 1 when REJECTED and a dispute is still possible (reason and window permitting). */
CPOR_API int cpor_claim_disputable(const cpor_claim *c);

CPOR_API size_t cpor_claim_line_count(const cpor_claim *c);
CPOR_API const char *cpor_claim_line_workload(const cpor_claim *c, size_t i);
/* The line's subscription GUID, or NULL for a Microsoft 365 line. */
CPOR_API const char *cpor_claim_line_subscription(const cpor_claim *c, size_t i);
/* A line's own state: follows the claim, except a line that lost arbitration
 * (REJECTED) or was superseded (ENDED) while the claim went on. 0 when i is
 * out of range. */
CPOR_API int cpor_claim_line_state(const cpor_claim *c, size_t i);
CPOR_API int cpor_claim_line_reason(const cpor_claim *c, size_t i);
/* While PARTNER_ACTION_REQUIRED: why the reviewer asked (cpor_info_reason);
 * else 0. */
CPOR_API int cpor_claim_info_reason(const cpor_claim *c);
/* Once removed by the partner (ENDED, partner_removed): why
 * (cpor_removal_reason); else 0. */
CPOR_API int cpor_claim_removal_reason(const cpor_claim *c);

/* Contact fields: which is one of the CPOR_FIELD_* values; NULL when unset. */
typedef enum cpor_field {
  CPOR_FIELD_CUSTOMER_CONTACT_NAME = 1,
  CPOR_FIELD_CUSTOMER_CONTACT_TITLE = 2,
  CPOR_FIELD_CUSTOMER_CONTACT_EMAIL = 3,
  CPOR_FIELD_TECHNICAL_CONTACT_NAME = 4,
  CPOR_FIELD_TECHNICAL_CONTACT_TITLE = 5,
  CPOR_FIELD_TECHNICAL_CONTACT_EMAIL = 6,
  CPOR_FIELD_PARTNER_CONTACT_NAME = 7,
  CPOR_FIELD_PARTNER_CONTACT_EMAIL = 8,
  CPOR_FIELD_SOLUTION_SELLER = 9, /* revenue association */
  CPOR_FIELD_CUSTOMER_NAME = 10,  /* revenue association */
  CPOR_FIELD_ISV_PRODUCT = 11     /* revenue association */
} cpor_field;
CPOR_API const char *cpor_claim_field(const cpor_claim *c, int field);

/* Proof-of-execution references (the library stores digests, not files). */
CPOR_API size_t cpor_claim_poe_count(const cpor_claim *c);
CPOR_API const char *cpor_claim_poe_name(const cpor_claim *c, size_t i);
CPOR_API const char *cpor_claim_poe_media_type(const cpor_claim *c, size_t i);
CPOR_API const char *cpor_claim_poe_sha256(const cpor_claim *c, size_t i); /* 64 lowercase hex */
CPOR_API uint64_t cpor_claim_poe_size(const cpor_claim *c, size_t i);
/* When the PoE reference was added (CPOR_TIME_NONE for PoE added before 0.2). */
CPOR_API cpor_time cpor_claim_poe_added_at(const cpor_claim *c, size_t i);
/* The most recent PoE instant of the claim, or CPOR_TIME_NONE: what the
 * reviewer compares across competitors (cpor_claim_competitors). */
CPOR_API cpor_time cpor_claim_last_poe_at(const cpor_claim *c);
/* The caller's reference and the idempotency key of the create that made
 * the claim (cpor_claim_spec v2), NULL when none. */
CPOR_API const char *cpor_claim_external_ref(const cpor_claim *c);
CPOR_API const char *cpor_claim_idempotency_key(const cpor_claim *c);
/* The stored record's revision: 1 once created, one more at every write of
 * the claim (edits, transitions, PoE, comments, and the timed transitions
 * settling writes to the store); 0 for NULL. What an edit's
 * expected_revision compares with. */
CPOR_API uint64_t cpor_claim_revision(const cpor_claim *c);
CPOR_API void cpor_claim_free(cpor_claim *c);

CPOR_API uint32_t cpor_event_seq(const cpor_event *e); /* 1, 2, ... within its claim */
CPOR_API cpor_time cpor_event_at(const cpor_event *e);
CPOR_API int cpor_event_kind(const cpor_event *e);
CPOR_API int cpor_event_actor_role(const cpor_event *e);
CPOR_API const char *cpor_event_actor_org(const cpor_event *e); /* "" for reviewer/system */
CPOR_API const char *cpor_event_actor_user(const cpor_event *e);
CPOR_API int cpor_event_state(const cpor_event *e);        /* the claim's state after the event */
CPOR_API const char *cpor_event_text(const cpor_event *e); /* stored whole (<= 4000 bytes of
                                                            * caller text plus the wording) */
/* What the event changed, as a JSON object text with sorted keys: created
 * {"claim":{...}} (the fields it was created with; since 0.3 an unset field
 * is left out rather than null), edited {"changes":{field:{"from":..,"to":..}}}, poe_added
 * {"poe":{...}}, submitted {"policy":{...}} (since 0.3 {"policy":"default"}
 * when the policy is CPOR_POLICY_DEFAULT with the default variants: see
 * README.md, "Stored records"), rejected {"reason":..} or
 * {"line":k,"reason":..}, line events {"line":k,"reason":..}; "{}" for the
 * rest and for events written before 0.2. */
CPOR_API const char *cpor_event_payload(const cpor_event *e);
CPOR_API void cpor_event_free(cpor_event *e);

#ifdef __cplusplus
}
#endif

#endif /* CPOR_MODEL_H */
