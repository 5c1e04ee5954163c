// The public headers (and the _INIT macros) must compile and link as C++.
#include <cpor/cpor.h>
#include <cpor/sys/storage.h>

int main() {
  cpor_ctx_options o = CPOR_CTX_OPTIONS_INIT;
  cpor_claim_spec s = CPOR_CLAIM_SPEC_INIT;
  cpor_storage_methods m = CPOR_STORAGE_METHODS_INIT;
  return o.version == CPOR_CTX_OPTIONS_VERSION && s.version == CPOR_CLAIM_SPEC_VERSION &&
                 m.version == CPOR_STORAGE_VERSION && cpor_strerror(CPOR_OK) != nullptr
             ? 0
             : 1;
}
