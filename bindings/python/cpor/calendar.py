"""Business-day calendars and POSIX time zones (pure: no Context needed).

``Calendar`` and ``TimeZone`` own one immutable C object each (a reference
of a ``cpor_calendar``, a ``cpor_tz``), freed by ``close()`` / ``with`` or,
as a backstop, when collected. Both may be shared between threads and used
by any number of them at once; ``close()`` waits for the calls in progress.
They cannot be copied or pickled (TypeError): share the object itself.
Errors raise the ``CporError`` subclasses of ``cpor.errors`` (``RangeError``
for dates outside years 1..9999, ``InvalidArgument`` for bad input); an int
outside its C type raises OverflowError before any C call.

Make them with the factories (``Calendar.builtin``/``parse``/``build``,
``TimeZone.parse`` or ``TimeZone(rule)``); no public constructor takes a
pointer.
"""

import ctypes
import datetime as _dt
from ctypes import byref, c_int32, c_int64, c_void_p
from typing import Iterable, List, Tuple, Union

from . import _convert as cv
from ._handle import Handle, SharedGuard
from ._lib import lib, text, untext
from .enums import Roll, to_int
from .errors import check_error

_PRIVATE = object()  # the factories' key to the constructors


class Calendar(Handle):
    """An immutable business-day calendar (wraps one cpor_calendar reference).

    Use ``Calendar.builtin(name)``, ``Calendar.parse(rules)`` or
    ``Calendar.build(...)``; calling ``Calendar(...)`` directly raises
    TypeError.
    """

    _kind = "Calendar"

    def __init__(self, *args, **kwargs):
        if len(args) != 2 or args[0] is not _PRIVATE or kwargs:
            raise TypeError("use Calendar.builtin(name), Calendar.parse(rules) or "
                            "Calendar.build(...) to make a Calendar")
        self._own(SharedGuard(args[1], lib.cpor_calendar_unref, self._kind))

    @classmethod
    def _adopt(cls, ptr):
        # Takes ownership of one reference.
        return cls(_PRIVATE, ptr)

    @classmethod
    def builtin(cls, name: str) -> "Calendar":
        """A built-in calendar: "weekends" or "us-federal". NotFound otherwise."""
        out = c_void_p()
        check_error(lib.cpor_calendar_builtin(text(name), byref(out)))
        return cls._adopt(out.value)

    @classmethod
    def parse(cls, rules: Union[str, bytes]) -> "Calendar":
        """A calendar from rule text (DESIGN.md). InvalidArgument("line N: what") on error."""
        out = c_void_p()
        err = ctypes.create_string_buffer(256)
        rc = lib.cpor_calendar_parse(text(rules), byref(out), err, len(err))
        check_error(rc, message=err.value.decode("utf-8", "replace") or None)
        return cls._adopt(out.value)

    @classmethod
    def build(cls, weekmask: Union[int, str, None] = None, holidays: Iterable[_dt.date] = (),
              working_days: Iterable[_dt.date] = (),
              rules: Union[str, bytes, None] = None) -> "Calendar":
        """A calendar from parts. weekmask: an int (bit 0 = Monday, 0..127) or a
        7-character string "1111100" (Mon..Sun, 1 = business day); holidays and
        working_days: iterables of datetime.date; rules: rule text."""
        if weekmask is not None:
            if isinstance(weekmask, str):
                if len(weekmask) != 7 or set(weekmask) - {"0", "1"}:
                    raise ValueError("weekmask string must be 7 characters of 0/1")
                weekmask = sum(1 << i for i, ch in enumerate(weekmask) if ch == "1")
            weekmask = cv.u32(weekmask, "weekmask")
        hols = [cv.date_in(d) for d in holidays]
        works = [cv.date_in(d) for d in working_days]
        rules_b = None if rules is None else text(rules)
        b = c_void_p()
        check_error(lib.cpor_calendar_builder_new(byref(b)))
        try:
            if weekmask is not None:
                check_error(lib.cpor_calendar_builder_set_weekmask(b, weekmask))
            for v in hols:
                check_error(lib.cpor_calendar_builder_add_holiday(b, v))
            for v in works:
                check_error(lib.cpor_calendar_builder_add_working_day(b, v))
            if rules_b is not None:
                check_error(lib.cpor_calendar_builder_add_rules(b, rules_b))
            out = c_void_p()
            check_error(lib.cpor_calendar_builder_build(b, byref(out)))
            return cls._adopt(out.value)
        finally:
            lib.cpor_calendar_builder_free(b)

    @property
    def name(self) -> str:
        """The calendar's name ("weekends", "us-federal", a rule file's ``name``)."""
        with self._g as h:
            return untext(lib.cpor_calendar_name(h))

    def __repr__(self) -> str:
        try:
            return "<cpor.Calendar %r>" % self.name
        except ValueError:
            return "<cpor.Calendar closed>"

    def is_business_day(self, date: _dt.date) -> bool:
        """True when date is a business day of this calendar."""
        d = cv.date_in(date)
        with self._g as h:
            return bool(check_error(lib.cpor_calendar_is_business_day(h, d)))

    def add(self, date: _dt.date, n: int) -> _dt.date:
        """n > 0: the n-th business day strictly after date; n < 0: the |n|-th
        strictly before; n == 0: date rolled forward (FOLLOWING). n is an
        int32 (OverflowError otherwise)."""
        d, n = cv.date_in(date), cv.i32(n, "n")
        out = c_int32()
        with self._g as h:
            check_error(lib.cpor_calendar_add_business_days(h, d, n, byref(out)))
        return cv.date_out(out.value)

    def count(self, start: _dt.date, end: _dt.date) -> int:
        """Business days in the half-open range [start, end); count(a, b) == -count(b, a)."""
        a, b = cv.date_in(start), cv.date_in(end)
        out = c_int64()
        with self._g as h:
            check_error(lib.cpor_calendar_count_business_days(h, a, b, byref(out)))
        return out.value

    def adjust(self, date: _dt.date, roll: Union[Roll, str, int] = Roll.FOLLOWING) -> _dt.date:
        """date rolled to a business day (roll: a Roll or its name)."""
        d, r = cv.date_in(date), to_int(Roll, roll)
        out = c_int32()
        with self._g as h:
            check_error(lib.cpor_calendar_adjust(h, d, r, byref(out)))
        return cv.date_out(out.value)

    def add_many(self, dates: Iterable[_dt.date], n: int) -> List[_dt.date]:
        """Batch add: [add(d, n) for d in dates], in one C call."""
        n = cv.i32(n, "n")
        days = [cv.date_in(d) for d in dates]
        arr = (c_int32 * len(days))(*days)
        with self._g as h:
            check_error(lib.cpor_calendar_add_business_days_n(h, arr, len(days), n, arr))
        return [cv.date_out(v) for v in arr]

    def count_many(self, starts: Iterable[_dt.date], ends: Iterable[_dt.date]) -> List[int]:
        """Batch count: [count(a, b) for a, b in zip(starts, ends)]; equal lengths."""
        starts, ends = list(starts), list(ends)
        if len(starts) != len(ends):
            raise ValueError("starts and ends differ in length")
        a = (c_int32 * len(starts))(*[cv.date_in(d) for d in starts])
        b = (c_int32 * len(ends))(*[cv.date_in(d) for d in ends])
        out = (c_int64 * len(starts))()
        with self._g as h:
            check_error(lib.cpor_calendar_count_business_days_n(h, a, b, len(starts), out))
        return list(out)

    def deadline(self, tz: Union["TimeZone", str], event: _dt.datetime,
                 n: int) -> Tuple[_dt.date, _dt.datetime]:
        """"n business days after event": (due, closes_at) where due is the
        n-th business day strictly after the event's local date in tz (a
        TimeZone or a POSIX TZ rule) and closes_at (aware UTC datetime) the
        first instant of the local day after due. n >= 1; event an aware
        datetime."""
        owned = None
        if not isinstance(tz, TimeZone):
            tz = owned = TimeZone.parse(tz)
        t, n = cv.time_in(event), cv.i32(n, "n")
        due = c_int32()
        closes = c_int64()
        try:
            with self._g as h, tz._g as z:
                check_error(lib.cpor_calendar_deadline(h, z, t, n, byref(due), byref(closes)))
        finally:
            if owned is not None:
                owned.close()
        return cv.date_out(due.value), cv.time_out(closes.value)


