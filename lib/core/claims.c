/* Claims: create, edit, proof of execution, comments. */
#include <stdlib.h>
#include <string.h>

#include "core/claims.h"
#include "core/idempotency.h"
#include "core/ids.h"
#include "core/valid.h"
#include "struct_version.h"

static int bad(cpor_ctx *ctx, const char *what) {
  return cpor__fail(ctx, CPOR_EINVAL, "%s", what);
}

int cpor__claim_id_arg(cpor_ctx *ctx, const char *in, char out[37]) {
  return cpor__guid_canon(in, out) ? bad(ctx, "claim ID must be a GUID") : CPOR_OK;
}

int cpor__claim_handout(cpor_ctx *ctx, const cpor_claim *c, cpor_claim **out) {
  cpor_claim *d = cpor__claim_dup(c);
  if (!d) return cpor__fail(ctx, CPOR_ENOMEM, "out of memory");
  cpor__claim_as_of(d, ctx->now);
  *out = d;
  return CPOR_OK;
}

void cpor__claim_as_of(cpor_claim *c, cpor_time now) {
  c->read_at = now;
  c->overdue = cpor__rules_overdue(c, now);
  /* A dispute window that has passed is no window. */
  if (c->state == CPOR_STATE_REJECTED && c->window_closes_at != CPOR_TIME_NONE &&
      c->window_closes_at <= now)
    c->window_closes_at = CPOR_TIME_NONE;
}

int cpor__actor_arg(cpor_ctx *ctx, const cpor_actor *in, cpor_actor *out) {
  if (!in) return bad(ctx, "actor is NULL");
  char msg[160];
  int rc = cpor__struct_read(&cpor__actor_layout, in, out, msg, sizeof msg);
  if (rc) return cpor__fail(ctx, rc, "%s", msg);
  const char *why = NULL;
  rc = cpor__rules_actor_valid(out, &why);
  return rc ? cpor__fail(ctx, rc, "%s", why) : CPOR_OK;
}

int cpor__claim_open(cpor_ctx *ctx, const cpor_actor *actor_in, cpor_actor *actor_out,
                     const char *claim_id, int action, cpor__view *v) {
  int rc = cpor__actor_arg(ctx, actor_in, actor_out);
  if (rc) return rc;
  const cpor_actor *actor = actor_out;
  char id[37];
  if ((rc = cpor__claim_id_arg(ctx, claim_id, id))) return rc;
  int write = action != CPOR__ACT_VIEW;
  if ((rc = cpor__call_begin(ctx, write))) return rc;
  cpor_storage *s = ctx->storage;
  if (write && ctx->rerun && s->m.object_lock &&
      (rc = s->m.object_lock(s->self, CPOR_STORE_CLAIM, id)))
    return cpor__call_end(ctx, cpor__storage_fail(ctx, rc, "cannot lock the claim"));
  /* Writes read a store that the call's settle brought up to date; reads
   * settle what they read in memory. */
  rc = write ? cpor__view_load(ctx, id, 0, v) : cpor__view_settled(ctx, id, v);
  cpor__env env = cpor__kenv(ctx);
  if (!rc && (rc = cpor__k_authorize(&env, actor, action, v->v[0]->claim)))
    rc = cpor__kernel_fail(ctx, rc);
  if (rc) {
    cpor__view_free(v);
    return cpor__call_end(ctx, rc);
  }
  return CPOR_OK;
}

/* ---- validation of a spec ------------------------------------------------------ */

static const struct {
  int field;
  size_t offset;
  int email;
} spec_fields[] = {
#define F(id, member, email)                                                                       \
  { id, offsetof(cpor_claim_spec, member), email }
    F(CPOR_FIELD_CUSTOMER_CONTACT_NAME, customer_contact_name, 0),
    F(CPOR_FIELD_CUSTOMER_CONTACT_TITLE, customer_contact_title, 0),
    F(CPOR_FIELD_CUSTOMER_CONTACT_EMAIL, customer_contact_email, 1),
    F(CPOR_FIELD_TECHNICAL_CONTACT_NAME, technical_contact_name, 0),
    F(CPOR_FIELD_TECHNICAL_CONTACT_TITLE, technical_contact_title, 0),
    F(CPOR_FIELD_TECHNICAL_CONTACT_EMAIL, technical_contact_email, 1),
    F(CPOR_FIELD_PARTNER_CONTACT_NAME, partner_contact_name, 0),
    F(CPOR_FIELD_PARTNER_CONTACT_EMAIL, partner_contact_email, 1),
    F(CPOR_FIELD_SOLUTION_SELLER, solution_seller, 0),
    F(CPOR_FIELD_CUSTOMER_NAME, customer_name, 0),
    F(CPOR_FIELD_ISV_PRODUCT, isv_product, 0),
#undef F
};
#define NSPEC_FIELDS (sizeof spec_fields / sizeof spec_fields[0])

