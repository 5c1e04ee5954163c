/* libcpor — the storage vtable, for people who write a storage backend.
 *
 * Users of the library never need this header: they pick a built-in backend
 * (cpor_storage_open_memory, cpor_storage_open_sqlite) or a database path in
 * cpor_ctx_options. A backend implements the methods below and is wrapped with
 * cpor_storage_new. The SQLite backend (lib/store/sqlite.c) is written only
 * against this header and is the reference example.
 *
 * The model the backend stores, knowing nothing of claim rules:
 *   objects    (kind, id) -> an opaque encoded record, plus three indexed
 *              columns: owner, ref (strings) and state (integer);
 *   lines      the live claim lines, one row per (claim_id, line), indexed by
 *              unit; at most ONE row per unit with status CPOR_STATE_APPROVED
 *              and at most ONE with status CPOR_STATE_ASSOCIATED: the backend
 *              must enforce this itself (e.g. partial unique indexes), so that
 *              racing processes cannot break the invariant;
 *   deadlines  (claim_id, kind) -> due instant, scanned in due order;
 *   events     (claim_id, seq) -> an opaque encoded history entry.
 *
 * Conventions: every method returns CPOR_OK or a negative CPOR_E* code;
 * CPOR_ESTORAGE for I/O and lock failures (with detail through errmsg),
 * CPOR_EEXISTS for a uniqueness violation, CPOR_ENOTFOUND for a missing row.
 * Strings are NUL-terminated UTF-8; ids, claim IDs and units are 1-255
 * bytes (CPOR_EINVAL otherwise); data pointers handed to callbacks are valid
 * only during the callback. A callback returns 0 to continue; any other value
 * stops the scan (or get), and the method returns that value. A callback may
 * call the READ methods of the same backend (object_get, the scans): the core
 * loads claims from inside lines_by_unit and deadline_scan callbacks. It never
 * writes from a callback, and a backend need not support that.
 *
 * Transactions: the core brackets every API call with begin/commit (or
 * rollback on any failure) and never nests them. Reads happen only inside a
 * transaction; writes only inside begin(self, 1) (a backend may refuse a
 * write in a read transaction with CPOR_ESTORAGE). rollback without an open
 * transaction returns CPOR_ESTORAGE or CPOR_OK, the backend's choice. A backend shared by several
 * processes must make the write transaction atomic and isolated (SQLite: BEGIN IMMEDIATE). */
#ifndef CPOR_SYS_STORAGE_H
#define CPOR_SYS_STORAGE_H

#include "../context.h"

#ifdef __cplusplus
extern "C" {
#endif

#define CPOR_STORAGE_VERSION 2

/* Object kinds. */
enum {
  CPOR_STORE_PARTNER = 1,
  CPOR_STORE_LOCATION = 2,
  CPOR_STORE_CUSTOMER = 3,
  CPOR_STORE_TENANT = 4,
  CPOR_STORE_SUBSCRIPTION = 5,
  CPOR_STORE_WORKLOAD = 6,
  CPOR_STORE_CLAIM = 7,
  CPOR_STORE_DOMAIN = 8 /* domain name -> tenant: makes domains unique */
};

/* object_put modes */
enum {
  CPOR_STORE_INSERT = 1, /* CPOR_EEXISTS when (kind, id) exists */
  CPOR_STORE_UPDATE = 2  /* CPOR_ENOTFOUND when (kind, id) does not exist */
};

/* object_scan selectors */
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
  const void *data;  /* the encoded record: store and return it byte for byte */
  size_t len;
} cpor_store_object;

typedef struct cpor_store_filter {
  uint32_t kind;
  uint32_t by;     /* CPOR_STORE_BY_* */
  const char *key; /* for BY_OWNER and BY_REF */
  int32_t state;   /* for BY_STATE */
} cpor_store_filter;

typedef struct cpor_store_line {
  const char *claim_id;
  uint32_t line; /* index of the line within its claim */
  const char *unit;
  const char *partner_id;
  int32_t status; /* a cpor_state */
} cpor_store_line;

typedef int (*cpor_store_object_fn)(void *arg, const cpor_store_object *obj);
typedef int (*cpor_store_line_fn)(void *arg, const cpor_store_line *line);
typedef int (*cpor_store_deadline_fn)(void *arg, const char *claim_id, uint32_t kind,
                                      cpor_time due);
