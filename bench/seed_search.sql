-- Ticket search data on top of bench/seed.sql (bench/ticket_search.sh), for tenant 1, tenant 2
-- and the large tenant :big (seeded by seed.sql alone, after the others): a message on every tenth
-- ticket, with a word of its own ('ref<n>') and words found in no title, and on ticket 777 a tag
-- no other ticket has ('vip'). Run as the cluster's superuser (row-level security does not apply
-- to it).
\set ON_ERROR_STOP on
set synchronous_commit = off;

update tickets set tags = tags || 'vip'::text
 where number = 777 and tenant_id in (md5('bench-1')::uuid, md5('bench-2')::uuid, md5('bench-' || :big)::uuid);

insert into ticket_messages (tenant_id, ticket_id, role, author_id, content, created_at)
select t.tenant_id, t.id, 'agent', t.creator_id,
       'Please restart the device and send us the log file, reference ref' || t.number || '.',
       t.created_at + interval '1 minute'
  from tickets t
 where t.number % 10 = 0
   and t.tenant_id in (md5('bench-1')::uuid, md5('bench-2')::uuid, md5('bench-' || :big)::uuid);

analyze;
