/* cpor — reference data: init, partners, locations, enrollment, customers,
 * tenants, subscriptions, workloads. Every call runs as --as (or CPOR_AS);
 * without one, as the operator (system), who owns the reference data. */
#include "cli.h"

#include <ctype.h>
#include <limits.h>
#include <string.h>

static int check_mpn(cli *c, const char *mpn) {
  size_t n = strlen(mpn);
  int ok = n >= 1 && n <= 10;
  for (size_t i = 0; ok && i < n; i++)
    ok = isdigit((unsigned char)mpn[i]) != 0;
  return ok ? CLI_EXIT_OK : cli_usage(c, "malformed MPN ID '%s' (1-10 digits)", mpn);
}

/* ---- printing: one record as a JSON object (no newline) or a text line ---- */

static void field(cli *c, const char *name, const char *value, int first) {
  printf("%s\"%s\":", first ? "{" : ",", name);
  json_str(stdout, value);
}

static void print_partner(cli *c, const cpor_partner *p) {
  if (c->json) {
    field(c, "partner_id", cpor_partner_id(p), 1);
    field(c, "name", cpor_partner_name(p), 0);
    putchar('}');
  } else {
    printf("partner %s  %s\n", cli_esc(c, cpor_partner_id(p)), cli_esc(c, cpor_partner_name(p)));
  }
}

static void print_location(cli *c, const cpor_location *l) {
  static const int programs[] = {CPOR_PROGRAM_OSA_SELL, CPOR_PROGRAM_OSU_M365,
                                 CPOR_PROGRAM_OSU_BIZAPPS};
  if (c->json) {
    field(c, "mpn_id", cpor_location_mpn_id(l), 1);
    field(c, "partner_id", cpor_location_partner_id(l), 0);
    field(c, "name", cpor_location_name(l), 0);
    fputs(",\"programs\":[", stdout);
    int first = 1;
    for (size_t i = 0; i < 3; i++)
      if (cpor_location_is_enrolled(l, programs[i])) {
        if (!first) fputc(',', stdout);
        json_str(stdout, cpor_program_name(programs[i]));
        first = 0;
      }
    fputs("]}", stdout);
  } else {
    printf("location %s (%s) of %s; programs:", cpor_location_mpn_id(l),
           cli_esc(c, cpor_location_name(l)), cli_esc(c, cpor_location_partner_id(l)));
    for (size_t i = 0; i < 3; i++)
      if (cpor_location_is_enrolled(l, programs[i])) printf(" %s", cpor_program_name(programs[i]));
    putchar('\n');
  }
}

static void print_customer(cli *c, const cpor_customer *cu) {
  if (c->json) {
    field(c, "customer_id", cpor_customer_id(cu), 1);
    field(c, "name", cpor_customer_name(cu), 0);
    putchar('}');
  } else {
    printf("customer %s  %s\n", cpor_customer_id(cu), cli_esc(c, cpor_customer_name(cu)));
  }
}

static void print_tenant(cli *c, const cpor_tenant *t) {
  if (c->json) {
    field(c, "tenant_id", cpor_tenant_id(t), 1);
    field(c, "customer_id", cpor_tenant_customer_id(t), 0);
    fputs(",\"domains\":[", stdout);
    for (size_t i = 0; i < cpor_tenant_domain_count(t); i++) {
      if (i) fputc(',', stdout);
      json_str(stdout, cpor_tenant_domain(t, i));
    }
    fputs("]}", stdout);
  } else {
    printf("tenant %s of customer %s; domains:", cpor_tenant_id(t), cpor_tenant_customer_id(t));
    for (size_t i = 0; i < cpor_tenant_domain_count(t); i++)
      printf(" %s", cli_esc(c, cpor_tenant_domain(t, i)));
    putchar('\n');
  }
}

static void print_subscription(cli *c, const cpor_subscription *s) {
  const char *channel = cpor_channel_name(cpor_subscription_channel(s));
  const char *state = cpor_sub_state_name(cpor_subscription_state(s));
  if (c->json) {
    field(c, "subscription_id", cpor_subscription_id(s), 1);
    field(c, "tenant_id", cpor_subscription_tenant_id(s), 0);
    field(c, "workload", cpor_subscription_workload(s), 0);
    field(c, "channel", channel, 0);
    field(c, "state", state, 0);
    putchar('}');
  } else {
    printf("subscription %s on %s: %s, %s, %s\n", cpor_subscription_id(s),
           cpor_subscription_tenant_id(s), cli_esc(c, cpor_subscription_workload(s)), channel,
           state);
  }
}

