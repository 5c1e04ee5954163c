"""Business-day calendars and POSIX time zones (pure: no Context needed).

``Calendar`` and ``TimeZone`` own one immutable C object each (a reference
of a ``cpor_calendar``, a ``cpor_tz``), freed by ``close()`` / ``with`` or,
as a backstop, when collected. Both are safe to share between threads.
Errors raise the ``CporError`` subclasses of ``cpor.errors`` (``RangeError``
for dates outside years 1..9999, ``InvalidArgument`` for bad input).
"""

import ctypes
from ctypes import byref, c_int32, c_int64, c_void_p

from . import _convert as cv
from ._handle import Handle
from ._lib import lib, text, untext
from .enums import Roll, to_int
from .errors import check_error


class Calendar(Handle):
    """An immutable business-day calendar (wraps one cpor_calendar reference)."""

    _kind = "Calendar"

    def __init__(self, _ptr):
        # Takes ownership of one reference; use builtin/parse/build instead.
        self._own(_ptr, lib.cpor_calendar_unref)

    @classmethod
    def builtin(cls, name):
        """A built-in calendar: "weekends" or "us-federal". NotFound otherwise."""
        out = c_void_p()
        check_error(lib.cpor_calendar_builtin(text(name), byref(out)))
        return cls(out.value)

    @classmethod
    def parse(cls, rules):
        """A calendar from rule text (DESIGN.md). InvalidArgument("line N: what") on error."""
        out = c_void_p()
        err = ctypes.create_string_buffer(256)
        rc = lib.cpor_calendar_parse(text(rules), byref(out), err, len(err))
        check_error(rc, message=err.value.decode("utf-8", "replace") or None)
        return cls(out.value)

    @classmethod
    def build(cls, weekmask=None, holidays=(), working_days=(), rules=None):
        """A calendar from parts. weekmask: an int (bit 0 = Monday) or a
        7-character string "1111100" (Mon..Sun, 1 = business day); holidays and
        working_days: iterables of datetime.date; rules: rule text."""
        b = c_void_p()
        check_error(lib.cpor_calendar_builder_new(byref(b)))
        try:
            if weekmask is not None:
                if isinstance(weekmask, str):
                    if len(weekmask) != 7 or set(weekmask) - {"0", "1"}:
                        raise ValueError("weekmask string must be 7 characters of 0/1")
                    weekmask = sum(1 << i for i, ch in enumerate(weekmask) if ch == "1")
                check_error(lib.cpor_calendar_builder_set_weekmask(b, weekmask))
            for d in holidays:
                check_error(lib.cpor_calendar_builder_add_holiday(b, cv.date_in(d)))
            for d in working_days:
                check_error(lib.cpor_calendar_builder_add_working_day(b, cv.date_in(d)))
            if rules is not None:
                check_error(lib.cpor_calendar_builder_add_rules(b, text(rules)))
            out = c_void_p()
            check_error(lib.cpor_calendar_builder_build(b, byref(out)))
            return cls(out.value)
        finally:
            lib.cpor_calendar_builder_free(b)

    @property
    def name(self):
        return untext(lib.cpor_calendar_name(self._h()))

    def __repr__(self):
        if self.closed:
            return "<cpor.Calendar closed>"
        return "<cpor.Calendar %r>" % self.name

    def is_business_day(self, date):
        return bool(check_error(lib.cpor_calendar_is_business_day(self._h(), cv.date_in(date))))

    def add(self, date, n):
        """n > 0: the n-th business day strictly after date; n < 0: the |n|-th
        strictly before; n == 0: date rolled forward (FOLLOWING)."""
        out = c_int32()
        check_error(lib.cpor_calendar_add_business_days(self._h(), cv.date_in(date), n, byref(out)))
        return cv.date_out(out.value)

    def count(self, start, end):
        """Business days in the half-open range [start, end); count(a, b) == -count(b, a)."""
        out = c_int64()
        check_error(lib.cpor_calendar_count_business_days(
            self._h(), cv.date_in(start), cv.date_in(end), byref(out)))
        return out.value

    def adjust(self, date, roll=Roll.FOLLOWING):
        """date rolled to a business day (roll: a Roll or its name)."""
        out = c_int32()
        check_error(lib.cpor_calendar_adjust(
            self._h(), cv.date_in(date), to_int(Roll, roll), byref(out)))
        return cv.date_out(out.value)

    def add_many(self, dates, n):
        """Batch add: [add(d, n) for d in dates], in one C call."""
        dates = list(dates)
        arr = (c_int32 * len(dates))(*[cv.date_in(d) for d in dates])
        check_error(lib.cpor_calendar_add_business_days_n(self._h(), arr, len(dates), n, arr))
        return [cv.date_out(v) for v in arr]

    def count_many(self, starts, ends):
        """Batch count: [count(a, b) for a, b in zip(starts, ends)]; equal lengths."""
        starts, ends = list(starts), list(ends)
        if len(starts) != len(ends):
            raise ValueError("starts and ends differ in length")
        a = (c_int32 * len(starts))(*[cv.date_in(d) for d in starts])
        b = (c_int32 * len(ends))(*[cv.date_in(d) for d in ends])
        out = (c_int64 * len(starts))()
        check_error(lib.cpor_calendar_count_business_days_n(self._h(), a, b, len(starts), out))
        return list(out)

    def deadline(self, tz, event, n):
        """"n business days after event": (due, closes_at) where due is the
        n-th business day strictly after the event's local date in tz and
        closes_at (aware UTC datetime) the first instant of the local day
        after due. n >= 1; event an aware datetime."""
        if not isinstance(tz, TimeZone):
            tz = TimeZone.parse(tz)
        due = c_int32()
        closes = c_int64()
        check_error(lib.cpor_calendar_deadline(
            self._h(), tz._h(), cv.time_in(event), n, byref(due), byref(closes)))
        return cv.date_out(due.value), cv.time_out(closes.value)


class TimeZone(Handle):
    """A parsed POSIX TZ rule ("UTC0", "PST8PDT,M3.2.0,M11.1.0"); never the host's TZ."""

    _kind = "TimeZone"

    def __init__(self, _ptr, rule):
        self._own(_ptr, lib.cpor_tz_free)
        self.rule = rule

    @classmethod
    def parse(cls, rule):
        """InvalidArgument for anything that is not a POSIX TZ rule (zoneinfo names too)."""
        out = c_void_p()
        check_error(lib.cpor_tz_parse(text(rule), byref(out)))
        return cls(out.value, rule)

    def __repr__(self):
        return "<cpor.TimeZone %r%s>" % (self.rule, " closed" if self.closed else "")

    def local_date(self, t):
        """The local civil date (datetime.date) of an aware datetime."""
        out = c_int32()
        check_error(lib.cpor_tz_local_date(self._h(), cv.time_in(t), byref(out)))
        return cv.date_out(out.value)

    def start_of_day(self, date):
        """The first instant (aware UTC datetime) of a local date."""
        out = c_int64()
        check_error(lib.cpor_tz_start_of_day(self._h(), cv.date_in(date), byref(out)))
        return cv.time_out(out.value)

    def utcoffset(self, t):
        """The UTC offset (timedelta; local = UTC + offset) in force at t."""
        import datetime

        out = c_int32()
        check_error(lib.cpor_tz_offset(self._h(), cv.time_in(t), byref(out)))
        return datetime.timedelta(seconds=out.value)
