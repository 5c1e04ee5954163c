package cpor

// #include <stdlib.h>
// #include <cpor/cpor.h>
import "C"

import (
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"
)

// Window is a policy window: Count days (1..3650) of a unit.
type Window struct {
	Count int
	Unit  DayUnit
}

// Policy holds the windows of the claim lifecycle. In Options a zero Window
// keeps the library's default (shown in brackets).
type Policy struct {
	OptOut           Window // opt-out window after approval [5 business days]
	Response         Window // partner response to an info request [5 business days]
	ReviewStartSLA   Window // submitted -> review start [5 business days]
	ReviewSLA        Window // review decision [5 business days]
	Dispute          Window // dispute window after rejection [30 calendar days]
	DisputeReviewSLA Window // dispute review [5 business days]
	// Variants (recorded on each claim at submit, like the windows):
	// OptOutFromSubmission: the customer may opt out from submission on
	// (association still needs approval and the elapsed window);
	// CustomerMayEnd: the customer may end an official association at any
	// time (OptOut on an ASSOCIATED claim: ENDED, customer_declined);
	// MaxDisputes: disputes a claim may file, 1-100 [0 = 1].
	OptOutFromSubmission bool
	CustomerMayEnd       bool
	MaxDisputes          uint32
}

// SQLiteOptions tune the SQLite backend (Options.DBPath).
type SQLiteOptions struct {
	// How long to wait for another connection's lock before failing with
	// ErrStorage; 0 means the library default (5 s); a negative value
	// means fail at once.
	BusyTimeout     time.Duration
	SynchronousFull bool // PRAGMA synchronous=FULL instead of NORMAL
	ReadOnly        bool
}

// Options configure Open. The zero value is a fresh in-memory store, the
// system clock, the "weekends" calendar, the UTC0 time zone and the default
// policy.
type Options struct {
	// DBPath is a SQLite database file (created when missing), or a
	// PostgreSQL URL ("postgresql://..." or "postgres://..."); "" means a
	// fresh in-memory store owned by the Context.
	DBPath string
	SQLite *SQLiteOptions // for DBPath; nil = defaults
	// TZ is the policy's time zone as a POSIX TZ rule; "" means "UTC0".
	TZ string
	// Calendar counts business days; nil means the built-in "weekends". The
	// Context takes its own reference: the caller may Close it after Open.
	Calendar *Calendar
	// Clock is "now" for every call; nil means ClockFunc, else the system clock.
	Clock *ManualClock
	// ClockFunc, when Clock is nil, is called once per call on the Context
	// for "now" (on the calling goroutine, under the Context's mutex). A
	// call on the same Context (or its Tx) from inside it fails with
	// ErrReentrant. A zero time.Time fails the call with ErrInvalid; a
	// panic (even panic(nil)) fails it with a *CallbackPanicError holding
	// the panic value. A ClockFunc that refers to its Context keeps it
	// reachable (the finalizer cannot run): Close it.
	ClockFunc func() time.Time
	// Policy overrides windows; zero Windows keep the defaults.
	Policy Policy
}

// Context is a libcpor context: a store, a clock, a calendar, a time zone and
// a policy, and every operation on the directory and on claims.
//
// A Context may be shared by goroutines: its calls are serialized by a
// mutex (the library wants a context used by one thread at a time); open
// one Context per goroutine for parallel work. Begin returns a Tx that
// holds the Context until Commit or Rollback. Close it when done: it frees
// the C memory of the context (see the package documentation, "Memory");
// a finalizer closes a Context that was never closed, as a backstop only.
//
// The Context of a Tx (Tx.Context) is a view of the same context whose
// calls run inside the Tx's batch.
type Context struct {
	k  *ctxCore
	tx *txState // set on a Tx's view
}

// ctxCore is the C context and what guards it, shared by a Context and the
// views of its Txs. The finalizer sits here, so a Context dropped while a
// Tx still runs is not closed under it.
type ctxCore struct {
	// Held by one call at a time, or by an open Tx for its whole life.
	mu    sync.Mutex
	p     *C.cpor_ctx  // nil once closed
	clock *ManualClock // kept reachable: the C context reads it
	gofn  *goClock     // Options.ClockFunc (released by Close); set once, at Open
	// The goroutine that began the open Tx (0: none); read to refuse,
	// instead of deadlocking on, a call on the Context from that goroutine.
	txOwner atomic.Int64
}

