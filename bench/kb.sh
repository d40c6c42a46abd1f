#!/usr/bin/env bash
# Knowledge-base benchmark (issue 6, item 6): 200,000 chunks of 384 dims over 91 tenants, tenant 1
# holding 1 % (2,000) and tenant 2 10 % (20,000); recall@10 of the service's semantic SQL against an
# exact scan, latency of POST /v1/search (vector and text queries) through HTTP, and ingestion
# throughput with client vectors and with the built-in model.
#
#   bench/kb.sh load      (re)load the data (DIST=mixture|uniform) and build the HNSW index
#   bench/kb.sh recall    recall@10 and SQL latency, EF="40 100 200", iterative scan on and off
#   bench/kb.sh http      p50/p95 of POST /v1/search: vector queries (both tenants) with
#                         HNSW_ITERATIVE_SCAN relaxed_order and off (SCANS), with recall@10 when
#                         `recall` has stored the exact answers; keyword, hybrid and text queries
#   bench/kb.sh ingest    chunks/s: POST /v1/documents/{id}/chunks (client vectors), one INSERT of
#                         10,000 rows with and without the HNSW index (PostgreSQL's ceiling), and
#                         the worker with the built-in model (from the job's timestamps); what it
#                         adds is deleted again (INGEST="client ceiling builtin" picks parts)
#   bench/kb.sh keyword   keyword search in SQL: the strict query of sql/0005 against BM25 (sql/0050),
#                         p50/p95 and EXPLAIN ANALYZE (bench/kb_keyword.sql)
#   bench/kb.sh all       load, recall, http, keyword, ingest
#   bench/kb.sh reindex   re-create the HNSW index with M (16) and EFC (200); then recall/http/ingest
#                         measure the service with it (`load` restores the migration's index)
#
# Own embedded cluster `kbbench` on BENCH_PG_PORT (default 5483), the release build serving on
# BENCH_HTTP_PORT (8095). Knobs: DIST, EF, ROUNDS, SCANS, KEYWORD_ROUNDS, TEXT_ROUNDS, DOCS, PER, CONC, INGEST,
# BUILTIN_DOCS, MAX_BODY_BYTES (the service's own; the default 1 MiB holds ~250 vectors of 384
# dims as JSON, hence PER=200), BUILTIN_JOBS, WORKERS, EMBEDDING_THREADS, NO_BUILD (use the release build as it is),
# BENCH_BIN (another binary). Outputs land in bench/out/kb-*.txt. Every step prints the load
# average: this machine's two cores are shared, so figures are only comparable within one run.
set -euo pipefail
cd "$(dirname "$0")/.."

PG_PORT=${BENCH_PG_PORT:-5483}
HTTP_PORT=${BENCH_HTTP_PORT:-8095}
DIST=${DIST:-mixture}
TOTAL=${TOTAL:-200000} SMALL=${SMALL:-2000} LARGE=${LARGE:-20000} TENANTS=${TENANTS:-91}
CENTROIDS=${CENTROIDS:-300} SIGMA=${SIGMA:-0.05}
EF=${EF:-40 100 200}
PG=deploy/embedded-pg.sh
# BENCH_BIN: an already built binary instead (to compare two builds on one cluster; with NO_BUILD).
BIN=${BENCH_BIN:-target/release/tenantdesk}
OUT=bench/out
mkdir -p "$OUT"
psql_su() { "$PG" psql kbbench "$PG_PORT" -v ON_ERROR_STOP=1 "$@"; }
load() { echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"; }

"$PG" start kbbench "$PG_PORT" >/dev/null 2>&1
eval "$("$PG" env kbbench "$PG_PORT")"

# The service's own migration runner (as the schema owner, recorded in schema_migrations), so a
# new migration reaches an existing bench cluster too.
migrate() {
  [ -n "${NO_BUILD:-}" ] || cargo build --release --quiet
  "$BIN" migrate >/dev/null
}

step_load() {
  migrate
  echo "== load: $TOTAL chunks, $DIST, $(date -u '+%F %T UTC'), $(load)"
  psql_su -q -c "drop index if exists kb_chunks_embedding_384_hnsw"
  local t0 t1
  t0=$(date +%s.%N)
  psql_su -q -v total="$TOTAL" -v small="$SMALL" -v large="$LARGE" -v tenants="$TENANTS" \
    -v centroids="$CENTROIDS" -v sigma="$SIGMA" -v dist="$DIST" -f bench/kb_load.sql
  t1=$(date +%s.%N)
  echo "loaded in $(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.0f", b - a}') s, $(load)"
  # The migration's statement; maintenance_work_mem large enough for the graph to stay in memory
  # (with the default 64MB pgvector warns and the build is much slower).
  t0=$(date +%s.%N)
  psql_su -q <<SQL
set maintenance_work_mem = '1GB';
set max_parallel_maintenance_workers = 1;
create index kb_chunks_embedding_384_hnsw on kb_chunks
    using hnsw ((embedding::vector(384)) vector_cosine_ops) with (m = 16, ef_construction = 200)
    where dims = 384;
vacuum analyze kb_chunks, kb_documents, kb_document_versions;
SQL
  t1=$(date +%s.%N)
  echo "HNSW index (m 16, ef_construction 200 as in the migration, maintenance_work_mem 1GB, 1 parallel worker) + vacuum analyze: $(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.0f", b - a}') s, $(load)"
  psql_su -tA -c "select 'index size ' || pg_size_pretty(pg_relation_size('kb_chunks_embedding_384_hnsw')) || ', chunks per tenant: ' ||
    (select string_agg(g || '=' || n, ' ') from (select t.slug as g, count(*) n from kb_chunks c join tenants t on t.id = c.tenant_id
      where t.slug in ('bench-1', 'bench-2', 'bench-3') group by t.slug order by t.slug) s) || ', total ' || (select count(*) from kb_chunks)"
}

