/* Validators (see valid.h). ASCII only: never the locale's ctype. */
#include "valid.h"

#include <string.h>

#include "cpor/common.h"

static int is_digit(char c) {
  return c >= '0' && c <= '9';
}
static int is_lower(char c) {
  return c >= 'a' && c <= 'z';
}
static int is_upper(char c) {
  return c >= 'A' && c <= 'Z';
}
static int is_alnum(char c) {
  return is_digit(c) || is_lower(c) || is_upper(c);
}
static char to_lower(char c) {
  return is_upper(c) ? (char)(c - 'A' + 'a') : c;
}
static int is_hex(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

int cpor__guid_canon(const char *in, char out[CPOR_GUID_LEN + 1]) {
  if (!in) return CPOR_EINVAL;
  size_t n = strlen(in);
  if (n == CPOR_GUID_LEN + 2) {
    if (in[0] != '{' || in[n - 1] != '}') return CPOR_EINVAL;
    in++;
    n -= 2;
  }
  if (n != CPOR_GUID_LEN) return CPOR_EINVAL;
  for (size_t i = 0; i < n; i++) {
    int dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? in[i] != '-' : !is_hex(in[i])) return CPOR_EINVAL;
    out[i] = to_lower(in[i]);
  }
  out[n] = 0;
  return CPOR_OK;
}

int cpor__valid_mpn(const char *s) {
  if (!s) return CPOR_EINVAL;
  size_t n = strlen(s);
  if (n < 1 || n > 10) return CPOR_EINVAL;
  for (size_t i = 0; i < n; i++)
    if (!is_digit(s[i])) return CPOR_EINVAL;
  return CPOR_OK;
}

int cpor__valid_partner_id(const char *s) {
  if (!s) return CPOR_EINVAL;
  size_t n = strlen(s);
  if (n < 1 || n > 64) return CPOR_EINVAL;
  for (size_t i = 0; i < n; i++)
    if (!is_alnum(s[i]) && s[i] != '.' && s[i] != '_' && s[i] != '-') return CPOR_EINVAL;
  return CPOR_OK;
}

int cpor__valid_workload_code(const char *s) {
  if (!s) return CPOR_EINVAL;
  size_t n = strlen(s);
  if (n < 2 || n > 32) return CPOR_EINVAL;
  for (size_t i = 0; i < n; i++)
    if (!is_upper(s[i]) && !is_digit(s[i]) && s[i] != '_') return CPOR_EINVAL;
  return CPOR_OK;
}

int cpor__domain_canon(const char *in, char out[254]) {
  if (!in) return CPOR_EINVAL;
  size_t n = strlen(in);
  if (n < 3 || n > 253) return CPOR_EINVAL;
  size_t label = 0, labels = 1;
  for (size_t i = 0; i < n; i++) {
    char c = in[i];
    if (c == '.') {
      if (label == 0 || in[i - 1] == '-') return CPOR_EINVAL;
      label = 0;
      labels++;
    } else if (is_alnum(c) || c == '-') {
      if (c == '-' && label == 0) return CPOR_EINVAL;
      if (++label > 63) return CPOR_EINVAL;
    } else {
      return CPOR_EINVAL;
    }
    out[i] = to_lower(c);
  }
  if (label == 0 || in[n - 1] == '-' || labels < 2) return CPOR_EINVAL;
  out[n] = 0;
  return CPOR_OK;
}

int cpor__valid_email(const char *s) {
  if (!s) return CPOR_EINVAL;
  const char *at = strchr(s, '@');
  if (!at || at == s || strchr(at + 1, '@')) return CPOR_EINVAL;
  size_t local = (size_t)(at - s);
  if (local > 64) return CPOR_EINVAL;
  for (size_t i = 0; i < local; i++) {
    char c = s[i];
    if (!is_alnum(c) && !strchr(".!#$%&'*+/=?^_`{|}~-", c)) return CPOR_EINVAL;
  }
  if (s[0] == '.' || s[local - 1] == '.' || strstr(s, "..")) return CPOR_EINVAL;
  char dom[254];
  return cpor__domain_canon(at + 1, dom);
}

int cpor__sha256_canon(const char *in, char out[65]) {
  if (!in || strlen(in) != 64) return CPOR_EINVAL;
  for (size_t i = 0; i < 64; i++) {
    if (!is_hex(in[i])) return CPOR_EINVAL;
    out[i] = to_lower(in[i]);
  }
  out[64] = 0;
  return CPOR_OK;
}

/* Length of the UTF-8 sequence at s, or 0 when it is malformed. */
static size_t utf8_len(const unsigned char *s) {
  unsigned char c = s[0];
  if (c < 0x80) return 1;
  size_t n;
  unsigned min;
  unsigned cp;
  if ((c & 0xE0) == 0xC0)
    n = 2, min = 0x80, cp = c & 0x1F;
  else if ((c & 0xF0) == 0xE0)
    n = 3, min = 0x800, cp = c & 0x0F;
  else if ((c & 0xF8) == 0xF0)
    n = 4, min = 0x10000, cp = c & 0x07;
  else
    return 0;
  for (size_t i = 1; i < n; i++) {
    if ((s[i] & 0xC0) != 0x80) return 0;
    cp = cp << 6 | (s[i] & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return n;
}

int cpor__valid_text(const char *s, size_t max, int required) {
  if (!s) return required ? CPOR_EINVAL : CPOR_OK;
  size_t n = strlen(s);
  if (n > max || (required && n == 0)) return CPOR_EINVAL;
  const unsigned char *p = (const unsigned char *)s;
  for (size_t i = 0; i < n;) {
    if (p[i] < 0x20 && p[i] != '\n' && p[i] != '\t') return CPOR_EINVAL;
    if (p[i] == 0x7F) return CPOR_EINVAL;
    size_t k = utf8_len(p + i);
    if (!k) return CPOR_EINVAL;
    i += k;
  }
  return CPOR_OK;
}

int cpor__valid_line(const char *s, size_t max) {
  if (!s || !*s || cpor__valid_text(s, max, 1)) return CPOR_EINVAL;
  return strpbrk(s, "\n\t") ? CPOR_EINVAL : CPOR_OK;
}
