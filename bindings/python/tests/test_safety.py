"""Issue 14 (Python): nothing a caller does crashes the interpreter.

One named regression test per item of the issue. Whatever used to crash
(segfault, double free, a spin inside SQLite) runs in a child process
(``sys.executable``) with a timeout, so a crash or a hang fails that test
and not the whole run. Exception types are asserted exactly.
"""

import contextlib
import copy
import datetime as dt
import gc
import os
import pathlib
import pickle
import shutil
import subprocess
import sys
import tempfile
import textwrap
import threading
import typing
import unittest

import cpor
from cpor import Actor, Calendar, Context, ManualClock, TimeZone
from helpers import MPN, REVIEWER, SHA, START, TENANT, WorldCase, admin

HERE = os.path.dirname(os.path.abspath(__file__))
PACKAGE_ROOT = os.path.dirname(HERE)  # bindings/python


@contextlib.contextmanager
def exactly(test, exc, msg=None):
    """assertRaises, and the exception's type is exc itself (not a subclass:
    cpor.InvalidArgument is a ValueError too)."""
    with test.assertRaises(exc, msg=msg) as cm:
        yield cm
    test.assertIs(type(cm.exception), exc, "%s: %r" % (msg or "", cm.exception))


def run_child(code, timeout=60, env=None, cwd=None):
    """Runs code in a fresh interpreter (tests/ and the package importable)."""
    e = dict(os.environ)
    e["PYTHONPATH"] = os.pathsep.join([HERE, PACKAGE_ROOT])
    e["PYTHONFAULTHANDLER"] = "1"
    if env:
        for k, v in env.items():
            if v is None:
                e.pop(k, None)
            else:
                e[k] = v
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], env=e, cwd=cwd,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=timeout,
                          universal_newlines=True)


class ChildCase(unittest.TestCase):
    def child(self, code, expect="OK", **kw):
        try:
            r = run_child(code, **kw)
        except subprocess.TimeoutExpired as e:
            self.fail("child hung (deadlock or spin):\n%s" % (e.output or ""))
        self.assertEqual(r.returncode, 0, "child failed (rc %d):\n%s" % (r.returncode, r.stdout))
        if expect is not None:
            self.assertIn(expect, r.stdout)
        return r.stdout


WORLD = """
import datetime as dt, os, sys, threading, time
import cpor
from cpor import Actor, Context, ManualClock
from helpers import MPN, REVIEWER, SHA, START, TENANT, DOMAIN, admin

def world(ctx):
    for p, mpn in MPN.items():
        ctx.create_partner(cpor.Actor.system("ops"), p, "Partner " + p)
        ctx.create_location(cpor.Actor.system("ops"), p, mpn, p + " HQ")
        ctx.enroll(cpor.Actor.system("ops"), mpn, "osu_m365")
    ctx.create_tenant(cpor.Actor.system("ops"), ctx.create_customer(cpor.Actor.system("ops"), "Contoso"), TENANT, DOMAIN)

def tenant(ctx, k, i):
    # a fresh tenant (its own claim units): (tenant_id, domain)
    tid = "0f8fad5b-d9cb-469f-a165-%04d%08d" % (k, i)
    dom = "t%d-%d.example.com" % (k, i)
    ctx.create_tenant(cpor.Actor.system("ops"), ctx.create_customer(cpor.Actor.system("ops"), "C%d-%d" % (k, i)), tid, dom)
    return tid, dom

def claim(ctx, p="A", workload="TEAMS", tenant_id=TENANT, domain=DOMAIN):
    return ctx.create_claim(admin(p), name="c", mpn_id=MPN[p], tenant_id=tenant_id, domain=domain,
        area="m365", activity="usage", lines=[workload], customer_contact_name="Ann",
        customer_contact_title="CIO", customer_contact_email="ann@contoso.com",
        partner_contact_name="Pat", partner_contact_email="pat@a.example")
"""


# ---------------------------------------------------------------------------- threads


