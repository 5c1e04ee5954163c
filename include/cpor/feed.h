/* libcpor — what tooling integrates with: the notification outbox and the
 * change feed (DESIGN.md 1.6 and Part 5).
 *
 * Both are written by the library in the same transaction as the change
 * that causes them, so a consumer never sees a message or a change number
 * for something that was rolled back, and never misses one that committed.
 * They need a backend with counters (storage vtable version 4: the memory,
 * SQLite and PostgreSQL backends); on an older user backend these calls
 * answer CPOR_ENOTSUP. */
#ifndef CPOR_FEED_H
#define CPOR_FEED_H

#include "context.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- the outbox ------------------------------------------------------------
 *
 * Every notification Partner Center owes someone is one message: to the
 * customer (kind "association_requested", on approval), to the partner
 * ("info_requested", "rejected", "lost_arbitration", "association_official",
 * "superseded", "ended", "dispute_decided") or to the reviewers
 * ("claim_submitted", "claim_disputed"). A message names its recipient (role
 * "customer" with the tenant ID, "partner" with the partner ID, "reviewer"
 * with no organization), the claim, the history event that caused it and a
 * JSON payload: the event's payload plus the deadline the recipient is told
 * (opt_out_until, respond_by, dispute_until; null when none) or, for
 * dispute_decided, "granted".
 *
 * Delivery is at least once: a consumer leases messages, delivers them, and
 * acknowledges each; a message whose lease ends without an acknowledgement
 * is leased again (its deliveries count grows). Two consumers never hold the
 * same message inside a lease. Message IDs increase store-wide, so a
 * recipient can drop a duplicate by its ID. System role only (CPOR_EPERM). */

typedef struct cpor_message cpor_message;
typedef struct cpor_message_iter cpor_message_iter;

/* Leases up to max (1-1000) messages not held by another lease, oldest
 * first, for lease_ms (1 ms to 24 h) from the context clock's now. The
 * iterator holds the leased messages (possibly none). */
CPOR_API int cpor_outbox_lease(cpor_ctx *ctx, const cpor_actor *actor, size_t max,
                               uint32_t lease_ms, cpor_message_iter **out);
/* CPOR_OK with *out (the caller frees it) or CPOR_ITEROVER. */
CPOR_API int cpor_message_iter_next(cpor_message_iter *it, cpor_message **out);
CPOR_API void cpor_message_iter_free(cpor_message_iter *it);
/* Removes message id: delivered. CPOR_ENOTFOUND when there is none (never
 * written, or acknowledged already). */
CPOR_API int cpor_outbox_ack(cpor_ctx *ctx, const cpor_actor *actor, uint64_t id);

CPOR_API uint64_t cpor_message_id(const cpor_message *m);
CPOR_API const char *cpor_message_kind(const cpor_message *m);
CPOR_API const char *cpor_message_recipient_role(const cpor_message *m);
CPOR_API const char *cpor_message_recipient_org(const cpor_message *m); /* NULL: reviewers */
CPOR_API const char *cpor_message_claim_id(const cpor_message *m);
CPOR_API uint32_t cpor_message_event_seq(const cpor_message *m);
CPOR_API cpor_time cpor_message_created_at(const cpor_message *m);  /* the event's instant */
CPOR_API cpor_time cpor_message_lease_until(const cpor_message *m); /* this lease's end */
CPOR_API uint32_t cpor_message_deliveries(const cpor_message *m);   /* leases so far, >= 1 */
CPOR_API const char *cpor_message_payload(const cpor_message *m);   /* a JSON object */
/* The whole message as one JSON object: its stored record ("v": 1 or 2),
 * with the payload written in when the record refers to its event's
 * (version 2 stores no copy of a payload the event holds as it is). */
CPOR_API const char *cpor_message_json(const cpor_message *m);
CPOR_API void cpor_message_free(cpor_message *m);

/* ---- the change feed --------------------------------------------------------
 *
 * Every write that changes a claim gives it a change number, store-wide and
 * increasing by one, with the claim's state and the seq of its last history
 * event after the write. A consumer that resumes after the last number it
 * saw sees every later change it may see: numbers become visible in the
 * order they were given, also with writers on many hosts (the PostgreSQL
 * backend keeps the counter's row locked until the writer commits, so the
 * next writer's number waits for it). Settling that a read does in memory is
 * not a change; the write that stores it is.
 *
 * The actor sees what it may read: system and reviewer every change, a
 * partner role its partner's claims, a customer its tenant's. */

typedef struct cpor_change_iter cpor_change_iter;

/* The changes numbered above after, at most limit of them (0: 1000; at most
 * 100000), in number order. */
CPOR_API int cpor_changes_since(cpor_ctx *ctx, const cpor_actor *actor, uint64_t after,
                                size_t limit, cpor_change_iter **out);
/* CPOR_OK with the next change, or CPOR_ITEROVER. *claim_id is valid until
 * the next call on the iterator. Any output may be NULL. */
CPOR_API int cpor_change_iter_next(cpor_change_iter *it, uint64_t *number, const char **claim_id,
                                   int *state, uint32_t *seq);
CPOR_API void cpor_change_iter_free(cpor_change_iter *it);

#ifdef __cplusplus
}
#endif

#endif
