-- Over [$2, $3), for the tenant $1 (null: the whole platform): first-response time (seconds from
-- a ticket's creation to its first agent message the customer sees) of the tickets created in the
-- period, resolution time of the tickets resolved in it (p50 and p90), and how many tickets were
-- resolved and reopened in it.
with first_response as (
    select extract(epoch from (m.first_at - t.created_at))::float8 as secs
      from tickets t
      cross join lateral (
          select min(m.created_at) as first_at
            from ticket_messages m
           where m.tenant_id = t.tenant_id and m.ticket_id = t.id
             and m.role = 'agent' and not m.is_internal
      ) m
     where ($1::uuid is null or t.tenant_id = $1) and t.created_at >= $2 and t.created_at < $3
       and m.first_at is not null
), resolution as (
    select extract(epoch from (t.resolved_at - t.created_at))::float8 as secs
      from tickets t
     where ($1::uuid is null or t.tenant_id = $1) and t.resolved_at >= $2 and t.resolved_at < $3
)
select
    (select percentile_cont(0.5) within group (order by secs) from first_response) as first_response_p50,
    (select percentile_cont(0.9) within group (order by secs) from first_response) as first_response_p90,
    (select percentile_cont(0.5) within group (order by secs) from resolution) as resolution_p50,
    (select percentile_cont(0.9) within group (order by secs) from resolution) as resolution_p90,
    (select count(*) from resolution) as resolved,
    (select count(distinct h.ticket_id)
       from ticket_status_history h
      where ($1::uuid is null or h.tenant_id = $1) and h.to_status = 'reopened'
        and h.created_at >= $2 and h.created_at < $3) as reopened
