/* Replay: a claim is the fold of its history through the kernel's own
 * transitions (cpor__rules_enter, cpor__rules_line_outcome). Audits and
 * tests compare the fold with the stored record. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "payload.h"
#include "rules.h"

static int set_str(char **slot, json_t *v) {
  if (!v) return CPOR_OK;
  if (!json_is_string(v) && !json_is_null(v)) return CPOR_ECORRUPT;
  char *d = NULL;
  if (json_is_string(v) && !(d = strdup(json_string_value(v)))) return CPOR_ENOMEM;
  free(*slot);
  *slot = d;
  return CPOR_OK;
}

static int set_enum(int32_t *slot, json_t *v, int (*from_name)(const char *, int *)) {
  int x = 0;
  if (!v) return CPOR_OK;
  if (!json_is_string(v) || from_name(json_string_value(v), &x)) return CPOR_ECORRUPT;
  *slot = x;
  return CPOR_OK;
}

static int set_lines(cpor_claim *c, json_t *a) {
  if (!a) return CPOR_OK;
  if (!json_is_array(a)) return CPOR_ECORRUPT;
  size_t n = json_array_size(a);
  cpor__line *v = calloc(n ? n : 1, sizeof *v);
  if (!v) return CPOR_ENOMEM;
  int rc = CPOR_OK;
  for (size_t i = 0; !rc && i < n; i++) {
    json_t *l = json_array_get(a, i);
    rc = set_str(&v[i].workload, json_object_get(l, "workload"));
    if (!rc) rc = set_str(&v[i].subscription, json_object_get(l, "subscription"));
    if (!rc && !v[i].workload) rc = CPOR_ECORRUPT;
    v[i].state = c->state;
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

/* The value of key in o: itself (created) or its "to" (edited). */
static json_t *value(json_t *o, const char *key, int to) {
  json_t *v = json_object_get(o, key);
  return v && to ? json_object_get(v, "to") : v;
}

/* Sets the identity fields present in o. */
static int set_fields(cpor_claim *c, json_t *o, int to) {
  struct {
    const char *key;
    char **slot;
  } f[CPOR__NFIELDS + 5] = {{"name", &c->name},
                            {"mpn_id", &c->mpn_id},
                            {"tenant_id", &c->tenant_id},
                            {"domain", &c->domain},
                            {"external_ref", &c->external_ref}};
  size_t n = 5;
  for (int i = 1; i < CPOR__NFIELDS; i++, n++) {
    f[n].key = cpor__field_key(i);
    f[n].slot = &c->fields[i];
  }
  int rc = CPOR_OK;
  for (size_t i = 0; !rc && i < n; i++)
    rc = set_str(f[i].slot, value(o, f[i].key, to));
  if (!rc) rc = set_enum(&c->area, value(o, "area", to), cpor_area_from_name);
  if (!rc) rc = set_enum(&c->activity, value(o, "activity", to), cpor_activity_from_name);
  if (!rc) rc = set_lines(c, value(o, "lines", to));
  return rc;
}

static int set_variants(cpor_claim *c, json_t *p) {
  json_t *from = json_object_get(p, "optout_from");
  json_t *end = json_object_get(p, "customer_may_end");
  json_t *max = json_object_get(p, "max_disputes");
  if (!from && !end && !max) return CPOR_OK; /* recorded before the variants */
  if (!json_is_string(from) || !json_is_boolean(end) || !json_is_integer(max)) return CPOR_ECORRUPT;
  const char *f = json_string_value(from);
  c->variants.optout_from = !strcmp(f, "submission") ? CPOR_OPTOUT_FROM_SUBMISSION
                            : !strcmp(f, "approval") ? CPOR_OPTOUT_FROM_APPROVAL
                                                     : 0;
  c->variants.customer_may_end = json_is_true(end);
  c->variants.max_disputes = (uint32_t)json_integer_value(max);
  return c->variants.optout_from ? CPOR_OK : CPOR_ECORRUPT;
}

