#!/usr/bin/env bash
# Analytics timings (issue 14, point 5): GET /v1/analytics/tickets and /v1/analytics/knowledge for
# one tenant and one year, on the benchmark data (bench/run.sh's seed: 1,000 tenants × 1,000
# tickets), plus bench/analytics_seed.sql (resolution times, first replies, status history, 200
# recorded searches per tenant; applied once).
#
# 1. Every query of the two endpoints (the very files in src/repo/sql/), prepared and run with
#    EXPLAIN (ANALYZE, BUFFERS) as the service's tenant role under row-level security (custom
#    plans, as the service's unnamed statements get): plans in bench/out/analytics-<query>.txt.
# 2. The endpoints over HTTP (release build, one request at a time, RUNS times each) with an
#    admin's token of tenant 1: p50 and max in bench/out/analytics-http.txt.
#
#   bench/run.sh            # once, to seed the cluster
#   bench/analytics.sh      # BENCH_PG_PORT, BENCH_HTTP_PORT, RUNS=20
set -euo pipefail
cd "$(dirname "$0")/.."

PG_PORT=${BENCH_PG_PORT:-5443}
HTTP_PORT=${BENCH_HTTP_PORT:-8089}
RUNS=${RUNS:-20}
PG=deploy/embedded-pg.sh
OUT=bench/out
mkdir -p "$OUT"

"$PG" start bench "$PG_PORT"
eval "$("$PG" env bench "$PG_PORT")"
if [ -n "${BENCH_BIN:-}" ]; then BIN=$BENCH_BIN; else cargo build --release --quiet; BIN=target/release/tenantdesk; fi
"$BIN" migrate
psql_su() { "$PG" psql bench "$PG_PORT" "$@"; }
[ "$(psql_su -tAc "select to_regclass('public.bench_seed') is not null")" = t ] ||
  { echo "seed the bench cluster first: bench/run.sh" >&2; exit 1; }
tenants=$(psql_su -tAc "select tenants from bench_seed")
if [ "$(psql_su -tAc "select to_regclass('public.bench_analytics_seed') is not null")" != t ]; then
  echo "adding the analytics data for $tenants tenants" >&2
  time psql_su -v tenants="$tenants" -f - < bench/analytics_seed.sql
fi
tenant=$(python3 -c "import hashlib, uuid; print(uuid.UUID(hashlib.md5(b'bench-1').hexdigest()))")

echo "== plans (EXPLAIN ANALYZE as tenantdesk_tenant, tenant 1, one year)" > "$OUT/analytics-plans.txt"
for q in series times backlog agents knowledge top_queries; do
  {
    echo "begin;"
    echo "set local role tenantdesk_tenant;"
    echo "select set_config('app.tenant_id', '$tenant', true), set_config('app.role', 'admin', true) \\g /dev/null"
    echo "prepare q(uuid, timestamptz, timestamptz, text) as"
    grep -v '^--' "src/repo/sql/analytics_$q.sql"
    echo ";"
    # The third run is the one reported (warm cache, as the service's steady state).
    for _ in 1 2; do
      echo "explain (analyze) execute q('$tenant', now() - interval '1 year', now(), 'week') \\g /dev/null"
    done
    echo "explain (analyze, buffers) execute q('$tenant', now() - interval '1 year', now(), 'week');"
    echo "rollback;"
  } | psql_su -q > "$OUT/analytics-$q.txt"
  printf '%-12s %s\n' "$q" "$(grep -E 'Execution Time' "$OUT/analytics-$q.txt")" >> "$OUT/analytics-plans.txt"
done

secret=$(head -c 48 /dev/urandom | base64 | tr -d '/+=\n')
JWT_KEYS="bench:$secret" BIND_ADDR="127.0.0.1:$HTTP_PORT" MIGRATE_ON_START=false WORKER_ENABLED=false \
  RUST_LOG=warn "$BIN" serve > "$OUT/analytics-server.log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true' EXIT
for _ in $(seq 50); do
  curl -fsS "http://127.0.0.1:$HTTP_PORT/healthz" >/dev/null 2>&1 && break
  sleep 0.2
done
token=$(python3 - "$secret" <<'PY'
import base64, hashlib, hmac, json, sys, time, uuid
b64 = lambda b: base64.urlsafe_b64encode(b).rstrip(b"=").decode()
md5_uuid = lambda s: str(uuid.UUID(hashlib.md5(s.encode()).hexdigest()))
now = int(time.time())
head = b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": "bench"}, separators=(",", ":")).encode())
claims = {"sub": md5_uuid("bench-admin-1"), "tenant": md5_uuid("bench-1"), "role": "admin",
          "iat": now, "exp": now + 3600, "jti": str(uuid.uuid4()), "ver": 0,
          "iss": "tenantdesk", "aud": "tenantdesk-api"}
signing = head + "." + b64(json.dumps(claims, separators=(",", ":")).encode())
print(signing + "." + b64(hmac.new(sys.argv[1].encode(), signing.encode(), hashlib.sha256).digest()))
PY
)
from=$(date -u -d '1 year ago' +%Y-%m-%dT%H:%M:%SZ)
to=$(date -u +%Y-%m-%dT%H:%M:%SZ)
{
  echo "== over HTTP: tenant 1's admin, one year, $RUNS requests each, one at a time (ms); load $(cut -d' ' -f1-3 /proc/loadavg)"
  for path in "/v1/analytics/tickets?from=$from&to=$to&interval=week" \
              "/v1/analytics/tickets?from=$from&to=$to&interval=day" \
              "/v1/analytics/knowledge?from=$from&to=$to"; do
    status=$(curl -s -o "$OUT/analytics-body.json" -w '%{http_code}' -H "Authorization: Bearer $token" "http://127.0.0.1:$HTTP_PORT$path")
    [ "$status" = 200 ] || { echo "$path answered $status: $(cat "$OUT/analytics-body.json")" >&2; exit 1; }
    for _ in $(seq "$RUNS"); do
      curl -s -o /dev/null -w '%{time_total}\n' -H "Authorization: Bearer $token" "http://127.0.0.1:$HTTP_PORT$path"
    done | sort -n | awk -v p="${path%%\?*} ${path##*interval=}" '{ a[NR] = $1 * 1000 }
      END { printf "%-40s p50 %6.1f  max %6.1f\n", p, a[int((NR + 1) / 2)], a[NR] }'
  done
} > "$OUT/analytics-http.txt"
cat "$OUT/analytics-plans.txt" "$OUT/analytics-http.txt"
