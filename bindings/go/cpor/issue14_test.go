package cpor_test

// Regression tests of issue 14 (the Go binding's safety): one subtest per
// item of the issue. The concurrency ones also run under -race
// (meson test go-race).

import (
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"example.invalid/libcpor/bindings/go/cpor"
	"example.invalid/libcpor/bindings/go/internal/cmem"
)

// The directory calls of these tests, in one place: the directory's
// signatures are about to take an actor.
func createPartner(c *cpor.Context, id, name string) error { return c.CreatePartner(ops, id, name) }

func partner(c *cpor.Context, id string) (cpor.Partner, error) { return c.Partner(ops, id) }

// within fails the test when f does not return within d: a deadlock is a
// failure, not a hung test run.
func within(t *testing.T, d time.Duration, what string, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	select {
	case <-done:
	case <-time.After(d):
		t.Fatalf("%s: still blocked after %v (deadlock)", what, d)
	}
}

// check is must for other goroutines than the test's (t.Error, not t.Fatal).
func check(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Error(err)
	}
}

func wantReentrant(t *testing.T, what string, err error) {
	t.Helper()
	if !errors.Is(err, cpor.ErrReentrant) {
		t.Errorf("%s: got %v, want ErrReentrant", what, err)
	}
	if !errors.Is(err, cpor.ErrState) {
		t.Errorf("%s: %v does not match ErrState (its code)", what, err)
	}
}

func TestIssue14(t *testing.T) {
	t.Run("ClockFuncReentryIsAnError", testClockReentry)
	t.Run("ClockFuncReentryInsideTx", testClockReentryTx)
	t.Run("ClockFuncOtherGoroutineWaits", testClockOtherGoroutine)
	t.Run("ClockFuncPanicNil", testPanicNil)
	t.Run("ClockFuncPanicValue", testPanicValue)
	t.Run("ClockFuncPanicError", testPanicError)
	t.Run("CalendarCloseWhileInUse", testCalendarClose)
	t.Run("TimeZoneCloseWhileInUse", testTimeZoneClose)
	t.Run("NULInStrings", testNUL)
	t.Run("NULInEveryContextMethod", testNULEveryMethod)
	t.Run("TxOwnsTheBatch", testTxOwnsBatch)
	t.Run("TxOwnerCallingContextIsAnError", testTxOwner)
	t.Run("TxCloseWaitsForTx", testCloseWaitsForTx)
	t.Run("TxAbandonedIsRolledBack", testTxAbandoned)
	t.Run("TxViewIsAContext", testTxView)
	t.Run("ContextCloseWhileInUse", testContextClose)
	t.Run("UseAfterClose", testUseAfterClose)
	t.Run("ContextCMemory", testContextMemory)
}

// A ClockFunc that calls its own Context: every such call fails with
// ErrReentrant at once (it used to deadlock), and the outer call succeeds.
func testClockReentry(t *testing.T) {
	var ctx *cpor.Context
	var reenter atomic.Bool
	var inner []error
	ctx, err := cpor.Open(cpor.Options{ClockFunc: func() time.Time {
		if reenter.Load() {
			_, err := ctx.Now()
			inner = append(inner, err)
			inner = append(inner, createPartner(ctx, "X", "from the clock"))
			_, err = ctx.Begin()
			inner = append(inner, err)
			inner = append(inner, ctx.Close())
		}
		return start
	}})
	must(t, err)
	defer ctx.Close()
	reenter.Store(true)
	within(t, 10*time.Second, "a call from inside the ClockFunc", func() {
		check(t, createPartner(ctx, "A", "Partner A"))
	})
	reenter.Store(false)
	eq(t, "inner calls", len(inner), 4)
	for i, err := range inner {
		wantReentrant(t, fmt.Sprintf("inner call %d", i), err)
	}
	// Close from the clock closed nothing; X was not created.
	p, err := partner(ctx, "A")
	must(t, err)
	eq(t, "partner", p.Name, "Partner A")
	_, err = partner(ctx, "X")
	wantErr(t, err, cpor.ErrNotFound)
}

