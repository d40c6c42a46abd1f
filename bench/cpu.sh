#!/usr/bin/env bash
# CPU per request: runs a load generator (wrk or pgbench) and prints its rate with the CPU time
# (user + system) that PostgreSQL, the service and the client itself spent per request. On a
# machine where all three share the cores, this — not latency — is what decides the rate.
#
#   SRV=<service pid> bench/cpu.sh LABEL -- wrk -t2 -c32 -d10s --latency -s ... URL -- tokens
#   bench/cpu.sh LABEL -- pgbench -n -M simple -c 32 -j 2 -T 10 -f bench/list.pgbench ...
#
# PostgreSQL's share is the postmaster's own and reaped children's time plus that of its live
# backends (the service's pooled connections stay open), from /proc. PGDATA defaults to the
# bench cluster's data directory.
set -euo pipefail
label=$1; shift; [ "${1:-}" = -- ] && shift
cd "$(dirname "$0")/.."
PGDATA=${PGDATA:-.local/data-bench}
PM=$(head -1 "$PGDATA/postmaster.pid")
SRV=${SRV:-}
tick=$(getconf CLK_TCK)
pgcpu() {
  local t c
  t=$(awk '{print $14 + $15 + $16 + $17}' "/proc/$PM/stat")
  for c in $(cat "/proc/$PM/task/$PM/children"); do
    t=$((t + $(awk '{print $14 + $15}' "/proc/$c/stat" 2>/dev/null || echo 0)))
  done
  echo "$t"
}
srvcpu() { if [ -n "$SRV" ]; then awk '{print $14 + $15}' "/proc/$SRV/stat"; else echo 0; fi; }
out=$(mktemp) times=$(mktemp)
trap 'rm -f "$out" "$times"' EXIT
p0=$(pgcpu) s0=$(srvcpu) l0=$(cut -d' ' -f1 /proc/loadavg)
/usr/bin/time -f "%U %S" -o "$times" "$@" > "$out" 2>&1
p1=$(pgcpu) s1=$(srvcpu) l1=$(cut -d' ' -f1 /proc/loadavg)
read -r u s < "$times"
rate=$(awk '/^Requests\/sec:/ {print $2} /^tps = / {print $3}' "$out" | head -1)
n=$(awk '/requests in/ {print $1} /actually processed/ {split($NF, a, "/"); print a[1]}' "$out" | head -1)
p50=$(awk '$1 == "50%" {print $2}' "$out")
p99=$(awk '$1 == "99%" {print $2}' "$out")
awk -v L="$label" -v r="$rate" -v n="$n" -v pg=$((p1 - p0)) -v sv=$((s1 - s0)) -v u="$u" -v s="$s" \
  -v t="$tick" -v l0="$l0" -v l1="$l1" -v a="${p50:--}" -v b="${p99:--}" 'BEGIN {
  printf "%-24s %7.0f/s  p50 %-8s p99 %-8s  CPU µs/request: postgres %4.0f  service %4.0f  client %3.0f  total %4.0f  load %s -> %s\n",
    L, r, a, b, pg / t / n * 1e6, sv / t / n * 1e6, (u + s) / n * 1e6, (pg / t + sv / t + u + s) / n * 1e6, l0, l1 }'
