"""Actors and the read-only records of the model.

Records (Partner, Location, Customer, Tenant, Subscription, Workload, Claim,
Event) are immutable **snapshots**: every field is copied out of the C handle
(``cpor_claim`` ...) the moment it is read, and the handle is freed right
away (``_take``). They hold no C memory and no reference to the Context, so
they stay valid after the Context is closed, and they never need closing. To
see a change, read the record again (``ctx.claim(actor, claim.id)``).
"""

import dataclasses
import datetime as _dt
from typing import Dict, FrozenSet, Optional, Tuple, Union

from . import _convert as cv
from . import _convert
from ._lib import lib, text, untext, Actor as _CActor, ACTOR_VERSION
from .enums import (Activity, Area, Channel, EventKind, Program, Reason, Role, State,
                    SubState, from_int, to_int)


@dataclasses.dataclass(frozen=True)
class Actor:
    """Who is calling: role (Role or name), org (partner ID for partner roles,
    tenant ID for the customer, None for reviewer/system), user (1-128 bytes)."""

    role: Role
    org: Optional[str]
    user: str

    def __post_init__(self):
        object.__setattr__(self, "role",
                           from_int(Role, to_int(Role, self.role, ctype="uint32_t")))
        text(self.org)  # TypeError / ValueError (NUL) now, not at the first call
        text(self.user)

    @classmethod
    def partner(cls, partner_id: str, user: str,
                role: Union[Role, str, int] = Role.INCENTIVES_ADMIN) -> "Actor":
        """A user of a partner (default role: incentives admin)."""
        return cls(from_int(Role, to_int(Role, role, ctype="uint32_t")), partner_id, user)

    @classmethod
    def reviewer(cls, user: str = "reviewer") -> "Actor":
        """A Microsoft reviewer."""
        return cls(Role.REVIEWER, None, user)

    @classmethod
    def customer(cls, tenant_id: str, user: str = "customer-admin") -> "Actor":
        """An admin of the customer tenant tenant_id."""
        return cls(Role.CUSTOMER, tenant_id, user)

    @classmethod
    def system(cls, user: str = "system") -> "Actor":
        """The operator (automatic transitions, reference data, integration)."""
        return cls(Role.SYSTEM, None, user)

    def _c(self):
        """The cpor_actor struct (it keeps the encoded strings alive)."""
        return _CActor(ACTOR_VERSION, _convert.u32(int(self.role), "role"), text(self.org),
                       text(self.user))


def _s(fn, h, *args):
    return untext(fn(h, *args))


@dataclasses.dataclass(frozen=True)
class Partner:
    """A partner (Partner Global Account)."""

    id: str
    name: str

    @classmethod
    def _read(cls, h):
        return cls(_s(lib.cpor_partner_id, h), _s(lib.cpor_partner_name, h))


@dataclasses.dataclass(frozen=True)
class Location:
    """A partner location, identified by its MPN ID."""

    mpn_id: str
    partner_id: str
    name: str
    programs: FrozenSet[Program]  # where the MPN ID is enrolled

    def is_enrolled(self, program: Union[Program, str, int]) -> bool:
        """True when the location is enrolled in program (a Program or its name)."""
        return to_int(Program, program) in self.programs

    @classmethod
    def _read(cls, h):
        progs = frozenset(p for p in Program if lib.cpor_location_is_enrolled(h, p) == 1)
        return cls(_s(lib.cpor_location_mpn_id, h), _s(lib.cpor_location_partner_id, h),
                   _s(lib.cpor_location_name, h), progs)


@dataclasses.dataclass(frozen=True)
class Customer:
    """A customer organization."""

    id: str
    name: str

    @classmethod
    def _read(cls, h):
        return cls(_s(lib.cpor_customer_id, h), _s(lib.cpor_customer_name, h))


@dataclasses.dataclass(frozen=True)
class Tenant:
    """A Microsoft Entra directory of a customer."""

    id: str  # canonical lowercase GUID
    customer_id: str
    domains: Tuple[str, ...]  # lowercase, in the order added

    @classmethod
    def _read(cls, h):
        n = lib.cpor_tenant_domain_count(h)
        return cls(_s(lib.cpor_tenant_id, h), _s(lib.cpor_tenant_customer_id, h),
                   tuple(_s(lib.cpor_tenant_domain, h, i) for i in range(n)))


