/* The storage conformance suite (see conformance.h). Every test opens a
 * fresh store, talks to it only through the vtable, and asserts exact codes
 * and exact results. Results are rendered as text ("id,id,") so that one
 * string comparison checks content and order together. */
#include "conformance.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf_util.h"

#define MAX_BACKENDS 16

typedef struct backend {
  cpor_conf_open_fn open;
  void *arg;
} backend;

/* Check's loop tests pass only an index, so the backends live in a table
 * filled while the suite is built, before any test runs. */
static backend backends[MAX_BACKENDS];
static int nbackends;

static cpor_storage *open_backend(int i) {
  cpor_storage *s = NULL;
  ck_assert_int_lt(i, nbackends);
  ck_assert_status(backends[i].open(&s, backends[i].arg), CPOR_OK);
  ck_assert_ptr_nonnull(s);
  return s;
}

/* ---- objects ---------------------------------------------------------------------- */

START_TEST(objects_round_trip) {
  cpor_storage *s = open_backend(_i);
  char data[] = {'a', 0, 'b', 0, 0, 'c'};
  char id[] = "claim-1", owner[] = "p1", ref[] = "t1";
  BEGIN(s, 1);
  ck_assert_status(
      conf_put(s, CPOR_STORE_CLAIM, id, owner, ref, 3, data, sizeof data, CPOR_STORE_INSERT),
      CPOR_OK);
  /* The store copied everything: the caller's buffers are borrowed only. */
  memset(data, 'x', sizeof data);
  strcpy(id, "clobber");
  strcpy(owner, "zz");
  strcpy(ref, "zz");
  ck_assert_status(
      conf_put(s, CPOR_STORE_CLAIM, "c-empty", NULL, NULL, 0, NULL, 0, CPOR_STORE_INSERT), CPOR_OK);
  ck_assert_status(
      conf_put(s, CPOR_STORE_CLAIM, "c-zero", "p1", NULL, 0, "ignored", 0, CPOR_STORE_INSERT),
      CPOR_OK);
  ck_assert_str_eq(conf_get(s, CPOR_STORE_CLAIM, "claim-1"),
                   "7/claim-1 owner=p1 ref=t1 state=3 data=610062000063");
  COMMIT(s);

  BEGIN(s, 0);
  ck_assert_str_eq(conf_get(s, CPOR_STORE_CLAIM, "claim-1"),
                   "7/claim-1 owner=p1 ref=t1 state=3 data=610062000063");
  ck_assert_str_eq(conf_get(s, CPOR_STORE_CLAIM, "c-empty"),
                   "7/c-empty owner=(null) ref=(null) state=0 data=");
  ck_assert_str_eq(conf_get(s, CPOR_STORE_CLAIM, "c-zero"),
                   "7/c-zero owner=p1 ref=(null) state=0 data=");
  COMMIT(s);

  /* An update replaces everything: data, owner (to NULL), ref, state. */
  unsigned char big[3000];
  for (size_t i = 0; i < sizeof big; i++)
    big[i] = (unsigned char)(i % 7 == 0 ? 0 : i);
  BEGIN(s, 1);
  ck_assert_status(
      conf_put(s, CPOR_STORE_CLAIM, "claim-1", NULL, "t2", 9, big, sizeof big, CPOR_STORE_UPDATE),
      CPOR_OK);
  COMMIT(s);
  BEGIN(s, 0);
  conf_object got = {0};
  ck_assert_status(conf_get_object(s, CPOR_STORE_CLAIM, "claim-1", &got), CPOR_OK);
  ck_assert_int_eq(got.len, sizeof big);
  ck_assert_int_eq(memcmp(got.data, big, sizeof big), 0);
  ck_assert_int_eq(got.owner_null, 1);
  ck_assert_str_eq(got.ref, "t2");
  ck_assert_int_eq(got.state, 9);
  free(got.data);
  COMMIT(s);
  cpor_storage_free(s);
}
END_TEST

START_TEST(objects_codes) {
  cpor_storage *s = open_backend(_i);
  BEGIN(s, 1);
  ck_assert_status(conf_put(s, CPOR_STORE_CLAIM, "a", "p1", NULL, 1, "one", 3, CPOR_STORE_INSERT),
                   CPOR_OK);
  ck_assert_status(conf_put(s, CPOR_STORE_CLAIM, "a", "p2", NULL, 2, "two", 3, CPOR_STORE_INSERT),
                   CPOR_EEXISTS);
  ck_assert_status(conf_put(s, CPOR_STORE_CLAIM, "b", "p1", NULL, 1, "x", 1, CPOR_STORE_UPDATE),
                   CPOR_ENOTFOUND);
  ck_assert_status(conf_get_object(s, CPOR_STORE_CLAIM, "b", NULL), CPOR_ENOTFOUND);
  ck_assert_status(conf_get_object(s, CPOR_STORE_PARTNER, "a", NULL), CPOR_ENOTFOUND);
  /* The same id in another kind is another object. */
  ck_assert_status(conf_put(s, CPOR_STORE_PARTNER, "a", NULL, NULL, 0, "pa", 2, CPOR_STORE_INSERT),
                   CPOR_OK);
  /* The failures changed nothing and the transaction is still usable. */
  COMMIT(s);
  BEGIN(s, 0);
  ck_assert_str_eq(conf_get(s, CPOR_STORE_CLAIM, "a"),
                   "7/a owner=p1 ref=(null) state=1 data=6f6e65");
  ck_assert_str_eq(conf_get(s, CPOR_STORE_PARTNER, "a"),
                   "1/a owner=(null) ref=(null) state=0 data=7061");
  ck_assert_str_eq(conf_get(s, CPOR_STORE_CLAIM, "b"), "ENOTFOUND");
  COMMIT(s);
  cpor_storage_free(s);
}
END_TEST

