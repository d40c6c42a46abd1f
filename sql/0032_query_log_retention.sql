-- Retention of the assistant's query logs (issue 14, point 3): rows older than
-- ASSISTANT_QUERY_LOG_RETENTION_DAYS (90) are deleted by the maintenance job (retention_purge,
-- which runs as the owner).
create policy assistant_query_logs_owner on assistant_query_logs for all to tenantdesk_owner
    using (true) with check (true);
insert into retention_targets values ('assistant_query_logs', 'created_at', 'rows');

-- A ticket run outlives the query log of its answer: when that log is purged the run keeps its
-- outcome and message and forgets the log (only that column: the tenant id stays).
alter table assistant_runs
    drop constraint assistant_runs_tenant_id_query_log_id_fkey,
    add constraint assistant_runs_tenant_id_query_log_id_fkey
        foreign key (tenant_id, query_log_id) references assistant_query_logs (tenant_id, id)
        on delete set null (query_log_id);
