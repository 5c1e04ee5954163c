/* Names of the public enumerations, both ways. */
#include <string.h>

#include "cpor/model.h"

typedef struct name_table {
  const char *const *names; /* names[v] for v in [0, count); NULL = not a value */
  int count;
} name_table;

#define TABLE(arr)                                                                                 \
  { arr, (int)(sizeof arr / sizeof arr[0]) }

static const char *const states[] = {
    NULL,       "EDITING",    "SUBMITTED", "UNDER_REVIEW", "PARTNER_ACTION_REQUIRED",
    "APPROVED", "ASSOCIATED", "REJECTED",  "DISPUTED",     "ENDED"};
static const char *const reasons[] = {"none",
                                      "insufficient_poe",
                                      "missing_consent",
                                      "missing_products",
                                      "poe_unavailable",
                                      "no_partner_response",
                                      "customer_declined",
                                      "partner_request",
                                      "lost_arbitration",
                                      "superseded",
                                      "subscription_ended",
                                      "partner_removed"};
static const char *const areas[] = {NULL, "m365", "bizapps"};
static const char *const activities[] = {NULL, "presales", "usage", "revenue"};
static const char *const programs[] = {NULL, "osa_sell", "osu_m365", "osu_bizapps"};
static const char *const channels[] = {NULL, "volume_licensing", "web_direct", "csp"};
static const char *const sub_states[] = {NULL,       "provisioning", "active",
                                         "in_grace", "expired",      "disabled"};
static const char *const roles[] = {
    NULL,       "global_admin", "billing_admin", "incentives_admin", "incentives_user",
    "reviewer", "customer",     "system"};
static const char *const info_reasons[] = {NULL,
                                           "missing_poe",
                                           "missing_customer_ack",
                                           "missing_dates",
                                           "missing_partner_service",
                                           "missing_products",
                                           "other"};
static const char *const removal_reasons[] = {NULL, "customer_request", "engagement_ended",
                                              "claimed_in_error", "other"};
/* The activities' names on the 2023 Partner Center pages (the codes stay). */
static const char *const activity_display[] = {NULL, "Build intent \xe2\x80\x93 Advisor",
                                               "Usage recognition",
                                               "Influenced revenue recognition"};
static const char *const event_kinds[] = {NULL,
                                          "created",
                                          "edited",
                                          "poe_added",
                                          "commented",
                                          "submitted",
                                          "contested",
                                          "review_started",
                                          "info_requested",
                                          "responded",
                                          "approved",
                                          "rejected",
                                          "opted_out",
                                          "associated",
                                          "disputed",
                                          "dispute_granted",
                                          "dispute_upheld",
                                          "withdrawn",
                                          "removed",
                                          "ended",
                                          "line_ended",
                                          "line_rejected"};

static const char *lookup(name_table t, int v) {
  return v >= 0 && v < t.count ? t.names[v] : NULL;
}

static int reverse(name_table t, const char *name, int *out) {
  if (!name || !out) return CPOR_EINVAL;
  for (int v = 0; v < t.count; v++)
    if (t.names[v] && strcmp(t.names[v], name) == 0) {
      *out = v;
      return CPOR_OK;
    }
  return CPOR_EINVAL;
}

#define NAMES(fn, arr)                                                                             \
  const char *cpor_##fn##_name(int v) {                                                            \
    return lookup((name_table)TABLE(arr), v);                                                      \
  }                                                                                                \
  int cpor_##fn##_from_name(const char *name, int *out) {                                          \
    return reverse((name_table)TABLE(arr), name, out);                                             \
  }

NAMES(state, states)
NAMES(reason, reasons)
NAMES(area, areas)
NAMES(activity, activities)
NAMES(program, programs)
NAMES(channel, channels)
NAMES(sub_state, sub_states)
NAMES(role, roles)
NAMES(info_reason, info_reasons)
NAMES(removal_reason, removal_reasons)

const char *cpor_activity_display_name(int v) {
  return lookup((name_table)TABLE(activity_display), v);
}

const char *cpor_event_kind_name(int v) {
  return lookup((name_table)TABLE(event_kinds), v);
}
