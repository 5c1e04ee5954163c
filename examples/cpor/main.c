/* cpor — command-line front end of libcpor: global flags, dispatch, the
 * context, error reporting. */
#include "cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char overview[] =
    "usage: cpor [GLOBAL OPTIONS] COMMAND [ARGS] (cpor COMMAND --help, cpor GROUP --help)\n"
    "\n"
    "global options (before the command only; each at most once; '--' ends them). A\n"
    "command's own options may come anywhere before a '--', after which every word is an\n"
    "argument (cpor claim comment ID -- --not-an-option).\n"
    "  --db PATH            database file [$CPOR_DB, else ./cpor.db]; not '' or ':memory:'.\n"
    "                       Only init and demo create a database; reading commands open it\n"
    "                       read-only and never create or change it.\n"
    "  --as ROLE:ORG:USER   the actor of every command [$CPOR_AS] (ROLE: global_admin,\n"
    "                       billing_admin, incentives_admin, incentives_user, reviewer,\n"
    "                       customer, system; ORG: the partner ID, the tenant GUID for\n"
    "                       customer, empty for reviewer/system). Directory commands without\n"
    "                       an actor run as the operator, system::cli.\n"
    "  --now TIME           fixed clock, e.g. 2026-11-24T09:30:00Z [system clock]\n"
    "  --tz POSIX-TZ        the policy time zone, e.g. EST5EDT,M3.2.0,M11.1.0 [UTC0]\n"
    "  --calendar NAME|FILE business-day calendar: weekends, us-federal, or a rule file\n"
    "                       [weekends]\n"
    "  --json               one JSON document on stdout\n"
    "  --help, --version\n"
    "\n"
    "text output escapes control characters and invalid UTF-8 (\\n, \\x01); JSON output is\n"
    "valid UTF-8 whatever the stored bytes (invalid bytes become U+FFFD).\n"
    "\n"
    "exit codes: 0 ok; 1 local failure (e.g. unreadable file, or standard output could not\n"
    "be written: the message says whether the change was committed); 2 usage error (the database\n"
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

static const cli_command *const tables[] = {
    cli_directory_commands, cli_claim_commands, cli_review_commands, cli_feed_commands,
    cli_calendar_commands,  cli_demo_commands,  cli_store_commands};
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

#define EACH_COMMAND(cmd)                                                                          \
  for (size_t t_ = 0; t_ < NTABLES; t_++)                                                          \
    for (const cli_command *cmd = tables[t_]; cmd->word1; cmd++)

/* 1 when word names a group of two-word commands (claim, review, ...). */
static int is_group(const char *word) {
  EACH_COMMAND(cmd) {
    if (cmd->word2 && !strcmp(cmd->word1, word)) return 1;
  }
  return 0;
}

/* The group's commands, one usage line each. */
static void print_group(FILE *f, const char *group) {
  fprintf(f, "%s commands (cpor %s COMMAND --help for each):\n", group, group);
  EACH_COMMAND(cmd) {
    if (!strcmp(cmd->word1, group)) fprintf(f, "  %s\n", cmd->usage);
  }
}

static const cli_command *find_command(int argc, char **argv, int *used) {
  if (argc >= 2) EACH_COMMAND(cmd) {
      if (cmd->word2 && !strcmp(cmd->word1, argv[0]) && !strcmp(cmd->word2, argv[1]))
        return *used = 2, cmd;
    }
  EACH_COMMAND(cmd) {
    if (!cmd->word2 && !strcmp(cmd->word1, argv[0])) return *used = 1, cmd;
  }
  return NULL;
}

static const char *const global_names[] = {"db",       "as",   "now",  "tz",
                                           "calendar", "json", "help", "version"};
#define NGLOBALS (sizeof global_names / sizeof global_names[0])
#define FIRST_SWITCH 5 /* json, help, version take no value */

/* The global option a names (-1: none); *eq: its "=VALUE" part or NULL. */
static int global_index(const char *a, const char **eq) {
  *eq = NULL;
  if (!strcmp(a, "-h")) return FIRST_SWITCH + 1;
  if (a[1] != '-') return -1;
  const char *name = a + 2;
  *eq = strchr(name, '=');
  size_t len = *eq ? (size_t)(*eq - name) : strlen(name);
  for (size_t k = 0; k < NGLOBALS; k++)
    if (strlen(global_names[k]) == len && !strncmp(global_names[k], name, len)) return (int)k;
  return -1;
}

