"""Loading libcpor and every ctypes declaration of the binding, in one table.

Nothing outside this module calls ``ctypes.CDLL`` or sets ``argtypes`` /
``restype``: ``FUNCTIONS`` below is the single source of truth, and
``tests/test_abi.py`` checks it (and the ``Structure`` layouts) against the
prototypes in ``include/cpor/*.h``, so a header change cannot silently break
the binding.

Conventions:

* opaque handles (``cpor_ctx *``, ``cpor_claim *`` ...) are ``c_void_p``;
  out-parameters for handles (``cpor_ctx **``) are ``POINTER(c_void_p)``;
* ``char **`` results the caller frees with ``cpor_free`` are
  ``POINTER(c_void_p)`` (a ``c_char_p`` would copy the bytes and lose the
  pointer that must be freed);
* strings returned by getters (``const char *``) are ``c_char_p``: ctypes
  copies them into ``bytes`` at once, while the handle is still alive.

The library is ``libcpor.so.1`` (the soname, never the ``-dev`` symlink):
``$CPOR_LIBRARY`` (a full path) when set, and then only that file; else
``<source tree>/build/lib/libcpor.so.1`` relative to this package when it
exists (running from a source checkout built with ``meson setup build``);
else the system loader. Importing fails with ``ImportError`` listing what
was tried when it cannot be loaded, or when it is older than ``MIN_VERSION``.
"""

import ctypes
import os
from ctypes import (
    CFUNCTYPE,
    POINTER,
    Structure,
    c_char,
    c_char_p,
    c_int,
    c_int32,
    c_int64,
    c_size_t,
    c_uint32,
    c_uint64,
    c_void_p,
)

SONAME = "libcpor.so.1"
MIN_VERSION = 200  # 0.2.0: MAJOR * 10000 + MINOR * 100 + PATCH

# C typedefs.
cpor_date = c_int32
cpor_time = c_int64
P = POINTER

# cpor_clock_fn: int (*)(void *user, cpor_time *out)
CLOCK_FN = CFUNCTYPE(c_int, c_void_p, P(c_int64))
# cpor/transfer.h: export's line writer, import's line reader, verify's findings.
LINE_WRITER = CFUNCTYPE(c_int, c_void_p, P(c_char), c_size_t)
LINE_READER = CFUNCTYPE(c_int, c_void_p, P(c_void_p), P(c_size_t))
FINDING_FN = CFUNCTYPE(c_int, c_void_p, c_char_p, c_char_p, c_char_p)


class Actor(Structure):
    """struct cpor_actor."""

    _fields_ = [
        ("version", c_uint32),
        ("role", c_uint32),
        ("org", c_char_p),
        ("user", c_char_p),
    ]


class Window(Structure):
    """struct cpor_window."""

    _fields_ = [("count", c_int32), ("unit", c_uint32)]


class Policy(Structure):
    """struct cpor_policy."""

    _fields_ = [
        ("optout", Window),
        ("response", Window),
        ("review_start_sla", Window),
        ("review_sla", Window),
        ("dispute", Window),
        ("dispute_review_sla", Window),
    ]


class SqliteOptions(Structure):
    """struct cpor_sqlite_options."""

    _fields_ = [
        ("version", c_uint32),
        ("busy_timeout_ms", c_int32),
        ("synchronous_full", c_uint32),
        ("read_only", c_uint32),
        ("cache_mb", c_int32),
        ("mmap_mb", c_int32),
    ]


class CtxOptions(Structure):
    """struct cpor_ctx_options."""

    _fields_ = [
        ("version", c_uint32),
        ("storage", c_void_p),
        ("db_path", c_char_p),
        ("sqlite", P(SqliteOptions)),
        ("clock", CLOCK_FN),
        ("clock_user", c_void_p),
        ("calendar", c_void_p),
        ("tz", c_char_p),
        ("policy", Policy),
        ("errbuf", c_char_p),
        ("errbuf_len", c_size_t),
        ("optout_from", c_uint32),
        ("customer_may_end", c_uint32),
        ("max_disputes", c_uint32),
    ]


