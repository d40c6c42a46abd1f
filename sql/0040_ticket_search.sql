-- Ticket search (`q`) and the tag filter through their indexes under row-level security.
--
-- As for the knowledge base (0005): PostgreSQL applies the tickets' RLS policy before any
-- condition of the query that is not LEAKPROOF, and neither full-text `@@` nor array `@>` is, so
-- for `tenantdesk_tenant` the GIN indexes of 0003 on `tickets.search`, `tickets.tags` and
-- `ticket_messages.search` could never be used: every search and every tag filter read and
-- matched the tenant's tickets one by one (all of them for a word found in none).
--
-- The indexes now carry the tenant in each entry, so that a look-up only ever reaches the
-- current tenant's rows:
-- - full text: each row's lexemes plus the tenant's lexeme 'tenant <uuid>' (0005's
--   `kb_tenant_lexeme`, which to_tsvector never produces), ANDed into the query;
-- - tags: each tag prefixed with the tenant ('<uuid>:<tag>'; a uuid's text is 36 characters, so
--   the key is one tenant's one tag). Better than a tenant lexeme: a tag's posting list holds only
--   the tenant's own tickets, so neither the cost nor the timing of a tag filter depends on other
--   tenants' tickets at all.
--
-- `ticket_search_candidates` looks these up as the schema owner, for the tenant in the same
-- `app.tenant_id` the policies read (never an argument), and returns the ids of the tickets that
-- may match. The service lists `id = any(candidates)` under its own RLS, with every filter (the
-- exact `q` and `tag` conditions included) applied there as before, so the function only narrows
-- what is read and decides nothing. It asks only when a search did not fill its page within the
-- first rows of the list's own order (src/repo/tickets.rs): a word or tag in many tickets is
-- found faster by walking the list than through any index.

drop index tickets_search_idx;
drop index tickets_tags_idx;
drop index ticket_messages_search_idx;

create index tickets_search_tenant_idx on tickets
    using gin ((search || kb_tenant_lexeme(tenant_id)));
create index ticket_messages_search_tenant_idx on ticket_messages
    using gin ((search || kb_tenant_lexeme(tenant_id)));

-- One expression PostgreSQL inlines (a subquery over unnest() would make every evaluation a
-- function call, ~5× slower). A tag holding U+001F splits into more keys, which only widens its
-- own tenant's candidates: the list checks `tags @>` itself, and the function below keeps only
-- rows of the caller's tenant whatever key found them.
create function ticket_tag_keys(p_tenant uuid, p_tags text[]) returns text[]
language sql immutable parallel safe
return case when cardinality(p_tags) > 0
            then string_to_array(p_tenant::text || ':' || array_to_string(p_tags, e'\x1f' || p_tenant::text || ':'), e'\x1f')
            else '{}' end;

create index tickets_tag_keys_idx on tickets using gin (ticket_tag_keys(tenant_id, tags));

create policy tickets_owner_search on tickets for select to tenantdesk_owner using (true);
create policy ticket_messages_owner_search on ticket_messages for select to tenantdesk_owner using (true);

-- The ids of the current tenant's tickets that may have every tag of p_tags (when not NULL or
-- empty) and a title, description or message matching p_query (when not NULL): exactly those
-- when at most p_cap (≤ 100,000) tickets carry the tags; else those matching the words, when at
-- most p_cap do; else NULL, which tells the service to read every ticket instead. NULL as well
-- for a caller who is not an agent or admin of the tenant (they read only some of its tickets and
-- notes: ids of the others are not theirs to learn), and without a tenant. A query of stop words
-- only matches nothing, as `@@` does.
create function ticket_search_candidates(p_query tsquery, p_tags text[], p_cap integer)
returns uuid[]
language plpgsql stable security definer set search_path = public, pg_temp
as $$
declare
    v_tenant uuid := nullif(current_setting('app.tenant_id', true), '')::uuid;
    v_cap integer := least(greatest(coalesce(p_cap, 0), 1), 100000);
    v_text uuid[];
    v_tagged uuid[];
begin
    if v_tenant is null or coalesce(current_setting('app.role', true), '') not in ('agent', 'admin') then
        return null;
    end if;
    -- EXECUTE … USING plans with the actual tenant and values: the index for what the tenant has
    -- few of; for what it has many of the planner may rather read its rows until the cap. The
    -- explicit tenant conditions are the boundary; the key prefix and the lexeme only make the
    -- index hand back the tenant's rows alone. The plain `@>` / `@@` come first so that a row
    -- read without the index pays for the keyed expression only when it matches.
    if cardinality(p_tags) > 0 then
        execute 'select array(
                   select t.id from tickets t
                    where t.tenant_id = $1 and t.tags @> $2
                      and ticket_tag_keys(t.tenant_id, t.tags) @> ticket_tag_keys($1, $2)
                   limit $3)'
            into v_tagged using v_tenant, p_tags, v_cap + 1;
        if cardinality(v_tagged) > v_cap then
            v_tagged := null;
        end if;
    end if;
    if p_query is null then
        return v_tagged;
    elsif numnode(p_query) = 0 then
        return '{}';
    elsif v_tagged is not null then
        -- Few tickets carry the tags: test the words on those alone.
        return array(
            select t.id from tickets t
             where t.tenant_id = v_tenant and t.id = any(v_tagged)
               and (t.search @@ p_query
                    or exists (select from ticket_messages m
                                where m.tenant_id = v_tenant and m.ticket_id = t.id
                                  and m.search @@ p_query)));
    end if;
    -- UNION ALL with a LIMIT stops at cap + 1 rows (a ticket with several matching messages
    -- counts several times: at worst NULL a little early).
    execute 'select array(
               select t.id from tickets t
                where t.tenant_id = $1 and t.search @@ $2
                  and (t.search || kb_tenant_lexeme(t.tenant_id)) @@ ($2 && kb_tenant_query($1))
               union all
               select m.ticket_id from ticket_messages m
                where m.tenant_id = $1 and m.search @@ $2
                  and (m.search || kb_tenant_lexeme(m.tenant_id)) @@ ($2 && kb_tenant_query($1))
               limit $3)'
        into v_text using v_tenant, p_query, v_cap + 1;
    if cardinality(v_text) > v_cap then
        return null;
    end if;
    return array(select distinct unnest(v_text));
end $$;
revoke all on function ticket_search_candidates(tsquery, text[], integer) from public;
grant execute on function ticket_search_candidates(tsquery, text[], integer) to tenantdesk_tenant;
