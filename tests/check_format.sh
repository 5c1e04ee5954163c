#!/usr/bin/env bash
# Every C source and header is clang-formatted with the repository's
# .clang-format. Prints TAP (one line per file).
set -u
cd "$1" || exit 1
files=$(git ls-files '*.c' '*.h' '*.cc' 2>/dev/null || find lib include tests examples -name '*.[ch]')
n=$(printf '%s\n' "$files" | grep -c .)
echo "1..$n"
i=0 fail=0
for f in $files; do
  i=$((i + 1))
  if clang-format --dry-run --Werror "$f" >/dev/null 2>&1; then echo "ok $i - $f"
  else echo "not ok $i - $f is not clang-formatted (clang-format -i $f)"; fail=1; fi
done
exit $fail
