/* libcpor — the context: storage, clock, calendar, time zone, policy; and
 * every operation on the directory (partners, customers, tenants, ...) and on
 * claims.
 *
 * A cpor_ctx is used by one thread at a time. Each call reads the clock once.
 * Each call that changes anything is all-or-nothing: it runs in one storage
 * transaction and a failure leaves the store as it was. Error detail for the
 * last failed call: cpor_ctx_errcode / cpor_ctx_errmsg. */
#ifndef CPOR_CONTEXT_H
#define CPOR_CONTEXT_H

#include "model.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cpor_ctx cpor_ctx;
typedef struct cpor_storage cpor_storage;

/* ---- clock ------------------------------------------------------------------ */

/* Writes "now" to *out and returns CPOR_OK (any other value fails the call
 * that read it with CPOR_EINVAL). */
typedef int (*cpor_clock_fn)(void *user, cpor_time *out);

/* A settable clock for tests and bindings: pass cpor_manual_clock_now as the
 * clock and the cpor_manual_clock as its user pointer. Not thread-safe. */
typedef struct cpor_manual_clock cpor_manual_clock;
CPOR_API int cpor_manual_clock_new(cpor_manual_clock **out, cpor_time start);
CPOR_API void cpor_manual_clock_free(cpor_manual_clock *clock);
CPOR_API void cpor_manual_clock_set(cpor_manual_clock *clock, cpor_time now);
/* Moves the clock by ms (either sign), saturating at INT64_MIN / INT64_MAX. */
CPOR_API void cpor_manual_clock_advance(cpor_manual_clock *clock, int64_t ms);
CPOR_API cpor_time cpor_manual_clock_get(const cpor_manual_clock *clock);
CPOR_API int cpor_manual_clock_now(void *clock, cpor_time *out);
/* The system clock (CLOCK_REALTIME): the default. user is ignored. */
CPOR_API int cpor_system_clock_now(void *user, cpor_time *out);

/* ---- policy ------------------------------------------------------------------- */

typedef enum cpor_day_unit {
  CPOR_BUSINESS_DAYS = 1, /* counted with the context's calendar */
  CPOR_CALENDAR_DAYS = 2  /* every day counts */
} cpor_day_unit;

typedef struct cpor_window {
  int32_t count; /* 1..3650; 0 = the default window (count and unit) */
  uint32_t unit; /* cpor_day_unit; 0 = the default window's unit */
} cpor_window;

/* Every window of DESIGN.md 1.2. Defaults in brackets: a zero window (as
 * CPOR_CTX_OPTIONS_INIT leaves it) is the default. */
typedef struct cpor_policy {
  cpor_window optout;             /* opt-out window after approval [5 business days] */
  cpor_window response;           /* partner response to an info request [5 business] */
  cpor_window review_start_sla;   /* submitted -> review start [5 business] */
  cpor_window review_sla;         /* review decision [5 business] */
  cpor_window dispute;            /* dispute window after rejection [30 calendar days] */
  cpor_window dispute_review_sla; /* dispute review [5 business] */
} cpor_policy;

/* The policy recorded on the claim when it was submitted (its windows from
 * then on): 1 with *out set, 0 for a draft (the context's policy applies). */
CPOR_API int cpor_claim_policy(const cpor_claim *c, cpor_policy *out);
/* The variants recorded with it (0 for a draft): cpor_optout_from; 1 when the
 * customer may end the association; the disputes allowed. */
CPOR_API int cpor_claim_optout_from(const cpor_claim *c);
CPOR_API int cpor_claim_customer_may_end(const cpor_claim *c);
CPOR_API int cpor_claim_max_disputes(const cpor_claim *c);
/* The exclusive end of the customer's opt-out window, while one is open or
 * ahead (from submission under CPOR_OPTOUT_FROM_SUBMISSION, else while
 * APPROVED); CPOR_TIME_NONE otherwise. */
CPOR_API cpor_time cpor_claim_optout_closes_at(const cpor_claim *c);

/* ---- storage -------------------------------------------------------------------- */

/* An in-memory store (tests, embedding). Freed with cpor_storage_free. */
CPOR_API int cpor_storage_open_memory(cpor_storage **out);

