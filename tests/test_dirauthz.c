/* The directory's authorization matrix (DESIGN.md 1.4): every directory call
 * x every role x the actor's own organization's record and another's, with
 * the exact code; another organization's record answers exactly like an
 * unknown ID; a refusal leaves the store byte for byte as it was. Runs on
 * the memory store and (CPOR_TEST_BACKEND=sqlite) on SQLite. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "world.h"

/* The other customer's tenant and subscription, made by the fixture. */
#define T3 "33333333-3333-4333-8333-333333333333"
#define T3_DOMAIN "tailspin.onmicrosoft.com"
#define SUB_T3 "00000000-0000-0000-0000-000000000033"
#define UNKNOWN_GUID "99999999-9999-4999-8999-999999999999"

enum { OWN = 0, OTHER = 1, UNKNOWN = 2 };

typedef struct fixture {
  world w;
  char c1[37], c3[37]; /* the actor customer's customer, and another customer */
} fixture;

static void fixture_open(fixture *f) {
  world_open(&f->w, NULL, NULL, NULL);
  cpor_ctx *x = f->w.ctx;
  cpor_tenant *t = NULL;
  test_ok(cpor_tenant_get(x, SYS, T1, &t), x, "tenant");
  snprintf(f->c1, sizeof f->c1, "%s", cpor_tenant_customer_id(t));
  cpor_tenant_free(t);
  char *c3 = NULL;
  test_ok(cpor_customer_create(x, SYS, "Tailspin Toys", &c3), x, "customer");
  snprintf(f->c3, sizeof f->c3, "%s", c3);
  cpor_free(c3);
  test_ok(cpor_tenant_create(x, SYS, f->c3, T3, T3_DOMAIN), x, "tenant");
  test_ok(cpor_subscription_create(x, SYS, SUB_T3, T3, "D365_SALES", CPOR_CHANNEL_WEB_DIRECT,
                                   CPOR_SUB_ACTIVE),
          x, "subscription");
}

/* ---- the calls, each on the own / other / unknown organization's record ---- */

typedef int (*call_fn)(fixture *f, const cpor_actor *a, int which, const char **id);

static const char *pick(const char *own, const char *other, const char *unknown, int which,
                        const char **id) {
  *id = which == OWN ? own : which == OTHER ? other : unknown;
  return *id;
}
static const char *partner(int which, const char **id) {
  return pick("contoso", "fabrikam", "nobody", which, id);
}
static const char *mpn(int which, const char **id) {
  return pick(MPN_A, MPN_B, "9999999", which, id);
}
static const char *customer(fixture *f, int which, const char **id) {
  return pick(f->c1, f->c3, UNKNOWN_GUID, which, id);
}
static const char *tenant(int which, const char **id) {
  return pick(T1, T3, UNKNOWN_GUID, which, id);
}
static const char *subscription(int which, const char **id) {
  return pick(SUB_SALES, SUB_T3, UNKNOWN_GUID, which, id);
}

#define FREE_HANDLE(rc, h, free_fn)                                                                \
  do {                                                                                             \
    free_fn(h);                                                                                    \
    return rc;                                                                                     \
  } while (0)

