#!/usr/bin/env bash
# The issue's benchmark (issue 5, item 8): the release build under wrk against pgbench running the
# same transaction on the same database, one after the other in one run, at CONNS connections:
#
#   list   GET /v1/tickets?limit=20            vs  list.pgbench   (BEGIN+scope+check, page, COMMIT)
#   create POST /v1/tickets (an agent's ticket) vs  create.pgbench (BEGIN+scope+check, counter +
#                                                  ticket, history row, COMMIT)
#
# Reports req/s (tps), p50 and p99 of both sides, the ratios service/pgbench, and the CPU time
# PostgreSQL, the service and the client spent per request on each side, in bench/out/summary.txt;
# every raw output also lands in bench/out/.
#
#   bench/run.sh                        both modes, one tenant's token, 1,000 × 1,000, ten
#                                       alternating rounds of 6 s a side
#   MODE=list TOKENS=random ROUNDS=1 DURATION=20 bench/run.sh      one slice of 20 s a side
#   MODE=list ROUNDS=20 DURATION=4 bench/run.sh     twenty rounds of 4 s a side
#   LIST_PGBENCH=bench/list-one-trip.pgbench MODE=list bench/run.sh   pgbench in one round trip
#   TENANTS=100 PER=1000 DURATION=10 bench/run.sh
#   VIA=pgbouncer PGBOUNCER_POOL=8 MODE=list bench/run.sh
#
# ROUNDS (default 10) and DURATION (default 6): each side runs ROUNDS slices of DURATION seconds,
# the service first in odd rounds and pgbench first in even ones, so a machine whose speed drifts
# (a shared host's does, by tens of per cent within minutes) favours neither; the summary pools
# the slices (rates over the time measured, CPU per request, the slices' median p50/p99), lists
# each round's ratio, and gives the rounds' mean ratio with its 95 % interval (mean ± 1.96
# standard errors). One slice of 30 s a side (what ROUNDS=1 DURATION=30 does) swung by ±0.1 on a
# 2-vCPU VM from one run to the next.
# LIST_PGBENCH / LIST_PGBENCH_MODE: another pgbench script (and -M mode) for the list.
# MODE=list|create|both (default both). TOKENS=one (default, the issue's variant: every request
# with tenant 1's agent token, pgbench on tenant 1) or random (a random tenant per request and per
# pgbench transaction). Uses its own embedded cluster (`bench`, port BENCH_PG_PORT) and seeds it
# once; the seed is re-made when TENANTS or PER change, and the tickets a create run adds are
# deleted at the start of the next run. The client, the service and PostgreSQL share this
# machine's cores, so compare figures from one run, not across machines.
#
# VIA=pgbouncer puts PgBouncer in transaction mode (deploy/pgbouncer.sh, port
# BENCH_PGBOUNCER_PORT, PGBOUNCER_POOL server connections) between PostgreSQL and both sides:
# the service's DATABASE_URL and pgbench's connections go through it. Its CPU is reported apart.
set -euo pipefail
cd "$(dirname "$0")/.."

TENANTS=${TENANTS:-1000}
PER=${PER:-1000}
PG_PORT=${BENCH_PG_PORT:-5443}
HTTP_PORT=${BENCH_HTTP_PORT:-8089}
CONNS=${CONNS:-32}
THREADS=${THREADS:-2}
DURATION=${DURATION:-6}
ROUNDS=${ROUNDS:-10}
POOL=${POOL:-$CONNS}
MODE=${MODE:-both}
TOKENS=${TOKENS:-one}
VIA=${VIA:-direct}
PGB_PORT=${BENCH_PGBOUNCER_PORT:-$((PG_PORT + 1000))}
PGB_POOL=${PGBOUNCER_POOL:-8}
PG=deploy/embedded-pg.sh
PGBOUNCER=deploy/pgbouncer.sh
OUT=bench/out
mkdir -p "$OUT"

