#!/usr/bin/env python3
"""Issue 9: history texts are stored whole. A 4000-byte comment made of
multi-byte UTF-8 characters (one straddling every offset a cut could fall
at) goes in through the cpor CLI and comes back byte-identical in
`claim history --json`, which must stay valid JSON. TAP output.

usage: check_cli_texts.py PATH/TO/cpor"""
import json
import subprocess
import sys
import tempfile

TENANT = "11111111-2222-3333-4444-555555555555"


def long_text(head):
    """4000 bytes: head ASCII bytes, then 3-byte characters, then 2-byte ones."""
    out = b"a" * head
    while 4000 - len(out) > 4 or 4000 - len(out) == 3:
        out += "\u20ac".encode()
    while 4000 - len(out) >= 2:
        out += "\u00e9".encode()
    assert len(out) == 4000
    return out.decode()


def main():
    cli = sys.argv[1]
    with tempfile.TemporaryDirectory(prefix="cpor-cli-texts-") as d:
        db = d + "/cpor.db"

        def run(*args, actor=None):
            cmd = [cli, "--db", db, "--json", "--now", "2026-11-02T09:00:00Z"]
            if actor:
                cmd += ["--as", actor]
            p = subprocess.run(cmd + list(args), capture_output=True)
            if p.returncode != 0:
                raise SystemExit("Bail out! %s: %s" % (" ".join(args), p.stdout + p.stderr))
            return json.loads(p.stdout.decode("utf-8"))

        run("init")
        run("partner", "add", "contoso", "Contoso")
        run("location", "add", "contoso", "1111111", "HQ")
        run("enroll", "1111111", "osu_m365")
        cust = run("customer", "add", "Contoso Ltd")["customer_id"]
        run("tenant", "add", cust, TENANT, "contoso.onmicrosoft.com")
        admin = "incentives_admin:contoso:ann"
        claim = run("claim", "create", "--name", "Teams", "--mpn", "1111111", "--tenant", TENANT,
                    "--domain", "contoso.onmicrosoft.com", "--workload", "TEAMS", actor=admin)
        texts = [long_text(h) for h in range(3)]
        for t in texts:
            run("claim", "comment", claim["id"], t, actor=admin)
        history = run("claim", "history", claim["id"], actor=admin)
        got = [e["text"] for e in history if e["kind"] == "commented"]
        print("1..2")
        print("%sok 1 - history --json is valid JSON with 3 comments" %
              ("" if len(got) == 3 else "not "))
        same = got == texts and all(len(g.encode()) == 4000 for g in got)
        print("%sok 2 - every 4000-byte comment comes back byte-identical" %
              ("" if same else "not "))
        return 0 if len(got) == 3 and same else 1


if __name__ == "__main__":
    sys.exit(main())