class ClaimSpec(Structure):
    """struct cpor_claim_spec."""

    _fields_ = [
        ("version", c_uint32),
        ("name", c_char_p),
        ("mpn_id", c_char_p),
        ("tenant_id", c_char_p),
        ("domain", c_char_p),
        ("area", c_uint32),
        ("activity", c_uint32),
        ("line_count", c_size_t),
        ("workloads", P(c_char_p)),
        ("subscriptions", P(c_char_p)),
        ("customer_contact_name", c_char_p),
        ("customer_contact_title", c_char_p),
        ("customer_contact_email", c_char_p),
        ("technical_contact_name", c_char_p),
        ("technical_contact_title", c_char_p),
        ("technical_contact_email", c_char_p),
        ("partner_contact_name", c_char_p),
        ("partner_contact_email", c_char_p),
        ("solution_seller", c_char_p),
        ("customer_name", c_char_p),
        ("isv_product", c_char_p),
        ("idempotency_key", c_char_p),
        ("external_ref", c_char_p),
        ("expected_revision", c_uint64),
    ]


class ClaimQuery(Structure):
    """struct cpor_claim_query."""

    _fields_ = [
        ("version", c_uint32),
        ("partner_id", c_char_p),
        ("tenant_id", c_char_p),
        ("state", c_uint32),
        ("unit_workload", c_char_p),
        ("unit_subscription", c_char_p),
        ("overdue", c_uint32),
        ("after_id", c_char_p),
        ("limit", c_uint32),
        ("window_closes_before", cpor_time),
        ("updated_since", cpor_time),
        ("external_ref", c_char_p),
    ]


class ImportReport(Structure):
    _fields_ = [("version", c_uint32), ("objects", c_uint64), ("claims", c_uint64),
                ("events", c_uint64)]


IMPORT_REPORT_VERSION = 1

# C struct name -> ctypes Structure (the ABI test compares their fields).
STRUCTS = {
    "cpor_import_report": ImportReport,
    "cpor_actor": Actor,
    "cpor_window": Window,
    "cpor_policy": Policy,
    "cpor_sqlite_options": SqliteOptions,
    "cpor_ctx_options": CtxOptions,
    "cpor_claim_spec": ClaimSpec,
    "cpor_claim_query": ClaimQuery,
}
# C function-pointer typedef name -> ctypes CFUNCTYPE.
FUNCTION_TYPES = {"cpor_clock_fn": CLOCK_FN, "cpor_line_writer": LINE_WRITER,
                  "cpor_line_reader": LINE_READER, "cpor_finding_fn": FINDING_FN}

# Version numbers of the options structs this binding fills in.
ACTOR_VERSION = 1
CTX_OPTIONS_VERSION = 2
SQLITE_OPTIONS_VERSION = 2
CLAIM_SPEC_VERSION = 2
CLAIM_QUERY_VERSION = 3
TIME_NONE = -(2**63)  # CPOR_TIME_NONE = INT64_MIN
ITEROVER = -20  # CPOR_ITEROVER

_H = c_void_p  # an opaque handle
_OUT = P(c_void_p)  # a handle out-parameter
_S = c_char_p
_A = P(Actor)

