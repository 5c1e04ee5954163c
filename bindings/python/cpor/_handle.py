"""Owning a C handle: freed exactly once, by close() or by a finalizer."""

import weakref


class Handle:
    """Base for Python objects that own one C handle.

    The handle is freed exactly once: by ``close()`` (also through ``with``),
    or by a ``weakref.finalize`` backstop when the object is collected or the
    interpreter exits. Using the object after ``close()`` raises ValueError.
    ``_keep`` holds Python objects the C handle depends on (the parent
    context of an iterator, ...), so they outlive it.
    """

    _kind = "handle"

    def _own(self, ptr, free, keep=()):
        self._ptr = ptr
        self._keep = tuple(keep)
        # The finalizer must not reference self, only the pointer value.
        self._finalizer = weakref.finalize(self, free, ptr)

    @property
    def closed(self):
        return getattr(self, "_ptr", None) is None

    def _h(self):
        """The raw pointer (an int); ValueError when closed."""
        ptr = getattr(self, "_ptr", None)
        if ptr is None:
            raise ValueError("%s is closed" % self._kind)
        return ptr

    def close(self):
        """Frees the C handle now. Idempotent."""
        if getattr(self, "_ptr", None) is None:
            return
        self._ptr = None
        self._finalizer()
        self._keep = ()

    def __enter__(self):
        self._h()
        return self

    def __exit__(self, *exc):
        self.close()
        return False
