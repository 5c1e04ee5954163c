/* cpor_ctx_export, cpor_ctx_import, cpor_ctx_verify (issue #12): round trips
 * from the world's backend (CPOR_TEST_BACKEND) into memory, SQLite and
 * PostgreSQL (when CPOR_TEST_PG is set), byte for byte; every refusal of
 * import with its exact code and message and an unchanged store; the roles. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>
#include <unistd.h>

#include "cpor/feed.h"
#include "cpor/transfer.h"
#include "pgtest.h"
#include "store/storage.h"
#include "world.h"

#define OK(w, expr) ck_assert_msg((expr) == CPOR_OK, "%s: %s", #expr, cpor_ctx_errmsg((w)->ctx))

typedef struct text {
  char *p;
  size_t n, cap;
} text;

static int to_text(void *user, const char *line, size_t len) {
  text *t = user;
  if (t->n + len + 1 > t->cap) {
    t->cap = (t->n + len + 1) * 2;
    t->p = realloc(t->p, t->cap);
    ck_assert_ptr_nonnull(t->p);
  }
  memcpy(t->p + t->n, line, len);
  t->n += len;
  t->p[t->n] = 0;
  return 0;
}

/* Reads lines out of a NUL-terminated text. */
typedef struct lines_in {
  const char *at;
} lines_in;

static int from_text(void *user, const char **line, size_t *len) {
  lines_in *in = user;
  if (!*in->at) return 0;
  const char *nl = strchr(in->at, '\n');
  size_t n = nl ? (size_t)(nl - in->at) + 1 : strlen(in->at);
  *line = in->at;
  *len = n;
  in->at += n;
  return 1;
}

static char *export_all(cpor_ctx *ctx) {
  text t = {0};
  ck_assert_status(cpor_ctx_export(ctx, SYS, to_text, &t), CPOR_OK);
  return t.p;
}

/* A store with claims in several states: approved (an opt-out deadline),
 * under review (an SLA), a draft, and one withdrawn. */
static void journeys(world *w) {
  const char *wl[] = {"TEAMS", NULL};
  char a[64], b[64];
  snprintf(a, sizeof a, "%s", under_review(w, &w->a, MPN_A, wl));
  OK(w, cpor_claim_approve(w->ctx, &w->reviewer, a));
  const char *wl2[] = {"EXCHANGE", "SHAREPOINT", NULL};
  snprintf(b, sizeof b, "%s", under_review(w, &w->b, MPN_B, wl2));
  draft(w, &w->c, MPN_C, wl);
  const char *d = draft(w, &w->a, MPN_A, wl2);
  OK(w, cpor_claim_withdraw(w->ctx, &w->a, d));
}

static cpor_ctx *target(int which, cpor_storage **storage, char *schema, size_t len) {
  *storage = NULL;
  if (which == 1) {
    char path[] = "/tmp/cpor-transfer-XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    close(fd);
    char err[256] = "";
    ck_assert_status(cpor_storage_open_sqlite(storage, path, NULL, err, sizeof err), CPOR_OK);
    unlink(path);
  } else if (which == 2) {
    if (!getenv("CPOR_TEST_PG")) return NULL;
    ck_assert_status(pgtest_open(storage, schema, len), CPOR_OK);
  } else {
    ck_assert_status(cpor_storage_open_memory(storage), CPOR_OK);
  }
  cpor_ctx_options o = CPOR_CTX_OPTIONS_INIT;
  o.storage = *storage;
  cpor_ctx *ctx = NULL;
  ck_assert_status(cpor_ctx_open(&ctx, &o), CPOR_OK);
  return ctx;
}

static void target_close(cpor_ctx *ctx, cpor_storage *s, const char *schema) {
  cpor_ctx_close(ctx);
  cpor_storage_free(s);
  if (schema[0]) pgtest_schema_drop(schema);
}

static uint64_t verify_count(cpor_ctx *ctx) {
  uint64_t n = 99;
  ck_assert_status(cpor_ctx_verify(ctx, SYS, NULL, NULL, &n), CPOR_OK);
  return n;
}

