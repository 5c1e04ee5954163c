#!/usr/bin/env python3
"""The version script, the CPOR_API declarations in the public headers and the
dynamic symbols the built library defines must name exactly the same set.
Prints TAP."""
import pathlib
import re
import subprocess
import sys

root = pathlib.Path(sys.argv[1])
lib = sys.argv[2]

text = (root / "lib" / "libcpor.map").read_text()
text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
mapped = set()
for block in re.findall(r"global:(.*?)(?:local:|\})", text, flags=re.S):
    mapped |= set(re.findall(r"\b(cpor_\w+)\s*;", block))

declared = set()
for header in (root / "include" / "cpor").rglob("*.h"):
    src = re.sub(r"/\*.*?\*/", "", header.read_text(), flags=re.S)
    for decl in re.findall(r"CPOR_API\b([^;{]*?)\(", src, flags=re.S):
        name = re.findall(r"\b(cpor_\w+)\s*$", decl.strip())
        if name:
            declared.add(name[0])

out = subprocess.run(["nm", "-D", "--defined-only", lib], check=True,
                     capture_output=True, text=True).stdout
exported = set()
for line in out.splitlines():
    parts = line.split()
    if len(parts) == 3 and parts[1] in "TDBRW":
        exported.add(parts[2].split("@")[0])
exported.discard("CPOR_1.0")

checks = [
    ("map == header declarations", mapped, declared),
    ("map == exported symbols", mapped, exported),
]
print(f"1..{len(checks) + 1}")
failed = 0
n = 0
for label, a, b in checks:
    n += 1
    if a == b:
        print(f"ok {n} - {label} ({len(a)} symbols)")
    else:
        failed += 1
        print(f"not ok {n} - {label}")
        for s in sorted(a - b):
            print(f"#   only in first: {s}")
        for s in sorted(b - a):
            print(f"#   only in second: {s}")
n += 1
if mapped and all(s.startswith("cpor_") for s in exported):
    print(f"ok {n} - every exported symbol has the cpor_ prefix")
else:
    failed += 1
    print(f"not ok {n} - non-prefixed exports or empty map")
sys.exit(1 if failed else 0)
