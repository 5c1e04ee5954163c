#include "world.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/records.h"
#include "pgtest.h"
#include "store/storage.h"

cpor_time T(const char *iso) {
  char date[11];
  int h = 0, m = 0, s = 0, ms = 0;
  ck_assert(strlen(iso) >= 10);
  memcpy(date, iso, 10);
  date[10] = 0;
  if (strlen(iso) > 10) ck_assert(sscanf(iso + 11, "%d:%d:%d.%d", &h, &m, &s, &ms) >= 3);
  return (cpor_time)D(date) * 86400000 + ((h * 60 + m) * 60 + s) * 1000LL + ms;
}

void world_at(world *w, const char *iso) {
  cpor_manual_clock_set(w->clock, T(iso));
}

static int world_keep_file;

void world_open_shared(world *w) {
  world_keep_file = 1;
  world_open(w, NULL, NULL, NULL);
  world_keep_file = 0;
}

/* CPOR_TEST_VARIANTS runs a suite under policy variants: "may_end",
 * "max_disputes=N", "from_submission", comma-separated. */
static void variants(cpor_ctx_options *o) {
  const char *var = getenv("CPOR_TEST_VARIANTS");
  if (var && strstr(var, "may_end")) o->customer_may_end = 1;
  if (var && strstr(var, "from_submission")) o->optout_from = CPOR_OPTOUT_FROM_SUBMISSION;
  const char *md = var ? strstr(var, "max_disputes=") : NULL;
  if (md) o->max_disputes = (uint32_t)atoi(md + strlen("max_disputes="));
}

cpor_ctx *world_ctx_on(const world *w, cpor_storage *storage) {
  cpor_ctx_options o = CPOR_CTX_OPTIONS_INIT;
  variants(&o);
  o.storage = storage;
  o.clock = cpor_manual_clock_now;
  o.clock_user = w->clock;
  o.calendar = w->cal;
  cpor_ctx *ctx = NULL;
  ck_assert_int_eq(cpor_ctx_open(&ctx, &o), CPOR_OK);
  return ctx;
}

int world_open_peer(const world *w, cpor_manual_clock *clock, cpor_ctx **out,
                    cpor_storage **storage) {
  *storage = NULL;
  cpor_ctx_options o = CPOR_CTX_OPTIONS_INIT;
  o.clock = cpor_manual_clock_now;
  o.clock_user = clock;
  cpor_storage *s = NULL;
  int rc = CPOR_OK;
  if (w->pgschema[0]) {
    char conninfo[512], err[256] = "";
    pgtest_schema_conninfo(conninfo, sizeof conninfo, w->pgschema);
    if ((rc = cpor_storage_open_postgres(&s, conninfo, NULL, err, sizeof err))) return rc;
    o.storage = s;
  } else {
    o.db_path = w->path;
  }
  rc = cpor_ctx_open(out, &o);
  if (rc)
    cpor_storage_free(s);
  else
    *storage = s;
  return rc;
}

