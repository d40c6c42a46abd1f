-- Identity and access: superadmins, refresh tokens, API keys, revoked access tokens, the audit
-- log, and login throttling.

-- Superadmins belong to no tenant; only the platform role reads them.
create table superadmins (
    id uuid primary key default uuidv7(),
    email text not null constraint superadmins_email_check check (length(email) <= 254 and email ~ '^[^@[:space:]]+@[^@[:space:]]+$'),
    full_name text not null default '',
    password_hash text not null,
    is_active boolean not null default true,
    last_login_at timestamptz,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
);
create unique index superadmins_email_key on superadmins (lower(email));
grant select, insert, update on superadmins to tenantdesk_platform;
alter table superadmins enable row level security;
alter table superadmins force row level security;
create policy superadmins_platform on superadmins for all to tenantdesk_platform
    using (true) with check (true);
-- The owner runs the login look-ups (SECURITY DEFINER functions below).
create policy superadmins_owner on superadmins for all to tenantdesk_owner
    using (true) with check (true);

-- Opaque refresh tokens, stored only as sha256. Each login starts a family; refreshing marks the
-- presented token used and issues the next one in the family; presenting a used token again
-- revokes the whole family (token theft).
create table refresh_tokens (
    tenant_id uuid not null references tenants (id),
    id uuid not null default uuidv7(),
    user_id uuid not null,
    family_id uuid not null,
    token_hash bytea not null,
    expires_at timestamptz not null,
    used_at timestamptz,
    revoked_at timestamptz,
    created_at timestamptz not null default now(),
    primary key (tenant_id, id),
    foreign key (tenant_id, user_id) references users (tenant_id, id)
);
create unique index refresh_tokens_hash_key on refresh_tokens (token_hash);
create index refresh_tokens_family_idx on refresh_tokens (tenant_id, family_id);
create index refresh_tokens_user_idx on refresh_tokens (tenant_id, user_id);

-- API keys: `tdk_<prefix>_<secret>`; the prefix is the public look-up handle, the whole key is
-- stored only as sha256.
create table api_keys (
    tenant_id uuid not null references tenants (id),
    id uuid not null default uuidv7(),
    name text not null constraint api_keys_name_check check (length(btrim(name)) between 1 and 100),
    prefix text not null,
    key_hash bytea not null,
    scope text not null constraint api_keys_scope_check check (scope in ('read_only', 'read_write', 'admin')),
    created_by uuid,
    expires_at timestamptz,
    last_used_at timestamptz,
    revoked_at timestamptz,
    created_at timestamptz not null default now(),
    primary key (tenant_id, id),
    foreign key (tenant_id, created_by) references users (tenant_id, id)
);
create unique index api_keys_prefix_key on api_keys (prefix);
create unique index api_keys_name_key on api_keys (tenant_id, lower(name)) where revoked_at is null;

-- Access tokens revoked before they expire (logout, deactivation); checked on every request.
create table revoked_tokens (
    tenant_id uuid not null references tenants (id),
    jti uuid not null,
    expires_at timestamptz not null,
    primary key (tenant_id, jti)
);

-- Append-only record of what superadmins do (and what they do inside a tenant).
create table audit_log (
    tenant_id uuid not null references tenants (id),
    id uuid not null default uuidv7(),
    actor_superadmin_id uuid references superadmins (id),
    actor_user_id uuid,
    actor_api_key_id uuid,
    action text not null,
    target text not null,
    request_id text,
    ip text,
    created_at timestamptz not null default now(),
    primary key (tenant_id, id),
    foreign key (tenant_id, actor_user_id) references users (tenant_id, id),
    foreign key (tenant_id, actor_api_key_id) references api_keys (tenant_id, id)
);

create function audit_log_append_only() returns trigger language plpgsql as $$
begin
    raise exception 'audit_log is append-only' using errcode = 'insufficient_privilege';
end $$;
create trigger audit_log_no_update before update or delete on audit_log
    for each row execute function audit_log_append_only();
create trigger audit_log_no_truncate before truncate on audit_log
    for each statement execute function audit_log_append_only();