# name -> (restype, argtypes). Every function the binding calls.
FUNCTIONS = {
    # ---- common.h
    "cpor_strerror": (c_char_p, [c_int]),
    "cpor_status_name": (c_char_p, [c_int]),
    "cpor_status_count": (c_int, []),
    "cpor_version_number": (c_int32, []),
    "cpor_version_string": (c_char_p, []),
    "cpor_free": (None, [c_void_p]),
    # ---- calendar.h: dates
    "cpor_date_from_ymd": (c_int, [c_int32, c_int32, c_int32, P(cpor_date)]),
    "cpor_date_to_ymd": (None, [cpor_date, P(c_int32), P(c_int32), P(c_int32)]),
    "cpor_date_parse": (c_int, [_S, P(cpor_date)]),
    "cpor_date_format": (c_int, [cpor_date, c_char_p, c_size_t]),
    "cpor_date_weekday": (c_int, [cpor_date]),
    # ---- calendar.h: building calendars
    "cpor_calendar_builder_new": (c_int, [_OUT]),
    "cpor_calendar_builder_free": (None, [_H]),
    "cpor_calendar_builder_set_weekmask": (c_int, [_H, c_uint32]),
    "cpor_calendar_builder_add_holiday": (c_int, [_H, cpor_date]),
    "cpor_calendar_builder_add_working_day": (c_int, [_H, cpor_date]),
    "cpor_calendar_builder_add_rules": (c_int, [_H, _S]),
    "cpor_calendar_builder_build": (c_int, [_H, _OUT]),
    "cpor_calendar_builtin": (c_int, [_S, _OUT]),
    "cpor_calendar_parse": (c_int, [_S, _OUT, c_char_p, c_size_t]),
    "cpor_calendar_ref": (_H, [_H]),
    "cpor_calendar_unref": (None, [_H]),
    "cpor_calendar_name": (c_char_p, [_H]),
    # ---- calendar.h: queries
    "cpor_calendar_is_business_day": (c_int, [_H, cpor_date]),
    "cpor_calendar_add_business_days": (c_int, [_H, cpor_date, c_int32, P(cpor_date)]),
    "cpor_calendar_count_business_days": (c_int, [_H, cpor_date, cpor_date, P(c_int64)]),
    "cpor_calendar_adjust": (c_int, [_H, cpor_date, c_int, P(cpor_date)]),
    "cpor_calendar_add_business_days_n": (
        c_int, [_H, P(cpor_date), c_size_t, c_int32, P(cpor_date)]),
    "cpor_calendar_count_business_days_n": (
        c_int, [_H, P(cpor_date), P(cpor_date), c_size_t, P(c_int64)]),
    # ---- calendar.h: time zones
    "cpor_tz_parse": (c_int, [_S, _OUT]),
    "cpor_tz_free": (None, [_H]),
    "cpor_tz_local_date": (c_int, [_H, cpor_time, P(cpor_date)]),
    "cpor_tz_start_of_day": (c_int, [_H, cpor_date, P(cpor_time)]),
    "cpor_tz_offset": (c_int, [_H, cpor_time, P(c_int32)]),
    "cpor_calendar_deadline": (
        c_int, [_H, _H, cpor_time, c_int32, P(cpor_date), P(cpor_time)]),
    # ---- model.h: enumeration names
    "cpor_state_name": (c_char_p, [c_int]),
    "cpor_state_from_name": (c_int, [_S, P(c_int)]),
    "cpor_reason_name": (c_char_p, [c_int]),
    "cpor_reason_from_name": (c_int, [_S, P(c_int)]),
    "cpor_area_name": (c_char_p, [c_int]),
    "cpor_area_from_name": (c_int, [_S, P(c_int)]),
    "cpor_activity_name": (c_char_p, [c_int]),
    "cpor_activity_from_name": (c_int, [_S, P(c_int)]),
    "cpor_activity_display_name": (c_char_p, [c_int]),
    "cpor_info_reason_name": (c_char_p, [c_int]),
    "cpor_info_reason_from_name": (c_int, [_S, P(c_int)]),
    "cpor_removal_reason_name": (c_char_p, [c_int]),
    "cpor_removal_reason_from_name": (c_int, [_S, P(c_int)]),
    "cpor_program_name": (c_char_p, [c_int]),
    "cpor_program_from_name": (c_int, [_S, P(c_int)]),
    "cpor_channel_name": (c_char_p, [c_int]),
    "cpor_channel_from_name": (c_int, [_S, P(c_int)]),
    "cpor_sub_state_name": (c_char_p, [c_int]),
    "cpor_sub_state_from_name": (c_int, [_S, P(c_int)]),
    "cpor_role_name": (c_char_p, [c_int]),
    "cpor_role_from_name": (c_int, [_S, P(c_int)]),
    "cpor_event_kind_name": (c_char_p, [c_int]),
    "cpor_actor_init": (c_int, [_A, c_uint32]),
    # ---- model.h: directory handles
    "cpor_partner_id": (c_char_p, [_H]),
    "cpor_partner_name": (c_char_p, [_H]),
    "cpor_partner_free": (None, [_H]),
    "cpor_location_mpn_id": (c_char_p, [_H]),
    "cpor_location_partner_id": (c_char_p, [_H]),
    "cpor_location_name": (c_char_p, [_H]),
    "cpor_location_is_enrolled": (c_int, [_H, c_int]),
    "cpor_location_free": (None, [_H]),
    "cpor_customer_id": (c_char_p, [_H]),
    "cpor_customer_name": (c_char_p, [_H]),
    "cpor_customer_free": (None, [_H]),
    "cpor_tenant_id": (c_char_p, [_H]),
    "cpor_tenant_customer_id": (c_char_p, [_H]),
    "cpor_tenant_domain_count": (c_size_t, [_H]),
    "cpor_tenant_domain": (c_char_p, [_H, c_size_t]),
    "cpor_tenant_free": (None, [_H]),
    "cpor_subscription_id": (c_char_p, [_H]),
    "cpor_subscription_tenant_id": (c_char_p, [_H]),
    "cpor_subscription_workload": (c_char_p, [_H]),
    "cpor_subscription_channel": (c_int, [_H]),
    "cpor_subscription_state": (c_int, [_H]),
    "cpor_subscription_free": (None, [_H]),
    "cpor_workload_code": (c_char_p, [_H]),
    "cpor_workload_name": (c_char_p, [_H]),
    "cpor_workload_area": (c_int, [_H]),
    "cpor_workload_needs_subscription": (c_int, [_H]),
    "cpor_workload_is_dynamics": (c_int, [_H]),
    "cpor_workload_is_builtin": (c_int, [_H]),
    "cpor_workload_free": (None, [_H]),
    # ---- model.h: claims and events
    "cpor_claim_id": (c_char_p, [_H]),
    "cpor_claim_name": (c_char_p, [_H]),
    "cpor_claim_state": (c_int, [_H]),
    "cpor_claim_reason": (c_int, [_H]),
    "cpor_claim_partner_id": (c_char_p, [_H]),
    "cpor_claim_mpn_id": (c_char_p, [_H]),
    "cpor_claim_tenant_id": (c_char_p, [_H]),
    "cpor_claim_domain": (c_char_p, [_H]),
    "cpor_claim_area": (c_int, [_H]),
    "cpor_claim_activity": (c_int, [_H]),
    "cpor_claim_created_at": (cpor_time, [_H]),
    "cpor_claim_updated_at": (cpor_time, [_H]),
    "cpor_claim_window_closes_at": (cpor_time, [_H]),
    "cpor_claim_sla_due_at": (cpor_time, [_H]),
    "cpor_claim_overdue": (c_int, [_H]),
    "cpor_claim_contested": (c_int, [_H]),
    "cpor_claim_disputable": (c_int, [_H]),
    "cpor_claim_line_count": (c_size_t, [_H]),
    "cpor_claim_line_workload": (c_char_p, [_H, c_size_t]),
    "cpor_claim_line_subscription": (c_char_p, [_H, c_size_t]),
    "cpor_claim_line_state": (c_int, [_H, c_size_t]),
    "cpor_claim_line_reason": (c_int, [_H, c_size_t]),
    "cpor_claim_info_reason": (c_int, [_H]),
    "cpor_claim_removal_reason": (c_int, [_H]),
    "cpor_claim_policy": (c_int, [_H, P(Policy)]),
    "cpor_claim_optout_from": (c_int, [_H]),
    "cpor_claim_customer_may_end": (c_int, [_H]),
    "cpor_claim_max_disputes": (c_int, [_H]),
    "cpor_claim_optout_closes_at": (c_int64, [_H]),
    "cpor_claim_poe_added_at": (c_int64, [_H, c_size_t]),
    "cpor_claim_last_poe_at": (c_int64, [_H]),
    "cpor_claim_external_ref": (c_char_p, [_H]),
    "cpor_claim_idempotency_key": (c_char_p, [_H]),
    "cpor_claim_revision": (c_uint64, [_H]),
    "cpor_claim_field": (c_char_p, [_H, c_int]),
    "cpor_claim_poe_count": (c_size_t, [_H]),
    "cpor_claim_poe_name": (c_char_p, [_H, c_size_t]),
    "cpor_claim_poe_media_type": (c_char_p, [_H, c_size_t]),
    "cpor_claim_poe_sha256": (c_char_p, [_H, c_size_t]),
    "cpor_claim_poe_size": (c_uint64, [_H, c_size_t]),
    "cpor_claim_free": (None, [_H]),
    "cpor_event_seq": (c_uint32, [_H]),
    "cpor_event_at": (cpor_time, [_H]),
    "cpor_event_kind": (c_int, [_H]),
    "cpor_event_actor_role": (c_int, [_H]),
    "cpor_event_actor_org": (c_char_p, [_H]),
    "cpor_event_actor_user": (c_char_p, [_H]),
    "cpor_event_state": (c_int, [_H]),
    "cpor_event_text": (c_char_p, [_H]),
    "cpor_event_payload": (c_char_p, [_H]),
    "cpor_event_free": (None, [_H]),
    # ---- context.h: clocks
    "cpor_manual_clock_new": (c_int, [_OUT, cpor_time]),
    "cpor_manual_clock_free": (None, [_H]),
    "cpor_manual_clock_set": (None, [_H, cpor_time]),
    "cpor_manual_clock_advance": (None, [_H, c_int64]),
    "cpor_manual_clock_get": (cpor_time, [_H]),
    "cpor_manual_clock_now": (c_int, [c_void_p, P(cpor_time)]),
    "cpor_system_clock_now": (c_int, [c_void_p, P(cpor_time)]),
    # ---- context.h: storage
    "cpor_storage_open_memory": (c_int, [_OUT]),
    "cpor_sqlite_options_init": (c_int, [P(SqliteOptions), c_uint32]),
    "cpor_storage_open_sqlite": (
        c_int, [_OUT, _S, P(SqliteOptions), c_char_p, c_size_t]),
    "cpor_storage_free": (None, [_H]),
    # ---- context.h: the context
    "cpor_ctx_options_init": (c_int, [P(CtxOptions), c_uint32]),
    "cpor_ctx_open": (c_int, [_OUT, P(CtxOptions)]),
    "cpor_ctx_close": (None, [_H]),
    "cpor_ctx_errcode": (c_int, [_H]),
    "cpor_ctx_errmsg": (c_char_p, [_H]),
    "cpor_ctx_now": (c_int, [_H, P(cpor_time)]),
    "cpor_ctx_begin": (c_int, [_H]),
    "cpor_ctx_commit": (c_int, [_H]),
    "cpor_ctx_rollback": (c_int, [_H]),
    # ---- context.h: directory
    "cpor_partner_create": (c_int, [_H, _A, _S, _S]),
    "cpor_partner_get": (c_int, [_H, _A, _S, _OUT]),
    "cpor_partner_list": (c_int, [_H, _A, _OUT]),
    "cpor_partner_iter_next": (c_int, [_H, _OUT]),
    "cpor_partner_iter_free": (None, [_H]),
    "cpor_location_create": (c_int, [_H, _A, _S, _S, _S]),
    "cpor_location_rename": (c_int, [_H, _A, _S, _S]),
    "cpor_location_get": (c_int, [_H, _A, _S, _OUT]),
    "cpor_location_enroll": (c_int, [_H, _A, _S, c_int, c_int]),
    "cpor_location_list": (c_int, [_H, _A, _S, _OUT]),
    "cpor_location_iter_next": (c_int, [_H, _OUT]),
    "cpor_location_iter_free": (None, [_H]),
    "cpor_customer_create": (c_int, [_H, _A, _S, P(c_void_p)]),
    "cpor_customer_get": (c_int, [_H, _A, _S, _OUT]),
    "cpor_customer_list": (c_int, [_H, _A, _OUT]),
    "cpor_customer_iter_next": (c_int, [_H, _OUT]),
    "cpor_customer_iter_free": (None, [_H]),
    "cpor_tenant_create": (c_int, [_H, _A, _S, _S, _S]),
    "cpor_tenant_add_domain": (c_int, [_H, _A, _S, _S]),
    "cpor_tenant_get": (c_int, [_H, _A, _S, _OUT]),
    "cpor_tenant_list": (c_int, [_H, _A, _S, _OUT]),
    "cpor_tenant_iter_next": (c_int, [_H, _OUT]),
    "cpor_tenant_iter_free": (None, [_H]),
    "cpor_subscription_create": (c_int, [_H, _A, _S, _S, _S, c_int, c_int]),
    "cpor_subscription_get": (c_int, [_H, _A, _S, _OUT]),
    "cpor_subscription_set_state": (c_int, [_H, _A, _S, c_int, P(c_size_t)]),
    "cpor_subscription_list": (c_int, [_H, _A, _S, _OUT]),
    "cpor_subscription_iter_next": (c_int, [_H, _OUT]),
    "cpor_subscription_iter_free": (None, [_H]),
    "cpor_workload_rename": (c_int, [_H, _A, _S, _S]),
    "cpor_workload_register": (c_int, [_H, _A, _S, _S, c_int, c_int]),
    "cpor_workload_get": (c_int, [_H, _A, _S, _OUT]),
    "cpor_workload_list": (c_int, [_H, _A, _OUT]),
    "cpor_workload_iter_next": (c_int, [_H, _OUT]),
    "cpor_workload_iter_free": (None, [_H]),
    # ---- context.h: claims
    "cpor_claim_spec_init": (c_int, [P(ClaimSpec), c_uint32]),
    "cpor_claim_create": (c_int, [_H, _A, P(ClaimSpec), _OUT]),
    "cpor_claim_edit": (c_int, [_H, _A, _S, P(ClaimSpec)]),
    "cpor_claim_add_poe": (c_int, [_H, _A, _S, _S, _S, _S, c_uint64]),
    "cpor_claim_comment": (c_int, [_H, _A, _S, _S]),
    "cpor_claim_submit": (c_int, [_H, _A, _S]),
    "cpor_claim_withdraw": (c_int, [_H, _A, _S]),
    "cpor_claim_start_review": (c_int, [_H, _A, _S]),
    "cpor_claim_request_info": (c_int, [_H, _A, _S, c_int, _S]),
    "cpor_claim_respond": (c_int, [_H, _A, _S, _S]),
    "cpor_claim_approve": (c_int, [_H, _A, _S]),
    "cpor_claim_reject": (c_int, [_H, _A, _S, c_int, _S]),
    "cpor_claim_opt_out": (c_int, [_H, _A, _S]),
    "cpor_claim_dispute": (c_int, [_H, _A, _S, _S]),
    "cpor_claim_decide_dispute": (c_int, [_H, _A, _S, c_int, _S]),
    "cpor_claim_remove": (c_int, [_H, _A, _S, c_int, _S]),
    "cpor_ctx_advance": (c_int, [_H, P(c_size_t)]),
    # ---- transfer.h
    "cpor_ctx_export": (c_int, [_H, _A, LINE_WRITER, c_void_p]),
    "cpor_ctx_import": (c_int, [_H, _A, LINE_READER, c_void_p, P(ImportReport)]),
    "cpor_ctx_verify": (c_int, [_H, _A, FINDING_FN, c_void_p, P(c_uint64)]),
    "cpor_claim_get": (c_int, [_H, _A, _S, _OUT]),
    "cpor_claim_query_init": (c_int, [P(ClaimQuery), c_uint32]),
    "cpor_claim_find": (c_int, [_H, _A, P(ClaimQuery), _OUT]),
    "cpor_claim_iter_next": (c_int, [_H, _OUT]),
    "cpor_claim_iter_free": (None, [_H]),
    "cpor_claim_history": (c_int, [_H, _A, _S, _OUT]),
    "cpor_claim_replay": (c_int, [_H, _A, _S, _OUT]),
    "cpor_claim_check": (c_int, [_H, _A, _S, P(ClaimSpec), _OUT]),
    "cpor_check_report_count": (c_size_t, [_H]),
    "cpor_check_report_code": (c_int, [_H, c_size_t]),
    "cpor_check_report_message": (c_char_p, [_H, c_size_t]),
    "cpor_check_report_free": (None, [_H]),
    "cpor_claim_competitors": (c_int, [_H, _A, _S, _OUT]),
    "cpor_event_iter_next": (c_int, [_H, _OUT]),
    "cpor_event_iter_free": (None, [_H]),
    # feed.h: the outbox and the change feed
    "cpor_outbox_lease": (c_int, [_H, _A, c_size_t, c_uint32, _OUT]),
    "cpor_outbox_ack": (c_int, [_H, _A, c_uint64]),
    "cpor_message_iter_next": (c_int, [_H, _OUT]),
    "cpor_message_iter_free": (None, [_H]),
    "cpor_message_id": (c_uint64, [_H]),
    "cpor_message_kind": (c_char_p, [_H]),
    "cpor_message_recipient_role": (c_char_p, [_H]),
    "cpor_message_recipient_org": (c_char_p, [_H]),
    "cpor_message_claim_id": (c_char_p, [_H]),
    "cpor_message_event_seq": (c_uint32, [_H]),
    "cpor_message_created_at": (cpor_time, [_H]),
    "cpor_message_lease_until": (cpor_time, [_H]),
    "cpor_message_deliveries": (c_uint32, [_H]),
    "cpor_message_payload": (c_char_p, [_H]),
    "cpor_message_json": (c_char_p, [_H]),
    "cpor_message_free": (None, [_H]),
    "cpor_changes_since": (c_int, [_H, _A, c_uint64, c_size_t, _OUT]),
    "cpor_change_iter_next": (c_int, [_H, P(c_uint64), P(c_char_p), P(c_int), P(c_uint32)]),
    "cpor_change_iter_free": (None, [_H]),
}


