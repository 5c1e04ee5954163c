/* Whether a text is well-formed JSON (RFC 8259, plus what jansson refuses
 * by default: \u0000 and invalid UTF-8), without allocating. jansson reports
 * some allocation failures as syntax errors ("invalid token" when a string
 * buffer cannot be had, nothing at all when an object cannot); this second
 * opinion tells CPOR_ENOMEM from CPOR_ECORRUPT (json_doc.c). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/json_doc.h"

#define MAX_DEPTH 2048 /* jansson's JSON_PARSER_MAX_DEPTH */

typedef struct scan {
  const unsigned char *p, *end;
} scan;

static void ws(scan *s) {
  while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
    s->p++;
}

static int hex4(scan *s, unsigned *out) {
  if (s->end - s->p < 4) return 0;
  unsigned v = 0;
  for (int i = 0; i < 4; i++) {
    unsigned char c = s->p[i];
    int d = c >= '0' && c <= '9'   ? c - '0'
            : c >= 'a' && c <= 'f' ? c - 'a' + 10
            : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                   : -1;
    if (d < 0) return 0;
    v = v << 4 | (unsigned)d;
  }
  s->p += 4;
  *out = v;
  return 1;
}

/* \uXXXX after the "\u": a surrogate needs its pair; U+0000 is refused. */
static int unicode_escape(scan *s) {
  unsigned v, lo;
  if (!hex4(s, &v) || v == 0 || (v >= 0xDC00 && v <= 0xDFFF)) return 0;
  if (v < 0xD800 || v > 0xDBFF) return 1;
  if (s->end - s->p < 2 || s->p[0] != '\\' || s->p[1] != 'u') return 0;
  s->p += 2;
  return hex4(s, &lo) && lo >= 0xDC00 && lo <= 0xDFFF;
}

/* One UTF-8 sequence (no overlong forms, surrogates or values past U+10FFFF). */
static int utf8(scan *s) {
  unsigned char c = *s->p;
  size_t n = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
  if (!n || (size_t)(s->end - s->p) < n) return 0;
  static const uint32_t min[5] = {0, 0, 0x80, 0x800, 0x10000};
  uint32_t cp = c & (0x7F >> n);
  for (size_t i = 1; i < n; i++) {
    if ((s->p[i] & 0xC0) != 0x80) return 0;
    cp = cp << 6 | (s->p[i] & 0x3F);
  }
  if (cp < min[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  s->p += n;
  return 1;
}

static int string(scan *s) {
  s->p++; /* the opening quote */
  while (s->p < s->end) {
    unsigned char c = *s->p;
    if (c == '"') return s->p++, 1;
    if (c < 0x20) return 0;
    if (c >= 0x80) {
      if (!utf8(s)) return 0;
      continue;
    }
    s->p++;
    if (c != '\\') continue;
    if (s->p == s->end) return 0;
    c = *s->p++;
    if (c == 'u') {
      if (!unicode_escape(s)) return 0;
    } else if (!strchr("\"\\/bfnrt", c) || c == 0) {
      return 0;
    }
  }
  return 0;
}

static int digits(scan *s) {
  const unsigned char *start = s->p;
  while (s->p < s->end && *s->p >= '0' && *s->p <= '9')
    s->p++;
  return s->p > start;
}

static int number(scan *s) {
  if (*s->p == '-') s->p++;
  if (s->p < s->end && *s->p == '0')
    s->p++;
  else if (!digits(s))
    return 0;
  if (s->p < s->end && *s->p == '.' && (s->p++, !digits(s))) return 0;
  if (s->p < s->end && (*s->p == 'e' || *s->p == 'E')) {
    s->p++;
    if (s->p < s->end && (*s->p == '+' || *s->p == '-')) s->p++;
    if (!digits(s)) return 0;
  }
  return 1;
}

static int literal(scan *s, const char *word) {
  size_t n = strlen(word);
  if ((size_t)(s->end - s->p) < n || memcmp(s->p, word, n) != 0) return 0;
  s->p += n;
  return 1;
}

static int scalar(scan *s) {
  switch (*s->p) {
  case '"':
    return string(s);
  case 't':
    return literal(s, "true");
  case 'f':
    return literal(s, "false");
  case 'n':
    return literal(s, "null");
  default:
    return (*s->p == '-' || (*s->p >= '0' && *s->p <= '9')) && number(s);
  }
}

/* Iterative: open containers are a bit stack (1 = object), so hostile depth
 * costs no C stack. */
int cpor__json_wellformed(const void *data, size_t len) {
  scan s = {data, (const unsigned char *)data + len};
  unsigned char stack[MAX_DEPTH / 8];
  size_t depth = 0;
  ws(&s);
  if (s.p == s.end || (*s.p != '{' && *s.p != '[')) return 0;
  for (;;) {
    ws(&s);
    if (s.p == s.end) return 0;
    /* A value (in an object: a key, a colon, then a value). */
    int in_obj = depth && (stack[(depth - 1) / 8] >> ((depth - 1) % 8) & 1);
    if (in_obj) {
      if (*s.p != '"' || !string(&s)) return 0;
      ws(&s);
      if (s.p == s.end || *s.p++ != ':') return 0;
      ws(&s);
      if (s.p == s.end) return 0;
    }
    if (*s.p == '{' || *s.p == '[') {
      if (depth == MAX_DEPTH) return 0;
      int obj = *s.p++ == '{';
      stack[depth / 8] =
          (unsigned char)((stack[depth / 8] & ~(1u << depth % 8)) | (unsigned)obj << depth % 8);
      depth++;
      ws(&s);
      if (s.p < s.end && *s.p == (obj ? '}' : ']'))
        s.p++, depth--;
      else
        continue;
    } else if (!scalar(&s)) {
      return 0;
    }
    /* After a value: a comma, or the end of one or more containers. */
    for (;;) {
      ws(&s);
      if (!depth) return s.p == s.end;
      if (s.p == s.end) return 0;
      int obj = stack[(depth - 1) / 8] >> ((depth - 1) % 8) & 1;
      if (*s.p == ',') {
        s.p++;
        break;
      }
      if (*s.p != (obj ? '}' : ']')) return 0;
      s.p++;
      depth--;
    }
  }
}
