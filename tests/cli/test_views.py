"""The SQLite views answer what the CLI's JSON answers, for every claim of the demo journey.

The views show the records as last written, so the store is first caught up (`cpor advance`)
at the instant the CLI then reads at. python3, standard library only.
"""
import datetime
import json
import os
import sqlite3
import subprocess
import tempfile
import unittest

CPOR = os.environ["CPOR_BIN"]
NOW = "2030-01-01T00:00:00Z"


def cli(db, *args):
    out = subprocess.run([CPOR, "--json", "--db", db, "--now", NOW, "--as", "reviewer:msft:r",
                          *args], check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def iso(ms):
    if ms is None:
        return None
    t = datetime.datetime.fromtimestamp(ms / 1000, tz=datetime.timezone.utc)
    return t.strftime("%Y-%m-%dT%H:%M:%S") + ("Z" if ms % 1000 == 0 else
                                              ".%03dZ" % (ms % 1000))


def same_instant(a, b):
    """ISO strings from the CLI compare as instants (it may or may not print milliseconds)."""
    if a is None or b is None:
        return a is None and b is None
    p = lambda s: datetime.datetime.fromisoformat(s.replace("Z", "+00:00"))
    return p(a) == p(b)


def reason(r):
    return None if r in (None, "none") else r


class ViewsMatchCli(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.db = os.path.join(cls.tmp.name, "views.db")
        subprocess.run([CPOR, "--db", cls.db, "demo"], check=True, capture_output=True)
        cli(cls.db, "advance")
        cls.claims = {c["id"]: c for c in cli(cls.db, "claim", "list")}
        cls.sql = sqlite3.connect(cls.db)
        cls.sql.row_factory = sqlite3.Row

    @classmethod
    def tearDownClass(cls):
        cls.sql.close()
        cls.tmp.cleanup()

    def test_the_same_claims(self):
        ids = [r["id"] for r in self.sql.execute("SELECT id FROM claims ORDER BY id")]
        self.assertGreater(len(ids), 1)
        self.assertEqual(ids, sorted(self.claims))

    def test_claim_columns(self):
        for r in self.sql.execute("SELECT * FROM claims"):
            c = self.claims[r["id"]]
            for k in ("name", "state", "partner_id", "mpn_id", "tenant_id", "domain", "area",
                      "activity"):
                self.assertEqual(r[k], c[k], (r["id"], k))
            self.assertEqual(reason(r["reason"]), c["reason"], r["id"])
            self.assertEqual(bool(r["contested"]), c["contested"], r["id"])
            for k in ("created_at", "updated_at", "window_closes_at", "sla_due_at"):
                self.assertTrue(same_instant(iso(r[k]), c[k]), (r["id"], k, r[k], c[k]))
            self.assertEqual(r["line_count"], len(c["lines"]))
            for k in ("external_ref", "idempotency_key", "revision"):
                self.assertEqual(r[k], c[k], (r["id"], k))

    def test_outbox(self):
        rows = [dict(r) for r in self.sql.execute("SELECT * FROM outbox ORDER BY id")]
        self.assertGreater(len(rows), 0)
        out = subprocess.run([CPOR, "--db", self.db, "--calendar", "us-federal", "outbox",
                              "lease", "--max", "1000"], check=True, capture_output=True,
                             text=True).stdout
        leased = [json.loads(x) for x in out.splitlines()]
        self.assertEqual([m["id"] for m in leased], [r["id"] for r in rows])
        for r, m in zip(rows, leased):
            self.assertEqual(r["kind"], m["kind"])
            self.assertEqual(r["recipient_role"], m["recipient"]["role"])
            self.assertEqual(r["recipient_org"], m["recipient"]["org"])
            self.assertEqual(r["claim_id"], m["claim"])
            self.assertEqual(r["event_seq"], m["seq"])
            self.assertEqual(r["created_at"], m["created_at"])
            self.assertEqual(json.loads(r["payload"]), m["payload"])

    def test_lines(self):
        for cid, c in self.claims.items():
            rows = self.sql.execute("SELECT * FROM claim_lines WHERE claim_id = ? ORDER BY line",
                                    (cid,)).fetchall()
            self.assertEqual([(r["workload"], r["subscription_id"], r["state"],
                               reason(r["reason"])) for r in rows],
                             [(l["workload"], l["subscription_id"], l["state"], l["reason"])
                              for l in c["lines"]], cid)

    def test_history(self):
        for cid in self.claims:
            hist = cli(self.db, "claim", "history", cid)
            rows = self.sql.execute("SELECT * FROM claim_events WHERE claim_id = ? ORDER BY seq",
                                    (cid,)).fetchall()
            self.assertEqual(len(rows), len(hist), cid)
            for r, e in zip(rows, hist):
                self.assertEqual(r["seq"], e["seq"])
                self.assertTrue(same_instant(iso(r["at"]), e["at"]), (cid, r["seq"]))
                self.assertEqual(r["kind"], e["kind"])
                self.assertEqual(r["state"], e["state"])
                self.assertEqual(r["text"], e["text"])
                self.assertEqual("%s:%s:%s" % (r["actor_role"], r["actor_org"], r["actor_user"]),
                                 e["actor"])
                self.assertIsInstance(json.loads(r["payload"]), dict)

    def test_directory(self):
        partners = {r["id"]: r["name"] for r in self.sql.execute("SELECT * FROM partners")}
        for c in self.claims.values():
            self.assertIn(c["partner_id"], partners)
            t = self.sql.execute("SELECT domains FROM tenants WHERE id = ?",
                                 (c["tenant_id"],)).fetchone()
            self.assertIn(c["domain"], json.loads(t["domains"]))


if __name__ == "__main__":
    unittest.main(verbosity=2)
