-- Knowledge base: collections, documents with versions, chunks with embeddings, ingestion jobs.
--
-- Embeddings are stored in a dimension-agnostic `vector` column next to the `model` that made
-- them and their `dims`: a search only ever compares vectors of one model, and the HNSW index is
-- an expression index per dimension (`embedding::vector(384)`, partial on dims = 384; 384 is the
-- built-in model, 1536 the remote default) — a model of another size gets its own index in a later
-- migration and is searched exactly (without an index) until then.

create table kb_collections (
    tenant_id uuid not null references tenants (id),
    id uuid not null default uuidv7(),
    name text not null constraint kb_collections_name_check check (length(btrim(name)) between 1 and 200),
    description text not null default '' constraint kb_collections_description_check check (length(description) <= 2000),
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    primary key (tenant_id, id)
);
create unique index kb_collections_name_key on kb_collections (tenant_id, lower(name));

create table kb_documents (
    tenant_id uuid not null references tenants (id),
    id uuid not null default uuidv7(),
    collection_id uuid,
    title text not null constraint kb_documents_title_check check (length(btrim(title)) between 1 and 500),
    doc_type text not null default 'other'
        constraint kb_documents_doc_type_check check (doc_type in ('guide', 'api', 'faq', 'policy', 'other')),
    category text constraint kb_documents_category_check check (length(category) <= 200),
    source_url text constraint kb_documents_source_url_check check (length(source_url) <= 2000),
    metadata jsonb not null default '{}' constraint kb_documents_metadata_check check (jsonb_typeof(metadata) = 'object'),
    is_active boolean not null default true,
    deleted_at timestamptz,
    current_version int not null default 1,
    created_by uuid,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    primary key (tenant_id, id),
    constraint kb_documents_collection_fkey
        foreign key (tenant_id, collection_id) references kb_collections (tenant_id, id),
    foreign key (tenant_id, created_by) references users (tenant_id, id)
);
create index kb_documents_collection_idx on kb_documents (tenant_id, collection_id);
create index kb_documents_metadata_idx on kb_documents using gin (metadata jsonb_path_ops);

-- Every version of a document's content is kept; the current one has valid_to null.
create table kb_document_versions (
    tenant_id uuid not null references tenants (id),
    document_id uuid not null,
    version int not null constraint kb_document_versions_version_check check (version >= 1),
    content_type text not null default 'text/plain',
    raw_content text not null,
    content text not null,
    content_hash bytea not null,
    valid_from timestamptz not null default now(),
    valid_to timestamptz,
    created_by uuid,
    primary key (tenant_id, document_id, version),
    foreign key (tenant_id, document_id) references kb_documents (tenant_id, id) on delete cascade,
    foreign key (tenant_id, created_by) references users (tenant_id, id)
);
-- Finds a document whose current content is the same (a second upload is not stored twice).
create index kb_document_versions_hash_idx on kb_document_versions (tenant_id, content_hash) where valid_to is null;

create table kb_chunks (
    tenant_id uuid not null references tenants (id),
    id uuid not null default uuidv7(),
    document_id uuid not null,
    version int not null,
    chunk_index int not null constraint kb_chunks_chunk_index_check check (chunk_index >= 0),
    content text not null,
    token_count int not null constraint kb_chunks_token_count_check check (token_count >= 0),
    content_hash bytea not null,
    model text not null constraint kb_chunks_model_check check (length(model) between 1 and 200),
    dims int not null constraint kb_chunks_dims_check check (dims between 1 and 4096),
    embedding vector not null,
    tsv tsvector generated always as (to_tsvector('english'::regconfig, content)) stored,
    created_at timestamptz not null default now(),
    primary key (tenant_id, id),
    foreign key (tenant_id, document_id, version)
        references kb_document_versions (tenant_id, document_id, version) on delete cascade,
    constraint kb_chunks_dims_match check (vector_dims(embedding) = dims)
);
create unique index kb_chunks_position_key on kb_chunks (tenant_id, document_id, version, model, chunk_index);
-- ef_construction 200 (not the default 64): measured in bench/README.md, a denser graph is what
-- lets a tenant holding 10 % of the chunks reach recall@10 >= 0.98 at hnsw.ef_search 40 under
-- RLS (0.984 against 0.839), for inserts about 30 % slower.
create index kb_chunks_embedding_384_hnsw on kb_chunks
    using hnsw ((embedding::vector(384)) vector_cosine_ops) with (m = 16, ef_construction = 200)
    where dims = 384;
-- The size of OpenAI's text-embedding-3-small (the remote provider's default model).
create index kb_chunks_embedding_1536_hnsw on kb_chunks
    using hnsw ((embedding::vector(1536)) vector_cosine_ops) with (m = 16, ef_construction = 200)
    where dims = 1536;
create index kb_chunks_tsv_idx on kb_chunks using gin (tsv);

