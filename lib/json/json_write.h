/* A canonical JSON writer for stored records (README.md, "Stored records"):
 * compact, strings with only '"', '\' and control characters escaped (as
 * jansson's JSON_COMPACT dump writes them), UTF-8 as is. Keys are written in
 * the order the caller gives: records write them sorted bytewise.
 *
 * Errors are sticky: the first one is kept in rc and later calls do nothing.
 * CPOR_ENOMEM when memory runs out; CPOR_EINVAL for a value a document cannot
 * hold (bad UTF-8, an enumeration value without a name). */
#ifndef CPOR_JSON_WRITE_H
#define CPOR_JSON_WRITE_H

#include <stddef.h>
#include <stdint.h>

typedef struct cpor__jw {
  char *data; /* malloc'd: free() it, or take it when rc is CPOR_OK */
  size_t len, cap;
  int rc;
  int comma; /* a value precedes: the next key or element needs a ',' */
  /* 1: an object member whose value is null is left out (an absent member
   * reads as null); array elements are always written. */
  int omit_null;
} cpor__jw;

/* Every value function takes the member's key, or NULL for an array element
 * (or the top-level value). Keys are plain ASCII, written unescaped. */
void cpor__jw_open(cpor__jw *w, const char *key, char bracket); /* '{' or '[' */
void cpor__jw_close(cpor__jw *w, char bracket);                 /* '}' or ']' */
void cpor__jw_str(cpor__jw *w, const char *key, const char *s); /* NULL is null */
void cpor__jw_strn(cpor__jw *w, const char *key, const char *s, size_t n);
/* A key that may need escaping; the value follows with a NULL key. */
void cpor__jw_keyn(cpor__jw *w, const char *key, size_t n);
void cpor__jw_int(cpor__jw *w, const char *key, int64_t v);
void cpor__jw_uint(cpor__jw *w, const char *key, uint64_t v);
void cpor__jw_time(cpor__jw *w, const char *key, int64_t t); /* CPOR_TIME_NONE is null */
void cpor__jw_bool(cpor__jw *w, const char *key, int b);
void cpor__jw_null(cpor__jw *w, const char *key);
/* A string that must be there, as an enumeration value's name or a required
 * field: NULL (a value with no name) fails with CPOR_EINVAL. */
void cpor__jw_name(cpor__jw *w, const char *key, const char *name);
/* Bytes that already are one canonical JSON value (the caller checked). */
void cpor__jw_raw(cpor__jw *w, const char *key, const void *json, size_t n);
void cpor__jw_fail(cpor__jw *w, int rc);
/* The length of the UTF-8 sequence of a non-ASCII character at s (at most n
 * bytes), 0 if there is none: no overlong forms, no surrogates, nothing above
 * U+10FFFF. */
size_t cpor__utf8_len(const unsigned char *s, size_t n);
/* 1 for the bytes a JSON string holds unescaped and that are ASCII. */
extern const unsigned char cpor__json_plain[256];
void cpor__jw_free(cpor__jw *w);
/* Hands over the text written, NUL-terminated (NULL when rc is set); w is
 * left empty. */
char *cpor__jw_cstr(cpor__jw *w);

#endif
