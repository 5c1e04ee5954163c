/* cpor — JSON output. Field names are a stable contract (see cpor --help). */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

/* Escapes per RFC 8259: quote, backslash and every control character below
 * 0x20 (and DEL, for terminals). The output is valid UTF-8 JSON whatever the
 * bytes: each byte that is not part of a valid UTF-8 sequence becomes
 * U+FFFD, so a consumer never sees raw invalid UTF-8. */
void json_str(FILE *f, const char *s) {
  if (!s) {
    fputs("null", f);
    return;
  }
  fputc('"', f);
  for (const unsigned char *p = (const unsigned char *)s; *p;) {
    unsigned cp;
    int n = cli_utf8_seq(p, &cp);
    if (n == 0) {
      fputs("\\ufffd", f);
      p++;
      continue;
    }
    switch (cp) {
    case '"':
      fputs("\\\"", f);
      break;
    case '\\':
      fputs("\\\\", f);
      break;
    case '\b':
      fputs("\\b", f);
      break;
    case '\f':
      fputs("\\f", f);
      break;
    case '\n':
      fputs("\\n", f);
      break;
    case '\r':
      fputs("\\r", f);
      break;
    case '\t':
      fputs("\\t", f);
      break;
    default:
      if (cp < 0x20 || cp == 0x7f || cp == 0x2028 || cp == 0x2029)
        fprintf(f, "\\u%04x", cp);
      else
        fwrite(p, 1, (size_t)n, f);
    }
    p += n;
  }
  fputc('"', f);
}

void json_time(FILE *f, cpor_time t) {
  char buf[40];
  if (t == CPOR_TIME_NONE || cli_format_time(t, buf, sizeof buf) != 0)
    fputs("null", f);
  else
    json_str(f, buf);
}

static const char *reason_or_null(int reason) {
  return reason == CPOR_REASON_NONE ? NULL : cpor_reason_name(reason);
}

