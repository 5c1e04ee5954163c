/* The view a decision reads and changes, and the history events it appends. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules.h"

const cpor_actor cpor__k_system = {CPOR_ACTOR_VERSION, CPOR_ROLE_SYSTEM, "", "system"};

int cpor__kfail(const cpor__env *env, int code, const char *fmt, ...) {
  if (env->msg && env->msglen) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(env->msg, env->msglen, fmt, ap);
    va_end(ap);
  }
  return code;
}

static int grow(void **v, size_t *cap, size_t n, size_t size) {
  if (n < *cap) return CPOR_OK;
  size_t c = *cap ? *cap * 2 : 4;
  void *d = realloc(*v, c * size);
  if (!d) return CPOR_ENOMEM;
  *v = d;
  *cap = c;
  return CPOR_OK;
}

int cpor__view_add(cpor__view *v, cpor_claim *c, int is_new, cpor__touched **out) {
  cpor__touched *t = calloc(1, sizeof *t);
  if (!t || grow((void **)&v->v, &v->cap, v->n, sizeof *v->v)) {
    free(t);
    cpor_claim_free(c);
    return CPOR_ENOMEM;
  }
  t->claim = c;
  t->is_new = is_new;
  t->old_state = is_new ? 0 : c->state;
  t->old_window = is_new ? CPOR_TIME_NONE : c->window_closes_at;
  t->old_sla = is_new ? CPOR_TIME_NONE : c->sla_due_at;
  t->lines_dirty = is_new;
  v->v[v->n++] = t;
  if (out) *out = t;
  return CPOR_OK;
}

int cpor__view_add_sub(cpor__view *v, cpor_subscription *s) {
  if (grow((void **)&v->subs, &v->subcap, v->nsubs, sizeof *v->subs)) {
    cpor_subscription_free(s);
    return CPOR_ENOMEM;
  }
  v->subs[v->nsubs++] = s;
  return CPOR_OK;
}

cpor__touched *cpor__view_find(const cpor__view *v, const char *claim_id) {
  for (size_t i = 0; i < v->n; i++)
    if (strcmp(v->v[i]->claim->id, claim_id) == 0) return v->v[i];
  return NULL;
}

const cpor_subscription *cpor__view_sub(const cpor__view *v, const char *sub_id) {
  for (size_t i = 0; i < v->nsubs; i++)
    if (strcmp(v->subs[i]->id, sub_id) == 0) return v->subs[i];
  return NULL;
}

void cpor__view_free(cpor__view *v) {
  for (size_t i = 0; i < v->n; i++) {
    cpor__touched *t = v->v[i];
    cpor_claim_free(t->claim);
    for (size_t k = 0; k < t->nevents; k++)
      cpor_event_free(t->events[k]);
    free(t->events);
    free(t);
  }
  free(v->v);
  for (size_t i = 0; i < v->nsubs; i++)
    cpor_subscription_free(v->subs[i]);
  free(v->subs);
  memset(v, 0, sizeof *v);
}

int cpor__touched_changed(const cpor__touched *t) {
  return t->is_new || t->nevents > 0 || t->lines_dirty;
}

/* ISO 8601 UTC with milliseconds, overflow-safe for every int64 instant. */
static void format_time(cpor_time t, char buf[48]) {
  int64_t day = t / 86400000, ms = t % 86400000;
  if (ms < 0) ms += 86400000, day -= 1;
  char date[16];
  if (day < -719162 || day > 2932896 || cpor_date_format((cpor_date)day, date, sizeof date))
    snprintf(buf, 48, "@%lld ms", (long long)t);
  else
    snprintf(buf, 48, "%sT%02d:%02d:%02d.%03dZ", date, (int)(ms / 3600000), (int)(ms / 60000 % 60),
             (int)(ms / 1000 % 60), (int)(ms % 1000));
}

int cpor__k_stamp(const cpor__env *env, const cpor_claim *c, cpor__env *out) {
  *out = *env;
  if (c->last_at == CPOR_TIME_NONE || env->now >= c->last_at) return CPOR_OK;
  /* last_at - now, computed without overflow: both are valid instants. */
  if (!env->lenient && (uint64_t)c->last_at - (uint64_t)env->now > CPOR__SKEW_MS) {
    char a[48], b[48];
    format_time(env->now, a);
    format_time(c->last_at, b);
    return cpor__kfail(env, CPOR_ERANGE,
                       "the clock (%s) is more than 1 s behind claim %s's last event (%s)", a,
                       c->id, b);
  }
  out->now = c->last_at;
  return CPOR_OK;
}

static char *vformat(const char *fmt, va_list ap) {
  va_list aq;
  va_copy(aq, ap);
  int n = vsnprintf(NULL, 0, fmt, aq);
  va_end(aq);
  if (n < 0) return NULL;
  char *s = malloc((size_t)n + 1);
  if (s) vsnprintf(s, (size_t)n + 1, fmt, ap);
  return s;
}

int cpor__k_event(const cpor__env *env, cpor__touched *t, const cpor_actor *actor, int kind,
                  const char *payload, const char *fmt, ...) {
  cpor__env at;
  int rc = cpor__k_stamp(env, t->claim, &at);
  if (rc) return rc;
  if (grow((void **)&t->events, &t->cap, t->nevents, sizeof *t->events))
    return cpor__kfail(env, CPOR_ENOMEM, "out of memory");
  cpor_event *e = calloc(1, sizeof *e);
  if (!e) return cpor__kfail(env, CPOR_ENOMEM, "out of memory");
  int oom = 0;
  va_list ap;
  va_start(ap, fmt);
  e->text = vformat(fmt, ap);
  va_end(ap);
  e->org = cpor__strdup(actor->org ? actor->org : "", &oom);
  e->user = cpor__strdup(actor->user ? actor->user : "", &oom);
  e->payload = cpor__strdup(payload ? payload : "{}", &oom);
  if (oom || !e->text) {
    cpor_event_free(e);
    return cpor__kfail(env, CPOR_ENOMEM, "out of memory");
  }
  cpor_claim *c = t->claim;
  e->seq = c->next_seq++;
  e->at = at.now;
  e->kind = kind;
  e->state = c->state;
  e->role = (int32_t)actor->role;
  c->last_at = c->updated_at = at.now;
  t->events[t->nevents++] = e;
  return CPOR_OK;
}

const char *cpor__k_format_time(cpor_time t, char buf[48]) {
  format_time(t, buf);
  return buf;
}
