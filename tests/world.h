/* A small CPOR world for claim tests: three partners, a customer with two
 * tenants, subscriptions in every state; a manual clock; a store dump to
 * prove that a refused call changed nothing. */
#ifndef CPOR_TEST_WORLD_H
#define CPOR_TEST_WORLD_H

#include "testutil.h"

#define T1 "11111111-2222-3333-4444-555555555555"
#define T1_DOMAIN "contoso.onmicrosoft.com"
#define T2 "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"
#define T2_DOMAIN "woodgrove.onmicrosoft.com"
#define SUB_SALES "00000000-0000-0000-0000-000000000001"
#define SUB_CSP "00000000-0000-0000-0000-000000000002"
#define SUB_PROV "00000000-0000-0000-0000-000000000003"
#define SUB_EXPIRED "00000000-0000-0000-0000-000000000004"
#define SUB_OTHER_TENANT "00000000-0000-0000-0000-000000000005"
#define SUB_DISABLED "00000000-0000-0000-0000-000000000006"
#define SUB_CS "00000000-0000-0000-0000-000000000007"
#define MPN_A "1111111"
#define MPN_B "2222222"
#define MPN_C "3333333"
#define MPN_A_UNENROLLED "4444444"

typedef struct world {
  cpor_ctx *ctx;
  cpor_storage *storage; /* borrowed by ctx */
  cpor_manual_clock *clock;
  cpor_calendar *cal;
  char path[64];     /* the SQLite file, when CPOR_TEST_BACKEND=sqlite */
  char pgschema[64]; /* the PostgreSQL schema, when CPOR_TEST_BACKEND=postgres */
  int kept;          /* the SQLite file keeps its name (world_open_shared) */
  cpor_actor a, b, c, a_user, a_billing, reviewer, cust1, cust2, system;
} world;

/* tz: POSIX TZ (NULL = UTC0); cal: NULL = weekends; storage NULL = memory. */
void world_open(world *w, const char *tz, cpor_calendar *cal, cpor_storage *storage);
void world_close(world *w);
/* A world other processes can open too (a SQLite file that keeps its name,
 * or a PostgreSQL schema; CPOR_TEST_BACKEND must name one). */
void world_open_shared(world *w);
/* Another context on w's store (in a forked child, say), on its own clock;
 * *storage (NULL for SQLite) is freed by the caller after the context. */
int world_open_peer(const world *w, cpor_manual_clock *clock, cpor_ctx **out,
                    cpor_storage **storage);
/* Another context on storage (a wrapper of w's store, say) with w's clock,
 * calendar and policy variants; the caller closes it. */
cpor_ctx *world_ctx_on(const world *w, cpor_storage *storage);
/* Instants from "YYYY-MM-DDTHH:MM:SS" UTC (+ ms). */
cpor_time T(const char *iso);
void world_at(world *w, const char *iso);

/* A complete M365 claim in EDITING (contacts + one PoE), lines = workloads
 * (NULL-terminated). Returns the ID (static buffer rotated per call). */
const char *draft(world *w, const cpor_actor *who, const char *mpn, const char *const *workloads);
/* draft + submit + start review. */
const char *under_review(world *w, const cpor_actor *who, const char *mpn,
                         const char *const *workloads);
int state_of(world *w, const char *id);
int reason_of(world *w, const char *id);
int line_state_of(world *w, const char *id, size_t line);

/* The whole store as text; free with free(). */
char *store_dump(cpor_storage *s);

/* Events of a claim as "kind,kind,..." (free with free()). */
char *history_kinds(world *w, const char *id);

/* expr must succeed; else the context's message says why. */
#define OK(w, expr) ck_assert_msg((expr) == CPOR_OK, "%s: %s", #expr, cpor_ctx_errmsg((w)->ctx))

/* Runs expr, which must fail with code and a message, leaving the store
 * byte-for-byte as it was. */
#define REFUSED(w, expr, code)                                                                     \
  do {                                                                                             \
    char *before_ = store_dump((w)->storage);                                                      \
    ck_assert_status(expr, code);                                                                  \
    ck_assert_int_eq(cpor_ctx_errcode((w)->ctx), code);                                            \
    ck_assert_msg(cpor_ctx_errmsg((w)->ctx)[0] != 0, "no message for %s", #expr);                  \
    char *after_ = store_dump((w)->storage);                                                       \
    ck_assert_msg(strcmp(before_, after_) == 0, "%s changed the store", #expr);                    \
    free(before_);                                                                                 \
    free(after_);                                                                                  \
  } while (0)

#endif
