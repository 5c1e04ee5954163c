/* The change feed and the outbox: what the core writes with every change
 * (feed.c), leases and acknowledges (outbox.c) and lists (changes.c). */
#ifndef CPOR_CORE_FEED_H
#define CPOR_CORE_FEED_H

#include "core/ctx.h"
#include "cpor/feed.h"

/* An outbox message as stored (kind CPOR_STORE_OUTBOX, id its number in 20
 * digits, owner the recipient organization, ref the claim). Record version
 * 1 always carries the payload; version 2 leaves it out when it is the
 * event's payload as it is (the reader takes it from the claim's history):
 * most messages, and the largest ones (claim_submitted names the policy). */
#define CPOR__MESSAGE_VERSION 2
typedef struct cpor__message_rec {
  uint32_t version; /* the record version to write; 0: CPOR__MESSAGE_VERSION */
  uint64_t id, revision;
  const char *kind, *role, *org, *claim_id;
  uint32_t seq;
  uint32_t deliveries;
  cpor_time created_at, lease_until;
  const char *payload; /* a JSON object text; NULL: the event's (not written) */
} cpor__message_rec;

/* 1 when the backend has counters and change rows (vtable version 4). */
int cpor__feed_supported(const cpor_storage *s);
/* Writes the change rows and the outbox messages of a view's changed claims
 * (called by cpor__view_write after their records). */
int cpor__feed_write(cpor_ctx *ctx, const cpor__view *v);
/* The message's id as stored: 20 digits, so that ids sort as numbers. */
char *cpor__message_id_text(uint64_t id, char buf[24]);
/* Encodes m as its canonical record into *obj (obj->data malloc'd, obj->id
 * in idbuf): CPOR_OK, CPOR_ENOMEM, CPOR_EINVAL. */
int cpor__message_encode(const cpor__message_rec *m, cpor_store_object *obj, char idbuf[24]);

#endif
