-- The 20 most frequent search queries (trimmed, lowercased) of the tenant $1 (null: the
-- platform) over [$2, $3).
select lower(btrim(s.query)) as q, count(*) as n,
    count(*) filter (where s.results = 0) as zero
   from search_log s
  where ($1::uuid is null or s.tenant_id = $1) and s.created_at >= $2 and s.created_at < $3
and s.query is not null
  group by 1 order by n desc, q limit 20
