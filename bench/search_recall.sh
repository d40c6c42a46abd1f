#!/usr/bin/env bash
# Semantic search under row-level security: recall@10 and latency of the HNSW path that
# POST /v1/search takes (iterative scan, relaxed order, re-sorted), against the exact answer, for a
# small tenant whose vectors are outnumbered by other tenants' vectors.
#
#   bench/search_recall.sh [PORT]     (default 5434: the `make test` cluster; it must be running)
#
# Works in its own database (tenantdesk_bench) on that cluster, made by deploy/bootstrap.sql and
# the migrations in sql/, so nothing else is touched. Not part of `make test`: it takes minutes.
# Sizes: TENANTS (default 20) tenants of PER_TENANT (1000) random unit vectors of 384 dims, plus
# one small tenant of SMALL (200); QUERIES (50) random query vectors; EF_SEARCH (40, the
# service's value for top_k ≤ 40) candidates per HNSW step. SKIP_LOAD=1 reuses the loaded data
# (same sizes) to try other EF_SEARCH values.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PORT=${1:-5434}
export TENANTDESK_DB_NAME=tenantdesk_bench
PG="$ROOT/deploy/embedded-pg.sh"
TENANTS=${TENANTS:-20} PER_TENANT=${PER_TENANT:-1000} SMALL=${SMALL:-200} QUERIES=${QUERIES:-50}
EF_SEARCH=${EF_SEARCH:-40}
psql() { "$PG" psql test "$PORT" -v ON_ERROR_STOP=1 "$@"; }