START_TEST(round_trips_every_backend) {
  world w;
  world_open(&w, NULL, NULL, NULL);
  journeys(&w);
  ck_assert_int_eq(verify_count(w.ctx), 0);
  char *first = export_all(w.ctx);
  ck_assert_ptr_nonnull(strstr(first, "\"type\":\"end\""));
  for (int which = 0; which < 3; which++) {
    cpor_storage *s;
    char schema[64] = "";
    cpor_ctx *ctx = target(which, &s, schema, sizeof schema);
    if (!ctx) continue;
    lines_in in = {first};
    cpor_import_report rep = CPOR_IMPORT_REPORT_INIT;
    ck_assert_status(cpor_ctx_import(ctx, SYS, from_text, &in, &rep), CPOR_OK);
    ck_assert_uint_eq(rep.claims, 4);
    ck_assert_uint_gt(rep.events, 8);
    char *again = export_all(ctx);
    ck_assert_str_eq(again, first);
    free(again);
    ck_assert_int_eq(verify_count(ctx), 0);
    /* The new store's feed has one change per imported claim; its outbox
     * numbers the next message after the imported ones. */
    cpor_change_iter *ci = NULL;
    ck_assert_status(cpor_changes_since(ctx, SYS, 0, 0, &ci), CPOR_OK);
    uint64_t n = 0, number = 0;
    while (cpor_change_iter_next(ci, &number, NULL, NULL, NULL) == CPOR_OK)
      ck_assert_uint_eq(number, ++n);
    cpor_change_iter_free(ci);
    ck_assert_uint_eq(n, rep.claims);
    cpor_message_iter *mi = NULL;
    ck_assert_status(cpor_outbox_lease(ctx, SYS, 1000, 1000, &mi), CPOR_OK);
    cpor_message *m = NULL;
    uint64_t messages = 0;
    while (cpor_message_iter_next(mi, &m) == CPOR_OK) {
      ck_assert_uint_eq(cpor_message_id(m), ++messages);
      cpor_message_free(m);
    }
    cpor_message_iter_free(mi);
    ck_assert_uint_gt(messages, 0);
    ck_assert_status(s->m.begin(s->self, 1), CPOR_OK);
    uint64_t next = 0;
    ck_assert_status(s->m.counter_next(s->self, "outbox", 1, &next), CPOR_OK);
    ck_assert_uint_eq(next, messages + 1);
    ck_assert_status(s->m.rollback(s->self), CPOR_OK);
    /* The imported claims behave: the approved one is still approved. */
    target_close(ctx, s, schema);
  }
  free(first);
  world_close(&w);
}
END_TEST

/* Imports text into a fresh memory store: the code, the message, and a store
 * left empty (its export is a header and an empty trailer). */
static void refused(const char *input, int code, const char *message) {
  cpor_storage *s;
  char schema[64] = "";
  cpor_ctx *ctx = target(0, &s, schema, sizeof schema);
  lines_in in = {input};
  cpor_import_report rep = CPOR_IMPORT_REPORT_INIT;
  ck_assert_status(cpor_ctx_import(ctx, SYS, from_text, &in, &rep), code);
  ck_assert_str_eq(cpor_ctx_errmsg(ctx), message);
  char *after = export_all(ctx);
  ck_assert_str_eq(after, "{\"format\":\"libcpor-export\",\"type\":\"header\",\"version\":1}\n"
                          "{\"claims\":0,\"events\":0,\"objects\":0,\"type\":\"end\"}\n");
  free(after);
  target_close(ctx, s, schema);
}

/* The input with line k (1-based) replaced by repl (NULL: dropped). */
static char *edit_line(const char *in, int k, const char *repl) {
  size_t cap = strlen(in) + (repl ? strlen(repl) : 0) + 2;
  char *out = malloc(cap), *o = out;
  int n = 1;
  for (const char *p = in; *p; n++) {
    const char *nl = strchr(p, '\n');
    size_t len = nl ? (size_t)(nl - p) + 1 : strlen(p);
    if (n == k) {
      if (repl) o += sprintf(o, "%s\n", repl);
    } else {
      memcpy(o, p, len), o += len;
    }
    p += len;
  }
  *o = 0;
  return out;
}

