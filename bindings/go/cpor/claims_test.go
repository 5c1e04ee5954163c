package cpor_test

import (
	"errors"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"example.invalid/libcpor/bindings/go/cpor"
)

func TestDirectoryRecords(t *testing.T) {
	w := newWorld(t)
	p, err := w.ctx.Partner(ops, "A")
	must(t, err)
	eq(t, "partner", p, cpor.Partner{ID: "A", Name: "Partner A"})
	loc, err := w.ctx.Location(ops, mpn["A"])
	must(t, err)
	eq(t, "location partner", loc.PartnerID, "A")
	eq(t, "enrolled m365", loc.IsEnrolled(cpor.ProgramOSUM365), true)
	eq(t, "enrolled osa", loc.IsEnrolled(cpor.ProgramOSASell), false)
	cu, err := w.ctx.Customer(ops, w.customerID)
	must(t, err)
	eq(t, "customer name", cu.Name, "Contoso")
	must(t, w.ctx.AddDomain(ops, strings.ToUpper(tenant), "Contoso.com"))
	tn, err := w.ctx.Tenant(ops, "{"+strings.ToUpper(tenant)+"}")
	must(t, err)
	eq(t, "tenant id", tn.ID, tenant)
	if !reflect.DeepEqual(tn.Domains, []string{domain, "contoso.com"}) {
		t.Errorf("domains %v", tn.Domains)
	}
	wl, err := w.ctx.Workload(ops, "TEAMS")
	must(t, err)
	eq(t, "TEAMS area", wl.Area, cpor.AreaM365)
	eq(t, "TEAMS needs subscription", wl.NeedsSubscription, false)
	eq(t, "TEAMS builtin", wl.IsBuiltin, true)
	must(t, w.ctx.RegisterWorkload(ops, "VIVA_X", "Viva X", cpor.AreaM365, false))
	wantErr(t, w.ctx.RegisterWorkload(ops, "VIVA_X", "again", cpor.AreaM365, false), cpor.ErrExists)
	all, err := w.ctx.Workloads(ops)
	must(t, err)
	var codes []string
	for _, x := range all {
		codes = append(codes, x.Code)
	}
	if !sort.StringsAreSorted(codes) {
		t.Errorf("workloads not sorted: %v", codes)
	}
	for _, want := range []string{"D365_SALES", "TEAMS", "VIVA_X"} {
		if !contains(codes, want) {
			t.Errorf("%s not in %v", want, codes)
		}
	}
}

func contains(v []string, s string) bool {
	for _, x := range v {
		if x == s {
			return true
		}
	}
	return false
}

