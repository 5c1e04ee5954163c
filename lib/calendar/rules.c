/* The calendar rule language (DESIGN.md, Part 3): a parser into a staging
 * builder, and the expansion of one rule in one year.
 *
 * Keywords, day names and observe= values are ASCII and case-insensitive;
 * the parser uses its own ASCII helpers so the host locale plays no part. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define MAX_TEXT (1024 * 1024) /* bytes of rule text */
#define MAX_LINE 4096          /* bytes of one line, without its newline */
#define MAX_WORDS 16

/* ---- expansion ---------------------------------------------------------------- */

bool cpor__rule_date(const struct cpor__rule *r, int32_t y, int32_t *out) {
  int32_t d;
  int wd;
  switch (r->kind) {
  case CPOR__RULE_FIXED:
    if (r->day > cpor__days_in_month(y, r->month)) return false; /* 29 February in a common year */
    d = cpor__days_from_civil(y, r->month, r->day);
    wd = cpor_date_weekday(d);
    if (r->observe == CPOR__OBSERVE_NEAREST)
      d += wd == 5 ? -1 : wd == 6 ? 1 : 0;
    else if (r->observe == CPOR__OBSERVE_NEXT)
      d += wd == 5 ? 2 : wd == 6 ? 1 : 0;
    else if (r->observe == CPOR__OBSERVE_SUNDAY)
      d += wd == 6;
    break;
  case CPOR__RULE_NTH: {
    int32_t len = cpor__days_in_month(y, r->month);
    if (r->nth > 0) {
      int32_t first = cpor__days_from_civil(y, r->month, 1);
      d = first + (r->dow - cpor_date_weekday(first) + 7) % 7 + 7 * (r->nth - 1);
      if (d >= first + len) return false; /* no 5th such weekday this month */
    } else {
      int32_t last = cpor__days_from_civil(y, r->month, len);
      d = last - (cpor_date_weekday(last) - r->dow + 7) % 7 - 7 * (-r->nth - 1);
      if (d <= last - len) return false;
    }
    break;
  }
  default:
    d = cpor__easter(y) + r->offset;
    break;
  }
  *out = d;
  return true;
}

/* ---- lexing ------------------------------------------------------------------- */

struct word {
  const char *s;
  bool quoted;
};

struct parser {
  int line;
  char *err;
  size_t errlen;
};

static int fail(struct parser *p, const char *fmt, ...) {
  if (p->err && p->errlen) {
    int n = snprintf(p->err, p->errlen, "line %d: ", p->line);
    if (n >= 0 && (size_t)n < p->errlen) {
      va_list ap;
      va_start(ap, fmt);
      vsnprintf(p->err + n, p->errlen - (size_t)n, fmt, ap);
      va_end(ap);
    }
  }
  return CPOR_EINVAL;
}

static bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

