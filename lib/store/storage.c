/* Wrapping a backend: version checks and conversion to the latest layout. */
#include <stdlib.h>
#include <string.h>

#include "store/storage.h"

#include <stddef.h>

/* Version 1 ended with close. */
#define V1_SIZE (offsetof(cpor_storage_methods, close) + sizeof(void (*)(void *)))

int cpor_storage_methods_init(cpor_storage_methods *methods, uint32_t version) {
  if (!methods) return CPOR_EINVAL;
  if (version == 0 || version > CPOR_STORAGE_VERSION) return CPOR_EVERSION;
  memset(methods, 0, version == 1 ? V1_SIZE : sizeof *methods);
  methods->version = version;
  return CPOR_OK;
}

int cpor_storage_new(cpor_storage **out, const cpor_storage_methods *methods, void *self) {
  if (!out) return CPOR_EINVAL;
  *out = NULL;
  if (!methods) return CPOR_EINVAL;
  if (methods->version == 0 || methods->version > CPOR_STORAGE_VERSION) return CPOR_EVERSION;
  /* An older layout is copied by its own size into a zeroed latest one. */
  cpor_storage_methods latest;
  memset(&latest, 0, sizeof latest);
  memcpy(&latest, methods, methods->version == 1 ? V1_SIZE : sizeof latest);
  const cpor_storage_methods *m = &latest;
  if ((m->savepoint != NULL) != (m->release != NULL) ||
      (m->release != NULL) != (m->rollback_to != NULL))
    return CPOR_EINVAL;
  if (!m->begin || !m->commit || !m->rollback || !m->object_get || !m->object_put ||
      !m->object_scan || !m->lines_replace || !m->lines_by_unit || !m->deadline_set ||
      !m->deadline_clear || !m->deadline_scan || !m->event_append || !m->event_scan)
    return CPOR_EINVAL;
  cpor_storage *s = calloc(1, sizeof *s);
  if (!s) return CPOR_ENOMEM;
  s->m = *m;
  s->self = self;
  *out = s;
  return CPOR_OK;
}

void cpor_storage_free(cpor_storage *s) {
  if (!s) return;
  if (s->m.close) s->m.close(s->self);
  free(s);
}

const char *cpor__storage_errmsg(const cpor_storage *s) {
  const char *msg = s->m.errmsg ? s->m.errmsg(s->self) : NULL;
  return msg && *msg ? msg : "storage backend failure";
}

int cpor_storage_open_memory(cpor_storage **out) {
  if (!out) return CPOR_EINVAL;
  *out = NULL;
  const cpor_storage_methods *m;
  void *self;
  int rc = cpor__memory_backend(&m, &self);
  if (rc) return rc;
  rc = cpor_storage_new(out, m, self);
  if (rc && m->close) m->close(self);
  return rc;
}
