"""A settable clock for tests: wraps cpor_manual_clock.

Pass it as ``Context(clock=...)``: the context's C clock callback is the
library's own ``cpor_manual_clock_now`` with this clock as its user pointer,
so no Python code runs when the library reads the time. The Context keeps
the ManualClock alive; ``close()`` on a clock still used by an open Context
raises ValueError instead of freeing memory the context would read. A
ManualClock may be shared by threads and by several Contexts; it cannot be
copied or pickled (TypeError).
"""

import datetime as _dt
import threading
import weakref
from ctypes import byref, c_void_p
from typing import Any, Optional

from . import _convert as cv
from ._handle import Handle, SharedGuard
from ._lib import lib
from .errors import check_error


class ManualClock(Handle):
    """A manual clock. start: an aware datetime (default: the epoch)."""

    _kind = "ManualClock"

    def __init__(self, start: Optional[_dt.datetime] = None):
        t = 0 if start is None else cv.time_in(start)
        out = c_void_p()
        check_error(lib.cpor_manual_clock_new(byref(out), t))
        self._own(SharedGuard(out.value, lib.cpor_manual_clock_free, self._kind))
        self._users_lock = threading.Lock()
        self._users: "weakref.WeakSet[Any]" = weakref.WeakSet()  # the guards of the open Contexts reading this clock
        self._opening = 0  # Contexts being opened on it

    # ---- used by Context: the C context reads the clock without Python

    def _attach(self):
        """The pointer for a Context being opened; then _attached(guard or None)."""
        with self._users_lock:
            ptr = self._g.ptr
            if ptr is None:
                raise ValueError("ManualClock is closed")
            self._opening += 1
            return ptr

    def _attached(self, guard):
        with self._users_lock:
            self._opening -= 1
            if guard is not None:
                self._users.add(guard)

    # ----

    @property
    def now(self) -> _dt.datetime:
        """The current time (aware UTC datetime)."""
        with self._g as h:
            return cv.time_out(lib.cpor_manual_clock_get(h))

    @now.setter
    def now(self, t: _dt.datetime) -> None:
        self.set(t)

    def set(self, t: _dt.datetime) -> None:
        """Sets the clock to t (an aware datetime)."""
        ms = cv.time_in(t)
        with self._g as h:
            lib.cpor_manual_clock_set(h, ms)

    def advance(self, delta: Optional[_dt.timedelta] = None, *, days: float = 0,
                hours: float = 0, minutes: float = 0, seconds: float = 0,
                ms: float = 0) -> None:
        """Moves the clock forward (or back) by a timedelta and/or the keyword amounts."""
        total = _dt.timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds,
                              milliseconds=ms)
        if delta is not None:
            total += delta
        d = cv.i64(cv.duration_ms(total), "delta_ms")
        with self._g as h:
            lib.cpor_manual_clock_advance(h, d)

    def close(self) -> None:
        """Frees the clock. ValueError while an open Context reads it. Idempotent."""
        with self._users_lock:
            if self._opening or any(g.ptr is not None for g in list(self._users)):
                raise ValueError("ManualClock is used by an open Context: close the Context "
                                 "first")
            super().close()

    def __repr__(self) -> str:
        try:
            return "<cpor.ManualClock %s>" % self.now.isoformat()
        except ValueError:
            return "<cpor.ManualClock closed>"
