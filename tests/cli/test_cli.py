#!/usr/bin/env python3
"""End-to-end tests of the cpor command-line tool.

Every journey runs through the CLI with --json and a fixed --now, each test
on its own database in a temporary directory. Standard library only.
CPOR_BIN names the executable (meson passes it)."""

import hashlib
import json
import os
import shutil
import subprocess
import tempfile
import unittest

CPOR = os.environ.get("CPOR_BIN", "cpor")

TENANT = "8c3d5a1e-2b4f-4c6d-9e8f-0a1b2c3d4e5f"
DOMAIN = "contoso.onmicrosoft.com"
TENANT2 = "11111111-2222-4333-8444-555555555555"
DOMAIN2 = "northwind.onmicrosoft.com"
SUB_CSP = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee"
SUB_OK = "abababab-bbbb-4ccc-8ddd-eeeeeeeeeeee"
SHA = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
TZ = "EST5EDT,M3.2.0,M11.1.0"

A = "incentives_admin:contoso:ann"
A_USER = "incentives_user:contoso:uma"
B = "incentives_admin:fabrikam:bob"
REVIEWER = "reviewer::rita"
CUSTOMER = "customer:%s:carol" % TENANT

# exit codes: 10 + (-status)
EXIT = {"EINVAL": 11, "ENOTFOUND": 13, "EEXISTS": 14, "EPERM": 15, "EACCES": 16,
        "ESTATE": 17, "EDUPLICATE": 18, "EWINDOW": 19, "EMISMATCH": 20,
        "EINCOMPLETE": 21, "EACTIVITY": 22, "ENOTENROLLED": 23, "ESUBSCRIPTION": 24,
        "ESTORAGE": 25, "ECORRUPT": 26, "ECONFLICT": 31}

CONTACTS = ["--customer-contact-name", "Carol", "--customer-contact-title", "CIO",
            "--customer-contact-email", "carol@contoso.com",
            "--partner-contact-name", "Ann", "--partner-contact-email", "ann@example.com"]


def sha256_file(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


class CliCase(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="cpor-cli-")
        self.db = os.path.join(self.dir, "cpor.db")

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def run_cli(self, *args, actor=None, now=None, json_out=True, db=True, env=None):
        cmd = [CPOR]
        if db:
            cmd += ["--db", self.db]
        # The window rules read calendar and time zone from the context, so
        # every call of a journey uses the same ones.
        cmd += ["--calendar", "us-federal", "--tz", TZ]
        if actor:
            cmd += ["--as", actor]
        if now:
            cmd += ["--now", now]
        if json_out:
            cmd.append("--json")
        cmd += list(args)
        p = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=60)
        doc = None
        if json_out and p.stdout.strip():
            doc = json.loads(p.stdout)
        return p.returncode, doc, p.stderr

    def ok(self, *args, **kw):
        rc, doc, err = self.run_cli(*args, **kw)
        self.assertEqual(rc, 0, "cpor %s failed: %s" % (" ".join(args), err))
        return doc

    def fails(self, code, *args, **kw):
        """Runs a command that must fail with a library code and change nothing."""
        before = sha256_file(self.db) if os.path.exists(self.db) else None
        rc, doc, err = self.run_cli(*args, **kw)
        self.assertEqual(rc, EXIT[code], "cpor %s: %s" % (" ".join(args), err))
        self.assertEqual(doc["error"]["code"], "CPOR_" + code)
        self.assertTrue(err.startswith("cpor: "), err)
        self.assertEqual(len(err.strip().splitlines()), 1, err)
        if before is not None:
            self.assertEqual(sha256_file(self.db), before, "the database changed")
        return doc

    def setup_directory(self):
        now = "2026-11-02T09:00:00Z"
        self.ok("init", now=now)
        self.ok("partner", "add", "contoso", "Contoso Partners", now=now)
        self.ok("location", "add", "contoso", "1234567", "Contoso HQ", now=now)
        self.ok("enroll", "1234567", "osu_m365", now=now)
        self.ok("enroll", "1234567", "osu_bizapps", now=now)
        self.ok("partner", "add", "fabrikam", "Fabrikam Consulting", now=now)
        self.ok("location", "add", "fabrikam", "7654321", now=now)
        self.ok("enroll", "7654321", "osu_m365", now=now)
        self.ok("location", "add", "contoso", "5555555", "Contoso (not enrolled)", now=now)
        cust = self.ok("customer", "add", "Contoso Ltd", now=now)["customer_id"]
        t = self.ok("tenant", "add", cust, TENANT.upper(), DOMAIN, "contoso.com", now=now)
        self.assertEqual(t["tenant_id"], TENANT)
        self.assertEqual(t["domains"], [DOMAIN, "contoso.com"])
        cust2 = self.ok("customer", "add", "Northwind", now=now)["customer_id"]
        self.ok("tenant", "add", cust2, TENANT2, DOMAIN2, now=now)
        s = self.ok("subscription", "add", SUB_CSP, TENANT, "D365_SALES", "--channel", "csp",
                    now=now)
        self.assertEqual(s["channel"], "csp")

    def create(self, actor=A, mpn="1234567", workload="TEAMS", now="2026-11-02T14:00:00Z",
               extra=()):
        return self.ok("claim", "create", "--name", "Teams rollout", "--mpn", mpn,
                       "--tenant", TENANT, "--domain", DOMAIN, "--workload", workload,
                       *CONTACTS, *extra, actor=actor, now=now)

    def poe(self, cid, actor=A, now="2026-11-02T14:05:00Z"):
        return self.ok("claim", "add-poe", cid, "--name", "poe.pdf", "--media-type",
                       "application/pdf", "--sha256", SHA, "--size", "1234",
                       actor=actor, now=now)

    def to_review(self, actor=A, mpn="1234567", day="2026-11-02"):
        c = self.create(actor=actor, mpn=mpn, now=day + "T14:00:00Z")
        self.poe(c["id"], actor=actor, now=day + "T14:05:00Z")
        self.ok("claim", "submit", c["id"], actor=actor, now=day + "T14:10:00Z")
        r = self.ok("review", "start", c["id"], actor=REVIEWER, now=day + "T16:00:00Z")
        self.assertEqual(r["state"], "UNDER_REVIEW")
        return c["id"]


