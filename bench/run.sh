#!/usr/bin/env bash
# The issue's benchmark: GET /v1/tickets?limit=20 for random tenants out of TENANTS × PER tickets,
# through the release build (wrk), against pgbench running the same transaction on the same
# database. Prints both rates and their ratio; everything also lands in bench/out/.
#
#   bench/run.sh                         1,000 tenants × 1,000 tickets, 32 connections, 30 s each
#   TENANTS=100 PER=1000 DURATION=10 bench/run.sh
#
# Uses its own embedded cluster (`bench`, port BENCH_PG_PORT, default 5443) and seeds it once;
# the seed is re-made when TENANTS or PER change. The client, the service and PostgreSQL share
# this machine's cores, so compare rates from one run, not across machines.
set -euo pipefail
cd "$(dirname "$0")/.."

TENANTS=${TENANTS:-1000}
PER=${PER:-1000}
PG_PORT=${BENCH_PG_PORT:-5443}
HTTP_PORT=${BENCH_HTTP_PORT:-8089}
CONNS=${CONNS:-32}
THREADS=${THREADS:-2}
DURATION=${DURATION:-30}
POOL=${POOL:-$CONNS}
PG=deploy/embedded-pg.sh
OUT=bench/out
mkdir -p "$OUT"

command -v wrk >/dev/null || { echo "wrk is needed (apt-get install wrk)" >&2; exit 1; }

"$PG" start bench "$PG_PORT"
eval "$("$PG" env bench "$PG_PORT")"
cargo build --release --quiet
BIN=target/release/tenantdesk
# A bench database made from an older version of a migration is simply re-made.
"$BIN" migrate || { "$PG" reset bench "$PG_PORT"; "$BIN" migrate; }

want=$((TENANTS * PER))
have=$("$PG" psql bench "$PG_PORT" -tAc "select count(*) from tickets")
if [ "$have" != "$want" ]; then
  if [ "$have" != 0 ]; then
    "$PG" reset bench "$PG_PORT"
    "$BIN" migrate
  fi
  echo "seeding $TENANTS tenants × $PER tickets (a few minutes)" >&2
  time "$PG" psql bench "$PG_PORT" -v tenants="$TENANTS" -v per="$PER" -f - < bench/seed.sql
fi

secret=$(head -c 48 /dev/urandom | base64 | tr -d '/+=\n')
JWT_KEYS="bench:$secret" BIND_ADDR="127.0.0.1:$HTTP_PORT" DB_POOL_SIZE="$POOL" MIGRATE_ON_START=false \
  RUST_LOG=warn "$BIN" serve > "$OUT/server.log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true' EXIT
for _ in $(seq 50); do
  curl -fsS "http://127.0.0.1:$HTTP_PORT/healthz" >/dev/null 2>&1 && break
  sleep 0.2
done

python3 bench/mint_tokens.py "$TENANTS" bench "$secret" > "$OUT/tokens.txt"
status=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $(head -1 "$OUT/tokens.txt")" \
  "http://127.0.0.1:$HTTP_PORT/v1/tickets?limit=20")
[ "$status" = 200 ] || { echo "GET /v1/tickets answered $status" >&2; exit 1; }

echo "== wrk: service, $CONNS connections, pool $POOL, ${DURATION}s" | tee "$OUT/wrk.txt"
wrk -t"$THREADS" -c"$CONNS" -d"${DURATION}s" --latency -s bench/list.lua \
  "http://127.0.0.1:$HTTP_PORT" -- "$OUT/tokens.txt" | tee -a "$OUT/wrk.txt"

echo "== pgbench: the same transaction, $CONNS connections, ${DURATION}s" | tee "$OUT/pgbench.txt"
PGPASSWORD=${TENANTDESK_APP_PASSWORD:-tenantdesk_app} "$TENANTDESK_PG_BIN/pgbench" -n -M simple \
  -c "$CONNS" -j "$THREADS" -T "$DURATION" -D tenants="$TENANTS" -f bench/list.pgbench \
  -h 127.0.0.1 -p "$PG_PORT" -U tenantdesk_app tenantdesk | tee -a "$OUT/pgbench.txt"

rps=$(awk '/^Requests\/sec:/ {print $2}' "$OUT/wrk.txt")
tps=$(awk '/^tps = / {print $3; exit}' "$OUT/pgbench.txt")
{
  echo "tenants=$TENANTS tickets_per_tenant=$PER connections=$CONNS pool=$POOL duration=${DURATION}s"
  echo "service  GET /v1/tickets?limit=20: $rps req/s"
  echo "pgbench  same transaction:        $tps tps"
  awk -v a="$rps" -v b="$tps" 'BEGIN { printf "ratio service/pgbench: %.2f\n", a / b }'
} | tee "$OUT/summary.txt"
