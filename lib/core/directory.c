/* The directory: partners, locations, customers, tenants, workloads.
 * Reference data, written by the system (and a partner's global admin for
 * its own locations); who reads what is lib/rules/dirauthz.c. Listings are
 * in dirlist.c, subscriptions in subscriptions.c. */
#include <stdlib.h>
#include <string.h>

#include "core/catalog.h"
#include "core/claims.h"
#include "core/dirauth.h"
#include "core/ids.h"
#include "core/valid.h"

#define CHECK_CTX(ctx)                                                                             \
  do {                                                                                             \
    if (!(ctx)) return CPOR_EINVAL;                                                                \
  } while (0)

static int bad(cpor_ctx *ctx, const char *what) {
  return cpor__fail(ctx, CPOR_EINVAL, "%s", what);
}

static int check_name(cpor_ctx *ctx, const char *name) {
  return cpor__valid_text(name, 256, 1) ? bad(ctx, "name must be 1-256 bytes of UTF-8 text")
                                        : CPOR_OK;
}

/* The prologue of a read: the actor, then out. */
static int read_prologue(cpor_ctx *ctx, const cpor_actor *actor, int op, void **out) {
  int rc = cpor__dir_permit(ctx, actor, op);
  if (rc) return rc;
  if (!out) return bad(ctx, "out is NULL");
  *out = NULL;
  return CPOR_OK;
}

/* Reads one record the actor reaches, in a call of its own. */
static int get_one(cpor_ctx *ctx, const cpor_actor *actor, int op, const cpor__dir_kind *k,
                   const char *id, void **out) {
  cpor__dir_actor da;
  int rc = cpor__dir_call_begin(ctx, actor, op, &da);
  if (rc) return rc;
  rc = cpor__dir_load(ctx, &da, k, id, out);
  return cpor__dir_call_end(ctx, &da, rc);
}

/* Encodes and writes a location. */
static int put_location(cpor_ctx *ctx, uint32_t mode, const cpor_location *l) {
  cpor_store_object obj;
  void *buf = NULL;
  return cpor__put(ctx, mode, l->revision, cpor__location_encode(l, &obj, &buf), &obj, buf);
}

static int cpor_partner_create_once(cpor_ctx *ctx, const cpor_actor *actor, const char *partner_id,
                                    const char *name) {
  CHECK_CTX(ctx);
  int rc = cpor__dir_permit(ctx, actor, CPOR__DIR_PARTNER_CREATE);
  if (rc) return rc;
  if (cpor__valid_partner_id(partner_id))
    return bad(ctx, "partner ID must be 1-64 bytes of letters, digits, '.', '_' or '-'");
  cpor__dir_actor da;
  if ((rc = check_name(ctx, name)) ||
      (rc = cpor__dir_call_begin(ctx, actor, CPOR__DIR_PARTNER_CREATE, &da)))
    return rc;
  cpor_partner p = {(char *)partner_id, (char *)name, 0};
  cpor_store_object obj;
  void *buf = NULL;
  rc = cpor__put(ctx, CPOR_STORE_INSERT, 0, cpor__partner_encode(&p, &obj, &buf), &obj, buf);
  return cpor__dir_call_end(ctx, &da, rc);
}

int cpor_partner_create(cpor_ctx *ctx, const cpor_actor *actor, const char *partner_id,
                        const char *name) {
  CPOR__RETRY(ctx, cpor_partner_create_once(ctx, actor, partner_id, name));
}

int cpor_partner_get(cpor_ctx *ctx, const cpor_actor *actor, const char *partner_id,
                     cpor_partner **out) {
  CHECK_CTX(ctx);
  int rc = read_prologue(ctx, actor, CPOR__DIR_PARTNER_READ, (void **)out);
  if (rc) return rc;
  if (cpor__valid_partner_id(partner_id)) return bad(ctx, "malformed partner ID");
  return get_one(ctx, actor, CPOR__DIR_PARTNER_READ, &cpor__dir_partners, partner_id, (void **)out);
}