# The semantic query of src/repo/search.rs (`semantic`), with no filters, as PL/pgSQL runs it:
# EXECUTE … USING plans it for the given values, as the service's one-off prepared statement does.
SEMANTIC="select chunk_id, chunk_index, content, document_id, title, source_url, version, 1 - distance as score
  from (select c.id as chunk_id, c.chunk_index, c.content, d.id as document_id, d.title, d.source_url, c.version,
               c.embedding::vector(384) <=> \$2::vector(384) as distance
          from kb_chunks c
          join kb_documents d on d.tenant_id = c.tenant_id and d.id = c.document_id
         where c.dims = 384 and c.tenant_id = \$1 and c.model = \$3 and c.version = d.current_version
           and d.deleted_at is null and d.is_active
           and (\$4::uuid is null or d.collection_id = \$4) and (\$5::text is null or d.doc_type = \$5)
           and (\$6::text is null or d.category = \$6) and (\$7::jsonb is null or d.metadata @> \$7)
         order by c.embedding::vector(384) <=> \$2::vector(384)
         limit \$8) t
 order by distance, chunk_id"

step_recall() {
  echo "== recall: $(psql_su -tAc 'select dist from bench_dist'), $(date -u '+%F %T UTC'), $(load)"
  # The reference: an exact scan (no index) of the tenant's chunks, as the superuser.
  psql_su -q <<SQL
set client_min_messages = warning;
set enable_indexscan = off; set enable_bitmapscan = off;
drop table if exists bench_exact;
create table bench_exact as
select q.g, q.n, (select array_agg(id order by d) from (
          select c.id, c.embedding::vector(384) <=> q.v as d from kb_chunks c
           where c.dims = 384 and c.tenant_id = md5('bench-' || q.g)::uuid
           order by c.embedding::vector(384) <=> q.v limit 10) s) as ids
  from bench_queries q;
-- bench tables only (not the schema's): the tenant role reads the queries and answers
grant select on bench_queries, bench_exact to tenantdesk_tenant;
SQL
  local g ef
  for g in 1 2; do
    for ef in $EF; do
      psql_su -q -t <<SQL
set client_min_messages = notice;
begin;
select set_config('role', 'tenantdesk_tenant', true),
       set_config('app.tenant_id', md5('bench-$g')::uuid::text, true) \gset
select set_config('hnsw.ef_search', '$ef', true) \gset
do \$\$
declare
  q record; ids uuid[]; t0 timestamptz; plan text; line text;
  tid uuid := md5('bench-$g')::uuid;
  sql text := \$q\$ select array_agg(chunk_id order by score desc, chunk_id) from ($SEMANTIC) x \$q\$;
  ms float8[]; hits int; short int; own bigint;
begin
  select count(*) into own from kb_chunks;
  for variant in 1..3 loop
    if variant = 1 then   -- as served: the service's settings, the planner's path
      perform set_config('hnsw.iterative_scan', 'relaxed_order', true); set local enable_sort = on;
    elsif variant = 2 then -- the HNSW path forced, iterative scan on (relaxed_order)
      perform set_config('hnsw.iterative_scan', 'relaxed_order', true); set local enable_sort = off;
    else                   -- the HNSW path forced, iterative scan off
      perform set_config('hnsw.iterative_scan', 'off', true); set local enable_sort = off;
    end if;
    plan := '';
    for line in execute 'explain ' || sql using tid, (select v from bench_queries where g = $g and n = 1), 'all-MiniLM-L6-v2', null::uuid, null::text, null::text, null::jsonb, 10::bigint loop
      if line like '%kb_chunks_embedding_384_hnsw%' then plan := plan || ' HNSW'; end if;
      if line like '%kb_chunks_position_key%' or line like '%kb_chunks_pkey%' then plan := plan || ' btree'; end if;
      if line like '%Seq Scan on kb_chunks%' then plan := plan || ' seqscan'; end if;
    end loop;
    ms := '{}'; hits := 0; short := 0;
    for q in select b.n, b.v, e.ids from bench_queries b join bench_exact e using (g, n) where b.g = $g order by b.n loop
      t0 := clock_timestamp();
      execute sql into ids using tid, q.v, 'all-MiniLM-L6-v2', null::uuid, null::text, null::text, null::jsonb, 10::bigint;
      ms := ms || extract(epoch from clock_timestamp() - t0)::float8 * 1000;
      hits := hits + (select count(*) from unnest(ids) i where i = any(q.ids));
      if coalesce(cardinality(ids), 0) < 10 then short := short + 1; end if;
    end loop;
    raise notice '%', (select format('tenant %s (%s chunks) ef_search %s | %-28s | recall@10 %s | < 10 results %s/100 | p50 %s ms p95 %s ms mean %s ms | plan:%s',
       $g, own, '$ef',
       case variant when 1 then 'as served (planner)' when 2 then 'HNSW forced, iterative on' else 'HNSW forced, iterative OFF' end,
       round(hits::numeric / 1000, 3), short,
       round((percentile_cont(0.5) within group (order by m))::numeric, 2),
       round((percentile_cont(0.95) within group (order by m))::numeric, 2),
       round(avg(m)::numeric, 2), plan) from unnest(ms) m);
  end loop;
end \$\$;
commit;
SQL
      echo "   ($(load))"
    done
  done
}

server=
SECRET=$(head -c 48 /dev/urandom | base64 | tr -d '/+=\n')
# The secrets every tenantdesk process of the run needs (`serve` and the extra `worker`s: a
# worker refuses to start without them), exported once so that `$!` stays the process's own pid.
export SETTINGS_ENCRYPTION_KEYS="bench:$(head -c 32 /dev/urandom | base64)" JWT_KEYS="bench:$SECRET"

# serve WORKER_ENABLED [HNSW_ITERATIVE_SCAN]: the release build on HTTP_PORT (HNSW_EF_SEARCH from
# the environment; iterative scan relaxed_order, the service's default, unless given).
serve() {
  stop_server
  BIND_ADDR="127.0.0.1:$HTTP_PORT" MIGRATE_ON_START=false \
    HNSW_ITERATIVE_SCAN="${2:-relaxed_order}" \
    WORKER_ENABLED="$1" WORKER_POLL_MS=200 RUST_LOG=warn "$BIN" serve > "$OUT/kb-server.log" 2>&1 &
  server=$!
  for _ in $(seq 100); do
    curl -fsS "http://127.0.0.1:$HTTP_PORT/healthz" >/dev/null 2>&1 && break
    sleep 0.2
  done
  python3 bench/mint_tokens.py 3 bench "$SECRET" > "$OUT/kb-tokens.txt"
}
# Clock ticks: the machine's busy and total (from /proc/stat), processes' user + system time, and
# PostgreSQL's (the postmaster, reaped children, live backends).
machine_ticks() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8, $2 + $3 + $4 + $5 + $6 + $7 + $8 }' /proc/stat; }
proc_ticks() {
  local t=0 p
  for p in "$@"; do t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || echo 0))); done
  echo "$t"
}
pg_ticks() {
  local pm
  pm=$(head -1 .local/data-kbbench/postmaster.pid)
  echo $(( $(awk '{print $14 + $15 + $16 + $17}' "/proc/$pm/stat") + $(proc_ticks $(cat "/proc/$pm/task/$pm/children")) ))
}
stop_server() { if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; server=; fi; }
trap stop_server EXIT
token() { sed -n "${1}p" "$OUT/kb-tokens.txt"; }
URL=http://127.0.0.1:$HTTP_PORT