-- Background ingestion: chunk and embed documents. Claimed with FOR UPDATE SKIP LOCKED under a
-- lease; a worker that dies leaves its lease to expire and the job is claimed again.
create table kb_ingestion_jobs (
    tenant_id uuid not null references tenants (id),
    id uuid not null default uuidv7(),
    status text not null default 'pending'
        constraint kb_ingestion_jobs_status_check check (status in ('pending', 'running', 'completed', 'failed')),
    document_ids uuid[] not null,
    done_ids uuid[] not null default '{}',
    documents_processed int not null default 0,
    documents_failed int not null default 0,
    attempts int not null default 0,
    max_attempts int not null default 5,
    next_attempt_at timestamptz not null default now(),
    locked_until timestamptz,
    locked_by text,
    error_log jsonb not null default '[]' constraint kb_ingestion_jobs_error_log_check check (jsonb_typeof(error_log) = 'array'),
    created_by uuid,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    started_at timestamptz,
    finished_at timestamptz,
    primary key (tenant_id, id),
    foreign key (tenant_id, created_by) references users (tenant_id, id)
);
create index kb_ingestion_jobs_due_idx on kb_ingestion_jobs (next_attempt_at) where status in ('pending', 'running');

alter table kb_collections enable row level security;
alter table kb_collections force row level security;
alter table kb_documents enable row level security;
alter table kb_documents force row level security;
alter table kb_document_versions enable row level security;
alter table kb_document_versions force row level security;
alter table kb_chunks enable row level security;
alter table kb_chunks force row level security;
alter table kb_ingestion_jobs enable row level security;
alter table kb_ingestion_jobs force row level security;

create policy kb_collections_tenant on kb_collections for all to tenantdesk_tenant
    using (tenant_id = (select nullif(current_setting('app.tenant_id', true), '')::uuid))
    with check (tenant_id = (select nullif(current_setting('app.tenant_id', true), '')::uuid));
create policy kb_documents_tenant on kb_documents for all to tenantdesk_tenant
    using (tenant_id = (select nullif(current_setting('app.tenant_id', true), '')::uuid))
    with check (tenant_id = (select nullif(current_setting('app.tenant_id', true), '')::uuid));
create policy kb_document_versions_tenant on kb_document_versions for all to tenantdesk_tenant
    using (tenant_id = (select nullif(current_setting('app.tenant_id', true), '')::uuid))
    with check (tenant_id = (select nullif(current_setting('app.tenant_id', true), '')::uuid));
create policy kb_chunks_tenant on kb_chunks for all to tenantdesk_tenant
    using (tenant_id = (select nullif(current_setting('app.tenant_id', true), '')::uuid))
    with check (tenant_id = (select nullif(current_setting('app.tenant_id', true), '')::uuid));
create policy kb_ingestion_jobs_tenant on kb_ingestion_jobs for all to tenantdesk_tenant
    using (tenant_id = (select nullif(current_setting('app.tenant_id', true), '')::uuid))
    with check (tenant_id = (select nullif(current_setting('app.tenant_id', true), '')::uuid));
grant select, insert, update, delete on kb_collections, kb_documents, kb_document_versions, kb_chunks,
    kb_ingestion_jobs to tenantdesk_tenant;
-- Superadmins may read the knowledge base of any tenant (support), never write it.
create policy kb_collections_platform_read on kb_collections for select to tenantdesk_platform using (true);
create policy kb_documents_platform_read on kb_documents for select to tenantdesk_platform using (true);
create policy kb_ingestion_jobs_platform_read on kb_ingestion_jobs for select to tenantdesk_platform using (true);
grant select on kb_collections, kb_documents, kb_ingestion_jobs to tenantdesk_platform;

-- The worker serves every tenant, but has no tenant context until it holds a job. The owner runs
-- this narrow definer function: it claims one due job (pending, or running with an expired
-- lease) and returns only (tenant_id, job_id); the work itself then runs in a tenant
-- transaction for that tenant. Jobs whose lease expired after their last attempt fail here.
-- p_tenant, when given, limits the worker to one tenant (a dedicated worker for a large tenant).
create policy kb_ingestion_jobs_owner_claim on kb_ingestion_jobs for select to tenantdesk_owner using (true);
create policy kb_ingestion_jobs_owner_update on kb_ingestion_jobs for update to tenantdesk_owner
    using (true) with check (true);

create function kb_claim_ingestion_job(p_worker text, p_lease_secs int, p_tenant uuid)
returns table (tenant_id uuid, job_id uuid)
language plpgsql volatile security definer set search_path = public, pg_temp
as $$
begin
    update kb_ingestion_jobs j
       set status = 'failed', finished_at = now(), updated_at = now(), locked_by = null, locked_until = null,
           documents_failed = cardinality(j.document_ids) - j.documents_processed,
           error_log = j.error_log || jsonb_build_array(jsonb_build_object(
               'at', now(), 'error', 'lease expired on the last attempt'))
     where j.status = 'running' and j.locked_until < now() and j.attempts >= j.max_attempts;
    return query
    update kb_ingestion_jobs j
       set status = 'running', attempts = j.attempts + 1, locked_by = p_worker,
           locked_until = now() + make_interval(secs => p_lease_secs),
           started_at = coalesce(j.started_at, now()), updated_at = now()
      from (select c.tenant_id, c.id from kb_ingestion_jobs c
             where ((c.status = 'pending' and c.next_attempt_at <= now())
                    or (c.status = 'running' and c.locked_until < now() and c.attempts < c.max_attempts))
               and (p_tenant is null or c.tenant_id = p_tenant)
             order by c.next_attempt_at
             limit 1
             for update skip locked) due
     where j.tenant_id = due.tenant_id and j.id = due.id
    returning j.tenant_id, j.id;
end $$;
revoke all on function kb_claim_ingestion_job(text, int, uuid) from public;
grant execute on function kb_claim_ingestion_job(text, int, uuid) to tenantdesk_app;