static int cpor_location_create_once(cpor_ctx *ctx, const cpor_actor *actor, const char *partner_id,
                                     const char *mpn_id, const char *name) {
  CHECK_CTX(ctx);
  int rc = cpor__dir_permit(ctx, actor, CPOR__DIR_LOCATION_CREATE);
  if (rc) return rc;
  if (cpor__valid_partner_id(partner_id)) return bad(ctx, "malformed partner ID");
  if (cpor__valid_mpn(mpn_id)) return bad(ctx, "MPN ID must be 1-10 ASCII digits");
  cpor__dir_actor da;
  if ((rc = check_name(ctx, name)) ||
      (rc = cpor__dir_call_begin(ctx, actor, CPOR__DIR_LOCATION_CREATE, &da)))
    return rc;
  cpor_partner *p = NULL; /* the partner must exist and be the actor's */
  rc = cpor__dir_load(ctx, &da, &cpor__dir_partners, partner_id, (void **)&p);
  cpor_partner_free(p);
  if (rc == CPOR_OK) {
    cpor_location l = {(char *)mpn_id, (char *)partner_id, (char *)name, 0, 0};
    rc = put_location(ctx, CPOR_STORE_INSERT, &l);
  }
  return cpor__dir_call_end(ctx, &da, rc);
}

int cpor_location_create(cpor_ctx *ctx, const cpor_actor *actor, const char *partner_id,
                         const char *mpn_id, const char *name) {
  CPOR__RETRY(ctx, cpor_location_create_once(ctx, actor, partner_id, mpn_id, name));
}

int cpor_location_get(cpor_ctx *ctx, const cpor_actor *actor, const char *mpn_id,
                      cpor_location **out) {
  CHECK_CTX(ctx);
  int rc = read_prologue(ctx, actor, CPOR__DIR_LOCATION_READ, (void **)out);
  if (rc) return rc;
  if (cpor__valid_mpn(mpn_id)) return bad(ctx, "MPN ID must be 1-10 ASCII digits");
  return get_one(ctx, actor, CPOR__DIR_LOCATION_READ, &cpor__dir_locations, mpn_id, (void **)out);
}

/* Loads a location the actor reaches, changes it with edit, writes it back. */
static int update_location_once(cpor_ctx *ctx, const cpor_actor *actor, int op, const char *mpn_id,
                                int (*edit)(cpor_ctx *, cpor_location *, const void *),
                                const void *arg) {
  cpor__dir_actor da;
  int rc = cpor__dir_call_begin(ctx, actor, op, &da);
  if (rc) return rc;
  cpor_location *l = NULL;
  rc = cpor__dir_load(ctx, &da, &cpor__dir_locations, mpn_id, (void **)&l);
  if (rc == CPOR_OK) rc = edit(ctx, l, arg);
  if (rc == CPOR_OK) rc = put_location(ctx, CPOR_STORE_UPDATE, l);
  cpor_location_free(l);
  return cpor__dir_call_end(ctx, &da, rc);
}

static int update_location(cpor_ctx *ctx, const cpor_actor *actor, int op, const char *mpn_id,
                           int (*edit)(cpor_ctx *, cpor_location *, const void *),
                           const void *arg) {
  CPOR__RETRY(ctx, update_location_once(ctx, actor, op, mpn_id, edit, arg));
}

static int set_name(cpor_ctx *ctx, cpor_location *l, const void *name) {
  char *copy = strdup(name);
  if (!copy) return cpor__fail(ctx, CPOR_ENOMEM, "out of memory");
  free(l->name);
  l->name = copy;
  return CPOR_OK;
}

int cpor_location_rename(cpor_ctx *ctx, const cpor_actor *actor, const char *mpn_id,
                         const char *name) {
  CHECK_CTX(ctx);
  int rc = cpor__dir_permit(ctx, actor, CPOR__DIR_LOCATION_RENAME);
  if (rc) return rc;
  if (cpor__valid_mpn(mpn_id)) return bad(ctx, "MPN ID must be 1-10 ASCII digits");
  if ((rc = check_name(ctx, name))) return rc;
  return update_location(ctx, actor, CPOR__DIR_LOCATION_RENAME, mpn_id, set_name, name);
}

typedef struct enrollment {
  int program, enrolled;
} enrollment;

static int set_enrollment(cpor_ctx *ctx, cpor_location *l, const void *arg) {
  const enrollment *e = arg;
  if (e->enrolled)
    l->programs |= 1u << e->program;
  else
    l->programs &= ~(1u << e->program);
  return CPOR_OK;
}