static int partner_create(fixture *f, const cpor_actor *a, int which, const char **id) {
  return cpor_partner_create(f->w.ctx, a, *id = "adatum", "Adatum");
}
static int partner_get(fixture *f, const cpor_actor *a, int which, const char **id) {
  cpor_partner *p = NULL;
  int rc = cpor_partner_get(f->w.ctx, a, partner(which, id), &p);
  FREE_HANDLE(rc, p, cpor_partner_free);
}
static int partner_list(fixture *f, const cpor_actor *a, int which, const char **id) {
  cpor_partner_iter *it = NULL;
  *id = "";
  int rc = cpor_partner_list(f->w.ctx, a, &it);
  FREE_HANDLE(rc, it, cpor_partner_iter_free);
}
static int location_create(fixture *f, const cpor_actor *a, int which, const char **id) {
  return cpor_location_create(f->w.ctx, a, partner(which, id), "5555555", "Branch");
}
static int location_rename(fixture *f, const cpor_actor *a, int which, const char **id) {
  return cpor_location_rename(f->w.ctx, a, mpn(which, id), "Renamed");
}
static int location_enroll(fixture *f, const cpor_actor *a, int which, const char **id) {
  return cpor_location_enroll(f->w.ctx, a, mpn(which, id), CPOR_PROGRAM_OSU_M365, 0);
}
static int location_get(fixture *f, const cpor_actor *a, int which, const char **id) {
  cpor_location *l = NULL;
  int rc = cpor_location_get(f->w.ctx, a, mpn(which, id), &l);
  FREE_HANDLE(rc, l, cpor_location_free);
}
static int location_list(fixture *f, const cpor_actor *a, int which, const char **id) {
  cpor_location_iter *it = NULL;
  int rc = cpor_location_list(f->w.ctx, a, partner(which, id), &it);
  FREE_HANDLE(rc, it, cpor_location_iter_free);
}
static int customer_create(fixture *f, const cpor_actor *a, int which, const char **id) {
  char *cid = NULL;
  *id = "";
  int rc = cpor_customer_create(f->w.ctx, a, "Adventure Works", &cid);
  FREE_HANDLE(rc, cid, cpor_free);
}
static int customer_get(fixture *f, const cpor_actor *a, int which, const char **id) {
  cpor_customer *c = NULL;
  int rc = cpor_customer_get(f->w.ctx, a, customer(f, which, id), &c);
  FREE_HANDLE(rc, c, cpor_customer_free);
}
static int customer_list(fixture *f, const cpor_actor *a, int which, const char **id) {
  cpor_customer_iter *it = NULL;
  *id = "";
  int rc = cpor_customer_list(f->w.ctx, a, &it);
  FREE_HANDLE(rc, it, cpor_customer_iter_free);
}
static int tenant_create(fixture *f, const cpor_actor *a, int which, const char **id) {
  return cpor_tenant_create(f->w.ctx, a, customer(f, which, id),
                            "44444444-4444-4444-8444-444444444444", "fourth.example");
}
static int tenant_add_domain(fixture *f, const cpor_actor *a, int which, const char **id) {
  return cpor_tenant_add_domain(f->w.ctx, a, tenant(which, id), "added.example");
}
static int tenant_get(fixture *f, const cpor_actor *a, int which, const char **id) {
  cpor_tenant *t = NULL;
  int rc = cpor_tenant_get(f->w.ctx, a, tenant(which, id), &t);
  FREE_HANDLE(rc, t, cpor_tenant_free);
}
static int tenant_list(fixture *f, const cpor_actor *a, int which, const char **id) {
  cpor_tenant_iter *it = NULL;
  int rc = cpor_tenant_list(f->w.ctx, a, customer(f, which, id), &it);
  FREE_HANDLE(rc, it, cpor_tenant_iter_free);
}
static int subscription_create(fixture *f, const cpor_actor *a, int which, const char **id) {
  return cpor_subscription_create(f->w.ctx, a, "00000000-0000-0000-0000-000000000099",
                                  tenant(which, id), "D365_SALES", CPOR_CHANNEL_WEB_DIRECT,
                                  CPOR_SUB_ACTIVE);
}
static int subscription_set_state(fixture *f, const cpor_actor *a, int which, const char **id) {
  return cpor_subscription_set_state(f->w.ctx, a, subscription(which, id), CPOR_SUB_IN_GRACE, NULL);
}
static int subscription_get(fixture *f, const cpor_actor *a, int which, const char **id) {
  cpor_subscription *s = NULL;
  int rc = cpor_subscription_get(f->w.ctx, a, subscription(which, id), &s);
  FREE_HANDLE(rc, s, cpor_subscription_free);
}
static int subscription_list(fixture *f, const cpor_actor *a, int which, const char **id) {
  cpor_subscription_iter *it = NULL;
  int rc = cpor_subscription_list(f->w.ctx, a, tenant(which, id), &it);
  FREE_HANDLE(rc, it, cpor_subscription_iter_free);
}
static int workload_register(fixture *f, const cpor_actor *a, int which, const char **id) {
  *id = "";
  return cpor_workload_register(f->w.ctx, a, "NEW_WORKLOAD", "New", CPOR_AREA_M365, 0);
}
static int workload_get(fixture *f, const cpor_actor *a, int which, const char **id) {
  cpor_workload *wl = NULL;
  *id = "";
  int rc = cpor_workload_get(f->w.ctx, a, "TEAMS", &wl);
  FREE_HANDLE(rc, wl, cpor_workload_free);
}
static int workload_list(fixture *f, const cpor_actor *a, int which, const char **id) {
  cpor_workload_iter *it = NULL;
  *id = "";
  int rc = cpor_workload_list(f->w.ctx, a, &it);
  FREE_HANDLE(rc, it, cpor_workload_iter_free);
}

