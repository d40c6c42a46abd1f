-- Usage and limits (issue 14): tenant plans (rate limits and quotas a superadmin overrides),
-- the shared rate-limit buckets, the usage log partitioned by day, retention, and the
-- maintenance schedule that makes sure only one instance runs a job at a time.

-- A tenant's plan: every column null means "the configured default" (RATE_LIMIT_*, QUOTA_*).
create table tenant_plans (
    tenant_id uuid not null references tenants (id),
    requests_per_minute int constraint tenant_plans_rpm_check check (requests_per_minute between 1 and 100000000),
    burst int constraint tenant_plans_burst_check check (burst between 1 and 100000000),
    caller_requests_per_minute int constraint tenant_plans_caller_rpm_check check (caller_requests_per_minute between 1 and 100000000),
    caller_burst int constraint tenant_plans_caller_burst_check check (caller_burst between 1 and 100000000),
    max_documents bigint constraint tenant_plans_max_documents_check check (max_documents >= 0),
    max_chunks bigint constraint tenant_plans_max_chunks_check check (max_chunks >= 0),
    max_storage_bytes bigint constraint tenant_plans_max_storage_bytes_check check (max_storage_bytes >= 0),
    max_api_keys int constraint tenant_plans_max_api_keys_check check (max_api_keys >= 0),
    updated_at timestamptz not null default now(),
    primary key (tenant_id)
);
alter table tenant_plans enable row level security;
alter table tenant_plans force row level security;
-- A tenant reads its own plan (the quota checks on write run in its transaction).
create policy tenant_plans_tenant_read on tenant_plans for select to tenantdesk_tenant
    using (tenant_id = (select nullif(current_setting('app.tenant_id', true), '')::uuid));
create policy tenant_plans_platform on tenant_plans for all to tenantdesk_platform
    using (true) with check (true);
-- The rate-limit function (SECURITY DEFINER) reads the overrides.
create policy tenant_plans_owner_read on tenant_plans for select to tenantdesk_owner using (true);
grant select on tenant_plans to tenantdesk_tenant;
grant select, insert, update on tenant_plans to tenantdesk_platform;

-- Rate-limit buckets shared by every instance (GCRA): `tat`, the theoretical arrival time, is
-- the moment the bucket is full again. Keys are opaque (`tenant:<id>`, `key:<id>`, `user:<id>`);
-- only the definer function below touches the table.
create table rate_buckets (
    key text primary key,
    tat timestamptz not null
);
alter table rate_buckets enable row level security;
alter table rate_buckets force row level security;
create policy rate_buckets_owner on rate_buckets for all to tenantdesk_owner
    using (true) with check (true);

-- Leases up to p_want requests from the bucket p_key, whose rate and burst are the tenant plan's
-- override for p_scope ('tenant' or 'caller') or else the defaults given. One statement; the row
-- lock serialises instances leasing from the same bucket. Returns what was granted, what is left
-- in the bucket, how long until one more request is allowed (when nothing was granted) and until
-- the bucket is full again, and the rate and burst that applied.
create function rate_lease(p_tenant uuid, p_key text, p_scope text, p_want int, p_rpm int, p_burst int)
returns table (granted int, remaining int, retry_ms bigint, reset_ms bigint, rpm int, burst int)
language plpgsql volatile security definer set search_path = public, pg_temp
as $$
declare
    v_now timestamptz := clock_timestamp();
    v_rpm int := p_rpm;
    v_burst int := p_burst;
    v_tat timestamptz;
    v_debt numeric;
    v_free int;
    v_g int;