int cpor_location_enroll(cpor_ctx *ctx, const cpor_actor *actor, const char *mpn_id, int program,
                         int enrolled) {
  CHECK_CTX(ctx);
  int rc = cpor__dir_permit(ctx, actor, CPOR__DIR_LOCATION_ENROLL);
  if (rc) return rc;
  if (cpor__valid_mpn(mpn_id)) return bad(ctx, "MPN ID must be 1-10 ASCII digits");
  if (!cpor_program_name(program)) return bad(ctx, "unknown program");
  enrollment e = {program, enrolled};
  return update_location(ctx, actor, CPOR__DIR_LOCATION_ENROLL, mpn_id, set_enrollment, &e);
}

static int cpor_customer_create_once(cpor_ctx *ctx, const cpor_actor *actor, const char *name,
                                     char **id_out) {
  CHECK_CTX(ctx);
  if (id_out) *id_out = NULL;
  int rc = cpor__dir_permit(ctx, actor, CPOR__DIR_CUSTOMER_CREATE);
  if (rc || (rc = check_name(ctx, name))) return rc;
  char id[37];
  cpor__new_id(id);
  char *copy = NULL;
  if (id_out && !(copy = strdup(id))) return cpor__fail(ctx, CPOR_ENOMEM, "out of memory");
  cpor__dir_actor da;
  if ((rc = cpor__dir_call_begin(ctx, actor, CPOR__DIR_CUSTOMER_CREATE, &da))) {
    free(copy);
    return rc;
  }
  cpor_customer c = {id, (char *)name, 0};
  cpor_store_object obj;
  void *buf = NULL;
  rc = cpor__put(ctx, CPOR_STORE_INSERT, 0, cpor__customer_encode(&c, &obj, &buf), &obj, buf);
  rc = cpor__dir_call_end(ctx, &da, rc);
  if (rc == CPOR_OK && id_out)
    *id_out = copy;
  else
    free(copy);
  return rc;
}

int cpor_customer_create(cpor_ctx *ctx, const cpor_actor *actor, const char *name, char **id_out) {
  CPOR__RETRY(ctx, cpor_customer_create_once(ctx, actor, name, id_out));
}

int cpor_customer_get(cpor_ctx *ctx, const cpor_actor *actor, const char *customer_id,
                      cpor_customer **out) {
  CHECK_CTX(ctx);
  int rc = read_prologue(ctx, actor, CPOR__DIR_CUSTOMER_READ, (void **)out);
  if (rc) return rc;
  char id[CPOR_GUID_LEN + 1];
  if (cpor__guid_canon(customer_id, id)) return bad(ctx, "customer ID must be a GUID");
  return get_one(ctx, actor, CPOR__DIR_CUSTOMER_READ, &cpor__dir_customers, id, (void **)out);
}

static int put_domain(cpor_ctx *ctx, const char *domain, const char *tenant_id) {
  cpor_store_object obj = {CPOR_STORE_DOMAIN, domain, tenant_id, NULL, 0, 0, "", 0};
  cpor__writing(ctx);
  int rc = ctx->storage->m.object_put(ctx->storage->self, &obj, CPOR_STORE_INSERT);
  if (rc == CPOR_EEXISTS)
    return cpor__fail(ctx, rc, "domain '%s' belongs to a tenant already", domain);
  return rc ? cpor__storage_fail(ctx, rc, "cannot write") : CPOR_OK;
}

