//go:build !linux || !cgo

package cmem

// Available reports whether InUse measures anything on this platform.
const Available = false

// InUse returns 0: no C heap statistics here.
func InUse() int64 { return 0 }
