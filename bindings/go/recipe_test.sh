#!/bin/sh
# Runs the README's "Use it from your own module" recipe, exactly as
# written, in a throwaway clone-shaped directory: the block of sh that
# follows the "<!-- recipe: ... -->" line of README.md.
#
#   recipe_test.sh README.md SOURCE_ROOT BUILD_ROOT WORK_DIR
#
# The "clone" is WORK_DIR/libcpor with bindings -> SOURCE_ROOT/bindings and
# build -> BUILD_ROOT (the library is already built: the recipe's first
# step is the build itself). The caller (meson) sets the offline Go
# environment; this script clears PKG_CONFIG_PATH and LD_LIBRARY_PATH so
# the recipe has to find the library by itself.
set -eu
readme=$1 src=$2 build=$3 work=$4

recipe=$(awk '
	/^<!-- recipe:/ { found = 1; next }
	found == 1 && /^```sh$/ { found = 2; next }
	found == 2 && /^```$/ { exit }
	found == 2 { print }
' "$readme")
if [ -z "$recipe" ]; then
	echo "no recipe block in $readme" >&2
	exit 1
fi

rm -rf "$work"
mkdir -p "$work/libcpor"
# The build symlink points back up the build tree: do not leave the loop
# behind (the rest stays for a look after a failure).
trap 'rm -f "$work/libcpor/build"' EXIT
ln -s "$src/bindings" "$work/libcpor/bindings"
ln -s "$build" "$work/libcpor/build"
printf '%s\n' "$recipe" >"$work/recipe.sh"

unset PKG_CONFIG_PATH LD_LIBRARY_PATH CGO_LDFLAGS
cd "$work/libcpor"
out=$(sh -eux "$work/recipe.sh")
printf '%s\n' "$out"
want="partner: Fabrikam Ltd"
case $out in
*"$want"*) ;;
*)
	echo "the recipe's program did not print '$want'" >&2
	exit 1
	;;
esac
# The program found libcpor.so.1 through its rpath, not the environment.
if command -v readelf >/dev/null 2>&1; then
	readelf -d "$work/hello/hello" | grep -E 'RPATH|RUNPATH'
fi
echo "ok: the README recipe builds and runs a program of your own module"
