/* Wrapping a backend: version checks and conversion to the latest layout. */
#include <stdlib.h>

#include "store/storage.h"
#include "struct_version.h"

int cpor_storage_methods_init(cpor_storage_methods *methods, uint32_t version) {
  return cpor__struct_init(&cpor__storage_methods_layout, methods, version);
}

int cpor_storage_new(cpor_storage **out, const cpor_storage_methods *methods, void *self) {
  if (!out) return CPOR_EINVAL;
  *out = NULL;
  if (!methods) return CPOR_EINVAL;
  cpor_storage_methods latest;
  int rc = cpor__struct_read(&cpor__storage_methods_layout, methods, &latest, NULL, 0);
  if (rc) return rc;
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
