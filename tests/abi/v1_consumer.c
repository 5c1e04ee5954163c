/* A program built against the 0.1 headers (tests/abi/v1/cpor: every options
 * struct at version 1, positional _INIT macros) and run against the library
 * of this tree: an old caller must keep working unchanged. Each v1 struct
 * is followed by 0xff bytes, so a library that read a newer layout from it
 * would see garbage. Prints TAP. Argument: a scratch directory. */
#include <cpor/cpor.h>
#include <stdio.h>
#include <string.h>

#define TENANT "11111111-2222-3333-4444-555555555555"

static int n, failed;
/* The operator: directory calls take an actor. */
static const cpor_actor sys = {CPOR_ACTOR_VERSION, CPOR_ROLE_SYSTEM, NULL, "ops"};
static void check(int ok, const char *what, cpor_ctx *ctx) {
  n++;
  if (ok) {
    printf("ok %d - %s\n", n, what);
  } else {
    failed = 1;
    printf("not ok %d - %s%s%s\n", n, what, ctx ? ": " : "", ctx ? cpor_ctx_errmsg(ctx) : "");
  }
}

#define POISONED(type, name, init)                                                                 \
  struct {                                                                                         \
    type s;                                                                                        \
    unsigned char poison[64];                                                                      \
  } name;                                                                                          \
  memset(&name, 0xff, sizeof name);                                                                \
  {                                                                                                \
    type tmp_ = init;                                                                              \
    name.s = tmp_;                                                                                 \
  }

/* The claim IDs a v1 query returns, counted; the first kept in first. */
static size_t find(cpor_ctx *ctx, const cpor_actor *who, const cpor_claim_query *q, char *first) {
  cpor_claim_iter *it = NULL;
  if (cpor_claim_find(ctx, who, q, &it) != CPOR_OK) return (size_t)-1;
  size_t count = 0;
  cpor_claim *c;
  while (cpor_claim_iter_next(it, &c) == CPOR_OK) {
    if (count++ == 0 && first) snprintf(first, 37, "%s", cpor_claim_id(c));
    cpor_claim_free(c);
  }
  cpor_claim_iter_free(it);
  return count;
}

