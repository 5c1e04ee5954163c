/* The outbox and the change feed (issue 12, DESIGN.md 1.6 and Part 5): the
 * messages every journey owes, exactly; leases, redelivery and
 * acknowledgement; refusals that change nothing; the change feed against
 * the final histories; a version 3 backend. Runs on every backend
 * (CPOR_TEST_BACKEND). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpor/feed.h"
#include "cpor/sys/storage.h"
#include "store/storage.h"
#include "pgtest.h"
#include "world.h"

static const char *const TEAMS[] = {"TEAMS", NULL};
static const char *const EXCHANGE[] = {"EXCHANGE", NULL};

#define DAY 86400000LL

/* The event kind at seq in a claim's history (0: none). */
static int event_kind_at(world *w, const char *id, uint32_t seq) {
  cpor_event_iter *it = NULL;
  OK(w, cpor_claim_history(w->ctx, &w->system, id, &it));
  cpor_event *e = NULL;
  int kind = 0;
  while (cpor_event_iter_next(it, &e) == CPOR_OK) {
    if (cpor_event_seq(e) == seq) kind = cpor_event_kind(e);
    cpor_event_free(e);
  }
  cpor_event_iter_free(it);
  return kind;
}

static size_t history_len(world *w, const char *id) {
  cpor_event_iter *it = NULL;
  OK(w, cpor_claim_history(w->ctx, &w->system, id, &it));
  cpor_event *e = NULL;
  size_t n = 0;
  while (cpor_event_iter_next(it, &e) == CPOR_OK) {
    n++;
    cpor_event_free(e);
  }
  cpor_event_iter_free(it);
  return n;
}

static cpor_time window_of(world *w, const char *id) {
  cpor_claim *c = NULL;
  OK(w, cpor_claim_get(w->ctx, &w->system, id, &c));
  cpor_time t = cpor_claim_window_closes_at(c);
  cpor_claim_free(c);
  return t;
}

/* Leases up to max for lease_ms; the messages in an array (NULL-ended). */
static cpor_message **lease(world *w, size_t max, uint32_t lease_ms, size_t *n) {
  cpor_message_iter *it = NULL;
  OK(w, cpor_outbox_lease(w->ctx, &w->system, max, lease_ms, &it));
  cpor_message **v = calloc(max + 1, sizeof *v);
  *n = 0;
  while (cpor_message_iter_next(it, &v[*n]) == CPOR_OK)
    (*n)++;
  ck_assert_ptr_null(v[*n]);
  cpor_message_iter_free(it);
  return v;
}

static void free_messages(cpor_message **v) {
  for (size_t i = 0; v[i]; i++)
    cpor_message_free(v[i]);
  free(v);
}

typedef struct expected {
  const char *kind, *role, *org;
  const char *claim; /* a claim ID */
  int event_kind;    /* of the event the message names */
} expected;

static char ids[3][40];