class TestJourneys(CliCase):
    def setUp(self):
        super().setUp()
        self.setup_directory()

    def test_happy_path_to_associated(self):
        c = self.create()
        for key in ("id", "state", "reason", "partner_id", "mpn_id", "tenant_id", "activity",
                    "lines", "window_closes_at", "contested"):
            self.assertIn(key, c)
        self.assertEqual(c["state"], "EDITING")
        self.assertIsNone(c["reason"])
        self.assertEqual(c["partner_id"], "contoso")
        self.assertEqual(c["mpn_id"], "1234567")
        self.assertEqual(c["tenant_id"], TENANT)
        self.assertEqual(c["activity"], "usage")
        self.assertEqual(c["lines"][0]["workload"], "TEAMS")
        self.assertIsNone(c["lines"][0]["subscription_id"])
        self.assertIsNone(c["window_closes_at"])
        self.assertFalse(c["contested"])
        cid = c["id"]
        self.assertEqual(len(self.poe(cid)["poe"]), 1)
        self.assertEqual(self.ok("claim", "submit", cid, actor=A,
                                 now="2026-11-20T10:00:00Z")["state"], "SUBMITTED")
        self.ok("review", "start", cid, actor=REVIEWER, now="2026-11-24T09:30:00Z")
        ap = self.ok("review", "approve", cid, actor=REVIEWER, now="2026-11-25T15:00:00Z")
        self.assertEqual(ap["state"], "APPROVED")
        # Thanksgiving and a weekend inside: the 5th business day is 12-03,
        # the window closes at the start of 12-04 Eastern (05:00Z).
        self.assertEqual(ap["window_closes_at"], "2026-12-04T05:00:00Z")
        self.assertEqual(self.ok("advance", now="2026-12-04T04:59:59Z"), {"changed": 0})
        self.assertEqual(self.ok("advance", now="2026-12-04T05:00:00Z"), {"changed": 1})
        self.assertEqual(self.ok("advance", now="2026-12-04T06:00:00Z"), {"changed": 0})
        s = self.ok("claim", "show", cid, actor=A, now="2026-12-05T00:00:00Z")
        self.assertEqual(s["state"], "ASSOCIATED")
        hist = self.ok("claim", "history", cid, actor=A, now="2026-12-05T00:00:00Z")
        self.assertEqual([e["seq"] for e in hist], list(range(1, len(hist) + 1)))
        self.assertEqual([e["kind"] for e in hist],
                         ["created", "poe_added", "submitted", "review_started", "approved",
                          "associated"])
        self.assertEqual(hist[0]["actor"], A)
        self.assertEqual(hist[0]["at"], "2026-11-02T14:00:00Z")
        lst = self.ok("claim", "list", actor=A, now="2026-12-05T00:00:00Z")
        self.assertEqual([x["id"] for x in lst], [cid])

    def approved(self):
        cid = self.to_review(day="2026-11-23")
        self.ok("review", "approve", cid, actor=REVIEWER, now="2026-11-25T15:00:00Z")
        return cid

    def test_optout_inside_window(self):
        cid = self.approved()
        r = self.ok("optout", cid, actor=CUSTOMER, now="2026-12-03T23:00:00Z")
        self.assertEqual(r["state"], "REJECTED")
        self.assertEqual(r["reason"], "customer_declined")

    def test_optout_after_window(self):
        cid = self.approved()
        self.fails("EWINDOW", "optout", cid, actor=CUSTOMER, now="2026-12-04T05:00:00Z")

    def test_optout_other_tenant_is_eacces(self):
        cid = self.approved()
        self.fails("EACCES", "optout", cid, actor="customer:%s:eve" % TENANT2,
                   now="2026-11-26T12:00:00Z")

    def test_info_request_without_response(self):
        cid = self.to_review(day="2026-11-23")
        r = self.ok("review", "request-info", cid, "please attach the usage report",
                    actor=REVIEWER, now="2026-11-25T15:00:00Z")
        self.assertEqual(r["state"], "PARTNER_ACTION_REQUIRED")
        self.assertEqual(r["window_closes_at"], "2026-12-04T05:00:00Z")
        self.assertEqual(self.ok("advance", now="2026-12-04T04:00:00Z"), {"changed": 0})
        self.assertEqual(self.ok("advance", now="2026-12-04T05:00:00Z"), {"changed": 1})
        s = self.ok("claim", "show", cid, actor=A, now="2026-12-04T06:00:00Z")
        self.assertEqual(s["state"], "REJECTED")
        self.assertEqual(s["reason"], "no_partner_response")

    def test_info_request_with_response(self):
        cid = self.to_review(day="2026-11-23")
        self.ok("review", "request-info", cid, "more", actor=REVIEWER,
                now="2026-11-24T15:00:00Z")
        r = self.ok("respond", cid, "attached", actor=A, now="2026-11-25T15:00:00Z")
        self.assertEqual(r["state"], "UNDER_REVIEW")

    def rejected(self):
        cid = self.to_review(day="2026-11-02")
        r = self.ok("review", "reject", cid, "--reason", "insufficient_poe", "not enough",
                    actor=REVIEWER, now="2026-11-02T17:00:00Z")
        self.assertEqual(r["state"], "REJECTED")
        self.assertEqual(r["reason"], "insufficient_poe")
        self.assertTrue(r["disputable"])
        return cid

    def test_dispute_day_30_accepted(self):
        cid = self.rejected()
        r = self.ok("dispute", cid, "the PoE was complete", actor=A,
                    now="2026-12-02T15:00:00Z")
        self.assertEqual(r["state"], "DISPUTED")
        r = self.ok("dispute", "decide", cid, "grant", "fair point", actor=REVIEWER,
                    now="2026-12-03T15:00:00Z")
        self.assertEqual(r["state"], "UNDER_REVIEW")

    def test_dispute_day_31_refused(self):
        cid = self.rejected()
        self.fails("EWINDOW", "dispute", cid, "too late", actor=A, now="2026-12-03T15:00:00Z")

    def test_dispute_upheld_is_final(self):
        cid = self.rejected()
        self.ok("dispute", cid, "please", actor=A, now="2026-11-10T15:00:00Z")
        r = self.ok("dispute", "decide", cid, "uphold", actor=REVIEWER,
                    now="2026-11-11T15:00:00Z")
        self.assertEqual(r["state"], "REJECTED")
        self.assertFalse(r["disputable"])

    def test_claim_check_lists_every_problem(self):
        c = self.ok("claim", "create", "--name", "bare", "--mpn", "1234567", "--tenant", TENANT,
                    "--domain", DOMAIN, "--workload", "TEAMS", actor=A,
                    now="2026-11-02T14:00:00Z")
        before = sha256_file(self.db)
        rc, doc, err = self.run_cli("claim", "check", c["id"], actor=A,
                                    now="2026-11-02T14:01:00Z")
        self.assertEqual(rc, EXIT["EINCOMPLETE"], err)
        self.assertEqual(len(doc["problems"]), 6)
        self.assertEqual({p["code"] for p in doc["problems"]}, {"CPOR_EINCOMPLETE"})
        self.assertEqual(sha256_file(self.db), before)
        # A spec with an unenrolled location and a foreign domain: both named.
        rc, doc, err = self.run_cli("claim", "check", "--name", "x", "--mpn", "5555555",
                                    "--tenant", TENANT, "--domain", DOMAIN2, "--workload",
                                    "TEAMS", *CONTACTS, actor=A, now="2026-11-02T14:02:00Z")
        codes = [p["code"] for p in doc["problems"]]
        self.assertIn("CPOR_ENOTENROLLED", codes)
        self.assertIn("CPOR_EMISMATCH", codes)
        self.assertEqual(sha256_file(self.db), before)
        # A complete draft: no problem, exit 0.
        d = self.create(now="2026-11-02T14:03:00Z")
        self.poe(d["id"], now="2026-11-02T14:04:00Z")
        self.assertEqual(self.ok("claim", "check", d["id"], actor=A,
                                 now="2026-11-02T14:05:00Z"), {"problems": []})
        # submit's message names every problem too
        doc = self.fails("EINCOMPLETE", "claim", "submit", c["id"], actor=A,
                         now="2026-11-02T14:06:00Z")
        self.assertIn("(6 problems)", doc["error"]["message"])

    def test_withdraw_and_remove(self):
        cid = self.create()["id"]
        r = self.ok("claim", "withdraw", cid, actor=A, now="2026-11-03T10:00:00Z")
        self.assertEqual((r["state"], r["reason"]), ("REJECTED", "partner_request"))
        self.assertFalse(r["disputable"])
        cid = self.to_review(day="2026-11-04")
        self.ok("review", "approve", cid, actor=REVIEWER, now="2026-11-04T17:00:00Z")
        self.ok("advance", now="2026-11-20T10:00:00Z")
        before = sha256_file(self.db)
        rc, _, err = self.run_cli("association", "remove", cid, "--reason", "other", actor=A,
                                  now="2026-11-21T10:00:00Z")
        self.assertEqual(rc, 2, err)
        self.assertIn("needs a TEXT", err)
        self.assertEqual(sha256_file(self.db), before)
        r = self.ok("association", "remove", cid, "--reason", "engagement_ended", actor=A,
                    now="2026-11-21T10:00:00Z")
        self.assertEqual(r["removal_reason"], "engagement_ended")
        self.assertEqual(r["policy"]["optout"], {"count": 5, "unit": "business"})
        self.assertEqual((r["state"], r["reason"]), ("ENDED", "partner_removed"))

    def test_competing_claims_superseded(self):
        a = self.to_review(day="2026-11-02")
        self.ok("review", "approve", a, actor=REVIEWER, now="2026-11-02T17:00:00Z")
        self.ok("advance", now="2026-11-16T10:00:00Z")
        b = self.create(actor=B, mpn="7654321", now="2026-11-17T14:00:00Z")["id"]
        self.poe(b, actor=B, now="2026-11-17T14:01:00Z")
        r = self.ok("claim", "submit", b, actor=B, now="2026-11-17T14:02:00Z")
        self.assertTrue(r["contested"])
        self.ok("review", "start", b, actor=REVIEWER, now="2026-11-18T10:00:00Z")
        self.ok("review", "approve", b, actor=REVIEWER, now="2026-11-25T15:00:00Z")
        # both live: incumbent ASSOCIATED, challenger APPROVED
        self.assertEqual(self.ok("claim", "show", a, actor=A, now="2026-11-26T00:00:00Z")
                         ["state"], "ASSOCIATED")
        self.ok("advance", now="2026-12-04T05:00:00Z")
        ra = self.ok("claim", "show", a, actor=A, now="2026-12-05T00:00:00Z")
        rb = self.ok("claim", "show", b, actor=B, now="2026-12-05T00:00:00Z")
        self.assertEqual((ra["state"], ra["reason"]), ("ENDED", "superseded"))
        self.assertEqual(rb["state"], "ASSOCIATED")
        unit = self.ok("claim", "list", "--tenant", TENANT, "--workload", "TEAMS",
                       actor=REVIEWER, now="2026-12-05T00:00:00Z")
        self.assertEqual([c["id"] for c in unit], [b])

    def test_arbitration_loser_rejected(self):
        a = self.to_review(day="2026-11-02")
        b = self.to_review(actor=B, mpn="7654321", day="2026-11-03")
        rivals = self.ok("claim", "competitors", b, actor=REVIEWER, now="2026-11-05T14:00:00Z")
        self.assertEqual([c["id"] for c in rivals], [a])
        self.fails("EPERM", "claim", "competitors", b, actor=B, now="2026-11-05T14:00:00Z")
        self.ok("review", "approve", b, actor=REVIEWER, now="2026-11-05T15:00:00Z")
        ra = self.ok("claim", "show", a, actor=A, now="2026-11-05T16:00:00Z")
        self.assertEqual((ra["state"], ra["reason"]), ("REJECTED", "lost_arbitration"))

    def test_duplicate_claim(self):
        self.to_review(day="2026-11-02")
        rc, doc, err = self.run_cli("claim", "create", "--name", "again", "--mpn", "1234567",
                                    "--tenant", TENANT, "--domain", DOMAIN, "--workload",
                                    "TEAMS", *CONTACTS, actor=A, now="2026-11-03T10:00:00Z")
        if rc == 0:  # the library may refuse at submission instead of creation
            self.poe(doc["id"], now="2026-11-03T10:01:00Z")
            self.fails("EDUPLICATE", "claim", "submit", doc["id"], actor=A,
                       now="2026-11-03T10:02:00Z")
        else:
            self.assertEqual(rc, EXIT["EDUPLICATE"], err)
            self.assertEqual(doc["error"]["code"], "CPOR_EDUPLICATE")


