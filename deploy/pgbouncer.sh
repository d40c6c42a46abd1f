#!/usr/bin/env bash
# PgBouncer in transaction mode in front of an embedded PostgreSQL cluster, for tests and
# benchmarks (no root, no system install).
#
#   deploy/pgbouncer.sh start NAME PORT PG_PORT [POOL]   fetch (cached), configure, (re)start
#   deploy/pgbouncer.sh stop NAME                        stop it
#   deploy/pgbouncer.sh env NAME PORT [POOL]             print DATABASE_URL through it as exports
#   deploy/pgbouncer.sh pid NAME                         its process id (when running)
#   deploy/pgbouncer.sh fetch                            only fetch and unpack the binary
#
# The binary is Debian 12's `pgbouncer` package (1.18), fetched with `apt-get download` (apt
# checks it against the signed archive index) together with libc-ares2, the one library it needs
# that a fresh machine lacks (libevent, libssl3, libpam0g and libsystemd0 are already there; the
# script says which library is missing if one is). Both are unpacked with `dpkg-deb -x` into the
# cache (~/.cache/tenantdesk), so this works as root and as an ordinary user. PgBouncer refuses
# to run as root: as root it drops to the `postgres` system user (`-u`), like the embedded
# PostgreSQL.
#
# POOL (default 2) is the number of server connections per database and user: the tests keep it
# smaller than their client connections so that transactions of different tenants take turns on
# the same server connection. Clients authenticate with SCRAM against the cluster's development
# passwords (the same defaults as deploy/embedded-pg.sh); the service's statements are all
# unnamed (src/db/statement.rs), which is what transaction mode needs.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${TENANTDESK_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tenantdesk}
HOME_DIR=$CACHE/pgbouncer
BIN=$HOME_DIR/root/usr/sbin/pgbouncer
LIBS=$HOME_DIR/root/usr/lib/x86_64-linux-gnu
PACKAGES=(pgbouncer libc-ares2)
DB_NAME=${TENANTDESK_DB_NAME:-tenantdesk}
OWNER_PASSWORD=${TENANTDESK_OWNER_PASSWORD:-tenantdesk_owner}
APP_PASSWORD=${TENANTDESK_APP_PASSWORD:-tenantdesk_app}

