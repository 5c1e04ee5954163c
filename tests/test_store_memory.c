/* The in-memory backend: the conformance suite, plus what only this backend
 * promises or can show (transaction misuse, index costs, out of memory). */
#include <stdlib.h>
#include <string.h>

#include "conf_util.h"
#include "conformance.h"
#include "store/memory.h"

static int open_memory(cpor_storage **out, void *arg) {
  (void)arg;
  return cpor_storage_open_memory(out);
}

static cpor_storage *mem(void) {
  cpor_storage *s = NULL;
  ck_assert_status(cpor_storage_open_memory(&s), CPOR_OK);
  return s;
}

START_TEST(outside_transaction) {
  cpor_storage *s = mem();
  cpor_store_query q = conf_objects_query(CPOR_STORE_CLAIM, CPOR_STORE_BY_KIND, NULL, 0, NULL);
  cpor_store_line l[] = {{"c1", 0, "u1", "p1", 2}};
  const char *keys[] = {"k1"};
  cpor_store_object o;
  void *x = s->self, *cur = &o;
  ck_assert_status(conf_put(s, CPOR_STORE_CLAIM, "a", NULL, NULL, 0, "", 0, CPOR_STORE_INSERT),
                   CPOR_ESTORAGE);
  ck_assert_str_eq(cpor__storage_errmsg(s), "no transaction");
  ck_assert_status(s->m.object_get(x, CPOR_STORE_CLAIM, "a", &o), CPOR_ESTORAGE);
  ck_assert_status(s->m.cursor_open(x, &q, &cur), CPOR_ESTORAGE);
  ck_assert_ptr_null(cur);
  ck_assert_status(s->m.lines_replace(x, "c1", l, 1), CPOR_ESTORAGE);
  ck_assert_status(s->m.keys_replace(x, "c1", keys, 1), CPOR_ESTORAGE);
  ck_assert_status(s->m.deadline_set(x, "c1", 1, 5), CPOR_ESTORAGE);
  ck_assert_status(s->m.deadline_clear(x, "c1", 1), CPOR_ESTORAGE);
  ck_assert_status(s->m.event_append(x, "c1", 1, "e", 1), CPOR_ESTORAGE);
  ck_assert_status(s->m.savepoint(x), CPOR_ESTORAGE);
  ck_assert_status(s->m.release(x), CPOR_ESTORAGE);
  ck_assert_status(s->m.rollback_to(x), CPOR_ESTORAGE);
  ck_assert_status(s->m.commit(x), CPOR_ESTORAGE);
  ck_assert_status(s->m.rollback(x), CPOR_ESTORAGE);
  /* After a commit the store is outside a transaction again. */
  BEGIN(s, 1);
  COMMIT(s);
  ck_assert_status(s->m.deadline_set(x, "c1", 1, 5), CPOR_ESTORAGE);
  BEGIN(s, 0);
  ck_assert_str_eq(conf_dump(s), "");
  COMMIT(s);
  cpor_storage_free(s);
}
END_TEST

START_TEST(nested_begin) {
  cpor_storage *s = mem();
  BEGIN(s, 1);
  ck_assert_status(conf_put(s, CPOR_STORE_CLAIM, "a", NULL, NULL, 0, "", 0, CPOR_STORE_INSERT),
                   CPOR_OK);
  ck_assert_status(s->m.begin(s->self, 1), CPOR_ESTORAGE);
  ck_assert_str_eq(cpor__storage_errmsg(s), "a transaction is open already");
  ck_assert_status(s->m.begin(s->self, 0), CPOR_ESTORAGE);
  COMMIT(s); /* the refused begin did not disturb the open transaction */
  BEGIN(s, 0);
  ck_assert_str_eq(conf_get(s, CPOR_STORE_CLAIM, "a"),
                   "7/a rev=1 owner=(null) ref=(null) state=0 data=");
  COMMIT(s);
  cpor_storage_free(s);
}
END_TEST

