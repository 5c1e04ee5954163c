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
                   "7/claim-1 rev=1 owner=p1 ref=t1 state=3 data=610062000063");
  COMMIT(s);

  BEGIN(s, 0);
  ck_assert_str_eq(conf_get(s, CPOR_STORE_CLAIM, "claim-1"),
                   "7/claim-1 rev=1 owner=p1 ref=t1 state=3 data=610062000063");
  ck_assert_str_eq(conf_get(s, CPOR_STORE_CLAIM, "c-empty"),
                   "7/c-empty rev=1 owner=(null) ref=(null) state=0 data=");
  ck_assert_str_eq(conf_get(s, CPOR_STORE_CLAIM, "c-zero"),
                   "7/c-zero rev=1 owner=p1 ref=(null) state=0 data=");
  COMMIT(s);

  /* An update replaces everything: data, owner (to NULL), ref, state. */
  unsigned char big[3000];
  for (size_t i = 0; i < sizeof big; i++)
    big[i] = (unsigned char)(i % 7 == 0 ? 0 : i);
  BEGIN(s, 1);
  ck_assert_status(conf_put_rev(s, CPOR_STORE_CLAIM, "claim-1", NULL, "t2", 9, 1, big, sizeof big,
                                CPOR_STORE_UPDATE),
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
  ck_assert_int_eq(got.revision, 2);
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
                   "7/a rev=1 owner=p1 ref=(null) state=1 data=6f6e65");
  ck_assert_str_eq(conf_get(s, CPOR_STORE_PARTNER, "a"),
                   "1/a rev=1 owner=(null) ref=(null) state=0 data=7061");
  ck_assert_str_eq(conf_get(s, CPOR_STORE_CLAIM, "b"), "ENOTFOUND");
  COMMIT(s);
  cpor_storage_free(s);
}
END_TEST

START_TEST(objects_bad_arguments) {
  cpor_storage *s = open_backend(_i);
  cpor_store_object o;
  void *cur = NULL;
  BEGIN(s, 1);
  conf_claims(s, "c1");
  ck_assert_status(s->m.object_put(s->self, NULL, CPOR_STORE_INSERT), CPOR_EINVAL);
  ck_assert_status(conf_put(s, CPOR_STORE_CLAIM, NULL, NULL, NULL, 0, "x", 1, CPOR_STORE_INSERT),
                   CPOR_EINVAL);
  ck_assert_status(conf_put(s, CPOR_STORE_CLAIM, "", NULL, NULL, 0, "x", 1, CPOR_STORE_INSERT),
                   CPOR_EINVAL);
  ck_assert_status(conf_put(s, CPOR_STORE_CLAIM, "a", NULL, NULL, 0, "x", 1, 99), CPOR_EINVAL);
  ck_assert_status(s->m.object_get(s->self, CPOR_STORE_CLAIM, NULL, &o), CPOR_EINVAL);
  ck_assert_status(s->m.cursor_open(s->self, NULL, &cur), CPOR_EINVAL);
  cpor_store_query q = conf_objects_query(CPOR_STORE_CLAIM, CPOR_STORE_BY_OWNER, NULL, 0, NULL);
  ck_assert_status(s->m.cursor_open(s->self, &q, &cur), CPOR_EINVAL);
  ck_assert_status(s->m.lines_replace(s->self, NULL, NULL, 0), CPOR_EINVAL);
  cpor_store_query lq = {.what = CPOR_STORE_CURSOR_LINES, .key = ""};
  ck_assert_status(s->m.cursor_open(s->self, &lq, &cur), CPOR_EINVAL);
  ck_assert_status(s->m.keys_replace(s->self, NULL, NULL, 0), CPOR_EINVAL);
  ck_assert_status(conf_take(s, "", "k1"), CPOR_EINVAL);
  const char *empty[] = {""};
  ck_assert_status(s->m.keys_replace(s->self, "c1", empty, 1), CPOR_EINVAL);
  ck_assert_status(s->m.deadline_set(s->self, NULL, CPOR_DEADLINE_SLA, 1), CPOR_EINVAL);
  ck_assert_status(s->m.event_append(s->self, NULL, 1, "x", 1), CPOR_EINVAL);
  cpor_store_query eq = {.what = CPOR_STORE_CURSOR_EVENTS, .key = ""};
  ck_assert_status(s->m.cursor_open(s->self, &eq, &cur), CPOR_EINVAL);
  COMMIT(s);
  BEGIN(s, 1);
  ck_assert_str_eq(conf_dump(s), "obj 7/c1 rev=1 owner=(null) ref=(null) state=0 data=\n");
  ck_assert_str_eq(conf_keys(s, "k1"), "");
  COMMIT(s);
  cpor_storage_free(s);
}
END_TEST

/* ---- revisions -------------------------------------------------------------------- */

/* The object tests run on two kinds: claims, and the outbox's messages
 * (a backend may keep a kind in a table of its own, as SQLite does). */
static const uint32_t object_kinds[] = {CPOR_STORE_CLAIM, CPOR_STORE_OUTBOX};

/* "K/rest": an object as conf_get renders it, for kind k. */
static const char *of_kind(uint32_t k, const char *rest) {
  static char buf[512];
  snprintf(buf, sizeof buf, "%u/%s", (unsigned)k, rest);
  return buf;
}

static void revisions_conditional_writes_of(int i, uint32_t K) {
  cpor_storage *s = open_backend(i);
  BEGIN(s, 1);
  /* INSERT ignores the revision it is given: the stored one is 1. */
  ck_assert_status(conf_put_rev(s, K, "a", "p1", NULL, 1, 77, "v1", 2, CPOR_STORE_INSERT), CPOR_OK);
  ck_assert_int_eq(conf_rev(s, K, "a"), 1);
  ck_assert_status(conf_put_rev(s, K, "a", "p1", NULL, 2, 1, "v2", 2, CPOR_STORE_UPDATE), CPOR_OK);
  ck_assert_int_eq(conf_rev(s, K, "a"), 2);
  COMMIT(s);

  BEGIN(s, 1);
  ck_assert_status(conf_put_rev(s, K, "a", "p1", NULL, 3, 2, "v3", 2, CPOR_STORE_UPDATE), CPOR_OK);
  /* A writer that read revision 2 (or 1, or one from the future) lost. */
  ck_assert_status(conf_put_rev(s, K, "a", "px", "r", 9, 2, "no", 2, CPOR_STORE_UPDATE),
                   CPOR_ECONFLICT);
  ck_assert_status(conf_put_rev(s, K, "a", "px", "r", 9, 1, "no", 2, CPOR_STORE_UPDATE),
                   CPOR_ECONFLICT);
  ck_assert_status(conf_put_rev(s, K, "a", "px", "r", 9, 4, "no", 2, CPOR_STORE_UPDATE),
                   CPOR_ECONFLICT);
  ck_assert_status(conf_put_rev(s, K, "a", NULL, NULL, 0, 2, NULL, 0, CPOR_STORE_DELETE),
                   CPOR_ECONFLICT);
  ck_assert_status(conf_put_rev(s, K, "a", NULL, NULL, 0, 0, NULL, 0, CPOR_STORE_DELETE),
                   CPOR_ECONFLICT);
  /* ... and changed nothing: the object, and every index over it. */
  ck_assert_str_eq(conf_get(s, K, "a"),
                   of_kind(K, "a rev=3 owner=p1 ref=(null) state=3 data=7633"));
  ck_assert_str_eq(conf_scan(s, K, CPOR_STORE_BY_OWNER, "px", 0), "");
  ck_assert_str_eq(conf_scan(s, K, CPOR_STORE_BY_REF, "r", 0), "");
  ck_assert_str_eq(conf_scan(s, K, CPOR_STORE_BY_STATE, NULL, 9), "");
  ck_assert_str_eq(conf_scan(s, K, CPOR_STORE_BY_STATE, NULL, 3), "a,");
  /* Absent: CPOR_ENOTFOUND whatever the revision. */
  ck_assert_status(conf_put_rev(s, K, "b", "p1", NULL, 0, 1, "x", 1, CPOR_STORE_UPDATE),
                   CPOR_ENOTFOUND);
  ck_assert_status(conf_put_rev(s, K, "b", NULL, NULL, 0, 0, NULL, 0, CPOR_STORE_DELETE),
                   CPOR_ENOTFOUND);
  ck_assert_status(
      conf_put_rev(s, CPOR_STORE_PARTNER, "a", NULL, NULL, 0, 3, "", 0, CPOR_STORE_UPDATE),
      CPOR_ENOTFOUND);
  COMMIT(s);

  /* Revisions are committed and rolled back with the rest. */
  BEGIN(s, 1);
  ck_assert_int_eq(conf_rev(s, K, "a"), 3);
  ck_assert_status(conf_put_rev(s, K, "a", "p1", NULL, 4, 3, "v4", 2, CPOR_STORE_UPDATE), CPOR_OK);
  ck_assert_status(conf_put_rev(s, K, "a", "p1", NULL, 5, 4, "v5", 2, CPOR_STORE_UPDATE), CPOR_OK);
  ck_assert_int_eq(conf_rev(s, K, "a"), 5);
  ROLLBACK(s);
  BEGIN(s, 1);
  ck_assert_str_eq(conf_get(s, K, "a"),
                   of_kind(K, "a rev=3 owner=p1 ref=(null) state=3 data=7633"));
  ck_assert_status(conf_put_rev(s, K, "a", "p1", NULL, 4, 4, "v4", 2, CPOR_STORE_UPDATE),
                   CPOR_ECONFLICT);
  ck_assert_status(conf_put_rev(s, K, "a", "p1", NULL, 4, 3, "v4", 2, CPOR_STORE_UPDATE), CPOR_OK);
  COMMIT(s);
  BEGIN(s, 0);
  ck_assert_str_eq(conf_get(s, K, "a"),
                   of_kind(K, "a rev=4 owner=p1 ref=(null) state=4 data=7634"));
  COMMIT(s);
  cpor_storage_free(s);
}

START_TEST(revisions_conditional_writes) {
  for (size_t k = 0; k < sizeof object_kinds / sizeof object_kinds[0]; k++)
    revisions_conditional_writes_of(_i, object_kinds[k]);
}
END_TEST