/* Global options, before the command: --NAME VALUE, --NAME=VALUE or a
 * switch; '--' ends them; each may be given once. Sets *next to the index
 * of the command word. Returns 0 or an exit code. */
static int take_globals(cli *c, int argc, char **argv, int *next) {
  const char **values[FIRST_SWITCH] = {&c->db, &c->as, &c->now_text, &c->tz, &c->calendar};
  int *switches[NGLOBALS - FIRST_SWITCH] = {&c->json, &c->help, &c->version};
  int seen[NGLOBALS] = {0}, i = 1;
  for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
    const char *a = argv[i], *eq;
    if (!strcmp(a, "--")) {
      i++;
      break;
    }
    int k = global_index(a, &eq);
    if (k < 0)
      return cli_usage(c, "unknown global option '%s' (global options go before the command)", a);
    if (seen[k]++) return cli_usage(c, "option '--%s' given twice", global_names[k]);
    if (k >= FIRST_SWITCH) {
      if (eq) return cli_usage(c, "option '--%s' takes no value", global_names[k]);
      *switches[k - FIRST_SWITCH] = 1;
    } else if (eq) {
      *values[k] = eq + 1;
    } else if (i + 1 < argc) {
      *values[k] = argv[++i];
    } else {
      return cli_usage(c, "option '%s' needs a value", a);
    }
  }
  *next = i;
  return CLI_EXIT_OK;
}

/* A zeroed buffer of len bytes that lives until cli_close (NULL on OOM). */
static char *keep_buf(cli *c, size_t len) {
  return cli_keep(c, calloc(1, len));
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
  /* The library's message may quote the rules: room for all of them. */
  size_t errlen = strlen(text) + 1024;
  char *err = keep_buf(c, errlen);
  int rc = cpor_calendar_parse(text, &c->cal, err, err ? errlen : 0);
  free(text);
  if (rc != CPOR_OK)
    return cli_usage(c, "--calendar %s: %s", c->calendar, err && err[0] ? err : cpor_strerror(rc));
  return CLI_EXIT_OK;
}

/* The database path: --db, else $CPOR_DB (empty means unset), else
 * ./cpor.db. '' and ':memory:' are refused: the first is no file, the second
 * would silently lose every change when the command ends. */
static int resolve_db(cli *c) {
  const char *from = "--db";
  if (!c->db) {
    c->db = getenv("CPOR_DB");
    from = "$CPOR_DB";
    if (c->db && !*c->db) c->db = NULL;
  }
  if (!c->db) c->db = "./cpor.db";
  if (!*c->db) return cli_usage(c, "%s: the database path is empty", from);
  if (!strcmp(c->db, ":memory:"))
    return cli_usage(c,
                     "%s: ':memory:' is not a file: every change would be lost when the "
                     "command ends; name a database file",
                     from);
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
  if (!c->as && getenv("CPOR_AS") && *getenv("CPOR_AS")) c->as = getenv("CPOR_AS");
  if ((rc = cli_parse_actor(c))) return rc;
  return load_calendar(c);
}

/* An empty file whose write-ahead log is empty too holds no database yet. */
static int is_empty_db(cli *c, const struct stat *st) {
  struct stat wal;
  return st->st_size == 0 && (stat(cli_fmt(c, "%s-wal", c->db), &wal) != 0 || wal.st_size == 0);
}

int cli_db_is_url(const cli *c) {
  return !strncmp(c->db, "postgresql://", 13) || !strncmp(c->db, "postgres://", 11);
}

int cli_open(cli *c, int mode) {
  struct stat st;
  int url = cli_db_is_url(c);
  if (!url && mode != CLI_DB_CREATE && stat(c->db, &st) != 0)
    return cli_fail_lib(c, CPOR_ENOTFOUND,
                        cli_fmt(c, "%s: no such database (create it with 'cpor init')", c->db));
  /* Only init creates or initialises a database: a write command leaves an
   * empty file alone (a read opens it read-only and fails in the library). */
  if (!url && mode == CLI_DB_WRITE && is_empty_db(c, &st))
    return cli_fail_lib(
        c, CPOR_ENOTFOUND,
        cli_fmt(c, "%s: the file is empty (initialise it with 'cpor init')", c->db));
  if (c->have_now) {
    int rc = cpor_manual_clock_new(&c->clock, c->now);
    if (rc != CPOR_OK) return cli_fail_lib(c, rc, cpor_strerror(rc));
  }
  size_t errlen = strlen(c->db) + 1024; /* the message names the path */
  char *err = keep_buf(c, errlen);
  cpor_ctx_options o;
  cpor_ctx_options_init(&o, CPOR_CTX_OPTIONS_VERSION);
  cpor_sqlite_options so;
  cpor_sqlite_options_init(&so, CPOR_SQLITE_OPTIONS_VERSION);
  so.read_only = mode == CLI_DB_READ; /* never creates, initialises or upgrades a file */
  o.sqlite = &so;
  o.db_path = c->db;
  if (c->clock) {
    o.clock = cpor_manual_clock_now;
    o.clock_user = c->clock;
  }
  o.calendar = c->cal;
  o.tz = c->tz;
  o.errbuf = err;
  o.errbuf_len = err ? errlen : 0;
  int rc = cpor_ctx_open(&c->ctx, &o);
  if (rc != CPOR_OK) return cli_fail_lib(c, rc, err && err[0] ? err : cpor_strerror(rc));
  return CLI_EXIT_OK;
}

