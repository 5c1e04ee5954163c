/* The outbox and the change feed with many processes (issue 12), on a
 * SQLite file or a PostgreSQL schema (CPOR_TEST_BACKEND):
 *   - 4 consumers over 10k messages: each message leased once and
 *     acknowledged exactly once, none lost;
 *   - a consumer killed while it holds a lease: its messages come back when
 *     the lease ends, not a millisecond before;
 *   - 4 writers and 2 feed readers at once: every reader sees change numbers
 *     1..N with no gap, and per claim the seqs its history has. */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/feed.h"
#include "world.h"

#define NMESSAGES 10000
#define NCONSUMERS 4

static void *shared(size_t n) {
  void *p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  ck_assert_ptr_ne(p, MAP_FAILED);
  memset(p, 0, n);
  return p;
}

/* n messages written straight through the vtable, numbered by the counter. */
static void put_messages(world *w, size_t n) {
  cpor_storage *s = w->storage;
  ck_assert_int_eq(s->m.begin(s->self, 1), CPOR_OK);
  uint64_t first = 0;
  ck_assert_int_eq(s->m.counter_next(s->self, "outbox", n, &first), CPOR_OK);
  for (size_t i = 0; i < n; i++) {
    cpor__message_rec m = {.id = first + i,
                           .kind = "claim_submitted",
                           .role = "reviewer",
                           .claim_id = "00000000-0000-4000-8000-000000000001",
                           .seq = 1,
                           .created_at = 0,
                           .lease_until = CPOR_TIME_NONE,
                           .payload = "{}"};
    cpor_store_object obj;
    char idbuf[24];
    ck_assert_int_eq(cpor__message_encode(&m, &obj, idbuf), CPOR_OK);
    ck_assert_int_eq(s->m.object_put(s->self, &obj, CPOR_STORE_INSERT), CPOR_OK);
    free((void *)obj.data);
  }
  ck_assert_int_eq(s->m.commit(s->self), CPOR_OK);
}

static int open_peer(world *w, cpor_manual_clock **clock, cpor_ctx **ctx, cpor_storage **st) {
  if (cpor_manual_clock_new(clock, T("2026-11-02T09:00:00"))) return -1;
  return world_open_peer(w, *clock, ctx, st);
}

static void close_peer(cpor_manual_clock *clock, cpor_ctx *ctx, cpor_storage *st) {
  cpor_ctx_close(ctx);
  cpor_storage_free(st);
  cpor_manual_clock_free(clock);
}

/* A consumer: leases, counts, acknowledges, until every message is acked. */
static int consume(world *w, unsigned *delivered, unsigned *acked, unsigned *total) {
  cpor_manual_clock *clock;
  cpor_ctx *ctx;
  cpor_storage *st;
  if (open_peer(w, &clock, &ctx, &st)) return 10;
  int status = 0;
  while (__atomic_load_n(total, __ATOMIC_SEQ_CST) < NMESSAGES) {
    cpor_message_iter *it = NULL;
    int rc = cpor_outbox_lease(ctx, &w->system, 100, 3600000, &it);
    if (rc == CPOR_ESTORAGE || rc == CPOR_ECONFLICT) continue; /* busy: try again */
    if (rc) {
      fprintf(stderr, "lease: %s\n", cpor_ctx_errmsg(ctx));
      status = 11;
      break;
    }
    cpor_message *m = NULL;
    while (cpor_message_iter_next(it, &m) == CPOR_OK) {
      uint64_t id = cpor_message_id(m);
      if (id >= 1 && id <= NMESSAGES) __atomic_add_fetch(&delivered[id], 1, __ATOMIC_SEQ_CST);
      int arc;
      while ((arc = cpor_outbox_ack(ctx, &w->system, id)) == CPOR_ESTORAGE)
        ;
      if (arc == CPOR_OK) {
        __atomic_add_fetch(&acked[id], 1, __ATOMIC_SEQ_CST);
        __atomic_add_fetch(total, 1, __ATOMIC_SEQ_CST);
      } else if (arc != CPOR_ENOTFOUND) {
        status = 12;
      }
      cpor_message_free(m);
    }
    cpor_message_iter_free(it);
  }
  close_peer(clock, ctx, st);
  return status;
}

START_TEST(four_consumers_ack_each_message_once) {
  world w;
  world_open_shared(&w);
  put_messages(&w, NMESSAGES);
  size_t bytes = (NMESSAGES + 1) * sizeof(unsigned);
  unsigned *delivered = shared(bytes), *acked = shared(bytes), *total = shared(sizeof *total);
  pid_t kids[NCONSUMERS];
  for (int i = 0; i < NCONSUMERS; i++) {
    kids[i] = fork();
    ck_assert_int_ge(kids[i], 0);
    if (kids[i] == 0) _exit(consume(&w, delivered, acked, total));
  }
  for (int i = 0; i < NCONSUMERS; i++) {
    int st = 0;
    ck_assert_int_eq(waitpid(kids[i], &st, 0), kids[i]);
    ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "consumer %d: status %d", i, st);
  }
  for (size_t id = 1; id <= NMESSAGES; id++) {
    ck_assert_msg(acked[id] == 1, "message %zu acknowledged %u times", id, acked[id]);
    ck_assert_msg(delivered[id] == 1, "message %zu delivered %u times", id, delivered[id]);
  }
  cpor_message_iter *it = NULL;
  OK(&w, cpor_outbox_lease(w.ctx, &w.system, 10, 1000, &it));
  cpor_message *m = NULL;
  ck_assert_int_eq(cpor_message_iter_next(it, &m), CPOR_ITEROVER);
  cpor_message_iter_free(it);
  world_close(&w);
}
END_TEST

