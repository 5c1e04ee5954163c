/* PostgreSQL for the tests: a fresh schema per store, in the database that
 * CPOR_TEST_PG names (a conninfo or URL; `bash .ci/pg.sh run` sets it).
 * Shared by every test that runs on PostgreSQL (the backend's own suite, the
 * conformance suite, the claim journeys and the settled-state property with
 * CPOR_TEST_BACKEND=postgres), so no test builds a conninfo of its own.
 *
 * Schemas are named cpor_t<run>_<pid>_<n>: <run> is the pid of the process
 * that called pgtest_begin_run, so pgtest_end_run drops whatever a test that
 * failed before its cleanup left behind. Built without libpq, every function
 * reports that there is no server. */
#ifndef CPOR_TESTS_PGTEST_H
#define CPOR_TESTS_PGTEST_H

#include <stddef.h>

#include "cpor/sys/storage.h"

/* CPOR_TEST_PG, or NULL when unset, empty or built without libpq. */
const char *pgtest_base(void);

/* Called by main before the suite runs: 1 to run it (and remembers the run
 * id). 0 when it must not run: a TAP plan saying why was printed and
 * *status is main's exit status (0 = skipped: CPOR_TEST_PG is unset; 1 =
 * failed: CI=true without a server, or a server that does not connect). */
int pgtest_begin_run(int *status);
/* Drops this run's schemas that are left. */
void pgtest_end_run(void);

/* Runs SQL on a fresh connection to CPOR_TEST_PG (fails the test on an
 * error); returns the first value of the first row (malloc'd) or NULL. */
char *pgtest_sql(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Creates a fresh, empty schema; its name goes to schema (64 bytes). */
void pgtest_schema_new(char *schema, size_t len);
/* A keyword conninfo for CPOR_TEST_PG with `extra` appended (e.g.
 * "options='-c search_path=s'"), values quoted. */
void pgtest_conninfo(char *out, size_t outlen, const char *extra);
/* The conninfo whose search_path is schema. */
void pgtest_schema_conninfo(char *out, size_t outlen, const char *schema);
/* The same as a postgresql:// URL (every keyword in the query string), for
 * a db_path. */
void pgtest_schema_url(char *out, size_t outlen, const char *schema);
/* Drops a schema and everything in it. */
void pgtest_schema_drop(const char *schema);

/* The server of CPOR_TEST_PG stopped with `pg_ctl stop -m immediate` (as a
 * crash: no checkpoint, connections cut) or started again, through
 * CPOR_TEST_PG_BIN, CPOR_TEST_PG_DATA and CPOR_TEST_PG_OWNER (.ci/pg.sh);
 * 0 when pg_ctl succeeded. pgtest_can_restart: 1 when those are set. */
int pgtest_can_restart(void);
int pgtest_server_stop(void);
int pgtest_server_start(void);

/* A fresh schema (its name to schema, may be NULL) and a store opened in it:
 * CPOR_OK or the open's code (message on stderr). */
int pgtest_open(cpor_storage **out, char *schema, size_t len);

#endif
