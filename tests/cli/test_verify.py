"""cpor verify against a corpus of tampered databases (issue #12).

A real database is made with `cpor demo` (claim A ENDED, claim B ASSOCIATED
on the same unit) plus a claim X left APPROVED (an opt-out deadline, the
'approved' key); each case copies it, changes it with plain SQL, and checks
that `cpor verify` names the claim and the kind of disagreement, exits 1 and
does not crash. The untouched copy verifies clean, and export -> import ->
export of it is byte-identical. CPOR_BIN names the executable."""
import os
import shutil
import sqlite3
import subprocess
import tempfile
import unittest

CPOR = os.environ.get("CPOR_BIN", "cpor")
CAL = ["--calendar", "us-federal", "--tz", "EST5EDT,M3.2.0,M11.1.0"]
TENANT = "8c3d5a1e-2b4f-4c6d-9e8f-0a1b2c3d4e5f"
TEAMS = "t:%s:TEAMS" % TENANT
SHA = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
ANN = "incentives_admin:contoso:ann"
RITA = "reviewer::rita"


def cli(db, *args, actor=None, now=None):
    cmd = [CPOR, "--db", db] + CAL
    if actor:
        cmd += ["--as", actor]
    if now:
        cmd += ["--now", now]
    return subprocess.run(cmd + list(args), capture_output=True, text=True, timeout=120)


