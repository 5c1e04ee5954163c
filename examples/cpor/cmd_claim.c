/* cpor — claim commands of the partner side: create, edit, add-poe, comment,
 * submit, withdraw, show, list, history, competitors. */
#include "cli.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#define SPEC_FLAGS                                                                                 \
  "name mpn tenant domain area activity workload* customer-contact-name "                          \
  "customer-contact-title customer-contact-email technical-contact-name "                          \
  "technical-contact-title technical-contact-email partner-contact-name "                          \
  "partner-contact-email solution-seller customer-name isv-product"

#define SPEC_HELP                                                                                  \
  "  --name TEXT --mpn MPN_ID --tenant GUID --domain DOMAIN\n"                                     \
  "  --area m365|bizapps (default: the first workload's) --activity presales|usage|revenue\n"      \
  "  --workload CODE[:SUBSCRIPTION_GUID] (repeatable: one per line)\n"                             \
  "  --customer-contact-name/-title/-email, --technical-contact-name/-title/-email,\n"             \
  "  --partner-contact-name/-email, --solution-seller, --customer-name, --isv-product"

#define CREATE_FLAGS SPEC_FLAGS " external-ref idempotency-key"
#define EDIT_FLAGS SPEC_FLAGS " external-ref expect-revision"

/* Line storage for a spec: the spec points into these arrays (as many as
 * the command line gives: the library enforces its own limits). */
typedef struct spec_buf {
  cpor_claim_spec spec;
  const char **workloads, **subs;
  char **text;
  int n;
  int area_given;
} spec_buf;

static void spec_buf_free(spec_buf *b) {
  for (int i = 0; b->text && i < b->n; i++)
    free(b->text[i]);
  free(b->text);
  free(b->workloads);
  free(b->subs);
  memset(b, 0, sizeof *b);
}

/* --workload CODE[:SUBSCRIPTION_GUID], one per line. */
static int parse_lines(cli *c, const cli_args *a, spec_buf *b) {
  int n, rc;
  const char **lines = cli_get_all(a, "workload", &n);
  b->workloads = calloc((size_t)n + 1, sizeof *b->workloads);
  b->subs = calloc((size_t)n + 1, sizeof *b->subs);
  b->text = calloc((size_t)n + 1, sizeof *b->text);
  if (!lines || !b->workloads || !b->subs || !b->text) {
    free(lines);
    return cli_usage(c, "out of memory");
  }
  for (int i = 0; i < n; i++, b->n++) {
    if (!(b->text[i] = strdup(lines[i]))) {
      free(lines);
      return cli_usage(c, "out of memory");
    }
    char *colon = strchr(b->text[i], ':');
    b->workloads[i] = b->text[i];
    if (colon) {
      *colon = '\0';
      b->subs[i] = colon + 1;
    }
    rc = colon ? cli_check_guid(c, "--workload subscription", colon + 1) : CLI_EXIT_OK;
    if (!rc && !b->text[i][0])
      rc = cli_usage(c, "--workload: empty workload code in '%s'", lines[i]);
    if (rc) {
      b->n++;
      free(lines);
      return rc;
    }
  }
  free(lines);
  b->spec.line_count = (size_t)n;
  b->spec.workloads = b->workloads;
  b->spec.subscriptions = b->subs;
  return CLI_EXIT_OK;
}

/* Fills the spec from the flags, validating what can be validated without
 * the database (GUIDs, MPN ID, enums). */
