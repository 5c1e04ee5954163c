"""The Context: storage, clock, calendar, time zone, policy, and every operation.

Ownership and lifetimes:

* A ``Context`` owns one ``cpor_ctx`` (and, through it, its SQLite or
  in-memory store). ``close()`` / ``with`` frees it; a ``weakref.finalize``
  frees it when the Context is collected. Any call after ``close()`` raises
  ValueError. Closing rolls back an open batch.
* The Context keeps its ``calendar`` and its ``clock`` (a ManualClock or a
  Python callable) alive while it is open.
* Records returned (Claim, Partner, ...) are snapshots: see ``cpor.model``.
* Iterators returned by ``find_claims``, ``history``, ``competitors`` and
  ``workloads`` own a C iterator and keep the Context alive; they are freed
  when exhausted, on ``close()``, when collected, or when the Context is
  closed (iterating a closed iterator raises ValueError).
* Neither a Context nor its iterators can be copied or pickled (TypeError).

Threads: a Context may be shared by threads; its calls are serialized by
one lock per Context (the C library and its SQLite connection are used by
one thread at a time). ``close()`` waits for a call in progress; each
``next()`` of an iterator holds the lock. A callback (the clock) that calls,
iterates or closes the Context that invoked it raises ``ReentrancyError``,
which the outer call raises too. For parallelism, open one Context per
thread on the same database: separate Contexts never wait for each other
in Python. A batch (``begin``/``batch()``) belongs to the Context, not to a
thread: calls of other threads made during it are part of it.

Errors: every failing call raises the ``CporError`` subclass for its status
code with ``cpor_ctx_errmsg`` as the message. Arguments are checked before
any C call: ``TypeError`` for a wrong type, ``OverflowError`` for an int
outside its C type, ``ValueError`` for a negative size or count, for a NUL
character in a string or bytes, and for a naive datetime.
"""

import collections
import contextlib
import ctypes
import datetime as _dt
import os
import weakref
from ctypes import byref, c_char_p, c_int, c_int64, c_size_t, c_uint32, c_uint64, c_void_p
from typing import (Any, Callable, Iterable, Iterator, List, Optional, Tuple, TypeVar,
                    Union)

from . import _convert as cv
from . import _lib
from ._handle import Guard, Handle, NoCopy
from ._lib import lib, text, untext
from .calendar import Calendar
from .clock import ManualClock
from .enums import (Activity, Area, Channel, DayUnit, InfoReason, Program, Reason, RemovalReason,
                    State, SubState, from_int, to_int)
from .errors import CporError, ReentrancyError, check_error
from .model import (CLAIM_FIELDS, Actor, Change, Claim, Customer, Event, Location, Message,
                    Partner, Subscription, Tenant, Workload, take)

Window = collections.namedtuple("Window", "count unit")
Problem = collections.namedtuple("Problem", "code message")
Problem.__doc__ = "One problem of a preflight check: the status code and its message."
Window.__doc__ = "A policy window: count (1..3650) and unit (DayUnit or 'business'/'calendar')."

POLICY_WINDOWS = ("optout", "response", "review_start_sla", "review_sla", "dispute",
                  "dispute_review_sla")

_PRIVATE = object()  # the Context's key to the iterator constructor
T = TypeVar("T")
ClaimRef = Union[Claim, str]  # a Claim snapshot or a claim ID
PathArg = Union[str, bytes, "os.PathLike[str]", "os.PathLike[bytes]"]
WindowArg = Union[Window, Tuple[int, Union[DayUnit, str, int]], int, None]


def _claim_id(claim):
    return claim.id if isinstance(claim, Claim) else claim


def _actor(actor):
    if not isinstance(actor, Actor):
        raise TypeError("expected a cpor.Actor, got %s" % type(actor).__name__)
    return byref(actor._c())


class _CallbackState:
    """What a Python clock callback raised during the call in progress.

    Shared by the Context and its callback closure (which must not reference
    the Context: no cycle through the C callback object)."""

    __slots__ = ("error",)

    def __init__(self):
        self.error = None


