/* A program built the way users build: only <cpor/cpor.h> and pkg-config. */
#include <cpor/cpor.h>
#include <stdio.h>
#include <string.h>

int main(void) {
  cpor_ctx *ctx = NULL;
  if (cpor_ctx_open(&ctx, NULL) != CPOR_OK) return 1;
  cpor_actor ops = CPOR_ACTOR_INIT; /* the operator writes reference data */
  ops.role = CPOR_ROLE_SYSTEM, ops.user = "ops";
  int rc = cpor_partner_create(ctx, &ops, "contoso", "Contoso");
  cpor_partner *p = NULL;
  if (rc == CPOR_OK) rc = cpor_partner_get(ctx, &ops, "contoso", &p);
  int ok = rc == CPOR_OK && strcmp(cpor_partner_name(p), "Contoso") == 0 &&
           cpor_version_number() == CPOR_VERSION_NUMBER;
  printf("%s %s\n", cpor_version_string(), ok ? "ok" : cpor_ctx_errmsg(ctx));
  cpor_partner_free(p);
  cpor_ctx_close(ctx);
  return ok ? 0 : 1;
}
