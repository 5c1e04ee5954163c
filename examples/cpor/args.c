/* cpor — argument parsing and validation that never touches the database. */
#include "cli.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
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

int cli_usage(cli *c, const char *fmt, ...) {
  char msg[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  fprintf(stderr, "cpor: %s%s%s\n", c->prog_cmd ? c->prog_cmd : "", c->prog_cmd ? ": " : "", msg);
  if (c->json) {
    json_error(stdout, "usage", msg);
    fputc('\n', stdout);
  }
  return CLI_EXIT_USAGE;
}

int cli_parse_args(cli *c, const cli_command *cmd, int argc, char **argv, cli_args *out) {
  memset(out, 0, sizeof *out);
  for (int i = 0; i < argc; i++) {
    const char *arg = argv[i];
    if (strncmp(arg, "--", 2) == 0 && arg[2]) {
      const char *name = arg + 2;
      const char *eq = strchr(name, '=');
      size_t len = eq ? (size_t)(eq - name) : strlen(name);
      char kind = spec_kind(cmd->spec, name, len);
      if (!kind) return cli_usage(c, "unknown option '%s'", arg);
      if (out->nopts >= CLI_MAX_VALUES) return cli_usage(c, "too many options");
      cli_opt *o = &out->opts[out->nopts];
      /* the spec entry is the stable name: keep a copy-free pointer to argv */
      o->name = name;
      if (kind == '!') {
        if (eq) return cli_usage(c, "option '%s' takes no value", arg);
        o->value = NULL;
      } else if (eq) {
        o->value = eq + 1;
      } else {
        if (i + 1 >= argc) return cli_usage(c, "option '%s' needs a value", arg);
        o->value = argv[++i];
      }
      if (kind != '*')
        for (int j = 0; j < out->nopts; j++)
          if (strncmp(out->opts[j].name, name, len) == 0 &&
              (out->opts[j].name[len] == '\0' || out->opts[j].name[len] == '='))
            return cli_usage(c, "option '%s' given twice", arg);
      out->nopts++;
    } else {
      if (out->npos >= CLI_MAX_VALUES) return cli_usage(c, "too many arguments");
      out->pos[out->npos++] = arg;
    }
  }
  if (out->npos < cmd->min_pos) return cli_usage(c, "missing argument (usage: %s)", cmd->usage);
  if (out->npos > cmd->max_pos)
    return cli_usage(c, "unexpected argument '%s'", out->pos[cmd->max_pos]);
  return CLI_EXIT_OK;
}

static int name_is(const cli_opt *o, const char *name) {
  size_t n = strlen(name);
  return strncmp(o->name, name, n) == 0 && (o->name[n] == '\0' || o->name[n] == '=');
}

const char *cli_get(const cli_args *a, const char *name) {
  for (int i = 0; i < a->nopts; i++)
    if (name_is(&a->opts[i], name)) return a->opts[i].value;
  return NULL;
}

int cli_has(const cli_args *a, const char *name) {
  for (int i = 0; i < a->nopts; i++)
    if (name_is(&a->opts[i], name)) return 1;
  return 0;
}

int cli_get_all(const cli_args *a, const char *name, const char **vals, int max) {
  int n = 0;
  for (int i = 0; i < a->nopts && n < max; i++)
    if (name_is(&a->opts[i], name)) vals[n++] = a->opts[i].value;
  return n;
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

/* --as ROLE:ORG:USER. ORG may be empty (reviewer::alice); USER is the rest
 * of the text, so it may itself contain colons. */
int cli_parse_actor(cli *c) {
  if (!c->as) return CLI_EXIT_OK;
  if (strlen(c->as) >= sizeof c->actor_buf) return cli_usage(c, "--as: actor too long");
  strcpy(c->actor_buf, c->as);
  char *role = c->actor_buf;
  char *org = strchr(role, ':');
  char *user = org ? strchr(org + 1, ':') : NULL;
  if (!org || !user) return cli_usage(c, "--as: expected ROLE:ORG:USER, got '%s'", c->as);
  *org++ = '\0';
  *user++ = '\0';
  int r;
  if (cpor_role_from_name(role, &r) != CPOR_OK)
    return cli_usage(c, "--as: unknown role '%s'", role);
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
  if (!c->have_actor) return cli_usage(c, "this command needs --as ROLE:ORG:USER");
  return CLI_EXIT_OK;
}

const cpor_actor *cli_dir_actor(const cli *c) {
  static const cpor_actor operator_ = {CPOR_ACTOR_VERSION, CPOR_ROLE_SYSTEM, NULL, "cli"};
  return c->have_actor ? &c->actor : &operator_;
}

int cli_parse_enum(cli *c, const char *what, const char *text, int (*from)(const char *, int *),
                   int *out) {
  if (from(text, out) != CPOR_OK) {
    return cli_usage(c, "%s: unknown value '%s'", what, text);
  }
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
