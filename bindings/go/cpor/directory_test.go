package cpor_test

import (
	"strings"
	"testing"

	"example.invalid/libcpor/bindings/go/cpor"
)

// Directory calls take the actor first (DESIGN.md 1.4).
func TestDirectoryWritesNeedTheSystemOrOwnGlobalAdmin(t *testing.T) {
	w := newWorld(t)
	wantErr(t, w.ctx.CreatePartner(admin("A"), "Z", "Partner Z"), cpor.ErrPermission)
	wantErr(t, w.ctx.Enroll(admin("B"), mpn["A"], cpor.ProgramOSUM365, false), cpor.ErrPermission)
	wantErr(t, w.ctx.CreatePartner(customer, "Z", "Partner Z"), cpor.ErrPermission)
	ga := cpor.PartnerActor(cpor.RoleGlobalAdmin, "A", "ga@a")
	must(t, w.ctx.CreateLocation(ga, "A", "1000009", "A branch"))
	must(t, w.ctx.RenameLocation(ga, "1000009", "A north"))
	loc, err := w.ctx.Location(ga, "1000009")
	must(t, err)
	if loc.Name != "A north" {
		t.Fatalf("renamed location is %q", loc.Name)
	}
	other := wantErr(t, w.ctx.RenameLocation(ga, mpn["B"], "mine now"), cpor.ErrNotFound)
	unknown := wantErr(t, w.ctx.RenameLocation(ga, "9999999", "mine now"), cpor.ErrNotFound)
	if want := strings.ReplaceAll(unknown.Message, "9999999", mpn["B"]); other.Message != want {
		t.Fatalf("another partner's location says %q, an unknown one %q", other.Message, want)
	}
}

func TestDirectoryReadsAreFiltered(t *testing.T) {
	w := newWorld(t)
	ps, err := w.ctx.Partners(admin("B"))
	must(t, err)
	if len(ps) != 1 || ps[0].ID != "B" {
		t.Fatalf("partner B sees %v", ps)
	}
	ps, err = w.ctx.Partners(reviewer)
	must(t, err)
	if len(ps) != 3 || ps[0].ID != "A" || ps[2].ID != "C" {
		t.Fatalf("the reviewer sees %v", ps)
	}
	ls, err := w.ctx.Locations(admin("B"), "")
	must(t, err)
	if len(ls) != 1 || ls[0].MPNID != mpn["B"] {
		t.Fatalf("partner B's locations: %v", ls)
	}
	_, err = w.ctx.Locations(admin("A"), "B")
	wantErr(t, err, cpor.ErrNotFound)
	ts, err := w.ctx.Tenants(customer, "")
	must(t, err)
	if len(ts) != 1 || ts[0].ID != tenant {
		t.Fatalf("the customer's tenants: %v", ts)
	}
	cs, err := w.ctx.Customers(customer)
	must(t, err)
	if len(cs) != 1 || cs[0].ID != w.customerID {
		t.Fatalf("the customer's customers: %v", cs)
	}
	ts, err = w.ctx.Tenants(admin("A"), "")
	must(t, err)
	if len(ts) != 0 {
		t.Fatalf("a partner sees tenants %v", ts)
	}
	subs, err := w.ctx.Subscriptions(customer, tenant)
	must(t, err)
	if len(subs) != 0 {
		t.Fatalf("subscriptions %v", subs)
	}
	_, err = w.ctx.Partner(customer, "A")
	wantErr(t, err, cpor.ErrNotFound)
	if _, err = w.ctx.Workload(customer, "TEAMS"); err != nil {
		t.Fatal(err)
	}
}
