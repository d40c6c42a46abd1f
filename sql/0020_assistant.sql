-- The assistant (issue 12): one job queue for several kinds of work, assistant settings per
-- tenant over platform defaults, assistant runs on tickets, and the log of every answer.

-- 1. One job queue. Ingestion jobs become jobs of kind 'ingestion'; an assistant run on a ticket
-- is a job of kind 'assistant' with the same leases, retries, backoff and FOR UPDATE SKIP LOCKED
-- claim. Kind-specific details live beside the job (assistant_runs below), not in it.
alter table kb_ingestion_jobs rename to jobs;
alter table jobs add column kind text not null default 'ingestion'
    constraint jobs_kind_check check (kind in ('ingestion', 'assistant'));
alter index kb_ingestion_jobs_due_idx rename to jobs_due_idx;
alter policy kb_ingestion_jobs_tenant on jobs rename to jobs_tenant;
alter policy kb_ingestion_jobs_platform_read on jobs rename to jobs_platform_read;
alter policy kb_ingestion_jobs_owner_claim on jobs rename to jobs_owner_claim;
alter policy kb_ingestion_jobs_owner_update on jobs rename to jobs_owner_update;

-- The claim of 0004, for every kind: it still returns only what the worker needs to open a
-- tenant transaction (tenant, job, and now the kind, to know which work to do).
drop function kb_claim_ingestion_job(text, int, uuid);
create function claim_job(p_worker text, p_lease_secs int, p_tenant uuid)
returns table (tenant_id uuid, job_id uuid, kind text)
language plpgsql volatile security definer set search_path = public, pg_temp
as $$
begin
    update jobs j
       set status = 'failed', finished_at = now(), updated_at = now(), locked_by = null, locked_until = null,
           documents_failed = cardinality(j.document_ids) - j.documents_processed,
           error_log = j.error_log || jsonb_build_array(jsonb_build_object(
               'at', now(), 'error', 'lease expired on the last attempt'))
     where j.status = 'running' and j.locked_until < now() and j.attempts >= j.max_attempts;
    return query
    update jobs j
       set status = 'running', attempts = j.attempts + 1, locked_by = p_worker,
           locked_until = now() + make_interval(secs => p_lease_secs),
           started_at = coalesce(j.started_at, now()), updated_at = now()
      from (select c.tenant_id, c.id from jobs c
             where ((c.status = 'pending' and c.next_attempt_at <= now())
                    or (c.status = 'running' and c.locked_until < now() and c.attempts < c.max_attempts))
               and (p_tenant is null or c.tenant_id = p_tenant)
             order by c.next_attempt_at
             limit 1
             for update skip locked) due
     where j.tenant_id = due.tenant_id and j.id = due.id
    returning j.tenant_id, j.id, j.kind;
end $$;
revoke all on function claim_job(text, int, uuid) from public;
grant execute on function claim_job(text, int, uuid) to tenantdesk_app;

-- 2. Assistant settings. A NULL column means "not set here": the tenant's value, else the
-- platform default a superadmin set, else the service's built-in default (src/assistant/
-- settings.rs, the one place defaults are decided). The provider's API key is stored sealed
-- (XChaCha20-Poly1305 under SETTINGS_ENCRYPTION_KEYS, bound to its row), never in clear.
create table platform_settings (
    id boolean primary key default true constraint platform_settings_singleton check (id),
    assistant_mode text constraint platform_settings_mode_check check (assistant_mode in ('off', 'draft', 'reply')),
    escalation_keywords text[] constraint platform_settings_keywords_check check (cardinality(escalation_keywords) <= 100),
    escalation_threshold float8 constraint platform_settings_threshold_check check (escalation_threshold between 0 and 1),
    retrieval_top_k int constraint platform_settings_top_k_check check (retrieval_top_k between 1 and 20),
    retrieval_min_score float8 constraint platform_settings_min_score_check check (retrieval_min_score between 0 and 1),
    provider text constraint platform_settings_provider_check check (provider in ('builtin', 'openai')),
    base_url text constraint platform_settings_base_url_check check (length(base_url) <= 2000),
    model text constraint platform_settings_model_check check (length(model) between 1 and 200),
    system_prompt text constraint platform_settings_system_prompt_check check (length(system_prompt) <= 8000),
    api_key_sealed text,
    updated_at timestamptz not null default now(),
    updated_by uuid references superadmins (id)
);
insert into platform_settings default values;

create table tenant_settings (
    tenant_id uuid primary key references tenants (id),
    assistant_mode text constraint tenant_settings_mode_check check (assistant_mode in ('off', 'draft', 'reply')),
    escalation_keywords text[] constraint tenant_settings_keywords_check check (cardinality(escalation_keywords) <= 100),
    escalation_threshold float8 constraint tenant_settings_threshold_check check (escalation_threshold between 0 and 1),
    retrieval_top_k int constraint tenant_settings_top_k_check check (retrieval_top_k between 1 and 20),
    retrieval_min_score float8 constraint tenant_settings_min_score_check check (retrieval_min_score between 0 and 1),
    provider text constraint tenant_settings_provider_check check (provider in ('builtin', 'openai')),
    base_url text constraint tenant_settings_base_url_check check (length(base_url) <= 2000),
    model text constraint tenant_settings_model_check check (length(model) between 1 and 200),
    system_prompt text constraint tenant_settings_system_prompt_check check (length(system_prompt) <= 8000),
    api_key_sealed text,
    updated_at timestamptz not null default now()
);

