-- Knowledge-base benchmark data (bench/kb.sh): :total chunks of 384 dims over tenants 1..:tenants
-- (ids md5('bench-' || g), as bench/mint_tokens.py names them), tenant 1 holding :small (1 %),
-- tenant 2 :large (10 %), the rest spread evenly over the others; 20 chunks per document.
-- Vectors (:dist):
--   mixture  a Gaussian mixture: :centroids random unit centroids shared by every tenant, each
--            vector = normalize(centroid + N(0, :sigma² I)) (σ = 0.05: |noise| ≈ 0.98, cosine to
--            its centroid ≈ 0.71, between two members of a cluster ≈ 0.5);
--   uniform  random unit vectors (isotropic), HNSW's worst case.
-- Plus bench_queries: 100 further points per measured tenant from the same distribution.
-- Run as the cluster's superuser (RLS does not apply) on a migrated database.
\set ON_ERROR_STOP on
set synchronous_commit = off;
set client_min_messages = warning;

truncate kb_chunks, kb_document_versions, kb_documents, jobs, kb_collections cascade;
drop table if exists bench_centroids, bench_queries, bench_exact, bench_dist;
delete from users where tenant_id in (select id from tenants where slug like 'bench-%');
delete from tenants where slug like 'bench-%';

insert into tenants (id, name, slug)
select md5('bench-' || g)::uuid, 'Bench tenant ' || g, 'bench-' || g from generate_series(1, :tenants) g;
insert into users (tenant_id, id, email, full_name, role)
select md5('bench-' || g)::uuid, md5('bench-agent-' || g)::uuid, 'agent@bench-' || g || '.test', 'Bench Agent', 'agent'
  from generate_series(1, :tenants) g;

select setseed(0.42) \g /dev/null
create table bench_centroids as
  select k, l2_normalize((select array_agg(random_normal()) from generate_series(1, 384) where k is not null)::vector(384)) as c
    from generate_series(0, :centroids - 1) k;

-- Chunk i (0-based) of the data set: its tenant and position.
create temp table layout as
  select i,
         case when i < :small then 1
              when i < :small + :large then 2
              else 3 + (i - :small - :large) % (:tenants - 2) end as g
    from generate_series(0, :total - 1) i;
create temp table placed as
  select i, g, (row_number() over (partition by g order by i) - 1)::int as n,
         floor(random() * :centroids)::int as k
    from layout;

insert into kb_documents (tenant_id, id, title, doc_type, created_at)
select distinct md5('bench-' || g)::uuid, md5('bench-doc-' || g || '-' || n / 20)::uuid,
       'Bench document ' || g || '/' || n / 20, 'guide', now()
  from placed;
insert into kb_document_versions (tenant_id, document_id, version, raw_content, content, content_hash)
select tenant_id, id, 1, 'x', 'x', '\x00' from kb_documents;

insert into kb_chunks (tenant_id, document_id, version, chunk_index, content, token_count, content_hash,
                       model, dims, embedding)
select md5('bench-' || p.g)::uuid, md5('bench-doc-' || p.g || '-' || p.n / 20)::uuid, 1, p.n % 20,
       'Bench chunk ' || p.n || ' of tenant ' || p.g || ': how to reset a password, configure the VPN or read an invoice.',
       20, '\x00', 'all-MiniLM-L6-v2', 384,
       case when :'dist' = 'uniform'
            then l2_normalize((select array_agg(random_normal()) from generate_series(1, 384) where p.i is not null)::vector(384))
            else l2_normalize(c.c + (select array_agg(random_normal(0, :sigma)) from generate_series(1, 384) where p.i is not null)::vector(384))
       end
  from placed p
  join bench_centroids c on c.k = p.k;

create table bench_queries as
select g, n,
       case when :'dist' = 'uniform'
            then l2_normalize((select array_agg(random_normal()) from generate_series(1, 384) where n is not null)::vector(384))
            else l2_normalize(c.c + (select array_agg(random_normal(0, :sigma)) from generate_series(1, 384) where n is not null)::vector(384))
       end as v
  from (select g, n, floor(random() * :centroids)::int as k
          from generate_series(1, 2) g cross join generate_series(1, 100) n) q
  join bench_centroids c on c.k = q.k;
create table bench_dist as select :'dist'::text as dist, :total as total;
