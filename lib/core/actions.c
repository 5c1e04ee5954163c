/* Claim transitions: submit, review, decisions, opt-out, disputes, removal,
 * and the arbitration they trigger on the claim's units. */
#include <stdlib.h>
#include <string.h>

#include "core/actions.h"
#include "core/claims.h"
#include "core/valid.h"

void cpor__changes_free(cpor__changes *cs) {
  for (size_t i = 0; i < cs->n; i++)
    cpor__change_free(&cs->v[i]);
  free(cs->v);
  memset(cs, 0, sizeof *cs);
}

/* The change set of another claim, loaded once per call. */
static int other(cpor_ctx *ctx, cpor__changes *cs, const char *id, cpor__change **out) {
  for (size_t i = 0; i < cs->n; i++)
    if (strcmp(cs->v[i].claim->id, id) == 0) return *out = &cs->v[i], CPOR_OK;
  cpor__change *v = realloc(cs->v, (cs->n + 1) * sizeof *v);
  if (!v) return cpor__fail(ctx, CPOR_ENOMEM, "out of memory");
  cs->v = v;
  cpor_claim *c = NULL;
  int rc = cpor__load_claim(ctx, id, &c);
  if (rc) return rc;
  cpor__change_init(&cs->v[cs->n], c, 0);
  *out = &cs->v[cs->n++];
  return CPOR_OK;
}

int cpor__line_lost(cpor_ctx *ctx, cpor__changes *cs, const char *claim_id, uint32_t line,
                    int state, int reason) {
  cpor__change *ch = NULL;
  int rc = other(ctx, cs, claim_id, &ch);
  if (rc) return rc;
  cpor_claim *c = ch->claim;
  if (line >= c->nlines || !cpor__rules_live(c->lines[line].state))
    return cpor__fail(ctx, CPOR_ECORRUPT, "claim %s: unit row for line %u is stale", claim_id,
                      line);
  cpor__env env = cpor__env_of(ctx);
  ch->lines_dirty = 1;
  const char *why = reason == CPOR_REASON_LOST_ARBITRATION
                        ? "lost arbitration: another partner's claim was approved"
                    : reason == CPOR_REASON_SUPERSEDED
                        ? "superseded: another partner became the partner of record"
                        : "the subscription ended";
  const char *wl = c->lines[line].workload;
  int last = cpor__rules_line_outcome(&env, c, line, state, reason);
  if (last < 0) return cpor__fail(ctx, last, "cannot compute the claim's windows");
  if (last)
    return cpor__change_event(ctx, ch, &cpor__system_actor,
                              state == CPOR_STATE_ENDED ? CPOR_EVENT_ENDED : CPOR_EVENT_REJECTED,
                              "%s", why);
  return cpor__change_event(ctx, ch, &cpor__system_actor,
                            state == CPOR_STATE_ENDED ? CPOR_EVENT_LINE_ENDED
                                                      : CPOR_EVENT_LINE_REJECTED,
                            "line %u (%s): %s", line + 1, wl, why);
}

static int approve_row(cpor_ctx *ctx, const cpor_claim *c, size_t line, const cpor_store_line *row,
                       void *cs) {
  if (row->status == CPOR_STATE_APPROVED)
    return cpor__fail(ctx, CPOR_ESTATE,
                      "line %zu (%s): another claim on this unit is inside its opt-out window",
                      line + 1, c->lines[line].workload);
  int pending = row->status == CPOR_STATE_SUBMITTED || row->status == CPOR_STATE_UNDER_REVIEW ||
                row->status == CPOR_STATE_PARTNER_ACTION_REQUIRED ||
                row->status == CPOR_STATE_DISPUTED;
  if (!pending || strcmp(row->partner_id, c->partner_id) == 0) return CPOR_OK;
  return cpor__line_lost(ctx, cs, row->claim_id, row->line, CPOR_STATE_REJECTED,
                         CPOR_REASON_LOST_ARBITRATION);
}

static int supersede_row(cpor_ctx *ctx, const cpor_claim *c, size_t line,
                         const cpor_store_line *row, void *cs) {
  (void)c, (void)line;
  if (row->status != CPOR_STATE_ASSOCIATED) return CPOR_OK;
  return cpor__line_lost(ctx, cs, row->claim_id, row->line, CPOR_STATE_ENDED,
                         CPOR_REASON_SUPERSEDED);
}

