/* cpor — argument parsing and validation that never touches the database. */
#include "cli.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Looks name up in a space-separated spec; returns its kind ('=' value,
 * '!' switch, '*' repeatable) or 0 when the command has no such flag. */
static char spec_kind(const char *spec, const char *name, size_t len) {
  const char *p = spec;
  while (p && *p) {
    while (*p == ' ')
      p++;
    const char *end = p;
    while (*end && *end != ' ')
      end++;
    size_t n = (size_t)(end - p);
    char kind = '=';
    if (n > 0 && (p[n - 1] == '!' || p[n - 1] == '*')) kind = p[--n];
    if (n == len && strncmp(p, name, len) == 0) return kind;
    p = end;
  }
  return 0;
}

char *cli_keep(cli *c, char *p) {
  if (!p) return NULL;
  if (c->nscratch == c->capscratch) {
    size_t cap = c->capscratch ? c->capscratch * 2 : 16;
    char **v = realloc(c->scratch, cap * sizeof *v);
    if (!v) {
      free(p);
      return NULL;
    }
    c->scratch = v;
    c->capscratch = cap;
  }
  return c->scratch[c->nscratch++] = p;
}

static char *vfmt(const char *fmt, va_list ap) {
  va_list ap2;
  va_copy(ap2, ap);
  int n = vsnprintf(NULL, 0, fmt, ap2);
  va_end(ap2);
  char *buf = n >= 0 ? malloc((size_t)n + 1) : NULL;
  if (buf) vsnprintf(buf, (size_t)n + 1, fmt, ap);
  return buf;
}

const char *cli_fmt(cli *c, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  char *s = cli_keep(c, vfmt(fmt, ap));
  va_end(ap);
  return s ? s : "(out of memory)";
}

int cli_utf8_seq(const unsigned char *p, unsigned *cp) {
  if (p[0] < 0x80) return *cp = p[0], 1;
  int n = p[0] >= 0xF0 ? 4 : p[0] >= 0xE0 ? 3 : p[0] >= 0xC2 ? 2 : 0;
  if (n == 0 || p[0] > 0xF4) return 0;
  unsigned v = p[0] & (0x7F >> n);
  for (int i = 1; i < n; i++) {
    if ((p[i] & 0xC0) != 0x80) return 0;
    v = v << 6 | (p[i] & 0x3F);
  }
  static const unsigned min[] = {0, 0, 0x80, 0x800, 0x10000};
  if (v < min[n] || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) return 0;
  *cp = v;
  return n;
}

static void esc_to(FILE *f, const char *s) {
  for (const unsigned char *p = (const unsigned char *)s; *p;) {
    unsigned cp;
    int n = cli_utf8_seq(p, &cp);
    if (n == 0) {
      fprintf(f, "\\x%02x", *p++);
      continue;
    }
    if (cp == '\\')
      fputs("\\\\", f);
    else if (cp == '\n')
      fputs("\\n", f);
    else if (cp == '\t')
      fputs("\\t", f);
    else if (cp == '\r')
      fputs("\\r", f);
    else if (cp < 0x20 || cp == 0x7F)
      fprintf(f, "\\x%02x", cp);
    else if ((cp >= 0x80 && cp <= 0x9F) || cp == 0x2028 || cp == 0x2029)
      fprintf(f, "\\u{%04x}", cp); /* C1 controls and Unicode line breaks */
    else
      fwrite(p, 1, (size_t)n, f);
    p += n;
  }
}

const char *cli_esc(cli *c, const char *s) {
  if (!s) return "";
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  if (!f) return "(out of memory)";
  esc_to(f, s);
  fclose(f);
  char *kept = cli_keep(c, buf);
  return kept ? kept : "(out of memory)";
}

int cli_usage(cli *c, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  char *msg = vfmt(fmt, ap);
  va_end(ap);
  const char *m = msg ? msg : "out of memory";
  fprintf(stderr, "cpor: %s%s%s\n", c->prog_cmd ? c->prog_cmd : "", c->prog_cmd ? ": " : "",
          cli_esc(c, m));
  if (c->json) {
    json_error(stdout, "usage", m);
    fputc('\n', stdout);
  }
  free(msg);
  return CLI_EXIT_USAGE;
}

int cli_wants_help(int argc, char **argv) {
  for (int i = 0; i < argc && strcmp(argv[i], "--") != 0; i++)
    if (!strcmp(argv[i], "--help")) return 1;
  return 0;
}

/* name (len bytes) as one option of a parsed command line. */
static int same_opt(const cli_opt *o, const char *name, size_t len) {
  return strncmp(o->name, name, len) == 0 && (o->name[len] == '\0' || o->name[len] == '=');
}

