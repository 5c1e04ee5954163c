/* Integration keys (issue 12 item 5): idempotent creates, external
 * references, revisions and expected revisions on edit. Runs on memory,
 * SQLite and PostgreSQL (CPOR_TEST_BACKEND). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/wait.h>

#include "core/ctx.h"
#include "cpor/postgres.h"
#include "pgtest.h"
#include "world.h"

#define ERRMSG_IS(w, want) ck_assert_str_eq(cpor_ctx_errmsg((w)->ctx), want)

static const char *const TEAMS[] = {"TEAMS", NULL};
static const char *const EXCHANGE[] = {"EXCHANGE", NULL};

static cpor_claim_spec keyed(const char *key, const char *ref) {
  cpor_claim_spec s = test_spec("keyed", MPN_A, T1, T1_DOMAIN, CPOR_AREA_M365, 1, TEAMS);
  s.idempotency_key = key;
  s.external_ref = ref;
  return s;
}

/* Creates from s and returns the new claim's ID (static buffer rotated). */
static const char *create(world *w, const cpor_actor *who, const cpor_claim_spec *s) {
  static char ids[4][37];
  static int k;
  cpor_claim *c = NULL;
  test_ok(cpor_claim_create(w->ctx, who, s, &c), w->ctx, "create");
  char *id = ids[k++ % 4];
  strcpy(id, cpor_claim_id(c));
  cpor_claim_free(c);
  return id;
}

static size_t count_claims(world *w) {
  cpor_claim_query q = CPOR_CLAIM_QUERY_INIT;
  cpor_claim_iter *it = NULL;
  test_ok(cpor_claim_find(w->ctx, &w->reviewer, &q, &it), w->ctx, "find");
  size_t n = 0;
  cpor_claim *c;
  while (cpor_claim_iter_next(it, &c) == CPOR_OK) {
    n++;
    cpor_claim_free(c);
  }
  cpor_claim_iter_free(it);
  return n;
}

static cpor_claim *get(world *w, const char *id) {
  cpor_claim *c = NULL;
  test_ok(cpor_claim_get(w->ctx, &w->system, id, &c), w->ctx, "get");
  return c;
}

static char *first_payload(world *w, const char *id, int kind) {
  cpor_event_iter *it = NULL;
  test_ok(cpor_claim_history(w->ctx, &w->system, id, &it), w->ctx, "history");
  cpor_event *e;
  char *p = NULL;
  while (!p && cpor_event_iter_next(it, &e) == CPOR_OK) {
    if (cpor_event_kind(e) == kind) p = strdup(cpor_event_payload(e));
    cpor_event_free(e);
  }
  cpor_event_iter_free(it);
  ck_assert_ptr_nonnull(p);
  return p;
}

/* ---- idempotent creates ----------------------------------------------------------- */

START_TEST(same_key_same_content_returns_the_first_claim) {
  world w;
  world_open(&w, NULL, NULL, NULL);
  cpor_claim_spec s = keyed("order-42", "PO-1");
  char first[37];
  strcpy(first, create(&w, &w.a, &s));
  char *before = store_dump(w.storage);
  /* The same content spelled otherwise (GUID and domain case) is the same. */
  cpor_claim_spec again = keyed("order-42", "PO-1");
  again.tenant_id = "{11111111-2222-3333-4444-555555555555}";
  again.domain = "Contoso.OnMicrosoft.com";
  cpor_claim *c = NULL;
  test_ok(cpor_claim_create(w.ctx, &w.a_user, &again, &c), w.ctx, "retried create");
  ck_assert_str_eq(cpor_claim_id(c), first);
  ck_assert_str_eq(cpor_claim_idempotency_key(c), "order-42");
  ck_assert_str_eq(cpor_claim_external_ref(c), "PO-1");
  ck_assert_uint_eq(cpor_claim_revision(c), 1);
  cpor_claim_free(c);
  test_ok(cpor_claim_create(w.ctx, &w.a, &s, NULL), w.ctx, "retried create, no out");
  char *after = store_dump(w.storage);
  ck_assert_str_eq(before, after); /* no claim, no event, no record more */
  free(before);
  free(after);
  ck_assert_uint_eq(count_claims(&w), 1);
  char *kinds = history_kinds(&w, first);
  ck_assert_str_eq(kinds, "created");
  free(kinds);
  /* Later, the retry returns the claim as it is now. */
  test_ok(cpor_claim_add_poe(w.ctx, &w.a, first, "p.pdf", "application/pdf",
                             "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", 9),
          w.ctx, "poe");
  test_ok(cpor_claim_submit(w.ctx, &w.a, first), w.ctx, "submit");
  test_ok(cpor_claim_create(w.ctx, &w.a, &s, &c), w.ctx, "create after submit");
  ck_assert_str_eq(cpor_claim_id(c), first);
  ck_assert_int_eq(cpor_claim_state(c), CPOR_STATE_SUBMITTED);
  ck_assert_uint_eq(cpor_claim_revision(c), 3);
  cpor_claim_free(c);
  world_close(&w);
}
END_TEST