/* Line k of in, without its newline (static buffer). */
static const char *line_at(const char *in, int k) {
  static char buf[16384];
  const char *p = in;
  for (int n = 1; n < k && p; n++)
    p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL;
  ck_assert_ptr_nonnull(p);
  size_t len = strcspn(p, "\n");
  ck_assert_uint_lt(len, sizeof buf);
  memcpy(buf, p, len);
  buf[len] = 0;
  return buf;
}

static int count_lines(const char *s) {
  int n = 0;
  for (; *s; s++)
    n += *s == '\n';
  return n;
}

/* The first line holding needle (1-based), 0 when none. */
static int find_line(const char *in, const char *needle) {
  for (int k = 1; k <= count_lines(in); k++)
    if (strstr(line_at(in, k), needle)) return k;
  return 0;
}

START_TEST(import_refusals) {
  world w;
  world_open(&w, NULL, NULL, NULL);
  journeys(&w);
  char *good = export_all(w.ctx);
  int n = count_lines(good);
  char msg[512];

  /* Truncated: the trailer is missing. */
  char *t = edit_line(good, n, NULL);
  snprintf(msg, sizeof msg, "line %d: the input ends without its trailer (truncated?)", n);
  refused(t, CPOR_ECORRUPT, msg);
  free(t);
  /* Cut in the middle of a line. */
  t = strdup(good);
  t[strlen(t) / 2] = 0;
  int k = count_lines(t) + 1;
  snprintf(msg, sizeof msg, "line %d: not one JSON object of the export format", k);
  refused(t, CPOR_ECORRUPT, msg);
  free(t);
  /* No header. */
  t = edit_line(good, 1, NULL);
  refused(t, CPOR_ECORRUPT, "line 1: not a libcpor export (no header line)");
  free(t);
  /* Another format version. */
  t = edit_line(good, 1, "{\"format\":\"libcpor-export\",\"type\":\"header\",\"version\":2}");
  refused(t, CPOR_EVERSION, "line 1: export format version 2 (this library reads version 1)");
  free(t);
  /* Reordered: the two first partners swapped. */
  char l2[16384];
  snprintf(l2, sizeof l2, "%s", line_at(good, 2));
  t = edit_line(good, 2, line_at(good, 3));
  char *t2 = edit_line(t, 3, l2);
  refused(t2, CPOR_ECORRUPT,
          "line 3: partner 'contoso' is out of order or given twice (records come by kind, "
          "then by ID)");
  free(t), free(t2);
  /* A line given twice. */
  t = edit_line(good, 3, line_at(good, 2));
  refused(t, CPOR_ECORRUPT,
          "line 3: partner 'contoso' is out of order or given twice (records come by kind, "
          "then by ID)");
  free(t);
  /* A trailer that disagrees. */
  t = edit_line(good, n, "{\"claims\":4,\"events\":1,\"objects\":1,\"type\":\"end\"}");
  ck_assert_ptr_nonnull(strstr(line_at(good, n), "\"claims\":4"));
  unsigned long long nc = 0, ne = 0, no = 0;
  ck_assert_int_eq(
      sscanf(line_at(good, n), "{\"claims\":%llu,\"events\":%llu,\"objects\":%llu", &nc, &ne, &no),
      3);
  snprintf(msg, sizeof msg,
           "line %d: the trailer counts 1 records, 4 claims and 1 events; the input has %llu, "
           "%llu and %llu",
           n, no, nc, ne);
  refused(t, CPOR_ECORRUPT, msg);
  free(t);
  world_close(&w);
  free(good);
}
END_TEST

