/* Settled state as a property (DESIGN.md 1.2): random sequences of calls —
 * every action, right and wrong actors, clock jumps from 1 ms to weeks — run
 * on five worlds: one that never advances, one that calls cpor_ctx_advance
 * at random points, one where a second context on the same store does the
 * advances, one that also advances and makes every call inside batches
 * (cpor_ctx_begin .. commit) ended at random points, and one whose store
 * reports a concurrent writer (CPOR_ECONFLICT) at a random operation of
 * one write call in three, which the call must rerun. Every call's code,
 * every returned claim and every history must be the same in all five; and
 * every claim must equal its replay. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conformance.h"
#include "world.h"

#define NCLAIMS 24
#define SEQUENCES_DEFAULT 500
#define STEPS 80

#define WORLDS 5
#define BATCHED 3    /* the world whose calls run in batches */
#define CONFLICTED 4 /* the world whose store reports conflicts */

typedef struct run {
  world w;
  cpor_ctx *other; /* the second context (advances), or NULL */
  int in_batch;
  /* CONFLICTED: the context the steps use, on a faulty wrapper of the
   * world's store, and its operation count. */
  cpor_ctx *acting;
  cpor_storage *faulty;
  long ops;
  char ids[NCLAIMS][37];
  const cpor_actor *owner[NCLAIMS];
  int n;
} run;

/* Everything a caller can read of a claim but its ID (IDs are random). */
static char *describe(const cpor_claim *c) {
  size_t cap = 4096, len = 0;
  char *s = malloc(cap);
#define ADD(...) len += (size_t)snprintf(s + len, cap - len, __VA_ARGS__)
  ADD("%s|%s|%d|%d|%s|%s|%s|%d|%d|%lld|%lld|%lld|%lld|%d|%d|%d|", cpor_claim_name(c),
      cpor_claim_partner_id(c), cpor_claim_state(c), cpor_claim_reason(c), cpor_claim_mpn_id(c),
      cpor_claim_tenant_id(c), cpor_claim_domain(c), cpor_claim_area(c), cpor_claim_activity(c),
      (long long)cpor_claim_created_at(c), (long long)cpor_claim_updated_at(c),
      (long long)cpor_claim_window_closes_at(c), (long long)cpor_claim_sla_due_at(c),
      cpor_claim_overdue(c), cpor_claim_contested(c), cpor_claim_disputable(c));
  for (size_t i = 0; i < cpor_claim_line_count(c); i++)
    ADD("%s/%s/%d/%d;", cpor_claim_line_workload(c, i),
        cpor_claim_line_subscription(c, i) ? cpor_claim_line_subscription(c, i) : "-",
        cpor_claim_line_state(c, i), cpor_claim_line_reason(c, i));
  ADD("poe=%zu", cpor_claim_poe_count(c));
#undef ADD
  return s;
}

static char *history(run *r, int k) {
  cpor_event_iter *it = NULL;
  int rc = cpor_claim_history(r->w.ctx, &r->w.system, r->ids[k], &it);
  ck_assert_msg(rc == CPOR_OK, "history: %s", cpor_ctx_errmsg(r->w.ctx));
  size_t cap = 1 << 16, len = 0;
  char *s = calloc(1, cap);
  cpor_event *e;
  while (cpor_event_iter_next(it, &e) == CPOR_OK) {
    if (len + 8192 < cap)
      len +=
          (size_t)snprintf(s + len, cap - len, "%u@%lld %d>%d %d:%s:%s %s %s\n", cpor_event_seq(e),
                           (long long)cpor_event_at(e), cpor_event_kind(e), cpor_event_state(e),
                           cpor_event_actor_role(e), cpor_event_actor_org(e),
                           cpor_event_actor_user(e), cpor_event_text(e), cpor_event_payload(e));
    cpor_event_free(e);
  }
  cpor_event_iter_free(it);
  return s;
}

static const char *const UNITS[][3] = {
    {"TEAMS", NULL}, {"EXCHANGE", NULL}, {"TEAMS", "EXCHANGE", NULL}, {"INTUNE", NULL}};