void world_open(world *w, const char *tz, cpor_calendar *cal, cpor_storage *storage) {
  memset(w, 0, sizeof *w);
  test_ok(cpor_manual_clock_new(&w->clock, T("2026-11-02T09:00:00")), NULL, "clock");
  if (!storage) {
    /* CPOR_TEST_BACKEND=sqlite runs the same journeys on a SQLite file,
     * =postgres in a fresh schema of CPOR_TEST_PG (cpor_test_run skips the
     * suite without a server). */
    const char *backend = getenv("CPOR_TEST_BACKEND");
    if (backend && strcmp(backend, "postgres") == 0) {
      ck_assert_int_eq(pgtest_open(&storage, w->pgschema, sizeof w->pgschema), CPOR_OK);
    } else if (backend && strcmp(backend, "sqlite") == 0) {
      char path[] = "/tmp/cpor-world-XXXXXX";
      int fd = mkstemp(path);
      ck_assert_int_ge(fd, 0);
      close(fd);
      char err[256] = "";
      test_ok(cpor_storage_open_sqlite(&storage, path, NULL, err, sizeof err), NULL, err);
      /* The open connection keeps it; WAL files go with it. A shared world
       * keeps its name until world_close, for other processes' contexts. */
      if (!world_keep_file) unlink(path);
      w->kept = world_keep_file;
      snprintf(w->path, sizeof w->path, "%s", path);
    } else {
      test_ok(cpor_storage_open_memory(&storage), NULL, "memory");
    }
  }
  w->storage = storage;
  cpor_ctx_options o = CPOR_CTX_OPTIONS_INIT;
  o.storage = storage;
  o.clock = cpor_manual_clock_now;
  o.clock_user = w->clock;
  o.tz = tz;
  o.calendar = cal;
  variants(&o);
  test_ok(cpor_ctx_open(&w->ctx, &o), NULL, "open");
  cpor_ctx *x = w->ctx;
  test_ok(cpor_partner_create(x, SYS, "contoso", "Contoso Partners"), x, "partner");
  test_ok(cpor_partner_create(x, SYS, "fabrikam", "Fabrikam Consulting"), x, "partner");
  test_ok(cpor_partner_create(x, SYS, "northwind", "Northwind Traders"), x, "partner");
  const char *locs[][2] = {{"contoso", MPN_A}, {"fabrikam", MPN_B}, {"northwind", MPN_C}};
  for (int i = 0; i < 3; i++) {
    test_ok(cpor_location_create(x, SYS, locs[i][0], locs[i][1], "HQ"), x, "location");
    for (int p = CPOR_PROGRAM_OSA_SELL; p <= CPOR_PROGRAM_OSU_BIZAPPS; p++)
      test_ok(cpor_location_enroll(x, SYS, locs[i][1], p, 1), x, "enroll");
  }
  test_ok(cpor_location_create(x, SYS, "contoso", MPN_A_UNENROLLED, "Branch"), x, "location");
  char *cust = NULL;
  test_ok(cpor_customer_create(x, SYS, "Contoso Ltd", &cust), x, "customer");
  test_ok(cpor_tenant_create(x, SYS, cust, T1, T1_DOMAIN), x, "tenant");
  test_ok(cpor_tenant_create(x, SYS, cust, T2, T2_DOMAIN), x, "tenant");
  cpor_free(cust);
  struct {
    const char *id, *tenant, *wl;
    int channel, state;
  } subs[] = {
      {SUB_SALES, T1, "D365_SALES", CPOR_CHANNEL_VOLUME_LICENSING, CPOR_SUB_ACTIVE},
      {SUB_CSP, T1, "D365_SALES", CPOR_CHANNEL_CSP, CPOR_SUB_ACTIVE},
      {SUB_PROV, T1, "D365_FINANCE", CPOR_CHANNEL_WEB_DIRECT, CPOR_SUB_PROVISIONING},
      {SUB_EXPIRED, T1, "D365_FINANCE", CPOR_CHANNEL_WEB_DIRECT, CPOR_SUB_EXPIRED},
      {SUB_OTHER_TENANT, T2, "D365_SALES", CPOR_CHANNEL_WEB_DIRECT, CPOR_SUB_ACTIVE},
      {SUB_DISABLED, T1, "D365_FINANCE", CPOR_CHANNEL_WEB_DIRECT, CPOR_SUB_DISABLED},
      {SUB_CS, T1, "D365_CUSTOMER_SERVICE", CPOR_CHANNEL_WEB_DIRECT, CPOR_SUB_IN_GRACE},
  };
  for (size_t i = 0; i < sizeof subs / sizeof subs[0]; i++)
    test_ok(cpor_subscription_create(x, SYS, subs[i].id, subs[i].tenant, subs[i].wl,
                                     subs[i].channel, subs[i].state),
            x, "subscription");
  w->a = test_actor(CPOR_ROLE_INCENTIVES_ADMIN, "contoso", "ann@contoso");
  w->b = test_actor(CPOR_ROLE_GLOBAL_ADMIN, "fabrikam", "bob@fabrikam");
  w->c = test_actor(CPOR_ROLE_INCENTIVES_ADMIN, "northwind", "cat@northwind");
  w->a_user = test_actor(CPOR_ROLE_INCENTIVES_USER, "contoso", "uma@contoso");
  w->a_billing = test_actor(CPOR_ROLE_BILLING_ADMIN, "contoso", "bill@contoso");
  w->reviewer = test_actor(CPOR_ROLE_REVIEWER, NULL, "rita@microsoft");
  w->cust1 = test_actor(CPOR_ROLE_CUSTOMER, T1, "admin@" T1_DOMAIN);
  w->cust2 = test_actor(CPOR_ROLE_CUSTOMER, T2, "admin@" T2_DOMAIN);
  w->system = test_actor(CPOR_ROLE_SYSTEM, NULL, "cron");
}

