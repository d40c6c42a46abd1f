-- BM25 statistics count only the chunks a search can return (issue 15, leftovers).
--
-- 0050's triggers counted every row of kb_chunks: chunks of a soft-deleted or inactive document,
-- and of an older version until the new one was ingested, so a tenant's deleted text still
-- weighed on its idf and average length. Now a chunk counts while it is *searchable*: its version
-- is its document's current one, and the document is live (`deleted_at is null`) and active.
-- That changes in two places, and both keep the statistics:
--   - kb_chunks: chunks written, re-indexed or deleted count (or stop counting) when their
--     document makes them searchable (the document row is read in the same statement);
--   - kb_documents: a delete, restore, deactivation, activation or new version moves its
--     current version's chunks out of or into the statistics; a document removed for good takes
--     its counted chunks out before its rows cascade away (the chunks' own trigger then no
--     longer sees the document, and subtracts nothing twice).
-- (kb_chunks_bm25's 1,000 candidates may still include unsearchable chunks, which the caller's
-- filters then drop: it runs as the owner, which may not read kb_documents.)

-- 0050's chunk trigger function, counting only searchable chunks.
create or replace function kb_chunks_term_stats() returns trigger
language plpgsql
as $$
begin
    if tg_op = 'INSERT' then
        perform kb_term_stats_apply(array(
            select row(n.tenant_id, n.language, n.tsv, 1)::kb_chunk_terms
              from new_rows n
              join kb_documents d on d.tenant_id = n.tenant_id and d.id = n.document_id
             where d.current_version = n.version and d.deleted_at is null and d.is_active));
    elsif tg_op = 'DELETE' then
        perform kb_term_stats_apply(array(
            select row(o.tenant_id, o.language, o.tsv, -1)::kb_chunk_terms
              from old_rows o
              join kb_documents d on d.tenant_id = o.tenant_id and d.id = o.document_id
             where d.current_version = o.version and d.deleted_at is null and d.is_active));
    else
        perform kb_term_stats_apply(array(
            select row(o.tenant_id, o.language, o.tsv, -1)::kb_chunk_terms
              from old_rows o
              join kb_documents d on d.tenant_id = o.tenant_id and d.id = o.document_id
             where d.current_version = o.version and d.deleted_at is null and d.is_active
            union all
            select row(n.tenant_id, n.language, n.tsv, 1)::kb_chunk_terms
              from new_rows n
              join kb_documents d on d.tenant_id = n.tenant_id and d.id = n.document_id
             where d.current_version = n.version and d.deleted_at is null and d.is_active));
    end if;
    return null;
end $$;

-- A document's change of state: its current version's chunks leave the statistics when it stops
-- being searchable (or its current version changes), and join them when it becomes searchable.
create function kb_documents_term_stats() returns trigger
language plpgsql
as $$
begin
    perform kb_term_stats_apply(array(
        select row(c.tenant_id, c.language, c.tsv, -1)::kb_chunk_terms
          from old_rows o
          join new_rows n on n.tenant_id = o.tenant_id and n.id = o.id
          join kb_chunks c on c.tenant_id = o.tenant_id and c.document_id = o.id
                          and c.version = o.current_version
         where o.deleted_at is null and o.is_active
           and (n.deleted_at is not null or not n.is_active or n.current_version <> o.current_version)
        union all
        select row(c.tenant_id, c.language, c.tsv, 1)::kb_chunk_terms
          from new_rows n
          join old_rows o on o.tenant_id = n.tenant_id and o.id = n.id
          join kb_chunks c on c.tenant_id = n.tenant_id and c.document_id = n.id
                          and c.version = n.current_version
         where n.deleted_at is null and n.is_active
           and (o.deleted_at is not null or not o.is_active or n.current_version <> o.current_version)));
    return null;
end $$;
create trigger kb_documents_term_stats_update after update on kb_documents
    referencing old table as old_rows new table as new_rows
    for each statement execute function kb_documents_term_stats();

-- Before a document is removed for good: once its row is gone, its chunks' own trigger cannot
-- tell whether they were counted. (Row level: a BEFORE statement trigger sees no rows.)
create function kb_documents_term_stats_delete() returns trigger
language plpgsql
as $$
begin
    if old.deleted_at is null and old.is_active then
        perform kb_term_stats_apply(array(
            select row(c.tenant_id, c.language, c.tsv, -1)::kb_chunk_terms
              from kb_chunks c
             where c.tenant_id = old.tenant_id and c.document_id = old.id
               and c.version = old.current_version));
    end if;
    return old;
end $$;
create trigger kb_documents_term_stats_delete before delete on kb_documents
    for each row execute function kb_documents_term_stats_delete();

-- The statistics again from the chunks that count (the owner reads the documents for this
-- migration only).
create policy kb_documents_owner_stats on kb_documents for select to tenantdesk_owner using (true);
delete from kb_term_stats;
delete from kb_text_stats;
insert into kb_text_stats (tenant_id, language, chunks, words)
select c.tenant_id, c.language, count(*), sum(kb_tsv_length(c.tsv))
  from kb_chunks c
  join kb_documents d on d.tenant_id = c.tenant_id and d.id = c.document_id
 where d.current_version = c.version and d.deleted_at is null and d.is_active
 group by 1, 2;
insert into kb_term_stats (tenant_id, language, lexeme, chunks)
select c.tenant_id, c.language, u.lexeme, count(*)
  from kb_chunks c
  join kb_documents d on d.tenant_id = c.tenant_id and d.id = c.document_id,
       unnest(c.tsv) u
 where d.current_version = c.version and d.deleted_at is null and d.is_active
 group by 1, 2, 3;
drop policy kb_documents_owner_stats on kb_documents;
