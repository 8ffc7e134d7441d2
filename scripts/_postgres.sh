# Shared by test-postgres.sh and cluster-postgres.sh (sourced): where PostgreSQL's server
# binaries are, installing Debian's package when they are missing, running as the owner.

# Newest server binaries: pg_config's if present (a client-only pg_config may lack initdb),
# else the newest Debian versioned directory.
find_bindir() {
  local d
  if command -v pg_config >/dev/null 2>&1; then
    d=$(pg_config --bindir 2>/dev/null || true)
    if [[ -x $d/initdb && -x $d/pg_ctl ]]; then echo "$d"; return 0; fi
  fi
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k5,5 -rn); do
    if [[ -x $d/initdb && -x $d/pg_ctl ]]; then echo "$d"; return 0; fi
  done
  return 1
}

install_postgres() {
  local sudo=()
  if [[ $(id -u) -ne 0 ]]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
      sudo=(sudo -n)
    else
      die "no PostgreSQL server binaries found (initdb, pg_ctl) and not root / no passwordless sudo.
Install them, e.g.: sudo apt-get install postgresql"
    fi
  fi
  command -v apt-get >/dev/null 2>&1 || die "no PostgreSQL server binaries found and no apt-get to install them"
  echo ">> Installing PostgreSQL from Debian's packages" >&2
  local install=("${sudo[@]}" env DEBIAN_FRONTEND=noninteractive
                 apt-get install -y --no-install-recommends postgresql)
  # Only refresh the package lists if needed: it is slow and needs the network.
  if ! "${install[@]}" >&2; then
    "${sudo[@]}" apt-get update >&2
    "${install[@]}" >&2
  fi
}

# Run a command as the user owning the server. `as_owner USER cmd...`; cd to DIR first
# because the postgres user may not be allowed into our cwd (e.g. /root).
as_owner() {
  local user=$1; shift
  if [[ $(id -u) -eq 0 && $user != root ]]; then
    (cd "$DIR" && runuser -u "$user" -- "$@")
  else
    (cd "$DIR" && "$@")
  fi
}