static int cpor_tenant_create_once(cpor_ctx *ctx, const cpor_actor *actor, const char *customer_id,
                                   const char *tenant_id, const char *domain) {
  CHECK_CTX(ctx);
  int rc = cpor__dir_permit(ctx, actor, CPOR__DIR_TENANT_CREATE);
  if (rc) return rc;
  char cid[CPOR_GUID_LEN + 1], tid[CPOR_GUID_LEN + 1], dom[254];
  if (cpor__guid_canon(customer_id, cid)) return bad(ctx, "customer ID must be a GUID");
  if (cpor__guid_canon(tenant_id, tid)) return bad(ctx, "tenant ID must be a GUID");
  if (cpor__domain_canon(domain, dom)) return bad(ctx, "malformed domain name");
  cpor__dir_actor da;
  if ((rc = cpor__dir_call_begin(ctx, actor, CPOR__DIR_TENANT_CREATE, &da))) return rc;
  cpor_customer *c = NULL;
  rc = cpor__dir_load(ctx, &da, &cpor__dir_customers, cid, (void **)&c);
  cpor_customer_free(c);
  if (rc == CPOR_OK) {
    char *domains[1] = {dom};
    cpor_tenant t = {tid, cid, 1, domains, 0};
    cpor_store_object obj;
    void *buf = NULL;
    rc = cpor__put(ctx, CPOR_STORE_INSERT, 0, cpor__tenant_encode(&t, &obj, &buf), &obj, buf);
  }
  if (rc == CPOR_OK) rc = put_domain(ctx, dom, tid);
  return cpor__dir_call_end(ctx, &da, rc);
}

int cpor_tenant_create(cpor_ctx *ctx, const cpor_actor *actor, const char *customer_id,
                       const char *tenant_id, const char *domain) {
  CPOR__RETRY(ctx, cpor_tenant_create_once(ctx, actor, customer_id, tenant_id, domain));
}

static int cpor_tenant_add_domain_once(cpor_ctx *ctx, const cpor_actor *actor,
                                       const char *tenant_id, const char *domain) {
  CHECK_CTX(ctx);
  int rc = cpor__dir_permit(ctx, actor, CPOR__DIR_TENANT_ADD_DOMAIN);
  if (rc) return rc;
  char tid[CPOR_GUID_LEN + 1], dom[254];
  if (cpor__guid_canon(tenant_id, tid)) return bad(ctx, "tenant ID must be a GUID");
  if (cpor__domain_canon(domain, dom)) return bad(ctx, "malformed domain name");
  cpor__dir_actor da;
  if ((rc = cpor__dir_call_begin(ctx, actor, CPOR__DIR_TENANT_ADD_DOMAIN, &da))) return rc;
  cpor_tenant *t = NULL;
  rc = cpor__dir_load(ctx, &da, &cpor__dir_tenants, tid, (void **)&t);
  if (rc == CPOR_OK && t->ndomains >= 1024)
    rc = cpor__fail(ctx, CPOR_ERANGE, "a tenant has at most 1024 domains");
  if (rc == CPOR_OK) rc = put_domain(ctx, dom, tid);
  if (rc == CPOR_OK) {
    char **v = realloc(t->domains, (t->ndomains + 1) * sizeof *v);
    char *d = strdup(dom);
    if (v) t->domains = v;
    if (!v || !d) {
      free(d);
      rc = cpor__fail(ctx, CPOR_ENOMEM, "out of memory");
    } else {
      t->domains[t->ndomains++] = d;
      cpor_store_object obj;
      void *buf = NULL;
      rc = cpor__put(ctx, CPOR_STORE_UPDATE, t->revision, cpor__tenant_encode(t, &obj, &buf), &obj,
                     buf);
    }
  }
  cpor_tenant_free(t);
  return cpor__dir_call_end(ctx, &da, rc);
}

int cpor_tenant_add_domain(cpor_ctx *ctx, const cpor_actor *actor, const char *tenant_id,
                           const char *domain) {
  CPOR__RETRY(ctx, cpor_tenant_add_domain_once(ctx, actor, tenant_id, domain));
}

int cpor_tenant_get(cpor_ctx *ctx, const cpor_actor *actor, const char *tenant_id,
                    cpor_tenant **out) {
  CHECK_CTX(ctx);
  int rc = read_prologue(ctx, actor, CPOR__DIR_TENANT_READ, (void **)out);
  if (rc) return rc;
  char tid[CPOR_GUID_LEN + 1];
  if (cpor__guid_canon(tenant_id, tid)) return bad(ctx, "tenant ID must be a GUID");
  return get_one(ctx, actor, CPOR__DIR_TENANT_READ, &cpor__dir_tenants, tid, (void **)out);
}

/* ---- workloads -------------------------------------------------------------- */

static cpor_workload *from_catalog(const cpor__catalog_entry *e) {
  cpor_workload w = {
      (char *)e->code, (char *)e->name, e->area, e->needs_subscription, e->dynamics, 1, 0};
  return cpor__workload_dup(&w);
}

