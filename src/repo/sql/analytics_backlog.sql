-- The open backlog now (not resolved or closed) of the tenant $1 (null: the platform), by status
-- and priority.
select t.status, t.priority, count(*) as tickets
   from tickets t
  where ($1::uuid is null or t.tenant_id = $1) and t.status not in ('resolved', 'closed')
  group by 1, 2 order by 1, 2