class TestRefusals(CliCase):
    def setUp(self):
        super().setUp()
        self.setup_directory()

    def create_args(self, **over):
        spec = {"--name": "x", "--mpn": "1234567", "--tenant": TENANT, "--domain": DOMAIN,
                "--workload": "TEAMS"}
        spec.update(over)
        args = ["claim", "create"]
        for k, v in spec.items():
            if v is not None:
                args += [k, v]
        return args + CONTACTS

    def test_domain_tenant_mismatch(self):
        self.fails("EMISMATCH", *self.create_args(**{"--domain": DOMAIN2}), actor=A,
                   now="2026-11-03T10:00:00Z")

    def test_activity_not_allowed(self):
        self.fails("EACTIVITY", *self.create_args(**{"--activity": "presales"}), actor=A,
                   now="2026-11-03T10:00:00Z")

    def test_not_enrolled(self):
        self.fails("ENOTENROLLED", *self.create_args(**{"--mpn": "5555555"}), actor=A,
                   now="2026-11-03T10:00:00Z")

    def test_csp_subscription(self):
        self.fails("ESUBSCRIPTION",
                   *self.create_args(**{"--workload": "D365_SALES:" + SUB_CSP}),
                   "--technical-contact-name", "Tess", "--technical-contact-email", "t@x.com",
                   actor=A, now="2026-11-03T10:00:00Z")

    def test_no_poe(self):
        cid = self.create()["id"]
        self.fails("EINCOMPLETE", "claim", "submit", cid, actor=A, now="2026-11-03T10:00:00Z")

    def test_edit_under_review(self):
        cid = self.to_review()
        self.fails("ESTATE", "claim", "edit", cid, "--name", "new", actor=A,
                   now="2026-11-03T10:00:00Z")

    def test_edit_while_submitted_allowed(self):
        c = self.create()
        self.poe(c["id"])
        self.ok("claim", "submit", c["id"], actor=A, now="2026-11-02T15:00:00Z")
        r = self.ok("claim", "edit", c["id"], "--partner-contact-name", "Zed", actor=A,
                    now="2026-11-02T16:00:00Z")
        self.assertEqual(r["state"], "SUBMITTED")

    def test_incentives_user_cannot_submit(self):
        c = self.create(actor=A_USER)
        self.poe(c["id"], actor=A_USER)
        self.fails("EPERM", "claim", "submit", c["id"], actor=A_USER,
                   now="2026-11-03T10:00:00Z")

    def test_other_partner_reads_notfound(self):
        cid = self.create()["id"]
        for args in (("claim", "show", cid), ("claim", "history", cid),
                     ("claim", "comment", cid, "hi"), ("claim", "withdraw", cid)):
            self.fails("ENOTFOUND", *args, actor=B, now="2026-11-03T10:00:00Z")
        self.assertEqual(self.ok("claim", "list", actor=B, now="2026-11-03T10:00:00Z"), [])

    def test_reviewer_only_actions(self):
        cid = self.create()["id"]
        self.poe(cid)
        self.ok("claim", "submit", cid, actor=A, now="2026-11-02T15:00:00Z")
        self.fails("EPERM", "review", "start", cid, actor=A, now="2026-11-02T16:00:00Z")

    def test_unknown_claim(self):
        self.fails("ENOTFOUND", "claim", "show", "00000000-0000-4000-8000-000000000000",
                   actor=REVIEWER, now="2026-11-03T10:00:00Z")

    def test_duplicate_partner(self):
        self.fails("EEXISTS", "partner", "add", "contoso", "Again", now="2026-11-03T10:00:00Z")

    def test_missing_database(self):
        os.unlink(self.db)
        self.fails("ENOTFOUND", "workload", "list")
        self.assertFalse(os.path.exists(self.db))


