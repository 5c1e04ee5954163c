// Package cpor is the Go binding of libcpor, a C library that models
// Microsoft Partner Center's Claiming Partner of Record (CPOR) customer
// associations: partners claim workloads or subscriptions of a customer
// tenant, a reviewer approves the proof of execution, the customer may opt
// out inside a window, and only then is the partner the partner of record.
//
// # Building
//
// The package uses cgo with `#cgo pkg-config: cpor`. Against an installed
// libcpor nothing needs to be set; against a meson build tree point
// pkg-config at the uninstalled .pc file and the loader at the library:
//
//	PKG_CONFIG_PATH=$BUILD/meson-uninstalled LD_LIBRARY_PATH=$BUILD/lib go test ./...
//
// [Open] refuses a loaded library older than 0.1.0 (cpor_version_number()
// below 100) with [ErrVersion].
//
// # Handles and lifetimes
//
// A [Context], [Calendar], [TimeZone] and [ManualClock] own a C handle. Call
// Close when done (Context, Calendar, TimeZone); a finalizer frees a handle
// that was never closed, as a backstop only. Records (Partner, Location,
// Customer, Tenant, Subscription, Workload, Claim, Event) are plain Go
// structs copied out of the library: the C handle is freed before the call
// returns, so they are safe to keep, copy and share.
//
// A Context keeps its ManualClock (or the handle of its ClockFunc)
// reachable for as long as it lives; a
// Calendar passed in Options may be closed right after Open (the library
// holds its own reference).
//
// # Errors
//
// Every failure is an *[Error] carrying the library's status code, its name
// ("CPOR_EDUPLICATE") and the context's message. Test the kind with
// errors.Is against the sentinels:
//
//	if errors.Is(err, cpor.ErrDuplicate) { ... }
//
// # Threads and goroutines
//
// libcpor keeps error detail per context (cpor_ctx_errmsg), never in a
// thread-local "last error", so the binding needs no runtime.LockOSThread:
// a goroutine may move between OS threads between (or even during) calls.
// The library requires that one context be used by one thread at a time;
// the binding enforces that with a mutex per Context, so a Context may be
// shared by goroutines, whose calls are then serialized. For parallel work
// open one Context per goroutine: several contexts may use one SQLite file
// at once (the SQLite backend waits up to its busy timeout, 5 s by default,
// for a lock). Calendars and time zones are immutable and may be shared
// freely. A ManualClock is not synchronized: do not Set or Advance it while
// another goroutine is calling a Context that reads it.
//
// # Time
//
// Instants are time.Time in and out (the library counts milliseconds since
// the Unix epoch, UTC; results are in UTC, and an unset instant is the zero
// time.Time). Civil dates are the [Date] type: days since 1970-01-01,
// proleptic Gregorian, with conversions to and from time.Time (UTC
// midnight) and "YYYY-MM-DD" strings.
package cpor
