/* A growable list of owned handles: what every iterator of the API hands
 * out one by one (claims, events, workloads). */
#ifndef CPOR_CORE_LIST_H
#define CPOR_CORE_LIST_H

#include <stddef.h>

typedef struct cpor__list {
  void **v;
  size_t n, cap, pos; /* pos: the next item to hand out */
} cpor__list;

/* Appends item (owned by the list from now on); CPOR_ENOMEM leaves the list
 * as it was and the item with the caller. */
int cpor__list_push(cpor__list *l, void *item);
/* Hands out the next item (the caller owns it), or CPOR_ITEROVER. */
int cpor__list_next(cpor__list *l, void **out);
/* Frees the items not handed out, with free_item, and the list's array. */
void cpor__list_clear(cpor__list *l, void (*free_item)(void *));

#endif