alter table platform_settings enable row level security;
alter table platform_settings force row level security;
alter table tenant_settings enable row level security;
alter table tenant_settings force row level security;
-- Every tenant transaction reads the platform defaults (they are part of its effective settings);
-- only superadmins change them.
create policy platform_settings_tenant_read on platform_settings for select to tenantdesk_tenant using (true);
create policy platform_settings_platform on platform_settings for all to tenantdesk_platform
    using (true) with check (true);
grant select on platform_settings to tenantdesk_tenant;
grant select, update on platform_settings to tenantdesk_platform;
-- Everyone in the tenant reads its settings (asking needs them); only admins (and superadmins
-- acting in the tenant, who act as admins) write them.
create policy tenant_settings_tenant_read on tenant_settings for select to tenantdesk_tenant
    using (tenant_id = (select nullif(current_setting('app.tenant_id', true), '')::uuid));
create policy tenant_settings_tenant_insert on tenant_settings for insert to tenantdesk_tenant
    with check (tenant_id = (select nullif(current_setting('app.tenant_id', true), '')::uuid)
                and (select current_setting('app.role', true)) = 'admin');
create policy tenant_settings_tenant_update on tenant_settings for update to tenantdesk_tenant
    using (tenant_id = (select nullif(current_setting('app.tenant_id', true), '')::uuid)
           and (select current_setting('app.role', true)) = 'admin')
    with check (tenant_id = (select nullif(current_setting('app.tenant_id', true), '')::uuid)
                and (select current_setting('app.role', true)) = 'admin');
create policy tenant_settings_platform_read on tenant_settings for select to tenantdesk_platform using (true);
grant select, insert, update on tenant_settings to tenantdesk_tenant;
grant select on tenant_settings to tenantdesk_platform;

-- Superadmins' changes to the platform defaults belong to no tenant, so they are audited here
-- (append-only, like audit_log).
create table platform_audit_log (
    id uuid primary key default uuidv7(),
    actor_superadmin_id uuid references superadmins (id),
    action text not null,
    target text not null,
    request_id text,
    ip text,
    created_at timestamptz not null default now()
);
create trigger platform_audit_log_no_update before update or delete on platform_audit_log
    for each row execute function audit_log_append_only();
create trigger platform_audit_log_no_truncate before truncate on platform_audit_log
    for each statement execute function audit_log_append_only();
alter table platform_audit_log enable row level security;
alter table platform_audit_log force row level security;
create policy platform_audit_log_read on platform_audit_log for select to tenantdesk_platform using (true);
create policy platform_audit_log_append on platform_audit_log for insert to tenantdesk_platform with check (true);
grant select, insert on platform_audit_log to tenantdesk_platform;

-- 3. Every answer the assistant gives, from POST /v1/ask or a ticket run: what was asked, what it
-- answered from which sources, how long it took, whether it escalated, who asked, and the
-- asker's feedback. A `user` reads (and rates) only the answers they asked for; agents and
-- admins read all of the tenant's.
create table assistant_query_logs (
    tenant_id uuid not null references tenants (id),
    id uuid not null default uuidv7(),
    channel text not null constraint assistant_query_logs_channel_check check (channel in ('ask', 'ticket')),
    ticket_id uuid,
    question text not null constraint assistant_query_logs_question_check check (length(question) <= 60000),
    answer text not null,
    -- The sources the answer cites: [{ref, chunk_id, document_id, version, title, score, quote}].
    sources jsonb not null default '[]' constraint assistant_query_logs_sources_check check (jsonb_typeof(sources) = 'array'),
    -- Everything retrieval returned for it, with scores: [{chunk_id, document_id, score}].
    retrieved jsonb not null default '[]' constraint assistant_query_logs_retrieved_check check (jsonb_typeof(retrieved) = 'array'),
    best_score float8,
    provider text not null,
    model text not null,
    prompt_tokens int,
    completion_tokens int,
    retrieval_ms float8 not null,
    generation_ms float8 not null,
    -- Citations of sources that were not retrieved, removed from the answer.
    dropped_citations int not null default 0,
    escalated boolean not null default false,
    escalation_rule text constraint assistant_query_logs_rule_check check (escalation_rule in
        ('keyword', 'human_request', 'low_score', 'cannot_help')),
    escalation_reason text,
    caller_user_id uuid,
    caller_api_key_id uuid,
    caller_superadmin_id uuid references superadmins (id),
    feedback_helpful boolean,
    feedback_comment text constraint assistant_query_logs_feedback_comment_check check (length(feedback_comment) <= 2000),
    feedback_by uuid,
    feedback_at timestamptz,
    created_at timestamptz not null default now(),
    primary key (tenant_id, id),
    constraint assistant_query_logs_escalation_check check (escalated = (escalation_rule is not null)),
    foreign key (tenant_id, ticket_id) references tickets (tenant_id, id) on delete cascade,
    foreign key (tenant_id, caller_user_id) references users (tenant_id, id),
    foreign key (tenant_id, caller_api_key_id) references api_keys (tenant_id, id),
    foreign key (tenant_id, feedback_by) references users (tenant_id, id)
);
create index assistant_query_logs_created_idx on assistant_query_logs (tenant_id, created_at, id);