START_TEST(same_key_other_content_is_eexists) {
  world w;
  world_open(&w, NULL, NULL, NULL);
  cpor_claim_spec s = keyed("order-42", NULL);
  create(&w, &w.a, &s);
  const char *want = "idempotency key 'order-42' was used by a create with other content";
  cpor_claim_spec other = keyed("order-42", NULL);
  other.name = "another name";
  cpor_claim *c = (cpor_claim *)1;
  REFUSED(&w, cpor_claim_create(w.ctx, &w.a, &other, &c), CPOR_EEXISTS);
  ERRMSG_IS(&w, want);
  ck_assert_ptr_null(c);
  other = keyed("order-42", "PO-9"); /* the external reference is content */
  REFUSED(&w, cpor_claim_create(w.ctx, &w.a, &other, NULL), CPOR_EEXISTS);
  ERRMSG_IS(&w, want);
  other = test_spec("keyed", MPN_A, T1, T1_DOMAIN, CPOR_AREA_M365, 1, EXCHANGE);
  other.idempotency_key = "order-42";
  REFUSED(&w, cpor_claim_create(w.ctx, &w.a, &other, NULL), CPOR_EEXISTS);
  ERRMSG_IS(&w, want);
  /* No key, or another key: a new claim as ever. */
  other.idempotency_key = NULL;
  create(&w, &w.a, &other);
  other.idempotency_key = "order-43";
  create(&w, &w.a, &other);
  ck_assert_uint_eq(count_claims(&w), 3);
  world_close(&w);
}
END_TEST

START_TEST(keys_are_per_partner) {
  world w;
  world_open(&w, NULL, NULL, NULL);
  cpor_claim_spec s = keyed("shared", NULL);
  char a[37];
  strcpy(a, create(&w, &w.a, &s));
  cpor_claim_spec t = test_spec("keyed", MPN_B, T1, T1_DOMAIN, CPOR_AREA_M365, 1, EXCHANGE);
  t.idempotency_key = "shared";
  const char *b = create(&w, &w.b, &t);
  ck_assert_str_ne(a, b);
  /* Each partner's retry finds its own claim. */
  ck_assert_str_eq(create(&w, &w.b, &t), b);
  ck_assert_str_eq(create(&w, &w.a, &s), a);
  ck_assert_uint_eq(count_claims(&w), 2);
  world_close(&w);
}
END_TEST

START_TEST(malformed_keys_and_references_are_einval) {
  world w;
  world_open(&w, NULL, NULL, NULL);
  char long_text[202];
  memset(long_text, 'k', 201);
  long_text[201] = 0;
  const char *bad[] = {"", long_text, "tab\there", "new\nline", "\x7f", "bad \xff utf-8"};
  const char *key_msg = "idempotency key must be 1-200 bytes of text without control characters";
  const char *ref_msg = "external reference must be 1-200 bytes of text without control characters";
  const char *draft_id = draft(&w, &w.a, MPN_A, EXCHANGE);
  char id[37];
  strcpy(id, draft_id);
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    cpor_claim_spec s = keyed(bad[i], NULL);
    REFUSED(&w, cpor_claim_create(w.ctx, &w.a, &s, NULL), CPOR_EINVAL);
    ERRMSG_IS(&w, key_msg);
    if (!bad[i][0]) continue; /* "" is no reference (as for every optional text) */
    s = keyed(NULL, bad[i]);
    REFUSED(&w, cpor_claim_create(w.ctx, &w.a, &s, NULL), CPOR_EINVAL);
    ERRMSG_IS(&w, ref_msg);
    cpor_claim_spec e = CPOR_CLAIM_SPEC_INIT;
    e.external_ref = bad[i];
    REFUSED(&w, cpor_claim_edit(w.ctx, &w.a, id, &e), CPOR_EINVAL);
    ERRMSG_IS(&w, ref_msg);
    cpor_claim_query q = CPOR_CLAIM_QUERY_INIT;
    q.external_ref = bad[i];
    cpor_claim_iter *it = NULL;
    REFUSED(&w, cpor_claim_find(w.ctx, &w.a, &q, &it), CPOR_EINVAL);
    ERRMSG_IS(&w, ref_msg);
    ck_assert_ptr_null(it);
  }
  /* 200 bytes are fine, multi-byte UTF-8 too. */
  long_text[200] = 0;
  cpor_claim_spec s = keyed(long_text, "r\xc3\xa9"
                                       "f\xc3\xa9rence");
  const char *made = create(&w, &w.a, &s);
  cpor_claim *c = get(&w, made);
  ck_assert_str_eq(cpor_claim_idempotency_key(c), long_text);
  ck_assert_str_eq(cpor_claim_external_ref(c), "r\xc3\xa9"
                                               "f\xc3\xa9rence");
  cpor_claim_free(c);
  /* Keys belong to creates, expected revisions to edits. */
  cpor_claim_spec e = CPOR_CLAIM_SPEC_INIT;
  e.idempotency_key = "k";
  REFUSED(&w, cpor_claim_edit(w.ctx, &w.a, id, &e), CPOR_EINVAL);
  ERRMSG_IS(&w, "an idempotency key is given at create only");
  s = keyed("k", NULL);
  s.expected_revision = 1;
  REFUSED(&w, cpor_claim_create(w.ctx, &w.a, &s, NULL), CPOR_EINVAL);
  ERRMSG_IS(&w, "expected_revision is for edits: a new claim has no revision");
  world_close(&w);
}
END_TEST