static int parse_spec(cli *c, const cli_args *a, spec_buf *b) {
  cpor_claim_spec *s = &b->spec;
  int rc, v;
  memset(b, 0, sizeof *b);
  cpor_claim_spec_init(s, CPOR_CLAIM_SPEC_VERSION);
  s->name = cli_get(a, "name");
  s->mpn_id = cli_get(a, "mpn");
  s->tenant_id = cli_get(a, "tenant");
  s->domain = cli_get(a, "domain");
  if (s->mpn_id) {
    size_t n = strlen(s->mpn_id);
    int ok = n >= 1 && n <= 10;
    for (size_t i = 0; ok && i < n; i++)
      ok = isdigit((unsigned char)s->mpn_id[i]) != 0;
    if (!ok) return cli_usage(c, "--mpn: malformed MPN ID '%s' (1-10 digits)", s->mpn_id);
  }
  if (s->tenant_id && (rc = cli_check_guid(c, "--tenant", s->tenant_id))) return rc;
  if (cli_get(a, "area")) {
    if ((rc = cli_parse_enum(c, "--area", cli_get(a, "area"), cpor_area_from_name, cpor_area_name,
                             &v)))
      return rc;
    s->area = (uint32_t)v;
    b->area_given = 1;
  }
  if (cli_get(a, "activity")) {
    if ((rc = cli_parse_enum(c, "--activity", cli_get(a, "activity"), cpor_activity_from_name,
                             cpor_activity_name, &v)))
      return rc;
    s->activity = (uint32_t)v;
  }
  if ((rc = parse_lines(c, a, b))) return rc;
  s->customer_contact_name = cli_get(a, "customer-contact-name");
  s->customer_contact_title = cli_get(a, "customer-contact-title");
  s->customer_contact_email = cli_get(a, "customer-contact-email");
  s->technical_contact_name = cli_get(a, "technical-contact-name");
  s->technical_contact_title = cli_get(a, "technical-contact-title");
  s->technical_contact_email = cli_get(a, "technical-contact-email");
  s->partner_contact_name = cli_get(a, "partner-contact-name");
  s->partner_contact_email = cli_get(a, "partner-contact-email");
  s->solution_seller = cli_get(a, "solution-seller");
  s->customer_name = cli_get(a, "customer-name");
  s->isv_product = cli_get(a, "isv-product");
  s->external_ref = cli_get(a, "external-ref");       /* create and edit */
  s->idempotency_key = cli_get(a, "idempotency-key"); /* create */
  if (cli_get(a, "expect-revision")) {                /* edit */
    long long rev = 0;
    if ((rc = cli_parse_int(c, "--expect-revision", cli_get(a, "expect-revision"), 1, INT64_MAX,
                            &rev)))
      return rc;
    s->expected_revision = (uint64_t)rev;
  }
  return CLI_EXIT_OK;
}

void cli_text_claim(cli *c, FILE *f, const cpor_claim *cl) {
  char when[40] = "-";
  int reason = cpor_claim_reason(cl);
  if (cpor_claim_window_closes_at(cl) != CPOR_TIME_NONE)
    cli_format_time(cpor_claim_window_closes_at(cl), when, sizeof when);
  fprintf(f, "claim %s  %s%s%s%s\n", cpor_claim_id(cl), cpor_state_name(cpor_claim_state(cl)),
          reason ? " (" : "", reason ? cpor_reason_name(reason) : "", reason ? ")" : "");
  fprintf(f, "  name: %s\n  partner: %s  mpn: %s\n  tenant: %s (%s)\n  %s / %s\n",
          cli_esc(c, cpor_claim_name(cl)), cli_esc(c, cpor_claim_partner_id(cl)),
          cpor_claim_mpn_id(cl), cpor_claim_tenant_id(cl), cli_esc(c, cpor_claim_domain(cl)),
          cpor_area_name(cpor_claim_area(cl)), cpor_activity_name(cpor_claim_activity(cl)));
  for (size_t i = 0; i < cpor_claim_line_count(cl); i++) {
    const char *sub = cpor_claim_line_subscription(cl, i);
    fprintf(f, "  line %zu: %s%s%s  %s\n", i + 1, cli_esc(c, cpor_claim_line_workload(cl, i)),
            sub ? " " : "", sub ? sub : "", cpor_state_name(cpor_claim_line_state(cl, i)));
  }
  fprintf(f, "  poe: %zu  contested: %s  window closes: %s\n", cpor_claim_poe_count(cl),
          cpor_claim_contested(cl) ? "yes" : "no", when);
}

