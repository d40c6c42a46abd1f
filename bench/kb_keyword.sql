-- Keyword search at the SQL level (bench/kb.sh keyword): the query before sql/0005 (the match
-- under RLS, so never through the GIN index) against the service's query now (the match in
-- kb_chunks_matching), as tenantdesk_tenant for tenant :g, each query :rounds times after 3
-- warm-up runs; EXECUTE … USING, as the service's custom plans. Prints p50/p95 in ms.
\set ON_ERROR_STOP on
begin;
select set_config('role', 'tenantdesk_tenant', true),
       set_config('app.tenant_id', md5('bench-' || :'g')::uuid::text, true) \gset
set local client_min_messages = notice;
do $$
declare
  filters constant text := 'c.tenant_id = $1 and c.model = $3 and c.version = d.current_version
    and d.deleted_at is null and d.is_active
    and ($4::uuid is null or d.collection_id = $4) and ($5::text is null or d.doc_type = $5)
    and ($6::text is null or d.category = $6) and ($7::jsonb is null or d.metadata @> $7)';
  before constant text := 'select count(*) from (select c.id, ts_rank_cd(c.tsv, q.q)::float8 as score
           from kb_chunks c
           join kb_documents d on d.tenant_id = c.tenant_id and d.id = c.document_id
          cross join (select websearch_to_tsquery(''english'', $2) as q) q
          where c.tsv @@ q.q and ' || filters || '
          order by score desc, c.id limit $8) x';
  now_ constant text := 'select count(*) from (select t.chunk_id, ch.content, t.score
           from (select c.id as chunk_id, d.id as document_id, d.title, c.version, c.rank::float8 as score
                   from kb_chunks_matching(websearch_to_tsquery(''english'', $2)) c
                   join kb_documents d on d.tenant_id = c.tenant_id and d.id = c.document_id
                  where ' || filters || '
                  order by score desc, c.id limit $8) t
           join kb_chunks ch on ch.tenant_id = $1 and ch.id = t.chunk_id) x';
  tid uuid := current_setting('app.tenant_id')::uuid;
  q text; variant text; sql text; n bigint; t0 timestamptz; ms float8[];
begin
  foreach q in array array['password', 'chunk 1234', 'zebra', 'reset my password'] loop
    foreach variant in array array['before 0005 (match under RLS)', 'kb_chunks_matching'] loop
      sql := case when variant like 'before%' then before else now_ end;
      ms := '{}';
      for i in 1..(3 + current_setting('bench.rounds')::int) loop
        t0 := clock_timestamp();
        execute sql into n using tid, q, 'all-MiniLM-L6-v2', null::uuid, null::text, null::text, null::jsonb, 10::bigint;
        if i > 3 then ms := ms || extract(epoch from clock_timestamp() - t0)::float8 * 1000; end if;
      end loop;
      raise notice '%', (select format('tenant %s | %-20s | %-30s | %s results | p50 %s ms p95 %s ms',
          current_setting('bench.g'), quote_literal(q), variant, n,
          round((percentile_cont(0.5) within group (order by m))::numeric, 2),
          round((percentile_cont(0.95) within group (order by m))::numeric, 2)) from unnest(ms) m);
    end loop;
  end loop;
end $$;
rollback;