START_TEST(savepoint_misuse) {
  cpor_storage *s = mem();
  BEGIN(s, 1);
  ck_assert_status(s->m.release(s->self), CPOR_ESTORAGE);
  ck_assert_str_eq(cpor__storage_errmsg(s), "no savepoint is open");
  ck_assert_status(s->m.rollback_to(s->self), CPOR_ESTORAGE);
  SAVEPOINT(s);
  ck_assert_status(s->m.savepoint(s->self), CPOR_ESTORAGE); /* never nested */
  ck_assert_str_eq(cpor__storage_errmsg(s), "a savepoint is open already");
  ck_assert_status(conf_put(s, CPOR_STORE_CLAIM, "a", NULL, NULL, 0, "", 0, CPOR_STORE_INSERT),
                   CPOR_OK);
  ROLLBACK_TO(s);
  ck_assert_status(s->m.rollback_to(s->self), CPOR_ESTORAGE); /* rollback_to ended it */
  ck_assert_str_eq(conf_get(s, CPOR_STORE_CLAIM, "a"), "ENOTFOUND");
  SAVEPOINT(s); /* a new transaction forgets a savepoint left open */
  COMMIT(s);
  BEGIN(s, 1);
  ck_assert_status(s->m.release(s->self), CPOR_ESTORAGE);
  COMMIT(s);
  cpor_storage_free(s);
}
END_TEST

START_TEST(deadline_scan_visits_only_due) {
  cpor_storage *s = mem();
  enum { N = 200000 };
  char id[16];
  BEGIN(s, 1);
  for (long k = 0; k < N; k++) {
    long i = (k * 7919) % N;
    snprintf(id, sizeof id, "c%06ld", i);
    ck_assert_status(s->m.deadline_set(s->self, id, CPOR_DEADLINE_OPTOUT, (cpor_time)i * 10),
                     CPOR_OK);
  }
  COMMIT(s);
  BEGIN(s, 0);
  cpor_store_query q = {
      .what = CPOR_STORE_CURSOR_DEADLINES, .kind = CPOR_DEADLINE_OPTOUT, .upto = 999};
  ck_assert_int_eq(conf_count(s, &q), 100);
  q.kind = CPOR_DEADLINE_RESPONSE;
  q.upto = INT64_MAX;
  ck_assert_int_eq(conf_count(s, &q), 0);
  ck_assert_str_eq(conf_deadlines(s, CPOR_DEADLINE_OPTOUT, 20), "c000000@0;c000001@10;c000002@20;");
  COMMIT(s);
  cpor_storage_free(s);
}
END_TEST