class _Iter(NoCopy, Iterator[T]):
    """An iterator over a C iterator (claims, events, workloads) of a Context.

    It shares its Context's lock (each ``next()`` holds it), keeps the
    Context alive, and is freed when exhausted, by ``close()``, when
    collected, or with its Context. Made by Context methods only; it cannot
    be copied or pickled."""

    _kind = "iterator"

    def __init__(self, key, ctx, token, next_fn, cls, item_free, what):
        if key is not _PRIVATE:
            raise TypeError("cpor iterators are made by Context methods (find_claims, ...)")
        self._ctx = ctx  # keeps the Context (and its C handle) alive
        self._guard = ctx._g
        self._token = token
        self._next_fn, self._cls, self._item_free = next_fn, cls, item_free
        self._what = what
        self._done = False
        self._finalizer = weakref.finalize(self, self._guard.finalize_child, token)

    def __iter__(self) -> "_Iter[T]":
        return self

    def __next__(self) -> T:
        if self._done:
            raise StopIteration
        g = self._guard
        g.acquire(allow_closed=True)
        try:
            ptr = g.child_ptr(self._token)
            if ptr is None:
                raise ValueError("iterator is closed%s" % (
                    " (its Context is closed)" if g.ptr is None else ""))
            out = c_void_p()
            rc = self._next_fn(ptr, byref(out))
            err, self._ctx._cbs.error = self._ctx._cbs.error, None
            if err is not None:
                raise err
            if rc == _lib.ITEROVER:
                self._done = True
                g.free_child(self._token)
                self._finalizer.detach()
                raise StopIteration
            check_error(rc)
            return take(self._cls, out.value, self._item_free)
        finally:
            g.release()

    @property
    def closed(self) -> bool:
        """True once the C iterator is freed (exhausted, closed, or its Context closed)."""
        return self._guard.ptr is None or self._guard.child_ptr(self._token) is None

    def close(self) -> None:
        """Frees the C iterator now (waiting for a call in progress on the Context)."""
        g = self._guard
        g.acquire(allow_closed=True)
        try:
            g.free_child(self._token)
        finally:
            g.release()
        self._finalizer.detach()

    def __enter__(self) -> "_Iter[T]":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "exhausted" if self._done else "closed" if self.closed else "open"
        return "<cpor %s iterator %s>" % (self._what, state)