START_TEST(objects_bad_arguments) {
  cpor_storage *s = open_backend(_i);
  BEGIN(s, 1);
  ck_assert_status(s->m.object_put(s->self, NULL, CPOR_STORE_INSERT), CPOR_EINVAL);
  ck_assert_status(conf_put(s, CPOR_STORE_CLAIM, NULL, NULL, NULL, 0, "x", 1, CPOR_STORE_INSERT),
                   CPOR_EINVAL);
  ck_assert_status(conf_put(s, CPOR_STORE_CLAIM, "", NULL, NULL, 0, "x", 1, CPOR_STORE_INSERT),
                   CPOR_EINVAL);
  ck_assert_status(conf_put(s, CPOR_STORE_CLAIM, "a", NULL, NULL, 0, "x", 1, 99), CPOR_EINVAL);
  ck_assert_status(s->m.object_get(s->self, CPOR_STORE_CLAIM, NULL, conf_count_object, NULL),
                   CPOR_EINVAL);
  ck_assert_status(s->m.object_scan(s->self, NULL, conf_count_object, NULL), CPOR_EINVAL);
  cpor_store_filter f = {CPOR_STORE_CLAIM, CPOR_STORE_BY_OWNER, NULL, 0};
  ck_assert_status(s->m.object_scan(s->self, &f, conf_count_object, NULL), CPOR_EINVAL);
  ck_assert_status(s->m.lines_replace(s->self, NULL, NULL, 0), CPOR_EINVAL);
  ck_assert_status(s->m.lines_by_unit(s->self, NULL, conf_count_line, NULL), CPOR_EINVAL);
  ck_assert_status(s->m.deadline_set(s->self, NULL, CPOR_DEADLINE_SLA, 1), CPOR_EINVAL);
  ck_assert_status(s->m.event_append(s->self, NULL, 1, "x", 1), CPOR_EINVAL);
  ck_assert_status(s->m.event_scan(s->self, NULL, conf_count_event, NULL), CPOR_EINVAL);
  COMMIT(s);
  BEGIN(s, 0);
  ck_assert_str_eq(conf_dump(s), "");
  COMMIT(s);
  cpor_storage_free(s);
}
END_TEST

/* ---- scans ------------------------------------------------------------------------ */

static void put_scan_fixture(cpor_storage *s) {
  /* Inserted out of order; bytewise order: "B" < "a" < "aa" < "b" < "c" < "\xc3\xa9". */
  static const struct {
    const char *id, *owner, *ref;
    int32_t state;
  } rows[] = {{"c", "p1", "t1", 2},  {"a", "p1", "t2", 5}, {"\xc3\xa9", "p1", "t1", 2},
              {"aa", "p2", NULL, 2}, {"B", NULL, "t1", 5}, {"b", "p2", "t2", 0}};
  for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
    ck_assert_status(conf_put(s, CPOR_STORE_CLAIM, rows[i].id, rows[i].owner, rows[i].ref,
                              rows[i].state, rows[i].id, strlen(rows[i].id), CPOR_STORE_INSERT),
                     CPOR_OK);
  /* Another kind with the same keys must never show up in claim scans. */
  ck_assert_status(conf_put(s, CPOR_STORE_TENANT, "a0", "p1", "t1", 2, "", 0, CPOR_STORE_INSERT),
                   CPOR_OK);
}

START_TEST(scans_exact_and_ordered) {
  cpor_storage *s = open_backend(_i);
  const uint32_t K = CPOR_STORE_CLAIM;
  BEGIN(s, 1);
  put_scan_fixture(s);
  COMMIT(s);
  BEGIN(s, 0);
  ck_assert_str_eq(conf_scan(s, K, CPOR_STORE_BY_KIND, NULL, 0), "B,a,aa,b,c,\xc3\xa9,");
  ck_assert_str_eq(conf_scan(s, K, CPOR_STORE_BY_OWNER, "p1", 0), "a,c,\xc3\xa9,");
  ck_assert_str_eq(conf_scan(s, K, CPOR_STORE_BY_OWNER, "p2", 0), "aa,b,");
  ck_assert_str_eq(conf_scan(s, K, CPOR_STORE_BY_OWNER, "p", 0), "");
  ck_assert_str_eq(conf_scan(s, K, CPOR_STORE_BY_REF, "t1", 0), "B,c,\xc3\xa9,");
  ck_assert_str_eq(conf_scan(s, K, CPOR_STORE_BY_REF, "t2", 0), "a,b,");
  ck_assert_str_eq(conf_scan(s, K, CPOR_STORE_BY_STATE, NULL, 2), "aa,c,\xc3\xa9,");
  ck_assert_str_eq(conf_scan(s, K, CPOR_STORE_BY_STATE, NULL, 5), "B,a,");
  ck_assert_str_eq(conf_scan(s, K, CPOR_STORE_BY_STATE, NULL, 0), "b,");
  ck_assert_str_eq(conf_scan(s, K, CPOR_STORE_BY_STATE, NULL, 7), "");
  ck_assert_str_eq(conf_scan(s, CPOR_STORE_TENANT, CPOR_STORE_BY_OWNER, "p1", 0), "a0,");
  ck_assert_str_eq(conf_scan(s, CPOR_STORE_PARTNER, CPOR_STORE_BY_KIND, NULL, 0), "");
  COMMIT(s);

  /* Moving owner, ref and state moves the object between the scans. */
  BEGIN(s, 1);
  ck_assert_status(conf_put(s, K, "a", "p2", NULL, 2, "a", 1, CPOR_STORE_UPDATE), CPOR_OK);
  ck_assert_status(conf_put(s, K, "B", "p1", "t2", 0, "B", 1, CPOR_STORE_UPDATE), CPOR_OK);
  ck_assert_str_eq(conf_scan(s, K, CPOR_STORE_BY_OWNER, "p1", 0), "B,c,\xc3\xa9,");
  COMMIT(s);
  BEGIN(s, 0);
  ck_assert_str_eq(conf_scan(s, K, CPOR_STORE_BY_OWNER, "p1", 0), "B,c,\xc3\xa9,");
  ck_assert_str_eq(conf_scan(s, K, CPOR_STORE_BY_OWNER, "p2", 0), "a,aa,b,");
  ck_assert_str_eq(conf_scan(s, K, CPOR_STORE_BY_REF, "t1", 0), "c,\xc3\xa9,");
  ck_assert_str_eq(conf_scan(s, K, CPOR_STORE_BY_REF, "t2", 0), "B,b,");
  ck_assert_str_eq(conf_scan(s, K, CPOR_STORE_BY_STATE, NULL, 2), "a,aa,c,\xc3\xa9,");
  ck_assert_str_eq(conf_scan(s, K, CPOR_STORE_BY_STATE, NULL, 5), "");
  ck_assert_str_eq(conf_scan(s, K, CPOR_STORE_BY_STATE, NULL, 0), "B,b,");
  ck_assert_str_eq(conf_scan(s, K, CPOR_STORE_BY_KIND, NULL, 0), "B,a,aa,b,c,\xc3\xa9,");
  COMMIT(s);
  cpor_storage_free(s);
}
END_TEST