func testClockReentryTx(t *testing.T) {
	var ctx *cpor.Context
	var tx *cpor.Tx
	var reenter atomic.Bool
	var inner []error
	ctx, err := cpor.Open(cpor.Options{ClockFunc: func() time.Time {
		if reenter.Load() {
			_, err := tx.Now()
			inner = append(inner, err)
			_, err = ctx.Now()
			inner = append(inner, err)
			inner = append(inner, tx.Commit(), tx.Rollback(), tx.Close())
		}
		return start
	}})
	must(t, err)
	defer ctx.Close()
	tx, err = ctx.Begin()
	must(t, err)
	reenter.Store(true)
	within(t, 10*time.Second, "a Tx call from inside the ClockFunc", func() {
		check(t, createPartner(tx.Context, "A", "Partner A"))
	})
	reenter.Store(false)
	eq(t, "inner calls", len(inner), 5)
	for i, err := range inner {
		wantReentrant(t, fmt.Sprintf("inner call %d", i), err)
	}
	must(t, tx.Commit())
	_, err = partner(ctx, "A")
	must(t, err)
}

// Only the goroutine inside the callback is refused: another goroutine's
// call waits for its turn and succeeds.
func testClockOtherGoroutine(t *testing.T) {
	entered := make(chan struct{})
	release := make(chan struct{})
	var block atomic.Bool
	ctx, err := cpor.Open(cpor.Options{ClockFunc: func() time.Time {
		if block.CompareAndSwap(true, false) {
			close(entered)
			<-release
		}
		return start
	}})
	must(t, err)
	defer ctx.Close()
	block.Store(true)
	first := make(chan error, 1)
	go func() { first <- createPartner(ctx, "A", "Partner A") }()
	<-entered
	second := make(chan error, 1)
	go func() { second <- createPartner(ctx, "B", "Partner B") }()
	select {
	case err := <-second:
		t.Fatalf("a second goroutine's call returned while the first was in the clock: %v", err)
	case <-time.After(100 * time.Millisecond):
	}
	close(release)
	within(t, 10*time.Second, "both calls", func() {
		check(t, <-first)
		check(t, <-second)
	})
}

// panicOpen opens a Context whose ClockFunc panics with v while armed.
func panicOpen(t *testing.T, v any) (*cpor.Context, *atomic.Bool) {
	t.Helper()
	var armed atomic.Bool
	ctx, err := cpor.Open(cpor.Options{ClockFunc: func() time.Time {
		if armed.Load() {
			panic(v)
		}
		return start
	}})
	must(t, err)
	t.Cleanup(func() { ctx.Close() })
	armed.Store(true)
	return ctx, &armed
}

// wantPanic checks that err is a *CallbackPanicError, that the call wrote
// nothing, and that the Context works again once the clock does.
func wantPanic(t *testing.T, ctx *cpor.Context, armed *atomic.Bool, err error) *cpor.CallbackPanicError {
	t.Helper()
	var pe *cpor.CallbackPanicError
	if !errors.As(err, &pe) {
		t.Fatalf("got %v, want a *cpor.CallbackPanicError", err)
	}
	eq(t, "callback", pe.Callback, "ClockFunc")
	if !strings.Contains(string(pe.Stack), "panic") {
		t.Errorf("no panic stack: %q", pe.Stack)
	}
	armed.Store(false)
	_, err = partner(ctx, "A")
	wantErr(t, err, cpor.ErrNotFound)
	must(t, createPartner(ctx, "A", "Partner A"))
	return pe
}

// panic(nil) recovers as nil in Go 1.19: the call used to succeed at
// 1970-01-01T00:00:00Z.
func testPanicNil(t *testing.T) {
	ctx, armed := panicOpen(t, nil)
	now, err := ctx.Now()
	if err == nil {
		t.Fatalf("panic(nil) in the clock: the call succeeded at %v", now)
	}
	armed.Store(true)
	err = createPartner(ctx, "A", "Partner A")
	pe := wantPanic(t, ctx, armed, err)
	if pe.Value != nil {
		if _, ok := pe.Value.(error); !ok { // Go 1.21+: *runtime.PanicNilError
			t.Errorf("value %#v, want nil", pe.Value)
		}
	}
}

func testPanicValue(t *testing.T) {
	ctx, armed := panicOpen(t, "boom")
	err := createPartner(ctx, "A", "Partner A")
	pe := wantPanic(t, ctx, armed, err)
	if pe.Value != "boom" {
		t.Errorf("value %#v, want \"boom\"", pe.Value)
	}
	if !strings.Contains(err.Error(), "boom") {
		t.Errorf("message %q", err)
	}
}

