/* Public struct versions: the layout history of every versioned struct, and
 * the one conversion every API boundary uses. */
#include "struct_version.h"

#include <stdio.h>
#include <string.h>

#include "cpor/postgres.h"
#include "cpor/sys/storage.h"

/* The bytes of a version that ended with member. */
#define END(type, member) (offsetof(type, member) + sizeof(((type *)0)->member))

/* A new version appends fields and its size here; the asserts make a
 * version bump without its size a build error. */
_Static_assert(CPOR_CTX_OPTIONS_VERSION == 2, "cpor_ctx_options: record the new version's size");
const cpor__layout cpor__ctx_options_layout = {
    "cpor_ctx_options",
    CPOR_CTX_OPTIONS_VERSION,
    {END(cpor_ctx_options, errbuf_len), sizeof(cpor_ctx_options)}};

_Static_assert(CPOR_SQLITE_OPTIONS_VERSION == 2,
               "cpor_sqlite_options: record the new version's size");
const cpor__layout cpor__sqlite_options_layout = {
    "cpor_sqlite_options",
    CPOR_SQLITE_OPTIONS_VERSION,
    {END(cpor_sqlite_options, read_only), END(cpor_sqlite_options, mmap_mb)}};

_Static_assert(CPOR_POSTGRES_OPTIONS_VERSION == 1,
               "cpor_postgres_options: record the new version's size");
const cpor__layout cpor__postgres_options_layout = {"cpor_postgres_options",
                                                    CPOR_POSTGRES_OPTIONS_VERSION,
                                                    {END(cpor_postgres_options, application_name)}};

_Static_assert(CPOR_CLAIM_SPEC_VERSION == 2, "cpor_claim_spec: record the new version's size");
const cpor__layout cpor__claim_spec_layout = {
    "cpor_claim_spec",
    CPOR_CLAIM_SPEC_VERSION,
    {END(cpor_claim_spec, isv_product), END(cpor_claim_spec, expected_revision)}};

_Static_assert(CPOR_CLAIM_QUERY_VERSION == 3, "cpor_claim_query: record the new version's size");
const cpor__layout cpor__claim_query_layout = {"cpor_claim_query",
                                               CPOR_CLAIM_QUERY_VERSION,
                                               {END(cpor_claim_query, overdue),
                                                END(cpor_claim_query, updated_since),
                                                END(cpor_claim_query, external_ref)}};

_Static_assert(CPOR_ACTOR_VERSION == 1, "cpor_actor: record the new version's size");
const cpor__layout cpor__actor_layout = {"cpor_actor", CPOR_ACTOR_VERSION, {END(cpor_actor, user)}};

/* Versions 1 and 2 (0.1) had another layout: lib/store/storage.c refuses
 * them, so only the sizes of versions 3 to 5 are real. */
_Static_assert(CPOR_STORAGE_VERSION == 5, "cpor_storage_methods: record the new version's size");
const cpor__layout cpor__storage_methods_layout = {"cpor_storage_methods",
                                                   CPOR_STORAGE_VERSION,
                                                   {0, 0, END(cpor_storage_methods, close),
                                                    END(cpor_storage_methods, object_lock),
                                                    sizeof(cpor_storage_methods)}};

static int known(const cpor__layout *l, uint32_t version) {
  return version >= 1 && version <= l->latest;
}

int cpor__struct_read(const cpor__layout *l, const void *in, void *out, char *msg, size_t msglen) {
  uint32_t version = l->latest;
  if (in) memcpy(&version, in, sizeof version); /* every struct starts with it */
  if (!known(l, version)) {
    if (msg && msglen)
      snprintf(msg, msglen, "unsupported %s version %u (this library reads versions 1 to %u)",
               l->name, (unsigned)version, (unsigned)l->latest);
    return CPOR_EVERSION;
  }
  memset(out, 0, l->size[l->latest - 1]);
  if (in) memcpy(out, in, l->size[version - 1]);
  memcpy(out, &l->latest, sizeof l->latest);
  return CPOR_OK;
}

int cpor__struct_init(const cpor__layout *l, void *s, uint32_t version) {
  if (!s) return CPOR_EINVAL;
  if (!known(l, version)) return CPOR_EVERSION;
  memset(s, 0, l->size[version - 1]);
  memcpy(s, &version, sizeof version);
  return CPOR_OK;
}