int cli_print_claim(cli *c, const char *claim_id) {
  cpor_claim *cl = NULL;
  int rc = cpor_claim_get(c->ctx, &c->actor, claim_id, &cl);
  if (rc) return cli_fail_ctx(c, rc);
  if (c->json) {
    json_claim(stdout, cl);
    fputc('\n', stdout);
  } else {
    cli_text_claim(c, stdout, cl);
  }
  cpor_claim_free(cl);
  return CLI_EXIT_OK;
}

/* Claim IDs are GUIDs; checking the shape first keeps a typo a usage error. */
static int open_for_claim(cli *c, const cli_args *a, int mode) {
  int rc = cli_require_actor(c);
  if (rc || (rc = cli_check_guid(c, "claim", a->pos[0]))) return rc;
  return cli_open(c, mode);
}

static int create_claim(cli *c, spec_buf *b) {
  if (!b->spec.mpn_id || !b->spec.tenant_id || !b->spec.domain)
    return cli_usage(c, "--mpn, --tenant and --domain are required");
  if (!b->spec.activity) b->spec.activity = CPOR_ACTIVITY_USAGE;
  int rc = cli_open(c, CLI_DB_WRITE);
  if (rc) return rc;
  if (!b->area_given) {
    /* The area follows from the products: ask the catalog. */
    b->spec.area = CPOR_AREA_M365;
    cpor_workload *w = NULL;
    if (b->spec.line_count && cpor_workload_get(c->ctx, &c->actor, b->workloads[0], &w) == CPOR_OK)
      b->spec.area = (uint32_t)cpor_workload_area(w);
    cpor_workload_free(w);
  }
  cpor_claim *cl = NULL;
  if ((rc = cli_wrote(c, cpor_claim_create(c->ctx, &c->actor, &b->spec, &cl))))
    return cli_fail_ctx(c, rc);
  if (c->json) {
    json_claim(stdout, cl);
    fputc('\n', stdout);
  } else {
    cli_text_claim(c, stdout, cl);
  }
  cpor_claim_free(cl);
  return CLI_EXIT_OK;
}

static int run_create(cli *c, const cli_args *a) {
  spec_buf b;
  memset(&b, 0, sizeof b);
  int rc = cli_require_actor(c);
  if (!rc && !(rc = parse_spec(c, a, &b))) rc = create_claim(c, &b);
  spec_buf_free(&b);
  return rc;
}

static int edit_claim(cli *c, const cli_args *a, spec_buf *b) {
  int rc = open_for_claim(c, a, CLI_DB_WRITE);
  if (rc) return rc;
  if ((rc = cli_wrote(c, cpor_claim_edit(c->ctx, &c->actor, a->pos[0], &b->spec))))
    return cli_fail_ctx(c, rc);
  return cli_print_claim(c, a->pos[0]);
}

static int run_edit(cli *c, const cli_args *a) {
  spec_buf b;
  int rc = parse_spec(c, a, &b);
  if (!rc) rc = edit_claim(c, a, &b);
  spec_buf_free(&b);
  return rc;
}

static int run_add_poe(cli *c, const cli_args *a) {
  const char *name = cli_get(a, "name"), *type = cli_get(a, "media-type");
  const char *sha = cli_get(a, "sha256"), *size_text = cli_get(a, "size");
  long long size = 0;
  if (!name || !sha || !size_text) return cli_usage(c, "--name, --sha256 and --size are required");
  int rc = cli_parse_int(c, "--size", size_text, 1, INT64_MAX, &size);
  if (rc) return rc;
  int ok = strlen(sha) == 64;
  for (size_t i = 0; ok && i < 64; i++)
    ok = isxdigit((unsigned char)sha[i]) != 0;
  if (!ok) return cli_usage(c, "--sha256: want 64 hex digits, got '%s'", sha);
  if ((rc = open_for_claim(c, a, CLI_DB_WRITE))) return rc;
  rc = cli_wrote(c,
                 cpor_claim_add_poe(c->ctx, &c->actor, a->pos[0], name,
                                    type ? type : "application/octet-stream", sha, (uint64_t)size));
  if (rc) return cli_fail_ctx(c, rc);
  return cli_print_claim(c, a->pos[0]);
}

