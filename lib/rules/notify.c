/* Notifications owed (DESIGN.md 1.6): what each history event obliges
 * Partner Center to tell someone. The core writes them to the outbox in the
 * transaction of the event; here is only the rule, pure. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "rules.h"

/* The kind of the one notice event e on c owes, with its recipient; NULL
 * when it owes none. */
static const char *notice_of(const cpor_claim *c, const cpor_event *e, const char *reason,
                             const char **role, const char **org) {
  *role = "partner";
  *org = c->partner_id;
  switch (e->kind) {
  case CPOR_EVENT_SUBMITTED:
    *role = "reviewer", *org = NULL;
    return "claim_submitted";
  case CPOR_EVENT_DISPUTED:
    *role = "reviewer", *org = NULL;
    return "claim_disputed";
  case CPOR_EVENT_APPROVED:
    *role = "customer", *org = c->tenant_id;
    return "association_requested";
  case CPOR_EVENT_INFO_REQUESTED:
    return "info_requested";
  case CPOR_EVENT_REJECTED:
    return strcmp(reason, "lost_arbitration") == 0 ? "lost_arbitration" : "rejected";
  case CPOR_EVENT_LINE_REJECTED:
    return "lost_arbitration";
  case CPOR_EVENT_ASSOCIATED:
    return "association_official";
  case CPOR_EVENT_ENDED:
  case CPOR_EVENT_LINE_ENDED:
    return strcmp(reason, "superseded") == 0 ? "superseded" : "ended";
  case CPOR_EVENT_DISPUTE_GRANTED:
  case CPOR_EVENT_DISPUTE_UPHELD:
    return "dispute_decided";
  default:
    return NULL;
  }
}

static int set_time(json_t *o, const char *key, cpor_time t) {
  return json_object_set_new(o, key, t == CPOR_TIME_NONE ? json_null() : json_integer(t));
}

/* The deadline the recipient is told about, by notice kind. */
static int add_deadline(json_t *o, const char *kind, const cpor_claim *c, const cpor_event *e) {
  cpor_time w = c->window_closes_at;
  if (strcmp(kind, "association_requested") == 0)
    return set_time(o, "opt_out_until", e->state == CPOR_STATE_APPROVED ? w : CPOR_TIME_NONE);
  if (strcmp(kind, "info_requested") == 0)
    return set_time(o, "respond_by",
                    e->state == CPOR_STATE_PARTNER_ACTION_REQUIRED ? w : CPOR_TIME_NONE);
  if (strcmp(kind, "rejected") == 0 || strcmp(kind, "lost_arbitration") == 0) {
    int open = e->state == CPOR_STATE_REJECTED && c->state == CPOR_STATE_REJECTED && !c->final;
    return set_time(o, "dispute_until", open ? w : CPOR_TIME_NONE);
  }
  if (strcmp(kind, "dispute_decided") == 0)
    return json_object_set_new(o, "granted", json_boolean(e->kind == CPOR_EVENT_DISPUTE_GRANTED));
  return 0;
}

/* Whether an event of this kind may owe a notice: the others (created,
 * edited, PoE, ...) are answered without reading their payloads. */
static int may_owe(int kind) {
  const char *role, *org;
  cpor_claim none = {0};
  cpor_event probe = {.kind = kind};
  return notice_of(&none, &probe, "", &role, &org) != NULL;
}

/* Whether the notice of an event of this kind depends on its payload's
 * reason, or adds a field to it: only these parse the payload; the other
 * notices carry the event's payload (canonical JSON already) as it is. */
static int reads_payload(int kind) {
  switch (kind) {
  case CPOR_EVENT_APPROVED:
  case CPOR_EVENT_INFO_REQUESTED:
  case CPOR_EVENT_REJECTED:
  case CPOR_EVENT_LINE_REJECTED:
  case CPOR_EVENT_ENDED:
  case CPOR_EVENT_LINE_ENDED:
  case CPOR_EVENT_DISPUTE_GRANTED:
  case CPOR_EVENT_DISPUTE_UPHELD:
    return 1;
  default:
    return 0;
  }
}

static int notice_verbatim(const cpor_claim *c, const cpor_event *e, cpor__notice *out) {
  const char *p = e->payload && *e->payload ? e->payload : "{}";
  if (*p != '{') return CPOR_ECORRUPT;
  out->kind = notice_of(c, e, "", &out->role, &out->org);
  out->payload = strdup(p);
  out->verbatim = 1;
  return out->payload ? 1 : CPOR_ENOMEM;
}

int cpor__k_notice(const cpor_claim *c, const cpor_event *e, cpor__notice *out) {
  memset(out, 0, sizeof *out);
  if (!may_owe(e->kind)) return 0;
  if (!reads_payload(e->kind)) return notice_verbatim(c, e, out);
  json_error_t jerr;
  json_t *o = e->payload && *e->payload ? json_loads(e->payload, 0, &jerr) : json_object();
  if (o && !json_is_object(o)) {
    json_decref(o);
    return CPOR_ECORRUPT;
  }
  if (!o) return e->payload && *e->payload ? CPOR_ECORRUPT : CPOR_ENOMEM;
  const char *reason = json_string_value(json_object_get(o, "reason"));
  const char *role, *org;
  const char *kind = notice_of(c, e, reason ? reason : "", &role, &org);
  int bad = add_deadline(o, kind, c, e);
  char *text = bad ? NULL : json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
  json_decref(o);
  if (!text) return CPOR_ENOMEM;
  out->kind = kind;
  out->role = role;
  out->org = org;
  out->payload = text;
  return 1;
}