START_TEST(scans_stop_early) {
  cpor_storage *s = open_backend(_i);
  BEGIN(s, 1);
  put_scan_fixture(s);
  conf_stop stop = {.stop_at = 2, .value = 42};
  cpor_store_filter f = {CPOR_STORE_CLAIM, CPOR_STORE_BY_KIND, NULL, 0};
  ck_assert_int_eq(s->m.object_scan(s->self, &f, conf_stop_object, &stop), 42);
  ck_assert_int_eq(stop.calls, 2);
  stop = (conf_stop){.stop_at = 1, .value = -3};
  f = (cpor_store_filter){CPOR_STORE_CLAIM, CPOR_STORE_BY_OWNER, "p2", 0};
  ck_assert_int_eq(s->m.object_scan(s->self, &f, conf_stop_object, &stop), -3);
  ck_assert_int_eq(stop.calls, 1);
  COMMIT(s);
  cpor_storage_free(s);
}
END_TEST

/* ---- lines ------------------------------------------------------------------------ */

START_TEST(lines_replace_and_by_unit) {
  cpor_storage *s = open_backend(_i);
  const int32_t SUB = CPOR_STATE_SUBMITTED, REV = CPOR_STATE_UNDER_REVIEW;
  BEGIN(s, 1);
  char unit[] = "u1", partner[] = "p1";
  cpor_store_line c1[] = {{"c1", 0, unit, partner, SUB}, {"c1", 1, "u2", "p1", REV}};
  ck_assert_status(s->m.lines_replace(s->self, "c1", c1, 2), CPOR_OK);
  strcpy(unit, "zz"); /* copied in */
  strcpy(partner, "zz");
  cpor_store_line c2[] = {{"c2", 3, "u1", "p2", SUB}, {"c2", 1, "u1", "p2", REV}};
  ck_assert_status(s->m.lines_replace(s->self, "c2", c2, 2), CPOR_OK);
  cpor_store_line c0[] = {{"c0", 0, "u1", NULL, SUB}};
  ck_assert_status(s->m.lines_replace(s->self, "c0", c0, 1), CPOR_OK);
  COMMIT(s);

  BEGIN(s, 0);
  ck_assert_str_eq(conf_lines(s, "u1"), "c0#0:u1:(null):2;c1#0:u1:p1:2;c2#1:u1:p2:3;c2#3:u1:p2:2;");
  ck_assert_str_eq(conf_lines(s, "u2"), "c1#1:u2:p1:3;");
  ck_assert_str_eq(conf_lines(s, "u9"), "");
  conf_stop stop = {.stop_at = 2, .value = 5};
  ck_assert_int_eq(s->m.lines_by_unit(s->self, "u1", conf_stop_line, &stop), 5);
  ck_assert_int_eq(stop.calls, 2);
  COMMIT(s);

  /* Fewer rows: c1 leaves u1; count 0 deletes every row of c2. */
  BEGIN(s, 1);
  cpor_store_line c1b[] = {{"c1", 1, "u2", "p1", SUB}};
  ck_assert_status(s->m.lines_replace(s->self, "c1", c1b, 1), CPOR_OK);
  ck_assert_status(s->m.lines_replace(s->self, "c2", NULL, 0), CPOR_OK);
  ck_assert_status(s->m.lines_replace(s->self, "c9", NULL, 0), CPOR_OK);
  COMMIT(s);
  BEGIN(s, 0);
  ck_assert_str_eq(conf_lines(s, "u1"), "c0#0:u1:(null):2;");
  ck_assert_str_eq(conf_lines(s, "u2"), "c1#1:u2:p1:2;");
  COMMIT(s);
  cpor_storage_free(s);
}
END_TEST

