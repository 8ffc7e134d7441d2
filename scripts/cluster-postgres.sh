#!/usr/bin/env bash
# The production topology's PostgreSQL (#15), kept between runs:
#
#   scripts/cluster-postgres.sh start DIR PORT SECRETS   # initialises DIR/pgdata once, starts it
#   scripts/cluster-postgres.sh stop DIR                  # stops it; never fails if nothing runs
#
# Unlike the test suite's throwaway server: data survive restarts, fsync stays on, every
# connection (TCP on 127.0.0.1 only) authenticates with scram-sha-256. Roles, each with a
# password read from SECRETS/<role>.password (made by the caller, mode 0600):
#   postgres_admin   the cluster's superuser (initdb)
#   temporal         owns the Temporal and visibility databases (created by the schema tool)
#   welcome          owns welcome_center, the case records; nothing else
# As root the server runs as the `postgres` system user (Debian's package creates it),
# which must be able to reach DIR. Without server binaries, Debian's package is installed.
set -euo pipefail
export PATH="$PATH:/usr/sbin:/sbin"
RUN_AS=postgres

die() { echo "cluster-postgres: $*" >&2; exit 1; }
say() { echo ">> $*" >&2; }
[[ $# -ge 2 ]] || die "usage: $0 start DIR PORT SECRETS | stop DIR"
cmd=$1
DIR=$(realpath -m -- "$2")
PGDATA_DIR=$DIR/pgdata
LOG=$DIR/postgres.log
source "$(dirname "${BASH_SOURCE[0]}")/_postgres.sh"



owner_of_new() {
  if [[ $(id -u) -ne 0 ]]; then id -un; return; fi
  if ! id -u "$RUN_AS" >/dev/null 2>&1; then
    useradd --system --user-group --no-create-home --home-dir /var/lib/postgresql --shell /usr/sbin/nologin "$RUN_AS"
  fi
  echo "$RUN_AS"
}


running() { [[ -f $PGDATA_DIR/postmaster.pid ]] && as_owner "$(stat -c %U "$PGDATA_DIR")" "$1/pg_ctl" -D "$PGDATA_DIR" status >/dev/null 2>&1; }

stop_server() {
  [[ -f $PGDATA_DIR/PG_VERSION ]] || return 0
  local bindir
  bindir=$(find_bindir) || return 0
  if running "$bindir"; then
    say "Stopping PostgreSQL"
    as_owner "$(stat -c %U "$PGDATA_DIR")" "$bindir/pg_ctl" -D "$PGDATA_DIR" stop -m fast -w -t 60 >&2 || true
  fi
}

psql_admin() {  # psql_admin DB SQL...
  local db=$1; shift
  PGPASSWORD="$(cat "$SECRETS/postgres_admin.password")" "$bindir/psql" -X -q -v ON_ERROR_STOP=1 \
    -h 127.0.0.1 -p "$PORT" -U postgres_admin -d "$db" "$@"
}

start_server() {
  [[ $# -eq 2 ]] || die "usage: $0 start DIR PORT SECRETS"
  PORT=$1 SECRETS=$(realpath -- "$2")
  for role in postgres_admin temporal welcome; do
    [[ -s $SECRETS/$role.password ]] || die "missing $SECRETS/$role.password"
  done
  bindir=$(find_bindir) || { install_postgres; bindir=$(find_bindir) || die "PostgreSQL installed but no initdb found"; }
  mkdir -p "$DIR"
  local owner
  if [[ ! -f $PGDATA_DIR/PG_VERSION ]]; then
    owner=$(owner_of_new)
    [[ $(id -u) -eq 0 ]] && chown "$owner:" "$DIR"
    as_owner "$owner" test -w "$DIR" -a -x "$DIR" \
      || die "user $owner cannot reach $DIR (a parent directory is not searchable): set WC_CLUSTER_DIR to a directory it can reach, e.g. under /var/tmp"
    say "Initialising PostgreSQL $("$bindir/pg_ctl" --version | awk '{print $3}') in $PGDATA_DIR (once)"
    local pwfile="$DIR/.pwfile"
    install -m 600 -o "$owner" /dev/null "$pwfile"
    cat "$SECRETS/postgres_admin.password" >"$pwfile"
    as_owner "$owner" "$bindir/initdb" -D "$PGDATA_DIR" -U postgres_admin --pwfile="$pwfile" -E UTF8 \
      --locale=C.UTF-8 --auth=scram-sha-256 --no-instructions >"$DIR/initdb.log" 2>&1 \
      || { rm -f "$pwfile"; cat "$DIR/initdb.log" >&2; die "initdb failed"; }
    rm -f "$pwfile"
    # TCP on loopback only, passwords always (no trust, no peer).
    cat >"$PGDATA_DIR/pg_hba.conf" <<'HBA'
host all all 127.0.0.1/32 scram-sha-256
HBA
    [[ $(id -u) -eq 0 ]] && chown "$owner:" "$PGDATA_DIR/pg_hba.conf"
  fi
  owner=$(stat -c %U "$PGDATA_DIR")
  cat >"$PGDATA_DIR/postgresql.auto.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = ''
max_connections = 200
password_encryption = 'scram-sha-256'
CONF
  [[ $(id -u) -eq 0 ]] && chown "$owner:" "$PGDATA_DIR/postgresql.auto.conf"
  if ! running "$bindir"; then
    say "Starting PostgreSQL on 127.0.0.1:$PORT (log: $LOG)"
    as_owner "$owner" "$bindir/pg_ctl" -D "$PGDATA_DIR" -l "$LOG" -w -t 120 start >/dev/null \
      || { tail -n 30 "$LOG" >&2; die "PostgreSQL did not start (log: $LOG)"; }
  fi
  local deadline=$((SECONDS + 60))
  until "$bindir/pg_isready" -q -h 127.0.0.1 -p "$PORT"; do
    (( SECONDS < deadline )) || die "PostgreSQL not ready after 60 s (log: $LOG)"
    sleep 0.2
  done
  # Roles with their current passwords (a changed secret file takes effect here).
  local role attrs password
  for role in temporal welcome; do
    attrs=LOGIN; [[ $role == temporal ]] && attrs="LOGIN CREATEDB"
    password=$(cat "$SECRETS/$role.password")
    psql_admin postgres -v role="$role" -v password="$password" <<SQL
SELECT format('CREATE ROLE %I', :'role') WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'role') \gexec
ALTER ROLE :"role" WITH $attrs PASSWORD :'password';
SQL
  done
  psql_admin postgres <<'SQL'
SELECT 'CREATE DATABASE welcome_center OWNER welcome' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'welcome_center') \gexec
REVOKE ALL ON DATABASE welcome_center FROM PUBLIC;
SQL
  say "PostgreSQL ready on 127.0.0.1:$PORT"
}

case $cmd in
  start) shift 2; start_server "$@" ;;
  stop) stop_server ;;
  *) die "usage: $0 start DIR PORT SECRETS | stop DIR" ;;
esac