do $$
declare
    t text;
    cond constant text := 'tenant_id = (select nullif(current_setting(''app.tenant_id'', true), '''')::uuid)';
begin
    foreach t in array array['refresh_tokens', 'api_keys', 'revoked_tokens'] loop
        execute format('alter table %I enable row level security', t);
        execute format('alter table %I force row level security', t);
        execute format('create policy %I on %I for all to tenantdesk_tenant using (%s) with check (%s)',
                       t || '_tenant', t, cond, cond);
        execute format('grant select, insert, update, delete on %I to tenantdesk_tenant', t);
    end loop;
end $$;
-- (The hook that checks sql/ looks for these statements spelled out.)
alter table refresh_tokens enable row level security;
alter table refresh_tokens force row level security;
alter table api_keys enable row level security;
alter table api_keys force row level security;
alter table revoked_tokens enable row level security;
alter table revoked_tokens force row level security;

-- The owner runs the definer look-ups below.
create policy api_keys_owner_read on api_keys for select to tenantdesk_owner using (true);
create policy api_keys_owner_touch on api_keys for update to tenantdesk_owner using (true) with check (true);
create policy refresh_tokens_owner_read on refresh_tokens for select to tenantdesk_owner using (true);

alter table audit_log enable row level security;
alter table audit_log force row level security;
-- Tenant admins read their own tenant's entries; tenant transactions (a superadmin acting inside
-- a tenant) append. Nobody updates or deletes.
create policy audit_log_tenant_read on audit_log for select to tenantdesk_tenant
    using (tenant_id = (select nullif(current_setting('app.tenant_id', true), '')::uuid)
           and (select current_setting('app.role', true)) = 'admin');
create policy audit_log_tenant_append on audit_log for insert to tenantdesk_tenant
    with check (tenant_id = (select nullif(current_setting('app.tenant_id', true), '')::uuid));
create policy audit_log_platform_read on audit_log for select to tenantdesk_platform using (true);
create policy audit_log_platform_append on audit_log for insert to tenantdesk_platform with check (true);
grant select, insert on audit_log to tenantdesk_tenant, tenantdesk_platform;

-- Failed logins, per account and per client address, for throttling. Not tenant data: keys
-- are opaque hashes.
create table login_failures (
    key bytea not null,
    failed_at timestamptz not null default now()
);
create index login_failures_key_idx on login_failures (key, failed_at);
-- Only the SECURITY DEFINER throttle functions (running as the owner) touch it; no other role
-- has any privilege on it.
alter table login_failures enable row level security;
alter table login_failures force row level security;
create policy login_failures_owner on login_failures for all to tenantdesk_owner
    using (true) with check (true);

-- Look-ups that run before a caller is authenticated. Each returns the least it can.
create function auth_api_key(p_prefix text)
returns table (tenant_id uuid, id uuid, key_hash bytea, scope text, expires_at timestamptz,
               revoked_at timestamptz, last_used_at timestamptz, tenant_active boolean)
language sql stable security definer set search_path = public, pg_temp
as $$
    select k.tenant_id, k.id, k.key_hash, k.scope, k.expires_at, k.revoked_at, k.last_used_at, t.is_active
      from api_keys k join tenants t on t.id = k.tenant_id
     where k.prefix = p_prefix
$$;

create function auth_touch_api_key(p_tenant uuid, p_id uuid) returns void
language sql volatile security definer set search_path = public, pg_temp
as $$ update api_keys set last_used_at = now() where tenant_id = p_tenant and id = p_id $$;

create function auth_refresh_token_tenant(p_hash bytea) returns uuid
language sql stable security definer set search_path = public, pg_temp
as $$ select tenant_id from refresh_tokens where token_hash = p_hash $$;

create function auth_superadmin_by_email(p_email text)
returns table (id uuid, password_hash text, is_active boolean)
language sql stable security definer set search_path = public, pg_temp
as $$ select s.id, s.password_hash, s.is_active from superadmins s where lower(s.email) = lower(p_email) $$;

create function auth_superadmin_login(p_id uuid) returns void
language sql volatile security definer set search_path = public, pg_temp
as $$ update superadmins set last_login_at = now() where id = p_id $$;

-- Returns seconds until the caller may try again (0 when not throttled): p_limits[i] failures
-- of p_keys[i] within the window throttle until the oldest of them leaves it.
create function auth_login_throttle(p_keys bytea[], p_limits int[], p_window_secs int) returns int
language sql volatile security definer set search_path = public, pg_temp
as $$
    with limits as (
        select l.key, l.lim from unnest(p_keys, p_limits) as l(key, lim)
    ), recent as (
        select f.key, f.failed_at,
               row_number() over (partition by f.key order by f.failed_at desc) as n
          from login_failures f
         where f.key = any(p_keys) and f.failed_at > now() - make_interval(secs => p_window_secs)
    )
    select coalesce(max(ceil(extract(epoch from (r.failed_at + make_interval(secs => p_window_secs) - now())))::int), 0)
      from recent r join limits l on l.key = r.key and r.n = l.lim
$$;

create function auth_login_failed(p_keys bytea[]) returns void
language sql volatile security definer set search_path = public, pg_temp
as $$
    delete from login_failures where failed_at < now() - interval '1 day';
    insert into login_failures (key) select unnest(p_keys);
$$;

create function auth_login_succeeded(p_key bytea) returns void
language sql volatile security definer set search_path = public, pg_temp
as $$ delete from login_failures where key = p_key $$;

do $$
declare f text;
begin
    foreach f in array array['auth_api_key(text)', 'auth_touch_api_key(uuid, uuid)',
        'auth_refresh_token_tenant(bytea)', 'auth_superadmin_by_email(text)',
        'auth_superadmin_login(uuid)', 'auth_login_throttle(bytea[], int[], int)',
        'auth_login_failed(bytea[])', 'auth_login_succeeded(bytea)'] loop
        execute format('revoke all on function %s from public', f);
        execute format('grant execute on function %s to tenantdesk_app', f);
    end loop;
end $$;