case $MODE in list) modes=(list) ;; create) modes=(create) ;; both) modes=(list create) ;;
  *) echo "MODE must be list, create or both" >&2; exit 2 ;; esac
case $TOKENS in one) tlo=1 thi=1 ;; random) tlo=1 thi=$TENANTS ;;
  *) echo "TOKENS must be one or random" >&2; exit 2 ;; esac
case $VIA in direct | pgbouncer) ;; *) echo "VIA must be direct or pgbouncer" >&2; exit 2 ;; esac

# The load generator and /usr/bin/time (CPU accounting) come from Debian packages; as root they
# are installed when missing, otherwise the script says how.
need() { # need COMMAND PACKAGE
  command -v "$1" >/dev/null && return
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "installing $2 (apt-get install -y $2)" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null ||
      { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null; }
  else
    echo "$1 is needed: sudo apt-get install $2 (Debian/Ubuntu)" >&2
    exit 1
  fi
}
need wrk wrk
need /usr/bin/time time

# The bench cluster, migrated and seeded (bench/seed.sh).
. bench/seed.sh

# Where the service and pgbench connect: PostgreSQL, or PgBouncer in front of it.
DB_PORT=$PG_PORT
PGB_PID=
if [ "$VIA" = pgbouncer ]; then
  "$PGBOUNCER" start bench "$PGB_PORT" "$PG_PORT" "$PGB_POOL"
  eval "$("$PGBOUNCER" env bench "$PGB_PORT" "$PGB_POOL")"
  DB_PORT=$PGB_PORT
  PGB_PID=$("$PGBOUNCER" pid bench)
fi

secret=$(head -c 48 /dev/urandom | base64 | tr -d '/+=\n')
# Rate limits stay on (the usage log too) but far above what one token sends here, or the caller
# limit (6,000 a minute by default) would turn the run into 429s; bench/limits.sh sets its own.
SETTINGS_ENCRYPTION_KEYS="bench:$(head -c 32 /dev/urandom | base64)" \
RATE_LIMIT_CALLER_RPM=${RATE_LIMIT_CALLER_RPM:-100000000} RATE_LIMIT_CALLER_BURST=${RATE_LIMIT_CALLER_BURST:-10000000} \
RATE_LIMIT_TENANT_RPM=${RATE_LIMIT_TENANT_RPM:-100000000} RATE_LIMIT_TENANT_BURST=${RATE_LIMIT_TENANT_BURST:-10000000} \
JWT_KEYS="bench:$secret" BIND_ADDR="127.0.0.1:$HTTP_PORT" DB_POOL_SIZE="$POOL" MIGRATE_ON_START=false \
  RUST_LOG=warn "$BIN" serve > "$OUT/server.log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true; [ "$VIA" != pgbouncer ] || "$PGBOUNCER" stop bench' EXIT
for _ in $(seq 50); do
  curl -fsS "http://127.0.0.1:$HTTP_PORT/healthz" >/dev/null 2>&1 && break
  sleep 0.2
done

python3 bench/mint_tokens.py "$TENANTS" bench "$secret" > "$OUT/tokens-all.txt"
if [ "$TOKENS" = one ]; then head -1 "$OUT/tokens-all.txt" > "$OUT/tokens.txt"
else cp "$OUT/tokens-all.txt" "$OUT/tokens.txt"; fi
status=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $(head -1 "$OUT/tokens.txt")" \
  "http://127.0.0.1:$HTTP_PORT/v1/tickets?limit=20")
[ "$status" = 200 ] || { echo "GET /v1/tickets answered $status" >&2; exit 1; }

