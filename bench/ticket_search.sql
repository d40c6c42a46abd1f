-- Ticket search and tag filters at the SQL level (bench/ticket_search.sh): the list query of
-- `GET /v1/tickets?q=…&tag=…` (newest first, a page of 20 + 1) as the service sends it, as
-- tenantdesk_tenant with an agent's settings for tenant :'slug', each case :rounds times after 3
-- warm-up runs, EXECUTE … USING (custom plans, as the service's unnamed statements get):
--
--   before  the service's one statement before sql/0040: `@@` / `@>` under RLS;
--   now     the service's statements now (src/repo/tickets.rs): the first 1,000 rows of the
--           list's order tested (walk); when that fills no page and rows are left,
--           ticket_search_candidates(…) (cand), then the list over the candidates (ids) or, when
--           it returned NULL, over every row (all).
--
-- Prints p50/p95 in ms, the rows returned (the two must agree) and the statements the last run
-- took, then (with :explain on) EXPLAIN (ANALYZE, BUFFERS) of each of them (the candidates
-- call's buffers include the function's own reads).
\set ON_ERROR_STOP on
begin;
select set_config('role', 'tenantdesk_tenant', true),
       set_config('app.tenant_id', (select id::text from tenants where slug = :'slug'), true),
       set_config('app.user_id', (select u.id::text from users u join tenants t on t.id = u.tenant_id
                                   where t.slug = :'slug' and u.role = 'agent' limit 1), true),
       set_config('app.role', 'agent', true),
       set_config('bench.rounds', :'rounds', true),
       set_config('bench.explain', :'explain', true),
       set_config('bench.slug', :'slug', true),
       set_config('bench.variants', :'variants', true) \gset
set local client_min_messages = notice;
do $$
declare
  cols constant text := 'id, number, title, description, status, priority, priority_rank, source,
     assignee_id, creator_id, tags, metadata, version, created_at, updated_at, resolved_at, closed_at';
  ord constant text := ' order by t.created_at desc, t.id desc';
  -- label, q, tag, status
  cases constant text[][] := array[
    ['word in no ticket', 'zebra', null, null],
    ['word in one title', '777', null, null],
    ['word in one message', 'ref770', null, null],
    ['word in 1/6', 'printer', null, null],
    ['word in every ticket', 'problem', null, null],
    ['phrase, negation', '"vpn client" -battery', null, null],
    ['tag on one ticket', null, 'vip', null],
    ['tag on 1/4', null, 'hardware', null],
    ['q + tag + status: one', 'problem', 'vip', 'open'],
    ['q + tag + status: 1/84', 'printer', 'hardware', 'open']];
  function_call constant text :=
    'select ticket_search_candidates(websearch_to_tsquery(''english'', $2), $3, 10000)';
  tid uuid := current_setting('app.tenant_id')::uuid;
  c text[]; q text; tags text[]; st text[]; cand uuid[]; variant text; n bigint; n_before bigint;
  t0 timestamptz; ms float8[]; line text; base text; matching text; steps text[]; step text;
  sqls text[]; more boolean;
begin
  for i in 1..array_length(cases, 1) loop
    n_before := null;
    c := cases[i:i][1:4];
    q := c[1][2]; tags := case when c[1][3] is null then null else array[c[1][3]] end;
    st := case when c[1][4] is null then null else array[c[1][4]] end;
    base := ' from tickets t where t.tenant_id = $1'
      || case when st is not null then ' and t.status = any($4)' else '' end;
    foreach variant in array string_to_array(current_setting('bench.variants'), ',') loop
      matching := case when tags is not null then ' and t.tags @> $3' else '' end
        || case when q is null then ''
                when variant = 'before' then ' and (t.search @@ websearch_to_tsquery(''english'', $2)
                   or t.id in (select m.ticket_id from ticket_messages m
                                where m.tenant_id = $1 and m.search @@ websearch_to_tsquery(''english'', $2)))'
                else ' and (t.search @@ websearch_to_tsquery(''english'', $2)
                   or exists (select from ticket_messages m
                               where m.tenant_id = $1 and m.ticket_id = t.id
                                 and m.search @@ websearch_to_tsquery(''english'', $2)))' end;
      ms := '{}';
      for r in 1..(3 + current_setting('bench.rounds')::int) loop
        t0 := clock_timestamp();
        cand := null; steps := '{}'; sqls := '{}';
        if variant = 'before' then
          sqls := array['select ' || cols || base || matching || ord || ' limit 21'];
          steps := array['list'];
        else
          -- The matching rows and the 1,000th row read (so it is known whether rows were left).
          sqls := array['select ' || cols || ', coalesce(true' || matching || ', false) as matched,
                          walk_n = 1001 as last_walked
                     from (select *, row_number() over (' || ord || ') as walk_n' || base || ord
                        || ' limit 1001) t where coalesce(true' || matching || ', false) or walk_n = 1001'
                        || ord || ' limit 22'];
          steps := array['walk'];
        end if;
        if variant = 'before' then
          execute 'select count(*) from (' || sqls[1] || ') x' into n using tid, q, tags, st, cand;
        else
          execute 'select count(*) filter (where matched), coalesce(bool_or(last_walked), false) from ('
              || sqls[1] || ') x' into n, more using tid, q, tags, st, cand;
          n := least(n, 21);
        end if;
        if variant = 'now' and n < 21 and more then
          execute function_call into cand using tid, q, tags;
          sqls := sqls || function_call;
          sqls := sqls || ('select ' || cols || base
              || case when cand is not null then ' and t.id = any($5)' else '' end
              || matching || ord || ' limit 21');
          steps := steps || array['cand', case when cand is null then 'all' else 'ids' end];
          execute 'select count(*) from (' || sqls[3] || ') x' into n using tid, q, tags, st, cand;
        end if;
        if r > 3 then ms := ms || extract(epoch from clock_timestamp() - t0)::float8 * 1000; end if;
      end loop;
      if variant = 'before' then n_before := n; end if;
      raise notice '%', (select format('%-10s | %-24s | %-6s | %2s rows%s | %-14s | candidates %-5s | p50 %8s ms  p95 %8s ms',
          current_setting('bench.slug'), c[1][1], variant, n,
          case when n <> n_before then ' (DIFFERS)' else '' end,
          array_to_string(steps, '+'), coalesce(cardinality(cand)::text, '-'),
          round((percentile_cont(0.5) within group (order by m))::numeric, 2),
          round((percentile_cont(0.95) within group (order by m))::numeric, 2)) from unnest(ms) m);
      if current_setting('bench.explain') = 'on' then
        for k in 1..cardinality(sqls) loop
          raise notice '--- EXPLAIN %, %, %, %', current_setting('bench.slug'), c[1][1], variant, steps[k];
          for line in execute 'explain (analyze, buffers, costs off) ' || sqls[k]
              using tid, q, tags, st, cand loop
            raise notice '%', line;
          end loop;
        end loop;
      end if;
    end loop;
  end loop;
end $$;
rollback;