int main(int argc, char **argv) {
  char path[512];
  snprintf(path, sizeof path, "%s/v1.db", argc > 1 ? argv[1] : ".");
  remove(path);
  printf("1..9\n");

  /* SQLite opened with v1 options (the v1 INIT: busy timeout 5000 ms). */
  POISONED(cpor_sqlite_options, so, CPOR_SQLITE_OPTIONS_INIT);
  char err[256] = "";
  cpor_storage *st = NULL;
  int rc = cpor_storage_open_sqlite(&st, path, &so.s, err, sizeof err);
  check(rc == CPOR_OK, "cpor_storage_open_sqlite with v1 options", NULL);
  if (rc) printf("# %s\n", err);

  /* A context with v1 options (the v1 INIT spells out the default policy). */
  cpor_manual_clock *clock = NULL;
  cpor_manual_clock_new(&clock, 1793610000000LL); /* 2026-11-02T09:00:00Z, a Monday */
  POISONED(cpor_ctx_options, o, CPOR_CTX_OPTIONS_INIT);
  o.s.storage = st;
  o.s.clock = cpor_manual_clock_now;
  o.s.clock_user = clock;
  o.s.errbuf = err;
  o.s.errbuf_len = sizeof err;
  cpor_ctx *ctx = NULL;
  rc = st ? cpor_ctx_open(&ctx, &o.s) : CPOR_ESTORAGE;
  check(rc == CPOR_OK, "cpor_ctx_open with v1 options", NULL);
  if (rc) printf("# %s\n", err);
  if (rc) return 1;

  int setup = cpor_partner_create(ctx, &sys, "contoso", "Contoso") == CPOR_OK &&
              cpor_location_create(ctx, &sys, "contoso", "1111111", "HQ") == CPOR_OK &&
              cpor_location_enroll(ctx, &sys, "1111111", CPOR_PROGRAM_OSU_M365, 1) == CPOR_OK;
  char *cust = NULL;
  setup = setup && cpor_customer_create(ctx, &sys, "Contoso Ltd", &cust) == CPOR_OK &&
          cpor_tenant_create(ctx, &sys, cust, TENANT, "contoso.onmicrosoft.com") == CPOR_OK;
  cpor_free(cust);
  check(setup, "directory set up", ctx);

  /* A claim created with a v1 spec and a v1 actor. */
  POISONED(cpor_actor, ann, CPOR_ACTOR_INIT);
  ann.s.role = CPOR_ROLE_INCENTIVES_ADMIN;
  ann.s.org = "contoso";
  ann.s.user = "ann@contoso";
  const char *wl[] = {"TEAMS"};
  POISONED(cpor_claim_spec, spec, CPOR_CLAIM_SPEC_INIT);
  spec.s.name = "Teams rollout";
  spec.s.mpn_id = "1111111";
  spec.s.tenant_id = TENANT;
  spec.s.domain = "contoso.onmicrosoft.com";
  spec.s.area = CPOR_AREA_M365;
  spec.s.activity = CPOR_ACTIVITY_USAGE;
  spec.s.line_count = 1;
  spec.s.workloads = wl;
  cpor_claim *c = NULL;
  rc = cpor_claim_create(ctx, &ann.s, &spec.s, &c);
  check(rc == CPOR_OK && cpor_claim_state(c) == CPOR_STATE_EDITING &&
            strcmp(cpor_claim_name(c), "Teams rollout") == 0,
        "cpor_claim_create with a v1 spec", ctx);
  char id[37] = "";
  if (c) snprintf(id, sizeof id, "%s", cpor_claim_id(c));
  cpor_claim_free(c);

  /* A v1 edit spec: only the name changes. */
  POISONED(cpor_claim_spec, edit, CPOR_CLAIM_SPEC_INIT);
  edit.s.name = "Teams rollout, phase 2";
  rc = cpor_claim_edit(ctx, &ann.s, id, &edit.s);
  c = NULL;
  if (rc == CPOR_OK) rc = cpor_claim_get(ctx, &ann.s, id, &c);
  check(rc == CPOR_OK && strcmp(cpor_claim_name(c), "Teams rollout, phase 2") == 0 &&
            cpor_claim_line_count(c) == 1,
        "cpor_claim_edit with a v1 spec", ctx);
  cpor_claim_free(c);

  /* Queries with v1 structs. */
  POISONED(cpor_claim_query, q, CPOR_CLAIM_QUERY_INIT);
  q.s.partner_id = "contoso";
  char first[37] = "";
  size_t got = find(ctx, &ann.s, &q.s, first);
  check(got == 1 && strcmp(first, id) == 0, "cpor_claim_find with a v1 query (partner)", ctx);
  POISONED(cpor_claim_query, by_state, CPOR_CLAIM_QUERY_INIT);
  by_state.s.state = CPOR_STATE_EDITING;
  POISONED(cpor_actor, rita, CPOR_ACTOR_INIT);
  rita.s.role = CPOR_ROLE_REVIEWER;
  rita.s.user = "rita@microsoft";
  got = find(ctx, &rita.s, &by_state.s, NULL);
  check(got == 1, "cpor_claim_find with a v1 query (state, reviewer)", ctx);
  /* The v1 rule still holds for a v1 query: no filter is refused. */
  POISONED(cpor_claim_query, none, CPOR_CLAIM_QUERY_INIT);
  cpor_claim_iter *it = NULL;
  rc = cpor_claim_find(ctx, &ann.s, &none.s, &it);
  check(rc == CPOR_EINVAL && it == NULL, "a partner's v1 query with no filter is CPOR_EINVAL",
        NULL);

  /* A version newer than the library is refused with CPOR_EVERSION. */
  q.s.version = 99;
  rc = cpor_claim_find(ctx, &ann.s, &q.s, &it);
  check(rc == CPOR_EVERSION && strstr(cpor_ctx_errmsg(ctx), "cpor_claim_query version 99"),
        "a query version newer than the library is CPOR_EVERSION", ctx);

  cpor_ctx_close(ctx);
  cpor_storage_free(st);
  cpor_manual_clock_free(clock);
  remove(path);
  return failed;
}
