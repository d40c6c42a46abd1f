-- Tickets and conversations: tickets with a per-tenant human number (TCK-<n>), their status
-- history, messages, references to external systems, and stored responses for Idempotency-Key.
--
-- Visibility inside a tenant is a policy, not only a handler rule: agents and admins see every
-- ticket of their tenant, a `user` sees the tickets they created and, on those, the messages that
-- are not internal notes. The role and user come from app.role / app.user_id, set per transaction
-- by src/db/tenant.rs; each is read through (select …) so it is one InitPlan per statement, and
-- an unset setting yields NULL, so nothing matches.

-- The last number handed out per tenant; bumped by the ticket insert in the same transaction
-- (a rolled-back insert may leave a gap, which is fine).
create table ticket_counters (
    tenant_id uuid primary key references tenants (id),
    last_number bigint not null default 0
);

create table tickets (
    tenant_id uuid not null references tenants (id),
    id uuid not null default uuidv7(),
    number bigint not null,
    title text not null constraint tickets_title_check check (length(btrim(title)) between 1 and 300),
    description text not null default '' constraint tickets_description_check check (length(description) <= 50000),
    status text not null default 'open' constraint tickets_status_check check (status in
        ('open', 'in_progress', 'pending_customer', 'resolved', 'closed', 'escalated', 'reopened')),
    priority text not null default 'medium' constraint tickets_priority_check check (priority in
        ('low', 'medium', 'high', 'urgent')),
    -- For sorting by priority (low = 1 … urgent = 4).
    priority_rank smallint generated always as (case priority
        when 'low' then 1 when 'medium' then 2 when 'high' then 3 else 4 end) stored,
    source text not null default 'api' constraint tickets_source_check check (source in
        ('web', 'email', 'api', 'chat')),
    assignee_id uuid,
    -- NULL when an API key or a superadmin opened the ticket.
    creator_id uuid,
    tags text[] not null default '{}' constraint tickets_tags_check check (cardinality(tags) <= 50),
    metadata jsonb not null default '{}' constraint tickets_metadata_check check (jsonb_typeof(metadata) = 'object'),
    -- Bumped on every change of the ticket itself; the ETag is derived from it.
    version integer not null default 1,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    resolved_at timestamptz,
    closed_at timestamptz,
    search tsvector generated always as (
        setweight(to_tsvector('english'::regconfig, title), 'A')
        || setweight(to_tsvector('english'::regconfig, description), 'B')) stored,
    primary key (tenant_id, id),
    constraint tickets_number_key unique (tenant_id, number),
    constraint tickets_assignee_fkey foreign key (tenant_id, assignee_id) references users (tenant_id, id),
    constraint tickets_creator_fkey foreign key (tenant_id, creator_id) references users (tenant_id, id)
);
-- Listing: newest/oldest first, recently updated, by priority; a user's own tickets; filters.
create index tickets_created_idx on tickets (tenant_id, created_at, id);
create index tickets_updated_idx on tickets (tenant_id, updated_at, id);
create index tickets_priority_idx on tickets (tenant_id, priority_rank, id);
create index tickets_creator_idx on tickets (tenant_id, creator_id, created_at, id);
create index tickets_assignee_idx on tickets (tenant_id, assignee_id, created_at, id);
create index tickets_status_idx on tickets (tenant_id, status, created_at, id);
create index tickets_tags_idx on tickets using gin (tags);
create index tickets_search_idx on tickets using gin (search);

create table ticket_status_history (
    tenant_id uuid not null references tenants (id),
    id uuid not null default uuidv7(),
    ticket_id uuid not null,
    -- NULL for the row written when the ticket is created.
    from_status text,
    to_status text not null,
    actor_id uuid,
    reason text constraint ticket_status_history_reason_check check (length(reason) <= 2000),
    created_at timestamptz not null default now(),
    primary key (tenant_id, id),
    foreign key (tenant_id, ticket_id) references tickets (tenant_id, id) on delete cascade,
    foreign key (tenant_id, actor_id) references users (tenant_id, id)
);
create index ticket_status_history_ticket_idx on ticket_status_history (tenant_id, ticket_id, id);

create table ticket_messages (
    tenant_id uuid not null references tenants (id),
    id uuid not null default uuidv7(),
    ticket_id uuid not null,
    role text not null constraint ticket_messages_role_check check (role in ('user', 'agent', 'assistant', 'system')),
    author_id uuid,
    content text not null constraint ticket_messages_content_check check (length(btrim(content)) between 1 and 50000),
    is_internal boolean not null default false,
    metadata jsonb not null default '{}' constraint ticket_messages_metadata_check check (jsonb_typeof(metadata) = 'object'),
    created_at timestamptz not null default now(),
    search tsvector generated always as (to_tsvector('english'::regconfig, content)) stored,
    primary key (tenant_id, id),
    foreign key (tenant_id, ticket_id) references tickets (tenant_id, id) on delete cascade,
    foreign key (tenant_id, author_id) references users (tenant_id, id)
);
create index ticket_messages_ticket_idx on ticket_messages (tenant_id, ticket_id, id);
create index ticket_messages_search_idx on ticket_messages using gin (search);