# Where libcpor.so.1 is looked for, in order (see _load).
_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))
# bindings/python/cpor/ -> the source tree's root -> meson's conventional build/.
BUILD_TREE_LIBRARY = os.path.normpath(
    os.path.join(_PACKAGE_DIR, "..", "..", "..", "build", "lib", SONAME))


def _candidates():
    """(description, name for CDLL) in the order _load tries them."""
    path = os.environ.get("CPOR_LIBRARY")
    if path:
        # Set explicitly: this file or nothing (never a silent fallback).
        return [("$CPOR_LIBRARY=%s" % path, path)]
    out = []
    if os.path.exists(BUILD_TREE_LIBRARY):
        out.append(("the build tree next to this package (%s)" % BUILD_TREE_LIBRARY,
                    BUILD_TREE_LIBRARY))
    out.append(("the system loader (%s, via ld.so.cache/LD_LIBRARY_PATH)" % SONAME, SONAME))
    return out


def _load():
    """Loads libcpor.so.1: $CPOR_LIBRARY when set (only it), else the build
    tree relative to this package (<source>/build/lib/libcpor.so.1, when it
    exists), else the system loader. ImportError lists what was tried."""
    tried = []
    dll = name = None
    cands = _candidates()
    for where, cand in cands:
        try:
            dll = ctypes.CDLL(cand)
            name = cand
            break
        except OSError as e:
            tried.append("  %s: %s" % (where, e))
    if dll is None:
        if not os.environ.get("CPOR_LIBRARY") and not os.path.exists(BUILD_TREE_LIBRARY):
            tried.insert(0, "  the build tree next to this package: %s does not exist"
                         % BUILD_TREE_LIBRARY)
        raise ImportError(
            "cpor: cannot load libcpor (%s). Tried, in order:\n%s\n"
            "Build it (meson setup build && ninja -C build) and set "
            "CPOR_LIBRARY=$PWD/build/lib/%s, or install it (ninja -C build install)."
            % (SONAME, "\n".join(tried), SONAME))
    missing = []
    for fname, (restype, argtypes) in FUNCTIONS.items():
        try:
            fn = getattr(dll, fname)
        except AttributeError:
            missing.append(fname)
            continue
        fn.restype = restype
        fn.argtypes = argtypes
    if missing:
        raise ImportError("cpor: %s lacks %s (too old?)" % (name, ", ".join(missing)))
    version = dll.cpor_version_number()
    if version < MIN_VERSION:
        raise ImportError(
            "cpor: %s is version %s (%d); this binding needs >= %d"
            % (name, (dll.cpor_version_string() or b"?").decode(), version, MIN_VERSION))
    return dll, name


