/* The canonical JSON writer (see json_write.h). */
#include "json_write.h"

#include <stdlib.h>
#include <string.h>

#include "cpor/model.h"

/* A claim document is about 1.3 KB: one allocation for most records. */
#define FIRST_CAP 2048

void cpor__jw_fail(cpor__jw *w, int rc) {
  if (!w->rc) w->rc = rc;
}

void cpor__jw_free(cpor__jw *w) {
  free(w->data);
  memset(w, 0, sizeof *w);
}

static int grow(cpor__jw *w, size_t n) {
  size_t cap = w->cap ? w->cap : FIRST_CAP;
  while (cap - w->len < n) {
    if (cap > SIZE_MAX / 2) return cpor__jw_fail(w, CPOR_ENOMEM), 0;
    cap *= 2;
  }
  char *d = realloc(w->data, cap);
  if (!d) return cpor__jw_fail(w, CPOR_ENOMEM), 0;
  w->data = d;
  w->cap = cap;
  return 1;
}

/* Room for n more bytes; 0 on failure (w->rc set). */
static inline int room(cpor__jw *w, size_t n) {
  if (w->rc) return 0;
  return w->cap - w->len >= n || grow(w, n);
}

static void put(cpor__jw *w, const void *p, size_t n) {
  if (!n || !room(w, n)) return;
  memcpy(w->data + w->len, p, n);
  w->len += n;
}

static void putc1(cpor__jw *w, char c) {
  if (!room(w, 1)) return;
  w->data[w->len++] = c;
}

/* The bytes a string holds as they are: not '"', '\\', a control character
 * or part of a non-ASCII character. */
const unsigned char cpor__json_plain[256] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0x00 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0x10 */
    1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0x20 */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0x30 */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0x40 */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, /* 0x50 */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0x60 */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0x70 */
                                                    /* 0x80-0xff: 0 */
};

/* The separator and the key before a value. */
static void lead(cpor__jw *w, const char *key) {
  if (w->comma) putc1(w, ',');
  if (key) {
    size_t n = strlen(key);
    if (!room(w, n + 3)) return;
    char *d = w->data + w->len;
    d[0] = '"';
    memcpy(d + 1, key, n);
    d[n + 1] = '"';
    d[n + 2] = ':';
    w->len += n + 3;
  }
  w->comma = 1;
}

void cpor__jw_open(cpor__jw *w, const char *key, char bracket) {
  lead(w, key);
  putc1(w, bracket);
  w->comma = 0;
}

void cpor__jw_close(cpor__jw *w, char bracket) {
  putc1(w, bracket);
  w->comma = 1;
}

void cpor__jw_null(cpor__jw *w, const char *key) {
  if (w->omit_null && key) return;
  lead(w, key);
  put(w, "null", 4);
}

void cpor__jw_bool(cpor__jw *w, const char *key, int b) {
  lead(w, key);
  if (b)
    put(w, "true", 4);
  else
    put(w, "false", 5);
}

/* Writes v in decimal, with a minus sign when neg. */
static void number(cpor__jw *w, const char *key, uint64_t v, int neg) {
  char b[21];
  size_t i = sizeof b;
  do
    b[--i] = (char)('0' + v % 10);
  while (v /= 10);
  if (neg) b[--i] = '-';
  lead(w, key);
  put(w, b + i, sizeof b - i);
}

void cpor__jw_uint(cpor__jw *w, const char *key, uint64_t v) {
  number(w, key, v, 0);
}

void cpor__jw_int(cpor__jw *w, const char *key, int64_t v) {
  number(w, key, v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v, v < 0);
}

void cpor__jw_time(cpor__jw *w, const char *key, int64_t t) {
  if (t == CPOR_TIME_NONE)
    cpor__jw_null(w, key);
  else
    cpor__jw_int(w, key, t);
}

size_t cpor__utf8_len(const unsigned char *s, size_t n) {
  unsigned c = s[0];
  size_t len = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
  if (c < 0xc2 || c > 0xf4 || n < len) return 0;
  for (size_t i = 1; i < len; i++)
    if ((s[i] & 0xc0) != 0x80) return 0;
  if (c == 0xe0 && s[1] < 0xa0) return 0; /* overlong */
  if (c == 0xed && s[1] > 0x9f) return 0; /* surrogate */
  if (c == 0xf0 && s[1] < 0x90) return 0; /* overlong */
  if (c == 0xf4 && s[1] > 0x8f) return 0; /* above U+10FFFF */
  return len;
}

static void escape(cpor__jw *w, unsigned char c) {
  static const char hex[] = "0123456789ABCDEF";
  char e[6] = {'\\', 0};
  switch (c) {
  case '"':
    e[1] = '"';
    break;
  case '\\':
    e[1] = '\\';
    break;
  case '\b':
    e[1] = 'b';
    break;
  case '\f':
    e[1] = 'f';
    break;
  case '\n':
    e[1] = 'n';
    break;
  case '\r':
    e[1] = 'r';
    break;
  case '\t':
    e[1] = 't';
    break;
  default:
    memcpy(e + 1, "u00", 3);
    e[4] = hex[c >> 4];
    e[5] = hex[c & 15];
    put(w, e, 6);
    return;
  }
  put(w, e, 2);
}

/* A quoted, escaped string (no separator, no key). */
static void body(cpor__jw *w, const char *s, size_t n) {
  if (!room(w, n + 2)) return;
  putc1(w, '"');
  const unsigned char *p = (const unsigned char *)s, *end = p + n;
  while (p < end) {
    const unsigned char *run = p; /* bytes that go as they are */
    while (p < end && cpor__json_plain[*p])
      p++;
    put(w, run, (size_t)(p - run));
    if (p == end) break;
    if (*p >= 0x80) {
      size_t len = cpor__utf8_len(p, (size_t)(end - p));
      if (!len) {
        cpor__jw_fail(w, CPOR_EINVAL);
        return;
      }
      put(w, p, len);
      p += len;
    } else {
      escape(w, *p++);
    }
  }
  putc1(w, '"');
}

void cpor__jw_strn(cpor__jw *w, const char *key, const char *s, size_t n) {
  lead(w, key);
  body(w, s, n);
}

void cpor__jw_keyn(cpor__jw *w, const char *key, size_t n) {
  lead(w, NULL);
  body(w, key, n);
  putc1(w, ':');
  w->comma = 0;
}

void cpor__jw_str(cpor__jw *w, const char *key, const char *s) {
  if (s)
    cpor__jw_strn(w, key, s, strlen(s));
  else
    cpor__jw_null(w, key);
}

void cpor__jw_name(cpor__jw *w, const char *key, const char *name) {
  if (!name)
    cpor__jw_fail(w, CPOR_EINVAL);
  else
    cpor__jw_str(w, key, name);
}

void cpor__jw_raw(cpor__jw *w, const char *key, const void *json, size_t n) {
  lead(w, key);
  put(w, json, n);
}

char *cpor__jw_cstr(cpor__jw *w) {
  putc1(w, 0);
  if (w->rc) {
    cpor__jw_free(w);
    return NULL;
  }
  char *s = w->data;
  memset(w, 0, sizeof *w);
  return s;
}
