-- Language-aware text search and BM25 keyword ranking (issue 15).
--
-- Languages. A document, a ticket and a ticket message have a `language` (the API's `Language`
-- enum, src/knowledge.rs: given, or detected from the text): `en` and `ru` are indexed with the
-- English and Russian Snowball stemmers, `other` with `simple` (lower case, no stemming, no stop
-- words), through `kb_regconfig`. A chunk carries its document's language, and every generated
-- tsvector (kb_chunks.tsv, tickets.search, ticket_messages.search) is now made with it. Rows that
-- existed before stay `en`: that is what they were indexed as. Adding a language is one enum
-- variant, one value in each CHECK below and one line of `kb_regconfig`.
--
-- BM25. Keyword search used to require every word of the query (`websearch_to_tsquery`) and rank
-- by `ts_rank_cd`, which finds nothing for a question. `kb_chunks_bm25` ranks the chunks sharing
-- any of the query's terms by Okapi BM25 (k1 = 1.2, b = 0.75) with the tenant's own statistics:
-- per tenant and language the number of chunks and their total length (`kb_text_stats`), and per
-- lexeme the number of chunks holding it (`kb_term_stats`). Both are kept by statement triggers
-- on kb_chunks in the writing transaction, under its RLS, so they are exact at every commit and a
-- tenant's statistics never see another tenant's text. No extension is used (pg_textsearch is in
-- the embedded build but not in stock PostgreSQL + pgvector, and needs a preload).

create function kb_regconfig(p_language text) returns regconfig
language sql immutable parallel safe
return case p_language when 'en' then 'english'::regconfig
                       when 'ru' then 'russian'::regconfig
                       else 'simple'::regconfig end;

-- The length of a chunk for BM25: its number of indexed words (stop words are not counted).
create function kb_tsv_length(p_tsv tsvector) returns bigint
language sql immutable parallel safe
return (select coalesce(sum(coalesce(cardinality(u.positions), 1)), 0) from unnest(p_tsv) u);

-- A query for the chunks of any language: the web-search query parsed by each configuration,
-- ORed. It is what the tenant-keyed GIN indexes are searched with (a superset); each row is then
-- checked with its own language's query.
create function kb_websearch_any(p_query text) returns tsquery
language sql immutable parallel safe
return websearch_to_tsquery('english'::regconfig, p_query)
    || websearch_to_tsquery('russian'::regconfig, p_query)
    || websearch_to_tsquery('simple'::regconfig, p_query);

alter table kb_documents add column language text not null default 'en'
    constraint kb_documents_language_check check (language in ('en', 'ru', 'other'));
alter table kb_chunks add column language text not null default 'en'
    constraint kb_chunks_language_check check (language in ('en', 'ru', 'other'));
alter table kb_chunks alter column tsv set expression as (to_tsvector(kb_regconfig(language), content));

alter table tickets add column language text not null default 'en'
    constraint tickets_language_check check (language in ('en', 'ru', 'other'));
alter table tickets alter column search set expression as (
    setweight(to_tsvector(kb_regconfig(language), title), 'A')
    || setweight(to_tsvector(kb_regconfig(language), description), 'B'));
alter table ticket_messages add column language text not null default 'en'
    constraint ticket_messages_language_check check (language in ('en', 'ru', 'other'));
alter table ticket_messages alter column search set expression as (
    to_tsvector(kb_regconfig(language), content));

create table kb_text_stats (
    tenant_id uuid not null references tenants (id),
    language text not null constraint kb_text_stats_language_check check (language in ('en', 'ru', 'other')),
    chunks bigint not null,
    -- The sum of the chunks' kb_tsv_length.
    words bigint not null,
    primary key (tenant_id, language)
);

create table kb_term_stats (
    tenant_id uuid not null references tenants (id),
    language text not null constraint kb_term_stats_language_check check (language in ('en', 'ru', 'other')),
    lexeme text not null,
    -- Chunks holding the lexeme (0 once the last went: read as absent).
    chunks bigint not null,
    primary key (tenant_id, language, lexeme)
);