static int mark_contested(cpor_ctx *ctx, const cpor_claim *c, size_t line,
                          const cpor_store_line *row, void *cs) {
  (void)line;
  if (strcmp(row->partner_id, c->partner_id) == 0 || row->status == CPOR_STATE_EDITING ||
      row->status == CPOR_STATE_ASSOCIATED || row->status == CPOR_STATE_APPROVED)
    return CPOR_OK;
  cpor__change *ch = NULL;
  int rc = other(ctx, cs, row->claim_id, &ch);
  if (rc || ch->claim->contested) return rc;
  ch->claim->contested = 1;
  return cpor__change_event(ctx, ch, &cpor__system_actor, CPOR_EVENT_CONTESTED,
                            "contested: another partner now claims one of its units");
}

int cpor__associate(cpor_ctx *ctx, cpor__changes *cs, cpor__change *ch) {
  cpor__env env = cpor__env_of(ctx);
  int rc = cpor__each_unit_row(ctx, ch->claim, supersede_row, cs);
  if (!rc) rc = cpor__rules_enter(&env, ch->claim, CPOR_STATE_ASSOCIATED, CPOR_REASON_NONE);
  if (!rc)
    rc = cpor__change_event(ctx, ch, &cpor__system_actor, CPOR_EVENT_ASSOCIATED,
                            "opt-out window closed: partner of record");
  return rc;
}

int cpor__changes_write(cpor_ctx *ctx, cpor__changes *cs, cpor__change *main) {
  /* Others first: a unit's old holder must let go before the new one holds. */
  int rc = CPOR_OK;
  for (size_t i = 0; rc == CPOR_OK && i < cs->n; i++)
    rc = cpor__change_write(ctx, &cs->v[i]);
  if (rc == CPOR_OK && main) rc = cpor__change_write(ctx, main);
  return rc;
}

typedef struct act_args {
  int reason;
  const char *text;
  int grant;
} act_args;

static int text_arg(cpor_ctx *ctx, const char *text, int required, const char *what) {
  if (required && (!text || !*text))
    return cpor__fail(ctx, CPOR_EINCOMPLETE, "%s is required", what);
  if (cpor__valid_text(text, 4000, 0))
    return cpor__fail(ctx, CPOR_EINVAL, "%s must be at most 4000 bytes of text", what);
  return CPOR_OK;
}

static int do_submit(cpor_ctx *ctx, const cpor_actor *actor, cpor__changes *cs, cpor__change *ch) {
  cpor_claim *c = ch->claim;
  cpor__env env = cpor__env_of(ctx);
  const char *msg = NULL;
  int dynamics = 0;
  int rc = cpor__claim_has_dynamics(ctx, c, &dynamics);
  if (!rc && (rc = cpor__rules_complete(c, dynamics, &msg)))
    return cpor__fail(ctx, rc, "cannot submit: %s", msg);
  if (!rc) rc = cpor__check_duplicates(ctx, c);
  int contested = rc ? 0 : cpor__is_contested(ctx, c);
  if (contested < 0) return contested;
  if (!rc) rc = cpor__rules_enter(&env, c, CPOR_STATE_SUBMITTED, CPOR_REASON_NONE);
  if (!rc) rc = cpor__change_event(ctx, ch, actor, CPOR_EVENT_SUBMITTED, "submitted for review");
  if (!rc && contested) {
    c->contested = 1;
    rc = cpor__change_event(ctx, ch, &cpor__system_actor, CPOR_EVENT_CONTESTED,
                            "contested: another partner holds or claims one of its units");
    if (!rc) rc = cpor__each_unit_row(ctx, c, mark_contested, cs);
  }
  return rc;
}