/* ---- the expected matrix ------------------------------------------------------ */

/* Roles in the order of the rows: the four partner roles of contoso, the
 * reviewer, the customer admin of T1, the system. */
static const int roles[] = {
    CPOR_ROLE_GLOBAL_ADMIN,    CPOR_ROLE_BILLING_ADMIN, CPOR_ROLE_INCENTIVES_ADMIN,
    CPOR_ROLE_INCENTIVES_USER, CPOR_ROLE_REVIEWER,      CPOR_ROLE_CUSTOMER,
    CPOR_ROLE_SYSTEM};
#define NROLES 7

#define Y CPOR_OK
#define NF CPOR_ENOTFOUND
#define PE CPOR_EPERM
/* {own, other} per role: GA, BA, IA, IU, reviewer, customer, system. */
#define SYSTEM_ONLY                                                                                \
  {                                                                                                \
    {PE, PE}, {PE, PE}, {PE, PE}, {PE, PE}, {PE, PE}, {PE, PE}, {                                  \
      Y, Y                                                                                         \
    }                                                                                              \
  }
#define PARTNER_READ                                                                               \
  {                                                                                                \
    {Y, NF}, {Y, NF}, {Y, NF}, {Y, NF}, {Y, Y}, {NF, NF}, {                                        \
      Y, Y                                                                                         \
    }                                                                                              \
  }
#define CUSTOMER_READ                                                                              \
  {                                                                                                \
    {NF, NF}, {NF, NF}, {NF, NF}, {NF, NF}, {Y, Y}, {Y, NF}, {                                     \
      Y, Y                                                                                         \
    }                                                                                              \
  }
#define GLOBAL_ADMIN_OWN                                                                           \
  {                                                                                                \
    {Y, NF}, {PE, PE}, {PE, PE}, {PE, PE}, {PE, PE}, {PE, PE}, {                                   \
      Y, Y                                                                                         \
    }                                                                                              \
  }
#define EVERYONE                                                                                   \
  {                                                                                                \
    {Y, Y}, {Y, Y}, {Y, Y}, {Y, Y}, {Y, Y}, {Y, Y}, {                                              \
      Y, Y                                                                                         \
    }                                                                                              \
  }

typedef struct dir_case {
  const char *name;
  call_fn call;
  int expect[NROLES][2];
} dir_case;

static const dir_case cases[] = {
    {"partner_create", partner_create, SYSTEM_ONLY},
    {"partner_get", partner_get, PARTNER_READ},
    {"partner_list", partner_list, EVERYONE},
    {"location_create", location_create, GLOBAL_ADMIN_OWN},
    {"location_rename", location_rename, GLOBAL_ADMIN_OWN},
    {"location_enroll", location_enroll, SYSTEM_ONLY},
    {"location_get", location_get, PARTNER_READ},
    {"location_list", location_list, PARTNER_READ},
    {"customer_create", customer_create, SYSTEM_ONLY},
    {"customer_get", customer_get, CUSTOMER_READ},
    {"customer_list", customer_list, EVERYONE},
    {"tenant_create", tenant_create, SYSTEM_ONLY},
    {"tenant_add_domain", tenant_add_domain, SYSTEM_ONLY},
    {"tenant_get", tenant_get, CUSTOMER_READ},
    {"tenant_list", tenant_list, CUSTOMER_READ},
    {"subscription_create", subscription_create, SYSTEM_ONLY},
    {"subscription_set_state", subscription_set_state, SYSTEM_ONLY},
    {"subscription_get", subscription_get, CUSTOMER_READ},
    {"subscription_list", subscription_list, CUSTOMER_READ},
    {"workload_register", workload_register, SYSTEM_ONLY},
    {"workload_get", workload_get, EVERYONE},
    {"workload_list", workload_list, EVERYONE},
};
#define NCASES ((int)(sizeof cases / sizeof cases[0]))