/* Inside a call: the built-in entry or the registered one. What the rules
 * read of a built-in entry (area, subscription, Dynamics) never changes, so
 * claims never ask the store for it; only its display name may be renamed. */
int cpor__workload_find(cpor_ctx *ctx, const char *code, cpor_workload **out) {
  const cpor__catalog_entry *e = cpor__catalog_find(code);
  if (e) {
    *out = from_catalog(e);
    return *out ? CPOR_OK : cpor__fail(ctx, CPOR_ENOMEM, "out of memory");
  }
  return cpor__load_workload(ctx, code, out);
}

/* The same with a built-in entry's display name as renamed (a stored record
 * of its code): what callers read. */
static int workload_named(cpor_ctx *ctx, const char *code, cpor_workload **out) {
  const cpor__catalog_entry *e = cpor__catalog_find(code);
  int rc = cpor__load_workload(ctx, code, out);
  if (!e || (rc && rc != CPOR_ENOTFOUND)) return rc;
  if (rc == CPOR_OK) {
    (*out)->builtin = 1;
    return CPOR_OK;
  }
  ctx->errcode = CPOR_OK;
  ctx->errmsg[0] = 0;
  *out = from_catalog(e);
  return *out ? CPOR_OK : cpor__fail(ctx, CPOR_ENOMEM, "out of memory");
}

static int cpor_workload_rename_once(cpor_ctx *ctx, const cpor_actor *actor, const char *code,
                                     const char *name) {
  CHECK_CTX(ctx);
  int rc = cpor__dir_permit(ctx, actor, CPOR__DIR_WORKLOAD_REGISTER);
  if (rc) return rc;
  if (cpor__valid_workload_code(code)) return bad(ctx, "malformed workload code");
  if ((rc = check_name(ctx, name))) return rc;
  if ((rc = cpor__call_begin(ctx, 1))) return rc;
  cpor_workload *w = NULL;
  rc = workload_named(ctx, code, &w);
  /* A built-in entry's first rename stores its record. */
  int insert = 0;
  if (!rc && w->builtin) {
    cpor_workload *stored = NULL;
    int lrc = cpor__load_workload(ctx, code, &stored);
    if (stored) w->revision = stored->revision;
    cpor_workload_free(stored);
    if (lrc && lrc != CPOR_ENOTFOUND) rc = lrc;
    insert = lrc == CPOR_ENOTFOUND;
    ctx->errcode = rc;
    if (!rc) ctx->errmsg[0] = 0;
  }
  if (!rc) {
    char *n = strdup(name);
    if (!n)
      rc = cpor__fail(ctx, CPOR_ENOMEM, "out of memory");
    else {
      free(w->name);
      w->name = n;
      cpor_store_object obj;
      void *buf = NULL;
      rc = cpor__put(ctx, insert ? CPOR_STORE_INSERT : CPOR_STORE_UPDATE, w->revision,
                     cpor__workload_encode(w, &obj, &buf), &obj, buf);
    }
  }
  cpor_workload_free(w);
  return cpor__call_end(ctx, rc);
}

int cpor_workload_rename(cpor_ctx *ctx, const cpor_actor *actor, const char *code,
                         const char *name) {
  CPOR__RETRY(ctx, cpor_workload_rename_once(ctx, actor, code, name));
}

static int cpor_workload_register_once(cpor_ctx *ctx, const cpor_actor *actor, const char *code,
                                       const char *name, int area, int needs_subscription) {
  CHECK_CTX(ctx);
  int rc = cpor__dir_permit(ctx, actor, CPOR__DIR_WORKLOAD_REGISTER);
  if (rc) return rc;
  if (cpor__valid_workload_code(code))
    return bad(ctx, "workload code must be 2-32 bytes of A-Z, 0-9 and '_'");
  if ((rc = check_name(ctx, name))) return rc;
  if (!cpor_area_name(area)) return bad(ctx, "unknown solution area");
  if (cpor__catalog_find(code))
    return cpor__fail(ctx, CPOR_EEXISTS, "workload '%s' is built in", code);
  if ((rc = cpor__call_begin(ctx, 1))) return rc;
  cpor_workload w = {(char *)code,
                     (char *)name,
                     area,
                     needs_subscription ? 1 : 0,
                     strncmp(code, "D365_", 5) == 0,
                     0,
                     0};
  cpor_store_object obj;
  void *buf = NULL;
  rc = cpor__put(ctx, CPOR_STORE_INSERT, 0, cpor__workload_encode(&w, &obj, &buf), &obj, buf);
  return cpor__call_end(ctx, rc);
}

