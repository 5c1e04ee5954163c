package cpor

// #include <stdint.h>
// #include <stdlib.h>
// #include <cpor/cpor.h>
// extern int cporGoClock(void *user, cpor_time *out);
import "C"

import (
	"runtime/cgo"
	"runtime/debug"
	"sync/atomic"
	"time"
	"unsafe"
)

// cporGoClock is the cpor_clock_fn behind Options.ClockFunc. user points to
// a C slot holding the cgo.Handle of the goClock (a handle is an integer,
// so it travels through C memory, never as a Go pointer).
//
// While f runs, g holds the calling goroutine's ID: a call on the same
// Context from inside f finds the Context's lock taken, sees that it is
// the goroutine in the callback, and fails with ErrReentrant instead of
// waiting for itself. A zero time or a panic fails the call that read the
// clock; a panic is kept in panicked and becomes that call's error. The
// completed flag, not recover's result, tells a panic from a return:
// recover() is nil after panic(nil) in Go 1.19.
//
//export cporGoClock
func cporGoClock(user unsafe.Pointer, out *C.cpor_time) (rc C.int) {
	g := cgo.Handle(*(*C.uintptr_t)(user)).Value().(*goClock)
	g.g.Store(goid())
	defer g.g.Store(0)
	completed := false
	defer func() {
		if !completed {
			g.panicked = &CallbackPanicError{Callback: "ClockFunc", Value: recover(), Stack: debug.Stack()}
			rc = -1
		}
	}()
	t := g.f()
	completed = true
	if t.IsZero() {
		return -1
	}
	*out = cTime(t)
	return 0
}

// goClock is a Go clock function registered with the C library. It holds
// no reference to its Context (the handle keeps it alive until free).
type goClock struct {
	f    func() time.Time
	h    cgo.Handle
	slot *C.uintptr_t // C memory holding h
	g    atomic.Int64 // the goroutine inside f, 0 when none
	// The panic of the current call; written and read under the
	// Context's lock (the callback runs inside a call that holds it).
	panicked *CallbackPanicError
}

func newGoClock(f func() time.Time) *goClock {
	slot := (*C.uintptr_t)(C.malloc(C.size_t(unsafe.Sizeof(C.uintptr_t(0)))))
	if slot == nil {
		panic("cpor: out of memory")
	}
	g := &goClock{f: f, slot: slot}
	g.h = cgo.NewHandle(g)
	*slot = C.uintptr_t(g.h)
	return g
}

func (g *goClock) set(o *C.cpor_ctx_options) {
	o.clock = C.cpor_clock_fn(C.cporGoClock)
	o.clock_user = unsafe.Pointer(g.slot)
}

// inside reports whether goroutine id is inside the callback.
func (g *goClock) inside(id int64) bool {
	return g != nil && id != 0 && g.g.Load() == id
}

// active reports whether any goroutine is inside the callback.
func (g *goClock) active() bool { return g != nil && g.g.Load() != 0 }

// takePanic returns and clears the panic recorded during the last call.
func (g *goClock) takePanic() *CallbackPanicError {
	if g == nil {
		return nil
	}
	p := g.panicked
	g.panicked = nil
	return p
}

func (g *goClock) free() {
	if g == nil {
		return
	}
	g.h.Delete()
	C.free(unsafe.Pointer(g.slot))
}
