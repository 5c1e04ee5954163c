/* The core's view of a storage backend: the methods in their latest layout. */
#ifndef CPOR_STORE_STORAGE_H
#define CPOR_STORE_STORAGE_H

#include "cpor/sys/storage.h"

struct cpor_storage {
  cpor_storage_methods m; /* always the latest layout */
  void *self;
};

/* The backend's detail for its last failure, or a generic text. */
const char *cpor__storage_errmsg(const cpor_storage *s);

/* Internal constructors of the built-in backends' state (self + methods). */
int cpor__memory_backend(const cpor_storage_methods **methods, void **self);

#endif
