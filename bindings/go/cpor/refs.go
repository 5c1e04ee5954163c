package cpor

import "sync/atomic"

// refs lets a handle be closed while other goroutines use it: each use
// holds a reference (acquire .. release), Close marks the handle closed,
// and the C object is freed exactly once, by whichever of Close and the
// last release comes last. After Close, acquire fails (ErrClosed).
type refs struct {
	n    atomic.Int64 // users in flight, plus closedBit once closed
	free func()       // frees the C object
}

const closedBit = 1 << 62

// acquire takes a reference; false when the handle is closed.
func (r *refs) acquire() bool {
	for {
		n := r.n.Load()
		if n&closedBit != 0 {
			return false
		}
		if r.n.CompareAndSwap(n, n+1) {
			return true
		}
	}
}

// release drops a reference taken by acquire.
func (r *refs) release() {
	if r.n.Add(-1) == closedBit {
		r.free()
	}
}

// close marks the handle closed; the C object is freed now when nobody
// uses it, else by the last release. Only the first close counts.
func (r *refs) close() {
	for {
		n := r.n.Load()
		if n&closedBit != 0 {
			return
		}
		if r.n.CompareAndSwap(n, n|closedBit) {
			if n == 0 {
				r.free()
			}
			return
		}
	}
}
