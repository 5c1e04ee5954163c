/* What export.c, import.c and verify.c share: the export format's kinds and
 * their order, the system-only prologue, and the line writer of JSON. */
#ifndef CPOR_CORE_TRANSFER_H
#define CPOR_CORE_TRANSFER_H

#include "core/ctx.h"
#include "json/json_write.h"
#include "cpor/transfer.h"

#define CPOR__EXPORT_FORMAT "libcpor-export"
#define CPOR__EXPORT_VERSION 1

/* The object kinds in the order an export lists them (claims, each
 * followed by its history, after the directory; then the outbox and the
 * idempotency records), and their names in the format. */
extern const uint32_t cpor__export_kinds[];
extern const size_t cpor__export_nkinds;
const char *cpor__export_kind_name(uint32_t kind);
/* The kind named name, 0 when none. */
uint32_t cpor__export_kind_from_name(const char *name);

/* Validates the actor and refuses every role but the system (op:
 * CPOR__DIR_STORE_*). */
int cpor__store_permit(cpor_ctx *ctx, const cpor_actor *actor, int op);

/* Whether data[0..len) is one canonical JSON object (the writer's bytes):
 * 1 yes; 0 when it is JSON but not canonical, with the canonical bytes in
 * *canon (malloc'd); a negative code when it is not JSON (CPOR_ECORRUPT) or
 * memory ran out. */
int cpor__json_canonical(const void *data, size_t len, char **canon, size_t *canon_len);

#endif