static const char *spec_field(const cpor_claim_spec *s, size_t i) {
  return *(const char *const *)((const char *)s + spec_fields[i].offset);
}

static const char *const field_names[] = {NULL,
                                          "customer contact name",
                                          "customer contact title",
                                          "customer contact email",
                                          "technical contact name",
                                          "technical contact title",
                                          "technical contact email",
                                          "partner contact name",
                                          "partner contact email",
                                          "solution seller",
                                          "customer name",
                                          "ISV product"};

#define MAX_LINES 64

/* The caller's spec (any version) read into *s, the latest layout; format
 * checks only: no store access. */
int cpor__spec_arg(cpor_ctx *ctx, const cpor_claim_spec *in, cpor_claim_spec *s) {
  if (!in) return bad(ctx, "spec is NULL");
  char msg[160];
  int rc = cpor__struct_read(&cpor__claim_spec_layout, in, s, msg, sizeof msg);
  if (rc) return cpor__fail(ctx, rc, "%s", msg);
  if (s->name && cpor__valid_text(s->name, 256, 0))
    return bad(ctx, "claim name must be at most 256 bytes of text");
  if (s->mpn_id && cpor__valid_mpn(s->mpn_id)) return bad(ctx, "MPN ID must be 1-10 ASCII digits");
  char buf[254];
  if (s->tenant_id && cpor__guid_canon(s->tenant_id, buf))
    return bad(ctx, "tenant ID must be a GUID");
  if (s->domain && cpor__domain_canon(s->domain, buf)) return bad(ctx, "malformed domain name");
  if (s->area && !cpor_area_name((int)s->area)) return bad(ctx, "unknown solution area");
  if (s->activity && !cpor_activity_name((int)s->activity)) return bad(ctx, "unknown activity");
  for (size_t i = 0; i < NSPEC_FIELDS; i++) {
    const char *v = spec_field(s, i);
    if (!v || !*v) continue;
    int f = spec_fields[i].field;
    if (spec_fields[i].email ? cpor__valid_email(v) : cpor__valid_text(v, 256, 0))
      return cpor__fail(ctx, CPOR_EINVAL, "malformed %s", field_names[f]);
  }
  if (s->idempotency_key && cpor__valid_line(s->idempotency_key, 200))
    return bad(ctx, "idempotency key must be 1-200 bytes of text without control characters");
  if (s->external_ref && *s->external_ref && cpor__valid_line(s->external_ref, 200))
    return bad(ctx, "external reference must be 1-200 bytes of text without control characters");
  if (s->line_count > MAX_LINES) return bad(ctx, "a claim has at most 64 lines");
  if (s->line_count && !s->workloads) return bad(ctx, "line_count is set but workloads is NULL");
  for (size_t i = 0; i < s->line_count; i++) {
    if (cpor__valid_workload_code(s->workloads[i]))
      return cpor__fail(ctx, CPOR_EINVAL, "line %zu: malformed workload code", i + 1);
    const char *sub = s->subscriptions ? s->subscriptions[i] : NULL;
    if (sub && cpor__guid_canon(sub, buf))
      return cpor__fail(ctx, CPOR_EINVAL, "line %zu: subscription ID must be a GUID", i + 1);
  }
  return CPOR_OK;
}

/* ---- store-backed checks ----------------------------------------------------------- */

static int check_location(cpor_ctx *ctx, const cpor_claim *c) {
  cpor_location *l = NULL;
  int rc = cpor__load_location(ctx, c->mpn_id, &l);
  if (rc == CPOR_OK && strcmp(l->partner_id, c->partner_id) != 0)
    rc = cpor__fail(ctx, CPOR_ENOTFOUND, "no such location '%s'", c->mpn_id);
  int program = cpor__rules_program(c->area, c->activity);
  if (rc == CPOR_OK && !cpor_location_is_enrolled(l, program))
    rc = cpor__fail(ctx, CPOR_ENOTENROLLED, "MPN ID %s is not enrolled in %s", c->mpn_id,
                    cpor_program_name(program));
  cpor_location_free(l);
  return rc;
}

