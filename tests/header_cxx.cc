// The public headers (and the _INIT macros) must compile and link as C++.
#include <cpor/cpor.h>
#include <cpor/sys/storage.h>

int main() {
  cpor_ctx_options o = CPOR_CTX_OPTIONS_INIT;
  cpor_claim_spec s = CPOR_CLAIM_SPEC_INIT;
  cpor_storage_methods m = CPOR_STORAGE_METHODS_INIT;
  cpor_sqlite_options so = CPOR_SQLITE_OPTIONS_INIT;
  cpor_claim_query q = CPOR_CLAIM_QUERY_INIT;
  cpor_actor a = CPOR_ACTOR_INIT;
  return o.version == CPOR_CTX_OPTIONS_VERSION && s.version == CPOR_CLAIM_SPEC_VERSION &&
                 m.version == CPOR_STORAGE_VERSION && so.version == CPOR_SQLITE_OPTIONS_VERSION &&
                 so.mmap_mb == 0 && q.version == CPOR_CLAIM_QUERY_VERSION &&
                 q.after_id == nullptr && a.version == CPOR_ACTOR_VERSION && a.role == 0 &&
                 o.policy.optout.count == 0 && cpor_strerror(CPOR_OK) != nullptr
             ? 0
             : 1;
}