static char lower(char c) {
  return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static bool ieq(const char *a, const char *b) {
  for (; *a && *b; a++, b++)
    if (lower(*a) != lower(*b)) return false;
  return *a == *b;
}

/* Splits a line (modified in place) into words: blanks separate them, '#'
 * outside quotes starts a comment, "..." is one word. */
static int split(struct parser *p, char *s, struct word *w, int *nw) {
  int n = 0;
  for (;;) {
    while (is_space(*s))
      s++;
    if (*s == '\0' || *s == '#') break;
    if (n == MAX_WORDS) return fail(p, "too many words");
    if (*s == '"') {
      char *end = strchr(s + 1, '"');
      if (!end) return fail(p, "unterminated quote");
      w[n++] = (struct word){s + 1, true};
      *end = '\0';
      s = end + 1;
      if (*s && !is_space(*s) && *s != '#') return fail(p, "text after closing quote");
      continue;
    }
    w[n++] = (struct word){s, false};
    while (*s && !is_space(*s) && *s != '#' && *s != '"')
      s++;
    if (*s == '"') return fail(p, "stray quote in '%.40s'", w[n - 1].s);
    char c = *s;
    *s = '\0';
    if (c == '#') break;
    if (c) s++;
  }
  *nw = n;
  return CPOR_OK;
}

/* ---- values ------------------------------------------------------------------- */

/* A decimal of 1..maxdigits digits, with a sign when signed_ok. */
static bool number(const char *s, int maxdigits, bool signed_ok, int32_t *out) {
  int32_t sign = 1, v = 0;
  int n = 0;
  if (signed_ok && (*s == '-' || *s == '+')) sign = *s++ == '-' ? -1 : 1;
  for (; *s; s++, n++) {
    if (*s < '0' || *s > '9' || n == maxdigits) return false;
    v = v * 10 + (*s - '0');
  }
  if (n == 0) return false;
  *out = sign * v;
  return true;
}

static int day_name(const char *s) {
  static const char *const shortn[7] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
  static const char *const longn[7] = {"monday", "tuesday",  "wednesday", "thursday",
                                       "friday", "saturday", "sunday"};
  for (int i = 0; i < 7; i++)
    if (ieq(s, shortn[i]) || ieq(s, longn[i])) return i;
  return -1;
}

static int parse_year(struct parser *p, const struct word *w, int32_t *out) {
  if (!number(w->s, 4, false, out) || *out < 1 || *out > 9999)
    return fail(p, "bad year '%.40s'", w->s);
  return CPOR_OK;
}

/* The optional holiday name, which is all that may follow a rule's fields. */
static int trailing_name(struct parser *p, const struct word *w, int i, int n) {
  if (i < n) i++;
  if (i < n) return fail(p, "unexpected '%.40s'", w[i].s);
  return CPOR_OK;
}

static int need(struct parser *p, const struct word *w, int i, int n, int count) {
  if (i + count > n) return fail(p, "missing argument to '%s'", w[i - 1].s);
  return CPOR_OK;
}

/* ---- rules ------------------------------------------------------------------- */

static bool two_digits(const char *s, int32_t *out) {
  if (s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9') return false;
  *out = (s[0] - '0') * 10 + (s[1] - '0');
  return true;
}

/* "observe=VALUE": the index of VALUE, -1 for a bad value, -2 when the word
 * is no observe= option at all. */
static int observe_option(const struct word *w) {
  static const char *const values[4] = {"none", "nearest", "next", "sunday"};
  const char *key = "observe=";
  if (w->quoted) return -2;
  for (int k = 0; key[k]; k++)
    if (lower(w->s[k]) != key[k]) return -2;
  for (int k = 0; k < 4; k++)
    if (ieq(w->s + 8, values[k])) return k;
  return -1;
}

static int rule_fixed(struct parser *p, const struct word *w, int i, int n, struct cpor__rule *r) {
  int32_t m = 0, d = 0;
  const char *s = w[i].s;
  /* 29 February is accepted: it yields a holiday in leap years only. */
  if (strlen(s) != 5 || !two_digits(s, &m) || s[2] != '-' || !two_digits(s + 3, &d) || m < 1 ||
      m > 12 || d < 1 || d > cpor__days_in_month(2000, m))
    return fail(p, "bad month-day '%.40s'", s);
  r->kind = CPOR__RULE_FIXED;
  r->month = (uint8_t)m;
  r->day = (uint8_t)d;
  i++;
  if (i < n) {
    int k = observe_option(&w[i]);
    if (k == -1) return fail(p, "bad observe '%.40s'", w[i].s + 8);
    if (k >= 0) {
      r->observe = (uint8_t)k;
      i++;
    }
  }
  return trailing_name(p, w, i, n);
}

static int rule_nth(struct parser *p, const struct word *w, int i, int n, struct cpor__rule *r) {
  int32_t m, k;
  int rc = need(p, w, i, n, 3);
  if (rc) return rc;
  if (!number(w[i].s, 2, false, &m) || m < 1 || m > 12) return fail(p, "bad month '%.40s'", w[i].s);
  int dow = day_name(w[i + 1].s);
  if (dow < 0) return fail(p, "unknown day '%.40s'", w[i + 1].s);
  if (!number(w[i + 2].s, 1, true, &k) || k == 0 || k < -5 || k > 5)
    return fail(p, "bad occurrence '%.40s' (1..5 or -1..-5)", w[i + 2].s);
  r->kind = CPOR__RULE_NTH;
  r->month = (uint8_t)m;
  r->dow = (uint8_t)dow;
  r->nth = (int8_t)k;
  return trailing_name(p, w, i + 3, n);
}

static int rule_easter(struct parser *p, const struct word *w, int i, int n, struct cpor__rule *r) {
  int32_t off;
  int rc = need(p, w, i, n, 1);
  if (rc) return rc;
  if (!number(w[i].s, 3, true, &off) || off < -365 || off > 365)
    return fail(p, "bad easter offset '%.40s' (-365..365)", w[i].s);
  r->kind = CPOR__RULE_EASTER;
  r->offset = (int16_t)off;
  return trailing_name(p, w, i + 1, n);
}

/* [from YEAR] [until YEAR] fixed|nth|easter ... */
static int recurring(struct parser *p, cpor_calendar_builder *b, const struct word *w, int n) {
  struct cpor__rule r = {.from = 1, .until = 9999};
  int32_t from = 1, until = 9999;
  int i = 0, rc;
  if (ieq(w[i].s, "from")) {
    if ((rc = need(p, w, i + 1, n, 1)) || (rc = parse_year(p, &w[i + 1], &from))) return rc;
    i += 2;
  }
  if (i < n && ieq(w[i].s, "until")) {
    if ((rc = need(p, w, i + 1, n, 1)) || (rc = parse_year(p, &w[i + 1], &until))) return rc;
    i += 2;
  }
  if (i == n) return fail(p, "missing rule after '%s'", w[i - 2].s);
  if (ieq(w[i].s, "from")) return fail(p, "'from' must come before 'until'");
  if (from > until) return fail(p, "from %d is after until %d", (int)from, (int)until);
  r.from = (int16_t)from;
  r.until = (int16_t)until;
  const char *kind = w[i].s;
  if (w[i].quoted)
    rc = fail(p, "unknown rule '%.40s'", kind);
  else if (ieq(kind, "fixed"))
    rc = need(p, w, i + 1, n, 1) ? CPOR_EINVAL : rule_fixed(p, w, i + 1, n, &r);
  else if (ieq(kind, "nth"))
    rc = rule_nth(p, w, i + 1, n, &r);
  else if (ieq(kind, "easter"))
    rc = rule_easter(p, w, i + 1, n, &r);
  else if (ieq(kind, "date") || ieq(kind, "workday") || ieq(kind, "name") || ieq(kind, "weekend") ||
           ieq(kind, "weekmask"))
    rc = fail(p, "'from' and 'until' apply only to fixed, nth and easter");
  else
    rc = fail(p, "unknown rule '%.40s'", kind);
  return rc ? rc : cpor__rules_push(b, &r);
}

static int rule_weekend(struct parser *p, cpor_calendar_builder *b, const struct word *w, int n) {
  uint32_t off = 0;
  if (n < 2) return fail(p, "missing argument to '%s'", w[0].s);
  for (int i = 1; i < n; i++) {
    int d = day_name(w[i].s);
    if (d < 0) return fail(p, "unknown day '%.40s'", w[i].s);
    off |= 1u << d;
  }
  if (off == 0x7F) return fail(p, "no business day in the week");
  b->weekmask = 0x7Fu & ~off;
  b->has_weekmask = true;
  return CPOR_OK;
}

static int rule_weekmask(struct parser *p, cpor_calendar_builder *b, const struct word *w, int n) {
  uint32_t mask = 0;
  int rc = need(p, w, 1, n, 1);
  if (rc) return rc;
  const char *s = w[1].s;
  if (strlen(s) != 7) return fail(p, "bad weekmask '%.40s' (seven 0/1 digits, Monday first)", s);
  for (int k = 0; k < 7; k++) {
    if (s[k] != '0' && s[k] != '1')
      return fail(p, "bad weekmask '%.40s' (seven 0/1 digits, Monday first)", s);
    mask |= (uint32_t)(s[k] - '0') << k;
  }
  if (!mask) return fail(p, "no business day in the week");
  if (n > 2) return fail(p, "unexpected '%.40s'", w[2].s);
  b->weekmask = mask;
  b->has_weekmask = true;
  return CPOR_OK;
}

static int rule_date(struct parser *p, struct cpor__dates *dates, const struct word *w, int n) {
  cpor_date d;
  int rc = need(p, w, 1, n, 1);
  if (rc) return rc;
  if (cpor_date_parse(w[1].s, &d) != CPOR_OK) return fail(p, "bad date '%.40s'", w[1].s);
  if ((rc = trailing_name(p, w, 2, n))) return rc;
  return cpor__dates_push(dates, d);
}

static int rule_name(struct parser *p, cpor_calendar_builder *b, const struct word *w, int n) {
  if (n < 2 || w[1].s[0] == '\0') return fail(p, "missing name");
  if (n > 2) return fail(p, "unexpected '%.40s'", w[2].s);
  size_t len = strlen(w[1].s);
  if (len > CPOR__MAX_NAME) return fail(p, "name longer than %d bytes", CPOR__MAX_NAME);
  char *name = malloc(len + 1);
  if (!name) return CPOR_ENOMEM;
  memcpy(name, w[1].s, len + 1);
  free(b->name);
  b->name = name;
  return CPOR_OK;
}

static int parse_line(struct parser *p, cpor_calendar_builder *b, char *line) {
  struct word w[MAX_WORDS];
  int n = 0;
  int rc = split(p, line, w, &n);
  if (rc || n == 0) return rc;
  const char *k = w[0].quoted ? "" : w[0].s;
  if (ieq(k, "name")) return rule_name(p, b, w, n);
  if (ieq(k, "weekend")) return rule_weekend(p, b, w, n);
  if (ieq(k, "weekmask")) return rule_weekmask(p, b, w, n);
  if (ieq(k, "date")) return rule_date(p, &b->holidays, w, n);
  if (ieq(k, "workday")) return rule_date(p, &b->workdays, w, n);
  return recurring(p, b, w, n);
}

int cpor__rules_parse(const char *text, cpor_calendar_builder *stage, char *err, size_t errlen) {
  struct parser p = {1, err, errlen};
  char buf[MAX_LINE + 1];
  size_t total = 0;
  if (err && errlen) err[0] = '\0';
  stage->weekmask = 0x1F;
  for (const char *s = text; *s; p.line++) {
    size_t len = 0;
    /* Never look further than one byte past the line limit. */
    while (s[len] && s[len] != '\n' && len <= MAX_LINE)
      len++;
    if (len > MAX_LINE) return fail(&p, "line longer than %d bytes", MAX_LINE);
    total += len + (s[len] == '\n');
    if (total > MAX_TEXT) return fail(&p, "rule text longer than 1 MiB");
    memcpy(buf, s, len);
    buf[len] = '\0';
    int rc = parse_line(&p, stage, buf);
    if (rc) return rc;
    s += len + (s[len] == '\n');
  }
  return CPOR_OK;
}

int cpor_calendar_parse(const char *text, cpor_calendar **out, char *err, size_t errlen) {
  if (err && errlen) err[0] = '\0';
  if (!out) return CPOR_EINVAL;
  *out = NULL;
  if (!text) return CPOR_EINVAL;
  cpor_calendar_builder stage = {0};
  int rc = cpor__rules_parse(text, &stage, err, errlen);
  if (rc == CPOR_OK) rc = cpor_calendar_builder_build(&stage, out);
  cpor__builder_clear(&stage);
  return rc;
}