typedef int (*cpor_store_event_fn)(void *arg, uint32_t seq, const void *data, size_t len);

typedef struct cpor_storage_methods {
  uint32_t version; /* CPOR_STORAGE_VERSION */

  /* --- must provide ---------------------------------------------------- */
  /* write != 0: the transaction will write (take the write lock now). */
  int (*begin)(void *self, int write);
  int (*commit)(void *self);
  int (*rollback)(void *self);

  /* Calls fn once with the object, or returns CPOR_ENOTFOUND. */
  int (*object_get)(void *self, uint32_t kind, const char *id, cpor_store_object_fn fn, void *arg);
  int (*object_put)(void *self, const cpor_store_object *obj, uint32_t mode);
  /* Visits the matching objects in ascending id order (bytewise). */
  int (*object_scan)(void *self, const cpor_store_filter *filter, cpor_store_object_fn fn,
                     void *arg);

  /* Replaces every line row of claim_id with lines[0..count) (count may be
   * 0: delete them). Each row's claim_id equals the argument and its line
   * numbers are distinct (the core guarantees both; a backend may refuse a
   * violation with CPOR_EINVAL or CPOR_EEXISTS). CPOR_EEXISTS
   * when a row would be a second APPROVED or ASSOCIATED one on its unit; the
   * rows are then as before the call. */
  int (*lines_replace)(void *self, const char *claim_id, const cpor_store_line *lines,
                       size_t count);
  /* Visits the line rows of a unit in (claim_id, line) order. */
  int (*lines_by_unit)(void *self, const char *unit, cpor_store_line_fn fn, void *arg);

  /* Inserts or replaces the (claim_id, kind) deadline. A kind other than
   * the CPOR_DEADLINE_* values is CPOR_EINVAL. */
  int (*deadline_set)(void *self, const char *claim_id, uint32_t kind, cpor_time due);
  /* Removes it; CPOR_OK when there was none. */
  int (*deadline_clear)(void *self, const char *claim_id, uint32_t kind);
  /* Visits deadlines of the kind with due <= upto, in (due, claim_id) order.
   * Its cost must follow the number visited, not the number stored. */
  int (*deadline_scan)(void *self, uint32_t kind, cpor_time upto, cpor_store_deadline_fn fn,
                       void *arg);

  /* Appends a history entry; CPOR_EEXISTS when (claim_id, seq) exists. */
  int (*event_append)(void *self, const char *claim_id, uint32_t seq, const void *data, size_t len);
  /* Visits the entries of a claim in seq order. */
  int (*event_scan)(void *self, const char *claim_id, cpor_store_event_fn fn, void *arg);

  /* --- may provide (NULL when absent) ------------------------------------ */
  /* Detail of the last failure, or NULL. Valid until the next call. */
  const char *(*errmsg)(void *self);
  /* Releases self; called once by cpor_storage_free. */
  void (*close)(void *self);

  /* --- version 2: may provide (all three or none) -------------------------- */
  /* Inside a write transaction, marks a point that rollback_to returns to;
   * release forgets it (keeping what was written since). The core never
   * nests them: each call inside a batch (cpor_ctx_begin) runs in one, so a
   * call that fails there changes nothing. Without them, a failed call whose
   * writes had begun leaves the batch only a rollback. */
  int (*savepoint)(void *self);
  int (*release)(void *self);
  int (*rollback_to)(void *self);
} cpor_storage_methods;

#define CPOR_STORAGE_METHODS_INIT CPOR_VERSIONED_INIT(cpor_storage_methods, CPOR_STORAGE_VERSION)
/* Zeroes *methods and sets its version (1..CPOR_STORAGE_VERSION);
 * CPOR_EVERSION for an unknown version. */
CPOR_API int cpor_storage_methods_init(cpor_storage_methods *methods, uint32_t version);

/* Wraps a backend. The methods are copied (an older version's layout is
 * converted to the latest); self is owned by the storage from now on when the
 * call succeeds (close is called by cpor_storage_free). CPOR_EVERSION for a
 * methods version of 0 or newer than this library; CPOR_EINVAL when a
 * required method is NULL. */
CPOR_API int cpor_storage_new(cpor_storage **out, const cpor_storage_methods *methods, void *self);

#ifdef __cplusplus
}
#endif

#endif /* CPOR_SYS_STORAGE_H */
