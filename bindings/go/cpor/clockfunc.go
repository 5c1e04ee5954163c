package cpor

// #include <stdint.h>
// #include <stdlib.h>
// #include <cpor/cpor.h>
// extern int cporGoClock(void *user, cpor_time *out);
import "C"

import (
	"runtime/cgo"
	"time"
	"unsafe"
)

// cporGoClock is the cpor_clock_fn behind Options.ClockFunc. user points to
// a C slot holding the cgo.Handle of the Go function (a handle is an
// integer, so it travels through C memory, never as a Go pointer). A zero
// time or a panic fails the call that read the clock (ErrInvalid).
//
//export cporGoClock
func cporGoClock(user unsafe.Pointer, out *C.cpor_time) (rc C.int) {
	defer func() {
		if recover() != nil {
			rc = -1
		}
	}()
	f := cgo.Handle(*(*C.uintptr_t)(user)).Value().(func() time.Time)
	t := f()
	if t.IsZero() {
		return -1
	}
	*out = cTime(t)
	return 0
}

// goClock is a Go clock function registered with the C library.
type goClock struct {
	h    cgo.Handle
	slot *C.uintptr_t // C memory holding h
}

func newGoClock(f func() time.Time) *goClock {
	slot := (*C.uintptr_t)(C.malloc(C.size_t(unsafe.Sizeof(C.uintptr_t(0)))))
	if slot == nil {
		panic("cpor: out of memory")
	}
	h := cgo.NewHandle(f)
	*slot = C.uintptr_t(h)
	return &goClock{h: h, slot: slot}
}

func (g *goClock) set(o *C.cpor_ctx_options) {
	o.clock = C.cpor_clock_fn(C.cporGoClock)
	o.clock_user = unsafe.Pointer(g.slot)
}

func (g *goClock) free() {
	if g == nil {
		return
	}
	g.h.Delete()
	C.free(unsafe.Pointer(g.slot))
}