class Threads(ChildCase):
    def test_threads_hammer_one_sqlite_context(self):
        # Was: a segfault or 100% CPU inside SQLite (NOMUTEX connection, no lock).
        with tempfile.TemporaryDirectory() as d:
            out = self.child(WORLD + """
path = os.path.join(%r, "shared.db")
clock = ManualClock(START)
ctx = Context(path, clock=clock)
world(ctx)
errors = []
def worker(k):
    try:
        for i in range(60):
            tid, dom = tenant(ctx, k, i)
            c = claim(ctx, "ABC"[k %% 3], tenant_id=tid, domain=dom)
            ctx.comment(admin("ABC"[k %% 3]), c, "t%%d-%%d" %% (k, i))
            ctx.partner(cpor.Actor.system("ops"), "ABC"[i %% 3])
            n = sum(1 for _ in ctx.find_claims(REVIEWER, tenant_id=tid))
            assert n == 1, n
            for e in ctx.history(admin("ABC"[k %% 3]), c):
                assert e.seq >= 1
            ctx.advance()
            ctx.now()
    except BaseException as e:
        errors.append(repr(e))
threads = [threading.Thread(target=worker, args=(k,)) for k in range(4)]
for t in threads: t.start()
for t in threads: t.join()
assert not errors, errors
total = sum(sum(1 for _ in ctx.find_claims(REVIEWER, partner_id=p)) for p in "ABC")
assert total == 240, total
ctx.close()
print("OK", total)
""" % d, timeout=120)
            self.assertIn("OK 240", out)

    def test_close_while_other_threads_iterate_and_advance(self):
        # Was: a use-after-free (close() freed the context under find_claims/advance).
        self.child(WORLD + """
ctx = Context(clock=ManualClock(START))
world(ctx)
for i in range(30):
    claim(ctx, *("A",) + (("TEAMS",) + tenant(ctx, 0, i)))
started = threading.Barrier(4)
outcomes = []
def worker(k):
    started.wait()
    try:
        while True:
            if k % 2:
                for c in ctx.find_claims(REVIEWER, partner_id="A"):
                    pass
            else:
                ctx.advance()
    except ValueError as e:       # "Context is closed" / "iterator is closed"
        outcomes.append(type(e).__name__)
    except BaseException as e:
        outcomes.append("unexpected " + repr(e))
threads = [threading.Thread(target=worker, args=(k,)) for k in range(3)]
for t in threads: t.start()
started.wait()
time.sleep(0.2)
ctx.close()
for t in threads: t.join(30)
assert outcomes == ["ValueError"] * 3, outcomes
print("OK")
""")

    def test_close_waits_for_the_call_in_progress(self):
        # Was: close() freed the context while another thread was inside a call.
        self.child(WORLD + """
entered, go = threading.Event(), threading.Event()
def slow_clock():
    entered.set()
    go.wait(10)
    return START
ctx = Context(clock=slow_clock)
got = []
reader = threading.Thread(target=lambda: got.append(ctx.now()))
reader.start()
assert entered.wait(10)
closer = threading.Thread(target=ctx.close)
closer.start()
closer.join(0.3)
assert closer.is_alive(), "close() did not wait for the call in progress"
assert not ctx.closed
go.set()
reader.join(10)
closer.join(10)
assert got == [START], got
assert ctx.closed
try:
    ctx.now()
except ValueError as e:
    assert type(e) is ValueError and "closed" in str(e), repr(e)
else:
    raise AssertionError("call after close")
print("OK")
""")

    def test_iterators_of_one_context_on_several_threads(self):
        # Each next() holds the Context's lock: interleaved next() calls on
        # iterators of one Context from several threads are serialized.
        self.child(WORLD + """
ctx = Context(clock=ManualClock(START))
world(ctx)
ids = [claim(ctx, workload=w).id for w in ("TEAMS", "EXCHANGE", "SHAREPOINT")]
its = [ctx.history(admin("A"), ids[i % 3]) for i in range(40)]
seen = []
def worker(k):
    for it in its[k::4]:
        seen.append(len(list(it)))
        ctx.workload(cpor.Actor.system("ops"), "TEAMS")
threads = [threading.Thread(target=worker, args=(k,)) for k in range(4)]
for t in threads: t.start()
for t in threads: t.join()
assert seen == [1] * 40, seen
print("OK")
""")

    def test_separate_contexts_on_threads_do_not_wait(self):
        # A blocked call on one Context does not hold up another Context.
        go = threading.Event()
        entered = threading.Event()

        def slow_clock():
            entered.set()
            go.wait(10)
            return START

        a = Context(clock=slow_clock)
        b = Context(clock=ManualClock(START))
        self.addCleanup(b.close)
        t = threading.Thread(target=a.now)
        t.start()
        self.assertTrue(entered.wait(10))
        self.assertEqual(b.now(), START)  # does not block
        go.set()
        t.join(10)
        a.close()