/* The journeys of DESIGN.md 1.2 that owe every kind of message. */
static size_t journeys(world *w, expected *x, cpor_time *opt_out_a, cpor_time *dispute_c) {
  size_t n = 0;
  strcpy(ids[0], under_review(w, &w->a, MPN_A, TEAMS));
  const char *a = ids[0];
  x[n++] = (expected){"claim_submitted", "reviewer", NULL, a, CPOR_EVENT_SUBMITTED};
  OK(w, cpor_claim_request_info(w->ctx, &w->reviewer, a, CPOR_INFO_OTHER, "which users?"));
  x[n++] = (expected){"info_requested", "partner", "contoso", a, CPOR_EVENT_INFO_REQUESTED};
  OK(w, cpor_claim_respond(w->ctx, &w->a, a, "all of them"));
  OK(w, cpor_claim_approve(w->ctx, &w->reviewer, a));
  *opt_out_a = window_of(w, a);
  x[n++] = (expected){"association_requested", "customer", T1, a, CPOR_EVENT_APPROVED};
  world_at(w, "2026-11-20T09:00:00");
  OK(w, cpor_ctx_advance(w->ctx, NULL));
  x[n++] = (expected){"association_official", "partner", "contoso", a, CPOR_EVENT_ASSOCIATED};

  strcpy(ids[1], under_review(w, &w->b, MPN_B, TEAMS));
  const char *b = ids[1];
  x[n++] = (expected){"claim_submitted", "reviewer", NULL, b, CPOR_EVENT_SUBMITTED};
  OK(w, cpor_claim_approve(w->ctx, &w->reviewer, b));
  x[n++] = (expected){"association_requested", "customer", T1, b, CPOR_EVENT_APPROVED};
  world_at(w, "2026-12-10T09:00:00");
  OK(w, cpor_ctx_advance(w->ctx, NULL));
  /* One write: a lets go of TEAMS, b takes it; the view lists b first. */
  x[n++] = (expected){"association_official", "partner", "fabrikam", b, CPOR_EVENT_ASSOCIATED};
  x[n++] = (expected){"superseded", "partner", "contoso", a, CPOR_EVENT_ENDED};

  strcpy(ids[2], under_review(w, &w->c, MPN_C, EXCHANGE));
  const char *c = ids[2];
  x[n++] = (expected){"claim_submitted", "reviewer", NULL, c, CPOR_EVENT_SUBMITTED};
  OK(w, cpor_claim_reject(w->ctx, &w->reviewer, c, CPOR_REASON_INSUFFICIENT_POE, "no PoE"));
  *dispute_c = window_of(w, c);
  x[n++] = (expected){"rejected", "partner", "northwind", c, CPOR_EVENT_REJECTED};
  OK(w, cpor_claim_dispute(w->ctx, &w->c, c, "here is the PoE"));
  x[n++] = (expected){"claim_disputed", "reviewer", NULL, c, CPOR_EVENT_DISPUTED};
  OK(w, cpor_claim_decide_dispute(w->ctx, &w->reviewer, c, 0, "still not enough"));
  x[n++] = (expected){"dispute_decided", "partner", "northwind", c, CPOR_EVENT_DISPUTE_UPHELD};
  return n;
}

START_TEST(journeys_owe_exactly_these_messages) {
  world w;
  world_open(&w, NULL, NULL, NULL);
  expected x[32];
  cpor_time opt_out_a, dispute_c;
  size_t nx = journeys(&w, x, &opt_out_a, &dispute_c);
  size_t n = 0;
  cpor_message **v = lease(&w, 1000, 60000, &n);
  ck_assert_uint_eq(n, nx);
  for (size_t i = 0; i < n; i++) {
    const cpor_message *m = v[i];
    ck_assert_uint_eq(cpor_message_id(m), i + 1);
    ck_assert_str_eq(cpor_message_kind(m), x[i].kind);
    ck_assert_str_eq(cpor_message_recipient_role(m), x[i].role);
    if (x[i].org)
      ck_assert_str_eq(cpor_message_recipient_org(m), x[i].org);
    else
      ck_assert_ptr_null(cpor_message_recipient_org(m));
    ck_assert_str_eq(cpor_message_claim_id(m), x[i].claim);
    ck_assert_int_eq(event_kind_at(&w, x[i].claim, cpor_message_event_seq(m)), x[i].event_kind);
    ck_assert_uint_eq(cpor_message_deliveries(m), 1);
    cpor_time now = 0;
    OK(&w, cpor_ctx_now(w.ctx, &now));
    ck_assert_int_eq(cpor_message_lease_until(m), now + 60000);
  }
  /* The deadlines each recipient is told. */
  char want[160];
  snprintf(want, sizeof want, "{\"opt_out_until\":%lld}", (long long)opt_out_a);
  ck_assert_str_eq(cpor_message_payload(v[2]), want);
  snprintf(want, sizeof want, "{\"dispute_until\":%lld,\"reason\":\"insufficient_poe\"}",
           (long long)dispute_c);
  ck_assert_str_eq(cpor_message_payload(v[9]), want);
  ck_assert_str_eq(cpor_message_payload(v[11]), "{\"granted\":false}");
  ck_assert_str_eq(cpor_message_payload(v[7]), "{\"line\":0,\"reason\":\"superseded\"}");
  ck_assert_ptr_nonnull(strstr(cpor_message_payload(v[1]), "\"respond_by\":"));
  /* The record as JSON names the same things. */
  ck_assert_ptr_nonnull(strstr(cpor_message_json(v[0]), "\"kind\":\"claim_submitted\""));
  ck_assert_ptr_nonnull(strstr(cpor_message_json(v[0]), "\"deliveries\":1,"));
  ck_assert_ptr_nonnull(strstr(cpor_message_json(v[0]), "\"recipient\":{\"org\":null,"
                                                        "\"role\":\"reviewer\"}"));
  free_messages(v);
  world_close(&w);
}
END_TEST

