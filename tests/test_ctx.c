/* The context: options and versions, batches, and all-or-nothing calls under
 * injected storage failures at every operation. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conformance.h"
#include "world.h"

static const char *const TEAMS[] = {"TEAMS", NULL};

START_TEST(options) {
  cpor_ctx *ctx = (cpor_ctx *)1;
  char err[128] = "";
  cpor_ctx_options o = CPOR_CTX_OPTIONS_INIT;
  o.errbuf = err;
  o.errbuf_len = sizeof err;
  o.version = 3;
  ck_assert_int_eq(cpor_ctx_open(&ctx, &o), CPOR_EVERSION);
  ck_assert_ptr_null(ctx);
  ck_assert_str_eq(err,
                   "unsupported cpor_ctx_options version 3 (this library reads versions 1 to 2)");
  ck_assert_int_eq(cpor_ctx_options_init(&o, 1), CPOR_OK);
  o.errbuf = err;
  o.errbuf_len = sizeof err;
  ck_assert_int_eq(o.policy.optout.count, 0); /* zero: the default window */
  ck_assert_int_eq(o.policy.optout.unit, 0);
  o.tz = "Europe/Paris";
  ck_assert_int_eq(cpor_ctx_open(&ctx, &o), CPOR_EINVAL);
  ck_assert_ptr_nonnull(strstr(err, "bad time zone"));
  o.tz = NULL;
  o.policy.optout.count = -1;
  ck_assert_int_eq(cpor_ctx_open(&ctx, &o), CPOR_EINVAL);
  ck_assert_str_eq(err, "policy windows need a count of 1-3650 (0: the default) and a unit of "
                        "business or calendar days");
  o.policy.optout.count = 7;
  o.policy.optout.unit = CPOR_CALENDAR_DAYS; /* the "Manage" page's seven days */
  ck_assert_int_eq(cpor_ctx_open(&ctx, &o), CPOR_OK);
  cpor_ctx_close(ctx);
  ck_assert_int_eq(cpor_ctx_options_init(&o, 9), CPOR_EVERSION);
  ck_assert_int_eq(cpor_ctx_open(NULL, NULL), CPOR_EINVAL);
  ck_assert_int_eq(cpor_ctx_open(&ctx, NULL), CPOR_OK); /* all defaults */
  cpor_time now = 0;
  ck_assert_int_eq(cpor_ctx_now(ctx, &now), CPOR_OK);
  ck_assert(now > 1700000000000LL);
  cpor_ctx_close(ctx);
  cpor_ctx_close(NULL);
}
END_TEST

START_TEST(seven_calendar_day_policy) {
  cpor_storage *s = NULL;
  ck_assert_int_eq(cpor_storage_open_memory(&s), CPOR_OK);
  world w;
  world_open(&w, NULL, NULL, s);
  cpor_ctx_close(w.ctx);
  cpor_ctx_options o = CPOR_CTX_OPTIONS_INIT;
  o.storage = s;
  o.clock = cpor_manual_clock_now;
  o.clock_user = w.clock;
  o.policy.optout.count = 7;
  o.policy.optout.unit = CPOR_CALENDAR_DAYS;
  ck_assert_int_eq(cpor_ctx_open(&w.ctx, &o), CPOR_OK);
  const char *id = under_review(&w, &w.a, MPN_A, TEAMS);
  ck_assert_int_eq(cpor_claim_approve(w.ctx, &w.reviewer, id), CPOR_OK);
  cpor_claim *c = NULL;
  ck_assert_int_eq(cpor_claim_get(w.ctx, &w.reviewer, id, &c), CPOR_OK);
  /* Approved Monday 2026-11-02: seven calendar days -> closes 11-10 00:00. */
  ck_assert_int_eq(cpor_claim_window_closes_at(c), T("2026-11-10T00:00:00"));
  cpor_claim_free(c);
  world_close(&w);
}
END_TEST

START_TEST(batches) {
  world w;
  world_open(&w, NULL, NULL, NULL);
  ck_assert_int_eq(cpor_ctx_commit(w.ctx), CPOR_ESTATE);
  ck_assert_int_eq(cpor_ctx_rollback(w.ctx), CPOR_ESTATE);
  char *before = store_dump(w.storage);
  ck_assert_int_eq(cpor_ctx_begin(w.ctx), CPOR_OK);
  ck_assert_int_eq(cpor_ctx_begin(w.ctx), CPOR_ESTATE);
  draft(&w, &w.a, MPN_A, TEAMS);
  /* A refusal inside a batch changes nothing and the batch goes on. */
  ck_assert_int_eq(cpor_partner_create(w.ctx, SYS, "contoso", "dup"), CPOR_EEXISTS);
  ck_assert_int_eq(cpor_ctx_rollback(w.ctx), CPOR_OK);
  char *after = store_dump(w.storage);
  ck_assert_str_eq(before, after);
  free(after);
  ck_assert_int_eq(cpor_ctx_begin(w.ctx), CPOR_OK);
  const char *id = draft(&w, &w.a, MPN_A, TEAMS);
  ck_assert_int_eq(cpor_ctx_commit(w.ctx), CPOR_OK);
  ck_assert_int_eq(state_of(&w, id), CPOR_STATE_EDITING);
  free(before);
  world_close(&w);
}
END_TEST

