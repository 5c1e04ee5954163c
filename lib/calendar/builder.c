/* Calendar builders, and the build step that turns weekmask, dates and rules
 * into an immutable, reference-counted calendar. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define MASK_ALL 0x7Fu
#define MASK_MON_FRI 0x1Fu

int cpor__dates_push(struct cpor__dates *a, cpor_date d) {
  if (a->n == a->cap) {
    size_t cap = a->cap ? a->cap * 2 : 16;
    cpor_date *v = realloc(a->v, cap * sizeof *v);
    if (!v) return CPOR_ENOMEM;
    a->v = v;
    a->cap = cap;
  }
  a->v[a->n++] = d;
  return CPOR_OK;
}

int cpor__rules_push(cpor_calendar_builder *b, const struct cpor__rule *r) {
  if (b->nrules == b->caprules) {
    size_t cap = b->caprules ? b->caprules * 2 : 8;
    struct cpor__rule *v = realloc(b->rules, cap * sizeof *v);
    if (!v) return CPOR_ENOMEM;
    b->rules = v;
    b->caprules = cap;
  }
  b->rules[b->nrules++] = *r;
  return CPOR_OK;
}

void cpor__builder_clear(cpor_calendar_builder *b) {
  free(b->name);
  free(b->holidays.v);
  free(b->workdays.v);
  free(b->rules);
  memset(b, 0, sizeof *b);
}

int cpor_calendar_builder_new(cpor_calendar_builder **out) {
  if (!out) return CPOR_EINVAL;
  *out = calloc(1, sizeof **out);
  if (!*out) return CPOR_ENOMEM;
  (*out)->weekmask = MASK_MON_FRI;
  return CPOR_OK;
}

void cpor_calendar_builder_free(cpor_calendar_builder *b) {
  if (!b) return;
  cpor__builder_clear(b);
  free(b);
}

int cpor_calendar_builder_set_weekmask(cpor_calendar_builder *b, uint32_t mask) {
  if (!b || mask == 0 || (mask & ~MASK_ALL)) return CPOR_EINVAL;
  b->weekmask = mask;
  return CPOR_OK;
}

int cpor_calendar_builder_add_holiday(cpor_calendar_builder *b, cpor_date date) {
  if (!b) return CPOR_EINVAL;
  if (!cpor__date_in_range(date)) return CPOR_ERANGE;
  return cpor__dates_push(&b->holidays, date);
}

int cpor_calendar_builder_add_working_day(cpor_calendar_builder *b, cpor_date date) {
  if (!b) return CPOR_EINVAL;
  if (!cpor__date_in_range(date)) return CPOR_ERANGE;
  return cpor__dates_push(&b->workdays, date);
}

static int reserve_dates(struct cpor__dates *a, size_t extra) {
  if (a->n + extra <= a->cap) return CPOR_OK;
  cpor_date *v = realloc(a->v, (a->n + extra) * sizeof *v);
  if (!v) return CPOR_ENOMEM;
  a->v = v;
  a->cap = a->n + extra;
  return CPOR_OK;
}

/* Moves what a parsed staging builder holds into b. Every allocation happens
 * before the first change, so a failure leaves b as it was. */
static int merge(cpor_calendar_builder *b, cpor_calendar_builder *s) {
  if (reserve_dates(&b->holidays, s->holidays.n) || reserve_dates(&b->workdays, s->workdays.n))
    return CPOR_ENOMEM;
  if (b->nrules + s->nrules > b->caprules) {
    struct cpor__rule *v = realloc(b->rules, (b->nrules + s->nrules) * sizeof *v);
    if (!v) return CPOR_ENOMEM;
    b->rules = v;
    b->caprules = b->nrules + s->nrules;
  }
  if (s->holidays.n)
    memcpy(b->holidays.v + b->holidays.n, s->holidays.v, s->holidays.n * sizeof(cpor_date));
  b->holidays.n += s->holidays.n;
  if (s->workdays.n)
    memcpy(b->workdays.v + b->workdays.n, s->workdays.v, s->workdays.n * sizeof(cpor_date));
  b->workdays.n += s->workdays.n;
  if (s->nrules) memcpy(b->rules + b->nrules, s->rules, s->nrules * sizeof *s->rules);
  b->nrules += s->nrules;
  if (s->has_weekmask) b->weekmask = s->weekmask;
  if (s->name) {
    free(b->name);
    b->name = s->name;
    s->name = NULL;
  }
  return CPOR_OK;
}

int cpor_calendar_builder_add_rules(cpor_calendar_builder *b, const char *text) {
  if (!b || !text) return CPOR_EINVAL;
  cpor_calendar_builder stage = {0};
  int rc = cpor__rules_parse(text, &stage, NULL, 0);
  if (rc == CPOR_OK) rc = merge(b, &stage);
  cpor__builder_clear(&stage);
  return rc;
}

/* ---- build -------------------------------------------------------------- */

/* Sets, over the whole supported range, are bitmaps: turning the (unsorted,
 * duplicated) builder lists and the hundred thousand dates that rules expand
 * to into sorted unique lists is then linear, with no sort. */
