/* cpor — reference data: init, partners, locations, enrollment, customers,
 * tenants, subscriptions, workloads. Every call runs as --as (or CPOR_AS);
 * without one, as the operator (system), who owns the reference data. */
#include "cli.h"

#include <ctype.h>
#include <string.h>

static int check_mpn(cli *c, const char *mpn) {
  size_t n = strlen(mpn);
  int ok = n >= 1 && n <= 10;
  for (size_t i = 0; ok && i < n; i++)
    ok = isdigit((unsigned char)mpn[i]) != 0;
  return ok ? CLI_EXIT_OK : cli_usage(c, "malformed MPN ID '%s' (1-10 digits)", mpn);
}

static int done(cli *c, int rc) {
  return rc == CPOR_OK ? CLI_EXIT_OK : cli_fail_ctx(c, rc);
}

static int run_init(cli *c, const cli_args *a) {
  int rc = cli_open(c, 0);
  if (rc) return rc;
  if (c->json) {
    fputs("{\"db\":", stdout);
    json_str(stdout, c->db);
    printf(",\"version\":\"%s\"}\n", cpor_version_string());
  } else {
    printf("initialized %s\n", c->db);
  }
  return CLI_EXIT_OK;
}

static int run_partner_add(cli *c, const cli_args *a) {
  int rc = cli_open(c, 1);
  if (rc) return rc;
  if ((rc = cpor_partner_create(c->ctx, cli_dir_actor(c), a->pos[0], a->pos[1])))
    return cli_fail_ctx(c, rc);
  if (c->json) {
    fputs("{\"partner_id\":", stdout);
    json_str(stdout, a->pos[0]);
    fputs(",\"name\":", stdout);
    json_str(stdout, a->pos[1]);
    fputs("}\n", stdout);
  } else {
    printf("partner %s added\n", a->pos[0]);
  }
  return CLI_EXIT_OK;
}

static void print_location(cli *c, const cpor_location *l) {
  static const int programs[] = {CPOR_PROGRAM_OSA_SELL, CPOR_PROGRAM_OSU_M365,
                                 CPOR_PROGRAM_OSU_BIZAPPS};
  if (c->json) {
    fputs("{\"mpn_id\":", stdout);
    json_str(stdout, cpor_location_mpn_id(l));
    fputs(",\"partner_id\":", stdout);
    json_str(stdout, cpor_location_partner_id(l));
    fputs(",\"name\":", stdout);
    json_str(stdout, cpor_location_name(l));
    fputs(",\"programs\":[", stdout);
    int first = 1;
    for (size_t i = 0; i < 3; i++)
      if (cpor_location_is_enrolled(l, programs[i])) {
        if (!first) fputc(',', stdout);
        json_str(stdout, cpor_program_name(programs[i]));
        first = 0;
      }
    fputs("]}\n", stdout);
  } else {
    printf("location %s (%s) of %s; programs:", cpor_location_mpn_id(l), cpor_location_name(l),
           cpor_location_partner_id(l));
    for (size_t i = 0; i < 3; i++)
      if (cpor_location_is_enrolled(l, programs[i])) printf(" %s", cpor_program_name(programs[i]));
    putchar('\n');
  }
}

static int show_location(cli *c, const char *mpn) {
  cpor_location *l = NULL;
  int rc = cpor_location_get(c->ctx, cli_dir_actor(c), mpn, &l);
  if (rc) return cli_fail_ctx(c, rc);
  print_location(c, l);
  cpor_location_free(l);
  return CLI_EXIT_OK;
}

static int run_location_add(cli *c, const cli_args *a) {
  int rc = check_mpn(c, a->pos[1]);
  if (rc || (rc = cli_open(c, 1))) return rc;
  const char *name = a->npos > 2 ? a->pos[2] : a->pos[1];
  if ((rc = cpor_location_create(c->ctx, cli_dir_actor(c), a->pos[0], a->pos[1], name)))
    return cli_fail_ctx(c, rc);
  return show_location(c, a->pos[1]);
}