/* Zero fields are the defaults in brackets. Version 2 added cache_mb and
 * mmap_mb (a version 1 struct gets their defaults). */
#define CPOR_SQLITE_OPTIONS_VERSION 2
typedef struct cpor_sqlite_options {
  uint32_t version; /* CPOR_SQLITE_OPTIONS_VERSION, or any older one */
  /* Wait up to this many ms for a lock [0 = 5000]; negative (-1) = fail at
   * once, without waiting. */
  int32_t busy_timeout_ms;
  uint32_t synchronous_full; /* 1: PRAGMA synchronous=FULL; 0: NORMAL [0] */
  uint32_t read_only;        /* 1: open read-only [0] */
  /* v2: the page cache limit in MiB, 1..65536 [0 = 64]. */
  int32_t cache_mb;
  /* v2: read the file through mmap, up to this many MiB, 1..1048576
   * [0 = 2048]; -1 = no mmap. SQLite caps it at its SQLITE_MAX_MMAP_SIZE
   * (usually 2 GiB). */
  int32_t mmap_mb;
} cpor_sqlite_options;
#define CPOR_SQLITE_OPTIONS_INIT                                                                   \
  CPOR_VERSIONED_INIT(cpor_sqlite_options, CPOR_SQLITE_OPTIONS_VERSION)
/* Zeroes *opts by version's size (1..CPOR_SQLITE_OPTIONS_VERSION) and sets
 * the version: every default. CPOR_EINVAL for NULL, CPOR_EVERSION for an
 * unknown version. */
CPOR_API int cpor_sqlite_options_init(cpor_sqlite_options *opts, uint32_t version);
/* Opens (creating when missing) a libcpor SQLite database; path may be
 * ":memory:". opts may be NULL (defaults). CPOR_EVERSION for an options
 * version of 0 or newer than the library's, CPOR_EINVAL for an option out of
 * its range, CPOR_ECORRUPT for a file that is not a libcpor database,
 * CPOR_EVERSION for a newer schema, CPOR_ESTORAGE when it cannot be opened;
 * the message goes to err (may be NULL). */
CPOR_API int cpor_storage_open_sqlite(cpor_storage **out, const char *path,
                                      const cpor_sqlite_options *opts, char *err, size_t errlen);
/* Closes the backend. NULL is a no-op. Must outlive every context using it. */
CPOR_API void cpor_storage_free(cpor_storage *storage);

/* ---- the context ---------------------------------------------------------------- */

/* Where the customer's opt-out window opens (DESIGN.md Part 5). */
typedef enum cpor_optout_from {
  CPOR_OPTOUT_FROM_APPROVAL = 1,  /* the overview page: the customer is notified on approval */
  CPOR_OPTOUT_FROM_SUBMISSION = 2 /* notified on submit; association still needs approval and
                                     the elapsed window */
} cpor_optout_from;

/* Every field's zero (NULL) is its default. Version 2 added the policy
 * variants (optout_from, customer_may_end, max_disputes). */
#define CPOR_CTX_OPTIONS_VERSION 2
typedef struct cpor_ctx_options {
  uint32_t version; /* CPOR_CTX_OPTIONS_VERSION, or any older one */
  /* Storage: a borrowed backend (the caller frees it after closing the
   * context), else the database at db_path (owned by the context): a
   * PostgreSQL store when it starts with postgresql:// or postgres://
   * (cpor/postgres.h, default options), a SQLite file otherwise; else a
   * fresh in-memory store (owned). */
  cpor_storage *storage;
  const char *db_path;
  const cpor_sqlite_options *sqlite; /* for db_path; NULL = defaults */
  /* Clock: NULL = cpor_system_clock_now. */
  cpor_clock_fn clock;
  void *clock_user;
  /* Business-day calendar: NULL = the built-in "weekends". The context takes
   * its own reference. */
  cpor_calendar *calendar;
  /* The policy's time zone as a POSIX TZ rule: NULL = "UTC0". */
  const char *tz;
  cpor_policy policy; /* zero windows: the defaults (see cpor_policy) */
  /* Where cpor_ctx_open writes its failure message (NULL / 0: nowhere).
   * Version 1 fields: written even when the options version is refused. */
  char *errbuf;
  size_t errbuf_len;
  /* v2: policy variants, recorded on each claim when it is submitted (like
   * the windows): where the opt-out window opens (cpor_optout_from) [0 =
   * approval]; 1: the customer may end an official association at any time
   * with cpor_claim_opt_out (ENDED, customer_declined) [0 = no]; the
   * disputes a claim may file, 1-100 [0 = 1: after one dispute a rejection is
   * final]. */
  uint32_t optout_from;
  uint32_t customer_may_end;
  uint32_t max_disputes;
} cpor_ctx_options;

