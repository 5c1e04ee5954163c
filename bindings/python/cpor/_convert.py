"""Dates and instants between Python and C.

cpor_date: days since 1970-01-01 <-> datetime.date.
cpor_time: milliseconds since the epoch (UTC) <-> timezone-aware datetime in
UTC. Naive datetimes are refused with ValueError (the library never guesses a
time zone); CPOR_TIME_NONE reads as None.
"""

import datetime as _dt
import operator as _operator

from ._lib import TIME_NONE

EPOCH_DATE = _dt.date(1970, 1, 1)
EPOCH = _dt.datetime(1970, 1, 1, tzinfo=_dt.timezone.utc)
_ORD0 = EPOCH_DATE.toordinal()


def date_in(d) -> int:
    """datetime.date -> cpor_date. A datetime is refused (TypeError): pass .date()."""
    if isinstance(d, _dt.datetime) or not isinstance(d, _dt.date):
        raise TypeError("expected a datetime.date, got %s" % type(d).__name__)
    return d.toordinal() - _ORD0


def date_out(n):
    """cpor_date -> datetime.date."""
    return _dt.date.fromordinal(n + _ORD0)


def time_in(t) -> int:
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


def duration_ms(d) -> int:
    """timedelta -> whole milliseconds (floor); always within int64."""
    if not isinstance(d, _dt.timedelta):
        raise TypeError("expected a datetime.timedelta, got %s" % type(d).__name__)
    return (d.days * 86400 + d.seconds) * 1000 + d.microseconds // 1000


# ---- integers: checked before ctypes, which would wrap them silently

INT32 = (-(2**31), 2**31 - 1)
INT64 = (-(2**63), 2**63 - 1)
UINT32 = (0, 2**32 - 1)
UINT64 = (0, 2**64 - 1)
SIZE = (0, 2**64 - 1)  # size_t on the 64-bit hosts libcpor supports


def integer(value, name, bounds, ctype) -> int:
    """An int (or __index__) within bounds -> int.

    TypeError for a non-integer (a bool too: True is not a count);
    OverflowError for a value outside the C type (bounds, named ctype)."""
    if isinstance(value, bool):
        raise TypeError("%s must be an int, not bool" % name)
    try:
        v = _operator.index(value)
    except TypeError:
        raise TypeError("%s must be an int, not %s" % (name, type(value).__name__)) from None
    lo, hi = bounds
    if not lo <= v <= hi:
        raise OverflowError("%s=%d is out of range for %s [%d, %d]" % (name, v, ctype, lo, hi))
    return v


def i32(value, name) -> int:
    """A C int32_t / int argument."""
    return integer(value, name, INT32, "int32_t")


def i64(value, name) -> int:
    """A C int64_t argument."""
    return integer(value, name, INT64, "int64_t")


def u32(value, name) -> int:
    """A C uint32_t argument (negative -> OverflowError: not representable)."""
    return integer(value, name, UINT32, "uint32_t")


def size(value, name, ctype="uint64_t") -> int:
    """A size or byte count: negative -> ValueError, beyond ctype -> OverflowError."""
    if isinstance(value, bool):
        raise TypeError("%s must be an int, not bool" % name)
    try:
        v = _operator.index(value)
    except TypeError:
        raise TypeError("%s must be an int, not %s" % (name, type(value).__name__)) from None
    if v < 0:
        raise ValueError("%s must not be negative (got %d)" % (name, v))
    return integer(v, name, UINT64, ctype)


def flag(value, name) -> int:
    """A C boolean flag: bool, or the int 0 or 1 -> 0/1."""
    if isinstance(value, bool):
        return int(value)
    try:
        v = _operator.index(value)
    except TypeError:
        raise TypeError("%s must be a bool, not %s" % (name, type(value).__name__)) from None
    if v not in (0, 1):
        raise ValueError("%s must be a bool (or 0/1), got %d" % (name, v))
    return v