static int check_tenant(cpor_ctx *ctx, const cpor_claim *c) {
  cpor_tenant *t = NULL;
  int rc = cpor__load_tenant(ctx, c->tenant_id, &t);
  if (rc) return rc;
  int found = 0;
  for (size_t i = 0; i < t->ndomains; i++)
    found |= strcmp(t->domains[i], c->domain) == 0;
  cpor_tenant_free(t);
  if (!found)
    return cpor__fail(ctx, CPOR_EMISMATCH, "domain '%s' does not belong to tenant %s", c->domain,
                      c->tenant_id);
  return CPOR_OK;
}

typedef struct sub_pick {
  const char *workload;
  size_t claimable;
  char id[37];
} sub_pick;

static int pick_sub(void *arg, const cpor_store_object *obj) {
  sub_pick *p = arg;
  cpor_subscription *s = NULL;
  int rc = cpor__subscription_decode(obj, &s);
  if (rc) return rc;
  const char *msg;
  if (cpor__rules_subscription(s, s->tenant_id, p->workload, &msg) == CPOR_OK) {
    if (p->claimable++ == 0) strncpy(p->id, s->id, sizeof p->id - 1);
  }
  cpor_subscription_free(s);
  return 0;
}

/* Resolves a line's subscription: checks a named one, or picks the only
 * claimable one of the tenant. *sub_out: malloc'd canonical ID or NULL. */
static int resolve_sub(cpor_ctx *ctx, const cpor_claim *c, size_t i, const char *workload,
                       const char *named, char **sub_out) {
  *sub_out = NULL;
  char id[37];
  if (named) {
    cpor__guid_canon(named, id);
    cpor_subscription *s = NULL;
    int rc = cpor__load_subscription(ctx, id, &s);
    const char *msg = NULL;
    if (rc == CPOR_OK && (rc = cpor__rules_subscription(s, c->tenant_id, workload, &msg)))
      cpor__fail(ctx, rc, "line %zu: subscription %s: %s", i + 1, id, msg);
    cpor_subscription_free(s);
    if (rc) return rc;
  } else {
    sub_pick p = {workload, 0, {0}};
    int rc = cpor__store_objects(ctx->storage, CPOR_STORE_SUBSCRIPTION, CPOR_STORE_BY_OWNER,
                                 c->tenant_id, 0, NULL, 0, pick_sub, &p);
    if (rc) return cpor__storage_fail(ctx, rc, "cannot read subscriptions");
    if (p.claimable == 0)
      return cpor__fail(ctx, CPOR_ESUBSCRIPTION,
                        "line %zu: the tenant has no claimable %s subscription", i + 1, workload);
    if (p.claimable > 1)
      return cpor__fail(ctx, CPOR_EINCOMPLETE, "line %zu: name one of %zu %s subscriptions", i + 1,
                        p.claimable, workload);
    memcpy(id, p.id, sizeof id);
  }
  *sub_out = strdup(id);
  return *sub_out ? CPOR_OK : cpor__fail(ctx, CPOR_ENOMEM, "out of memory");
}

/* Builds c's lines from workloads[]/subs[] against c's tenant and area. */
int cpor__lines_resolve(cpor_ctx *ctx, cpor_claim *c, size_t n, const char *const *workloads,
                        const char *const *subs) {
  cpor__line *v = calloc(n ? n : 1, sizeof *v);
  if (!v) return cpor__fail(ctx, CPOR_ENOMEM, "out of memory");
  int rc = CPOR_OK;
  for (size_t i = 0; rc == CPOR_OK && i < n; i++) {
    cpor_workload *w = NULL;
    rc = cpor__workload_find(ctx, workloads[i], &w);
    if (rc) break;
    const char *named = subs ? subs[i] : NULL;
    if (w->area != c->area)
      rc = cpor__fail(ctx, CPOR_EINVAL, "line %zu: %s is not a %s workload", i + 1, w->code,
                      c->area == CPOR_AREA_M365 ? "Microsoft 365" : "Business Applications");
    else if (!w->needs_subscription && named)
      rc =
          cpor__fail(ctx, CPOR_EINVAL, "line %zu: a %s line names no subscription", i + 1, w->code);
    else if (w->needs_subscription)
      rc = resolve_sub(ctx, c, i, w->code, named, &v[i].subscription);
    v[i].workload = strdup(w->code);
    if (!v[i].workload && !rc) rc = cpor__fail(ctx, CPOR_ENOMEM, "out of memory");
    v[i].state = c->state;
    cpor_workload_free(w);
    for (size_t j = 0; rc == CPOR_OK && j < i; j++)
      if (strcmp(v[j].workload, v[i].workload) == 0 &&
          (!v[i].subscription || strcmp(v[i].subscription, v[j].subscription) == 0))
        rc = cpor__fail(ctx, CPOR_EINVAL, "lines %zu and %zu claim the same unit", j + 1, i + 1);
  }
  if (rc) {
    cpor__lines_free(v, n);
    return rc;
  }
  cpor__lines_free(c->lines, c->nlines);
  c->lines = v;
  c->nlines = n;
  return CPOR_OK;
}

