"""The Context: storage, clock, calendar, time zone, policy, and every operation.

Ownership and lifetimes:

* A ``Context`` owns one ``cpor_ctx`` (and, through it, its SQLite or
  in-memory store). ``close()`` / ``with`` frees it; a ``weakref.finalize``
  frees it when the Context is collected. Any call after ``close()`` raises
  ValueError. Closing rolls back an open batch.
* The Context keeps its ``calendar`` and its ``clock`` (a ManualClock or a
  Python callable) alive while it is open.
* Records returned (Claim, Partner, ...) are snapshots: see ``cpor.model``.
* Iterators returned by ``find_claims``, ``history`` and ``workloads`` own a C
  iterator and keep the Context alive; they are freed when exhausted, on
  ``close()``, when collected, or when the Context is closed (iterating a
  closed iterator raises ValueError).

Errors: every failing call raises the ``CporError`` subclass for its status
code with ``cpor_ctx_errmsg`` as the message.
"""

import collections
import contextlib
import ctypes
import weakref
from ctypes import byref, c_char_p, c_int64, c_size_t, c_void_p

from . import _convert as cv
from . import _lib
from ._handle import Handle
from ._lib import lib, text, untext
from .calendar import Calendar
from .clock import ManualClock
from .enums import Activity, Area, Channel, DayUnit, Program, Reason, State, SubState, to_int
from .errors import CporError, check_error
from .model import (CLAIM_FIELDS, Actor, Claim, Customer, Event, Location, Partner,
                    Subscription, Tenant, Workload, take)

Window = collections.namedtuple("Window", "count unit")
Window.__doc__ = "A policy window: count (1..3650) and unit (DayUnit or 'business'/'calendar')."

POLICY_WINDOWS = ("optout", "response", "review_start_sla", "review_sla", "dispute",
                  "dispute_review_sla")


def _claim_id(claim):
    return claim.id if isinstance(claim, Claim) else claim


def _actor(actor):
    if not isinstance(actor, Actor):
        raise TypeError("expected a cpor.Actor, got %s" % type(actor).__name__)
    return byref(actor._c())


class _Iter(Handle):
    """An iterator over a C iterator (claims, events, workloads)."""

    _kind = "iterator"

    def __init__(self, ctx, ptr, next_fn, free_fn, cls, item_free):
        self._own(ptr, free_fn, keep=(ctx,))
        self._next_fn, self._cls, self._item_free = next_fn, cls, item_free
        self._done = False
        ctx._iters.add(self)

    def __iter__(self):
        return self

    def __next__(self):
        if self._done:
            raise StopIteration
        h = self._h()
        out = c_void_p()
        rc = self._next_fn(h, byref(out))
        if rc == _lib.ITEROVER:
            self._done = True
            self.close()
            raise StopIteration
        check_error(rc)
        return take(self._cls, out.value, self._item_free)