START_TEST(storage_new_checks) {
  const cpor_storage_methods *m = NULL;
  void *self = NULL;
  ck_assert_status(cpor__memory_backend(&m, &self), CPOR_OK);
  cpor_storage_methods copy = *m;
  cpor_storage *s = (cpor_storage *)&copy; /* must be reset to NULL */
  copy.version = 0;
  ck_assert_status(cpor_storage_new(&s, &copy, self), CPOR_EVERSION);
  ck_assert_ptr_null(s);
  copy.version = CPOR_STORAGE_VERSION + 1;
  ck_assert_status(cpor_storage_new(&s, &copy, self), CPOR_EVERSION);
  copy.version = 2; /* the callback layout: ported, not converted */
  ck_assert_status(cpor_storage_new(&s, &copy, self), CPOR_EVERSION);
  copy.version = CPOR_STORAGE_VERSION;
  /* Every method but errmsg and close is required, savepoints included. */
  static const size_t required[] = {
      offsetof(cpor_storage_methods, begin),         offsetof(cpor_storage_methods, commit),
      offsetof(cpor_storage_methods, rollback),      offsetof(cpor_storage_methods, savepoint),
      offsetof(cpor_storage_methods, release),       offsetof(cpor_storage_methods, rollback_to),
      offsetof(cpor_storage_methods, object_get),    offsetof(cpor_storage_methods, object_put),
      offsetof(cpor_storage_methods, lines_replace), offsetof(cpor_storage_methods, keys_replace),
      offsetof(cpor_storage_methods, deadline_set),  offsetof(cpor_storage_methods, deadline_clear),
      offsetof(cpor_storage_methods, event_append),  offsetof(cpor_storage_methods, cursor_open),
      offsetof(cpor_storage_methods, cursor_next),   offsetof(cpor_storage_methods, cursor_close),
  };
  for (size_t i = 0; i < sizeof required / sizeof required[0]; i++) {
    copy = *m;
    memset((char *)&copy + required[i], 0, sizeof(void (*)(void)));
    ck_assert_status(cpor_storage_new(&s, &copy, self), CPOR_EINVAL);
    ck_assert_ptr_null(s);
  }
  ck_assert_status(cpor_storage_new(NULL, m, self), CPOR_EINVAL);
  ck_assert_status(cpor_storage_new(&s, NULL, self), CPOR_EINVAL);
  ck_assert_ptr_null(s);
  /* errmsg and close are optional. */
  copy = *m;
  copy.errmsg = NULL;
  copy.close = NULL;
  ck_assert_status(cpor_storage_new(&s, &copy, self), CPOR_OK);
  ck_assert_str_eq(cpor__storage_errmsg(s), "storage backend failure");
  cpor_storage_free(s); /* without close: self is still ours */
  m->close(self);

  cpor_storage_methods init;
  ck_assert_status(cpor_storage_methods_init(&init, CPOR_STORAGE_VERSION + 1), CPOR_EVERSION);
  ck_assert_status(cpor_storage_methods_init(&init, 2), CPOR_EVERSION);
  ck_assert_status(cpor_storage_methods_init(&init, CPOR_STORAGE_VERSION), CPOR_OK);
  ck_assert_int_eq(init.version, CPOR_STORAGE_VERSION);
  ck_assert(init.begin == NULL);
  ck_assert_status(cpor_storage_open_memory(NULL), CPOR_EINVAL);
  ck_assert_status(cpor__memory_backend(NULL, &self), CPOR_EINVAL);
  ck_assert_status(cpor__memory_backend(&m, NULL), CPOR_EINVAL);
  cpor_storage_free(NULL);
  /* Methods called with no state refuse instead of crashing. */
  ck_assert_status(m->begin(NULL, 1), CPOR_EINVAL);
  ck_assert_status(m->deadline_set(NULL, "c", 1, 1), CPOR_EINVAL);
  ck_assert_ptr_null(m->errmsg(NULL));
  m->close(NULL);
}
END_TEST

