"""libcpor for Python: Claiming Partner of Record customer associations.

A ctypes binding (no compiler needed) of libcpor.so.1. See README.md.
"""

from ._lib import LIBRARY_PATH, MIN_VERSION, VERSION, VERSION_STRING
from .calendar import Calendar, TimeZone
from .clock import ManualClock
from .context import POLICY_WINDOWS, Context, Window
from .enums import (Activity, Area, Channel, DayUnit, EventKind, InfoReason, Program, Reason,
                    RemovalReason, Role, Roll,
                    State, SubState)
from .errors import (AccessDenied, ActivityNotAllowed, Conflict, CporError, Corrupt, Duplicate, Exists,
                     Incomplete, InvalidArgument, InvalidState, Mismatch, NotEnrolled, NotFound,
                     NotSupported, OutOfMemory, PermissionDenied, RangeError, ReentrancyError,
                     StorageError,
                     SubscriptionError, VersionError, WindowClosed, check_error, error_class)
from .model import (Actor, Change, Claim, ClaimLine, Customer, Event, Location, Message, Partner, Poe,
                    Subscription, Tenant, Workload)

__version__ = "0.2.0"

__all__ = [n for n in dir() if not n.startswith("_")]