class SharedHandles(ChildCase):
    def test_calendar_timezone_clock_shared_by_threads_and_closed_under_them(self):
        # Was: close() on one thread freed the calendar under another's add_many.
        self.child("""
import datetime as dt, threading, time, cpor
cal = cpor.Calendar.builtin("us-federal")
tz = cpor.TimeZone("PST8PDT,M3.2.0,M11.1.0")
clock = cpor.ManualClock(dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc))
days = [dt.date(2020, 1, 1) + dt.timedelta(days=i) for i in range(5000)]
outcomes = []
def worker():
    try:
        while True:
            assert len(cal.add_many(days, 3)) == 5000
            tz.local_date(clock.now)
            clock.advance(hours=1)
    except ValueError as e:
        outcomes.append(type(e).__name__)
threads = [threading.Thread(target=worker) for _ in range(3)]
for t in threads: t.start()
time.sleep(0.3)
for h in (cal, tz, clock):
    h.close()
for t in threads: t.join(30)
assert outcomes == ["ValueError"] * 3, outcomes
print("OK")
""")


# ---------------------------------------------------------------------------- re-entrancy


class Reentrancy(ChildCase):
    def test_clock_callback_calling_its_own_context(self):
        # Was: a deadlock or undefined behaviour; now a clear ReentrancyError.
        self.child("""
import datetime as dt, cpor
START = dt.datetime(2026, 11, 2, tzinfo=dt.timezone.utc)
box = {}
def clock():
    if box.get("reenter"):
        box["ctx"].create_partner(cpor.Actor.system("ops"), "X", "X")
    return START
ctx = cpor.Context(clock=clock)
box["ctx"] = ctx
assert ctx.now() == START
box["reenter"] = True
try:
    ctx.now()
except cpor.ReentrancyError as e:
    assert type(e) is cpor.ReentrancyError, type(e)
    assert "re-entrant" in str(e), e
else:
    raise AssertionError("no ReentrancyError")
box["reenter"] = False
assert ctx.now() == START          # still usable, lock released
ctx.close()
print("OK")
""", timeout=30)

    def test_clock_callback_closing_its_own_context(self):
        # Was: a segfault (the callback freed the context the C call was using).
        self.child("""
import datetime as dt, cpor
START = dt.datetime(2026, 11, 2, tzinfo=dt.timezone.utc)
box = {"close": False}
def clock():
    if box["close"]:
        box["ctx"].close()
    return START
ctx = cpor.Context(clock=clock)
box["ctx"] = ctx
ctx.create_partner(cpor.Actor.system("ops"), "A", "A")
box["close"] = True
try:
    ctx.create_partner(cpor.Actor.system("ops"), "B", "B")
except cpor.ReentrancyError as e:
    assert type(e) is cpor.ReentrancyError, type(e)
else:
    raise AssertionError("no ReentrancyError")
assert not ctx.closed
box["close"] = False
assert ctx.partner(cpor.Actor.system("ops"), "A").name == "A"
ctx.close()
assert ctx.closed
print("OK")
""", timeout=30)

    def test_clock_callback_iterating_its_own_context(self):
        self.child("""
import datetime as dt, cpor
START = dt.datetime(2026, 11, 2, tzinfo=dt.timezone.utc)
box = {}
def clock():
    if "it" in box:
        next(box["it"])
    return START
ctx = cpor.Context(clock=clock)
it = ctx.workloads(cpor.Actor.system("ops"))
box["it"] = it
try:
    ctx.now()
except cpor.ReentrancyError as e:
    assert type(e) is cpor.ReentrancyError, type(e)
else:
    raise AssertionError("no ReentrancyError")
del box["it"]
assert len(list(it)) > 20
ctx.close()
print("OK")
""", timeout=30)

    def test_callback_may_use_another_context(self):
        other = Context(clock=ManualClock(START))
        self.addCleanup(other.close)
        ctx = Context(clock=lambda: other.now())
        self.addCleanup(ctx.close)
        self.assertEqual(ctx.now(), START)