int cpor__claim_has_dynamics(cpor_ctx *ctx, const cpor_claim *c, int *out) {
  *out = 0;
  for (size_t i = 0; i < c->nlines; i++) {
    cpor_workload *w = NULL;
    int rc = cpor__workload_find(ctx, c->lines[i].workload, &w);
    if (rc) return rc;
    *out |= w->dynamics;
    cpor_workload_free(w);
  }
  return CPOR_OK;
}

/* ---- create and edit ---------------------------------------------------------------- */

static int set_str(char **slot, const char *v, int canon_guid, int canon_domain) {
  char buf[254];
  const char *src = v;
  if (canon_guid) src = cpor__guid_canon(v, buf) == CPOR_OK ? buf : v;
  if (canon_domain) src = cpor__domain_canon(v, buf) == CPOR_OK ? buf : v;
  char *d = *src ? strdup(src) : NULL;
  if (*src && !d) return CPOR_ENOMEM;
  free(*slot);
  *slot = d;
  return CPOR_OK;
}

/* Copies the set fields of the spec into c (canonical forms). */
int cpor__spec_apply(cpor_claim *c, const cpor_claim_spec *s) {
  int rc = CPOR_OK;
  if (s->name) rc |= set_str(&c->name, s->name, 0, 0);
  if (s->mpn_id) rc |= set_str(&c->mpn_id, s->mpn_id, 0, 0);
  if (s->tenant_id) rc |= set_str(&c->tenant_id, s->tenant_id, 1, 0);
  if (s->domain) rc |= set_str(&c->domain, s->domain, 0, 1);
  if (s->external_ref) rc |= set_str(&c->external_ref, s->external_ref, 0, 0);
  if (s->idempotency_key) rc |= set_str(&c->idempotency_key, s->idempotency_key, 0, 0);
  if (s->area) c->area = (int32_t)s->area;
  if (s->activity) c->activity = (int32_t)s->activity;
  for (size_t i = 0; i < NSPEC_FIELDS; i++) {
    const char *v = spec_field(s, i);
    if (v) rc |= set_str(&c->fields[spec_fields[i].field], v, 0, 0);
  }
  return rc ? CPOR_ENOMEM : CPOR_OK;
}

/* Everything a claim's identity must satisfy, against the store. */
int cpor__claim_check_identity(cpor_ctx *ctx, cpor_claim *c, const cpor_claim_spec *lines_from) {
  if (!cpor__rules_program(c->area, c->activity))
    return cpor__fail(ctx, CPOR_EACTIVITY, "activity %s is not allowed for %s",
                      cpor_activity_name(c->activity), cpor_area_name(c->area));
  int rc = check_location(ctx, c);
  if (!rc) rc = check_tenant(ctx, c);
  if (!rc && lines_from)
    rc = cpor__lines_resolve(ctx, c, lines_from->line_count, lines_from->workloads,
                             lines_from->subscriptions);
  return rc;
}

/* The duplicate rule (and, after submission, contest marking) for t's claim
 * against the claims live on its units. */
static int check_units(cpor_ctx *ctx, const cpor_actor *actor, cpor__view *v, cpor__touched *t,
                       int contest) {
  int rc = cpor__view_neighbors(ctx, v, t);
  if (rc) return rc;
  cpor__env env = cpor__kenv(ctx);
  if ((rc = cpor__k_duplicates(&env, v, t))) return cpor__kernel_fail(ctx, rc);
  if (contest && (rc = cpor__k_contest(&env, v, t, actor))) return cpor__kernel_fail(ctx, rc);
  return CPOR_OK;
}

/* A create that repeats an idempotency key: hands out the claim the first
 * one made, as of now (*done = 1), or refuses other content. */