log() { printf 'pgbouncer: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

run_bin() { LD_LIBRARY_PATH=$LIBS "$BIN" "$@"; }

# `apt-get download` with the machine's package lists; when they are missing or stale (a
# superseded version is gone from the mirror), with fresh ones: the system's as root, a private
# copy in the cache otherwise (an ordinary user cannot update the system's).
apt_download() {
  local dir=$1
  (cd "$dir" && apt-get -q download "${PACKAGES[@]}" >/dev/null 2>&1) && return
  log "the package lists do not have ${PACKAGES[*]}: updating them"
  if [ "$(id -u)" = 0 ]; then
    apt-get -q update >/dev/null
    (cd "$dir" && apt-get -q download "${PACKAGES[@]}" >/dev/null)
  else
    local apt=$CACHE/apt
    local opts=(-o "Dir::State::Lists=$apt/lists" -o "Dir::Cache=$apt/cache" -o Debug::NoLocking=1)
    mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial"
    apt-get -q "${opts[@]}" update >/dev/null
    (cd "$dir" && apt-get -q "${opts[@]}" download "${PACKAGES[@]}" >/dev/null)
  fi
}

fetch() {
  if [ -x "$BIN" ] && run_bin --version >/dev/null 2>&1; then return; fi
  command -v apt-get >/dev/null && command -v dpkg-deb >/dev/null ||
    die "apt-get and dpkg-deb are needed (Debian 12) to fetch pgbouncer"
  log "fetching ${PACKAGES[*]} (apt-get download, Debian's archive)"
  rm -rf "$HOME_DIR.tmp" && mkdir -p "$HOME_DIR.tmp/debs" "$HOME_DIR.tmp/root"
  # As root apt fetches as the `_apt` user, which must be able to write here.
  chmod 777 "$HOME_DIR.tmp/debs"
  apt_download "$HOME_DIR.tmp/debs"
  local deb
  for deb in "$HOME_DIR.tmp/debs"/*.deb; do dpkg-deb -x "$deb" "$HOME_DIR.tmp/root"; done
  chmod -R a+rX "$HOME_DIR.tmp"
  rm -rf "$HOME_DIR" && mv "$HOME_DIR.tmp" "$HOME_DIR"
  local missing
  missing=$(LD_LIBRARY_PATH=$LIBS ldd "$BIN" | awk '/not found/ {print $1}')
  [ -z "$missing" ] || die "pgbouncer needs libraries this machine lacks: $missing (apt-get install the packages that ship them)"
  log "$(run_bin --version | head -1) in $HOME_DIR"
}

rundir_for() {
  echo "/tmp/tenantdesk-$(printf '%s' "$ROOT" | sha256sum | cut -c1-10)-pgbouncer-$1"
}

pid_of() {
  local pidfile
  pidfile=$(rundir_for "$1")/pgbouncer.pid
  [ -f "$pidfile" ] || return 1
  local pid
  pid=$(cat "$pidfile")
  kill -0 "$pid" 2>/dev/null && grep -q pgbouncer "/proc/$pid/cmdline" 2>/dev/null && echo "$pid"
}

stop() {
  local name=$1 pid
  if pid=$(pid_of "$name"); then
    kill "$pid"
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
    log "stopped $name"
  fi
}

start() {
  local name=$1 port=$2 pg_port=$3 pool=${4:-2} dir
  fetch
  stop "$name"
  dir=$(rundir_for "$name")
  mkdir -p "$dir"
  # Transaction mode: a server connection belongs to a client only for one transaction. The
  # reset query is for session mode only (and not sent here). Prepared statements are not
  # tracked by PgBouncer before 1.21, so clients must use unnamed statements.
  cat > "$dir/pgbouncer.ini" <<EOF
[databases]
$DB_NAME = host=127.0.0.1 port=$pg_port dbname=$DB_NAME
* = host=127.0.0.1 port=$pg_port

[pgbouncer]
pool_mode = transaction
listen_addr = 127.0.0.1
listen_port = $port
unix_socket_dir =
auth_type = scram-sha-256
auth_file = $dir/userlist.txt
default_pool_size = $pool
min_pool_size = 0
reserve_pool_size = 0
max_client_conn = 1000
server_reset_query =
logfile = $dir/pgbouncer.log
pidfile = $dir/pgbouncer.pid
EOF
  cat > "$dir/userlist.txt" <<EOF
"tenantdesk_app" "$APP_PASSWORD"
"tenantdesk_owner" "$OWNER_PASSWORD"
EOF
  chmod 600 "$dir/userlist.txt"
  : > "$dir/pgbouncer.log"
  local as=()
  if [ "$(id -u)" = 0 ]; then
    id -u postgres >/dev/null 2>&1 || useradd --system --home-dir /nonexistent --shell /usr/sbin/nologin postgres
    chown -R postgres "$dir"
    as=(-u postgres)
  fi
  log "starting $name on 127.0.0.1:$port -> 127.0.0.1:$pg_port (transaction mode, pool $pool)"
  run_bin -d -q "${as[@]}" "$dir/pgbouncer.ini" || { tail -20 "$dir/pgbouncer.log" >&2; die "pgbouncer did not start"; }
  for _ in $(seq 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return
    sleep 0.05
  done
  tail -20 "$dir/pgbouncer.log" >&2
  die "pgbouncer is not listening on $port"
}

print_env() {
  local port=$2 pool=${3:-2}
  cat <<EOF
export DATABASE_URL=postgres://tenantdesk_app:$APP_PASSWORD@127.0.0.1:$port/$DB_NAME
export TENANTDESK_PGBOUNCER_POOL=$pool
EOF
}

cmd=${1:-}
case "$cmd" in
  fetch) fetch ;;
  start) start "${2:?name}" "${3:?port}" "${4:?postgres port}" "${5:-2}" ;;
  stop) stop "${2:?name}" ;;
  env) print_env "${2:?name}" "${3:?port}" "${4:-2}" ;;
  pid) pid_of "${2:?name}" ;;
  *) die "usage: $0 fetch | start NAME PORT PG_PORT [POOL] | stop NAME | env NAME PORT [POOL] | pid NAME" ;;
esac