void json_claim(FILE *f, const cpor_claim *c) {
  fputs("{\"id\":", f);
  json_str(f, cpor_claim_id(c));
  fputs(",\"name\":", f);
  json_str(f, cpor_claim_name(c));
  fputs(",\"state\":", f);
  json_str(f, cpor_state_name(cpor_claim_state(c)));
  fputs(",\"reason\":", f);
  json_str(f, reason_or_null(cpor_claim_reason(c)));
  fputs(",\"partner_id\":", f);
  json_str(f, cpor_claim_partner_id(c));
  fputs(",\"mpn_id\":", f);
  json_str(f, cpor_claim_mpn_id(c));
  fputs(",\"tenant_id\":", f);
  json_str(f, cpor_claim_tenant_id(c));
  fputs(",\"domain\":", f);
  json_str(f, cpor_claim_domain(c));
  fputs(",\"area\":", f);
  json_str(f, cpor_area_name(cpor_claim_area(c)));
  fputs(",\"activity\":", f);
  json_str(f, cpor_activity_name(cpor_claim_activity(c)));
  fputs(",\"lines\":[", f);
  for (size_t i = 0; i < cpor_claim_line_count(c); i++) {
    fputs(i ? ",{\"workload\":" : "{\"workload\":", f);
    json_str(f, cpor_claim_line_workload(c, i));
    fputs(",\"subscription_id\":", f);
    json_str(f, cpor_claim_line_subscription(c, i));
    fputs(",\"state\":", f);
    json_str(f, cpor_state_name(cpor_claim_line_state(c, i)));
    fputs(",\"reason\":", f);
    json_str(f, reason_or_null(cpor_claim_line_reason(c, i)));
    fputc('}', f);
  }
  fputs("],\"poe\":[", f);
  for (size_t i = 0; i < cpor_claim_poe_count(c); i++) {
    fputs(i ? ",{\"name\":" : "{\"name\":", f);
    json_str(f, cpor_claim_poe_name(c, i));
    fputs(",\"media_type\":", f);
    json_str(f, cpor_claim_poe_media_type(c, i));
    fputs(",\"sha256\":", f);
    json_str(f, cpor_claim_poe_sha256(c, i));
    fprintf(f, ",\"size\":%llu", (unsigned long long)cpor_claim_poe_size(c, i));
    fputs(",\"added_at\":", f);
    json_time(f, cpor_claim_poe_added_at(c, i));
    fputc('}', f);
  }
  fputs("],\"window_closes_at\":", f);
  json_time(f, cpor_claim_window_closes_at(c));
  fputs(",\"sla_due_at\":", f);
  json_time(f, cpor_claim_sla_due_at(c));
  fprintf(f, ",\"overdue\":%s", cpor_claim_overdue(c) ? "true" : "false");
  fprintf(f, ",\"contested\":%s", cpor_claim_contested(c) ? "true" : "false");
  fprintf(f, ",\"disputable\":%s", cpor_claim_disputable(c) ? "true" : "false");
  fputs(",\"info_reason\":", f);
  json_str(f, cpor_info_reason_name(cpor_claim_info_reason(c)));
  fputs(",\"removal_reason\":", f);
  json_str(f, cpor_removal_reason_name(cpor_claim_removal_reason(c)));
  cpor_policy p;
  if (cpor_claim_policy(c, &p)) {
    const cpor_window *w[] = {&p.optout,     &p.response, &p.review_start_sla,
                              &p.review_sla, &p.dispute,  &p.dispute_review_sla};
    static const char *const keys[] = {"optout",     "response", "review_start_sla",
                                       "review_sla", "dispute",  "dispute_review_sla"};
    fputs(",\"policy\":{", f);
    for (size_t i = 0; i < 6; i++)
      fprintf(f, "%s\"%s\":{\"count\":%d,\"unit\":\"%s\"}", i ? "," : "", keys[i], w[i]->count,
              w[i]->unit == CPOR_BUSINESS_DAYS ? "business" : "calendar");
    fputc('}', f);
  } else {
    fputs(",\"policy\":null", f);
  }
  fputs(",\"created_at\":", f);
  json_time(f, cpor_claim_created_at(c));
  fputs(",\"updated_at\":", f);
  json_time(f, cpor_claim_updated_at(c));
  fputs(",\"external_ref\":", f);
  json_str(f, cpor_claim_external_ref(c));
  fputs(",\"idempotency_key\":", f);
  json_str(f, cpor_claim_idempotency_key(c));
  fprintf(f, ",\"revision\":%llu", (unsigned long long)cpor_claim_revision(c));
  fputc('}', f);
}

void json_event(FILE *f, const cpor_event *e) {
  const char *org = cpor_event_actor_org(e);
  const char *role = cpor_role_name(cpor_event_actor_role(e));
  fprintf(f, "{\"seq\":%u,\"at\":", (unsigned)cpor_event_seq(e));
  json_time(f, cpor_event_at(e));
  /* actor as one "role:org:user" string, the same shape --as takes */
  const char *user = cpor_event_actor_user(e) ? cpor_event_actor_user(e) : "";
  role = role ? role : "?";
  org = org ? org : "";
  size_t n = strlen(role) + strlen(org) + strlen(user) + 3;
  char *actor = malloc(n);
  if (actor) snprintf(actor, n, "%s:%s:%s", role, org, user);
  fputs(",\"actor\":", f);
  json_str(f, actor ? actor : "?");
  free(actor);
  fputs(",\"kind\":", f);
  json_str(f, cpor_event_kind_name(cpor_event_kind(e)));
  fputs(",\"state\":", f);
  json_str(f, cpor_state_name(cpor_event_state(e)));
  fputs(",\"text\":", f);
  json_str(f, cpor_event_text(e));
  fputc('}', f);
}

void json_error(FILE *f, const char *code, const char *message) {
  fputs("{\"error\":{\"code\":", f);
  json_str(f, code);
  fputs(",\"message\":", f);
  json_str(f, message);
  fputs("}}", f);
}
