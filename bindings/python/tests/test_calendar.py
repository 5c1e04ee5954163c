"""Calendars, dates and time zones through the binding (exact values)."""

import datetime as dt
import unittest

import cpor
from cpor import Calendar, Roll, TimeZone

D = dt.date
UTC = dt.timezone.utc


class Builtins(unittest.TestCase):
    def setUp(self):
        self.wk = Calendar.builtin("weekends")
        self.us = Calendar.builtin("us-federal")
        self.addCleanup(self.wk.close)
        self.addCleanup(self.us.close)

    def test_names(self):
        self.assertEqual(self.wk.name, "weekends")
        self.assertEqual(self.us.name, "us-federal")
        with self.assertRaises(cpor.NotFound):
            Calendar.builtin("mars")

    def test_add(self):
        self.assertEqual(self.wk.add(D(2026, 11, 27), 1), D(2026, 11, 30))  # Fri + 1 = Mon
        self.assertEqual(self.wk.add(D(2026, 11, 28), 1), D(2026, 11, 30))  # Sat + 1 = Mon
        self.assertEqual(self.wk.add(D(2026, 11, 28), 0), D(2026, 11, 30))  # n = 0 rolls
        self.assertEqual(self.wk.add(D(2026, 11, 30), -1), D(2026, 11, 27))
        self.assertEqual(self.wk.add(D(2026, 12, 31), 1), D(2027, 1, 1))
        self.assertEqual(self.us.add(D(2026, 11, 25), 1), D(2026, 11, 27))  # Thanksgiving
        self.assertEqual(self.us.add(D(2026, 12, 24), 1), D(2026, 12, 28))  # Christmas Friday

    def test_is_business_day(self):
        self.assertTrue(self.wk.is_business_day(D(2026, 11, 26)))
        self.assertFalse(self.us.is_business_day(D(2026, 11, 26)))
        self.assertFalse(self.wk.is_business_day(D(2026, 11, 28)))

    def test_count(self):
        self.assertEqual(self.wk.count(D(2026, 11, 23), D(2026, 11, 30)), 5)
        self.assertEqual(self.wk.count(D(2026, 11, 30), D(2026, 11, 23)), -5)
        self.assertEqual(self.us.count(D(2026, 11, 23), D(2026, 11, 30)), 4)
        self.assertEqual(self.wk.count(D(2026, 1, 1), D(2026, 1, 1)), 0)

    def test_adjust(self):
        sat = D(2026, 10, 31)  # Saturday, last day of the month
        self.assertEqual(self.wk.adjust(sat, Roll.FOLLOWING), D(2026, 11, 2))
        self.assertEqual(self.wk.adjust(sat, "modified_following"), D(2026, 10, 30))
        self.assertEqual(self.wk.adjust(sat, Roll.PRECEDING), D(2026, 10, 30))
        self.assertEqual(self.wk.adjust(sat, Roll.NEAREST), D(2026, 10, 30))
        self.assertEqual(self.wk.adjust(D(2026, 11, 1), Roll.NEAREST), D(2026, 11, 2))
        self.assertEqual(self.wk.adjust(sat, Roll.UNADJUSTED), sat)

    def test_batch(self):
        days = [D(2026, 11, 20) + dt.timedelta(days=i) for i in range(40)]
        self.assertEqual(self.us.add_many(days, 3), [self.us.add(d, 3) for d in days])
        ends = [d + dt.timedelta(days=17) for d in days]
        self.assertEqual(self.us.count_many(days, ends),
                         [self.us.count(a, b) for a, b in zip(days, ends)])
        self.assertEqual(self.us.add_many([], 1), [])

    def test_range_and_types(self):
        with self.assertRaises(cpor.RangeError):
            self.wk.add(D(9999, 12, 31), 1)
        with self.assertRaises(TypeError):
            self.wk.add(dt.datetime(2026, 1, 1, tzinfo=UTC), 1)
        with self.assertRaises(TypeError):
            self.wk.add("2026-01-01", 1)

    def test_deadline(self):
        ev = dt.datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
        due, closes = self.wk.deadline("UTC0", ev, 5)
        self.assertEqual(due, D(2026, 11, 9))
        self.assertEqual(closes, dt.datetime(2026, 11, 10, tzinfo=UTC))
        pst = TimeZone.parse("PST8PDT,M3.2.0,M11.1.0")
        # 2026-11-24 05:00 UTC is Monday 2026-11-23 21:00 in PST; +3 us-federal: Fri 11-27.
        due, closes = self.us.deadline(pst, dt.datetime(2026, 11, 24, 5, tzinfo=UTC), 3)
        self.assertEqual(due, D(2026, 11, 27))
        self.assertEqual(closes, dt.datetime(2026, 11, 28, 8, tzinfo=UTC))
        with self.assertRaises(cpor.InvalidArgument):
            self.wk.deadline(pst, ev, 0)
        with self.assertRaises(ValueError):
            self.wk.deadline(pst, dt.datetime(2026, 11, 2), 1)  # naive


class Building(unittest.TestCase):
    def test_parse(self):
        cal = Calendar.parse('name test\nweekend sat sun\ndate 2026-12-24\n'
                             'fixed 12-25 observe=nearest "Christmas"\n')
        self.assertEqual(cal.name, "test")
        self.assertEqual(cal.add(D(2026, 12, 23), 1), D(2026, 12, 28))

    def test_parse_error_names_line(self):
        with self.assertRaises(cpor.InvalidArgument) as cm:
            Calendar.parse("weekend sat sun\nbogus rule\n")
        self.assertIn("line 2", cm.exception.message)

    def test_build(self):
        cal = Calendar.build(weekmask="1111110", holidays=[D(2026, 11, 26)],
                             working_days=[D(2026, 11, 29)])
        self.assertTrue(cal.is_business_day(D(2026, 11, 28)))  # Saturday worked
        self.assertTrue(cal.is_business_day(D(2026, 11, 29)))  # extra working Sunday
        self.assertFalse(cal.is_business_day(D(2026, 11, 26)))
        with self.assertRaises(cpor.InvalidArgument):
            Calendar.build(weekmask=0)


class TimeZones(unittest.TestCase):
    def test_local_date_and_start_of_day(self):
        cet = TimeZone.parse("CET-1CEST,M3.5.0,M10.5.0/3")
        self.assertEqual(cet.local_date(dt.datetime(2026, 6, 30, 22, 30, tzinfo=UTC)),
                         D(2026, 7, 1))
        self.assertEqual(cet.start_of_day(D(2026, 7, 1)), dt.datetime(2026, 6, 30, 22, tzinfo=UTC))
        self.assertEqual(cet.utcoffset(dt.datetime(2026, 1, 1, tzinfo=UTC)),
                         dt.timedelta(hours=1))
        other = dt.timezone(dt.timedelta(hours=5))
        self.assertEqual(cet.local_date(dt.datetime(2026, 7, 1, 1, 0, tzinfo=other)),
                         D(2026, 6, 30))

    def test_refused(self):
        for bad in ("Europe/Paris", ":UTC", ""):
            with self.assertRaises(cpor.InvalidArgument):
                TimeZone.parse(bad)
        with self.assertRaises(ValueError):
            TimeZone.parse("UTC0").local_date(dt.datetime(2026, 1, 1))


if __name__ == "__main__":
    unittest.main()
