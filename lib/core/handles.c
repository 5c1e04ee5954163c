/* Getters and destructors of the public handles. Getters accept NULL handles
 * and out-of-range indexes (NULL / 0 / CPOR_TIME_NONE), never crash. */
#include <stdlib.h>
#include <string.h>

#include "core/records.h"

const char *cpor_partner_id(const cpor_partner *p) {
  return p ? p->id : NULL;
}
const char *cpor_partner_name(const cpor_partner *p) {
  return p ? p->name : NULL;
}
void cpor_partner_free(cpor_partner *p) {
  if (!p) return;
  free(p->id);
  free(p->name);
  free(p);
}

const char *cpor_location_mpn_id(const cpor_location *l) {
  return l ? l->mpn_id : NULL;
}
const char *cpor_location_partner_id(const cpor_location *l) {
  return l ? l->partner_id : NULL;
}
const char *cpor_location_name(const cpor_location *l) {
  return l ? l->name : NULL;
}
int cpor_location_is_enrolled(const cpor_location *l, int program) {
  if (!l || program < CPOR_PROGRAM_OSA_SELL || program > CPOR_PROGRAM_OSU_BIZAPPS) return 0;
  return (l->programs >> program) & 1u;
}
void cpor_location_free(cpor_location *l) {
  if (!l) return;
  free(l->mpn_id);
  free(l->partner_id);
  free(l->name);
  free(l);
}

const char *cpor_customer_id(const cpor_customer *c) {
  return c ? c->id : NULL;
}
const char *cpor_customer_name(const cpor_customer *c) {
  return c ? c->name : NULL;
}
void cpor_customer_free(cpor_customer *c) {
  if (!c) return;
  free(c->id);
  free(c->name);
  free(c);
}

const char *cpor_tenant_id(const cpor_tenant *t) {
  return t ? t->id : NULL;
}
const char *cpor_tenant_customer_id(const cpor_tenant *t) {
  return t ? t->customer_id : NULL;
}
size_t cpor_tenant_domain_count(const cpor_tenant *t) {
  return t ? t->ndomains : 0;
}
const char *cpor_tenant_domain(const cpor_tenant *t, size_t i) {
  return t && i < t->ndomains ? t->domains[i] : NULL;
}
void cpor_tenant_free(cpor_tenant *t) {
  if (!t) return;
  for (size_t i = 0; i < t->ndomains; i++)
    free(t->domains[i]);
  free(t->domains);
  free(t->id);
  free(t->customer_id);
  free(t);
}

const char *cpor_subscription_id(const cpor_subscription *s) {
  return s ? s->id : NULL;
}
const char *cpor_subscription_tenant_id(const cpor_subscription *s) {
  return s ? s->tenant_id : NULL;
}
const char *cpor_subscription_workload(const cpor_subscription *s) {
  return s ? s->workload : NULL;
}
int cpor_subscription_channel(const cpor_subscription *s) {
  return s ? s->channel : 0;
}
int cpor_subscription_state(const cpor_subscription *s) {
  return s ? s->state : 0;
}
void cpor_subscription_free(cpor_subscription *s) {
  if (!s) return;
  free(s->id);
  free(s->tenant_id);
  free(s->workload);
  free(s);
}

const char *cpor_workload_code(const cpor_workload *w) {
  return w ? w->code : NULL;
}
const char *cpor_workload_name(const cpor_workload *w) {
  return w ? w->name : NULL;
}
int cpor_workload_area(const cpor_workload *w) {
  return w ? w->area : 0;
}
int cpor_workload_needs_subscription(const cpor_workload *w) {
  return w ? w->needs_subscription : 0;
}
int cpor_workload_is_dynamics(const cpor_workload *w) {
  return w ? w->dynamics : 0;
}
int cpor_workload_is_builtin(const cpor_workload *w) {
  return w ? w->builtin : 0;
}
void cpor_workload_free(cpor_workload *w) {
  if (!w) return;
  free(w->code);
  free(w->name);
  free(w);
}