static int run_enroll(cli *c, const cli_args *a) {
  int program, rc = check_mpn(c, a->pos[0]);
  if (rc || (rc = cli_parse_enum(c, "program", a->pos[1], cpor_program_from_name, &program)))
    return rc;
  if ((rc = cli_open(c, 1))) return rc;
  rc = cpor_location_enroll(c->ctx, cli_dir_actor(c), a->pos[0], program,
                            cli_has(a, "remove") ? 0 : 1);
  if (rc) return cli_fail_ctx(c, rc);
  return show_location(c, a->pos[0]);
}

static int run_customer_add(cli *c, const cli_args *a) {
  int rc = cli_open(c, 1);
  if (rc) return rc;
  char *id = NULL;
  if ((rc = cpor_customer_create(c->ctx, cli_dir_actor(c), a->pos[0], &id)))
    return cli_fail_ctx(c, rc);
  if (c->json) {
    fputs("{\"customer_id\":", stdout);
    json_str(stdout, id);
    fputs(",\"name\":", stdout);
    json_str(stdout, a->pos[0]);
    fputs("}\n", stdout);
  } else {
    printf("%s\n", id);
  }
  cpor_free(id);
  return CLI_EXIT_OK;
}

static int show_tenant(cli *c, const char *tenant_id) {
  cpor_tenant *t = NULL;
  int rc = cpor_tenant_get(c->ctx, cli_dir_actor(c), tenant_id, &t);
  if (rc) return cli_fail_ctx(c, rc);
  if (c->json) {
    fputs("{\"tenant_id\":", stdout);
    json_str(stdout, cpor_tenant_id(t));
    fputs(",\"customer_id\":", stdout);
    json_str(stdout, cpor_tenant_customer_id(t));
    fputs(",\"domains\":[", stdout);
    for (size_t i = 0; i < cpor_tenant_domain_count(t); i++) {
      if (i) fputc(',', stdout);
      json_str(stdout, cpor_tenant_domain(t, i));
    }
    fputs("]}\n", stdout);
  } else {
    printf("tenant %s of customer %s; domains:", cpor_tenant_id(t), cpor_tenant_customer_id(t));
    for (size_t i = 0; i < cpor_tenant_domain_count(t); i++)
      printf(" %s", cpor_tenant_domain(t, i));
    putchar('\n');
  }
  cpor_tenant_free(t);
  return CLI_EXIT_OK;
}

/* tenant add CUSTOMER TENANT DOMAIN [DOMAIN...]: all domains in one batch so
 * a bad extra domain leaves no half-made tenant behind. */
static int run_tenant_add(cli *c, const cli_args *a) {
  int rc = cli_check_guid(c, "tenant", a->pos[1]);
  if (rc || (rc = cli_open(c, 1))) return rc;
  if ((rc = cpor_ctx_begin(c->ctx))) return cli_fail_ctx(c, rc);
  rc = cpor_tenant_create(c->ctx, cli_dir_actor(c), a->pos[0], a->pos[1], a->pos[2]);
  for (int i = 3; rc == CPOR_OK && i < a->npos; i++)
    rc = cpor_tenant_add_domain(c->ctx, cli_dir_actor(c), a->pos[1], a->pos[i]);
  if (rc) {
    int exit = cli_fail_ctx(c, rc);
    cpor_ctx_rollback(c->ctx);
    return exit;
  }
  if ((rc = cpor_ctx_commit(c->ctx))) return cli_fail_ctx(c, rc);
  return show_tenant(c, a->pos[1]);
}

static int run_tenant_add_domain(cli *c, const cli_args *a) {
  int rc = cli_check_guid(c, "tenant", a->pos[0]);
  if (rc || (rc = cli_open(c, 1))) return rc;
  if ((rc = cpor_tenant_add_domain(c->ctx, cli_dir_actor(c), a->pos[0], a->pos[1])))
    return cli_fail_ctx(c, rc);
  return show_tenant(c, a->pos[0]);
}