/* A partner ID of 64 bytes and a key of 200 exceed the store's 255-byte IDs:
 * the record's ID holds a digest, and the record the full key. */
START_TEST(long_partner_and_key_use_a_digest) {
  world w;
  world_open(&w, NULL, NULL, NULL);
  char partner[65];
  memset(partner, 'p', 64);
  partner[64] = 0;
  test_ok(cpor_partner_create(w.ctx, &w.system, partner, "Long"), w.ctx, "partner");
  test_ok(cpor_location_create(w.ctx, &w.system, partner, "5555555", "HQ"), w.ctx, "location");
  test_ok(cpor_location_enroll(w.ctx, &w.system, "5555555", CPOR_PROGRAM_OSU_M365, 1), w.ctx,
          "enroll");
  cpor_actor who = test_actor(CPOR_ROLE_INCENTIVES_ADMIN, partner, "lee");
  char key[201], key2[201];
  memset(key, 'k', 200);
  key[200] = 0;
  strcpy(key2, key);
  key2[199] = 'j'; /* same length, another key */
  cpor_claim_spec s = test_spec("long", "5555555", T1, T1_DOMAIN, CPOR_AREA_M365, 1, TEAMS);
  s.idempotency_key = key;
  char first[37];
  strcpy(first, create(&w, &who, &s));
  ck_assert_str_eq(create(&w, &who, &s), first);
  s.idempotency_key = key2;
  s.line_count = 1;
  s.workloads = EXCHANGE;
  const char *second = create(&w, &who, &s);
  ck_assert_str_ne(second, first);
  char *dump = store_dump(w.storage);
  char want[128];
  snprintf(want, sizeof want, "obj 10 %s/#", partner);
  const char *at = strstr(dump, want);
  ck_assert_ptr_nonnull(at);
  ck_assert_ptr_nonnull(strstr(at + 1, want)); /* two records */
  free(dump);
  world_close(&w);
}
END_TEST

START_TEST(idempotent_creates_inside_a_batch) {
  world w;
  world_open(&w, NULL, NULL, NULL);
  test_ok(cpor_ctx_begin(w.ctx), w.ctx, "begin");
  cpor_claim_spec s = keyed("batch-1", NULL);
  char first[37];
  strcpy(first, create(&w, &w.a, &s));
  ck_assert_str_eq(create(&w, &w.a, &s), first);
  cpor_claim_spec other = keyed("batch-1", "PO-1");
  ck_assert_status(cpor_claim_create(w.ctx, &w.a, &other, NULL), CPOR_EEXISTS);
  ERRMSG_IS(&w, "idempotency key 'batch-1' was used by a create with other content");
  test_ok(cpor_ctx_commit(w.ctx), w.ctx, "commit"); /* the refusal kept the batch */
  ck_assert_uint_eq(count_claims(&w), 1);
  ck_assert_str_eq(create(&w, &w.a, &s), first);
  /* A rolled-back batch takes its record with it. */
  test_ok(cpor_ctx_begin(w.ctx), w.ctx, "begin");
  cpor_claim_spec t = keyed("batch-2", NULL);
  t.workloads = EXCHANGE;
  char gone[37];
  strcpy(gone, create(&w, &w.a, &t));
  test_ok(cpor_ctx_rollback(w.ctx), w.ctx, "rollback");
  ck_assert_str_ne(create(&w, &w.a, &t), gone);
  ck_assert_uint_eq(count_claims(&w), 2);
  world_close(&w);
}
END_TEST

/* ---- the race: a wrapper makes the first insert of a record lose ------------ */

/* Forwards every method; the first idempotency insert while armed fails as
 * if another writer had recorded the key first, and that writer's create
 * (the same key, through a second context) commits in the rollback. */
typedef struct race {
  cpor_storage *inner;
  cpor_ctx *winner;
  const cpor_actor *who;
  const cpor_claim_spec *spec;
  int armed, lost, puts;
  char winner_id[37];
} race;

