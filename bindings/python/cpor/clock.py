"""A settable clock for tests: wraps cpor_manual_clock.

Pass it as ``Context(clock=...)``: the context's C clock callback is the
library's own ``cpor_manual_clock_now`` with this clock as its user pointer,
so no Python code runs when the library reads the time. The Context keeps
the ManualClock alive; ``close()`` on a clock still used by an open Context
raises ValueError instead of freeing memory the context would read.
"""

import datetime as _dt
import weakref

from . import _convert as cv
from ._handle import Handle
from ._lib import lib
from .errors import check_error


class ManualClock(Handle):
    """A manual clock. start: an aware datetime (default: the epoch)."""

    _kind = "ManualClock"

    def __init__(self, start=None):
        from ctypes import byref, c_void_p

        out = c_void_p()
        check_error(lib.cpor_manual_clock_new(byref(out), 0 if start is None else cv.time_in(start)))
        self._own(out.value, lib.cpor_manual_clock_free)
        self._users = weakref.WeakSet()  # open Contexts reading this clock

    @property
    def now(self):
        """The current time (aware UTC datetime)."""
        return cv.time_out(lib.cpor_manual_clock_get(self._h()))

    @now.setter
    def now(self, t):
        self.set(t)

    def set(self, t):
        lib.cpor_manual_clock_set(self._h(), cv.time_in(t))

    def advance(self, delta=None, *, days=0, hours=0, minutes=0, seconds=0, ms=0):
        """Moves the clock forward (or back) by a timedelta and/or the keyword amounts."""
        total = _dt.timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds,
                              milliseconds=ms)
        if delta is not None:
            total += delta
        lib.cpor_manual_clock_advance(self._h(), cv.duration_ms(total))

    def close(self):
        if not self.closed and any(not c.closed for c in list(self._users)):
            raise ValueError("ManualClock is used by an open Context: close the Context first")
        super().close()

    def __repr__(self):
        return "<cpor.ManualClock %s>" % ("closed" if self.closed else self.now.isoformat())