/* The default policy spelled out (what a zero cpor_policy means). */
#define CPOR_POLICY_DEFAULT                                                                        \
  {                                                                                                \
    {5, CPOR_BUSINESS_DAYS}, {5, CPOR_BUSINESS_DAYS}, {5, CPOR_BUSINESS_DAYS},                     \
        {5, CPOR_BUSINESS_DAYS}, {30, CPOR_CALENDAR_DAYS}, {                                       \
      5, CPOR_BUSINESS_DAYS                                                                        \
    }                                                                                              \
  }
#define CPOR_CTX_OPTIONS_INIT CPOR_VERSIONED_INIT(cpor_ctx_options, CPOR_CTX_OPTIONS_VERSION)
/* Zeroes *opts by version's size (1..CPOR_CTX_OPTIONS_VERSION) and sets the
 * version: every default. CPOR_EINVAL for NULL, CPOR_EVERSION for an unknown
 * version. */
CPOR_API int cpor_ctx_options_init(cpor_ctx_options *opts, uint32_t version);

/* opts may be NULL (all defaults). CPOR_EVERSION for an options version of 0
 * or newer than the library's (the message names both), CPOR_EINVAL for a
 * bad time zone or policy. *out is NULL on failure. */
CPOR_API int cpor_ctx_open(cpor_ctx **out, const cpor_ctx_options *opts);
CPOR_API void cpor_ctx_close(cpor_ctx *ctx); /* NULL is a no-op; rolls back an open batch */

/* The last failed call's code (CPOR_OK after a success) and message ("" when
 * none). The message lives until the next call on the context. */
CPOR_API int cpor_ctx_errcode(const cpor_ctx *ctx);
CPOR_API const char *cpor_ctx_errmsg(const cpor_ctx *ctx);
/* The context's clock, read once. */
CPOR_API int cpor_ctx_now(cpor_ctx *ctx, cpor_time *out);

/* Batches: calls between begin and commit share one storage transaction (much
 * faster for bulk work). A call that fails inside a batch still changes
 * nothing itself; the batch goes on. rollback discards the whole batch.
 * CPOR_ESTATE for begin inside a batch or commit/rollback outside one. */
CPOR_API int cpor_ctx_begin(cpor_ctx *ctx);
CPOR_API int cpor_ctx_commit(cpor_ctx *ctx);
CPOR_API int cpor_ctx_rollback(cpor_ctx *ctx);

/* ---- directory: reference data ------------------------------------------------ */

/* Every directory call takes the calling actor (DESIGN.md 1.4):
 *   - writes: the system may do all; a partner's global admin may create and
 *     rename its own partner's locations. Any other role is CPOR_EPERM for a
 *     write, whatever it names.
 *   - reads: system and reviewer read everything; a partner role reads its
 *     own partner and its locations; a customer reads its own tenant, that
 *     tenant's subscriptions and its customer record; everyone reads the
 *     workload catalog.
 * A record the actor may not reach answers CPOR_ENOTFOUND with exactly the
 * message of an unknown ID ("no such tenant '<id>'"), so no caller learns
 * that another organization's record exists. An invalid actor is CPOR_EINVAL
 * (CPOR_EVERSION for an unknown actor version). The actor is checked before
 * the other arguments.
 *
 * Listings are sorted by ID (bytewise) and hold only what the actor may
 * read; the filter argument (partner_id, customer_id, tenant_id) may be NULL
 * for all, else it names a record the actor must be able to read
 * (CPOR_ENOTFOUND otherwise). Each _iter_next returns CPOR_OK with *out set
 * (the caller frees it) or CPOR_ITEROVER at the end; _iter_free accepts
 * NULL. The whole result is read when the iterator is made. */