step_http() {
  migrate
  echo "== http: $(psql_su -tAc 'select dist from bench_dist'), HNSW_EF_SEARCH=${HNSW_EF_SEARCH:-40 (default)}, $(date -u '+%F %T UTC')"
  echo "   sequential requests on one keep-alive connection (bench/kb_http.py), 5 warm-up requests not counted"
  local g scan
  local exact=
  for g in 1 2; do
    psql_su -tAc "select v::text from bench_queries where g = $g order by n" > "$OUT/kb-queries-$g.txt"
    # The exact answers, when `recall` has made them: recall@10 of what HTTP returns.
    if [ "$(psql_su -tAc "select to_regclass('bench_exact') is not null")" = t ]; then
      psql_su -tAc "select array_to_json(ids) from bench_exact where g = $g order by n" > "$OUT/kb-exact-$g.txt"
      exact=1
    fi
  done
  for scan in ${SCANS:-relaxed_order off}; do
    serve false "$scan"
    for g in 1 2; do
      echo "tenant $g, POST /v1/search {vector, top_k 10}, HNSW_ITERATIVE_SCAN=$scan, $(load)"
      python3 bench/kb_http.py search "$URL" "$(token "$g")" "$OUT/kb-queries-$g.txt" "${ROUNDS:-3}" \
        ${exact:+"$OUT/kb-exact-$g.txt"}
    done
  done
  serve false
  for g in 1 2; do
    echo "tenant $g, POST /v1/search {query, mode keyword|hybrid, top_k 10}, $(load)"
    python3 bench/kb_http.py keyword "$URL" "$(token "$g")" "${KEYWORD_ROUNDS:-30}"
  done
  echo "tenant 2, POST /v1/search {query, mode semantic, top_k 10} (includes the built-in model's embedding), $(load)"
  python3 bench/kb_http.py text "$URL" "$(token 2)" "${TEXT_ROUNDS:-5}"
  echo "   ($(load))"
  stop_server
}