class Finalizers(unittest.TestCase):
    def test_iterator_collected_inside_a_call_is_freed_after_it(self):
        # The finalizer runs on the thread holding the Context's lock (inside
        # the clock callback): it must neither deadlock nor free under the
        # call; the iterator is freed when the call releases the lock.
        box = {}

        def clock():
            if "it" in box:
                del box["it"]  # the last reference: finalized right here
                gc.collect()
                box["pending"] = len(ctx._g._pending)
            return START
        ctx = Context(clock=clock)
        self.addCleanup(ctx.close)
        box["it"] = ctx.workloads(cpor.Actor.system("ops"))
        self.assertEqual(len(ctx._g._children), 1)
        self.assertEqual(ctx.now(), START)
        self.assertEqual(box["pending"], 1)
        self.assertEqual(ctx._g._pending, [])
        self.assertEqual(ctx._g._children, {})

    def test_iterator_collected_on_another_thread_during_a_call(self):
        entered, go = threading.Event(), threading.Event()

        def clock():
            if not go.is_set():
                entered.set()
                go.wait(10)
            return START
        ctx = Context(clock=clock)
        self.addCleanup(ctx.close)
        go.set()
        it = ctx.workloads(cpor.Actor.system("ops"))
        go.clear()
        t = threading.Thread(target=ctx.now)
        t.start()
        self.assertTrue(entered.wait(10))
        del it  # finalizer: the lock is busy, so it defers (never blocks)
        self.assertEqual(len(ctx._g._pending), 1)
        go.set()
        t.join(10)
        self.assertEqual(ctx._g._pending, [])
        self.assertEqual(ctx._g._children, {})

    def test_contexts_dropped_on_threads_are_freed(self):
        self.child_ok = run_child(WORLD + """
import gc
def work(k):
    for i in range(50):
        ctx = Context(clock=ManualClock(START), calendar="us-federal")
        ctx.create_partner(cpor.Actor.system("ops"), "P", "P")
        it = ctx.workloads(cpor.Actor.system("ops"))
        next(it)
        if i % 2:
            del ctx          # the iterator keeps it alive
        del it
threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
for t in threads: t.start()
for t in threads: t.join()
gc.collect()
print("OK")
""")
        self.assertEqual(self.child_ok.returncode, 0, self.child_ok.stdout)


# ---------------------------------------------------------------------------- callbacks


class CallbackExceptions(unittest.TestCase):
    def raising_clock(self, exc):
        box = {"exc": None}

        def clock():
            if box["exc"] is not None:
                raise box["exc"]
            return START
        ctx = Context(clock=clock)
        self.addCleanup(ctx.close)
        box["exc"] = exc
        return ctx, box

    def test_keyboard_interrupt_in_clock_propagates_unchanged(self):
        # Was: InvalidArgument("the clock callback failed").
        exc = KeyboardInterrupt("stop")
        ctx, box = self.raising_clock(exc)
        with exactly(self, KeyboardInterrupt) as cm:
            ctx.create_partner(cpor.Actor.system("ops"), "A", "A")
        self.assertIs(cm.exception, exc)
        box["exc"] = None
        with exactly(self, cpor.NotFound):  # the failed call changed nothing
            ctx.partner(cpor.Actor.system("ops"), "A")

    def test_system_exit_in_clock_propagates_unchanged(self):
        exc = SystemExit(3)
        ctx, box = self.raising_clock(exc)
        with exactly(self, SystemExit) as cm:
            ctx.now()
        self.assertIs(cm.exception, exc)
        self.assertEqual(cm.exception.code, 3)
        box["exc"] = None
        self.assertEqual(ctx.now(), START)

    def test_ordinary_exception_is_the_cause_of_the_call_error(self):
        exc = ZeroDivisionError("x")
        ctx, box = self.raising_clock(exc)
        with exactly(self, cpor.InvalidArgument) as cm:
            ctx.now()
        self.assertIs(cm.exception.__cause__, exc)
        box["exc"] = None
        self.assertEqual(ctx.now(), START)


# ---------------------------------------------------------------------------- copies


class Copies(ChildCase):
    def test_copy_context_refused_and_close_safe(self):
        # Was: copy.copy(ctx) shared the pointer; closing both freed it twice.
        self.child("""
import copy, gc, pickle, cpor
ctx = cpor.Context()
for f in (copy.copy, copy.deepcopy, pickle.dumps):
    try:
        f(ctx)
    except TypeError:
        pass
    else:
        raise AssertionError(f)
ctx.create_partner(cpor.Actor.system("ops"), "A", "A")
ctx.close()
gc.collect()
print("OK")
""")

    def test_copy_handles_refused(self):
        cal = Calendar.builtin("weekends")
        tz = TimeZone("UTC0")
        clock = ManualClock(START)
        ctx = Context(clock=clock)
        it = ctx.workloads(cpor.Actor.system("ops"))
        try:
            for obj in (cal, tz, clock, ctx, it):
                for f in (copy.copy, copy.deepcopy, pickle.dumps):
                    with exactly(self, TypeError, msg="%s %r" % (f.__name__, obj)):
                        f(obj)
            self.assertEqual(cal.add(dt.date(2026, 11, 27), 1), dt.date(2026, 11, 30))
            self.assertGreater(len(list(it)), 20)
        finally:
            ctx.close()
            for h in (cal, tz, clock):
                h.close()

    def test_records_copy_safely(self):
        with Context(clock=ManualClock(START)) as ctx:
            ctx.create_partner(cpor.Actor.system("ops"), "A", "Partner A")
            p = ctx.partner(cpor.Actor.system("ops"), "A")
            actor = admin("A")
        for rec in (p, actor):
            for f in (copy.copy, copy.deepcopy, lambda r: pickle.loads(pickle.dumps(r))):
                self.assertEqual(f(rec), rec)