START_TEST(leases_redeliver_and_acks_remove) {
  world w;
  world_open(&w, NULL, NULL, NULL);
  const cpor_actor *who[] = {&w.a, &w.a, &w.b, &w.b, &w.c};
  const char *mpn[] = {MPN_A, MPN_A, MPN_B, MPN_B, MPN_C};
  for (int i = 0; i < 5; i++) /* 5 claim_submitted */
    under_review(&w, who[i], mpn[i], i % 2 ? TEAMS : EXCHANGE);
  size_t n = 0;
  cpor_message **v = lease(&w, 2, 1000, &n);
  ck_assert_uint_eq(n, 2);
  ck_assert_uint_eq(cpor_message_id(v[0]), 1);
  ck_assert_uint_eq(cpor_message_id(v[1]), 2);
  free_messages(v);
  v = lease(&w, 2, 5000, &n); /* 1 and 2 are held: 3 and 4 */
  ck_assert_uint_eq(n, 2);
  ck_assert_uint_eq(cpor_message_id(v[0]), 3);
  ck_assert_uint_eq(cpor_message_id(v[1]), 4);
  free_messages(v);
  OK(&w, cpor_outbox_ack(w.ctx, &w.system, 1));
  /* The last millisecond of the lease: 2 is still held. */
  cpor_time now = 0;
  OK(&w, cpor_ctx_now(w.ctx, &now));
  cpor_manual_clock_set(w.clock, now + 999);
  v = lease(&w, 10, 1000, &n);
  ck_assert_uint_eq(n, 1);
  ck_assert_uint_eq(cpor_message_id(v[0]), 5);
  free_messages(v);
  /* Its lease ended without an ack: 2 comes again, a second delivery. */
  cpor_manual_clock_set(w.clock, now + 1000);
  v = lease(&w, 10, 1000, &n);
  ck_assert_uint_eq(n, 1);
  ck_assert_uint_eq(cpor_message_id(v[0]), 2);
  ck_assert_uint_eq(cpor_message_deliveries(v[0]), 2);
  free_messages(v);
  OK(&w, cpor_outbox_ack(w.ctx, &w.system, 2));
  REFUSED(&w, cpor_outbox_ack(w.ctx, &w.system, 2), CPOR_ENOTFOUND);
  ck_assert_str_eq(cpor_ctx_errmsg(w.ctx),
                   "no outbox message 2 (acknowledged already, or never written)");
  /* Past every lease: 3, 4 and 5 are left. */
  cpor_manual_clock_set(w.clock, now + 10 * DAY);
  v = lease(&w, 10, 1000, &n);
  ck_assert_uint_eq(n, 3);
  for (size_t i = 0; i < n; i++)
    OK(&w, cpor_outbox_ack(w.ctx, &w.system, cpor_message_id(v[i])));
  free_messages(v);
  v = lease(&w, 10, 1000, &n);
  ck_assert_uint_eq(n, 0);
  free_messages(v);
  world_close(&w);
}
END_TEST

/* Reads outbox message mid's record (returned, malloc'd) and, when data is
 * not NULL, replaces it with data in the same transaction. */
