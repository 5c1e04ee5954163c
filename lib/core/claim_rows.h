/* What the store holds for a claim besides its record and its history: its
 * unit rows (one per live line), its exclusive keys (DESIGN.md 1.3) and its
 * deadlines. One computation serves the write path (access.c, import.c) and
 * cpor_ctx_verify (verify.c), so that what verify expects is what a write
 * writes. */
#ifndef CPOR_CORE_CLAIM_ROWS_H
#define CPOR_CORE_CLAIM_ROWS_H

#include "core/ctx.h"

typedef struct cpor__claim_rows {
  size_t nlines;
  cpor_store_line *lines; /* the live lines; units owned (lines[i].unit) */
  size_t nkeys;
  char **keys; /* distinct, in bytewise order (the KEYS cursor's); owned */
  /* due[kind] for kind CPOR_DEADLINE_OPTOUT..SLA; CPOR_TIME_NONE: none */
  cpor_time due[4];
} cpor__claim_rows;

/* Computes the rows of c: CPOR_OK, or CPOR_ENOMEM with *out empty. */
int cpor__claim_rows_make(const cpor_claim *c, cpor__claim_rows *out);
void cpor__claim_rows_free(cpor__claim_rows *r);

/* The deadline kind a state keeps its window under (0: none). */
uint32_t cpor__window_kind(int state);

/* Replaces the unit rows and exclusive keys of c with what it holds now
 * (CPOR_ECONFLICT when another claim holds one of its keys). */
int cpor__claim_rows_write(cpor_ctx *ctx, const cpor_claim *c);

#endif