static void print_workload(cli *c, const cpor_workload *w) {
  if (c->json) {
    field(c, "code", cpor_workload_code(w), 1);
    field(c, "name", cpor_workload_name(w), 0);
    field(c, "area", cpor_area_name(cpor_workload_area(w)), 0);
    printf(",\"needs_subscription\":%s,\"dynamics\":%s,\"builtin\":%s}",
           cpor_workload_needs_subscription(w) ? "true" : "false",
           cpor_workload_is_dynamics(w) ? "true" : "false",
           cpor_workload_is_builtin(w) ? "true" : "false");
  } else {
    printf("%-24s %-8s %s%s\n", cli_esc(c, cpor_workload_code(w)),
           cpor_area_name(cpor_workload_area(w)), cli_esc(c, cpor_workload_name(w)),
           cpor_workload_needs_subscription(w) ? " (subscription)" : "");
  }
}

/* ---- one record, and listings ------------------------------------------------ */

/* The library's iterators under one shape, so one function prints them all. */
typedef struct lister {
  int (*next)(void *it, void **out);
  void (*free_iter)(void *it);
  void (*print)(cli *c, const void *rec);
  void (*free_rec)(void *rec);
} lister;

#define LISTER(kind)                                                                               \
  static int kind##_next(void *it, void **out) {                                                   \
    cpor_##kind *x = NULL;                                                                         \
    int rc = cpor_##kind##_iter_next(it, &x);                                                      \
    *out = x;                                                                                      \
    return rc;                                                                                     \
  }                                                                                                \
  static void kind##_iter_free(void *it) {                                                         \
    cpor_##kind##_iter_free(it);                                                                   \
  }                                                                                                \
  static void kind##_print(cli *c, const void *x) {                                                \
    print_##kind(c, x);                                                                            \
  }                                                                                                \
  static void kind##_rec_free(void *x) {                                                           \
    cpor_##kind##_free(x);                                                                         \
  }                                                                                                \
  static const lister kind##_lister = {kind##_next, kind##_iter_free, kind##_print,                \
                                       kind##_rec_free};

LISTER(partner)
LISTER(location)
LISTER(customer)
LISTER(tenant)
LISTER(subscription)
LISTER(workload)

/* Prints one record (JSON: a document of its own) and frees it. */
static int show(cli *c, const lister *l, int rc, void *rec) {
  if (rc) return cli_fail_ctx(c, rc);
  l->print(c, rec);
  if (c->json) putchar('\n');
  l->free_rec(rec);
  return CLI_EXIT_OK;
}

/* Prints every record of it (JSON: one array) and frees it. */
static int print_list(cli *c, const lister *l, int rc, void *it) {
  if (rc) return cli_fail_ctx(c, rc);
  void *rec;
  int first = 1;
  if (c->json) putchar('[');
  while ((rc = l->next(it, &rec)) == CPOR_OK) {
    if (c->json && !first) putchar(',');
    l->print(c, rec);
    l->free_rec(rec);
    first = 0;
  }
  l->free_iter(it);
  if (c->json) fputs("]\n", stdout);
  return rc == CPOR_ITEROVER ? CLI_EXIT_OK : cli_fail_ctx(c, rc);
}

static int show_location(cli *c, const char *mpn) {
  cpor_location *l = NULL;
  int rc = cpor_location_get(c->ctx, cli_dir_actor(c), mpn, &l);
  return show(c, &location_lister, rc, l);
}

static int show_tenant(cli *c, const char *tenant_id) {
  cpor_tenant *t = NULL;
  int rc = cpor_tenant_get(c->ctx, cli_dir_actor(c), tenant_id, &t);
  return show(c, &tenant_lister, rc, t);
}

static int show_subscription(cli *c, const char *id) {
  cpor_subscription *s = NULL;
  int rc = cpor_subscription_get(c->ctx, cli_dir_actor(c), id, &s);
  return show(c, &subscription_lister, rc, s);
}

/* ---- commands ------------------------------------------------------------------ */

static int run_init(cli *c, const cli_args *a) {
  int rc = cli_wrote(c, cli_open(c, CLI_DB_CREATE));
  if (rc) return rc;
  if (c->json) {
    fputs("{\"db\":", stdout);
    json_str(stdout, c->db);
    printf(",\"version\":\"%s\"}\n", cpor_version_string());
  } else {
    printf("initialized %s\n", cli_esc(c, c->db));
  }
  return CLI_EXIT_OK;
}