func testPanicError(t *testing.T) {
	myErr := errors.New("the time server is down")
	ctx, armed := panicOpen(t, myErr)
	err := createPartner(ctx, "A", "Partner A")
	if !errors.Is(err, myErr) {
		t.Errorf("errors.Is(%v, the panic's error) is false", err)
	}
	wantPanic(t, ctx, armed, err)
}

// hammer runs f on n goroutines until stop is closed; f returns an error
// that is not ErrClosed to fail.
func hammer(t *testing.T, n int, stop <-chan struct{}, f func() error) *sync.WaitGroup {
	var wg sync.WaitGroup
	for g := 0; g < n; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				if err := f(); err != nil {
					if !errors.Is(err, cpor.ErrClosed) {
						t.Error(err)
					}
					return
				}
				if i > 50 {
					select {
					case <-stop:
						return
					default:
					}
				}
			}
		}()
	}
	return &wg
}

// Closing a Calendar that other goroutines are using: their calls finish
// correctly or fail with ErrClosed (this used to crash).
func testCalendarClose(t *testing.T) {
	ref, err := cpor.BuiltinCalendar("us-federal")
	must(t, err)
	defer ref.Close()
	dates := make([]cpor.Date, 2000)
	for i := range dates {
		dates[i] = cpor.MustDate(2026, 1, 1) + cpor.Date(i)
	}
	want, err := ref.AddN(dates, 10)
	must(t, err)
	wantCount, err := ref.Count(dates[0], dates[len(dates)-1])
	must(t, err)
	for round := 0; round < 5; round++ {
		cal, err := cpor.BuiltinCalendar("us-federal")
		must(t, err)
		stop := make(chan struct{})
		wg := hammer(t, 4, stop, func() error {
			got, err := cal.AddN(dates, 10)
			if err != nil {
				return err
			}
			if got[len(got)-1] != want[len(want)-1] {
				return fmt.Errorf("AddN %v, want %v", got[len(got)-1], want[len(want)-1])
			}
			n, err := cal.Count(dates[0], dates[len(dates)-1])
			if err == nil && n != wantCount {
				return fmt.Errorf("Count %d, want %d", n, wantCount)
			}
			if err == nil {
				_, _, err = cal.Deadline(nil, start, 5)
			}
			if err == nil {
				_ = cal.Name()
				_, err = cal.IsBusinessDay(dates[7])
			}
			return err
		})
		time.Sleep(time.Duration(round) * time.Millisecond)
		must(t, cal.Close()) // while the goroutines still call it
		close(stop)
		wg.Wait()
		_, err = cal.Add(dates[0], 1)
		wantErr(t, err, cpor.ErrClosed)
	}
}

func testTimeZoneClose(t *testing.T) {
	cal, err := cpor.BuiltinCalendar("weekends")
	must(t, err)
	defer cal.Close()
	for round := 0; round < 5; round++ {
		tz, err := cpor.ParseTimeZone("PST8PDT,M3.2.0,M11.1.0")
		must(t, err)
		stop := make(chan struct{})
		wg := hammer(t, 4, stop, func() error {
			d, err := tz.LocalDate(start)
			if err != nil {
				return err
			}
			if d != cpor.MustDate(2026, 11, 2) {
				return fmt.Errorf("local date %v", d)
			}
			if _, err := tz.StartOfDay(d); err != nil {
				return err
			}
			if _, err := tz.Offset(start); err != nil {
				return err
			}
			_, _, err = cal.Deadline(tz, start, 5)
			return err
		})
		time.Sleep(time.Duration(round) * time.Millisecond)
		must(t, tz.Close()) // while the goroutines still call it
		close(stop)
		wg.Wait()
		_, err = tz.Offset(start)
		wantErr(t, err, cpor.ErrClosed)
		_, _, err = cal.Deadline(tz, start, 5)
		wantErr(t, err, cpor.ErrClosed)
	}
}