if [ "${SKIP_LOAD:-0}" != 1 ]; then
"$PG" reset test "$PORT" >/dev/null 2>&1
for f in "$ROOT"/sql/*.sql; do
  psql -c "set role tenantdesk_owner" -f "$f" >/dev/null
done

echo "loading $TENANTS x $PER_TENANT + $SMALL vectors…" >&2
psql -q <<SQL
set client_min_messages = warning;
-- Random unit vectors, deterministic.
select setseed(0.42) \g /dev/null
create temp table src as
  select t, i, (select array_agg(random() - 0.5) from generate_series(1, 384) where g.i is not null) as v
    from generate_series(0, $TENANTS) t
   cross join lateral generate_series(1, case when t = 0 then $SMALL else $PER_TENANT end) g(i);
insert into tenants (id, name, slug)
  select ('00000000-0000-0000-0000-' || lpad(t::text, 12, '0'))::uuid, 'bench ' || t, 'bench-' || t
    from generate_series(0, $TENANTS) t;
insert into kb_documents (tenant_id, id, title)
  select ('00000000-0000-0000-0000-' || lpad(t::text, 12, '0'))::uuid, uuidv7(), 'doc'
    from generate_series(0, $TENANTS) t;
insert into kb_document_versions (tenant_id, document_id, version, raw_content, content, content_hash)
  select tenant_id, id, 1, 'x', 'x', '\x00' from kb_documents;
insert into kb_chunks (tenant_id, document_id, version, chunk_index, content, token_count, content_hash,
                       model, dims, embedding)
  select d.tenant_id, d.id, 1, s.i, 'chunk', 1, '\x00', 'bench', 384,
         l2_normalize(s.v::vector)
    from src s join kb_documents d on d.tenant_id = ('00000000-0000-0000-0000-' || lpad(s.t::text, 12, '0'))::uuid;
analyze;
SQL
fi

# Query as tenant $1 (0 is the small one).
query_as() {
  local t=$1 TID OWN
  TID=00000000-0000-0000-0000-$(printf '%012d' "$t")
  OWN=$([ "$t" = 0 ] && echo "$SMALL" || echo "$PER_TENANT")
psql -q -t <<SQL
set client_min_messages = notice;
begin;
select set_config('role', 'tenantdesk_tenant', true),
       set_config('app.tenant_id', '$TID', true) \gset
select set_config('hnsw.ef_search', '$EF_SEARCH', true) \gset
do \$\$
declare
  q vector;
  exact uuid[];
  got uuid[];
  t0 timestamptz;
  hits int := 0; total int := 0; short int := 0;
  t_exact interval := '0'; t_hnsw interval := '0'; t_plain interval := '0';
  line text; used_hnsw boolean := false; planner_path text := 'other';
  t_planner interval := '0'; hits_planner int := 0;
  n_plain int; plain_short int := 0;
  sql text := 'select array_agg(id order by d) from (select c.id, c.embedding::vector(384) <=> \$1 as d
                 from kb_chunks c join kb_documents doc on doc.tenant_id = c.tenant_id and doc.id = c.document_id
                where c.dims = 384 and c.model = ''bench'' and c.tenant_id = ''$TID''
                  and c.version = doc.current_version and doc.deleted_at is null and doc.is_active
                order by c.embedding::vector(384) <=> \$1 limit 10) s';
begin
  perform setseed(0.7);
  for n in 1..$QUERIES loop
    q := l2_normalize((select array_agg(random() - 0.5) from generate_series(1, 384) where n is not null)::vector);
    -- exact: no index
    set local enable_indexscan = off; set local enable_bitmapscan = off;
    t0 := clock_timestamp(); execute sql into exact using q; t_exact := t_exact + (clock_timestamp() - t0);
    -- the service's path: HNSW with iterative scan, relaxed order
    set local enable_indexscan = on; set local enable_bitmapscan = on; set local enable_sort = off;
    perform set_config('hnsw.iterative_scan', 'relaxed_order', true);
    t0 := clock_timestamp(); execute sql into got using q; t_hnsw := t_hnsw + (clock_timestamp() - t0);
    if coalesce(cardinality(got), 0) < 10 then short := short + 1; end if;
    hits := hits + (select count(*) from unnest(got) g where g = any(exact));
    total := total + 10;
    -- what the service runs: its settings, and the planner picks the path
    set local enable_sort = on;
    t0 := clock_timestamp(); execute sql into got using q; t_planner := t_planner + (clock_timestamp() - t0);
    hits_planner := hits_planner + (select count(*) from unnest(got) g where g = any(exact));
    if n = 1 then
      for line in execute 'explain ' || sql using q loop
        if line like '%kb_chunks_embedding_384_hnsw%' then planner_path := 'HNSW index';
        elsif line like '%kb_chunks_position_key%' and planner_path = 'other' then planner_path := 'tenant btree + sort';
        end if;
      end loop;
    end if;
    set local enable_sort = off;
    -- a plain HNSW scan (no iterative scan) for comparison
    perform set_config('hnsw.iterative_scan', 'off', true);
    t0 := clock_timestamp(); execute sql into got using q; t_plain := t_plain + (clock_timestamp() - t0);
    if coalesce(cardinality(got), 0) < 10 then plain_short := plain_short + 1; end if;
    -- the plan of the service's path really walks the HNSW index
    if n = 1 then
      perform set_config('hnsw.iterative_scan', 'relaxed_order', true);
      set local enable_sort = off;
      for line in execute 'explain ' || sql using q loop
        used_hnsw := used_hnsw or line like '%kb_chunks_embedding_384_hnsw%';
      end loop;
    end if;
    set local enable_sort = on;
  end loop;
  if not used_hnsw then raise exception 'the HNSW index was not used'; end if;
  raise notice 'tenant with % of % vectors, % queries, ef_search %', $OWN, $SMALL + $TENANTS * $PER_TENANT, $QUERIES, $EF_SEARCH;
  raise notice 'exact (no index):              mean % ms', round(extract(epoch from t_exact) * 1000 / $QUERIES, 2);
  raise notice 'HNSW + iterative relaxed_order: mean % ms, recall@10 %, queries with < 10 results %',
    round(extract(epoch from t_hnsw) * 1000 / $QUERIES, 2), round(hits::numeric / total, 3), short;
  raise notice 'as served (planner chose %):   mean % ms, recall@10 %', planner_path,
    round(extract(epoch from t_planner) * 1000 / $QUERIES, 2), round(hits_planner::numeric / total, 3);
  raise notice 'HNSW, iterative scan off:       mean % ms, queries with < 10 results %',
    round(extract(epoch from t_plain) * 1000 / $QUERIES, 2), plain_short;
end \$\$;
rollback;
SQL
}

echo "querying as the small tenant…" >&2
query_as 0
echo "querying as a large tenant…" >&2
query_as 1