START_TEST(killed_consumer_lease_comes_back) {
  world w;
  world_open_shared(&w);
  put_messages(&w, 20);
  int fds[2];
  ck_assert_int_eq(pipe(fds), 0);
  pid_t kid = fork();
  ck_assert_int_ge(kid, 0);
  if (kid == 0) {
    cpor_manual_clock *clock;
    cpor_ctx *ctx;
    cpor_storage *st;
    if (open_peer(&w, &clock, &ctx, &st)) _exit(1);
    cpor_message_iter *it = NULL;
    if (cpor_outbox_lease(ctx, &w.system, 10, 1000, &it)) _exit(2);
    char ok = 'y';
    if (write(fds[1], &ok, 1) != 1) _exit(3);
    pause(); /* killed holding the lease */
    _exit(4);
  }
  char c = 0;
  ck_assert_int_eq(read(fds[0], &c, 1), 1);
  kill(kid, SIGKILL);
  int st = 0;
  waitpid(kid, &st, 0);
  close(fds[0]);
  close(fds[1]);
  cpor_time now = T("2026-11-02T09:00:00");
  cpor_manual_clock_set(w.clock, now + 999);
  cpor_message_iter *it = NULL;
  cpor_message *m = NULL;
  OK(&w, cpor_outbox_lease(w.ctx, &w.system, 20, 1, &it));
  uint64_t want = 11;
  while (cpor_message_iter_next(it, &m) == CPOR_OK) {
    ck_assert_uint_eq(cpor_message_id(m), want++);
    cpor_message_free(m);
  }
  ck_assert_uint_eq(want, 21);
  cpor_message_iter_free(it);
  cpor_manual_clock_set(w.clock, now + 1000);
  OK(&w, cpor_outbox_lease(w.ctx, &w.system, 20, 1000, &it));
  want = 1;
  while (cpor_message_iter_next(it, &m) == CPOR_OK) {
    ck_assert_uint_eq(cpor_message_id(m), want);
    ck_assert_uint_eq(cpor_message_deliveries(m), 2); /* the killed one's, then ours */
    want++;
    cpor_message_free(m);
  }
  ck_assert_uint_eq(want, 21); /* 1-10 again, and 11-20 whose 1 ms lease ended */
  cpor_message_iter_free(it);
  world_close(&w);
}
END_TEST

/* ---- the change feed ----------------------------------------------------------------- */

#define NWRITERS 4
#define NREADERS 2
#define ROUNDS 12
#define SEEN_MAX 4096

typedef struct seen {
  uint64_t number;
  uint32_t seq;
  char claim[40];
} seen;

static const char *const TEAMS[] = {"TEAMS", NULL};
static const char *const EXCHANGE[] = {"EXCHANGE", NULL};

/* A call that may lose races to the other writers: CPOR_ECONFLICT (the
 * core's retries spent) and CPOR_ESTORAGE (SQLite's busy timeout passed
 * while the others wrote: slow under valgrind) are documented answers, so
 * the writer tries again; any other failure ends it. */