static int take_option(cli *c, const cli_command *cmd, int argc, char **argv, int *i,
                       cli_args *out) {
  const char *arg = argv[*i], *name = arg + 2;
  const char *eq = strchr(name, '=');
  size_t len = eq ? (size_t)(eq - name) : strlen(name);
  char kind = spec_kind(cmd->spec, name, len);
  if (!kind) return cli_usage(c, "unknown option '%s'", arg);
  cli_opt *o = &out->opts[out->nopts];
  o->name = name;
  if (kind == '!') {
    if (eq) return cli_usage(c, "option '%s' takes no value", arg);
    o->value = NULL;
  } else if (eq) {
    o->value = eq + 1;
  } else {
    if (*i + 1 >= argc) return cli_usage(c, "option '%s' needs a value", arg);
    o->value = argv[++*i];
  }
  if (kind != '*')
    for (int j = 0; j < out->nopts; j++)
      if (same_opt(&out->opts[j], name, len))
        return cli_usage(c, "option '--%.*s' given twice", (int)len, name);
  out->nopts++;
  return CLI_EXIT_OK;
}

int cli_parse_args(cli *c, const cli_command *cmd, int argc, char **argv, cli_args *out) {
  memset(out, 0, sizeof *out);
  out->opts = calloc((size_t)argc + 1, sizeof *out->opts);
  out->pos = calloc((size_t)argc + 1, sizeof *out->pos);
  if (!out->opts || !out->pos) return cli_usage(c, "out of memory");
  int options = 1;
  for (int i = 0; i < argc; i++) {
    const char *arg = argv[i];
    if (options && !strcmp(arg, "--")) {
      options = 0;
    } else if (options && strncmp(arg, "--", 2) == 0) {
      int rc = take_option(c, cmd, argc, argv, &i, out);
      if (rc) return rc;
    } else {
      out->pos[out->npos++] = arg;
    }
  }
  if (out->npos < cmd->min_pos) return cli_usage(c, "missing argument (usage: %s)", cmd->usage);
  if (out->npos > cmd->max_pos)
    return cli_usage(c, "unexpected argument '%s'", out->pos[cmd->max_pos]);
  return CLI_EXIT_OK;
}

void cli_args_free(cli_args *a) {
  free(a->opts);
  free(a->pos);
  memset(a, 0, sizeof *a);
}

const char *cli_get(const cli_args *a, const char *name) {
  for (int i = 0; i < a->nopts; i++)
    if (same_opt(&a->opts[i], name, strlen(name))) return a->opts[i].value;
  return NULL;
}

int cli_has(const cli_args *a, const char *name) {
  for (int i = 0; i < a->nopts; i++)
    if (same_opt(&a->opts[i], name, strlen(name))) return 1;
  return 0;
}

const char **cli_get_all(const cli_args *a, const char *name, int *n) {
  *n = 0;
  const char **vals = calloc((size_t)a->nopts + 1, sizeof *vals);
  for (int i = 0; vals && i < a->nopts; i++)
    if (same_opt(&a->opts[i], name, strlen(name))) vals[(*n)++] = a->opts[i].value;
  return vals;
}

/* The library validates GUIDs too, but only after opening the database: the
 * CLI checks the shape first so a typo is a usage error that touches nothing.
 * Accepts what the library accepts: 8-4-4-4-12 hex, optional braces. */
int cli_check_guid(cli *c, const char *what, const char *text) {
  size_t n = strlen(text);
  const char *p = text;
  if (n == 38 && p[0] == '{' && p[37] == '}') p++, n -= 2;
  int ok = n == 36;
  for (size_t i = 0; ok && i < 36; i++) {
    if (i == 8 || i == 13 || i == 18 || i == 23)
      ok = p[i] == '-';
    else
      ok = isxdigit((unsigned char)p[i]) != 0;
  }
  if (!ok) {
    return cli_usage(c, "%s: malformed GUID '%s'", what, text);
  }
  return CLI_EXIT_OK;
}

