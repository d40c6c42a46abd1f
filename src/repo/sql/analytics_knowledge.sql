-- The knowledge base of the tenant $1 (null: the platform): live documents and chunks now, and
-- the searches over [$2, $3) and how many found nothing.
select
    (select count(*) from kb_documents d
      where ($1::uuid is null or d.tenant_id = $1) and d.deleted_at is null) as documents,
    (select count(*) from kb_chunks c where ($1::uuid is null or c.tenant_id = $1)) as chunks,
    count(*) as searches,
    count(*) filter (where s.results = 0) as zero_result_searches
   from search_log s
  where ($1::uuid is null or s.tenant_id = $1) and s.created_at >= $2 and s.created_at < $3