# wrk prints latencies as 812.00us, 3.45ms or 1.02s: in milliseconds.
wrk_ms() {
  awk -v p="$1" '$1 == p {
    v = $2; u = v; sub(/[0-9.]+/, "", u); sub(/[a-z]+$/, "", v)
    if (u == "us") v /= 1000; else if (u == "s") v *= 1000; else if (u == "m") v *= 60000
    printf "%.2f", v; exit }' "$2"
}
# p-th percentile (ms) of pgbench's per-transaction logs (third field: latency in µs).
pgb_ms() {
  local p=$1; shift
  cat "$@" | awk '$3 ~ /^[0-9]+$/ { print $3 }' | sort -n |
    awk -v p="$p" '{ a[NR] = $1 } END { i = int(NR * p / 100 + 0.999999); if (i < 1) i = 1
      printf "%.2f", a[i] / 1000 }'
}

load() { cut -d' ' -f1-3 /proc/loadavg; }

# CPU accounting (clock ticks) for one side of a comparison: the whole machine's busy time,
# PostgreSQL's (the postmaster, its reaped children and its live backends), the service's; the
# client's comes from /usr/bin/time. Whatever else ran on the machine is the difference.
TICK=$(getconf CLK_TCK)
PM=$(head -1 "$PGDATA_DIR/postmaster.pid")
busy() { awk '/^cpu / {print $2 + $3 + $4 + $7 + $8 + $9}' /proc/stat; }
pgcpu() {
  local t c
  t=$(awk '{print $14 + $15 + $16 + $17}' "/proc/$PM/stat")
  for c in $(cat "/proc/$PM/task/$PM/children"); do
    t=$((t + $(awk '{print $14 + $15}' "/proc/$c/stat" 2>/dev/null || echo 0)))
  done
  echo "$t"
}
srvcpu() { awk '{print $14 + $15}' "/proc/$server/stat"; }
pgbcpu() { if [ -n "$PGB_PID" ]; then awk '{print $14 + $15}' "/proc/$PGB_PID/stat"; else echo 0; fi; }
# cpu_line N_REQUESTS SECONDS BUSY PG SERVICE CLIENT_SECONDS PGBOUNCER: µs per request and
# others' share.
cpu_line() {
  awk -v n="$1" -v secs="$2" -v busy="$3" -v pg="$4" -v sv="$5" -v cl="$6" -v pb="$7" -v t="$TICK" -v cores="$(nproc)" 'BEGIN {
    other = busy / t - pg / t - sv / t - pb / t - cl; if (other < 0) other = 0
    svc = sv > 0 ? sprintf("%.0f", sv / t / n * 1e6) : "-"
    pgb = pb > 0 ? sprintf(" pgbouncer %.0f", pb / t / n * 1e6) : ""
    printf "CPU µs/request: postgres %.0f service %s client %.0f%s; rest of the machine (other processes, kernel threads) %.0f%%\n",
      pg / t / n * 1e6, svc, cl / n * 1e6, pgb, other / (secs * cores) * 100 }'
}

declare -A path=([list]="GET /v1/tickets?limit=20" [create]="POST /v1/tickets")
declare -A script=([list]="${LIST_PGBENCH:-bench/list.pgbench}" [create]=bench/create.pgbench)
declare -A qmode=([list]="${LIST_PGBENCH_MODE:-simple}" [create]=simple)
summary=$OUT/summary.txt.new
{
  echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')  host: $(nproc) cores, $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)"
  echo "tenants=$TENANTS tickets_per_tenant=$PER tokens=$TOKENS connections=$CONNS wrk_threads=$THREADS pool=$POOL duration=${DURATION}s rounds=$ROUNDS via=$VIA$([ "$VIA" = direct ] || echo " (transaction mode, $PGB_POOL server connections)")"
} > "$summary"