#define RACE(name, sig, args)                                                                      \
  static int race_##name sig {                                                                     \
    race *r = self;                                                                                \
    return r->inner->m.name args;                                                                  \
  }
RACE(begin, (void *self, int write), (r->inner->self, write))
RACE(commit, (void *self), (r->inner->self))
RACE(savepoint, (void *self), (r->inner->self))
RACE(release, (void *self), (r->inner->self))
RACE(rollback_to, (void *self), (r->inner->self))
RACE(object_get, (void *self, uint32_t k, const char *id, cpor_store_object *o),
     (r->inner->self, k, id, o))
RACE(lines_replace, (void *self, const char *id, const cpor_store_line *l, size_t n),
     (r->inner->self, id, l, n))
RACE(keys_replace, (void *self, const char *id, const char *const *k, size_t n),
     (r->inner->self, id, k, n))
RACE(deadline_set, (void *self, const char *id, uint32_t k, cpor_time due),
     (r->inner->self, id, k, due))
RACE(deadline_clear, (void *self, const char *id, uint32_t k), (r->inner->self, id, k))
RACE(event_append, (void *self, const char *id, uint32_t seq, const void *d, size_t len),
     (r->inner->self, id, seq, d, len))
RACE(cursor_open, (void *self, const cpor_store_query *q, void **cur), (r->inner->self, q, cur))
RACE(cursor_next, (void *self, void *cur, cpor_store_row *row), (r->inner->self, cur, row))
static void race_cursor_close(void *self, void *cur) {
  race *r = self;
  r->inner->m.cursor_close(r->inner->self, cur);
}
static const char *race_errmsg(void *self) {
  race *r = self;
  return r->inner->m.errmsg ? r->inner->m.errmsg(r->inner->self) : NULL;
}
static void race_close(void *self) {
  (void)self;
}
static int race_object_put(void *self, const cpor_store_object *o, uint32_t mode) {
  race *r = self;
  if (o->kind == CPOR_STORE_IDEMPOTENCY && mode == CPOR_STORE_INSERT) {
    r->puts++;
    if (r->armed) {
      r->armed = 0;
      r->lost = 1;
      return CPOR_EEXISTS;
    }
  }
  return r->inner->m.object_put(r->inner->self, o, mode);
}
static int race_rollback(void *self) {
  race *r = self;
  int rc = r->inner->m.rollback(r->inner->self);
  if (r->lost) {
    r->lost = 0;
    cpor_claim *c = NULL;
    test_ok(cpor_claim_create(r->winner, r->who, r->spec, &c), r->winner, "the winner's create");
    strcpy(r->winner_id, cpor_claim_id(c));
    cpor_claim_free(c);
  }
  return rc;
}

static cpor_ctx *second_ctx(world *w, cpor_storage *s) {
  return world_ctx_on(w, s);
}

START_TEST(a_create_that_loses_the_race_reruns_and_returns_the_winner) {
  world w;
  world_open(&w, NULL, NULL, NULL);
  static const cpor_storage_methods m = {
      .version = CPOR_STORAGE_VERSION,
      .begin = race_begin,
      .commit = race_commit,
      .rollback = race_rollback,
      .savepoint = race_savepoint,
      .release = race_release,
      .rollback_to = race_rollback_to,
      .object_get = race_object_get,
      .object_put = race_object_put,
      .lines_replace = race_lines_replace,
      .keys_replace = race_keys_replace,
      .deadline_set = race_deadline_set,
      .deadline_clear = race_deadline_clear,
      .event_append = race_event_append,
      .cursor_open = race_cursor_open,
      .cursor_next = race_cursor_next,
      .cursor_close = race_cursor_close,
      .errmsg = race_errmsg,
      .close = race_close,
  };
  cpor_claim_spec s = keyed("raced", "PO-7");
  race r = {.inner = w.storage, .who = &w.a, .spec = &s, .armed = 1};
  r.winner = second_ctx(&w, w.storage);
  cpor_storage *wrapped = NULL;
  ck_assert_int_eq(cpor_storage_new(&wrapped, &m, &r), CPOR_OK);
  cpor_ctx *loser = second_ctx(&w, wrapped);
  cpor_claim *c = NULL;
  test_ok(cpor_claim_create(loser, &w.a, &s, &c), loser, "the loser's create");
  ck_assert_str_eq(cpor_claim_id(c), r.winner_id);
  cpor_claim_free(c);
  ck_assert_int_eq(r.puts, 1); /* the rerun found the record and wrote nothing */
  ck_assert_uint_eq(count_claims(&w), 1);
  char *kinds = history_kinds(&w, r.winner_id);
  ck_assert_str_eq(kinds, "created");
  free(kinds);
  /* A winner with other content: the rerun is refused. */
  cpor_claim_spec other = keyed("raced-2", NULL), mine = keyed("raced-2", "PO-8");
  r.spec = &other;
  r.armed = 1;
  ck_assert_status(cpor_claim_create(loser, &w.a, &mine, NULL), CPOR_EEXISTS);
  ck_assert_int_eq(cpor_ctx_errcode(loser), CPOR_EEXISTS);
  ck_assert_str_eq(cpor_ctx_errmsg(loser),
                   "idempotency key 'raced-2' was used by a create with other content");
  ck_assert_uint_eq(count_claims(&w), 2);
  cpor_ctx_close(loser);
  cpor_storage_free(wrapped);
  cpor_ctx_close(r.winner);
  world_close(&w);
}
END_TEST