START_TEST(lines_unique_per_unit) {
  cpor_storage *s = open_backend(_i);
  const int32_t SUB = CPOR_STATE_SUBMITTED, APP = CPOR_STATE_APPROVED, ASC = CPOR_STATE_ASSOCIATED;
  BEGIN(s, 1);
  cpor_store_line a1[] = {{"c1", 0, "u1", "p1", APP}};
  ck_assert_status(s->m.lines_replace(s->self, "c1", a1, 1), CPOR_OK);
  cpor_store_line c2[] = {{"c2", 0, "u1", "p2", SUB}, {"c2", 1, "u3", "p2", SUB}};
  ck_assert_status(s->m.lines_replace(s->self, "c2", c2, 2), CPOR_OK);
  /* A second APPROVED row on u1: refused, c2's rows as before. */
  cpor_store_line c2a[] = {{"c2", 0, "u1", "p2", APP}, {"c2", 1, "u3", "p2", APP}};
  ck_assert_status(s->m.lines_replace(s->self, "c2", c2a, 2), CPOR_EEXISTS);
  ck_assert_str_eq(conf_lines(s, "u1"), "c1#0:u1:p1:5;c2#0:u1:p2:2;");
  ck_assert_str_eq(conf_lines(s, "u3"), "c2#1:u3:p2:2;");
  COMMIT(s);

  BEGIN(s, 1);
  /* APPROVED on another unit is fine; one APPROVED + one ASSOCIATED too. */
  cpor_store_line c3[] = {{"c3", 0, "u2", "p3", APP}};
  ck_assert_status(s->m.lines_replace(s->self, "c3", c3, 1), CPOR_OK);
  cpor_store_line c4[] = {{"c4", 0, "u1", "p4", ASC}};
  ck_assert_status(s->m.lines_replace(s->self, "c4", c4, 1), CPOR_OK);
  cpor_store_line c5[] = {{"c5", 0, "u1", "p5", ASC}};
  ck_assert_status(s->m.lines_replace(s->self, "c5", c5, 1), CPOR_EEXISTS);
  /* Two rows of one call on one unit, both ASSOCIATED: refused as well. */
  cpor_store_line c6[] = {{"c6", 0, "u7", "p6", ASC}, {"c6", 1, "u7", "p6", ASC}};
  ck_assert_status(s->m.lines_replace(s->self, "c6", c6, 2), CPOR_EEXISTS);
  ck_assert_str_eq(conf_lines(s, "u7"), "");
  /* Many SUBMITTED rows on one unit. */
  for (int i = 0; i < 10; i++) {
    char id[16];
    snprintf(id, sizeof id, "d%d", i);
    cpor_store_line d[] = {{id, 0, "u1", "p", SUB}};
    ck_assert_status(s->m.lines_replace(s->self, id, d, 1), CPOR_OK);
  }
  /* A claim replacing its own APPROVED row with ASSOCIATED (u2 has none). */
  cpor_store_line c3b[] = {{"c3", 0, "u2", "p3", ASC}};
  ck_assert_status(s->m.lines_replace(s->self, "c3", c3b, 1), CPOR_OK);
  /* ... and its own APPROVED row with an APPROVED one. */
  cpor_store_line a1b[] = {{"c1", 0, "u1", "p1x", APP}};
  ck_assert_status(s->m.lines_replace(s->self, "c1", a1b, 1), CPOR_OK);
  COMMIT(s);

  BEGIN(s, 0);
  ck_assert_str_eq(conf_lines(s, "u1"), "c1#0:u1:p1x:5;c2#0:u1:p2:2;c4#0:u1:p4:6;d0#0:u1:p:2;"
                                        "d1#0:u1:p:2;d2#0:u1:p:2;d3#0:u1:p:2;d4#0:u1:p:2;"
                                        "d5#0:u1:p:2;d6#0:u1:p:2;d7#0:u1:p:2;d8#0:u1:p:2;"
                                        "d9#0:u1:p:2;");
  ck_assert_str_eq(conf_lines(s, "u2"), "c3#0:u2:p3:6;");
  COMMIT(s);

  /* Once c1 leaves u1, another claim may be APPROVED there. */
  BEGIN(s, 1);
  ck_assert_status(s->m.lines_replace(s->self, "c1", NULL, 0), CPOR_OK);
  ck_assert_status(s->m.lines_replace(s->self, "c2", c2a, 2), CPOR_OK);
  COMMIT(s);
  BEGIN(s, 0);
  ck_assert_str_eq(conf_lines(s, "u3"), "c2#1:u3:p2:5;");
  COMMIT(s);
  cpor_storage_free(s);
}
END_TEST

/* ---- deadlines -------------------------------------------------------------------- */

START_TEST(deadlines_set_scan_clear) {
  cpor_storage *s = open_backend(_i);
  const uint32_t OPT = CPOR_DEADLINE_OPTOUT, RESP = CPOR_DEADLINE_RESPONSE;
  BEGIN(s, 1);
  char claim[] = "c1";
  ck_assert_status(s->m.deadline_set(s->self, claim, OPT, 100), CPOR_OK);
  strcpy(claim, "zz");
  ck_assert_status(s->m.deadline_set(s->self, "c2", OPT, 50), CPOR_OK);
  ck_assert_status(s->m.deadline_set(s->self, "c3", OPT, 100), CPOR_OK);
  ck_assert_status(s->m.deadline_set(s->self, "c0", OPT, 100), CPOR_OK);
  ck_assert_status(s->m.deadline_set(s->self, "c5", OPT, -7), CPOR_OK);
  ck_assert_status(s->m.deadline_set(s->self, "c4", RESP, 10), CPOR_OK);
  ck_assert_status(s->m.deadline_set(s->self, "c1", RESP, 500), CPOR_OK);
  COMMIT(s);

  BEGIN(s, 0);
  ck_assert_str_eq(conf_deadlines(s, OPT, 100), "c5@-7;c2@50;c0@100;c1@100;c3@100;");
  ck_assert_str_eq(conf_deadlines(s, OPT, 99), "c5@-7;c2@50;");
  ck_assert_str_eq(conf_deadlines(s, OPT, 50), "c5@-7;c2@50;");
  ck_assert_str_eq(conf_deadlines(s, OPT, -8), "");
  ck_assert_str_eq(conf_deadlines(s, OPT, INT64_MIN), "");
  ck_assert_str_eq(conf_deadlines(s, RESP, INT64_MAX), "c4@10;c1@500;");
  ck_assert_str_eq(conf_deadlines(s, CPOR_DEADLINE_SLA, INT64_MAX), "");
  conf_stop stop = {.stop_at = 3, .value = 9};
  ck_assert_int_eq(s->m.deadline_scan(s->self, OPT, INT64_MAX, conf_stop_deadline, &stop), 9);
  ck_assert_int_eq(stop.calls, 3);
  COMMIT(s);

  BEGIN(s, 1);
  ck_assert_status(s->m.deadline_set(s->self, "c2", OPT, 200), CPOR_OK); /* replace */
  ck_assert_status(s->m.deadline_clear(s->self, "c1", OPT), CPOR_OK);
  ck_assert_status(s->m.deadline_clear(s->self, "c1", OPT), CPOR_OK); /* none: fine */
  ck_assert_status(s->m.deadline_clear(s->self, "c9", CPOR_DEADLINE_SLA), CPOR_OK);
  COMMIT(s);
  BEGIN(s, 0);
  ck_assert_str_eq(conf_deadlines(s, OPT, INT64_MAX), "c5@-7;c0@100;c3@100;c2@200;");
  ck_assert_str_eq(conf_deadlines(s, RESP, INT64_MAX), "c4@10;c1@500;");
  COMMIT(s);
  cpor_storage_free(s);
}
END_TEST