/* Runs op on a context over a faulty wrapper of w's store, failing at every
 * storage operation in turn: each run must fail with CPOR_ESTORAGE (or the
 * backend's code) and leave the store exactly as it was. */
typedef int (*op_fn)(cpor_ctx *ctx, world *w, const char *id);

static void all_or_nothing(world *w, const char *id, op_fn op) {
  char *before = store_dump(w->storage);
  long count = 0;
  for (long k = 1;; k++) {
    cpor_storage *faulty = NULL;
    long ops = 0;
    ck_assert_int_eq(cpor_faulty_storage_new(&faulty, w->storage, k, &ops), CPOR_OK);
    cpor_ctx_options o = CPOR_CTX_OPTIONS_INIT;
    o.storage = faulty;
    o.clock = cpor_manual_clock_now;
    o.clock_user = w->clock;
    cpor_ctx *ctx = NULL;
    ck_assert_int_eq(cpor_ctx_open(&ctx, &o), CPOR_OK);
    int rc = op(ctx, w, id);
    if (rc == CPOR_OK) { /* k is past the last operation: it succeeded */
      ck_assert_int_eq(ops, k - 1);
      count = ops;
      cpor_ctx_close(ctx);
      cpor_storage_free(faulty);
      break;
    }
    ck_assert_msg(rc == CPOR_ESTORAGE, "k=%ld: %s %s", k, cpor_status_name(rc),
                  cpor_ctx_errmsg(ctx));
    ck_assert_ptr_nonnull(strstr(cpor_ctx_errmsg(ctx), "injected failure"));
    cpor_ctx_close(ctx);
    cpor_storage_free(faulty);
    char *after = store_dump(w->storage);
    ck_assert_msg(strcmp(before, after) == 0, "failure at operation %ld changed the store", k);
    free(after);
  }
  ck_assert_msg(count >= 3, "only %ld operations", count);
  free(before);
}

static int op_create(cpor_ctx *ctx, world *w, const char *id) {
  (void)id;
  cpor_claim_spec s = CPOR_CLAIM_SPEC_INIT;
  s.mpn_id = MPN_B;
  s.tenant_id = T1;
  s.domain = T1_DOMAIN;
  s.area = CPOR_AREA_M365;
  s.activity = CPOR_ACTIVITY_USAGE;
  s.line_count = 1;
  s.workloads = (const char *const[]){"EXCHANGE"};
  return cpor_claim_create(ctx, &w->b, &s, NULL);
}

static int op_approve(cpor_ctx *ctx, world *w, const char *id) {
  return cpor_claim_approve(ctx, &w->reviewer, id);
}

static int op_advance(cpor_ctx *ctx, world *w, const char *id) {
  (void)w, (void)id;
  return cpor_ctx_advance(ctx, NULL);
}

static int op_submit(cpor_ctx *ctx, world *w, const char *id) {
  return cpor_claim_submit(ctx, &w->c, id);
}

static int op_edit_lines(cpor_ctx *ctx, world *w, const char *id) {
  cpor_claim_spec e = CPOR_CLAIM_SPEC_INIT;
  const char *wl[] = {"INTUNE", "VIVA"};
  e.line_count = 2;
  e.workloads = wl;
  e.customer_contact_title = "CTO";
  return cpor_claim_edit(ctx, &w->a, id, &e);
}

static int op_poe(cpor_ctx *ctx, world *w, const char *id) {
  return cpor_claim_add_poe(ctx, &w->a, id, "more.pdf", "application/pdf",
                            "2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae", 3);
}

static int op_withdraw(cpor_ctx *ctx, world *w, const char *id) {
  return cpor_claim_withdraw(ctx, &w->a, id);
}

static int op_opt_out(cpor_ctx *ctx, world *w, const char *id) {
  return cpor_claim_opt_out(ctx, &w->cust1, id);
}

static int op_dispute(cpor_ctx *ctx, world *w, const char *id) {
  return cpor_claim_dispute(ctx, &w->b, id, "The customer confirmed by phone");
}

static int op_sub_expired(cpor_ctx *ctx, world *w, const char *id) {
  (void)w, (void)id;
  return cpor_subscription_set_state(ctx, SYS, SUB_SALES, CPOR_SUB_EXPIRED, NULL);
}

static int op_directory(cpor_ctx *ctx, world *w, const char *id) {
  (void)w, (void)id;
  return cpor_tenant_add_domain(ctx, SYS, T1, "contoso.example");
}

/* Every other kind of write: edits, PoE, withdrawal, opt-out, dispute,
 * a subscription ending an association, a directory change. */
