/* One partner per unit (DESIGN.md 1.3): arbitration at approval,
 * supersession at association, contest marking, the duplicate rule and
 * subscription endings. Every rule reads the view: the claims live on the
 * units of the claim acted on. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules.h"

/* Calls fn for every live line of another claim in the view that shares a
 * unit with line i of t; stops at the first non-zero return. */
typedef int (*rival_fn)(const cpor__env *env, cpor__view *view, cpor__touched *t, size_t i,
                        cpor__touched *o, size_t k, void *arg);

static int each_rival(const cpor__env *env, cpor__view *view, cpor__touched *t, rival_fn fn,
                      void *arg) {
  const cpor_claim *c = t->claim;
  for (size_t i = 0; i < c->nlines; i++) {
    if (!cpor__rules_live(c->lines[i].state)) continue;
    char *unit = cpor__unit_key(c, &c->lines[i]);
    if (!unit) return cpor__kfail(env, CPOR_ENOMEM, "out of memory");
    int rc = CPOR_OK;
    for (size_t j = 0; rc == CPOR_OK && j < view->n; j++) {
      cpor__touched *o = view->v[j];
      if (o == t) continue;
      for (size_t k = 0; rc == CPOR_OK && k < o->claim->nlines; k++) {
        const cpor__line *l = &o->claim->lines[k];
        if (cpor__rules_live(l->state) && cpor__line_on_unit(o->claim, l, unit))
          rc = fn(env, view, t, i, o, k, arg);
      }
    }
    free(unit);
    if (rc) return rc;
  }
  return CPOR_OK;
}

/* One line of a claim loses its unit (REJECTED or ENDED, with reason). */
/* The effects of a call on other claims are stamped after their own last
 * event (never refused: the call's own claim was checked). */
static cpor__env side(const cpor__env *env) {
  cpor__env e = *env;
  e.lenient = 1;
  return e;
}

static int line_lost(const cpor__env *env0, cpor__touched *o, size_t k, int state, int reason) {
  cpor__env at, env1 = side(env0), *env = &env1;
  int rc = cpor__k_stamp(env, o->claim, &at);
  if (rc) return rc;
  const char *why = reason == CPOR_REASON_LOST_ARBITRATION
                        ? "lost arbitration: another partner's claim was approved"
                    : reason == CPOR_REASON_SUPERSEDED
                        ? "superseded: another partner became the partner of record"
                        : "the subscription ended";
  char payload[96];
  snprintf(payload, sizeof payload, "{\"line\":%zu,\"reason\":\"%s\"}", k,
           cpor_reason_name(reason));
  o->lines_dirty = 1;
  int last = cpor__rules_line_outcome(&at, o->claim, k, state, reason);
  if (last < 0) return cpor__kfail(env, last, "cannot compute the claim's windows");
  const char *wl = o->claim->lines[k].workload;
  if (last)
    return cpor__k_event(&at, o, &cpor__k_system,
                         state == CPOR_STATE_ENDED ? CPOR_EVENT_ENDED : CPOR_EVENT_REJECTED,
                         payload, "%s", why);
  return cpor__k_event(&at, o, &cpor__k_system,
                       state == CPOR_STATE_ENDED ? CPOR_EVENT_LINE_ENDED : CPOR_EVENT_LINE_REJECTED,
                       payload, "line %zu (%s): %s", k + 1, wl, why);
}

int cpor__k_line_lost(const cpor__env *env, cpor__touched *o, size_t k, int state, int reason) {
  return line_lost(env, o, k, state, reason);
}

static int approve_rival(const cpor__env *env, cpor__view *view, cpor__touched *t, size_t i,
                         cpor__touched *o, size_t k, void *arg) {
  (void)view, (void)arg;
  const cpor__line *l = &o->claim->lines[k];
  if (l->state == CPOR_STATE_APPROVED)
    return cpor__kfail(env, CPOR_ESTATE,
                       "line %zu (%s): another claim on this unit is inside its opt-out window",
                       i + 1, t->claim->lines[i].workload);
  if (!cpor__rules_pending(l->state) || strcmp(o->claim->partner_id, t->claim->partner_id) == 0)
    return CPOR_OK;
  return line_lost(env, o, k, CPOR_STATE_REJECTED, CPOR_REASON_LOST_ARBITRATION);
}

int cpor__k_arbitrate(const cpor__env *env, cpor__view *view, cpor__touched *t) {
  return each_rival(env, view, t, approve_rival, NULL);
}

static int supersede(const cpor__env *env, cpor__view *view, cpor__touched *t, size_t i,
                     cpor__touched *o, size_t k, void *arg) {
  (void)view, (void)t, (void)i, (void)arg;
  if (o->claim->lines[k].state != CPOR_STATE_ASSOCIATED) return CPOR_OK;
  return line_lost(env, o, k, CPOR_STATE_ENDED, CPOR_REASON_SUPERSEDED);
}