func TestHappyPath(t *testing.T) {
	w := newWorld(t)
	c, err := w.ctx.CreateClaim(admin("A"), spec("A", "TEAMS"))
	must(t, err)
	eq(t, "state", c.State, cpor.StateEditing)
	if !reflect.DeepEqual(c.Lines, []cpor.ClaimLine{{Workload: "TEAMS", State: cpor.StateEditing}}) {
		t.Errorf("lines %+v", c.Lines)
	}
	eq(t, "email", c.CustomerContactEmail, "ann@contoso.com")
	eq(t, "technical", c.TechnicalContactName, "")
	eq(t, "created", c.CreatedAt, start)
	eq(t, "partner", c.PartnerID, "A")
	poe := cpor.PoE{Name: "poe.pdf", MediaType: "application/pdf", SHA256: sha, Size: 1234}
	must(t, w.ctx.AddPoE(admin("A"), c.ID, poe))
	must(t, w.ctx.Comment(admin("A"), c.ID, "ready"))
	must(t, w.ctx.Submit(admin("A"), c.ID))
	eq(t, "submitted", w.state(c.ID), cpor.StateSubmitted)
	must(t, w.ctx.StartReview(reviewer, c.ID))
	must(t, w.ctx.Approve(reviewer, c.ID))
	got, err := w.ctx.Claim(admin("A"), c.ID)
	must(t, err)
	eq(t, "approved", got.State, cpor.StateApproved)
	if !reflect.DeepEqual(got.PoEs, []cpor.PoE{poe}) {
		t.Errorf("poes %+v", got.PoEs)
	}
	// 5 business days after Monday 2026-11-02: Monday 2026-11-09; closes at the next midnight.
	closes := time.Date(2026, 11, 10, 0, 0, 0, 0, time.UTC)
	eq(t, "window", got.WindowClosesAt, closes)
	w.clock.Advance(7*day + 13*time.Hour) // 2026-11-09 23:00: still open
	eq(t, "advance inside the window", w.advance(), 0)
	eq(t, "still approved", w.state(c.ID), cpor.StateApproved)
	w.clock.Set(closes)
	now, err := w.ctx.Now()
	must(t, err)
	eq(t, "now", now, closes)
	eq(t, "advance at the close", w.advance(), 1)
	eq(t, "idempotent", w.advance(), 0)
	eq(t, "associated", w.state(c.ID), cpor.StateAssociated)

	events, err := w.ctx.History(admin("A"), c.ID)
	must(t, err)
	kinds := map[cpor.EventKind]bool{}
	for i, e := range events {
		eq(t, "seq", e.Seq, uint32(i+1))
		kinds[e.Kind] = true
	}
	eq(t, "first event", events[0].Kind, cpor.EventCreated)
	eq(t, "first actor", events[0].Actor, admin("A"))
	eq(t, "last event", events[len(events)-1].Kind, cpor.EventAssociated)
	eq(t, "last state", events[len(events)-1].State, cpor.StateAssociated)
	for _, k := range []cpor.EventKind{cpor.EventPoEAdded, cpor.EventCommented, cpor.EventSubmitted,
		cpor.EventReviewStarted, cpor.EventApproved} {
		if !kinds[k] {
			t.Errorf("no %v event", k)
		}
	}
	eq(t, "kind name", cpor.EventReviewStarted.String(), "review_started")
	eq(t, "state name", cpor.StateUnderReview.String(), "UNDER_REVIEW")

	found, err := w.ctx.FindClaims(admin("A"), cpor.ClaimQuery{PartnerID: "A", State: cpor.StateAssociated})
	must(t, err)
	eq(t, "found", len(found), 1)
	eq(t, "found id", found[0].ID, c.ID)
	none, err := w.ctx.FindClaims(admin("A"), cpor.ClaimQuery{State: cpor.StateApproved})
	must(t, err)
	eq(t, "none approved", len(none), 0)
	unit, err := w.ctx.FindClaims(reviewer, cpor.ClaimQuery{TenantID: tenant, UnitWorkload: "TEAMS"})
	must(t, err)
	eq(t, "unit", len(unit), 1)
}

func TestEditClaim(t *testing.T) {
	w := newWorld(t)
	s := spec("A", "TEAMS")
	s.Name = "draft"
	c, err := w.ctx.CreateClaim(admin("A"), s)
	must(t, err)
	must(t, w.ctx.EditClaim(admin("A"), c.ID, cpor.ClaimSpec{
		Name:  "final",
		Lines: []cpor.Line{{Workload: "TEAMS"}, {Workload: "EXCHANGE"}},
	}, cpor.FieldCustomerContactTitle))
	got := w.claim(c.ID)
	eq(t, "name", got.Name, "final")
	eq(t, "lines", len(got.Lines), 2)
	eq(t, "line 2", got.Lines[1].Workload, "EXCHANGE")
	eq(t, "cleared title", got.CustomerContactTitle, "")
	eq(t, "kept name", got.CustomerContactName, "Ann")
}

func TestOptOut(t *testing.T) {
	w := newWorld(t)
	c := w.approved("A", "TEAMS")
	w.clock.Advance(day)
	must(t, w.ctx.OptOut(customer, c))
	got := w.claim(c)
	eq(t, "state", got.State, cpor.StateRejected)
	eq(t, "reason", got.Reason, cpor.ReasonCustomerDeclined)
	w.clock.Advance(30 * day)
	eq(t, "advance", w.advance(), 0)
	eq(t, "still rejected", w.state(c), cpor.StateRejected)
}

func TestOptOutRefusals(t *testing.T) {
	w := newWorld(t)
	c := w.approved("A", "TEAMS")
	other := cpor.CustomerAdmin("11111111-2222-3333-4444-555555555555", "x")
	wantErr(t, w.ctx.OptOut(other, c), cpor.ErrAccess)
	w.clock.Advance(8 * day)
	wantErr(t, w.ctx.OptOut(customer, c), cpor.ErrWindow)
	// Settled state: past the window the claim reads ASSOCIATED, advance or not.
	eq(t, "unchanged", w.state(c), cpor.StateAssociated)
}

