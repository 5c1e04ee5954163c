"""Handle lifetimes: close(), with, finalizers, use after close, GC stress."""

import datetime as dt
import gc
import os
import tempfile
import unittest

import cpor
from cpor import Actor, Calendar, Context, ManualClock, State, TimeZone
from helpers import REVIEWER, START, SYSTEM, TENANT, UTC, WorldCase, admin


class UseAfterClose(unittest.TestCase):
    def test_context(self):
        ctx = Context()
        ctx.create_partner(SYSTEM, "A", "A")
        ctx.close()
        ctx.close()  # idempotent
        self.assertTrue(ctx.closed)
        for call in (lambda: ctx.partner(SYSTEM, "A"), ctx.now, ctx.advance, lambda: ctx.errmsg):
            with self.assertRaises(ValueError):
                call()
        with self.assertRaises(ValueError):
            with ctx:
                pass

    def test_calendar_tz_clock(self):
        cal = Calendar.builtin("weekends")
        tz = TimeZone.parse("UTC0")
        clk = ManualClock(START)
        for h in (cal, tz, clk):
            h.close()
        with self.assertRaises(ValueError):
            cal.add(dt.date(2026, 1, 1), 1)
        with self.assertRaises(ValueError):
            tz.local_date(START)
        with self.assertRaises(ValueError):
            clk.now
        with self.assertRaises(ValueError):
            Context(clock=clk)
        with self.assertRaises(ValueError):
            Context(calendar=cal)

    def test_calendar_outlived_by_context(self):
        cal = Calendar.parse("name half\nweekmask 1010100\n")
        ctx = Context(calendar=cal, clock=ManualClock(START))
        cal.close()  # the context holds its own C reference
        ctx.create_partner(SYSTEM, "A", "A")
        self.assertEqual(ctx.partner(SYSTEM, "A").name, "A")
        ctx.close()

    def test_clock_in_use_cannot_close(self):
        clk = ManualClock(START)
        with Context(clock=clk) as ctx:
            with self.assertRaises(ValueError):
                clk.close()
            self.assertEqual(ctx.now(), START)
        clk.close()

    def test_context_keeps_clock_alive(self):
        ctx = Context(clock=ManualClock(START))  # no other reference to the clock
        gc.collect()
        for _ in range(3):
            ctx.clock.advance(days=1)
            self.assertEqual(ctx.now(), ctx.clock.now)
        ctx.close()

    def test_iterator_keeps_context_alive_and_dies_with_close(self):
        def make():
            ctx = Context()
            for i in range(3):
                ctx.create_partner(SYSTEM, "P%d" % i, "n")
            return ctx, ctx.workloads(SYSTEM)
        ctx, it = make()
        first = next(it)
        self.assertEqual(first.code, "COPILOT_STUDIO")
        ctx.close()
        with self.assertRaises(ValueError):
            next(it)
        _, it2 = make()  # the only reference to the Context is inside the iterator
        gc.collect()
        self.assertGreater(len(list(it2)), 20)
        self.assertEqual(list(it2), [])  # exhausted stays exhausted

    def test_snapshots_survive_close(self):
        with Context() as ctx:
            ctx.create_partner(SYSTEM, "A", "Partner A")
            p = ctx.partner(SYSTEM, "A")
        self.assertEqual(p.name, "Partner A")

    def test_naive_datetime_refused(self):
        with self.assertRaises(ValueError):
            ManualClock(dt.datetime(2026, 1, 1))
        clk = ManualClock()
        self.assertEqual(clk.now, dt.datetime(1970, 1, 1, tzinfo=UTC))
        with self.assertRaises(ValueError):
            clk.set(dt.datetime(2026, 1, 1))


