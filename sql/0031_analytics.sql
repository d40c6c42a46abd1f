-- Analytics (issue 14, point 5): searches are recorded for the knowledge-base analytics, and the
-- platform role reads chunks (counts across tenants).

-- One row per search: what was asked (the query text, when there was one) and how many results
-- it returned. Tenant data: a tenant's admins read their own, superadmins all.
create table search_log (
    tenant_id uuid not null references tenants (id),
    id uuid not null default uuidv7(),
    created_at timestamptz not null default now(),
    mode text not null constraint search_log_mode_check check (mode in ('semantic', 'keyword', 'hybrid')),
    query text constraint search_log_query_check check (length(query) <= 2000),
    results int not null constraint search_log_results_check check (results >= 0),
    user_id uuid,
    api_key_id uuid,
    primary key (tenant_id, id)
);
create index search_log_created_idx on search_log (tenant_id, created_at);
alter table search_log enable row level security;
alter table search_log force row level security;
create policy search_log_tenant_append on search_log for insert to tenantdesk_tenant
    with check (tenant_id = (select nullif(current_setting('app.tenant_id', true), '')::uuid));
create policy search_log_tenant_read on search_log for select to tenantdesk_tenant
    using (tenant_id = (select nullif(current_setting('app.tenant_id', true), '')::uuid)
           and (select current_setting('app.role', true)) = 'admin');
create policy search_log_platform_read on search_log for select to tenantdesk_platform using (true);
-- Retention (retention_purge runs as the owner).
create policy search_log_owner on search_log for all to tenantdesk_owner using (true) with check (true);
grant select, insert on search_log to tenantdesk_tenant;
grant select on search_log to tenantdesk_platform;
insert into retention_targets values ('search_log', 'created_at', 'rows');

create policy kb_chunks_platform_read on kb_chunks for select to tenantdesk_platform using (true);
grant select on kb_chunks to tenantdesk_platform;
grant select on kb_documents to tenantdesk_platform;
