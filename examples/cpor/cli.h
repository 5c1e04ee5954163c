/* cpor — the command-line tool of libcpor: shared declarations.
 *
 * The tool is an example of driving the public API only: it never includes
 * the library's internal headers. Commands run in two phases: parse and
 * validate every argument first (a usage error exits 2 and never opens the
 * database), then open the context and call the library. */
#ifndef CPOR_CLI_H
#define CPOR_CLI_H

#include <cpor/cpor.h>
#include <stdio.h>

/* Exit codes: 0 ok, 1 local failure (I/O outside the library), 2 usage,
 * 10 + (-code) for a library status code (CPOR_EINVAL -> 11, ...). */
#define CLI_EXIT_OK 0
#define CLI_EXIT_FAIL 1
#define CLI_EXIT_USAGE 2
#define CLI_EXIT_LIB(code) (10 - (code))

/* One parsed --flag (value NULL for a switch). Values point into argv. */
typedef struct cli_opt {
  const char *name;
  const char *value;
} cli_opt;

/* A command's option spec: "name" for a flag with a value, "name!" for a
 * switch, "name*" for a repeatable flag with a value. */
typedef struct cli_args {
  cli_opt *opts; /* as many as the command line holds (freed by cli_args_free) */
  int nopts;
  const char **pos;
  int npos;
} cli_args;

/* How a command uses the database: only CLI_DB_CREATE may create or
 * initialise a file; CLI_DB_READ opens it read-only. */
enum { CLI_DB_READ = 1, CLI_DB_WRITE = 2, CLI_DB_CREATE = 3 };

typedef struct cli {
  /* global flags */
  const char *db;
  const char *as;
  const char *now_text;
  const char *tz;
  const char *calendar;
  int json;
  int help;
  int version;
  /* parsed globals */
  cpor_actor actor;
  char *actor_buf; /* owned */
  int have_actor;
  cpor_time now;
  int have_now;
  /* open resources (phase 2) */
  cpor_ctx *ctx;
  cpor_calendar *cal;
  cpor_manual_clock *clock;
  int committed;        /* a change of this command is in the database */
  const char *prog_cmd; /* "claim create": for messages */
  char **scratch;       /* strings made by cli_esc / cli_fmt, freed by cli_close */
  size_t nscratch, capscratch;
} cli;

typedef struct cli_command {
  const char *word1;
  const char *word2; /* NULL for one-word commands */
  const char *spec;  /* space-separated option spec */
  int min_pos, max_pos;
  int (*run)(cli *c, const cli_args *a);
  const char *usage;
  const char *help;
} cli_command;

/* args.c */
/* Options anywhere before "--", which ends them; an option given twice
 * (but a repeatable one) is a usage error. */
int cli_parse_args(cli *c, const cli_command *cmd, int argc, char **argv, cli_args *out);
void cli_args_free(cli_args *a);
/* 1 when argv holds --help before any "--". */
int cli_wants_help(int argc, char **argv);
const char *cli_get(const cli_args *a, const char *name);
int cli_has(const cli_args *a, const char *name);
/* The values of a repeatable option, in order; *n receives their number.
 * The array is owned by the caller (free); NULL with *n = 0 when none. */
const char **cli_get_all(const cli_args *a, const char *name, int *n);
#if defined(__GNUC__)
#define CLI_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define CLI_PRINTF(a, b)
#endif
int cli_usage(cli *c, const char *fmt, ...) CLI_PRINTF(2, 3);
int cli_check_guid(cli *c, const char *what, const char *text);
int cli_parse_time(const char *text, cpor_time *out);
int cli_format_time(cpor_time t, char *buf, size_t len);
int cli_parse_actor(cli *c);
int cli_require_actor(cli *c);
/* The actor of a directory command: --as (or CPOR_AS), else the operator
 * (system:-:cli), who owns the reference data of a database it can open. */
const cpor_actor *cli_dir_actor(const cli *c);
/* An enumeration value by name; an unknown one is a usage error that lists
 * every valid name (name(v) for the values the enumeration has). */
int cli_parse_enum(cli *c, const char *what, const char *text, int (*from)(const char *, int *),
                   const char *(*name)(int), int *out);
int cli_parse_int(cli *c, const char *what, const char *text, long long min, long long max,
                  long long *out);

/* Text output: s with control characters, C1 controls, line separators,
 * backslashes and invalid UTF-8 escaped (\n, \x01, \u{2028}), so user data
 * never starts a line of its own. The copy lives until cli_close. */
const char *cli_esc(cli *c, const char *s);
/* Length of the valid UTF-8 sequence at p (1-4), its code point in *cp; 0
 * when the bytes at p are not valid UTF-8 (overlong, surrogate, > U+10FFFF). */
int cli_utf8_seq(const unsigned char *p, unsigned *cp);
/* Keeps malloc'd p until cli_close and returns it (NULL, with p freed,
 * when p is NULL or cannot be kept). */
char *cli_keep(cli *c, char *p);
/* A formatted string that lives until cli_close (never truncated). */
const char *cli_fmt(cli *c, const char *fmt, ...) CLI_PRINTF(2, 3);

/* Returns rc; CPOR_OK (a write call that succeeded, outside a batch) marks
 * the command's change as committed, for the message when stdout fails. */
int cli_wrote(cli *c, int rc);

/* main.c: context and error reporting. mode: CLI_DB_*. */
int cli_open(cli *c, int mode);
/* --db names a PostgreSQL store (postgresql:// or postgres://), not a file:
 * no file checks, and the value (which may hold a password) is never
 * printed. */
int cli_db_is_url(const cli *c);
int cli_fail_lib(cli *c, int code, const char *msg);
int cli_fail_ctx(cli *c, int code);
void cli_close(cli *c);

/* json.c */
void json_str(FILE *f, const char *s);
void json_time(FILE *f, cpor_time t);
void json_claim(FILE *f, const cpor_claim *claim);
void json_event(FILE *f, const cpor_event *e);
void json_error(FILE *f, const char *code, const char *message);

/* commands */
extern const cli_command cli_directory_commands[];
extern const cli_command cli_claim_commands[];
extern const cli_command cli_review_commands[];
extern const cli_command cli_calendar_commands[];
extern const cli_command cli_demo_commands[];
extern const cli_command cli_feed_commands[];
extern const cli_command cli_store_commands[];

/* Shared by the claim commands: print one claim (text or JSON). */
int cli_print_claim(cli *c, const char *claim_id);
void cli_text_claim(cli *c, FILE *f, const cpor_claim *claim);

#endif /* CPOR_CLI_H */
