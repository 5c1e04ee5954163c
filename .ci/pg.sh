#!/usr/bin/env bash
# A throwaway PostgreSQL server for the tests (issue 11).
#
#   bash .ci/pg.sh run CMD [ARGS...]   start a server, run CMD with it, stop it
#   bash .ci/pg.sh start               start one; prints `export ...` lines
#   bash .ci/pg.sh stop                stop the one `start` made
#
# The cluster lives in a fresh temporary directory, is created by initdb as an
# unprivileged user (the caller, or `nobody` when the caller is root) and
# listens on a Unix socket in that directory and on 127.0.0.1 at a free port.
# The socket trusts its local user; TCP asks for a password (scram-sha-256),
# so the tests can check what a wrong one does. `run` stops the server and
# removes the directory at exit, whatever CMD returned (trap).
#
# CMD sees:
#   CPOR_TEST_PG       conninfo over the socket ("host=DIR port=N user=cpor dbname=cpor")
#   CPOR_TEST_PG_URL   the same database over TCP with the password in the URL
#   CPOR_TEST_PG_DIR   the temporary directory (data/, the socket, server.log)
#   CPOR_TEST_PG_BIN   the directory of initdb and pg_ctl
#   CPOR_TEST_PG_DATA  the cluster's data directory (DIR/data), whose
#                      postgresql.conf holds every setting: the crash tests
#                      stop it with `pg_ctl stop -m immediate` and start it
#                      again with `pg_ctl -D DATA -l DIR/server.log start`
#   CPOR_TEST_PG_OWNER the user the server runs as (pg_ctl must run as it)
# When the server cannot start, `run` still runs CMD (without CPOR_TEST_PG, so
# the PostgreSQL suites skip and say why) unless CI=true, where it fails.
set -uo pipefail

state_file="${TMPDIR:-/tmp}/cpor-pg-$(id -u).env"

log() { echo "pg.sh: $*" >&2; }

install_if_missing() {
  local need=()
  for p in postgresql libpq-dev; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need+=("$p")
  done
  [ ${#need[@]} -eq 0 ] && return 0
  if [ "$(id -u)" != 0 ]; then log "missing ${need[*]} and not root"; return 1; fi
  log "installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
}

find_bin() {
  local d
  for d in /usr/lib/postgresql/*/bin; do
    [ -x "$d/initdb" ] && bin="$d"
  done
  [ -n "${bin:-}" ] || { log "initdb not found under /usr/lib/postgresql"; return 1; }
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Runs a command as the cluster's owner.
as_owner() {
  if [ "$owner" = "$(id -un)" ]; then "$@"
  else runuser -u "$owner" -- "$@"; fi
}

start() {
  install_if_missing || return 1
  find_bin || return 1
  owner=$(id -un)
  [ "$(id -u)" = 0 ] && owner=nobody
  dir=$(mktemp -d "${TMPDIR:-/tmp}/cpor-pg-XXXXXX") || return 1
  chmod 755 "$dir"
  password=$(python3 -c 'import secrets; print(secrets.token_hex(12))')
  printf '%s\n' "$password" >"$dir/pwfile"
  chown -R "$owner" "$dir"
  chmod 600 "$dir/pwfile"
  port=$(free_port) || return 1
  if ! as_owner "$bin/initdb" -D "$dir/data" -U cpor --pwfile="$dir/pwfile" -E UTF8 \
      --no-locale --auth-local=trust --auth-host=scram-sha-256 >"$dir/initdb.log" 2>&1; then
    log "initdb failed:"; sed 's/^/  /' "$dir/initdb.log" >&2; return 1
  fi
  rm -f "$dir/pwfile"
  # The settings go into postgresql.conf, so that a plain `pg_ctl start`
  # (the crash tests restart the server) brings back the same server.
  # fsync off: a test server's data need not survive the machine (it does
  # survive `pg_ctl stop -m immediate`, which the crash tests use).
  cat >>"$dir/data/postgresql.conf" <<EOF
unix_socket_directories = '$dir'
port = $port
listen_addresses = '127.0.0.1'
fsync = off
max_connections = 200
EOF
  if ! as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start >/dev/null; then
    log "the server did not start:"; sed 's/^/  /' "$dir/server.log" >&2; return 1
  fi
  if ! "$bin/psql" -X -q -h "$dir" -p "$port" -U cpor -d postgres \
      -c "CREATE DATABASE cpor" >/dev/null 2>"$dir/createdb.log"; then
    log "CREATE DATABASE failed:"; sed 's/^/  /' "$dir/createdb.log" >&2; return 1
  fi
  export CPOR_TEST_PG="host=$dir port=$port user=cpor dbname=cpor"
  export CPOR_TEST_PG_URL="postgresql://cpor:$password@127.0.0.1:$port/cpor"
  export CPOR_TEST_PG_DIR="$dir" CPOR_TEST_PG_BIN="$bin"
  export CPOR_TEST_PG_DATA="$dir/data" CPOR_TEST_PG_OWNER="$owner"
  {
    echo "export CPOR_TEST_PG='$CPOR_TEST_PG'"
    echo "export CPOR_TEST_PG_URL='$CPOR_TEST_PG_URL'"
    echo "export CPOR_TEST_PG_DIR='$dir' CPOR_TEST_PG_BIN='$bin'"
    echo "export CPOR_TEST_PG_DATA='$dir/data' CPOR_TEST_PG_OWNER='$owner'"
    echo "cpor_pg_owner='$owner'"
  } >"$state_file"
  log "PostgreSQL $("$bin/pg_ctl" --version | awk '{print $3}') on $dir (port $port)"
}

stop() {
  [ -f "$state_file" ] || return 0
  local cpor_pg_owner=
  # shellcheck disable=SC1090
  . "$state_file"
  owner=$cpor_pg_owner
  if [ -d "$CPOR_TEST_PG_DIR/data" ]; then
    as_owner "$CPOR_TEST_PG_BIN/pg_ctl" -D "$CPOR_TEST_PG_DIR/data" -m immediate -w stop \
      >/dev/null 2>&1 || true
  fi
  rm -rf "$CPOR_TEST_PG_DIR" "$state_file"
}

case "${1:-}" in
start)
  # A second start replaces the first.
  stop
  if start; then cat "$state_file"; else stop; exit 1; fi
  ;;
stop)
  stop
  ;;
run)
  shift
  [ $# -gt 0 ] || { log "usage: pg.sh run CMD [ARGS...]"; exit 2; }
  state_file="${TMPDIR:-/tmp}/cpor-pg-$(id -u)-$$.env"
  trap stop EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  if ! start; then
    stop
    if [ "${CI:-}" = true ]; then log "CI=true: the PostgreSQL suites must run"; exit 1; fi
    log "running without PostgreSQL: its suites will skip"
    unset CPOR_TEST_PG CPOR_TEST_PG_URL CPOR_TEST_PG_DATA CPOR_TEST_PG_OWNER
  fi
  "$@"
  rc=$?
  exit $rc
  ;;
*)
  echo "usage: bash .ci/pg.sh run CMD [ARGS...] | start | stop" >&2
  exit 2
  ;;
esac
