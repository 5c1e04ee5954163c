/* The storage conformance suite: one set of tests, written only against the
 * storage vtable, that every backend must pass; and a fault-injecting
 * backend wrapper for testing how the core handles storage failures. */
#ifndef CPOR_TESTS_CONFORMANCE_H
#define CPOR_TESTS_CONFORMANCE_H

#include <check.h>

#include "cpor/sys/storage.h"

/* Opens a fresh, empty store (*out freed with cpor_storage_free);
 * CPOR_OK or a code that fails the test. */
typedef int (*cpor_conf_open_fn)(cpor_storage **out, void *arg);

/* Adds a TCase called name running every conformance test on stores opened
 * by open(out, arg), one fresh store per test. name and arg must outlive the
 * suite run. At most 16 backends per process. */
void cpor_conformance_add(Suite *suite, const char *name, cpor_conf_open_fn open, void *arg);

/* A backend that forwards every method to inner (borrowed: not closed by
 * cpor_storage_free of *out, and it must outlive *out). It counts the calls
 * to begin, commit, savepoint, release, object_*, lines_replace,
 * keys_replace, deadline_*, event_append, counter_next, change_append (when
 * inner has them), cursor_open and cursor_next (adding
 * 1 to *ops_counter per call; it may be NULL) and makes the fail_at-th one
 * (1-based; <= 0: never) return CPOR_ESTORAGE without reaching inner, with
 * errmsg "injected failure at operation k". rollback, rollback_to and
 * cursor_close are never counted nor failed; rollback is a no-op returning
 * CPOR_OK when inner has no open transaction (after an injected begin
 * failure). Count first with fail_at = -1, then run again with each k in
 * 1..count. */
int cpor_faulty_storage_new(cpor_storage **out, cpor_storage *inner, long fail_at,
                            long *ops_counter);
/* The same (savepoints are always there since storage version 3). */
int cpor_faulty_storage_with_savepoints(cpor_storage **out, cpor_storage *inner, long fail_at,
                                        long *ops_counter);
/* Moves the operation to fail (counted from the wrapper's creation). */
void cpor_faulty_storage_fail_at(cpor_storage *faulty, long fail_at);
/* What the injected failure returns (CPOR_ESTORAGE by default): e.g.
 * CPOR_ECONFLICT, a concurrent writer, which the core retries. */
void cpor_faulty_storage_fail_code(cpor_storage *faulty, int code);
/* Sets the flags the core sees (CPOR_STORAGE_ONE_WRITER: the wrapper then
 * promises what its inner backend keeps; 0 when created). */
void cpor_faulty_storage_flags(cpor_storage *faulty, uint32_t flags);
/* How many savepoints reached inner. */
long cpor_faulty_storage_savepoints(const cpor_storage *faulty);

#endif