alter table assistant_query_logs enable row level security;
alter table assistant_query_logs force row level security;
create policy assistant_query_logs_tenant_read on assistant_query_logs for select to tenantdesk_tenant
    using (tenant_id = (select nullif(current_setting('app.tenant_id', true), '')::uuid)
           and case when (select current_setting('app.role', true)) in ('agent', 'admin') then true
                    else caller_user_id = (select nullif(current_setting('app.user_id', true), '')::uuid) end);
create policy assistant_query_logs_tenant_insert on assistant_query_logs for insert to tenantdesk_tenant
    with check (tenant_id = (select nullif(current_setting('app.tenant_id', true), '')::uuid)
                and case when (select current_setting('app.role', true)) in ('agent', 'admin') then true
                         else caller_user_id = (select nullif(current_setting('app.user_id', true), '')::uuid) end);
create policy assistant_query_logs_tenant_feedback on assistant_query_logs for update to tenantdesk_tenant
    using (tenant_id = (select nullif(current_setting('app.tenant_id', true), '')::uuid)
           and case when (select current_setting('app.role', true)) in ('agent', 'admin') then true
                    else caller_user_id = (select nullif(current_setting('app.user_id', true), '')::uuid) end)
    with check (tenant_id = (select nullif(current_setting('app.tenant_id', true), '')::uuid));
create policy assistant_query_logs_platform_read on assistant_query_logs for select to tenantdesk_platform using (true);
grant select, insert on assistant_query_logs to tenantdesk_tenant;
-- Only the feedback can change, and only through the policy above.
grant update (feedback_helpful, feedback_comment, feedback_by, feedback_at) on assistant_query_logs to tenantdesk_tenant;
grant select on assistant_query_logs to tenantdesk_platform;

-- 4. An assistant run on a ticket: the job that does it, what triggered it, and what came of it.
create table assistant_runs (
    tenant_id uuid not null references tenants (id),
    job_id uuid not null,
    ticket_id uuid not null,
    trigger text not null constraint assistant_runs_trigger_check check (trigger in
        ('ticket_created', 'customer_message', 'agent_request')),
    trigger_message_id uuid,
    -- How the answer is posted; NULL: as the tenant's assistant mode says when the run happens.
    post_as text constraint assistant_runs_post_as_check check (post_as in ('draft', 'reply')),
    requested_by uuid,
    outcome text constraint assistant_runs_outcome_check check (outcome in ('replied', 'drafted', 'escalated', 'skipped')),
    outcome_detail text,
    query_log_id uuid,
    message_id uuid,
    created_at timestamptz not null default now(),
    primary key (tenant_id, job_id),
    foreign key (tenant_id, job_id) references jobs (tenant_id, id) on delete cascade,
    foreign key (tenant_id, ticket_id) references tickets (tenant_id, id) on delete cascade,
    foreign key (tenant_id, trigger_message_id) references ticket_messages (tenant_id, id),
    foreign key (tenant_id, requested_by) references users (tenant_id, id),
    foreign key (tenant_id, query_log_id) references assistant_query_logs (tenant_id, id),
    foreign key (tenant_id, message_id) references ticket_messages (tenant_id, id)
);
create index assistant_runs_ticket_idx on assistant_runs (tenant_id, ticket_id, job_id);

alter table assistant_runs enable row level security;
alter table assistant_runs force row level security;
-- Any caller who may write to a ticket queues a run with it (a customer's new ticket or reply);
-- only agents and admins (the worker acts as an agent) read runs and record their outcome.
create policy assistant_runs_tenant_insert on assistant_runs for insert to tenantdesk_tenant
    with check (tenant_id = (select nullif(current_setting('app.tenant_id', true), '')::uuid));
create policy assistant_runs_tenant_read on assistant_runs for select to tenantdesk_tenant
    using (tenant_id = (select nullif(current_setting('app.tenant_id', true), '')::uuid)
           and (select current_setting('app.role', true)) in ('agent', 'admin'));
create policy assistant_runs_tenant_update on assistant_runs for update to tenantdesk_tenant
    using (tenant_id = (select nullif(current_setting('app.tenant_id', true), '')::uuid)
           and (select current_setting('app.role', true)) in ('agent', 'admin'))
    with check (tenant_id = (select nullif(current_setting('app.tenant_id', true), '')::uuid));
create policy assistant_runs_platform_read on assistant_runs for select to tenantdesk_platform using (true);
grant select, insert, update on assistant_runs to tenantdesk_tenant;
grant select on assistant_runs to tenantdesk_platform;