// A NUL inside any string argument is ErrInvalid, and nothing is written
// (C.CString used to cut the string at the NUL: "A\x00evil" became "A").
func testNUL(t *testing.T) {
	w := newWorld(t)
	claim := w.newClaim("A", "TEAMS")
	bad := func(s string) string { return s + "\x00evil" }
	withSpec := func(f func(*cpor.ClaimSpec)) cpor.ClaimSpec {
		s := spec("B", "EXCHANGE")
		f(&s)
		return s
	}
	cases := []struct {
		name string
		call func() error
	}{
		{"CreatePartner/id", func() error { return createPartner(w.ctx, bad("D"), "Partner D") }},
		{"CreatePartner/name", func() error { return createPartner(w.ctx, "D", bad("Partner D")) }},
		{"CreateClaim/name", func() error {
			_, err := w.ctx.CreateClaim(admin("B"), withSpec(func(s *cpor.ClaimSpec) { s.Name = bad("n") }))
			return err
		}},
		{"CreateClaim/line", func() error {
			_, err := w.ctx.CreateClaim(admin("B"), withSpec(func(s *cpor.ClaimSpec) {
				s.Lines = []cpor.Line{{Workload: bad("EXCHANGE")}}
			}))
			return err
		}},
		{"CreateClaim/actor", func() error {
			_, err := w.ctx.CreateClaim(cpor.PartnerActor(cpor.RoleIncentivesAdmin, "B", bad("u")), spec("B", "EXCHANGE"))
			return err
		}},
		{"EditClaim/contact", func() error {
			return w.ctx.EditClaim(admin("A"), claim, cpor.ClaimSpec{CustomerContactName: bad("Ann")})
		}},
		{"Comment/text", func() error { return w.ctx.Comment(admin("A"), claim, bad("hello")) }},
		{"Submit/claimID", func() error { return w.ctx.Submit(admin("A"), bad(claim)) }},
		{"FindClaims", func() error {
			_, err := w.ctx.FindClaims(reviewer, cpor.ClaimQuery{PartnerID: bad("A")})
			return err
		}},
		{"Open/DBPath", func() error {
			_, err := cpor.Open(cpor.Options{DBPath: bad(filepath.Join(t.TempDir(), "x.db"))})
			return err
		}},
		{"Open/TZ", func() error { _, err := cpor.Open(cpor.Options{TZ: bad("UTC0")}); return err }},
		{"ParseTimeZone", func() error { _, err := cpor.ParseTimeZone(bad("UTC0")); return err }},
		{"BuiltinCalendar", func() error { _, err := cpor.BuiltinCalendar(bad("weekends")); return err }},
		{"ParseCalendar", func() error { _, err := cpor.ParseCalendar(bad("weekend sat sun")); return err }},
		{"NewCalendar/Rules", func() error {
			_, err := cpor.NewCalendar(cpor.CalendarSpec{Rules: bad("weekend sat sun")})
			return err
		}},
		{"ParseDate", func() error { _, err := cpor.ParseDate("2026-01-01\x00junk"); return err }},
		{"Tx/CreatePartner", func() error {
			tx, err := w.ctx.Begin()
			must(t, err)
			defer tx.Rollback()
			return createPartner(tx.Context, bad("D"), "Partner D")
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := wantErr(t, c.call(), cpor.ErrInvalid)
			if !strings.Contains(e.Message, "NUL") {
				t.Errorf("message %q does not name the NUL", e.Message)
			}
		})
	}
	// Nothing was written under the cut names.
	_, err := partner(w.ctx, "D")
	wantErr(t, err, cpor.ErrNotFound)
	c := w.claim(claim)
	eq(t, "contact unchanged", c.CustomerContactName, "Ann")
	eq(t, "still editing", c.State, cpor.StateEditing)
	found, err := w.ctx.FindClaims(reviewer, cpor.ClaimQuery{PartnerID: "B"})
	must(t, err)
	eq(t, "no claim of B", len(found), 0)
}

