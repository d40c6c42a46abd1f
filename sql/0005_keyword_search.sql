-- Keyword search that can use a full-text index under row-level security.
--
-- PostgreSQL applies a table's RLS policy before any condition of the query that is not
-- LEAKPROOF, and the full-text operator `@@` is not: for `tenantdesk_tenant` the GIN index on
-- `kb_chunks.tsv` could never be used, so every keyword search read and matched all of the
-- tenant's chunks (31 ms for a word found nowhere in a tenant of 20,000 chunks, growing with the
-- tenant; bench/README.md).
--
-- The match now runs in `kb_chunks_matching`, as the schema owner (whose only policy here is for
-- reading), with the tenant taken from the same `app.tenant_id` the RLS policies use, never from
-- an argument: it returns only the current tenant's chunks (ids, rank and what the search filters
-- on; no content), and none at all when no tenant is set. Callers join them to `kb_documents`
-- and `kb_chunks` under their own RLS (src/repo/search.rs), so even a mistake here could not
-- return another tenant's rows.
--
-- The index carries the tenant inside each entry: every chunk's lexemes plus one lexeme naming
-- its tenant ('tenant <uuid>', with a space, which to_tsvector never produces), and the query
-- ANDs that lexeme in. So the index itself intersects a word with the tenant and hands back only
-- the tenant's own rows: a word that other tenants use a lot costs this tenant no reads of their
-- rows, and its timing does not depend on how many they have (only on the index's posting
-- lists). The plain index of 0004 is dropped: under RLS nothing could use it.

drop index kb_chunks_tsv_idx;

create function kb_tenant_lexeme(p_tenant uuid) returns tsvector
language sql immutable parallel safe
return array_to_tsvector(array['tenant ' || p_tenant::text]);

create function kb_tenant_query(p_tenant uuid) returns tsquery
language sql immutable parallel safe
return quote_literal('tenant ' || p_tenant::text)::tsquery;

create index kb_chunks_tsv_tenant_idx on kb_chunks using gin ((tsv || kb_tenant_lexeme(tenant_id)));

create policy kb_chunks_owner_keyword on kb_chunks for select to tenantdesk_owner using (true);

create function kb_chunks_matching(p_query tsquery)
returns table (tenant_id uuid, id uuid, document_id uuid, version int, model text, rank real)
language plpgsql stable security definer set search_path = public, pg_temp
as $$
declare
    v_tenant uuid := nullif(current_setting('app.tenant_id', true), '')::uuid;
begin
    -- No tenant: nothing. An empty query (only stop words) matches nothing, as `@@` would; ANDed
    -- with the tenant's lexeme it would otherwise match every chunk of the tenant.
    if v_tenant is null or numnode(p_query) = 0 then
        return;
    end if;
    -- EXECUTE … USING plans with the actual tenant and query: the index for what the tenant has
    -- few of, a bitmap of the index and the tenant's primary key for a word in most of its rows.
    -- The explicit tenant condition stays: it is the boundary, the lexeme only the index's key.
    return query execute
        'select c.tenant_id, c.id, c.document_id, c.version, c.model, ts_rank_cd(c.tsv, $2)
           from kb_chunks c
          where c.tenant_id = $1
            and (c.tsv || kb_tenant_lexeme(c.tenant_id)) @@ ($2 && kb_tenant_query($1))'
        using v_tenant, p_query;
end $$;
revoke all on function kb_chunks_matching(tsquery) from public;
grant execute on function kb_chunks_matching(tsquery) to tenantdesk_tenant;