static char *message_swap(cpor_storage *st, const char *mid, const char *claim, const char *data) {
  ck_assert_status(st->m.begin(st->self, 1), CPOR_OK);
  cpor_store_object o;
  ck_assert_status(st->m.object_get(st->self, CPOR_STORE_OUTBOX, mid, &o), CPOR_OK);
  char *rec = strndup(o.data, o.len);
  if (data) {
    /* A get sets neither kind nor id, and a put may end its row: nothing of
     * it but the revision is passed on. */
    cpor_store_object t = {.kind = CPOR_STORE_OUTBOX,
                           .id = mid,
                           .ref = claim,
                           .revision = o.revision,
                           .data = data,
                           .len = strlen(data)};
    ck_assert_msg(st->m.object_put(st->self, &t, CPOR_STORE_UPDATE) == CPOR_OK, "%s",
                  st->m.errmsg(st->self));
  }
  ck_assert_status(st->m.commit(st->self), CPOR_OK);
  return rec;
}

/* A message that carries its event's payload as it is refers to the event
 * (record version 2, no copy); one whose event is gone is corruption,
 * named, and the lease changes nothing. */
START_TEST(message_refers_to_its_event) {
  world w;
  world_open(&w, NULL, NULL, NULL);
  const char *id = under_review(&w, &w.a, MPN_A, TEAMS);
  cpor_storage *st = w.storage;
  const char *mid = "00000000000000000001";
  char *rec = message_swap(st, mid, id, NULL);
  ck_assert_ptr_null(strstr(rec, "\"payload\""));
  ck_assert_ptr_nonnull(strstr(rec, "\"v\":2"));
  ck_assert_ptr_nonnull(strstr(rec, "\"seq\":3"));
  /* The same message, naming an event the claim does not have. */
  char *bad = strdup(rec);
  memcpy(strstr(bad, "\"seq\":3"), "\"seq\":9", 7);
  free(message_swap(st, mid, id, bad));
  cpor_message_iter *it = NULL;
  REFUSED(&w, cpor_outbox_lease(w.ctx, &w.system, 10, 1000, &it), CPOR_ECORRUPT);
  char want[256];
  snprintf(want, sizeof want,
           "stored data is corrupt (outbox message 1 names event 9 of claim %s, which does not "
           "exist)",
           id);
  ck_assert_str_eq(cpor_ctx_errmsg(w.ctx), want);
  ck_assert_ptr_null(it);
  /* Put back, it leases with the submitted event's payload. */
  free(message_swap(st, mid, id, rec));
  size_t n = 0;
  cpor_message **v = lease(&w, 10, 1000, &n);
  ck_assert_uint_eq(n, 1);
  ck_assert_str_eq(cpor_message_kind(v[0]), "claim_submitted");
  ck_assert_str_eq(cpor_message_payload(v[0]), "{\"policy\":\"default\"}");
  ck_assert_ptr_nonnull(strstr(cpor_message_json(v[0]), "\"payload\":{\"policy\":\"default\"}"));
#ifdef CPOR_TEST_HAVE_PG
  /* PostgreSQL's outbox view shows the event's payload for it (SQLite's:
   * tests/cli/test_views.py). */
  if (w.pgschema[0]) {
    char *same = pgtest_sql("SELECT payload::jsonb = '%s'::jsonb FROM %s.outbox WHERE id = 1",
                            cpor_message_payload(v[0]), w.pgschema);
    ck_assert_str_eq(same, "t");
    free(same);
  }
#endif
  free_messages(v);
  free(rec);
  free(bad);
  world_close(&w);
}
END_TEST