class Context(Handle):
    """An open libcpor context.

    db_path: a SQLite database file (str, bytes or os.PathLike; created when
    missing; ":memory:" works), a PostgreSQL URL ("postgresql://..." or
    "postgres://..."), or None for a fresh in-memory store. tz: the
    policy's POSIX TZ rule. calendar: a Calendar, a built-in calendar name,
    or None ("weekends"). clock: a ManualClock, a callable returning an aware
    datetime, or None (the system clock). busy_timeout_ms (>= 0),
    synchronous_full, read_only: SQLite options. Policy overrides: optout,
    response, review_start_sla, review_sla, dispute, dispute_review_sla, each
    a Window / (count, unit) tuple, or an int count keeping the default unit.

    A Context may be shared by threads (calls are serialized, see the module
    documentation); it cannot be copied or pickled.
    """

    _kind = "Context"

    def __init__(self, db_path: Optional[PathArg] = None, *, tz: str = "UTC0",
                 calendar: Union[Calendar, str, None] = None,
                 clock: Union[ManualClock, Callable[[], _dt.datetime], None] = None,
                 busy_timeout_ms: Optional[int] = None, synchronous_full: bool = False,
                 read_only: bool = False, optout_from: str = "approval",
                 customer_may_end: bool = False, max_disputes: int = 1,
                 **policy: WindowArg) -> None:
        unknown = set(policy) - set(POLICY_WINDOWS)
        if unknown:
            raise TypeError("unknown Context option(s): %s" % ", ".join(sorted(unknown)))
        self._cbs = _CallbackState()
        # ---- every argument checked before anything is allocated
        path = None if db_path is None else _lib.path(db_path)
        self._where = "memory" if path is None else os.fsdecode(path)
        if busy_timeout_ms is not None:
            busy_timeout_ms = cv.i32(busy_timeout_ms, "busy_timeout_ms")
            if busy_timeout_ms < 0:
                raise ValueError("busy_timeout_ms must not be negative")
        sync_flag = cv.flag(synchronous_full, "synchronous_full")
        ro_flag = cv.flag(read_only, "read_only")
        tz_b = text(tz)
        if optout_from not in ("approval", "submission"):
            raise ValueError("optout_from is 'approval' or 'submission'")
        may_end = cv.flag(customer_may_end, "customer_may_end")
        max_disp = cv.u32(max_disputes, "max_disputes")
        if not 1 <= max_disp <= 100:
            raise ValueError("max_disputes must be 1-100")
        windows = {}
        for name, value in policy.items():
            if value is None:
                continue
            if isinstance(value, int) and not isinstance(value, bool):
                windows[name] = (cv.i32(value, name), None)
            elif isinstance(value, (tuple, list)) and len(value) == 2:
                count, unit = value
                windows[name] = (cv.i32(count, name + ".count"),
                                 to_int(DayUnit, unit, ctype="uint32_t"))
            else:
                raise TypeError("%s must be a Window, a (count, unit) pair or an int" % name)
        if calendar is not None:
            if isinstance(calendar, str):
                calendar = Calendar.builtin(calendar)
            if not isinstance(calendar, Calendar):
                raise TypeError("calendar must be a cpor.Calendar or a built-in name")
        if clock is not None and not isinstance(clock, ManualClock) and not callable(clock):
            raise TypeError("clock must be a ManualClock or a callable returning a datetime")
        # ---- the options
        opts = _lib.CtxOptions()
        check_error(lib.cpor_ctx_options_init(byref(opts), _lib.CTX_OPTIONS_VERSION))
        opts.optout_from = 2 if optout_from == "submission" else 1
        opts.customer_may_end = may_end
        opts.max_disputes = max_disp
        keep: "list[Any]" = []
        if path is not None:
            opts.db_path = path
            sq = _lib.SqliteOptions()
            check_error(lib.cpor_sqlite_options_init(byref(sq), _lib.SQLITE_OPTIONS_VERSION))
            if busy_timeout_ms is not None:
                # C: 0 is the default (5000 ms), a negative value "fail at once".
                sq.busy_timeout_ms = busy_timeout_ms if busy_timeout_ms > 0 else -1
            sq.synchronous_full = sync_flag
            sq.read_only = ro_flag
            opts.sqlite = ctypes.pointer(sq)
        opts.tz = tz_b
        for name, (count, unit) in windows.items():
            w = getattr(opts.policy, name)
            w.count = count
            if unit is not None:
                w.unit = unit
        self.calendar = calendar
        self.clock = clock
        self._clock_cb = None
        if clock is not None and not isinstance(clock, ManualClock):
            # The CFUNCTYPE object lives on self (it may reach user code that
            # refers to this Context; the finalizer must not keep it alive).
            self._clock_cb = _lib.CLOCK_FN(self._make_clock(clock, self._cbs))
            opts.clock = self._clock_cb
        errbuf = ctypes.create_string_buffer(512)
        opts.errbuf = ctypes.cast(errbuf, c_char_p)
        opts.errbuf_len = len(errbuf)
        out = c_void_p()
        guard = None
        attached = None
        try:
            if isinstance(clock, ManualClock):
                # Registered as a user of the clock from here on, so that
                # clock.close() on another thread cannot free it under us.
                opts.clock_user = clock._attach()
                attached = clock
                opts.clock = _lib.MANUAL_CLOCK_NOW
                keep.append(clock)
            if calendar is not None:
                keep.append(calendar)  # the context takes its own C reference too
                with calendar._g as cal_ptr:
                    opts.calendar = cal_ptr
                    rc = lib.cpor_ctx_open(byref(out), byref(opts))
            else:
                rc = lib.cpor_ctx_open(byref(out), byref(opts))
            check_error(rc, message=errbuf.value.decode("utf-8", "replace") or None)
            guard = Guard(out.value, lib.cpor_ctx_close, self._kind, keep)
            self._own(guard)
        finally:
            if attached is not None:
                attached._attached(guard)

    @staticmethod
    def _make_clock(fn, state):
        def now(user, out):
            try:
                out[0] = cv.time_in(fn())
                return 0
            except BaseException as e:  # never let an exception cross into C
                state.error = e
                return -1
        return now

    def close(self) -> None:
        """Frees the context (rolls back an open batch) and its open iterators.

        Waits for a call in progress on another thread; from inside a call
        on this thread (a clock callback) it raises ReentrancyError.
        Idempotent."""
        super().close()
        self.calendar = self.clock = None

    def __repr__(self) -> str:
        return "<cpor.Context %s%s>" % (
            "memory" if self._where == "memory" else "sqlite %r" % self._where,
            " closed" if self.closed else "")

    # ---- plumbing

    def _check(self, rc, h):
        """rc of a C call on h (lock held) -> rc, or raises.

        An exception a callback raised during the call is raised again here:
        unchanged when it is not an ``Exception`` (KeyboardInterrupt,
        SystemExit ...) or a ReentrancyError, else as the ``__cause__`` of the
        call's CporError."""
        err, self._cbs.error = self._cbs.error, None
        if err is not None and (not isinstance(err, Exception)
                                or isinstance(err, ReentrancyError)):
            raise err
        if rc >= 0:
            return rc
        try:
            check_error(rc, h)
        except CporError as e:
            if err is not None:
                raise e from err
            raise

    def _call(self, fn, *args):
        with self._g as h:
            return self._check(fn(h, *args), h)

    def _get(self, fn, cls, free, *args):
        out = c_void_p()
        with self._g as h:
            self._check(fn(h, *args, byref(out)), h)
            return take(cls, out.value, free)

    def _iter(self, fn, args, next_fn, free_fn, cls, item_free, what):
        out = c_void_p()
        with self._g as h:
            self._check(fn(h, *args, byref(out)), h)
            token = self._g.adopt(free_fn, out.value)
            return _Iter(_PRIVATE, self, token, next_fn, cls, item_free, what)

    @property
    def errcode(self) -> int:
        """The last failed call's code (0 after a success), of any thread."""
        with self._g as h:
            return lib.cpor_ctx_errcode(h)

    @property
    def errmsg(self) -> str:
        """The last failed call's message ("" when none), of any thread."""
        with self._g as h:
            return untext(lib.cpor_ctx_errmsg(h))

    def now(self) -> _dt.datetime:
        """The context's clock, read once (aware UTC datetime)."""
        out = c_int64()
        self._call(lib.cpor_ctx_now, byref(out))
        return cv.time_out(out.value)

    # ---- batches

    def begin(self) -> None:
        """Starts a batch: the following calls form one storage transaction."""
        self._call(lib.cpor_ctx_begin)

    def commit(self) -> None:
        """Commits the open batch (InvalidState without one)."""
        self._call(lib.cpor_ctx_commit)

    def rollback(self) -> None:
        """Rolls the open batch back: none of its calls happened."""
        self._call(lib.cpor_ctx_rollback)

    @contextlib.contextmanager
    def batch(self) -> Iterator["Context"]:
        """``with ctx.batch():`` one storage transaction; rolled back on an exception."""
        self.begin()
        try:
            yield self
        except BaseException:
            if not self.closed:
                self.rollback()
            raise
        self.commit()

    # ---- directory
    #
    # Every directory method takes the calling Actor first (DESIGN.md 1.4):
    # the system writes reference data, a partner's global admin adds and
    # renames its own locations; reads see only what the actor may see, and
    # another organization's record raises NotFound exactly like an unknown ID.

    def _list(self, fn, next_fn, free_fn, cls, item_free, actor, *args):
        return self._iter(fn, (_actor(actor),) + args, next_fn, free_fn, cls, item_free,
                          cls.__name__.lower())

    def create_partner(self, actor, partner_id, name):
        """Creates a partner (a Partner Global Account). Exists when the ID is taken."""
        self._call(lib.cpor_partner_create, _actor(actor), text(partner_id), text(name))

    def partner(self, actor, partner_id):
        """The partner record (a Partner snapshot); NotFound when unknown."""
        return self._get(lib.cpor_partner_get, Partner, lib.cpor_partner_free, _actor(actor),
                         text(partner_id))

    def partners(self, actor):
        """Iterator over the partners the actor may read, sorted by ID."""
        return self._list(lib.cpor_partner_list, lib.cpor_partner_iter_next,
                          lib.cpor_partner_iter_free, Partner, lib.cpor_partner_free, actor)

    def create_location(self, actor, partner_id, mpn_id, name):
        """Creates a location (MPN ID: 1-10 ASCII digits) of a partner."""
        self._call(lib.cpor_location_create, _actor(actor), text(partner_id), text(mpn_id),
                   text(name))

    def rename_location(self, actor, mpn_id, name):
        """Renames a location (system, or the partner's global admin for its own)."""
        self._call(lib.cpor_location_rename, _actor(actor), text(mpn_id), text(name))

    def location(self, actor, mpn_id):
        """The location record (a Location snapshot) of an MPN ID."""
        return self._get(lib.cpor_location_get, Location, lib.cpor_location_free, _actor(actor),
                         text(mpn_id))

    def locations(self, actor, partner_id=None):
        """Iterator over the locations (of partner_id, or all) the actor may read."""
        return self._list(lib.cpor_location_list, lib.cpor_location_iter_next,
                          lib.cpor_location_iter_free, Location, lib.cpor_location_free, actor,
                          text(partner_id))

    def enroll(self, actor, mpn_id, program, enrolled=True):
        """Enrolls (or, enrolled=False, unenrolls) a location in a Program."""
        self._call(lib.cpor_location_enroll, _actor(actor), text(mpn_id),
                   to_int(Program, program), 1 if enrolled else 0)

    def create_customer(self, actor, name):
        """A new customer; returns its generated ID (str)."""
        out = c_void_p()
        self._call(lib.cpor_customer_create, _actor(actor), text(name), byref(out))
        try:
            return ctypes.string_at(out.value).decode()
        finally:
            lib.cpor_free(out)

    def customer(self, actor, customer_id):
        """The customer record (a Customer snapshot)."""
        return self._get(lib.cpor_customer_get, Customer, lib.cpor_customer_free, _actor(actor),
                         text(customer_id))

    def customers(self, actor):
        """Iterator over the customers the actor may read, sorted by ID."""
        return self._list(lib.cpor_customer_list, lib.cpor_customer_iter_next,
                          lib.cpor_customer_iter_free, Customer, lib.cpor_customer_free, actor)

    def create_tenant(self, actor, customer_id, tenant_id, domain):
        """Creates a tenant (an Entra directory, by GUID) of a customer, with a first domain."""
        self._call(lib.cpor_tenant_create, _actor(actor), text(customer_id), text(tenant_id),
                   text(domain))

    def add_domain(self, actor, tenant_id, domain):
        """Adds a domain to a tenant (domains are unique across tenants)."""
        self._call(lib.cpor_tenant_add_domain, _actor(actor), text(tenant_id), text(domain))

    def tenant(self, actor, tenant_id):
        """The tenant record (a Tenant snapshot); braces and uppercase accepted."""
        return self._get(lib.cpor_tenant_get, Tenant, lib.cpor_tenant_free, _actor(actor),
                         text(tenant_id))

    def tenants(self, actor, customer_id=None):
        """Iterator over the tenants (of customer_id, or all) the actor may read."""
        return self._list(lib.cpor_tenant_list, lib.cpor_tenant_iter_next,
                          lib.cpor_tenant_iter_free, Tenant, lib.cpor_tenant_free, actor,
                          text(customer_id))

    def create_subscription(self, actor, subscription_id, tenant_id, workload, channel, state):
        """Creates a subscription (GUID) of a tenant: workload, Channel, SubState."""
        self._call(lib.cpor_subscription_create, _actor(actor), text(subscription_id),
                   text(tenant_id), text(workload), to_int(Channel, channel),
                   to_int(SubState, state))

    def subscription(self, actor, subscription_id):
        """The subscription record (a Subscription snapshot)."""
        return self._get(lib.cpor_subscription_get, Subscription, lib.cpor_subscription_free,
                         _actor(actor), text(subscription_id))

    def subscriptions(self, actor, tenant_id=None):
        """Iterator over the subscriptions (of tenant_id, or all) the actor may read."""
        return self._list(lib.cpor_subscription_list, lib.cpor_subscription_iter_next,
                          lib.cpor_subscription_iter_free, Subscription,
                          lib.cpor_subscription_free, actor, text(tenant_id))

    def set_subscription_state(self, actor, subscription_id, state):
        """Returns the number of claims changed (expired/disabled end associations)."""
        n = c_size_t()
        self._call(lib.cpor_subscription_set_state, _actor(actor), text(subscription_id),
                   to_int(SubState, state), byref(n))
        return n.value

    def register_workload(self, actor, code, name, area, needs_subscription=False):
        """Registers a workload (code, name, Area, whether claims name a subscription)."""
        self._call(lib.cpor_workload_register, _actor(actor), text(code), text(name),
                   to_int(Area, area), 1 if needs_subscription else 0)

    def rename_workload(self, actor, code, name):
        """Changes a workload's display name (system only; built-in entries too)."""
        self._call(lib.cpor_workload_rename, _actor(actor), text(code), text(name))

    def workload(self, actor, code):
        """The workload record (a Workload snapshot) of a code."""
        return self._get(lib.cpor_workload_get, Workload, lib.cpor_workload_free, _actor(actor),
                         text(code))

    def workloads(self, actor):
        """Iterator over the catalog and registered workloads, sorted by code."""
        return self._list(lib.cpor_workload_list, lib.cpor_workload_iter_next,
                          lib.cpor_workload_iter_free, Workload, lib.cpor_workload_free, actor)

    # ---- claims

    @staticmethod
    def _spec(fields, edit):
        """A cpor_claim_spec from keyword fields. Returns (spec, keepalive)."""
        spec = _lib.ClaimSpec()
        check_error(lib.cpor_claim_spec_init(byref(spec), _lib.CLAIM_SPEC_VERSION))
        keep = []
        for key, value in fields.items():
            if key in ("area", "activity"):
                cls = Area if key == "area" else Activity
                setattr(spec, key, to_int(cls, value, allow_none=edit, ctype="uint32_t"))
            elif key == "lines":
                if value is None:
                    continue
                if isinstance(value, (str, bytes)):
                    raise TypeError("lines must be a list of workload codes or pairs, "
                                    "not a single string")
                works, subs = [], []
                for line in value:
                    if isinstance(line, (str, bytes)):
                        works.append(line)
                        subs.append(None)
                    elif hasattr(line, "workload"):
                        works.append(line.workload)
                        subs.append(line.subscription)
                    else:
                        w, s = line
                        works.append(w)
                        subs.append(s)
                n = len(works)
                wa = (c_char_p * max(n, 1))(*[text(w) for w in works])
                sa = (c_char_p * max(n, 1))(*[text(s) for s in subs])
                keep += [wa, sa]
                spec.line_count = n
                spec.workloads = wa
                spec.subscriptions = sa
            elif key == "expected_revision":
                if value is not None:
                    spec.expected_revision = cv.size(value, "expected_revision")
            elif key in ("name", "mpn_id", "tenant_id", "domain", "external_ref",
                         "idempotency_key") or key in CLAIM_FIELDS:
                setattr(spec, key, text(value))
            else:
                raise TypeError("unknown claim field %r" % key)
        return spec, keep

    def create_claim(self, actor: Actor, *, mpn_id: str, tenant_id: str, domain: str,
                     area: Union[Area, str, int], activity: Union[Activity, str, int],
                     name: Optional[str] = None,
                     lines: Iterable[Union[str, Tuple[str, Optional[str]]]] = (),
                     idempotency_key: Optional[str] = None,
                     external_ref: Optional[str] = None,
                     **fields: Optional[str]) -> Claim:
        """Creates a claim in EDITING and returns it (a Claim snapshot).

        lines: workload codes, or (workload, subscription) pairs for Business
        Applications; fields: the contact and revenue fields of CLAIM_FIELDS.
        idempotency_key (1-200 bytes, unique per partner): a retried create
        with the same key and content returns the first claim; with other
        content AlreadyExists. external_ref: the caller's own reference."""
        spec, keep = self._spec(dict(fields, mpn_id=mpn_id, tenant_id=tenant_id, domain=domain,
                                     area=area, activity=activity, name=name, lines=lines,
                                     idempotency_key=idempotency_key,
                                     external_ref=external_ref),
                                edit=False)
        a = _actor(actor)
        return self._get(lib.cpor_claim_create, Claim, lib.cpor_claim_free, a, byref(spec))

    def edit_claim(self, actor: Actor, claim: ClaimRef, *,
                   expected_revision: Optional[int] = None, **changes: Any) -> None:
        """Edits a claim: omitted/None fields are unchanged, "" clears an
        optional field, lines (when given and non-empty) replace the lines.
        expected_revision: refuse with Conflict (not retried, nothing changed)
        unless the claim is at that revision (Claim.revision)."""
        spec, keep = self._spec(dict(changes, expected_revision=expected_revision), edit=True)
        self._call(lib.cpor_claim_edit, _actor(actor), text(_claim_id(claim)), byref(spec))

    def add_poe(self, actor: Actor, claim: ClaimRef, name: str, media_type: str, sha256: str,
                size: int) -> None:
        """Adds a proof-of-execution reference (sha256: 64 hex digits; size > 0 bytes,
        a uint64: ValueError when negative, OverflowError beyond 2**64 - 1)."""
        n = cv.size(size, "size")
        self._call(lib.cpor_claim_add_poe, _actor(actor), text(_claim_id(claim)), text(name),
                   text(media_type), text(sha256), n)

    def comment(self, actor: Actor, claim: ClaimRef, text: str) -> None:
        """Adds a comment to the claim's history."""
        self._call(lib.cpor_claim_comment, _actor(actor), _lib.text(_claim_id(claim)),
                   _lib.text(text))

    def _act(self, fn, actor, claim, *args):
        self._call(fn, _actor(actor), text(_claim_id(claim)), *args)

    def submit(self, actor: Actor, claim: ClaimRef) -> None:
        """EDITING -> SUBMITTED (all required fields and at least one PoE needed)."""
        self._act(lib.cpor_claim_submit, actor, claim)

    def withdraw(self, actor: Actor, claim: ClaimRef) -> None:
        """Partner request: REJECTED (partner_request) before ASSOCIATED."""
        self._act(lib.cpor_claim_withdraw, actor, claim)

    def start_review(self, actor: Actor, claim: ClaimRef) -> None:
        """Reviewer: SUBMITTED -> UNDER_REVIEW."""
        self._act(lib.cpor_claim_start_review, actor, claim)

    def request_info(self, actor: Actor, claim: ClaimRef, text: str, *,
                     reason: Union[InfoReason, str, int] = InfoReason.OTHER) -> None:
        """Reviewer: UNDER_REVIEW -> PARTNER_ACTION_REQUIRED, asking for text (reason: an InfoReason)."""
        self._act(lib.cpor_claim_request_info, actor, claim, to_int(InfoReason, reason),
                  _lib.text(text))

    def respond(self, actor: Actor, claim: ClaimRef, text: str) -> None:
        """Partner: answers an info request inside its window (-> UNDER_REVIEW)."""
        self._act(lib.cpor_claim_respond, actor, claim, _lib.text(text))

    def approve(self, actor: Actor, claim: ClaimRef) -> None:
        """Reviewer: UNDER_REVIEW -> APPROVED (rivals on the units lose arbitration)."""
        self._act(lib.cpor_claim_approve, actor, claim)

    def reject(self, actor: Actor, claim: ClaimRef, reason: Union[Reason, str, int],
               text: Optional[str] = None) -> None:
        """reason: insufficient_poe, missing_consent, missing_products or poe_unavailable."""
        self._act(lib.cpor_claim_reject, actor, claim, to_int(Reason, reason), _lib.text(text))

    def opt_out(self, actor: Actor, claim: ClaimRef) -> None:
        """The customer declines inside the opt-out window."""
        self._act(lib.cpor_claim_opt_out, actor, claim)

    def dispute(self, actor: Actor, claim: ClaimRef, justification: str) -> None:
        """Partner: disputes a rejection inside the dispute window (-> DISPUTED)."""
        self._act(lib.cpor_claim_dispute, actor, claim, text(justification))

    def decide_dispute(self, actor: Actor, claim: ClaimRef, grant: bool,
                       text: Optional[str] = None) -> None:
        """grant=True: back to UNDER_REVIEW; False: REJECTED, final."""
        self._act(lib.cpor_claim_decide_dispute, actor, claim, cv.flag(grant, "grant"),
                  _lib.text(text))

    def remove(self, actor: Actor, claim: ClaimRef, reason: Union[RemovalReason, str, int],
               text: Optional[str] = None) -> None:
        """The partner removes its association: ENDED (partner_removed), with a RemovalReason."""
        self._act(lib.cpor_claim_remove, actor, claim, to_int(RemovalReason, reason),
                  _lib.text(text))

    # ---- the whole store (cpor/transfer.h): the system actor only

    def export(self, actor: Actor, stream: Any) -> None:
        """Writes the whole store as JSON lines (docs/export-format.md) to ``stream``, a
        binary file object (or a path, str or os.PathLike)."""
        if isinstance(stream, (str, os.PathLike)):
            with open(stream, "wb") as f:
                return self.export(actor, f)
        failure: List[BaseException] = []

        def write(_user, data, n):
            try:
                stream.write(ctypes.string_at(data, n))
                return 0
            except BaseException as e:  # reported after the call; C sees a failure
                failure.append(e)
                return -15  # CPOR_ESTORAGE

        cb = _lib.LINE_WRITER(write)
        try:
            self._call(lib.cpor_ctx_export, _actor(actor), cb, None)
        except CporError as e:
            if failure:
                raise failure[0] from e
            raise

    def import_(self, actor: Actor, stream: Any) -> dict:
        """Loads an export (a binary file object, or a path) into this empty store, all or
        nothing; returns {"objects": N, "claims": N, "events": N}."""
        if isinstance(stream, (str, os.PathLike)):
            with open(stream, "rb") as f:
                return self.import_(actor, f)
        failure: List[BaseException] = []
        keep = []  # the current line's buffer, alive until the next call

        def read(_user, line, n):
            try:
                data = stream.readline()
                if not data:
                    return 0
                buf = ctypes.create_string_buffer(bytes(data), len(data))
                keep[:] = [buf]
                line[0] = ctypes.cast(buf, c_void_p).value
                n[0] = len(data)
                return 1
            except BaseException as e:
                failure.append(e)
                return -15  # CPOR_ESTORAGE

        cb = _lib.LINE_READER(read)
        rep = _lib.ImportReport(version=_lib.IMPORT_REPORT_VERSION)
        try:
            self._call(lib.cpor_ctx_import, _actor(actor), cb, None, byref(rep))
        except CporError as e:
            if failure:
                raise failure[0] from e
            raise
        return {"objects": rep.objects, "claims": rep.claims, "events": rep.events}

    def verify(self, actor: Actor) -> List[Tuple[Optional[str], str, str]]:
        """Replays every claim's history and checks the stored rows against it; returns
        the findings as (claim_id or None, kind, detail), empty when the store is clean."""
        found: List[Tuple[Optional[str], str, str]] = []

        def report(_user, claim, kind, detail):
            found.append((claim.decode() if claim is not None else None, kind.decode(),
                          detail.decode(errors="replace")))
            return 0

        cb = _lib.FINDING_FN(report)
        n = ctypes.c_uint64()
        self._call(lib.cpor_ctx_verify, _actor(actor), cb, None, byref(n))
        return found

    def advance(self) -> int:
        """Applies every timed transition due now; returns the number of claims changed."""
        n = c_size_t()
        self._call(lib.cpor_ctx_advance, byref(n))
        return n.value

    def claim(self, actor: Actor, claim: ClaimRef) -> Claim:
        """The claim as the actor may see it (NotFound otherwise)."""
        return self._get(lib.cpor_claim_get, Claim, lib.cpor_claim_free, _actor(actor),
                         text(_claim_id(claim)))

    def check_claim(self, actor: Actor, claim: Optional[ClaimRef] = None,
                    **spec: Any) -> List[Problem]:
        """Preflight: every problem that would block submitting the draft ``claim``, or
        a claim created with the ``create_claim`` keywords (``spec``); writes nothing.
        An empty list: submit would pass."""
        if (claim is None) == (not spec):
            raise TypeError("give a claim or create_claim keywords, not both")
        keep = None
        if claim is None:
            c_spec, keep = self._spec(spec, edit=False)
            args = (_actor(actor), None, byref(c_spec))
        else:
            args = (_actor(actor), text(_claim_id(claim)), None)
        out = c_void_p()
        with self._g as h:
            self._check(lib.cpor_claim_check(h, *args, byref(out)), h)
            try:
                n = lib.cpor_check_report_count(out)
                return [Problem(lib.cpor_check_report_code(out, i),
                                untext(lib.cpor_check_report_message(out, i)))
                        for i in range(n)]
            finally:
                lib.cpor_check_report_free(out)
                del keep

    def replay(self, actor: Actor, claim: ClaimRef) -> Claim:
        """The claim re-derived from its history by the rules alone (equals ``claim()``)."""
        return self._get(lib.cpor_claim_replay, Claim, lib.cpor_claim_free, _actor(actor),
                         text(_claim_id(claim)))

    def find_claims(self, actor: Actor, *, partner_id: Optional[str] = None,
                    tenant_id: Optional[str] = None,
                    state: Union[State, str, int, None] = None,
                    unit_workload: Optional[str] = None,
                    unit_subscription: Optional[str] = None,
                    overdue: bool = False,
                    external_ref: Optional[str] = None) -> "_Iter[Claim]":
        """Iterator over matching claims (AND of the filters), in claim ID order,
        restricted to what the actor may see. Partners and customers need at
        least one of partner_id, tenant_id, state, a unit, overdue or
        external_ref (exact match) (InvalidArgument); the reviewer and the system may list every claim."""
        q = _lib.ClaimQuery()
        check_error(lib.cpor_claim_query_init(byref(q), _lib.CLAIM_QUERY_VERSION))
        q.partner_id = text(partner_id)
        q.tenant_id = text(tenant_id)
        q.state = to_int(State, state, allow_none=True, ctype="uint32_t")
        q.unit_workload = text(unit_workload)
        q.unit_subscription = text(unit_subscription)
        q.overdue = cv.flag(overdue, "overdue")
        q.external_ref = text(external_ref)
        return self._iter(lib.cpor_claim_find, (_actor(actor), byref(q)),
                          lib.cpor_claim_iter_next, lib.cpor_claim_iter_free, Claim,
                          lib.cpor_claim_free, "claim")

    def competitors(self, actor: Actor, claim: ClaimRef) -> "_Iter[Claim]":
        """Iterator over the other partners' claims live on this claim's units
        (arbitration). Reviewer and system only: PermissionDenied otherwise."""
        return self._iter(lib.cpor_claim_competitors, (_actor(actor), text(_claim_id(claim))),
                          lib.cpor_claim_iter_next, lib.cpor_claim_iter_free, Claim,
                          lib.cpor_claim_free, "claim")

    # ---- the outbox and the change feed (feed.h)

    def lease_messages(self, actor: Actor, max: int = 10,
                       lease: Union[_dt.timedelta, int] = 30000) -> List[Message]:
        """System: leases up to ``max`` (1-1000) outbox messages for ``lease`` (a
        timedelta or milliseconds, 1 ms to 24 h). Acknowledge each with
        ``ack_message``; one not acknowledged before its lease ends comes again."""
        ms = cv.duration_ms(lease) if isinstance(lease, _dt.timedelta) else lease
        n = cv.size(max, "max")
        ms = cv.u32(ms, "lease")
        return list(self._iter(lib.cpor_outbox_lease, (_actor(actor), n, ms),
                               lib.cpor_message_iter_next, lib.cpor_message_iter_free, Message,
                               lib.cpor_message_free, "message"))

    def ack_message(self, actor: Actor, message: Union[Message, int]) -> None:
        """System: the message was delivered (removes it). NotFound when it is gone."""
        mid = message.id if isinstance(message, Message) else message
        self._call(lib.cpor_outbox_ack, _actor(actor), cv.size(mid, "message id"))

    def changes_since(self, actor: Actor, after: int = 0, limit: int = 0) -> List[Change]:
        """The claim changes numbered above ``after`` that the actor may see, in
        number order (at most ``limit``; 0: 1000). Resume with the last number."""
        out = c_void_p()
        number, claim, state, seq = c_uint64(), c_char_p(), c_int(), c_uint32()
        result = []
        with self._g as h:
            self._check(lib.cpor_changes_since(h, _actor(actor), cv.size(after, "after"),
                                               cv.size(limit, "limit"), byref(out)), h)
            try:
                while lib.cpor_change_iter_next(out, byref(number), byref(claim), byref(state),
                                                byref(seq)) == 0:
                    result.append(Change(number.value, untext(claim.value),
                                         from_int(State, state.value), seq.value))
            finally:
                lib.cpor_change_iter_free(out)
        return result

    def history(self, actor: Actor, claim: ClaimRef) -> "_Iter[Event]":
        """Iterator over the claim's events, in order."""
        return self._iter(lib.cpor_claim_history, (_actor(actor), text(_claim_id(claim))),
                          lib.cpor_event_iter_next, lib.cpor_event_iter_free, Event,
                          lib.cpor_event_free, "event")
