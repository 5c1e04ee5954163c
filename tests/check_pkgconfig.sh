#!/usr/bin/env bash
# pkg-config works uninstalled (meson-uninstalled/) and installed (meson
# install --destdir), and the installed library's soname is libcpor.so.1.
# Prints TAP.
set -u
src=$1 build=$2 sanitize=${3:-none}
if [ "$sanitize" != none ]; then
  # A consumer of a sanitized library needs the sanitizer runtime first.
  echo "1..0 # SKIP the library is built with -fsanitize=$sanitize"
  exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cc=${CC:-cc}
n=0 fail=0
check() { n=$((n + 1)); if "$@" >"$tmp/log" 2>&1; then echo "ok $n - $desc";
  else fail=1; echo "not ok $n - $desc"; sed 's/^/# /' "$tmp/log"; fi; }
echo "1..3"

desc="uninstalled: pkg-config --cflags --libs cpor builds and runs a consumer"
uninst() {
  flags=$(PKG_CONFIG_PATH="$build/meson-uninstalled" pkg-config --cflags --libs cpor) &&
  $cc -std=c11 -o "$tmp/c1" "$src/tests/consumer.c" $flags &&
  LD_LIBRARY_PATH="$build/lib" "$tmp/c1"
}
check uninst

desc="installed: meson install --destdir, then pkg-config with that prefix"
inst() {
  meson install -C "$build" --destdir "$tmp/root" --no-rebuild --quiet &&
  pc=$(find "$tmp/root" -name cpor.pc | head -n 1) && [ -n "$pc" ] &&
  prefix=$(PKG_CONFIG_PATH=$(dirname "$pc") pkg-config --variable=prefix cpor) &&
  flags=$(PKG_CONFIG_PATH=$(dirname "$pc") pkg-config --define-variable=prefix="$tmp/root$prefix" \
    --cflags --libs cpor) &&
  $cc -std=c11 -o "$tmp/c2" "$src/tests/consumer.c" $flags &&
  LD_LIBRARY_PATH=$(dirname "$(find "$tmp/root" -name 'libcpor.so.1' | head -n 1)") "$tmp/c2"
}
check inst

desc="the installed library's soname is libcpor.so.1"
soname() {
  lib=$(find "$tmp/root" -name 'libcpor.so.1' | head -n 1) && [ -n "$lib" ] &&
  readelf -d "$lib" | grep -q 'SONAME.*\[libcpor.so.1\]'
}
check soname
exit $fail
