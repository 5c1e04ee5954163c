/* cpor — command-line front end of libcpor: global flags, dispatch, the
 * context, error reporting. */
#include "cli.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char overview[] =
    "usage: cpor [GLOBAL FLAGS] COMMAND [ARGS] (cpor COMMAND --help for each)\n"
    "\n"
    "global flags (anywhere on the line):\n"
    "  --db PATH            database file [$CPOR_DB, else ./cpor.db]\n"
    "  --as ROLE:ORG:USER   the actor (ROLE: global_admin, billing_admin, incentives_admin,\n"
    "                       incentives_user, reviewer, customer, system; ORG: the partner ID,\n"
    "                       the tenant GUID for customer, empty for reviewer/system)\n"
    "  --now TIME           fixed clock, e.g. 2026-11-24T09:30:00Z [system clock]\n"
    "  --tz POSIX-TZ        the policy time zone, e.g. EST5EDT,M3.2.0,M11.1.0 [UTC0]\n"
    "  --calendar NAME|FILE business-day calendar: weekends, us-federal, or a rule file\n"
    "                       [weekends]\n"
    "  --json               one JSON document on stdout\n"
    "  --help, --version\n"
    "\n"
    "exit codes: 0 ok; 1 local failure (e.g. unreadable file); 2 usage error (the database\n"
    "is never opened); 10 + (-status) for a library status: 11 EINVAL, 12 ENOMEM,\n"
    "13 ENOTFOUND, 14 EEXISTS, 15 EPERM, 16 EACCES, 17 ESTATE, 18 EDUPLICATE, 19 EWINDOW,\n"
    "20 EMISMATCH, 21 EINCOMPLETE, 22 EACTIVITY, 23 ENOTENROLLED, 24 ESUBSCRIPTION,\n"
    "25 ESTORAGE, 26 ECORRUPT, 27 EVERSION, 28 ENOTSUP, 29 ERANGE.\n"
    "\n"
    "JSON: a claim is {id, name, state, reason, partner_id, mpn_id, tenant_id, domain, area,\n"
    "activity, lines: [{workload, subscription_id, state, reason}], poe: [{name, media_type,\n"
    "sha256, size}], window_closes_at, sla_due_at, overdue, contested, disputable, created_at,\n"
    "updated_at}; times are ISO 8601 UTC strings or null; reason is lower_snake_case or null.\n"
    "claim list: an array of claims. claim history: an array of {seq, at, actor, kind, state,\n"
    "text} (actor is \"role:org:user\"). advance: {\"changed\": N}. Errors:\n"
    "{\"error\": {\"code\": \"CPOR_EWINDOW\" (or \"usage\"), \"message\": TEXT}}.\n"
    "\n"
    "commands:\n";

static const cli_command *const tables[] = {cli_directory_commands, cli_claim_commands,
                                            cli_review_commands, cli_calendar_commands,
                                            cli_demo_commands};
#define NTABLES (sizeof tables / sizeof tables[0])

static void print_overview(void) {
  fputs(overview, stdout);
  for (size_t t = 0; t < NTABLES; t++)
    for (const cli_command *cmd = tables[t]; cmd->word1; cmd++)
      printf("  %s\n", cmd->usage);
}

static void print_command_help(const cli_command *cmd) {
  printf("usage: cpor %s\n\n%s\n", cmd->usage, cmd->help);
}

static const cli_command *find_command(int argc, char **argv, int *used) {
  if (argc >= 2)
    for (size_t t = 0; t < NTABLES; t++)
      for (const cli_command *cmd = tables[t]; cmd->word1; cmd++)
        if (cmd->word2 && !strcmp(cmd->word1, argv[0]) && !strcmp(cmd->word2, argv[1]))
          return *used = 2, cmd;
  for (size_t t = 0; t < NTABLES; t++)
    for (const cli_command *cmd = tables[t]; cmd->word1; cmd++)
      if (!cmd->word2 && !strcmp(cmd->word1, argv[0])) return *used = 1, cmd;
  return NULL;
}

/* Global flags are taken out of argv wherever they are; what remains is the
 * command and its own arguments. Returns 0 or an exit code. */
static int take_globals(cli *c, int argc, char **argv, int *rest_argc, char **rest) {
  static const char *const valued[] = {"--db", "--as", "--now", "--tz", "--calendar"};
  const char **slots[] = {&c->db, &c->as, &c->now_text, &c->tz, &c->calendar};
  int n = 0;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    int hit = 0;
    for (size_t k = 0; k < sizeof valued / sizeof valued[0]; k++) {
      size_t len = strlen(valued[k]);
      if (strncmp(a, valued[k], len) != 0) continue;
      if (a[len] == '=') {
        *slots[k] = a + len + 1;
      } else if (a[len] == '\0') {
        if (i + 1 >= argc) return cli_usage(c, "option '%s' needs a value", a);
        *slots[k] = argv[++i];
      } else {
        continue;
      }
      hit = 1;
      break;
    }
    if (hit) continue;
    if (!strcmp(a, "--json"))
      c->json = 1;
    else if (!strcmp(a, "--help") || !strcmp(a, "-h"))
      c->help = 1;
    else
      rest[n++] = argv[i];
  }
  *rest_argc = n;
  return CLI_EXIT_OK;
}

/* Reads a whole file (calendar rules); NULL on failure. */
static char *slurp(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  size_t cap = 4096, len = 0;
  char *buf = malloc(cap);
  size_t got;
  while (buf && (got = fread(buf + len, 1, cap - len - 1, f)) > 0) {
    len += got;
    if (cap - len - 1 == 0) {
      char *nb = realloc(buf, cap * 2);
      if (!nb) free(buf);
      buf = nb;
      cap *= 2;
    }
  }
  fclose(f);
  if (buf) buf[len] = '\0';
  return buf;
}

