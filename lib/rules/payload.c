/* Events whose payload carries claim content: created (the whole claim),
 * edited (each changed field, from and to), PoE added. JSON through jansson,
 * keys sorted so that a payload is canonical. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "payload.h"
#include "rules.h"

static const char *const field_keys[CPOR__NFIELDS] = {NULL,
                                                      "customer_contact_name",
                                                      "customer_contact_title",
                                                      "customer_contact_email",
                                                      "technical_contact_name",
                                                      "technical_contact_title",
                                                      "technical_contact_email",
                                                      "partner_contact_name",
                                                      "partner_contact_email",
                                                      "solution_seller",
                                                      "customer_name",
                                                      "isv_product"};

const char *cpor__field_key(int f) {
  return f > 0 && f < CPOR__NFIELDS ? field_keys[f] : NULL;
}

static json_t *str_or_null(const char *s) {
  return s ? json_string(s) : json_null();
}

/* Adds key: value, taking value; a NULL value (OOM) marks the object bad. */
static int put(json_t *o, const char *key, json_t *v) {
  return !v || json_object_set_new(o, key, v) != 0;
}

static json_t *lines_json(const cpor_claim *c) {
  json_t *a = json_array();
  for (size_t i = 0; a && i < c->nlines; i++) {
    json_t *l = json_object();
    int bad = !l || put(l, "workload", json_string(c->lines[i].workload)) ||
              put(l, "subscription", str_or_null(c->lines[i].subscription));
    if (bad || json_array_append_new(a, l)) {
      if (!bad) l = NULL;
      json_decref(l);
      json_decref(a);
      return NULL;
    }
  }
  return a;
}

static json_t *poe_json(const cpor__poe *p) {
  json_t *o = json_object();
  if (!o || put(o, "name", json_string(p->name)) ||
      put(o, "media_type", json_string(p->media_type)) ||
      put(o, "sha256", json_string(p->sha256)) ||
      put(o, "size", json_integer((json_int_t)p->size))) {
    json_decref(o);
    return NULL;
  }
  return o;
}

/* The identity fields as (key, value) pairs, for created and edited alike. */
typedef struct field_ref {
  const char *key;
  const char *value;
} field_ref;

#define NREFS (CPOR__NFIELDS + 5)

static size_t fields_of(const cpor_claim *c, field_ref out[NREFS]) {
  size_t n = 0;
  out[n++] = (field_ref){"name", c->name};
  out[n++] = (field_ref){"mpn_id", c->mpn_id};
  out[n++] = (field_ref){"tenant_id", c->tenant_id};
  out[n++] = (field_ref){"domain", c->domain};
  out[n++] = (field_ref){"external_ref", c->external_ref};
  for (int f = 1; f < CPOR__NFIELDS; f++)
    out[n++] = (field_ref){field_keys[f], c->fields[f]};
  return n;
}