@dataclasses.dataclass(frozen=True)
class Subscription:
    """A customer's Business Applications subscription."""

    id: str
    tenant_id: str
    workload: str
    channel: Channel
    state: SubState

    @classmethod
    def _read(cls, h):
        return cls(_s(lib.cpor_subscription_id, h), _s(lib.cpor_subscription_tenant_id, h),
                   _s(lib.cpor_subscription_workload, h),
                   from_int(Channel, lib.cpor_subscription_channel(h)),
                   from_int(SubState, lib.cpor_subscription_state(h)))


@dataclasses.dataclass(frozen=True)
class Workload:
    """A catalog entry (TEAMS, D365_SALES, ...)."""

    code: str
    name: str
    area: Area
    needs_subscription: bool
    is_dynamics: bool
    is_builtin: bool

    @classmethod
    def _read(cls, h):
        return cls(_s(lib.cpor_workload_code, h), _s(lib.cpor_workload_name, h),
                   from_int(Area, lib.cpor_workload_area(h)),
                   lib.cpor_workload_needs_subscription(h) == 1,
                   lib.cpor_workload_is_dynamics(h) == 1, lib.cpor_workload_is_builtin(h) == 1)


@dataclasses.dataclass(frozen=True)
class ClaimLine:
    """One line of a claim: a workload, and a subscription for Business Applications."""

    workload: str
    subscription: Optional[str]  # None for a Microsoft 365 line
    state: State  # follows the claim, except a line that lost or was superseded
    reason: Reason


@dataclasses.dataclass(frozen=True)
class Poe:
    """A proof-of-execution reference (the library stores digests, not files)."""

    name: str
    media_type: str
    sha256: str
    size: int


# Claim attribute name -> CPOR_FIELD_* value.
CLAIM_FIELDS = {
    "customer_contact_name": 1, "customer_contact_title": 2, "customer_contact_email": 3,
    "technical_contact_name": 4, "technical_contact_title": 5, "technical_contact_email": 6,
    "partner_contact_name": 7, "partner_contact_email": 8,
    "solution_seller": 9, "customer_name": 10, "isv_product": 11,
}


@dataclasses.dataclass(frozen=True)
class Claim:
    """A claim as read at one instant. Instants are aware UTC datetimes or None."""

    id: str
    name: Optional[str]
    state: State
    reason: Reason
    partner_id: str
    mpn_id: str
    tenant_id: str
    domain: str
    area: Area
    activity: Activity
    created_at: _dt.datetime
    updated_at: _dt.datetime
    window_closes_at: Optional[_dt.datetime]  # exclusive end of the window open in this state
    sla_due_at: Optional[_dt.datetime]  # exclusive end of the review SLA of this state
    overdue: bool
    contested: bool
    disputable: bool
    lines: Tuple[ClaimLine, ...]
    poes: Tuple[Poe, ...]
    fields: Dict[str, str]  # CLAIM_FIELDS name -> str (unset fields are absent)
    external_ref: Optional[str] = None  # the caller's own reference
    idempotency_key: Optional[str] = None  # the key of the create that made it
    revision: int = 0  # the stored revision (edit_claim(expected_revision=...))

    def __getattr__(self, name: str) -> Optional[str]:
        # Contact and revenue fields: claim.customer_contact_email, ... (None when unset).
        if name in CLAIM_FIELDS:
            return self.fields.get(name)
        raise AttributeError(name)

    @classmethod
    def _read(cls, h):
        lines = tuple(
            ClaimLine(_s(lib.cpor_claim_line_workload, h, i),
                      _s(lib.cpor_claim_line_subscription, h, i),
                      from_int(State, lib.cpor_claim_line_state(h, i)),
                      from_int(Reason, lib.cpor_claim_line_reason(h, i)))
            for i in range(lib.cpor_claim_line_count(h)))
        poes = tuple(
            Poe(_s(lib.cpor_claim_poe_name, h, i), _s(lib.cpor_claim_poe_media_type, h, i),
                _s(lib.cpor_claim_poe_sha256, h, i), lib.cpor_claim_poe_size(h, i))
            for i in range(lib.cpor_claim_poe_count(h)))
        fields = {}
        for fname, code in CLAIM_FIELDS.items():
            v = lib.cpor_claim_field(h, code)
            if v is not None:
                fields[fname] = untext(v)
        return cls(
            id=_s(lib.cpor_claim_id, h), name=_s(lib.cpor_claim_name, h),
            state=from_int(State, lib.cpor_claim_state(h)),
            reason=from_int(Reason, lib.cpor_claim_reason(h)),
            partner_id=_s(lib.cpor_claim_partner_id, h), mpn_id=_s(lib.cpor_claim_mpn_id, h),
            tenant_id=_s(lib.cpor_claim_tenant_id, h), domain=_s(lib.cpor_claim_domain, h),
            area=from_int(Area, lib.cpor_claim_area(h)),
            activity=from_int(Activity, lib.cpor_claim_activity(h)),
            created_at=cv.time_out(lib.cpor_claim_created_at(h)),
            updated_at=cv.time_out(lib.cpor_claim_updated_at(h)),
            window_closes_at=cv.time_out(lib.cpor_claim_window_closes_at(h)),
            sla_due_at=cv.time_out(lib.cpor_claim_sla_due_at(h)),
            overdue=lib.cpor_claim_overdue(h) == 1, contested=lib.cpor_claim_contested(h) == 1,
            disputable=lib.cpor_claim_disputable(h) == 1,
            lines=lines, poes=poes, fields=fields,
            external_ref=_s(lib.cpor_claim_external_ref, h),
            idempotency_key=_s(lib.cpor_claim_idempotency_key, h),
            revision=lib.cpor_claim_revision(h))