static void race_processes(world *w, const char *sqlite_path);

/* Two contexts on one SQLite file (two processes or hosts): the second
 * create of a key finds the first one's claim. */
START_TEST(two_contexts_on_one_file_share_the_key) {
  world w;
  world_open(&w, NULL, NULL, NULL);
  char path[] = "/tmp/cpor-idem-XXXXXX";
  int fd = mkstemp(path);
  ck_assert_int_ge(fd, 0);
  close(fd);
  cpor_ctx *one = NULL, *two = NULL;
  ck_assert_int_eq(test_open_file_ctx(path, w.clock, 5000, &one), CPOR_OK);
  ck_assert_int_eq(test_open_file_ctx(path, w.clock, 5000, &two), CPOR_OK);
  test_ok(cpor_partner_create(one, &w.system, "contoso", "Contoso"), one, "partner");
  test_ok(cpor_location_create(one, &w.system, "contoso", MPN_A, "HQ"), one, "location");
  test_ok(cpor_location_enroll(one, &w.system, MPN_A, CPOR_PROGRAM_OSU_M365, 1), one, "enroll");
  char *cust = NULL;
  test_ok(cpor_customer_create(one, &w.system, "Contoso Ltd", &cust), one, "customer");
  test_ok(cpor_tenant_create(one, &w.system, cust, T1, T1_DOMAIN), one, "tenant");
  cpor_free(cust);
  cpor_claim_spec s = keyed("two-hosts", NULL);
  cpor_claim *c = NULL, *d = NULL;
  test_ok(cpor_claim_create(one, &w.a, &s, &c), one, "create on one context");
  test_ok(cpor_claim_create(two, &w.a, &s, &d), two, "create on the other");
  ck_assert_str_eq(cpor_claim_id(c), cpor_claim_id(d));
  cpor_claim_free(c);
  cpor_claim_free(d);
  cpor_ctx_close(one);
  cpor_ctx_close(two);
  race_processes(&w, path); /* and processes at once */
  unlink(path);
  char side[64];
  snprintf(side, sizeof side, "%s-wal", path);
  unlink(side);
  snprintf(side, sizeof side, "%s-shm", path);
  unlink(side);
  world_close(&w);
}
END_TEST

/* Processes racing for one key on one store (PostgreSQL: real concurrency;
 * SQLite: its single writer serializes them): every create answers the one
 * claim. Each child opens its own connection after the fork, waits for the
 * start signal, creates, and writes the ID it got to the results pipe. */
#define RACERS 4

static cpor_ctx *racer_ctx(world *w, const char *sqlite_path, cpor_storage **st) {
  cpor_ctx *ctx = NULL;
  if (sqlite_path) return test_open_file_ctx(sqlite_path, w->clock, 30000, &ctx) ? NULL : ctx;
  char ci[1024], err[256];
  pgtest_schema_conninfo(ci, sizeof ci, w->pgschema);
  if (cpor_storage_open_postgres(st, ci, NULL, err, sizeof err)) return NULL;
  ctx = second_ctx(w, *st);
  return ctx;
}

#define ROUNDS 20 /* keys raced for, one after the other */

static void racer(world *w, const char *sqlite_path, int go, int out) {
  cpor_storage *st = NULL;
  cpor_ctx *ctx = racer_ctx(w, sqlite_path, &st);
  char c, buf[ROUNDS][37];
  memset(buf, 0, sizeof buf);
  int ok = ctx && read(go, &c, 1) == 1;
  for (int k = 0; k < ROUNDS; k++) {
    char key[32];
    snprintf(key, sizeof key, "raced-for-real-%d", k);
    cpor_claim_spec s = keyed(key, "PO-R");
    s.workloads = k % 2 ? TEAMS : EXCHANGE;
    cpor_claim *cl = NULL;
    int rc = ok ? cpor_claim_create(ctx, &w->a, &s, &cl) : CPOR_ESTORAGE;
    snprintf(buf[k], sizeof buf[k], "%s", rc ? cpor_status_name(rc) : cpor_claim_id(cl));
    cpor_claim_free(cl);
  }
  if (write(out, buf, sizeof buf) != (ssize_t)sizeof buf) _exit(2);
  cpor_ctx_close(ctx);
  cpor_storage_free(st);
  _exit(0);
}