/* partner_id: 1-64 bytes of [A-Za-z0-9._-]; name 1-256 bytes. System only. */
CPOR_API int cpor_partner_create(cpor_ctx *ctx, const cpor_actor *actor, const char *partner_id,
                                 const char *name);
CPOR_API int cpor_partner_get(cpor_ctx *ctx, const cpor_actor *actor, const char *partner_id,
                              cpor_partner **out);
typedef struct cpor_partner_iter cpor_partner_iter;
CPOR_API int cpor_partner_list(cpor_ctx *ctx, const cpor_actor *actor, cpor_partner_iter **out);
CPOR_API int cpor_partner_iter_next(cpor_partner_iter *it, cpor_partner **out);
CPOR_API void cpor_partner_iter_free(cpor_partner_iter *it);

/* mpn_id: 1-10 ASCII digits, unique across partners (CPOR_EEXISTS names
 * only the MPN ID). The system, or the partner's global admin. */
CPOR_API int cpor_location_create(cpor_ctx *ctx, const cpor_actor *actor, const char *partner_id,
                                  const char *mpn_id, const char *name);
/* A new name (1-256 bytes). The system, or the partner's global admin. */
CPOR_API int cpor_location_rename(cpor_ctx *ctx, const cpor_actor *actor, const char *mpn_id,
                                  const char *name);
CPOR_API int cpor_location_get(cpor_ctx *ctx, const cpor_actor *actor, const char *mpn_id,
                               cpor_location **out);
/* Enrolls (enrolled = 1) or unenrolls (0) a location in a program. System only. */
CPOR_API int cpor_location_enroll(cpor_ctx *ctx, const cpor_actor *actor, const char *mpn_id,
                                  int program, int enrolled);
typedef struct cpor_location_iter cpor_location_iter;
/* The locations of partner_id (NULL: of every partner the actor reads), by MPN ID. */
CPOR_API int cpor_location_list(cpor_ctx *ctx, const cpor_actor *actor, const char *partner_id,
                                cpor_location_iter **out);
CPOR_API int cpor_location_iter_next(cpor_location_iter *it, cpor_location **out);
CPOR_API void cpor_location_iter_free(cpor_location_iter *it);

/* A new customer with a generated ID; *id_out (may be NULL) receives a copy of
 * the ID to free with cpor_free. System only. */
CPOR_API int cpor_customer_create(cpor_ctx *ctx, const cpor_actor *actor, const char *name,
                                  char **id_out);
CPOR_API int cpor_customer_get(cpor_ctx *ctx, const cpor_actor *actor, const char *customer_id,
                               cpor_customer **out);
typedef struct cpor_customer_iter cpor_customer_iter;
CPOR_API int cpor_customer_list(cpor_ctx *ctx, const cpor_actor *actor, cpor_customer_iter **out);
CPOR_API int cpor_customer_iter_next(cpor_customer_iter *it, cpor_customer **out);
CPOR_API void cpor_customer_iter_free(cpor_customer_iter *it);

/* tenant_id: a GUID (braces and uppercase accepted; stored canonical);
 * domain: the first domain (RFC 1035 labels; stored lowercase; unique).
 * System only. */
CPOR_API int cpor_tenant_create(cpor_ctx *ctx, const cpor_actor *actor, const char *customer_id,
                                const char *tenant_id, const char *domain);
CPOR_API int cpor_tenant_add_domain(cpor_ctx *ctx, const cpor_actor *actor, const char *tenant_id,
                                    const char *domain);
CPOR_API int cpor_tenant_get(cpor_ctx *ctx, const cpor_actor *actor, const char *tenant_id,
                             cpor_tenant **out);
typedef struct cpor_tenant_iter cpor_tenant_iter;
/* The tenants of customer_id (NULL: every tenant the actor reads). */
CPOR_API int cpor_tenant_list(cpor_ctx *ctx, const cpor_actor *actor, const char *customer_id,
                              cpor_tenant_iter **out);
