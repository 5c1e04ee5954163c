/* The strict JSON reader (see json_read.h). */
#include "core/json_read.h"

#include <stdlib.h>
#include <string.h>

#include "cpor/model.h"

#define MAX_DEPTH 64 /* nesting of a canonicalized value */
#define MAX_KEY 64   /* a longer key names no field of ours */

/* A string token as it appears in the input, between its quotes. */
typedef struct span {
  const unsigned char *s;
  size_t n;
  int esc; /* holds escapes: decoding is needed */
} span;

void cpor__jr_init(cpor__jr *r, const void *data, size_t len) {
  r->p = data;
  r->end = r->p + len;
  r->rc = data || !len ? CPOR_OK : CPOR_ECORRUPT;
  r->first = 0;
}

void cpor__jr_fail(cpor__jr *r, int rc) {
  if (!r->rc) r->rc = rc;
}

static int bad(cpor__jr *r) {
  cpor__jr_fail(r, CPOR_ECORRUPT);
  return 0;
}

/* Skips whitespace; the next byte, or 0 at the end (NUL is never valid). */
static inline int peek(cpor__jr *r) {
  if (r->rc) return 0;
  if (r->p<r->end && * r->p> ' ') return *r->p; /* no whitespace: canonical input */
  while (r->p < r->end && (*r->p == ' ' || *r->p == '\n' || *r->p == '\r' || *r->p == '\t'))
    r->p++;
  return r->p < r->end ? *r->p : 0;
}

static int eat(cpor__jr *r, int c) {
  if (peek(r) != c) return bad(r);
  r->p++;
  return 1;
}

int cpor__jr_end(cpor__jr *r) {
  if (peek(r) || r->p != r->end) bad(r);
  return r->rc;
}

static int literal(cpor__jr *r, const char *word, size_t n) {
  if ((size_t)(r->end - r->p) < n || memcmp(r->p, word, n)) return bad(r);
  r->p += n;
  r->first = 0;
  return 1;
}

int cpor__jr_is_str(cpor__jr *r) {
  return peek(r) == '"';
}

int cpor__jr_null(cpor__jr *r) {
  return peek(r) == 'n' && literal(r, "null", 4);
}

static int hex4(const unsigned char *p, unsigned *out) {
  unsigned v = 0;
  for (int i = 0; i < 4; i++) {
    int c = p[i], d = c >= '0' && c <= '9'   ? c - '0'
                      : c >= 'a' && c <= 'f' ? c - 'a' + 10
                      : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                             : -1;
    if (d < 0) return 0;
    v = v << 4 | (unsigned)d;
  }
  *out = v;
  return 1;
}

/* An escape at p (after the backslash, before end): its code point and
 * length, 0 if it is not a valid one (a NUL or a lone surrogate is not). */
static size_t escape_at(const unsigned char *p, const unsigned char *end, unsigned *cp) {
  static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
  const char *e = *p ? strchr(from, *p) : NULL;
  if (e) {
    *cp = (unsigned char)to[e - from];
    return 1;
  }
  if (*p != 'u' || end - p < 5 || !hex4(p + 1, cp) || *cp == 0) return 0;
  if (*cp >= 0xdc00 && *cp <= 0xdfff) return 0;
  if (*cp < 0xd800 || *cp > 0xdbff) return 5;
  unsigned lo;
  if (end - p < 11 || p[5] != '\\' || p[6] != 'u' || !hex4(p + 7, &lo) || lo < 0xdc00 ||
      lo > 0xdfff)
    return 0;
  *cp = 0x10000 + ((*cp - 0xd800) << 10) + (lo - 0xdc00);
  return 11;
}

/* Reads a string token: every escape and every UTF-8 sequence checked. */
static int string(cpor__jr *r, span *out) {
  if (!eat(r, '"')) return 0;
  const unsigned char *p = r->p, *end = r->end;
  out->s = p;
  out->esc = 0;
  for (;;) {
    while (p < end && cpor__json_plain[*p])
      p++;
    if (p == end || *p < 0x20) return bad(r);
    if (*p == '"') break;
    size_t len;
    unsigned cp;
    if (*p == '\\') {
      out->esc = 1;
      len = p + 1 < end ? escape_at(p + 1, end, &cp) : 0;
      if (len) len++;
    } else {
      len = cpor__utf8_len(p, (size_t)(end - p));
    }
    if (!len) return bad(r);
    p += len;
  }
  out->n = (size_t)(p - out->s);
  r->p = p + 1;
  r->first = 0;
  return 1;
}