static void race_processes(world *w, const char *sqlite_path) {
  int go[2], out[2];
  ck_assert_int_eq(pipe(go), 0);
  ck_assert_int_eq(pipe(out), 0);
  pid_t pids[RACERS];
  for (int i = 0; i < RACERS; i++) {
    pids[i] = fork();
    ck_assert_int_ge(pids[i], 0);
    if (pids[i] == 0) racer(w, sqlite_path, go[0], out[1]);
  }
  ck_assert_int_eq(write(go[1], "gggg", RACERS), RACERS);
  static char ids[RACERS][ROUNDS][37];
  for (int i = 0; i < RACERS; i++) {
    size_t got = 0;
    while (got < sizeof ids[i]) {
      ssize_t n = read(out[0], (char *)ids[i] + got, sizeof ids[i] - got);
      ck_assert_int_gt(n, 0);
      got += (size_t)n;
    }
  }
  for (int i = 0; i < RACERS; i++) {
    int st = 0;
    waitpid(pids[i], &st, 0);
    ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
  }
  close(go[0]), close(go[1]), close(out[0]), close(out[1]);
  for (int k = 0; k < ROUNDS; k++) {
    ck_assert_int_eq(strlen(ids[0][k]), 36);
    for (int i = 1; i < RACERS; i++)
      ck_assert_str_eq(ids[i][k], ids[0][k]);
  }
}

START_TEST(racing_processes_get_one_claim) {
  world w;
  world_open(&w, NULL, NULL, NULL);
  if (w.pgschema[0]) {
    race_processes(&w, NULL);
    ck_assert_uint_eq(count_claims(&w), ROUNDS);
  }
  world_close(&w);
}
END_TEST

/* ---- revisions --------------------------------------------------------------- */

START_TEST(expected_revision_on_edit) {
  world w;
  world_open(&w, NULL, NULL, NULL);
  char id[37];
  strcpy(id, draft(&w, &w.a, MPN_A, TEAMS)); /* created, PoE added: revision 2 */
  cpor_claim *c = get(&w, id);
  uint64_t rev = cpor_claim_revision(c);
  ck_assert_uint_eq(rev, 2);
  cpor_claim_free(c);
  ck_assert_uint_eq(cpor_claim_revision(NULL), 0);
  cpor_claim_spec e = CPOR_CLAIM_SPEC_INIT;
  e.name = "renamed";
  e.expected_revision = rev;
  test_ok(cpor_claim_edit(w.ctx, &w.a, id, &e), w.ctx, "edit at the expected revision");
  c = get(&w, id);
  ck_assert_uint_eq(cpor_claim_revision(c), rev + 1);
  ck_assert_str_eq(cpor_claim_name(c), "renamed");
  cpor_claim_free(c);
  /* The stale revision: a conflict naming both, not retried, nothing written. */
  e.name = "renamed again";
  REFUSED(&w, cpor_claim_edit(w.ctx, &w.a, id, &e), CPOR_ECONFLICT);
  char want[160];
  snprintf(want, sizeof want, "claim %s is at revision 3, not the expected 2", id);
  ERRMSG_IS(&w, want);
  e.expected_revision = 99;
  REFUSED(&w, cpor_claim_edit(w.ctx, &w.a, id, &e), CPOR_ECONFLICT);
  snprintf(want, sizeof want, "claim %s is at revision 3, not the expected 99", id);
  ERRMSG_IS(&w, want);
  /* Inside a batch too; the batch goes on. */
  test_ok(cpor_ctx_begin(w.ctx), w.ctx, "begin");
  ck_assert_status(cpor_claim_edit(w.ctx, &w.a, id, &e), CPOR_ECONFLICT);
  e.expected_revision = 3;
  test_ok(cpor_claim_edit(w.ctx, &w.a, id, &e), w.ctx, "edit in the batch");
  test_ok(cpor_ctx_commit(w.ctx), w.ctx, "commit");
  /* 0: any revision. */
  e.expected_revision = 0;
  e.name = "any";
  test_ok(cpor_claim_edit(w.ctx, &w.a, id, &e), w.ctx, "edit at any revision");
  c = get(&w, id);
  ck_assert_uint_eq(cpor_claim_revision(c), 5);
  cpor_claim_free(c);
  /* Every write moves it: a comment, a submit. */
  test_ok(cpor_claim_comment(w.ctx, &w.a, id, "note"), w.ctx, "comment");
  test_ok(cpor_claim_submit(w.ctx, &w.a, id), w.ctx, "submit");
  c = get(&w, id);
  ck_assert_uint_eq(cpor_claim_revision(c), 7);
  cpor_claim_free(c);
  world_close(&w);
}
END_TEST

/* ---- external references ------------------------------------------------------- */

