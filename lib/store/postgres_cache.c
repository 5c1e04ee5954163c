/* The PostgreSQL backend's copies of the objects the open write transaction
 * wrote, so that reading one back costs no round trip.
 *
 * A row this transaction inserted or updated stays locked by it until it
 * ends: no other writer can change or delete it meanwhile, so the copy is
 * exactly what the server would answer. (Rows it only read are not kept:
 * under READ COMMITTED a later read may see another writer's commit.) The
 * copies go when the transaction ends and at rollback_to; a failed write
 * forgets its object. A batch's calls typically read back the claim the call
 * before wrote. */
#include <stdlib.h>
#include <string.h>

#include "store/postgres_int.h"

static void entry_free(cpor__pg_written *e) {
  free(e->block);
  memset(e, 0, sizeof *e);
}

static cpor__pg_written *find(cpor__pg *s, uint32_t kind, const char *id) {
  for (int i = 0; i < CPOR__PG_WRITTEN; i++) {
    cpor__pg_written *e = &s->written[i];
    if (e->block && e->obj.kind == kind && strcmp(e->obj.id, id) == 0) return e;
  }
  return NULL;
}

void cpor__pg_written_forget(cpor__pg *s, uint32_t kind, const char *id) {
  cpor__pg_written *e = find(s, kind, id);
  if (e) entry_free(e);
}

void cpor__pg_written_clear(cpor__pg *s) {
  for (int i = 0; i < CPOR__PG_WRITTEN; i++)
    entry_free(&s->written[i]);
}

static char *put_text(char **at, const char *text) {
  if (!text) return NULL;
  size_t n = strlen(text) + 1;
  char *out = memcpy(*at, text, n);
  *at += n;
  return out;
}

int cpor__pg_written_keep(cpor__pg *s, const cpor_store_object *o, uint64_t revision) {
  /* The new copy is made before the old one goes: o's strings may be the
   * old copy's (an object read back and written again). */
  size_t n = strlen(o->id) + 1 + (o->owner ? strlen(o->owner) + 1 : 0) +
             (o->ref ? strlen(o->ref) + 1 : 0) + o->len + 1;
  char *block = malloc(n), *at = block;
  cpor__pg_written copy = {0};
  if (block) {
    if (o->len) memcpy(at, o->data, o->len);
    copy.block = block;
    copy.obj = *o;
    copy.obj.revision = revision;
    copy.obj.data = at;
    at += o->len;
    *at++ = '\0';
    copy.obj.id = put_text(&at, o->id);
    copy.obj.owner = put_text(&at, o->owner);
    copy.obj.ref = put_text(&at, o->ref);
  }
  cpor__pg_written *e = find(s, o->kind, o->id);
  if (!e) {
    e = &s->written[s->written_next];
    s->written_next = (s->written_next + 1) % CPOR__PG_WRITTEN;
  }
  entry_free(e);
  *e = copy;
  /* Without memory the write fails like any other: the core undoes it. */
  return block ? CPOR_OK : cpor__pg_error(s, CPOR_ENOMEM, "out of memory");
}

int cpor__pg_written_get(cpor__pg *s, uint32_t kind, const char *id, cpor_store_object *out) {
  const cpor__pg_written *e = find(s, kind, id);
  if (e) *out = e->obj;
  return e != NULL;
}