class ClaimRecordCopies(WorldCase):
    def test_claim_and_event_copy_safely(self):
        c = self.new_claim()
        ev = next(iter(self.ctx.history(admin("A"), c)))
        for rec in (c, ev):
            for f in (copy.copy, copy.deepcopy, lambda r: pickle.loads(pickle.dumps(r))):
                self.assertEqual(f(rec), rec)
        self.assertEqual(copy.deepcopy(c).customer_contact_email, "ann@contoso.com")


# ---------------------------------------------------------------------------- constructors


class Constructors(ChildCase):
    def test_calendar_constructor_takes_no_pointer(self):
        # Was: cpor.Calendar("weekends") used the string as a pointer: segfault.
        self.child("""
import cpor
for args in (("weekends",), (12345,), (), (None,)):
    try:
        cpor.Calendar(*args)
    except TypeError:
        pass
    else:
        raise AssertionError(args)
print("OK")
""")

    def test_timezone_constructor_parses_or_refuses(self):
        # Was: cpor.TimeZone("UTC0", "UTC0") took "UTC0" as a pointer: segfault/double free.
        self.child("""
import cpor, gc
for args in (("UTC0", "UTC0"), (1234, "UTC0")):
    try:
        cpor.TimeZone(*args)
    except TypeError:
        pass
    else:
        raise AssertionError(args)
try:
    cpor.TimeZone("Europe/Paris")
except cpor.InvalidArgument:
    pass
else:
    raise AssertionError("zoneinfo name accepted")
tz = cpor.TimeZone("CET-1CEST,M3.5.0,M10.5.0/3")
assert tz.rule == "CET-1CEST,M3.5.0,M10.5.0/3"
gc.collect()
print("OK")
""")

    def test_iterator_class_cannot_be_constructed(self):
        ctx = Context()
        self.addCleanup(ctx.close)
        it = ctx.workloads(cpor.Actor.system("ops"))
        with exactly(self, TypeError):
            type(it)(ctx, 12345, None, None, None, None, "x")
        it.close()


# ---------------------------------------------------------------------------- integers