class TestJsonAndText(CliCase):
    def setUp(self):
        super().setUp()
        self.setup_directory()

    def test_escaping_roundtrip(self):
        cid = self.create()["id"]
        # the library stores no control characters but newline and tab
        text = 'quote " backslash \\ newline\n tab\t slash / unicode é 漢字 🙂'
        self.ok("claim", "comment", cid, text, actor=A, now="2026-11-02T15:00:00Z")
        hist = self.ok("claim", "history", cid, actor=A, now="2026-11-02T15:00:00Z")
        self.assertEqual(hist[-1]["kind"], "commented")
        self.assertEqual(hist[-1]["text"], text)

    def test_escaping_control_chars(self):
        # other control characters can reach output through messages
        bad = "x\x01\x07\x1b\x7f\"\\é"
        rc, doc, err = self.run_cli("claim", "show", bad, actor=A)
        self.assertEqual(rc, 2)
        self.assertIn(bad, doc["error"]["message"])

    def test_workload_list(self):
        ws = self.ok("workload", "list")
        teams = [w for w in ws if w["code"] == "TEAMS"][0]
        self.assertEqual(teams["area"], "m365")
        self.assertFalse(teams["needs_subscription"])
        self.ok("workload", "add", "CUSTOM_APP", "Custom", "--area", "bizapps",
                "--needs-subscription")
        self.assertIn("CUSTOM_APP", [w["code"] for w in self.ok("workload", "list")])

    def test_text_output(self):
        rc, _, err = self.run_cli("workload", "list", json_out=False)
        self.assertEqual(rc, 0, err)


class TestUsage(CliCase):
    """Bad arguments exit 2 and leave the database byte-for-byte unchanged."""

    def setUp(self):
        super().setUp()
        self.setup_directory()
        self.cid = self.create()["id"]

    def bad(self, *args, actor=A, now="2026-11-03T10:00:00Z"):
        before = sha256_file(self.db)
        mtime = os.stat(self.db).st_mtime_ns
        rc, doc, err = self.run_cli(*args, actor=actor, now=now)
        self.assertEqual(rc, 2, "cpor %s: %s" % (" ".join(args), err))
        self.assertEqual(doc["error"]["code"], "usage")
        self.assertTrue(err.startswith("cpor: "), err)
        self.assertEqual(sha256_file(self.db), before)
        self.assertEqual(os.stat(self.db).st_mtime_ns, mtime)

    def test_unknown_command(self):
        self.bad("frobnicate")
        self.bad("claim", "frobnicate")

    def test_unknown_and_missing_flags(self):
        self.bad("claim", "create", "--bogus", "1")
        self.bad("claim", "create", "--mpn", "1234567", "--tenant", TENANT)  # no --domain
        self.bad("claim", "add-poe", self.cid, "--name", "x")  # no --sha256/--size
        self.bad("claim", "show")  # no claim ID
        self.bad("claim", "show", self.cid, "extra")
        self.bad("review", "reject", self.cid, actor=REVIEWER)  # no --reason
        self.bad("claim", "create", "--name")  # flag without value

    def test_malformed_values(self):
        self.bad("claim", "show", "not-a-guid")
        self.bad("claim", "create", "--mpn", "12ab", "--tenant", TENANT, "--domain", DOMAIN)
        self.bad("claim", "create", "--mpn", "1234567", "--tenant", "1234", "--domain", DOMAIN)
        self.bad("claim", "create", "--mpn", "1", "--tenant", TENANT, "--domain", DOMAIN,
                 "--activity", "selling")
        self.bad("review", "reject", self.cid, "--reason", "because", actor=REVIEWER)
        self.bad("claim", "add-poe", self.cid, "--name", "x", "--sha256", "abc", "--size", "1")
        self.bad("claim", "add-poe", self.cid, "--name", "x", "--sha256", SHA, "--size", "0")
        self.bad("dispute", "decide", self.cid, "maybe", actor=REVIEWER)
        self.bad("calendar", "add", "2026-02-30", "1")

    def test_malformed_globals(self):
        self.bad("claim", "show", self.cid, now="2026-11-31T10:00:00Z")
        self.bad("claim", "show", self.cid, now="yesterday")
        self.bad("claim", "show", self.cid, actor="wizard:contoso:ann")
        self.bad("claim", "show", self.cid, actor="incentives_admin:contoso")
        self.bad("claim", "show", self.cid, actor="incentives_admin::ann")
        self.bad("claim", "show", self.cid, actor="customer:not-a-guid:carol")
        self.bad("claim", "show", self.cid, actor=None)
        self.bad("advance", "--tz", "Europe/Paris")

    def test_usage_error_never_creates_database(self):
        path = os.path.join(self.dir, "fresh.db")
        p = subprocess.run([CPOR, "--db", path, "--as", "nope", "claim", "list"],
                           capture_output=True, text=True)
        self.assertEqual(p.returncode, 2)
        self.assertFalse(os.path.exists(path))
        p = subprocess.run([CPOR, "--db", path, "bogus"], capture_output=True, text=True)
        self.assertEqual(p.returncode, 2)
        self.assertFalse(os.path.exists(path))

    def test_help_and_version(self):
        for args in (["--help"], ["claim", "create", "--help"], ["calendar", "deadline", "--help"],
                     ["--version"]):
            p = subprocess.run([CPOR, "--db", self.db] + args, capture_output=True, text=True)
            self.assertEqual(p.returncode, 0, args)
            self.assertTrue(p.stdout)
        p = subprocess.run([CPOR, "--help"], capture_output=True, text=True)
        for word in ("exit codes", "window_closes_at", "advance"):
            self.assertIn(word, p.stdout)

    def test_db_from_environment(self):
        env = dict(os.environ, CPOR_DB=self.db)
        rc, doc, err = self.run_cli("claim", "show", self.cid, actor=A, db=False, env=env)
        self.assertEqual(rc, 0, err)
        self.assertEqual(doc["id"], self.cid)


class TestCalendar(CliCase):
    def test_queries(self):
        self.assertEqual(self.ok("calendar", "is-business-day", "2026-11-26", db=False),
                         {"date": "2026-11-26", "business_day": False})
        self.assertEqual(self.ok("calendar", "add", "2026-11-25", "5", db=False),
                         {"date": "2026-12-03"})
        self.assertEqual(self.ok("calendar", "count", "2026-11-25", "2026-12-04", db=False),
                         {"count": 6})
        self.assertEqual(self.ok("calendar", "adjust", "2026-11-26", "preceding", db=False),
                         {"date": "2026-11-25"})
        self.assertEqual(self.ok("calendar", "deadline", "2026-11-25T15:00:00Z", "5", db=False),
                         {"due": "2026-12-03", "closes_at": "2026-12-04T05:00:00Z"})
        self.assertFalse(os.path.exists(self.db))

    def test_rule_file(self):
        rules = os.path.join(self.dir, "cal.txt")
        with open(rules, "w") as f:
            f.write("name test\nweekend sat sun\ndate 2026-12-24\n")
        p = subprocess.run([CPOR, "--calendar", rules, "--json", "calendar", "add",
                            "2026-12-23", "1"], capture_output=True, text=True)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(json.loads(p.stdout), {"date": "2026-12-25"})
        with open(rules, "w") as f:
            f.write("name bad\nfrobnicate\n")
        p = subprocess.run([CPOR, "--calendar", rules, "calendar", "add", "2026-12-23", "1"],
                           capture_output=True, text=True)
        self.assertEqual(p.returncode, 2)
        self.assertIn("line 2", p.stderr)