begin
    if p_scope = 'tenant' then
        select coalesce(p.requests_per_minute, p_rpm), coalesce(p.burst, p_burst)
          into v_rpm, v_burst from tenant_plans p where p.tenant_id = p_tenant;
    elsif p_scope = 'caller' then
        select coalesce(p.caller_requests_per_minute, p_rpm), coalesce(p.caller_burst, p_burst)
          into v_rpm, v_burst from tenant_plans p where p.tenant_id = p_tenant;
    else
        raise exception 'unknown rate-limit scope %', p_scope;
    end if;
    v_rpm := coalesce(v_rpm, p_rpm);
    v_burst := coalesce(v_burst, p_burst);
    insert into rate_buckets as b (key, tat) values (p_key, v_now) on conflict (key) do nothing;
    select b.tat into v_tat from rate_buckets b where b.key = p_key for update;
    v_tat := greatest(v_tat, v_now);
    -- Seconds of refill the bucket still owes, and the whole requests it holds now.
    v_debt := extract(epoch from (v_tat - v_now));
    v_free := greatest(floor(v_burst - v_debt * v_rpm / 60.0 + 1e-9), 0)::int;
    v_g := least(greatest(p_want, 0), v_free);
    if v_g > 0 then
        v_tat := v_tat + make_interval(secs => v_g * 60.0 / v_rpm);
        update rate_buckets b set tat = v_tat where b.key = p_key;
    end if;
    return query select
        v_g,
        v_free - v_g,
        case when v_g > 0 then 0::bigint
             else ceil((v_debt - (v_burst - 1) * 60.0 / v_rpm) * 1000)::bigint end,
        ceil(extract(epoch from (v_tat - v_now)) * 1000)::bigint,
        v_rpm,
        v_burst;
end $$;

-- Every authenticated request a tenant makes, written in batches off the request path.
-- Partitioned by day (UTC); partitions are made ahead by the maintenance job and, for a day that
-- has none yet, by the append function itself.
create table usage_log (
    tenant_id uuid not null references tenants (id),
    at timestamptz not null,
    id uuid not null default uuidv7(),
    request_id text not null,
    api_key_id uuid,
    user_id uuid,
    method text not null,
    route text not null,
    status smallint not null,
    latency_us int not null,
    request_bytes bigint not null,
    response_bytes bigint not null,
    primary key (tenant_id, at, id)
) partition by range (at);
alter table usage_log enable row level security;
alter table usage_log force row level security;
-- Tenant admins read their own tenant's usage; superadmins all of it through the platform role.
create policy usage_log_tenant_read on usage_log for select to tenantdesk_tenant
    using (tenant_id = (select nullif(current_setting('app.tenant_id', true), '')::uuid)
           and (select current_setting('app.role', true)) = 'admin');
create policy usage_log_platform_read on usage_log for select to tenantdesk_platform using (true);
-- The owner appends and purges (definer functions below).
create policy usage_log_owner on usage_log for all to tenantdesk_owner using (true) with check (true);
grant select on usage_log to tenantdesk_tenant, tenantdesk_platform;

-- Creates the daily partitions of [p_from, p_to] that do not exist yet (at most 400 days), each
-- with forced row-level security (reached through the parent, whose policies apply; directly
-- only by the owner).
create function usage_log_ensure_partitions(p_from date, p_to date) returns int
language plpgsql volatile security definer set search_path = public, pg_temp
as $$
declare
    d date;
    n int := 0;
    part text;
begin
    if p_to < p_from or p_to - p_from > 400 then
        raise exception 'usage_log_ensure_partitions: bad range % .. %', p_from, p_to;
    end if;
    d := p_from;
    while d <= p_to loop
        part := 'usage_log_p' || to_char(d, 'YYYYMMDD');
        if to_regclass(part) is null then
            begin
                execute format('create table %I partition of usage_log for values from (%L) to (%L)',
                               part, (d::timestamp at time zone 'UTC'), ((d + 1)::timestamp at time zone 'UTC'));
                execute format('alter table %I enable row level security', part);
                execute format('alter table %I force row level security', part);
                execute format('create policy %I on %I for all to tenantdesk_owner using (true) with check (true)',
                               part || '_owner', part);
                n := n + 1;
            exception when duplicate_table or unique_violation then
                -- Another instance made it at the same moment.
                null;
            end;
        end if;
        d := d + 1;
    end loop;
    return n;
