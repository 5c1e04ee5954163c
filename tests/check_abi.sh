#!/usr/bin/env bash
# The ABI of the built libcpor.so.1 against the recorded baseline
# (tests/abi/libcpor.so.1.abi, made by abidw from the public headers' types):
# any change but an added symbol fails. An intended change updates the
# baseline (tests/check_abi.sh --update SRC LIB) and gets a CHANGELOG entry.
# Prints TAP.
set -u
update=0
[ "${1:-}" = --update ] && { update=1; shift; }
src=$1 lib=$2 sanitize=${3:-none}
base="$src/tests/abi/libcpor.so.1.abi"
echo "1..1"
if ! command -v abidw >/dev/null || ! command -v abidiff >/dev/null; then
  echo "ok 1 # SKIP abigail-tools (abidw, abidiff) not installed"; exit 0
fi
if [ "$sanitize" != none ]; then
  echo "ok 1 # SKIP sanitizer build"; exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
abidw --headers-dir "$src/include/cpor" --drop-private-types --no-show-locs \
  --out-file "$tmp/now.abi" "$lib" || { echo "not ok 1 - abidw failed"; exit 1; }
if [ $update = 1 ]; then cp "$tmp/now.abi" "$base"; echo "ok 1 - baseline updated"; exit 0; fi
if abidiff --no-added-syms "$base" "$tmp/now.abi" >"$tmp/diff" 2>&1; then
  echo "ok 1 - ABI matches tests/abi/libcpor.so.1.abi (added symbols allowed)"
  exit 0
fi
echo "not ok 1 - ABI differs from the baseline: update it on purpose and say so in CHANGELOG.md"
sed 's/^/# /' "$tmp/diff"
exit 1
