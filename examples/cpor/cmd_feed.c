/* cpor — what tooling integrates with: the outbox (lease, ack) and the
 * change feed. Output is JSON lines, one message or change a line, with or
 * without --json. The actor is --as, else the operator (system). */
#include "cli.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

/* A duration: digits with ms, s, m or h (a bare number is milliseconds). */
static int parse_duration(cli *c, const char *text, uint32_t *out) {
  char *end = NULL;
  unsigned long long v = strtoull(text, &end, 10);
  unsigned long long scale = 0;
  if (end == text || text[0] == '-' || text[0] == '+')
    scale = 0;
  else if (!*end || !strcmp(end, "ms"))
    scale = 1;
  else if (!strcmp(end, "s"))
    scale = 1000;
  else if (!strcmp(end, "m"))
    scale = 60000;
  else if (!strcmp(end, "h"))
    scale = 3600000;
  if (!scale || v == 0 || v > 86400000ull / scale)
    return cli_usage(c, "--lease: '%s' is not a duration of 1 ms to 24 h (e.g. 500ms, 30s, 5m, 1h)",
                     text);
  *out = (uint32_t)(v * scale);
  return CLI_EXIT_OK;
}

static int run_lease(cli *c, const cli_args *a) {
  long long max = 10;
  uint32_t lease_ms = 30000;
  int rc = CLI_EXIT_OK;
  if (cli_get(a, "max")) rc = cli_parse_int(c, "--max", cli_get(a, "max"), 1, 1000, &max);
  if (!rc && cli_get(a, "lease")) rc = parse_duration(c, cli_get(a, "lease"), &lease_ms);
  if (!rc) rc = cli_open(c, CLI_DB_WRITE);
  if (rc) return rc;
  cpor_message_iter *it = NULL;
  rc = cli_wrote(c, cpor_outbox_lease(c->ctx, cli_dir_actor(c), (size_t)max, lease_ms, &it));
  if (rc) return cli_fail_ctx(c, rc);
  cpor_message *m = NULL;
  while (cpor_message_iter_next(it, &m) == CPOR_OK) {
    printf("%s\n", cpor_message_json(m));
    cpor_message_free(m);
  }
  cpor_message_iter_free(it);
  return CLI_EXIT_OK;
}

static int run_ack(cli *c, const cli_args *a) {
  long long ids[64];
  int rc = CLI_EXIT_OK;
  for (int i = 0; !rc && i < a->npos; i++)
    rc = cli_parse_int(c, "message id", a->pos[i], 1, INT64_MAX, &ids[i]);
  if (!rc) rc = cli_open(c, CLI_DB_WRITE);
  for (int i = 0; !rc && i < a->npos; i++) {
    if ((rc = cli_wrote(c, cpor_outbox_ack(c->ctx, cli_dir_actor(c), (uint64_t)ids[i]))))
      return cli_fail_ctx(c, rc);
    printf("{\"acked\":%lld}\n", ids[i]);
  }
  return rc;
}

/* Prints the changes after *after; *after becomes the last one printed. */
static int print_changes(cli *c, uint64_t *after, long long limit) {
  cpor_change_iter *it = NULL;
  int rc = cpor_changes_since(c->ctx, cli_dir_actor(c), *after, (size_t)limit, &it);
  if (rc) return cli_fail_ctx(c, rc);
  uint64_t number;
  const char *claim;
  int state;
  uint32_t seq;
  while (cpor_change_iter_next(it, &number, &claim, &state, &seq) == CPOR_OK) {
    printf("{\"change\":%llu,\"claim_id\":", (unsigned long long)number);
    json_str(stdout, claim);
    printf(",\"state\":");
    json_str(stdout, cpor_state_name(state));
    printf(",\"seq\":%u}\n", (unsigned)seq);
    *after = number;
  }
  cpor_change_iter_free(it);
  return fflush(stdout) == 0 ? CLI_EXIT_OK : CLI_EXIT_FAIL;
}

static int run_changes(cli *c, const cli_args *a) {
  long long since = 0, limit = 1000;
  int rc = CLI_EXIT_OK;
  if (cli_get(a, "since"))
    rc = cli_parse_int(c, "--since", cli_get(a, "since"), 0, INT64_MAX, &since);
  if (!rc && cli_get(a, "limit"))
    rc = cli_parse_int(c, "--limit", cli_get(a, "limit"), 1, 100000, &limit);
  if (!rc) rc = cli_open(c, CLI_DB_READ);
  if (rc) return rc;
  uint64_t after = (uint64_t)since;
  if ((rc = print_changes(c, &after, limit))) return rc;
  /* --follow: poll twice a second until interrupted or stdout closes. */
  while (cli_has(a, "follow")) {
    struct timespec ts = {0, 500000000L};
    nanosleep(&ts, NULL);
    if ((rc = print_changes(c, &after, limit))) return rc;
  }
  return CLI_EXIT_OK;
}

const cli_command cli_feed_commands[] = {
    {"outbox", "lease", "max lease", 0, 0, run_lease, "outbox lease [--max N] [--lease 30s]",
     "System: leases up to N (default 10, at most 1000) notification messages for the duration "
     "(ms, s, m or h; default 30s) and prints each as a JSON line."},
    {"outbox", "ack", "", 1, 64, run_ack, "outbox ack ID...",
     "System: acknowledges delivered messages (removes them); prints {\"acked\": ID} each."},
    {"changes", NULL, "since limit follow!", 0, 0, run_changes,
     "changes [--since N] [--limit N] [--follow]",
     "The claim changes numbered after N (default 0) the actor may see, as JSON lines "
     "{change, claim_id, state, seq}; --follow keeps polling for new ones."},
    {NULL, NULL, NULL, 0, 0, NULL, NULL, NULL}};
