#!/usr/bin/env python3
"""Totals over meson test logs: each TAP line of a TAP test counts once, any
other test counts once. Prints 'N passed, N failed'; exits 1 when a log is
missing, a test failed, or nothing ran."""
import json
import re
import sys

def subtests(out):
    """Counts of a unittest ("Ran N tests", "FAILED (failures=X, errors=Y)")
    or a verbose go test ("--- PASS" / "--- FAIL") run; (0, 0) if neither."""
    m = re.search(r"^Ran (\d+) tests?", out, flags=re.M)
    if m:
        n = int(m.group(1))
        bad = sum(int(x) for x in re.findall(r"(?:failures|errors)=(\d+)", out))
        return n - bad, bad
    p = len(re.findall(r"^\s*--- PASS", out, flags=re.M))
    f = len(re.findall(r"^\s*--- FAIL", out, flags=re.M))
    return p, f


passed = failed = 0
missing = False
failures = []  # what failed, printed before the totals (the tail CI shows)
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
        # meson 1.0's log has no protocol field: a TAP plan line marks TAP.
        if re.search(r"^1\.\.\d+", t.get("stdout") or "", flags=re.M):
            p = sum(1 for l in tap if l.startswith("ok"))
            f = len(tap) - p
            if not ok and f == 0:
                f = 1  # crashed or timed out outside a TAP line
                failures.append(f"{path}: {t.get('name')}: {t.get('result')}")
            failures += [f"{path}: {t.get('name')}: {l[:300]}" for l in tap
                         if l.startswith("not ok")]
            passed += p
            failed += f
        else:
            p, f = subtests((t.get("stdout") or "") + (t.get("stderr") or ""))
            if p + f == 0:
                p, f = (1, 0) if ok else (0, 1)
            elif not ok and f == 0:
                f = 1
            if f:
                failures.append(f"{path}: {t.get('name')}: {t.get('result')}")
            passed += p
            failed += f
for line in failures:
    print(f"failed: {line}")
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed or missing or passed == 0 else 0)