START_TEST(id_lengths_and_bad_rows) {
  cpor_storage *s = mem();
  char id[300];
  memset(id, 'x', sizeof id);
  id[255] = '\0';
  BEGIN(s, 1);
  ck_assert_status(conf_put(s, CPOR_STORE_CLAIM, id, NULL, NULL, 0, "", 0, CPOR_STORE_INSERT),
                   CPOR_OK);
  ck_assert_status(conf_get_object(s, CPOR_STORE_CLAIM, id, NULL), CPOR_OK);
  const char *keys[] = {id};
  ck_assert_status(s->m.keys_replace(s->self, "c1", keys, 1), CPOR_OK);
  ck_assert_str_eq(conf_scan_after(s, CPOR_STORE_CLAIM, CPOR_STORE_BY_KIND, NULL, 0, id), "");
  id[255] = 'x';
  id[256] = '\0';
  ck_assert_status(conf_put(s, CPOR_STORE_CLAIM, id, NULL, NULL, 0, "", 0, CPOR_STORE_INSERT),
                   CPOR_EINVAL);
  ck_assert_status(s->m.deadline_set(s->self, id, 1, 1), CPOR_EINVAL);
  ck_assert_status(s->m.keys_replace(s->self, "c1", keys, 1), CPOR_EINVAL);
  ck_assert_str_eq(conf_scan_after(s, CPOR_STORE_CLAIM, CPOR_STORE_BY_KIND, NULL, 0, id),
                   "!EINVAL");
  /* Deadline kinds are the three of the header. */
  ck_assert_status(s->m.deadline_set(s->self, "c1", 0, 1), CPOR_EINVAL);
  ck_assert_status(s->m.deadline_set(s->self, "c1", 4, 1), CPOR_EINVAL);
  ck_assert_status(s->m.deadline_clear(s->self, "c1", 99), CPOR_EINVAL);
  /* A key given twice in one call. */
  const char *twice[] = {"k1", "k2", "k1"};
  ck_assert_status(s->m.keys_replace(s->self, "c2", twice, 3), CPOR_EINVAL);
  ck_assert_str_eq(conf_keys(s, "k1 k2"), "");
  /* Absurd lengths fail as out of memory instead of overflowing a size. */
  ck_assert_status(conf_put(s, 7, "big", NULL, NULL, 0, "x", SIZE_MAX, CPOR_STORE_INSERT),
                   CPOR_ENOMEM);
  ck_assert_status(s->m.event_append(s->self, "c1", 1, "x", SIZE_MAX - 8), CPOR_ENOMEM);
  cpor_store_line dup[] = {{"c1", 1, "u1", NULL, 2}, {"c1", 1, "u2", NULL, 2}};
  ck_assert_status(s->m.lines_replace(s->self, "c1", dup, 2), CPOR_EEXISTS);
  cpor_store_line other[] = {{"c2", 1, "u1", NULL, 2}};
  ck_assert_status(s->m.lines_replace(s->self, "c1", other, 1), CPOR_EINVAL);
  cpor_store_line nounit[] = {{"c1", 1, NULL, NULL, 2}};
  ck_assert_status(s->m.lines_replace(s->self, "c1", nounit, 1), CPOR_EINVAL);
  /* A row may leave its claim_id NULL: the argument names the claim. */
  cpor_store_line implicit[] = {{NULL, 1, "u1", NULL, 2}};
  ck_assert_status(s->m.lines_replace(s->self, "c1", implicit, 1), CPOR_OK);
  ck_assert_str_eq(conf_lines(s, "u1"), "c1#1:u1:(null):2;");
  COMMIT(s);
  cpor_storage_free(s);
}
END_TEST

#define OOM_KEYS "k0 k1 k2 k3 k4 k9"

/* A cursor opened (it allocates) and closed: CPOR_ENOMEM or CPOR_OK. */
static int open_and_close(cpor_storage *s) {
  cpor_store_query q = {.what = CPOR_STORE_CURSOR_LINES, .key = "u1"};
  void *cur = NULL;
  int rc = s->m.cursor_open(s->self, &q, &cur);
  if (!rc) s->m.cursor_close(s->self, cur);
  return rc;
}

/* Runs op with 0, 1, 2, ... allocations allowed until it succeeds; every
 * ENOMEM on the way must leave the store exactly as it was. */
#define UNTIL_ENOUGH_MEMORY(s, op)                                                                 \
  do {                                                                                             \
    char before_[8192], keys_[256];                                                                \
    snprintf(before_, sizeof before_, "%s", conf_dump(s));                                         \
    snprintf(keys_, sizeof keys_, "%s", conf_keys(s, OOM_KEYS));                                   \
    for (long budget_ = 0;; budget_++) {                                                           \
      cpor__memory_set_alloc_budget((s)->self, budget_);                                           \
      int rc_ = (op);                                                                              \
      cpor__memory_set_alloc_budget((s)->self, -1);                                                \
      if (rc_ == CPOR_OK) break;                                                                   \
      ck_assert_status(rc_, CPOR_ENOMEM);                                                          \
      ck_assert_str_eq(cpor__storage_errmsg(s), "out of memory");                                  \
      ck_assert_str_eq(conf_dump(s), before_);                                                     \
      ck_assert_str_eq(conf_keys(s, OOM_KEYS), keys_);                                             \
      ck_assert_int_lt(budget_, 10);                                                               \
    }                                                                                              \
  } while (0)