// The batch belongs to the Tx: another goroutine's call on the Context
// waits for the Tx to end instead of joining (and being rolled back with)
// its batch.
func testTxOwnsBatch(t *testing.T) {
	ctx, err := cpor.Open(cpor.Options{})
	must(t, err)
	defer ctx.Close()
	tx, err := ctx.Begin()
	must(t, err)
	must(t, createPartner(tx.Context, "TX", "in the batch"))
	var ended atomic.Bool
	other := make(chan error, 1)
	go func() {
		err := createPartner(ctx, "OTHER", "another goroutine")
		if err == nil && !ended.Load() {
			err = errors.New("the call returned before the Tx ended")
		}
		other <- err
	}()
	select {
	case err := <-other:
		t.Fatalf("another goroutine's call did not wait for the Tx: %v", err)
	case <-time.After(100 * time.Millisecond):
	}
	must(t, createPartner(tx.Context, "TX2", "in the batch"))
	ended.Store(true)
	must(t, tx.Rollback())
	within(t, 10*time.Second, "the waiting call", func() { check(t, <-other) })
	_, err = partner(ctx, "OTHER")
	must(t, err) // not rolled back with the batch
	for _, id := range []string{"TX", "TX2"} {
		_, err = partner(ctx, id)
		wantErr(t, err, cpor.ErrNotFound)
	}
	// Many goroutines, each with its own Tx, never see each other's batch.
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 20; i++ {
				tx, err := ctx.Begin()
				if err != nil {
					t.Error(err)
					return
				}
				id := fmt.Sprintf("G%d-%d", g, i)
				if err := createPartner(tx.Context, id, id); err != nil {
					t.Error(err)
				}
				if i%2 == 0 {
					err = tx.Commit()
				} else {
					err = tx.Rollback()
				}
				if err != nil {
					t.Error(err)
				}
			}
		}(g)
	}
	wg.Wait()
	for g := 0; g < 4; g++ {
		for i := 0; i < 20; i++ {
			_, err := partner(ctx, fmt.Sprintf("G%d-%d", g, i))
			if (err == nil) != (i%2 == 0) {
				t.Errorf("G%d-%d: %v", g, i, err)
			}
		}
	}
}

// The goroutine holding a Tx that calls the Context itself would wait for
// itself: ErrReentrant instead.
func testTxOwner(t *testing.T) {
	ctx, err := cpor.Open(cpor.Options{})
	check(t, err)
	defer ctx.Close()
	within(t, 10*time.Second, "calls on the Context under its own Tx", func() {
		tx, err := ctx.Begin()
		if err != nil {
			t.Error(err)
			return
		}
		wantReentrant(t, "CreatePartner", createPartner(ctx, "A", "Partner A"))
		_, err = ctx.Begin()
		wantReentrant(t, "Begin", err)
		wantReentrant(t, "Close", ctx.Close())
		check(t, createPartner(tx.Context, "B", "Partner B"))
		check(t, tx.Commit())
	})
	must(t, createPartner(ctx, "A", "Partner A"))
	_, err = partner(ctx, "B")
	must(t, err)
}

func testCloseWaitsForTx(t *testing.T) {
	ctx, err := cpor.Open(cpor.Options{})
	must(t, err)
	tx, err := ctx.Begin()
	must(t, err)
	var committed atomic.Bool
	closed := make(chan error, 1)
	go func() {
		err := ctx.Close()
		if err == nil && !committed.Load() {
			err = errors.New("Close returned while the Tx was open")
		}
		closed <- err
	}()
	time.Sleep(50 * time.Millisecond)
	must(t, createPartner(tx.Context, "A", "Partner A"))
	committed.Store(true)
	must(t, tx.Commit())
	within(t, 10*time.Second, "Close", func() { check(t, <-closed) })
	_, err = partner(ctx, "A")
	wantErr(t, err, cpor.ErrClosed)
}