static int emit(const cpor__env *env, cpor__touched *t, const cpor_actor *actor, int kind,
                json_t *payload, const char *text) {
  char *s = payload ? json_dumps(payload, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
  json_decref(payload);
  if (!s) return cpor__kfail(env, CPOR_ENOMEM, "out of memory");
  int rc = cpor__k_event(env, t, actor, kind, s, "%s", text);
  free(s);
  return rc;
}

int cpor__k_created(const cpor__env *env, cpor__touched *t, const cpor_actor *actor) {
  const cpor_claim *c = t->claim;
  json_t *claim = json_object(), *p = json_object();
  field_ref f[NREFS];
  size_t n = fields_of(c, f);
  int bad = !claim || !p;
  for (size_t i = 0; !bad && i < n; i++)
    bad = put(claim, f[i].key, str_or_null(f[i].value));
  if (!bad)
    bad = put(claim, "partner_id", json_string(c->partner_id)) ||
          put(claim, "idempotency_key", str_or_null(c->idempotency_key)) ||
          put(claim, "area", json_string(cpor_area_name(c->area))) ||
          put(claim, "activity", json_string(cpor_activity_name(c->activity))) ||
          put(claim, "lines", lines_json(c));
  if (bad || put(p, "claim", claim)) {
    if (bad) json_decref(claim);
    json_decref(p);
    return cpor__kfail(env, CPOR_ENOMEM, "out of memory");
  }
  return emit(env, t, actor, CPOR_EVENT_CREATED, p, "claim created");
}

static int same(const char *a, const char *b) {
  return a == b || (a && b && strcmp(a, b) == 0);
}

static int same_lines(const cpor_claim *a, const cpor_claim *b) {
  if (a->nlines != b->nlines) return 0;
  for (size_t i = 0; i < a->nlines; i++)
    if (!same(a->lines[i].workload, b->lines[i].workload) ||
        !same(a->lines[i].subscription, b->lines[i].subscription))
      return 0;
  return 1;
}

static json_t *change(json_t *from, json_t *to) {
  json_t *o = json_object();
  if (!o || put(o, "from", from) || put(o, "to", to)) {
    json_decref(o);
    return NULL;
  }
  return o;
}

int cpor__k_edited(const cpor__env *env, cpor__touched *t, const cpor_actor *actor,
                   const cpor_claim *before) {
  const cpor_claim *c = t->claim;
  json_t *changes = json_object(), *p = json_object();
  field_ref a[NREFS], b[NREFS];
  size_t n = fields_of(before, a);
  fields_of(c, b);
  int bad = !changes || !p;
  char text[512] = "claim edited:";
  for (size_t i = 0; !bad && i < n; i++) {
    if (same(a[i].value, b[i].value)) continue;
    bad = put(changes, a[i].key, change(str_or_null(a[i].value), str_or_null(b[i].value)));
    strcat(strcat(text, " "), a[i].key);
  }
  if (!bad && before->area != c->area) {
    bad = put(
        changes, "area",
        change(json_string(cpor_area_name(before->area)), json_string(cpor_area_name(c->area))));
    strcat(text, " area");
  }
  if (!bad && before->activity != c->activity) {
    bad = put(changes, "activity",
              change(json_string(cpor_activity_name(before->activity)),
                     json_string(cpor_activity_name(c->activity))));
    strcat(text, " activity");
  }
  if (!bad && !same_lines(before, c)) {
    bad = put(changes, "lines", change(lines_json(before), lines_json(c)));
    strcat(text, " lines");
  }
  if (!bad && json_object_size(changes) == 0) strcpy(text, "claim edited: nothing changed");
  if (bad || put(p, "changes", changes)) {
    if (bad) json_decref(changes);
    json_decref(p);
    return cpor__kfail(env, CPOR_ENOMEM, "out of memory");
  }
  return emit(env, t, actor, CPOR_EVENT_EDITED, p, text);
}

#define MAX_POE 100

int cpor__k_add_poe(const cpor__env *env, const cpor_actor *actor, cpor__touched *t,
                    const cpor__poe *poe) {
  cpor_claim *c = t->claim;
  if (c->npoe >= MAX_POE)
    return cpor__kfail(env, CPOR_ERANGE, "a claim has at most 100 PoE documents");
  json_t *p = json_object();
  if (!p || put(p, "poe", poe_json(poe))) {
    json_decref(p);
    return cpor__kfail(env, CPOR_ENOMEM, "out of memory");
  }
  char *s = json_dumps(p, JSON_COMPACT | JSON_SORT_KEYS);
  json_decref(p);
  cpor__poe *v = s ? realloc(c->poe, (c->npoe + 1) * sizeof *v) : NULL;
  if (!v) {
    free(s);
    return cpor__kfail(env, CPOR_ENOMEM, "out of memory");
  }
  c->poe = v;
  int oom = 0;
  cpor__poe *d = &c->poe[c->npoe];
  d->name = cpor__strdup(poe->name, &oom);
  d->media_type = cpor__strdup(poe->media_type, &oom);
  d->sha256 = cpor__strdup(poe->sha256, &oom);
  d->size = poe->size;
  d->added_at = env->now;
  c->npoe++;
  int rc =
      oom ? cpor__kfail(env, CPOR_ENOMEM, "out of memory")
          : cpor__k_event(env, t, actor, CPOR_EVENT_POE_ADDED, s,
                          "proof of execution added: %s (%s, %llu bytes, sha256 %.12s...)",
                          poe->name, poe->media_type, (unsigned long long)poe->size, poe->sha256);
  free(s);
  return rc;
}

int cpor__k_edit_allowed(const cpor__env *env, const cpor_claim *c, int only_contacts) {
  if (c->state == CPOR_STATE_EDITING || only_contacts) return CPOR_OK;
  return cpor__kfail(env, CPOR_ESTATE,
                     "after submission only the MPN ID, the products and the contacts can change");
}
