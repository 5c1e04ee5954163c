package cpor

// #cgo pkg-config: cpor
// #include <stdlib.h>
// #include <cpor/cpor.h>
import "C"

import (
	"math"
	"strconv"
	"strings"
	"time"
	"unsafe"
)

// MinVersion is the oldest library (cpor_version_number) that Open accepts.
const MinVersion = 200

// Version returns the loaded library's version number (MAJOR*10000 +
// MINOR*100 + PATCH) and string ("0.2.0").
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

// argError is thrown (panicked) by argument conversion (cstrings.str and
// friends) and caught by catchArg at the API boundary: Context.do, Open and
// the calendar and time-zone constructors. A conversion can then sit inside
// the expression that calls C, and the C call never happens. Convert
// inside the closure passed to Context.do (or defer catchArg yourself):
// TestIssue14/NULInEveryContextMethod calls every Context method with NUL
// strings and fails on a panic.
type argError struct{ err *Error }

// throwInvalid throws ErrInvalid with msg.
func throwInvalid(msg string) {
	panic(argError{codeError(C.CPOR_EINVAL, msg)})
}

// catchArg, deferred, turns a thrown argError into *err; any other panic
// goes on.
func catchArg(err *error) {
	if r := recover(); r != nil {
		a, ok := r.(argError)
		if !ok {
			panic(r)
		}
		*err = a.err
	}
}

// checkString is the one check every Go string passes before it becomes a
// C string: C.CString would silently cut it at a NUL byte, so a NUL is
// ErrInvalid instead.
func checkString(s string) {
	if i := strings.IndexByte(s, 0); i >= 0 {
		q := s
		if len(q) > 40 {
			q = q[:40] + "..."
		}
		throwInvalid("a string argument contains a NUL byte at offset " + strconv.Itoa(i) + ": " + strconv.Quote(q))
	}
}

// cstring is C.CString after checkString; the caller frees the result.
func cstring(s string) *C.char {
	checkString(s)
	return C.CString(s)
}

// str returns a C copy of s, freed by free. A NUL in s throws ErrInvalid
// (see argError).
func (cs *cstrings) str(s string) *C.char {
	p := cstring(s)
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
