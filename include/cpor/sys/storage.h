/* libcpor — the storage vtable, for people who write a storage backend.
 *
 * Users of the library never need this header: they pick a built-in backend
 * (cpor_storage_open_memory, cpor_storage_open_sqlite) or a database path in
 * cpor_ctx_options. A backend implements the methods below and is wrapped with
 * cpor_storage_new. The SQLite backend (lib/store/sqlite*.c) is written only
 * against this header and is the reference example.
 *
 * The model the backend stores, knowing nothing of claim rules (no backend
 * names a claim state: every integer below is opaque to it):
 *   objects    (kind, id) -> a record (bytes stored and returned byte for
 *              byte), a revision, and three indexed columns: owner, ref
 *              (strings) and state (an integer);
 *   lines      one row per (claim_id, line), looked up by unit;
 *   keys       exclusive keys, each held by at most one claim: the core
 *              computes them (one per unit for an APPROVED line, one per unit
 *              for an ASSOCIATED one, one per partner and unit for the
 *              duplicate rule) and the backend refuses a key another claim
 *              holds, so that racing writers on many hosts cannot break the
 *              invariants of DESIGN.md 1.3;
 *   deadlines  (claim_id, kind) -> due instant, read in due order;
 *   events     (claim_id, seq) -> a history entry (bytes).
 *
 * Races are decided by two things only: conditional updates (an update names
 * the revision it read; CPOR_ECONFLICT when the stored one differs) and the
 * uniqueness of (kind, id), (claim_id, seq) and the exclusive keys. The core
 * reruns a call that met CPOR_ECONFLICT (a bounded number of times, with
 * jitter) and then returns CPOR_ECONFLICT to the caller. A backend needs no
 * global lock; one that has one (SQLite's single writer) simply never
 * reports a conflict.
 *
 * Conventions: every method returns CPOR_OK or a negative CPOR_E* code;
 * CPOR_ESTORAGE for I/O, lock and connection failures (with detail through
 * errmsg), CPOR_EEXISTS for a uniqueness violation, CPOR_ENOTFOUND for a
 * missing row, CPOR_ECONFLICT for a revision that moved, CPOR_ENOMEM. Strings
 * are NUL-terminated UTF-8; ids, claim IDs, units and keys are 1-255 bytes
 * (CPOR_EINVAL otherwise).
 *
 * What a backend may assume of the core:
 *   - every call is inside a transaction: begin ... commit or rollback,
 *     never nested; writes only inside begin(self, 1);
 *   - inside a write transaction, savepoint / release / rollback_to bracket
 *     each call of a batch, never nested;
 *   - several cursors may be open at once, and object_get may be called while
 *     they are; no write happens while a cursor is open, and every cursor is
 *     closed before commit or rollback;
 *   - pointers it returns (object_get, cursor_next) are read before the next
 *     call that could invalidate them (see each method);
 *   - a call whose method failed with CPOR_ESTORAGE or CPOR_ENOMEM is undone
 *     by the core (rollback_to or rollback): a method need not undo its own
 *     partial writes after such a failure (CPOR_EEXISTS: see each method);
 *   - so is a call in which any later method failed: a backend may send a
 *     write without waiting for its answer (PostgreSQL pipelines them) and
 *     report its failure from a later method of the same call, at the
 *     latest from release or commit, which then fail too (a commit that did
 *     not happen leaves the transaction to the core's rollback). Only
 *     lines_replace, keys_replace with count 0, deadline_set,
 *     deadline_clear, event_append, change_append and savepoint may answer
 *     late, and a late duplicate (event_append, change_append) is
 *     CPOR_ECONFLICT: the call met another writer;
 *   - a claim's lines, keys, deadlines and events are only written in a
 *     transaction that also updates (or inserts) the claim object, after that
 *     write: a backend may refuse rows of a claim it does not hold with
 *     CPOR_ENOTFOUND (SQLite keys them by the claim's row). */
#ifndef CPOR_SYS_STORAGE_H
#define CPOR_SYS_STORAGE_H

#include "../context.h"

