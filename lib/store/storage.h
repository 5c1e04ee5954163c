/* The core's view of a storage backend: the methods in their latest layout,
 * and callback-style helpers over the backend's pull cursors. */
#ifndef CPOR_STORE_STORAGE_H
#define CPOR_STORE_STORAGE_H

#include "cpor/sys/storage.h"

struct cpor_storage {
  cpor_storage_methods m; /* always the latest layout */
  void *self;
  uint32_t version; /* the methods version the backend declared (3: no audit cursors) */
};

/* The backend's detail for its last failure, or a generic text. */
const char *cpor__storage_errmsg(const cpor_storage *s);

/* Internal constructors of the built-in backends' state (self + methods). */
int cpor__memory_backend(const cpor_storage_methods **methods, void **self);

/* The next write transaction of s loads an empty store (cpor_ctx_import),
 * or (on 0) it is over. On the SQLite backend, outside a transaction, on 1
 * it swaps the WAL for a rollback journal, which a transaction into an
 * empty file barely uses: the WAL and its index would grow with everything
 * written, and a checkpoint would copy it all once more. On 0 the WAL comes
 * back (every open restores it as well, after a crash in between).
 * CPOR_ENOTSUP for other backends, an in-memory file, a file unlinked or
 * renamed while open, or when another connection holds the file (nothing
 * changes then). */
int cpor__sqlite_bulk(cpor_storage *s, int on);

/* Callbacks of the helpers below: return 0 to go on; any other value stops
 * the walk and is returned by the helper. They may read the store (get,
 * other walks) but not write it: a cursor is open. */
typedef int (*cpor__object_fn)(void *arg, const cpor_store_object *obj);
typedef int (*cpor__line_fn)(void *arg, const cpor_store_line *line);
typedef int (*cpor__deadline_fn)(void *arg, const char *claim_id, uint32_t kind, cpor_time due);
typedef int (*cpor__event_fn)(void *arg, uint32_t seq, const void *data, size_t len);

/* Calls fn once with the object, or returns CPOR_ENOTFOUND. */
int cpor__store_get(cpor_storage *s, uint32_t kind, const char *id, cpor__object_fn fn, void *arg);
/* Objects of kind selected by (by, key, state) with id > after (NULL: all),
 * in id order; at most limit of them (0: no limit). */
int cpor__store_objects(cpor_storage *s, uint32_t kind, uint32_t by, const char *key, int32_t state,
                        const char *after, size_t limit, cpor__object_fn fn, void *arg);
int cpor__store_lines(cpor_storage *s, const char *unit, cpor__line_fn fn, void *arg);
int cpor__store_deadlines(cpor_storage *s, uint32_t kind, cpor_time upto, cpor__deadline_fn fn,
                          void *arg);
int cpor__store_events(cpor_storage *s, const char *claim_id, cpor__event_fn fn, void *arg);
/* Calls fn once with event seq of the claim, or returns CPOR_ENOTFOUND. */
int cpor__store_event(cpor_storage *s, const char *claim_id, uint32_t seq, cpor__event_fn fn,
                      void *arg);

#endif