static cpor_actor actor_of(int role) {
  const char *org = role == CPOR_ROLE_CUSTOMER                               ? T1
                    : role == CPOR_ROLE_REVIEWER || role == CPOR_ROLE_SYSTEM ? NULL
                                                                             : "contoso";
  return test_actor(role, org, "someone");
}

/* msg with every occurrence of from replaced by to (malloc'd). */
static char *replaced(const char *msg, const char *from, const char *to) {
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  size_t n = strlen(from);
  for (const char *p = msg; *p;) {
    if (n && strncmp(p, from, n) == 0) {
      fputs(to, f);
      p += n;
    } else {
      fputc(*p++, f);
    }
  }
  fclose(f);
  return buf;
}

/* One call that must be refused with code, leaving the store as it was;
 * returns its message (malloc'd). */
static char *refused(fixture *f, const dir_case *c, const cpor_actor *a, int which, int code,
                     const char **id) {
  const char *role = a ? cpor_role_name((int)a->role) : "NULL";
  char *before = store_dump(f->w.storage);
  int rc = c->call(f, a, which, id);
  ck_assert_msg(rc == code, "%s as %s (%s): got %s, want %s: %s", c->name, role ? role : "?",
                which == OWN ? "own" : "other", cpor_status_name(rc), cpor_status_name(code),
                cpor_ctx_errmsg(f->w.ctx));
  ck_assert_int_eq(cpor_ctx_errcode(f->w.ctx), code);
  ck_assert_msg(cpor_ctx_errmsg(f->w.ctx)[0], "%s: no message", c->name);
  char *after = store_dump(f->w.storage);
  ck_assert_msg(strcmp(before, after) == 0, "%s as %s changed the store", c->name,
                role ? role : "?");
  free(before);
  free(after);
  /* No refusal shows another organization's data (names the caller did not give). */
  static const char *const secrets[] = {"Fabrikam Consulting", "Tailspin Toys", T3_DOMAIN,
                                        "Northwind Traders"};
  for (size_t i = 0; i < sizeof secrets / sizeof secrets[0]; i++)
    ck_assert_msg(!strstr(cpor_ctx_errmsg(f->w.ctx), secrets[i]), "%s: '%s' reveals '%s'", c->name,
                  cpor_ctx_errmsg(f->w.ctx), secrets[i]);
  return strdup(cpor_ctx_errmsg(f->w.ctx));
}

/* The EPERM message names the role and what it may not do, nothing else. */
static void expect_perm_message(const char *msg, const cpor_actor *a) {
  char want[64];
  snprintf(want, sizeof want, "role %s may not ", cpor_role_name((int)a->role));
  ck_assert_msg(strncmp(msg, want, strlen(want)) == 0, "EPERM message '%s'", msg);
}

/* One call that must succeed; inside a batch rolled back, so the next case
 * sees the same store. */
static void allowed(fixture *f, const dir_case *c, const cpor_actor *a, int which) {
  const char *id = NULL;
  test_ok(cpor_ctx_begin(f->w.ctx), f->w.ctx, "begin");
  int rc = c->call(f, a, which, &id);
  ck_assert_msg(rc == CPOR_OK, "%s as %s (%s): got %s: %s", c->name, cpor_role_name((int)a->role),
                which == OWN ? "own" : "other", cpor_status_name(rc), cpor_ctx_errmsg(f->w.ctx));
  test_ok(cpor_ctx_rollback(f->w.ctx), f->w.ctx, "rollback");
}

/* Another organization's record: the same code and message as an unknown ID. */
static void hidden(fixture *f, const dir_case *c, const cpor_actor *a) {
  const char *other_id = NULL, *unknown_id = NULL;
  char *other = refused(f, c, a, OTHER, CPOR_ENOTFOUND, &other_id);
  char *unknown = refused(f, c, a, UNKNOWN, CPOR_ENOTFOUND, &unknown_id);
  char *want = replaced(unknown, unknown_id, other_id);
  ck_assert_msg(strcmp(other, want) == 0, "%s as %s: '%s' is not the unknown-ID message '%s'",
                c->name, cpor_role_name((int)a->role), other, want);
  free(other);
  free(unknown);
  free(want);
}

