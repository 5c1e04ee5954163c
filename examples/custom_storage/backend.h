/* A tiny third-party storage backend for libcpor, written only against the
 * public header <cpor/sys/storage.h>: sorted arrays in memory, transactions by
 * copying the whole store. See backend.c. */
#ifndef EXAMPLE_STORAGE_BACKEND_H
#define EXAMPLE_STORAGE_BACKEND_H

#include <cpor/sys/storage.h>

/* Opens a fresh, empty store; free it with cpor_storage_free (after closing
 * every context that uses it). CPOR_ENOMEM when out of memory. */
int example_storage_open(cpor_storage **out);

#endif