create table ticket_external_refs (
    tenant_id uuid not null references tenants (id),
    id uuid not null default uuidv7(),
    ticket_id uuid not null,
    system text not null constraint ticket_external_refs_system_check check (system ~ '^[a-z0-9][a-z0-9_.-]{0,49}$'),
    external_id text not null constraint ticket_external_refs_external_id_check check (length(btrim(external_id)) between 1 and 200),
    url text constraint ticket_external_refs_url_check check (length(url) <= 2000),
    metadata jsonb not null default '{}' constraint ticket_external_refs_metadata_check check (jsonb_typeof(metadata) = 'object'),
    created_by uuid,
    created_at timestamptz not null default now(),
    primary key (tenant_id, id),
    constraint ticket_external_refs_key unique (tenant_id, system, external_id),
    foreign key (tenant_id, ticket_id) references tickets (tenant_id, id) on delete cascade,
    foreign key (tenant_id, created_by) references users (tenant_id, id)
);
create index ticket_external_refs_ticket_idx on ticket_external_refs (tenant_id, ticket_id, id);

-- Responses to requests that carried an Idempotency-Key, kept 24 hours. request_hash covers the
-- caller, the operation and the body, so the same key with anything else is refused.
create table idempotency_keys (
    tenant_id uuid not null references tenants (id),
    key text not null constraint idempotency_keys_key_check check (length(key) between 1 and 255),
    request_hash bytea not null,
    -- Filled in by the transaction that claimed the key, before it commits.
    response_status smallint,
    response_body text,
    created_at timestamptz not null default now(),
    primary key (tenant_id, key)
);
-- Expired keys are purged a few at a time by the next claim in the same tenant.
create index idempotency_keys_created_idx on idempotency_keys (tenant_id, created_at);

-- Row-level security, spelled out per table.
alter table ticket_counters enable row level security;
alter table ticket_counters force row level security;
alter table tickets enable row level security;
alter table tickets force row level security;
alter table ticket_status_history enable row level security;
alter table ticket_status_history force row level security;
alter table ticket_messages enable row level security;
alter table ticket_messages force row level security;
alter table ticket_external_refs enable row level security;
alter table ticket_external_refs force row level security;
alter table idempotency_keys enable row level security;
alter table idempotency_keys force row level security;

-- Counters and idempotency records: any caller of the tenant.
create policy ticket_counters_tenant on ticket_counters for all to tenantdesk_tenant
    using (tenant_id = (select nullif(current_setting('app.tenant_id', true), '')::uuid))
    with check (tenant_id = (select nullif(current_setting('app.tenant_id', true), '')::uuid));
create policy idempotency_keys_tenant on idempotency_keys for all to tenantdesk_tenant
    using (tenant_id = (select nullif(current_setting('app.tenant_id', true), '')::uuid))
    with check (tenant_id = (select nullif(current_setting('app.tenant_id', true), '')::uuid));

-- Tickets: agents and admins all of the tenant's, a user only those they created. No deletes.
-- The role test is a CASE, not `role in (…) OR creator_id = …`: the planner estimates an OR of
-- two unknown parameters as very selective and then reads a tenant's every ticket and sorts
-- them instead of walking tickets_created_idx backwards for one page (measured on 1,000 tenants
-- × 1,000 tickets: all 1,000 rows read per list before, 21 after).
create policy tickets_tenant_read on tickets for select to tenantdesk_tenant
    using (tenant_id = (select nullif(current_setting('app.tenant_id', true), '')::uuid)
           and case when (select current_setting('app.role', true)) in ('agent', 'admin') then true
                    else creator_id = (select nullif(current_setting('app.user_id', true), '')::uuid) end);
create policy tickets_tenant_insert on tickets for insert to tenantdesk_tenant
    with check (tenant_id = (select nullif(current_setting('app.tenant_id', true), '')::uuid)
                and case when (select current_setting('app.role', true)) in ('agent', 'admin') then true
                         else creator_id = (select nullif(current_setting('app.user_id', true), '')::uuid) end);