START_TEST(out_of_memory_changes_nothing) {
  cpor_storage *s = mem();
  BEGIN(s, 1);
  ck_assert_status(conf_put(s, CPOR_STORE_CLAIM, "c1", "p1", NULL, 2, "x", 1, CPOR_STORE_INSERT),
                   CPOR_OK);
  cpor_store_line l1[] = {{"c1", 0, "u1", "p1", 5}};
  ck_assert_status(s->m.lines_replace(s->self, "c1", l1, 1), CPOR_OK);
  ck_assert_status(conf_take(s, "c1", "k0"), CPOR_OK);
  COMMIT(s);
  char committed[8192];
  BEGIN(s, 0);
  snprintf(committed, sizeof committed, "%s", conf_dump(s));
  COMMIT(s);

  BEGIN(s, 1);
  cpor_store_line l2[] = {
      {"c2", 0, "u1", "p2", 6}, {"c2", 1, "u2", "p2", 5}, {"c2", 2, "u3", "p2", 2}};
  UNTIL_ENOUGH_MEMORY(s, conf_put(s, 7, "c2", "p2", "t", 2, "abc", 3, CPOR_STORE_INSERT));
  UNTIL_ENOUGH_MEMORY(s, conf_put(s, 7, "c1", NULL, "t", 5, "", 0, CPOR_STORE_UPDATE));
  UNTIL_ENOUGH_MEMORY(s, s->m.lines_replace(s->self, "c2", l2, 3));
  UNTIL_ENOUGH_MEMORY(s, s->m.lines_replace(s->self, "c1", NULL, 0));
  UNTIL_ENOUGH_MEMORY(s, conf_take(s, "c2", "k1 k2 k3"));
  UNTIL_ENOUGH_MEMORY(s, conf_take(s, "c2", "k2 k4"));
  UNTIL_ENOUGH_MEMORY(s, conf_take(s, "c1", "k9"));
  UNTIL_ENOUGH_MEMORY(s, conf_take(s, "c1", ""));
  UNTIL_ENOUGH_MEMORY(s, conf_put(s, 7, "c3", NULL, NULL, 0, "", 0, CPOR_STORE_INSERT));
  UNTIL_ENOUGH_MEMORY(s, conf_delete(s, 7, "c3"));
  UNTIL_ENOUGH_MEMORY(s, open_and_close(s));
  /* Enough mutations to make the undo log grow several times. */
  for (int i = 0; i < 300; i++) {
    char id[16];
    snprintf(id, sizeof id, "c%d", i % 10);
    UNTIL_ENOUGH_MEMORY(s, s->m.deadline_set(s->self, id, 1 + i % 3, i));
    if (i % 7 == 0) UNTIL_ENOUGH_MEMORY(s, s->m.deadline_clear(s->self, id, 1 + i % 3));
    UNTIL_ENOUGH_MEMORY(s, s->m.event_append(s->self, id, (uint32_t)i, "e", 1));
  }
  ck_assert_status(s->m.rollback(s->self), CPOR_OK);
  BEGIN(s, 1);
  ck_assert_str_eq(conf_dump(s), committed);
  ck_assert_str_eq(conf_keys(s, "k0 k1 k2 k3 k4 k9"), "k0,");
  COMMIT(s);
  cpor_storage_free(s);
}
END_TEST

