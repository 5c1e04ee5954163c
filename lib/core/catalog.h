#ifndef CPOR_CORE_CATALOG_H
#define CPOR_CORE_CATALOG_H

#include <stddef.h>

#include "cpor/model.h"

typedef struct cpor__catalog_entry {
  const char *code, *name;
  int area, needs_subscription, dynamics;
} cpor__catalog_entry;

size_t cpor__catalog_count(void);
const cpor__catalog_entry *cpor__catalog_at(size_t i); /* sorted by code */
const cpor__catalog_entry *cpor__catalog_find(const char *code);

#endif