static int create_again(cpor_ctx *ctx, const cpor__idem *k, cpor_claim **out, int *done) {
  char first[37];
  int rc = cpor__idem_find(ctx, k, first);
  if (rc || !first[0]) return rc;
  *done = 1;
  if (!out) return CPOR_OK;
  cpor__view v = {0};
  rc = cpor__view_settled(ctx, first, &v);
  if (rc == CPOR_ENOTFOUND)
    rc = cpor__fail(ctx, CPOR_ECORRUPT, "idempotency key '%s' names a missing claim %s", k->key,
                    first);
  if (!rc) rc = cpor__claim_handout(ctx, v.v[0]->claim, out);
  cpor__view_free(&v);
  return rc;
}

/* The checks and writes of a new claim (t's), with its idempotency record
 * when k has a key. */
static int create_new(cpor_ctx *ctx, const cpor_actor *actor, cpor__view *v, cpor__touched *t,
                      const cpor_claim_spec *spec, const cpor__idem *k, cpor_claim **out) {
  cpor_claim *c = t->claim;
  int rc = cpor__claim_check_identity(ctx, c, spec);
  if (!rc) rc = check_units(ctx, actor, v, t, 0);
  cpor__env env = cpor__kenv(ctx);
  if (!rc && (rc = cpor__k_created(&env, t, actor))) rc = cpor__kernel_fail(ctx, rc);
  if (!rc) rc = cpor__view_write(ctx, v);
  if (!rc && k->content) rc = cpor__idem_put(ctx, k, c->id);
  if (!rc && out) rc = cpor__claim_handout(ctx, c, out);
  return rc;
}

static int cpor_claim_create_once(cpor_ctx *ctx, const cpor_actor *actor_in,
                                  const cpor_claim_spec *spec_in, cpor_claim **out) {
  if (!ctx) return CPOR_EINVAL;
  if (out) *out = NULL;
  cpor_actor a;
  cpor_claim_spec s;
  const cpor_actor *actor = &a;
  const cpor_claim_spec *spec = &s;
  const char *msg = NULL;
  int rc = cpor__actor_arg(ctx, actor_in, &a);
  if (rc) return rc;
  if ((rc = cpor__spec_arg(ctx, spec_in, &s))) return rc;
  if (spec->expected_revision)
    return bad(ctx, "expected_revision is for edits: a new claim has no revision");
  if (!spec->mpn_id || !spec->tenant_id || !spec->domain || !spec->area || !spec->activity)
    return cpor__fail(ctx, CPOR_EINCOMPLETE,
                      "a claim needs an MPN ID, a tenant ID, a domain, a solution area and an "
                      "activity");
  rc = cpor__rules_check(actor, CPOR__ACT_CREATE, actor->org ? actor->org : "", NULL, 0, &msg);
  if (rc)
    return cpor__fail(ctx, rc, "cannot create a claim as %s: %s", cpor_role_name((int)actor->role),
                      msg);
  cpor_claim *c = calloc(1, sizeof *c);
  if (!c) return cpor__fail(ctx, CPOR_ENOMEM, "out of memory");
  char id[37];
  cpor__new_id(id);
  c->id = strdup(id);
  c->partner_id = strdup(actor->org);
  c->state = CPOR_STATE_EDITING;
  c->next_seq = 1;
  c->window_closes_at = c->sla_due_at = c->last_at = c->optout_closes_at = CPOR_TIME_NONE;
  if (!c->id || !c->partner_id || cpor__spec_apply(c, spec)) {
    cpor_claim_free(c);
    return cpor__fail(ctx, CPOR_ENOMEM, "out of memory");
  }
  cpor__view v = {0};
  cpor__touched *t = NULL;
  if (cpor__view_add(&v, c, 1, &t)) return cpor__fail(ctx, CPOR_ENOMEM, "out of memory");
  if ((rc = cpor__call_begin(ctx, 1))) {
    cpor__view_free(&v);
    return rc;
  }
  c->created_at = c->updated_at = ctx->now;
  cpor__idem k = {0};
  int again = 0;
  if (c->idempotency_key && !(rc = cpor__idem_init(ctx, &k, c, spec)))
    rc = create_again(ctx, &k, out, &again);
  if (!rc && !again) rc = create_new(ctx, actor, &v, t, spec, &k, out);
  cpor__idem_free(&k);
  rc = cpor__call_end(ctx, rc);
  if (rc && out) {
    cpor_claim_free(*out);
    *out = NULL;
  }
  cpor__view_free(&v);
  return rc;
}

