"""The library's enumerations as IntEnum (values fixed by model.h/context.h/calendar.h).

Every function that takes one also takes its name, case-insensitively
("approved", "APPROVED"), or a plain int.
"""

import enum


class State(enum.IntEnum):
    """The state of a claim (and of each of its lines)."""

    EDITING = 1
    SUBMITTED = 2
    UNDER_REVIEW = 3
    PARTNER_ACTION_REQUIRED = 4
    APPROVED = 5
    ASSOCIATED = 6
    REJECTED = 7
    DISPUTED = 8
    ENDED = 9


class Reason(enum.IntEnum):
    """Why a claim (or line) was rejected or ended; NONE otherwise."""

    NONE = 0
    INSUFFICIENT_POE = 1
    MISSING_CONSENT = 2
    MISSING_PRODUCTS = 3
    POE_UNAVAILABLE = 4
    NO_PARTNER_RESPONSE = 5
    CUSTOMER_DECLINED = 6
    PARTNER_REQUEST = 7
    LOST_ARBITRATION = 8
    SUPERSEDED = 9
    SUBSCRIPTION_ENDED = 10
    PARTNER_REMOVED = 11


class InfoReason(enum.IntEnum):
    """Why a reviewer asks the partner for information (2023 Manage page)."""

    MISSING_POE = 1
    MISSING_CUSTOMER_ACK = 2
    MISSING_DATES = 3
    MISSING_PARTNER_SERVICE = 4
    MISSING_PRODUCTS = 5
    OTHER = 6


class RemovalReason(enum.IntEnum):
    """Why a partner removes an association (mandatory in Partner Center)."""

    CUSTOMER_REQUEST = 1
    ENGAGEMENT_ENDED = 2
    CLAIMED_IN_ERROR = 3
    OTHER = 4


class Area(enum.IntEnum):
    """The solution area of a claim or workload."""

    M365 = 1
    BIZAPPS = 2


class Activity(enum.IntEnum):
    """The activity a claim records (allowed per solution area)."""

    PRESALES = 1
    USAGE = 2
    REVENUE = 3


class Program(enum.IntEnum):
    """A partner program a location (MPN ID) may be enrolled in."""

    OSA_SELL = 1
    OSU_M365 = 2
    OSU_BIZAPPS = 3


class Channel(enum.IntEnum):
    """How a subscription was bought (CSP subscriptions cannot be claimed)."""

    VOLUME_LICENSING = 1
    WEB_DIRECT = 2
    CSP = 3


class SubState(enum.IntEnum):
    """The state of a subscription."""

    PROVISIONING = 1
    ACTIVE = 2
    IN_GRACE = 3
    EXPIRED = 4
    DISABLED = 5


class Role(enum.IntEnum):
    """The role of an Actor (partner roles, reviewer, customer, system)."""

    GLOBAL_ADMIN = 1
    BILLING_ADMIN = 2
    INCENTIVES_ADMIN = 3
    INCENTIVES_USER = 4
    REVIEWER = 5
    CUSTOMER = 6
    SYSTEM = 7


class EventKind(enum.IntEnum):
    """The kind of an entry of a claim's history."""

    CREATED = 1
    EDITED = 2
    POE_ADDED = 3
    COMMENTED = 4
    SUBMITTED = 5
    CONTESTED = 6
    REVIEW_STARTED = 7
    INFO_REQUESTED = 8
    RESPONDED = 9
    APPROVED = 10
    REJECTED = 11
    OPTED_OUT = 12
    ASSOCIATED = 13
    DISPUTED = 14
    DISPUTE_GRANTED = 15
    DISPUTE_UPHELD = 16
    WITHDRAWN = 17
    REMOVED = 18
    ENDED = 19
    LINE_ENDED = 20
    LINE_REJECTED = 21


class Roll(enum.IntEnum):
    """How a date that is not a business day is rolled (Calendar.adjust)."""

    UNADJUSTED = 0
    FOLLOWING = 1
    MODIFIED_FOLLOWING = 2
    PRECEDING = 3
    MODIFIED_PRECEDING = 4
    NEAREST = 5


class DayUnit(enum.IntEnum):
    """The unit of a policy window: business or calendar days."""

    BUSINESS = 1
    CALENDAR = 2


def to_int(cls, value, allow_none=False, ctype="int"):
    """An enum member, its name (any case) or an int -> int. TypeError/ValueError otherwise.

    A plain int is range-checked for the C type it is passed as (ctype "int"
    for a function argument, "uint32_t" for a struct field): OverflowError
    outside it, so ctypes never wraps it into another, valid, value."""
    if value is None:
        if allow_none:
            return 0
        raise TypeError("%s required" % cls.__name__)
    if isinstance(value, str):
        try:
            return int(cls[value.upper()])
        except KeyError:
            raise ValueError("unknown %s %r" % (cls.__name__, value)) from None
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError("expected %s, name or int, got %r" % (cls.__name__, value))
    from . import _convert

    if ctype == "uint32_t":
        return _convert.u32(value, cls.__name__)
    return _convert.i32(value, cls.__name__)


def from_int(cls, value):
    """int -> enum member (the raw int for a value this binding does not know)."""
    try:
        return cls(value)
    except ValueError:
        return value