class Context(Handle):
    """An open libcpor context.

    db_path: a SQLite database file (created when missing; ":memory:" works),
    or None for a fresh in-memory store. tz: the policy's POSIX TZ rule.
    calendar: a Calendar, a built-in calendar name, or None ("weekends").
    clock: a ManualClock, a callable returning an aware datetime, or None (the
    system clock). busy_timeout_ms, synchronous_full, read_only: SQLite
    options. Policy overrides: optout, response, review_start_sla, review_sla,
    dispute, dispute_review_sla, each a Window / (count, unit) tuple, or an
    int count keeping the default unit.
    """

    _kind = "Context"

    def __init__(self, db_path=None, *, tz="UTC0", calendar=None, clock=None,
                 busy_timeout_ms=None, synchronous_full=False, read_only=False, **policy):
        unknown = set(policy) - set(POLICY_WINDOWS)
        if unknown:
            raise TypeError("unknown Context option(s): %s" % ", ".join(sorted(unknown)))
        self._iters = weakref.WeakSet()
        self._clock_error = None
        opts = _lib.CtxOptions()
        check_error(lib.cpor_ctx_options_init(byref(opts), _lib.CTX_OPTIONS_VERSION))
        keep = []
        if db_path is not None:
            opts.db_path = text(str(db_path))
            sq = _lib.SqliteOptions()
            check_error(lib.cpor_sqlite_options_init(byref(sq), _lib.SQLITE_OPTIONS_VERSION))
            if busy_timeout_ms is not None:
                sq.busy_timeout_ms = busy_timeout_ms
            sq.synchronous_full = 1 if synchronous_full else 0
            sq.read_only = 1 if read_only else 0
            opts.sqlite = ctypes.pointer(sq)
        if calendar is not None:
            if isinstance(calendar, str):
                calendar = Calendar.builtin(calendar)
            if not isinstance(calendar, Calendar):
                raise TypeError("calendar must be a cpor.Calendar or a built-in name")
            opts.calendar = calendar._h()
            keep.append(calendar)  # the context takes its own reference too
        self.calendar = calendar
        opts.tz = text(tz)
        for name, value in policy.items():
            if value is None:
                continue
            w = getattr(opts.policy, name)
            if isinstance(value, int):
                w.count = value
            else:
                count, unit = value
                w.count, w.unit = count, to_int(DayUnit, unit)
        if clock is None:
            pass
        elif isinstance(clock, ManualClock):
            opts.clock = _lib.MANUAL_CLOCK_NOW
            opts.clock_user = clock._h()
            keep.append(clock)
        elif callable(clock):
            cb = _lib.CLOCK_FN(self._make_clock(clock, weakref.ref(self)))
            opts.clock = cb
            keep.extend((clock, cb))
        else:
            raise TypeError("clock must be a ManualClock or a callable returning a datetime")
        self.clock = clock
        errbuf = ctypes.create_string_buffer(512)
        opts.errbuf = ctypes.cast(errbuf, c_char_p)
        opts.errbuf_len = len(errbuf)
        out = c_void_p()
        rc = lib.cpor_ctx_open(byref(out), byref(opts))
        check_error(rc, message=errbuf.value.decode("utf-8", "replace") or None)
        self._own(out.value, lib.cpor_ctx_close, keep)
        if isinstance(clock, ManualClock):
            clock._users.add(self)

    @staticmethod
    def _make_clock(fn, ref):
        def now(user, out):
            try:
                out[0] = cv.time_in(fn())
                return 0
            except BaseException as e:  # never let an exception cross into C
                ctx = ref()
                if ctx is not None:
                    ctx._clock_error = e
                return -1
        return now

    def close(self):
        """Frees the context (rolls back an open batch) and its open iterators. Idempotent."""
        for it in list(self._iters):
            it.close()
        super().close()
        self.calendar = self.clock = None

    def __repr__(self):
        return "<cpor.Context%s>" % (" closed" if self.closed else "")

    # ---- plumbing

    def _check(self, rc):
        if rc >= 0:
            self._clock_error = None
            return rc
        err, self._clock_error = self._clock_error, None
        try:
            check_error(rc, self._ptr)
        except CporError as e:
            if err is not None:
                raise e from err
            raise

    def _call(self, fn, *args):
        return self._check(fn(self._h(), *args))

    def _get(self, fn, cls, free, *args):
        out = c_void_p()
        self._call(fn, *args, byref(out))
        return take(cls, out.value, free)

    @property
    def errcode(self):
        """The last failed call's code (0 after a success)."""
        return lib.cpor_ctx_errcode(self._h())

    @property
    def errmsg(self):
        """The last failed call's message ("" when none)."""
        return untext(lib.cpor_ctx_errmsg(self._h()))

    def now(self):
        """The context's clock, read once (aware UTC datetime)."""
        out = c_int64()
        self._call(lib.cpor_ctx_now, byref(out))
        return cv.time_out(out.value)

    # ---- batches

    def begin(self):
        self._call(lib.cpor_ctx_begin)

    def commit(self):
        self._call(lib.cpor_ctx_commit)

    def rollback(self):
        self._call(lib.cpor_ctx_rollback)

    @contextlib.contextmanager
    def batch(self):
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
        out = c_void_p()
        self._call(fn, _actor(actor), *args, byref(out))
        return _Iter(self, out.value, next_fn, free_fn, cls, item_free)

    def create_partner(self, actor, partner_id, name):
        self._call(lib.cpor_partner_create, _actor(actor), text(partner_id), text(name))

    def partner(self, actor, partner_id):
        return self._get(lib.cpor_partner_get, Partner, lib.cpor_partner_free, _actor(actor),
                         text(partner_id))

    def partners(self, actor):
        """Iterator over the partners the actor may read, sorted by ID."""
        return self._list(lib.cpor_partner_list, lib.cpor_partner_iter_next,
                          lib.cpor_partner_iter_free, Partner, lib.cpor_partner_free, actor)

    def create_location(self, actor, partner_id, mpn_id, name):
        self._call(lib.cpor_location_create, _actor(actor), text(partner_id), text(mpn_id),
                   text(name))

    def rename_location(self, actor, mpn_id, name):
        self._call(lib.cpor_location_rename, _actor(actor), text(mpn_id), text(name))

    def location(self, actor, mpn_id):
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
        return self._get(lib.cpor_customer_get, Customer, lib.cpor_customer_free, _actor(actor),
                         text(customer_id))

    def customers(self, actor):
        """Iterator over the customers the actor may read, sorted by ID."""
        return self._list(lib.cpor_customer_list, lib.cpor_customer_iter_next,
                          lib.cpor_customer_iter_free, Customer, lib.cpor_customer_free, actor)

    def create_tenant(self, actor, customer_id, tenant_id, domain):
        self._call(lib.cpor_tenant_create, _actor(actor), text(customer_id), text(tenant_id),
                   text(domain))

    def add_domain(self, actor, tenant_id, domain):
        self._call(lib.cpor_tenant_add_domain, _actor(actor), text(tenant_id), text(domain))

    def tenant(self, actor, tenant_id):
        return self._get(lib.cpor_tenant_get, Tenant, lib.cpor_tenant_free, _actor(actor),
                         text(tenant_id))

    def tenants(self, actor, customer_id=None):
        """Iterator over the tenants (of customer_id, or all) the actor may read."""
        return self._list(lib.cpor_tenant_list, lib.cpor_tenant_iter_next,
                          lib.cpor_tenant_iter_free, Tenant, lib.cpor_tenant_free, actor,
                          text(customer_id))

    def create_subscription(self, actor, subscription_id, tenant_id, workload, channel, state):
        self._call(lib.cpor_subscription_create, _actor(actor), text(subscription_id),
                   text(tenant_id), text(workload), to_int(Channel, channel),
                   to_int(SubState, state))

    def subscription(self, actor, subscription_id):
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
        self._call(lib.cpor_workload_register, _actor(actor), text(code), text(name),
                   to_int(Area, area), 1 if needs_subscription else 0)

    def workload(self, actor, code):
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
                setattr(spec, key, to_int(cls, value, allow_none=edit))
            elif key == "lines":
                if value is None:
                    continue
                works, subs = [], []
                for line in value:
                    if isinstance(line, str):
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
            elif key in ("name", "mpn_id", "tenant_id", "domain") or key in CLAIM_FIELDS:
                setattr(spec, key, text(value))
            else:
                raise TypeError("unknown claim field %r" % key)
        return spec, keep

    def create_claim(self, actor, *, mpn_id, tenant_id, domain, area, activity, name=None,
                     lines=(), **fields):
        """Creates a claim in EDITING and returns it (a Claim snapshot).

        lines: workload codes, or (workload, subscription) pairs for Business
        Applications; fields: the contact and revenue fields of CLAIM_FIELDS."""
        spec, keep = self._spec(dict(fields, mpn_id=mpn_id, tenant_id=tenant_id, domain=domain,
                                     area=area, activity=activity, name=name, lines=lines),
                                edit=False)
        out = c_void_p()
        self._call(lib.cpor_claim_create, _actor(actor), byref(spec), byref(out))
        return take(Claim, out.value, lib.cpor_claim_free)

    def edit_claim(self, actor, claim, **changes):
        """Edits a claim: omitted/None fields are unchanged, "" clears an
        optional field, lines (when given and non-empty) replace the lines."""
        spec, keep = self._spec(changes, edit=True)
        self._call(lib.cpor_claim_edit, _actor(actor), text(_claim_id(claim)), byref(spec))

    def add_poe(self, actor, claim, name, media_type, sha256, size):
        """Adds a proof-of-execution reference (sha256: 64 hex digits; size > 0)."""
        self._call(lib.cpor_claim_add_poe, _actor(actor), text(_claim_id(claim)), text(name),
                   text(media_type), text(sha256), size)

    def comment(self, actor, claim, text_):
        self._call(lib.cpor_claim_comment, _actor(actor), text(_claim_id(claim)), text(text_))

    def _act(self, fn, actor, claim, *args):
        self._call(fn, _actor(actor), text(_claim_id(claim)), *args)

    def submit(self, actor, claim):
        self._act(lib.cpor_claim_submit, actor, claim)

    def withdraw(self, actor, claim):
        """Partner request: REJECTED (partner_request) before ASSOCIATED."""
        self._act(lib.cpor_claim_withdraw, actor, claim)

    def start_review(self, actor, claim):
        self._act(lib.cpor_claim_start_review, actor, claim)

    def request_info(self, actor, claim, text_):
        self._act(lib.cpor_claim_request_info, actor, claim, text(text_))

    def respond(self, actor, claim, text_):
        self._act(lib.cpor_claim_respond, actor, claim, text(text_))

    def approve(self, actor, claim):
        self._act(lib.cpor_claim_approve, actor, claim)

    def reject(self, actor, claim, reason, text_=None):
        """reason: insufficient_poe, missing_consent, missing_products or poe_unavailable."""
        self._act(lib.cpor_claim_reject, actor, claim, to_int(Reason, reason), text(text_))

    def opt_out(self, actor, claim):
        """The customer declines inside the opt-out window."""
        self._act(lib.cpor_claim_opt_out, actor, claim)

    def dispute(self, actor, claim, justification):
        self._act(lib.cpor_claim_dispute, actor, claim, text(justification))

    def decide_dispute(self, actor, claim, grant, text_=None):
        """grant=True: back to UNDER_REVIEW; False: REJECTED, final."""
        self._act(lib.cpor_claim_decide_dispute, actor, claim, 1 if grant else 0, text(text_))

    def remove(self, actor, claim):
        """The partner removes its association: ENDED (partner_removed)."""
        self._act(lib.cpor_claim_remove, actor, claim)

    def advance(self):
        """Applies every timed transition due now; returns the number of claims changed."""
        n = c_size_t()
        self._call(lib.cpor_ctx_advance, byref(n))
        return n.value

    def claim(self, actor, claim):
        """The claim as the actor may see it (NotFound otherwise)."""
        out = c_void_p()
        self._act(lib.cpor_claim_get, actor, claim, byref(out))
        return take(Claim, out.value, lib.cpor_claim_free)

    def find_claims(self, actor, *, partner_id=None, tenant_id=None, state=None,
                    unit_workload=None, unit_subscription=None, overdue=False):
        """Iterator over matching claims (AND of the filters), in claim ID order,
        restricted to what the actor may see. At least one of partner_id,
        tenant_id, state, a unit or overdue is needed (InvalidArgument)."""
        q = _lib.ClaimQuery()
        check_error(lib.cpor_claim_query_init(byref(q), _lib.CLAIM_QUERY_VERSION))
        q.partner_id = text(partner_id)
        q.tenant_id = text(tenant_id)
        q.state = to_int(State, state, allow_none=True)
        q.unit_workload = text(unit_workload)
        q.unit_subscription = text(unit_subscription)
        q.overdue = 1 if overdue else 0
        out = c_void_p()
        self._call(lib.cpor_claim_find, _actor(actor), byref(q), byref(out))
        return _Iter(self, out.value, lib.cpor_claim_iter_next, lib.cpor_claim_iter_free,
                     Claim, lib.cpor_claim_free)

    def competitors(self, actor, claim):
        """Iterator over the other partners' claims live on this claim's units
        (arbitration). Reviewer and system only: PermissionDenied otherwise."""
        out = c_void_p()
        self._act(lib.cpor_claim_competitors, actor, claim, byref(out))
        return _Iter(self, out.value, lib.cpor_claim_iter_next, lib.cpor_claim_iter_free,
                     Claim, lib.cpor_claim_free)

    def history(self, actor, claim):
        """Iterator over the claim's events, in order."""
        out = c_void_p()
        self._act(lib.cpor_claim_history, actor, claim, byref(out))
        return _Iter(self, out.value, lib.cpor_event_iter_next, lib.cpor_event_iter_free,
                     Event, lib.cpor_event_free)