static int run_partner_add(cli *c, const cli_args *a) {
  int rc = cli_open(c, CLI_DB_WRITE);
  if (rc) return rc;
  if ((rc = cli_wrote(c, cpor_partner_create(c->ctx, cli_dir_actor(c), a->pos[0], a->pos[1]))))
    return cli_fail_ctx(c, rc);
  if (c->json) {
    field(c, "partner_id", a->pos[0], 1);
    field(c, "name", a->pos[1], 0);
    fputs("}\n", stdout);
  } else {
    printf("partner %s added\n", cli_esc(c, a->pos[0]));
  }
  return CLI_EXIT_OK;
}

static int run_partner_list(cli *c, const cli_args *a) {
  int rc = cli_open(c, CLI_DB_READ);
  if (rc) return rc;
  cpor_partner_iter *it = NULL;
  rc = cpor_partner_list(c->ctx, cli_dir_actor(c), &it);
  return print_list(c, &partner_lister, rc, it);
}

static int run_location_add(cli *c, const cli_args *a) {
  int rc = check_mpn(c, a->pos[1]);
  if (rc || (rc = cli_open(c, CLI_DB_WRITE))) return rc;
  const char *name = a->npos > 2 ? a->pos[2] : a->pos[1];
  if ((rc = cli_wrote(c,
                      cpor_location_create(c->ctx, cli_dir_actor(c), a->pos[0], a->pos[1], name))))
    return cli_fail_ctx(c, rc);
  return show_location(c, a->pos[1]);
}

static int run_location_rename(cli *c, const cli_args *a) {
  int rc = check_mpn(c, a->pos[0]);
  if (rc || (rc = cli_open(c, CLI_DB_WRITE))) return rc;
  if ((rc = cli_wrote(c, cpor_location_rename(c->ctx, cli_dir_actor(c), a->pos[0], a->pos[1]))))
    return cli_fail_ctx(c, rc);
  return show_location(c, a->pos[0]);
}

static int run_location_list(cli *c, const cli_args *a) {
  int rc = cli_open(c, CLI_DB_READ);
  if (rc) return rc;
  cpor_location_iter *it = NULL;
  rc = cpor_location_list(c->ctx, cli_dir_actor(c), cli_get(a, "partner"), &it);
  return print_list(c, &location_lister, rc, it);
}

static int run_enroll(cli *c, const cli_args *a) {
  int program, rc = check_mpn(c, a->pos[0]);
  if (rc || (rc = cli_parse_enum(c, "program", a->pos[1], cpor_program_from_name, cpor_program_name,
                                 &program)))
    return rc;
  if ((rc = cli_open(c, CLI_DB_WRITE))) return rc;
  rc = cli_wrote(c, cpor_location_enroll(c->ctx, cli_dir_actor(c), a->pos[0], program,
                                         cli_has(a, "remove") ? 0 : 1));
  if (rc) return cli_fail_ctx(c, rc);
  return show_location(c, a->pos[0]);
}

static int run_customer_add(cli *c, const cli_args *a) {
  int rc = cli_open(c, CLI_DB_WRITE);
  if (rc) return rc;
  char *id = NULL;
  if ((rc = cli_wrote(c, cpor_customer_create(c->ctx, cli_dir_actor(c), a->pos[0], &id))))
    return cli_fail_ctx(c, rc);
  if (c->json) {
    field(c, "customer_id", id, 1);
    field(c, "name", a->pos[0], 0);
    fputs("}\n", stdout);
  } else {
    printf("%s\n", id);
  }
  cpor_free(id);
  return CLI_EXIT_OK;
}

static int run_customer_list(cli *c, const cli_args *a) {
  int rc = cli_open(c, CLI_DB_READ);
  if (rc) return rc;
  cpor_customer_iter *it = NULL;
  rc = cpor_customer_list(c->ctx, cli_dir_actor(c), &it);
  return print_list(c, &customer_lister, rc, it);
}

/* tenant add CUSTOMER TENANT DOMAIN [DOMAIN...]: all domains in one batch so
 * a bad extra domain leaves no half-made tenant behind. */
static int run_tenant_add(cli *c, const cli_args *a) {
  int rc = cli_check_guid(c, "tenant", a->pos[1]);
  if (rc || (rc = cli_open(c, CLI_DB_WRITE))) return rc;
  if ((rc = cpor_ctx_begin(c->ctx))) return cli_fail_ctx(c, rc);
  const cpor_actor *who = cli_dir_actor(c);
  rc = cpor_tenant_create(c->ctx, who, a->pos[0], a->pos[1], a->pos[2]);
  for (int i = 3; rc == CPOR_OK && i < a->npos; i++)
    rc = cpor_tenant_add_domain(c->ctx, who, a->pos[1], a->pos[i]); /* inside the batch */
  if (rc) {
    int exit = cli_fail_ctx(c, rc);
    cpor_ctx_rollback(c->ctx);
    return exit;
  }
  if ((rc = cli_wrote(c, cpor_ctx_commit(c->ctx)))) return cli_fail_ctx(c, rc);
  return show_tenant(c, a->pos[1]);
}

