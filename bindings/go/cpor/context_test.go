package cpor_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"

	"example.invalid/libcpor/bindings/go/cpor"
)

func TestVersion(t *testing.T) {
	n, s := cpor.Version()
	if n < cpor.MinVersion || s == "" {
		t.Fatalf("version %d %q", n, s)
	}
}

func TestErrorsIs(t *testing.T) {
	sentinels := []*cpor.Error{cpor.ErrInvalid, cpor.ErrNoMemory, cpor.ErrNotFound, cpor.ErrExists,
		cpor.ErrPermission, cpor.ErrAccess, cpor.ErrState, cpor.ErrDuplicate, cpor.ErrWindow,
		cpor.ErrMismatch, cpor.ErrIncomplete, cpor.ErrActivity, cpor.ErrNotEnrolled,
		cpor.ErrSubscription, cpor.ErrStorage, cpor.ErrCorrupt, cpor.ErrVersion,
		cpor.ErrNotSupported, cpor.ErrRange}
	for i, s := range sentinels {
		eq(t, s.Name+" code", s.Code, -(i + 1))
		if s.Message == "" || s.Name == "" {
			t.Errorf("sentinel %d: %+v", i, s)
		}
		wrapped := fmt.Errorf("wrapped: %w", &cpor.Error{Code: s.Code, Name: s.Name, Message: "detail"})
		if !errors.Is(wrapped, s) {
			t.Errorf("%s: errors.Is through a wrap", s.Name)
		}
		for j, o := range sentinels {
			if i != j && errors.Is(s, o) {
				t.Errorf("%s is %s", s.Name, o.Name)
			}
		}
	}
	eq(t, "ErrWindow", cpor.ErrWindow.Name, "CPOR_EWINDOW")
	if errors.Is(errors.New("other"), cpor.ErrInvalid) {
		t.Error("a foreign error matched")
	}
}

func TestOpenOptions(t *testing.T) {
	_, err := cpor.Open(cpor.Options{TZ: "Mars/Olympus"})
	e := wantErr(t, err, cpor.ErrInvalid)
	if e.Message == "" {
		t.Error("no message")
	}
	_, err = cpor.Open(cpor.Options{Policy: cpor.Policy{OptOut: cpor.Window{Count: -1, Unit: cpor.CalendarDays}}})
	wantErr(t, err, cpor.ErrInvalid)
	_, err = cpor.Open(cpor.Options{Policy: cpor.Policy{OptOut: cpor.Window{Count: 4000, Unit: cpor.CalendarDays}}})
	wantErr(t, err, cpor.ErrInvalid)

	// Seven calendar days of opt-out (the "Manage" page), in Pacific time,
	// with the us-federal calendar; the calendar may be closed after Open.
	cal, err := cpor.BuiltinCalendar("us-federal")
	must(t, err)
	clock, err := cpor.NewManualClock(start)
	must(t, err)
	ctx, err := cpor.Open(cpor.Options{
		TZ: "PST8PDT,M3.2.0,M11.1.0", Calendar: cal, Clock: clock,
		Policy: cpor.Policy{OptOut: cpor.Window{Count: 7, Unit: cpor.CalendarDays}},
	})
	must(t, err)
	defer ctx.Close()
	cal.Close()
	w := &world{t: t, ctx: ctx, clock: clock}
	for _, p := range []string{"A"} {
		must(t, ctx.CreatePartner(ops, p, "Partner "+p))
		must(t, ctx.CreateLocation(ops, p, mpn[p], p+" HQ"))
		must(t, ctx.Enroll(ops, mpn[p], cpor.ProgramOSUM365, true))
	}
	w.customerID, err = ctx.CreateCustomer(ops, "Contoso")
	must(t, err)
	must(t, ctx.CreateTenant(ops, w.customerID, tenant, domain))
	c := w.approved("A", "TEAMS")
	// approved Monday 2026-11-02 02:00 PST; 7 calendar days: 2026-11-09; closes 2026-11-10 00:00 PST.
	eq(t, "opt-out window", w.claim(c).WindowClosesAt, time.Date(2026, 11, 10, 8, 0, 0, 0, time.UTC))
	got := w.claim(c)
	// review SLA is unset once approved
	eq(t, "sla", got.SLADueAt.IsZero(), true)
}

