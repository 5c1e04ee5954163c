/* Validation and canonicalization of the identifiers and strings the API takes.
 * Each returns CPOR_OK or CPOR_EINVAL and, on failure, a static reason. */
#ifndef CPOR_RULES_VALID_H
#define CPOR_RULES_VALID_H

#include <stddef.h>

#define CPOR_GUID_LEN 36

/* Any GUID form with optional braces, either case -> canonical lowercase. */
int cpor__guid_canon(const char *in, char out[CPOR_GUID_LEN + 1]);
int cpor__valid_mpn(const char *s);
int cpor__valid_partner_id(const char *s);
int cpor__valid_workload_code(const char *s);
/* Domain names: RFC 1035 labels (letters, digits, inner hyphens, 1-63
 * bytes), at least two labels, at most 253 bytes -> lowercase copy in out. */
int cpor__domain_canon(const char *in, char out[254]);
int cpor__valid_email(const char *s);
/* 64 hex digits -> lowercase. */
int cpor__sha256_canon(const char *in, char out[65]);
/* Non-empty (when required), valid UTF-8, no control characters, <= max bytes. */
int cpor__valid_text(const char *s, size_t max, int required);
/* One line of text: 1..max bytes of valid UTF-8 without any control
 * character (no tab or newline either). */
int cpor__valid_line(const char *s, size_t max);

#endif
