/* Idempotent creates: a create that names an idempotency key records
 * (partner, key) -> claim in an object of kind CPOR_STORE_IDEMPOTENCY, in
 * the transaction that inserts the claim. The store's uniqueness of
 * (kind, id) decides two concurrent creates with one key: the loser's insert
 * is CPOR_EEXISTS, turned into CPOR_ECONFLICT so that the call reruns and
 * finds the winner's claim.
 *
 * The object: id "<partner>/=<key>" when that fits the store's 255 bytes,
 * else "<partner>/#<digest>" (two 64-bit FNV-1a digests of the key, forward
 * and backward, in 32 hex digits; partner IDs hold no '/', so the forms never
 * meet); owner the partner; ref the claim ID; the record, canonical JSON,
 * {"claim_id", "content", "key", "partner_id", "schema"} holds the full key
 * (a digest's collision is told apart) and the canonical content of the
 * create, which a retry must repeat exactly. */
#include "core/idempotency.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json_read.h"
#include "json/json_write.h"
#include "rules/payload.h"
#include "rules/valid.h"

static uint64_t fnv1a(const char *s, size_t n, int backward) {
  uint64_t h = 14695981039346656037ull;
  for (size_t i = 0; i < n; i++) {
    h ^= (unsigned char)s[backward ? n - 1 - i : i];
    h *= 1099511628211ull;
  }
  return h;
}

static void make_id(cpor__idem *k) {
  size_t pl = strlen(k->partner_id), kl = strlen(k->key);
  if (pl + 2 + kl <= 255) {
    memcpy(k->id, k->partner_id, pl);
    memcpy(k->id + pl, "/=", 2);
    memcpy(k->id + pl + 2, k->key, kl + 1);
    return;
  }
  snprintf(k->id, sizeof k->id, "%s/#%016llx%016llx", k->partner_id,
           (unsigned long long)fnv1a(k->key, kl, 0), (unsigned long long)fnv1a(k->key, kl, 1));
}

/* What the create says, canonical: the fields as applied to the new claim
 * (GUIDs and domains in canonical form, "" as unset) and the lines as asked
 * for (before a subscription is resolved against the store). */
static void content_put(cpor__jw *w, const cpor_claim *c, const cpor_claim_spec *s) {
  cpor__jw_open(w, NULL, '{');
  cpor__jw_str(w, "activity", cpor_activity_name(c->activity));
  cpor__jw_str(w, "area", cpor_area_name(c->area));
  cpor__jw_str(w, "domain", c->domain);
  cpor__jw_str(w, "external_ref", c->external_ref);
  cpor__jw_open(w, "fields", '[');
  for (int f = 1; f < CPOR__NFIELDS; f++)
    cpor__jw_str(w, NULL, c->fields[f]);
  cpor__jw_close(w, ']');
  cpor__jw_open(w, "lines", '[');
  for (size_t i = 0; i < s->line_count; i++) {
    const char *sub = s->subscriptions ? s->subscriptions[i] : NULL;
    char canon[37];
    cpor__jw_open(w, NULL, '{');
    cpor__jw_str(w, "subscription", sub && !cpor__guid_canon(sub, canon) ? canon : NULL);
    cpor__jw_str(w, "workload", s->workloads[i]);
    cpor__jw_close(w, '}');
  }
  cpor__jw_close(w, ']');
  cpor__jw_str(w, "mpn_id", c->mpn_id);
  cpor__jw_str(w, "name", c->name);
  cpor__jw_str(w, "tenant_id", c->tenant_id);
  cpor__jw_close(w, '}');
}

int cpor__idem_init(cpor_ctx *ctx, cpor__idem *k, const cpor_claim *c, const cpor_claim_spec *s) {
  memset(k, 0, sizeof *k);
  k->partner_id = c->partner_id;
  k->key = c->idempotency_key;
  make_id(k);
  cpor__jw w = {0};
  content_put(&w, c, s);
  if (!(k->content = cpor__jw_cstr(&w)))
    return cpor__fail(ctx, CPOR_ENOMEM, "out of memory while encoding");
  return CPOR_OK;
}

void cpor__idem_free(cpor__idem *k) {
  free(k->content);
  k->content = NULL;
}

/* ---- the record --------------------------------------------------------------- */

typedef struct stored {
  char *claim_id, *content, *key, *partner_id;
  int rc;
} stored;

