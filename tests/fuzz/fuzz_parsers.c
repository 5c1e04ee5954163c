/* libFuzzer harness for the other parsers: calendar rule text, ISO dates,
 * and the identifier validators (GUID, domain, e-mail, MPN ID, SHA-256,
 * UTF-8 text). The first input byte picks the parser. A parser may refuse
 * (CPOR_EINVAL / CPOR_ERANGE) but must never crash, leak, or accept what it
 * then cannot use: an accepted calendar answers queries, an accepted date
 * formats back to the same text, a canonical GUID/domain re-validates. */
#include <stdlib.h>
#include <string.h>

#include "core/valid.h"
#include "cpor/calendar.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

static void rules(const char *text) {
  char err[128];
  cpor_calendar *cal = NULL;
  int rc = cpor_calendar_parse(text, &cal, err, sizeof err);
  if (rc != CPOR_OK) {
    if (rc != CPOR_EINVAL && rc != CPOR_ERANGE && rc != CPOR_ENOMEM) abort();
    if (rc == CPOR_EINVAL && strncmp(err, "line ", 5) != 0) abort();
    return;
  }
  cpor_date d = 20000, out;
  int64_t n;
  for (int32_t k = -3; k <= 3; k++) {
    int r = cpor_calendar_add_business_days(cal, d, k, &out);
    if (r != CPOR_OK && r != CPOR_ERANGE) abort();
    if (r == CPOR_OK && k > 0 && cpor_calendar_count_business_days(cal, d, out, &n) == CPOR_OK &&
        cpor_calendar_is_business_day(cal, d) == 1 && n != k)
      abort();
  }
  cpor_calendar_unref(cal);
}

static void date(const char *text) {
  cpor_date d;
  if (cpor_date_parse(text, &d) != CPOR_OK) return;
  char buf[16];
  if (cpor_date_format(d, buf, sizeof buf) != CPOR_OK || strcmp(buf, text) != 0) abort();
}

static void ids(const char *text) {
  char guid[CPOR_GUID_LEN + 1], again[CPOR_GUID_LEN + 1], dom[254], dom2[254], sha[65];
  if (cpor__guid_canon(text, guid) == CPOR_OK &&
      (cpor__guid_canon(guid, again) != CPOR_OK || strcmp(guid, again) != 0))
    abort();
  if (cpor__domain_canon(text, dom) == CPOR_OK &&
      (cpor__domain_canon(dom, dom2) != CPOR_OK || strcmp(dom, dom2) != 0))
    abort();
  cpor__valid_email(text);
  cpor__valid_mpn(text);
  cpor__valid_partner_id(text);
  cpor__valid_workload_code(text);
  cpor__sha256_canon(text, sha);
  cpor__valid_text(text, 4000, 1);
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size) {
  if (size < 1 || size > 65536) return 0;
  char *text = malloc(size);
  memcpy(text, data + 1, size - 1);
  text[size - 1] = 0;
  switch (data[0] % 3) {
  case 0:
    rules(text);
    break;
  case 1:
    date(text);
    break;
  default:
    ids(text);
    break;
  }
  free(text);
  return 0;
}
