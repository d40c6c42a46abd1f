-- Tenants and their users, with row-level security.
--
-- Roles (made by deploy/bootstrap.sql): tenantdesk_owner owns everything and runs migrations;
-- tenantdesk_app is the login role and has no table privileges of its own; it switches, per
-- transaction, to tenantdesk_tenant (policies read app.tenant_id) or tenantdesk_platform
-- (superadmins, with their own explicit policies). Policies read the setting through
-- (select nullif(current_setting('app.tenant_id', true), '')::uuid): one InitPlan per statement,
-- and an unset or emptied setting yields NULL, so no row matches and WITH CHECK rejects writes.

create table tenants (
    id uuid primary key default uuidv7(),
    name text not null constraint tenants_name_check check (length(btrim(name)) between 1 and 200),
    slug text not null constraint tenants_slug_check check (slug ~ '^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$'),
    is_active boolean not null default true,
    deactivated_at timestamptz,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    constraint tenants_slug_key unique (slug)
);

alter table tenants enable row level security;
alter table tenants force row level security;
create policy tenants_tenant_read on tenants for select to tenantdesk_tenant
    using (id = (select nullif(current_setting('app.tenant_id', true), '')::uuid));
create policy tenants_platform on tenants for all to tenantdesk_platform
    using (true) with check (true);
-- The owner runs the narrow SECURITY DEFINER look-ups below.
create policy tenants_owner_read on tenants for select to tenantdesk_owner using (true);
grant select on tenants to tenantdesk_tenant;
grant select, insert, update on tenants to tenantdesk_platform;

create table users (
    tenant_id uuid not null references tenants (id),
    id uuid not null default uuidv7(),
    email text not null constraint users_email_check check (length(email) <= 254 and email ~ '^[^@[:space:]]+@[^@[:space:]]+$'),
    full_name text not null default '' constraint users_full_name_check check (length(full_name) <= 200),
    role text not null constraint users_role_check check (role in ('user', 'agent', 'admin')),
    is_active boolean not null default true,
    password_hash text,
    last_login_at timestamptz,
    -- Carried in every access token (`ver`); bumping it ends all of the user's sessions at once
    -- (password change, log out everywhere).
    session_version integer not null default 0,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    primary key (tenant_id, id)
);
create unique index users_email_key on users (tenant_id, lower(email));
-- Cursor pagination walks (tenant_id, id); ids are UUIDv7, so this is creation order.

alter table users enable row level security;
alter table users force row level security;
create policy users_tenant on users for all to tenantdesk_tenant
    using (tenant_id = (select nullif(current_setting('app.tenant_id', true), '')::uuid))
    with check (tenant_id = (select nullif(current_setting('app.tenant_id', true), '')::uuid));
create policy users_platform_read on users for select to tenantdesk_platform using (true);
grant select, insert, update on users to tenantdesk_tenant;
grant select on users to tenantdesk_platform;

-- Before login nobody is authenticated, so a tenant slug is resolved by this definer function:
-- it returns the id and state of one tenant and nothing else.
create function auth_tenant_by_slug(p_slug text)
returns table (id uuid, is_active boolean)
language sql stable security definer set search_path = public, pg_temp
as $$ select t.id, t.is_active from tenants t where t.slug = lower(p_slug) $$;
revoke all on function auth_tenant_by_slug(text) from public;
grant execute on function auth_tenant_by_slug(text) to tenantdesk_app;
