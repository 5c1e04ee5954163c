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
  cpor_store_filter f = {CPOR_STORE_CLAIM, CPOR_STORE_BY_KIND, NULL, 0};
  cpor_store_line l[] = {{"c1", 0, "u1", "p1", CPOR_STATE_SUBMITTED}};
  void *x = s->self;
  ck_assert_status(conf_put(s, CPOR_STORE_CLAIM, "a", NULL, NULL, 0, "", 0, CPOR_STORE_INSERT),
                   CPOR_ESTORAGE);
  ck_assert_str_eq(cpor__storage_errmsg(s), "no transaction");
  ck_assert_status(s->m.object_get(x, CPOR_STORE_CLAIM, "a", conf_count_object, NULL),
                   CPOR_ESTORAGE);
  ck_assert_status(s->m.object_scan(x, &f, conf_count_object, NULL), CPOR_ESTORAGE);
  ck_assert_status(s->m.lines_replace(x, "c1", l, 1), CPOR_ESTORAGE);
  ck_assert_status(s->m.lines_by_unit(x, "u1", conf_count_line, NULL), CPOR_ESTORAGE);
  ck_assert_status(s->m.deadline_set(x, "c1", 1, 5), CPOR_ESTORAGE);
  ck_assert_status(s->m.deadline_clear(x, "c1", 1), CPOR_ESTORAGE);
  ck_assert_status(s->m.deadline_scan(x, 1, 9, conf_count_deadline, NULL), CPOR_ESTORAGE);
  ck_assert_status(s->m.event_append(x, "c1", 1, "e", 1), CPOR_ESTORAGE);
  ck_assert_status(s->m.event_scan(x, "c1", conf_count_event, NULL), CPOR_ESTORAGE);
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
  ck_assert_str_eq(conf_get(s, CPOR_STORE_CLAIM, "a"), "7/a owner=(null) ref=(null) state=0 data=");
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
  int n = 0;
  ck_assert_status(s->m.deadline_scan(s->self, CPOR_DEADLINE_OPTOUT, 999, conf_count_deadline, &n),
                   CPOR_OK);
  ck_assert_int_eq(n, 100);
  n = 0;
  ck_assert_status(
      s->m.deadline_scan(s->self, CPOR_DEADLINE_RESPONSE, INT64_MAX, conf_count_deadline, &n),
      CPOR_OK);
  ck_assert_int_eq(n, 0);
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
  copy.version = CPOR_STORAGE_VERSION;
  copy.deadline_scan = NULL;
  ck_assert_status(cpor_storage_new(&s, &copy, self), CPOR_EINVAL);
  copy = *m;
  copy.begin = NULL;
  ck_assert_status(cpor_storage_new(&s, &copy, self), CPOR_EINVAL);
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
  id[255] = 'x';
  id[256] = '\0';
  ck_assert_status(conf_put(s, CPOR_STORE_CLAIM, id, NULL, NULL, 0, "", 0, CPOR_STORE_INSERT),
                   CPOR_EINVAL);
  ck_assert_status(s->m.deadline_set(s->self, id, 1, 1), CPOR_EINVAL);
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

/* Runs op with 0, 1, 2, ... allocations allowed until it succeeds; every
 * ENOMEM on the way must leave the store exactly as it was. */
#define UNTIL_ENOUGH_MEMORY(s, op)                                                                 \
  do {                                                                                             \
    char before_[8192];                                                                            \
    snprintf(before_, sizeof before_, "%s", conf_dump(s));                                         \
    for (long budget_ = 0;; budget_++) {                                                           \
      cpor__memory_set_alloc_budget((s)->self, budget_);                                           \
      int rc_ = (op);                                                                              \
      cpor__memory_set_alloc_budget((s)->self, -1);                                                \
      if (rc_ == CPOR_OK) break;                                                                   \
      ck_assert_status(rc_, CPOR_ENOMEM);                                                          \
      ck_assert_str_eq(cpor__storage_errmsg(s), "out of memory");                                  \
      ck_assert_str_eq(conf_dump(s), before_);                                                     \
      ck_assert_int_lt(budget_, 10);                                                               \
    }                                                                                              \
  } while (0)