static const cpor_actor *actor_of(run *r, unsigned x) {
  const cpor_actor *all[] = {&r->w.a,      &r->w.b,         &r->w.c,
                             &r->w.a_user, &r->w.a_billing, &r->w.reviewer,
                             &r->w.cust1,  &r->w.cust2,     &r->w.system};
  return all[x % (sizeof all / sizeof all[0])];
}

static const char *mpn_of(run *r, const cpor_actor *a) {
  (void)r;
  if (!strcmp(a->org ? a->org : "", "fabrikam")) return MPN_B;
  if (!strcmp(a->org ? a->org : "", "northwind")) return MPN_C;
  return MPN_A;
}

/* One step of the sequence; returns the call's code (and fills out with
 * what the call returned, for comparison). */
/* Actions by weight (indexes of step's switch; 0 creates). */
static const unsigned char OPS[] = {0, 0, 0, 0, 1, 1, 1, 1, 2,  2,  2,  2,  3,  3,  4,  4,  4,
                                    5, 5, 6, 6, 7, 8, 9, 9, 10, 10, 11, 12, 13, 14, 15, 15, 15};

static int step(run *r, unsigned op, unsigned arg, unsigned who, char **out) {
  op = OPS[op % sizeof OPS];
  cpor_ctx *ctx = r->acting ? r->acting : r->w.ctx;
  const cpor_actor *a = actor_of(r, who);
  *out = NULL;
  if (op % 16 == 0 || r->n == 0) {
    if (r->n == NCLAIMS) return 1;
    const char *const *wl = UNITS[arg % 4];
    size_t n = 0;
    while (wl[n])
      n++;
    cpor_claim_spec s = test_spec("claim", mpn_of(r, a), T1, T1_DOMAIN, CPOR_AREA_M365, n, wl);
    cpor_claim *c = NULL;
    if (!a->org || a->role > CPOR_ROLE_INCENTIVES_USER) a = actor_of(r, who % 3);
    s.mpn_id = mpn_of(r, a);
    int rc = cpor_claim_create(ctx, a, &s, &c);
    if (rc == CPOR_OK) {
      r->owner[r->n] = a;
      strcpy(r->ids[r->n], cpor_claim_id(c));
      cpor_claim_free(c);
      rc = cpor_claim_add_poe(ctx, a, r->ids[r->n], "poe.pdf", "application/pdf",
                              "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
                              100);
      r->n++;
    }
    return rc;
  }
  unsigned k = arg % (unsigned)r->n;
  const char *id = r->ids[k];
  /* Two calls in three come from the actor the action is for. */
  if (who % 3) {
    switch (op % 16) {
    case 2:
    case 3:
    case 5:
    case 6:
    case 7:
    case 10:
      a = &r->w.reviewer;
      break;
    case 8:
      a = &r->w.cust1;
      break;
    default:
      a = r->owner[k];
    }
  }
  switch (op % 16) {
  case 1:
    return cpor_claim_submit(ctx, a, id);
  case 2:
    return cpor_claim_start_review(ctx, a, id);
  case 3:
    return cpor_claim_request_info(ctx, a, id, 1 + (int)(who % 6), "more please");
  case 4:
    return cpor_claim_respond(ctx, a, id, "here");
  case 5:
  case 6:
    return cpor_claim_approve(ctx, a, id);
  case 7:
    return cpor_claim_reject(ctx, a, id, CPOR_REASON_INSUFFICIENT_POE, "no");
  case 8:
    return cpor_claim_opt_out(ctx, a, id);
  case 9:
    return cpor_claim_dispute(ctx, a, id, "it was fine");
  case 10:
    return cpor_claim_decide_dispute(ctx, a, id, (int)(arg & 1), "decided");
  case 11:
    return cpor_claim_withdraw(ctx, a, id);
  case 12:
    return cpor_claim_remove(ctx, a, id, 1 + (int)(who % 3), NULL);
  case 13:
    return cpor_claim_comment(ctx, a, id, "note");
  case 14:
    return cpor_claim_add_poe(ctx, a, id, "more.pdf", "application/pdf",
                              "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
                              7);
  default: {
    cpor_claim *c = NULL;
    int rc = cpor_claim_get(ctx, a, id, &c);
    if (rc == CPOR_OK) *out = describe(c);
    cpor_claim_free(c);
    return rc;
  }
  }
}

