/* The PostgreSQL backend in a build without libpq: the functions exist (the
 * ABI does not depend on the build) and say why they cannot help. */
#include <stdio.h>

#include "cpor/postgres.h"
#include "struct_version.h"

int cpor_postgres_options_init(cpor_postgres_options *opts, uint32_t version) {
  return cpor__struct_init(&cpor__postgres_options_layout, opts, version);
}

int cpor_storage_open_postgres(cpor_storage **out, const char *conninfo,
                               const cpor_postgres_options *opts, char *err, size_t errlen) {
  (void)conninfo;
  (void)opts;
  if (out) *out = NULL;
  if (err && errlen)
    snprintf(err, errlen,
             "PostgreSQL storage is not supported by this build of libcpor (built without libpq; "
             "rebuild with -Dpostgres=enabled)");
  return CPOR_ENOTSUP;
}
