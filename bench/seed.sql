-- Benchmark data: tenants :first (default 1) to :tenants, each with one agent and :per tickets.
-- Run by bench/seed.sh as the cluster's superuser (row-level security does not apply to it), on a
-- database that has all migrations. Ids are derived from the tenant's index with md5, so pgbench
-- and the token minter can name the same tenant and user without a look-up.
\set ON_ERROR_STOP on
\if :{?first}
\else
\set first 1
\endif
set synchronous_commit = off;

insert into tenants (id, name, slug)
select md5('bench-' || g)::uuid, 'Bench tenant ' || g, 'bench-' || g
  from generate_series(:first, :tenants) g;

insert into users (tenant_id, id, email, full_name, role)
select md5('bench-' || g)::uuid, md5('bench-agent-' || g)::uuid, 'agent@bench-' || g || '.test', 'Bench Agent', 'agent'
  from generate_series(:first, :tenants) g;

insert into tickets (tenant_id, number, title, description, status, priority, source, creator_id,
                     assignee_id, tags, created_at, updated_at)
select md5('bench-' || g)::uuid, n,
       (array['Printer', 'VPN', 'Laptop', 'Invoice', 'Password', 'Email'])[1 + n % 6] || ' problem #' || n,
       'Customer reports an issue with ' || (array['printing', 'the VPN client', 'battery life', 'billing', 'login', 'mail delivery'])[1 + n % 6]
           || ' since ' || (n % 28 + 1) || ' days.',
       (array['open', 'in_progress', 'pending_customer', 'resolved', 'closed', 'escalated', 'reopened'])[1 + n % 7],
       (array['low', 'medium', 'high', 'urgent'])[1 + n % 4],
       (array['web', 'email', 'api', 'chat'])[1 + n % 4],
       md5('bench-agent-' || g)::uuid,
       case when n % 3 = 0 then md5('bench-agent-' || g)::uuid end,
       array[(array['hardware', 'network', 'billing', 'account'])[1 + n % 4]],
       now() - make_interval(mins => :per - n),
       now() - make_interval(mins => :per - n)
  from generate_series(:first, :tenants) g, generate_series(1, :per) n;

insert into ticket_counters (tenant_id, last_number)
select md5('bench-' || g)::uuid, :per from generate_series(:first, :tenants) g;

analyze;
