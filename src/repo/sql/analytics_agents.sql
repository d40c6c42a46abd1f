-- Per assignee of the tenant $1 (null: the platform), over [$2, $3): tickets created, tickets
-- resolved, median resolution time (seconds). The 100 agents with the most resolutions.
select t.assignee_id,
        count(*) filter (where t.created_at >= $2 and t.created_at < $3) as assigned,
        count(*) filter (where t.resolved_at >= $2 and t.resolved_at < $3) as resolved,
        percentile_cont(0.5) within group (order by extract(epoch from t.resolved_at - t.created_at)::float8)
            filter (where t.resolved_at >= $2 and t.resolved_at < $3) as resolution_p50
   from tickets t
  where ($1::uuid is null or t.tenant_id = $1) and t.assignee_id is not null
    and ((t.created_at >= $2 and t.created_at < $3) or (t.resolved_at >= $2 and t.resolved_at < $3))
  group by 1 order by resolved desc, assigned desc, 1 limit 100
