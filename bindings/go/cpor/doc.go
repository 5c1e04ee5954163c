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
// A program built that way finds libcpor.so.1 at run time only through
// LD_LIBRARY_PATH, or through an rpath given at build time
// (CGO_LDFLAGS=-Wl,-rpath,$BUILD/lib). The README's "Use it from your own
// module" is the whole recipe, run by the test suite.
//
// [Open] refuses a loaded library older than 0.2.0 (cpor_version_number()
// below 200) with [ErrVersion].
//
// # Handles and lifetimes
//
// A [Context], [Calendar], [TimeZone] and [ManualClock] own a C handle. Call
// Close when done (Context, Calendar, TimeZone); a finalizer frees a handle
// that was never closed, as a backstop only. Any call after Close fails
// with [ErrClosed]. A Calendar or TimeZone may be closed while other
// goroutines use it: it is freed when the last call in flight returns. Records (Partner, Location,
// Customer, Tenant, Subscription, Workload, Claim, Event) are plain Go
// structs copied out of the library: the C handle is freed before the call
// returns, so they are safe to keep, copy and share.
//
// A Context keeps its ManualClock (or the handle of its ClockFunc)
// reachable for as long as it lives; a
// Calendar passed in Options may be closed right after Open (the library
// holds its own reference).
//
// # Memory
//
// The Go garbage collector sees only a few hundred bytes of a Context; the
// C memory behind it is invisible to it, so it feels no pressure to run the
// finalizers of forgotten Contexts. Measured (mallinfo2, amd64, see
// TestIssue14/ContextCMemory): a Context opened with Options.Calendar nil
// holds about 880 KB of C memory, almost all of it the lookup table of the
// "weekends" calendar it builds for itself (business-day prefix counts
// and the index of business days over the years the library tabulates,
// 1900-2200 by default); the context itself and an empty in-memory store
// take about 1.3 KB. Records stored in an in-memory store come on top.
// Close frees all of it at once. To open many Contexts, build one
// [Calendar] and pass it in Options: they share its table (each then
// holds about 1.3 KB).
//
// # Errors
//
// Every failure is an *[Error] carrying the library's status code, its name
// ("CPOR_EDUPLICATE") and the context's message. Test the kind with
// errors.Is against the sentinels:
//
//	if errors.Is(err, cpor.ErrDuplicate) { ... }
//
// The binding's own failures are [ErrClosed] (use after Close; code
// CPOR_EINVAL) and [ErrReentrant] (a call that would deadlock; code
// CPOR_ESTATE); each also matches the sentinel of its code. A string
// argument containing a NUL byte is ErrInvalid (C strings end at a NUL,
// so it would otherwise be cut short) and the library is not called.
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
// # Batches
//
// [Context.Begin] returns a [Tx]: the calls made through it share one
// storage transaction until [Tx.Commit] or [Tx.Rollback]. The batch belongs
// to the Tx: while it is open it holds the Context, and other goroutines'
// calls on the Context wait for it to end rather than join it. Tx embeds
// the Context's view that runs inside the batch, so every Context method is
// a Tx method:
//
//	tx, err := ctx.Begin()
//	if err != nil { ... }
//	defer tx.Rollback() // ErrClosed, ignored, after Commit
//	if err := tx.CreatePartner("fabrikam", "Fabrikam Ltd"); err != nil { ... }
//	err = tx.Commit()
//
// The goroutine holding a Tx that calls the Context itself (not the Tx)
// would wait for itself: that call fails with [ErrReentrant].
//
// # Callbacks
//
// Options.ClockFunc runs on the goroutine of the call that reads the clock,
// while that call holds the Context. A call on the same Context or its Tx
// from inside it, Close included, fails with [ErrReentrant] (another
// goroutine's call just waits its turn). A panic in it, panic(nil)
// included, is recovered before it reaches C: the call fails with a
// *[CallbackPanicError] holding the panic value and stack, and writes
// nothing.
//
// # Time
//
// Instants are time.Time in and out (the library counts milliseconds since
// the Unix epoch, UTC; results are in UTC, and an unset instant is the zero
// time.Time). Civil dates are the [Date] type: days since 1970-01-01,
// proleptic Gregorian, with conversions to and from time.Time (UTC
// midnight) and "YYYY-MM-DD" strings.
package cpor
