/* cpor export, import, verify: the whole store at once (cpor/transfer.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static int write_line(void *user, const char *line, size_t len) {
  return fwrite(line, 1, len, user) == len ? 0 : CPOR_ESTORAGE;
}

static int run_export(cli *c, const cli_args *a) {
  const char *path = a->npos ? a->pos[0] : NULL;
  int rc = cli_open(c, CLI_DB_READ);
  if (rc) return rc;
  FILE *f = path ? fopen(path, "wb") : stdout;
  if (!f) {
    fprintf(stderr, "cpor: cannot write %s: %s\n", cli_esc(c, path), strerror(errno));
    return CLI_EXIT_FAIL;
  }
  rc = cpor_ctx_export(c->ctx, cli_dir_actor(c), write_line, f);
  int closed = path ? fclose(f) : fflush(f);
  if (rc) return cli_fail_ctx(c, rc);
  if (closed) {
    fprintf(stderr, "cpor: cannot write %s: %s\n", path ? cli_esc(c, path) : "stdout",
            strerror(errno));
    return CLI_EXIT_FAIL;
  }
  return CLI_EXIT_OK;
}

typedef struct reader {
  FILE *f;
  char *buf;
  size_t cap;
  int err;
} reader;

static int read_line(void *user, const char **line, size_t *len) {
  reader *r = user;
  ssize_t n = getline(&r->buf, &r->cap, r->f);
  if (n < 0) {
    if (ferror(r->f)) return r->err = errno, CPOR_ESTORAGE;
    return 0;
  }
  *line = r->buf;
  *len = (size_t)n;
  return 1;
}

static int run_import(cli *c, const cli_args *a) {
  const char *path = a->pos[0];
  reader r = {strcmp(path, "-") ? fopen(path, "rb") : stdin, NULL, 0, 0};
  if (!r.f) {
    fprintf(stderr, "cpor: cannot read %s: %s\n", cli_esc(c, path), strerror(errno));
    return CLI_EXIT_FAIL;
  }
  int rc = cli_open(c, CLI_DB_CREATE);
  cpor_import_report rep = CPOR_IMPORT_REPORT_INIT;
  if (!rc) rc = cli_wrote(c, cpor_ctx_import(c->ctx, cli_dir_actor(c), read_line, &r, &rep));
  free(r.buf);
  if (r.f != stdin) fclose(r.f);
  if (rc && r.err) {
    fprintf(stderr, "cpor: cannot read %s: %s\n", cli_esc(c, path), strerror(r.err));
    return CLI_EXIT_FAIL;
  }
  if (rc) return c->ctx ? cli_fail_ctx(c, rc) : rc;
  if (c->json)
    printf("{\"claims\":%llu,\"events\":%llu,\"objects\":%llu}\n", (unsigned long long)rep.claims,
           (unsigned long long)rep.events, (unsigned long long)rep.objects);
  else
    printf("imported %llu claims (%llu events) and %llu other records\n",
           (unsigned long long)rep.claims, (unsigned long long)rep.events,
           (unsigned long long)rep.objects);
  return CLI_EXIT_OK;
}

static int print_finding(void *user, const char *claim_id, const char *kind, const char *detail) {
  cli *c = user;
  if (c->json) {
    printf("{\"claim\":");
    if (claim_id)
      json_str(stdout, claim_id);
    else
      printf("null");
    printf(",\"detail\":");
    json_str(stdout, detail);
    printf(",\"kind\":");
    json_str(stdout, kind);
    printf("}\n");
  } else {
    printf("%s %s: %s\n", claim_id ? cli_esc(c, claim_id) : "-", kind, cli_esc(c, detail));
  }
  return 0;
}

static int run_verify(cli *c, const cli_args *a) {
  (void)a;
  int rc = cli_open(c, CLI_DB_READ);
  if (rc) return rc;
  uint64_t problems = 0;
  rc = cpor_ctx_verify(c->ctx, cli_dir_actor(c), print_finding, c, &problems);
  if (rc) return cli_fail_ctx(c, rc);
  if (fflush(stdout)) return CLI_EXIT_FAIL;
  if (problems) {
    fprintf(stderr, "cpor: verify found %llu problem(s)\n", (unsigned long long)problems);
    return CLI_EXIT_FAIL;
  }
  return CLI_EXIT_OK;
}

const cli_command cli_store_commands[] = {
    {"export", NULL, "", 0, 1, run_export, "export [FILE]",
     "Writes the whole store (--db) as JSON lines to FILE or standard output\n"
     "(docs/export-format.md). The system actor only."},
    {"import", NULL, "", 1, 1, run_import, "import FILE",
     "Loads an export (FILE, or - for standard input) into an empty store (--db; a new\n"
     "file is created), all or nothing. The system actor only."},
    {"verify", NULL, "", 0, 0, run_verify, "verify",
     "Replays every claim's history and checks the stored rows against it; prints one\n"
     "line per finding (claim, kind, what differs) and exits 1 when there is any."},
    {NULL, NULL, NULL, 0, 0, NULL, NULL, NULL}};