step_keyword() {
  migrate
  echo "== keyword (SQL level, bench/kb_keyword.sql): $(date -u '+%F %T UTC'), $(load)"
  local g
  for g in 1 2; do
    psql_su -q -c "set bench.g = '$g'; set bench.rounds = '${KEYWORD_ROUNDS:-30}'" -v g="$g" -f bench/kb_keyword.sql 2>&1 | sed 's/^psql:[^ ]* NOTICE: */   /; s/^NOTICE: */   /'
    echo "   ($(load))"
  done
}

# Removes what step_ingest added, so the other steps see the loaded 200,000 chunks.
unload_ingested() {
  psql_su -q <<'SQL'
delete from kb_chunks c using kb_documents d where d.tenant_id = c.tenant_id and d.id = c.document_id
   and (d.title like 'Client-vector document %' or d.title like 'Builtin-model document %');
delete from kb_document_versions v using kb_documents d where d.tenant_id = v.tenant_id and d.id = v.document_id
   and (d.title like 'Client-vector document %' or d.title like 'Builtin-model document %');
delete from jobs;
delete from kb_documents where title like 'Client-vector document %' or title like 'Builtin-model document %';
analyze kb_chunks, kb_documents, kb_document_versions;
SQL
}

step_ingest() {
  migrate
  unload_ingested
  trap 'stop_server; unload_ingested' EXIT
  local docs=${DOCS:-51} per=${PER:-200} conc parts=${INGEST:-client ceiling builtin}
  echo "== ingest ($parts): $(date -u '+%F %T UTC'), MAX_BODY_BYTES=${MAX_BODY_BYTES:-default 1 MiB}, $(load)"
  psql_su -tAc "select c::text from bench_centroids order by k" > "$OUT/kb-centroids.txt"
  serve false
  [[ " $parts " == *" client "* ]] || CONC=" "
  for conc in ${CONC:-1 2}; do
    # Fresh documents of tenant 3 (no ingestion job), made as the superuser.
    psql_su -tA > "$OUT/kb-docs.txt" <<SQL
insert into kb_documents (tenant_id, id, title)
select md5('bench-3')::uuid, uuidv7(), 'Client-vector document ' || i from generate_series(1, $docs) i
returning id;
SQL
    sed -i '/^$/d; /^INSERT/d' "$OUT/kb-docs.txt"
    psql_su -qc "insert into kb_document_versions (tenant_id, document_id, version, raw_content, content, content_hash)
      select tenant_id, id, 1, 'x', 'x', '\x00' from kb_documents d where title like 'Client-vector document %'
         and not exists (select 1 from kb_document_versions v where v.tenant_id = d.tenant_id and v.document_id = d.id)"
    echo "POST /v1/documents/{id}/chunks, $per chunks of 384 dims a request, $conc connection(s), $(load)"
    python3 bench/kb_http.py chunks "$URL" "$(token 3)" "$OUT/kb-docs.txt" "$per" "$OUT/kb-centroids.txt" "$SIGMA" "$conc"
    echo "   ($(load))"
  done
  stop_server
  if [[ " $parts " == *" ceiling "* ]]; then
  # PostgreSQL's own ceiling on this machine: the same kind of rows in one INSERT … SELECT (no
  # round trips, no client), with and without the HNSW index's maintenance, rolled back.
  echo "SQL ceiling (superuser, one INSERT ... SELECT of 10,000 mixture vectors, one statement), $(load)"
  psql_su -q <<SQL
\timing on
begin;
create temp table v as
  select i, l2_normalize(c.c + (select array_agg(random_normal(0, $SIGMA)) from generate_series(1, 384) where i is not null)::vector(384)) as e
    from generate_series(1, 10000) i join bench_centroids c on c.k = i % $CENTROIDS;
\echo with the HNSW index:
insert into kb_chunks (tenant_id, document_id, version, chunk_index, content, token_count, content_hash, model, dims, embedding)
select md5('bench-3')::uuid, md5('bench-doc-3-0')::uuid, 1, 1000 + i, 'ceiling chunk ' || i, 10, '\x00', 'ceiling', 384, e from v;
rollback;
begin;
create temp table v as
  select i, l2_normalize(c.c + (select array_agg(random_normal(0, $SIGMA)) from generate_series(1, 384) where i is not null)::vector(384)) as e
    from generate_series(1, 10000) i join bench_centroids c on c.k = i % $CENTROIDS;
drop index if exists kb_chunks_embedding_384_hnsw;
\echo without it:
insert into kb_chunks (tenant_id, document_id, version, chunk_index, content, token_count, content_hash, model, dims, embedding)
select md5('bench-3')::uuid, md5('bench-doc-3-0')::uuid, 1, 1000 + i, 'ceiling chunk ' || i, 10, '\x00', 'ceiling', 384, e from v;
rollback;
SQL
  echo "   ($(load))"
  fi
  [[ " $parts " == *" builtin "* ]] || return 0
  # The built-in model: documents through POST /v1/documents/bulk (BUILTIN_JOBS requests of
  # BUILTIN_DOCS documents, one job each), chunked and embedded by the worker inside `serve` and
  # WORKERS - 1 more `tenantdesk worker` processes (each with EMBEDDING_THREADS threads, from the
  # environment); chunks/s from the first job's started_at to the last one's finished_at.
  serve true
  local n=${BUILTIN_DOCS:-20} jobs=${BUILTIN_JOBS:-1} workers=${WORKERS:-1} extra=() w i
  for w in $(seq 2 "$workers"); do
    WORKER_POLL_MS=200 RUST_LOG=warn "$BIN" worker >> "$OUT/kb-worker.log" 2>&1 &
    extra+=($!)
  done
  : > "$OUT/kb-bulk.json"
  for i in $(seq "$jobs"); do
    python3 - "$URL" "$(token 3)" "$n" "$i" >> "$OUT/kb-bulk.json" <<'PY'
import json, random, sys, urllib.request
url, token, n, run = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
rnd = random.Random(3 if run == 1 else 1000 + run)
words = ("account password reset invoice billing refund VPN client network printer laptop battery "
         "email spam domain agent ticket export webhook integration API key rotate SSO SAML login "
         "browser dashboard mobile app workspace policy retention data privacy customer support "
         "configure install update error timeout certificate proxy firewall mailbox calendar").split()
def para():
    return " ".join(rnd.choice(words) for _ in range(rnd.randint(40, 90))).capitalize() + "."
docs = [{"title": f"Builtin-model document {run}.{i}", "type": "guide",
         "content": "\n\n".join(para() for _ in range(12)) + f" (document {i}, run {rnd.random()})"}
        for i in range(n)]
req = urllib.request.Request(url + "/v1/documents/bulk", data=json.dumps({"documents": docs}).encode(),
    headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"}, method="POST")
print(json.loads(urllib.request.urlopen(req).read().decode())["job_id"])
PY
  done
  local ids
  ids=$(sed "s/.*/'&'/" "$OUT/kb-bulk.json" | paste -sd,)
  echo "built-in model: $jobs job(s) of $n documents (~12 paragraphs of 40-90 words each), $workers worker(s) (serve's + $((workers - 1)) more), EMBEDDING_THREADS=${EMBEDDING_THREADS:-0 (one per core)}, $(load)"
  # CPU while the jobs run: the workers' processes (serve and the extra workers) and
  # PostgreSQL's (its backends), in cores busy on average, and the whole machine's (other users
  # of a shared machine included).
  local t0 c0 w0 p0 t1 c1 w1 p1
  t0=$(date +%s.%N) c0=$(machine_ticks) w0=$(proc_ticks "$server" "${extra[@]}") p0=$(pg_ticks)
  for _ in $(seq 900); do
    [ "$(psql_su -tAc "select count(*) from jobs where id in ($ids) and status <> 'completed'")" = 0 ] && break
    sleep 0.5
  done
  t1=$(date +%s.%N) c1=$(machine_ticks) w1=$(proc_ticks "$server" "${extra[@]}") p1=$(pg_ticks)
  # A worker that died at start (say, missing configuration) would silently halve the figure.
  for w in "${extra[@]}"; do
    kill -0 "$w" 2>/dev/null || { echo "an extra worker exited early: see $OUT/kb-worker.log" >&2; exit 1; }
  done
  awk -v t="$(awk -v a="$t0" -v b="$t1" 'BEGIN {print b - a}')" -v hz="$(getconf CLK_TCK)" \
      -v w=$((w1 - w0)) -v p=$((p1 - p0)) -v busy="$(echo "$c0 $c1" | awk '{print $3 - $1}')" \
      -v all="$(echo "$c0 $c1" | awk '{print $4 - $2}')" -v cores="$(nproc)" \
    'BEGIN { printf "CPU while the jobs ran (%.1f s, sampled every 0.5 s): workers %.2f cores, PostgreSQL %.2f cores, whole machine %.0f %% of %d cores\n",
             t, w / hz / t, p / hz / t, 100 * busy / all, cores }'
  for w in "${extra[@]}"; do kill "$w" 2>/dev/null || true; wait "$w" 2>/dev/null || true; done
  psql_su -tA <<SQL
select format('%s job(s) %s: %s documents, %s chunks (model %s) in %s s = %s chunks/s; queued -> first started %s s',
       count(*), string_agg(distinct j.status::text, ','), sum(j.documents_processed), sum(n.chunks), min(n.model),
       round(extract(epoch from max(j.finished_at) - min(j.started_at))::numeric, 2),
       round(sum(n.chunks) / extract(epoch from max(j.finished_at) - min(j.started_at))::numeric, 1),
       round(extract(epoch from min(j.started_at) - min(j.created_at))::numeric, 2))
  from jobs j,
       lateral (select count(*) as chunks, min(c.model) as model from kb_chunks c
                 where c.tenant_id = j.tenant_id and c.document_id = any(j.document_ids)) n
 where j.id in ($ids);
SQL
  echo "   ($(load))"
  stop_server
}