static const char *const keys[] = {"claim_id", "content", "key", "partner_id", "schema"};

static void stored_free(stored *r) {
  free(r->claim_id);
  free(r->content);
  free(r->key);
  free(r->partner_id);
}

static int decode(const cpor_store_object *obj, stored *out) {
  cpor__jr r;
  cpor__jr_init(&r, obj->data, obj->len);
  uint64_t seen = 0;
  int k;
  if (cpor__jr_open(&r, '{'))
    while ((k = cpor__jr_field(&r, keys, 5, &seen)) >= 0) {
      cpor__jw w = {0};
      switch (k) {
      case 0:
        out->claim_id = cpor__jr_str(&r, 0);
        break;
      case 1:
        cpor__jr_canon(&r, &w, NULL);
        out->content = cpor__jw_cstr(&w);
        if (!r.rc && !out->content) cpor__jr_fail(&r, CPOR_ENOMEM);
        break;
      case 2:
        out->key = cpor__jr_str(&r, 0);
        break;
      case 3:
        out->partner_id = cpor__jr_str(&r, 0);
        break;
      default:
        cpor__jr_int(&r, CPOR__RECORD_SCHEMA, CPOR__RECORD_SCHEMA);
      }
    }
  cpor__jr_need(&r, seen, 5);
  int rc = cpor__jr_end(&r);
  /* The columns the store indexes are copies: they must agree. */
  if (!rc && (!obj->ref || strcmp(obj->ref, out->claim_id) || !obj->owner ||
              strcmp(obj->owner, out->partner_id)))
    rc = CPOR_ECORRUPT;
  return rc;
}

static int on_object(void *arg, const cpor_store_object *obj) {
  stored *r = arg;
  r->rc = decode(obj, r);
  return 0;
}

int cpor__idem_find(cpor_ctx *ctx, const cpor__idem *k, char claim_id[37]) {
  claim_id[0] = 0;
  stored r = {0};
  int rc = cpor__store_get(ctx->storage, CPOR_STORE_IDEMPOTENCY, k->id, on_object, &r);
  if (rc == CPOR_ENOTFOUND) return CPOR_OK;
  if (rc) return cpor__storage_fail(ctx, rc, "cannot read the idempotency key");
  if ((rc = r.rc)) {
    stored_free(&r);
    return cpor__storage_fail(ctx, rc, "idempotency record");
  }
  if (strcmp(r.key, k->key) != 0)
    rc = cpor__fail(ctx, CPOR_EEXISTS,
                    "idempotency key '%s' has the digest of another key of this partner: use "
                    "another key",
                    k->key);
  else if (strcmp(r.content, k->content) != 0)
    rc = cpor__fail(ctx, CPOR_EEXISTS,
                    "idempotency key '%s' was used by a create with other content", k->key);
  else if (cpor__guid_canon(r.claim_id, claim_id))
    rc = cpor__storage_fail(ctx, CPOR_ECORRUPT, "idempotency record");
  stored_free(&r);
  if (rc) claim_id[0] = 0;
  return rc;
}

int cpor__idem_put(cpor_ctx *ctx, const cpor__idem *k, const char *claim_id) {
  cpor__jw w = {0};
  cpor__jw_open(&w, NULL, '{');
  cpor__jw_str(&w, "claim_id", claim_id);
  cpor__jw_raw(&w, "content", k->content, strlen(k->content));
  cpor__jw_str(&w, "key", k->key);
  cpor__jw_str(&w, "partner_id", k->partner_id);
  cpor__jw_int(&w, "schema", CPOR__RECORD_SCHEMA);
  cpor__jw_close(&w, '}');
  cpor_store_object obj = {0};
  obj.kind = CPOR_STORE_IDEMPOTENCY;
  obj.id = k->id;
  obj.owner = k->partner_id;
  obj.ref = claim_id;
  obj.len = w.len;
  int erc = w.rc;
  obj.data = erc ? NULL : w.data;
  if (erc) cpor__jw_free(&w);
  int rc = cpor__put(ctx, CPOR_STORE_INSERT, 0, erc, &obj, NULL);
  if (rc == CPOR_EEXISTS)
    rc = cpor__fail(ctx, CPOR_ECONFLICT, "another create used idempotency key '%s' concurrently",
                    k->key);
  return rc;
}