const char *cpor_claim_id(const cpor_claim *c) {
  return c ? c->id : NULL;
}
const char *cpor_claim_name(const cpor_claim *c) {
  return c ? c->name : NULL;
}
int cpor_claim_state(const cpor_claim *c) {
  return c ? c->state : 0;
}
int cpor_claim_reason(const cpor_claim *c) {
  /* A disputed claim keeps its rejection's reason for the decision. */
  return c && (c->state == CPOR_STATE_REJECTED || c->state == CPOR_STATE_ENDED) ? c->reason : 0;
}
const char *cpor_claim_partner_id(const cpor_claim *c) {
  return c ? c->partner_id : NULL;
}
const char *cpor_claim_mpn_id(const cpor_claim *c) {
  return c ? c->mpn_id : NULL;
}
const char *cpor_claim_tenant_id(const cpor_claim *c) {
  return c ? c->tenant_id : NULL;
}
const char *cpor_claim_domain(const cpor_claim *c) {
  return c ? c->domain : NULL;
}
int cpor_claim_area(const cpor_claim *c) {
  return c ? c->area : 0;
}
int cpor_claim_activity(const cpor_claim *c) {
  return c ? c->activity : 0;
}
cpor_time cpor_claim_created_at(const cpor_claim *c) {
  return c ? c->created_at : CPOR_TIME_NONE;
}
cpor_time cpor_claim_updated_at(const cpor_claim *c) {
  return c ? c->updated_at : CPOR_TIME_NONE;
}
cpor_time cpor_claim_window_closes_at(const cpor_claim *c) {
  return c ? c->window_closes_at : CPOR_TIME_NONE;
}
cpor_time cpor_claim_sla_due_at(const cpor_claim *c) {
  return c ? c->sla_due_at : CPOR_TIME_NONE;
}
int cpor_claim_overdue(const cpor_claim *c) {
  return c ? c->overdue : 0;
}
int cpor_claim_contested(const cpor_claim *c) {
  return c ? (int)c->contested : 0;
}
int cpor_claim_disputable(const cpor_claim *c) {
  return c && c->state == CPOR_STATE_REJECTED && !c->final &&
         c->window_closes_at != CPOR_TIME_NONE && c->read_at < c->window_closes_at;
}
int cpor_claim_info_reason(const cpor_claim *c) {
  return c && c->state == CPOR_STATE_PARTNER_ACTION_REQUIRED ? c->info_reason : 0;
}
int cpor_claim_removal_reason(const cpor_claim *c) {
  return c ? c->removal_reason : 0;
}
int cpor_claim_policy(const cpor_claim *c, cpor_policy *out) {
  if (!c || !c->has_policy) return 0;
  if (out) *out = c->policy;
  return 1;
}
int cpor_claim_optout_from(const cpor_claim *c) {
  return c && c->has_policy
             ? (int)(c->variants.optout_from ? c->variants.optout_from : CPOR_OPTOUT_FROM_APPROVAL)
             : 0;
}
int cpor_claim_customer_may_end(const cpor_claim *c) {
  return c && c->has_policy ? (int)c->variants.customer_may_end : 0;
}
int cpor_claim_max_disputes(const cpor_claim *c) {
  return c && c->has_policy ? (int)(c->variants.max_disputes ? c->variants.max_disputes : 1) : 0;
}
cpor_time cpor_claim_optout_closes_at(const cpor_claim *c) {
  if (!c) return CPOR_TIME_NONE;
  if (c->state == CPOR_STATE_APPROVED) return c->window_closes_at;
  if (c->has_policy && c->variants.optout_from == CPOR_OPTOUT_FROM_SUBMISSION &&
      c->optout_closes_at > c->read_at &&
      (c->state == CPOR_STATE_SUBMITTED || c->state == CPOR_STATE_UNDER_REVIEW ||
       c->state == CPOR_STATE_PARTNER_ACTION_REQUIRED || c->state == CPOR_STATE_DISPUTED))
    return c->optout_closes_at;
  return CPOR_TIME_NONE;
}
cpor_time cpor_claim_poe_added_at(const cpor_claim *c, size_t i) {
  return c && i < c->npoe ? c->poe[i].added_at : CPOR_TIME_NONE;
}
cpor_time cpor_claim_last_poe_at(const cpor_claim *c) {
  cpor_time t = CPOR_TIME_NONE;
  for (size_t i = 0; c && i < c->npoe; i++)
    if (c->poe[i].added_at > t) t = c->poe[i].added_at;
  return t;
}
const char *cpor_claim_external_ref(const cpor_claim *c) {
  return c ? c->external_ref : NULL;
}
const char *cpor_claim_idempotency_key(const cpor_claim *c) {
  return c ? c->idempotency_key : NULL;
}
uint64_t cpor_claim_revision(const cpor_claim *c) {
  return c ? c->revision : 0;
}
size_t cpor_claim_line_count(const cpor_claim *c) {
  return c ? c->nlines : 0;
}
const char *cpor_claim_line_workload(const cpor_claim *c, size_t i) {
  return c && i < c->nlines ? c->lines[i].workload : NULL;
}
const char *cpor_claim_line_subscription(const cpor_claim *c, size_t i) {
  return c && i < c->nlines ? c->lines[i].subscription : NULL;
}
int cpor_claim_line_state(const cpor_claim *c, size_t i) {
  return c && i < c->nlines ? c->lines[i].state : 0;
}
int cpor_claim_line_reason(const cpor_claim *c, size_t i) {
  return c && i < c->nlines ? c->lines[i].reason : 0;
}
const char *cpor_claim_field(const cpor_claim *c, int field) {
  return c && field > 0 && field < CPOR__NFIELDS ? c->fields[field] : NULL;
}
size_t cpor_claim_poe_count(const cpor_claim *c) {
  return c ? c->npoe : 0;
}
const char *cpor_claim_poe_name(const cpor_claim *c, size_t i) {
  return c && i < c->npoe ? c->poe[i].name : NULL;
}
const char *cpor_claim_poe_media_type(const cpor_claim *c, size_t i) {
  return c && i < c->npoe ? c->poe[i].media_type : NULL;
}
const char *cpor_claim_poe_sha256(const cpor_claim *c, size_t i) {
  return c && i < c->npoe ? c->poe[i].sha256 : NULL;
}
uint64_t cpor_claim_poe_size(const cpor_claim *c, size_t i) {
  return c && i < c->npoe ? c->poe[i].size : 0;
}
void cpor_claim_free(cpor_claim *c) {
  if (!c) return;
  free(c->id);
  free(c->name);
  free(c->partner_id);
  free(c->mpn_id);
  free(c->tenant_id);
  free(c->domain);
  free(c->external_ref);
  free(c->idempotency_key);
  for (int f = 0; f < CPOR__NFIELDS; f++)
    free(c->fields[f]);
  for (size_t i = 0; i < c->nlines; i++) {
    free(c->lines[i].workload);
    free(c->lines[i].subscription);
  }
  free(c->lines);
  for (size_t i = 0; i < c->npoe; i++) {
    free(c->poe[i].name);
    free(c->poe[i].media_type);
    free(c->poe[i].sha256);
  }
  free(c->poe);
  free(c);
}

uint32_t cpor_event_seq(const cpor_event *e) {
  return e ? e->seq : 0;
}
cpor_time cpor_event_at(const cpor_event *e) {
  return e ? e->at : CPOR_TIME_NONE;
}
int cpor_event_kind(const cpor_event *e) {
  return e ? e->kind : 0;
}
int cpor_event_actor_role(const cpor_event *e) {
  return e ? e->role : 0;
}
const char *cpor_event_actor_org(const cpor_event *e) {
  return e ? e->org : NULL;
}
const char *cpor_event_actor_user(const cpor_event *e) {
  return e ? e->user : NULL;
}
int cpor_event_state(const cpor_event *e) {
  return e ? e->state : 0;
}
const char *cpor_event_text(const cpor_event *e) {
  return e ? e->text : NULL;
}
void cpor_event_free(cpor_event *e) {
  if (!e) return;
  free(e->org);
  free(e->user);
  free(e->text);
  free(e->payload);
  free(e);
}

const char *cpor_event_payload(const cpor_event *e) {
  return e ? e->payload : NULL;
}