static int show_subscription(cli *c, const char *id) {
  cpor_subscription *s = NULL;
  int rc = cpor_subscription_get(c->ctx, cli_dir_actor(c), id, &s);
  if (rc) return cli_fail_ctx(c, rc);
  if (c->json) {
    fputs("{\"subscription_id\":", stdout);
    json_str(stdout, cpor_subscription_id(s));
    fputs(",\"tenant_id\":", stdout);
    json_str(stdout, cpor_subscription_tenant_id(s));
    fputs(",\"workload\":", stdout);
    json_str(stdout, cpor_subscription_workload(s));
    fputs(",\"channel\":", stdout);
    json_str(stdout, cpor_channel_name(cpor_subscription_channel(s)));
    fputs(",\"state\":", stdout);
    json_str(stdout, cpor_sub_state_name(cpor_subscription_state(s)));
    fputs("}\n", stdout);
  } else {
    printf("subscription %s on %s: %s, %s, %s\n", cpor_subscription_id(s),
           cpor_subscription_tenant_id(s), cpor_subscription_workload(s),
           cpor_channel_name(cpor_subscription_channel(s)),
           cpor_sub_state_name(cpor_subscription_state(s)));
  }
  cpor_subscription_free(s);
  return CLI_EXIT_OK;
}

static int run_subscription_add(cli *c, const cli_args *a) {
  int channel = CPOR_CHANNEL_WEB_DIRECT, state = CPOR_SUB_ACTIVE, rc;
  if ((rc = cli_check_guid(c, "subscription", a->pos[0])) ||
      (rc = cli_check_guid(c, "tenant", a->pos[1])))
    return rc;
  if (cli_get(a, "channel") && (rc = cli_parse_enum(c, "--channel", cli_get(a, "channel"),
                                                    cpor_channel_from_name, &channel)))
    return rc;
  if (cli_get(a, "state") &&
      (rc = cli_parse_enum(c, "--state", cli_get(a, "state"), cpor_sub_state_from_name, &state)))
    return rc;
  if ((rc = cli_open(c, 1))) return rc;
  rc = cpor_subscription_create(c->ctx, cli_dir_actor(c), a->pos[0], a->pos[1], a->pos[2], channel,
                                state);
  if (rc) return cli_fail_ctx(c, rc);
  return show_subscription(c, a->pos[0]);
}

static int run_subscription_set_state(cli *c, const cli_args *a) {
  int state, rc;
  if ((rc = cli_check_guid(c, "subscription", a->pos[0])) ||
      (rc = cli_parse_enum(c, "state", a->pos[1], cpor_sub_state_from_name, &state)))
    return rc;
  if ((rc = cli_open(c, 1))) return rc;
  size_t changed = 0;
  if ((rc = cpor_subscription_set_state(c->ctx, cli_dir_actor(c), a->pos[0], state, &changed)))
    return cli_fail_ctx(c, rc);
  if (c->json)
    printf("{\"changed\":%zu}\n", changed);
  else
    printf("%zu claim(s) changed\n", changed);
  return CLI_EXIT_OK;
}

static void print_workload(cli *c, const cpor_workload *w, int first) {
  if (c->json) {
    fputs(first ? "{\"code\":" : ",{\"code\":", stdout);
    json_str(stdout, cpor_workload_code(w));
    fputs(",\"name\":", stdout);
    json_str(stdout, cpor_workload_name(w));
    fputs(",\"area\":", stdout);
    json_str(stdout, cpor_area_name(cpor_workload_area(w)));
    printf(",\"needs_subscription\":%s,\"dynamics\":%s,\"builtin\":%s}",
           cpor_workload_needs_subscription(w) ? "true" : "false",
           cpor_workload_is_dynamics(w) ? "true" : "false",
           cpor_workload_is_builtin(w) ? "true" : "false");
  } else {
    printf("%-24s %-8s %s%s\n", cpor_workload_code(w), cpor_area_name(cpor_workload_area(w)),
           cpor_workload_name(w), cpor_workload_needs_subscription(w) ? " (subscription)" : "");
  }
}