func TestCloseTwiceAndUseAfterClose(t *testing.T) {
	ctx, err := cpor.Open(cpor.Options{})
	must(t, err)
	must(t, ctx.CreatePartner(ops, "A", "Partner A"))
	must(t, ctx.Close())
	must(t, ctx.Close())
	wantErr(t, ctx.CreatePartner(ops, "B", "Partner B"), cpor.ErrClosed)
	wantErr(t, ctx.CreatePartner(ops, "B", "Partner B"), cpor.ErrInvalid) // its code, as before
	_, err = ctx.Now()
	wantErr(t, err, cpor.ErrClosed)
}

func TestSystemClock(t *testing.T) {
	ctx, err := cpor.Open(cpor.Options{})
	must(t, err)
	defer ctx.Close()
	before := time.Now().Add(-time.Second)
	now, err := ctx.Now()
	must(t, err)
	if now.Before(before) || now.After(time.Now().Add(time.Second)) {
		t.Errorf("now %v", now)
	}
}

func TestBatches(t *testing.T) {
	ctx, err := cpor.Open(cpor.Options{})
	must(t, err)
	defer ctx.Close()
	tx, err := ctx.Begin()
	must(t, err)
	_, err = tx.Begin()
	wantErr(t, err, cpor.ErrState) // batches do not nest
	must(t, tx.CreatePartner(ops, "A", "Partner A"))
	wantErr(t, tx.CreatePartner(ops, "A", "again"), cpor.ErrExists) // the batch goes on
	must(t, tx.CreatePartner(ops, "B", "Partner B"))
	must(t, tx.Rollback())
	wantErr(t, tx.Rollback(), cpor.ErrClosed)
	wantErr(t, tx.Commit(), cpor.ErrClosed)
	_, err = ctx.Partner(ops, "A")
	wantErr(t, err, cpor.ErrNotFound)
	tx, err = ctx.Begin()
	must(t, err)
	must(t, tx.CreatePartner(ops, "A", "Partner A"))
	must(t, tx.Commit())
	wantErr(t, tx.CreatePartner(ops, "C", "after the end"), cpor.ErrClosed)
	must(t, tx.Close()) // harmless once ended
	_, err = ctx.Partner(ops, "A")
	must(t, err)
}

// Finalizers as a backstop: contexts, calendars and clocks dropped without
// Close are freed by the garbage collector without crashing; a context keeps
// its clock alive.
func TestFinalizers(t *testing.T) {
	var ctxs []*cpor.Context
	for i := 0; i < 50; i++ {
		clock, err := cpor.NewManualClock(start)
		must(t, err)
		cal, err := cpor.BuiltinCalendar("us-federal")
		must(t, err)
		ctx, err := cpor.Open(cpor.Options{Clock: clock, Calendar: cal})
		must(t, err)
		if i%2 == 0 {
			ctxs = append(ctxs, ctx) // kept: the clock must stay valid
		}
		tz, err := cpor.ParseTimeZone("CET-1CEST,M3.5.0,M10.5.0/3")
		must(t, err)
		_ = tz
	}
	for i := 0; i < 3; i++ {
		runtime.GC()
	}
	for _, ctx := range ctxs {
		now, err := ctx.Now()
		must(t, err)
		eq(t, "clock alive", now, start)
	}
	ctxs = nil
	runtime.GC()
	runtime.GC()
}