func windowC(dst *C.cpor_window, w Window) {
	if w == (Window{}) {
		return
	}
	dst.count = C.int32_t(w.Count)
	dst.unit = C.uint32_t(w.Unit)
	if int(int32(w.Count)) != w.Count {
		dst.count = -1 // refused by the library as out of range
	}
}

// Open opens a Context. It fails with ErrVersion when the loaded library is
// older than MinVersion, ErrInvalid for a bad time zone or policy window,
// ErrStorage / ErrCorrupt / ErrVersion when DBPath cannot be used.
func Open(opts Options) (_ *Context, err error) {
	defer catchArg(&err)
	if v := int(C.cpor_version_number()); v < MinVersion {
		return nil, codeError(C.CPOR_EVERSION, fmt.Sprintf(
			"libcpor %s (%d) is loaded; this binding needs %d or later",
			C.GoString(C.cpor_version_string()), v, MinVersion))
	}
	var cs cstrings
	defer cs.free()
	var o C.cpor_ctx_options
	if err := check(C.cpor_ctx_options_init(&o, C.CPOR_CTX_OPTIONS_VERSION)); err != nil {
		return nil, err
	}
	// Everything the options point to lives in C memory: the struct itself
	// is Go memory holding only C pointers, which cgo allows.
	var sq *C.cpor_sqlite_options
	if opts.DBPath != "" {
		o.db_path = cs.str(opts.DBPath)
		if opts.SQLite != nil {
			sq = (*C.cpor_sqlite_options)(C.calloc(1, C.size_t(unsafe.Sizeof(C.cpor_sqlite_options{}))))
			cs = append(cs, unsafe.Pointer(sq))
			if err := check(C.cpor_sqlite_options_init(sq, C.CPOR_SQLITE_OPTIONS_VERSION)); err != nil {
				return nil, err
			}
			// C: 0 is the default (5000 ms), a negative value fails at once.
			switch bt := opts.SQLite.BusyTimeout; {
			case bt < 0:
				sq.busy_timeout_ms = -1
			case bt > 0:
				ms := bt.Milliseconds()
				if ms > 1<<31-1 {
					ms = 1<<31 - 1
				}
				if ms == 0 {
					ms = -1 // under a millisecond: no wait
				}
				sq.busy_timeout_ms = C.int32_t(ms)
			}
			if opts.SQLite.SynchronousFull {
				sq.synchronous_full = 1
			}
			if opts.SQLite.ReadOnly {
				sq.read_only = 1
			}
			o.sqlite = sq
		}
	}
	if opts.TZ != "" {
		o.tz = cs.str(opts.TZ)
	}
	if opts.Calendar != nil {
		if !opts.Calendar.r.acquire() {
			return nil, errCalendarClosed()
		}
		defer opts.Calendar.r.release()
		o.calendar = opts.Calendar.p
	}
	var gofn *goClock
	if opts.Clock != nil {
		o.clock = C.cpor_clock_fn(C.cpor_manual_clock_now)
		o.clock_user = unsafe.Pointer(opts.Clock.p)
	} else if opts.ClockFunc != nil {
		gofn = newGoClock(opts.ClockFunc)
		gofn.set(&o)
	}
	windowC(&o.policy.optout, opts.Policy.OptOut)
	windowC(&o.policy.response, opts.Policy.Response)
	windowC(&o.policy.review_start_sla, opts.Policy.ReviewStartSLA)
	windowC(&o.policy.review_sla, opts.Policy.ReviewSLA)
	windowC(&o.policy.dispute, opts.Policy.Dispute)
	windowC(&o.policy.dispute_review_sla, opts.Policy.DisputeReviewSLA)
	if opts.Policy.OptOutFromSubmission {
		o.optout_from = C.CPOR_OPTOUT_FROM_SUBMISSION
	}
	if opts.Policy.CustomerMayEnd {
		o.customer_may_end = 1
	}
	o.max_disputes = C.uint32_t(opts.Policy.MaxDisputes)
	const errLen = 512
	errbuf := (*C.char)(C.calloc(1, errLen))
	cs = append(cs, unsafe.Pointer(errbuf))
	o.errbuf = errbuf
	o.errbuf_len = errLen

	var p *C.cpor_ctx
	rc := C.cpor_ctx_open(&p, &o)
	runtime.KeepAlive(opts.Calendar)
	runtime.KeepAlive(opts.Clock)
	if rc < 0 {
		gofn.free()
		return nil, codeError(rc, C.GoString(errbuf))
	}
	k := &ctxCore{p: p, clock: opts.Clock, gofn: gofn}
	runtime.SetFinalizer(k, (*ctxCore).finalize)
	return &Context{k: k}, nil
}