static size_t found_ref(world *w, const cpor_actor *who, const char *ref, const char *want_id) {
  cpor_claim_query q = CPOR_CLAIM_QUERY_INIT;
  q.external_ref = ref;
  cpor_claim_iter *it = NULL;
  test_ok(cpor_claim_find(w->ctx, who, &q, &it), w->ctx, "find by reference");
  size_t n = 0;
  cpor_claim *c;
  while (cpor_claim_iter_next(it, &c) == CPOR_OK) {
    if (want_id) ck_assert_str_eq(cpor_claim_id(c), want_id);
    ck_assert_str_eq(cpor_claim_external_ref(c), ref);
    n++;
    cpor_claim_free(c);
  }
  cpor_claim_iter_free(it);
  return n;
}

START_TEST(external_reference_stored_edited_and_found) {
  world w;
  world_open(&w, NULL, NULL, NULL);
  cpor_claim_spec s = keyed(NULL, "PO-1");
  char id[37];
  strcpy(id, create(&w, &w.a, &s));
  cpor_claim_spec t = test_spec("b", MPN_B, T1, T1_DOMAIN, CPOR_AREA_M365, 1, EXCHANGE);
  t.external_ref = "PO-1"; /* another partner's claim with the same reference */
  char other[37];
  strcpy(other, create(&w, &w.b, &t));
  for (int i = 0; i < 12; i++) { /* more than a page of claims without it */
    cpor_claim_spec u = keyed(NULL, NULL);
    u.workloads = i % 2 ? EXCHANGE : TEAMS;
    u.name = i % 2 ? "odd" : "even";
    u.external_ref = i == 11 ? "PO-2" : NULL;
    if (i % 2 == 0) u.mpn_id = MPN_C;
    create(&w, i % 2 == 0 ? &w.c : &w.a, &u);
  }
  ck_assert_uint_eq(found_ref(&w, &w.a, "PO-1", id), 1);
  ck_assert_uint_eq(found_ref(&w, &w.b, "PO-1", other), 1);
  ck_assert_uint_eq(found_ref(&w, &w.reviewer, "PO-1", NULL), 2);
  ck_assert_uint_eq(found_ref(&w, &w.cust1, "PO-1", NULL), 2);
  ck_assert_uint_eq(found_ref(&w, &w.reviewer, "PO-2", NULL), 1);
  ck_assert_uint_eq(found_ref(&w, &w.reviewer, "po-1", NULL), 0); /* exact */
  /* Edited in any state the contacts may be; the event says from and to. */
  cpor_claim_spec e = CPOR_CLAIM_SPEC_INIT;
  e.external_ref = "PO-1b";
  test_ok(cpor_claim_edit(w.ctx, &w.a, id, &e), w.ctx, "edit the reference");
  ck_assert_uint_eq(found_ref(&w, &w.a, "PO-1", NULL), 0);
  ck_assert_uint_eq(found_ref(&w, &w.a, "PO-1b", id), 1);
  char *p = first_payload(&w, id, CPOR_EVENT_EDITED);
  ck_assert_str_eq(p, "{\"changes\":{\"external_ref\":{\"from\":\"PO-1\",\"to\":\"PO-1b\"}}}");
  free(p);
  p = first_payload(&w, id, CPOR_EVENT_CREATED);
  ck_assert_ptr_nonnull(strstr(p, "\"external_ref\":\"PO-1\""));
  /* Unset fields are left out of the created payload. */
  ck_assert_ptr_null(strstr(p, "idempotency_key"));
  ck_assert_ptr_nonnull(strstr(p, "\"partner_id\":\"contoso\""));
  free(p);
  e.external_ref = ""; /* clears it */
  test_ok(cpor_claim_edit(w.ctx, &w.a, id, &e), w.ctx, "clear the reference");
  cpor_claim *c = get(&w, id);
  ck_assert_ptr_null(cpor_claim_external_ref(c));
  cpor_claim_free(c);
  ck_assert_ptr_null(cpor_claim_external_ref(NULL));
  ck_assert_ptr_null(cpor_claim_idempotency_key(NULL));
  /* A partner's filter is a filter: the query needs no other. */
  ck_assert_uint_eq(found_ref(&w, &w.a, "PO-2", NULL), 1);
  world_close(&w);
}
END_TEST

START_TEST(replay_reproduces_the_new_fields) {
  world w;
  world_open(&w, NULL, NULL, NULL);
  cpor_claim_spec s = keyed("replay-1", "PO-1");
  char id[37];
  strcpy(id, create(&w, &w.a, &s));
  cpor_claim_spec e = CPOR_CLAIM_SPEC_INIT;
  e.external_ref = "PO-2";
  test_ok(cpor_claim_edit(w.ctx, &w.a, id, &e), w.ctx, "edit");
  cpor_claim *c = get(&w, id), *r = NULL;
  test_ok(cpor_claim_replay(w.ctx, &w.system, id, &r), w.ctx, "replay");
  ck_assert_str_eq(cpor_claim_external_ref(r), "PO-2");
  ck_assert_str_eq(cpor_claim_idempotency_key(r), "replay-1");
  ck_assert_uint_eq(cpor_claim_revision(r), cpor_claim_revision(c));
  ck_assert_str_eq(cpor_claim_external_ref(c), "PO-2");
  cpor_claim_free(c);
  cpor_claim_free(r);
  char *p = first_payload(&w, id, CPOR_EVENT_CREATED);
  ck_assert_ptr_nonnull(strstr(p, "\"idempotency_key\":\"replay-1\""));
  free(p);
  world_close(&w);
}
END_TEST

