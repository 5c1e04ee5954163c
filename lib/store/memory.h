/* The memory backend's internals shared with its tests. */
#ifndef CPOR_STORE_MEMORY_H
#define CPOR_STORE_MEMORY_H

/* Test hook: the next n allocations of this store succeed, the ones after
 * fail as if out of memory; n < 0 lifts the limit. Lets a test prove that
 * every operation fails cleanly (CPOR_ENOMEM, nothing changed) wherever it
 * runs out of memory. self is the backend's state (cpor_storage.self). */
void cpor__memory_set_alloc_budget(void *self, long n);

#endif