class TestDemo(CliCase):
    def test_demo_json(self):
        rc, doc, err = self.run_cli("demo")
        self.assertEqual(rc, 0, err)
        a, b = doc["claims"]["A"], doc["claims"]["B"]
        self.assertEqual((a["state"], a["reason"]), ("ENDED", "superseded"))
        self.assertEqual(b["state"], "ASSOCIATED")
        self.assertTrue(b["contested"])
        self.assertEqual(doc["advance_before_close"]["changed"], 0)
        self.assertGreaterEqual(doc["advance_after_close"]["changed"], 1)
        kinds = [(e["claim"], e["event"]["kind"]) for e in doc["timeline"]]
        self.assertIn(("B", "approved"), kinds)
        self.assertEqual(kinds[-1][1], "associated")
        appr = [e for e in doc["timeline"] if e["claim"] == "B" and e["event"]["kind"] ==
                "approved"][0]
        self.assertEqual(appr["event"]["at"], "2026-11-25T15:00:00Z")

    def test_demo_text_and_refusal(self):
        rc, _, err = self.run_cli("demo", json_out=False)
        self.assertEqual(rc, 0, err)
        before = sha256_file(self.db)
        rc, doc, err = self.run_cli("demo")
        self.assertEqual(rc, EXIT["EEXISTS"])
        self.assertEqual(doc["error"]["code"], "CPOR_EEXISTS")
        self.assertEqual(sha256_file(self.db), before)
        rc, doc, err = self.run_cli("demo", "--force")
        self.assertEqual(rc, 0, err)
        # the demo's database is a normal one: the claims can be read back
        lst = self.ok("claim", "list", "--state", "ASSOCIATED", actor=REVIEWER)
        self.assertEqual(len(lst), 1)


class TestFeed(CliCase):
    """cpor outbox lease / ack and cpor changes (issue 12): JSON lines."""

    def last_stdout(self, *args, **kw):
        """Runs a command that succeeds; its stdout's lines."""
        cmd = [CPOR, "--db", self.db, "--calendar", "us-federal", "--tz", TZ]
        if kw.get("actor"):
            cmd += ["--as", kw["actor"]]
        p = subprocess.run(cmd + list(args), capture_output=True, text=True, timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr)
        return p.stdout.splitlines()

    def test_outbox_and_changes(self):
        self.ok("demo")
        msgs = [json.loads(x) for x in self.last_stdout("outbox", "lease", "--max", "100",
                                                        "--lease", "30s")]
        self.assertEqual([m["id"] for m in msgs], list(range(1, len(msgs) + 1)))
        kinds = [m["kind"] for m in msgs]
        self.assertEqual(kinds[0], "claim_submitted")
        for k in ("association_requested", "association_official", "superseded"):
            self.assertIn(k, kinds)
        for m in msgs:
            self.assertEqual(m["deliveries"], 1)
            self.assertIn(m["recipient"]["role"], ("partner", "customer", "reviewer"))
        # Held by the lease: nothing more to lease now.
        self.assertEqual(self.last_stdout("outbox", "lease"), [])
        # Only the system leases; a bad duration is a usage error.
        self.fails("EPERM", "outbox", "lease", actor=REVIEWER)
        rc, _, err = self.run_cli("outbox", "lease", "--lease", "25h", json_out=False)
        self.assertEqual(rc, 2, err)
        acked = self.last_stdout("outbox", "ack", *[str(m["id"]) for m in msgs])
        self.assertEqual([json.loads(x)["acked"] for x in acked], [m["id"] for m in msgs])
        self.fails("ENOTFOUND", "outbox", "ack", "1")
        # The change feed: numbers 1..N; the last change of each claim is its
        # state as the CLI shows it.
        changes = [json.loads(x) for x in self.last_stdout("changes", "--since", "0")]
        self.assertEqual([c["change"] for c in changes], list(range(1, len(changes) + 1)))
        last = {}
        for c in changes:
            self.assertGreater(c["seq"], last.get(c["claim_id"], {"seq": 0})["seq"])
            last[c["claim_id"]] = c
        for cid, c in last.items():
            claim = self.ok("claim", "show", cid, actor=REVIEWER)
            self.assertEqual(claim["state"], c["state"])
        rest = [json.loads(x) for x in self.last_stdout("changes", "--since",
                                                        str(len(changes) - 1))]
        self.assertEqual([c["change"] for c in rest], [len(changes)])
        self.assertEqual(self.last_stdout("changes", "--since", str(len(changes))), [])


PG_URL = os.environ.get("CPOR_TEST_PG_URL")
PG_CONNINFO = os.environ.get("CPOR_TEST_PG")
PG_BIN = os.environ.get("CPOR_TEST_PG_BIN")


@unittest.skipUnless(PG_URL and PG_CONNINFO and PG_BIN,
                     "CPOR_TEST_PG_URL, CPOR_TEST_PG, CPOR_TEST_PG_BIN unset "
                     "(run through bash .ci/pg.sh run)")
