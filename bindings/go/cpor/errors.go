package cpor

// #include <cpor/cpor.h>
import "C"

import "fmt"

// Error is a failure reported by libcpor: the status code (negative), its
// name ("CPOR_EINVAL") and a message (the context's cpor_ctx_errmsg, or the
// code's static text when there is no context).
//
// errors.Is(err, ErrX) compares status codes, so a sentinel matches every
// Error with its code whatever the message.
type Error struct {
	Code    int
	Name    string
	Message string
}

func (e *Error) Error() string {
	if e.Message == "" {
		return "cpor: " + e.Name
	}
	return fmt.Sprintf("cpor: %s: %s", e.Name, e.Message)
}

// Is reports whether target is an *Error with the same code.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t != nil && e != nil && t.Code == e.Code
}

// Sentinels, one per status code, for errors.Is. Their Message is the
// code's static text (cpor_strerror).
var (
	ErrInvalid      = sentinel(C.CPOR_EINVAL)
	ErrNoMemory     = sentinel(C.CPOR_ENOMEM)
	ErrNotFound     = sentinel(C.CPOR_ENOTFOUND)
	ErrExists       = sentinel(C.CPOR_EEXISTS)
	ErrPermission   = sentinel(C.CPOR_EPERM)
	ErrAccess       = sentinel(C.CPOR_EACCES)
	ErrState        = sentinel(C.CPOR_ESTATE)
	ErrDuplicate    = sentinel(C.CPOR_EDUPLICATE)
	ErrWindow       = sentinel(C.CPOR_EWINDOW)
	ErrMismatch     = sentinel(C.CPOR_EMISMATCH)
	ErrIncomplete   = sentinel(C.CPOR_EINCOMPLETE)
	ErrActivity     = sentinel(C.CPOR_EACTIVITY)
	ErrNotEnrolled  = sentinel(C.CPOR_ENOTENROLLED)
	ErrSubscription = sentinel(C.CPOR_ESUBSCRIPTION)
	ErrStorage      = sentinel(C.CPOR_ESTORAGE)
	ErrCorrupt      = sentinel(C.CPOR_ECORRUPT)
	ErrVersion      = sentinel(C.CPOR_EVERSION)
	ErrNotSupported = sentinel(C.CPOR_ENOTSUP)
	ErrRange        = sentinel(C.CPOR_ERANGE)
)

func sentinel(code C.int) *Error {
	return codeError(code, "")
}

// codeError builds an Error for code; an empty message becomes the code's
// static text.
func codeError(code C.int, msg string) *Error {
	name := "CPOR_E" + fmt.Sprint(-int(code))
	if n := C.cpor_status_name(code); n != nil {
		name = C.GoString(n)
	}
	if msg == "" {
		msg = C.GoString(C.cpor_strerror(code))
	}
	return &Error{Code: int(code), Name: name, Message: msg}
}

// check turns a status of a context-free call into an error (nil for OK).
func check(rc C.int) error {
	if rc >= 0 {
		return nil
	}
	return codeError(rc, "")
}
