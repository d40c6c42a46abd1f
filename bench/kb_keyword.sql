-- Keyword search at the SQL level (bench/kb.sh keyword), as tenantdesk_tenant for tenant :g, each
-- query :rounds times after 3 warm-up runs; EXECUTE … USING, as the service's custom plans.
-- Prints p50/p95 in ms of:
--   0005 strict      the query of sql/0005 (every word must match, ranked by ts_rank_cd), which
--                    the service ran before issue 15;
--   bm25             the service's query now (src/repo/search.rs `keyword`): kb_chunks_bm25 over
--                    the chunks sharing any word (at most 1,000 candidates per language);
--   bm25 strict      the same function with strict matching (a query with an operator).
-- Then EXPLAIN ANALYZE of the candidate look-up inside kb_chunks_bm25 (the statement it
-- executes, with the values it binds for 'How do I reset my password?'), run as the owner the
-- function runs as, and of the service's whole query as tenantdesk_tenant under RLS.
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
  strict_0005 constant text := 'select count(*) from (select t.chunk_id, ch.content, t.score
           from (select c.id as chunk_id, d.id as document_id, d.title, c.version, c.rank::float8 as score
                   from kb_chunks_matching(websearch_to_tsquery(''english'', $2)) c
                   join kb_documents d on d.tenant_id = c.tenant_id and d.id = c.document_id
                  where ' || filters || ' and $9::boolean is not null
                  order by score desc, c.id limit $8) t
           join kb_chunks ch on ch.tenant_id = $1 and ch.id = t.chunk_id) x';
  bm25 constant text := 'select count(*) from (select c.id, c.content, d.title, m.score
           from kb_chunks_bm25($2, $9, 1000) m
           join kb_chunks c on c.tenant_id = $1 and c.id = m.id
           join kb_documents d on d.tenant_id = c.tenant_id and d.id = c.document_id
          where ' || filters || '
          order by m.score desc, c.id limit $8) x';
  tid uuid := current_setting('app.tenant_id')::uuid;
  q text; variant text; sql text; n bigint; t0 timestamptz; ms float8[];
begin
  foreach q in array array['zebra', '1234', 'chunk 1234', 'password', 'How do I reset my password?'] loop
    foreach variant in array array['0005 strict', 'bm25', 'bm25 strict'] loop
      sql := case when variant = '0005 strict' then strict_0005 else bm25 end;
      ms := '{}';
      for i in 1..(3 + current_setting('bench.rounds')::int) loop
        t0 := clock_timestamp();
        execute sql into n using tid, q, 'all-MiniLM-L6-v2', null::uuid, null::text, null::text,
          null::jsonb, 10::bigint, variant <> 'bm25';
        if i > 3 then ms := ms || extract(epoch from clock_timestamp() - t0)::float8 * 1000; end if;
      end loop;
      raise notice '%', (select format('tenant %s | %-32s | %-12s | %s results | p50 %s ms p95 %s ms',
          current_setting('bench.g'), quote_literal(q), variant, n,
          round((percentile_cont(0.5) within group (order by m))::numeric, 2),
          round((percentile_cont(0.95) within group (order by m))::numeric, 2)) from unnest(ms) m);
    end loop;
  end loop;
end $$;
\echo '-- the service query as tenantdesk_tenant (RLS): ''How do I reset my password?'''
explain (analyze, costs off, timing off, summary on)
select c.id, c.content, d.title, m.score
  from kb_chunks_bm25('How do I reset my password?', false, 1000) m
  join kb_chunks c on c.tenant_id = md5('bench-' || :'g')::uuid and c.id = m.id
  join kb_documents d on d.tenant_id = c.tenant_id and d.id = c.document_id
 where c.model = 'all-MiniLM-L6-v2' and c.version = d.current_version and d.deleted_at is null and d.is_active
 order by m.score desc, c.id limit 10;
-- What kb_chunks_bm25 executes, as the owner it runs as, with the values it binds: the
-- terms rarest first and the match of the rarest ones whose chunks fit under the cap.
reset role;
select set_config('role', 'tenantdesk_owner', true) \gset
select array_agg(t.lexeme order by t.chunks, t.lexeme) as terms,
       array_agg(t.chunks order by t.chunks, t.lexeme) as dfs
  from kb_term_stats t
 where t.tenant_id = md5('bench-' || :'g')::uuid and t.language = 'en'
   and t.lexeme = any(tsvector_to_array(to_tsvector('english', 'How do I reset my password?'))) \gset
\echo '-- inside kb_chunks_bm25 as the owner: terms' :'terms' 'in' :'dfs' 'chunks; candidates for the rarest'
explain (analyze, costs off, timing off, summary on)
with hits as (
  select c.id, c.tsv from kb_chunks c
   where c.tenant_id = md5('bench-' || :'g')::uuid and c.language = 'en'
     and (c.tsv || kb_tenant_lexeme(c.tenant_id)) @@ ((:'terms'::text[])[1]::tsquery && kb_tenant_query(md5('bench-' || :'g')::uuid))
   limit 1000)
select count(*) from hits;
explain (analyze, costs off, timing off, summary on)
select c.id from kb_chunks c
 where c.tenant_id = md5('bench-' || :'g')::uuid and c.language = 'en'
   and (c.tsv || kb_tenant_lexeme(c.tenant_id)) @@ ('1234'::tsquery && kb_tenant_query(md5('bench-' || :'g')::uuid))
 limit 1000;
rollback;