class TestPostgres(CliCase):
    """The CLI on PostgreSQL by URL (--db postgresql://...), in a fresh schema
    chosen through the URL's options (search_path)."""

    def psql(self, sql):
        subprocess.run([os.path.join(PG_BIN, "psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1",
                        "-d", PG_CONNINFO, "-c", sql], check=True, capture_output=True,
                       timeout=60)

    def psql_rows(self, sql):
        out = subprocess.run([os.path.join(PG_BIN, "psql"), "-X", "-q", "-A", "-t", "-F", "|",
                              "-v", "ON_ERROR_STOP=1", "-d", PG_CONNINFO, "-c", sql],
                             check=True, capture_output=True, text=True, timeout=60).stdout
        return [line.split("|") for line in out.splitlines() if line]

    def setUp(self):
        super().setUp()
        self.schema = "cpor_cli_%d_%s" % (os.getpid(), self._testMethodName.lower())
        self.psql("CREATE SCHEMA %s" % self.schema)
        sep = "&" if "?" in PG_URL else "?"
        self.db = PG_URL + sep + "options=-csearch_path%3D" + self.schema

    def tearDown(self):
        self.psql("DROP SCHEMA IF EXISTS %s CASCADE" % self.schema)
        super().tearDown()

    def test_demo_on_postgres(self):
        rc, doc, err = self.run_cli("demo")
        self.assertEqual(rc, 0, err)
        a, b = doc["claims"]["A"], doc["claims"]["B"]
        self.assertEqual((a["state"], a["reason"]), ("ENDED", "superseded"))
        self.assertEqual(b["state"], "ASSOCIATED")
        # The claims read back through the same URL.
        lst = self.ok("claim", "list", "--state", "ASSOCIATED", actor=REVIEWER)
        self.assertEqual(len(lst), 1)
        # The SQL views (same names and columns as SQLite's) answer the same,
        # once the store has caught up.
        self.ok("advance")
        every = self.ok("claim", "list", actor=REVIEWER)
        rows = self.psql_rows("SELECT id, partner_id, state, line_count FROM %s.claims ORDER BY id"
                              % self.schema)
        self.assertEqual(rows, [[c["id"], c["partner_id"], c["state"], str(len(c["lines"]))]
                                for c in sorted(every, key=lambda c: c["id"])])
        lines = self.psql_rows("SELECT claim_id, line, workload, state FROM %s.claim_lines "
                               "ORDER BY claim_id, line" % self.schema)
        self.assertEqual(lines, [[c["id"], str(i), l["workload"], l["state"]]
                                 for c in sorted(every, key=lambda c: c["id"])
                                 for i, l in enumerate(c["lines"])])
        for c in every:
            hist = self.ok("claim", "history", c["id"], actor=REVIEWER)
            ev = self.psql_rows("SELECT seq, kind, text FROM %s.claim_events WHERE claim_id = '%s' "
                                "ORDER BY seq" % (self.schema, c["id"]))
            self.assertEqual(ev, [[str(e["seq"]), e["kind"], e["text"]] for e in hist])
        names = self.psql_rows("SELECT id FROM %s.partners ORDER BY id" % self.schema)
        self.assertTrue({c["partner_id"] for c in every} <= {n[0] for n in names})
        # A second demo is refused by its first write; --force cannot empty
        # a server's store. Neither message holds the password.
        password = PG_URL.split("@")[0].split(":")[-1]
        rc, doc, err = self.run_cli("demo")
        self.assertEqual(rc, EXIT["EEXISTS"], err)
        self.assertNotIn(password, err)
        rc, doc, err = self.run_cli("demo", "--force")
        self.assertNotEqual(rc, 0)
        self.assertNotIn(password, err)
        self.assertEqual(len(self.ok("claim", "list", actor=REVIEWER)), 2)


class TestConventions(CliCase):
    """Issue 14: the CLI's conventions, one named regression test each. Every
    refused command leaves the database byte for byte as it was."""

    def setUp(self):
        super().setUp()
        self.setup_directory()
        self.cid = self.create()["id"]

    def raw(self, *argv, env=None, cwd=None, stdout=subprocess.PIPE):
        """Runs cpor with exactly argv; (exit code, stdout, stderr)."""
        p = subprocess.run([CPOR, *argv], stdout=stdout, stderr=subprocess.PIPE, text=True,
                           env=env, cwd=cwd, timeout=60)
        return p.returncode, p.stdout, p.stderr

    def refused(self, code, *argv, **kw):
        """A command that must exit with code and leave the database unchanged."""
        before = sha256_file(self.db)
        rc, out, err = self.raw(*argv, **kw)
        self.assertEqual(rc, code, "cpor %s: %s" % (" ".join(argv), err))
        self.assertEqual(sha256_file(self.db), before, "the database changed")
        self.assertTrue(err.startswith("cpor: "), err)
        return out, err

    def history(self, cid=None):
        return self.ok("claim", "history", cid or self.cid, actor=A, now="2026-11-03T10:00:00Z")

    # -- global options before the command only; '--' ends options

    def test_global_option_after_command_is_refused(self):
        _, err = self.refused(2, "--db", self.db, "--as", A, "claim", "comment", self.cid,
                              "hello", "--now=2020-01-01T00:00:00Z")
        self.assertIn("unknown option '--now", err)

    def test_double_dash_ends_options(self):
        text = "--now=2020-01-01T00:00:00Z"
        rc, out, err = self.raw("--db", self.db, "--as", A, "--now", "2026-11-03T10:00:00Z",
                                "--json", "claim", "comment", self.cid, "--", text)
        self.assertEqual(rc, 0, err)
        last = self.history()[-1]
        self.assertEqual((last["kind"], last["text"]), ("commented", text))
        self.assertEqual(last["at"], "2026-11-03T10:00:00Z")  # the clock did not change

    def test_double_dash_ends_global_options(self):
        rc, out, err = self.raw("--db", self.db, "--", "partner", "list")
        self.assertEqual(rc, 0, err)
        self.assertIn("partner contoso", out)

    def test_command_options_anywhere_before_double_dash(self):
        doc = self.ok("claim", "list", "--state", "EDITING", actor=A)
        rc, out, err = self.raw("--db", self.db, "--as", A, "--json", "claim", "list",
                                "--state", "EDITING")
        self.assertEqual(json.loads(out), doc)
        rc, out, err = self.raw("--db", self.db, "--json", "location", "list", "--partner",
                                "fabrikam")
        self.assertEqual([l["mpn_id"] for l in json.loads(out)], ["7654321"])

    def test_repeated_global_option_is_refused(self):
        _, err = self.refused(2, "--db", self.db, "--now", "2026-11-03T10:00:00Z", "--now",
                              "2020-01-01T00:00:00Z", "--as", A, "claim", "comment", self.cid,
                              "x")
        self.assertIn("'--now' given twice", err)
        self.refused(2, "--db", self.db, "--as", A, "--as", B, "claim", "show", self.cid)
        self.refused(2, "--db", self.db, "--json", "--json", "partner", "list")
        self.refused(2, "--db", self.db, "--db", self.db, "partner", "list")

    def test_repeated_command_option_is_refused(self):
        _, err = self.refused(2, "--db", self.db, "--as", A, "claim", "edit", self.cid,
                              "--name", "one", "--name", "two")
        self.assertIn("'--name' given twice", err)

    def test_unknown_global_option_is_refused(self):
        self.refused(2, "--db", self.db, "--frobnicate", "partner", "list")

    # -- help

    def test_group_help_lists_the_group(self):
        for argv in (["claim", "--help"], ["--help", "claim"]):
            rc, out, err = self.raw(*argv)
            self.assertEqual(rc, 0, err)
            self.assertNotIn("unknown command", out + err)
            for cmd in ("claim create", "claim list", "claim history", "claim competitors"):
                self.assertIn(cmd, out)
            self.assertNotIn("review approve", out)
        rc, out, err = self.raw("partner", "--help")
        self.assertIn("partner list", out)
        rc, out, err = self.raw("dispute", "--help")  # a command and a group
        self.assertIn("dispute decide", out)
        self.assertIn("dispute CLAIM_ID JUSTIFICATION", out)

    def test_group_without_command_is_a_usage_error(self):
        _, err = self.refused(2, "--db", self.db, "claim")
        self.assertIn("claim create", err)
        _, err = self.refused(2, "--db", self.db, "claim", "frobnicate")
        self.assertIn("unknown command 'claim frobnicate'", err)
        self.assertIn("claim list", err)

    # -- unknown enumeration values list the valid ones

    def test_unknown_enum_value_lists_the_valid_ones(self):
        _, err = self.refused(2, "--db", self.db, "--as", REVIEWER, "claim", "list", "--state",
                              "bogus")
        for name in ("EDITING", "SUBMITTED", "APPROVED", "ASSOCIATED", "ENDED"):
            self.assertIn(name, err)
        _, err = self.refused(2, "--db", self.db, "enroll", "1234567", "bogus")
        for name in ("osa_sell", "osu_m365", "osu_bizapps"):
            self.assertIn(name, err)
        _, err = self.refused(2, "--db", self.db, "--as", "wizard:x:y", "partner", "list")
        for name in ("global_admin", "reviewer", "customer", "system"):
            self.assertIn(name, err)
        _, err = self.refused(2, "--db", self.db, "subscription", "add", SUB_OK, TENANT,
                              "D365_SALES", "--channel", "fax")
        self.assertIn("volume_licensing, web_direct, csp", err)
        _, err = self.refused(2, "--db", self.db, "calendar", "adjust", "2026-11-26", "sideways")
        self.assertIn("modified_following", err)

    # -- text output escapes, JSON output is valid

    def test_text_output_cannot_forge_a_history_line(self):
        forged = "ok\n  9  2026-11-03T10:00:00Z  reviewer::rita  approved  APPROVED"
        self.ok("claim", "comment", self.cid, forged, actor=A, now="2026-11-03T10:00:00Z")
        rc, out, err = self.raw("--db", self.db, "--as", A, "claim", "history", self.cid)
        self.assertEqual(rc, 0, err)
        lines = out.splitlines()
        self.assertEqual(len(lines), len(self.history()))
        self.assertFalse([l for l in lines if "reviewer::rita" in l and "\\n" not in l], out)
        self.assertIn("ok\\n  9", lines[-1])

    def test_text_output_escapes_names_and_messages(self):
        self.ok("location", "rename", "1234567", "HQ\nlocation 9999999 (evil) of contoso")
        rc, out, err = self.raw("--db", self.db, "location", "list", "--partner", "contoso")
        self.assertEqual(rc, 0, err)
        self.assertEqual(len(out.splitlines()), 2, out)  # two locations, two lines
        self.assertIn("HQ\\nlocation 9999999", out)
        _, err = self.refused(2, "--db", self.db, "--as", A, "claim", "show", "x\ny\x1b[2J")
        self.assertEqual(len(err.splitlines()), 1, err)
        self.assertIn("x\\ny\\x1b[2J", err)

    def tamper_partner_name(self, old, new):
        """Replaces bytes of the stored partner record, as a corrupted or foreign
        writer could: the library stores valid UTF-8 only."""
        import sqlite3
        db = sqlite3.connect(self.db)
        (blob,) = db.execute("SELECT data FROM objects WHERE kind = 1 AND id = 'contoso'").fetchone()
        self.assertIn(old, blob)
        db.execute("UPDATE objects SET data = ? WHERE kind = 1 AND id = 'contoso'",
                   (blob.replace(old, new),))
        db.commit()
        db.close()

    def test_json_output_is_valid_whatever_the_stored_bytes(self):
        # Records are JSON documents read strictly: bytes that are not UTF-8
        # are corruption, reported as such (README "Stored records").
        self.tamper_partner_name(b"Contoso Partners", b"Contoso\xff\xc3(rtners")
        rc, out, err = self.raw("--db", self.db, "--json", "partner", "list")
        self.assertEqual(rc, EXIT["ECORRUPT"], err)
        self.assertIn("corrupt", err)
        # An escaped control character is a valid document: the output stays
        # valid JSON.
        self.tamper_partner_name(b"Contoso\xff\xc3(rtners", b"Contoso\\u0001\\u007f(rtners")
        rc, out, err = self.raw("--db", self.db, "--json", "partner", "list")
        self.assertEqual(rc, 0, err)
        out.encode("utf-8")  # valid UTF-8 text
        names = {p["partner_id"]: p["name"] for p in json.loads(out)}
        self.assertEqual(names["contoso"], "Contoso\x01\x7f(rtners")

    # -- the database path, and who creates a database

    def test_db_empty_path_is_refused(self):
        rc, out, err = self.raw("--db", "", "init", cwd=self.dir)
        self.assertEqual(rc, 2, err)
        self.assertIn("empty", err)
        self.assertEqual(sorted(os.listdir(self.dir)), ["cpor.db"])  # no ./cpor.db elsewhere
        rc, out, err = self.raw("--db=", "partner", "list", cwd=self.dir)
        self.assertEqual(rc, 2, err)

    def test_db_memory_is_refused(self):
        for argv in (["--db", ":memory:", "partner", "add", "x", "X"],
                     ["--db", ":memory:", "init"]):
            rc, out, err = self.raw(*argv, cwd=self.dir)
            self.assertEqual(rc, 2, err)
            self.assertIn(":memory:", err)
            self.assertNotIn("added", out)
        env = dict(os.environ, CPOR_DB=":memory:")
        rc, out, err = self.raw("partner", "list", env=env, cwd=self.dir)
        self.assertEqual(rc, 2, err)
        self.assertIn("$CPOR_DB", err)

    def test_reading_commands_never_create_a_database(self):
        path = os.path.join(self.dir, "missing.db")
        for argv in (["partner", "list"], ["workload", "list"], ["tenant", "list"],
                     ["--as", A, "claim", "list"]):
            rc, out, err = self.raw("--db", path, *argv)
            self.assertEqual(rc, EXIT["ENOTFOUND"], err)
            self.assertFalse(os.path.exists(path), argv)

    def test_reading_commands_never_initialise_an_empty_file(self):
        path = os.path.join(self.dir, "empty.db")
        open(path, "wb").close()
        for argv in (["partner", "list"], ["workload", "list"], ["--as", A, "claim", "list"],
                     ["--as", A, "claim", "show", self.cid]):
            rc, out, err = self.raw("--db", path, *argv)
            self.assertEqual(rc, EXIT["ESTORAGE"], err)  # opened read-only, the file is empty
            self.assertEqual(os.path.getsize(path), 0, argv)
        for argv in (["partner", "add", "x", "X"], ["--as", A, "claim", "submit", self.cid]):
            rc, out, err = self.raw("--db", path, *argv)
            self.assertEqual(rc, EXIT["ENOTFOUND"], err)  # write commands do not initialise it
            self.assertIn("cpor init", err)
            self.assertEqual(os.path.getsize(path), 0, argv)
        rc, out, err = self.raw("--db", path, "init")
        self.assertEqual(rc, 0, err)
        self.assertGreater(os.path.getsize(path), 0)
        rc, out, err = self.raw("--db", path, "partner", "add", "x", "X")
        self.assertEqual(rc, 0, err)

    # -- a failed write to standard output

    def test_stdout_write_failure_after_a_write(self):
        with open("/dev/full", "w") as full:
            rc, _, err = self.raw("--db", self.db, "partner", "add", "adatum", "Adatum",
                                  stdout=full)
        self.assertEqual(rc, 1, err)
        self.assertIn("cannot write standard output", err)
        self.assertIn("committed", err)
        self.assertIn("partner adatum", self.raw("--db", self.db, "partner", "list")[1])

    def test_stdout_write_failure_after_a_claim_action(self):
        with open("/dev/full", "w") as full:
            rc, _, err = self.raw("--db", self.db, "--as", A, "--now", "2026-11-03T10:00:00Z",
                                  "--json", "claim", "comment", self.cid, "noted", stdout=full)
        self.assertEqual(rc, 1, err)
        self.assertIn("committed", err)
        self.assertEqual(self.history()[-1]["text"], "noted")

    def test_stdout_write_failure_of_a_refused_write(self):
        before = sha256_file(self.db)
        with open("/dev/full", "w") as full:
            rc, _, err = self.raw("--db", self.db, "--json", "partner", "add", "contoso", "Again",
                                  stdout=full)
        self.assertEqual(rc, EXIT["EEXISTS"], err)  # the command's own failure stays its code
        self.assertIn("nothing was changed", err)
        self.assertEqual(sha256_file(self.db), before)

    def test_stdout_write_failure_of_a_read(self):
        before = sha256_file(self.db)
        with open("/dev/full", "w") as full:
            rc, _, err = self.raw("--db", self.db, "--json", "partner", "list", stdout=full)
        self.assertEqual(rc, 1, err)
        self.assertIn("nothing was changed", err)
        self.assertEqual(sha256_file(self.db), before)

    # -- no fixed caps below the library's own limits

    def test_a_64_line_claim_can_be_made(self):
        codes = ["WL_%02d" % i for i in range(65)]
        now = "2026-11-02T14:00:00Z"
        for code in codes:
            self.ok("workload", "add", code, "Workload " + code, "--area", "m365", now=now)
        lines = [x for code in codes[:64] for x in ("--workload", code)]
        doc = self.ok("claim", "create", "--mpn", "1234567", "--tenant", TENANT, "--domain",
                      DOMAIN, *lines, actor=A, now=now)
        self.assertEqual(len(doc["lines"]), 64)
        # 65 lines: the library's own limit, refused with its code and nothing written
        lines = [x for code in codes for x in ("--workload", code)]
        doc = self.fails("EINVAL", "claim", "create", "--mpn", "1234567", "--tenant", TENANT,
                         "--domain", DOMAIN, *lines, actor=A, now=now)
        self.assertIn("at most 64 lines", doc["error"]["message"])

    def test_long_messages_are_not_cut(self):
        value = "x" * 3000
        _, err = self.refused(2, "--db", self.db, "--as", REVIEWER, "claim", "list", "--state",
                              value)
        self.assertIn(value, err)
        self.assertIn("ASSOCIATED", err)  # the list of valid values comes after it

    def test_long_library_messages_are_not_cut(self):
        deep = os.path.join(self.dir, *(["d" * 200] * 3))
        os.makedirs(deep)
        path = os.path.join(deep, "notes.db")
        with open(path, "w") as f:
            f.write("not a database\n" * 100)
        for argv in (["partner", "list"], ["partner", "add", "x", "X"]):
            before = sha256_file(path)
            rc, out, err = self.raw("--db", path, *argv)
            self.assertIn(rc, (EXIT["ECORRUPT"], EXIT["ESTORAGE"]), err)
            self.assertIn(path, err)
            self.assertEqual(sha256_file(path), before)

    # -- --as for every command; CPOR_AS

    def test_as_applies_to_directory_commands(self):
        _, err = self.refused(EXIT["EPERM"], "--db", self.db, "--as", B, "enroll", "1234567",
                              "osa_sell", "--remove")
        self.assertIn("may not", err)
        self.refused(EXIT["EPERM"], "--db", self.db, "--as", CUSTOMER, "partner", "add", "evil",
                     "Evil")
        ga = "global_admin:contoso:gail"
        self.ok("location", "add", "contoso", "1111119", "Contoso West", actor=ga)
        self.ok("location", "rename", "1111119", "Contoso Northwest", actor=ga)
        _, other = self.refused(EXIT["ENOTFOUND"], "--db", self.db, "--as", ga, "location",
                                "rename", "7654321", "Mine")
        _, unknown = self.refused(EXIT["ENOTFOUND"], "--db", self.db, "--as", ga, "location",
                                  "rename", "7654329", "Mine")
        self.assertEqual(other, unknown.replace("7654329", "7654321"))
        self.assertNotIn("fabrikam", other.lower())

    def test_as_filters_directory_listings(self):
        parts = self.ok("partner", "list", actor=B)
        self.assertEqual([p["partner_id"] for p in parts], ["fabrikam"])
        tenants = self.ok("tenant", "list", actor=CUSTOMER)
        self.assertEqual([t["tenant_id"] for t in tenants], [TENANT])
        self.assertEqual(self.ok("tenant", "list", actor=A), [])
        self.fails("ENOTFOUND", "location", "list", "--partner", "contoso", actor=B)

    def test_cpor_as_sets_the_default_actor(self):
        env = dict(os.environ, CPOR_AS=B)
        rc, out, err = self.raw("--db", self.db, "--json", "partner", "list", env=env)
        self.assertEqual([p["partner_id"] for p in json.loads(out)], ["fabrikam"])
        rc, out, err = self.raw("--db", self.db, "--json", "--as", REVIEWER, "partner", "list",
                                env=env)
        self.assertEqual(len(json.loads(out)), 2)  # --as wins over CPOR_AS
        env = dict(os.environ, CPOR_AS=A)
        rc, out, err = self.raw("--db", self.db, "--json", "claim", "show", self.cid, env=env)
        self.assertEqual(rc, 0, err)
        self.assertEqual(json.loads(out)["id"], self.cid)

    # -- directory listings

    def test_directory_list_commands(self):
        parts = self.ok("partner", "list", actor=REVIEWER)
        self.assertEqual([(p["partner_id"], p["name"]) for p in parts],
                         [("contoso", "Contoso Partners"), ("fabrikam", "Fabrikam Consulting")])
        locs = self.ok("location", "list")
        self.assertEqual([l["mpn_id"] for l in locs], ["1234567", "5555555", "7654321"])
        custs = self.ok("customer", "list")
        self.assertEqual(sorted(c["name"] for c in custs), ["Contoso Ltd", "Northwind"])
        tenants = self.ok("tenant", "list")
        self.assertEqual([t["tenant_id"] for t in tenants], sorted([TENANT, TENANT2]))
        cust = [t for t in tenants if t["tenant_id"] == TENANT][0]["customer_id"]
        self.assertEqual([t["tenant_id"] for t in self.ok("tenant", "list", "--customer", cust)],
                         [TENANT])
        subs = self.ok("subscription", "list", "--tenant", TENANT)
        self.assertEqual([s["subscription_id"] for s in subs], [SUB_CSP])
        self.assertEqual(self.ok("subscription", "list", "--tenant", TENANT2), [])
        rc, out, err = self.raw("--db", self.db, "customer", "list")
        self.assertEqual(len(out.splitlines()), 2)


class TestIntegrationKeys(CliCase):
    """Idempotent creates, external references, revisions (issue 12 item 5)."""

    def setUp(self):
        super().setUp()
        self.setup_directory()

    def test_idempotent_create(self):
        key = ["--idempotency-key", "order-42", "--external-ref", "PO-1"]
        c = self.create(extra=key)
        self.assertEqual(c["idempotency_key"], "order-42")
        self.assertEqual(c["external_ref"], "PO-1")
        self.assertEqual(c["revision"], 1)
        history = self.ok("claim", "history", c["id"], actor=A)
        again = self.create(extra=key, now="2026-11-02T15:00:00Z")
        self.assertEqual(again["id"], c["id"])
        self.assertEqual(self.ok("claim", "history", c["id"], actor=A), history)
        self.assertEqual(len(self.ok("claim", "list", actor=A)), 1)
        doc = self.fails("EEXISTS", "claim", "create", "--name", "Other name", "--mpn",
                         "1234567", "--tenant", TENANT, "--domain", DOMAIN, "--workload",
                         "TEAMS", *CONTACTS, *key, actor=A, now="2026-11-02T15:00:00Z")
        self.assertEqual(doc["error"]["message"],
                         "idempotency key 'order-42' was used by a create with other content")
        doc = self.fails("EINVAL", "claim", "create", "--name", "x", "--mpn", "1234567",
                         "--tenant", TENANT, "--domain", DOMAIN, "--workload", "TEAMS",
                         "--idempotency-key", "k" * 201, actor=A, now="2026-11-02T15:00:00Z")
        self.assertEqual(doc["error"]["message"], "idempotency key must be 1-200 bytes of "
                         "text without control characters")

    def test_external_ref_and_expected_revision(self):
        c = self.create(extra=["--external-ref", "PO-1"])
        self.create(workload="EXCHANGE", now="2026-11-02T14:30:00Z")
        found = self.ok("claim", "list", "--external-ref", "PO-1", actor=A)
        self.assertEqual([x["id"] for x in found], [c["id"]])
        self.assertEqual(self.ok("claim", "list", "--external-ref", "PO-1", actor=REVIEWER),
                         found)
        self.assertEqual(self.ok("claim", "list", "--external-ref", "PO-9", actor=A), [])
        e = self.ok("claim", "edit", c["id"], "--external-ref", "PO-2", "--expect-revision",
                    "1", actor=A, now="2026-11-02T15:00:00Z")
        self.assertEqual(e["external_ref"], "PO-2")
        self.assertEqual(e["revision"], 2)
        doc = self.fails("ECONFLICT", "claim", "edit", c["id"], "--name", "late",
                         "--expect-revision", "1", actor=A, now="2026-11-02T15:01:00Z")
        self.assertEqual(doc["error"]["message"],
                         "claim %s is at revision 2, not the expected 1" % c["id"])
        e = self.ok("claim", "edit", c["id"], "--external-ref", "", actor=A,
                    now="2026-11-02T15:02:00Z")
        self.assertIsNone(e["external_ref"])
        rc, doc, err = self.run_cli("claim", "edit", c["id"], "--expect-revision", "x",
                                    actor=A, now="2026-11-02T15:03:00Z")
        self.assertNotEqual(rc, 0)
        rc, doc, err = self.run_cli("claim", "edit", c["id"], "--idempotency-key", "k",
                                    actor=A, now="2026-11-02T15:03:00Z")
        self.assertNotEqual(rc, 0)  # a create-only flag


if __name__ == "__main__":
    unittest.main(verbosity=2)