end $$;

-- One batch of usage rows, as parallel arrays (one round trip for the whole batch).
create function usage_log_append(
    p_tenant uuid[], p_at timestamptz[], p_request_id text[], p_api_key uuid[], p_user uuid[],
    p_method text[], p_route text[], p_status int[], p_latency_us int[], p_request_bytes bigint[],
    p_response_bytes bigint[]
) returns int
language plpgsql volatile security definer set search_path = public, pg_temp
as $$
declare
    v_from date;
    v_to date;
    n int;
begin
    select min((a at time zone 'UTC')::date), max((a at time zone 'UTC')::date) into v_from, v_to
      from unnest(p_at) a;
    if v_from is null then
        return 0;
    end if;
    perform usage_log_ensure_partitions(v_from, v_to);
    insert into usage_log (tenant_id, at, request_id, api_key_id, user_id, method, route, status,
                           latency_us, request_bytes, response_bytes)
    select * from unnest(p_tenant, p_at, p_request_id, p_api_key, p_user, p_method, p_route,
                         p_status::smallint[], p_latency_us, p_request_bytes, p_response_bytes);
    get diagnostics n = row_count;
    return n;
end $$;

-- What the retention job deletes, one row per log table: `partitions` drops the daily
-- partitions wholly older than the cutoff (and deletes the older rows of the one it cuts
-- through); `rows` deletes rows older than the cutoff in batches. Adding a log table to
-- retention is one row here and one line in src/usage/retention.rs (its setting).
create table retention_targets (
    table_name text primary key,
    ts_column text not null,
    kind text not null constraint retention_targets_kind_check check (kind in ('partitions', 'rows'))
);
alter table retention_targets enable row level security;
alter table retention_targets force row level security;
create policy retention_targets_owner on retention_targets for all to tenantdesk_owner
    using (true) with check (true);
insert into retention_targets values ('usage_log', 'at', 'partitions'), ('audit_log', 'created_at', 'rows');

-- The audit log stays append-only for everybody, except for the retention function below, which
-- marks its own transaction.
create or replace function audit_log_append_only() returns trigger language plpgsql as $$
begin
    if tg_op = 'DELETE' and current_setting('tenantdesk.retention', true) = 'on' then
        return old;
    end if;
    raise exception 'audit_log is append-only' using errcode = 'insufficient_privilege';
end $$;
create policy audit_log_owner_retention on audit_log for all to tenantdesk_owner
    using (true) with check (true);

-- Purges one retention target up to p_cutoff: drops whole partitions, then deletes at most
-- p_batch older rows (call again while it deletes p_batch). Only tables listed in
-- retention_targets.
create function retention_purge(p_table text, p_cutoff timestamptz, p_batch int)
returns table (dropped_partitions int, deleted_rows bigint)
language plpgsql volatile security definer set search_path = public, pg_temp
as $$
declare
    t retention_targets;
    part record;
    v_dropped int := 0;
    v_deleted bigint := 0;
begin
    select * into t from retention_targets r where r.table_name = p_table;
    if not found then
        raise exception 'no retention target %', p_table;
    end if;
    if t.kind = 'partitions' then
        for part in
            select c.relname::text as name
              from pg_inherits i join pg_class c on c.oid = i.inhrelid
             where i.inhparent = t.table_name::regclass
               and c.relname::text ~ ('^' || t.table_name || '_p[0-9]{8}$')
        loop
            if ((to_date(right(part.name, 8), 'YYYYMMDD') + 1)::timestamp at time zone 'UTC') <= p_cutoff then
                execute format('drop table if exists %I', part.name);
                v_dropped := v_dropped + 1;
            end if;
        end loop;
    end if;
    perform set_config('tenantdesk.retention', 'on', true);
    if t.kind = 'partitions' then
        -- What is left older than the cutoff lies in the one partition the cutoff cuts through
        -- (a day at most); ctid is not unique across partitions, so no ctid batches here.
        execute format('delete from %I where %I < $1', t.table_name, t.ts_column) using p_cutoff;
    else
        execute format('delete from %I where ctid in (select ctid from %I where %I < $1 limit $2)',
                       t.table_name, t.table_name, t.ts_column)
            using p_cutoff, p_batch;
    end if;
    get diagnostics v_deleted = row_count;
    perform set_config('tenantdesk.retention', '', true);
    return query select v_dropped, v_deleted;