class IntegerRanges(WorldCase):
    D = dt.date(2026, 11, 2)

    def test_calendar_add_count_out_of_int32(self):
        # Was: cal.add(d, 2**32 + 1) == cal.add(d, 1).
        cal = Calendar.builtin("weekends")
        self.addCleanup(cal.close)
        for n in (2**32 + 1, 2**31, -(2**31) - 1, 2**64):
            with exactly(self, OverflowError):
                cal.add(self.D, n)
            with exactly(self, OverflowError):
                cal.add_many([self.D], n)
            with exactly(self, OverflowError):
                cal.deadline("UTC0", START, n)
        with exactly(self, TypeError):
            cal.add(self.D, True)
        with exactly(self, TypeError):
            cal.add(self.D, 1.0)
        with exactly(self, OverflowError):
            Calendar.build(weekmask=-1)
        with exactly(self, OverflowError):
            Calendar.build(weekmask=2**32 + 31)
        self.assertEqual(cal.add(self.D, 1), dt.date(2026, 11, 3))

    def test_add_poe_size_checked(self):
        # Was: add_poe(size=-1) stored 2**64 - 1.
        c = self.new_claim()
        with exactly(self, ValueError) as cm:
            self.ctx.add_poe(admin("A"), c, "p.pdf", "application/pdf", SHA, -1)
        self.assertIs(type(cm.exception), ValueError)
        with exactly(self, OverflowError):
            self.ctx.add_poe(admin("A"), c, "p.pdf", "application/pdf", SHA, 2**64)
        with exactly(self, TypeError):
            self.ctx.add_poe(admin("A"), c, "p.pdf", "application/pdf", SHA, "12")
        self.assertEqual(self.ctx.claim(admin("A"), c).poes, ())
        # The library takes sizes up to 2**63 - 1 (the C range is wider).
        with exactly(self, cpor.InvalidArgument):
            self.ctx.add_poe(admin("A"), c, "p.pdf", "application/pdf", SHA, 2**63)
        self.ctx.add_poe(admin("A"), c, "p.pdf", "application/pdf", SHA, 2**63 - 1)
        self.assertEqual(self.ctx.claim(admin("A"), c).poes[0].size, 2**63 - 1)

    def test_enroll_program_out_of_int(self):
        # Was: enroll(mpn, 2**32 + 3) enrolled in program 3.
        with exactly(self, OverflowError):
            self.ctx.enroll(cpor.Actor.system("ops"), MPN["A"], 2**32 + 3)
        self.assertFalse(self.ctx.location(cpor.Actor.system("ops"), MPN["A"]).is_enrolled(3))
        with exactly(self, cpor.InvalidArgument):
            self.ctx.enroll(cpor.Actor.system("ops"), MPN["A"], 99)
        self.ctx.enroll(cpor.Actor.system("ops"), MPN["A"], True and 3)
        self.assertTrue(self.ctx.location(cpor.Actor.system("ops"), MPN["A"]).is_enrolled(3))

    def test_enum_ints_and_flags_checked(self):
        with exactly(self, OverflowError):
            list(self.ctx.find_claims(REVIEWER, state=2**32 + 2))
        with exactly(self, OverflowError):
            list(self.ctx.find_claims(REVIEWER, state=-1))
        with exactly(self, OverflowError):
            Actor(2**32 + 7, None, "u")
        with exactly(self, TypeError):
            list(self.ctx.find_claims(REVIEWER, tenant_id=TENANT, overdue="yes"))
        with exactly(self, ValueError):
            list(self.ctx.find_claims(REVIEWER, tenant_id=TENANT, overdue=2))
        self.assertEqual(list(self.ctx.find_claims(REVIEWER, tenant_id=TENANT, overdue=True)),
                         [])
        with exactly(self, OverflowError):
            self.ctx.create_subscription(cpor.Actor.system("ops"), "9b2c1d3e-0000-4000-8000-000000000001", TENANT,
                                         "D365_SALES", 2**32 + 1, "active")

    def test_decide_dispute_grant_flag(self):
        c = self.approved()
        with exactly(self, ValueError):
            self.ctx.decide_dispute(REVIEWER, c, 2)
        with exactly(self, TypeError):
            self.ctx.decide_dispute(REVIEWER, c, "yes")

    def test_context_options_checked(self):
        with exactly(self, OverflowError):
            Context(optout=2**32 + 5)
        with exactly(self, OverflowError):
            Context(optout=(2**32 + 5, "business"))
        with exactly(self, OverflowError):
            Context(optout=(5, 2**32 + 1))
        with exactly(self, TypeError):
            Context(optout=True)
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "o.db")
            with exactly(self, ValueError):
                Context(path, busy_timeout_ms=-1)
            with exactly(self, OverflowError):
                Context(path, busy_timeout_ms=2**31)
            with exactly(self, ValueError):
                Context(path, read_only=2)
            with Context(path, busy_timeout_ms=0, synchronous_full=True) as ctx:
                ctx.create_partner(cpor.Actor.system("ops"), "A", "A")

    def test_check_error_code_range(self):
        with exactly(self, OverflowError):
            cpor.check_error(-(2**32) - 7)  # would have wrapped to CPOR_ESTATE
        with exactly(self, cpor.InvalidState):
            cpor.check_error(-7)

    def test_manual_clock_advance_range(self):
        clock = ManualClock(START)
        self.addCleanup(clock.close)
        clock.advance(dt.timedelta(days=1))
        self.assertEqual(clock.now, START + dt.timedelta(days=1))


# ---------------------------------------------------------------------------- NUL