/* ---- events ----------------------------------------------------------------------- */

START_TEST(events_append_and_scan) {
  cpor_storage *s = open_backend(_i);
  BEGIN(s, 1);
  char buf[] = "b";
  ck_assert_status(s->m.event_append(s->self, "c1", 2, buf, 1), CPOR_OK);
  buf[0] = 'z';
  ck_assert_status(s->m.event_append(s->self, "c1", 1, "a", 1), CPOR_OK);
  ck_assert_status(s->m.event_append(s->self, "c1", 10, "x\0y", 3), CPOR_OK);
  ck_assert_status(s->m.event_append(s->self, "c1", 3, NULL, 0), CPOR_OK);
  ck_assert_status(s->m.event_append(s->self, "c2", 1, "q", 1), CPOR_OK);
  ck_assert_status(s->m.event_append(s->self, "c1", 2, "dup", 3), CPOR_EEXISTS);
  COMMIT(s);
  BEGIN(s, 1);
  ck_assert_status(s->m.event_append(s->self, "c1", 1, "dup", 3), CPOR_EEXISTS);
  ck_assert_str_eq(conf_events(s, "c1"), "1=61;2=62;3=;10=780079;");
  ck_assert_str_eq(conf_events(s, "c2"), "1=71;");
  ck_assert_str_eq(conf_events(s, "c3"), "");
  conf_stop stop = {.stop_at = 2, .value = 1};
  ck_assert_int_eq(s->m.event_scan(s->self, "c1", conf_stop_event, &stop), 1);
  ck_assert_int_eq(stop.calls, 2);
  COMMIT(s);
  cpor_storage_free(s);
}
END_TEST

/* ---- transactions ----------------------------------------------------------------- */

static void committed_fixture(cpor_storage *s) {
  BEGIN(s, 1);
  ck_assert_status(conf_put(s, CPOR_STORE_CLAIM, "c1", "p1", "t1", 2, "one", 3, CPOR_STORE_INSERT),
                   CPOR_OK);
  ck_assert_status(conf_put(s, CPOR_STORE_CLAIM, "c2", "p2", NULL, 5, "two", 3, CPOR_STORE_INSERT),
                   CPOR_OK);
  cpor_store_line l1[] = {{"c1", 0, "u1", "p1", CPOR_STATE_APPROVED},
                          {"c1", 1, "u2", "p1", CPOR_STATE_SUBMITTED}};
  ck_assert_status(s->m.lines_replace(s->self, "c1", l1, 2), CPOR_OK);
  ck_assert_status(s->m.deadline_set(s->self, "c1", CPOR_DEADLINE_OPTOUT, 1000), CPOR_OK);
  ck_assert_status(s->m.deadline_set(s->self, "c2", CPOR_DEADLINE_SLA, 2000), CPOR_OK);
  ck_assert_status(s->m.event_append(s->self, "c1", 1, "e1", 2), CPOR_OK);
  COMMIT(s);
}

/* Every kind of mutation, several times over the same keys. */
static void mutate_everything(cpor_storage *s) {
  const uint32_t K = CPOR_STORE_CLAIM;
  ck_assert_status(conf_put(s, K, "c3", "p1", "t1", 1, "new", 3, CPOR_STORE_INSERT), CPOR_OK);
  ck_assert_status(conf_put(s, K, "c1", "p9", NULL, 7, "upd", 3, CPOR_STORE_UPDATE), CPOR_OK);
  ck_assert_status(conf_put(s, K, "c1", NULL, "t9", 8, "upd2", 4, CPOR_STORE_UPDATE), CPOR_OK);
  ck_assert_status(conf_put(s, K, "c3", "p3", "t3", 3, "x", 1, CPOR_STORE_UPDATE), CPOR_OK);
  ck_assert_status(conf_put(s, CPOR_STORE_DOMAIN, "d", "c3", NULL, 0, "", 0, CPOR_STORE_INSERT),
                   CPOR_OK);
  cpor_store_line l1[] = {{"c1", 0, "u1", "p1", CPOR_STATE_ASSOCIATED}};
  ck_assert_status(s->m.lines_replace(s->self, "c1", l1, 1), CPOR_OK);
  cpor_store_line l2[] = {{"c2", 0, "u1", "p2", CPOR_STATE_APPROVED},
                          {"c2", 4, "u3", "p2", CPOR_STATE_SUBMITTED}};
  ck_assert_status(s->m.lines_replace(s->self, "c2", l2, 2), CPOR_OK);
  ck_assert_status(s->m.lines_replace(s->self, "c1", NULL, 0), CPOR_OK);
  cpor_store_line l3[] = {{"c3", 0, "u1", "p3", CPOR_STATE_ASSOCIATED}};
  ck_assert_status(s->m.lines_replace(s->self, "c3", l3, 1), CPOR_OK);
  ck_assert_status(s->m.deadline_set(s->self, "c1", CPOR_DEADLINE_OPTOUT, 5), CPOR_OK);
  ck_assert_status(s->m.deadline_set(s->self, "c3", CPOR_DEADLINE_OPTOUT, 6), CPOR_OK);
  ck_assert_status(s->m.deadline_clear(s->self, "c2", CPOR_DEADLINE_SLA), CPOR_OK);
  ck_assert_status(s->m.deadline_clear(s->self, "c1", CPOR_DEADLINE_OPTOUT), CPOR_OK);
  ck_assert_status(s->m.deadline_set(s->self, "c2", CPOR_DEADLINE_SLA, 3), CPOR_OK);
  ck_assert_status(s->m.event_append(s->self, "c1", 2, "e2", 2), CPOR_OK);
  ck_assert_status(s->m.event_append(s->self, "c3", 1, "e3", 2), CPOR_OK);
  /* Failed calls in the middle must not disturb the undo. */
  ck_assert_status(conf_put(s, K, "c3", NULL, NULL, 0, "", 0, CPOR_STORE_INSERT), CPOR_EEXISTS);
  ck_assert_status(s->m.lines_replace(s->self, "c9", l3, 1), CPOR_EINVAL);
}