func TestNoResponseAutoReject(t *testing.T) {
	w := newWorld(t)
	c := w.submitted("A", "TEAMS")
	must(t, w.ctx.StartReview(reviewer, c))
	must(t, w.ctx.RequestInfo(reviewer, c, cpor.InfoMissingProducts, "which users?"))
	got := w.claim(c)
	eq(t, "state", got.State, cpor.StatePartnerActionRequired)
	eq(t, "window", got.WindowClosesAt, time.Date(2026, 11, 10, 0, 0, 0, 0, time.UTC))
	w.clock.Set(got.WindowClosesAt)
	eq(t, "advance", w.advance(), 1)
	got = w.claim(c)
	eq(t, "rejected", got.State, cpor.StateRejected)
	eq(t, "reason", got.Reason, cpor.ReasonNoPartnerResponse)
	eq(t, "disputable", got.Disputable, true)
	must(t, w.ctx.Dispute(admin("A"), c, "we answered by mail"))
	eq(t, "disputed", w.state(c), cpor.StateDisputed)
	must(t, w.ctx.DecideDispute(reviewer, c, true, "granted"))
	eq(t, "back under review", w.state(c), cpor.StateUnderReview)
}

func TestRespondThenReject(t *testing.T) {
	w := newWorld(t)
	c := w.submitted("A", "TEAMS")
	must(t, w.ctx.StartReview(reviewer, c))
	must(t, w.ctx.RequestInfo(reviewer, c, cpor.InfoMissingProducts, "which users?"))
	w.clock.Advance(2 * day)
	must(t, w.ctx.Respond(admin("A"), c, "all of them"))
	eq(t, "state", w.state(c), cpor.StateUnderReview)
	must(t, w.ctx.Reject(reviewer, c, cpor.ReasonInsufficientPoE, "no consent screenshot"))
	eq(t, "reason", w.claim(c).Reason, cpor.ReasonInsufficientPoE)
	must(t, w.ctx.Dispute(admin("A"), c, "see the new PoE"))
	must(t, w.ctx.DecideDispute(reviewer, c, false, ""))
	got := w.claim(c)
	eq(t, "final", got.State, cpor.StateRejected)
	eq(t, "not disputable", got.Disputable, false)
}

func TestDisputeWindow(t *testing.T) {
	w := newWorld(t)
	c := w.submitted("A", "TEAMS")
	must(t, w.ctx.StartReview(reviewer, c))
	must(t, w.ctx.Reject(reviewer, c, cpor.ReasonPoEUnavailable, ""))
	w.clock.Advance(31 * day)
	wantErr(t, w.ctx.Dispute(admin("A"), c, "too late"), cpor.ErrWindow)
}

func TestWithdrawAndRemove(t *testing.T) {
	w := newWorld(t)
	c := w.submitted("A", "TEAMS")
	must(t, w.ctx.Withdraw(admin("A"), c))
	got := w.claim(c)
	eq(t, "withdrawn", got.State, cpor.StateRejected)
	eq(t, "reason", got.Reason, cpor.ReasonPartnerRequest)
	eq(t, "disputable", got.Disputable, false)
	d := w.approved("A", "EXCHANGE")
	w.clock.Advance(8 * day)
	w.advance()
	must(t, w.ctx.Remove(admin("A"), d, cpor.RemovalEngagementEnded, ""))
	got = w.claim(d)
	eq(t, "removed", got.State, cpor.StateEnded)
	eq(t, "reason", got.Reason, cpor.ReasonPartnerRemoved)
}

