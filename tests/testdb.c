#include "testdb.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpor/postgres.h"
#include "pgtest.h"

int test_db_on_pg(void) {
  const char *b = getenv("CPOR_TEST_BACKEND");
  return b && strcmp(b, "postgres") == 0;
}

void test_db_make(test_db *d, const char *tag) {
  memset(d, 0, sizeof *d);
  d->pg = test_db_on_pg();
  if (d->pg) {
    pgtest_schema_new(d->schema, sizeof d->schema);
    pgtest_schema_url(d->path, sizeof d->path, d->schema);
  } else {
    test_dbfile_make(&d->file, tag);
    snprintf(d->path, sizeof d->path, "%s", d->file.path);
  }
}

void test_db_remove(test_db *d) {
  if (d->pg)
    pgtest_schema_drop(d->schema);
  else
    test_dbfile_remove(&d->file);
}

int test_db_storage(const char *db_path, cpor_storage **out, char *err, size_t errlen) {
  if (strncmp(db_path, "postgresql://", 13) == 0) {
    cpor_postgres_options o = CPOR_POSTGRES_OPTIONS_INIT;
    o.connect_timeout_ms = 5000;
    return cpor_storage_open_postgres(out, db_path, &o, err, errlen);
  }
  return cpor_storage_open_sqlite(out, db_path, NULL, err, errlen);
}