int cli_wrote(cli *c, int rc) {
  if (rc == CPOR_OK) c->committed = 1;
  return rc;
}

int cli_fail_lib(cli *c, int code, const char *msg) {
  fprintf(stderr, "cpor: %s\n", cli_esc(c, msg));
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
  for (size_t i = 0; i < c->nscratch; i++)
    free(c->scratch[i]);
  free(c->scratch);
  free(c->actor_buf);
  c->scratch = NULL;
  c->actor_buf = NULL;
  c->nscratch = c->capscratch = 0;
}

/* Standard output could not be written (a full disk, an I/O error): say so,
 * and whether the command's change is in the database all the same. (A
 * closed pipe ends the process with SIGPIPE, as for other tools.) */
static int output_failed(cli *c, int rc) {
  int err = errno;
  const char *what = c->committed ? "the change was committed to the database all the same"
                                  : "nothing was changed";
  fprintf(stderr, "cpor: cannot write standard output (%s); %s\n",
          err ? strerror(err) : "write error", what);
  return rc ? rc : CLI_EXIT_FAIL;
}

/* No command, or a group word without its command: help or a usage error
 * that lists what there is. */
static int no_command(cli *c, int argc, char **argv) {
  if (argc == 0) {
    if (c->help) return print_overview(), CLI_EXIT_OK;
    return cli_usage(c, "no command given (try 'cpor --help')");
  }
  if (is_group(argv[0]) && (c->help || cli_wants_help(argc - 1, argv + 1)))
    return print_group(stdout, argv[0]), CLI_EXIT_OK;
  if (is_group(argv[0])) {
    int rc = cli_usage(c, "%s '%s%s%s' (try 'cpor %s --help')",
                       argc > 1 ? "unknown command" : "missing command after", argv[0],
                       argc > 1 ? " " : "", argc > 1 ? argv[1] : "", argv[0]);
    print_group(stderr, argv[0]);
    return rc;
  }
  return cli_usage(c, "unknown command '%s' (try 'cpor --help')", argv[0]);
}

static int run(cli *c, int argc, char **argv) {
  int next = 0, rc = take_globals(c, argc, argv, &next);
  if (rc || (rc = resolve_db(c))) return rc;
  if (c->version) {
    printf(c->json ? "{\"version\":\"%s\"}\n" : "cpor %s\n", cpor_version_string());
    return CLI_EXIT_OK;
  }
  int nrest = argc - next, used = 0;
  char **rest = argv + next;
  const cli_command *cmd = nrest ? find_command(nrest, rest, &used) : NULL;
  if (!cmd) return no_command(c, nrest, rest);
  if (c->help || cli_wants_help(nrest - used, rest + used)) {
    if (used == 1 && is_group(cmd->word1)) /* dispute: a command and a group */
      print_group(stdout, cmd->word1);
    else
      print_command_help(cmd);
    return CLI_EXIT_OK;
  }
  c->prog_cmd =
      cli_fmt(c, "%s%s%s", cmd->word1, cmd->word2 ? " " : "", cmd->word2 ? cmd->word2 : "");
  if ((rc = check_globals(c))) return rc;
  cli_args a;
  if (!(rc = cli_parse_args(c, cmd, nrest - used, rest + used, &a))) rc = cmd->run(c, &a);
  cli_args_free(&a);
  return rc;
}

int main(int argc, char **argv) {
  cli c;
  memset(&c, 0, sizeof c);
  int rc = run(&c, argc, argv);
  if (fflush(stdout) != 0 || ferror(stdout)) rc = output_failed(&c, rc);
  cli_close(&c);
  return rc;
}