void world_close(world *w) {
  cpor_ctx_close(w->ctx);
  cpor_storage_free(w->storage);
  if (w->pgschema[0]) pgtest_schema_drop(w->pgschema);
  if (w->path[0]) {
    if (w->kept) unlink(w->path);
    char side[300];
    snprintf(side, sizeof side, "%s-wal", w->path);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", w->path);
    unlink(side);
  }
  cpor_manual_clock_free(w->clock);
  memset(w, 0, sizeof *w);
}

const char *draft(world *w, const cpor_actor *who, const char *mpn, const char *const *workloads) {
  static char ids[8][37];
  static int next;
  size_t n = 0;
  while (workloads[n])
    n++;
  cpor_claim_spec s = test_spec("Teams rollout", mpn, T1, T1_DOMAIN, CPOR_AREA_M365, n, workloads);
  cpor_claim *c = NULL;
  test_ok(cpor_claim_create(w->ctx, who, &s, &c), w->ctx, "create");
  char *id = ids[next++ % 8];
  strcpy(id, cpor_claim_id(c));
  cpor_claim_free(c);
  test_ok(cpor_claim_add_poe(w->ctx, who, id, "usage-report.pdf", "application/pdf",
                             "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
                             1234),
          w->ctx, "poe");
  return id;
}

const char *under_review(world *w, const cpor_actor *who, const char *mpn,
                         const char *const *workloads) {
  const char *id = draft(w, who, mpn, workloads);
  test_ok(cpor_claim_submit(w->ctx, who, id), w->ctx, "submit");
  test_ok(cpor_claim_start_review(w->ctx, &w->reviewer, id), w->ctx, "review");
  return id;
}

static cpor_claim *get(world *w, const char *id) {
  cpor_claim *c = NULL;
  test_ok(cpor_claim_get(w->ctx, &w->reviewer, id, &c), w->ctx, "get");
  return c;
}

int state_of(world *w, const char *id) {
  cpor_claim *c = get(w, id);
  int s = cpor_claim_state(c);
  cpor_claim_free(c);
  return s;
}

int reason_of(world *w, const char *id) {
  cpor_claim *c = get(w, id);
  int s = cpor_claim_reason(c);
  cpor_claim_free(c);
  return s;
}

int line_state_of(world *w, const char *id, size_t line) {
  cpor_claim *c = get(w, id);
  int s = cpor_claim_line_state(c, line);
  cpor_claim_free(c);
  return s;
}

/* ---- store dump ---------------------------------------------------------- */

typedef struct dump {
  char *buf;
  size_t len;
  FILE *f;
  cpor_storage *s;
} dump;

/* Bytes as hex, a chunk at a time: the fault-injection tests dump the store
 * thousands of times. */