START_TEST(import_inconsistent_input) {
  world w;
  world_open(&w, NULL, NULL, NULL);
  journeys(&w);
  char *good = export_all(w.ctx);
  char msg[512];
  /* A partner missing: its location names it. */
  int p = find_line(good, "\"id\":\"contoso\",\"kind\":\"partner\"");
  int loc = find_line(good, "\"kind\":\"location\"");
  ck_assert_int_gt(p, 0);
  char *t = edit_line(good, p, NULL);
  snprintf(msg, sizeof msg,
           "line %d: location '" MPN_A "' names partner 'contoso', which is not in the input",
           loc - 1);
  refused(t, CPOR_ECORRUPT, msg);
  free(t);
  /* An event missing: the seqs jump. */
  int e1 = find_line(good, "\"seq\":3,\"type\":\"event\"") - 2; /* a claim's event 1 */
  ck_assert_int_gt(e1, 0);
  char claim[64];
  const char *cl = strstr(line_at(good, e1), "\"claim\":\"") + 9;
  snprintf(claim, sizeof claim, "%.*s", (int)strcspn(cl, "\""), cl);
  t = edit_line(good, e1 + 1, NULL);
  snprintf(msg, sizeof msg, "line %d: event 3 of claim %s where event 2 was due (seqs run 1..n)",
           e1 + 1, claim);
  refused(t, CPOR_ECORRUPT, msg);
  free(t);
  /* A hand-edited claim record: its history no longer replays to it. */
  int c = find_line(good, "\"kind\":\"claim\"");
  char edited[16384];
  snprintf(edited, sizeof edited, "%s", line_at(good, c));
  char *name = strstr(edited, "\"name\":\"");
  ck_assert_ptr_nonnull(name);
  name[8] = name[8] == 'Z' ? 'Y' : 'Z';
  const char *id = strstr(edited, "\"id\":\"") + 6;
  char cid[64];
  snprintf(cid, sizeof cid, "%.*s", (int)strcspn(id, "\""), id);
  t = edit_line(good, c, edited);
  snprintf(msg, sizeof msg, "line %d: the history of claim %s does not replay to its record", c,
           cid);
  refused(t, CPOR_ECORRUPT, msg);
  free(t);
  world_close(&w);
  free(good);
}
END_TEST

START_TEST(roles_and_non_empty_store) {
  world w;
  world_open(&w, NULL, NULL, NULL);
  journeys(&w);
  char *good = export_all(w.ctx);
  char *before = store_dump(w.storage);
  text t = {0};
  const cpor_actor *who[] = {&w.a, &w.reviewer, &w.cust1};
  for (size_t i = 0; i < 3; i++) {
    char msg[128];
    const char *role = cpor_role_name((int)who[i]->role);
    ck_assert_status(cpor_ctx_export(w.ctx, who[i], to_text, &t), CPOR_EPERM);
    snprintf(msg, sizeof msg, "role %s may not export the store", role);
    ck_assert_str_eq(cpor_ctx_errmsg(w.ctx), msg);
    lines_in in = {good};
    ck_assert_status(cpor_ctx_import(w.ctx, who[i], from_text, &in, NULL), CPOR_EPERM);
    snprintf(msg, sizeof msg, "role %s may not import a store", role);
    ck_assert_str_eq(cpor_ctx_errmsg(w.ctx), msg);
    ck_assert_status(cpor_ctx_verify(w.ctx, who[i], NULL, NULL, NULL), CPOR_EPERM);
    snprintf(msg, sizeof msg, "role %s may not verify the store", role);
    ck_assert_str_eq(cpor_ctx_errmsg(w.ctx), msg);
  }
  ck_assert_ptr_null(t.p); /* nothing was written */
  lines_in in = {good};
  ck_assert_status(cpor_ctx_import(w.ctx, SYS, from_text, &in, NULL), CPOR_EEXISTS);
  ck_assert_str_eq(
      cpor_ctx_errmsg(w.ctx),
      "the store is not empty (it holds partner records): import needs an empty store");
  char *after = store_dump(w.storage);
  ck_assert_str_eq(after, before);
  free(after);
  free(before);
  free(good);
  world_close(&w);
}
END_TEST

/* Reads lines, and on the first line records whether the SQLite file has
 * its WAL at that moment (the import's transaction is open). */