static int digits(const char *s, int n, int *out) {
  int v = 0;
  for (int i = 0; i < n; i++) {
    if (!isdigit((unsigned char)s[i])) return -1;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return 0;
}

/* "YYYY-MM-DDTHH:MM:SS[.fff](Z|+HH:MM|-HH:MM)", or a bare "YYYY-MM-DD"
 * meaning its UTC midnight. An explicit offset is required otherwise: the
 * tool never reads the host's time zone. */
int cli_parse_time(const char *text, cpor_time *out) {
  char date[11];
  cpor_date d;
  if (strlen(text) < 10) return -1;
  memcpy(date, text, 10);
  date[10] = '\0';
  if (cpor_date_parse(date, &d) != CPOR_OK) return -1;
  const char *p = text + 10;
  int64_t ms = (int64_t)d * 86400000;
  if (*p == '\0') return *out = ms, 0;
  int hh, mi, ss = 0, frac = 0;
  if (*p != 'T' || digits(p + 1, 2, &hh) || p[3] != ':' || digits(p + 4, 2, &mi)) return -1;
  p += 6;
  if (*p == ':') {
    if (digits(p + 1, 2, &ss)) return -1;
    p += 3;
    if (*p == '.') {
      if (digits(p + 1, 3, &frac)) return -1;
      p += 4;
    }
  }
  if (hh > 23 || mi > 59 || ss > 59) return -1;
  ms += ((int64_t)hh * 3600 + mi * 60 + ss) * 1000 + frac;
  if (*p == 'Z' && p[1] == '\0') return *out = ms, 0;
  int oh, om;
  if ((*p == '+' || *p == '-') && !digits(p + 1, 2, &oh) && p[3] == ':' && !digits(p + 4, 2, &om) &&
      p[6] == '\0' && oh < 24 && om < 60) {
    int64_t off = ((int64_t)oh * 60 + om) * 60000;
    *out = *p == '+' ? ms - off : ms + off;
    return 0;
  }
  return -1;
}

int cli_format_time(cpor_time t, char *buf, size_t len) {
  int64_t days = t >= 0 ? t / 86400000 : -((-t + 86399999) / 86400000);
  int64_t rem = t - days * 86400000;
  char date[16];
  if (cpor_date_format((cpor_date)days, date, sizeof date) != CPOR_OK) return -1;
  int ms = (int)(rem % 1000), s = (int)(rem / 1000);
  if (ms)
    snprintf(buf, len, "%sT%02d:%02d:%02d.%03dZ", date, s / 3600, s / 60 % 60, s % 60, ms);
  else
    snprintf(buf, len, "%sT%02d:%02d:%02dZ", date, s / 3600, s / 60 % 60, s % 60);
  return 0;
}

/* Every name of an enumeration, ", "-separated (name(v) for v in 0..255). */
static const char *enum_names(cli *c, const char *(*name)(int)) {
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  if (!f) return "";
  for (int v = 0, first = 1; v < 256; v++)
    if (name(v)) {
      fprintf(f, "%s%s", first ? "" : ", ", name(v));
      first = 0;
    }
  fclose(f);
  const char *kept = cli_keep(c, buf);
  return kept ? kept : "";
}

/* --as ROLE:ORG:USER (or $CPOR_AS). ORG may be empty (reviewer::alice);
 * USER is the rest of the text, so it may itself contain colons. */
int cli_parse_actor(cli *c) {
  if (!c->as) return CLI_EXIT_OK;
  free(c->actor_buf);
  if (!(c->actor_buf = strdup(c->as))) return cli_usage(c, "out of memory");
  char *role = c->actor_buf;
  char *org = strchr(role, ':');
  char *user = org ? strchr(org + 1, ':') : NULL;
  if (!org || !user) return cli_usage(c, "--as: expected ROLE:ORG:USER, got '%s'", c->as);
  *org++ = '\0';
  *user++ = '\0';
  int r;
  if (cpor_role_from_name(role, &r) != CPOR_OK)
    return cli_usage(c, "--as: unknown role '%s' (one of: %s)", role,
                     enum_names(c, cpor_role_name));
  if (!*user) return cli_usage(c, "--as: the user is empty in '%s'", c->as);
  int org_needed = r != CPOR_ROLE_REVIEWER && r != CPOR_ROLE_SYSTEM;
  if (org_needed && !*org) return cli_usage(c, "--as: role '%s' needs an organization", role);
  if (r == CPOR_ROLE_CUSTOMER) {
    int rc = cli_check_guid(c, "--as (customer tenant)", org);
    if (rc) return rc;
  }
  cpor_actor_init(&c->actor, CPOR_ACTOR_VERSION);
  c->actor.role = (uint32_t)r;
  c->actor.org = *org ? org : NULL;
  c->actor.user = user;
  c->have_actor = 1;
  return CLI_EXIT_OK;
}

int cli_require_actor(cli *c) {
  if (!c->have_actor) return cli_usage(c, "this command needs --as ROLE:ORG:USER (or $CPOR_AS)");
  return CLI_EXIT_OK;
}

const cpor_actor *cli_dir_actor(const cli *c) {
  static const cpor_actor operator_ = {CPOR_ACTOR_VERSION, CPOR_ROLE_SYSTEM, NULL, "cli"};
  return c->have_actor ? &c->actor : &operator_;
}

int cli_parse_enum(cli *c, const char *what, const char *text, int (*from)(const char *, int *),
                   const char *(*name)(int), int *out) {
  if (from(text, out) != CPOR_OK)
    return cli_usage(c, "%s: unknown value '%s' (one of: %s)", what, text, enum_names(c, name));
  return CLI_EXIT_OK;
}

int cli_parse_int(cli *c, const char *what, const char *text, long long min, long long max,
                  long long *out) {
  char *end;
  errno = 0;
  long long v = strtoll(text, &end, 10);
  if (errno || end == text || *end || v < min || v > max) {
    return cli_usage(c, "%s: not an integer in range: '%s'", what, text);
  }
  *out = v;
  return CLI_EXIT_OK;
}
