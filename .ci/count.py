#!/usr/bin/env python3
"""Totals over meson test logs: each TAP line of a TAP test counts once, any
other test counts once. Prints 'N passed, N failed'; exits 1 when a log is
missing, a test failed, or nothing ran."""
import json
import re
import sys

passed = failed = 0
missing = False
for path in sys.argv[1:]:
    try:
        lines = open(path, encoding="utf-8").read().splitlines()
    except OSError:
        print(f"count: no test log {path}", file=sys.stderr)
        missing = True
        continue
    for line in lines:
        t = json.loads(line)
        ok = t.get("result") in ("OK", "EXPECTEDFAIL", "SKIP")
        tap = [l for l in (t.get("stdout") or "").splitlines()
               if re.match(r"^(not )?ok\b", l)]
        if t.get("protocol") == "tap" or tap:
            p = sum(1 for l in tap if l.startswith("ok"))
            f = len(tap) - p
            if not ok and f == 0:
                f = 1  # crashed or timed out outside a TAP line
            passed += p
            failed += f
        elif ok:
            passed += 1
        else:
            failed += 1
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed or missing or passed == 0 else 0)