/* A built-in name, else a rule file: both pure, so a bad calendar is a usage
 * error found before the database is opened. */
static int load_calendar(cli *c) {
  if (!c->calendar) return CLI_EXIT_OK;
  if (cpor_calendar_builtin(c->calendar, &c->cal) == CPOR_OK) return CLI_EXIT_OK;
  char *text = slurp(c->calendar);
  if (!text)
    return cli_usage(c, "--calendar: no built-in calendar or readable file '%s'", c->calendar);
  char err[256] = "";
  int rc = cpor_calendar_parse(text, &c->cal, err, sizeof err);
  free(text);
  if (rc != CPOR_OK) {
    char msg[512];
    snprintf(msg, sizeof msg, "--calendar %s: %s", c->calendar, err[0] ? err : cpor_strerror(rc));
    return cli_usage(c, "%s", msg);
  }
  return CLI_EXIT_OK;
}

static int check_globals(cli *c) {
  int rc;
  if (c->now_text) {
    if (cli_parse_time(c->now_text, &c->now) != 0)
      return cli_usage(c, "--now: malformed time '%s' (want 2026-11-24T09:30:00Z)", c->now_text);
    c->have_now = 1;
  }
  if (c->tz) {
    cpor_tz *tz = NULL;
    if (cpor_tz_parse(c->tz, &tz) != CPOR_OK)
      return cli_usage(c, "--tz: not a POSIX TZ rule: '%s'", c->tz);
    cpor_tz_free(tz);
  }
  if ((rc = cli_parse_actor(c))) return rc;
  return load_calendar(c);
}

int cli_open(cli *c, int must_exist) {
  struct stat st;
  if (must_exist && strcmp(c->db, ":memory:") != 0 && stat(c->db, &st) != 0) {
    char msg[1024];
    snprintf(msg, sizeof msg, "%s: no such database (create it with 'cpor init')", c->db);
    return cli_fail_lib(c, CPOR_ENOTFOUND, msg);
  }
  if (c->have_now) {
    int rc = cpor_manual_clock_new(&c->clock, c->now);
    if (rc != CPOR_OK) return cli_fail_lib(c, rc, cpor_strerror(rc));
  }
  char err[512] = "";
  cpor_ctx_options o;
  cpor_ctx_options_init(&o, CPOR_CTX_OPTIONS_VERSION);
  o.db_path = c->db;
  if (c->clock) {
    o.clock = cpor_manual_clock_now;
    o.clock_user = c->clock;
  }
  o.calendar = c->cal;
  o.tz = c->tz;
  o.errbuf = err;
  o.errbuf_len = sizeof err;
  int rc = cpor_ctx_open(&c->ctx, &o);
  if (rc != CPOR_OK) return cli_fail_lib(c, rc, err[0] ? err : cpor_strerror(rc));
  return CLI_EXIT_OK;
}

int cli_fail_lib(cli *c, int code, const char *msg) {
  fprintf(stderr, "cpor: %s\n", msg);
  if (c->json) {
    const char *name = cpor_status_name(code);
    json_error(stdout, name ? name : "unknown", msg);
    fputc('\n', stdout);
  }
  return code < 0 && code > -100 ? CLI_EXIT_LIB(code) : CLI_EXIT_FAIL;
}

int cli_fail_ctx(cli *c, int code) {
  const char *msg = c->ctx ? cpor_ctx_errmsg(c->ctx) : "";
  return cli_fail_lib(c, code, msg && *msg ? msg : cpor_strerror(code));
}

void cli_close(cli *c) {
  cpor_ctx_close(c->ctx);
  cpor_manual_clock_free(c->clock);
  cpor_calendar_unref(c->cal);
  c->ctx = NULL;
  c->clock = NULL;
  c->cal = NULL;
}

int main(int argc, char **argv) {
  cli c;
  memset(&c, 0, sizeof c);
  char **rest = calloc((size_t)argc + 1, sizeof *rest);
  if (!rest) return CLI_EXIT_FAIL;
  int nrest = 0, rc = take_globals(&c, argc, argv, &nrest, rest);
  if (rc) goto out;
  if (!c.db) c.db = getenv("CPOR_DB");
  if (!c.db || !*c.db) c.db = "./cpor.db";
  if (nrest == 0) {
    if (c.help) {
      print_overview();
    } else {
      rc = cli_usage(&c, "no command given (try 'cpor --help')");
    }
    goto out;
  }
  if (!strcmp(rest[0], "--version")) {
    printf(c.json ? "{\"version\":\"%s\"}\n" : "cpor %s\n", cpor_version_string());
    goto out;
  }
  int used = 0;
  const cli_command *cmd = find_command(nrest, rest, &used);
  if (!cmd) {
    rc = cli_usage(&c, "unknown command '%s' (try 'cpor --help')", rest[0]);
    goto out;
  }
  if (c.help) {
    print_command_help(cmd);
    goto out;
  }
  char label[64];
  snprintf(label, sizeof label, "%s%s%s", cmd->word1, cmd->word2 ? " " : "",
           cmd->word2 ? cmd->word2 : "");
  c.prog_cmd = label;
  if ((rc = check_globals(&c))) goto out;
  cli_args a;
  if ((rc = cli_parse_args(&c, cmd, nrest - used, rest + used, &a))) goto out;
  rc = cmd->run(&c, &a);
  if (fflush(stdout) != 0 && rc == 0) rc = CLI_EXIT_FAIL;
out:
  cli_close(&c);
  free(rest);
  return rc;
}