static int run_tenant_add_domain(cli *c, const cli_args *a) {
  int rc = cli_check_guid(c, "tenant", a->pos[0]);
  if (rc || (rc = cli_open(c, CLI_DB_WRITE))) return rc;
  if ((rc = cli_wrote(c, cpor_tenant_add_domain(c->ctx, cli_dir_actor(c), a->pos[0], a->pos[1]))))
    return cli_fail_ctx(c, rc);
  return show_tenant(c, a->pos[0]);
}

static int run_tenant_list(cli *c, const cli_args *a) {
  const char *customer = cli_get(a, "customer");
  int rc = customer ? cli_check_guid(c, "--customer", customer) : CLI_EXIT_OK;
  if (rc || (rc = cli_open(c, CLI_DB_READ))) return rc;
  cpor_tenant_iter *it = NULL;
  rc = cpor_tenant_list(c->ctx, cli_dir_actor(c), customer, &it);
  return print_list(c, &tenant_lister, rc, it);
}

static int run_subscription_add(cli *c, const cli_args *a) {
  int channel = CPOR_CHANNEL_WEB_DIRECT, state = CPOR_SUB_ACTIVE, rc;
  if ((rc = cli_check_guid(c, "subscription", a->pos[0])) ||
      (rc = cli_check_guid(c, "tenant", a->pos[1])))
    return rc;
  if (cli_get(a, "channel") &&
      (rc = cli_parse_enum(c, "--channel", cli_get(a, "channel"), cpor_channel_from_name,
                           cpor_channel_name, &channel)))
    return rc;
  if (cli_get(a, "state") &&
      (rc = cli_parse_enum(c, "--state", cli_get(a, "state"), cpor_sub_state_from_name,
                           cpor_sub_state_name, &state)))
    return rc;
  if ((rc = cli_open(c, CLI_DB_WRITE))) return rc;
  rc = cli_wrote(c, cpor_subscription_create(c->ctx, cli_dir_actor(c), a->pos[0], a->pos[1],
                                             a->pos[2], channel, state));
  if (rc) return cli_fail_ctx(c, rc);
  return show_subscription(c, a->pos[0]);
}

static int run_subscription_set_state(cli *c, const cli_args *a) {
  int state, rc;
  if ((rc = cli_check_guid(c, "subscription", a->pos[0])) ||
      (rc = cli_parse_enum(c, "state", a->pos[1], cpor_sub_state_from_name, cpor_sub_state_name,
                           &state)))
    return rc;
  if ((rc = cli_open(c, CLI_DB_WRITE))) return rc;
  size_t changed = 0;
  if ((rc = cli_wrote(
           c, cpor_subscription_set_state(c->ctx, cli_dir_actor(c), a->pos[0], state, &changed))))
    return cli_fail_ctx(c, rc);
  if (c->json)
    printf("{\"changed\":%zu}\n", changed);
  else
    printf("%zu claim(s) changed\n", changed);
  return CLI_EXIT_OK;
}

static int run_subscription_list(cli *c, const cli_args *a) {
  const char *tenant = cli_get(a, "tenant");
  int rc = tenant ? cli_check_guid(c, "--tenant", tenant) : CLI_EXIT_OK;
  if (rc || (rc = cli_open(c, CLI_DB_READ))) return rc;
  cpor_subscription_iter *it = NULL;
  rc = cpor_subscription_list(c->ctx, cli_dir_actor(c), tenant, &it);
  return print_list(c, &subscription_lister, rc, it);
}

static int run_workload_list(cli *c, const cli_args *a) {
  int rc = cli_open(c, CLI_DB_READ);
  if (rc) return rc;
  cpor_workload_iter *it = NULL;
  rc = cpor_workload_list(c->ctx, cli_dir_actor(c), &it);
  return print_list(c, &workload_lister, rc, it);
}

