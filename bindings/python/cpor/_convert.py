"""Dates and instants between Python and C.

cpor_date: days since 1970-01-01 <-> datetime.date.
cpor_time: milliseconds since the epoch (UTC) <-> timezone-aware datetime in
UTC. Naive datetimes are refused with ValueError (the library never guesses a
time zone); CPOR_TIME_NONE reads as None.
"""

import datetime as _dt

from ._lib import TIME_NONE

EPOCH_DATE = _dt.date(1970, 1, 1)
EPOCH = _dt.datetime(1970, 1, 1, tzinfo=_dt.timezone.utc)
_ORD0 = EPOCH_DATE.toordinal()


def date_in(d):
    """datetime.date -> cpor_date. A datetime is refused (TypeError): pass .date()."""
    if isinstance(d, _dt.datetime) or not isinstance(d, _dt.date):
        raise TypeError("expected a datetime.date, got %s" % type(d).__name__)
    return d.toordinal() - _ORD0


def date_out(n):
    """cpor_date -> datetime.date."""
    return _dt.date.fromordinal(n + _ORD0)


def time_in(t):
    """Aware datetime -> cpor_time (ms, floor). Naive -> ValueError."""
    if not isinstance(t, _dt.datetime):
        raise TypeError("expected a datetime.datetime, got %s" % type(t).__name__)
    if t.tzinfo is None or t.utcoffset() is None:
        raise ValueError("naive datetime refused: give it a tzinfo (e.g. timezone.utc)")
    d = t - EPOCH
    return (d.days * 86400 + d.seconds) * 1000 + d.microseconds // 1000


def time_out(ms):
    """cpor_time -> aware datetime in UTC, or None for CPOR_TIME_NONE."""
    if ms == TIME_NONE:
        return None
    return EPOCH + _dt.timedelta(milliseconds=ms)


def duration_ms(d):
    """timedelta -> whole milliseconds (floor)."""
    if not isinstance(d, _dt.timedelta):
        raise TypeError("expected a datetime.timedelta, got %s" % type(d).__name__)
    return (d.days * 86400 + d.seconds) * 1000 + d.microseconds // 1000