func TestArbitration(t *testing.T) {
	w := newWorld(t)
	a := w.approved("A", "TEAMS")
	w.clock.Advance(8 * day)
	eq(t, "A associates", w.advance(), 1)
	eq(t, "A", w.state(a), cpor.StateAssociated)
	b := w.submitted("B", "TEAMS")
	c := w.submitted("C", "TEAMS")
	gb, err := w.ctx.Claim(admin("B"), b)
	must(t, err)
	eq(t, "B contested", gb.Contested, true)
	must(t, w.ctx.StartReview(reviewer, b))
	must(t, w.ctx.StartReview(reviewer, c))
	rivals, err := w.ctx.Competitors(reviewer, b)
	must(t, err)
	ids := map[string]bool{}
	for _, r := range rivals {
		ids[r.ID] = true
	}
	eq(t, "B's competitors", len(rivals) == 2 && ids[a] && ids[c], true)
	_, err = w.ctx.Competitors(admin("B"), b)
	wantErr(t, err, cpor.ErrPermission)
	must(t, w.ctx.Approve(reviewer, b))
	gc, err := w.ctx.Claim(admin("C"), c)
	must(t, err)
	eq(t, "C", gc.State, cpor.StateRejected)
	eq(t, "C reason", gc.Reason, cpor.ReasonLostArbitration)
	eq(t, "A incumbent until B's window closes", w.state(a), cpor.StateAssociated)
	w.clock.Advance(8 * day)
	// "the number of claims that changed state": B associated and A superseded.
	if n := w.advance(); n != 2 {
		t.Errorf("advance: %d", n)
	}
	eq(t, "B", w.state(b), cpor.StateAssociated)
	ga, err := w.ctx.Claim(admin("A"), a)
	must(t, err)
	eq(t, "A ended", ga.State, cpor.StateEnded)
	eq(t, "A reason", ga.Reason, cpor.ReasonSuperseded)
	live, err := w.ctx.FindClaims(reviewer, cpor.ClaimQuery{TenantID: tenant, UnitWorkload: "TEAMS"})
	must(t, err)
	eq(t, "live", len(live), 1)
	eq(t, "live id", live[0].ID, b)
}

func TestOptOutKeepsIncumbent(t *testing.T) {
	w := newWorld(t)
	a := w.approved("A", "TEAMS")
	w.clock.Advance(8 * day)
	w.advance()
	b := w.approved("B", "TEAMS")
	must(t, w.ctx.OptOut(customer, b))
	w.clock.Advance(8 * day)
	w.advance()
	eq(t, "A", w.state(a), cpor.StateAssociated)
	eq(t, "B", w.state(b), cpor.StateRejected)
}

func TestRefusals(t *testing.T) {
	t.Run("duplicate", func(t *testing.T) {
		w := newWorld(t)
		w.submitted("A", "TEAMS")
		s := spec("A", "TEAMS")
		s.Name = "again"
		_, err := w.ctx.CreateClaim(admin("A"), s)
		e := wantErr(t, err, cpor.ErrDuplicate)
		eq(t, "code", e.Code, -8)
		eq(t, "name", e.Name, "CPOR_EDUPLICATE")
		if !strings.Contains(e.Message, "already claims TEAMS") {
			t.Errorf("message %q", e.Message)
		}
		if !strings.Contains(err.Error(), "CPOR_EDUPLICATE") {
			t.Errorf("Error() %q", err.Error())
		}
		if errors.Is(err, cpor.ErrExists) {
			t.Error("a duplicate is not ErrExists")
		}
		all, err := w.ctx.FindClaims(admin("A"), cpor.ClaimQuery{PartnerID: "A"})
		must(t, err)
		eq(t, "claims", len(all), 1)
	})
	t.Run("mismatch", func(t *testing.T) {
		w := newWorld(t)
		s := spec("A", "TEAMS")
		s.Domain = "fabrikam.com"
		_, err := w.ctx.CreateClaim(admin("A"), s)
		e := wantErr(t, err, cpor.ErrMismatch)
		if !strings.Contains(e.Message, "fabrikam.com") {
			t.Errorf("message %q", e.Message)
		}
	})
	t.Run("not enrolled", func(t *testing.T) {
		w := newWorld(t)
		must(t, w.ctx.Enroll(ops, mpn["A"], cpor.ProgramOSUM365, false))
		_, err := w.ctx.CreateClaim(admin("A"), spec("A", "TEAMS"))
		if err == nil {
			// the library may check enrollment at submission only
			id := w.newClaimNoCheck("A")
			must(t, w.ctx.AddPoE(admin("A"), id, cpor.PoE{Name: "p", MediaType: "application/pdf", SHA256: sha, Size: 1}))
			err = w.ctx.Submit(admin("A"), id)
		}
		wantErr(t, err, cpor.ErrNotEnrolled)
	})
	t.Run("incomplete", func(t *testing.T) {
		w := newWorld(t)
		c := w.newClaim("A", "TEAMS")
		e := wantErr(t, w.ctx.Submit(admin("A"), c), cpor.ErrIncomplete)
		if !strings.Contains(e.Message, "proof of execution") {
			t.Errorf("message %q", e.Message)
		}
		eq(t, "still editing", w.state(c), cpor.StateEditing)
	})
	t.Run("permission", func(t *testing.T) {
		w := newWorld(t)
		c := w.newClaim("A", "TEAMS")
		must(t, w.ctx.AddPoE(admin("A"), c, cpor.PoE{Name: "p.pdf", MediaType: "application/pdf", SHA256: sha, Size: 1}))
		intern := cpor.PartnerActor(cpor.RoleIncentivesUser, "A", "intern")
		wantErr(t, w.ctx.Submit(intern, c), cpor.ErrPermission)
		wantErr(t, w.ctx.Approve(admin("A"), c), cpor.ErrPermission)
		eq(t, "still editing", w.state(c), cpor.StateEditing)
	})
	t.Run("other partner sees nothing", func(t *testing.T) {
		w := newWorld(t)
		c := w.submitted("A", "TEAMS")
		_, err := w.ctx.Claim(admin("B"), c)
		wantErr(t, err, cpor.ErrNotFound)
		_, err = w.ctx.History(admin("B"), c)
		wantErr(t, err, cpor.ErrNotFound)
		wantErr(t, w.ctx.Withdraw(admin("B"), c), cpor.ErrNotFound)
		wantErr(t, w.ctx.Comment(admin("B"), c, "hi"), cpor.ErrNotFound)
		found, err := w.ctx.FindClaims(admin("B"), cpor.ClaimQuery{TenantID: tenant})
		must(t, err)
		eq(t, "B finds", len(found), 0)
		eq(t, "unchanged", w.state(c), cpor.StateSubmitted)
	})
	t.Run("state and arguments", func(t *testing.T) {
		w := newWorld(t)
		c := w.newClaim("A", "TEAMS")
		wantErr(t, w.ctx.Approve(reviewer, c), cpor.ErrState)
		wantErr(t, w.ctx.CreateLocation(ops, "A", "12x", "bad MPN"), cpor.ErrInvalid)
		wantErr(t, w.ctx.CreatePartner(ops, "A", "again"), cpor.ErrExists)
		_, err := w.ctx.Partner(ops, "nobody")
		wantErr(t, err, cpor.ErrNotFound)
		_, err = w.ctx.FindClaims(customer, cpor.ClaimQuery{})
		wantErr(t, err, cpor.ErrInvalid)
		// The reviewer may list every claim.
		if all, err := w.ctx.FindClaims(reviewer, cpor.ClaimQuery{}); err != nil || len(all) != 1 {
			t.Errorf("reviewer, no filter: %d claims, %v", len(all), err)
		}
		wantErr(t, w.ctx.EditClaim(admin("A"), c, cpor.ClaimSpec{}, cpor.Field(99)), cpor.ErrInvalid)
	})
}

