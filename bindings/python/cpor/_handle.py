"""Owning a C handle: freed exactly once, never while a call uses it.

Two kinds of guard own the raw pointers; the Python objects of the binding
(``Context``, ``Calendar`` ...) hold a guard and never a bare pointer.

* ``Guard`` (a ``Context`` and the iterators it made): one plain
  ``threading.Lock`` plus the ident of the thread holding it, as the Go
  binding does. A call takes the lock, so threads sharing one Context are
  serialized instead of racing inside SQLite (the library opens its
  connection ``SQLITE_OPEN_NOMUTEX``: one thread at a time, DESIGN.md
  Part 3). A call from the thread already inside a call on the same handle (a
  clock callback calling its own Context, or closing it) raises
  ``ReentrancyError`` instead of deadlocking or freeing memory in use.
  ``close()`` waits for a call in progress. The iterators of a Context are its
  *children*: they share its lock and are freed with it.
* ``SharedGuard`` (an immutable ``Calendar`` / ``TimeZone``, a
  ``ManualClock``): any number of concurrent calls (a use count); ``close()``
  waits until none is in progress.

A ``weakref.finalize`` backstop frees what ``close()`` did not. It never
blocks: a child whose lock is busy (the collector ran inside a call) is freed
when that call ends; a root whose lock is busy at interpreter exit (a daemon
thread inside a call) is left to the operating system.

Objects owning a handle cannot be copied or pickled (``TypeError``): a copy
would be a second owner of the same pointer.
"""

import threading
import weakref
from typing import Any

from .errors import ReentrancyError

_get_ident = threading.get_ident


class Guard:
    """The lock and the pointer of one root C handle (a ``cpor_ctx``).

    ``with guard as ptr:`` holds the lock for one call and yields the pointer
    (ValueError when closed, ReentrancyError from the thread that already
    holds it). Not exposed to users.
    """

    __slots__ = ("ptr", "kind", "keep", "_free", "_lock", "_owner", "_children", "_pending",
                 "_next_token", "__weakref__")

    def __init__(self, ptr, free, kind, keep=()):
        self.ptr = ptr
        self.kind = kind
        # Python objects the C handle reads (a ManualClock, a Calendar): they
        # live as long as the pointer. Never anything that refers back to the
        # owner (the finalizer keeps the guard alive).
        self.keep = tuple(keep)
        self._free = free
        self._lock = threading.Lock()
        self._owner = None
        self._children = {}  # token -> (free, ptr): freed at the latest with the root
        self._pending = []  # (free, ptr) a finalizer could not free at once
        self._next_token = 0

    # ---- one call

    def acquire(self, allow_closed=False):
        me = _get_ident()
        if self._owner == me:
            raise ReentrancyError(
                "re-entrant use of a %s: this thread is already inside a call on it "
                "(a callback may not call, iterate or close the object that invoked it)"
                % self.kind)
        self._lock.acquire()
        self._owner = me
        if self.ptr is None and not allow_closed:
            self.release()
            raise ValueError("%s is closed" % self.kind)
        return self.ptr

    def release(self):
        try:
            self._drain()
        finally:
            self._owner = None
            self._lock.release()

    def __enter__(self):
        return self.acquire()

    def __exit__(self, *exc):
        self.release()
        return False

    def _drain(self):
        while self._pending:
            free, ptr = self._pending.pop()
            if self.ptr is not None:
                free(ptr)

    @property
    def busy_here(self):
        """True when the current thread is inside a call on this handle."""
        return self._owner == _get_ident()

    # ---- children (iterators): share the lock, die with the root

    def adopt(self, free, ptr):
        """Registers a child handle (caller holds the lock); returns its token."""
        self._next_token += 1
        token = self._next_token
        self._children[token] = (free, ptr)
        return token

    def child_ptr(self, token):
        """The child's pointer (caller holds the lock); None once freed."""
        item = self._children.get(token)
        return None if item is None else item[1]

    def free_child(self, token):
        """Frees a child now (caller holds the lock). Idempotent."""
        item = self._children.pop(token, None)
        if item is not None and self.ptr is not None:
            item[0](item[1])

    def finalize_child(self, token):
        """Finalizer of a child: frees it now, or when the call in progress ends."""
        if self._owner != _get_ident() and self._lock.acquire(blocking=False):
            self._owner = _get_ident()
            try:
                self.free_child(token)
            finally:
                self.release()
        else:
            item = self._children.pop(token, None)
            if item is not None:
                self._pending.append(item)

    # ---- the end

    def close(self):
        """Frees the children, then the handle; waits for a call in progress. Idempotent."""
        self.acquire(allow_closed=True)
        try:
            self._close_locked()
        finally:
            self.release()

    def _close_locked(self):
        if self.ptr is None:
            return
        while self._children:
            _, (free, ptr) = self._children.popitem()
            free(ptr)
        self._drain()
        ptr, self.ptr = self.ptr, None
        self._free(ptr)
        self.keep = ()

    def finalize(self):
        """Finalizer of the root: never blocks (at exit a daemon thread may hold the lock)."""
        if self.ptr is None or self._owner == _get_ident():
            return
        if self._lock.acquire(blocking=False):
            self._owner = _get_ident()
            try:
                self._close_locked()
            finally:
                self.release()


