#!/usr/bin/env bash
# The cost of rate limits and the usage log (issue 14, point 1): bench/run.sh's list benchmark
# (GET /v1/tickets?limit=20, one agent's token, release build) with them off and on, ROUNDS times
# alternately so that a shared machine's load falls on both sides alike. Three configurations:
#
#   off       RATE_LIMIT_ENABLED=false USAGE_LOG_ENABLED=false
#   on        limits far above the load (a busy caller's lease grows to its largest slice, a
#             tenth of a second's rate) and the usage log: every request is logged
#   on-tight  limits just above the load (caller: 10,000 requests/s, burst 1,000: leases of
#             100 requests, so a database statement per 100 requests) and the usage log
#
# Each run's line (req/s, p50, p99 from wrk) goes to bench/out/limits.txt, and at the end the
# usage log's PostgreSQL cost per logged request, priced by pgbench (bench/usage_log.pgbench).
#   ROUNDS=2 DURATION=15 bench/limits.sh      (BENCH_PG_PORT, BENCH_HTTP_PORT as for run.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-2}
export DURATION=${DURATION:-15} MODE=list
OUT=bench/out
mkdir -p "$OUT"
results=$OUT/limits.txt
echo "== limits off/on, list, ${DURATION}s each, $(date -u '+%Y-%m-%d %H:%M UTC')" > "$results"
high=(RATE_LIMIT_ENABLED=true USAGE_LOG_ENABLED=true
      RATE_LIMIT_CALLER_RPM=100000000 RATE_LIMIT_CALLER_BURST=10000000
      RATE_LIMIT_TENANT_RPM=100000000 RATE_LIMIT_TENANT_BURST=10000000)
tight=(RATE_LIMIT_ENABLED=true USAGE_LOG_ENABLED=true
       RATE_LIMIT_CALLER_RPM=600000 RATE_LIMIT_CALLER_BURST=1000
       RATE_LIMIT_TENANT_RPM=600000 RATE_LIMIT_TENANT_BURST=1000)
for round in $(seq "$ROUNDS"); do
  for config in off on on-tight; do
    case $config in
      off) env=(RATE_LIMIT_ENABLED=false USAGE_LOG_ENABLED=false) ;;
      on) env=("${high[@]}") ;;
      on-tight) env=("${tight[@]}") ;;
    esac
    # One slice of DURATION per configuration and round (this script alternates the rounds).
    env "${env[@]}" ROUNDS=1 bench/run.sh > "$OUT/limits-$config-$round.log" 2>&1
    line=$(grep -E '^  service \(wrk\)' "$OUT/summary.txt" | head -1)
    printf '%-9s round %s %s\n' "$config" "$round" "$line" | tee -a "$results"
  done
done

# What the usage log costs PostgreSQL, without the HTTP benchmark's noise: pgbench sending the
# writer's batch (500 rows in one `usage_log_append`, bench/usage_log.pgbench) on one connection
# for 10 s. One connection's wall time bounds its backend's CPU, so µs per row is an upper bound
# of the log's database cost per request (the rows are deleted again).
PG=deploy/embedded-pg.sh
PG_PORT=${BENCH_PG_PORT:-5443}
eval "$("$PG" env bench "$PG_PORT")"
tenant=$("$PG" psql bench "$PG_PORT" -tAc "select id from tenants order by id limit 1")
user=$("$PG" psql bench "$PG_PORT" -tAc "select id from users where tenant_id = '$tenant' limit 1")
before=$("$PG" psql bench "$PG_PORT" -tAc "select coalesce(max(at), '-infinity') from usage_log")
tps=$(PGPASSWORD=${TENANTDESK_APP_PASSWORD:-tenantdesk_app} "$TENANTDESK_PG_BIN/pgbench" -n -M simple \
        -c 1 -j 1 -T 10 -D tenant="'$tenant'" -D user_id="'$user'" -f bench/usage_log.pgbench \
        -h 127.0.0.1 -p "$PG_PORT" -U tenantdesk_app tenantdesk | awk '/^tps/ {print $3}')
"$PG" psql bench "$PG_PORT" -qc "delete from usage_log where at > '$before'"
awk -v tps="$tps" 'BEGIN { printf "usage log in PostgreSQL: %.0f batches/s of 500 rows on one connection = %.1f µs per logged request at most\n", tps, 1e6 / (tps * 500) }' \
  | tee -a "$results"