func (w *world) newClaimNoCheck(p string) string {
	w.t.Helper()
	must(w.t, w.ctx.Enroll(ops, mpn[p], cpor.ProgramOSUM365, true))
	id := w.newClaim(p, "TEAMS")
	must(w.t, w.ctx.Enroll(ops, mpn[p], cpor.ProgramOSUM365, false))
	return id
}

func TestSubscriptionClaims(t *testing.T) {
	w := newWorld(t)
	sub := "9b2c1d3e-0000-4000-8000-000000000001"
	must(t, w.ctx.Enroll(ops, mpn["A"], cpor.ProgramOSUBizApps, true))
	must(t, w.ctx.CreateSubscription(ops, cpor.Subscription{ID: sub, TenantID: tenant, Workload: "D365_SALES",
		Channel: cpor.ChannelWebDirect, State: cpor.SubActive}))
	s, err := w.ctx.Subscription(ops, sub)
	must(t, err)
	eq(t, "subscription", s, cpor.Subscription{ID: sub, TenantID: tenant, Workload: "D365_SALES",
		Channel: cpor.ChannelWebDirect, State: cpor.SubActive})

	bad := spec("A", "TEAMS")
	bad.Activity = cpor.ActivityPresales
	_, err = w.ctx.CreateClaim(admin("A"), bad)
	wantErr(t, err, cpor.ErrActivity)

	biz := spec("A", "D365_SALES")
	biz.Area = cpor.AreaBizApps
	biz.Lines = []cpor.Line{{Workload: "D365_SALES", Subscription: sub}}
	biz.TechnicalContactName = "Tom"
	biz.TechnicalContactEmail = "tom@contoso.com"
	c, err := w.ctx.CreateClaim(admin("A"), biz)
	must(t, err)
	eq(t, "line subscription", c.Lines[0].Subscription, sub)
	eq(t, "area", c.Area, cpor.AreaBizApps)

	csp := "9b2c1d3e-0000-4000-8000-000000000002"
	must(t, w.ctx.CreateSubscription(ops, cpor.Subscription{ID: csp, TenantID: tenant, Workload: "D365_SALES",
		Channel: cpor.ChannelCSP, State: cpor.SubActive}))
	biz.Lines = []cpor.Line{{Workload: "D365_SALES", Subscription: csp}}
	_, err = w.ctx.CreateClaim(admin("A"), biz)
	wantErr(t, err, cpor.ErrSubscription)

	// an association ends with its subscription
	must(t, w.ctx.AddPoE(admin("A"), c.ID, cpor.PoE{Name: "p.pdf", MediaType: "application/pdf", SHA256: sha, Size: 9}))
	must(t, w.ctx.Submit(admin("A"), c.ID))
	must(t, w.ctx.StartReview(reviewer, c.ID))
	must(t, w.ctx.Approve(reviewer, c.ID))
	w.clock.Advance(8 * day)
	eq(t, "associates", w.advance(), 1)
	n, err := w.ctx.SetSubscriptionState(ops, sub, cpor.SubExpired)
	must(t, err)
	eq(t, "ended", n, 1)
	got := w.claim(c.ID)
	eq(t, "state", got.State, cpor.StateEnded)
	eq(t, "reason", got.Reason, cpor.ReasonSubscriptionEnded)
}

