/* Claim transitions: validate the arguments, load the view, let the kernel
 * decide, write the outcome. */
#include <stdlib.h>
#include <string.h>

#include "core/claims.h"
#include "core/valid.h"

typedef struct act_args {
  int reason;
  const char *text;
  int grant;
} act_args;

/* Texts stored whole: the API takes at most this many bytes. */
#define MAX_TEXT 4000

static int text_arg(cpor_ctx *ctx, const char *text, int required, const char *what) {
  if (required && !text) return cpor__fail(ctx, CPOR_EINVAL, "%s is NULL", what);
  if (required && !*text) return cpor__fail(ctx, CPOR_EINCOMPLETE, "%s is required", what);
  if (cpor__valid_text(text, MAX_TEXT, 0))
    return cpor__fail(ctx, CPOR_EINVAL, "%s must be at most 4000 bytes of text", what);
  return CPOR_OK;
}

/* The actions whose rules read the other claims live on the claim's units. */
static int needs_units(int action) {
  return action == CPOR__ACT_SUBMIT || action == CPOR__ACT_APPROVE || action == CPOR__ACT_DISPUTE;
}

static int act_once(cpor_ctx *ctx, const cpor_actor *actor_in, const char *claim_id, int action,
                    const act_args *a) {
  if (!ctx) return CPOR_EINVAL;
  cpor__view v = {0};
  cpor_actor actor;
  int rc = cpor__claim_open(ctx, actor_in, &actor, claim_id, action, &v);
  if (rc) return rc;
  cpor_claim *c = v.v[0]->claim;
  cpor__request req = {action, &actor, a->reason, a->text, a->grant, NULL, 0, NULL, NULL};
  cpor_location *loc = NULL;
  if (needs_units(action)) rc = cpor__view_neighbors(ctx, &v, v.v[0]);
  if (!rc && action == CPOR__ACT_SUBMIT) {
    rc = cpor__claim_has_dynamics(ctx, c, &req.dynamics);
    int lrc = rc ? rc : cpor__load_location(ctx, c->mpn_id, &loc);
    if (lrc && lrc != CPOR_ENOTFOUND) rc = lrc;
    req.location = loc;
  }
  cpor__env env = cpor__kenv(ctx);
  if (!rc) {
    ctx->errmsg[0] = 0;
    if ((rc = cpor__decide(&env, &req, &v))) rc = cpor__kernel_fail(ctx, rc);
  }
  if (!rc) rc = cpor__view_write(ctx, &v);
  cpor_location_free(loc);
  cpor__view_free(&v);
  return cpor__call_end(ctx, rc);
}