class NulCharacters(WorldCase):
    def test_bytes_with_nul_refused(self):
        # Was: b"evil\0tail" created a partner "evil".
        with exactly(self, ValueError) as cm:
            self.ctx.create_partner(cpor.Actor.system("ops"), b"evil\0tail", "Evil")
        self.assertIs(type(cm.exception), ValueError)
        with exactly(self, cpor.NotFound):
            self.ctx.partner(cpor.Actor.system("ops"), "evil")
        self.ctx.create_partner(cpor.Actor.system("ops"), b"good", "Good")
        self.assertEqual(self.ctx.partner(cpor.Actor.system("ops"), "good").name, "Good")

    def test_str_with_nul_refused(self):
        for call in (lambda: self.ctx.create_partner(cpor.Actor.system("ops"), "evil\0tail", "x"),
                     lambda: self.ctx.partner(cpor.Actor.system("ops"), "A\0"),
                     lambda: self.new_claim(name="x\0y"),
                     lambda: self.ctx.comment(admin("A"), "c\0", text="hi"),
                     lambda: Actor.reviewer("rev\0iewer"),
                     lambda: Calendar.parse("name x\0\nweekmask 1111100\n"),
                     lambda: TimeZone("UTC0\0junk"),
                     lambda: Context(tz="UTC0\0")):
            with exactly(self, ValueError):
                call()
        with exactly(self, cpor.NotFound):
            self.ctx.partner(cpor.Actor.system("ops"), "evil")
        c = self.new_claim()
        with exactly(self, ValueError):
            self.ctx.comment(admin("A"), c, text="a\0b")
        self.assertEqual(len(list(self.ctx.history(admin("A"), c))), 1)


# ---------------------------------------------------------------------------- paths


class Paths(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, self.dir)

    def test_pathlike_db_path(self):
        p = pathlib.Path(self.dir) / "path.db"
        with Context(p) as ctx:
            ctx.create_partner(cpor.Actor.system("ops"), "A", "A")
            self.assertIn("path.db", repr(ctx))
        self.assertTrue(p.exists())
        with Context(p) as ctx:
            self.assertEqual(ctx.partner(cpor.Actor.system("ops"), "A").name, "A")

    def test_bytes_db_path(self):
        # Was: Context(b"x.db") created a file named "b'x.db'".
        old = os.getcwd()
        os.chdir(self.dir)
        try:
            with Context(b"x.db") as ctx:
                ctx.create_partner(cpor.Actor.system("ops"), "A", "A")
        finally:
            os.chdir(old)
        self.assertEqual(sorted(n for n in os.listdir(self.dir) if not n.startswith("x.db-")),
                         ["x.db"])

    def test_non_utf8_bytes_path_passed_raw(self):
        raw = os.path.join(os.fsencode(self.dir), b"caf\xe9.db")
        with Context(raw) as ctx:
            ctx.create_partner(cpor.Actor.system("ops"), "A", "A")
        self.assertIn(b"caf\xe9.db", os.listdir(os.fsencode(self.dir)))
        # The same file through its str spelling (surrogateescape).
        with Context(os.fsdecode(raw)) as ctx:
            self.assertEqual(ctx.partner(cpor.Actor.system("ops"), "A").name, "A")

    def test_nul_in_path_refused(self):
        for p in ("a\0b.db", b"a\0b.db"):
            with exactly(self, ValueError):
                Context(os.path.join(self.dir, p) if isinstance(p, str)
                        else os.path.join(os.fsencode(self.dir), p))
        self.assertEqual(os.listdir(self.dir), [])
        with exactly(self, TypeError):
            Context(123)


# ---------------------------------------------------------------------------- API surface


def _public_callables():
    for name in cpor.__all__:
        obj = getattr(cpor, name)
        if isinstance(obj, type) and obj.__module__.startswith("cpor"):
            yield name, obj
            for attr, member in vars(obj).items():
                if attr.startswith("_") or isinstance(obj, type) and issubclass(
                        obj, int) and attr.isupper():
                    continue
                if isinstance(member, (staticmethod, classmethod)):
                    member = member.__func__
                if callable(member) or isinstance(member, property):
                    yield "%s.%s" % (name, attr), member
        elif callable(obj) and getattr(obj, "__module__", "").startswith("cpor"):
            yield name, obj