int cpor_workload_register(cpor_ctx *ctx, const cpor_actor *actor, const char *code,
                           const char *name, int area, int needs_subscription) {
  CPOR__RETRY(ctx, cpor_workload_register_once(ctx, actor, code, name, area, needs_subscription));
}

int cpor_workload_get(cpor_ctx *ctx, const cpor_actor *actor, const char *code,
                      cpor_workload **out) {
  CHECK_CTX(ctx);
  int rc = read_prologue(ctx, actor, CPOR__DIR_WORKLOAD_READ, (void **)out);
  if (rc) return rc;
  if (cpor__valid_workload_code(code)) return bad(ctx, "malformed workload code");
  rc = cpor__call_begin(ctx, 0);
  if (rc) return rc;
  rc = workload_named(ctx, code, out);
  return cpor__call_end(ctx, rc);
}

struct cpor_workload_iter {
  cpor__list l;
};

static void free_workload(void *w) {
  cpor_workload_free(w);
}

/* Takes w into the list (freeing it when the list cannot grow). */
static int push_workload(cpor_workload_iter *it, cpor_workload *w) {
  int rc = w ? cpor__list_push(&it->l, w) : CPOR_ENOMEM;
  if (rc) cpor_workload_free(w);
  return rc;
}

static int collect_workload(void *arg, const cpor_store_object *obj) {
  cpor_workload *w = NULL;
  int rc = cpor__workload_decode(obj, &w);
  return rc ? rc : push_workload(arg, w);
}

static int by_code(const void *a, const void *b) {
  const cpor_workload *x = *(void *const *)a, *y = *(void *const *)b;
  return strcmp(x->code, y->code);
}

int cpor_workload_list(cpor_ctx *ctx, const cpor_actor *actor, cpor_workload_iter **out) {
  CHECK_CTX(ctx);
  int rc = read_prologue(ctx, actor, CPOR__DIR_WORKLOAD_READ, (void **)out);
  if (rc) return rc;
  cpor_workload_iter *it = calloc(1, sizeof *it);
  if (!it) return cpor__fail(ctx, CPOR_ENOMEM, "out of memory");
  if ((rc = cpor__call_begin(ctx, 0))) {
    free(it);
    return rc;
  }
  rc = cpor__store_objects(ctx->storage, CPOR_STORE_WORKLOAD, CPOR_STORE_BY_KIND, NULL, 0, NULL, 0,
                           collect_workload, it);
  if (rc) rc = cpor__storage_fail(ctx, rc, "cannot list workloads");
  /* A stored record of a built-in code is its new display name. */
  size_t stored = it->l.n;
  for (size_t i = 0; rc == CPOR_OK && i < cpor__catalog_count(); i++) {
    const cpor__catalog_entry *e = cpor__catalog_at(i);
    cpor_workload *renamed = NULL;
    for (size_t k = 0; k < stored && !renamed; k++)
      if (!strcmp(((cpor_workload *)it->l.v[k])->code, e->code)) renamed = it->l.v[k];
    if (renamed)
      renamed->builtin = 1;
    else if (push_workload(it, from_catalog(e)))
      rc = cpor__fail(ctx, CPOR_ENOMEM, "out of memory");
  }
  rc = cpor__call_end(ctx, rc);
  if (rc) {
    cpor_workload_iter_free(it);
    return rc;
  }
  if (it->l.n > 1) qsort(it->l.v, it->l.n, sizeof *it->l.v, by_code);
  *out = it;
  return CPOR_OK;
}

int cpor_workload_iter_next(cpor_workload_iter *it, cpor_workload **out) {
  if (!it || !out) return CPOR_EINVAL;
  void *item = NULL;
  int rc = cpor__list_next(&it->l, &item);
  *out = item; /* through a void *: no type-punned store */
  return rc;
}

void cpor_workload_iter_free(cpor_workload_iter *it) {
  if (!it) return;
  cpor__list_clear(&it->l, free_workload);
  free(it);
}