// Close closes the context and frees its C memory. It first waits for the
// calls and the open Tx of other goroutines to end. It is safe to call more
// than once; later calls on the Context fail with ErrClosed. From inside
// the Context's ClockFunc, or from the goroutine holding an open Tx, it
// fails with ErrReentrant and closes nothing. On a Tx's Context, Close ends
// the Tx (see Tx.Close).
func (c *Context) Close() error {
	if c.tx != nil {
		return c.tx.end(c.k, false, true)
	}
	k := c.k
	if err := k.lock(); err != nil {
		return err
	}
	defer k.mu.Unlock()
	k.free()
	return nil
}

// free closes the C context; the caller holds mu.
func (k *ctxCore) free() {
	if k.p != nil {
		C.cpor_ctx_close(k.p)
		k.p = nil
		k.gofn.free() // k.gofn itself stays: lock reads it without mu
		k.clock = nil
	}
	runtime.SetFinalizer(k, nil)
}

// finalize is the backstop for a Context never closed. Nothing can hold mu
// here: a Tx keeps its core reachable.
func (k *ctxCore) finalize() {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.free()
}

func errContextClosed() error { return closedError("the context is closed") }

// lock takes the Context's mutex, or fails with ErrReentrant where waiting
// would never end: the calling goroutine is inside the Context's
// ClockFunc (its own call holds the mutex), or it holds an open Tx on the
// Context. Both are checked only when the mutex is taken, and a goroutine
// cannot change either state of its own while it waits, so another
// goroutine's call simply waits its turn.
func (k *ctxCore) lock() error {
	if k.mu.TryLock() {
		return nil
	}
	if k.gofn.active() || k.txOwner.Load() != 0 {
		id := goid()
		if k.gofn.inside(id) {
			return reentrantError("a call on the context from inside its own ClockFunc")
		}
		if id != 0 && k.txOwner.Load() == id {
			return reentrantError("this goroutine holds an open Tx on the context: " +
				"call through the Tx, or Commit or Rollback it first")
		}
	}
	k.mu.Lock()
	return nil
}

// call runs f on the C context (the caller holds mu, or the Tx that holds
// it) and turns the outcome into an error: an argument refused while f
// converted it (thrown, see argError), a panic of the ClockFunc, or a
// negative status with the context's message, read before anything else
// can touch the context.
func (k *ctxCore) call(f func(p *C.cpor_ctx) C.int) (err error) {
	if k.p == nil {
		return errContextClosed()
	}
	defer catchArg(&err)
	k.gofn.takePanic() // nothing left from an earlier call
	rc := f(k.p)
	if pe := k.gofn.takePanic(); pe != nil {
		err = pe
	} else if rc < 0 && rc != C.CPOR_ITEROVER {
		err = codeError(rc, C.GoString(C.cpor_ctx_errmsg(k.p)))
	}
	runtime.KeepAlive(k)
	return err
}

// do runs f on the C context: under the Context's mutex, or inside the Tx
// for a Tx's view.
func (c *Context) do(f func(p *C.cpor_ctx) C.int) error {
	if c.tx != nil {
		return c.tx.do(c.k, f)
	}
	k := c.k
	if err := k.lock(); err != nil {
		return err
	}
	defer k.mu.Unlock()
	return k.call(f)
}

// Now reads the context's clock.
func (c *Context) Now() (time.Time, error) {
	var t C.cpor_time
	err := c.do(func(p *C.cpor_ctx) C.int { return C.cpor_ctx_now(p, &t) })
	if err != nil {
		return time.Time{}, err
	}
	return goTime(t), nil
}

// Advance applies every timed transition due at the clock's now (opt-out
// window elapsed -> ASSOCIATED, superseding the incumbent; no partner
// response -> REJECTED) and returns the number of claims changed. It is
// idempotent.
func (c *Context) Advance() (int, error) {
	var n C.size_t
	err := c.do(func(p *C.cpor_ctx) C.int { return C.cpor_ctx_advance(p, &n) })
	return int(n), err
}