static int set_policy(cpor_claim *c, json_t *p) {
  static const char *const keys[] = {"optout",     "response", "review_start_sla",
                                     "review_sla", "dispute",  "dispute_review_sla"};
  if (json_is_string(p)) {
    if (strcmp(json_string_value(p), CPOR__POLICY_DEFAULT_NAME)) return CPOR_ECORRUPT;
    cpor__policy_set_default(c);
    return CPOR_OK;
  }
  cpor_window *w = &c->policy.optout;
  for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
    json_t *a = json_object_get(p, keys[i]);
    if (!json_is_array(a) || json_array_size(a) != 2) return CPOR_ECORRUPT;
    w[i].count = (int32_t)json_integer_value(json_array_get(a, 0));
    w[i].unit = (uint32_t)json_integer_value(json_array_get(a, 1));
  }
  c->has_policy = 1;
  return set_variants(c, p);
}

static int add_poe(cpor_claim *c, json_t *p) {
  cpor__poe *v = realloc(c->poe, (c->npoe + 1) * sizeof *v);
  if (!v) return CPOR_ENOMEM;
  c->poe = v;
  cpor__poe *d = &c->poe[c->npoe];
  memset(d, 0, sizeof *d);
  c->npoe++;
  int rc = set_str(&d->name, json_object_get(p, "name"));
  if (!rc) rc = set_str(&d->media_type, json_object_get(p, "media_type"));
  if (!rc) rc = set_str(&d->sha256, json_object_get(p, "sha256"));
  d->size = (uint64_t)json_integer_value(json_object_get(p, "size"));
  if (!rc && (!d->name || !d->media_type || !d->sha256)) rc = CPOR_ECORRUPT;
  return rc;
}

/* A line outcome named by the payload ({"line": k, "reason": r}). */
static int line_event(const cpor__env *env, cpor_claim *c, json_t *p, int state) {
  json_t *l = json_object_get(p, "line");
  int32_t reason = 0;
  if (!json_is_integer(l) || set_enum(&reason, json_object_get(p, "reason"), cpor_reason_from_name))
    return CPOR_ECORRUPT;
  json_int_t k = json_integer_value(l);
  if (k < 0 || (size_t)k >= c->nlines) return CPOR_ECORRUPT;
  int rc = cpor__rules_line_outcome(env, c, (size_t)k, state, reason);
  return rc < 0 ? rc : CPOR_OK;
}