/* ---- older callers ------------------------------------------------------------- */

/* A struct of an older version followed by 0xff bytes where the newer fields
 * would be: the library must not read them. */
START_TEST(version_1_spec_and_version_2_query_still_work) {
  world w;
  world_open(&w, NULL, NULL, NULL);
  unsigned char buf[sizeof(cpor_claim_spec) + 64];
  memset(buf, 0xff, sizeof buf);
  cpor_claim_spec s = keyed(NULL, NULL);
  s.version = 1;
  memcpy(buf, &s, offsetof(cpor_claim_spec, idempotency_key));
  cpor_claim *c = NULL;
  test_ok(cpor_claim_create(w.ctx, &w.a, (const cpor_claim_spec *)(void *)buf, &c), w.ctx,
          "v1 create");
  char id[37];
  strcpy(id, cpor_claim_id(c));
  ck_assert_ptr_null(cpor_claim_external_ref(c));
  ck_assert_ptr_null(cpor_claim_idempotency_key(c));
  cpor_claim_free(c);
  /* Twice: no key, two claims. */
  test_ok(cpor_claim_create(w.ctx, &w.a, (const cpor_claim_spec *)(void *)buf, NULL), w.ctx,
          "v1 create again");
  ck_assert_uint_eq(count_claims(&w), 2);
  cpor_claim_spec e = CPOR_CLAIM_SPEC_INIT;
  e.version = 1;
  e.name = "v1 edit";
  memset(buf, 0xff, sizeof buf);
  memcpy(buf, &e, offsetof(cpor_claim_spec, idempotency_key));
  test_ok(cpor_claim_edit(w.ctx, &w.a, id, (const cpor_claim_spec *)(void *)buf), w.ctx, "v1 edit");
  unsigned char qbuf[sizeof(cpor_claim_query) + 64];
  memset(qbuf, 0xff, sizeof qbuf);
  cpor_claim_query q = CPOR_CLAIM_QUERY_INIT;
  q.version = 2;
  q.partner_id = "contoso";
  memcpy(qbuf, &q, offsetof(cpor_claim_query, external_ref));
  cpor_claim_iter *it = NULL;
  test_ok(cpor_claim_find(w.ctx, &w.a, (const cpor_claim_query *)(void *)qbuf, &it), w.ctx,
          "v2 query");
  size_t n = 0;
  while (cpor_claim_iter_next(it, &c) == CPOR_OK) {
    n++;
    cpor_claim_free(c);
  }
  cpor_claim_iter_free(it);
  ck_assert_uint_eq(n, 2);
  cpor_claim_spec v2;
  ck_assert_int_eq(cpor_claim_spec_init(&v2, 2), CPOR_OK);
  ck_assert_int_eq(cpor_claim_spec_init(&v2, 3), CPOR_EVERSION);
  cpor_claim_query q3;
  ck_assert_int_eq(cpor_claim_query_init(&q3, 3), CPOR_OK);
  ck_assert_int_eq(cpor_claim_query_init(&q3, 4), CPOR_EVERSION);
  world_close(&w);
}
END_TEST

static Suite *idempotency_suite(void) {
  Suite *s = suite_create("idempotency");
  TCase *tc = tcase_create("integration_keys");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, same_key_same_content_returns_the_first_claim);
  tcase_add_test(tc, same_key_other_content_is_eexists);
  tcase_add_test(tc, keys_are_per_partner);
  tcase_add_test(tc, malformed_keys_and_references_are_einval);
  tcase_add_test(tc, long_partner_and_key_use_a_digest);
  tcase_add_test(tc, idempotent_creates_inside_a_batch);
  tcase_add_test(tc, a_create_that_loses_the_race_reruns_and_returns_the_winner);
  tcase_add_test(tc, two_contexts_on_one_file_share_the_key);
  tcase_add_test(tc, racing_processes_get_one_claim);
  tcase_add_test(tc, expected_revision_on_edit);
  tcase_add_test(tc, external_reference_stored_edited_and_found);
  tcase_add_test(tc, replay_reproduces_the_new_fields);
  tcase_add_test(tc, version_1_spec_and_version_2_query_still_work);
  suite_add_tcase(s, tc);
  return s;
}

CPOR_TEST_MAIN(idempotency_suite)
