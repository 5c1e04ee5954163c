/* Treap operations, iterative where the path is all we need and recursive
 * for insert and remove, whose depth is the tree's (expected ~2 ln n). */
#include "store/ordered.h"

#include <stdint.h>

static uint64_t prio(const cpor__tnode *n) {
  uint64_t x = (uint64_t)(uintptr_t)n;
  x ^= x >> 31;
  x *= 0x7fb5d329728ea185u;
  x ^= x >> 27;
  x *= 0x81dadef4bc2dd44du;
  x ^= x >> 33;
  return x;
}

void cpor__treap_init(cpor__treap *t, cpor__tcmp cmp) {
  t->root = NULL;
  t->cmp = cmp;
  t->count = 0;
}

/* Lifts child d of *slot above it. */
static void rotate_up(cpor__tnode **slot, int d) {
  cpor__tnode *top = *slot, *c = top->child[d];
  top->child[d] = c->child[!d];
  c->child[!d] = top;
  *slot = c;
}

/* Returns the node equal to n, leaving the tree as it was, or NULL once
 * n is linked: one descent both checks uniqueness and inserts. */
static cpor__tnode *insert_at(cpor__tnode **slot, cpor__tnode *n, cpor__tcmp cmp) {
  if (!*slot) {
    *slot = n;
    return NULL;
  }
  int c = cmp(n, *slot);
  if (c == 0) return *slot;
  int d = c > 0;
  cpor__tnode *dup = insert_at(&(*slot)->child[d], n, cmp);
  if (!dup && prio((*slot)->child[d]) > prio(*slot)) rotate_up(slot, d);
  return dup;
}

cpor__tnode *cpor__treap_insert(cpor__treap *t, cpor__tnode *n) {
  n->child[0] = n->child[1] = NULL;
  cpor__tnode *dup = insert_at(&t->root, n, t->cmp);
  if (!dup) t->count++;
  return dup;
}

/* Joins two trees where every key of a sorts before every key of b. */
static cpor__tnode *join(cpor__tnode *a, cpor__tnode *b) {
  if (!a) return b;
  if (!b) return a;
  if (prio(a) > prio(b)) {
    a->child[1] = join(a->child[1], b);
    return a;
  }
  b->child[0] = join(a, b->child[0]);
  return b;
}

void cpor__treap_remove(cpor__treap *t, cpor__tnode *n) {
  cpor__tnode **slot = &t->root;
  while (*slot && *slot != n) {
    int c = t->cmp(n, *slot);
    if (c == 0) return; /* an equal key that is another node: n is not linked */
    slot = &(*slot)->child[c > 0];
  }
  if (!*slot) return;
  *slot = join(n->child[0], n->child[1]);
  n->child[0] = n->child[1] = NULL;
  t->count--;
}

cpor__tnode *cpor__treap_find(const cpor__treap *t, const cpor__tnode *probe) {
  cpor__tnode *n = t->root;
  while (n) {
    int c = t->cmp(probe, n);
    if (c == 0) return n;
    n = n->child[c > 0];
  }
  return NULL;
}

cpor__tnode *cpor__treap_seek(const cpor__treap *t, const cpor__tnode *probe, int strict) {
  cpor__tnode *n = t->root, *best = NULL;
  while (n) {
    int c = t->cmp(n, probe);
    if (c > 0 || (c == 0 && !strict)) {
      best = n;
      n = n->child[0];
    } else {
      n = n->child[1];
    }
  }
  return best;
}
