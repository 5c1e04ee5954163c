#!/bin/sh
# go vet, then the go command given: `go_test.sh GO ARGS...` (meson test go,
# go-race). vet first: a vet finding fails the test.
set -eu
go=$1
shift
"$go" vet ./...
exec "$go" "$@"