static int run_workload_add(cli *c, const cli_args *a) {
  int area, rc;
  const char *area_text = cli_get(a, "area");
  if (!area_text) return cli_usage(c, "--area m365|bizapps is required");
  if ((rc = cli_parse_enum(c, "--area", area_text, cpor_area_from_name, cpor_area_name, &area)))
    return rc;
  if ((rc = cli_open(c, CLI_DB_WRITE))) return rc;
  rc = cli_wrote(c, cpor_workload_register(c->ctx, cli_dir_actor(c), a->pos[0], a->pos[1], area,
                                           cli_has(a, "needs-subscription") ? 1 : 0));
  if (rc) return cli_fail_ctx(c, rc);
  cpor_workload *w = NULL;
  rc = cpor_workload_get(c->ctx, cli_dir_actor(c), a->pos[0], &w);
  return show(c, &workload_lister, rc, w);
}

#define AS_NOTE "\nRuns as --as (or $CPOR_AS); without one, as the operator (system::cli)."

const cli_command cli_directory_commands[] = {
    {"init", NULL, "", 0, 0, run_init, "init",
     "Creates the database (or opens an existing one). The only command besides demo that\n"
     "creates or initialises a database file."},
    {"partner", "add", "", 2, 2, run_partner_add, "partner add PARTNER_ID NAME",
     "Adds a partner (a Partner Global Account). System only." AS_NOTE},
    {"partner", "list", "", 0, 0, run_partner_list, "partner list",
     "Lists the partners the actor may read: JSON [{partner_id, name}]." AS_NOTE},
    {"location", "add", "", 2, 3, run_location_add, "location add PARTNER_ID MPN_ID [NAME]",
     "Adds a location (MPN ID: 1-10 digits) to a partner. The system, or the partner's\n"
     "global admin." AS_NOTE},
    {"location", "rename", "", 2, 2, run_location_rename, "location rename MPN_ID NAME",
     "Renames a location. The system, or its partner's global admin." AS_NOTE},
    {"location", "list", "partner", 0, 0, run_location_list, "location list [--partner P]",
     "Lists the locations the actor may read: JSON [{mpn_id, partner_id, name, "
     "programs}]." AS_NOTE},
    {"enroll", NULL, "remove!", 2, 2, run_enroll, "enroll MPN_ID PROGRAM [--remove]",
     "Enrolls a location in a program: osa_sell, osu_m365, osu_bizapps (--remove unenrolls).\n"
     "System only." AS_NOTE},
    {"customer", "add", "", 1, 1, run_customer_add, "customer add NAME",
     "Adds a customer; prints its generated ID. System only." AS_NOTE},
    {"customer", "list", "", 0, 0, run_customer_list, "customer list",
     "Lists the customers the actor may read: JSON [{customer_id, name}]." AS_NOTE},
    {"tenant", "add", "", 3, INT_MAX, run_tenant_add,
     "tenant add CUSTOMER_ID TENANT_GUID DOMAIN [DOMAIN...]",
     "Adds a tenant (Entra directory) of a customer with one or more domains. System "
     "only." AS_NOTE},
    {"tenant", "add-domain", "", 2, 2, run_tenant_add_domain,
     "tenant add-domain TENANT_GUID DOMAIN", "Adds a domain to a tenant. System only." AS_NOTE},
    {"tenant", "list", "customer", 0, 0, run_tenant_list, "tenant list [--customer C]",
     "Lists the tenants the actor may read: JSON [{tenant_id, customer_id, domains}]." AS_NOTE},
    {"subscription", "add", "channel state", 3, 3, run_subscription_add,
     "subscription add SUB_GUID TENANT_GUID WORKLOAD [--channel C] [--state S]",
     "Adds a Business Applications subscription. --channel volume_licensing|web_direct|csp\n"
     "[web_direct]; --state provisioning|active|in_grace|expired|disabled [active]. System\n"
     "only." AS_NOTE},
    {"subscription", "set-state", "", 2, 2, run_subscription_set_state,
     "subscription set-state SUB_GUID STATE",
     "Changes a subscription's state; expired/disabled ends its associations. Prints "
     "{\"changed\": N}. System only." AS_NOTE},
    {"subscription", "list", "tenant", 0, 0, run_subscription_list,
     "subscription list [--tenant T]",
     "Lists the subscriptions the actor may read: JSON [{subscription_id, tenant_id, workload,\n"
     "channel, state}]." AS_NOTE},
    {"workload", "list", "", 0, 0, run_workload_list, "workload list",
     "Lists the catalog: JSON [{code, name, area, needs_subscription, dynamics, builtin}]."},
    {"workload", "add", "area needs-subscription!", 2, 2, run_workload_add,
     "workload add CODE NAME --area m365|bizapps [--needs-subscription]",
     "Registers a workload in the catalog. System only." AS_NOTE},
    {NULL, NULL, NULL, 0, 0, NULL, NULL, NULL}};