int cpor_claim_create(cpor_ctx *ctx, const cpor_actor *actor_in, const cpor_claim_spec *spec_in,
                      cpor_claim **out) {
  CPOR__RETRY(ctx, cpor_claim_create_once(ctx, actor_in, spec_in, out));
}

static int only_contacts(const cpor_claim_spec *s) {
  if (s->name || s->tenant_id || s->domain || s->area || s->activity) return 0;
  return !s->solution_seller && !s->customer_name && !s->isv_product;
}

/* The caller's condition, not a race: the retry loop must not rerun it. */
static int expected_mismatch(cpor_ctx *ctx, const cpor_claim *c, uint64_t expected) {
  ctx->conflict_final = 1;
  return cpor__fail(ctx, CPOR_ECONFLICT, "claim %s is at revision %llu, not the expected %llu",
                    c->id, (unsigned long long)c->revision, (unsigned long long)expected);
}

static int cpor_claim_edit_once(cpor_ctx *ctx, const cpor_actor *actor_in, const char *claim_id,
                                const cpor_claim_spec *changes_in) {
  if (!ctx) return CPOR_EINVAL;
  cpor_claim_spec s;
  const cpor_claim_spec *changes = &s;
  int rc = cpor__spec_arg(ctx, changes_in, &s);
  if (rc) return rc;
  if (s.idempotency_key) return bad(ctx, "an idempotency key is given at create only");
  cpor_actor a;
  const cpor_actor *actor = &a;
  cpor__view v = {0};
  if ((rc = cpor__claim_open(ctx, actor_in, &a, claim_id, CPOR__ACT_EDIT, &v))) return rc;
  cpor__touched *t = v.v[0];
  cpor_claim *c = t->claim;
  cpor__env env = cpor__kenv(ctx);
  if (changes->expected_revision && changes->expected_revision != c->revision)
    rc = expected_mismatch(ctx, c, changes->expected_revision);
  else if ((rc = cpor__k_edit_allowed(&env, c, only_contacts(changes))))
    rc = cpor__kernel_fail(ctx, rc);
  int relines = changes->line_count > 0 || changes->tenant_id || changes->area;
  cpor_claim_spec current = *changes;
  const char **wl = NULL, **subs = NULL;
  if (!rc && relines && changes->line_count == 0) {
    /* The identity moved: the existing lines are checked against it again;
     * a subscription a line names is never replaced (DESIGN.md 1.2). */
    wl = calloc(c->nlines + 1, sizeof *wl);
    subs = calloc(c->nlines + 1, sizeof *subs);
    if (!wl || !subs) rc = cpor__fail(ctx, CPOR_ENOMEM, "out of memory");
    for (size_t i = 0; !rc && i < c->nlines; i++) {
      wl[i] = c->lines[i].workload;
      subs[i] = c->lines[i].subscription;
    }
    current.line_count = c->nlines;
    current.workloads = wl;
    current.subscriptions = subs;
  }
  cpor_claim *before = rc ? NULL : cpor__claim_dup(c);
  if (!rc && !before) rc = cpor__fail(ctx, CPOR_ENOMEM, "out of memory");
  if (!rc && cpor__spec_apply(c, changes)) rc = cpor__fail(ctx, CPOR_ENOMEM, "out of memory");
  if (!rc) rc = cpor__claim_check_identity(ctx, c, relines ? &current : NULL);
  free(wl);
  free(subs);
  if (!rc && relines) rc = check_units(ctx, actor, &v, t, c->state != CPOR_STATE_EDITING);
  t->lines_dirty = relines;
  if (!rc && (rc = cpor__k_edited(&env, t, actor, before))) rc = cpor__kernel_fail(ctx, rc);
  if (!rc) rc = cpor__view_write(ctx, &v);
  cpor_claim_free(before);
  cpor__view_free(&v);
  return cpor__call_end(ctx, rc);
}

int cpor_claim_edit(cpor_ctx *ctx, const cpor_actor *actor_in, const char *claim_id,
                    const cpor_claim_spec *changes_in) {
  CPOR__RETRY(ctx, cpor_claim_edit_once(ctx, actor_in, claim_id, changes_in));
}

int cpor_claim_spec_init(cpor_claim_spec *spec, uint32_t version) {
  return cpor__struct_init(&cpor__claim_spec_layout, spec, version);
}

int cpor_actor_init(cpor_actor *actor, uint32_t version) {
  return cpor__struct_init(&cpor__actor_layout, actor, version);
}
