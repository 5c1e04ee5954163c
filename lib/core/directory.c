/* The directory: partners, locations, customers, tenants, subscriptions,
 * workloads. Reference data, written by the tooling's operator (no actor). */
#include <stdlib.h>
#include <string.h>

#include "core/catalog.h"
#include "core/claims.h"
#include "core/list.h"
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

int cpor_partner_create(cpor_ctx *ctx, const char *partner_id, const char *name) {
  CHECK_CTX(ctx);
  if (cpor__valid_partner_id(partner_id))
    return bad(ctx, "partner ID must be 1-64 bytes of letters, digits, '.', '_' or '-'");
  int rc = check_name(ctx, name);
  if (rc || (rc = cpor__call_begin(ctx, 1))) return rc;
  cpor_partner p = {(char *)partner_id, (char *)name};
  cpor_store_object obj;
  void *buf = NULL;
  rc = cpor__put(ctx, CPOR_STORE_INSERT, cpor__partner_encode(&p, &obj, &buf), &obj, buf);
  return cpor__call_end(ctx, rc);
}

static int partner_decode(const cpor_store_object *obj, void **out) {
  return cpor__partner_decode(obj, (cpor_partner **)out);
}

int cpor_partner_get(cpor_ctx *ctx, const char *partner_id, cpor_partner **out) {
  CHECK_CTX(ctx);
  if (!out) return bad(ctx, "out is NULL");
  *out = NULL;
  if (cpor__valid_partner_id(partner_id)) return bad(ctx, "malformed partner ID");
  int rc = cpor__call_begin(ctx, 0);
  if (rc) return rc;
  rc = cpor__load(ctx, CPOR_STORE_PARTNER, partner_id, partner_decode, (void **)out);
  return cpor__call_end(ctx, rc);
}

int cpor_location_create(cpor_ctx *ctx, const char *partner_id, const char *mpn_id,
                         const char *name) {
  CHECK_CTX(ctx);
  if (cpor__valid_partner_id(partner_id)) return bad(ctx, "malformed partner ID");
  if (cpor__valid_mpn(mpn_id)) return bad(ctx, "MPN ID must be 1-10 ASCII digits");
  int rc = check_name(ctx, name);
  if (rc || (rc = cpor__call_begin(ctx, 1))) return rc;
  cpor_partner *p = NULL;
  rc = cpor__load(ctx, CPOR_STORE_PARTNER, partner_id, partner_decode, (void **)&p);
  cpor_partner_free(p);
  if (rc == CPOR_OK) {
    cpor_location l = {(char *)mpn_id, (char *)partner_id, (char *)name, 0};
    cpor_store_object obj;
    void *buf = NULL;
    rc = cpor__put(ctx, CPOR_STORE_INSERT, cpor__location_encode(&l, &obj, &buf), &obj, buf);
  }
  return cpor__call_end(ctx, rc);
}

int cpor_location_get(cpor_ctx *ctx, const char *mpn_id, cpor_location **out) {
  CHECK_CTX(ctx);
  if (!out) return bad(ctx, "out is NULL");
  *out = NULL;
  if (cpor__valid_mpn(mpn_id)) return bad(ctx, "MPN ID must be 1-10 ASCII digits");
  int rc = cpor__call_begin(ctx, 0);
  if (rc) return rc;
  rc = cpor__load_location(ctx, mpn_id, out);
  return cpor__call_end(ctx, rc);
}

int cpor_location_enroll(cpor_ctx *ctx, const char *mpn_id, int program, int enrolled) {
  CHECK_CTX(ctx);
  if (cpor__valid_mpn(mpn_id)) return bad(ctx, "MPN ID must be 1-10 ASCII digits");
  if (!cpor_program_name(program)) return bad(ctx, "unknown program");
  int rc = cpor__call_begin(ctx, 1);
  if (rc) return rc;
  cpor_location *l = NULL;
  rc = cpor__load_location(ctx, mpn_id, &l);
  if (rc == CPOR_OK) {
    if (enrolled)
      l->programs |= 1u << program;
    else
      l->programs &= ~(1u << program);
    cpor_store_object obj;
    void *buf = NULL;
    rc = cpor__put(ctx, CPOR_STORE_UPDATE, cpor__location_encode(l, &obj, &buf), &obj, buf);
  }
  cpor_location_free(l);
  return cpor__call_end(ctx, rc);
}

