/* Record codec benchmark (README.md, "Stored records"): encode and decode of
 * a typical claim (one line, one PoE, four contacts, a recorded policy) and
 * of a typical event, JSON (the stored format) versus the binary format 2 of
 * earlier releases, in the same run. Prints ns per operation and the ratios;
 * fails only when a decode disagrees with the record. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../bin_records.h"
#include "core/records.h"
#include "core/records_bin.h"

static int N = 200000; /* per measurement; $BENCH_RECORDS_N overrides */

static double now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

static cpor_claim typical_claim(void) {
  static cpor__line line = {"TEAMS", NULL, CPOR_STATE_UNDER_REVIEW, CPOR_REASON_NONE};
  static cpor__poe poe = {"signed-sow.pdf", "application/pdf",
                          "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", 48213,
                          1793610000000LL};
  cpor_claim c;
  memset(&c, 0, sizeof c);
  c.id = "7c9e6679-7425-40de-944b-e07fc1f90ae7";
  c.name = "Fabrikam Teams rollout";
  c.partner_id = "contoso";
  c.mpn_id = "1234567";
  c.tenant_id = "2b7f3c1e-0000-4000-8000-000000000001";
  c.domain = "fabrikam.com";
  c.area = CPOR_AREA_M365;
  c.activity = CPOR_ACTIVITY_USAGE;
  c.fields[CPOR_FIELD_CUSTOMER_CONTACT_NAME] = "Ann Lee";
  c.fields[CPOR_FIELD_CUSTOMER_CONTACT_EMAIL] = "ann@fabrikam.com";
  c.fields[CPOR_FIELD_PARTNER_CONTACT_NAME] = "Bo Chen";
  c.fields[CPOR_FIELD_PARTNER_CONTACT_EMAIL] = "bo@contoso.com";
  c.nlines = 1;
  c.lines = &line;
  c.npoe = 1;
  c.poe = &poe;
  c.state = CPOR_STATE_UNDER_REVIEW;
  c.next_seq = 4;
  c.created_at = 1793610000000LL;
  c.updated_at = c.last_at = 1793700000000LL;
  c.window_closes_at = c.optout_closes_at = CPOR_TIME_NONE;
  c.sla_due_at = 1794100000000LL;
  c.has_policy = 1;
  cpor_window *w = &c.policy.optout;
  for (int i = 0; i < 6; i++)
    w[i] = (cpor_window){i == 4 ? 30 : 5, i == 4 ? CPOR_CALENDAR_DAYS : CPOR_BUSINESS_DAYS};
  c.variants = (cpor__variants){CPOR_OPTOUT_FROM_APPROVAL, 0, 1};
  return c;
}

static cpor_event typical_event(void) {
  return (cpor_event){3,
                      1793700000000LL,
                      CPOR_EVENT_EDITED,
                      CPOR_STATE_SUBMITTED,
                      CPOR_ROLE_INCENTIVES_ADMIN,
                      "contoso",
                      "admin@contoso.com",
                      "edited: customer contact",
                      "{\"changes\":{\"customer_contact_name\":{\"from\":\"Ann Lee\",\"to\":"
                      "\"Ann Lee-Smith\"}}}"};
}

typedef int (*enc_fn)(const void *rec, cpor_store_object *obj, void **buf);
typedef int (*dec_fn)(const cpor_store_object *obj, void **out);

static int json_claim_enc(const void *r, cpor_store_object *o, void **b) {
  return cpor__claim_encode(r, o, b);
}
static int bin_claim_enc(const void *r, cpor_store_object *o, void **b) {
  return bin_claim_encode(r, 2, o, b);
}
static int json_claim_dec(const cpor_store_object *o, void **out) {
  return cpor__claim_decode(o, (cpor_claim **)out);
}
static int bin_claim_dec(const cpor_store_object *o, void **out) {
  return cpor__bin_claim_decode(o, (cpor_claim **)out);
}
static void claim_rel(void *r) {
  cpor_claim_free(r);
}
static int json_event_enc(const void *r, cpor_store_object *o, void **b) {
  int rc = cpor__event_encode(r, b, &o->len);
  o->data = *b;
  return rc;
}
static int bin_event_enc(const void *r, cpor_store_object *o, void **b) {
  int rc = bin_event_encode(r, 2, b, &o->len);
  o->data = *b;
  return rc;
}
static int json_event_dec(const cpor_store_object *o, void **out) {
  return cpor__event_decode(3, o->data, o->len, (cpor_event **)out);
}
static int bin_event_dec(const cpor_store_object *o, void **out) {
  return cpor__bin_event_decode(3, o->data, o->len, (cpor_event **)out);
}
static void event_rel(void *r) {
  cpor_event_free(r);
}

typedef struct codec {
  enc_fn enc;
  dec_fn dec;
} codec;

/* ns per encode and per decode; the encoded size in *size. */
static void measure(const codec *c, const void *rec, void (*rel)(void *), double *enc, double *dec,
                    size_t *size) {
  cpor_store_object obj;
  memset(&obj, 0, sizeof obj);
  void *buf = NULL;
  double t = now_ns();
  for (int i = 0; i < N; i++) {
    if (c->enc(rec, &obj, &buf)) exit(1);
    if (i < N - 1) free(buf);
  }
  *enc = (now_ns() - t) / N;
  *size = obj.len;
  t = now_ns();
  for (int i = 0; i < N; i++) {
    void *out = NULL;
    if (c->dec(&obj, &out)) {
      fprintf(stderr, "bench_records: decode failed\n");
      exit(1);
    }
    rel(out);
  }
  *dec = (now_ns() - t) / N;
  free(buf);
}

static void report(const char *what, const codec *json, const codec *bin, const void *rec,
                   void (*rel)(void *)) {
  double je, jd, be, bd;
  size_t js, bs;
  measure(bin, rec, rel, &be, &bd, &bs); /* warm-up */
  measure(json, rec, rel, &je, &jd, &js);
  measure(bin, rec, rel, &be, &bd, &bs);
  printf("%-6s  JSON %4zu B: encode %7.0f ns, decode %7.0f ns\n", what, js, je, jd);
  printf("%-6s  bin2 %4zu B: encode %7.0f ns, decode %7.0f ns\n", what, bs, be, bd);
  printf("%-6s  JSON / binary: encode %.2fx, decode %.2fx\n", what, je / be, jd / bd);
}

int main(void) {
  if (getenv("BENCH_RECORDS_N")) N = atoi(getenv("BENCH_RECORDS_N"));
  cpor_claim c = typical_claim();
  cpor_event e = typical_event();
  codec jc = {json_claim_enc, json_claim_dec}, bc = {bin_claim_enc, bin_claim_dec};
  codec je = {json_event_enc, json_event_dec}, be = {bin_event_enc, bin_event_dec};
  report("claim", &jc, &bc, &c, claim_rel);
  report("event", &je, &be, &e, event_rel);
  return 0;
}