START_TEST(matrix) {
  const dir_case *c = &cases[_i];
  fixture f;
  fixture_open(&f);
  for (int r = 0; r < NROLES; r++) {
    cpor_actor a = actor_of(roles[r]);
    for (int which = OWN; which <= OTHER; which++) {
      int want = c->expect[r][which];
      const char *id = NULL;
      if (want == CPOR_OK)
        allowed(&f, c, &a, which);
      else if (want == CPOR_ENOTFOUND && which == OTHER)
        hidden(&f, c, &a);
      else {
        char *msg = refused(&f, c, &a, which, want, &id);
        if (want == CPOR_EPERM) expect_perm_message(msg, &a);
        free(msg);
      }
    }
  }
  world_close(&f.w);
}
END_TEST

/* The actor is checked before anything else: NULL, an unknown version, an
 * unknown role and a malformed organization. */
START_TEST(bad_actor) {
  const dir_case *c = &cases[_i];
  fixture f;
  fixture_open(&f);
  cpor_actor v2 = actor_of(CPOR_ROLE_SYSTEM), role0 = v2, bad_org = actor_of(CPOR_ROLE_CUSTOMER);
  v2.version = 2;
  role0.role = 0;
  bad_org.org = "not-a-guid";
  const char *id = NULL;
  struct {
    const cpor_actor *actor;
    int code;
    const char *msg;
  } bad[] = {
      {NULL, CPOR_EINVAL, "actor is NULL"},
      {&v2, CPOR_EVERSION, "unsupported cpor_actor version 2 (this library reads versions 1 to 1)"},
      {&role0, CPOR_EINVAL, "unknown actor role"},
      {&bad_org, CPOR_EINVAL, "a customer actor's organization must be a tenant ID (GUID)"},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    char *msg = refused(&f, c, bad[i].actor, OWN, bad[i].code, &id);
    ck_assert_str_eq(msg, bad[i].msg);
    free(msg);
  }
  world_close(&f.w);
}
END_TEST

/* ---- what each role's listings hold -------------------------------------------- */

#define JOIN_LIST(name, type, id_fn)                                                               \
  static char *join_##name(cpor_##name##_iter *it) {                                               \
    char *buf = NULL;                                                                              \
    size_t len = 0;                                                                                \
    FILE *f = open_memstream(&buf, &len);                                                          \
    type *x;                                                                                       \
    int first = 1;                                                                                 \
    while (cpor_##name##_iter_next(it, &x) == CPOR_OK) {                                           \
      fprintf(f, "%s%s", first ? "" : ",", id_fn(x));                                              \
      first = 0;                                                                                   \
      cpor_##name##_free(x);                                                                       \
    }                                                                                              \
    fclose(f);                                                                                     \
    cpor_##name##_iter_free(it);                                                                   \
    return buf;                                                                                    \
  }
JOIN_LIST(partner, cpor_partner, cpor_partner_id)
JOIN_LIST(location, cpor_location, cpor_location_mpn_id)
JOIN_LIST(customer, cpor_customer, cpor_customer_id)
JOIN_LIST(tenant, cpor_tenant, cpor_tenant_id)
JOIN_LIST(subscription, cpor_subscription, cpor_subscription_id)

static void expect_list(char *got, const char *want, const char *what, int role) {
  ck_assert_msg(strcmp(got, want) == 0, "%s as %s: got '%s', want '%s'", what, cpor_role_name(role),
                got, want);
  free(got);
}

#define ALL_PARTNERS "contoso,fabrikam,northwind"
#define ALL_MPNS MPN_A "," MPN_B "," MPN_C "," MPN_A_UNENROLLED
#define T1_SUBS SUB_SALES "," SUB_CSP "," SUB_PROV "," SUB_EXPIRED "," SUB_DISABLED "," SUB_CS
#define ALL_SUBS                                                                                   \
  SUB_SALES "," SUB_CSP "," SUB_PROV "," SUB_EXPIRED "," SUB_OTHER_TENANT "," SUB_DISABLED         \
            "," SUB_CS "," SUB_T3