static const char *const fixture_dump = "obj 7/c1 owner=p1 ref=t1 state=2 data=6f6e65\n"
                                        "obj 7/c2 owner=p2 ref=(null) state=5 data=74776f\n"
                                        "line c1#0:u1:p1:5;\nline c1#1:u2:p1:2;\n"
                                        "deadline 1 c1@1000;\ndeadline 3 c2@2000;\n"
                                        "event c1 1=6531;\n";

static const char *const mutated_dump =
    "obj 7/c1 owner=(null) ref=t9 state=8 data=75706432\n"
    "obj 7/c2 owner=p2 ref=(null) state=5 data=74776f\n"
    "obj 7/c3 owner=p3 ref=t3 state=3 data=78\n"
    "obj 8/d owner=c3 ref=(null) state=0 data=\n"
    "line c2#0:u1:p2:5;\nline c3#0:u1:p3:6;\nline c2#4:u3:p2:2;\n"
    "deadline 1 c3@6;\ndeadline 3 c2@3;\n"
    "event c1 1=6531;\nevent c1 2=6532;\nevent c3 1=6533;\n";

START_TEST(rollback_undoes_everything) {
  cpor_storage *s = open_backend(_i);
  committed_fixture(s);
  BEGIN(s, 0);
  ck_assert_str_eq(conf_dump(s), fixture_dump);
  COMMIT(s);
  BEGIN(s, 1);
  mutate_everything(s);
  ck_assert_str_eq(conf_dump(s), mutated_dump); /* visible inside the transaction */
  ck_assert_status(s->m.rollback(s->self), CPOR_OK);
  BEGIN(s, 0);
  ck_assert_str_eq(conf_dump(s), fixture_dump);
  COMMIT(s);
  /* The unique indexes were restored too: c1 still holds u1's APPROVED. */
  BEGIN(s, 1);
  cpor_store_line l[] = {{"c2", 0, "u1", "p2", CPOR_STATE_APPROVED}};
  ck_assert_status(s->m.lines_replace(s->self, "c2", l, 1), CPOR_EEXISTS);
  ck_assert_status(s->m.rollback(s->self), CPOR_OK);
  /* An empty transaction rolls back fine. */
  BEGIN(s, 1);
  ck_assert_status(s->m.rollback(s->self), CPOR_OK);
  cpor_storage_free(s);
}
END_TEST

START_TEST(commit_keeps_everything) {
  cpor_storage *s = open_backend(_i);
  committed_fixture(s);
  BEGIN(s, 1);
  mutate_everything(s);
  COMMIT(s);
  BEGIN(s, 0);
  ck_assert_str_eq(conf_dump(s), mutated_dump);
  COMMIT(s);
  /* A later rollback goes back to the committed state, not further. */
  BEGIN(s, 1);
  ck_assert_status(s->m.lines_replace(s->self, "c2", NULL, 0), CPOR_OK);
  ck_assert_status(conf_put(s, CPOR_STORE_CLAIM, "c4", NULL, NULL, 0, "", 0, CPOR_STORE_INSERT),
                   CPOR_OK);
  ck_assert_status(s->m.rollback(s->self), CPOR_OK);
  BEGIN(s, 0);
  ck_assert_str_eq(conf_dump(s), mutated_dump);
  COMMIT(s);
  cpor_storage_free(s);
}
END_TEST

/* ---- scale ------------------------------------------------------------------------ */

START_TEST(scale_10k) {
  cpor_storage *s = open_backend(_i);
  enum { N = 10000 };
  char id[32], owner[16], unit[16];
  BEGIN(s, 1);
  for (int k = 0; k < N; k++) {
    int i = (int)((k * 7919L) % N); /* a permutation: inserts out of order */
    snprintf(id, sizeof id, "obj%05d", i);
    snprintf(owner, sizeof owner, "p%d", i % 100);
    ck_assert_status(
        conf_put(s, CPOR_STORE_CLAIM, id, owner, NULL, i % 5, id, strlen(id), CPOR_STORE_INSERT),
        CPOR_OK);
    snprintf(unit, sizeof unit, "u%d", i % 1000);
    cpor_store_line l[] = {{id, 0, unit, owner, i % 1000 == i % 10000 / 10 ? 5 : 2}};
    ck_assert_status(s->m.lines_replace(s->self, id, l, 1), CPOR_OK);
    ck_assert_status(s->m.deadline_set(s->self, id, CPOR_DEADLINE_OPTOUT, i), CPOR_OK);
  }
  COMMIT(s);
  BEGIN(s, 0);
  ck_assert_int_eq(conf_scan_count(s, CPOR_STORE_BY_KIND, NULL, 0), N);
  ck_assert_int_eq(conf_scan_count(s, CPOR_STORE_BY_OWNER, "p7", 0), N / 100);
  ck_assert_int_eq(conf_scan_count(s, CPOR_STORE_BY_STATE, NULL, 3), N / 5);
  int n = 0;
  ck_assert_status(s->m.lines_by_unit(s->self, "u42", conf_count_line, &n), CPOR_OK);
  ck_assert_int_eq(n, N / 1000);
  n = 0;
  ck_assert_status(s->m.deadline_scan(s->self, CPOR_DEADLINE_OPTOUT, 2499, conf_count_deadline, &n),
                   CPOR_OK);
  ck_assert_int_eq(n, 2500);
  for (int i = 0; i < N; i += 97) {
    snprintf(id, sizeof id, "obj%05d", i);
    ck_assert_status(conf_get_object(s, CPOR_STORE_CLAIM, id, NULL), CPOR_OK);
  }
  COMMIT(s);
  /* A big transaction rolled back leaves the big store as it was. */
  BEGIN(s, 1);
  for (int i = 0; i < N; i += 2) {
    snprintf(id, sizeof id, "obj%05d", i);
    ck_assert_status(conf_put(s, CPOR_STORE_CLAIM, id, "px", NULL, 9, "", 0, CPOR_STORE_UPDATE),
                     CPOR_OK);
    ck_assert_status(s->m.deadline_clear(s->self, id, CPOR_DEADLINE_OPTOUT), CPOR_OK);
  }
  ck_assert_int_eq(conf_scan_count(s, CPOR_STORE_BY_OWNER, "px", 0), N / 2);
  ck_assert_status(s->m.rollback(s->self), CPOR_OK);
  BEGIN(s, 0);
  ck_assert_int_eq(conf_scan_count(s, CPOR_STORE_BY_OWNER, "px", 0), 0);
  ck_assert_int_eq(conf_scan_count(s, CPOR_STORE_BY_STATE, NULL, 3), N / 5);
  n = 0;
  ck_assert_status(
      s->m.deadline_scan(s->self, CPOR_DEADLINE_OPTOUT, INT64_MAX, conf_count_deadline, &n),
      CPOR_OK);
  ck_assert_int_eq(n, N);
  COMMIT(s);
  cpor_storage_free(s);
}
END_TEST

