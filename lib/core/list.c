#include "core/list.h"

#include <stdlib.h>

#include "cpor/common.h"

int cpor__list_push(cpor__list *l, void *item) {
  if (l->n == l->cap) {
    size_t cap = l->cap ? l->cap * 2 : 16;
    void **v = realloc(l->v, cap * sizeof *v);
    if (!v) return CPOR_ENOMEM;
    l->v = v;
    l->cap = cap;
  }
  l->v[l->n++] = item;
  return CPOR_OK;
}

int cpor__list_next(cpor__list *l, void **out) {
  if (l->pos >= l->n) return CPOR_ITEROVER;
  *out = l->v[l->pos++];
  return CPOR_OK;
}

void cpor__list_clear(cpor__list *l, void (*free_item)(void *)) {
  for (size_t i = l->pos; i < l->n; i++)
    free_item(l->v[i]);
  free(l->v);
  l->v = NULL;
  l->n = l->cap = l->pos = 0;
}