-- The chunks that exist now (the owner reads them through 0005's policy).
insert into kb_text_stats (tenant_id, language, chunks, words)
select tenant_id, language, count(*), sum(kb_tsv_length(tsv)) from kb_chunks group by 1, 2;
insert into kb_term_stats (tenant_id, language, lexeme, chunks)
select c.tenant_id, c.language, u.lexeme, count(*) from kb_chunks c, unnest(c.tsv) u group by 1, 2, 3;

alter table kb_text_stats enable row level security;
alter table kb_text_stats force row level security;
alter table kb_term_stats enable row level security;
alter table kb_term_stats force row level security;
create policy kb_text_stats_tenant on kb_text_stats for all to tenantdesk_tenant
    using (tenant_id = (select nullif(current_setting('app.tenant_id', true), '')::uuid))
    with check (tenant_id = (select nullif(current_setting('app.tenant_id', true), '')::uuid));
create policy kb_term_stats_tenant on kb_term_stats for all to tenantdesk_tenant
    using (tenant_id = (select nullif(current_setting('app.tenant_id', true), '')::uuid))
    with check (tenant_id = (select nullif(current_setting('app.tenant_id', true), '')::uuid));
-- The owner reads them in kb_chunks_bm25, and keeps them when it writes chunks itself (the
-- benchmarks' seeding).
create policy kb_text_stats_owner on kb_text_stats for all to tenantdesk_owner using (true) with check (true);
create policy kb_term_stats_owner on kb_term_stats for all to tenantdesk_owner using (true) with check (true);
grant select, insert, update on kb_text_stats, kb_term_stats to tenantdesk_tenant;

create type kb_chunk_terms as (tenant_id uuid, language text, tsv tsvector, sign integer);

-- Adds (sign 1) or removes (sign -1) chunks' terms to or from the statistics, as the caller (the
-- tenant role, so under its RLS: it can only count its own tenant's chunks). One writer of a
-- tenant's statistics at a time (until it commits): two ingestions sharing words would otherwise
-- lock the words' rows in different orders and deadlock.
create function kb_term_stats_apply(p_rows kb_chunk_terms[]) returns void
language plpgsql
as $$
declare
    v_tenant uuid;
begin
    for v_tenant in select distinct r.tenant_id from unnest(p_rows) r order by 1 loop
        perform pg_advisory_xact_lock(hashtextextended('kb_term_stats ' || v_tenant::text, 0));
    end loop;
    insert into kb_text_stats as s (tenant_id, language, chunks, words)
    select r.tenant_id, r.language, sum(r.sign), sum(r.sign * kb_tsv_length(r.tsv))
      from unnest(p_rows) r
     group by 1, 2
    having sum(r.sign) <> 0 or sum(r.sign * kb_tsv_length(r.tsv)) <> 0
    on conflict (tenant_id, language)
    do update set chunks = s.chunks + excluded.chunks, words = s.words + excluded.words;
    insert into kb_term_stats as s (tenant_id, language, lexeme, chunks)
    select r.tenant_id, r.language, u.lexeme, sum(r.sign)
      from unnest(p_rows) r, unnest(r.tsv) u
     group by 1, 2, 3
    having sum(r.sign) <> 0
     order by 1, 2, 3
    on conflict (tenant_id, language, lexeme)
    do update set chunks = s.chunks + excluded.chunks;
end $$;

create function kb_chunks_term_stats() returns trigger
language plpgsql
as $$
begin
    if tg_op = 'INSERT' then
        perform kb_term_stats_apply(array(
            select row(n.tenant_id, n.language, n.tsv, 1)::kb_chunk_terms from new_rows n));
    elsif tg_op = 'DELETE' then
        perform kb_term_stats_apply(array(
            select row(o.tenant_id, o.language, o.tsv, -1)::kb_chunk_terms from old_rows o));
    else
        perform kb_term_stats_apply(array(
            select row(o.tenant_id, o.language, o.tsv, -1)::kb_chunk_terms from old_rows o
            union all
            select row(n.tenant_id, n.language, n.tsv, 1)::kb_chunk_terms from new_rows n));
    end if;
    return null;
end $$;

create trigger kb_chunks_term_stats_insert after insert on kb_chunks
    referencing new table as new_rows for each statement execute function kb_chunks_term_stats();
create trigger kb_chunks_term_stats_update after update on kb_chunks
    referencing old table as old_rows new table as new_rows
    for each statement execute function kb_chunks_term_stats();
create trigger kb_chunks_term_stats_delete after delete on kb_chunks
    referencing old table as old_rows for each statement execute function kb_chunks_term_stats();

-- The current tenant's chunks sharing a term with p_query, each with its BM25 score, per
-- language: the query is parsed with each language's configuration for that language's chunks
-- (so "router" finds English chunks stemmed and a product code finds chunks of any language).
-- With p_strict the chunks must match the web-search query (`websearch_to_tsquery`: quotes,
-- `or`, `-word`) and are ranked alike.
--
-- Candidates: the query's terms the tenant has, rarest first, as long as together they are in at
-- most p_cap (≤ 10,000) chunks, at least the rarest one; then at most p_cap chunks holding any of
-- them, found through the tenant-keyed GIN index of 0005 (as in `kb_chunks_matching`: under the
-- caller's RLS `@@` could not use it, so this runs as the owner, for the tenant of
-- `app.tenant_id` only). A term in more chunks than that adds to the score of the candidates but
-- does not make any: it weighs little (its idf is low), and it would make the cost grow with the
-- tenant. Each candidate's term frequencies and length come from its own tsvector.
-- Returns ids and scores only; the caller reads and filters the chunks under its own RLS.
create function kb_chunks_bm25(p_query text, p_strict boolean, p_cap integer)
returns table (id uuid, score double precision)
language plpgsql stable security definer set search_path = public, pg_temp
as $$
declare
    v_tenant uuid := nullif(current_setting('app.tenant_id', true), '')::uuid;
    v_cap integer := least(greatest(coalesce(p_cap, 0), 1), 10000);
    v_corpus record;
    v_config regconfig;
    v_terms text[];
    v_df bigint[];
    v_n integer;
    v_sum bigint;
    v_match tsquery;
begin
    if v_tenant is null or p_query is null then
        return;
    end if;
    for v_corpus in
        select s.language, s.chunks, s.words from kb_text_stats s
         where s.tenant_id = v_tenant and s.chunks > 0 and s.words > 0 order by s.language
    loop
        v_config := kb_regconfig(v_corpus.language);
        select array_agg(t.lexeme order by t.chunks, t.lexeme), array_agg(t.chunks order by t.chunks, t.lexeme)
          into v_terms, v_df
          from kb_term_stats t
         where t.tenant_id = v_tenant and t.language = v_corpus.language and t.chunks > 0
           and t.lexeme = any(tsvector_to_array(to_tsvector(v_config, p_query)));
        continue when v_terms is null;
        if p_strict then
            v_match := websearch_to_tsquery(v_config, p_query);
            continue when numnode(v_match) = 0;
        else
            v_n := 1;
            v_sum := v_df[1];
            while v_n < cardinality(v_terms) and v_sum + v_df[v_n + 1] <= v_cap loop
                v_n := v_n + 1;
                v_sum := v_sum + v_df[v_n];
            end loop;
            -- Each lexeme quoted as tsquery input wants it (backslash and quote escaped).
            v_match := (select string_agg('''' || replace(replace(l, '\', '\\'), '''', '''''') || '''', ' | ')
                          from unnest(v_terms[1:v_n]) l)::tsquery;
        end if;
        -- EXECUTE … USING plans with the actual tenant and query (as kb_chunks_matching does).
        return query execute
            'with hits as (
                 select c.id, c.tsv from kb_chunks c
                  where c.tenant_id = $1 and c.language = $2
                    and (c.tsv || kb_tenant_lexeme(c.tenant_id)) @@ ($5 && kb_tenant_query($1))
                  limit $6)
             select h.id, sum(ln(1 + ($7 - t.df + 0.5) / (t.df + 0.5))
                              * u.tf * 2.2 / (u.tf + 1.2 * (0.25 + 0.75 * u.len / $8)))::float8
               from hits h
              cross join lateral (
                    select x.lexeme, coalesce(cardinality(x.positions), 1)::float8 as tf,
                           sum(coalesce(cardinality(x.positions), 1)) over ()::float8 as len
                      from unnest(h.tsv) x) u
               join unnest($3::text[], $4::bigint[]) as t(lexeme, df) on t.lexeme = u.lexeme
              group by h.id'
            using v_tenant, v_corpus.language, v_terms, v_df, v_match, v_cap,
                  v_corpus.chunks::float8, v_corpus.words::float8 / v_corpus.chunks;
    end loop;
end $$;
revoke all on function kb_chunks_bm25(text, boolean, integer) from public;
grant execute on function kb_chunks_bm25(text, boolean, integer) to tenantdesk_tenant;
