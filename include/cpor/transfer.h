/* libcpor — moving and checking a whole store: export, import, verify.
 *
 * The export format (JSON lines, versioned) is described in
 * docs/export-format.md. An export taken from any backend imports into an
 * empty store of any backend, and exporting the imported store gives the
 * same bytes again: this is also how a SQLite store moves to PostgreSQL.
 * All three calls are the system actor's alone (CPOR_EPERM for every other
 * role). */
#ifndef CPOR_TRANSFER_H
#define CPOR_TRANSFER_H

#include "context.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Receives one line of an export: line[0..len) ends with '\n' and holds no
 * other newline. Returns 0 to go on, or a negative CPOR_E* code (for
 * example CPOR_ESTORAGE when a write failed) that ends the export with that
 * code. */
typedef int (*cpor_line_writer)(void *user, const char *line, size_t len);

/* Supplies the next line of an import: sets *line and *len (the line, with
 * or without its '\n'; the bytes stay valid until the next call) and
 * returns 1; returns 0 at the end of the input, or a negative CPOR_E* code
 * that ends the import with that code (nothing imported). */
typedef int (*cpor_line_reader)(void *user, const char **line, size_t *len);

/* Writes the whole store as JSON lines, in one read transaction (a
 * consistent snapshot), streaming: memory does not grow with the store.
 * CPOR_ECORRUPT (naming the record) when a stored record is not JSON (a
 * binary record of a release before 0.2 that was never rewritten). */
CPOR_API int cpor_ctx_export(cpor_ctx *ctx, const cpor_actor *actor, cpor_line_writer write_fn,
                             void *user);

#define CPOR_IMPORT_REPORT_VERSION 1
/* What an import loaded. */
typedef struct cpor_import_report {
  uint32_t version; /* CPOR_IMPORT_REPORT_VERSION: set by the caller */
  uint64_t objects; /* directory, outbox and idempotency records */
  uint64_t claims;  /* claims */
  uint64_t events;  /* history events */
} cpor_import_report;
#define CPOR_IMPORT_REPORT_INIT CPOR_VERSIONED_INIT(cpor_import_report, CPOR_IMPORT_REPORT_VERSION)

/* Loads an export into an empty store, all or nothing (one transaction),
 * writing each claim's unit rows, exclusive keys and deadlines as a normal
 * write does. CPOR_EEXISTS when the store is not empty. CPOR_ECORRUPT, with
 * "line N: ..." in cpor_ctx_errmsg, for input that is malformed or
 * inconsistent: no header or trailer (a truncated file), counts that
 * disagree with the trailer, lines out of order or given twice, a record
 * that does not decode or whose columns disagree with it, a reference to a
 * record that is not there, a history whose seqs are not 1..n, or one that
 * does not replay through the kernel to its claim's record. The store is
 * unchanged on every failure. report may be NULL; it is filled on success. */
CPOR_API int cpor_ctx_import(cpor_ctx *ctx, const cpor_actor *actor, cpor_line_reader read_fn,
                             void *user, cpor_import_report *report);

/* Receives one finding of cpor_ctx_verify: the claim it concerns (NULL when
 * none can be named: a row no claim holds, a directory record), the kind of
 * disagreement (a stable word such as "record", "lines", "keys",
 * "deadline", "columns", "events", "outbox", "unit", "orphan", "undecodable")
 * and a sentence saying what differs. Returns 0 to go on, or a negative code
 * that ends the verification with that code. */
typedef int (*cpor_finding_fn)(void *user, const char *claim_id, const char *kind,
                               const char *detail);

/* Checks the store against its histories: every claim's history replays
 * through the kernel to its stored record, with seqs 1..n; its unit rows,
 * exclusive keys and deadlines are what a write of that record writes; its
 * indexed columns agree with the record; at most one APPROVED and one
 * ASSOCIATED line per unit; every row belongs to a claim; every outbox
 * message names an existing claim and a seq of its history; every record
 * decodes. Each disagreement goes to report_fn (may be NULL) and is counted
 * in *problems (may be NULL). CPOR_OK when the walk ended, findings or not;
 * on a backend of storage version 3 the unit rows and keys of orphans are
 * not walked. Streams: memory does not grow with the store. */
CPOR_API int cpor_ctx_verify(cpor_ctx *ctx, const cpor_actor *actor, cpor_finding_fn report_fn,
                             void *user, uint64_t *problems);

#ifdef __cplusplus
}
#endif

#endif /* CPOR_TRANSFER_H */