START_TEST(cursors_survive_writes) {
  /* More than the vtable asks (no write while a cursor is open): a cursor
   * re-seeks from a copy of its last key, so writes that change the very
   * index it walks show it every row once and free nothing it returned. */
  cpor_storage *s = mem();
  char id[16];
  BEGIN(s, 1);
  for (int i = 0; i < 50; i++) {
    snprintf(id, sizeof id, "c%02d", i);
    ck_assert_status(conf_put(s, 7, id, "p1", NULL, 0, id, 3, CPOR_STORE_INSERT), CPOR_OK);
    ck_assert_status(s->m.deadline_set(s->self, id, 1, i % 5), CPOR_OK);
    cpor_store_line l[] = {{id, 0, "u1", "p", 2}};
    ck_assert_status(s->m.lines_replace(s->self, id, l, 1), CPOR_OK);
  }
  cpor_store_query q = conf_objects_query(7, CPOR_STORE_BY_OWNER, "p1", 0, NULL);
  void *cur = NULL;
  cpor_store_row row;
  int n = 0;
  ck_assert_status(s->m.cursor_open(s->self, &q, &cur), CPOR_OK);
  while (s->m.cursor_next(s->self, cur, &row) == 1) {
    cpor_store_object o = row.object;
    o.owner = "p2";
    ck_assert_status(s->m.object_put(s->self, &o, CPOR_STORE_UPDATE), CPOR_OK);
    ck_assert_str_eq(row.object.owner, "p1"); /* the old row lives until commit */
    n++;
  }
  s->m.cursor_close(s->self, cur);
  ck_assert_int_eq(n, 50);
  ck_assert_int_eq(conf_scan_count(s, CPOR_STORE_BY_OWNER, "p1", 0), 0);
  ck_assert_int_eq(conf_scan_count(s, CPOR_STORE_BY_OWNER, "p2", 0), 50);
  q = (cpor_store_query){.what = CPOR_STORE_CURSOR_DEADLINES, .kind = 1, .upto = 2};
  ck_assert_status(s->m.cursor_open(s->self, &q, &cur), CPOR_OK);
  while (s->m.cursor_next(s->self, cur, &row) == 1)
    ck_assert_status(s->m.deadline_clear(s->self, row.claim_id, row.deadline_kind), CPOR_OK);
  s->m.cursor_close(s->self, cur);
  q.upto = INT64_MAX;
  ck_assert_int_eq(conf_count(s, &q), 20);
  q = (cpor_store_query){.what = CPOR_STORE_CURSOR_LINES, .key = "u1"};
  ck_assert_status(s->m.cursor_open(s->self, &q, &cur), CPOR_OK);
  while (s->m.cursor_next(s->self, cur, &row) == 1)
    ck_assert_status(s->m.lines_replace(s->self, row.line.claim_id, NULL, 0), CPOR_OK);
  s->m.cursor_close(s->self, cur);
  ck_assert_str_eq(conf_lines(s, "u1"), "");
  COMMIT(s);
  cpor_storage_free(s);
}
END_TEST

START_TEST(close_with_open_transaction) {
  cpor_storage *s = mem();
  BEGIN(s, 1);
  ck_assert_status(conf_put(s, 7, "c1", "p1", NULL, 0, "x", 1, CPOR_STORE_INSERT), CPOR_OK);
  ck_assert_status(conf_put(s, 7, "c1", "p2", NULL, 0, "y", 1, CPOR_STORE_UPDATE), CPOR_OK);
  cpor_store_line l[] = {{"c1", 0, "u1", "p", 5}};
  ck_assert_status(s->m.lines_replace(s->self, "c1", l, 1), CPOR_OK);
  ck_assert_status(conf_take(s, "c1", "k1 k2"), CPOR_OK);
  ck_assert_status(conf_take(s, "c1", "k3"), CPOR_OK);
  ck_assert_status(conf_delete(s, 7, "c1"), CPOR_OK);
  ck_assert_status(s->m.deadline_set(s->self, "c1", 1, 1), CPOR_OK);
  ck_assert_status(s->m.event_append(s->self, "c1", 1, "e", 1), CPOR_OK);
  cpor_storage_free(s); /* frees everything, leaks nothing (valgrind, ASan) */
}
END_TEST

static Suite *store_memory_suite(void) {
  Suite *suite = suite_create("store_memory");
  cpor_conformance_add(suite, "memory-conformance", open_memory, NULL);
  TCase *tc = tcase_create("memory");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, outside_transaction);
  tcase_add_test(tc, nested_begin);
  tcase_add_test(tc, savepoint_misuse);
  tcase_add_test(tc, deadline_scan_visits_only_due);
  tcase_add_test(tc, storage_new_checks);
  tcase_add_test(tc, id_lengths_and_bad_rows);
  tcase_add_test(tc, out_of_memory_changes_nothing);
  tcase_add_test(tc, cursors_survive_writes);
  tcase_add_test(tc, close_with_open_transaction);
  suite_add_tcase(suite, tc);
  return suite;
}

CPOR_TEST_MAIN(store_memory_suite)
