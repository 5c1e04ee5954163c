/* The example third-party backend (examples/custom_storage/backend.c) against
 * the storage conformance suite, and every claim journey of test_claims.c run
 * on it instead of the built-in stores.
 *
 * test_claims.c is compiled into this file with world_open redirected: a
 * world opened without a store gets a fresh example store. Its main becomes
 * claims_main (unused); ours runs its suite plus the conformance TCase. */
#include "backend.h"
#include "conf_util.h"
#include "conformance.h"
#include "world.h"

void example_world_open(world *w, const char *tz, cpor_calendar *cal, cpor_storage *storage);
int claims_main(void);

#define world_open(w, tz, cal, storage) example_world_open(w, tz, cal, storage)
#define main claims_main
#include "test_claims.c"
#undef main
#undef world_open

void example_world_open(world *w, const char *tz, cpor_calendar *cal, cpor_storage *storage) {
  if (!storage) ck_assert_status(example_storage_open(&storage), CPOR_OK);
  world_open(w, tz, cal, storage); /* the world owns the store from now on */
}

static int open_example(cpor_storage **out, void *arg) {
  (void)arg;
  return example_storage_open(out);
}

/* The codes the vtable asks for outside a transaction and for a nested begin,
 * and the messages that come with them. */
START_TEST(transaction_codes) {
  cpor_storage *s = NULL;
  ck_assert_status(example_storage_open(&s), CPOR_OK);
  void *x = s->self, *cur = NULL;
  cpor_store_query q = conf_objects_query(CPOR_STORE_CLAIM, CPOR_STORE_BY_KIND, NULL, 0, NULL);
  cpor_store_line l[] = {{"c1", 0, "u1", "p1", 2}};
  const char *keys[] = {"k1"};
  cpor_store_object o;
  ck_assert_status(conf_put(s, CPOR_STORE_CLAIM, "a", NULL, NULL, 0, "", 0, CPOR_STORE_INSERT),
                   CPOR_ESTORAGE);
  ck_assert_str_eq(s->m.errmsg(x), "no transaction");
  ck_assert_status(s->m.object_get(x, CPOR_STORE_CLAIM, "a", &o), CPOR_ESTORAGE);
  ck_assert_status(s->m.cursor_open(x, &q, &cur), CPOR_ESTORAGE);
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

  BEGIN(s, 1);
  ck_assert_ptr_null(s->m.errmsg(x));
  ck_assert_status(conf_put(s, CPOR_STORE_CLAIM, "a", NULL, NULL, 0, "", 0, CPOR_STORE_INSERT),
                   CPOR_OK);
  ck_assert_status(s->m.begin(x, 1), CPOR_ESTORAGE);
  ck_assert_str_eq(s->m.errmsg(x), "a transaction is open already");
  ck_assert_status(s->m.begin(x, 0), CPOR_ESTORAGE);
  COMMIT(s); /* the refused begins did not disturb the open transaction */
  BEGIN(s, 0);
  ck_assert_str_eq(conf_get(s, CPOR_STORE_CLAIM, "a"),
                   "7/a rev=1 owner=(null) ref=(null) state=0 data=");
  ck_assert_status(s->m.deadline_set(x, "c1", 99, 5), CPOR_EINVAL); /* no such deadline kind */
  cpor_store_line twice[] = {{"c1", 0, "u1", "p1", 2}, {"c1", 0, "u2", "p1", 2}};
  ck_assert_status(s->m.lines_replace(x, "c1", twice, 2), CPOR_EINVAL);
  const char *ktwice[] = {"k1", "k1"};
  ck_assert_status(s->m.keys_replace(x, "c1", ktwice, 2), CPOR_EINVAL);
  /* Savepoints are never nested; release and rollback_to need one. */
  ck_assert_status(s->m.release(x), CPOR_ESTORAGE);
  ck_assert_str_eq(s->m.errmsg(x), "no savepoint is open");
  SAVEPOINT(s);
  ck_assert_status(s->m.savepoint(x), CPOR_ESTORAGE);
  ck_assert_str_eq(s->m.errmsg(x), "a savepoint is open already");
  ROLLBACK_TO(s);
  ck_assert_status(s->m.rollback_to(x), CPOR_ESTORAGE);
  COMMIT(s);

  /* A read transaction that changes something still rolls back. */
  BEGIN(s, 0);
  ck_assert_status(conf_put(s, CPOR_STORE_CLAIM, "b", NULL, NULL, 0, "", 0, CPOR_STORE_INSERT),
                   CPOR_OK);
  ck_assert_status(s->m.rollback(x), CPOR_OK);
  BEGIN(s, 0);
  ck_assert_str_eq(conf_scan(s, CPOR_STORE_CLAIM, CPOR_STORE_BY_KIND, NULL, 0), "a,");
  COMMIT(s);

  /* Closing with a transaction open frees the saved copies too. */
  BEGIN(s, 1);
  ck_assert_status(s->m.event_append(x, "c1", 1, "e", 1), CPOR_OK);
  SAVEPOINT(s);
  ck_assert_status(s->m.event_append(x, "c1", 2, "e", 1), CPOR_OK);
  cpor_storage_free(s);
  ck_assert_status(example_storage_open(NULL), CPOR_EINVAL);
}
END_TEST

static Suite *custom_storage_suite(void) {
  Suite *s = claims_suite(); /* the journeys, on example stores */
  cpor_conformance_add(s, "example-conformance", open_example, NULL);
  TCase *tc = tcase_create("example");
  tcase_add_test(tc, transaction_codes);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) {
  return cpor_test_run(custom_storage_suite());
}