class TimeZone(Handle):
    """A parsed POSIX TZ rule ("UTC0", "PST8PDT,M3.2.0,M11.1.0"); never the host's TZ.

    ``TimeZone(rule)`` is ``TimeZone.parse(rule)``.
    """

    _kind = "TimeZone"

    def __init__(self, rule: Union[str, bytes]):
        out = c_void_p()
        check_error(lib.cpor_tz_parse(text(rule), byref(out)))
        self._own(SharedGuard(out.value, lib.cpor_tz_free, self._kind))
        self._rule = rule if isinstance(rule, str) else rule.decode("utf-8", "replace")

    @property
    def rule(self) -> str:
        """The POSIX TZ rule text it was parsed from."""
        return self._rule

    @classmethod
    def parse(cls, rule: Union[str, bytes]) -> "TimeZone":
        """InvalidArgument for anything that is not a POSIX TZ rule (zoneinfo names too)."""
        return cls(rule)

    def __repr__(self) -> str:
        return "<cpor.TimeZone %r%s>" % (self._rule, " closed" if self.closed else "")

    def local_date(self, t: _dt.datetime) -> _dt.date:
        """The local civil date (datetime.date) of an aware datetime."""
        ms = cv.time_in(t)
        out = c_int32()
        with self._g as h:
            check_error(lib.cpor_tz_local_date(h, ms, byref(out)))
        return cv.date_out(out.value)

    def start_of_day(self, date: _dt.date) -> _dt.datetime:
        """The first instant (aware UTC datetime) of a local date."""
        d = cv.date_in(date)
        out = c_int64()
        with self._g as h:
            check_error(lib.cpor_tz_start_of_day(h, d, byref(out)))
        return cv.time_out(out.value)

    def utcoffset(self, t: _dt.datetime) -> _dt.timedelta:
        """The UTC offset (timedelta; local = UTC + offset) in force at t."""
        ms = cv.time_in(t)
        out = c_int32()
        with self._g as h:
            check_error(lib.cpor_tz_offset(h, ms, byref(out)))
        return _dt.timedelta(seconds=out.value)
