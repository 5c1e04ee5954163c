/* The binary encoding of stored records in earlier releases: little-endian
 * integers and length-prefixed strings. Only read now (records_bin.c).
 * Readers never trust their input: any overrun or bad length sets the error
 * flag (-> CPOR_ECORRUPT). */
#ifndef CPOR_CORE_CODEC_H
#define CPOR_CORE_CODEC_H

#include <stddef.h>
#include <stdint.h>

typedef struct cpor__rbuf {
  const unsigned char *p, *end;
  int bad;
  int oom; /* a copy failed: the record is fine, memory is not */
} cpor__rbuf;

void cpor__rbuf_init(cpor__rbuf *r, const void *data, size_t len);
uint32_t cpor__r_u32(cpor__rbuf *r);
int64_t cpor__r_i64(cpor__rbuf *r);
/* A fresh malloc'd copy (NULL for an encoded NULL; sets bad and oom on OOM). */
char *cpor__r_str(cpor__rbuf *r);

#endif
