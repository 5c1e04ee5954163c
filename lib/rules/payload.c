/* Events whose payload carries claim content: created (the whole claim),
 * edited (each changed field, from and to), PoE added. Written with the
 * canonical writer (lib/json), keys in bytewise order: a payload is
 * canonical as written, and the core stores it with one copy. */
#include <stdlib.h>
#include <string.h>

#include "json_write.h"
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

/* A member of an object being written: a string (NULL: null), or a claim's
 * lines. Written in bytewise key order, so the payload is canonical. */
typedef struct member {
  const char *key;
  const char *str;
  const cpor_claim *lines; /* set: the lines array of this claim */
  const cpor_claim *lines_to;
  int change; /* 1: {"from": str, "to": to} (or lines, lines_to) */
  const char *to;
} member;

static int by_key(const void *a, const void *b) {
  return strcmp(((const member *)a)->key, ((const member *)b)->key);
}

static void lines_put(cpor__jw *w, const char *key, const cpor_claim *c) {
  cpor__jw_open(w, key, '[');
  for (size_t i = 0; i < c->nlines; i++) {
    cpor__jw_open(w, NULL, '{');
    cpor__jw_str(w, "subscription", c->lines[i].subscription);
    cpor__jw_name(w, "workload", c->lines[i].workload);
    cpor__jw_close(w, '}');
  }
  cpor__jw_close(w, ']');
}

static void members_put(cpor__jw *w, const char *key, member *m, size_t n) {
  qsort(m, n, sizeof *m, by_key);
  cpor__jw_open(w, key, '{');
  for (size_t i = 0; i < n; i++) {
    if (!m[i].change) {
      if (m[i].lines)
        lines_put(w, m[i].key, m[i].lines);
      else
        cpor__jw_str(w, m[i].key, m[i].str);
      continue;
    }
    cpor__jw_open(w, m[i].key, '{');
    if (m[i].lines) {
      lines_put(w, "from", m[i].lines);
      lines_put(w, "to", m[i].lines_to);
    } else {
      cpor__jw_str(w, "from", m[i].str);
      cpor__jw_str(w, "to", m[i].to);
    }
    cpor__jw_close(w, '}');
  }
  cpor__jw_close(w, '}');
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

/* The payload text of w, or the failure (a text that is not UTF-8 cannot
 * reach here: the core validated it). *out is malloc'd. */
static int finish(const cpor__env *env, cpor__jw *w, char **out) {
  int rc = w->rc;
  *out = rc ? NULL : cpor__jw_cstr(w);
  cpor__jw_free(w);
  if (!rc && !*out) rc = CPOR_ENOMEM;
  if (rc == CPOR_ENOMEM) return cpor__kfail(env, rc, "out of memory");
  if (rc) return cpor__kfail(env, CPOR_EINVAL, "a claim text is not valid UTF-8");
  return CPOR_OK;
}

static int emit(const cpor__env *env, cpor__touched *t, const cpor_actor *actor, int kind,
                cpor__jw *w, const char *text) {
  char *s = NULL;
  int rc = finish(env, w, &s);
  if (!rc) rc = cpor__k_event(env, t, actor, kind, s, "%s", text);
  free(s);
  return rc;
}

int cpor__k_created(const cpor__env *env, cpor__touched *t, const cpor_actor *actor) {
  const cpor_claim *c = t->claim;
  field_ref f[NREFS];
  size_t n = fields_of(c, f);
  member m[NREFS + 5];
  size_t k = 0;
  for (size_t i = 0; i < n; i++)
    m[k++] = (member){.key = f[i].key, .str = f[i].value};
  m[k++] = (member){.key = "partner_id", .str = c->partner_id};
  m[k++] = (member){.key = "idempotency_key", .str = c->idempotency_key};
  m[k++] = (member){.key = "area", .str = cpor_area_name(c->area)};
  m[k++] = (member){.key = "activity", .str = cpor_activity_name(c->activity)};
  m[k++] = (member){.key = "lines", .lines = c};
  /* The fields the claim was created without are left out: replay reads an
   * absent field as unset. */
  cpor__jw w = {.omit_null = 1};
  cpor__jw_open(&w, NULL, '{');
  members_put(&w, "claim", m, k);
  cpor__jw_close(&w, '}');
  return emit(env, t, actor, CPOR_EVENT_CREATED, &w, "claim created");
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

int cpor__k_edited(const cpor__env *env, cpor__touched *t, const cpor_actor *actor,
                   const cpor_claim *before) {
  const cpor_claim *c = t->claim;
  field_ref a[NREFS], b[NREFS];
  size_t n = fields_of(before, a);
  fields_of(c, b);
  member m[NREFS + 3];
  size_t k = 0;
  char text[512] = "claim edited:";
  for (size_t i = 0; i < n; i++) {
    if (same(a[i].value, b[i].value)) continue;
    m[k++] = (member){.key = a[i].key, .change = 1, .str = a[i].value, .to = b[i].value};
    strcat(strcat(text, " "), a[i].key);
  }
  if (before->area != c->area) {
    m[k++] = (member){.key = "area",
                      .change = 1,
                      .str = cpor_area_name(before->area),
                      .to = cpor_area_name(c->area)};
    strcat(text, " area");
  }
  if (before->activity != c->activity) {
    m[k++] = (member){.key = "activity",
                      .change = 1,
                      .str = cpor_activity_name(before->activity),
                      .to = cpor_activity_name(c->activity)};
    strcat(text, " activity");
  }
  if (!same_lines(before, c)) {
    m[k++] = (member){.key = "lines", .change = 1, .lines = before, .lines_to = c};
    strcat(text, " lines");
  }
  if (k == 0) strcpy(text, "claim edited: nothing changed");
  cpor__jw w = {0};
  cpor__jw_open(&w, NULL, '{');
  members_put(&w, "changes", m, k);
  cpor__jw_close(&w, '}');
  return emit(env, t, actor, CPOR_EVENT_EDITED, &w, text);
}

#define MAX_POE 100

int cpor__k_add_poe(const cpor__env *env, const cpor_actor *actor, cpor__touched *t,
                    const cpor__poe *poe) {
  cpor_claim *c = t->claim;
  if (c->npoe >= MAX_POE)
    return cpor__kfail(env, CPOR_ERANGE, "a claim has at most 100 PoE documents");
  cpor__jw w = {0};
  cpor__jw_open(&w, NULL, '{');
  cpor__jw_open(&w, "poe", '{');
  cpor__jw_name(&w, "media_type", poe->media_type);
  cpor__jw_name(&w, "name", poe->name);
  cpor__jw_name(&w, "sha256", poe->sha256);
  cpor__jw_uint(&w, "size", poe->size);
  cpor__jw_close(&w, '}');
  cpor__jw_close(&w, '}');
  char *s = NULL;
  int rc = finish(env, &w, &s);
  if (rc) return rc;
  cpor__poe *v = realloc(c->poe, (c->npoe + 1) * sizeof *v);
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
  rc = oom ? cpor__kfail(env, CPOR_ENOMEM, "out of memory")
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