/* ---- the fault-injection wrapper -------------------------------------------------- */

typedef struct faulty {
  cpor_storage *inner; /* borrowed */
  long fail_at, count, *ops;
  int in_txn;   /* inner has a transaction open through us */
  int injected; /* the last call was the injected failure */
  char msg[64];
} faulty;

/* Counts one operation; CPOR_ESTORAGE when it is the one to fail. */
static int tick(faulty *f) {
  f->injected = 0;
  f->count++;
  if (f->ops) ++*f->ops;
  if (f->fail_at <= 0 || f->count != f->fail_at) return CPOR_OK;
  f->injected = 1;
  snprintf(f->msg, sizeof f->msg, "injected failure at operation %ld", f->count);
  return CPOR_ESTORAGE;
}

#define INNER(f, method, ...) ((f)->inner->m.method((f)->inner->self, __VA_ARGS__))

static int f_begin(void *self, int write) {
  faulty *f = self;
  int rc = tick(f);
  if (!rc) rc = INNER(f, begin, write);
  if (!rc) f->in_txn = 1;
  return rc;
}
static int f_commit(void *self) {
  faulty *f = self;
  int rc = tick(f);
  if (!rc) rc = f->inner->m.commit(f->inner->self);
  if (!rc) f->in_txn = 0;
  return rc;
}
static int f_rollback(void *self) {
  faulty *f = self;
  f->injected = 0;
  if (!f->in_txn) return CPOR_OK;
  f->in_txn = 0;
  return f->inner->m.rollback(f->inner->self);
}
static int f_object_get(void *self, uint32_t kind, const char *id, cpor_store_object_fn fn,
                        void *arg) {
  faulty *f = self;
  int rc = tick(f);
  return rc ? rc : INNER(f, object_get, kind, id, fn, arg);
}
static int f_object_put(void *self, const cpor_store_object *obj, uint32_t mode) {
  faulty *f = self;
  int rc = tick(f);
  return rc ? rc : INNER(f, object_put, obj, mode);
}
static int f_object_scan(void *self, const cpor_store_filter *filter, cpor_store_object_fn fn,
                         void *arg) {
  faulty *f = self;
  int rc = tick(f);
  return rc ? rc : INNER(f, object_scan, filter, fn, arg);
}
static int f_lines_replace(void *self, const char *claim_id, const cpor_store_line *lines,
                           size_t count) {
  faulty *f = self;
  int rc = tick(f);
  return rc ? rc : INNER(f, lines_replace, claim_id, lines, count);
}
static int f_lines_by_unit(void *self, const char *unit, cpor_store_line_fn fn, void *arg) {
  faulty *f = self;
  int rc = tick(f);
  return rc ? rc : INNER(f, lines_by_unit, unit, fn, arg);
}
static int f_deadline_set(void *self, const char *claim_id, uint32_t kind, cpor_time due) {
  faulty *f = self;
  int rc = tick(f);
  return rc ? rc : INNER(f, deadline_set, claim_id, kind, due);
}
static int f_deadline_clear(void *self, const char *claim_id, uint32_t kind) {
  faulty *f = self;
  int rc = tick(f);
  return rc ? rc : INNER(f, deadline_clear, claim_id, kind);
}
static int f_deadline_scan(void *self, uint32_t kind, cpor_time upto, cpor_store_deadline_fn fn,
                           void *arg) {
  faulty *f = self;
  int rc = tick(f);
  return rc ? rc : INNER(f, deadline_scan, kind, upto, fn, arg);
}
static int f_event_append(void *self, const char *claim_id, uint32_t seq, const void *data,
                          size_t len) {
  faulty *f = self;
  int rc = tick(f);
  return rc ? rc : INNER(f, event_append, claim_id, seq, data, len);
}
static int f_event_scan(void *self, const char *claim_id, cpor_store_event_fn fn, void *arg) {
  faulty *f = self;
  int rc = tick(f);
  return rc ? rc : INNER(f, event_scan, claim_id, fn, arg);
}
static const char *f_errmsg(void *self) {
  faulty *f = self;
  if (f->injected) return f->msg;
  return f->inner->m.errmsg ? f->inner->m.errmsg(f->inner->self) : NULL;
}
static int f_savepoint(void *self) {
  faulty *f = self;
  int rc = tick(f);
  return rc ? rc : f->inner->m.savepoint(f->inner->self);
}
static int f_release(void *self) {
  faulty *f = self;
  int rc = tick(f);
  return rc ? rc : f->inner->m.release(f->inner->self);
}
static int f_rollback_to(void *self) {
  faulty *f = self;
  f->injected = 0;
  return f->inner->m.rollback_to(f->inner->self);
}
static void f_close(void *self) {
  free(self);
}

