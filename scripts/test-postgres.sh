#!/usr/bin/env bash
# Throwaway PostgreSQL server for the test suite.
#
#   scripts/test-postgres.sh start DIR   # prints postgresql://welcome@127.0.0.1:PORT/welcome_test
#   scripts/test-postgres.sh stop DIR    # stops it; never fails if nothing runs
#
# The cluster lives in DIR/pgdata (log: DIR/postgres.log) and listens on 127.0.0.1 only, on a
# free port, with trust auth: it is for tests, never for data. fsync is off for speed.
# The Unix socket goes in DIR itself; socket paths are limited to ~107 bytes by the kernel,
# so if DIR is too long for that the socket is disabled and everything uses TCP (tests only
# use the TCP URL anyway). Keep DIR short (e.g. mktemp -d) if you want psql -h DIR to work.
#
# initdb/postgres refuse to run as root, so as root the server runs as the `postgres`
# system user (created by Debian's package, or here) and DIR is chowned to it.
# Without server binaries it installs Debian's `postgresql` package when it can (root or
# passwordless sudo). Progress goes to stderr; only the URL goes to stdout.
set -euo pipefail
# runuser, useradd and friends live in sbin, which a non-login PATH may lack.
export PATH="$PATH:/usr/sbin:/sbin"

DB_USER=welcome
DB_NAME=welcome_test
RUN_AS=postgres   # the system user the server runs as when we are root

die() { echo "test-postgres: $*" >&2; exit 1; }
usage() { die "usage: $0 start|stop DIR"; }

[[ $# -eq 2 ]] || usage
cmd=$1
[[ -n $2 ]] || usage
DIR=$(realpath -m -- "$2")   # absolute: the server's cwd is its data dir, not ours
PGDATA_DIR=$DIR/pgdata
LOG=$DIR/postgres.log
source "$(dirname "${BASH_SOURCE[0]}")/_postgres.sh"




free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Owner of an existing cluster, so stop runs pg_ctl as the same user start used.
cluster_owner() { stat -c %U "$PGDATA_DIR"; }

stop_server() {
  [[ -f $PGDATA_DIR/PG_VERSION ]] || return 0
  local bindir owner pid
  bindir=$(find_bindir) || { echo ">> No pg_ctl found; nothing to stop" >&2; return 0; }
  owner=$(cluster_owner)
  if as_owner "$owner" "$bindir/pg_ctl" -D "$PGDATA_DIR" status >/dev/null 2>&1; then
    echo ">> Stopping PostgreSQL in $PGDATA_DIR" >&2
    pid=$(head -n 1 "$PGDATA_DIR/postmaster.pid" 2>/dev/null || true)
    as_owner "$owner" "$bindir/pg_ctl" -D "$PGDATA_DIR" stop -m fast -w -t 60 >&2 || true
    # pg_ctl returns once postmaster.pid is gone, a moment before the process exits: wait for
    # that too (a zombie counts as exited; reaping it is its parent's, usually init's, job).
    for _ in $(seq 50); do
      [[ -n $pid && -r /proc/$pid/stat ]] || break
      [[ $(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) == Z ]] && break
      sleep 0.1
    done
  fi
  return 0
}

start_server() {
  local bindir owner port sockdir deadline attempt
  bindir=$(find_bindir) || { install_postgres; bindir=$(find_bindir) || die "PostgreSQL installed but no initdb/pg_ctl found"; }
  echo ">> Using PostgreSQL $("$bindir/pg_ctl" --version | awk '{print $3}') from $bindir" >&2

  owner=$(id -un)
  if [[ $(id -u) -eq 0 ]]; then
    owner=$RUN_AS
    if ! id -u "$owner" >/dev/null 2>&1; then
      echo ">> Creating system user $owner" >&2
      useradd --system --user-group --no-create-home --home-dir /var/lib/postgresql \
        --shell /usr/sbin/nologin "$owner"
    fi
  fi

  # A fresh cluster every time: stop and drop whatever a previous run left behind.
  mkdir -p "$DIR"
  stop_server
  rm -rf "$PGDATA_DIR" "$LOG"
  if [[ $(id -u) -eq 0 ]]; then
    chown "$owner:" "$DIR"
    runuser -u "$owner" -- test -w "$DIR" -a -x "$DIR" \
      || die "user $owner cannot reach $DIR (a parent directory is not searchable); use a DIR under /tmp"
  fi

  echo ">> initdb $PGDATA_DIR" >&2
  as_owner "$owner" "$bindir/initdb" -D "$PGDATA_DIR" -U "$DB_USER" -E UTF8 --locale=C.UTF-8 \
    --auth=trust --no-instructions >"$DIR/initdb.log" 2>&1 \
    || { cat "$DIR/initdb.log" >&2; die "initdb failed"; }

  # Only local socket + 127.0.0.1 may connect (initdb's default also allows ::1; we don't listen there).
  cat >"$PGDATA_DIR/pg_hba.conf" <<'HBA'
local all all              trust
host  all all 127.0.0.1/32 trust
HBA

  # Socket path = DIR/.s.PGSQL.PORT (+ ".lock"), must stay under the kernel's ~107 bytes.
  sockdir=$DIR
  if (( ${#DIR} + 20 > 100 )); then
    echo ">> $DIR is too long for a Unix socket path; TCP only" >&2
    sockdir=
  fi

  # Settings go in postgresql.auto.conf rather than pg_ctl -o, which is re-split by a shell.
  for attempt in 1 2 3; do
    port=$(free_port)
    cat >"$PGDATA_DIR/postgresql.auto.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '${sockdir//\'/\'\'}'
fsync = off
synchronous_commit = off
full_page_writes = off
CONF
    if [[ $(id -u) -eq 0 ]]; then chown "$owner:" "$PGDATA_DIR/pg_hba.conf" "$PGDATA_DIR/postgresql.auto.conf"; fi
    echo ">> Starting PostgreSQL on 127.0.0.1:$port" >&2
    if as_owner "$owner" "$bindir/pg_ctl" -D "$PGDATA_DIR" -l "$LOG" -w -t 60 start >/dev/null; then
      break
    fi
    # The free port can be taken between picking and binding it: retry on another one.
    if (( attempt < 3 )) && grep -q 'could not bind\|Address already in use' "$LOG" 2>/dev/null; then
      echo ">> Port $port was taken; retrying" >&2
      continue
    fi
    tail -n 30 "$LOG" >&2 2>/dev/null || true
    stop_server
    die "PostgreSQL did not start (log: $LOG)"
  done

  deadline=$((SECONDS + 60))
  until "$bindir/pg_isready" -q -h 127.0.0.1 -p "$port" -U "$DB_USER" -d postgres; do
    if (( SECONDS >= deadline )); then
      tail -n 30 "$LOG" >&2 || true
      stop_server
      die "PostgreSQL not ready after 60 s (log: $LOG)"
    fi
    sleep 0.2
  done

  # Over TCP, so it works whether or not the Unix socket exists.
  as_owner "$owner" "$bindir/createdb" -h 127.0.0.1 -p "$port" -U "$DB_USER" "$DB_NAME" >&2
  echo ">> Ready; stop with: $0 stop $DIR" >&2
  echo "postgresql://$DB_USER@127.0.0.1:$port/$DB_NAME"
}

case $cmd in
  start) start_server ;;
  stop) stop_server ;;
  *) usage ;;
esac
