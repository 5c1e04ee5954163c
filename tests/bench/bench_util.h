/* What the benchmark programs share: the clock they time with, a
 * deterministic generator, failing loudly, actors, and the claim every
 * benchmark submits (one M365 line, contacts, one PoE). Header-only: each
 * bench is one program. */
#ifndef CPOR_BENCH_UTIL_H
#define CPOR_BENCH_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cpor/cpor.h"

#define DAY_MS 86400000LL
#define BASE_TIME ((cpor_time)20759 * DAY_MS + 9 * 3600000LL) /* 2026-11-02 09:00 UTC */
#define NWL 12

static const char *const M365[NWL] = {"TEAMS",       "EXCHANGE",          "SHAREPOINT",
                                      "INTUNE",      "ONEDRIVE",          "VIVA",
                                      "WINDOWS365",  "M365_APPS",         "ENTRA_ID_P1",
                                      "ENTRA_ID_P2", "DEFENDER_ENDPOINT", "DEFENDER_OFFICE365"};

static inline double now_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static uint64_t rng = 0x2545F4914F6CDD1Du;
static inline uint32_t rnd(void) {
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return (uint32_t)(rng >> 11);
}

static inline void die(cpor_ctx *ctx, int rc, const char *what) {
  fprintf(stderr, "bench: %s: %s (%s)\n", what, cpor_status_name(rc) ? cpor_status_name(rc) : "?",
          ctx ? cpor_ctx_errmsg(ctx) : "");
  exit(1);
}
#define MUST(ctx, expr)                                                                            \
  do {                                                                                             \
    int rc_ = (expr);                                                                              \
    if (rc_ != CPOR_OK) die(ctx, rc_, #expr);                                                      \
  } while (0)

static inline cpor_actor mk_actor(int role, const char *org, const char *user) {
  cpor_actor a = CPOR_ACTOR_INIT;
  a.role = (uint32_t)role;
  a.org = org;
  a.user = user;
  return a;
}

/* Tenant number i: its GUID and its domain. */
static inline void tenant_of(size_t i, char tid[37], char domain[64]) {
  snprintf(tid, 37, "%08x-0000-4000-8000-%012llx", (unsigned)((uint64_t)i >> 32),
           (unsigned long long)((uint64_t)i & 0xffffffffffffull));
  snprintf(domain, 64, "t%zu.onmicrosoft.com", i);
}

/* Creates, completes and submits one claim of actor a on (tenant,
 * workload); its ID goes to id. */
static inline void submit_claim(cpor_ctx *ctx, const cpor_actor *a, const char *mpn,
                                const char *tid, const char *domain, const char *workload,
                                char id[37]) {
  const char *lines[1] = {workload};
  cpor_claim_spec s = CPOR_CLAIM_SPEC_INIT;
  s.name = "Teams rollout";
  s.mpn_id = mpn;
  s.tenant_id = tid;
  s.domain = domain;
  s.area = CPOR_AREA_M365;
  s.activity = CPOR_ACTIVITY_USAGE;
  s.line_count = 1;
  s.workloads = lines;
  s.customer_contact_name = "Carol";
  s.customer_contact_title = "CIO";
  s.customer_contact_email = "carol@contoso.com";
  s.partner_contact_name = "Pat";
  s.partner_contact_email = "pat@partner.example";
  cpor_claim *c = NULL;
  MUST(ctx, cpor_claim_create(ctx, a, &s, &c));
  memcpy(id, cpor_claim_id(c), 37);
  cpor_claim_free(c);
  MUST(ctx, cpor_claim_add_poe(ctx, a, id, "usage-report.pdf", "application/pdf",
                               "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
                               1234));
  MUST(ctx, cpor_claim_submit(ctx, a, id));
}

/* ---- a world that grows: one partner's claims, NWL per tenant ---------------- */

#define BENCH_BATCH 1000 /* claims (and tenants) per cpor_ctx_begin/commit */

typedef struct bench {
  cpor_ctx *ctx;
  cpor_manual_clock *clock;
  char customer[40], partner[16], mpn[12];
  cpor_actor a, reviewer, ops;
  char (*ids)[37]; /* every claim, in creation order */
  size_t n, cap;
  size_t tenants, origin; /* tenants created so far; this world's first tenant number */
} bench;

static inline void bench_close(bench *b) {
  cpor_ctx_close(b->ctx);
  cpor_manual_clock_free(b->clock);
  free(b->ids);
}

/* Tenants for claims up to n (not timed): claim i uses tenant origin + i / NWL. */
static inline void ensure_tenants(bench *b, size_t n) {
  size_t need = (n + NWL - 1) / NWL;
  if (need <= b->tenants) return;
  MUST(b->ctx, cpor_ctx_begin(b->ctx));
  for (; b->tenants < need; b->tenants++) {
    char tid[37], domain[64];
    tenant_of(b->origin + b->tenants, tid, domain);
    MUST(b->ctx, cpor_tenant_create(b->ctx, &b->ops, b->customer, tid, domain));
    if (b->tenants % BENCH_BATCH == BENCH_BATCH - 1) {
      MUST(b->ctx, cpor_ctx_commit(b->ctx));
      MUST(b->ctx, cpor_ctx_begin(b->ctx));
    }
  }
  MUST(b->ctx, cpor_ctx_commit(b->ctx));
}

/* The next claim: create (one line) + PoE + submit. */
static inline void submit_one(bench *b) {
  size_t i = b->n;
  char tid[37], domain[64];
  tenant_of(b->origin + i / NWL, tid, domain);
  if (b->n == b->cap) {
    b->cap = b->cap ? b->cap * 2 : 4096;
    b->ids = realloc(b->ids, b->cap * sizeof *b->ids);
    if (!b->ids) abort();
  }
  submit_claim(b->ctx, &b->a, b->mpn, tid, domain, M365[i % NWL], b->ids[b->n++]);
}

/* Submits until n claims are stored, batch claims per transaction (1: no
 * batch, each call its own); the seconds spent (tenants excluded). */
static inline double grow(bench *b, size_t n, size_t batch) {
  ensure_tenants(b, n);
  double t0 = now_s();
  while (b->n < n) {
    if (batch > 1) MUST(b->ctx, cpor_ctx_begin(b->ctx));
    for (size_t k = 0; k < batch && b->n < n; k++)
      submit_one(b);
    if (batch > 1) MUST(b->ctx, cpor_ctx_commit(b->ctx));
  }
  return now_s() - t0;
}

#endif