class Options(unittest.TestCase):
    def test_sqlite_file_and_policy(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "cpor.db")
            clk = ManualClock(START)
            with Context(path, clock=clk, calendar="us-federal",
                         tz="PST8PDT,M3.2.0,M11.1.0", optout=(7, "calendar"),
                         busy_timeout_ms=100) as ctx:
                ctx.create_partner(SYSTEM, "A", "Partner A")
            with Context(path) as ctx:
                self.assertEqual(ctx.partner(SYSTEM, "A").name, "Partner A")
            with open(path, "wb") as f:
                f.write(b"not a database" * 100)
            with self.assertRaises(cpor.CporError):
                Context(path)

    def test_bad_options(self):
        with self.assertRaises(cpor.InvalidArgument):
            Context(optout=(3651, "business"))
        with self.assertRaises(TypeError):
            Context(opt_out=3)
        with self.assertRaises(ValueError):
            Context(optout=(3, "fortnights"))
        with self.assertRaises(TypeError):
            Context(clock=42)
        with self.assertRaises(cpor.NotFound):
            Context(calendar="mars")


class OptOutPolicy(WorldCase):
    def setUp(self):
        self.clock = ManualClock(START)
        self.ctx = Context(clock=self.clock, optout=cpor.Window(7, cpor.DayUnit.CALENDAR))
        self.addCleanup(self.ctx.close)
        self.ctx.create_partner(SYSTEM, "A", "A")
        self.ctx.create_location(SYSTEM, "A", "1000001", "A HQ")
        self.ctx.enroll(SYSTEM, "1000001", "osu_m365")
        self.ctx.create_tenant(SYSTEM, self.ctx.create_customer(SYSTEM, "Contoso"), TENANT,
                               "contoso.onmicrosoft.com")

    def test_seven_calendar_days(self):
        c = self.approved()
        self.assertEqual(self.ctx.claim(REVIEWER, c).window_closes_at,
                         dt.datetime(2026, 11, 10, tzinfo=UTC))


class Batches(WorldCase):
    def test_batch_commit_and_rollback(self):
        with self.ctx.batch():
            self.ctx.create_partner(SYSTEM, "X", "X")
        self.assertEqual(self.ctx.partner(SYSTEM, "X").name, "X")
        with self.assertRaises(RuntimeError):
            with self.ctx.batch():
                self.ctx.create_partner(SYSTEM, "Y", "Y")
                raise RuntimeError("boom")
        with self.assertRaises(cpor.NotFound):
            self.ctx.partner(SYSTEM, "Y")
        with self.assertRaises(cpor.InvalidState):
            self.ctx.commit()


class GarbageCollectionStress(WorldCase):
    def test_thousands_of_handles(self):
        claim = self.submitted()
        for i in range(3000):
            Calendar.builtin("us-federal" if i % 2 else "weekends")
            TimeZone.parse("CET-1CEST,M3.5.0,M10.5.0/3")
            ManualClock(START)
            it = self.ctx.history(admin("A"), claim)
            if i % 3 == 0:
                next(it)  # partially consumed, then dropped
            if i % 5 == 0:
                self.ctx.find_claims(REVIEWER, tenant_id=TENANT)
            if i % 7 == 0:
                list(self.ctx.workloads(SYSTEM))
            if i % 500 == 0:
                gc.collect()
        for i in range(200):
            c = Context(clock=ManualClock(START), calendar=Calendar.builtin("us-federal"))
            c.create_partner(SYSTEM, "P", "P")
            c.workloads(SYSTEM)  # an open iterator the finalizer frees with the Context
            if i % 2:
                c.close()
        gc.collect()
        # The context is still fully usable.
        self.ctx.start_review(REVIEWER, claim)
        self.ctx.approve(REVIEWER, claim)
        self.clock.advance(days=8)
        self.assertEqual(self.ctx.advance(), 1)
        self.assertEqual(self.ctx.claim(admin("A"), claim).state, State.ASSOCIATED)
        self.assertEqual(len(list(self.ctx.history(admin("A"), claim))), 6)


if __name__ == "__main__":
    unittest.main()