static void objects_delete_of(int i, uint32_t K) {
  cpor_storage *s = open_backend(i);
  BEGIN(s, 1);
  ck_assert_status(conf_put(s, K, "a", "p1", "t1", 2, "A", 1, CPOR_STORE_INSERT), CPOR_OK);
  ck_assert_status(conf_put(s, K, "b", "p1", "t1", 2, "B", 1, CPOR_STORE_INSERT), CPOR_OK);
  ck_assert_status(conf_put(s, K, "c", "p1", "t1", 2, "C", 1, CPOR_STORE_INSERT), CPOR_OK);
  ck_assert_status(conf_put(s, CPOR_STORE_TENANT, "b", "p1", "t1", 2, "", 0, CPOR_STORE_INSERT),
                   CPOR_OK);
  ck_assert_status(conf_put(s, K, "b", "p1", "t1", 2, "B2", 2, CPOR_STORE_UPDATE), CPOR_OK);
  COMMIT(s);

  BEGIN(s, 1);
  /* DELETE ignores data, owner and ref; only the revision counts. */
  ck_assert_status(conf_put_rev(s, K, "b", "zz", "zz", 7, 2, "junk", 4, CPOR_STORE_DELETE),
                   CPOR_OK);
  ck_assert_str_eq(conf_get(s, K, "b"), "ENOTFOUND");
  ck_assert_str_eq(conf_scan(s, K, CPOR_STORE_BY_KIND, NULL, 0), "a,c,");
  ck_assert_str_eq(conf_scan(s, K, CPOR_STORE_BY_OWNER, "p1", 0), "a,c,");
  ck_assert_str_eq(conf_scan(s, K, CPOR_STORE_BY_REF, "t1", 0), "a,c,");
  ck_assert_str_eq(conf_scan(s, K, CPOR_STORE_BY_STATE, NULL, 2), "a,c,");
  ck_assert_str_eq(conf_scan(s, CPOR_STORE_TENANT, CPOR_STORE_BY_KIND, NULL, 0), "b,");
  ck_assert_status(conf_delete(s, K, "b"), CPOR_ENOTFOUND); /* gone already */
  COMMIT(s);

  /* A delete rolled back is undone; deleted then inserted again starts over. */
  BEGIN(s, 1);
  ck_assert_status(conf_delete(s, K, "a"), CPOR_OK);
  ck_assert_status(conf_put(s, K, "a", "p2", NULL, 5, "new", 3, CPOR_STORE_INSERT), CPOR_OK);
  ck_assert_str_eq(conf_get(s, K, "a"),
                   of_kind(K, "a rev=1 owner=p2 ref=(null) state=5 data=6e6577"));
  ck_assert_status(conf_delete(s, K, "c"), CPOR_OK);
  ROLLBACK(s);
  BEGIN(s, 1);
  ck_assert_str_eq(conf_get(s, K, "a"), of_kind(K, "a rev=1 owner=p1 ref=t1 state=2 data=41"));
  ck_assert_str_eq(conf_scan(s, K, CPOR_STORE_BY_OWNER, "p1", 0), "a,c,");
  ck_assert_str_eq(conf_scan(s, K, CPOR_STORE_BY_OWNER, "p2", 0), "");
  ck_assert_status(conf_delete(s, K, "a"), CPOR_OK);
  ck_assert_status(conf_put(s, K, "b", NULL, NULL, 0, "", 0, CPOR_STORE_INSERT), CPOR_OK);
  COMMIT(s);
  BEGIN(s, 0);
  ck_assert_str_eq(conf_scan(s, K, CPOR_STORE_BY_KIND, NULL, 0), "b,c,");
  ck_assert_str_eq(conf_get(s, K, "b"),
                   of_kind(K, "b rev=1 owner=(null) ref=(null) state=0 data="));
  COMMIT(s);
  cpor_storage_free(s);
}

START_TEST(objects_delete) {
  for (size_t k = 0; k < sizeof object_kinds / sizeof object_kinds[0]; k++)
    objects_delete_of(_i, object_kinds[k]);
}
END_TEST

/* ---- object cursors --------------------------------------------------------------- */

static void put_scan_fixture(cpor_storage *s, uint32_t K) {
  /* Inserted out of order; bytewise order: "B" < "a" < "aa" < "b" < "c" < "\xc3\xa9". */
  static const struct {
    const char *id, *owner, *ref;
    int32_t state;
  } rows[] = {{"c", "p1", "t1", 2},  {"a", "p1", "t2", 5}, {"\xc3\xa9", "p1", "t1", 2},
              {"aa", "p2", NULL, 2}, {"B", NULL, "t1", 5}, {"b", "p2", "t2", 0}};
  for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
    ck_assert_status(conf_put(s, K, rows[i].id, rows[i].owner, rows[i].ref, rows[i].state,
                              rows[i].id, strlen(rows[i].id), CPOR_STORE_INSERT),
                     CPOR_OK);
  /* Another kind with the same keys must never show up in claim scans. */
  ck_assert_status(conf_put(s, CPOR_STORE_TENANT, "a0", "p1", "t1", 2, "", 0, CPOR_STORE_INSERT),
                   CPOR_OK);
}

