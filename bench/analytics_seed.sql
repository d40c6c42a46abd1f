-- Analytics data on top of bench/seed.sql (run by bench/analytics.sh, once, as the superuser):
-- for every tenant, resolution times for its resolved and closed tickets, an agent's first reply
-- on two tickets in three, status history for its escalated and reopened tickets, 200 recorded
-- searches, and an admin (`bench-admin-<g>`) to ask for the figures.
\set ON_ERROR_STOP on
set synchronous_commit = off;

update tickets set resolved_at = created_at + make_interval(mins => (5 + number % 600)::int)
 where status in ('resolved', 'closed') and resolved_at is null;

insert into ticket_messages (tenant_id, ticket_id, role, author_id, content, created_at)
select t.tenant_id, t.id, 'agent', t.assignee_id, 'Looking into it.',
       t.created_at + make_interval(mins => (1 + t.number % 120)::int)
  from tickets t
 where t.number % 3 <> 0;

insert into ticket_status_history (tenant_id, ticket_id, from_status, to_status, created_at)
select t.tenant_id, t.id, 'open', t.status, t.created_at + interval '30 minutes'
  from tickets t
 where t.status in ('escalated', 'reopened');

insert into search_log (tenant_id, mode, query, results, created_at)
select md5('bench-' || g)::uuid, 'hybrid',
       (array['reset password', 'vpn not connecting', 'printer offline', 'invoice copy',
               'change email', 'laptop battery', 'two factor', 'refund policy'])[1 + s % 8]
           || case when s % 5 = 0 then ' ' || s else '' end,
       s % 4, now() - make_interval(hours => s * 40)
  from generate_series(1, :tenants) g, generate_series(1, 200) s;

insert into users (tenant_id, id, email, full_name, role)
select md5('bench-' || g)::uuid, md5('bench-admin-' || g)::uuid, 'admin@bench-' || g || '.test',
       'Bench Admin', 'admin'
  from generate_series(1, :tenants) g;

create table bench_analytics_seed as select :tenants as tenants;
analyze;