static int act(cpor_ctx *ctx, const cpor_actor *actor, const char *claim_id, int action,
               const act_args *a) {
  if (!ctx) return CPOR_EINVAL;
  cpor_claim *c = NULL;
  int rc = cpor__claim_open(ctx, actor, claim_id, action, &c);
  if (rc) return rc;
  cpor__change ch;
  cpor__change_init(&ch, c, 0);
  cpor__changes cs = {0};
  cpor__env env = cpor__env_of(ctx);
  char when[32];
  switch (action) {
  case CPOR__ACT_SUBMIT:
    rc = do_submit(ctx, actor, &cs, &ch);
    break;
  case CPOR__ACT_WITHDRAW:
    rc = cpor__rules_enter(&env, c, CPOR_STATE_REJECTED, CPOR_REASON_PARTNER_REQUEST);
    if (!rc)
      rc = cpor__change_event(ctx, &ch, actor, CPOR_EVENT_WITHDRAWN,
                              "withdrawn at the partner's request");
    break;
  case CPOR__ACT_START_REVIEW:
    rc = cpor__rules_enter(&env, c, CPOR_STATE_UNDER_REVIEW, CPOR_REASON_NONE);
    if (!rc) rc = cpor__change_event(ctx, &ch, actor, CPOR_EVENT_REVIEW_STARTED, "review started");
    break;
  case CPOR__ACT_REQUEST_INFO:
    rc = cpor__rules_enter(&env, c, CPOR_STATE_PARTNER_ACTION_REQUIRED, CPOR_REASON_NONE);
    cpor__format_time(c->window_closes_at, when);
    if (!rc)
      rc = cpor__change_event(ctx, &ch, actor, CPOR_EVENT_INFO_REQUESTED,
                              "information requested (respond before %s): %s", when, a->text);
    break;
  case CPOR__ACT_RESPOND:
    rc = cpor__rules_enter(&env, c, CPOR_STATE_UNDER_REVIEW, CPOR_REASON_NONE);
    if (!rc) rc = cpor__change_event(ctx, &ch, actor, CPOR_EVENT_RESPONDED, "%s", a->text);
    break;
  case CPOR__ACT_APPROVE:
    rc = cpor__each_unit_row(ctx, c, approve_row, &cs);
    if (!rc) rc = cpor__rules_enter(&env, c, CPOR_STATE_APPROVED, CPOR_REASON_NONE);
    cpor__format_time(c->window_closes_at, when);
    if (!rc)
      rc = cpor__change_event(ctx, &ch, actor, CPOR_EVENT_APPROVED,
                              "approved; customer notified, opt-out window closes %s", when);
    break;
  case CPOR__ACT_REJECT:
    rc = cpor__rules_enter(&env, c, CPOR_STATE_REJECTED, a->reason);
    if (!rc)
      rc = cpor__change_event(ctx, &ch, actor, CPOR_EVENT_REJECTED, "rejected: %s%s%s",
                              cpor_reason_name(a->reason), a->text && *a->text ? ": " : "",
                              a->text ? a->text : "");
    break;
  case CPOR__ACT_OPT_OUT:
    if (ctx->now >= c->window_closes_at) {
      cpor__format_time(c->window_closes_at, when);
      rc = cpor__fail(ctx, CPOR_EWINDOW, "the opt-out window closed at %s", when);
      break;
    }
    rc = cpor__rules_enter(&env, c, CPOR_STATE_REJECTED, CPOR_REASON_CUSTOMER_DECLINED);
    if (!rc)
      rc = cpor__change_event(ctx, &ch, actor, CPOR_EVENT_OPTED_OUT,
                              "the customer declined the association");
    break;
  case CPOR__ACT_DISPUTE:
    if (c->final) {
      rc = cpor__fail(ctx, CPOR_ESTATE, "this rejection (%s) cannot be disputed",
                      c->reason == CPOR_REASON_PARTNER_REQUEST ? "partner request"
                                                               : "dispute upheld");
      break;
    }
    if (ctx->now >= c->window_closes_at) {
      cpor__format_time(c->window_closes_at, when);
      rc = cpor__fail(ctx, CPOR_EWINDOW, "the dispute window closed at %s", when);
      break;
    }
    rc = cpor__rules_enter(&env, c, CPOR_STATE_DISPUTED, c->reason);
    if (!rc) rc = cpor__check_duplicates(ctx, c);
    if (!rc) rc = cpor__change_event(ctx, &ch, actor, CPOR_EVENT_DISPUTED, "%s", a->text);
    break;
  case CPOR__ACT_DECIDE_DISPUTE:
    if (a->grant) {
      rc = cpor__rules_enter(&env, c, CPOR_STATE_UNDER_REVIEW, CPOR_REASON_NONE);
      if (!rc)
        rc = cpor__change_event(ctx, &ch, actor, CPOR_EVENT_DISPUTE_GRANTED,
                                "dispute granted: back under review%s%s",
                                a->text && *a->text ? ": " : "", a->text ? a->text : "");
    } else {
      c->final = 1;
      rc = cpor__rules_enter(&env, c, CPOR_STATE_REJECTED, c->reason);
      if (!rc)
        rc = cpor__change_event(ctx, &ch, actor, CPOR_EVENT_DISPUTE_UPHELD,
                                "dispute upheld: rejection (%s) is final%s%s",
                                cpor_reason_name(c->reason), a->text && *a->text ? ": " : "",
                                a->text ? a->text : "");
    }
    break;
  case CPOR__ACT_REMOVE:
    rc = cpor__rules_enter(&env, c, CPOR_STATE_ENDED, CPOR_REASON_PARTNER_REMOVED);
    if (!rc)
      rc = cpor__change_event(ctx, &ch, actor, CPOR_EVENT_REMOVED,
                              "association removed by the partner");
    break;
  default:
    rc = cpor__fail(ctx, CPOR_EINVAL, "unknown action");
    break;
  }
  if (rc > 0) rc = cpor__fail(ctx, CPOR_EINVAL, "internal error");
  if (rc == CPOR_OK) rc = cpor__changes_write(ctx, &cs, &ch);
  cpor__changes_free(&cs);
  cpor__change_free(&ch);
  return cpor__call_end(ctx, rc);
}

