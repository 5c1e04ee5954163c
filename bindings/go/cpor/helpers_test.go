package cpor_test

import (
	"errors"
	"testing"
	"time"

	"example.invalid/libcpor/bindings/go/cpor"
)

// A small world: partners A, B, C (each one location enrolled in
// OSU-Microsoft 365) and a customer with one tenant, on a ManualClock; in
// memory, or in a fresh PostgreSQL schema (CPOR_TEST_BACKEND=postgres).
var (
	start    = time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC) // a Monday
	tenant   = "0f8fad5b-d9cb-469f-a165-70867728950e"
	domain   = "contoso.onmicrosoft.com"
	sha      = "abababababababababababababababababababababababababababababababab"
	reviewer = cpor.Reviewer("rev1")
	customer = cpor.CustomerAdmin(tenant, "cust-admin")
	ops      = cpor.System() // the operator: reference data
	mpn      = map[string]string{"A": "1000001", "B": "1000002", "C": "1000003"}
	day      = 24 * time.Hour
)

func admin(p string) cpor.Actor {
	return cpor.PartnerActor(cpor.RoleIncentivesAdmin, p, "admin@"+p)
}

type world struct {
	t          *testing.T
	ctx        *cpor.Context
	clock      *cpor.ManualClock
	customerID string
}

func newWorld(t *testing.T) *world {
	t.Helper()
	clock, err := cpor.NewManualClock(start)
	must(t, err)
	ctx, err := cpor.Open(cpor.Options{Clock: clock, DBPath: storePath(t)})
	must(t, err)
	t.Cleanup(func() { ctx.Close() })
	w := &world{t: t, ctx: ctx, clock: clock}
	for _, p := range []string{"A", "B", "C"} {
		must(t, ctx.CreatePartner(ops, p, "Partner "+p))
		must(t, ctx.CreateLocation(ops, p, mpn[p], p+" HQ"))
		must(t, ctx.Enroll(ops, mpn[p], cpor.ProgramOSUM365, true))
	}
	w.customerID, err = ctx.CreateCustomer(ops, "Contoso")
	must(t, err)
	must(t, ctx.CreateTenant(ops, w.customerID, tenant, domain))
	return w
}

func spec(p, workload string) cpor.ClaimSpec {
	return cpor.ClaimSpec{
		Name: "Teams rollout " + p, MPNID: mpn[p], TenantID: tenant, Domain: domain,
		Area: cpor.AreaM365, Activity: cpor.ActivityUsage,
		Lines:                []cpor.Line{{Workload: workload}},
		CustomerContactName:  "Ann",
		CustomerContactTitle: "CIO",
		CustomerContactEmail: "ann@contoso.com",
		PartnerContactName:   "Pat",
		PartnerContactEmail:  "pat@" + p + ".example",
	}
}

func (w *world) newClaim(p, workload string) string {
	w.t.Helper()
	c, err := w.ctx.CreateClaim(admin(p), spec(p, workload))
	must(w.t, err)
	return c.ID
}

func (w *world) submitted(p, workload string) string {
	w.t.Helper()
	id := w.newClaim(p, workload)
	must(w.t, w.ctx.AddPoE(admin(p), id, cpor.PoE{Name: "poe.pdf", MediaType: "application/pdf", SHA256: sha, Size: 1234}))
	must(w.t, w.ctx.Submit(admin(p), id))
	return id
}

func (w *world) approved(p, workload string) string {
	w.t.Helper()
	id := w.submitted(p, workload)
	must(w.t, w.ctx.StartReview(reviewer, id))
	must(w.t, w.ctx.Approve(reviewer, id))
	return id
}

func (w *world) claim(id string) cpor.Claim {
	w.t.Helper()
	c, err := w.ctx.Claim(reviewer, id)
	must(w.t, err)
	return c
}

func (w *world) state(id string) cpor.State { return w.claim(id).State }

func (w *world) advance() int {
	w.t.Helper()
	n, err := w.ctx.Advance()
	must(w.t, err)
	return n
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// wantErr checks that err is an *cpor.Error matching the sentinel.
func wantErr(t *testing.T, err error, target *cpor.Error) *cpor.Error {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("got %v, want %s", err, target.Name)
	}
	var e *cpor.Error
	if !errors.As(err, &e) {
		t.Fatalf("%v is not a *cpor.Error", err)
	}
	return e
}

func eq[T comparable](t *testing.T, what string, got, want T) {
	t.Helper()
	if got != want {
		t.Errorf("%s: got %v, want %v", what, got, want)
	}
}
