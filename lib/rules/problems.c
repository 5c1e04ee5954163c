/* Every problem that blocks a submission, for submit's message and for the
 * preflight check (cpor_claim_check). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules.h"

int cpor__problem_add(cpor__problems *p, int code, const char *fmt, ...) {
  if (p->n == p->cap) {
    size_t cap = p->cap ? p->cap * 2 : 8;
    int *codes = realloc(p->codes, cap * sizeof *codes);
    if (!codes) return CPOR_ENOMEM;
    p->codes = codes;
    char **msgs = realloc(p->msgs, cap * sizeof *msgs);
    if (!msgs) return CPOR_ENOMEM;
    p->msgs = msgs;
    p->cap = cap;
  }
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  char *m = n < 0 ? NULL : malloc((size_t)n + 1);
  if (!m) return CPOR_ENOMEM;
  va_start(ap, fmt);
  vsnprintf(m, (size_t)n + 1, fmt, ap);
  va_end(ap);
  p->codes[p->n] = code;
  p->msgs[p->n++] = m;
  return CPOR_OK;
}

void cpor__problems_free(cpor__problems *p) {
  for (size_t i = 0; i < p->n; i++)
    free(p->msgs[i]);
  free(p->msgs);
  free(p->codes);
  memset(p, 0, sizeof *p);
}

static int missing(void *arg, const char *msg) {
  return cpor__problem_add(arg, CPOR_EINCOMPLETE, "%s", msg);
}

static int location_problems(const cpor__request *req, const cpor_claim *c, cpor__problems *p) {
  const cpor_location *l = req->location;
  int program = cpor__rules_program(c->area, c->activity);
  if (!program)
    return cpor__problem_add(p, CPOR_EACTIVITY, "activity %s is not allowed for %s",
                             cpor_activity_name(c->activity), cpor_area_name(c->area));
  if (!l || strcmp(l->partner_id, c->partner_id) != 0)
    return cpor__problem_add(p, CPOR_ENOTFOUND, "no such location '%s'", c->mpn_id);
  if (!cpor_location_is_enrolled(l, program))
    return cpor__problem_add(p, CPOR_ENOTENROLLED, "MPN ID %s is not enrolled in %s", c->mpn_id,
                             cpor_program_name(program));
  return CPOR_OK;
}

static int tenant_problems(const cpor__request *req, const cpor_claim *c, cpor__problems *p) {
  const cpor_tenant *t = req->tenant;
  if (!t) return CPOR_OK;
  for (size_t i = 0; i < t->ndomains; i++)
    if (c->domain && strcmp(t->domains[i], c->domain) == 0) return CPOR_OK;
  return cpor__problem_add(p, CPOR_EMISMATCH, "domain '%s' does not belong to tenant %s",
                           c->domain ? c->domain : "", c->tenant_id);
}

static int subscription_problems(const cpor__view *view, const cpor_claim *c, cpor__problems *p) {
  int rc = CPOR_OK;
  for (size_t i = 0; !rc && i < c->nlines; i++) {
    const cpor__line *l = &c->lines[i];
    if (!cpor__rules_live(l->state) || !l->subscription) continue;
    const cpor_subscription *s = cpor__view_sub(view, l->subscription);
    const char *msg = "the subscription does not exist";
    if (s && cpor__rules_subscription(s, c->tenant_id, l->workload, &msg) == CPOR_OK) continue;
    rc = cpor__problem_add(p, CPOR_ESUBSCRIPTION, "line %zu: subscription %s: %s", i + 1,
                           l->subscription, msg);
  }
  return rc;
}

int cpor__k_submit_problems(const cpor__env *env, const cpor__request *req, const cpor__view *view,
                            const cpor__touched *t, cpor__problems *out) {
  const cpor_claim *c = t->claim;
  int rc = cpor__rules_each_missing(c, req->dynamics, missing, out);
  if (!rc) rc = location_problems(req, c, out);
  if (!rc) rc = tenant_problems(req, c, out);
  if (!rc) rc = subscription_problems(view, c, out);
  if (!rc) rc = cpor__k_duplicate_problems(env, view, t, out);
  return rc ? cpor__kfail(env, CPOR_ENOMEM, "out of memory") : CPOR_OK;
}

int cpor__k_problems_fail(const cpor__env *env, const char *what, const cpor__problems *p) {
  if (p->n == 1) return cpor__kfail(env, p->codes[0], "%s: %s", what, p->msgs[0]);
  size_t len = 0;
  for (size_t i = 0; i < p->n; i++)
    len += strlen(p->msgs[i]) + 2;
  char *all = malloc(len + 1);
  if (!all)
    return cpor__kfail(env, p->codes[0], "%s: %s (and %zu more problems)", what, p->msgs[0],
                       p->n - 1);
  all[0] = 0;
  for (size_t i = 0; i < p->n; i++)
    strcat(strcat(all, i ? "; " : ""), p->msgs[i]);
  int rc = cpor__kfail(env, p->codes[0], "%s (%zu problems): %s", what, p->n, all);
  free(all);
  return rc;
}