static int apply(const cpor__env *env, cpor_claim *c, const cpor_event *e, json_t *p) {
  int32_t reason = 0;
  switch (e->kind) {
  case CPOR_EVENT_CREATED: {
    json_t *o = json_object_get(p, "claim");
    if (!json_is_object(o)) return CPOR_ECORRUPT;
    c->state = CPOR_STATE_EDITING;
    c->created_at = e->at;
    c->window_closes_at = c->sla_due_at = CPOR_TIME_NONE;
    int rc = set_str(&c->partner_id, json_object_get(o, "partner_id"));
    if (!rc) rc = set_str(&c->idempotency_key, json_object_get(o, "idempotency_key"));
    return rc ? rc : set_fields(c, o, 0);
  }
  case CPOR_EVENT_EDITED:
    return set_fields(c, json_object_get(p, "changes"), 1);
  case CPOR_EVENT_POE_ADDED: {
    int rc = add_poe(c, json_object_get(p, "poe"));
    if (!rc) c->poe[c->npoe - 1].added_at = e->at;
    return rc;
  }
  case CPOR_EVENT_COMMENTED:
    return CPOR_OK;
  case CPOR_EVENT_SUBMITTED: {
    int rc = set_policy(c, json_object_get(p, "policy"));
    return rc ? rc : cpor__rules_enter(env, c, CPOR_STATE_SUBMITTED, 0);
  }
  case CPOR_EVENT_CONTESTED:
    c->contested = 1;
    return CPOR_OK;
  case CPOR_EVENT_REVIEW_STARTED:
  case CPOR_EVENT_RESPONDED:
  case CPOR_EVENT_DISPUTE_GRANTED:
    return cpor__rules_enter(env, c, CPOR_STATE_UNDER_REVIEW, 0);
  case CPOR_EVENT_INFO_REQUESTED: {
    int rc = cpor__rules_enter(env, c, CPOR_STATE_PARTNER_ACTION_REQUIRED, 0);
    return rc ? rc
              : set_enum(&c->info_reason, json_object_get(p, "reason"), cpor_info_reason_from_name);
  }
  case CPOR_EVENT_APPROVED:
    return cpor__rules_enter(env, c, CPOR_STATE_APPROVED, 0);
  case CPOR_EVENT_REJECTED:
    if (json_object_get(p, "line")) return line_event(env, c, p, CPOR_STATE_REJECTED);
    if (set_enum(&reason, json_object_get(p, "reason"), cpor_reason_from_name) || !reason)
      return CPOR_ECORRUPT;
    return cpor__rules_enter(env, c, CPOR_STATE_REJECTED, reason);
  case CPOR_EVENT_OPTED_OUT: /* REJECTED, or ENDED when the customer ended an association */
    return cpor__rules_enter(env, c,
                             e->state == CPOR_STATE_ENDED ? CPOR_STATE_ENDED : CPOR_STATE_REJECTED,
                             CPOR_REASON_CUSTOMER_DECLINED);
  case CPOR_EVENT_ASSOCIATED:
    return cpor__rules_enter(env, c, CPOR_STATE_ASSOCIATED, 0);
  case CPOR_EVENT_DISPUTED:
    c->disputes++;
    return cpor__rules_enter(env, c, CPOR_STATE_DISPUTED, c->reason);
  case CPOR_EVENT_DISPUTE_UPHELD:
    c->final = 1;
    return cpor__rules_enter(env, c, CPOR_STATE_REJECTED, c->reason);
  case CPOR_EVENT_WITHDRAWN:
    return cpor__rules_enter(env, c, CPOR_STATE_REJECTED, CPOR_REASON_PARTNER_REQUEST);
  case CPOR_EVENT_REMOVED: {
    int rc = cpor__rules_enter(env, c, CPOR_STATE_ENDED, CPOR_REASON_PARTNER_REMOVED);
    return rc ? rc
              : set_enum(&c->removal_reason, json_object_get(p, "reason"),
                         cpor_removal_reason_from_name);
  }
  case CPOR_EVENT_ENDED:
  case CPOR_EVENT_LINE_ENDED:
    return line_event(env, c, p, CPOR_STATE_ENDED);
  case CPOR_EVENT_LINE_REJECTED:
    return line_event(env, c, p, CPOR_STATE_REJECTED);
  default:
    return CPOR_ECORRUPT;
  }
}

int cpor__replay(const cpor__env *env0, const char *claim_id, cpor_event *const *events, size_t n,
                 cpor_claim **out) {
  *out = NULL;
  cpor_claim *c = calloc(1, sizeof *c);
  if (!c || !(c->id = strdup(claim_id))) {
    free(c);
    return cpor__kfail(env0, CPOR_ENOMEM, "out of memory");
  }
  c->last_at = c->window_closes_at = c->sla_due_at = c->optout_closes_at = CPOR_TIME_NONE;
  int rc = CPOR_OK;
  for (size_t i = 0; !rc && i < n; i++) {
    const cpor_event *e = events[i];
    cpor__env env = *env0;
    env.now = e->at;
    json_error_t jerr;
    json_t *p = json_loads(e->payload ? e->payload : "{}", 0, &jerr);
    if (!p || (i == 0) != (e->kind == CPOR_EVENT_CREATED) || e->seq != c->next_seq + (i == 0))
      rc = CPOR_ECORRUPT;
    if (!rc) rc = apply(&env, c, e, p);
    json_decref(p);
    if (!rc && c->state != e->state) rc = CPOR_ECORRUPT;
    if (rc) {
      rc = rc == CPOR_ENOMEM ? cpor__kfail(env0, rc, "out of memory")
                             : cpor__kfail(env0, CPOR_ECORRUPT,
                                           "claim %s: event %u (%s) does not follow from the "
                                           "history before it",
                                           claim_id, e->seq, cpor_event_kind_name(e->kind));
      break;
    }
    c->next_seq = e->seq + 1;
    c->last_at = c->updated_at = e->at;
  }
  if (rc) {
    cpor_claim_free(c);
    return rc;
  }
  *out = c;
  return CPOR_OK;
}