CPOR_API int cpor_tenant_iter_next(cpor_tenant_iter *it, cpor_tenant **out);
CPOR_API void cpor_tenant_iter_free(cpor_tenant_iter *it);

/* A Business Applications subscription of a tenant. System only. */
CPOR_API int cpor_subscription_create(cpor_ctx *ctx, const cpor_actor *actor,
                                      const char *subscription_id, const char *tenant_id,
                                      const char *workload, int channel, int state);
CPOR_API int cpor_subscription_get(cpor_ctx *ctx, const cpor_actor *actor,
                                   const char *subscription_id, cpor_subscription **out);
/* Changes the state. Expired or disabled ends every association on the
 * subscription (ENDED, reason subscription_ended), in the same transaction;
 * *changed (may be NULL) receives the number of claims changed. System only. */
CPOR_API int cpor_subscription_set_state(cpor_ctx *ctx, const cpor_actor *actor,
                                         const char *subscription_id, int state, size_t *changed);
typedef struct cpor_subscription_iter cpor_subscription_iter;
/* The subscriptions of tenant_id (NULL: every subscription the actor reads). */
CPOR_API int cpor_subscription_list(cpor_ctx *ctx, const cpor_actor *actor, const char *tenant_id,
                                    cpor_subscription_iter **out);
CPOR_API int cpor_subscription_iter_next(cpor_subscription_iter *it, cpor_subscription **out);
CPOR_API void cpor_subscription_iter_free(cpor_subscription_iter *it);

/* The built-in catalog plus registered workloads, readable by every actor.
 * code: 2-32 bytes of [A-Z0-9_]; registering a code that exists is
 * CPOR_EEXISTS. Registering: system only. */
CPOR_API int cpor_workload_register(cpor_ctx *ctx, const cpor_actor *actor, const char *code,
                                    const char *name, int area, int needs_subscription);
/* Changes a workload's display name (system only; built-in entries too: the
 * 2023 pages renamed several). The code never changes. */
CPOR_API int cpor_workload_rename(cpor_ctx *ctx, const cpor_actor *actor, const char *code,
                                  const char *name);
CPOR_API int cpor_workload_get(cpor_ctx *ctx, const cpor_actor *actor, const char *code,
                               cpor_workload **out);
typedef struct cpor_workload_iter cpor_workload_iter;
CPOR_API int cpor_workload_list(cpor_ctx *ctx, const cpor_actor *actor,
                                cpor_workload_iter **out); /* sorted by code */
CPOR_API int cpor_workload_iter_next(cpor_workload_iter *it, cpor_workload **out);
CPOR_API void cpor_workload_iter_free(cpor_workload_iter *it);

/* ---- claims --------------------------------------------------------------------- */

/* What a claim says. For create: mpn_id, tenant_id, domain, area and activity
 * are required; everything else may come later (submit checks it). For edit:
 * NULL strings and 0 enums mean "unchanged", "" clears an optional field, and
 * lines are replaced when line_count > 0. A spec version of 0 or newer than
 * the library's is CPOR_EVERSION (the message names both versions).
 * Version 2 added idempotency_key, external_ref and expected_revision (a
 * version 1 spec reads them as NULL / 0). */