START_TEST(listings_by_role) {
  fixture f;
  fixture_open(&f);
  cpor_ctx *x = f.w.ctx;
  char both[80];
  int c1_first = strcmp(f.c1, f.c3) < 0;
  snprintf(both, sizeof both, "%s,%s", c1_first ? f.c1 : f.c3, c1_first ? f.c3 : f.c1);
  for (int r = 0; r < NROLES; r++) {
    cpor_actor a = actor_of(roles[r]);
    int everything = roles[r] == CPOR_ROLE_REVIEWER || roles[r] == CPOR_ROLE_SYSTEM;
    int cust = roles[r] == CPOR_ROLE_CUSTOMER, partner_role = !everything && !cust;
    cpor_partner_iter *pi = NULL;
    cpor_location_iter *li = NULL;
    cpor_customer_iter *ci = NULL;
    cpor_tenant_iter *ti = NULL;
    cpor_subscription_iter *si = NULL;
    test_ok(cpor_partner_list(x, &a, &pi), x, "partners");
    expect_list(join_partner(pi),
                everything     ? ALL_PARTNERS
                : partner_role ? "contoso"
                               : "",
                "partners", roles[r]);
    test_ok(cpor_location_list(x, &a, NULL, &li), x, "locations");
    expect_list(join_location(li),
                everything     ? ALL_MPNS
                : partner_role ? MPN_A "," MPN_A_UNENROLLED
                               : "",
                "locations", roles[r]);
    test_ok(cpor_customer_list(x, &a, &ci), x, "customers");
    expect_list(join_customer(ci), everything ? both : cust ? f.c1 : "", "customers", roles[r]);
    test_ok(cpor_tenant_list(x, &a, NULL, &ti), x, "tenants");
    expect_list(join_tenant(ti),
                everything ? T1 "," T3 "," T2
                : cust     ? T1
                           : "",
                "tenants", roles[r]);
    test_ok(cpor_subscription_list(x, &a, NULL, &si), x, "subscriptions");
    expect_list(join_subscription(si),
                everything ? ALL_SUBS
                : cust     ? T1_SUBS
                           : "",
                "subscriptions", roles[r]);
  }
  /* A filter narrows to one parent's records. */
  cpor_location_iter *li = NULL;
  test_ok(cpor_location_list(x, SYS, "fabrikam", &li), x, "locations");
  expect_list(join_location(li), MPN_B, "fabrikam's locations", CPOR_ROLE_SYSTEM);
  cpor_tenant_iter *ti = NULL;
  test_ok(cpor_tenant_list(x, SYS, f.c3, &ti), x, "tenants");
  expect_list(join_tenant(ti), T3, "c3's tenants", CPOR_ROLE_SYSTEM);
  cpor_subscription_iter *si = NULL;
  test_ok(cpor_subscription_list(x, SYS, T2, &si), x, "subscriptions");
  expect_list(join_subscription(si), SUB_OTHER_TENANT, "T2's subscriptions", CPOR_ROLE_SYSTEM);
  world_close(&f.w);
}
END_TEST

/* Bad arguments of the listings and iterators. */
START_TEST(listing_arguments) {
  fixture f;
  fixture_open(&f);
  world *w = &f.w;
  cpor_location_iter *li = NULL;
  cpor_tenant_iter *ti = NULL;
  cpor_subscription_iter *si = NULL;
  REFUSED(w, cpor_location_list(w->ctx, SYS, "bad id!", &li), CPOR_EINVAL);
  ck_assert_str_eq(cpor_ctx_errmsg(w->ctx), "malformed partner ID");
  REFUSED(w, cpor_tenant_list(w->ctx, SYS, "nope", &ti), CPOR_EINVAL);
  ck_assert_str_eq(cpor_ctx_errmsg(w->ctx), "customer ID must be a GUID");
  REFUSED(w, cpor_subscription_list(w->ctx, SYS, "nope", &si), CPOR_EINVAL);
  ck_assert_str_eq(cpor_ctx_errmsg(w->ctx), "tenant ID must be a GUID");
  REFUSED(w, cpor_partner_list(w->ctx, SYS, NULL), CPOR_EINVAL);
  ck_assert_str_eq(cpor_ctx_errmsg(w->ctx), "out is NULL");
  ck_assert_ptr_null(li);
  ck_assert_ptr_null(ti);
  ck_assert_ptr_null(si);
  ck_assert_int_eq(cpor_partner_list(NULL, SYS, NULL), CPOR_EINVAL);
  cpor_partner *p = NULL;
  ck_assert_int_eq(cpor_partner_iter_next(NULL, &p), CPOR_EINVAL);
  cpor_partner_iter_free(NULL);
  cpor_location_iter_free(NULL);
  cpor_customer_iter_free(NULL);
  cpor_tenant_iter_free(NULL);
  cpor_subscription_iter_free(NULL);
  /* An iterator freed before its end frees what it still holds. */
  cpor_partner_iter *pi = NULL;
  test_ok(cpor_partner_list(w->ctx, SYS, &pi), w->ctx, "partners");
  test_ok(cpor_partner_iter_next(pi, &p), w->ctx, "first");
  ck_assert_str_eq(cpor_partner_id(p), "contoso");
  cpor_partner_free(p);
  ck_assert_int_eq(cpor_partner_iter_next(pi, NULL), CPOR_EINVAL);
  cpor_partner_iter_free(pi);
  world_close(w);
}
END_TEST

