#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

void test_ok(int rc, cpor_ctx *ctx, const char *what) {
  ck_assert_msg(rc == CPOR_OK, "%s: %s (%s)", what,
                cpor_status_name(rc) ? cpor_status_name(rc) : "?", ctx ? cpor_ctx_errmsg(ctx) : "");
}

const cpor_actor test_system = {CPOR_ACTOR_VERSION, CPOR_ROLE_SYSTEM, NULL, "setup"};

cpor_actor test_actor(int role, const char *org, const char *user) {
  cpor_actor a = CPOR_ACTOR_INIT;
  a.role = (uint32_t)role;
  a.org = org;
  a.user = user;
  return a;
}

void test_dbfile_make(test_dbfile *f, const char *tag) {
  snprintf(f->dir, sizeof f->dir, "/tmp/cpor-%s-XXXXXX", tag);
  ck_assert_ptr_nonnull(mkdtemp(f->dir));
  snprintf(f->path, sizeof f->path, "%s/cpor.db", f->dir);
}

void test_dbfile_remove(const test_dbfile *f) {
  const char *suffix[] = {"", "-wal", "-shm", "-journal"};
  char p[128];
  for (size_t i = 0; i < sizeof suffix / sizeof suffix[0]; i++) {
    snprintf(p, sizeof p, "%s%s", f->path, suffix[i]);
    unlink(p);
  }
  rmdir(f->dir);
}

int test_open_file_ctx(const char *path, cpor_manual_clock *clock, int busy_ms, cpor_ctx **out) {
  cpor_sqlite_options so = CPOR_SQLITE_OPTIONS_INIT;
  if (busy_ms >= 0) so.busy_timeout_ms = busy_ms;
  cpor_ctx_options o = CPOR_CTX_OPTIONS_INIT;
  o.db_path = path;
  o.sqlite = &so;
  o.clock = cpor_manual_clock_now;
  o.clock_user = clock;
  return cpor_ctx_open(out, &o);
}

cpor_claim_spec test_spec(const char *name, const char *mpn, const char *tenant, const char *domain,
                          int area, size_t nlines, const char *const *workloads) {
  cpor_claim_spec s = CPOR_CLAIM_SPEC_INIT;
  s.name = name;
  s.mpn_id = mpn;
  s.tenant_id = tenant;
  s.domain = domain;
  s.area = (uint32_t)area;
  s.activity = CPOR_ACTIVITY_USAGE;
  s.line_count = nlines;
  s.workloads = workloads;
  s.customer_contact_name = "Carol";
  s.customer_contact_title = "CIO";
  s.customer_contact_email = "carol@contoso.com";
  s.partner_contact_name = "Pat";
  s.partner_contact_email = "pat@partner.example";
  return s;
}
