/* libcpor — the PostgreSQL storage backend: one store shared by many hosts.
 *
 * Every host opens the same database by URL or conninfo; races between them
 * are decided by the database (conditional updates on revisions and unique
 * exclusive keys), never by a lock held in one process. The backend is
 * compiled when the build finds libpq (meson option `postgres`); otherwise
 * cpor_storage_open_postgres exists and returns CPOR_ENOTSUP.
 *
 * Passwords come from where libpq looks for them (the URL or conninfo,
 * PGPASSWORD, PGPASSFILE / ~/.pgpass); the library never writes one to a
 * message: error texts are scrubbed of `password=...` values and of the
 * password in a URL's user information. */
#ifndef CPOR_POSTGRES_H
#define CPOR_POSTGRES_H

#include "context.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Zero (NULL) fields are the defaults in brackets. */
#define CPOR_POSTGRES_OPTIONS_VERSION 1
typedef struct cpor_postgres_options {
  uint32_t version; /* CPOR_POSTGRES_OPTIONS_VERSION */
  /* Give up connecting (and reconnecting) after this many ms, rounded up to
   * whole seconds as libpq counts them [0 = 10000, or connect_timeout of the
   * conninfo when it names one]. */
  uint32_t connect_timeout_ms;
  /* The server cancels a statement that runs longer (statement_timeout); the
   * call then fails with CPOR_ESTORAGE [0 = no limit]. */
  uint32_t statement_timeout_ms;
  /* Shown in pg_stat_activity [NULL = the conninfo's application_name, else
   * "libcpor"]. Copied; may be freed after the call. */
  const char *application_name;
} cpor_postgres_options;
#define CPOR_POSTGRES_OPTIONS_INIT                                                                 \
  CPOR_VERSIONED_INIT(cpor_postgres_options, CPOR_POSTGRES_OPTIONS_VERSION)
/* Zeroes *opts by version's size (1..CPOR_POSTGRES_OPTIONS_VERSION) and sets
 * the version: every default. CPOR_EINVAL for NULL, CPOR_EVERSION for an
 * unknown version. */
CPOR_API int cpor_postgres_options_init(cpor_postgres_options *opts, uint32_t version);

/* Opens a libcpor store in a PostgreSQL database: conninfo is a URL
 * ("postgresql://user@host:5432/db", "postgres://...") or a libpq keyword
 * string ("host=/run/postgresql dbname=cpor"). The tables live in the first
 * schema of the connection's search_path; an empty schema gets the libcpor
 * schema, an older libcpor schema is upgraded (under an advisory lock, so two
 * hosts starting at once do not race), and nothing is written to a schema
 * that is not libcpor's. opts may be NULL (defaults).
 *
 * Codes: CPOR_EINVAL for NULL arguments, a malformed URL or conninfo, or a
 * malformed option; CPOR_EVERSION for an options version of 0 or newer than
 * the library's, or a libcpor schema newer than this library's; CPOR_ECORRUPT
 * for a schema that holds tables of another application (or a libcpor marker
 * that does not match); CPOR_ESTORAGE when the server cannot be reached, the
 * login fails or the schema cannot be created; CPOR_ENOTSUP when the library
 * was built without libpq. The message goes to err (may be NULL); it never
 * contains a password.
 *
 * The storage uses one connection, by one thread at a time (like a context).
 * A lost connection fails the call in progress with CPOR_ESTORAGE; the next
 * transaction reconnects. Freed with cpor_storage_free. */
CPOR_API int cpor_storage_open_postgres(cpor_storage **out, const char *conninfo,
                                        const cpor_postgres_options *opts, char *err,
                                        size_t errlen);

#ifdef __cplusplus
}
#endif

#endif /* CPOR_POSTGRES_H */