# Re-create the index with other build parameters (M, EFC; the migration's are 16 and 200), to see
# what the service's recall, latency and ingestion do with a denser graph.
step_reindex() {
  local m=${M:-16} efc=${EFC:-200} t0 t1
  echo "== reindex: m $m, ef_construction $efc, $(date -u '+%F %T UTC'), $(load)"
  t0=$(date +%s.%N)
  psql_su -q <<SQL
set maintenance_work_mem = '1GB';
set max_parallel_maintenance_workers = 1;
drop index if exists kb_chunks_embedding_384_hnsw;
create index kb_chunks_embedding_384_hnsw on kb_chunks
    using hnsw ((embedding::vector(384)) vector_cosine_ops) with (m = $m, ef_construction = $efc) where dims = 384;
SQL
  t1=$(date +%s.%N)
  echo "built in $(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.0f", b - a}') s, $(load)"
}

case ${1:-all} in
  load) step_load ;;
  reindex) step_reindex ;;
  recall) step_recall ;;
  http) step_http ;;
  ingest) step_ingest ;;
  keyword) step_keyword ;;
  all) step_load; step_recall; step_http; step_keyword; step_ingest ;;
  *) echo "usage: bench/kb.sh load|recall|http|keyword|ingest|all|reindex" >&2; exit 2 ;;
esac
