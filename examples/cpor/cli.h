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

#define CLI_MAX_OPTS 32
#define CLI_MAX_VALUES 64

/* One parsed --flag (value NULL for a switch). Values point into argv. */
typedef struct cli_opt {
  const char *name;
  const char *value;
} cli_opt;

/* A command's option spec: "name" for a flag with a value, "name!" for a
 * switch, "name*" for a repeatable flag with a value. */
typedef struct cli_args {
  cli_opt opts[CLI_MAX_VALUES];
  int nopts;
  const char *pos[CLI_MAX_VALUES];
  int npos;
} cli_args;

typedef struct cli {
  /* global flags */
  const char *db;
  const char *as;
  const char *now_text;
  const char *tz;
  const char *calendar;
  int json;
  int help;
  /* parsed globals */
  cpor_actor actor;
  char actor_buf[512];
  int have_actor;
  cpor_time now;
  int have_now;
  /* open resources (phase 2) */
  cpor_ctx *ctx;
  cpor_calendar *cal;
  cpor_manual_clock *clock;
  const char *prog_cmd; /* "claim create": for messages */
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
int cli_parse_args(cli *c, const cli_command *cmd, int argc, char **argv, cli_args *out);
const char *cli_get(const cli_args *a, const char *name);
int cli_has(const cli_args *a, const char *name);
int cli_get_all(const cli_args *a, const char *name, const char **vals, int max);
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
int cli_parse_enum(cli *c, const char *what, const char *text, int (*from)(const char *, int *),
                   int *out);
int cli_parse_int(cli *c, const char *what, const char *text, long long min, long long max,
                  long long *out);

/* main.c: context and error reporting */
int cli_open(cli *c, int must_exist);
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

/* Shared by the claim commands: print one claim (text or JSON). */
int cli_print_claim(cli *c, const char *claim_id);
void cli_text_claim(FILE *f, const cpor_claim *claim);

#endif /* CPOR_CLI_H */