static void hex(FILE *f, const void *data, size_t len) {
  static const char digits[] = "0123456789abcdef";
  const unsigned char *p = data;
  char buf[512];
  while (len) {
    size_t n = len < sizeof buf / 2 ? len : sizeof buf / 2;
    for (size_t i = 0; i < n; i++) {
      buf[2 * i] = digits[p[i] >> 4];
      buf[2 * i + 1] = digits[p[i] & 15];
    }
    fwrite(buf, 1, 2 * n, f);
    p += n;
    len -= n;
  }
}

static int on_event(void *arg, uint32_t seq, const void *data, size_t len) {
  dump *d = arg;
  fprintf(d->f, "  event %u (%zu bytes)", seq, len);
  hex(d->f, data, len);
  fputc('\n', d->f);
  return 0;
}

static int on_line(void *arg, const cpor_store_line *l) {
  dump *d = arg;
  fprintf(d->f, "  line %s/%u %s %s %d\n", l->claim_id, l->line, l->unit, l->partner_id, l->status);
  return 0;
}

static int on_object(void *arg, const cpor_store_object *o) {
  dump *d = arg;
  fprintf(d->f, "obj %u %s owner=%s ref=%s state=%d rev=%llu ", o->kind, o->id,
          o->owner ? o->owner : "-", o->ref ? o->ref : "-", o->state,
          (unsigned long long)o->revision);
  hex(d->f, o->data, o->len);
  fputc('\n', d->f);
  if (o->kind == CPOR_STORE_CLAIM) {
    cpor__store_events(d->s, o->id, on_event, d);
    cpor_claim *c = NULL;
    if (cpor__claim_decode(o, &c) == CPOR_OK) {
      for (size_t i = 0; i < cpor_claim_line_count(c); i++) {
        char unit[128];
        if (cpor_claim_line_subscription(c, i))
          snprintf(unit, sizeof unit, "s:%s", cpor_claim_line_subscription(c, i));
        else
          snprintf(unit, sizeof unit, "t:%s:%s", cpor_claim_tenant_id(c),
                   cpor_claim_line_workload(c, i));
        cpor__store_lines(d->s, unit, on_line, d);
      }
      cpor_claim_free(c);
    }
  }
  return 0;
}

static int on_deadline(void *arg, const char *id, uint32_t kind, cpor_time due) {
  dump *d = arg;
  fprintf(d->f, "deadline %s %u %lld\n", id, kind, (long long)due);
  return 0;
}

char *store_dump(cpor_storage *s) {
  dump d = {NULL, 0, NULL, s};
  d.f = open_memstream(&d.buf, &d.len);
  ck_assert_int_eq(s->m.begin(s->self, 0), CPOR_OK);
  for (uint32_t k = CPOR_STORE_PARTNER; k <= CPOR_STORE_IDEMPOTENCY; k++) {
    ck_assert_int_eq(cpor__store_objects(s, k, CPOR_STORE_BY_KIND, NULL, 0, NULL, 0, on_object, &d),
                     0);
  }
  for (uint32_t k = CPOR_DEADLINE_OPTOUT; k <= CPOR_DEADLINE_SLA; k++)
    ck_assert_int_eq(cpor__store_deadlines(s, k, INT64_MAX, on_deadline, &d), 0);
  s->m.rollback(s->self);
  fclose(d.f);
  return d.buf;
}

char *history_kinds(world *w, const char *id) {
  cpor_event_iter *it = NULL;
  test_ok(cpor_claim_history(w->ctx, &w->reviewer, id, &it), w->ctx, "history");
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  cpor_event *e;
  int first = 1;
  while (cpor_event_iter_next(it, &e) == CPOR_OK) {
    fprintf(f, "%s%s", first ? "" : ",", cpor_event_kind_name(cpor_event_kind(e)));
    first = 0;
    cpor_event_free(e);
  }
  cpor_event_iter_free(it);
  fclose(f);
  return buf;
}
