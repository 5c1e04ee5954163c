/* Parsing one line of an export (import_line.h) with the strict reader of
 * stored records. */
#include "core/import_line.h"

#include <stdlib.h>
#include <string.h>

#include "core/json_read.h"
#include "cpor/common.h"

static const char *const keys[L_NKEYS] = {
    [L_CLAIM] = "claim",   [L_CLAIMS] = "claims", [L_EVENT] = "event",    [L_EVENTS] = "events",
    [L_FORMAT] = "format", [L_ID] = "id",         [L_KIND] = "kind",      [L_OBJECTS] = "objects",
    [L_OWNER] = "owner",   [L_RECORD] = "record", [L_REF] = "ref",        [L_SEQ] = "seq",
    [L_STATE] = "state",   [L_TYPE] = "type",     [L_VERSION] = "version"};

static void record(cpor__jr *r, cpor__xline *out) {
  if (cpor__jr_null(r)) return;
  cpor__jw w = {0};
  cpor__jr_canon(r, &w, NULL);
  if (w.rc) cpor__jr_fail(r, w.rc);
  if (r->rc || w.len == 0 || w.data[0] != '{') {
    cpor__jr_fail(r, CPOR_ECORRUPT);
    cpor__jw_free(&w);
    return;
  }
  out->record_len = w.len;
  out->record = cpor__jw_cstr(&w);
  if (!out->record) cpor__jr_fail(r, CPOR_ENOMEM);
}

int cpor__xline_parse(const char *line, size_t len, cpor__xline *out) {
  memset(out, 0, sizeof *out);
  cpor__jr r;
  cpor__jr_init(&r, line, len);
  if (!cpor__jr_open(&r, '{')) return r.rc ? r.rc : CPOR_ECORRUPT;
  uint64_t seen = 0;
  int k;
  while ((k = cpor__jr_field(&r, keys, L_NKEYS, &seen)) >= 0) {
    switch (k) {
    case L_CLAIM:
      out->claim = cpor__jr_str(&r, 0);
      break;
    case L_FORMAT:
      out->format = cpor__jr_str(&r, 0);
      break;
    case L_ID:
      out->id = cpor__jr_str(&r, 0);
      break;
    case L_KIND:
      out->kind = cpor__jr_str(&r, 0);
      break;
    case L_OWNER:
      out->owner = cpor__jr_str(&r, 1);
      break;
    case L_REF:
      out->ref = cpor__jr_str(&r, 1);
      break;
    case L_TYPE:
      out->type = cpor__jr_str(&r, 0);
      break;
    case L_CLAIMS:
      out->claims = (uint64_t)cpor__jr_int(&r, 0, INT64_MAX);
      break;
    case L_EVENTS:
      out->events = (uint64_t)cpor__jr_int(&r, 0, INT64_MAX);
      break;
    case L_OBJECTS:
      out->objects = (uint64_t)cpor__jr_int(&r, 0, INT64_MAX);
      break;
    case L_SEQ:
      out->seq = (uint64_t)cpor__jr_int(&r, 1, UINT32_MAX);
      break;
    case L_VERSION:
      out->version = (uint64_t)cpor__jr_int(&r, 0, UINT32_MAX);
      break;
    case L_STATE:
      out->state = cpor__jr_int(&r, INT32_MIN, INT32_MAX);
      break;
    default: /* L_RECORD, L_EVENT: a line has one of them (cpor__xline_has) */
      record(&r, out);
      break;
    }
    out->seen = seen;
  }
  return cpor__jr_end(&r);
}

void cpor__xline_free(cpor__xline *l) {
  free(l->claim);
  free(l->format);
  free(l->id);
  free(l->kind);
  free(l->owner);
  free(l->ref);
  free(l->type);
  free(l->record);
  memset(l, 0, sizeof *l);
}

int cpor__xline_has(const cpor__xline *l, uint64_t mask) {
  return l->seen == mask;
}
