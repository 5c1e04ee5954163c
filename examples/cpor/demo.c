/* cpor demo — a complete journey on a fresh database, with a manual clock so
 * it never depends on the real date: partner A becomes partner of record for
 * Teams, partner B contests it, wins arbitration, and after an opt-out window
 * that crosses Thanksgiving and a weekend (us-federal calendar, US Eastern
 * time) B is ASSOCIATED and A's association ENDED (superseded). */
#include "cli.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define DEMO_TENANT "8c3d5a1e-2b4f-4c6d-9e8f-0a1b2c3d4e5f"
#define DEMO_DOMAIN "contoso.onmicrosoft.com"
#define DEMO_TZ "EST5EDT,M3.2.0,M11.1.0"
#define DEMO_SHA "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"

typedef struct demo {
  cli *c;
  cpor_actor a, b, reviewer, ops;
  char *claim_a, *claim_b;
  size_t changed_before, changed_after;
} demo;

static cpor_time at(const char *iso) {
  cpor_time t = 0;
  cli_parse_time(iso, &t); /* literals below: always well-formed */
  return t;
}

static void set_now(demo *d, const char *iso) {
  cpor_manual_clock_set(d->c->clock, at(iso));
}

static int make_claim(demo *d, const cpor_actor *who, const char *mpn, const char *name,
                      char **id_out) {
  static const char *const teams[] = {"TEAMS"};
  cpor_claim_spec s;
  cpor_claim_spec_init(&s, CPOR_CLAIM_SPEC_VERSION);
  s.name = name;
  s.mpn_id = mpn;
  s.tenant_id = DEMO_TENANT;
  s.domain = DEMO_DOMAIN;
  s.area = CPOR_AREA_M365;
  s.activity = CPOR_ACTIVITY_USAGE;
  s.line_count = 1;
  s.workloads = teams;
  s.customer_contact_name = "Carol Customer";
  s.customer_contact_title = "IT Director";
  s.customer_contact_email = "carol@" DEMO_DOMAIN;
  s.partner_contact_name = who->user;
  s.partner_contact_email = "claims@example.com";
  cpor_claim *cl = NULL;
  int rc = cpor_claim_create(d->c->ctx, who, &s, &cl);
  if (rc) return rc;
  size_t n = strlen(cpor_claim_id(cl)) + 1;
  *id_out = malloc(n);
  if (*id_out) memcpy(*id_out, cpor_claim_id(cl), n);
  cpor_claim_free(cl);
  return *id_out ? CPOR_OK : CPOR_ENOMEM;
}

/* Every step of the journey; stops at the first failure. */
static int journey(demo *d) {
  cpor_ctx *x = d->c->ctx;
  int rc;
#define TRY(call)                                                                                  \
  do {                                                                                             \
    if ((rc = (call)) != CPOR_OK) return rc;                                                       \
  } while (0)
  char *customer = NULL;
  set_now(d, "2026-11-02T14:00:00Z");
  TRY(cpor_partner_create(x, &d->ops, "contoso", "Contoso Partners"));
  TRY(cpor_location_create(x, &d->ops, "contoso", "1234567", "Contoso Partners HQ"));
  TRY(cpor_location_enroll(x, &d->ops, "1234567", CPOR_PROGRAM_OSU_M365, 1));
  TRY(cpor_partner_create(x, &d->ops, "fabrikam", "Fabrikam Consulting"));
  TRY(cpor_location_create(x, &d->ops, "fabrikam", "7654321", "Fabrikam Consulting"));
  TRY(cpor_location_enroll(x, &d->ops, "7654321", CPOR_PROGRAM_OSU_M365, 1));
  TRY(cpor_customer_create(x, &d->ops, "Contoso Ltd", &customer));
  rc = cpor_tenant_create(x, &d->ops, customer, DEMO_TENANT, DEMO_DOMAIN);
  cpor_free(customer);
  if (rc) return rc;

  /* A: Teams, approved on Wednesday 2026-11-04; Veterans Day (11-11) is
   * inside its window, which closes at the start of 2026-11-13 Eastern. */
  TRY(make_claim(d, &d->a, "1234567", "Contoso Teams rollout", &d->claim_a));
  TRY(cpor_claim_add_poe(x, &d->a, d->claim_a, "teams-rollout.pdf", "application/pdf", DEMO_SHA,
                         48213));
  TRY(cpor_claim_submit(x, &d->a, d->claim_a));
  set_now(d, "2026-11-03T15:00:00Z");
  TRY(cpor_claim_start_review(x, &d->reviewer, d->claim_a));
  set_now(d, "2026-11-04T15:00:00Z");
  TRY(cpor_claim_approve(x, &d->reviewer, d->claim_a));
  set_now(d, "2026-11-16T14:00:00Z");
  TRY(cpor_ctx_advance(x, NULL));

  /* B contests the unit A holds. */
  set_now(d, "2026-11-17T14:00:00Z");
  TRY(make_claim(d, &d->b, "7654321", "Fabrikam Teams adoption", &d->claim_b));
  TRY(cpor_claim_add_poe(x, &d->b, d->claim_b, "adoption-report.pdf", "application/pdf", DEMO_SHA,
                         91822));
  TRY(cpor_claim_submit(x, &d->b, d->claim_b));
  set_now(d, "2026-11-18T15:00:00Z");
  TRY(cpor_claim_start_review(x, &d->reviewer, d->claim_b));
  /* Approved Wednesday 2026-11-25: Thanksgiving and a weekend fall inside
   * the window; the 5th business day after is 2026-12-03. */
  set_now(d, "2026-11-25T15:00:00Z");
  TRY(cpor_claim_approve(x, &d->reviewer, d->claim_b));
  set_now(d, "2026-12-03T23:00:00Z"); /* 18:00 Eastern on the last day: still open */
  TRY(cpor_ctx_advance(x, &d->changed_before));
  set_now(d, "2026-12-04T05:00:00Z"); /* 00:00 Eastern on 12-04: the window's end */
  TRY(cpor_ctx_advance(x, &d->changed_after));
#undef TRY
  return CPOR_OK;
}