/* The simple actions: one claim ID and maybe a text. */
static int run_comment(cli *c, const cli_args *a) {
  int rc = open_for_claim(c, a, CLI_DB_WRITE);
  if (rc) return rc;
  if ((rc = cli_wrote(c, cpor_claim_comment(c->ctx, &c->actor, a->pos[0], a->pos[1]))))
    return cli_fail_ctx(c, rc);
  return cli_print_claim(c, a->pos[0]);
}

static int run_submit(cli *c, const cli_args *a) {
  int rc = open_for_claim(c, a, CLI_DB_WRITE);
  if (rc) return rc;
  if ((rc = cli_wrote(c, cpor_claim_submit(c->ctx, &c->actor, a->pos[0]))))
    return cli_fail_ctx(c, rc);
  return cli_print_claim(c, a->pos[0]);
}

static int run_withdraw(cli *c, const cli_args *a) {
  int rc = open_for_claim(c, a, CLI_DB_WRITE);
  if (rc) return rc;
  if ((rc = cli_wrote(c, cpor_claim_withdraw(c->ctx, &c->actor, a->pos[0]))))
    return cli_fail_ctx(c, rc);
  return cli_print_claim(c, a->pos[0]);
}

/* Prints a preflight report; the exit status is the first problem's (0: none). */
static int print_report(cli *c, cpor_check_report *r) {
  size_t n = cpor_check_report_count(r);
  if (c->json) fputs("{\"problems\":[", stdout);
  for (size_t i = 0; i < n; i++) {
    const char *code = cpor_status_name(cpor_check_report_code(r, i));
    if (c->json) {
      fputs(i ? ",{\"code\":" : "{\"code\":", stdout);
      json_str(stdout, code);
      fputs(",\"message\":", stdout);
      json_str(stdout, cpor_check_report_message(r, i));
      fputc('}', stdout);
    } else {
      printf("%s: %s\n", code, cli_esc(c, cpor_check_report_message(r, i)));
    }
  }
  if (c->json)
    fputs("]}\n", stdout);
  else if (n == 0)
    puts("no problems: the claim can be submitted");
  int first = n ? cpor_check_report_code(r, 0) : CPOR_OK;
  cpor_check_report_free(r);
  return first ? CLI_EXIT_LIB(first) : CLI_EXIT_OK;
}

static int run_check(cli *c, const cli_args *a) {
  spec_buf b;
  memset(&b, 0, sizeof b);
  int rc = cli_require_actor(c);
  if (!rc && a->npos == 0) rc = parse_spec(c, a, &b);
  if (!rc && a->npos == 1) rc = cli_check_guid(c, "claim", a->pos[0]);
  if (!rc) rc = cli_open(c, CLI_DB_READ);
  if (!rc && a->npos == 0 && !b.area_given && b.spec.line_count) {
    cpor_workload *w = NULL;
    b.spec.area = CPOR_AREA_M365;
    if (cpor_workload_get(c->ctx, &c->actor, b.workloads[0], &w) == CPOR_OK)
      b.spec.area = (uint32_t)cpor_workload_area(w);
    cpor_workload_free(w);
  }
  if (!rc && a->npos == 0 && !b.spec.activity) b.spec.activity = CPOR_ACTIVITY_USAGE;
  cpor_check_report *r = NULL;
  if (!rc) {
    int crc = cpor_claim_check(c->ctx, &c->actor, a->npos ? a->pos[0] : NULL,
                               a->npos ? NULL : &b.spec, &r);
    rc = crc ? cli_fail_ctx(c, crc) : print_report(c, r);
  }
  spec_buf_free(&b);
  return rc;
}