static int run_workload_list(cli *c, const cli_args *a) {
  int rc = cli_open(c, 1);
  if (rc) return rc;
  cpor_workload_iter *it = NULL;
  if ((rc = cpor_workload_list(c->ctx, cli_dir_actor(c), &it))) return cli_fail_ctx(c, rc);
  if (c->json) fputc('[', stdout);
  cpor_workload *w;
  int first = 1;
  while ((rc = cpor_workload_iter_next(it, &w)) == CPOR_OK) {
    print_workload(c, w, first);
    first = 0;
    cpor_workload_free(w);
  }
  cpor_workload_iter_free(it);
  if (c->json) fputs("]\n", stdout);
  return rc == CPOR_ITEROVER ? CLI_EXIT_OK : cli_fail_ctx(c, rc);
}

static int run_workload_add(cli *c, const cli_args *a) {
  int area, rc;
  const char *area_text = cli_get(a, "area");
  if (!area_text) return cli_usage(c, "--area m365|bizapps is required");
  if ((rc = cli_parse_enum(c, "--area", area_text, cpor_area_from_name, &area))) return rc;
  if ((rc = cli_open(c, 1))) return rc;
  rc = cpor_workload_register(c->ctx, cli_dir_actor(c), a->pos[0], a->pos[1], area,
                              cli_has(a, "needs-subscription") ? 1 : 0);
  if (rc) return cli_fail_ctx(c, rc);
  cpor_workload *w = NULL;
  if ((rc = cpor_workload_get(c->ctx, cli_dir_actor(c), a->pos[0], &w))) return cli_fail_ctx(c, rc);
  print_workload(c, w, 1);
  if (c->json) fputc('\n', stdout);
  cpor_workload_free(w);
  return done(c, CPOR_OK);
}

const cli_command cli_directory_commands[] = {
    {"init", NULL, "", 0, 0, run_init, "init", "Creates the database (or opens an existing one)."},
    {"partner", "add", "", 2, 2, run_partner_add, "partner add PARTNER_ID NAME",
     "Adds a partner (a Partner Global Account)."},
    {"location", "add", "", 2, 3, run_location_add, "location add PARTNER_ID MPN_ID [NAME]",
     "Adds a location (MPN ID: 1-10 digits) to a partner."},
    {"enroll", NULL, "remove!", 2, 2, run_enroll, "enroll MPN_ID PROGRAM [--remove]",
     "Enrolls a location in a program: osa_sell, osu_m365, osu_bizapps (--remove unenrolls)."},
    {"customer", "add", "", 1, 1, run_customer_add, "customer add NAME",
     "Adds a customer; prints its generated ID."},
    {"tenant", "add", "", 3, CLI_MAX_VALUES, run_tenant_add,
     "tenant add CUSTOMER_ID TENANT_GUID DOMAIN [DOMAIN...]",
     "Adds a tenant (Entra directory) of a customer with one or more domains."},
    {"tenant", "add-domain", "", 2, 2, run_tenant_add_domain,
     "tenant add-domain TENANT_GUID DOMAIN", "Adds a domain to a tenant."},
    {"subscription", "add", "channel state", 3, 3, run_subscription_add,
     "subscription add SUB_GUID TENANT_GUID WORKLOAD [--channel C] [--state S]",
     "Adds a Business Applications subscription. --channel volume_licensing|web_direct|csp\n"
     "[web_direct]; --state provisioning|active|in_grace|expired|disabled [active]."},
    {"subscription", "set-state", "", 2, 2, run_subscription_set_state,
     "subscription set-state SUB_GUID STATE",
     "Changes a subscription's state; expired/disabled ends its associations. Prints "
     "{\"changed\": N}."},
    {"workload", "list", "", 0, 0, run_workload_list, "workload list",
     "Lists the catalog: JSON [{code, name, area, needs_subscription, dynamics, builtin}]."},
    {"workload", "add", "area needs-subscription!", 2, 2, run_workload_add,
     "workload add CODE NAME --area m365|bizapps [--needs-subscription]",
     "Registers a workload in the catalog."},
    {NULL, NULL, NULL, 0, 0, NULL, NULL, NULL}};
