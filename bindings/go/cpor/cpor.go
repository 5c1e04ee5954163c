package cpor

// #cgo pkg-config: cpor
// #include <stdlib.h>
// #include <cpor/cpor.h>
import "C"

import (
	"math"
	"time"
	"unsafe"
)

// MinVersion is the oldest library (cpor_version_number) that Open accepts.
const MinVersion = 100

// Version returns the loaded library's version number (MAJOR*10000 +
// MINOR*100 + PATCH) and string ("0.1.0").
func Version() (int, string) {
	return int(C.cpor_version_number()), C.GoString(C.cpor_version_string())
}

// timeNone is CPOR_TIME_NONE (INT64_MIN): an unset instant.
const timeNone = math.MinInt64

// goTime converts a cpor_time to a UTC time.Time; an unset instant is the
// zero time.Time.
func goTime(ms C.cpor_time) time.Time {
	if int64(ms) == timeNone {
		return time.Time{}
	}
	return time.UnixMilli(int64(ms)).UTC()
}

// cTime converts a time.Time to milliseconds since the epoch (truncated).
func cTime(t time.Time) C.cpor_time {
	return C.cpor_time(t.UnixMilli())
}

// cstrings collects C strings allocated for one call and frees them all.
type cstrings []unsafe.Pointer

// str returns a C copy of s, freed by free.
func (cs *cstrings) str(s string) *C.char {
	p := C.CString(s)
	*cs = append(*cs, unsafe.Pointer(p))
	return p
}

// opt is str, except that "" becomes NULL (an unset optional argument).
func (cs *cstrings) opt(s string) *C.char {
	if s == "" {
		return nil
	}
	return cs.str(s)
}

// array returns a malloc'd C array of n pointers, freed by free.
func (cs *cstrings) array(n int) []*C.char {
	p := C.malloc(C.size_t(n) * C.size_t(unsafe.Sizeof((*C.char)(nil))))
	if p == nil {
		panic("cpor: out of memory")
	}
	*cs = append(*cs, p)
	return unsafe.Slice((**C.char)(p), n)
}

func (cs *cstrings) free() {
	for _, p := range *cs {
		C.free(p)
	}
	*cs = nil
}
