/* An intrusive treap: the ordered index of the memory backend.
 *
 * Nodes live inside the indexed rows, so inserting never allocates and can
 * never fail halfway (the backend's all-or-nothing rule needs that), and a
 * row can sit in several trees at once. A node's priority is a hash of its
 * address: no random state to keep, and still expected O(log n) depth.
 *
 * Searches take a probe: a stack row of the same type with only the key
 * fields set, compared with the tree's own comparator. */
#ifndef CPOR_STORE_ORDERED_H
#define CPOR_STORE_ORDERED_H

#include <stddef.h>

typedef struct cpor__tnode {
  struct cpor__tnode *child[2];
} cpor__tnode;

/* <0, 0, >0 as a sorts before, equal to or after b. */
typedef int (*cpor__tcmp)(const cpor__tnode *a, const cpor__tnode *b);

typedef struct cpor__treap {
  cpor__tnode *root;
  cpor__tcmp cmp;
  size_t count;
} cpor__treap;

void cpor__treap_init(cpor__treap *t, cpor__tcmp cmp);
/* Links n and returns NULL; or, when a node with n's key is linked already,
 * returns that node and leaves the tree unchanged. */
cpor__tnode *cpor__treap_insert(cpor__treap *t, cpor__tnode *n);
/* Unlinks this very node; no-op when it is not linked. */
void cpor__treap_remove(cpor__treap *t, cpor__tnode *n);
/* The node equal to probe, or NULL. */
cpor__tnode *cpor__treap_find(const cpor__treap *t, const cpor__tnode *probe);
/* The first node >= probe (strict: > probe), or NULL. */
cpor__tnode *cpor__treap_seek(const cpor__treap *t, const cpor__tnode *probe, int strict);

#endif