lib, LIBRARY_PATH = _load()  # LIBRARY_PATH: the file (or soname) actually loaded
VERSION = lib.cpor_version_number()
VERSION_STRING = lib.cpor_version_string().decode()
# The address of cpor_manual_clock_now, as a cpor_clock_fn: a ManualClock
# drives a context without any Python callback.
_MANUAL_CLOCK_NOW_ADDR = ctypes.cast(lib.cpor_manual_clock_now, c_void_p).value
MANUAL_CLOCK_NOW = CLOCK_FN(_MANUAL_CLOCK_NOW_ADDR)  # type: ignore[arg-type]


def text(s):
    """str/bytes/None -> bytes/None for a `const char *` argument.

    str is encoded as UTF-8; bytes pass as they are. A NUL character (which C
    would read as the end of the string) raises ValueError, as does a str
    that is not encodable (lone surrogates: UnicodeEncodeError)."""
    if s is None:
        return None
    if isinstance(s, bytes):
        b = s
    elif isinstance(s, str):
        b = s.encode("utf-8")
    else:
        raise TypeError("expected str or bytes, got %s" % type(s).__name__)
    if b"\0" in b:
        raise ValueError("string contains a NUL character: %r" % (s[:40],))
    return b


def path(p):
    """A file path (str, bytes or os.PathLike) -> bytes for `const char *`.

    str and PathLike go through os.fsencode (the file-system encoding, with
    surrogateescape: exactly the name Python's own open() would use); bytes
    pass unchanged. NUL -> ValueError."""
    p = os.fspath(p)
    b = p if isinstance(p, bytes) else os.fsencode(p)
    if b"\0" in b:
        raise ValueError("path contains a NUL character: %r" % (p,))
    return b


def untext(b):
    """bytes/None (a `const char *` result) -> str/None."""
    return None if b is None else b.decode("utf-8", "replace")