START_TEST(refusals_change_nothing) {
  world w;
  world_open(&w, NULL, NULL, NULL);
  under_review(&w, &w.a, MPN_A, TEAMS);
  cpor_message_iter *it = (cpor_message_iter *)&w;
  REFUSED(&w, cpor_outbox_lease(w.ctx, &w.reviewer, 10, 1000, &it), CPOR_EPERM);
  ck_assert_str_eq(cpor_ctx_errmsg(w.ctx), "only the system may lease outbox messages");
  ck_assert_ptr_null(it);
  REFUSED(&w, cpor_outbox_lease(w.ctx, &w.a, 10, 1000, &it), CPOR_EPERM);
  REFUSED(&w, cpor_outbox_lease(w.ctx, &w.system, 0, 1000, &it), CPOR_EINVAL);
  ck_assert_str_eq(cpor_ctx_errmsg(w.ctx), "max must be 1-1000 messages");
  REFUSED(&w, cpor_outbox_lease(w.ctx, &w.system, 1001, 1000, &it), CPOR_EINVAL);
  REFUSED(&w, cpor_outbox_lease(w.ctx, &w.system, 1, 0, &it), CPOR_EINVAL);
  ck_assert_str_eq(cpor_ctx_errmsg(w.ctx), "lease_ms must be 1-86400000 (24 h)");
  REFUSED(&w, cpor_outbox_lease(w.ctx, &w.system, 1, 86400001, &it), CPOR_EINVAL);
  REFUSED(&w, cpor_outbox_lease(w.ctx, NULL, 1, 1, &it), CPOR_EINVAL);
  REFUSED(&w, cpor_outbox_lease(w.ctx, &w.system, 1, 1, NULL), CPOR_EINVAL);
  REFUSED(&w, cpor_outbox_ack(w.ctx, &w.cust1, 1), CPOR_EPERM);
  ck_assert_str_eq(cpor_ctx_errmsg(w.ctx), "only the system may acknowledge outbox messages");
  REFUSED(&w, cpor_outbox_ack(w.ctx, &w.system, 0), CPOR_EINVAL);
  REFUSED(&w, cpor_outbox_ack(w.ctx, &w.system, 99), CPOR_ENOTFOUND);
  cpor_change_iter *ci = NULL;
  REFUSED(&w, cpor_changes_since(w.ctx, &w.system, 0, 100001, &ci), CPOR_EINVAL);
  ck_assert_str_eq(cpor_ctx_errmsg(w.ctx), "limit must be 0-100000");
  REFUSED(&w, cpor_changes_since(w.ctx, &w.system, (uint64_t)INT64_MAX + 1, 0, &ci), CPOR_EINVAL);
  ck_assert_ptr_null(ci);
  /* A refused claim call owes nothing and changes nothing. */
  const char *id = draft(&w, &w.a, MPN_A, EXCHANGE);
  REFUSED(&w, cpor_claim_approve(w.ctx, &w.reviewer, id), CPOR_ESTATE);
  /* A batch rolled back leaves no message and no change. */
  char *before = store_dump(w.storage);
  OK(&w, cpor_ctx_begin(w.ctx));
  OK(&w, cpor_claim_submit(w.ctx, &w.a, id));
  OK(&w, cpor_ctx_rollback(w.ctx));
  char *after = store_dump(w.storage);
  ck_assert_str_eq(before, after);
  free(before);
  free(after);
  ck_assert_int_eq(cpor_message_iter_next(NULL, NULL), CPOR_EINVAL);
  cpor_message_iter_free(NULL);
  cpor_message_free(NULL);
  ck_assert_ptr_null(cpor_message_kind(NULL));
  world_close(&w);
}
END_TEST

/* The change feed against the final histories: per claim the seqs rise to
 * its history's end, numbers rise by one, each actor sees its own. */