static void scans_exact_and_ordered_of(int i, uint32_t K) {
  cpor_storage *s = open_backend(i);
  BEGIN(s, 1);
  put_scan_fixture(s, K);
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
  /* Rows carry the whole object. */
  cpor_store_query q = conf_objects_query(K, CPOR_STORE_BY_REF, "t2", 0, NULL);
  conf_text t = conf_text_new();
  conf_run(s, &q, &t, 1, 0);
  char want[256];
  snprintf(want, sizeof want,
           "obj %u/a rev=1 owner=p1 ref=t2 state=5 data=61\n"
           "obj %u/b rev=1 owner=p2 ref=t2 state=0 data=62\n",
           (unsigned)K, (unsigned)K);
  ck_assert_str_eq(t.p, want);
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

START_TEST(scans_exact_and_ordered) {
  for (size_t k = 0; k < sizeof object_kinds / sizeof object_kinds[0]; k++)
    scans_exact_and_ordered_of(_i, object_kinds[k]);
}
END_TEST

static void scans_after_of(int i, uint32_t K) {
  cpor_storage *s = open_backend(i);
  BEGIN(s, 1);
  put_scan_fixture(s, K);
  COMMIT(s);
  BEGIN(s, 0);
  ck_assert_str_eq(conf_scan_after(s, K, CPOR_STORE_BY_KIND, NULL, 0, ""), "B,a,aa,b,c,\xc3\xa9,");
  ck_assert_str_eq(conf_scan_after(s, K, CPOR_STORE_BY_KIND, NULL, 0, "a"), "aa,b,c,\xc3\xa9,");
  ck_assert_str_eq(conf_scan_after(s, K, CPOR_STORE_BY_KIND, NULL, 0, "ab"), "b,c,\xc3\xa9,");
  ck_assert_str_eq(conf_scan_after(s, K, CPOR_STORE_BY_KIND, NULL, 0, "A"), "B,a,aa,b,c,\xc3\xa9,");
  ck_assert_str_eq(conf_scan_after(s, K, CPOR_STORE_BY_KIND, NULL, 0, "c"), "\xc3\xa9,");
  ck_assert_str_eq(conf_scan_after(s, K, CPOR_STORE_BY_KIND, NULL, 0, "\xc3\xa9"), "");
  ck_assert_str_eq(conf_scan_after(s, K, CPOR_STORE_BY_KIND, NULL, 0, "\xff"), "");
  ck_assert_str_eq(conf_scan_after(s, K, CPOR_STORE_BY_OWNER, "p1", 0, "a"), "c,\xc3\xa9,");
  ck_assert_str_eq(conf_scan_after(s, K, CPOR_STORE_BY_OWNER, "p2", 0, "b"), "");
  ck_assert_str_eq(conf_scan_after(s, K, CPOR_STORE_BY_REF, "t1", 0, "B"), "c,\xc3\xa9,");
  ck_assert_str_eq(conf_scan_after(s, K, CPOR_STORE_BY_STATE, NULL, 2, "ab"), "c,\xc3\xa9,");
  ck_assert_str_eq(conf_scan_after(s, K, CPOR_STORE_BY_STATE, NULL, 5, "B"), "a,");
  /* Paging: each page starts after the last id of the one before. */
  char last[256] = "", pages[256] = "";
  for (int page = 0; page < 10; page++) {
    cpor_store_query q = conf_objects_query(K, CPOR_STORE_BY_KIND, NULL, 0, page ? last : NULL);
    void *cur = NULL;
    ck_assert_status(s->m.cursor_open(s->self, &q, &cur), CPOR_OK);
    cpor_store_row row;
    int n = 0;
    while (n < 2 && s->m.cursor_next(s->self, cur, &row) == 1) {
      snprintf(last, sizeof last, "%s", row.object.id);
      strcat(pages, last);
      strcat(pages, n ? "|" : ",");
      n++;
    }
    s->m.cursor_close(s->self, cur);
    if (n < 2) break;
  }
  ck_assert_str_eq(pages, "B,a|aa,b|c,\xc3\xa9|");
  COMMIT(s);
  cpor_storage_free(s);
}

START_TEST(scans_after) {
  for (size_t k = 0; k < sizeof object_kinds / sizeof object_kinds[0]; k++)
    scans_after_of(_i, object_kinds[k]);
}
END_TEST

/* ---- cursors ---------------------------------------------------------------------- */

START_TEST(cursors_unknown_query) {
  cpor_storage *s = open_backend(_i);
  void *cur = NULL;
  BEGIN(s, 0);
  cpor_store_query q = {.what = 0, .key = "c1"};
  ck_assert_status(s->m.cursor_open(s->self, &q, &cur), CPOR_EINVAL);
  q.what = 99;
  ck_assert_status(s->m.cursor_open(s->self, &q, &cur), CPOR_EINVAL);
  q = conf_objects_query(CPOR_STORE_CLAIM, 0, NULL, 0, NULL);
  ck_assert_status(s->m.cursor_open(s->self, &q, &cur), CPOR_EINVAL);
  q.by = 99;
  ck_assert_status(s->m.cursor_open(s->self, &q, &cur), CPOR_EINVAL);
  q = conf_objects_query(CPOR_STORE_CLAIM, CPOR_STORE_BY_REF, NULL, 0, NULL);
  ck_assert_status(s->m.cursor_open(s->self, &q, &cur), CPOR_EINVAL);
  /* The refusals left the transaction usable. */
  ck_assert_str_eq(conf_scan(s, CPOR_STORE_CLAIM, CPOR_STORE_BY_KIND, NULL, 0), "");
  COMMIT(s);
  cpor_storage_free(s);
}
END_TEST

static void put_cursor_fixture(cpor_storage *s) {
  BEGIN(s, 1);
  put_scan_fixture(s, CPOR_STORE_CLAIM);
  ck_assert_status(conf_put(s, CPOR_STORE_CLAIM, "c1", "p9", NULL, 9, "", 0, CPOR_STORE_INSERT),
                   CPOR_OK);
  ck_assert_status(conf_put(s, CPOR_STORE_CLAIM, "c2", "p9", NULL, 9, "", 0, CPOR_STORE_INSERT),
                   CPOR_OK);
  cpor_store_line l1[] = {{"c1", 0, "u1", "p1", 2}, {"c1", 1, "u1", "p1", 3}};
  ck_assert_status(s->m.lines_replace(s->self, "c1", l1, 2), CPOR_OK);
  cpor_store_line l2[] = {{"c2", 0, "u1", "p2", 5}};
  ck_assert_status(s->m.lines_replace(s->self, "c2", l2, 1), CPOR_OK);
  ck_assert_status(s->m.deadline_set(s->self, "c1", CPOR_DEADLINE_OPTOUT, 10), CPOR_OK);
  ck_assert_status(s->m.deadline_set(s->self, "c2", CPOR_DEADLINE_OPTOUT, 20), CPOR_OK);
  ck_assert_status(s->m.event_append(s->self, "c1", 1, "e1", 2), CPOR_OK);
  ck_assert_status(s->m.event_append(s->self, "c1", 2, "e2", 2), CPOR_OK);
  COMMIT(s);
}

START_TEST(cursors_open_together) {
  cpor_storage *s = open_backend(_i);
  put_cursor_fixture(s);
  BEGIN(s, 0);
  /* One cursor of each kind and a second objects cursor, interleaved. */
  cpor_store_query qo = conf_objects_query(CPOR_STORE_CLAIM, CPOR_STORE_BY_KIND, NULL, 0, NULL);
  cpor_store_query qp = conf_objects_query(CPOR_STORE_CLAIM, CPOR_STORE_BY_OWNER, "p1", 0, NULL);
  cpor_store_query ql = {.what = CPOR_STORE_CURSOR_LINES, .key = "u1"};
  cpor_store_query qd = {
      .what = CPOR_STORE_CURSOR_DEADLINES, .kind = CPOR_DEADLINE_OPTOUT, .upto = 99};
  cpor_store_query qe = {.what = CPOR_STORE_CURSOR_EVENTS, .key = "c1"};
  const cpor_store_query *qs[] = {&qo, &qp, &ql, &qd, &qe};
  void *cur[5] = {0};
  for (int i = 0; i < 5; i++)
    ck_assert_status(s->m.cursor_open(s->self, qs[i], &cur[i]), CPOR_OK);
  char bufs[5][1024]; /* not conf_text_new's: conf_get below rotates those */
  conf_text t[5];
  for (int i = 0; i < 5; i++) {
    t[i] = (conf_text){bufs[i], 0, sizeof bufs[i]};
    bufs[i][0] = '\0';
  }
  int live = 5, ended[5] = {0};
  while (live) {
    for (int i = 0; i < 5; i++) {
      if (ended[i]) continue;
      cpor_store_row row;
      int rc = s->m.cursor_next(s->self, cur[i], &row);
      ck_assert_int_ge(rc, 0);
      if (rc == 0) {
        ended[i] = 1, live--;
        continue;
      }
      conf_render_row(&t[i], qs[i]->what, &row, 0);
      /* object_get in the middle of it all. */
      ck_assert_str_eq(conf_get(s, CPOR_STORE_CLAIM, "b"),
                       "7/b rev=1 owner=p2 ref=t2 state=0 data=62");
    }
  }
  for (int i = 0; i < 5; i++)
    s->m.cursor_close(s->self, cur[i]);
  ck_assert_str_eq(t[0].p, "B,a,aa,b,c,c1,c2,\xc3\xa9,");
  ck_assert_str_eq(t[1].p, "a,c,\xc3\xa9,");
  ck_assert_str_eq(t[2].p, "c1#0:u1:p1:2;c1#1:u1:p1:3;c2#0:u1:p2:5;");
  ck_assert_str_eq(t[3].p, "c1@10;c2@20;");
  ck_assert_str_eq(t[4].p, "1=6531;2=6532;");
  COMMIT(s);
  cpor_storage_free(s);
}
END_TEST

START_TEST(cursors_get_while_open) {
  /* A row read before an object_get of the same object and of others: the
   * row stays valid until the cursor moves, the get's until the next get. */
  cpor_storage *s = open_backend(_i);
  put_cursor_fixture(s);
  BEGIN(s, 0);
  cpor_store_query q = conf_objects_query(CPOR_STORE_CLAIM, CPOR_STORE_BY_STATE, NULL, 5, NULL);
  void *cur = NULL;
  ck_assert_status(s->m.cursor_open(s->self, &q, &cur), CPOR_OK);
  cpor_store_row row;
  ck_assert_int_eq(s->m.cursor_next(s->self, cur, &row), 1);
  cpor_store_object o;
  ck_assert_status(s->m.object_get(s->self, CPOR_STORE_CLAIM, row.object.id, &o), CPOR_OK);
  ck_assert_str_eq(o.id, "B");
  ck_assert_int_eq(o.len, 1);
  ck_assert_int_eq(memcmp(o.data, "B", 1), 0);
  ck_assert_status(s->m.object_get(s->self, CPOR_STORE_CLAIM, "nope", &o), CPOR_ENOTFOUND);
  ck_assert_str_eq(row.object.id, "B");
  ck_assert_int_eq(row.object.state, 5);
  ck_assert_int_eq(row.object.revision, 1);
  ck_assert_ptr_null(row.object.owner);
  ck_assert_str_eq(row.object.ref, "t1");
  ck_assert_int_eq(s->m.cursor_next(s->self, cur, &row), 1);
  ck_assert_str_eq(row.object.id, "a");
  ck_assert_int_eq(s->m.cursor_next(s->self, cur, &row), 0);
  s->m.cursor_close(s->self, cur);
  COMMIT(s);
  cpor_storage_free(s);
}
END_TEST

START_TEST(cursors_close_early) {
  cpor_storage *s = open_backend(_i);
  put_cursor_fixture(s);
  cpor_store_query qs[] = {
      conf_objects_query(CPOR_STORE_CLAIM, CPOR_STORE_BY_KIND, NULL, 0, NULL),
      {.what = CPOR_STORE_CURSOR_LINES, .key = "u1"},
      {.what = CPOR_STORE_CURSOR_DEADLINES, .kind = CPOR_DEADLINE_OPTOUT, .upto = 99},
      {.what = CPOR_STORE_CURSOR_EVENTS, .key = "c1"},
  };
  /* Closed after one row, or before any, in a read and a write transaction;
   * then the store is written and committed as usual. */
  for (int w = 0; w < 2; w++) {
    BEGIN(s, w);
    for (int i = 0; i < 4; i++) {
      conf_text t = conf_text_new();
      conf_run(s, &qs[i], &t, 0, 1);
      ck_assert_msg(t.n > 0, "query %d returned nothing", i);
      void *cur = NULL;
      ck_assert_status(s->m.cursor_open(s->self, &qs[i], &cur), CPOR_OK);
      s->m.cursor_close(s->self, cur);
    }
    if (w) ck_assert_status(s->m.event_append(s->self, "c1", 3, "e3", 2), CPOR_OK);
    COMMIT(s);
  }
  BEGIN(s, 0);
  ck_assert_str_eq(conf_events(s, "c1"), "1=6531;2=6532;3=6533;");
  COMMIT(s);
  cpor_storage_free(s);
}
END_TEST

START_TEST(cursors_end_stays_end) {
  /* After the 0 that ends a query, cursor_next keeps returning 0: it must
   * not start the query over (SQLite's sqlite3_step does after SQLITE_DONE). */
  cpor_storage *s = open_backend(_i);
  put_cursor_fixture(s);
  cpor_store_query qs[] = {
      conf_objects_query(CPOR_STORE_CLAIM, CPOR_STORE_BY_OWNER, "p2", 0, NULL),
      {.what = CPOR_STORE_CURSOR_LINES, .key = "u1"},
      {.what = CPOR_STORE_CURSOR_DEADLINES, .kind = CPOR_DEADLINE_OPTOUT, .upto = 99},
      {.what = CPOR_STORE_CURSOR_EVENTS, .key = "c1"},
      {.what = CPOR_STORE_CURSOR_EVENTS, .key = "c9"},
  };
  BEGIN(s, 0);
  for (size_t i = 0; i < sizeof qs / sizeof qs[0]; i++) {
    void *cur = NULL;
    cpor_store_row row;
    int rc;
    ck_assert_status(s->m.cursor_open(s->self, &qs[i], &cur), CPOR_OK);
    while ((rc = s->m.cursor_next(s->self, cur, &row)) == 1)
      continue;
    ck_assert_int_eq(rc, 0);
    for (int k = 0; k < 3; k++)
      ck_assert_msg(s->m.cursor_next(s->self, cur, &row) == 0, "query %zu: a row after the end", i);
    s->m.cursor_close(s->self, cur);
  }
  COMMIT(s);
  cpor_storage_free(s);
}
END_TEST

START_TEST(cursors_empty) {
  cpor_storage *s = open_backend(_i);
  BEGIN(s, 0);
  ck_assert_str_eq(conf_scan(s, CPOR_STORE_CLAIM, CPOR_STORE_BY_KIND, NULL, 0), "");
  ck_assert_str_eq(conf_scan(s, CPOR_STORE_CLAIM, CPOR_STORE_BY_OWNER, "p1", 0), "");
  ck_assert_str_eq(conf_scan_after(s, CPOR_STORE_CLAIM, CPOR_STORE_BY_STATE, NULL, 0, "a"), "");
  ck_assert_str_eq(conf_lines(s, "u1"), "");
  ck_assert_str_eq(conf_deadlines(s, CPOR_DEADLINE_SLA, INT64_MAX), "");
  ck_assert_str_eq(conf_events(s, "c1"), "");
  COMMIT(s);
  cpor_storage_free(s);
}
END_TEST

/* ---- lines ------------------------------------------------------------------------ */

START_TEST(lines_replace_and_by_unit) {
  cpor_storage *s = open_backend(_i);
  const int32_t SUB = 2, REV = 3;
  BEGIN(s, 1);
  conf_claims(s, "c0 c1 c2 c9");
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
  ck_assert_str_eq(conf_lines(s, "u"), "");
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

/* A replace that keeps some rows, changes a status, a unit or a partner,
 * adds and drops rows: what is stored is the new set, whatever the backend
 * writes to get there; a transaction rolled back restores the old set. */
START_TEST(lines_replace_changes_rows) {
  cpor_storage *s = open_backend(_i);
  BEGIN(s, 1);
  conf_claims(s, "c1 c2");
  cpor_store_line a[] = {
      {"c1", 0, "u1", "p", 2}, {"c1", 1, "u2", "p", 2}, {"c1", 2, "u3", NULL, 2}};
  ck_assert_status(s->m.lines_replace(s->self, "c1", a, 3), CPOR_OK);
  cpor_store_line other[] = {{"c2", 0, "u1", "q", 2}};
  ck_assert_status(s->m.lines_replace(s->self, "c2", other, 1), CPOR_OK);
  COMMIT(s);
  BEGIN(s, 1);
  /* line 0: status; 1: unit; 2: partner set; 4: new; nothing dropped. */
  cpor_store_line b[] = {{"c1", 4, "u5", "p", 2},
                         {"c1", 0, "u1", "p", 5},
                         {"c1", 1, "u4", "p", 2},
                         {"c1", 2, "u3", "p", 2}};
  ck_assert_status(s->m.lines_replace(s->self, "c1", b, 4), CPOR_OK);
  ck_assert_str_eq(conf_lines(s, "u1"), "c1#0:u1:p:5;c2#0:u1:q:2;");
  ck_assert_str_eq(conf_lines(s, "u2"), "");
  ck_assert_str_eq(conf_lines(s, "u3"), "c1#2:u3:p:2;");
  ck_assert_str_eq(conf_lines(s, "u4"), "c1#1:u4:p:2;");
  ck_assert_str_eq(conf_lines(s, "u5"), "c1#4:u5:p:2;");
  /* The same set again changes nothing; then all but line 4 go. */
  ck_assert_status(s->m.lines_replace(s->self, "c1", b, 4), CPOR_OK);
  ck_assert_str_eq(conf_lines(s, "u4"), "c1#1:u4:p:2;");
  cpor_store_line c[] = {{"c1", 4, "u5", NULL, 3}};
  ck_assert_status(s->m.lines_replace(s->self, "c1", c, 1), CPOR_OK);
  ck_assert_str_eq(conf_lines(s, "u1"), "c2#0:u1:q:2;");
  ck_assert_str_eq(conf_lines(s, "u3"), "");
  ck_assert_str_eq(conf_lines(s, "u4"), "");
  ck_assert_str_eq(conf_lines(s, "u5"), "c1#4:u5:(null):3;");
  ROLLBACK(s);
  BEGIN(s, 0);
  ck_assert_str_eq(conf_lines(s, "u1"), "c1#0:u1:p:2;c2#0:u1:q:2;");
  ck_assert_str_eq(conf_lines(s, "u2"), "c1#1:u2:p:2;");
  ck_assert_str_eq(conf_lines(s, "u3"), "c1#2:u3:(null):2;");
  ck_assert_str_eq(conf_lines(s, "u5"), "");
  COMMIT(s);
  cpor_storage_free(s);
}
END_TEST

START_TEST(lines_any_status_coexist) {
  /* Statuses are opaque: no value has a rule attached, any number of rows
   * of one status may share a unit (the exclusive keys carry those rules). */
  cpor_storage *s = open_backend(_i);
  BEGIN(s, 1);
  conf_claims(s, "c0 c1 c2 c3 c4 c5 c9");
  for (int i = 0; i < 6; i++) {
    char id[8];
    snprintf(id, sizeof id, "c%d", i);
    cpor_store_line l[] = {{id, 0, "u1", "p", 5}, {id, 1, "u1", "p", 6}, {id, 2, "u2", "p", -1}};
    ck_assert_status(s->m.lines_replace(s->self, id, l, 3), CPOR_OK);
  }
  cpor_store_line odd[] = {{"c9", 7, "u3", "p", INT32_MAX}, {"c9", 8, "u3", "p", INT32_MIN}};
  ck_assert_status(s->m.lines_replace(s->self, "c9", odd, 2), CPOR_OK);
  COMMIT(s);
  BEGIN(s, 0);
  ck_assert_str_eq(conf_lines(s, "u1"), "c0#0:u1:p:5;c0#1:u1:p:6;c1#0:u1:p:5;c1#1:u1:p:6;"
                                        "c2#0:u1:p:5;c2#1:u1:p:6;c3#0:u1:p:5;c3#1:u1:p:6;"
                                        "c4#0:u1:p:5;c4#1:u1:p:6;c5#0:u1:p:5;c5#1:u1:p:6;");
  ck_assert_str_eq(conf_lines(s, "u3"), "c9#7:u3:p:2147483647;c9#8:u3:p:-2147483648;");
  COMMIT(s);
  cpor_storage_free(s);
}
END_TEST

/* ---- keys ------------------------------------------------------------------------- */

START_TEST(keys_exclusive) {
  cpor_storage *s = open_backend(_i);
  BEGIN(s, 1);
  conf_claims(s, "c1 c2 c3 c4 c5 c6 c7 c9");
  ck_assert_status(conf_take(s, "c1", "k1 k2"), CPOR_OK);
  ck_assert_status(conf_take(s, "c2", "k3"), CPOR_OK);
  /* A held key refuses another claim, and the refused claim keeps its keys. */
  ck_assert_status(conf_take(s, "c2", "k4 k2"), CPOR_EEXISTS);
  ck_assert_status(conf_take(s, "c3", "k1"), CPOR_EEXISTS);
  ck_assert_str_eq(conf_keys(s, "k1 k2 k3 k4"), "k1,k2,k3,");
  ck_assert_status(conf_take(s, "c9", "k4"), CPOR_OK); /* k4 was not taken by c2 */
  ck_assert_status(conf_take(s, "c9", ""), CPOR_OK);
  COMMIT(s);

  BEGIN(s, 1);
  ck_assert_str_eq(conf_keys(s, "k1 k2 k3 k4"), "k1,k2,k3,");
  /* A claim replacing its own keys: kept ones, new ones, dropped ones. */
  ck_assert_status(conf_take(s, "c1", "k2 k5"), CPOR_OK);
  ck_assert_status(conf_take(s, "c1", "k5 k2"), CPOR_OK); /* the same set again */
  ck_assert_str_eq(conf_keys(s, "k1 k2 k3 k5"), "k2,k3,k5,");
  /* k1, released by c1, can be taken by c3; c1 cannot take it back. */
  ck_assert_status(conf_take(s, "c3", "k1"), CPOR_OK);
  ck_assert_status(conf_take(s, "c1", "k1 k2 k5"), CPOR_EEXISTS);
  ck_assert_status(conf_take(s, "c3", "k2"), CPOR_EEXISTS); /* c3 still holds k1 */
  ck_assert_str_eq(conf_keys(s, "k1 k2 k3 k5"), "k1,k2,k3,k5,");
  /* Releasing every key. */
  ck_assert_status(conf_take(s, "c2", ""), CPOR_OK);
  ck_assert_status(conf_take(s, "c4", "k3"), CPOR_OK);
  ck_assert_status(conf_take(s, "c4", ""), CPOR_OK);
  ck_assert_status(conf_take(s, "c7", ""), CPOR_OK); /* held none: fine */
  COMMIT(s);
  BEGIN(s, 1);
  ck_assert_str_eq(conf_keys(s, "k1 k2 k3 k4 k5"), "k1,k2,k5,");
  /* Keys are bytes: prefixes and case are other keys. */
  ck_assert_status(conf_take(s, "c5", "k K k22 \xc3\xa9"), CPOR_OK);
  ck_assert_status(conf_take(s, "c6", "\xc3\xa9"), CPOR_EEXISTS);
  COMMIT(s);
  cpor_storage_free(s);
}
END_TEST

START_TEST(keys_rollback) {
  cpor_storage *s = open_backend(_i);
  BEGIN(s, 1);
  conf_claims(s, "c1 c2 c3");
  ck_assert_status(conf_take(s, "c1", "k1 k2"), CPOR_OK);
  ck_assert_status(conf_take(s, "c2", "k3"), CPOR_OK);
  COMMIT(s);
  /* Taken, moved and released inside a transaction that rolls back. */
  BEGIN(s, 1);
  ck_assert_status(conf_take(s, "c1", "k4"), CPOR_OK);
  ck_assert_status(conf_take(s, "c2", "k1 k2"), CPOR_OK);
  ck_assert_status(conf_take(s, "c2", "k1 k2 k5"), CPOR_OK);
  ck_assert_status(conf_take(s, "c3", "k3"), CPOR_OK);
  ck_assert_status(conf_take(s, "c3", "k3 k1"), CPOR_EEXISTS);
  ck_assert_str_eq(conf_keys(s, "k1 k2 k3 k4 k5"), "k1,k2,k3,k4,k5,");
  ROLLBACK(s);
  BEGIN(s, 1);
  ck_assert_str_eq(conf_keys(s, "k1 k2 k3 k4 k5"), "k1,k2,k3,");
  ck_assert_status(conf_take(s, "c3", "k1"), CPOR_EEXISTS); /* c1's again */
  ck_assert_status(conf_take(s, "c3", "k3"), CPOR_EEXISTS); /* c2's again */
  ck_assert_status(conf_take(s, "c1", "k1 k2"), CPOR_OK);
  ck_assert_status(conf_take(s, "c2", "k3"), CPOR_OK);
  COMMIT(s);
  cpor_storage_free(s);
}
END_TEST

/* ---- deadlines -------------------------------------------------------------------- */

START_TEST(deadlines_set_scan_clear) {
  cpor_storage *s = open_backend(_i);
  const uint32_t OPT = CPOR_DEADLINE_OPTOUT, RESP = CPOR_DEADLINE_RESPONSE;
  BEGIN(s, 1);
  conf_claims(s, "c0 c1 c2 c3 c4 c5 c9");
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
  /* Rows name their kind. */
  cpor_store_query q = {.what = CPOR_STORE_CURSOR_DEADLINES, .kind = RESP, .upto = 10};
  conf_text t = conf_text_new();
  conf_run(s, &q, &t, 1, 0);
  ck_assert_str_eq(t.p, "deadline 2 c4@10;\n");
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
  conf_claims(s, "c1 c2");
  char buf[] = "b";
  ck_assert_status(s->m.event_append(s->self, "c1", 2, buf, 1), CPOR_OK);
  buf[0] = 'z';
  ck_assert_status(s->m.event_append(s->self, "c1", 1, "a", 1), CPOR_OK);
  ck_assert_status(s->m.event_append(s->self, "c1", 10, "x\0y", 3), CPOR_OK);
  ck_assert_status(s->m.event_append(s->self, "c1", 3, NULL, 0), CPOR_OK);
  ck_assert_status(s->m.event_append(s->self, "c2", 1, "q", 1), CPOR_OK);
  /* A duplicate, refused now or later; the call is undone and the
   * transaction goes on. */
  SAVEPOINT(s);
  conf_duplicate(s, s->m.event_append(s->self, "c1", 2, "dup", 3));
  ROLLBACK_TO(s);
  COMMIT(s);
  BEGIN(s, 1);
  SAVEPOINT(s);
  conf_duplicate(s, s->m.event_append(s->self, "c1", 1, "dup", 3));
  ROLLBACK_TO(s);
  ck_assert_str_eq(conf_events(s, "c1"), "1=61;2=62;3=;10=780079;");
  ck_assert_str_eq(conf_events(s, "c2"), "1=71;");
  ck_assert_str_eq(conf_events(s, "c3"), "");
  ck_assert_str_eq(conf_events(s, "c"), "");
  /* after_seq: only the later entries. */
  ck_assert_str_eq(conf_events_after(s, "c1", 1), "2=62;3=;10=780079;");
  ck_assert_str_eq(conf_events_after(s, "c1", 3), "10=780079;");
  ck_assert_str_eq(conf_events_after(s, "c1", 4), "10=780079;");
  ck_assert_str_eq(conf_events_after(s, "c1", 10), "");
  ck_assert_str_eq(conf_events_after(s, "c1", UINT32_MAX), "");
  ck_assert_str_eq(conf_events_after(s, "c2", 0), "1=71;");
  /* Rows name their claim. */
  cpor_store_query q = {.what = CPOR_STORE_CURSOR_EVENTS, .key = "c2"};
  conf_text t = conf_text_new();
  conf_run(s, &q, &t, 1, 0);
  ck_assert_str_eq(t.p, "event c2 1=71;\n");
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
  ck_assert_status(conf_put(s, CPOR_STORE_PARTNER, "p1", NULL, NULL, 0, "P", 1, CPOR_STORE_INSERT),
                   CPOR_OK);
  cpor_store_line l1[] = {{"c1", 0, "u1", "p1", 5}, {"c1", 1, "u2", "p1", 2}};
  ck_assert_status(s->m.lines_replace(s->self, "c1", l1, 2), CPOR_OK);
  ck_assert_status(conf_take(s, "c1", "k1 k2"), CPOR_OK);
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
  ck_assert_status(conf_delete(s, CPOR_STORE_PARTNER, "p1"), CPOR_OK);
  ck_assert_status(conf_put(s, CPOR_STORE_PARTNER, "p2", NULL, NULL, 0, "Q", 1, CPOR_STORE_INSERT),
                   CPOR_OK);
  ck_assert_status(conf_delete(s, CPOR_STORE_PARTNER, "p2"), CPOR_OK);
  cpor_store_line l1[] = {{"c1", 0, "u1", "p1", 6}};
  ck_assert_status(s->m.lines_replace(s->self, "c1", l1, 1), CPOR_OK);
  cpor_store_line l2[] = {{"c2", 0, "u1", "p2", 5}, {"c2", 4, "u3", "p2", 2}};
  ck_assert_status(s->m.lines_replace(s->self, "c2", l2, 2), CPOR_OK);
  ck_assert_status(s->m.lines_replace(s->self, "c1", NULL, 0), CPOR_OK);
  cpor_store_line l3[] = {{"c3", 0, "u1", "p3", 6}};
  ck_assert_status(s->m.lines_replace(s->self, "c3", l3, 1), CPOR_OK);
  ck_assert_status(conf_take(s, "c1", "k2 k3"), CPOR_OK);
  ck_assert_status(conf_take(s, "c3", "k1"), CPOR_OK);
  ck_assert_status(conf_take(s, "c2", "k4"), CPOR_OK);
  ck_assert_status(conf_take(s, "c2", "k5"), CPOR_OK);
  ck_assert_status(s->m.deadline_set(s->self, "c1", CPOR_DEADLINE_OPTOUT, 5), CPOR_OK);
  ck_assert_status(s->m.deadline_set(s->self, "c3", CPOR_DEADLINE_OPTOUT, 6), CPOR_OK);
  ck_assert_status(s->m.deadline_clear(s->self, "c2", CPOR_DEADLINE_SLA), CPOR_OK);
  ck_assert_status(s->m.deadline_clear(s->self, "c1", CPOR_DEADLINE_OPTOUT), CPOR_OK);
  ck_assert_status(s->m.deadline_set(s->self, "c2", CPOR_DEADLINE_SLA, 3), CPOR_OK);
  ck_assert_status(s->m.event_append(s->self, "c1", 2, "e2", 2), CPOR_OK);
  ck_assert_status(s->m.event_append(s->self, "c3", 1, "e3", 2), CPOR_OK);
  /* Failed calls in the middle must not disturb the undo. */
  ck_assert_status(conf_put(s, K, "c3", NULL, NULL, 0, "", 0, CPOR_STORE_INSERT), CPOR_EEXISTS);
  ck_assert_status(conf_put_rev(s, K, "c3", NULL, NULL, 0, 1, "", 0, CPOR_STORE_UPDATE),
                   CPOR_ECONFLICT);
  ck_assert_status(conf_take(s, "c2", "k5 k1"), CPOR_EEXISTS);
}

static const char *const fixture_dump = "obj 1/p1 rev=1 owner=(null) ref=(null) state=0 data=50\n"
                                        "obj 7/c1 rev=1 owner=p1 ref=t1 state=2 data=6f6e65\n"
                                        "obj 7/c2 rev=1 owner=p2 ref=(null) state=5 data=74776f\n"
                                        "line c1#0:u1:p1:5;\nline c1#1:u2:p1:2;\n"
                                        "deadline 1 c1@1000;\ndeadline 3 c2@2000;\n"
                                        "event c1 1=6531;\n";
static const char *const fixture_keys = "k1,k2,";

static const char *const mutated_dump =
    "obj 7/c1 rev=3 owner=(null) ref=t9 state=8 data=75706432\n"
    "obj 7/c2 rev=1 owner=p2 ref=(null) state=5 data=74776f\n"
    "obj 7/c3 rev=2 owner=p3 ref=t3 state=3 data=78\n"
    "obj 8/d rev=1 owner=c3 ref=(null) state=0 data=\n"
    "line c2#0:u1:p2:5;\nline c3#0:u1:p3:6;\nline c2#4:u3:p2:2;\n"
    "deadline 1 c3@6;\ndeadline 3 c2@3;\n"
    "event c1 1=6531;\nevent c1 2=6532;\nevent c3 1=6533;\n";
static const char *const mutated_keys = "k1,k2,k3,k5,";

#define ALL_KEYS "k1 k2 k3 k4 k5"

START_TEST(rollback_undoes_everything) {
  cpor_storage *s = open_backend(_i);
  committed_fixture(s);
  BEGIN(s, 1);
  ck_assert_str_eq(conf_dump(s), fixture_dump);
  ck_assert_str_eq(conf_keys(s, ALL_KEYS), fixture_keys);
  COMMIT(s);
  BEGIN(s, 1);
  mutate_everything(s);
  ck_assert_str_eq(conf_dump(s), mutated_dump); /* visible inside the transaction */
  ck_assert_str_eq(conf_keys(s, ALL_KEYS), mutated_keys);
  ROLLBACK(s);
  BEGIN(s, 1);
  ck_assert_str_eq(conf_dump(s), fixture_dump);
  ck_assert_str_eq(conf_keys(s, ALL_KEYS), fixture_keys);
  /* c1 holds its keys again: another claim cannot take them. */
  ck_assert_status(conf_take(s, "c2", "k2"), CPOR_EEXISTS);
  ROLLBACK(s);
  /* An empty transaction rolls back fine. */
  BEGIN(s, 1);
  ROLLBACK(s);
  BEGIN(s, 0);
  ROLLBACK(s);
  cpor_storage_free(s);
}
END_TEST

START_TEST(commit_keeps_everything) {
  cpor_storage *s = open_backend(_i);
  committed_fixture(s);
  BEGIN(s, 1);
  mutate_everything(s);
  COMMIT(s);
  BEGIN(s, 1);
  ck_assert_str_eq(conf_dump(s), mutated_dump);
  ck_assert_str_eq(conf_keys(s, ALL_KEYS), mutated_keys);
  COMMIT(s);
  /* A later rollback goes back to the committed state, not further. */
  BEGIN(s, 1);
  ck_assert_status(s->m.lines_replace(s->self, "c2", NULL, 0), CPOR_OK);
  ck_assert_status(conf_put(s, CPOR_STORE_CLAIM, "c4", NULL, NULL, 0, "", 0, CPOR_STORE_INSERT),
                   CPOR_OK);
  ck_assert_status(conf_take(s, "c1", ""), CPOR_OK);
  ck_assert_status(conf_delete(s, CPOR_STORE_CLAIM, "c2"), CPOR_OK);
  ROLLBACK(s);
  BEGIN(s, 1);
  ck_assert_str_eq(conf_dump(s), mutated_dump);
  ck_assert_str_eq(conf_keys(s, ALL_KEYS), mutated_keys);
  COMMIT(s);
  cpor_storage_free(s);
}
END_TEST

/* ---- savepoints ------------------------------------------------------------------- */

START_TEST(savepoints_release_and_rollback_to) {
  cpor_storage *s = open_backend(_i);
  committed_fixture(s);
  /* rollback_to undoes every kind of write since the savepoint, and only those. */
  BEGIN(s, 1);
  ck_assert_status(s->m.event_append(s->self, "c2", 1, "before", 6), CPOR_OK);
  char before[4096];
  snprintf(before, sizeof before, "%s", conf_dump(s));
  SAVEPOINT(s);
  mutate_everything(s);
  ck_assert_str_eq(conf_keys(s, ALL_KEYS), mutated_keys);
  ROLLBACK_TO(s);
  ck_assert_str_eq(conf_dump(s), before);
  ck_assert_str_eq(conf_keys(s, ALL_KEYS), fixture_keys);
  ck_assert_status(conf_take(s, "c2", "k1"), CPOR_EEXISTS);

  /* release keeps them; a later savepoint's rollback_to leaves them. */
  SAVEPOINT(s);
  mutate_everything(s);
  RELEASE(s);
  SAVEPOINT(s);
  ck_assert_status(conf_take(s, "c1", ""), CPOR_OK);
  ck_assert_status(s->m.lines_replace(s->self, "c2", NULL, 0), CPOR_OK);
  ck_assert_status(s->m.deadline_clear(s->self, "c3", CPOR_DEADLINE_OPTOUT), CPOR_OK);
  ck_assert_status(s->m.event_append(s->self, "c3", 2, "x", 1), CPOR_OK);
  ck_assert_status(conf_delete(s, CPOR_STORE_CLAIM, "c2"), CPOR_OK);
  ROLLBACK_TO(s);
  /* An empty savepoint, both ways. */
  SAVEPOINT(s);
  ROLLBACK_TO(s);
  SAVEPOINT(s);
  RELEASE(s);
  COMMIT(s);
  BEGIN(s, 1);
  /* The mutated store, plus the event written before the first savepoint. */
  char want[4096];
  const char *c3 = strstr(mutated_dump, "event c3 ");
  ck_assert_ptr_nonnull(c3);
  snprintf(want, sizeof want, "%.*sevent c2 1=6265666f7265;\n%s", (int)(c3 - mutated_dump),
           mutated_dump, c3);
  ck_assert_str_eq(conf_dump(s), want);
  ck_assert_str_eq(conf_keys(s, ALL_KEYS), mutated_keys);
  COMMIT(s);

  /* rollback after a released savepoint undoes all of the transaction. */
  BEGIN(s, 1);
  snprintf(before, sizeof before, "%s", conf_dump(s));
  SAVEPOINT(s);
  ck_assert_status(conf_put(s, CPOR_STORE_CLAIM, "c5", NULL, NULL, 0, "", 0, CPOR_STORE_INSERT),
                   CPOR_OK);
  ck_assert_status(conf_take(s, "c5", "k4"), CPOR_OK);
  RELEASE(s);
  ROLLBACK(s);
  BEGIN(s, 1);
  ck_assert_str_eq(conf_dump(s), before);
  ck_assert_str_eq(conf_keys(s, ALL_KEYS), mutated_keys);
  COMMIT(s);
  cpor_storage_free(s);
}
END_TEST

/* ---- counters and change rows (version 4) ----------------------------------------- */

static const char *conf_changes(cpor_storage *s, uint64_t after) {
  cpor_store_query q = {.what = CPOR_STORE_CURSOR_CHANGES, .after_change = after};
  void *cur = NULL;
  ck_assert_status(s->m.cursor_open(s->self, &q, &cur), CPOR_OK);
  conf_text t = conf_text_new();
  cpor_store_row row;
  int rc;
  while (memset(&row, 0, sizeof row), (rc = s->m.cursor_next(s->self, cur, &row)) == 1)
    conf_addf(&t, "%llu:%s@%u=%d;", (unsigned long long)row.change,
              row.claim_id ? row.claim_id : "-", (unsigned)row.seq, (int)row.object.state);
  ck_assert_int_eq(rc, 0);
  s->m.cursor_close(s->self, cur);
  return t.p;
}

/* counter_next(name, count) succeeds and hands out first number want. */
static void next_is(cpor_storage *s, const char *name, uint64_t count, uint64_t want) {
  uint64_t first = 0;
  ck_assert_status(s->m.counter_next(s->self, name, count, &first), CPOR_OK);
  ck_assert_uint_eq(first, want);
}

START_TEST(counters_and_changes) {
  cpor_storage *s = open_backend(_i);
  if (!s->m.counter_next) { /* a version 3 backend: neither may be there */
    ck_assert(s->m.change_append == NULL);
    cpor_storage_free(s);
    return;
  }
  ck_assert(s->m.change_append != NULL);
  uint64_t first = 0;
  BEGIN(s, 1);
  ck_assert_status(conf_put(s, CPOR_STORE_CLAIM, "c1", NULL, NULL, 0, "x", 1, CPOR_STORE_INSERT),
                   CPOR_OK);
  ck_assert_status(conf_put(s, CPOR_STORE_CLAIM, "c2", NULL, NULL, 0, "x", 1, CPOR_STORE_INSERT),
                   CPOR_OK);
  /* Numbers start at 1, a reservation of n takes n, counters are apart. */
  ck_assert_status(s->m.counter_next(s->self, "change", 1, &first), CPOR_OK);
  ck_assert_uint_eq(first, 1);
  ck_assert_status(s->m.counter_next(s->self, "change", 3, &first), CPOR_OK);
  ck_assert_uint_eq(first, 2);
  ck_assert_status(s->m.counter_next(s->self, "outbox", 2, &first), CPOR_OK);
  ck_assert_uint_eq(first, 1);
  ck_assert_status(s->m.change_append(s->self, 2, "c2", 4, 3), CPOR_OK);
  ck_assert_status(s->m.change_append(s->self, 1, "c1", 1, 1), CPOR_OK);
  SAVEPOINT(s);
  conf_duplicate(s, s->m.change_append(s->self, 1, "c2", 5, 1));
  ROLLBACK_TO(s);
  ck_assert_status(s->m.change_append(s->self, 0, "c2", 5, 1), CPOR_EINVAL);
  ck_assert_status(s->m.change_append(s->self, 9, "", 5, 1), CPOR_EINVAL);
  ck_assert_status(s->m.counter_next(s->self, "change", 0, &first), CPOR_EINVAL);
  ck_assert_status(s->m.counter_next(s->self, "", 1, &first), CPOR_EINVAL);
  ck_assert_status(s->m.counter_next(s->self, NULL, 1, &first), CPOR_EINVAL);
  char longname[66];
  memset(longname, 'n', 65);
  longname[65] = '\0';
  ck_assert_status(s->m.counter_next(s->self, longname, 1, &first), CPOR_EINVAL);
  ck_assert_str_eq(conf_changes(s, 0), "1:c1@1=1;2:c2@4=3;");
  ck_assert_str_eq(conf_changes(s, 1), "2:c2@4=3;");
  if (s->m.object_lock) { /* may provide: a lock, on a row or on none */
    ck_assert_status(s->m.object_lock(s->self, CPOR_STORE_CLAIM, "c1"), CPOR_OK);
    ck_assert_status(s->m.object_lock(s->self, CPOR_STORE_CLAIM, "absent"), CPOR_OK);
    ck_assert_status(s->m.object_lock(s->self, CPOR_STORE_CLAIM, ""), CPOR_EINVAL);
  }
  ck_assert_str_eq(conf_changes(s, 2), "");
  COMMIT(s);
  /* A rolled-back reservation and its rows are undone: no gap. */
  BEGIN(s, 1);
  ck_assert_status(s->m.counter_next(s->self, "change", 5, &first), CPOR_OK);
  ck_assert_uint_eq(first, 5);
  ck_assert_status(s->m.change_append(s->self, 5, "c1", 2, 2), CPOR_OK);
  ROLLBACK(s);
  BEGIN(s, 1);
  SAVEPOINT(s);
  ck_assert_status(s->m.counter_next(s->self, "change", 1, &first), CPOR_OK);
  ck_assert_uint_eq(first, 5);
  ck_assert_status(s->m.change_append(s->self, 5, "c1", 2, 2), CPOR_OK);
  ROLLBACK_TO(s);
  ck_assert_status(s->m.counter_next(s->self, "change", 1, &first), CPOR_OK);
  ck_assert_uint_eq(first, 5);
  ck_assert_status(s->m.change_append(s->self, 5, "c1", 2, 2), CPOR_OK);
  ck_assert_status(s->m.counter_next(s->self, "fresh", 1, &first), CPOR_OK);
  ck_assert_uint_eq(first, 1);
  COMMIT(s);
  BEGIN(s, 0);
  ck_assert_str_eq(conf_changes(s, 0), "1:c1@1=1;2:c2@4=3;5:c1@2=2;");
  COMMIT(s);
  BEGIN(s, 1);
  ck_assert_status(s->m.counter_next(s->self, "fresh", 1, &first), CPOR_OK);
  ck_assert_uint_eq(first, 2); /* the counter made in the last transaction stayed */
  COMMIT(s);
  /* Many numbers in one transaction, around savepoints: those taken before
   * a savepoint stay, those taken inside one are handed out again after
   * rollback_to (a counter first taken inside it too), a released savepoint
   * keeps its numbers; a rolled-back transaction keeps none. */
  BEGIN(s, 1);
  for (uint64_t k = 3; k < 1003; k++)
    next_is(s, "fresh", 1, k);
  SAVEPOINT(s);
  next_is(s, "fresh", 2, 1003);
  next_is(s, "other", 1, 1);
  ROLLBACK_TO(s);
  next_is(s, "fresh", 1, 1003);
  next_is(s, "other", 1, 1);
  SAVEPOINT(s);
  next_is(s, "fresh", 1, 1004);
  RELEASE(s);
  next_is(s, "fresh", 1, 1005);
  COMMIT(s);
  BEGIN(s, 1);
  next_is(s, "fresh", 1, 1006);
  next_is(s, "other", 1, 2);
  ROLLBACK(s);
  BEGIN(s, 1);
  next_is(s, "other", 1, 2);
  next_is(s, "fresh", 1, 1006);
  COMMIT(s);
  cpor_storage_free(s);
}
END_TEST

/* ---- scale ------------------------------------------------------------------------ */

START_TEST(scale_10k) {
  cpor_storage *s = open_backend(_i);
  enum { N = 10000 };
  char id[32], owner[16], unit[16], key[32];
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
    snprintf(key, sizeof key, "key%05d", i);
    const char *keys[] = {key};
    ck_assert_status(s->m.keys_replace(s->self, id, keys, 1), CPOR_OK);
    ck_assert_status(s->m.deadline_set(s->self, id, CPOR_DEADLINE_OPTOUT, i), CPOR_OK);
  }
  COMMIT(s);
  BEGIN(s, 0);
  ck_assert_int_eq(conf_scan_count(s, CPOR_STORE_BY_KIND, NULL, 0), N);
  ck_assert_int_eq(conf_scan_count(s, CPOR_STORE_BY_OWNER, "p7", 0), N / 100);
  ck_assert_int_eq(conf_scan_count(s, CPOR_STORE_BY_STATE, NULL, 3), N / 5);
  cpor_store_query ql = {.what = CPOR_STORE_CURSOR_LINES, .key = "u42"};
  ck_assert_int_eq(conf_count(s, &ql), N / 1000);
  cpor_store_query qd = {
      .what = CPOR_STORE_CURSOR_DEADLINES, .kind = CPOR_DEADLINE_OPTOUT, .upto = 2499};
  ck_assert_int_eq(conf_count(s, &qd), 2500);
  cpor_store_query qa =
      conf_objects_query(CPOR_STORE_CLAIM, CPOR_STORE_BY_KIND, NULL, 0, "obj09899");
  ck_assert_int_eq(conf_count(s, &qa), 100);
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
    ck_assert_status(s->m.keys_replace(s->self, id, NULL, 0), CPOR_OK);
  }
  ck_assert_int_eq(conf_scan_count(s, CPOR_STORE_BY_OWNER, "px", 0), N / 2);
  ck_assert_str_eq(conf_keys(s, "key00000 key00001"), "key00001,");
  ROLLBACK(s);
  BEGIN(s, 1);
  ck_assert_int_eq(conf_scan_count(s, CPOR_STORE_BY_OWNER, "px", 0), 0);
  ck_assert_int_eq(conf_scan_count(s, CPOR_STORE_BY_STATE, NULL, 3), N / 5);
  qd.upto = INT64_MAX;
  ck_assert_int_eq(conf_count(s, &qd), N);
  ck_assert_str_eq(conf_keys(s, "key00000 key00001 key09999 key10000"),
                   "key00000,key00001,key09999,");
  COMMIT(s);
  cpor_storage_free(s);
}
END_TEST