end $$;

-- Scheduled jobs: a job runs when it is due and nobody holds its lease, so with many instances
-- only one runs it at a time. A row lock for one statement (no session state: fine behind
-- PgBouncer in transaction mode).
create table maintenance_schedule (
    name text primary key,
    next_run_at timestamptz not null,
    holder text,
    lease_until timestamptz
);
alter table maintenance_schedule enable row level security;
alter table maintenance_schedule force row level security;
create policy maintenance_schedule_owner on maintenance_schedule for all to tenantdesk_owner
    using (true) with check (true);

-- True when the caller now holds the job's lease (the job was due at p_now and not leased).
create function maintenance_claim(p_name text, p_holder text, p_now timestamptz, p_lease_secs int)
returns boolean
language plpgsql volatile security definer set search_path = public, pg_temp
as $$
declare
    n int;
begin
    insert into maintenance_schedule (name, next_run_at) values (p_name, '-infinity')
        on conflict (name) do nothing;
    update maintenance_schedule
       set holder = p_holder, lease_until = p_now + make_interval(secs => p_lease_secs)
     where name = p_name and next_run_at <= p_now
       and (lease_until is null or lease_until <= p_now);
    get diagnostics n = row_count;
    return n = 1;
end $$;

-- The holder finished: the lease ends and the job is next due at p_next.
create function maintenance_done(p_name text, p_holder text, p_next timestamptz) returns void
language sql volatile security definer set search_path = public, pg_temp
as $$
    update maintenance_schedule set holder = null, lease_until = null, next_run_at = p_next
     where name = p_name and holder = p_holder
$$;

-- Rate-limit buckets that are full again are the same as no row: forget them.
create function rate_buckets_purge(p_now timestamptz) returns bigint
language sql volatile security definer set search_path = public, pg_temp
as $$
    with gone as (delete from rate_buckets where tat < p_now - interval '1 hour' returning 1)
    select count(*) from gone
$$;

-- The ingestion queue, for the metrics: ingestion jobs due (pending and due, or running past
-- their lease) and the age of the oldest due one. Counts only, across tenants, no ids. (0020 made
-- the queue one table of jobs of several kinds.)
create function ingestion_queue_stats() returns table (due bigint, oldest_due_secs double precision)
language sql stable security definer set search_path = public, pg_temp
as $$
    select count(*),
           coalesce(extract(epoch from (now() - min(coalesce(j.locked_until, j.next_attempt_at))))::float8, 0)
      from jobs j
     where j.kind = 'ingestion'
       and ((j.status = 'pending' and j.next_attempt_at <= now())
            or (j.status = 'running' and j.locked_until < now()))
$$;

do $$
declare f text;
begin
    foreach f in array array[
        'rate_lease(uuid, text, text, int, int, int)',
        'usage_log_ensure_partitions(date, date)',
        'usage_log_append(uuid[], timestamptz[], text[], uuid[], uuid[], text[], text[], int[], int[], bigint[], bigint[])',
        'retention_purge(text, timestamptz, int)',
        'maintenance_claim(text, text, timestamptz, int)',
        'maintenance_done(text, text, timestamptz)',
        'rate_buckets_purge(timestamptz)',
        'ingestion_queue_stats()'] loop
        execute format('revoke all on function %s from public', f);
        execute format('grant execute on function %s to tenantdesk_app', f);
    end loop;
end $$;

-- The first days' partitions, so the log works before the maintenance job first runs.
select usage_log_ensure_partitions(current_date - 1, current_date + 7);