static int run_show(cli *c, const cli_args *a) {
  int rc = open_for_claim(c, a, CLI_DB_READ);
  return rc ? rc : cli_print_claim(c, a->pos[0]);
}

/* Prints (JSON: an array of) the claims of it, and frees it. */
static int print_claims(cli *c, cpor_claim_iter *it) {
  cpor_claim *cl;
  int first = 1, rc;
  if (c->json) fputc('[', stdout);
  while ((rc = cpor_claim_iter_next(it, &cl)) == CPOR_OK) {
    if (c->json) {
      if (!first) fputc(',', stdout);
      json_claim(stdout, cl);
    } else {
      cli_text_claim(c, stdout, cl);
    }
    first = 0;
    cpor_claim_free(cl);
  }
  cpor_claim_iter_free(it);
  if (c->json) fputs("]\n", stdout);
  return rc == CPOR_ITEROVER ? CLI_EXIT_OK : cli_fail_ctx(c, rc);
}

static int run_list(cli *c, const cli_args *a) {
  cpor_claim_query q;
  int rc = cli_require_actor(c), v;
  if (rc) return rc;
  cpor_claim_query_init(&q, CPOR_CLAIM_QUERY_VERSION);
  q.partner_id = cli_get(a, "partner");
  q.tenant_id = cli_get(a, "tenant");
  q.unit_workload = cli_get(a, "workload");
  q.unit_subscription = cli_get(a, "subscription");
  q.overdue = cli_has(a, "overdue") ? 1 : 0;
  q.external_ref = cli_get(a, "external-ref");
  if (q.tenant_id && (rc = cli_check_guid(c, "--tenant", q.tenant_id))) return rc;
  if (q.unit_subscription && (rc = cli_check_guid(c, "--subscription", q.unit_subscription)))
    return rc;
  if (cli_get(a, "state")) {
    if ((rc = cli_parse_enum(c, "--state", cli_get(a, "state"), cpor_state_from_name,
                             cpor_state_name, &v)))
      return rc;
    q.state = (uint32_t)v;
  }
  /* With no filter, a partner lists its own claims and a customer its
   * tenant's: what they could see anyway. */
  if (!q.partner_id && !q.tenant_id && !q.state && !q.unit_workload && !q.unit_subscription &&
      !q.overdue && !q.external_ref && c->actor.org) {
    if (c->actor.role == CPOR_ROLE_CUSTOMER)
      q.tenant_id = c->actor.org;
    else if (c->actor.role <= CPOR_ROLE_INCENTIVES_USER)
      q.partner_id = c->actor.org;
  }
  if ((rc = cli_open(c, CLI_DB_READ))) return rc;
  cpor_claim_iter *it = NULL;
  if ((rc = cpor_claim_find(c->ctx, &c->actor, &q, &it))) return cli_fail_ctx(c, rc);
  return print_claims(c, it);
}

static int run_competitors(cli *c, const cli_args *a) {
  int rc = open_for_claim(c, a, CLI_DB_READ);
  if (rc) return rc;
  cpor_claim_iter *it = NULL;
  if ((rc = cpor_claim_competitors(c->ctx, &c->actor, a->pos[0], &it))) return cli_fail_ctx(c, rc);
  return print_claims(c, it);
}

