#!/usr/bin/env bash
# The assistant's quality on the labelled set (bench/eval, issue 12 point 7): starts the service
# (release build, its own embedded cluster `eval` on BENCH_PG_PORT, HTTP on BENCH_HTTP_PORT, with
# a worker), and runs `tenantdesk eval`, which creates a fresh tenant, loads the 25 articles,
# searches and asks the 83 questions over HTTP, and prints recall@3 and MRR of the gold article
# per search mode and language, gold sentence in the answer, citations, escalation precision and
# recall, the low-score threshold sweep and latency. The full report (every answer) goes to
# bench/out/eval-<provider>.json.
#
#   bench/eval.sh                                   the built-in (extractive) responder
#   EVAL_SETTINGS='{"provider":"openai","base_url":"http://127.0.0.1:11434","model":"qwen2.5:7b"}' \
#     bench/eval.sh                                 any OpenAI-compatible endpoint (here Ollama)
#   EVAL_SETTINGS='{"provider":"openai","model":"gpt-4o-mini","api_key":"sk-…"}' bench/eval.sh
#   EMBEDDING_MODEL=multilingual-e5-small bench/eval.sh
#                                                   the multilingual built-in embedding model (the
#                                                   service inherits the environment)
#
# PROFILE=debug uses the debug build (the model's crates are optimised in it too; the latency
# figures then include a slower HTTP and database layer). The service allows private provider
# addresses here (a local model server), as `make run` does.
set -euo pipefail
cd "$(dirname "$0")/.."

PG_PORT=${BENCH_PG_PORT:-5445}
HTTP_PORT=${BENCH_HTTP_PORT:-8091}
PROFILE=${PROFILE:-release}
SETTINGS=${EVAL_SETTINGS:-'{"provider":"builtin"}'}
PG=deploy/embedded-pg.sh
OUT=bench/out
mkdir -p "$OUT"

deploy/fetch-model.sh
"$PG" start eval "$PG_PORT"
eval "$("$PG" env eval "$PG_PORT")"
if [ "$PROFILE" = release ]; then
  cargo build --release --quiet
else
  cargo build --quiet
fi
BIN=target/$PROFILE/tenantdesk
"$BIN" migrate || { "$PG" reset eval "$PG_PORT"; "$BIN" migrate; }

# Keys of this run only (the service has no built-in ones; the evaluation's tenant is throwaway).
JWT_KEYS=${JWT_KEYS:-"eval:$(head -c 48 /dev/urandom | base64 | tr -d '/+=\n')"} \
SETTINGS_ENCRYPTION_KEYS=${SETTINGS_ENCRYPTION_KEYS:-"eval:$(head -c 32 /dev/urandom | base64)"} \
BIND_ADDR="127.0.0.1:$HTTP_PORT" MIGRATE_ON_START=false WORKER_ENABLED=true WORKER_POLL_MS=200 \
  ASSISTANT_ALLOW_PRIVATE_URLS=true RUST_LOG=warn "$BIN" serve > "$OUT/eval-server.log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true; "$PG" stop eval' EXIT
for _ in $(seq 100); do
  curl -fsS "http://127.0.0.1:$HTTP_PORT/healthz" >/dev/null 2>&1 && break
  sleep 0.2
done

provider=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1]).get("provider","builtin"))' "$SETTINGS")
echo "machine: $(nproc) cores, $(free -g | awk '/^Mem/ {print $2}') GiB; load before: $(cut -d' ' -f1-3 /proc/loadavg)"
"$BIN" eval --url "http://127.0.0.1:$HTTP_PORT" --settings "$SETTINGS" --json "$OUT/eval-$provider.json"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