// An abandoned Tx is rolled back by its finalizer and releases the Context.
func testTxAbandoned(t *testing.T) {
	ctx, err := cpor.Open(cpor.Options{})
	must(t, err)
	defer ctx.Close()
	func() {
		tx, err := ctx.Begin()
		must(t, err)
		must(t, createPartner(tx.Context, "LOST", "never committed"))
	}()
	got := make(chan error, 1)
	go func() { _, err := partner(ctx, "LOST"); got <- err }()
	deadline := time.After(10 * time.Second)
	for {
		runtime.GC()
		select {
		case err := <-got:
			wantErr(t, err, cpor.ErrNotFound)
			return
		case <-deadline:
			t.Fatal("the abandoned Tx still holds the Context")
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// tx.Context is a *Context: code written against *Context runs inside the
// batch.
func testTxView(t *testing.T) {
	w := newWorld(t)
	tx, err := w.ctx.Begin()
	must(t, err)
	create := func(c *cpor.Context, p string) error {
		if err := createPartner(c, p, "Partner "+p); err != nil {
			return err
		}
		_, err := partner(c, p)
		return err
	}
	must(t, create(tx.Context, "7"))
	must(t, create(tx.Context, "8"))
	c, err := tx.CreateClaim(admin("A"), spec("A", "TEAMS"))
	must(t, err)
	got, err := tx.Claim(admin("A"), c.ID)
	must(t, err)
	eq(t, "claim in the batch", got.State, cpor.StateEditing)
	must(t, tx.Context.Close()) // ends the Tx: rolled back
	wantErr(t, tx.Commit(), cpor.ErrClosed)
	_, err = partner(w.ctx, "7")
	wantErr(t, err, cpor.ErrNotFound)
	_, err = w.ctx.Claim(admin("A"), c.ID)
	wantErr(t, err, cpor.ErrNotFound)
	must(t, createPartner(w.ctx, "7", "after the Tx"))
}

// Closing a Context that other goroutines are calling (with a ClockFunc):
// their calls finish or fail with ErrClosed.
func testContextClose(t *testing.T) {
	for round := 0; round < 5; round++ {
		ctx, err := cpor.Open(cpor.Options{ClockFunc: func() time.Time { return start }})
		must(t, err)
		must(t, createPartner(ctx, "A", "Partner A"))
		stop := make(chan struct{})
		wg := hammer(t, 4, stop, func() error {
			if _, err := ctx.Now(); err != nil {
				return err
			}
			_, err := partner(ctx, "A")
			return err
		})
		time.Sleep(time.Duration(round) * time.Millisecond)
		must(t, ctx.Close()) // while the goroutines still call it
		close(stop)
		wg.Wait()
		_, err = ctx.Now()
		wantErr(t, err, cpor.ErrClosed)
	}
}

func testUseAfterClose(t *testing.T) {
	ctx, err := cpor.Open(cpor.Options{})
	must(t, err)
	tx, err := ctx.Begin()
	must(t, err)
	must(t, tx.Commit())
	must(t, ctx.Close())
	calls := map[string]error{"CreatePartner": createPartner(ctx, "A", "A")}
	_, calls["Begin"] = ctx.Begin()
	_, calls["Advance"] = ctx.Advance()
	_, calls["Workloads"] = ctx.Workloads(ops)
	_, calls["Claim"] = ctx.Claim(reviewer, "x")
	calls["Tx.CreatePartner"] = createPartner(tx.Context, "A", "A")
	calls["Tx.Commit"] = tx.Commit()
	cal, err := cpor.BuiltinCalendar("weekends")
	must(t, err)
	must(t, cal.Close())
	must(t, cal.Close())
	_, calls["Calendar.Add"] = cal.Add(0, 1)
	_, calls["Calendar.AddN"] = cal.AddN([]cpor.Date{1}, 1)
	_, _, calls["Calendar.Deadline"] = cal.Deadline(nil, start, 1)
	_, calls["Open(Calendar)"] = cpor.Open(cpor.Options{Calendar: cal})
	tz, err := cpor.ParseTimeZone("UTC0")
	must(t, err)
	must(t, tz.Close())
	must(t, tz.Close())
	_, calls["TimeZone.LocalDate"] = tz.LocalDate(start)
	for name, err := range calls {
		if !errors.Is(err, cpor.ErrClosed) || !errors.Is(err, cpor.ErrInvalid) {
			t.Errorf("%s after Close: %v, want ErrClosed (code CPOR_EINVAL)", name, err)
		}
	}
	// ErrClosed is a kind: other CPOR_EINVAL errors are not ErrClosed.
	_, err = cpor.ParseTimeZone("Europe/Paris")
	if errors.Is(err, cpor.ErrClosed) || !errors.Is(err, cpor.ErrInvalid) {
		t.Errorf("a bad time zone: %v", err)
	}
}

// The C memory a Context holds (which the Go garbage collector cannot see),
// measured with mallinfo2: the numbers in the README and the package
// documentation. Close frees it; so does the finalizer, as a backstop.
func testContextMemory(t *testing.T) {
	if !cmem.Available {
		t.Skip("no C heap statistics on this platform")
	}
	const n = 20
	measure := func(open func() *cpor.Context) (per int64, ctxs []*cpor.Context) {
		runtime.GC()
		before := cmem.InUse()
		for i := 0; i < n; i++ {
			ctxs = append(ctxs, open())
		}
		return (cmem.InUse() - before) / n, ctxs
	}
	open := func(o cpor.Options) func() *cpor.Context {
		return func() *cpor.Context {
			ctx, err := cpor.Open(o)
			must(t, err)
			return ctx
		}
	}
	base := cmem.InUse()
	per, ctxs := measure(open(cpor.Options{}))
	t.Logf("C memory per Context, default calendar: %d bytes", per)
	if per < 400<<10 || per > 2<<20 {
		t.Errorf("a Context holds %d bytes of C memory; the documentation says about 0.9 MB", per)
	}
	for _, c := range ctxs {
		must(t, c.Close())
	}
	if left := cmem.InUse() - base; left > 64<<10 {
		t.Errorf("%d bytes of C memory left after Close", left)
	}

	cal, err := cpor.BuiltinCalendar("weekends")
	must(t, err)
	perShared, ctxs := measure(open(cpor.Options{Calendar: cal}))
	t.Logf("C memory per Context, shared calendar: %d bytes", perShared)
	if perShared > 16<<10 {
		t.Errorf("a Context with a shared calendar holds %d bytes", perShared)
	}
	for _, c := range ctxs {
		must(t, c.Close())
	}
	must(t, cal.Close())

	// Forgotten Contexts: the finalizers free them, eventually.
	base = cmem.InUse()
	_, ctxs = measure(open(cpor.Options{}))
	ctxs = nil
	for i := 0; i < 50 && cmem.InUse()-base > 64<<10; i++ {
		runtime.GC()
		time.Sleep(5 * time.Millisecond)
	}
	if left := cmem.InUse() - base; left > 64<<10 {
		t.Errorf("%d bytes of C memory left after the finalizers", left)
	}
}

// fillNUL sets every string reachable in v (fields, slice elements) to one
// with a NUL byte, and reports whether there was any.
func fillNUL(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.String:
		v.SetString("x\x00y")
		return true
	case reflect.Struct:
		any := false
		for i := 0; i < v.NumField(); i++ {
			if f := v.Field(i); f.CanSet() {
				any = fillNUL(f) || any
			}
		}
		return any
	case reflect.Slice:
		if v.Type().Elem().Kind() != reflect.String && v.Type().Elem().Kind() != reflect.Struct {
			return false
		}
		v.Set(reflect.MakeSlice(v.Type(), 1, 1))
		return fillNUL(v.Index(0))
	}
	return false
}

// Every method of *Context (and so of *Tx) that takes a string, directly or
// inside an argument, refuses a NUL byte with ErrInvalid rather than
// cutting the string or panicking: this covers methods added later too.
func testNULEveryMethod(t *testing.T) {
	w := newWorld(t)
	nulMethods(t, "Context", reflect.ValueOf(w.ctx))
	tx, err := w.ctx.Begin()
	must(t, err)
	defer tx.Rollback()
	nulMethods(t, "Tx", reflect.ValueOf(tx.Context))
}

func nulMethods(t *testing.T, recv string, v reflect.Value) {
	t.Helper()
	errType := reflect.TypeOf((*error)(nil)).Elem()
	tested := 0
	for i := 0; i < v.Type().NumMethod(); i++ {
		m := v.Type().Method(i)
		mt := m.Type // the receiver is argument 0
		args := []reflect.Value{v}
		hasString := false
		for j := 1; j < mt.NumIn(); j++ {
			a := reflect.New(mt.In(j)).Elem()
			if !(mt.IsVariadic() && j == mt.NumIn()-1) {
				hasString = fillNUL(a) || hasString
			}
			args = append(args, a)
		}
		if !hasString || mt.NumOut() == 0 || mt.Out(mt.NumOut()-1) != errType {
			continue
		}
		tested++
		name := recv + "." + m.Name
		var out []reflect.Value
		func() {
			defer func() {
				if r := recover(); r != nil {
					t.Errorf("%s with a NUL: panic %v", name, r)
				}
			}()
			if mt.IsVariadic() {
				out = m.Func.CallSlice(args)
			} else {
				out = m.Func.Call(args)
			}
		}()
		if out == nil {
			continue
		}
		err, _ := out[len(out)-1].Interface().(error)
		if !errors.Is(err, cpor.ErrInvalid) || !strings.Contains(err.Error(), "NUL") {
			t.Errorf("%s with a NUL: %v, want ErrInvalid naming the NUL", name, err)
		}
	}
	if tested < 20 {
		t.Errorf("%s: only %d methods with string arguments", recv, tested)
	}
	t.Logf("%s: %d methods refuse a NUL", recv, tested)
}
