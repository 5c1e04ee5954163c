/* A claim update held back until something could see it (sqlite_int.h). */
#include <stdlib.h>
#include <string.h>

#include "store/sqlite_int.h"

static int same_id(const char *a, const char *b) {
  return strcmp(a, b) == 0;
}

void cpor__sql_held_knows(cpor__sqlite *s, const char *id, uint64_t revision) {
  size_t n = strlen(id);
  if (n >= sizeof s->known.id) return; /* valid ids are shorter */
  memcpy(s->known.id, id, n + 1);
  s->known.revision = revision;
  s->known.on = 1;
}

void cpor__sql_held_drop(cpor__sqlite *s) {
  s->held.on = 0;
  s->known.on = 0;
}

void cpor__sql_held_free(cpor__sqlite *s) {
  free(s->held.owner);
  free(s->held.ref);
  free(s->held.data);
  memset(&s->held, 0, sizeof s->held);
  s->known.on = 0;
}

int cpor__sql_held_flush(cpor__sqlite *s) {
  struct cpor__sql_held *h = &s->held;
  if (!h->on) return CPOR_OK;
  h->on = 0;
  cpor_store_object obj = {CPOR_STORE_CLAIM, h->id,   h->owner, h->ref,
                           h->state,         h->base, h->data,  h->len};
  int changed = 0;
  int rc = cpor__sql_object_update(s, &obj, h->revision, &changed);
  /* One writer: the row is there at the revision this transaction saw. */
  if (rc == CPOR_OK && !changed)
    rc = cpor__sql_error(s, CPOR_ESTORAGE, "object update: the held claim row is gone");
  /* The update belonged to an earlier call that succeeded: whatever the
   * cause, only ending the transaction keeps the store whole, which is what
   * the core does after CPOR_ESTORAGE (or CPOR_ENOMEM). */
  return rc == CPOR_OK || rc == CPOR_ENOMEM ? rc : CPOR_ESTORAGE;
}

/* Copies obj into the held row. */
static int hold(cpor__sqlite *s, const cpor_store_object *obj, uint64_t base) {
  struct cpor__sql_held *h = &s->held;
  int oom = 0;
  char *owner = obj->owner ? strdup(obj->owner) : NULL;
  char *ref = obj->ref ? strdup(obj->ref) : NULL;
  oom = (obj->owner && !owner) || (obj->ref && !ref);
  if (!oom && obj->len > h->cap) {
    void *p = realloc(h->data, obj->len);
    if (p) {
      h->data = p;
      h->cap = obj->len;
    } else {
      oom = 1;
    }
  }
  if (oom) {
    free(owner);
    free(ref);
    return cpor__sql_error(s, CPOR_ENOMEM, "object update: out of memory");
  }
  free(h->owner);
  free(h->ref);
  h->owner = owner;
  h->ref = ref;
  if (obj->len) memcpy(h->data, obj->data, obj->len);
  h->len = obj->len;
  h->state = obj->state;
  if (!h->on) {
    memcpy(h->id, obj->id, strlen(obj->id) + 1);
    h->base = base;
    h->on = 1;
  }
  h->revision = obj->revision + 1;
  cpor__sql_held_knows(s, obj->id, h->revision);
  return CPOR_OK;
}

int cpor__sql_held_put(cpor__sqlite *s, const cpor_store_object *obj, int *taken) {
  struct cpor__sql_held *h = &s->held;
  *taken = 0;
  if (h->on && same_id(h->id, obj->id)) {
    *taken = 1;
    if (obj->revision != h->revision)
      return cpor__sql_error(s, CPOR_ECONFLICT, "object update: the revision moved");
    return hold(s, obj, h->base);
  }
  int rc = cpor__sql_held_flush(s); /* one held row at a time */
  if (rc) {
    *taken = 1;
    return rc;
  }
  if (s->known.on && same_id(s->known.id, obj->id) && obj->revision == s->known.revision &&
      strlen(obj->id) < sizeof h->id) {
    *taken = 1;
    return hold(s, obj, obj->revision);
  }
  return CPOR_OK;
}

void cpor__sql_held_get(cpor__sqlite *s, uint32_t kind, const char *id, cpor_store_object *out,
                        int *found) {
  struct cpor__sql_held *h = &s->held;
  *found = h->on && kind == CPOR_STORE_CLAIM && same_id(h->id, id);
  if (!*found) return;
  memset(out, 0, sizeof *out);
  out->kind = kind;
  out->id = id;
  out->owner = h->owner;
  out->ref = h->ref;
  out->state = h->state;
  out->revision = h->revision;
  out->data = h->len ? h->data : "";
  out->len = h->len;
}