#define CPOR_CLAIM_SPEC_VERSION 2
typedef struct cpor_claim_spec {
  uint32_t version; /* CPOR_CLAIM_SPEC_VERSION, or any older one */
  const char *name;
  const char *mpn_id;
  const char *tenant_id;
  const char *domain;
  uint32_t area;     /* cpor_area */
  uint32_t activity; /* cpor_activity */
  size_t line_count;
  const char *const *workloads;     /* line_count workload codes */
  const char *const *subscriptions; /* line_count GUIDs (NULL entries, or a NULL array, for none) */
  const char *customer_contact_name;
  const char *customer_contact_title;
  const char *customer_contact_email;
  const char *technical_contact_name; /* required for Dynamics 365 lines */
  const char *technical_contact_title;
  const char *technical_contact_email;
  const char *partner_contact_name;
  const char *partner_contact_email;
  const char *solution_seller; /* revenue association */
  const char *customer_name;   /* revenue association */
  const char *isv_product;     /* revenue association */
  /* v2, create only (an edit that sets it is CPOR_EINVAL): the caller's key
   * for this create, 1-200 bytes of text without control characters, unique
   * per partner [NULL = none]. A create that repeats a key with the same
   * content (every other field of the spec, in canonical form) returns the
   * claim the first one made (CPOR_OK, no new claim, no new event); with
   * other content it is CPOR_EEXISTS (the message names the key). */
  const char *idempotency_key;
  /* v2: the caller's own reference, 1-200 bytes of text without control
   * characters; stored, searchable (cpor_claim_query.external_ref) [NULL =
   * none; on edit NULL = unchanged, "" clears it]. */
  const char *external_ref;
  /* v2, edit only (a create that sets it is CPOR_EINVAL): the revision
   * (cpor_claim_revision) the edit expects the claim to be at; when the
   * stored revision differs the edit is CPOR_ECONFLICT (the message names
   * both), not retried, and changes nothing [0 = any revision]. */
  uint64_t expected_revision;
} cpor_claim_spec;
#define CPOR_CLAIM_SPEC_INIT CPOR_VERSIONED_INIT(cpor_claim_spec, CPOR_CLAIM_SPEC_VERSION)
/* Zeroes *spec by version's size and sets the version (CPOR_EINVAL for
 * NULL, CPOR_EVERSION for an unknown version). */
CPOR_API int cpor_claim_spec_init(cpor_claim_spec *spec, uint32_t version);

/* Creates a claim in EDITING. *out (may be NULL) receives the new claim. */
CPOR_API int cpor_claim_create(cpor_ctx *ctx, const cpor_actor *actor, const cpor_claim_spec *spec,
                               cpor_claim **out);
CPOR_API int cpor_claim_edit(cpor_ctx *ctx, const cpor_actor *actor, const char *claim_id,
                             const cpor_claim_spec *changes);
/* name: 1-256 bytes; media_type: type/subtype (<= 127 bytes); sha256: 64 hex
 * digits; 0 < size <= 2^63-1. At most 100 PoE references a claim
 * (CPOR_ERANGE). Allowed while EDITING, SUBMITTED, PARTNER_ACTION_REQUIRED,
 * DISPUTED (the dispute's new PoE), APPROVED and ASSOCIATED. */
CPOR_API int cpor_claim_add_poe(cpor_ctx *ctx, const cpor_actor *actor, const char *claim_id,
                                const char *name, const char *media_type, const char *sha256,
                                uint64_t size);
CPOR_API int cpor_claim_comment(cpor_ctx *ctx, const cpor_actor *actor, const char *claim_id,
                                const char *text);
/* Every problem found is in the error message ("cannot submit (N problems):
 * a; b; ..."); the code is the first one's, in the order of cpor_claim_check. */
CPOR_API int cpor_claim_submit(cpor_ctx *ctx, const cpor_actor *actor, const char *claim_id);

/* Preflight: every problem that would block submitting a draft (claim_id)
 * or a claim made from spec (claim_id NULL) — each missing field, the
 * activity, the location and its enrollment, the tenant's domain, each
 * subscription, each duplicate line — without writing anything. CPOR_OK with
 * *out set (a count of 0: submit would pass as far as the store now says);
 * an error for a bad argument (CPOR_EINVAL, naming it), an actor who may not
 * submit the claim (as submit would), or a store failure. Free the report
 * with cpor_check_report_free. */
typedef struct cpor_check_report cpor_check_report;
CPOR_API int cpor_claim_check(cpor_ctx *ctx, const cpor_actor *actor, const char *claim_id,
                              const cpor_claim_spec *spec, cpor_check_report **out);
CPOR_API size_t cpor_check_report_count(const cpor_check_report *report);
/* The i-th problem's code (CPOR_EINCOMPLETE, ...) and message; 0 / NULL out
 * of range. The message lives as long as the report. */