class SharedGuard:
    """The pointer of an object many threads may use at once (a use count).

    ``with guard as ptr:`` counts one use; ``close()`` waits for the uses in
    progress, then frees the pointer exactly once.
    """

    __slots__ = ("ptr", "kind", "_free", "_cond", "_users", "__weakref__")

    def __init__(self, ptr, free, kind):
        self.ptr = ptr
        self.kind = kind
        self._free = free
        self._cond = threading.Condition(threading.Lock())
        self._users = 0

    def __enter__(self):
        with self._cond:
            if self.ptr is None:
                raise ValueError("%s is closed" % self.kind)
            self._users += 1
            return self.ptr

    def __exit__(self, *exc):
        with self._cond:
            self._users -= 1
            if not self._users:
                self._cond.notify_all()
        return False

    def close(self):
        with self._cond:
            while self._users:
                self._cond.wait()
            ptr, self.ptr = self.ptr, None
        if ptr is not None:
            self._free(ptr)

    def finalize(self):
        # Collected: nobody can be using it. At exit: a daemon thread might.
        with self._cond:
            if self._users or self.ptr is None:
                return
            ptr, self.ptr = self.ptr, None
        self._free(ptr)


class NoCopy:
    """Refuses copy.copy, copy.deepcopy and pickle (TypeError): a copy would
    be a second owner of the same C pointer."""

    _kind = "handle"

    def __copy__(self):
        raise TypeError("a cpor.%s owns a C handle and cannot be copied; share the object "
                        "itself" % self._kind)

    def __deepcopy__(self, memo):
        self.__copy__()

    def __reduce_ex__(self, protocol):
        raise TypeError("a cpor.%s owns a C handle and cannot be pickled" % self._kind)


class Handle(NoCopy):
    """Base of the Python objects that own one C handle through a guard.

    The handle is freed exactly once: by ``close()`` (also through ``with``),
    or by a ``weakref.finalize`` backstop when the object is collected or the
    interpreter exits. Using the object after ``close()`` raises ValueError.
    Copying or pickling raises TypeError.
    """

    _kind = "handle"
    _g: Any = None

    def _own(self, guard):
        self._g = guard
        # The finalizer references the guard only, never self.
        self._finalizer = weakref.finalize(self, guard.finalize)

    @property
    def closed(self) -> bool:
        """True once the C handle is freed (after ``close()``)."""
        g = self._g
        return g is None or g.ptr is None

    def close(self) -> None:
        """Frees the C handle now (waiting for a call in progress). Idempotent."""
        if self._g is not None:
            self._g.close()
            self._finalizer.detach()

    def __enter__(self):
        if self.closed:
            raise ValueError("%s is closed" % self._kind)
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
