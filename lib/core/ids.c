/* Record IDs: random UUIDs from libuuid, so claim IDs cannot be guessed. */
#include <uuid/uuid.h>

#include "core/ids.h"

void cpor__new_id(char out[37]) {
  uuid_t u;
  uuid_generate_random(u);
  uuid_unparse_lower(u, out);
}