#define AGAIN(expr)                                                                                \
  do {                                                                                             \
    int rc_;                                                                                       \
    while ((rc_ = (expr)) == CPOR_ECONFLICT || rc_ == CPOR_ESTORAGE)                               \
      ;                                                                                            \
    if (rc_) {                                                                                     \
      fprintf(stderr, "writer: %s: %s\n", #expr, cpor_ctx_errmsg(ctx));                            \
      return 21;                                                                                   \
    }                                                                                              \
  } while (0)

/* A writer: claims through submit, review and rejection, again and again;
 * the units are shared, so the claims contest each other. */
static int write_claims(world *w, int k) {
  const cpor_actor *who[] = {&w->a, &w->b, &w->c, &w->a};
  const char *mpn[] = {MPN_A, MPN_B, MPN_C, MPN_A};
  cpor_manual_clock *clock;
  cpor_ctx *ctx;
  cpor_storage *st;
  if (open_peer(w, &clock, &ctx, &st)) return 20;
  const char *const *wl = k == 3 ? EXCHANGE : TEAMS;
  for (int r = 0; r < ROUNDS; r++) {
    cpor_claim_spec s = test_spec("Teams rollout", mpn[k], T1, T1_DOMAIN, CPOR_AREA_M365, 1, wl);
    cpor_claim *c = NULL;
    AGAIN(cpor_claim_create(ctx, who[k], &s, &c));
    char id[37];
    snprintf(id, sizeof id, "%s", cpor_claim_id(c));
    cpor_claim_free(c);
    AGAIN(cpor_claim_add_poe(ctx, who[k], id, "usage-report.pdf", "application/pdf",
                             "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
                             1234));
    AGAIN(cpor_claim_submit(ctx, who[k], id));
    AGAIN(cpor_claim_start_review(ctx, &w->reviewer, id));
    AGAIN(cpor_claim_reject(ctx, &w->reviewer, id, CPOR_REASON_INSUFFICIENT_POE, "no"));
  }
  close_peer(clock, ctx, st);
  return 0;
}

static int read_feed(world *w, seen *out, int *done) {
  cpor_manual_clock *clock;
  cpor_ctx *ctx;
  cpor_storage *st;
  if (open_peer(w, &clock, &ctx, &st)) return 30;
  uint64_t last = 0;
  size_t n = 0;
  for (int final = 0; final < 2;) {
    int writers_done = __atomic_load_n(done, __ATOMIC_SEQ_CST);
    cpor_change_iter *it = NULL;
    int rc = cpor_changes_since(ctx, &w->system, last, 50, &it);
    if (rc == CPOR_ESTORAGE) continue;
    if (rc) return 31;
    size_t got = 0;
    uint64_t number;
    const char *claim;
    uint32_t seq;
    while (cpor_change_iter_next(it, &number, &claim, NULL, &seq) == CPOR_OK) {
      if (n == SEEN_MAX) return 32;
      out[n].number = number;
      out[n].seq = seq;
      snprintf(out[n].claim, sizeof out[n].claim, "%s", claim);
      n++, got++;
      last = number;
    }
    cpor_change_iter_free(it);
    if (writers_done && got == 0) final++; /* once more after the writers ended */
  }
  close_peer(clock, ctx, st);
  return 0;
}

START_TEST(feed_readers_miss_nothing) {
  world w;
  world_open_shared(&w);
  seen *views[NREADERS];
  for (int i = 0; i < NREADERS; i++)
    views[i] = shared(SEEN_MAX * sizeof(seen));
  int *done = shared(sizeof *done);
  pid_t readers[NREADERS], writers[NWRITERS];
  for (int i = 0; i < NREADERS; i++)
    if ((readers[i] = fork()) == 0) _exit(read_feed(&w, views[i], done));
  for (int i = 0; i < NWRITERS; i++)
    if ((writers[i] = fork()) == 0) _exit(write_claims(&w, i));
  for (int i = 0; i < NWRITERS; i++) {
    int st = 0;
    waitpid(writers[i], &st, 0);
    ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "writer %d: status %d", i, st);
  }
  __atomic_store_n(done, 1, __ATOMIC_SEQ_CST);
  for (int i = 0; i < NREADERS; i++) {
    int st = 0;
    waitpid(readers[i], &st, 0);
    ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "reader %d: status %d", i, st);
  }
  /* The truth: the whole feed read at the end, and the histories. */
  cpor_change_iter *it = NULL;
  OK(&w, cpor_changes_since(w.ctx, &w.system, 0, 100000, &it));
  size_t total = 0;
  while (cpor_change_iter_next(it, NULL, NULL, NULL, NULL) == CPOR_OK)
    total++;
  cpor_change_iter_free(it);
  ck_assert_uint_ge(total, NWRITERS * ROUNDS * 5); /* create, PoE, submit, review, reject */
  for (int r = 0; r < NREADERS; r++) {
    seen *v = views[r];
    for (size_t i = 0; i < total; i++)
      ck_assert_msg(v[i].number == i + 1, "reader %d: change %zu is number %llu", r, i + 1,
                    (unsigned long long)v[i].number);
    ck_assert_uint_eq(v[total].number, 0);
    /* Per claim: the seqs rise, and the last is its history's length. */
    for (size_t i = 0; i < total; i++) {
      uint32_t next_seq = 0;
      for (size_t j = i + 1; j < total; j++)
        if (strcmp(v[j].claim, v[i].claim) == 0) {
          next_seq = v[j].seq;
          break;
        }
      if (next_seq) {
        ck_assert_uint_gt(next_seq, v[i].seq);
        continue;
      }
      cpor_event_iter *ei = NULL;
      OK(&w, cpor_claim_history(w.ctx, &w.system, v[i].claim, &ei));
      cpor_event *e = NULL;
      uint32_t n = 0;
      while (cpor_event_iter_next(ei, &e) == CPOR_OK) {
        n++;
        cpor_event_free(e);
      }
      cpor_event_iter_free(ei);
      ck_assert_uint_eq(v[i].seq, n);
    }
  }
  world_close(&w);
}
END_TEST

static Suite *feed_suite(void) {
  Suite *s = suite_create("feed_concurrency");
  TCase *tc = tcase_create("processes");
  tcase_set_timeout(tc, 600);
  /* Processes need a store they can all open: a file or a server. */
  if (getenv("CPOR_TEST_BACKEND")) {
    tcase_add_test(tc, four_consumers_ack_each_message_once);
    tcase_add_test(tc, killed_consumer_lease_comes_back);
    tcase_add_test(tc, feed_readers_miss_nothing);
  }
  suite_add_tcase(s, tc);
  return s;
}

CPOR_TEST_MAIN(feed_suite)