static const int64_t JUMPS[] = {
    1,        1000,           3600000,        3600000,        86400000,       86400000,
    86400000, 2 * 86400000LL, 3 * 86400000LL, 5 * 86400000LL, 7 * 86400000LL, 40 * 86400000LL};

static void run_open(run *r, int i) {
  memset(r, 0, sizeof *r);
  world_open(&r->w, NULL, NULL, NULL);
  if (i == 2) r->other = world_ctx_on(&r->w, r->w.storage);
  if (i == CONFLICTED) {
    ck_assert_int_eq(cpor_faulty_storage_new(&r->faulty, r->w.storage, -1, &r->ops), CPOR_OK);
    cpor_faulty_storage_fail_code(r->faulty, CPOR_ECONFLICT);
    r->acting = world_ctx_on(&r->w, r->faulty);
  }
}

static void run_close(run *r) {
  cpor_ctx_close(r->other);
  cpor_ctx_close(r->acting);
  cpor_storage_free(r->faulty);
  world_close(&r->w);
}

static void check_replays(run *r) {
  for (int k = 0; k < r->n; k++) {
    cpor_claim *c = NULL, *p = NULL;
    ck_assert_int_eq(cpor_claim_get(r->w.ctx, &r->w.system, r->ids[k], &c), CPOR_OK);
    int rc = cpor_claim_replay(r->w.ctx, &r->w.system, r->ids[k], &p);
    ck_assert_msg(rc == CPOR_OK, "replay: %s", cpor_ctx_errmsg(r->w.ctx));
    char *a = describe(c), *b = describe(p);
    ck_assert_msg(strcmp(a, b) == 0, "claim %d: stored %s\nreplayed %s", k, a, b);
    free(a);
    free(b);
    cpor_claim_free(c);
    cpor_claim_free(p);
  }
}

static long reached[10];

static void batch_end(run *r) {
  if (!r->in_batch) return;
  ck_assert_msg(cpor_ctx_commit(r->w.ctx) == CPOR_OK, "commit: %s", cpor_ctx_errmsg(r->w.ctx));
  r->in_batch = 0;
}