#ifdef __cplusplus
extern "C" {
#endif

#define CPOR_STORAGE_VERSION 5

/* Object kinds. */
enum {
  CPOR_STORE_PARTNER = 1,
  CPOR_STORE_LOCATION = 2,
  CPOR_STORE_CUSTOMER = 3,
  CPOR_STORE_TENANT = 4,
  CPOR_STORE_SUBSCRIPTION = 5,
  CPOR_STORE_WORKLOAD = 6,
  CPOR_STORE_CLAIM = 7,
  CPOR_STORE_DOMAIN = 8,      /* domain name -> tenant: makes domains unique */
  CPOR_STORE_OUTBOX = 9,      /* a notification owed: id = its number, 20 digits */
  CPOR_STORE_IDEMPOTENCY = 10 /* (partner, idempotency key) -> the claim it created */
};

/* object_put modes */
enum {
  CPOR_STORE_INSERT = 1, /* CPOR_EEXISTS when (kind, id) exists */
  CPOR_STORE_UPDATE = 2, /* conditional on obj->revision: CPOR_ECONFLICT when the
                          * stored revision differs, CPOR_ENOTFOUND when absent */
  CPOR_STORE_DELETE = 3  /* conditional like UPDATE; data, owner, ref ignored */
};

/* Object selectors of a CPOR_STORE_CURSOR_OBJECTS query */
enum {
  CPOR_STORE_BY_KIND = 1,  /* every object of the kind */
  CPOR_STORE_BY_OWNER = 2, /* owner == key */
  CPOR_STORE_BY_REF = 3,   /* ref == key */
  CPOR_STORE_BY_STATE = 4  /* state == state */
};

/* Deadline kinds: the timed transitions and the review SLAs. */
enum {
  CPOR_DEADLINE_OPTOUT = 1,   /* APPROVED -> ASSOCIATED when due */
  CPOR_DEADLINE_RESPONSE = 2, /* PARTNER_ACTION_REQUIRED -> REJECTED when due */
  CPOR_DEADLINE_SLA = 3       /* a review SLA: an overdue flag, no transition */
};

typedef struct cpor_store_object {
  uint32_t kind;
  const char *id;    /* primary key within the kind; 1-255 bytes */
  const char *owner; /* indexed; may be NULL (stored as NULL) */
  const char *ref;   /* indexed; may be NULL */
  int32_t state;     /* indexed; 0 when the kind has no state */
  /* Read: the stored revision, 1 after the insert and one more at every
   * update. UPDATE and DELETE: the revision the core read; the stored one
   * becomes revision + 1. Ignored by INSERT. */
  uint64_t revision;
  const void *data; /* the record: store and return it byte for byte */
  size_t len;
} cpor_store_object;

typedef struct cpor_store_line {
  const char *claim_id;
  uint32_t line; /* index of the line within its claim */
  const char *unit;
  const char *partner_id;
  int32_t status; /* opaque */
} cpor_store_line;

/* Cursor queries */
enum {
  CPOR_STORE_CURSOR_OBJECTS = 1,   /* row.object, ascending id (bytewise) */
  CPOR_STORE_CURSOR_LINES = 2,     /* row.line of unit key, (claim_id, line) order */
  CPOR_STORE_CURSOR_DEADLINES = 3, /* row.claim_id, row.deadline_kind, row.due:
                                    * due <= upto, in due order (equal dues in
                                    * an order of the backend's choosing) */
  CPOR_STORE_CURSOR_EVENTS = 4,    /* row.claim_id, row.seq, row.data: the events
                                    * of claim key with seq > after_seq, in seq order */
  /* Version 4: */
  CPOR_STORE_CURSOR_CHANGES = 5, /* row.change, row.claim_id, row.seq, row.object.state:
                                  * the changes numbered > after_change, ascending */
  CPOR_STORE_CURSOR_KEYS = 6     /* row.claim_id, row.key: the exclusive keys of claim
                                  * key (NULL: of every claim), (claim_id, key) order */
};
/* Version 4: LINES and EVENTS with key NULL walk every row of the store in
 * (claim_id, line) / (claim_id, seq) order — verify's audit. A row a backend
 * holds for a claim object that does not exist (a store edited by hand) comes
 * with row.claim_id NULL rather than being skipped. */

typedef struct cpor_store_query {
  uint32_t what;      /* CPOR_STORE_CURSOR_* */
  uint32_t kind;      /* OBJECTS: the object kind; DEADLINES: the deadline kind */
  uint32_t by;        /* OBJECTS: CPOR_STORE_BY_* */
  const char *key;    /* OBJECTS BY_OWNER, BY_REF: the value; LINES: the unit;
                       * EVENTS: the claim ID */
  int32_t state;      /* OBJECTS BY_STATE */
  const char *after;  /* OBJECTS: only ids > after (bytewise); NULL: from the first */
  cpor_time upto;     /* DEADLINES */
  uint32_t after_seq; /* EVENTS */
  /* Version 4: */
  uint64_t after_change; /* CHANGES */
} cpor_store_query;

/* One row of a cursor: the members its query names are set. */
typedef struct cpor_store_row {
  cpor_store_object object;
  cpor_store_line line;
  const char *claim_id;
  uint32_t deadline_kind;
  cpor_time due;
  uint32_t seq;
  const void *data;
  size_t len;
  /* Version 4: */
  uint64_t change; /* CHANGES */
  const char *key; /* KEYS */
} cpor_store_row;

typedef struct cpor_storage_methods {
  uint32_t version; /* CPOR_STORAGE_VERSION */

  /* --- must provide ---------------------------------------------------- */
  /* write != 0: the transaction will write. A backend shared by several
   * processes makes the transaction atomic and gives it a consistent view of
   * committed data (SQLite: BEGIN IMMEDIATE; PostgreSQL: READ COMMITTED with
   * conditional updates is enough). */
  int (*begin)(void *self, int write);
  int (*commit)(void *self);
  /* Undoes everything since begin; must succeed after any failure, including
   * a lost connection (CPOR_OK then). */
  int (*rollback)(void *self);
  /* Inside a write transaction: a point rollback_to returns to; release
   * forgets it, keeping what was written since. Never nested. */
  int (*savepoint)(void *self);
  int (*release)(void *self);
  int (*rollback_to)(void *self);

  /* Fills *out with the object, or returns CPOR_ENOTFOUND. The pointers in
   * *out are valid until the next object_get, the next write or the end of
   * the transaction. */
  int (*object_get)(void *self, uint32_t kind, const char *id, cpor_store_object *out);
  /* INSERT, UPDATE or DELETE (see the modes). */
  int (*object_put)(void *self, const cpor_store_object *obj, uint32_t mode);

  /* Replaces every line row of claim_id with lines[0..count) (count may be 0:
   * delete them). Each row's claim_id equals the argument and its line
   * numbers are distinct (the core guarantees both). */
  int (*lines_replace)(void *self, const char *claim_id, const cpor_store_line *lines,
                       size_t count);
  /* Replaces the exclusive keys claim_id holds with keys[0..count) (distinct;
   * count may be 0). CPOR_EEXISTS when another claim holds one of them; the
   * claim's keys are then as before the call. */
  int (*keys_replace)(void *self, const char *claim_id, const char *const *keys, size_t count);

  /* Inserts or replaces the (claim_id, kind) deadline. A kind other than
   * the CPOR_DEADLINE_* values is CPOR_EINVAL. */
  int (*deadline_set)(void *self, const char *claim_id, uint32_t kind, cpor_time due);
  /* Removes it; CPOR_OK when there was none. */
  int (*deadline_clear)(void *self, const char *claim_id, uint32_t kind);

  /* Appends a history entry; CPOR_EEXISTS when (claim_id, seq) exists, or
   * CPOR_OK and CPOR_ECONFLICT from a later method (a late answer, above). */
  int (*event_append)(void *self, const char *claim_id, uint32_t seq, const void *data, size_t len);

  /* Pull cursors. cursor_open starts a query (CPOR_EINVAL for an unknown
   * one); cursor_next returns 1 with *row filled, 0 at the end, or a negative
   * code; the row's pointers are valid until the next cursor_next or
   * cursor_close of that cursor. Rows come in the order the query names, and
   * fetching a row costs the same however many rows the store holds (an
   * index, not a scan): the core streams queries over millions of claims. */
  int (*cursor_open)(void *self, const cpor_store_query *query, void **cursor);
  int (*cursor_next)(void *self, void *cursor, cpor_store_row *row);
  void (*cursor_close)(void *self, void *cursor);

  /* --- may provide (NULL when absent) ------------------------------------ */
  /* Detail of the last failure, or NULL. Valid until the next call. */
  const char *(*errmsg)(void *self);
  /* Releases self; called once by cpor_storage_free. */
  void (*close)(void *self);

  /* --- version 4: may provide (NULL: the outbox and the change feed are
   * CPOR_ENOTSUP on this backend) ------------------------------------------ */
  /* Inside a write transaction: reserves count (>= 1) consecutive numbers of
   * the store-wide counter name ("change", "outbox"; 1-64 bytes) and sets
   * *first to the first of them; the first number ever handed out is 1. The
   * reservation is undone with the transaction (numbers have no gaps), and
   * numbers become visible to readers in the order they were handed out: a
   * backend with concurrent writers holds the counter until its transaction
   * ends (PostgreSQL: the counter row stays locked until commit). The core
   * calls it as late in a transaction as it can. */
  int (*counter_next)(void *self, const char *name, uint64_t count, uint64_t *first);
  /* Records change number change (from counter "change"): claim_id reached
   * event seq and state (opaque). CPOR_EEXISTS when the number exists (or
   * late, as event_append). Read back by CPOR_STORE_CURSOR_CHANGES. */
  int (*change_append)(void *self, uint64_t change, const char *claim_id, uint32_t seq,
                       int32_t state);
  /* Inside a write transaction: makes every other transaction that writes
   * (kind, id), or locks it, wait until this one ends (PostgreSQL: SELECT
   * ... FOR UPDATE); CPOR_OK also when there is no such object. The core
   * calls it when it reruns a call that lost a race (CPOR_ECONFLICT) on a
   * claim, before reading the claim again, so that a writer that keeps
   * losing to a busy one gets its turn. A backend with one writer at a time
   * (SQLite) leaves it NULL. */
  int (*object_lock)(void *self, uint32_t kind, const char *id);

  /* --- version 5 ------------------------------------------------------- */
  uint32_t flags; /* CPOR_STORAGE_* below; 0: none */
} cpor_storage_methods;

/* flags (version 5) */
enum {
  /* While a write transaction is open no other writer changes the store
   * (SQLite's single writer): what the core read inside the transaction stays
   * true until it ends, so no write of it reports CPOR_ECONFLICT or a
   * duplicate the core checked for. The core then writes a call of a batch
   * that made every decision before its first write without a savepoint (a
   * write that fails anyway ends the batch, as CPOR_ESTORAGE does): SQLite's
   * savepoints copy every page a call touches. */
  CPOR_STORAGE_ONE_WRITER = 1u << 0
};

#define CPOR_STORAGE_METHODS_INIT CPOR_VERSIONED_INIT(cpor_storage_methods, CPOR_STORAGE_VERSION)
/* Zeroes *methods and sets its version; CPOR_EVERSION for a version other
 * than 3, 4 or 5. Version 3 (libcpor 0.2) replaced the callback scans of
 * versions 1 and 2 by cursors and added revisions and keys: a backend written
 * for them must be ported (CHANGELOG.md says how). Version 4 (0.3) added the
 * counters, the change rows and the KEYS/CHANGES cursors; a version 3 backend
 * keeps working without the outbox, the change feed and verify's audit.
 * Version 5 (0.3) added flags (read as 0 from older versions). */
CPOR_API int cpor_storage_methods_init(cpor_storage_methods *methods, uint32_t version);

/* Wraps a backend. The methods are copied (an older version's layout is
 * converted to the latest); self is owned by the storage from now on when the
 * call succeeds (close is called by cpor_storage_free). CPOR_EVERSION for a
 * methods version other than 3, 4 or 5; CPOR_EINVAL when a required method is NULL. */
CPOR_API int cpor_storage_new(cpor_storage **out, const cpor_storage_methods *methods, void *self);

#ifdef __cplusplus
}
#endif

#endif /* CPOR_SYS_STORAGE_H */
