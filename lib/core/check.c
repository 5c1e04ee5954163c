/* cpor_claim_check: the preflight of a submission. Every problem that would
 * block it, for an existing draft or for a spec not yet created; nothing is
 * written. */
#include <stdlib.h>
#include <string.h>

#include "core/claims.h"
#include "core/ids.h"

struct cpor_check_report {
  cpor__problems p;
};

size_t cpor_check_report_count(const cpor_check_report *r) {
  return r ? r->p.n : 0;
}
int cpor_check_report_code(const cpor_check_report *r, size_t i) {
  return r && i < r->p.n ? r->p.codes[i] : CPOR_OK;
}
const char *cpor_check_report_message(const cpor_check_report *r, size_t i) {
  return r && i < r->p.n ? r->p.msgs[i] : NULL;
}
void cpor_check_report_free(cpor_check_report *r) {
  if (!r) return;
  cpor__problems_free(&r->p);
  free(r);
}

/* A failed directory step becomes a problem (its code and message); the
 * store's own failures stay failures. */
static int as_problem(cpor_ctx *ctx, int rc, cpor__problems *p) {
  if (rc == CPOR_OK || rc == CPOR_ENOMEM || rc == CPOR_ESTORAGE || rc == CPOR_ECORRUPT) return rc;
  int r = cpor__problem_add(p, rc, "%s", ctx->errmsg);
  ctx->errcode = CPOR_OK;
  ctx->errmsg[0] = 0;
  return r ? cpor__fail(ctx, r, "out of memory") : CPOR_OK;
}

/* The submit problems of t (the view's v[0]) with what the directory says. */
static int submit_problems(cpor_ctx *ctx, const cpor_actor *actor, cpor__view *v, cpor__touched *t,
                           cpor__problems *p) {
  cpor_claim *c = t->claim;
  cpor__request req = {CPOR__ACT_SUBMIT, actor, 0, NULL, 0, NULL, 0, NULL, NULL};
  cpor_location *loc = NULL;
  cpor_tenant *ten = NULL;
  int rc = cpor__view_neighbors(ctx, v, t);
  if (!rc) rc = as_problem(ctx, cpor__claim_has_dynamics(ctx, c, &req.dynamics), p);
  if (!rc && c->mpn_id) {
    int lrc = cpor__load_location(ctx, c->mpn_id, &loc);
    rc = lrc == CPOR_ENOTFOUND ? CPOR_OK : lrc; /* the kernel names it */
  }
  if (!rc && c->tenant_id) rc = as_problem(ctx, cpor__load_tenant(ctx, c->tenant_id, &ten), p);
  req.location = loc;
  req.tenant = ten;
  cpor__env env = cpor__kenv(ctx);
  if (!rc && (rc = cpor__k_submit_problems(&env, &req, v, t, p))) rc = cpor__kernel_fail(ctx, rc);
  cpor_location_free(loc);
  cpor_tenant_free(ten);
  ctx->errmsg[0] = 0;
  return rc;
}

static int check_draft(cpor_ctx *ctx, const cpor_actor *actor_in, const char *claim_id,
                       cpor__problems *p) {
  cpor__view v = {0};
  cpor_actor a;
  const cpor_actor *actor = &a;
  int rc = cpor__claim_open(ctx, actor_in, &a, claim_id, CPOR__ACT_VIEW, &v);
  if (rc) return rc;
  const cpor_claim *c = v.v[0]->claim;
  const char *msg = NULL;
  int arc = cpor__rules_check(actor, CPOR__ACT_SUBMIT, c->partner_id, c->tenant_id,
                              CPOR_STATE_EDITING, &msg);
  if (arc)
    rc = cpor__fail(ctx, arc, "cannot check claim %s (as %s): %s", c->id,
                    cpor_role_name((int)actor->role), msg);
  if (!rc && c->state != CPOR_STATE_EDITING &&
      cpor__problem_add(p, CPOR_ESTATE, "the claim is %s: only a draft can be submitted",
                        cpor_state_name(c->state)))
    rc = cpor__fail(ctx, CPOR_ENOMEM, "out of memory");
  if (!rc) rc = submit_problems(ctx, actor, &v, v.v[0], p);
  cpor__view_free(&v);
  return cpor__call_end(ctx, rc);
}