static void sequence(unsigned seed) {
  run r[WORLDS];
  for (int i = 0; i < WORLDS; i++)
    run_open(&r[i], i);
  /* bs: where batches end; cs: where conflicts are met (apart from s, so
   * that every world makes the same calls) */
  unsigned s = seed, bs = seed * 7u + 1u, cs = seed * 13u + 5u;
  for (int k = 0; k < STEPS; k++) {
    unsigned op = (unsigned)rand_r(&s), arg = (unsigned)rand_r(&s), who = (unsigned)rand_r(&s);
    int64_t jump = JUMPS[(unsigned)rand_r(&s) % (sizeof JUMPS / sizeof JUMPS[0])];
    int adv = rand_r(&s) % 4 == 0;
    char *out[WORLDS];
    int rc[WORLDS];
    for (int i = 0; i < WORLDS; i++) {
      cpor_manual_clock_advance(r[i].w.clock, jump);
      if (i == BATCHED && !r[i].in_batch) {
        ck_assert_int_eq(cpor_ctx_begin(r[i].w.ctx), CPOR_OK);
        r[i].in_batch = 1;
      }
      if (adv && i > 0) {
        size_t changed;
        ck_assert_int_eq(cpor_ctx_advance(i == 2 ? r[i].other : r[i].w.ctx, &changed), CPOR_OK);
      }
      /* One write call in three meets a conflict at one of its first
       * operations (a read call never does: it writes nothing). */
      int conflict = i == CONFLICTED && OPS[op % sizeof OPS] != 15 && rand_r(&cs) % 3 == 0;
      if (conflict) cpor_faulty_storage_fail_at(r[i].faulty, r[i].ops + 1 + rand_r(&cs) % 16);
      /* Who acts matters: claims are created by the partners. */
      rc[i] = step(&r[i], op, arg, who, &out[i]);
      if (conflict) cpor_faulty_storage_fail_at(r[i].faulty, -1);
      if (i == BATCHED && rand_r(&bs) % 4 == 0) batch_end(&r[i]);
      if (i == 0 && getenv("CPOR_SETTLED_TRACE"))
        fprintf(stderr, "op %u -> %s %s\n", OPS[op % sizeof OPS], cpor_status_name(rc[0]),
                cpor_ctx_errmsg(r[0].w.ctx));
    }
    for (int i = 1; i < WORLDS; i++) {
      ck_assert_msg(rc[i] == rc[0], "seed %u step %d op %u: world %d got %s, plain got %s (%s)",
                    seed, k, OPS[op % sizeof OPS], i, cpor_status_name(rc[i]),
                    cpor_status_name(rc[0]), cpor_ctx_errmsg(r[0].w.ctx));
      ck_assert_msg((out[i] == NULL) == (out[0] == NULL) && (!out[0] || !strcmp(out[i], out[0])),
                    "seed %u step %d: world %d read %s, plain read %s", seed, k, i,
                    out[i] ? out[i] : "-", out[0] ? out[0] : "-");
    }
    for (int i = 0; i < WORLDS; i++)
      free(out[i]);
  }
  batch_end(&r[BATCHED]);
  for (int k = 0; k < r[0].n; k++) {
    char *h0 = history(&r[0], k);
    for (int i = 1; i < WORLDS; i++) {
      char *h = history(&r[i], k);
      /* Check's messages are short: the histories go to stderr. */
      if (strcmp(h, h0) != 0) fprintf(stderr, "world %d:\n%s\nplain:\n%s\n", i, h, h0);
      ck_assert_msg(strcmp(h, h0) == 0, "seed %u claim %d: world %d's history differs (stderr)",
                    seed, k, i);
      free(h);
    }
    free(h0);
  }
  /* The sequence reached the states the property is about. */
  for (int k = 0; k < r[0].n; k++) {
    cpor_claim *c = NULL;
    ck_assert_int_eq(cpor_claim_get(r[0].w.ctx, &r[0].w.system, r[0].ids[k], &c), CPOR_OK);
    reached[cpor_claim_state(c)]++;
    cpor_claim_free(c);
  }
  for (int i = 0; i < WORLDS; i++) {
    check_replays(&r[i]);
    run_close(&r[i]);
  }
}

START_TEST(advance_never_changes_a_result) {
  const char *env = getenv("CPOR_SETTLED_SEQUENCES");
  int n = env ? atoi(env) : SEQUENCES_DEFAULT;
  if (getenv("CPOR_UNDER_VALGRIND")) n = 10;
  for (int i = 0; i < n; i++)
    sequence(1000u + (unsigned)i);
  /* Every state is reached by some sequence: the property covers them all. */
  for (int st = CPOR_STATE_EDITING; st <= CPOR_STATE_ENDED; st++) {
    fprintf(stderr, "# %s: %ld claims\n", cpor_state_name(st), reached[st]);
    if (n >= 100 && !getenv("CPOR_TEST_VARIANTS"))
      ck_assert_msg(reached[st] > 0, "no sequence reached %s", cpor_state_name(st));
  }
}
END_TEST

static Suite *settled_suite(void) {
  Suite *s = suite_create("settled");
  TCase *tc = tcase_create("property");
  tcase_set_timeout(tc, 600);
  tcase_add_test(tc, advance_never_changes_a_result);
  suite_add_tcase(s, tc);
  return s;
}

CPOR_TEST_MAIN(settled_suite)