typedef struct row {
  cpor_event *e;
  char label; /* 'A' or 'B' */
  const char *claim_id;
} row;

static int row_cmp(const void *x, const void *y) {
  const row *p = x, *q = y;
  cpor_time a = cpor_event_at(p->e), b = cpor_event_at(q->e);
  if (a != b) return a < b ? -1 : 1;
  if (p->label != q->label) return p->label < q->label ? -1 : 1;
  return cpor_event_seq(p->e) < cpor_event_seq(q->e) ? -1 : 1;
}

static int collect(demo *d, const char *id, char label, row *rows, size_t *n, size_t cap) {
  cpor_event_iter *it = NULL;
  int rc = cpor_claim_history(d->c->ctx, &d->reviewer, id, &it);
  if (rc) return rc;
  cpor_event *e;
  while ((rc = cpor_event_iter_next(it, &e)) == CPOR_OK) {
    if (*n == cap) {
      cpor_event_free(e);
      continue;
    }
    rows[*n].e = e;
    rows[*n].label = label;
    rows[(*n)++].claim_id = id;
  }
  cpor_event_iter_free(it);
  return rc == CPOR_ITEROVER ? CPOR_OK : rc;
}

static void print_report(demo *d, row *rows, size_t n, cpor_claim *ca, cpor_claim *cb) {
  FILE *f = stdout;
  if (d->c->json) {
    fputs("{\"claims\":{\"A\":", f);
    json_claim(f, ca);
    fputs(",\"B\":", f);
    json_claim(f, cb);
    fprintf(f,
            "},\"advance_before_close\":{\"changed\":%zu},"
            "\"advance_after_close\":{\"changed\":%zu},\"timeline\":[",
            d->changed_before, d->changed_after);
    for (size_t i = 0; i < n; i++) {
      fprintf(f, "%s{\"claim\":\"%c\",\"claim_id\":", i ? "," : "", rows[i].label);
      json_str(f, rows[i].claim_id);
      fputs(",\"event\":", f);
      json_event(f, rows[i].e);
      fputc('}', f);
    }
    fputs("]}\n", f);
    return;
  }
  printf("%-20s  %-5s  %-32s  %-16s  %s\n", "time (UTC)", "claim", "actor", "event", "state");
  for (size_t i = 0; i < n; i++) {
    const cpor_event *e = rows[i].e;
    char when[40];
    const char *org = cpor_event_actor_org(e);
    cli_format_time(cpor_event_at(e), when, sizeof when);
    const char *actor = cli_fmt(d->c, "%s:%s:%s", cpor_role_name(cpor_event_actor_role(e)),
                                cli_esc(d->c, org), cli_esc(d->c, cpor_event_actor_user(e)));
    printf("%-20s  %-5c  %-32s  %-16s  %s\n", when, rows[i].label, actor,
           cpor_event_kind_name(cpor_event_kind(e)), cpor_state_name(cpor_event_state(e)));
  }
  printf("\nadvance at 2026-12-03T23:00:00Z (before the close): %zu changed\n", d->changed_before);
  printf("advance at 2026-12-04T05:00:00Z (the close):        %zu changed\n\n", d->changed_after);
  printf("A (contoso)  ");
  cli_text_claim(d->c, f, ca);
  printf("B (fabrikam) ");
  cli_text_claim(d->c, f, cb);
}