static int check_spec(cpor_ctx *ctx, const cpor_actor *actor_in, const cpor_claim_spec *spec_in,
                      cpor__problems *p) {
  const char *msg = NULL;
  cpor_actor a;
  cpor_claim_spec s;
  const cpor_actor *actor = &a;
  const cpor_claim_spec *spec = &s;
  int rc = cpor__actor_arg(ctx, actor_in, &a);
  if (rc) return rc;
  if ((rc = cpor__spec_arg(ctx, spec_in, &s))) return rc;
  rc = cpor__rules_check(actor, CPOR__ACT_CREATE, actor->org ? actor->org : "", NULL, 0, &msg);
  if (rc)
    return cpor__fail(ctx, rc, "cannot create a claim as %s: %s", cpor_role_name((int)actor->role),
                      msg);
  static const struct {
    size_t off;
    const char *what;
  } required[] = {
      {offsetof(cpor_claim_spec, mpn_id), "the MPN ID is missing"},
      {offsetof(cpor_claim_spec, tenant_id), "the tenant ID is missing"},
      {offsetof(cpor_claim_spec, domain), "the domain is missing"},
  };
  for (size_t i = 0; !rc && i < sizeof required / sizeof required[0]; i++)
    if (!*(const char *const *)((const char *)spec + required[i].off))
      rc = cpor__problem_add(p, CPOR_EINCOMPLETE, "%s", required[i].what);
  if (!rc && !spec->area)
    rc = cpor__problem_add(p, CPOR_EINCOMPLETE, "the solution area is missing");
  if (!rc && !spec->activity)
    rc = cpor__problem_add(p, CPOR_EINCOMPLETE, "the activity is missing");
  if (rc) return cpor__fail(ctx, CPOR_ENOMEM, "out of memory");
  cpor_claim *c = calloc(1, sizeof *c);
  if (!c) return cpor__fail(ctx, CPOR_ENOMEM, "out of memory");
  char id[37];
  cpor__new_id(id);
  c->id = strdup(id);
  c->partner_id = strdup(actor->org ? actor->org : "");
  c->state = CPOR_STATE_EDITING;
  c->window_closes_at = c->sla_due_at = c->last_at = c->optout_closes_at = CPOR_TIME_NONE;
  cpor__view v = {0};
  cpor__touched *t = NULL;
  if (!c->id || !c->partner_id || cpor__spec_apply(c, spec) || cpor__view_add(&v, c, 1, &t))
    return cpor__fail(ctx, CPOR_ENOMEM, "out of memory");
  if ((rc = cpor__call_begin(ctx, 0))) {
    cpor__view_free(&v);
    return rc;
  }
  if (c->tenant_id && c->area)
    rc = as_problem(
        ctx, cpor__lines_resolve(ctx, c, spec->line_count, spec->workloads, spec->subscriptions),
        p);
  if (!rc) rc = submit_problems(ctx, actor, &v, t, p);
  cpor__view_free(&v);
  return cpor__call_end(ctx, rc);
}

int cpor_claim_check(cpor_ctx *ctx, const cpor_actor *actor, const char *claim_id,
                     const cpor_claim_spec *spec, cpor_check_report **out) {
  if (!ctx) return CPOR_EINVAL;
  if (!out) return cpor__fail(ctx, CPOR_EINVAL, "out is NULL");
  *out = NULL;
  if (!claim_id == !spec)
    return cpor__fail(ctx, CPOR_EINVAL, "give a claim ID or a spec, not both");
  cpor_check_report *r = calloc(1, sizeof *r);
  if (!r) return cpor__fail(ctx, CPOR_ENOMEM, "out of memory");
  int rc =
      claim_id ? check_draft(ctx, actor, claim_id, &r->p) : check_spec(ctx, actor, spec, &r->p);
  if (rc) {
    cpor_check_report_free(r);
    return rc;
  }
  *out = r;
  return CPOR_OK;
}
