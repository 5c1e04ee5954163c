/* Compiled with -std=c99 -pedantic -Wall -Wextra -Werror: the public headers,
 * and every _INIT macro, must be clean for users who build that way. */
#include <cpor/cpor.h>
#include <cpor/sys/storage.h>

int main(void) {
  cpor_ctx_options o = CPOR_CTX_OPTIONS_INIT;
  cpor_sqlite_options so = CPOR_SQLITE_OPTIONS_INIT;
  cpor_actor a = CPOR_ACTOR_INIT;
  cpor_claim_spec s = CPOR_CLAIM_SPEC_INIT;
  cpor_claim_query q = CPOR_CLAIM_QUERY_INIT;
  cpor_storage_methods m = CPOR_STORAGE_METHODS_INIT;
  cpor_policy p = CPOR_POLICY_DEFAULT;
  /* The _INIT macros set the version only: every other field is zero, the
   * documented default. */
  int versions_set =
      o.version == CPOR_CTX_OPTIONS_VERSION && so.version == CPOR_SQLITE_OPTIONS_VERSION &&
      so.cache_mb == 0 && a.version == CPOR_ACTOR_VERSION && s.version == CPOR_CLAIM_SPEC_VERSION &&
      q.version == CPOR_CLAIM_QUERY_VERSION && q.limit == 0 && m.version == CPOR_STORAGE_VERSION &&
      p.optout.count == 5 && o.policy.dispute.count == 0;
  return versions_set && cpor_strerror(CPOR_OK) != 0 ? 0 : 1;
}
