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
# Each run's line (req/s, p50, p99 from wrk) goes to bench/out/limits.txt.
#   ROUNDS=2 DURATION=15 bench/limits.sh      (BENCH_PG_PORT, BENCH_HTTP_PORT as for run.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-2}
export DURATION=${DURATION:-15} MODE=list
OUT=bench/out
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
    env "${env[@]}" bench/run.sh > "$OUT/limits-$config-$round.log" 2>&1
    line=$(grep -E '^  service \(wrk\)' "$OUT/summary.txt" | head -1)
    printf '%-9s round %s %s\n' "$config" "$round" "$line" | tee -a "$results"
  done
done
