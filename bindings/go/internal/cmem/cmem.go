//go:build linux && cgo

// Package cmem measures the C heap of the process (glibc mallinfo2), for
// the binding's tests of how much C memory a Context holds: the Go garbage
// collector cannot see it.
package cmem

// #include <malloc.h>
import "C"

// Available reports whether InUse measures anything on this platform.
const Available = true

// InUse returns the bytes of C heap in use (malloc'd and not freed).
func InUse() int64 {
	m := C.mallinfo2()
	return int64(m.uordblks) + int64(m.hblkhd)
}