CPOR_API int cpor_check_report_code(const cpor_check_report *report, size_t i);
CPOR_API const char *cpor_check_report_message(const cpor_check_report *report, size_t i);
CPOR_API void cpor_check_report_free(cpor_check_report *report);
/* Partner request: REJECTED (partner_request) before ASSOCIATED. */
CPOR_API int cpor_claim_withdraw(cpor_ctx *ctx, const cpor_actor *actor, const char *claim_id);
CPOR_API int cpor_claim_start_review(cpor_ctx *ctx, const cpor_actor *actor, const char *claim_id);
/* reason: a cpor_info_reason; text: 1-4000 bytes. */
CPOR_API int cpor_claim_request_info(cpor_ctx *ctx, const cpor_actor *actor, const char *claim_id,
                                     int reason, const char *text);
CPOR_API int cpor_claim_respond(cpor_ctx *ctx, const cpor_actor *actor, const char *claim_id,
                                const char *text);
CPOR_API int cpor_claim_approve(cpor_ctx *ctx, const cpor_actor *actor, const char *claim_id);
/* reason: insufficient_poe, missing_consent, missing_products or poe_unavailable. */
CPOR_API int cpor_claim_reject(cpor_ctx *ctx, const cpor_actor *actor, const char *claim_id,
                               int reason, const char *text);
/* The customer declines inside the opt-out window: REJECTED
 * (customer_declined) — while APPROVED, or from submission under
 * CPOR_OPTOUT_FROM_SUBMISSION. At or after the window's close CPOR_EWINDOW;
 * under customer_may_end an ASSOCIATED claim instead ENDS
 * (customer_declined) at any time. */
CPOR_API int cpor_claim_opt_out(cpor_ctx *ctx, const cpor_actor *actor, const char *claim_id);
CPOR_API int cpor_claim_dispute(cpor_ctx *ctx, const cpor_actor *actor, const char *claim_id,
                                const char *justification);
/* grant != 0: back to UNDER_REVIEW; 0: REJECTED, final. */
CPOR_API int cpor_claim_decide_dispute(cpor_ctx *ctx, const cpor_actor *actor, const char *claim_id,
                                       int grant, const char *text);
/* The partner removes its association: ENDED (partner_removed). reason: a
 * cpor_removal_reason (mandatory); text: optional, at most 4000 bytes,
 * required for CPOR_REMOVAL_OTHER. */
CPOR_API int cpor_claim_remove(cpor_ctx *ctx, const cpor_actor *actor, const char *claim_id,
                               int reason, const char *text);

/* Settled state: every call, reads included, sees the timed transitions due
 * at its now as applied; advance only makes the stored rows catch up (and
 * every write call catches up first). Its result and every other call's do
 * not depend on when, whether or how often it ran.
 * Applies every timed transition due at the clock's now, in deadline order
 * (opt-out window elapsed -> ASSOCIATED, superseding the incumbent; no
 * partner response -> REJECTED). Idempotent. *changed (may be NULL) receives
 * the number of claims that changed state. */
CPOR_API int cpor_ctx_advance(cpor_ctx *ctx, size_t *changed);

CPOR_API int cpor_claim_get(cpor_ctx *ctx, const cpor_actor *actor, const char *claim_id,
                            cpor_claim **out);

/* Queries. Filters combine (AND); unset ones (NULL / 0) do not filter.
 * Partner and customer actors must set at least one field below (any but
 * version); the reviewer and the system may set none: every claim.
 * unit_workload (+ tenant_id) selects a Microsoft 365 unit, unit_subscription
 * a Business Applications one; a unit query returns the claims live on it.
 * Results are in claim ID order, restricted to what the actor may see (a
 * partner its own claims, a customer its tenant's). Paging: limit, then
 * after_id = the last ID of the page, returns every claim exactly once.
 * Version 2 added after_id, limit, window_closes_before and updated_since;
 * version 3 added external_ref. */
