package cpor

import (
	"runtime"
	"strconv"
)

// goid returns the calling goroutine's ID, parsed from the header of its
// stack trace ("goroutine 42 [running]:"). Go has no cheaper way; the
// binding asks only on paths that would otherwise deadlock (a contended
// Context lock while a clock callback or a Tx is active) and at Begin and
// at each ClockFunc call.
func goid() int64 {
	var buf [64]byte
	b := buf[:runtime.Stack(buf[:], false)]
	const prefix = "goroutine "
	if len(b) <= len(prefix) {
		return 0
	}
	b = b[len(prefix):]
	i := 0
	for i < len(b) && b[i] >= '0' && b[i] <= '9' {
		i++
	}
	id, err := strconv.ParseInt(string(b[:i]), 10, 64)
	if err != nil {
		return 0
	}
	return id
}