int cpor__k_supersede(const cpor__env *env, cpor__view *view, cpor__touched *t) {
  return each_rival(env, view, t, supersede, NULL);
}

static int duplicate(const cpor__env *env, cpor__view *view, cpor__touched *t, size_t i,
                     cpor__touched *o, size_t k, void *arg) {
  (void)view, (void)arg;
  const cpor_claim *c = t->claim;
  const cpor__line *l = &c->lines[i], *r = &o->claim->lines[k];
  if (strcmp(o->claim->partner_id, c->partner_id) != 0 || !cpor__rules_pending_or_held(r->state))
    return CPOR_OK;
  return cpor__kfail(env, CPOR_EDUPLICATE, "line %zu: partner %s already %s %s%s%s", i + 1,
                     c->partner_id, r->state == CPOR_STATE_ASSOCIATED ? "holds" : "claims",
                     l->workload, l->subscription ? " subscription " : "",
                     l->subscription ? l->subscription : "");
}

static int duplicate_problem(const cpor__env *env, cpor__view *view, cpor__touched *t, size_t i,
                             cpor__touched *o, size_t k, void *arg) {
  char msg[512];
  cpor__env e = *env;
  e.msg = msg;
  e.msglen = sizeof msg;
  int rc = duplicate(&e, view, t, i, o, k, NULL);
  if (rc != CPOR_EDUPLICATE) return rc;
  cpor__problems *p = arg;
  /* One problem a line, however many claims hold it. */
  for (size_t n = 0; n < p->n; n++)
    if (p->codes[n] == CPOR_EDUPLICATE && !strcmp(p->msgs[n], msg)) return CPOR_OK;
  return cpor__problem_add(p, CPOR_EDUPLICATE, "%s", msg);
}

int cpor__k_duplicate_problems(const cpor__env *env, const cpor__view *view, const cpor__touched *t,
                               cpor__problems *out) {
  return each_rival(env, (cpor__view *)view, (cpor__touched *)t, duplicate_problem, out);
}

int cpor__k_duplicates(const cpor__env *env, const cpor__view *view, const cpor__touched *t) {
  return each_rival(env, (cpor__view *)view, (cpor__touched *)t, duplicate, NULL);
}

static int rival(const cpor__env *env, cpor__view *view, cpor__touched *t, size_t i,
                 cpor__touched *o, size_t k, void *arg) {
  (void)env, (void)view, (void)i;
  if (strcmp(o->claim->partner_id, t->claim->partner_id) == 0 ||
      !cpor__rules_pending_or_held(o->claim->lines[k].state))
    return CPOR_OK;
  cpor__touched **rivals = arg;
  for (size_t n = 0; rivals[n]; n++)
    if (rivals[n] == o) return CPOR_OK;
  size_t n = 0;
  while (rivals[n])
    n++;
  rivals[n] = o;
  return CPOR_OK;
}

int cpor__k_contest(const cpor__env *env, cpor__view *view, cpor__touched *t,
                    const cpor_actor *actor) {
  (void)actor;
  cpor__touched **rivals = calloc(view->n + 1, sizeof *rivals);
  if (!rivals) return cpor__kfail(env, CPOR_ENOMEM, "out of memory");
  int rc = each_rival(env, view, t, rival, rivals);
  if (!rc && rivals[0] && !t->claim->contested) {
    t->claim->contested = 1;
    rc = cpor__k_event(env, t, &cpor__k_system, CPOR_EVENT_CONTESTED, NULL,
                       "contested: another partner holds or claims one of its units");
  }
  cpor__env others = side(env);
  for (size_t n = 0; !rc && rivals[n]; n++) {
    if (rivals[n]->claim->contested) continue;
    rivals[n]->claim->contested = 1;
    rc = cpor__k_event(&others, rivals[n], &cpor__k_system, CPOR_EVENT_CONTESTED, NULL,
                       "contested: another partner now claims one of its units");
  }
  free(rivals);
  return rc;
}

int cpor__k_subscription_ended(const cpor__env *env, cpor__view *view, const char *sub_id) {
  for (size_t j = 0; j < view->n; j++) {
    cpor__touched *o = view->v[j];
    for (size_t k = 0; k < o->claim->nlines; k++) {
      const cpor__line *l = &o->claim->lines[k];
      if (!cpor__rules_live(l->state) || !l->subscription || strcmp(l->subscription, sub_id))
        continue;
      int rc = line_lost(env, o, k,
                         l->state == CPOR_STATE_ASSOCIATED ? CPOR_STATE_ENDED : CPOR_STATE_REJECTED,
                         CPOR_REASON_SUBSCRIPTION_ENDED);
      if (rc) return rc;
    }
  }
  return CPOR_OK;
}
