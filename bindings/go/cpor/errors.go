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

	// kind marks the binding's own errors (ErrClosed, ErrReentrant): they
	// carry a library code too, but a sentinel with a kind matches only
	// errors of that kind.
	kind string
}

func (e *Error) Error() string {
	if e.Message == "" {
		return "cpor: " + e.Name
	}
	return fmt.Sprintf("cpor: %s: %s", e.Name, e.Message)
}

// Is reports whether target is an *Error with the same code; a target
// with a kind (ErrClosed, ErrReentrant) also needs the same kind.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t != nil && e != nil && t.Code == e.Code && (t.kind == "" || t.kind == e.kind)
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
	ErrConflict     = sentinel(C.CPOR_ECONFLICT)
)

// The binding's own failures. Each also matches the sentinel of its code,
// so code written against earlier versions keeps working.
var (
	// ErrClosed: a call on a Context, Tx, Calendar or TimeZone after its
	// Close (for a Tx: after Commit or Rollback). Code CPOR_EINVAL.
	ErrClosed = kindError(C.CPOR_EINVAL, "closed", "the handle is closed")
	// ErrReentrant: a call that would deadlock: a call on a Context (or
	// its Tx) from inside that Context's ClockFunc, or a call on a Context
	// from the goroutine that holds an open Tx on it (call through the Tx).
	// Code CPOR_ESTATE.
	ErrReentrant = kindError(C.CPOR_ESTATE, "reentrant", "the call would re-enter the context")
)

func kindError(code C.int, kind, msg string) *Error {
	e := codeError(code, msg)
	e.kind = kind
	return e
}

func closedError(msg string) *Error    { return kindError(C.CPOR_EINVAL, "closed", msg) }
func reentrantError(msg string) *Error { return kindError(C.CPOR_ESTATE, "reentrant", msg) }

// CallbackPanicError is the error of a call during which a Go callback
// (the Context's ClockFunc) panicked: the call fails, nothing is written,
// and the panic does not cross the C library. Value is what was passed to
// panic (nil for panic(nil)); Stack is the goroutine's stack at the panic.
type CallbackPanicError struct {
	Callback string // "ClockFunc"
	Value    any
	Stack    []byte
}

func (e *CallbackPanicError) Error() string {
	return fmt.Sprintf("cpor: %s panicked: %v", e.Callback, e.Value)
}

// Unwrap returns the panic value when it is an error.
func (e *CallbackPanicError) Unwrap() error {
	err, _ := e.Value.(error)
	return err
}

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