// One Context per goroutine on one SQLite file: every goroutine's records
// are there afterwards, seen from a fresh Context.
func TestConcurrentSQLite(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cpor.db")
	const workers, claimsEach = 4, 5
	workloads := []string{"TEAMS", "EXCHANGE", "SHAREPOINT", "ONEDRIVE", "INTUNE"}
	{
		// Create the schema once, so the goroutines race on data only.
		ctx, err := cpor.Open(cpor.Options{DBPath: path})
		if err != nil {
			t.Fatalf("open SQLite %s: %v", path, err)
		}
		for _, code := range workloads {
			if _, err := ctx.Workload(ops, code); err != nil {
				t.Fatalf("workload %s: %v", code, err)
			}
		}
		must(t, ctx.Close())
	}
	ids := make([][]string, workers)
	errs := make(chan error, workers)
	var wg sync.WaitGroup
	for g := 0; g < workers; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			errs <- func() error {
				clock, err := cpor.NewManualClock(start)
				if err != nil {
					return err
				}
				ctx, err := cpor.Open(cpor.Options{DBPath: path, Clock: clock})
				if err != nil {
					return err
				}
				defer ctx.Close()
				p := fmt.Sprintf("P%d", g)
				m := fmt.Sprintf("20000%02d", g)
				ten := fmt.Sprintf("00000000-0000-4000-8000-%012d", g+1)
				if err := ctx.CreatePartner(ops, p, "Partner "+p); err != nil {
					return err
				}
				if err := ctx.CreateLocation(ops, p, m, p+" HQ"); err != nil {
					return err
				}
				if err := ctx.Enroll(ops, m, cpor.ProgramOSUM365, true); err != nil {
					return err
				}
				cust, err := ctx.CreateCustomer(ops, "Customer "+p)
				if err != nil {
					return err
				}
				dom := fmt.Sprintf("tenant%d.onmicrosoft.com", g)
				if err := ctx.CreateTenant(ops, cust, ten, dom); err != nil {
					return err
				}
				actor := cpor.PartnerActor(cpor.RoleGlobalAdmin, p, "ga")
				for i := 0; i < claimsEach; i++ {
					c, err := ctx.CreateClaim(actor, cpor.ClaimSpec{
						Name: fmt.Sprintf("%s claim %d", p, i), MPNID: m, TenantID: ten, Domain: dom,
						Area: cpor.AreaM365, Activity: cpor.ActivityUsage,
						Lines:                []cpor.Line{{Workload: workloads[i]}},
						CustomerContactName:  "Ann",
						CustomerContactTitle: "CIO",
						CustomerContactEmail: "ann@example.com",
						PartnerContactName:   "Pat",
						PartnerContactEmail:  "pat@example.com",
					})
					if err != nil {
						return fmt.Errorf("%s claim %d: %w", p, i, err)
					}
					if err := ctx.AddPoE(actor, c.ID, cpor.PoE{Name: "p.pdf", MediaType: "application/pdf", SHA256: sha, Size: 1}); err != nil {
						return err
					}
					if err := ctx.Submit(actor, c.ID); err != nil {
						return err
					}
					ids[g] = append(ids[g], c.ID)
				}
				return nil
			}()
		}(g)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatal(err)
	}
	ctx, err := cpor.Open(cpor.Options{DBPath: path})
	must(t, err)
	defer ctx.Close()
	total := 0
	for g := 0; g < workers; g++ {
		p := fmt.Sprintf("P%d", g)
		if _, err := ctx.Partner(ops, p); err != nil {
			t.Errorf("partner %s: %v", p, err)
		}
		loc, err := ctx.Location(ops, fmt.Sprintf("20000%02d", g))
		must(t, err)
		eq(t, "location owner", loc.PartnerID, p)
		found, err := ctx.FindClaims(reviewer, cpor.ClaimQuery{PartnerID: p})
		must(t, err)
		eq(t, p+" claims", len(found), claimsEach)
		for i, c := range found {
			eq(t, "state", c.State, cpor.StateSubmitted)
			if !contains(ids[g], c.ID) {
				t.Errorf("%s: unexpected claim %d %s", p, i, c.ID)
			}
		}
		total += len(found)
	}
	submitted, err := ctx.FindClaims(reviewer, cpor.ClaimQuery{State: cpor.StateSubmitted})
	must(t, err)
	eq(t, "all submitted", len(submitted), total)
	eq(t, "total", total, workers*claimsEach)
}