static int run_history(cli *c, const cli_args *a) {
  int rc = open_for_claim(c, a, CLI_DB_READ);
  if (rc) return rc;
  cpor_event_iter *it = NULL;
  if ((rc = cpor_claim_history(c->ctx, &c->actor, a->pos[0], &it))) return cli_fail_ctx(c, rc);
  cpor_event *e;
  int first = 1;
  if (c->json) fputc('[', stdout);
  while ((rc = cpor_event_iter_next(it, &e)) == CPOR_OK) {
    if (c->json) {
      if (!first) fputc(',', stdout);
      json_event(stdout, e);
    } else {
      char when[40];
      cli_format_time(cpor_event_at(e), when, sizeof when);
      const char *org = cpor_event_actor_org(e);
      printf("%3u  %s  %s:%s:%s  %-16s %-24s %s\n", (unsigned)cpor_event_seq(e), when,
             cpor_role_name(cpor_event_actor_role(e)), cli_esc(c, org),
             cli_esc(c, cpor_event_actor_user(e)), cpor_event_kind_name(cpor_event_kind(e)),
             cpor_state_name(cpor_event_state(e)), cli_esc(c, cpor_event_text(e)));
    }
    first = 0;
    cpor_event_free(e);
  }
  cpor_event_iter_free(it);
  if (c->json) fputs("]\n", stdout);
  return rc == CPOR_ITEROVER ? CLI_EXIT_OK : cli_fail_ctx(c, rc);
}

const cli_command cli_claim_commands[] = {
    {"claim", "create", CREATE_FLAGS, 0, 0, run_create,
     "claim create --mpn M --tenant T --domain D ...",
     "Creates a claim in EDITING (needs --as). Prints the claim.\n" SPEC_HELP
     "\n  --external-ref TEXT: your own reference (searchable with claim list --external-ref)"
     "\n  --idempotency-key KEY: a retried create with the same key and content prints the "
     "claim the first one made"},
    {"claim", "edit", EDIT_FLAGS, 1, 1, run_edit, "claim edit CLAIM_ID [FLAGS]",
     "Changes the given fields; --workload replaces all lines. Prints the claim.\n" SPEC_HELP
     "\n  --external-ref TEXT (\"\" clears it)"
     "\n  --expect-revision N: refuse (conflict) unless the claim is at revision N"},
    {"claim", "add-poe", "name media-type sha256 size", 1, 1, run_add_poe,
     "claim add-poe CLAIM_ID --name N --sha256 HEX --size BYTES [--media-type T]",
     "Adds a proof-of-execution reference (digest and size, not the file)."},
    {"claim", "comment", "", 2, 2, run_comment, "claim comment CLAIM_ID TEXT", "Adds a comment."},
    {"claim", "submit", "", 1, 1, run_submit, "claim submit CLAIM_ID",
     "Submits the claim for review (needs every required field and a PoE)."},
    {"claim", "withdraw", "", 1, 1, run_withdraw, "claim withdraw CLAIM_ID",
     "Partner request: REJECTED (partner_request), before ASSOCIATED."},
    {"claim", "show", "", 1, 1, run_show, "claim show CLAIM_ID", "Prints the claim."},
    {"claim", "check", SPEC_FLAGS, 0, 1, run_check, "claim check CLAIM_ID | claim check [FLAGS]",
     "Preflight: lists every problem that would block submitting the draft (or a claim created "
     "with FLAGS), writing nothing. Exit 0 when there is none, else the first problem's status."},
    {"claim", "list", "partner tenant state workload subscription overdue! external-ref", 0, 0,
     run_list,
     "claim list [--partner P] [--tenant T] [--state S] [--workload W] [--subscription S] "
     "[--overdue] [--external-ref R]",
     "Lists the claims the actor may see (a partner: its own; a customer: its tenant's by "
     "default).\n--workload with --tenant selects a Microsoft 365 unit."},
    {"claim", "history", "", 1, 1, run_history, "claim history CLAIM_ID",
     "Prints the claim's events: JSON [{seq, at, actor, kind, state, text}]."},
    {"claim", "competitors", "", 1, 1, run_competitors, "claim competitors CLAIM_ID",
     "Reviewer only: the other partners' claims live on the claim's units (arbitration)."},
    {NULL, NULL, NULL, 0, 0, NULL, NULL, NULL}};