/* Renaming: the name changes and nothing else; a bad name is refused. */
START_TEST(rename_location) {
  fixture f;
  fixture_open(&f);
  world *w = &f.w;
  cpor_actor ga = actor_of(CPOR_ROLE_GLOBAL_ADMIN);
  test_ok(cpor_location_rename(w->ctx, &ga, MPN_A, "Contoso Seattle"), w->ctx, "rename");
  cpor_location *l = NULL;
  test_ok(cpor_location_get(w->ctx, &ga, MPN_A, &l), w->ctx, "get");
  ck_assert_str_eq(cpor_location_name(l), "Contoso Seattle");
  ck_assert_str_eq(cpor_location_partner_id(l), "contoso");
  ck_assert_int_eq(cpor_location_is_enrolled(l, CPOR_PROGRAM_OSU_M365), 1);
  cpor_location_free(l);
  REFUSED(w, cpor_location_rename(w->ctx, &ga, MPN_A, ""), CPOR_EINVAL);
  ck_assert_str_eq(cpor_ctx_errmsg(w->ctx), "name must be 1-256 bytes of UTF-8 text");
  REFUSED(w, cpor_location_rename(w->ctx, &ga, "12a", "x"), CPOR_EINVAL);
  ck_assert_str_eq(cpor_ctx_errmsg(w->ctx), "MPN ID must be 1-10 ASCII digits");
  ck_assert_int_eq(cpor_location_rename(NULL, &ga, MPN_A, "x"), CPOR_EINVAL);
  /* A global admin may add a location to its own partner only. */
  test_ok(cpor_location_create(w->ctx, &ga, "contoso", "5555555", "Branch"), w->ctx, "create");
  REFUSED(w, cpor_location_create(w->ctx, &ga, "contoso", MPN_B, "Taken"), CPOR_EEXISTS);
  ck_assert_str_eq(cpor_ctx_errmsg(w->ctx), "location '" MPN_B "' exists already");
  world_close(w);
}
END_TEST

/* The issue's example: a Fabrikam incentives admin cannot unenroll
 * Contoso's location, and a customer cannot add partners. */
START_TEST(issue14_regressions) {
  fixture f;
  fixture_open(&f);
  world *w = &f.w;
  cpor_actor bob = test_actor(CPOR_ROLE_INCENTIVES_ADMIN, "fabrikam", "bob");
  REFUSED(w, cpor_location_enroll(w->ctx, &bob, MPN_A, CPOR_PROGRAM_OSA_SELL, 0), CPOR_EPERM);
  ck_assert_str_eq(cpor_ctx_errmsg(w->ctx),
                   "role incentives_admin may not change program enrollment");
  REFUSED(w, cpor_partner_create(w->ctx, &w->cust1, "evil", "Evil"), CPOR_EPERM);
  ck_assert_str_eq(cpor_ctx_errmsg(w->ctx), "role customer may not create partners");
  world_close(w);
}
END_TEST

static Suite *dirauthz_suite(void) {
  Suite *s = suite_create("dirauthz");
  TCase *tc = tcase_create("dirauthz");
  tcase_set_timeout(tc, 120);
  tcase_add_loop_test(tc, matrix, 0, NCASES);
  tcase_add_loop_test(tc, bad_actor, 0, NCASES);
  tcase_add_test(tc, listings_by_role);
  tcase_add_test(tc, listing_arguments);
  tcase_add_test(tc, rename_location);
  tcase_add_test(tc, issue14_regressions);
  suite_add_tcase(s, tc);
  return s;
}

CPOR_TEST_MAIN(dirauthz_suite)
