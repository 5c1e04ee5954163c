#!/usr/bin/env bash
# README.md's "Building and linking against libcpor" block, run as written
# in a fresh copy of the source tree (the files git knows, or the whole tree
# without build directories when there is no git): a newcomer's steps, proved.
# Prints TAP.
set -u
src=$1 sanitize=${2:-none}
echo "1..1"
if [ "$sanitize" != none ]; then
  echo "ok 1 # SKIP sanitizer build (a consumer needs the sanitizer runtime first)"; exit 0
fi
for tool in meson ninja pkg-config cc; do
  command -v "$tool" >/dev/null || { echo "ok 1 # SKIP $tool is not installed"; exit 0; }
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
clone="$tmp/libcpor"
mkdir -p "$clone"
if git -C "$src" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  (cd "$src" && git ls-files -z --cached --others --exclude-standard |
    tar --null -T - --ignore-failed-read -cf - 2>/dev/null) | tar -xf - -C "$clone"
else
  tar -C "$src" --exclude='./build*' --exclude=./.git -cf - . | tar -xf - -C "$clone"
fi
# The block after the marker comment, from its opening ```sh to the closing ```.
awk '/<!-- readme-build:/ { on = 1; next }
     on && /^```sh$/ { body = 1; next }
     body && /^```$/ { exit }
     body { print }' "$src/README.md" >"$tmp/steps.sh"
if ! [ -s "$tmp/steps.sh" ]; then
  echo "not ok 1 - no readme-build block in README.md"; exit 1
fi
if (cd "$clone" && env -u PKG_CONFIG_PATH -u LD_LIBRARY_PATH bash -eu "$tmp/steps.sh") \
    >"$tmp/log" 2>&1 && [ "$(grep -c 'ASSOCIATED' "$tmp/log")" -ge 2 ]; then
  echo "ok 1 - README build steps: uninstalled and installed consumers both reach ASSOCIATED"
  exit 0
fi
echo "not ok 1 - README build steps failed"
sed 's/^/# /' "$tmp/log"
exit 1