#define SIMPLE(fn, action)                                                                         \
  int fn(cpor_ctx *ctx, const cpor_actor *actor, const char *claim_id) {                           \
    act_args a = {0, NULL, 0};                                                                     \
    return act(ctx, actor, claim_id, action, &a);                                                  \
  }

SIMPLE(cpor_claim_submit, CPOR__ACT_SUBMIT)
SIMPLE(cpor_claim_withdraw, CPOR__ACT_WITHDRAW)
SIMPLE(cpor_claim_start_review, CPOR__ACT_START_REVIEW)
SIMPLE(cpor_claim_approve, CPOR__ACT_APPROVE)
SIMPLE(cpor_claim_opt_out, CPOR__ACT_OPT_OUT)
SIMPLE(cpor_claim_remove, CPOR__ACT_REMOVE)

int cpor_claim_request_info(cpor_ctx *ctx, const cpor_actor *actor, const char *claim_id,
                            const char *text) {
  if (!ctx) return CPOR_EINVAL;
  int rc = text_arg(ctx, text, 1, "the information request's text");
  act_args a = {0, text, 0};
  return rc ? rc : act(ctx, actor, claim_id, CPOR__ACT_REQUEST_INFO, &a);
}

int cpor_claim_respond(cpor_ctx *ctx, const cpor_actor *actor, const char *claim_id,
                       const char *text) {
  if (!ctx) return CPOR_EINVAL;
  int rc = text_arg(ctx, text, 1, "the response's text");
  act_args a = {0, text, 0};
  return rc ? rc : act(ctx, actor, claim_id, CPOR__ACT_RESPOND, &a);
}

int cpor_claim_reject(cpor_ctx *ctx, const cpor_actor *actor, const char *claim_id, int reason,
                      const char *text) {
  if (!ctx) return CPOR_EINVAL;
  if (reason < CPOR_REASON_INSUFFICIENT_POE || reason > CPOR_REASON_POE_UNAVAILABLE)
    return cpor__fail(ctx, CPOR_EINVAL,
                      "a reviewer rejects for insufficient_poe, missing_consent, "
                      "missing_products or poe_unavailable");
  int rc = text_arg(ctx, text, 0, "the rejection's text");
  act_args a = {reason, text, 0};
  return rc ? rc : act(ctx, actor, claim_id, CPOR__ACT_REJECT, &a);
}

int cpor_claim_dispute(cpor_ctx *ctx, const cpor_actor *actor, const char *claim_id,
                       const char *justification) {
  if (!ctx) return CPOR_EINVAL;
  int rc = text_arg(ctx, justification, 1, "a dispute's justification");
  act_args a = {0, justification, 0};
  return rc ? rc : act(ctx, actor, claim_id, CPOR__ACT_DISPUTE, &a);
}

int cpor_claim_decide_dispute(cpor_ctx *ctx, const cpor_actor *actor, const char *claim_id,
                              int grant, const char *text) {
  if (!ctx) return CPOR_EINVAL;
  int rc = text_arg(ctx, text, 0, "the decision's text");
  act_args a = {0, text, grant != 0};
  return rc ? rc : act(ctx, actor, claim_id, CPOR__ACT_DECIDE_DISPUTE, &a);
}