static int run_demo(cli *c, const cli_args *a) {
  struct stat st;
  /* On PostgreSQL a second demo is refused by its first write (the partner
   * exists); --force cannot empty a server's store. */
  if (cli_db_is_url(c) && cli_has(a, "force"))
    return cli_fail_lib(
        c, CPOR_ENOTSUP,
        "--force replaces a database file; drop a PostgreSQL store's schema instead");
  if (!cli_db_is_url(c) && stat(c->db, &st) == 0 && st.st_size > 0) {
    if (!cli_has(a, "force")) {
      return cli_fail_lib(
          c, CPOR_EEXISTS,
          cli_fmt(c, "%s exists and is not empty (use --force to replace it)", c->db));
    }
    /* --force: start from nothing, WAL and shared-memory files included */
    unlink(c->db);
    unlink(cli_fmt(c, "%s-wal", c->db));
    unlink(cli_fmt(c, "%s-shm", c->db));
  }
  /* The demo fixes its own calendar, time zone and clock. */
  cpor_calendar_unref(c->cal);
  c->cal = NULL;
  int rc = cpor_calendar_builtin("us-federal", &c->cal);
  if (rc) return cli_fail_lib(c, rc, "the us-federal calendar is not built in");
  c->tz = DEMO_TZ;
  c->now = at("2026-11-02T14:00:00Z");
  c->have_now = 1;
  if ((rc = cli_wrote(c, cli_open(c, CLI_DB_CREATE)))) return rc; /* every step commits */

  demo d;
  memset(&d, 0, sizeof d);
  d.c = c;
  cpor_actor_init(&d.a, CPOR_ACTOR_VERSION);
  d.a.role = CPOR_ROLE_INCENTIVES_ADMIN, d.a.org = "contoso", d.a.user = "ann";
  d.b = d.a;
  d.b.org = "fabrikam", d.b.user = "bob";
  d.reviewer = d.a;
  d.reviewer.role = CPOR_ROLE_REVIEWER, d.reviewer.org = NULL, d.reviewer.user = "rita";
  d.ops = d.reviewer;
  d.ops.role = CPOR_ROLE_SYSTEM, d.ops.user = "ops";

  row rows[128];
  size_t n = 0;
  cpor_claim *ca = NULL, *cb = NULL;
  int exit = CLI_EXIT_OK;
  if ((rc = journey(&d)) || (rc = collect(&d, d.claim_a, 'A', rows, &n, 128)) ||
      (rc = collect(&d, d.claim_b, 'B', rows, &n, 128)) ||
      (rc = cpor_claim_get(c->ctx, &d.reviewer, d.claim_a, &ca)) ||
      (rc = cpor_claim_get(c->ctx, &d.reviewer, d.claim_b, &cb))) {
    exit = cli_fail_ctx(c, rc);
  } else {
    qsort(rows, n, sizeof rows[0], row_cmp);
    print_report(&d, rows, n, ca, cb);
  }
  for (size_t i = 0; i < n; i++)
    cpor_event_free(rows[i].e);
  cpor_claim_free(ca);
  cpor_claim_free(cb);
  free(d.claim_a);
  free(d.claim_b);
  return exit;
}

const cli_command cli_demo_commands[] = {
    {"demo", NULL, "force!", 0, 0, run_demo, "demo [--force]",
     "Runs a complete journey on a fresh database (--db; refuses a non-empty file unless\n"
     "--force): A holds Teams, B contests and wins; B's opt-out window crosses Thanksgiving\n"
     "2026 and a weekend (us-federal, EST5EDT) and closes at 2026-12-04T05:00:00Z; then B is\n"
     "ASSOCIATED and A is ENDED (superseded). Prints the timeline (JSON with --json)."},
    {NULL, NULL, NULL, 0, 0, NULL, NULL, NULL}};
