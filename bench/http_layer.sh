#!/usr/bin/env bash
# The HTTP layer's own cost (issue 10): one or more release binaries, taken in turn for ROUNDS
# rounds, each serving `wrk` for DURATION seconds on PATHS (default /healthz, which touches
# nothing, and /v1/me, one tenant transaction). Prints req/s, p50/p99 and the service's CPU time
# per request, which is steadier than req/s on a shared machine.
#
#   bench/http_layer.sh                                  target/release/tenantdesk (built)
#   BINS="/tmp/before /tmp/after" ROUNDS=3 bench/http_layer.sh
#
# Uses the `bench` embedded cluster (BENCH_PG_PORT, default 5443) and BENCH_HTTP_PORT (8089).
set -euo pipefail
cd "$(dirname "$0")/.."

PG_PORT=${BENCH_PG_PORT:-5443}
HTTP_PORT=${BENCH_HTTP_PORT:-8089}
ROUNDS=${ROUNDS:-2}
DURATION=${DURATION:-10}
CONNS=${CONNS:-32}
PATHS=${PATHS:-"/healthz /v1/me"}
PG=deploy/embedded-pg.sh
if [ -z "${BINS:-}" ]; then
  cargo build --release --quiet
  BINS=target/release/tenantdesk
fi
read -r -a bins <<< "$BINS"
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 1; }
command -v jq >/dev/null || { echo "jq is needed: apt-get install jq" >&2; exit 1; }

"$PG" start bench "$PG_PORT"
eval "$("$PG" env bench "$PG_PORT")"
"${bins[0]}" migrate >/dev/null
export MIGRATE_ON_START=false WORKER_ENABLED=false RUST_LOG=warn DB_POOL_SIZE=16 \
  SETTINGS_ENCRYPTION_KEYS="bench:$(head -c 32 /dev/urandom | base64)" \
  BIND_ADDR="127.0.0.1:$HTTP_PORT" JWT_KEYS="bench:$(head -c 48 /dev/urandom | base64 | tr -d '/+=\n')"
API=http://127.0.0.1:$HTTP_PORT
server=
trap '[ -n "$server" ] && kill "$server" 2>/dev/null || true' EXIT
serve() { # serve BIN: starts it and waits until it answers
  "$1" serve > /dev/null 2>&1 & server=$!
  for _ in $(seq 100); do curl -fsS "$API/healthz" >/dev/null 2>&1 && return; sleep 0.2; done
  echo "$1 did not start" >&2; exit 1
}
stop() { kill "$server"; wait "$server" 2>/dev/null || true; server=; }

# One tenant with an admin, and its access token.
email="bench-$(date +%s%N)@platform.test" pw='bench superadmin password'
TENANTDESK_SUPERADMIN_PASSWORD=$pw "${bins[0]}" create-superadmin --email "$email" --name Bench >/dev/null
serve "${bins[0]}"
post() { curl -fsS "$API$1" -H 'content-type: application/json' "${@:3}" -d "$2"; }
root=$(post /v1/auth/superadmin/token "{\"email\":\"$email\",\"password\":\"$pw\"}" | jq -r .access_token)
slug="http$(date +%s)"
tenant=$(post /v1/tenants "{\"name\":\"HTTP bench\",\"slug\":\"$slug\"}" -H "authorization: Bearer $root" | jq -r .id)
post /v1/users "{\"email\":\"a@$slug.test\",\"full_name\":\"A\",\"role\":\"admin\",\"password\":\"$pw\"}" \
  -H "authorization: Bearer $root" -H "x-tenant-id: $tenant" >/dev/null
token=$(post /v1/auth/token "{\"tenant\":\"$slug\",\"email\":\"a@$slug.test\",\"password\":\"$pw\"}" | jq -r .access_token)
stop

TICK=$(getconf CLK_TCK)
out=$(mktemp)
echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')  $(nproc) cores  connections=$CONNS duration=${DURATION}s"
for round in $(seq "$ROUNDS"); do
  for bin in "${bins[@]}"; do
    serve "$bin"
    for path in $PATHS; do
      c0=$(awk '{print $14 + $15}' "/proc/$server/stat")
      wrk -t2 -c"$CONNS" -d"${DURATION}s" --latency -H "authorization: Bearer $token" "$API$path" > "$out"
      c1=$(awk '{print $14 + $15}' "/proc/$server/stat")
      awk -v r="$round" -v bin="$bin" -v path="$path" -v c="$((c1 - c0))" -v t="$TICK" \
        -v load="$(cut -d' ' -f1 /proc/loadavg)" '
        /requests in/ { n = $1 } /^Requests\/sec:/ { rps = $2 } $1 == "50%" { p50 = $2 }
        $1 == "99%" { p99 = $2 } /Non-2xx/ { bad = $NF }
        END { printf "round %s  %-32s %-9s %9.0f req/s  p50 %-8s p99 %-8s CPU %5.1f µs/req  non-2xx %d  load %s\n",
                r, bin, path, rps, p50, p99, c / t / n * 1e6, bad, load }' "$out"
    done
    stop
  done
done
rm -f "$out"