# One slice of each side appends a line to $OUT/<side>-<mode>.slices:
#   requests rate wall_seconds busy_ticks pg_ticks service_ticks client_seconds pgbouncer_ticks p50 p99 bad
service_slice() { # MODE ROUND
  local m=$1 r=$2 f="$OUT/wrk-$1-$2.txt"
  echo "== $m round $r: wrk, service ${path[$m]}, $CONNS connections, pool $POOL, ${DURATION}s, load $(load)" | tee "$f"
  local b0 g0 s0 x0 t0 b1 g1 s1 x1 t1
  b0=$(busy) g0=$(pgcpu) s0=$(srvcpu) x0=$(pgbcpu) t0=$(date +%s.%N)
  /usr/bin/time -f "%U %S" -o "$OUT/wrk-$m.time" \
    wrk -t"$THREADS" -c"$CONNS" -d"${DURATION}s" --latency -s "bench/$m.lua" \
    "http://127.0.0.1:$HTTP_PORT" -- "$OUT/tokens.txt" 2>> "$OUT/wrk-$m.err" | tee -a "$f"
  b1=$(busy) g1=$(pgcpu) s1=$(srvcpu) x1=$(pgbcpu) t1=$(date +%s.%N)
  echo "$(awk '/requests in/ {print $1}' "$f") $(awk '/^Requests\/sec:/ {print $2}' "$f")" \
    "$(awk -v a="$t0" -v b="$t1" 'BEGIN {print b - a}')" $((b1 - b0)) $((g1 - g0)) $((s1 - s0)) \
    "$(awk '{print $1 + $2}' "$OUT/wrk-$m.time")" $((x1 - x0)) "$(wrk_ms 50% "$f")" "$(wrk_ms 99% "$f")" \
    "$(awk '/Non-2xx or 3xx responses:/ {n = $NF} /Socket errors:/ {e = 1} END {print n + 0 + e}' "$f")" \
    >> "$OUT/service-$m.slices"
}
pgbench_slice() { # MODE ROUND
  local m=$1 r=$2 f="$OUT/pgbench-$1-$2.txt"
  echo "== $m round $r: pgbench ${script[$m]} (-M ${qmode[$m]}), $CONNS clients, ${DURATION}s, load $(load)" | tee "$f"
  local b0 g0 x0 t0 b1 g1 x1 t1
  rm -f "$OUT"/pgbench-"$m"-"$r".log*
  b0=$(busy) g0=$(pgcpu) x0=$(pgbcpu) t0=$(date +%s.%N)
  PGPASSWORD=${TENANTDESK_APP_PASSWORD:-tenantdesk_app} /usr/bin/time -f "%U %S" -o "$OUT/pgbench-$m.time" \
    "$TENANTDESK_PG_BIN/pgbench" -n -M "${qmode[$m]}" \
    -c "$CONNS" -j "$THREADS" -T "$DURATION" -D tlo="$tlo" -D thi="$thi" -f "${script[$m]}" \
    -l --log-prefix="$OUT/pgbench-$m-$r.log" \
    -h 127.0.0.1 -p "$DB_PORT" -U tenantdesk_app tenantdesk | tee -a "$f"
  # pgbench's backends end as it exits: let the postmaster reap them (and add their CPU time).
  sleep 1
  b1=$(busy) g1=$(pgcpu) x1=$(pgbcpu) t1=$(date +%s.%N)
  echo "$(awk '/actually processed/ {split($NF, a, "/"); print a[1]}' "$f") $(awk '/^tps = / {print $3; exit}' "$f")" \
    "$(awk -v a="$t0" -v b="$t1" 'BEGIN {print b - a}')" $((b1 - b0)) $((g1 - g0)) 0 \
    "$(awk '{print $1 + $2}' "$OUT/pgbench-$m.time")" $((x1 - x0)) \
    "$(pgb_ms 50 "$OUT"/pgbench-"$m"-"$r".log*)" "$(pgb_ms 99 "$OUT"/pgbench-"$m"-"$r".log*)" \
    "$(awk '/^number of failed transactions:/ {print $5}' "$f")" >> "$OUT/pgbench-$m.slices"
}
# Totals of one side's slices: requests, the pooled rate (requests over the time the slices
# measured), median p50 and p99 of the slices, bad answers, and the CPU line.
side() { # SLICES_FILE
  local tot
  tot=$(awk '{n += $1; t += $1 / $2; w += $3; b += $4; g += $5; s += $6; c += $7; x += $8; bad += $11}
    END {printf "%d %.1f %.3f %d %d %d %.3f %d %d", n, n / t, w, b, g, s, c, x, bad}' "$1")
  read -r n rate wall busy pg sv cl pb bad <<< "$tot"
  p50=$(awk '{print $9}' "$1" | sort -n | awk '{a[NR] = $1} END {print (NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2)}')
  p99=$(awk '{print $10}' "$1" | sort -n | awk '{a[NR] = $1} END {print (NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2)}')
  cpu=$(cpu_line "$n" "$wall" "$busy" "$pg" "$sv" "$cl" "$pb")
}

for m in "${modes[@]}"; do
  rm -f "$OUT/service-$m.slices" "$OUT/pgbench-$m.slices" "$OUT/wrk-$m.err"
  wl=$(load)
  # Odd rounds run the service first, even rounds pgbench first: a machine whose speed drifts
  # (a shared host's does, by tens of per cent within minutes) favours neither side.
  for r in $(seq "$ROUNDS"); do
    if [ $((r % 2)) = 1 ]; then service_slice "$m" "$r"; pgbench_slice "$m" "$r"
    else pgbench_slice "$m" "$r"; service_slice "$m" "$r"; fi
  done
  wl_after=$(load)
  side "$OUT/service-$m.slices"
  rps=$rate w50=$p50 w99=$p99 wbad=$bad wcpu=$cpu
  side "$OUT/pgbench-$m.slices"
  tps=$rate g50=$p50 g99=$p99 failed=$bad pcpu=$cpu
  ratios=$(paste -d' ' "$OUT/service-$m.slices" "$OUT/pgbench-$m.slices" |
    awk '{printf "%s%.2f", (NR > 1 ? " " : ""), $2 / $13}')
  median=$(tr ' ' '\n' <<< "$ratios" | sort -n | awk '{a[NR] = $1} END {print (NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2)}')
  # The rounds' mean ratio and its 95 % interval (normal approximation: mean ± 1.96 s / √n).
  interval=$(tr ' ' '\n' <<< "$ratios" | awk '{n++; s += $1; q += $1 * $1}
    END {m = s / n; sd = n > 1 ? sqrt((q - n * m * m) / (n - 1)) : 0; h = 1.96 * sd / sqrt(n)
      printf "mean %.3f, 95 %% interval %.3f–%.3f", m, m - h, m + h}')
  goal=$([ "$m" = list ] && echo 0.8 || echo 0.7)
  {
    echo
    echo "$m: ${path[$m]}  (pgbench: ${script[$m]}, -M ${qmode[$m]})"
    printf '  service (wrk)   %9.1f req/s  p50 %7.2f ms  p99 %7.2f ms  non-2xx %s  load %s -> %s\n' \
      "$rps" "$w50" "$w99" "$wbad" "$wl" "$wl_after"
    printf '  pgbench         %9.1f tps    p50 %7.2f ms  p99 %7.2f ms  failed %s\n' "$tps" "$g50" "$g99" "$failed"
    echo "  service side: $wcpu"
    echo "  pgbench side: $pcpu"
    [ "$ROUNDS" = 1 ] || echo "  rounds of ${DURATION}s each side: throughput service/pgbench by round $ratios (median $median; $interval); p50/p99 above are the rounds' medians"
    awk -v a="$rps" -v b="$tps" -v c="$w99" -v d="$g99" -v g="$goal" 'BEGIN {
      printf "  throughput service/pgbench %.2f (goal >= %s: %s)   p99 service/pgbench %.2f (goal <= 2: %s)\n",
        a / b, g, (a / b >= g ? "met" : "MISSED"), c / d, (c / d <= 2 ? "met" : "MISSED") }'
  } >> "$summary"
done
mv "$summary" "$OUT/summary.txt"
echo
cat "$OUT/summary.txt"