START_TEST(fault_injection_more) {
  world w;
  world_open(&w, NULL, NULL, NULL);
  char d[37], r[37];
  strcpy(d, draft(&w, &w.a, MPN_A, TEAMS));
  all_or_nothing(&w, d, op_edit_lines);
  all_or_nothing(&w, d, op_poe);
  all_or_nothing(&w, d, op_withdraw);
  strcpy(r, under_review(&w, &w.b, MPN_B, TEAMS));
  ck_assert_int_eq(cpor_claim_approve(w.ctx, &w.reviewer, r), CPOR_OK);
  all_or_nothing(&w, r, op_opt_out);
  all_or_nothing(&w, r, op_dispute);
  ck_assert_int_eq(state_of(&w, r), CPOR_STATE_DISPUTED);
  all_or_nothing(&w, NULL, op_directory);
  /* An association on a subscription, then the subscription expires. */
  const char *wl[] = {"D365_SALES"};
  cpor_claim_spec s = test_spec("Sales", MPN_C, T1, T1_DOMAIN, CPOR_AREA_BIZAPPS, 1, wl);
  s.technical_contact_name = "Tess";
  s.technical_contact_email = "tess@contoso.com";
  cpor_claim *c = NULL;
  ck_assert_int_eq(cpor_claim_create(w.ctx, &w.c, &s, &c), CPOR_OK);
  char id[37];
  strcpy(id, cpor_claim_id(c));
  cpor_claim_free(c);
  ck_assert_int_eq(op_poe(w.ctx, &(world){.a = w.c}, id), CPOR_OK);
  ck_assert_int_eq(cpor_claim_submit(w.ctx, &w.c, id), CPOR_OK);
  ck_assert_int_eq(cpor_claim_start_review(w.ctx, &w.reviewer, id), CPOR_OK);
  ck_assert_int_eq(cpor_claim_approve(w.ctx, &w.reviewer, id), CPOR_OK);
  world_at(&w, "2027-01-01T00:00:00");
  ck_assert_int_eq(cpor_ctx_advance(w.ctx, NULL), CPOR_OK);
  ck_assert_int_eq(state_of(&w, id), CPOR_STATE_ASSOCIATED);
  all_or_nothing(&w, NULL, op_sub_expired);
  ck_assert_int_eq(state_of(&w, id), CPOR_STATE_ENDED);
  world_close(&w);
}
END_TEST

START_TEST(fault_injection) {
  world w;
  world_open(&w, NULL, NULL, NULL);
  char a[37], b[37], c[37];
  /* A holds TEAMS, B and C are under review: approving B rejects C. */
  strcpy(a, under_review(&w, &w.a, MPN_A, TEAMS));
  ck_assert_int_eq(cpor_claim_approve(w.ctx, &w.reviewer, a), CPOR_OK);
  world_at(&w, "2026-11-20T00:00:00");
  ck_assert_int_eq(cpor_ctx_advance(w.ctx, NULL), CPOR_OK);
  all_or_nothing(&w, NULL, op_create);
  strcpy(b, under_review(&w, &w.b, MPN_B, TEAMS));
  strcpy(c, draft(&w, &w.c, MPN_C, TEAMS));
  all_or_nothing(&w, c, op_submit); /* contested: marks B too */
  ck_assert_int_eq(cpor_claim_start_review(w.ctx, &w.reviewer, c), CPOR_OK);
  all_or_nothing(&w, b, op_approve);
  ck_assert_int_eq(state_of(&w, c), CPOR_STATE_REJECTED);
  world_at(&w, "2026-12-20T00:00:00");
  all_or_nothing(&w, NULL, op_advance); /* B associated, A superseded */
  ck_assert_int_eq(state_of(&w, b), CPOR_STATE_ASSOCIATED);
  ck_assert_int_eq(state_of(&w, a), CPOR_STATE_ENDED);
  world_close(&w);
}
END_TEST

/* The open failure's message names the whole path, however long (issue
 * 14: messages were cut at about 300 bytes). */
START_TEST(open_message_not_cut) {
  test_dbfile f;
  test_dbfile_make(&f, "longpath");
  char path[1200];
  int n = snprintf(path, sizeof path, "%s/", f.dir);
  memset(path + n, 'p', 900);
  strcpy(path + n + 900, ".db"); /* no such directory: the open fails */
  char err[4096] = "";
  cpor_ctx_options o = CPOR_CTX_OPTIONS_INIT;
  o.db_path = path;
  o.errbuf = err;
  o.errbuf_len = sizeof err;
  cpor_ctx *ctx = (cpor_ctx *)1;
  ck_assert_int_eq(cpor_ctx_open(&ctx, &o), CPOR_ESTORAGE);
  ck_assert_ptr_null(ctx);
  ck_assert_msg(strncmp(err, path, strlen(path)) == 0, "message '%s' does not name the path", err);
  ck_assert_uint_gt(strlen(err), strlen(path));
  test_dbfile_remove(&f);
}
END_TEST

static Suite *ctx_suite(void) {
  Suite *s = suite_create("ctx");
  TCase *tc = tcase_create("ctx");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, options);
  tcase_add_test(tc, open_message_not_cut);
  tcase_add_test(tc, seven_calendar_day_policy);
  tcase_add_test(tc, batches);
  tcase_add_test(tc, fault_injection);
  tcase_add_test(tc, fault_injection_more);
  suite_add_tcase(s, tc);
  return s;
}

CPOR_TEST_MAIN(ctx_suite)