int cpor_customer_create(cpor_ctx *ctx, const char *name, char **id_out) {
  CHECK_CTX(ctx);
  if (id_out) *id_out = NULL;
  int rc = check_name(ctx, name);
  if (rc) return rc;
  char id[37];
  cpor__new_id(id);
  char *copy = NULL;
  if (id_out && !(copy = strdup(id))) return cpor__fail(ctx, CPOR_ENOMEM, "out of memory");
  if ((rc = cpor__call_begin(ctx, 1))) {
    free(copy);
    return rc;
  }
  cpor_customer c = {id, (char *)name};
  cpor_store_object obj;
  void *buf = NULL;
  rc = cpor__put(ctx, CPOR_STORE_INSERT, cpor__customer_encode(&c, &obj, &buf), &obj, buf);
  rc = cpor__call_end(ctx, rc);
  if (rc == CPOR_OK && id_out)
    *id_out = copy;
  else
    free(copy);
  return rc;
}

static int customer_decode(const cpor_store_object *obj, void **out) {
  return cpor__customer_decode(obj, (cpor_customer **)out);
}

int cpor_customer_get(cpor_ctx *ctx, const char *customer_id, cpor_customer **out) {
  CHECK_CTX(ctx);
  if (!out) return bad(ctx, "out is NULL");
  *out = NULL;
  char id[CPOR_GUID_LEN + 1];
  if (cpor__guid_canon(customer_id, id)) return bad(ctx, "customer ID must be a GUID");
  int rc = cpor__call_begin(ctx, 0);
  if (rc) return rc;
  rc = cpor__load(ctx, CPOR_STORE_CUSTOMER, id, customer_decode, (void **)out);
  return cpor__call_end(ctx, rc);
}

static int put_domain(cpor_ctx *ctx, const char *domain, const char *tenant_id) {
  cpor_store_object obj = {CPOR_STORE_DOMAIN, domain, tenant_id, NULL, 0, "", 0};
  int rc = ctx->storage->m.object_put(ctx->storage->self, &obj, CPOR_STORE_INSERT);
  if (rc == CPOR_EEXISTS)
    return cpor__fail(ctx, rc, "domain '%s' belongs to a tenant already", domain);
  return rc ? cpor__storage_fail(ctx, rc, "cannot write") : CPOR_OK;
}

int cpor_tenant_create(cpor_ctx *ctx, const char *customer_id, const char *tenant_id,
                       const char *domain) {
  CHECK_CTX(ctx);
  char cid[CPOR_GUID_LEN + 1], tid[CPOR_GUID_LEN + 1], dom[254];
  if (cpor__guid_canon(customer_id, cid)) return bad(ctx, "customer ID must be a GUID");
  if (cpor__guid_canon(tenant_id, tid)) return bad(ctx, "tenant ID must be a GUID");
  if (cpor__domain_canon(domain, dom)) return bad(ctx, "malformed domain name");
  int rc = cpor__call_begin(ctx, 1);
  if (rc) return rc;
  cpor_customer *c = NULL;
  rc = cpor__load(ctx, CPOR_STORE_CUSTOMER, cid, customer_decode, (void **)&c);
  cpor_customer_free(c);
  if (rc == CPOR_OK) {
    char *domains[1] = {dom};
    cpor_tenant t = {tid, cid, 1, domains};
    cpor_store_object obj;
    void *buf = NULL;
    rc = cpor__put(ctx, CPOR_STORE_INSERT, cpor__tenant_encode(&t, &obj, &buf), &obj, buf);
  }
  if (rc == CPOR_OK) rc = put_domain(ctx, dom, tid);
  return cpor__call_end(ctx, rc);
}

int cpor_tenant_add_domain(cpor_ctx *ctx, const char *tenant_id, const char *domain) {
  CHECK_CTX(ctx);
  char tid[CPOR_GUID_LEN + 1], dom[254];
  if (cpor__guid_canon(tenant_id, tid)) return bad(ctx, "tenant ID must be a GUID");
  if (cpor__domain_canon(domain, dom)) return bad(ctx, "malformed domain name");
  int rc = cpor__call_begin(ctx, 1);
  if (rc) return rc;
  cpor_tenant *t = NULL;
  rc = cpor__load_tenant(ctx, tid, &t);
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
      rc = cpor__put(ctx, CPOR_STORE_UPDATE, cpor__tenant_encode(t, &obj, &buf), &obj, buf);
    }
  }
  cpor_tenant_free(t);
  return cpor__call_end(ctx, rc);
}