@dataclasses.dataclass(frozen=True)
class Event:
    """One entry of a claim's history."""

    seq: int
    at: _dt.datetime  # aware UTC datetime
    kind: EventKind
    actor: Actor
    state: State  # the claim's state after the event
    text: Optional[str]
    payload: str = "{}"  # JSON object text: what the event changed

    @classmethod
    def _read(cls, h):
        org = _s(lib.cpor_event_actor_org, h)
        actor = Actor(from_int(Role, lib.cpor_event_actor_role(h)), org or None,
                      _s(lib.cpor_event_actor_user, h))
        return cls(lib.cpor_event_seq(h), cv.time_out(lib.cpor_event_at(h)),
                   from_int(EventKind, lib.cpor_event_kind(h)), actor,
                   from_int(State, lib.cpor_event_state(h)), _s(lib.cpor_event_text, h),
                   _s(lib.cpor_event_payload, h) or "{}")


@dataclasses.dataclass(frozen=True)
class Message:
    """A notification owed (the outbox): delivered at least once; ``id`` makes
    delivery idempotent."""

    id: int
    kind: str  # claim_submitted, association_requested, rejected, ...
    recipient_role: str  # "partner", "customer" or "reviewer"
    recipient_org: Optional[str]  # partner ID, tenant ID; None for the reviewers
    claim_id: str
    event_seq: int
    created_at: _dt.datetime
    lease_until: _dt.datetime
    deliveries: int
    payload: str  # JSON object text
    json: str  # the whole message as one JSON object

    @classmethod
    def _read(cls, h):
        return cls(lib.cpor_message_id(h), _s(lib.cpor_message_kind, h),
                   _s(lib.cpor_message_recipient_role, h),
                   _s(lib.cpor_message_recipient_org, h) or None, _s(lib.cpor_message_claim_id, h),
                   lib.cpor_message_event_seq(h), cv.time_out(lib.cpor_message_created_at(h)),
                   cv.time_out(lib.cpor_message_lease_until(h)), lib.cpor_message_deliveries(h),
                   _s(lib.cpor_message_payload, h), _s(lib.cpor_message_json, h))


@dataclasses.dataclass(frozen=True)
class Change:
    """One entry of the change feed: claim ``claim_id`` reached history event
    ``seq`` and ``state`` with change number ``number``."""

    number: int
    claim_id: str
    state: State
    seq: int


def take(cls, ptr, free):
    """Snapshot of a C handle, then frees it (even when reading fails)."""
    try:
        return cls._read(ptr)
    finally:
        free(ptr)