class Tampering(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="cpor-verify-")
        cls.golden = os.path.join(cls.dir, "golden.db")
        p = cli(cls.golden, "demo")
        assert p.returncode == 0, p.stderr
        p = cli(cls.golden, "--json", "claim", "create", "--name", "X", "--mpn", "1234567",
                "--tenant", TENANT, "--domain", "contoso.onmicrosoft.com", "--workload",
                "EXCHANGE", "--customer-contact-name", "C", "--customer-contact-title", "CIO",
                "--customer-contact-email", "c@contoso.com", "--partner-contact-name", "A",
                "--partner-contact-email", "a@example.com", actor=ANN, now="2026-12-07T14:00:00Z")
        assert p.returncode == 0, p.stderr
        import json
        x = json.loads(p.stdout)["id"]
        steps = [(ANN, "2026-12-07T14:05:00Z", ["claim", "add-poe", x, "--name", "p.pdf",
                                               "--sha256", SHA, "--size", "12"]),
                 (ANN, "2026-12-07T14:10:00Z", ["claim", "submit", x]),
                 (RITA, "2026-12-07T16:00:00Z", ["review", "start", x]),
                 (RITA, "2026-12-08T16:00:00Z", ["review", "approve", x])]
        for actor, now, args in steps:
            p = cli(cls.golden, *args, actor=actor, now=now)
            assert p.returncode == 0, p.stderr
        con = sqlite3.connect(cls.golden)
        rows = dict(con.execute("SELECT state, id FROM objects WHERE kind = 7").fetchall())
        con.close()
        cls.A, cls.B, cls.X = rows[9], rows[6], rows[5]  # ENDED, ASSOCIATED, APPROVED

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir, ignore_errors=True)

    def copy(self):
        path = os.path.join(self.dir, "case-%s.db" % self.id().split(".")[-1])
        shutil.copy(self.golden, path)
        return path

    def oid(self, con, claim):
        return con.execute("SELECT oid FROM objects WHERE kind = 7 AND id = ?",
                           (claim,)).fetchone()[0]

    def tampered(self, sql_fn):
        db = self.copy()
        con = sqlite3.connect(db)
        sql_fn(con, {"A": self.oid(con, self.A), "B": self.oid(con, self.B),
                     "X": self.oid(con, self.X)})
        con.commit()
        con.close()
        p = cli(db, "verify")
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        self.assertIn("verify found", p.stderr)
        return [line.split(" ", 2) for line in p.stdout.splitlines()]

    def assertFinding(self, findings, claim, kind):
        self.assertIn([claim, kind + ":"], [f[:2] for f in findings], findings)

    def test_untouched_is_clean_and_round_trips(self):
        db = self.copy()
        p = cli(db, "verify")
        self.assertEqual((p.returncode, p.stdout), (0, ""), p.stderr)
        a, b = os.path.join(self.dir, "a.jsonl"), os.path.join(self.dir, "b.jsonl")
        self.assertEqual(cli(db, "export", a).returncode, 0)
        db2 = os.path.join(self.dir, "imported.db")
        p = cli(db2, "import", a)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(cli(db2, "export", b).returncode, 0)
        with open(a, "rb") as fa, open(b, "rb") as fb:
            self.assertEqual(fa.read(), fb.read())
        self.assertEqual(cli(db2, "verify").returncode, 0)
        # Import refuses a store that is not empty (CPOR_EEXISTS: exit 14).
        p = cli(db2, "import", a)
        self.assertEqual(p.returncode, 14, p.stderr)
        self.assertIn("not empty", p.stderr)

    def test_deleted_unit_row(self):
        f = self.tampered(lambda c, o: c.execute("DELETE FROM lines WHERE oid = ?", (o["B"],)))
        self.assertFinding(f, self.B, "lines")

    def test_state_column(self):
        f = self.tampered(lambda c, o: c.execute("UPDATE objects SET state = 5 WHERE oid = ?",
                                                 (o["B"],)))
        self.assertFinding(f, self.B, "columns")

    def test_deleted_event(self):
        f = self.tampered(lambda c, o: c.execute(
            "DELETE FROM events WHERE oid = ? AND seq = 3", (o["B"],)))
        self.assertFinding(f, self.B, "events")

    def test_duplicated_event(self):
        f = self.tampered(lambda c, o: c.execute(
            "INSERT INTO events(oid, seq, data) SELECT oid, (SELECT max(seq) + 1 FROM events "
            "WHERE oid = ?1), data FROM events WHERE oid = ?1 AND seq = 2", (o["B"],)))
        # The copy's data names seq 2: the event at its new seq does not decode.
        self.assertFinding(f, self.B, "undecodable")

    def test_edited_record_field(self):
        f = self.tampered(lambda c, o: c.execute(
            "UPDATE objects SET data = CAST(replace(CAST(data AS TEXT), '\"name\":\"X\"', "
            "'\"name\":\"Y\"') AS BLOB) WHERE oid = ?", (o["X"],)))
        self.assertFinding(f, self.X, "record")

    def test_dropped_deadline(self):
        f = self.tampered(lambda c, o: c.execute("DELETE FROM deadlines WHERE oid = ?",
                                                 (o["X"],)))
        self.assertFinding(f, self.X, "deadline")

    def test_changed_deadline_instant(self):
        f = self.tampered(lambda c, o: c.execute(
            "UPDATE deadlines SET due = due + 60000 WHERE oid = ?", (o["X"],)))
        self.assertFinding(f, self.X, "deadline")

    def test_deadline_not_called_for(self):
        f = self.tampered(lambda c, o: c.execute(
            "INSERT INTO deadlines(oid, kind, due) VALUES (?, 2, 123)", (o["B"],)))
        self.assertFinding(f, self.B, "deadline")

    def test_line_row_for_missing_claim(self):
        f = self.tampered(lambda c, o: c.execute(
            "INSERT INTO lines(oid, line, unit, partner_id, status) VALUES (999, 0, 'u', 'p', 2)"))
        self.assertFinding(f, "-", "orphan")

    def test_owner_names_another_partner(self):
        f = self.tampered(lambda c, o: c.execute(
            "UPDATE objects SET owner = 'fabrikam' WHERE oid = ?", (o["X"],)))
        self.assertFinding(f, self.X, "columns")

    def test_ref_names_another_tenant(self):
        f = self.tampered(lambda c, o: c.execute(
            "UPDATE objects SET ref = '11111111-2222-4333-8444-555555555555' WHERE oid = ?",
            (o["B"],)))
        self.assertFinding(f, self.B, "columns")

    def test_deleted_key(self):
        f = self.tampered(lambda c, o: c.execute(
            "DELETE FROM keys WHERE oid = ? AND key LIKE 'approved %'", (o["X"],)))
        self.assertFinding(f, self.X, "keys")

    def test_deleted_associated_key(self):
        f = self.tampered(lambda c, o: c.execute(
            "DELETE FROM keys WHERE oid = ? AND key LIKE 'associated %'", (o["B"],)))
        self.assertFinding(f, self.B, "keys")

    def test_extra_key(self):
        f = self.tampered(lambda c, o: c.execute(
            "INSERT INTO keys(key, oid) VALUES ('approved t:zzz', ?)", (o["X"],)))
        self.assertFinding(f, self.X, "keys")

    def test_key_of_missing_claim(self):
        f = self.tampered(lambda c, o: c.execute(
            "INSERT INTO keys(key, oid) VALUES ('partner p u', 999)"))
        self.assertFinding(f, "-", "orphan")

    def test_undecodable_record(self):
        f = self.tampered(lambda c, o: c.execute("UPDATE objects SET data = X'00' WHERE oid = ?",
                                                 (o["X"],)))
        self.assertFinding(f, self.X, "undecodable")

    def test_undecodable_event(self):
        f = self.tampered(lambda c, o: c.execute(
            "UPDATE events SET data = X'7b' WHERE oid = ? AND seq = 1", (o["X"],)))
        self.assertFinding(f, self.X, "undecodable")

    def test_undecodable_partner(self):
        f = self.tampered(lambda c, o: c.execute(
            "UPDATE objects SET data = X'7b7d' WHERE kind = 1 AND id = 'contoso'"))
        self.assertFinding(f, "-", "undecodable")

    def test_event_gap(self):
        f = self.tampered(lambda c, o: c.execute(
            "UPDATE events SET seq = 40 WHERE oid = ?1 AND seq = "
            "(SELECT max(seq) FROM events WHERE oid = ?1)", (o["X"],)))
        self.assertFinding(f, self.X, "events")

    def test_line_row_with_another_status(self):
        f = self.tampered(lambda c, o: c.execute("UPDATE lines SET status = 4 WHERE oid = ?",
                                                 (o["B"],)))
        self.assertFinding(f, self.B, "lines")

    def test_claim_deleted_events_left(self):
        f = self.tampered(lambda c, o: c.execute("DELETE FROM objects WHERE oid = ?", (o["A"],)))
        self.assertFinding(f, "-", "orphan")

    def test_second_associated_line_on_unit(self):
        def sql(c, o):
            c.execute("INSERT INTO lines(oid, line, unit, partner_id, status) "
                      "VALUES (?, 7, ?, 'contoso', 6)", (o["X"], TEAMS))
        f = self.tampered(sql)
        self.assertFinding(f, self.B, "unit")
        self.assertFinding(f, self.X, "lines")

    def test_outbox_for_missing_claim(self):
        f = self.tampered(lambda c, o: c.execute(
            "INSERT INTO messages(id, owner, ref, state, revision, data) VALUES "
            "('09999999999999999991', NULL, 'nope', 0, 1, "
            "CAST('{\"claim\":\"nope\",\"seq\":1}' AS BLOB))"))
        self.assertFinding(f, "nope", "outbox")

    def test_outbox_message_edited_to_another_claim(self):
        # A message the library wrote, its claim changed by hand.
        def sql(c, o):
            n = c.execute("UPDATE messages SET data = CAST(json_set(CAST(data AS TEXT), "
                          "'$.claim', 'gone') AS BLOB), ref = 'gone' WHERE "
                          "id = (SELECT min(id) FROM messages)").rowcount
            self.assertEqual(n, 1)
        f = self.tampered(sql)
        self.assertFinding(f, "gone", "outbox")

    def test_outbox_seq_outside_history(self):
        f = self.tampered(lambda c, o: c.execute(
            "INSERT INTO messages(id, owner, ref, state, revision, data) VALUES "
            "('09999999999999999992', NULL, ?1, 0, 1, "
            "CAST('{\"claim\":\"' || ?1 || '\",\"seq\":99}' AS BLOB))", (self.X,)))
        self.assertFinding(f, self.X, "outbox")


if __name__ == "__main__":
    unittest.main(verbosity=2)