typedef struct wal_probe {
  lines_in in;
  const char *wal;
  int seen, had_wal;
} wal_probe;

static int probing(void *user, const char **line, size_t *len) {
  wal_probe *p = user;
  if (!p->seen) p->seen = 1, p->had_wal = access(p->wal, F_OK) == 0;
  return from_text(&p->in, line, len);
}

static void journal_mode_is(const char *path, const char *want) {
  sqlite3 *db = NULL;
  ck_assert_int_eq(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
  sqlite3_stmt *st = NULL;
  ck_assert_int_eq(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, NULL), SQLITE_OK);
  ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
  ck_assert_str_eq((const char *)sqlite3_column_text(st, 0), want);
  sqlite3_finalize(st);
  sqlite3_close(db);
}

/* On a SQLite file, an import runs with a rollback journal instead of the
 * WAL (which would grow with the whole store) and gives the WAL back after
 * a success and after a refusal; with another connection on the file it
 * keeps the WAL and imports all the same. */
START_TEST(import_sqlite_without_wal) {
  world w;
  world_open(&w, NULL, NULL, NULL);
  journeys(&w);
  char *good = export_all(w.ctx);
  world_close(&w);
  char path[] = "/tmp/cpor-import-XXXXXX", wal[64], journal[64];
  int fd = mkstemp(path);
  ck_assert_int_ge(fd, 0);
  close(fd);
  snprintf(wal, sizeof wal, "%s-wal", path);
  snprintf(journal, sizeof journal, "%s-journal", path);
  char *bad = strdup(good);
  bad[strlen(bad) - 2] = 0; /* the trailer cut */
  for (int round = 0; round < 3; round++) {
    unlink(path), unlink(wal), unlink(journal);
    cpor_storage *s = NULL;
    char err[256] = "";
    ck_assert_status(cpor_storage_open_sqlite(&s, path, NULL, err, sizeof err), CPOR_OK);
    cpor_ctx_options o = CPOR_CTX_OPTIONS_INIT;
    o.storage = s;
    cpor_ctx *ctx = NULL;
    ck_assert_status(cpor_ctx_open(&ctx, &o), CPOR_OK);
    sqlite3 *other = NULL;
    if (round == 2) {
      ck_assert_int_eq(sqlite3_open(path, &other), SQLITE_OK);
      ck_assert_int_eq(sqlite3_exec(other, "SELECT count(*) FROM sqlite_master", NULL, NULL, NULL),
                       SQLITE_OK);
    }
    wal_probe p = {{round == 1 ? bad : good}, wal, 0, 0};
    int rc = cpor_ctx_import(ctx, SYS, probing, &p, NULL);
    ck_assert_int_eq(p.had_wal, round == 2);
    char *after = export_all(ctx);
    if (round == 1) {
      ck_assert_status(rc, CPOR_ECORRUPT);
      ck_assert_ptr_nonnull(strstr(after, "\"claims\":0,\"events\":0,\"objects\":0"));
    } else {
      ck_assert_status(rc, CPOR_OK);
      ck_assert_str_eq(after, good);
    }
    free(after);
    ck_assert_int_ne(access(journal, F_OK), 0);
    /* The store goes on as before: a write after the import. */
    ck_assert_status(cpor_partner_create(ctx, SYS, "zz-after", "After"), CPOR_OK);
    if (other) sqlite3_close(other);
    cpor_ctx_close(ctx);
    cpor_storage_free(s);
    journal_mode_is(path, "wal");
  }
  unlink(path), unlink(wal), unlink(journal);
  free(bad);
  free(good);
}
END_TEST

static Suite *transfer_suite(void) {
  Suite *s = suite_create("transfer");
  TCase *tc = tcase_create("export_import_verify");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, round_trips_every_backend);
  tcase_add_test(tc, import_refusals);
  tcase_add_test(tc, import_inconsistent_input);
  tcase_add_test(tc, roles_and_non_empty_store);
  tcase_add_test(tc, import_sqlite_without_wal);
  suite_add_tcase(s, tc);
  return s;
}

CPOR_TEST_MAIN(transfer_suite)