START_TEST(out_of_memory_changes_nothing) {
  cpor_storage *s = mem();
  BEGIN(s, 1);
  ck_assert_status(conf_put(s, CPOR_STORE_CLAIM, "c1", "p1", NULL, 2, "x", 1, CPOR_STORE_INSERT),
                   CPOR_OK);
  cpor_store_line l1[] = {{"c1", 0, "u1", "p1", CPOR_STATE_APPROVED}};
  ck_assert_status(s->m.lines_replace(s->self, "c1", l1, 1), CPOR_OK);
  COMMIT(s);
  char committed[8192];
  BEGIN(s, 0);
  snprintf(committed, sizeof committed, "%s", conf_dump(s));
  COMMIT(s);

  BEGIN(s, 1);
  cpor_store_line l2[] = {{"c2", 0, "u1", "p2", CPOR_STATE_ASSOCIATED},
                          {"c2", 1, "u2", "p2", CPOR_STATE_APPROVED},
                          {"c2", 2, "u3", "p2", CPOR_STATE_SUBMITTED}};
  UNTIL_ENOUGH_MEMORY(s, conf_put(s, 7, "c2", "p2", "t", 2, "abc", 3, CPOR_STORE_INSERT));
  UNTIL_ENOUGH_MEMORY(s, conf_put(s, 7, "c1", NULL, "t", 5, "", 0, CPOR_STORE_UPDATE));
  UNTIL_ENOUGH_MEMORY(s, s->m.lines_replace(s->self, "c2", l2, 3));
  UNTIL_ENOUGH_MEMORY(s, s->m.lines_replace(s->self, "c1", NULL, 0));
  /* Enough mutations to make the undo log grow several times. */
  for (int i = 0; i < 300; i++) {
    char id[16];
    snprintf(id, sizeof id, "c%d", i % 10);
    UNTIL_ENOUGH_MEMORY(s, s->m.deadline_set(s->self, id, 1 + i % 3, i));
    if (i % 7 == 0) UNTIL_ENOUGH_MEMORY(s, s->m.deadline_clear(s->self, id, 1 + i % 3));
    UNTIL_ENOUGH_MEMORY(s, s->m.event_append(s->self, id, (uint32_t)i, "e", 1));
  }
  ck_assert_status(s->m.rollback(s->self), CPOR_OK);
  BEGIN(s, 0);
  ck_assert_str_eq(conf_dump(s), committed);
  COMMIT(s);
  cpor_storage_free(s);
}
END_TEST

static int move_owner(void *arg, const cpor_store_object *o) {
  cpor_storage *s = arg;
  ck_assert_str_eq(o->owner, "p1");
  return conf_put(s, o->kind, o->id, "p2", o->ref, o->state, o->data, o->len, CPOR_STORE_UPDATE);
}

static int clear_deadline(void *arg, const char *claim, uint32_t kind, cpor_time due) {
  cpor_storage *s = arg;
  (void)due;
  return s->m.deadline_clear(s->self, claim, kind);
}

static int drop_claim_lines(void *arg, const cpor_store_line *l) {
  cpor_storage *s = arg;
  return s->m.lines_replace(s->self, l->claim_id, NULL, 0);
}

START_TEST(callbacks_may_write) {
  /* Scans resume from a copy of the last key, so a callback that changes
   * the very index being scanned sees every row once and nothing freed. */
  cpor_storage *s = mem();
  char id[16];
  BEGIN(s, 1);
  for (int i = 0; i < 50; i++) {
    snprintf(id, sizeof id, "c%02d", i);
    ck_assert_status(conf_put(s, 7, id, "p1", NULL, 0, id, 3, CPOR_STORE_INSERT), CPOR_OK);
    ck_assert_status(s->m.deadline_set(s->self, id, 1, i % 5), CPOR_OK);
    cpor_store_line l[] = {{id, 0, "u1", "p", CPOR_STATE_SUBMITTED}};
    ck_assert_status(s->m.lines_replace(s->self, id, l, 1), CPOR_OK);
  }
  cpor_store_filter f = {7, CPOR_STORE_BY_OWNER, "p1", 0};
  ck_assert_status(s->m.object_scan(s->self, &f, move_owner, s), CPOR_OK);
  ck_assert_int_eq(conf_scan_count(s, CPOR_STORE_BY_OWNER, "p1", 0), 0);
  ck_assert_int_eq(conf_scan_count(s, CPOR_STORE_BY_OWNER, "p2", 0), 50);
  ck_assert_status(s->m.deadline_scan(s->self, 1, 2, clear_deadline, s), CPOR_OK);
  int n = 0;
  ck_assert_status(s->m.deadline_scan(s->self, 1, INT64_MAX, conf_count_deadline, &n), CPOR_OK);
  ck_assert_int_eq(n, 20);
  ck_assert_status(s->m.lines_by_unit(s->self, "u1", drop_claim_lines, s), CPOR_OK);
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
  cpor_store_line l[] = {{"c1", 0, "u1", "p", CPOR_STATE_APPROVED}};
  ck_assert_status(s->m.lines_replace(s->self, "c1", l, 1), CPOR_OK);
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
  tcase_add_test(tc, deadline_scan_visits_only_due);
  tcase_add_test(tc, storage_new_checks);
  tcase_add_test(tc, id_lengths_and_bad_rows);
  tcase_add_test(tc, out_of_memory_changes_nothing);
  tcase_add_test(tc, callbacks_may_write);
  tcase_add_test(tc, close_with_open_transaction);
  suite_add_tcase(suite, tc);
  return suite;
}

CPOR_TEST_MAIN(store_memory_suite)