#define RANGE_DAYS ((size_t)(CPOR__DATE_MAX - CPOR__DATE_MIN + 1))
#define BITMAP_WORDS ((RANGE_DAYS + 63) / 64)

static void bit_set(uint64_t *bm, cpor_date d) {
  size_t i = (size_t)(d - CPOR__DATE_MIN);
  bm[i / 64] |= (uint64_t)1 << (i % 64);
}

static bool bit_get(const uint64_t *bm, cpor_date d) {
  size_t i = (size_t)(d - CPOR__DATE_MIN);
  return (bm[i / 64] >> (i % 64)) & 1;
}

static void expand_rules(const cpor_calendar_builder *b, uint64_t *hol) {
  for (size_t i = 0; i < b->nrules; i++) {
    const struct cpor__rule *r = &b->rules[i];
    for (int32_t y = r->from; y <= r->until; y++) {
      int32_t d;
      if (cpor__rule_date(r, y, &d) && cpor__date_in_range(d)) bit_set(hol, d);
    }
  }
}

static bool mask_has(uint32_t mask, cpor_date d) {
  return (mask >> cpor_date_weekday(d)) & 1;
}

/* The exceptions to the weekmask: holidays on weekmask days (-1) and working
 * days that are not holidays off the weekmask (+1). */
static int collect_exceptions(cpor_calendar *cal, const uint64_t *hol, const uint64_t *wrk) {
  size_t n = 0, cap = 0;
  cpor_date *exc = NULL;
  int32_t *sum = NULL;
  for (size_t w = 0; w < BITMAP_WORDS; w++) {
    uint64_t bits = hol[w] | wrk[w];
    while (bits) {
      int k = __builtin_ctzll(bits);
      bits &= bits - 1;
      cpor_date d = (cpor_date)(CPOR__DATE_MIN + (int64_t)(w * 64 + (size_t)k));
      bool business = mask_has(cal->weekmask, d);
      int delta = bit_get(hol, d) ? (business ? -1 : 0) : (business ? 0 : 1);
      if (!delta) continue;
      if (n + 1 >= cap) {
        cap = cap ? cap * 2 : 64;
        cpor_date *e2 = realloc(exc, cap * sizeof *e2);
        if (e2) exc = e2;
        int32_t *s2 = e2 ? realloc(sum, cap * sizeof *s2) : NULL;
        if (!s2) {
          free(exc);
          free(sum);
          return CPOR_ENOMEM;
        }
        sum = s2;
      }
      if (n == 0) sum[0] = 0;
      exc[n] = d;
      sum[n + 1] = sum[n] + delta;
      n++;
    }
  }
  if (!sum) {
    sum = malloc(sizeof *sum);
    if (!sum) return CPOR_ENOMEM;
    sum[0] = 0;
  }
  cal->exc = exc;
  cal->exc_sum = sum;
  cal->nexc = n;
  return CPOR_OK;
}

static void calendar_free(cpor_calendar *cal) {
  free(cal->name);
  free(cal->exc);
  free(cal->exc_sum);
  free(cal->tprefix);
  free(cal->tbday);
  free(cal);
}

int cpor_calendar_builder_build(cpor_calendar_builder *b, cpor_calendar **out) {
  if (!out) return CPOR_EINVAL;
  *out = NULL;
  if (!b) return CPOR_EINVAL;
  cpor_calendar *cal = calloc(1, sizeof *cal);
  uint64_t *hol = calloc(BITMAP_WORDS, sizeof *hol);
  uint64_t *wrk = calloc(BITMAP_WORDS, sizeof *wrk);
  int rc = CPOR_ENOMEM;
  if (!cal || !hol || !wrk) goto fail;
  cal->weekmask = b->weekmask;
  cal->name = malloc(b->name ? strlen(b->name) + 1 : 1);
  if (!cal->name) goto fail;
  strcpy(cal->name, b->name ? b->name : "");
  for (size_t i = 0; i < b->holidays.n; i++)
    bit_set(hol, b->holidays.v[i]);
  for (size_t i = 0; i < b->workdays.n; i++)
    bit_set(wrk, b->workdays.v[i]);
  expand_rules(b, hol);
  if ((rc = collect_exceptions(cal, hol, wrk)) != CPOR_OK) goto fail;
  if ((rc = cpor__calendar_prepare(cal)) != CPOR_OK) goto fail;
  atomic_init(&cal->refs, 1);
  free(hol);
  free(wrk);
  *out = cal;
  return CPOR_OK;
fail:
  free(hol);
  free(wrk);
  if (cal) calendar_free(cal);
  return rc;
}

cpor_calendar *cpor_calendar_ref(cpor_calendar *cal) {
  if (cal) atomic_fetch_add_explicit(&cal->refs, 1, memory_order_relaxed);
  return cal;
}

void cpor_calendar_unref(cpor_calendar *cal) {
  /* Release on every drop, acquire before freeing: the thread that frees
   * sees every other thread's last use. */
  if (cal && atomic_fetch_sub_explicit(&cal->refs, 1, memory_order_acq_rel) == 1)
    calendar_free(cal);
}

const char *cpor_calendar_name(const cpor_calendar *cal) {
  return cal && cal->name ? cal->name : "";
}