/* ---- the fault-injection wrapper -------------------------------------------------- */

typedef struct faulty {
  cpor_storage *inner; /* borrowed */
  long fail_at, count, *ops;
  int code;        /* what the injected failure returns: CPOR_ESTORAGE unless set */
  int in_txn;      /* inner has a transaction open through us */
  int injected;    /* the last call was the injected failure */
  long savepoints; /* savepoint calls that reached inner */
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
  return f->code;
}

#define INNER(f, method, ...) ((f)->inner->m.method((f)->inner->self, __VA_ARGS__))
#define INNER0(f, method) ((f)->inner->m.method((f)->inner->self))

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
  if (!rc) rc = INNER0(f, commit);
  if (!rc) f->in_txn = 0;
  return rc;
}
static int f_rollback(void *self) {
  faulty *f = self;
  f->injected = 0;
  if (!f->in_txn) return CPOR_OK;
  f->in_txn = 0;
  return INNER0(f, rollback);
}
static int f_savepoint(void *self) {
  faulty *f = self;
  int rc = tick(f);
  if (!rc) f->savepoints++;
  return rc ? rc : INNER0(f, savepoint);
}
static int f_release(void *self) {
  faulty *f = self;
  int rc = tick(f);
  return rc ? rc : INNER0(f, release);
}
static int f_rollback_to(void *self) {
  faulty *f = self;
  f->injected = 0;
  return INNER0(f, rollback_to);
}
static int f_object_get(void *self, uint32_t kind, const char *id, cpor_store_object *out) {
  faulty *f = self;
  int rc = tick(f);
  return rc ? rc : INNER(f, object_get, kind, id, out);
}
static int f_object_put(void *self, const cpor_store_object *obj, uint32_t mode) {
  faulty *f = self;
  int rc = tick(f);
  return rc ? rc : INNER(f, object_put, obj, mode);
}
static int f_lines_replace(void *self, const char *claim_id, const cpor_store_line *lines,
                           size_t count) {
  faulty *f = self;
  int rc = tick(f);
  return rc ? rc : INNER(f, lines_replace, claim_id, lines, count);
}
static int f_keys_replace(void *self, const char *claim_id, const char *const *keys, size_t count) {
  faulty *f = self;
  int rc = tick(f);
  return rc ? rc : INNER(f, keys_replace, claim_id, keys, count);
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
static int f_event_append(void *self, const char *claim_id, uint32_t seq, const void *data,
                          size_t len) {
  faulty *f = self;
  int rc = tick(f);
  return rc ? rc : INNER(f, event_append, claim_id, seq, data, len);
}
static int f_counter_next(void *self, const char *name, uint64_t count, uint64_t *first) {
  faulty *f = self;
  int rc = tick(f);
  return rc ? rc : INNER(f, counter_next, name, count, first);
}
static int f_change_append(void *self, uint64_t change, const char *claim_id, uint32_t seq,
                           int32_t state) {
  faulty *f = self;
  int rc = tick(f);
  return rc ? rc : INNER(f, change_append, change, claim_id, seq, state);
}
static int f_object_lock(void *self, uint32_t kind, const char *id) {
  faulty *f = self;
  int rc = tick(f);
  return rc ? rc : INNER(f, object_lock, kind, id);
}
static int f_cursor_open(void *self, const cpor_store_query *query, void **cursor) {
  faulty *f = self;
  int rc = tick(f);
  if (rc && cursor) *cursor = NULL;
  return rc ? rc : INNER(f, cursor_open, query, cursor);
}
static int f_cursor_next(void *self, void *cursor, cpor_store_row *row) {
  faulty *f = self;
  int rc = tick(f);
  return rc ? rc : INNER(f, cursor_next, cursor, row);
}
static void f_cursor_close(void *self, void *cursor) {
  faulty *f = self;
  if (cursor) INNER(f, cursor_close, cursor);
}
static const char *f_errmsg(void *self) {
  faulty *f = self;
  if (f->injected) return f->msg;
  return f->inner->m.errmsg ? INNER0(f, errmsg) : NULL;
}
static void f_close(void *self) {
  free(self);
}

int cpor_faulty_storage_new(cpor_storage **out, cpor_storage *inner, long fail_at,
                            long *ops_counter) {
  if (!out) return CPOR_EINVAL;
  *out = NULL;
  if (!inner) return CPOR_EINVAL;
  cpor_storage_methods methods = {
      .version = CPOR_STORAGE_VERSION,
      .begin = f_begin,
      .commit = f_commit,
      .rollback = f_rollback,
      .savepoint = f_savepoint,
      .release = f_release,
      .rollback_to = f_rollback_to,
      .object_get = f_object_get,
      .object_put = f_object_put,
      .lines_replace = f_lines_replace,
      .keys_replace = f_keys_replace,
      .deadline_set = f_deadline_set,
      .deadline_clear = f_deadline_clear,
      .event_append = f_event_append,
      .cursor_open = f_cursor_open,
      .cursor_next = f_cursor_next,
      .cursor_close = f_cursor_close,
      .errmsg = f_errmsg,
      .close = f_close,
  };
  /* An inner backend with counters (version 4) keeps them, failable too. */
  if (inner->m.counter_next && inner->m.change_append) {
    methods.counter_next = f_counter_next;
    methods.change_append = f_change_append;
  }
  if (inner->m.object_lock) methods.object_lock = f_object_lock;
  faulty *f = calloc(1, sizeof *f);
  if (!f) return CPOR_ENOMEM;
  f->inner = inner;
  f->fail_at = fail_at;
  f->ops = ops_counter;
  f->code = CPOR_ESTORAGE;
  int rc = cpor_storage_new(out, &methods, f);
  if (rc) free(f);
  return rc;
}

int cpor_faulty_storage_with_savepoints(cpor_storage **out, cpor_storage *inner, long fail_at,
                                        long *ops_counter) {
  return cpor_faulty_storage_new(out, inner, fail_at, ops_counter);
}

void cpor_faulty_storage_fail_at(cpor_storage *s, long fail_at) {
  ((faulty *)s->self)->fail_at = fail_at;
}

void cpor_faulty_storage_fail_code(cpor_storage *s, int code) {
  ((faulty *)s->self)->code = code;
}

void cpor_faulty_storage_flags(cpor_storage *s, uint32_t flags) {
  s->m.flags = flags;
}

long cpor_faulty_storage_savepoints(const cpor_storage *s) {
  return ((const faulty *)s->self)->savepoints;
}

START_TEST(faulty_wrapper) {
  cpor_storage *inner = open_backend(_i), *f = NULL;
  long ops = 0;
  ck_assert_status(cpor_faulty_storage_new(&f, inner, -1, &ops), CPOR_OK);
  ck_assert_int_eq(conf_script(f), CPOR_OK);
  ck_assert_int_eq(ops, CONF_SCRIPT_OPS);
  cpor_storage_free(f);
  BEGIN(inner, 1);
  ck_assert_str_eq(conf_get(inner, CPOR_STORE_CLAIM, "c1"),
                   "7/c1 rev=1 owner=p1 ref=(null) state=1 data=78"); /* the script ran on inner */
  ck_assert_str_eq(conf_keys(inner, "k1"), "k1,");
  ROLLBACK(inner);

  for (long k = 1; k <= CONF_SCRIPT_OPS; k++) {
    cpor_storage *g = open_backend(_i);
    long count = 0;
    ck_assert_status(cpor_faulty_storage_with_savepoints(&f, g, k, &count), CPOR_OK);
    ck_assert_status(conf_script(f), CPOR_ESTORAGE);
    ck_assert_int_eq(count, k);
    char want[64];
    snprintf(want, sizeof want, "injected failure at operation %ld", k);
    ck_assert_str_eq(f->m.errmsg(f->self), want);
    ck_assert_status(f->m.rollback(f->self), CPOR_OK); /* never fails, even after begin */
    cpor_storage_free(f);                              /* leaves g open */
    BEGIN(g, 1);
    ck_assert_str_eq(conf_dump(g), ""); /* the failed transaction left nothing */
    ck_assert_str_eq(conf_keys(g, "k1"), "");
    COMMIT(g);
    cpor_storage_free(g);
  }
  /* Moving the failure: the next counted call fails. */
  ck_assert_status(cpor_faulty_storage_new(&f, inner, -1, NULL), CPOR_OK);
  BEGIN(f, 0);
  cpor_faulty_storage_fail_at(f, 2);
  cpor_store_object o;
  ck_assert_status(f->m.object_get(f->self, CPOR_STORE_CLAIM, "c1", &o), CPOR_ESTORAGE);
  ck_assert_status(f->m.object_get(f->self, CPOR_STORE_CLAIM, "c1", &o), CPOR_OK);
  ck_assert_status(f->m.object_get(f->self, CPOR_STORE_CLAIM, "zz", &o), CPOR_ENOTFOUND);
  ck_assert_str_eq(f->m.errmsg(f->self), inner->m.errmsg(inner->self));
  ROLLBACK(f);
  cpor_storage_free(f);
  ck_assert_status(cpor_faulty_storage_new(NULL, inner, 1, NULL), CPOR_EINVAL);
  ck_assert_status(cpor_faulty_storage_new(&f, NULL, 1, NULL), CPOR_EINVAL);
  ck_assert_ptr_null(f);
  cpor_storage_free(inner);
}
END_TEST

/* ---- version 4: the audit cursors (KEYS, every LINE, every EVENT) ------------------ */

/* The audit cursors are version 4's: a version 3 backend is exempt. */
#define AUDIT_BACKEND(s)                                                                           \
  do {                                                                                             \
    if ((s)->version < 4) {                                                                        \
      cpor_storage_free(s);                                                                        \
      return;                                                                                      \
    }                                                                                              \
  } while (0)

/* Claims a, b and z with lines, keys and events; z's object is then deleted
 * so that its rows are held by no claim (z sorts last: where those rows come
 * in the walk is the backend's choice, only that they come is promised). */
static void audit_fixture(cpor_storage *s) {
  BEGIN(s, 1);
  conf_claims(s, "a b c z");
  cpor_store_line b[] = {{"b", 1, "u1", "p1", 5}, {"b", 0, "u2", NULL, 2}};
  cpor_store_line a[] = {{"a", 3, "u1", "p2", 6}};
  cpor_store_line z[] = {{"z", 0, "u3", "p1", 2}};
  ck_assert_status(s->m.lines_replace(s->self, "b", b, 2), CPOR_OK);
  ck_assert_status(s->m.lines_replace(s->self, "a", a, 1), CPOR_OK);
  ck_assert_status(s->m.lines_replace(s->self, "z", z, 1), CPOR_OK);
  ck_assert_status(conf_take(s, "b", "kb ka"), CPOR_OK);
  ck_assert_status(conf_take(s, "a", "k2 k1 k10"), CPOR_OK);
  ck_assert_status(conf_take(s, "z", "kz"), CPOR_OK);
  ck_assert_status(s->m.event_append(s->self, "b", 2, "y", 1), CPOR_OK);
  ck_assert_status(s->m.event_append(s->self, "b", 1, "x", 1), CPOR_OK);
  ck_assert_status(s->m.event_append(s->self, "a", 1, "w", 1), CPOR_OK);
  ck_assert_status(s->m.event_append(s->self, "z", 1, "v", 1), CPOR_OK);
  COMMIT(s);
}

static void audit_orphan_z(cpor_storage *s) {
  BEGIN(s, 1);
  ck_assert_status(conf_put(s, CPOR_STORE_CLAIM, "z", NULL, NULL, 0, NULL, 0, CPOR_STORE_DELETE),
                   CPOR_OK);
  COMMIT(s);
}

START_TEST(audit_keys_cursor) {
  cpor_storage *s = open_backend(_i);
  AUDIT_BACKEND(s);
  audit_fixture(s);
  BEGIN(s, 0);
  cpor_store_query all = {.what = CPOR_STORE_CURSOR_KEYS};
  ck_assert_str_eq(conf_query(s, &all), "a:k1;a:k10;a:k2;b:ka;b:kb;z:kz;");
  char claim[] = "a";
  cpor_store_query one = {.what = CPOR_STORE_CURSOR_KEYS, .key = claim};
  ck_assert_str_eq(conf_query(s, &one), "a:k1;a:k10;a:k2;");
  one.key = "b";
  ck_assert_str_eq(conf_query(s, &one), "b:ka;b:kb;");
  one.key = "c"; /* a claim without keys */
  ck_assert_str_eq(conf_query(s, &one), "");
  one.key = "nope"; /* no such claim */
  ck_assert_str_eq(conf_query(s, &one), "");
  char longkey[300];
  memset(longkey, 'k', sizeof longkey - 1);
  longkey[sizeof longkey - 1] = '\0';
  one.key = longkey;
  ck_assert_str_eq(conf_query(s, &one), "!EINVAL");
  COMMIT(s);
  audit_orphan_z(s);
  BEGIN(s, 0);
  ck_assert_str_eq(conf_query(s, &all), "a:k1;a:k10;a:k2;b:ka;b:kb;(null):kz;");
  COMMIT(s);
  /* Keys released and taken inside a transaction show at once. */
  BEGIN(s, 1);
  ck_assert_status(conf_take(s, "a", "k3"), CPOR_OK);
  ck_assert_status(conf_take(s, "c", "k1"), CPOR_OK);
  ck_assert_str_eq(conf_query(s, &all), "a:k3;b:ka;b:kb;c:k1;(null):kz;");
  ROLLBACK(s);
  BEGIN(s, 0);
  ck_assert_str_eq(conf_query(s, &all), "a:k1;a:k10;a:k2;b:ka;b:kb;(null):kz;");
  COMMIT(s);
  cpor_storage_free(s);
}
END_TEST

START_TEST(audit_lines_and_events_of_every_claim) {
  cpor_storage *s = open_backend(_i);
  AUDIT_BACKEND(s);
  audit_fixture(s);
  BEGIN(s, 0);
  cpor_store_query lines = {.what = CPOR_STORE_CURSOR_LINES};
  cpor_store_query events = {.what = CPOR_STORE_CURSOR_EVENTS};
  ck_assert_str_eq(conf_query(s, &lines), "a#3:u1:p2:6;b#0:u2:(null):2;b#1:u1:p1:5;z#0:u3:p1:2;");
  ck_assert_str_eq(conf_query(s, &events), "a 1=77;b 1=78;b 2=79;z 1=76;");
  /* The keyed forms are unchanged. */
  ck_assert_str_eq(conf_lines(s, "u1"), "a#3:u1:p2:6;b#1:u1:p1:5;");
  ck_assert_str_eq(conf_events(s, "b"), "1=78;2=79;");
  COMMIT(s);
  audit_orphan_z(s);
  BEGIN(s, 0);
  ck_assert_str_eq(conf_query(s, &lines),
                   "a#3:u1:p2:6;b#0:u2:(null):2;b#1:u1:p1:5;(null)#0:u3:p1:2;");
  ck_assert_str_eq(conf_query(s, &events), "a 1=77;b 1=78;b 2=79;(null) 1=76;");
  COMMIT(s);
  cpor_storage_free(s);
}
END_TEST

START_TEST(audit_empty_store) {
  cpor_storage *s = open_backend(_i);
  AUDIT_BACKEND(s);
  BEGIN(s, 0);
  cpor_store_query q[] = {{.what = CPOR_STORE_CURSOR_KEYS},
                          {.what = CPOR_STORE_CURSOR_LINES},
                          {.what = CPOR_STORE_CURSOR_EVENTS}};
  for (size_t i = 0; i < 3; i++)
    ck_assert_str_eq(conf_query(s, &q[i]), "");
  COMMIT(s);
  cpor_storage_free(s);
}
END_TEST

/* Many rows: every page boundary a backend may have, each row once, in
 * order. */
START_TEST(audit_walks_many_claims) {
  cpor_storage *s = open_backend(_i);
  AUDIT_BACKEND(s);
  enum { N = 700 };
  BEGIN(s, 1);
  for (int i = 0; i < N; i++) {
    char id[16], k1[24], k2[24];
    snprintf(id, sizeof id, "c%04d", i);
    ck_assert_status(conf_put(s, CPOR_STORE_CLAIM, id, NULL, NULL, 0, "r", 1, CPOR_STORE_INSERT),
                     CPOR_OK);
    cpor_store_line l[] = {{id, 0, "u", "p", 2}, {id, 1, "v", "p", 2}};
    ck_assert_status(s->m.lines_replace(s->self, id, l, 2), CPOR_OK);
    snprintf(k1, sizeof k1, "x %s", id);
    snprintf(k2, sizeof k2, "y %s", id);
    const char *keys[] = {k2, k1};
    ck_assert_status(s->m.keys_replace(s->self, id, keys, 2), CPOR_OK);
    ck_assert_status(s->m.event_append(s->self, id, 1, "e", 1), CPOR_OK);
    ck_assert_status(s->m.event_append(s->self, id, 2, "f", 1), CPOR_OK);
  }
  COMMIT(s);
  BEGIN(s, 0);
  uint32_t whats[] = {CPOR_STORE_CURSOR_KEYS, CPOR_STORE_CURSOR_LINES, CPOR_STORE_CURSOR_EVENTS};
  for (size_t w = 0; w < 3; w++) {
    cpor_store_query q = {.what = whats[w]};
    void *cur = NULL;
    ck_assert_status(s->m.cursor_open(s->self, &q, &cur), CPOR_OK);
    cpor_store_row row;
    int rc, n = 0;
    while ((rc = s->m.cursor_next(s->self, cur, &row)) == 1) {
      char want[16], key[24];
      snprintf(want, sizeof want, "c%04d", n / 2);
      ck_assert_ptr_nonnull(row.claim_id);
      ck_assert_str_eq(row.claim_id, want);
      if (whats[w] == CPOR_STORE_CURSOR_KEYS) {
        snprintf(key, sizeof key, "%c %s", n % 2 ? 'y' : 'x', want);
        ck_assert_str_eq(row.key, key);
      } else if (whats[w] == CPOR_STORE_CURSOR_LINES) {
        ck_assert_uint_eq(row.line.line, (unsigned)(n % 2));
        ck_assert_str_eq(row.line.unit, n % 2 ? "v" : "u");
      } else {
        ck_assert_uint_eq(row.seq, (unsigned)(n % 2 + 1));
      }
      n++;
    }
    ck_assert_int_eq(rc, 0);
    ck_assert_int_eq(n, 2 * N);
    ck_assert_int_eq(s->m.cursor_next(s->self, cur, &row), 0); /* the end stays the end */
    s->m.cursor_close(s->self, cur);
  }
  COMMIT(s);
  cpor_storage_free(s);
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
  tcase_add_loop_test(tc, revisions_conditional_writes, i, i + 1);
  tcase_add_loop_test(tc, objects_delete, i, i + 1);
  tcase_add_loop_test(tc, scans_exact_and_ordered, i, i + 1);
  tcase_add_loop_test(tc, scans_after, i, i + 1);
  tcase_add_loop_test(tc, cursors_unknown_query, i, i + 1);
  tcase_add_loop_test(tc, cursors_open_together, i, i + 1);
  tcase_add_loop_test(tc, cursors_get_while_open, i, i + 1);
  tcase_add_loop_test(tc, cursors_close_early, i, i + 1);
  tcase_add_loop_test(tc, cursors_empty, i, i + 1);
  tcase_add_loop_test(tc, cursors_end_stays_end, i, i + 1);
  tcase_add_loop_test(tc, lines_replace_and_by_unit, i, i + 1);
  tcase_add_loop_test(tc, lines_replace_changes_rows, i, i + 1);
  tcase_add_loop_test(tc, lines_any_status_coexist, i, i + 1);
  tcase_add_loop_test(tc, keys_exclusive, i, i + 1);
  tcase_add_loop_test(tc, keys_rollback, i, i + 1);
  tcase_add_loop_test(tc, deadlines_set_scan_clear, i, i + 1);
  tcase_add_loop_test(tc, events_append_and_scan, i, i + 1);
  tcase_add_loop_test(tc, rollback_undoes_everything, i, i + 1);
  tcase_add_loop_test(tc, commit_keeps_everything, i, i + 1);
  tcase_add_loop_test(tc, savepoints_release_and_rollback_to, i, i + 1);
  tcase_add_loop_test(tc, counters_and_changes, i, i + 1);
  tcase_add_loop_test(tc, scale_10k, i, i + 1);
  tcase_add_loop_test(tc, faulty_wrapper, i, i + 1);
  tcase_add_loop_test(tc, audit_keys_cursor, i, i + 1);
  tcase_add_loop_test(tc, audit_lines_and_events_of_every_claim, i, i + 1);
  tcase_add_loop_test(tc, audit_empty_store, i, i + 1);
  tcase_add_loop_test(tc, audit_walks_many_claims, i, i + 1);
  suite_add_tcase(suite, tc);
}
