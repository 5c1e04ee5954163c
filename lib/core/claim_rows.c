/* A claim's unit rows, exclusive keys and deadlines (claim_rows.h). */
#include "core/claim_rows.h"

#include <stdlib.h>
#include <string.h>

/* a b c d, malloc'd; NULL and *oom set when out of memory. */
static char *join(const char *a, const char *b, const char *c, const char *d, int *oom) {
  size_t la = strlen(a), lb = strlen(b), lc = strlen(c), ld = strlen(d);
  char *r = malloc(la + lb + lc + ld + 1);
  if (!r) {
    *oom = 1;
    return NULL;
  }
  memcpy(r, a, la);
  memcpy(r + la, b, lb);
  memcpy(r + la + lb, c, lc);
  memcpy(r + la + lb + lc, d, ld + 1);
  return r;
}

/* The exclusive keys of a line (DESIGN.md 1.3): one holder per unit in
 * APPROVED and in ASSOCIATED, and one pending or held line per partner and
 * unit (the duplicate rule). Returns how many it wrote to out[0..2). */
static int line_keys(const cpor_claim *c, const cpor__line *l, const char *unit, char *out[2],
                     int *oom) {
  int n = 0;
  if (!cpor__rules_pending_or_held(l->state)) return 0;
  out[n++] = join("partner ", c->partner_id, " ", unit, oom);
  if (l->state == CPOR_STATE_APPROVED) out[n++] = join("approved ", unit, "", "", oom);
  if (l->state == CPOR_STATE_ASSOCIATED) out[n++] = join("associated ", unit, "", "", oom);
  return n;
}

static int has_key(char *const *keys, size_t n, const char *k) {
  for (size_t i = 0; i < n; i++)
    if (strcmp(keys[i], k) == 0) return 1;
  return 0;
}

static int by_bytes(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

uint32_t cpor__window_kind(int state) {
  if (state == CPOR_STATE_APPROVED) return CPOR_DEADLINE_OPTOUT;
  if (state == CPOR_STATE_PARTNER_ACTION_REQUIRED) return CPOR_DEADLINE_RESPONSE;
  return 0;
}

void cpor__claim_rows_free(cpor__claim_rows *r) {
  for (size_t i = 0; r->lines && i < r->nlines; i++)
    free((char *)r->lines[i].unit);
  for (size_t i = 0; r->keys && i < r->nkeys; i++)
    free(r->keys[i]);
  free(r->lines);
  free(r->keys);
  memset(r, 0, sizeof *r);
}

int cpor__claim_rows_make(const cpor_claim *c, cpor__claim_rows *out) {
  memset(out, 0, sizeof *out);
  for (int k = 0; k < 4; k++)
    out->due[k] = CPOR_TIME_NONE;
  uint32_t wk = cpor__window_kind(c->state);
  if (wk) out->due[wk] = c->window_closes_at;
  out->due[CPOR_DEADLINE_SLA] = c->sla_due_at;
  size_t cap = c->nlines ? c->nlines : 1;
  out->lines = calloc(cap, sizeof *out->lines);
  out->keys = calloc(2 * cap, sizeof *out->keys);
  int oom = !out->lines || !out->keys;
  for (size_t i = 0; !oom && i < c->nlines; i++) {
    if (!cpor__rules_live(c->lines[i].state)) continue;
    char *unit = cpor__unit_key(c, &c->lines[i]);
    if (!unit) {
      oom = 1;
      break;
    }
    cpor_store_line *l = &out->lines[out->nlines++];
    l->claim_id = c->id;
    l->line = (uint32_t)i;
    l->unit = unit;
    l->partner_id = c->partner_id;
    l->status = c->lines[i].state;
    char *k[2] = {NULL, NULL};
    int nk = line_keys(c, &c->lines[i], unit, k, &oom);
    for (int j = 0; j < nk; j++) {
      if (k[j] && !has_key(out->keys, out->nkeys, k[j]))
        out->keys[out->nkeys++] = k[j];
      else
        free(k[j]);
    }
  }
  if (oom) {
    cpor__claim_rows_free(out);
    for (int k = 0; k < 4; k++)
      out->due[k] = CPOR_TIME_NONE;
    return CPOR_ENOMEM;
  }
  if (out->nkeys > 1) qsort(out->keys, out->nkeys, sizeof *out->keys, by_bytes);
  return CPOR_OK;
}

int cpor__claim_rows_write(cpor_ctx *ctx, const cpor_claim *c) {
  cpor__claim_rows r;
  if (cpor__claim_rows_make(c, &r)) return cpor__fail(ctx, CPOR_ENOMEM, "out of memory");
  int rc = ctx->storage->m.lines_replace(ctx->storage->self, c->id, r.lines, r.nlines);
  if (rc) {
    rc = cpor__storage_fail(ctx, rc, "cannot write claim lines");
    goto out;
  }
  rc =
      ctx->storage->m.keys_replace(ctx->storage->self, c->id, (const char *const *)r.keys, r.nkeys);
  if (rc == CPOR_EEXISTS)
    /* Another writer took a unit between our read and our write: the store's
     * exclusive keys decided the race; rerunning the call reads the winner. */
    rc = cpor__fail(ctx, CPOR_ECONFLICT, "another claim took a unit of %s concurrently", c->id);
  else if (rc)
    rc = cpor__storage_fail(ctx, rc, "cannot write the claim's keys");
out:
  cpor__claim_rows_free(&r);
  return rc;
}