static size_t put_utf8(unsigned char *o, unsigned cp) {
  if (cp < 0x80) return o[0] = (unsigned char)cp, 1;
  if (cp < 0x800) {
    o[0] = (unsigned char)(0xc0 | cp >> 6);
    o[1] = (unsigned char)(0x80 | (cp & 0x3f));
    return 2;
  }
  if (cp < 0x10000) {
    o[0] = (unsigned char)(0xe0 | cp >> 12);
    o[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
    o[2] = (unsigned char)(0x80 | (cp & 0x3f));
    return 3;
  }
  o[0] = (unsigned char)(0xf0 | cp >> 18);
  o[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3f));
  o[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
  o[3] = (unsigned char)(0x80 | (cp & 0x3f));
  return 4;
}

/* Decodes a checked string token into out (room for sp->n bytes: decoding
 * never grows it); returns the decoded length. */
static size_t unescape(const span *sp, unsigned char *out) {
  if (!sp->esc) return memcpy(out, sp->s, sp->n), sp->n;
  const unsigned char *p = sp->s, *end = p + sp->n;
  size_t n = 0;
  while (p < end) {
    if (*p != '\\') {
      out[n++] = *p++;
      continue;
    }
    unsigned cp;
    p += 1 + escape_at(p + 1, end, &cp);
    n += put_utf8(out + n, cp);
  }
  return n;
}

char *cpor__jr_str(cpor__jr *r, int nullable) {
  if (cpor__jr_null(r)) return nullable ? NULL : (bad(r), NULL);
  span sp;
  if (!string(r, &sp)) return NULL;
  unsigned char *s = malloc(sp.n + 1);
  if (!s) return cpor__jr_fail(r, CPOR_ENOMEM), NULL;
  s[unescape(&sp, s)] = 0;
  return (char *)s;
}

/* A number token; *integer says it has no fraction or exponent. */
static int number(cpor__jr *r, span *out, int *integer) {
  const unsigned char *p = r->p, *end = r->end;
  out->s = p;
  out->esc = 0;
  if (p < end && *p == '-') p++;
  if (p < end && *p == '0')
    p++;
  else if (p < end && *p >= '1' && *p <= '9')
    while (p < end && *p >= '0' && *p <= '9')
      p++;
  else
    return bad(r);
  *integer = 1;
  if (p < end && *p == '.') {
    *integer = 0;
    const unsigned char *d = ++p;
    while (p < end && *p >= '0' && *p <= '9')
      p++;
    if (p == d) return bad(r);
  }
  if (p < end && (*p == 'e' || *p == 'E')) {
    *integer = 0;
    if (++p < end && (*p == '+' || *p == '-')) p++;
    const unsigned char *d = p;
    while (p < end && *p >= '0' && *p <= '9')
      p++;
    if (p == d) return bad(r);
  }
  out->n = (size_t)(p - out->s);
  r->p = p;
  r->first = 0;
  return 1;
}

int64_t cpor__jr_int(cpor__jr *r, int64_t min, int64_t max) {
  int c = peek(r), integer;
  span sp;
  if (c != '-' && (c < '0' || c > '9')) return bad(r);
  if (!number(r, &sp, &integer) || !integer) return bad(r);
  int neg = sp.s[0] == '-';
  uint64_t v = 0;
  for (size_t i = (size_t)neg; i < sp.n; i++) {
    unsigned d = (unsigned)(sp.s[i] - '0');
    if (v > (UINT64_MAX - d) / 10) return bad(r);
    v = v * 10 + d;
  }
  /* In range of int64_t first, then of [min, max]. */
  if (neg ? v > (uint64_t)INT64_MAX + 1 : v > (uint64_t)INT64_MAX) return bad(r);
  int64_t x = neg ? (int64_t)(0 - v) : (int64_t)v;
  if (x < min || x > max) return bad(r);
  return x;
}

int64_t cpor__jr_time(cpor__jr *r) {
  if (cpor__jr_null(r)) return CPOR_TIME_NONE;
  return cpor__jr_int(r, INT64_MIN + 1, INT64_MAX);
}

int cpor__jr_bool(cpor__jr *r) {
  int c = peek(r);
  if (c == 't') return literal(r, "true", 4);
  if (c == 'f') return literal(r, "false", 5), 0;
  return bad(r);
}

/* A short string into buf (NUL-terminated); 0 if it is longer or fails. */
static int short_string(cpor__jr *r, char buf[MAX_KEY]) {
  span sp;
  if (!string(r, &sp)) return 0;
  if (sp.n >= MAX_KEY) return bad(r);
  buf[unescape(&sp, (unsigned char *)buf)] = 0;
  return 1;
}

int cpor__jr_enum(cpor__jr *r, int (*from_name)(const char *, int *), int nullable) {
  if (cpor__jr_null(r)) return nullable ? 0 : bad(r);
  char name[MAX_KEY];
  int v = 0;
  if (short_string(r, name) && from_name(name, &v) != CPOR_OK) return bad(r);
  return v;
}

int cpor__jr_open(cpor__jr *r, char bracket) {
  if (!eat(r, bracket)) return 0;
  r->first = 1;
  return 1;
}

/* Before an item of an object or array: 1 if one follows, 0 after the
 * closing bracket (consumed) or on failure. */
static int more(cpor__jr *r, char close) {
  int c = peek(r);
  if (!c) return bad(r); /* the end, or NUL */
  if (c == close) {      /* (after a ',' the item read fails) */
    r->p++;
    r->first = 0;
    return 0;
  }
  if (!r->first && (!eat(r, ',') || !peek(r))) return bad(r);
  r->first = 0;
  return !r->rc;
}

int cpor__jr_next(cpor__jr *r) {
  return more(r, ']');
}

/* Whether the token at p is the string key (keys need no escapes). */
static int is_key(const cpor__jr *r, const char *key) {
  size_t len = strlen(key);
  const unsigned char *p = r->p;
  return (size_t)(r->end - p) > len + 2 && p[1] == (unsigned char)key[0] && p[len + 1] == '"' &&
         !memcmp(p + 1, key, len);
}

int cpor__jr_field(cpor__jr *r, const char *const *keys, int n, uint64_t *seen) {
  if (!more(r, '}')) return -1;
  /* Canonical documents come in key order: the next key is the first
   * unread one, or a later one when keys are optional. */
  int i = 0;
  while (i < n && (*seen >> i & 1))
    i++;
  for (; i < n && r->p[0] == '"'; i++)
    if (!(*seen >> i & 1) && is_key(r, keys[i])) {
      r->p += strlen(keys[i]) + 2;
      *seen |= (uint64_t)1 << i;
      return eat(r, ':') ? i : -1;
    }
  char key[MAX_KEY];
  if (!short_string(r, key) || !eat(r, ':')) return -1;
  for (i = 0; i < n; i++)
    if (!(*seen >> i & 1) && !strcmp(keys[i], key)) {
      *seen |= (uint64_t)1 << i;
      return i;
    }
  bad(r); /* unknown or repeated */
  return -1;
}

void cpor__jr_need(cpor__jr *r, uint64_t seen, int n) {
  uint64_t all = n >= 64 ? UINT64_MAX : ((uint64_t)1 << n) - 1;
  if ((seen & all) != all) bad(r);
}

/* ---- canonical copies ----------------------------------------------------- */

/* A member of an object being sorted: offsets into a scratch buffer. */
typedef struct member {
  size_t key, klen, val, vlen;
  const char *base;
} member;

static int by_key(const void *a, const void *b) {
  const member *x = a, *y = b;
  size_t n = x->klen < y->klen ? x->klen : y->klen;
  int c = memcmp(x->base + x->key, y->base + y->key, n);
  return c ? c : (x->klen > y->klen) - (x->klen < y->klen);
}

static void canon(cpor__jr *r, cpor__jw *w, const char *key, int depth);

/* An object: members canonicalized into scratch, sorted, then written. */
static void canon_object(cpor__jr *r, cpor__jw *w, const char *key, int depth) {
  cpor__jw tmp = {0};
  member *m = NULL;
  size_t n = 0, cap = 0;
  r->first = 1;
  while (more(r, '}')) {
    span sp;
    if (!string(r, &sp) || !eat(r, ':')) break;
    if (n == cap) {
      member *v = realloc(m, (cap = cap ? cap * 2 : 8) * sizeof *m);
      if (!v) {
        cpor__jr_fail(r, CPOR_ENOMEM);
        break;
      }
      m = v;
    }
    m[n].key = tmp.len;
    tmp.comma = 0;
    cpor__jw_raw(&tmp, NULL, sp.s, sp.n); /* room enough; decoded in place */
    if (tmp.rc) break;
    m[n].klen = sp.n ? unescape(&sp, (unsigned char *)tmp.data + m[n].key) : 0;
    tmp.len = m[n].key + m[n].klen;
    tmp.comma = 0;
    m[n].val = tmp.len;
    canon(r, &tmp, NULL, depth + 1);
    m[n].vlen = tmp.len - m[n].val;
    n++;
  }
  if (tmp.rc) cpor__jr_fail(r, tmp.rc);
  for (size_t i = 0; i < n; i++)
    m[i].base = tmp.data;
  if (!r->rc && n > 1) qsort(m, n, sizeof *m, by_key);
  for (size_t i = 1; i < n && !r->rc; i++)
    if (!by_key(&m[i - 1], &m[i])) bad(r); /* a duplicate key */
  cpor__jw_open(w, key, '{');
  for (size_t i = 0; i < n && !r->rc; i++) {
    cpor__jw_keyn(w, tmp.data + m[i].key, m[i].klen);
    cpor__jw_raw(w, NULL, tmp.data + m[i].val, m[i].vlen);
  }
  cpor__jw_close(w, '}');
  free(m);
  cpor__jw_free(&tmp);
}

static void canon(cpor__jr *r, cpor__jw *w, const char *key, int depth) {
  int c = peek(r), integer;
  span sp;
  if (depth > MAX_DEPTH) c = 0;
  switch (c) {
  case '{':
    r->p++;
    canon_object(r, w, key, depth);
    break;
  case '[':
    r->p++;
    r->first = 1;
    cpor__jw_open(w, key, '[');
    while (more(r, ']'))
      canon(r, w, NULL, depth + 1);
    cpor__jw_close(w, ']');
    break;
  case '"':
    if (!string(r, &sp)) break;
    if (!sp.esc) {
      cpor__jw_strn(w, key, (const char *)sp.s, sp.n);
    } else {
      unsigned char *s = malloc(sp.n ? sp.n : 1);
      if (!s) {
        cpor__jr_fail(r, CPOR_ENOMEM);
        break;
      }
      cpor__jw_strn(w, key, (const char *)s, unescape(&sp, s));
      free(s);
    }
    break;
  case 't':
  case 'f':
    cpor__jw_bool(w, key, cpor__jr_bool(r));
    break;
  case 'n':
    if (literal(r, "null", 4)) cpor__jw_null(w, key);
    break;
  default:
    if ((c == '-' || (c >= '0' && c <= '9')) && number(r, &sp, &integer))
      cpor__jw_raw(w, key, sp.s, sp.n);
    else
      bad(r);
  }
  if (w->rc) cpor__jr_fail(r, w->rc == CPOR_ENOMEM ? CPOR_ENOMEM : CPOR_ECORRUPT);
}

/* Whether the value at *pp is already in the form canon writes, with no
 * byte to change: no whitespace, object keys in strictly increasing bytewise
 * order, strings without escapes (a string with one takes the slow path even
 * when it is canonical). Advances *pp past it when so. The records this
 * library writes itself all pass, and then cost one scan and one copy. */
static int canonical(const unsigned char **pp, const unsigned char *end, int depth) {
  const unsigned char *p = *pp;
  cpor__jr t = {0};
  span sp, prev = {NULL, 0, 0};
  int integer;
  if (p == end || depth > MAX_DEPTH) return 0;
  switch (*p) {
  case '{':
  case '[': {
    int object = *p++ == '{';
    if (p < end && *p == (object ? '}' : ']')) break;
    for (int first = 1;; first = 0) {
      if (object) {
        t.p = p, t.end = end;
        if (p == end || *p != '"' || !string(&t, &sp) || sp.esc) return 0;
        if (!first) {
          size_t n = prev.n < sp.n ? prev.n : sp.n;
          int c = memcmp(prev.s, sp.s, n);
          if (c > 0 || (c == 0 && prev.n >= sp.n)) return 0; /* out of order, or twice */
        }
        prev = sp;
        p = t.p;
        if (p == end || *p++ != ':') return 0;
      }
      if (!canonical(&p, end, depth + 1)) return 0;
      if (p < end && *p == ',') {
        p++;
        continue;
      }
      if (p < end && *p == (object ? '}' : ']')) break;
      return 0;
    }
    break;
  }
  case '"':
    t.p = p, t.end = end;
    if (!string(&t, &sp) || sp.esc) return 0;
    *pp = t.p;
    return 1;
  case 't':
  case 'f':
  case 'n': {
    const char *word = *p == 't' ? "true" : *p == 'f' ? "false" : "null";
    size_t n = strlen(word);
    if ((size_t)(end - p) < n || memcmp(p, word, n)) return 0;
    *pp = p + n;
    return 1;
  }
  default:
    t.p = p, t.end = end;
    if (!number(&t, &sp, &integer)) return 0;
    *pp = t.p;
    return 1;
  }
  *pp = p + 1; /* the closing bracket */
  return 1;
}

void cpor__jr_canon_full(cpor__jr *r, cpor__jw *w, const char *key) {
  canon(r, w, key, 0);
}

void cpor__jr_canon(cpor__jr *r, cpor__jw *w, const char *key) {
  const unsigned char *p = r->p;
  if (!r->rc && canonical(&p, r->end, 0)) {
    cpor__jw_raw(w, key, r->p, (size_t)(p - r->p));
    r->p = p;
    r->first = 0;
    if (w->rc) cpor__jr_fail(r, w->rc == CPOR_ENOMEM ? CPOR_ENOMEM : CPOR_ECORRUPT);
    return;
  }
  canon(r, w, key, 0);
}