static int act(cpor_ctx *ctx, const cpor_actor *actor_in, const char *claim_id, int action,
               const act_args *a) {
  CPOR__RETRY(ctx, act_once(ctx, actor_in, claim_id, action, a));
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

static int text_act(cpor_ctx *ctx, const cpor_actor *actor, const char *claim_id, int action,
                    act_args *a, int required, const char *what) {
  if (!ctx) return CPOR_EINVAL;
  int rc = text_arg(ctx, a->text, required, what);
  return rc ? rc : act(ctx, actor, claim_id, action, a);
}

int cpor_claim_request_info(cpor_ctx *ctx, const cpor_actor *actor, const char *claim_id,
                            int reason, const char *text) {
  if (!ctx) return CPOR_EINVAL;
  if (!cpor_info_reason_name(reason))
    return cpor__fail(ctx, CPOR_EINVAL,
                      "unknown information reason %d: missing_poe, missing_customer_ack, "
                      "missing_dates, missing_partner_service, missing_products or other",
                      reason);
  act_args a = {reason, text, 0};
  return text_act(ctx, actor, claim_id, CPOR__ACT_REQUEST_INFO, &a, 1,
                  "the information request's text");
}

int cpor_claim_respond(cpor_ctx *ctx, const cpor_actor *actor, const char *claim_id,
                       const char *text) {
  act_args a = {0, text, 0};
  return text_act(ctx, actor, claim_id, CPOR__ACT_RESPOND, &a, 1, "the response's text");
}

int cpor_claim_reject(cpor_ctx *ctx, const cpor_actor *actor, const char *claim_id, int reason,
                      const char *text) {
  if (!ctx) return CPOR_EINVAL;
  if (reason < CPOR_REASON_INSUFFICIENT_POE || reason > CPOR_REASON_POE_UNAVAILABLE)
    return cpor__fail(ctx, CPOR_EINVAL,
                      "a reviewer rejects for insufficient_poe, missing_consent, "
                      "missing_products or poe_unavailable");
  act_args a = {reason, text, 0};
  return text_act(ctx, actor, claim_id, CPOR__ACT_REJECT, &a, 0, "the rejection's text");
}

int cpor_claim_dispute(cpor_ctx *ctx, const cpor_actor *actor, const char *claim_id,
                       const char *justification) {
  act_args a = {0, justification, 0};
  return text_act(ctx, actor, claim_id, CPOR__ACT_DISPUTE, &a, 1, "a dispute's justification");
}

int cpor_claim_decide_dispute(cpor_ctx *ctx, const cpor_actor *actor, const char *claim_id,
                              int grant, const char *text) {
  act_args a = {0, text, grant != 0};
  return text_act(ctx, actor, claim_id, CPOR__ACT_DECIDE_DISPUTE, &a, 0, "the decision's text");
}

int cpor_claim_remove(cpor_ctx *ctx, const cpor_actor *actor, const char *claim_id, int reason,
                      const char *text) {
  if (!ctx) return CPOR_EINVAL;
  if (!cpor_removal_reason_name(reason))
    return cpor__fail(ctx, CPOR_EINVAL,
                      "unknown removal reason %d: customer_request, engagement_ended, "
                      "claimed_in_error or other",
                      reason);
  act_args a = {reason, text, 0};
  return text_act(ctx, actor, claim_id, CPOR__ACT_REMOVE, &a, reason == CPOR_REMOVAL_OTHER,
                  "the removal's text");
}

int cpor_claim_comment(cpor_ctx *ctx, const cpor_actor *actor, const char *claim_id,
                       const char *text) {
  if (!ctx) return CPOR_EINVAL;
  if (!text) return cpor__fail(ctx, CPOR_EINVAL, "comment is NULL");
  if (cpor__valid_text(text, MAX_TEXT, 1))
    return cpor__fail(ctx, CPOR_EINVAL, "comment must be 1-4000 bytes of text");
  act_args a = {0, text, 0};
  return act(ctx, actor, claim_id, CPOR__ACT_COMMENT, &a);
}

/* One attempt (the arguments checked): rerun on CPOR_ECONFLICT like every
 * other write. */
static int add_poe_once(cpor_ctx *ctx, const cpor_actor *actor, const char *claim_id,
                        const char *name, const char *media_type, const char *digest,
                        uint64_t size) {
  cpor__view v = {0};
  cpor_actor a;
  int rc = cpor__claim_open(ctx, actor, &a, claim_id, CPOR__ACT_ADD_POE, &v);
  if (rc) return rc;
  cpor__poe poe = {(char *)name, (char *)media_type, (char *)digest, size, CPOR_TIME_NONE};
  cpor__request req = {CPOR__ACT_ADD_POE, &a, 0, NULL, 0, NULL, 0, &poe, NULL};
  cpor__env env = cpor__kenv(ctx);
  if ((rc = cpor__decide(&env, &req, &v))) rc = cpor__kernel_fail(ctx, rc);
  if (!rc) rc = cpor__view_write(ctx, &v);
  cpor__view_free(&v);
  return cpor__call_end(ctx, rc);
}

int cpor_claim_add_poe(cpor_ctx *ctx, const cpor_actor *actor, const char *claim_id,
                       const char *name, const char *media_type, const char *sha256,
                       uint64_t size) {
  if (!ctx) return CPOR_EINVAL;
  if (!name || !media_type || !sha256)
    return cpor__fail(ctx, CPOR_EINVAL, "PoE name, media type and SHA-256 are required");
  char digest[65];
  if (cpor__valid_text(name, 256, 1))
    return cpor__fail(ctx, CPOR_EINVAL, "PoE name must be 1-256 bytes of text");
  if (cpor__valid_text(media_type, 127, 1) || !strchr(media_type, '/') || strchr(media_type, ' '))
    return cpor__fail(ctx, CPOR_EINVAL, "PoE media type must look like type/subtype");
  if (cpor__sha256_canon(sha256, digest))
    return cpor__fail(ctx, CPOR_EINVAL, "SHA-256 must be 64 hex digits");
  if (size == 0) return cpor__fail(ctx, CPOR_EINVAL, "PoE size must be positive");
  if (size > (uint64_t)INT64_MAX)
    return cpor__fail(ctx, CPOR_EINVAL, "PoE size must be at most 2^63-1 bytes");
  CPOR__RETRY(ctx, add_poe_once(ctx, actor, claim_id, name, media_type, digest, size));
}
