"""Status codes -> exceptions: one base class, one subclass per code.

``check_error`` is the only place that turns a C status code into an
exception (like pygit2's ``check_error``). Each exception carries ``.code``
(the negative C value), ``.name`` ("CPOR_EWINDOW") and ``.message`` (the
context's ``cpor_ctx_errmsg`` when there is one, else ``cpor_strerror``).
"""

from typing import Optional

from . import _convert, _lib
from ._lib import lib


class CporError(Exception):
    """Base of every libcpor error."""

    code = None
    name = None

    def __init__(self, message: str, code: Optional[int] = None) -> None:
        if code is not None:
            self.code = code
            name = lib.cpor_status_name(code)
            self.name = name.decode() if name else "CPOR_E%d" % -code
        self.message = message
        super().__init__(message)

    def __str__(self) -> str:
        return "%s: %s" % (self.name, self.message) if self.name else self.message


def _make(cname, pyname, code, doc, *bases):
    cls = type(pyname, (CporError,) + bases, {"__doc__": doc, "code": code, "name": cname})
    return cls


InvalidArgument = _make("CPOR_EINVAL", "InvalidArgument", -1, "An argument is malformed.", ValueError)
OutOfMemory = _make("CPOR_ENOMEM", "OutOfMemory", -2, "Out of memory.", MemoryError)
NotFound = _make("CPOR_ENOTFOUND", "NotFound", -3,
                 "No such record (also: records the actor may not see).", LookupError)
Exists = _make("CPOR_EEXISTS", "Exists", -4, "A record with that key exists already.")
PermissionDenied = _make("CPOR_EPERM", "PermissionDenied", -5, "The actor's role may not do this.")
AccessDenied = _make("CPOR_EACCES", "AccessDenied", -6,
                     "The actor belongs to another organization than the record.")
InvalidState = _make("CPOR_ESTATE", "InvalidState", -7,
                     "The action is not allowed in the claim's current state.")
Duplicate = _make("CPOR_EDUPLICATE", "Duplicate", -8,
                  "The same partner already holds or claims this unit.")
WindowClosed = _make("CPOR_EWINDOW", "WindowClosed", -9, "The window for this action is closed.")
Mismatch = _make("CPOR_EMISMATCH", "Mismatch", -10, "Tenant ID and domain do not belong together.")
Incomplete = _make("CPOR_EINCOMPLETE", "Incomplete", -11,
                   "A required field is missing for this action.")
ActivityNotAllowed = _make("CPOR_EACTIVITY", "ActivityNotAllowed", -12,
                           "The activity is not allowed for the solution area.")
NotEnrolled = _make("CPOR_ENOTENROLLED", "NotEnrolled", -13,
                    "The MPN ID is not enrolled in the program.")
SubscriptionError = _make("CPOR_ESUBSCRIPTION", "SubscriptionError", -14,
                          "The subscription cannot be claimed (detail in the message).")
StorageError = _make("CPOR_ESTORAGE", "StorageError", -15, "The storage backend failed.")
Corrupt = _make("CPOR_ECORRUPT", "Corrupt", -16, "Stored data fails validation.")
VersionError = _make("CPOR_EVERSION", "VersionError", -17,
                     "Unsupported options/vtable/schema version.")
NotSupported = _make("CPOR_ENOTSUP", "NotSupported", -18,
                     "Not supported by this build or backend.")
RangeError = _make("CPOR_ERANGE", "RangeError", -19,
                   "A date or count is outside the supported range.", ValueError)
Conflict = _make("CPOR_ECONFLICT", "Conflict", -21,
                 "Another writer changed what the call read; it was retried: try again later.")



class ReentrancyError(RuntimeError):
    """A callback used the object whose call invoked it (not a libcpor status).

    Raised, for example, when a clock callback calls, iterates or closes the
    very Context that is reading the clock: that Context is inside a call on
    this thread, so the new call can neither wait for it (deadlock) nor run
    (the library is not re-entrant). The outer call then raises it too.
    """


_BY_CODE = {cls.code: cls for cls in (
    InvalidArgument, OutOfMemory, NotFound, Exists, PermissionDenied, AccessDenied,
    InvalidState, Duplicate, WindowClosed, Mismatch, Incomplete, ActivityNotAllowed,
    NotEnrolled, SubscriptionError, StorageError, Corrupt, VersionError, NotSupported,
    RangeError, Conflict)}


def error_class(code: int) -> type:
    """The exception class for a negative status code (CporError if unknown)."""
    return _BY_CODE.get(code, CporError)


def check_error(code: int, ctx: Optional[int] = None, message: Optional[str] = None) -> int:
    """Returns code when it is >= 0; raises the matching CporError otherwise.

    ctx: a raw ``cpor_ctx *`` (int or c_void_p) whose ``cpor_ctx_errmsg``
    gives the message; message: an explicit message. Without either, the
    message is ``cpor_strerror(code)``.
    """
    if code >= 0:
        return code
    code = _convert.i32(code, "code")  # cpor_strerror takes an int
    if message is None and ctx:
        m = lib.cpor_ctx_errmsg(ctx)
        message = m.decode("utf-8", "replace") if m else None
    if not message:
        message = _lib.untext(lib.cpor_strerror(code))
    raise error_class(code)(message, code)
