/* The binary record encoding, read side (see codec.h). */
#include "core/codec.h"

#include <stdlib.h>
#include <string.h>

#define NULL_LEN UINT32_MAX /* an encoded NULL string */
#define MAX_STR (16u * 1024 * 1024)

void cpor__rbuf_init(cpor__rbuf *r, const void *data, size_t len) {
  r->p = data;
  r->end = r->p + len;
  r->bad = data == NULL && len != 0;
  r->oom = 0;
}

uint32_t cpor__r_u32(cpor__rbuf *r) {
  if (r->bad || r->end - r->p < 4) {
    r->bad = 1;
    return 0;
  }
  uint32_t v = (uint32_t)r->p[0] | (uint32_t)r->p[1] << 8 | (uint32_t)r->p[2] << 16 |
               (uint32_t)r->p[3] << 24;
  r->p += 4;
  return v;
}

int64_t cpor__r_i64(cpor__rbuf *r) {
  uint64_t lo = cpor__r_u32(r);
  uint64_t hi = cpor__r_u32(r);
  return (int64_t)(lo | hi << 32);
}

char *cpor__r_str(cpor__rbuf *r) {
  uint32_t n = cpor__r_u32(r);
  if (r->bad || n == NULL_LEN) return NULL;
  if (n > MAX_STR || (size_t)(r->end - r->p) < n) {
    r->bad = 1;
    return NULL;
  }
  char *s = malloc((size_t)n + 1);
  if (!s) {
    r->bad = r->oom = 1;
    return NULL;
  }
  memcpy(s, r->p, n);
  s[n] = 0;
  if (memchr(s, 0, n)) { /* stored strings never hold NUL */
    free(s);
    r->bad = 1;
    return NULL;
  }
  r->p += n;
  return s;
}