create policy tickets_tenant_update on tickets for update to tenantdesk_tenant
    using (tenant_id = (select nullif(current_setting('app.tenant_id', true), '')::uuid)
           and case when (select current_setting('app.role', true)) in ('agent', 'admin') then true
                    else creator_id = (select nullif(current_setting('app.user_id', true), '')::uuid) end)
    with check (tenant_id = (select nullif(current_setting('app.tenant_id', true), '')::uuid)
                and case when (select current_setting('app.role', true)) in ('agent', 'admin') then true
                         else creator_id = (select nullif(current_setting('app.user_id', true), '')::uuid) end);

-- History: whoever can see the ticket reads and appends (a user's own actions: close, reopen,
-- replying to a pending ticket). Append-only: no update or delete grant.
create policy ticket_status_history_tenant_read on ticket_status_history for select to tenantdesk_tenant
    using (tenant_id = (select nullif(current_setting('app.tenant_id', true), '')::uuid)
           and case when (select current_setting('app.role', true)) in ('agent', 'admin') then true
                    else exists (select 1 from tickets t
                                  where t.tenant_id = ticket_status_history.tenant_id
                                    and t.id = ticket_status_history.ticket_id
                                    and t.creator_id = (select nullif(current_setting('app.user_id', true), '')::uuid)) end);
create policy ticket_status_history_tenant_insert on ticket_status_history for insert to tenantdesk_tenant
    with check (tenant_id = (select nullif(current_setting('app.tenant_id', true), '')::uuid)
                and case when (select current_setting('app.role', true)) in ('agent', 'admin') then true
                         else exists (select 1 from tickets t
                                       where t.tenant_id = ticket_status_history.tenant_id
                                         and t.id = ticket_status_history.ticket_id
                                         and t.creator_id = (select nullif(current_setting('app.user_id', true), '')::uuid)) end);

-- Messages: agents and admins all; a user only the non-internal messages of their own tickets,
-- and writes only as themself, role 'user', never internal.
create policy ticket_messages_tenant_read on ticket_messages for select to tenantdesk_tenant
    using (tenant_id = (select nullif(current_setting('app.tenant_id', true), '')::uuid)
           and case when (select current_setting('app.role', true)) in ('agent', 'admin') then true
                    else not is_internal
                         and exists (select 1 from tickets t
                                      where t.tenant_id = ticket_messages.tenant_id
                                        and t.id = ticket_messages.ticket_id
                                        and t.creator_id = (select nullif(current_setting('app.user_id', true), '')::uuid)) end);
create policy ticket_messages_tenant_insert on ticket_messages for insert to tenantdesk_tenant
    with check (tenant_id = (select nullif(current_setting('app.tenant_id', true), '')::uuid)
                and case when (select current_setting('app.role', true)) in ('agent', 'admin') then true
                         else not is_internal
                              and role = 'user'
                              and author_id = (select nullif(current_setting('app.user_id', true), '')::uuid)
                              and exists (select 1 from tickets t
                                           where t.tenant_id = ticket_messages.tenant_id
                                             and t.id = ticket_messages.ticket_id
                                             and t.creator_id = (select nullif(current_setting('app.user_id', true), '')::uuid)) end);

-- External references: agents and admins only.
create policy ticket_external_refs_tenant on ticket_external_refs for all to tenantdesk_tenant
    using (tenant_id = (select nullif(current_setting('app.tenant_id', true), '')::uuid)
           and (select current_setting('app.role', true)) in ('agent', 'admin'))
    with check (tenant_id = (select nullif(current_setting('app.tenant_id', true), '')::uuid)
                and (select current_setting('app.role', true)) in ('agent', 'admin'));

-- The platform role reads across tenants (support, analytics); it writes nothing here.
create policy ticket_counters_platform_read on ticket_counters for select to tenantdesk_platform using (true);
create policy tickets_platform_read on tickets for select to tenantdesk_platform using (true);
create policy ticket_status_history_platform_read on ticket_status_history for select to tenantdesk_platform using (true);
create policy ticket_messages_platform_read on ticket_messages for select to tenantdesk_platform using (true);
create policy ticket_external_refs_platform_read on ticket_external_refs for select to tenantdesk_platform using (true);
create policy idempotency_keys_platform_read on idempotency_keys for select to tenantdesk_platform using (true);

grant select, insert, update on ticket_counters to tenantdesk_tenant;
grant select, insert, update on tickets to tenantdesk_tenant;
grant select, insert on ticket_status_history to tenantdesk_tenant;
grant select, insert on ticket_messages to tenantdesk_tenant;
grant select, insert, delete on ticket_external_refs to tenantdesk_tenant;
grant select, insert, update, delete on idempotency_keys to tenantdesk_tenant;
grant select on ticket_counters, tickets, ticket_status_history, ticket_messages, ticket_external_refs,
    idempotency_keys to tenantdesk_platform;
