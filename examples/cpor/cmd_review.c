/* cpor — the rest of the lifecycle: review, partner response, customer
 * opt-out, disputes, removal, and the timed transitions (advance). */
#include "cli.h"

#include <string.h>

static int open_for_claim(cli *c, const cli_args *a) {
  int rc = cli_require_actor(c);
  if (rc || (rc = cli_check_guid(c, "claim", a->pos[0]))) return rc;
  return cli_open(c, CLI_DB_WRITE);
}

/* Every action here has the same tail: report the failure or print the claim. */
static int finish(cli *c, const cli_args *a, int rc) {
  return cli_wrote(c, rc) ? cli_fail_ctx(c, rc) : cli_print_claim(c, a->pos[0]);
}

static const char *text_arg(const cli_args *a, int i) {
  return a->npos > i ? a->pos[i] : NULL;
}

static int run_start(cli *c, const cli_args *a) {
  int rc = open_for_claim(c, a);
  return rc ? rc : finish(c, a, cpor_claim_start_review(c->ctx, &c->actor, a->pos[0]));
}

/* An optional --reason NAME (default dflt), parsed with from_name. */
static int reason_opt(cli *c, const cli_args *a, int (*from_name)(const char *, int *),
                      const char *(*name)(int), const char *dflt, int *out) {
  const char *r = cli_get(a, "reason");
  if (!r && !dflt) return cli_usage(c, "--reason is required");
  return cli_parse_enum(c, "--reason", r ? r : dflt, from_name, name, out);
}

static int run_request_info(cli *c, const cli_args *a) {
  int reason,
      rc = reason_opt(c, a, cpor_info_reason_from_name, cpor_info_reason_name, "other", &reason);
  if (!rc) rc = open_for_claim(c, a);
  return rc ? rc
            : finish(c, a,
                     cpor_claim_request_info(c->ctx, &c->actor, a->pos[0], reason, a->pos[1]));
}

static int run_approve(cli *c, const cli_args *a) {
  int rc = open_for_claim(c, a);
  return rc ? rc : finish(c, a, cpor_claim_approve(c->ctx, &c->actor, a->pos[0]));
}

static int run_reject(cli *c, const cli_args *a) {
  int reason, rc;
  const char *r = cli_get(a, "reason");
  if (!r) return cli_usage(c, "--reason is required");
  if ((rc = cli_parse_enum(c, "--reason", r, cpor_reason_from_name, cpor_reason_name, &reason)))
    return rc;
  if ((rc = open_for_claim(c, a))) return rc;
  return finish(c, a, cpor_claim_reject(c->ctx, &c->actor, a->pos[0], reason, text_arg(a, 1)));
}

static int run_respond(cli *c, const cli_args *a) {
  int rc = open_for_claim(c, a);
  return rc ? rc : finish(c, a, cpor_claim_respond(c->ctx, &c->actor, a->pos[0], a->pos[1]));
}

static int run_optout(cli *c, const cli_args *a) {
  int rc = open_for_claim(c, a);
  return rc ? rc : finish(c, a, cpor_claim_opt_out(c->ctx, &c->actor, a->pos[0]));
}

static int run_dispute(cli *c, const cli_args *a) {
  int rc = open_for_claim(c, a);
  return rc ? rc : finish(c, a, cpor_claim_dispute(c->ctx, &c->actor, a->pos[0], a->pos[1]));
}

static int run_decide(cli *c, const cli_args *a) {
  int grant;
  if (!strcmp(a->pos[1], "grant"))
    grant = 1;
  else if (!strcmp(a->pos[1], "uphold"))
    grant = 0;
  else
    return cli_usage(c, "decision must be 'grant' or 'uphold', not '%s'", a->pos[1]);
  int rc = open_for_claim(c, a);
  if (rc) return rc;
  return finish(c, a,
                cpor_claim_decide_dispute(c->ctx, &c->actor, a->pos[0], grant, text_arg(a, 2)));
}

static int run_remove(cli *c, const cli_args *a) {
  int reason,
      rc = reason_opt(c, a, cpor_removal_reason_from_name, cpor_removal_reason_name, NULL, &reason);
  if (!rc && reason == CPOR_REMOVAL_OTHER && !text_arg(a, 1))
    rc = cli_usage(c, "--reason other needs a TEXT saying why");
  if (!rc) rc = open_for_claim(c, a);
  return rc ? rc
            : finish(c, a, cpor_claim_remove(c->ctx, &c->actor, a->pos[0], reason, text_arg(a, 1)));
}

static int run_advance(cli *c, const cli_args *a) {
  int rc = cli_open(c, CLI_DB_WRITE);
  if (rc) return rc;
  size_t changed = 0;
  if ((rc = cli_wrote(c, cpor_ctx_advance(c->ctx, &changed)))) return cli_fail_ctx(c, rc);
  if (c->json)
    printf("{\"changed\":%zu}\n", changed);
  else
    printf("%zu claim(s) changed\n", changed);
  return CLI_EXIT_OK;
}

const cli_command cli_review_commands[] = {
    {"review", "start", "", 1, 1, run_start, "review start CLAIM_ID",
     "Reviewer: SUBMITTED -> UNDER_REVIEW."},
    {"review", "request-info", "reason", 2, 2, run_request_info,
     "review request-info CLAIM_ID [--reason R] TEXT",
     "Reviewer: asks the partner for more information (PARTNER_ACTION_REQUIRED). R: "
     "missing_poe, missing_customer_ack, missing_dates, missing_partner_service, "
     "missing_products, other (default)."},
    {"review", "approve", "", 1, 1, run_approve, "review approve CLAIM_ID",
     "Reviewer: APPROVED; the customer's opt-out window opens."},
    {"review", "reject", "reason", 1, 2, run_reject, "review reject CLAIM_ID --reason R [TEXT]",
     "Reviewer: REJECTED. R: insufficient_poe, missing_consent, missing_products, "
     "poe_unavailable."},
    {"respond", NULL, "", 2, 2, run_respond, "respond CLAIM_ID TEXT",
     "Partner: answers an info request (back to UNDER_REVIEW)."},
    {"optout", NULL, "", 1, 1, run_optout, "optout CLAIM_ID",
     "Customer (--as customer:TENANT:USER): declines inside the opt-out window."},
    {"dispute", "decide", "", 2, 3, run_decide, "dispute decide CLAIM_ID grant|uphold [TEXT]",
     "Reviewer: grant (back to UNDER_REVIEW) or uphold (REJECTED, final)."},
    {"dispute", NULL, "", 2, 2, run_dispute, "dispute CLAIM_ID JUSTIFICATION",
     "Partner: disputes a rejection within the dispute window."},
    {"association", "remove", "reason", 1, 2, run_remove,
     "association remove CLAIM_ID --reason R [TEXT]",
     "Partner: ends its association (ENDED, partner_removed). R: customer_request, "
     "engagement_ended, claimed_in_error, other (TEXT required)."},
    {"advance", NULL, "", 0, 0, run_advance, "advance",
     "Applies every timed transition due at --now (or the system clock). Prints {\"changed\": N}."},
    {NULL, NULL, NULL, 0, 0, NULL, NULL, NULL}};