int cpor_tenant_get(cpor_ctx *ctx, const char *tenant_id, cpor_tenant **out) {
  CHECK_CTX(ctx);
  if (!out) return bad(ctx, "out is NULL");
  *out = NULL;
  char tid[CPOR_GUID_LEN + 1];
  if (cpor__guid_canon(tenant_id, tid)) return bad(ctx, "tenant ID must be a GUID");
  int rc = cpor__call_begin(ctx, 0);
  if (rc) return rc;
  rc = cpor__load_tenant(ctx, tid, out);
  return cpor__call_end(ctx, rc);
}

/* ---- workloads -------------------------------------------------------------- */

static cpor_workload *from_catalog(const cpor__catalog_entry *e) {
  cpor_workload w = {(char *)e->code,       (char *)e->name, e->area,
                     e->needs_subscription, e->dynamics,     1};
  return cpor__workload_dup(&w);
}

/* Inside a call: the built-in entry or the registered one. */
int cpor__workload_find(cpor_ctx *ctx, const char *code, cpor_workload **out) {
  const cpor__catalog_entry *e = cpor__catalog_find(code);
  if (e) {
    *out = from_catalog(e);
    return *out ? CPOR_OK : cpor__fail(ctx, CPOR_ENOMEM, "out of memory");
  }
  return cpor__load_workload(ctx, code, out);
}

int cpor_workload_register(cpor_ctx *ctx, const char *code, const char *name, int area,
                           int needs_subscription) {
  CHECK_CTX(ctx);
  if (cpor__valid_workload_code(code))
    return bad(ctx, "workload code must be 2-32 bytes of A-Z, 0-9 and '_'");
  int rc = check_name(ctx, name);
  if (rc) return rc;
  if (!cpor_area_name(area)) return bad(ctx, "unknown solution area");
  if (cpor__catalog_find(code))
    return cpor__fail(ctx, CPOR_EEXISTS, "workload '%s' is built in", code);
  if ((rc = cpor__call_begin(ctx, 1))) return rc;
  cpor_workload w = {(char *)code,
                     (char *)name,
                     area,
                     needs_subscription ? 1 : 0,
                     strncmp(code, "D365_", 5) == 0,
                     0};
  cpor_store_object obj;
  void *buf = NULL;
  rc = cpor__put(ctx, CPOR_STORE_INSERT, cpor__workload_encode(&w, &obj, &buf), &obj, buf);
  return cpor__call_end(ctx, rc);
}

int cpor_workload_get(cpor_ctx *ctx, const char *code, cpor_workload **out) {
  CHECK_CTX(ctx);
  if (!out) return bad(ctx, "out is NULL");
  *out = NULL;
  if (cpor__valid_workload_code(code)) return bad(ctx, "malformed workload code");
  int rc = cpor__call_begin(ctx, 0);
  if (rc) return rc;
  rc = cpor__workload_find(ctx, code, out);
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

int cpor_workload_list(cpor_ctx *ctx, cpor_workload_iter **out) {
  CHECK_CTX(ctx);
  if (!out) return bad(ctx, "out is NULL");
  *out = NULL;
  cpor_workload_iter *it = calloc(1, sizeof *it);
  if (!it) return cpor__fail(ctx, CPOR_ENOMEM, "out of memory");
  int rc = cpor__call_begin(ctx, 0);
  if (rc) {
    free(it);
    return rc;
  }
  cpor_store_filter f = {CPOR_STORE_WORKLOAD, CPOR_STORE_BY_KIND, NULL, 0};
  rc = ctx->storage->m.object_scan(ctx->storage->self, &f, collect_workload, it);
  if (rc) rc = cpor__storage_fail(ctx, rc, "cannot list workloads");
  for (size_t i = 0; rc == CPOR_OK && i < cpor__catalog_count(); i++)
    if (push_workload(it, from_catalog(cpor__catalog_at(i))))
      rc = cpor__fail(ctx, CPOR_ENOMEM, "out of memory");
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