#define CPOR_CLAIM_QUERY_VERSION 3
typedef struct cpor_claim_query {
  uint32_t version; /* CPOR_CLAIM_QUERY_VERSION, or any older one */
  const char *partner_id;
  const char *tenant_id;
  uint32_t state; /* cpor_state */
  const char *unit_workload;
  const char *unit_subscription;
  uint32_t overdue; /* 1: only claims past their review SLA */
  /* v2: a resume cursor, a claim ID (GUID): only claims whose ID sorts after
   * it (canonical lowercase compare). */
  const char *after_id;
  uint32_t limit; /* v2: at most this many results [0 = all] */
  /* v2: only claims with an open window (cpor_claim_window_closes_at)
   * closing before this instant [0 = no filter]. */
  cpor_time window_closes_before;
  /* v2: only claims with updated_at >= this instant [0 = no filter]. */
  cpor_time updated_since;
  /* v3: only claims whose external reference is exactly this (1-200 bytes
   * of text) [NULL = no filter]. Read through the partner's (or tenant's)
   * index when the query names one; the reviewer's and the system's query
   * that names neither reads every claim and filters. */
  const char *external_ref;
} cpor_claim_query;
#define CPOR_CLAIM_QUERY_INIT CPOR_VERSIONED_INIT(cpor_claim_query, CPOR_CLAIM_QUERY_VERSION)
/* Zeroes *q by version's size and sets the version (CPOR_EINVAL for NULL,
 * CPOR_EVERSION for an unknown version). */
CPOR_API int cpor_claim_query_init(cpor_claim_query *q, uint32_t version);

typedef struct cpor_claim_iter cpor_claim_iter;
/* CPOR_EVERSION for a query or actor version of 0 or newer than the
 * library's; CPOR_EINVAL for a malformed field or a missing filter. */
CPOR_API int cpor_claim_find(cpor_ctx *ctx, const cpor_actor *actor, const cpor_claim_query *q,
                             cpor_claim_iter **out);
/* A find streams: it reads the first claims at once and the rest as the
 * iterator is consumed, a page at a time, each page in its own read
 * transaction and as of the find's instant; its memory does not grow with
 * the number of results. It reads from ctx, so free it before closing ctx,
 * and inside a batch consume it before the batch ends. A claim written
 * between pages is seen as of the page that reads it; every claim that
 * existed throughout is returned exactly once. Unit and overdue queries
 * (bounded by one unit's rows, or the overdue SLAs) are read at once.
 * next: CPOR_OK with *out set, CPOR_ITEROVER at the end, or the code of a
 * page that failed to read (which ends the iteration; cpor_ctx_errmsg says
 * why). */
CPOR_API int cpor_claim_iter_next(cpor_claim_iter *it, cpor_claim **out);
CPOR_API void cpor_claim_iter_free(cpor_claim_iter *it);

/* Arbitration: the other partners' claims that are live on this claim's
 * units (pending, approved or associated; drafts excluded), in claim ID
 * order. Reviewer and system only: a partner never learns that a competitor
 * exists (CPOR_EPERM for partner roles and customers). */
CPOR_API int cpor_claim_competitors(cpor_ctx *ctx, const cpor_actor *actor, const char *claim_id,
                                    cpor_claim_iter **out);

/* The claim re-derived from its history by the rules alone (the fold of its
 * events), as of the call's now: for audits and tests, it equals what
 * cpor_claim_get returns. CPOR_ECORRUPT (naming the event) when the history
 * does not fold; history written before 0.2 carries no payloads and does not
 * fold. Visibility as cpor_claim_get. */
CPOR_API int cpor_claim_replay(cpor_ctx *ctx, const cpor_actor *actor, const char *claim_id,
                               cpor_claim **out);

typedef struct cpor_event_iter cpor_event_iter;
/* A claim's history in order, as of the call's now: the timed transitions
 * due by then are in it (stamped when their window closed) whether or not
 * cpor_ctx_advance has run. */
CPOR_API int cpor_claim_history(cpor_ctx *ctx, const cpor_actor *actor, const char *claim_id,
                                cpor_event_iter **out);
CPOR_API int cpor_event_iter_next(cpor_event_iter *it, cpor_event **out);
CPOR_API void cpor_event_iter_free(cpor_event_iter *it);

#ifdef __cplusplus
}
#endif

#endif /* CPOR_CONTEXT_H */
