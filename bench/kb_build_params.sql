-- Does a denser graph reach recall@10 >= 0.98 for the 10 % tenant? (bench/kb.sh load's data)
-- A copy of the 384-dim vectors (superuser, tenant filter written out instead of RLS) indexed with
-- other build parameters than the migration's (m 16, ef_construction 64); the service's query
-- shape: iterative relaxed_order scan under a tenant filter, re-sorted.
\set ON_ERROR_STOP on
\timing on
select set_config('bench.m', :'m', false), set_config('bench.efc', :'efc', false) \g /dev/null
set client_min_messages = warning;
drop table if exists bench_copy;  -- kept after the run; dropped here and by the next load
create table bench_copy as select tenant_id, id, embedding::vector(384) as e from kb_chunks where dims = 384;
set maintenance_work_mem = '1GB';
set max_parallel_maintenance_workers = 1;
create index on bench_copy using hnsw (e vector_cosine_ops) with (m = :m, ef_construction = :efc);
analyze bench_copy;
\timing off
set client_min_messages = notice;
set hnsw.iterative_scan = relaxed_order;
do $$
declare ef int; q record; ids uuid[]; hits int; t0 timestamptz; ms float8; n int;
begin
  foreach ef in array array[40, 100, 200, 400] loop
    perform set_config('hnsw.ef_search', ef::text, false);
    hits := 0; ms := 0; n := 0;
    for q in select b.v, e.ids from bench_queries b join bench_exact e using (g, n) where b.g = 2 loop
      t0 := clock_timestamp();
      execute 'select array_agg(id) from (select id from bench_copy where tenant_id = md5(''bench-2'')::uuid
                order by e <=> $1 limit 10) k' into ids using q.v;
      ms := ms + extract(epoch from clock_timestamp() - t0) * 1000; n := n + 1;
      hits := hits + (select count(*) from unnest(ids) i where i = any(q.ids));
    end loop;
    raise notice 'm % ef_construction % ef_search %: recall@10 % (tenant 2), mean % ms',
      current_setting('bench.m'), current_setting('bench.efc'), ef, round(hits::numeric / (10 * n), 3), round((ms / n)::numeric, 2);
  end loop;
end $$;
explain (costs off) select id from bench_copy where tenant_id = md5('bench-2')::uuid
  order by e <=> (select v from bench_queries limit 1) limit 10;