// A Context shared by goroutines: calls are serialized by its mutex.
func TestSharedContext(t *testing.T) {
	ctx, err := cpor.Open(cpor.Options{})
	must(t, err)
	defer ctx.Close()
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 50; i++ {
				id := fmt.Sprintf("G%d-%d", g, i)
				if err := ctx.CreatePartner(ops, id, id); err != nil {
					t.Error(err)
					return
				}
				if err := ctx.CreatePartner(ops, id, id); !errors.Is(err, cpor.ErrExists) {
					t.Errorf("%s twice: %v", id, err)
					return
				}
			}
		}(g)
	}
	wg.Wait()
	p, err := ctx.Partner(ops, "G7-49")
	must(t, err)
	eq(t, "last", p.Name, "G7-49")
}

func TestOpenSQLiteFailures(t *testing.T) {
	dir := t.TempDir()
	_, err := cpor.Open(cpor.Options{DBPath: filepath.Join(dir, "missing", "cpor.db")})
	e := wantErr(t, err, cpor.ErrStorage)
	if e.Message == "" {
		t.Error("no message")
	}
	junk := filepath.Join(dir, "junk.db")
	must(t, os.WriteFile(junk, []byte("this is not a database, not at all, no header here......"), 0o600))
	_, err = cpor.Open(cpor.Options{DBPath: junk})
	wantErr(t, err, cpor.ErrCorrupt)

	path := filepath.Join(dir, "cpor.db")
	ctx, err := cpor.Open(cpor.Options{DBPath: path, SQLite: &cpor.SQLiteOptions{
		BusyTimeout: 2 * time.Second, SynchronousFull: true}})
	must(t, err)
	must(t, ctx.CreatePartner(ops, "A", "Partner A"))
	must(t, ctx.Close())
	ro, err := cpor.Open(cpor.Options{DBPath: path, SQLite: &cpor.SQLiteOptions{ReadOnly: true}})
	must(t, err)
	defer ro.Close()
	p, err := ro.Partner(ops, "A")
	must(t, err)
	eq(t, "read back", p.Name, "Partner A")
	wantErr(t, ro.CreatePartner(ops, "B", "Partner B"), cpor.ErrStorage)
}

func TestClockFunc(t *testing.T) {
	now := start
	ctx, err := cpor.Open(cpor.Options{ClockFunc: func() time.Time { return now }})
	must(t, err)
	defer ctx.Close()
	got, err := ctx.Now()
	must(t, err)
	eq(t, "now", got, start)
	now = start.Add(time.Hour)
	got, err = ctx.Now()
	must(t, err)
	eq(t, "later", got, start.Add(time.Hour))
	now = time.Time{}
	_, err = ctx.Now()
	wantErr(t, err, cpor.ErrInvalid)
	wantErr(t, ctx.CreatePartner(ops, "A", "Partner A"), cpor.ErrInvalid)
	panicky, err := cpor.Open(cpor.Options{ClockFunc: func() time.Time { panic("no clock") }})
	must(t, err)
	_, err = panicky.Now()
	var pe *cpor.CallbackPanicError
	if !errors.As(err, &pe) || pe.Value != "no clock" {
		t.Errorf("a panicking clock: got %v, want a *CallbackPanicError", err)
	}
	must(t, panicky.Close())
	now = start
	must(t, ctx.CreatePartner(ops, "A", "Partner A"))
	// A failed Open releases the function's handle too.
	_, err = cpor.Open(cpor.Options{TZ: "nope", ClockFunc: func() time.Time { return now }})
	wantErr(t, err, cpor.ErrInvalid)
}
