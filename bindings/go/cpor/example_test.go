package cpor_test

import (
	"errors"
	"fmt"
	"log"
	"time"

	"example.invalid/libcpor/bindings/go/cpor"
)

// The README's example: one claim from creation to association.
func Example() {
	clock, err := cpor.NewManualClock(time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC))
	if err != nil {
		log.Fatal(err)
	}
	ctx, err := cpor.Open(cpor.Options{Clock: clock}) // in memory; DBPath: "cpor.db" for SQLite
	if err != nil {
		log.Fatal(err)
	}
	defer ctx.Close()

	const tenant = "0f8fad5b-d9cb-469f-a165-70867728950e"
	check := func(err error) {
		if err != nil {
			log.Fatal(err)
		}
	}
	ops := cpor.System() // directory calls take the actor first, like claim calls
	check(ctx.CreatePartner(ops, "fabrikam", "Fabrikam Ltd"))
	check(ctx.CreateLocation(ops, "fabrikam", "1234567", "Fabrikam HQ"))
	check(ctx.Enroll(ops, "1234567", cpor.ProgramOSUM365, true))
	customerID, err := ctx.CreateCustomer(ops, "Contoso")
	check(err)
	check(ctx.CreateTenant(ops, customerID, tenant, "contoso.onmicrosoft.com"))

	admin := cpor.PartnerActor(cpor.RoleIncentivesAdmin, "fabrikam", "alice")
	reviewer := cpor.Reviewer("rev1")
	claim, err := ctx.CreateClaim(admin, cpor.ClaimSpec{
		Name: "Teams rollout", MPNID: "1234567", TenantID: tenant, Domain: "contoso.onmicrosoft.com",
		Area: cpor.AreaM365, Activity: cpor.ActivityUsage,
		Lines:               []cpor.Line{{Workload: "TEAMS"}},
		CustomerContactName: "Ann", CustomerContactTitle: "CIO", CustomerContactEmail: "ann@contoso.com",
		PartnerContactName: "Pat", PartnerContactEmail: "pat@fabrikam.example",
	})
	check(err)
	check(ctx.AddPoE(admin, claim.ID, cpor.PoE{Name: "poe.pdf", MediaType: "application/pdf",
		SHA256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", Size: 52000}))
	check(ctx.Submit(admin, claim.ID))
	check(ctx.StartReview(reviewer, claim.ID))
	check(ctx.Approve(reviewer, claim.ID))

	claim, err = ctx.Claim(admin, claim.ID)
	check(err)
	fmt.Println(claim.State, "until", claim.WindowClosesAt.Format(time.RFC3339))

	// The same partner cannot claim the same workload twice.
	_, err = ctx.CreateClaim(admin, cpor.ClaimSpec{MPNID: "1234567", TenantID: tenant,
		Domain: "contoso.onmicrosoft.com", Area: cpor.AreaM365, Activity: cpor.ActivityUsage,
		Lines: []cpor.Line{{Workload: "TEAMS"}}})
	fmt.Println(errors.Is(err, cpor.ErrDuplicate))

	// The customer did not opt out: once the window closes, Advance associates.
	clock.Set(claim.WindowClosesAt)
	n, err := ctx.Advance()
	check(err)
	claim, err = ctx.Claim(admin, claim.ID)
	check(err)
	fmt.Println(n, claim.State)
	// Output:
	// APPROVED until 2026-11-10T00:00:00Z
	// true
	// 1 ASSOCIATED
}

func ExampleCalendar_Add() {
	cal, err := cpor.BuiltinCalendar("us-federal")
	if err != nil {
		log.Fatal(err)
	}
	defer cal.Close()
	next, err := cal.Add(cpor.MustDate(2026, time.November, 25), 1) // over Thanksgiving
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(next, next.Weekday())
	// Output: 2026-11-27 Friday
}