START_TEST(change_feed_matches_histories) {
  world w;
  world_open(&w, NULL, NULL, NULL);
  expected x[32];
  cpor_time t1, t2;
  journeys(&w, x, &t1, &t2);
  cpor_change_iter *it = NULL;
  OK(&w, cpor_changes_since(w.ctx, &w.system, 0, 0, &it));
  uint64_t number = 0, expect = 1;
  const char *claim = NULL;
  int state = 0;
  uint32_t seq = 0, last[3] = {0, 0, 0};
  int last_state[3] = {0, 0, 0};
  size_t total = 0;
  while (cpor_change_iter_next(it, &number, &claim, &state, &seq) == CPOR_OK) {
    ck_assert_uint_eq(number, expect++);
    int k = -1;
    for (int i = 0; i < 3; i++)
      if (strcmp(claim, ids[i]) == 0) k = i;
    ck_assert_int_ge(k, 0);
    ck_assert_uint_gt(seq, last[k]);
    last[k] = seq;
    last_state[k] = state;
    total++;
  }
  cpor_change_iter_free(it);
  for (int i = 0; i < 3; i++) {
    ck_assert_uint_eq(last[i], history_len(&w, ids[i]));
    ck_assert_int_eq(last_state[i], state_of(&w, ids[i]));
  }
  /* Resuming after N gives exactly the rest; limit cuts. */
  OK(&w, cpor_changes_since(w.ctx, &w.system, total - 2, 0, &it));
  ck_assert_int_eq(cpor_change_iter_next(it, &number, NULL, NULL, NULL), CPOR_OK);
  ck_assert_uint_eq(number, total - 1);
  ck_assert_int_eq(cpor_change_iter_next(it, &number, NULL, NULL, NULL), CPOR_OK);
  ck_assert_int_eq(cpor_change_iter_next(it, &number, NULL, NULL, NULL), CPOR_ITEROVER);
  cpor_change_iter_free(it);
  OK(&w, cpor_changes_since(w.ctx, &w.system, 0, 3, &it));
  size_t k = 0;
  while (cpor_change_iter_next(it, NULL, NULL, NULL, NULL) == CPOR_OK)
    k++;
  ck_assert_uint_eq(k, 3);
  cpor_change_iter_free(it);
  /* A partner sees its own claims' changes only; the customer its tenant's. */
  OK(&w, cpor_changes_since(w.ctx, &w.b, 0, 0, &it));
  k = 0;
  while (cpor_change_iter_next(it, NULL, &claim, NULL, NULL) == CPOR_OK) {
    ck_assert_str_eq(claim, ids[1]);
    k++;
  }
  ck_assert_uint_gt(k, 0);
  cpor_change_iter_free(it);
  OK(&w, cpor_changes_since(w.ctx, &w.cust2, 0, 0, &it));
  ck_assert_int_eq(cpor_change_iter_next(it, NULL, NULL, NULL, NULL), CPOR_ITEROVER);
  cpor_change_iter_free(it);
  OK(&w, cpor_changes_since(w.ctx, &w.cust1, 0, 0, &it));
  k = 0;
  while (cpor_change_iter_next(it, NULL, NULL, NULL, NULL) == CPOR_OK)
    k++;
  ck_assert_uint_eq(k, total); /* every claim is on T1 */
  cpor_change_iter_free(it);
  world_close(&w);
}
END_TEST

/* A version 3 backend (no counters): claims work, the outbox and the feed
 * are CPOR_ENOTSUP. */
START_TEST(version_3_backend) {
  cpor_storage *mem = NULL;
  ck_assert_status(cpor_storage_open_memory(&mem), CPOR_OK);
  const cpor_storage_methods *m = NULL;
  void *self = NULL;
  ck_assert_status(cpor__memory_backend(&m, &self), CPOR_OK);
  cpor_storage_free(mem);
  cpor_storage_methods v3 = *m;
  v3.version = 3;
  cpor_storage *s = NULL;
  ck_assert_status(cpor_storage_new(&s, &v3, self), CPOR_OK);
  world w;
  world_open(&w, NULL, NULL, s);
  under_review(&w, &w.a, MPN_A, TEAMS);
  cpor_message_iter *it = NULL;
  REFUSED(&w, cpor_outbox_lease(w.ctx, &w.system, 1, 1, &it), CPOR_ENOTSUP);
  ck_assert_str_eq(cpor_ctx_errmsg(w.ctx), "the storage backend has no outbox (vtable version 3)");
  cpor_change_iter *ci = NULL;
  REFUSED(&w, cpor_changes_since(w.ctx, &w.system, 0, 0, &ci), CPOR_ENOTSUP);
  world_close(&w);
}
END_TEST

static Suite *outbox_suite(void) {
  Suite *s = suite_create("outbox");
  TCase *tc = tcase_create("outbox");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, journeys_owe_exactly_these_messages);
  tcase_add_test(tc, leases_redeliver_and_acks_remove);
  tcase_add_test(tc, refusals_change_nothing);
  tcase_add_test(tc, message_refers_to_its_event);
  tcase_add_test(tc, change_feed_matches_histories);
  if (!getenv("CPOR_TEST_BACKEND")) tcase_add_test(tc, version_3_backend);
  suite_add_tcase(s, tc);
  return s;
}

CPOR_TEST_MAIN(outbox_suite)
