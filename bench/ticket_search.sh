#!/usr/bin/env bash
# Ticket search and tag filters under row-level security (issue 11, point 3), at the SQL level:
# the list query of `GET /v1/tickets?q=…&tag=…` before sql/0040 (one statement, `@@`/`@>` under
# RLS) against the service's statements now (the first 1,000 rows walked; when that fills no
# page, ticket_search_candidates, then the list over the candidates), as tenantdesk_tenant with an
# agent's settings, on bench/seed.sql's TENANTS × PER tickets (tenant bench-1) and on one tenant
# of BIG tickets (tenant TENANTS + 1, bench-1001, seeded once, with bench/seed_search.sql), for a
# word in no ticket, in one, in a sixth and in every one, a phrase with a negation, a rare and a
# common tag, and q + tag + status. Prints p50/p95 and EXPLAIN (ANALYZE, BUFFERS) of every
# statement (bench/ticket_search.sql) into bench/out/ticket-search-<slug>.txt.
#
#   bench/ticket_search.sh
#   VARIANTS=before EXPLAIN=off bench/ticket_search.sh     (e.g. on a database before 0040)
#   SLUGS=bench-1 ROUNDS=50 bench/ticket_search.sh
set -euo pipefail
cd "$(dirname "$0")/.."

TENANTS=${TENANTS:-1000}
PER=${PER:-1000}
BIG=${BIG:-1000000}
PG_PORT=${BENCH_PG_PORT:-5443}
ROUNDS=${ROUNDS:-20}
ROUNDS_BIG=${ROUNDS_BIG:-5}
VARIANTS=${VARIANTS:-before,now}
EXPLAIN=${EXPLAIN:-on}
SLUGS=${SLUGS:-bench-1 bench-$((TENANTS + 1))}
PG=deploy/embedded-pg.sh
OUT=bench/out
mkdir -p "$OUT"

. bench/seed.sh

# The large tenant: the one after the others, seeded by seed.sql alone, then the search data.
big_slug=bench-$((TENANTS + 1))
big=$(psql_su -tAc "select coalesce((select last_number from ticket_counters
                      where tenant_id = md5('$big_slug')::uuid), 0)")
if [ "$big" != "$BIG" ]; then
  [ "$big" = 0 ] || { echo "$big_slug has $big tickets, not BIG=$BIG: delete .local/data-bench (make stop first)" >&2; exit 1; }
  echo "seeding $big_slug with $BIG tickets, then messages and tags (minutes)" >&2
  time psql_su -v first=$((TENANTS + 1)) -v tenants=$((TENANTS + 1)) -v per="$BIG" -f bench/seed.sql
  time psql_su -v big=$((TENANTS + 1)) -f bench/seed_search.sql
  # Now rather than by autovacuum in the middle of a measurement; it also empties the GIN
  # indexes' pending lists, which every look-up would otherwise read.
  time psql_su -qc "vacuum analyze tickets, ticket_messages"
fi

echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')  load: $(cut -d' ' -f1-3 /proc/loadavg)  $(nproc) cores" |
  tee "$OUT/ticket-search-env.txt"
for slug in $SLUGS; do
  rounds=$ROUNDS
  [ "$slug" = "bench-$((TENANTS + 1))" ] && rounds=$ROUNDS_BIG
  echo "== $slug, $rounds rounds, load $(cut -d' ' -f1-3 /proc/loadavg)" | tee "$OUT/ticket-search-$slug.txt"
  psql_su -q -v slug="$slug" -v rounds="$rounds" -v variants="$VARIANTS" -v explain="$EXPLAIN" \
    -f bench/ticket_search.sql 2>&1 | sed 's/^psql:[^:]*:[0-9]*: NOTICE:  //' | tee -a "$OUT/ticket-search-$slug.txt" |
    grep -v '^ \|^---\|^[A-Z]' || true
  echo "   load after: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$OUT/ticket-search-$slug.txt"
done
