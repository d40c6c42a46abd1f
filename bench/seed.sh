# Sourced by bench/run.sh and bench/ticket_search.sh: starts the embedded `bench` cluster on
# PG_PORT, sets BIN (BENCH_BIN, or the release build) and PGDATA_DIR, applies the migrations and
# seeds TENANTS × PER tickets from bench/seed.sql once (re-made when the size changes). Defines
# psql_su (psql as the cluster's superuser).
"$PG" start bench "$PG_PORT"
eval "$("$PG" env bench "$PG_PORT")"
# BENCH_BIN: an already built binary instead (to compare two builds on one seed).
if [ -n "${BENCH_BIN:-}" ]; then BIN=$BENCH_BIN; else cargo build --release --quiet; BIN=target/release/tenantdesk; fi
PGDATA_DIR=.local/data-bench
# A bench database made from an older version of a migration is simply re-made.
"$BIN" migrate || { "$PG" reset bench "$PG_PORT"; "$BIN" migrate; }
psql_su() { "$PG" psql bench "$PG_PORT" "$@"; }

# The seed's size is remembered in a table of its own (not part of the schema).
seeded=$(psql_su -tAc "select to_regclass('public.bench_seed') is not null" )
[ "$seeded" = t ] && seeded=$(psql_su -tAc "select tenants || 'x' || per from bench_seed")
if [ "$seeded" != "${TENANTS}x${PER}" ]; then
  have=$(psql_su -tAc "select count(*) from tickets")
  if [ "$have" != 0 ]; then
    "$PG" reset bench "$PG_PORT"
    "$BIN" migrate
  fi
  echo "seeding $TENANTS tenants × $PER tickets (a minute or more)" >&2
  time psql_su -v tenants="$TENANTS" -v per="$PER" -f bench/seed.sql
  psql_su -qc "create table bench_seed as select $TENANTS as tenants, $PER as per"
else
  # Undo earlier create runs (the seed writes no history rows), so every run lists and numbers
  # the same data; the large tenant of bench/ticket_search.sh, when there is one, stays.
  psql_su -q <<SQL
delete from ticket_status_history;
delete from tickets where number > $PER
   and tenant_id in (select md5('bench-' || g)::uuid from generate_series(1, $TENANTS) g);
update ticket_counters set last_number = $PER where last_number <> $PER
   and tenant_id in (select md5('bench-' || g)::uuid from generate_series(1, $TENANTS) g);
vacuum analyze tickets, ticket_status_history, ticket_counters;
SQL
fi