static int faulty_new(cpor_storage **out, cpor_storage *inner, long fail_at, long *ops_counter,
                      int savepoints) {
  if (!out) return CPOR_EINVAL;
  *out = NULL;
  if (!inner || (savepoints && !inner->m.savepoint)) return CPOR_EINVAL;
#define FAULTY_METHODS                                                                             \
  .version = CPOR_STORAGE_VERSION, .begin = f_begin, .commit = f_commit, .rollback = f_rollback,   \
  .object_get = f_object_get, .object_put = f_object_put, .object_scan = f_object_scan,            \
  .lines_replace = f_lines_replace, .lines_by_unit = f_lines_by_unit,                              \
  .deadline_set = f_deadline_set, .deadline_clear = f_deadline_clear,                              \
  .deadline_scan = f_deadline_scan, .event_append = f_event_append, .event_scan = f_event_scan,    \
  .errmsg = f_errmsg, .close = f_close
  static const cpor_storage_methods plain = {FAULTY_METHODS};
  static const cpor_storage_methods with_savepoints = {
      FAULTY_METHODS, .savepoint = f_savepoint, .release = f_release, .rollback_to = f_rollback_to};
#undef FAULTY_METHODS
  faulty *f = calloc(1, sizeof *f);
  if (!f) return CPOR_ENOMEM;
  f->inner = inner;
  f->fail_at = fail_at;
  f->ops = ops_counter;
  int rc = cpor_storage_new(out, savepoints ? &with_savepoints : &plain, f);
  if (rc) free(f);
  return rc;
}

int cpor_faulty_storage_new(cpor_storage **out, cpor_storage *inner, long fail_at,
                            long *ops_counter) {
  return faulty_new(out, inner, fail_at, ops_counter, 0);
}

int cpor_faulty_storage_with_savepoints(cpor_storage **out, cpor_storage *inner, long fail_at,
                                        long *ops_counter) {
  return faulty_new(out, inner, fail_at, ops_counter, 1);
}

void cpor_faulty_storage_fail_at(cpor_storage *s, long fail_at) {
  ((faulty *)s->self)->fail_at = fail_at;
}

START_TEST(faulty_wrapper) {
  cpor_storage *inner = open_backend(_i), *f = NULL;
  long ops = 0;
  ck_assert_status(cpor_faulty_storage_new(&f, inner, -1, &ops), CPOR_OK);
  ck_assert_int_eq(conf_script(f), CPOR_OK);
  ck_assert_int_eq(ops, 12);
  cpor_storage_free(f);
  BEGIN(inner, 1);
  ck_assert_status(conf_put(inner, CPOR_STORE_CLAIM, "c1", NULL, NULL, 0, "", 0, CPOR_STORE_UPDATE),
                   CPOR_OK); /* the script ran on inner */
  ck_assert_status(inner->m.rollback(inner->self), CPOR_OK);

  for (long k = 1; k <= 12; k++) {
    cpor_storage *g = open_backend(_i);
    long count = 0;
    ck_assert_status(cpor_faulty_storage_new(&f, g, k, &count), CPOR_OK);
    ck_assert_status(conf_script(f), CPOR_ESTORAGE);
    ck_assert_int_eq(count, k);
    char want[64];
    snprintf(want, sizeof want, "injected failure at operation %ld", k);
    ck_assert_str_eq(f->m.errmsg(f->self), want);
    ck_assert_status(f->m.rollback(f->self), CPOR_OK); /* never fails, even after begin */
    cpor_storage_free(f);                              /* leaves g open */
    BEGIN(g, 0);
    ck_assert_str_eq(conf_dump(g), ""); /* the failed transaction left nothing */
    COMMIT(g);
    cpor_storage_free(g);
  }
  ck_assert_status(cpor_faulty_storage_new(NULL, inner, 1, NULL), CPOR_EINVAL);
  ck_assert_status(cpor_faulty_storage_new(&f, NULL, 1, NULL), CPOR_EINVAL);
  ck_assert_ptr_null(f);
  cpor_storage_free(inner);
}
END_TEST

void cpor_conformance_add(Suite *suite, const char *name, cpor_conf_open_fn open, void *arg) {
  /* Runs while the suite is built, outside any test: no ck_assert here. */
  if (nbackends >= MAX_BACKENDS || !suite || !name || !open) {
    fprintf(stderr, "cpor_conformance_add: bad arguments or too many backends\n");
    abort();
  }
  int i = nbackends++;
  backends[i] = (backend){open, arg};
  TCase *tc = tcase_create(name);
  tcase_set_timeout(tc, 120);
  tcase_add_loop_test(tc, objects_round_trip, i, i + 1);
  tcase_add_loop_test(tc, objects_codes, i, i + 1);
  tcase_add_loop_test(tc, objects_bad_arguments, i, i + 1);
  tcase_add_loop_test(tc, scans_exact_and_ordered, i, i + 1);
  tcase_add_loop_test(tc, scans_stop_early, i, i + 1);
  tcase_add_loop_test(tc, lines_replace_and_by_unit, i, i + 1);
  tcase_add_loop_test(tc, lines_unique_per_unit, i, i + 1);
  tcase_add_loop_test(tc, deadlines_set_scan_clear, i, i + 1);
  tcase_add_loop_test(tc, events_append_and_scan, i, i + 1);
  tcase_add_loop_test(tc, rollback_undoes_everything, i, i + 1);
  tcase_add_loop_test(tc, commit_keeps_everything, i, i + 1);
  tcase_add_loop_test(tc, scale_10k, i, i + 1);
  tcase_add_loop_test(tc, faulty_wrapper, i, i + 1);
  suite_add_tcase(suite, tc);
}
