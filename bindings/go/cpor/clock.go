package cpor

// #include <cpor/cpor.h>
import "C"

import (
	"runtime"
	"time"
)

// ManualClock is a settable clock for tests: pass it in Options.Clock and
// every call on the Context reads "now" from it. It is not synchronized: do
// not Set or Advance it while a Context that reads it is in a call on
// another goroutine.
//
// There is no Close: the clock is freed by a finalizer once neither the
// program nor any Context refers to it, so a Context can never outlive it.
type ManualClock struct {
	p *C.cpor_manual_clock
}

// NewManualClock returns a clock that reads start until it is changed.
func NewManualClock(start time.Time) (*ManualClock, error) {
	var p *C.cpor_manual_clock
	if err := check(C.cpor_manual_clock_new(&p, cTime(start))); err != nil {
		return nil, err
	}
	c := &ManualClock{p: p}
	runtime.SetFinalizer(c, func(c *ManualClock) { C.cpor_manual_clock_free(c.p) })
	return c, nil
}

// Now returns the clock's time.
func (c *ManualClock) Now() time.Time {
	t := goTime(C.cpor_manual_clock_get(c.p))
	runtime.KeepAlive(c)
	return t
}

// Set sets the clock to t (millisecond precision).
func (c *ManualClock) Set(t time.Time) {
	C.cpor_manual_clock_set(c.p, cTime(t))
	runtime.KeepAlive(c)
}

// Advance moves the clock by d (which may be negative; millisecond precision).
func (c *ManualClock) Advance(d time.Duration) {
	C.cpor_manual_clock_advance(c.p, C.int64_t(d.Milliseconds()))
	runtime.KeepAlive(c)
}