class ApiSurface(WorldCase):
    def test_every_public_class_and_method_has_a_docstring(self):
        missing = [n for n, obj in _public_callables() if not (obj.__doc__ or "").strip()]
        self.assertEqual(missing, [])

    def test_py_typed_marker_and_hints(self):
        self.assertTrue(os.path.isfile(os.path.join(os.path.dirname(cpor.__file__),
                                                    "py.typed")))
        for fn in (Context.__init__, Context.create_claim, Context.find_claims, Context.comment,
                   Calendar.add, Calendar.deadline, TimeZone.local_date, ManualClock.advance):
            hints = typing.get_type_hints(fn)
            self.assertIn("return", hints, fn.__qualname__)

    def test_text_keyword(self):
        c = self.submitted()
        self.ctx.comment(admin("A"), c, text="hello")
        self.ctx.start_review(REVIEWER, c)
        self.ctx.request_info(REVIEWER, c, text="more please")
        self.ctx.respond(admin("A"), c, text="here")
        self.ctx.reject(REVIEWER, c, "insufficient_poe", text="no")
        self.ctx.dispute(admin("A"), c, "but")
        self.ctx.decide_dispute(REVIEWER, c, True, text="ok")
        with exactly(self, TypeError):
            self.ctx.comment(admin("A"), c, text_="old")
        texts = [e.text for e in self.ctx.history(admin("A"), c)]
        for t in ("hello", "more please", "here", "no", "ok"):
            self.assertTrue(any(x and x.endswith(t) for x in texts), (t, texts))

    def test_reprs(self):
        self.assertEqual(repr(self.ctx), "<cpor.Context memory>")
        it = self.ctx.workloads(cpor.Actor.system("ops"))
        self.assertEqual(repr(it), "<cpor workload iterator open>")
        list(it)
        self.assertEqual(repr(it), "<cpor workload iterator exhausted>")
        it2 = self.ctx.workloads(cpor.Actor.system("ops"))
        it2.close()
        self.assertEqual(repr(it2), "<cpor workload iterator closed>")
        self.assertEqual(repr(Calendar.builtin("us-federal")), "<cpor.Calendar 'us-federal'>")
        self.assertEqual(repr(TimeZone("UTC0")), "<cpor.TimeZone 'UTC0'>")
        self.assertIn("2026-11-02T10:00:00+00:00", repr(self.clock))
        self.assertIn("Partner(id='A'", repr(self.ctx.partner(cpor.Actor.system("ops"), "A")))
        ctx = Context()
        ctx.close()
        self.assertEqual(repr(ctx), "<cpor.Context memory closed>")


# ---------------------------------------------------------------------------- the library


class LibraryLookup(ChildCase):
    def test_cpor_library_wrong_path_lists_it(self):
        r = run_child("import cpor", env={"CPOR_LIBRARY": "/nonexistent/libcpor.so.1"})
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("ImportError", r.stdout)
        self.assertIn("$CPOR_LIBRARY=/nonexistent/libcpor.so.1", r.stdout)

    def _copy_package(self, root):
        dst = os.path.join(root, "bindings", "python")
        shutil.copytree(os.path.join(PACKAGE_ROOT, "cpor"), os.path.join(dst, "cpor"))
        return dst

    def test_nothing_found_lists_every_place_tried(self):
        with tempfile.TemporaryDirectory() as root:
            pkg = self._copy_package(root)
            r = subprocess.run(
                [sys.executable, "-c", "import sys; sys.path.insert(0, %r); import cpor" % pkg],
                env={k: v for k, v in os.environ.items()
                     if k not in ("CPOR_LIBRARY", "PYTHONPATH", "LD_LIBRARY_PATH")},
                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True,
                timeout=60)
            if r.returncode == 0:
                self.skipTest("libcpor.so.1 is installed system-wide")
            self.assertIn("ImportError", r.stdout)
            self.assertIn(os.path.join(root, "build", "lib", "libcpor.so.1"), r.stdout)
            self.assertIn("system loader", r.stdout)
            self.assertIn("CPOR_LIBRARY", r.stdout)

    def test_build_tree_next_to_the_package_found_without_env(self):
        lib = os.environ.get("CPOR_LIBRARY")
        if not lib:
            self.skipTest("CPOR_LIBRARY (the build tree's libcpor.so.1) not set")
        with tempfile.TemporaryDirectory() as root:
            pkg = self._copy_package(root)
            os.makedirs(os.path.join(root, "build", "lib"))
            os.symlink(os.path.realpath(lib), os.path.join(root, "build", "lib", "libcpor.so.1"))
            r = subprocess.run(
                [sys.executable, "-c", "import sys; sys.path.insert(0, %r); import cpor; "
                 "print(cpor.LIBRARY_PATH)" % pkg],
                env={k: v for k, v in os.environ.items()
                     if k not in ("CPOR_LIBRARY", "PYTHONPATH")},
                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True,
                timeout=60)
            self.assertEqual(r.returncode, 0, r.stdout)
            self.assertEqual(r.stdout.strip(),
                             os.path.join(root, "build", "lib", "libcpor.so.1"))


if __name__ == "__main__":
    unittest.main()