func TestOverdueAndEditStates(t *testing.T) {
	w := newWorld(t)
	c := w.submitted("A", "TEAMS")
	got := w.claim(c)
	// review start SLA: 5 business days after Monday 2026-11-02.
	eq(t, "sla", got.SLADueAt, time.Date(2026, 11, 10, 0, 0, 0, 0, time.UTC))
	eq(t, "not overdue", got.Overdue, false)
	must(t, w.ctx.EditClaim(admin("A"), c, cpor.ClaimSpec{PartnerContactName: "Pam"}))
	eq(t, "edited while submitted", w.claim(c).PartnerContactName, "Pam")
	w.clock.Set(got.SLADueAt)
	eq(t, "overdue", w.claim(c).Overdue, true)
	late, err := w.ctx.FindClaims(reviewer, cpor.ClaimQuery{Overdue: true})
	must(t, err)
	eq(t, "overdue query", len(late), 1)
	must(t, w.ctx.StartReview(reviewer, c))
	must(t, w.ctx.Approve(reviewer, c))
	wantErr(t, w.ctx.EditClaim(admin("A"), c, cpor.ClaimSpec{PartnerContactName: "Pia"}), cpor.ErrState)
	eq(t, "unchanged", w.claim(c).PartnerContactName, "Pam")
}

func TestCheckClaim(t *testing.T) {
	w := newWorld(t)
	d := w.newClaim("A", "TEAMS")
	probs, err := w.ctx.CheckClaim(admin("A"), d)
	must(t, err)
	if len(probs) != 1 || !errors.Is(probs[0].Err, cpor.ErrIncomplete) {
		t.Fatalf("a draft without PoE: %v", probs)
	}
	must(t, w.ctx.AddPoE(admin("A"), d, cpor.PoE{Name: "poe.pdf", MediaType: "application/pdf", SHA256: sha, Size: 1}))
	probs, err = w.ctx.CheckClaim(admin("A"), d)
	must(t, err)
	if len(probs) != 0 {
		t.Fatalf("a complete draft: %v", probs)
	}
	s := spec("A", "TEAMS")
	s.Domain = "nowhere.example.com"
	probs, err = w.ctx.CheckSpec(admin("A"), s)
	must(t, err)
	found := false
	for _, p := range probs {
		found = found || errors.Is(p.Err, cpor.ErrMismatch)
	}
	if !found {
		t.Fatalf("a foreign domain is a problem: %v", probs)
	}
	_, err = w.ctx.CheckClaim(reviewer, d)
	wantErr(t, err, cpor.ErrPermission)
}

func TestPolicyVariants(t *testing.T) {
	ctx, err := cpor.Open(cpor.Options{Policy: cpor.Policy{CustomerMayEnd: true, MaxDisputes: 2}})
	must(t, err)
	must(t, ctx.Close())
	_, err = cpor.Open(cpor.Options{Policy: cpor.Policy{MaxDisputes: 101}})
	wantErr(t, err, cpor.ErrInvalid)
}
