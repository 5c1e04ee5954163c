"""Shared fixtures: a small world (partners A, B, C; a customer with one tenant)."""

import datetime as dt
import os
import subprocess
import unittest
import uuid

import cpor
from cpor import Actor, Area, Activity, Program, Role

UTC = dt.timezone.utc
START = dt.datetime(2026, 11, 2, 10, 0, tzinfo=UTC)  # a Monday
TENANT = "0f8fad5b-d9cb-469f-a165-70867728950e"
DOMAIN = "contoso.onmicrosoft.com"
SHA = "ab" * 32
REVIEWER = Actor.reviewer("rev1")
CUSTOMER = Actor.customer(TENANT, "cust-admin")
SYSTEM = Actor.system("ops")  # the operator: reference data


def admin(p):
    return Actor(Role.INCENTIVES_ADMIN, p, "admin@" + p)


MPN = {"A": "1000001", "B": "1000002", "C": "1000003"}


def _psql(sql):
    subprocess.run([os.path.join(os.environ["CPOR_TEST_PG_BIN"], "psql"), "-X", "-q",
                    "-v", "ON_ERROR_STOP=1", "-c", sql, os.environ["CPOR_TEST_PG"]],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def store_path(case):
    """The db_path of a fresh store: None (in memory), or with
    CPOR_TEST_BACKEND=postgres a fresh schema of the server of .ci/pg.sh,
    by URL (dropped when the test ends). Without a server the test skips,
    unless CI=true."""
    if os.environ.get("CPOR_TEST_BACKEND") != "postgres":
        return None
    url = os.environ.get("CPOR_TEST_PG_URL")
    if not url or not os.environ.get("CPOR_TEST_PG_BIN"):
        if os.environ.get("CI") == "true":
            case.fail("CI=true: CPOR_TEST_PG_URL and CPOR_TEST_PG_BIN must be set (.ci/pg.sh)")
        case.skipTest("CPOR_TEST_PG_URL unset: run through bash .ci/pg.sh run")
    schema = "cpor_py_" + uuid.uuid4().hex[:16]
    _psql("CREATE SCHEMA " + schema)
    case.addCleanup(_psql, "DROP SCHEMA " + schema + " CASCADE")
    return url + "?options=-c%20search_path%3D" + schema


class WorldCase(unittest.TestCase):
    """Each test gets a fresh Context on a ManualClock at START: in memory, or
    in a fresh PostgreSQL schema (CPOR_TEST_BACKEND=postgres)."""

    def setUp(self):
        self.clock = cpor.ManualClock(START)
        self.ctx = cpor.Context(clock=self.clock, db_path=store_path(self))
        self.addCleanup(self.ctx.close)
        for p, mpn in MPN.items():
            self.ctx.create_partner(SYSTEM, p, "Partner " + p)
            self.ctx.create_location(SYSTEM, p, mpn, p + " HQ")
            self.ctx.enroll(SYSTEM, mpn, Program.OSU_M365)
        self.customer_id = self.ctx.create_customer(SYSTEM, "Contoso")
        self.ctx.create_tenant(SYSTEM, self.customer_id, TENANT, DOMAIN)

    def new_claim(self, p="A", workload="TEAMS", **kw):
        fields = dict(
            name="Teams rollout " + p, mpn_id=MPN[p], tenant_id=TENANT, domain=DOMAIN,
            area=Area.M365, activity=Activity.USAGE, lines=[workload],
            customer_contact_name="Ann", customer_contact_title="CIO",
            customer_contact_email="ann@contoso.com", partner_contact_name="Pat",
            partner_contact_email="pat@" + p.lower() + ".example")
        fields.update(kw)
        return self.ctx.create_claim(admin(p), **fields)

    def submitted(self, p="A", **kw):
        c = self.new_claim(p, **kw)
        self.ctx.add_poe(admin(p), c, "poe.pdf", "application/pdf", SHA, 1234)
        self.ctx.submit(admin(p), c)
        return c

    def approved(self, p="A", **kw):
        c = self.submitted(p, **kw)
        self.ctx.start_review(REVIEWER, c)
        self.ctx.approve(REVIEWER, c)
        return c

    def state(self, c, actor=REVIEWER):
        return self.ctx.claim(actor, c).state
