-- Tickets created, resolved and escalated per bucket of $4 ('day' or 'week', UTC) over [$2, $3).
-- $1: the tenant, or null for the whole platform. Buckets with nothing in them are 0.
with buckets as (
    select generate_series(date_trunc($4, $2 at time zone 'UTC'),
                           ($3 at time zone 'UTC') - interval '1 microsecond',
                           ('1 ' || $4)::interval) as b
), created as (
    select date_trunc($4, t.created_at at time zone 'UTC') as b, count(*) as n
      from tickets t
     where ($1::uuid is null or t.tenant_id = $1) and t.created_at >= $2 and t.created_at < $3
     group by 1
), resolved as (
    select date_trunc($4, t.resolved_at at time zone 'UTC') as b, count(*) as n
      from tickets t
     where ($1::uuid is null or t.tenant_id = $1) and t.resolved_at >= $2 and t.resolved_at < $3
     group by 1
), escalated as (
    select date_trunc($4, h.created_at at time zone 'UTC') as b, count(*) as n
      from ticket_status_history h
     where ($1::uuid is null or h.tenant_id = $1) and h.to_status = 'escalated'
       and h.created_at >= $2 and h.created_at < $3
     group by 1
)
select buckets.b at time zone 'UTC' as bucket,
       coalesce(c.n, 0) as created, coalesce(r.n, 0) as resolved, coalesce(e.n, 0) as escalated
  from buckets
  left join created c on c.b = buckets.b
  left join resolved r on r.b = buckets.b
  left join escalated e on e.b = buckets.b
 order by buckets.b
