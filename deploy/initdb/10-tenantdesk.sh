#!/usr/bin/env bash
# For the official PostgreSQL images (docker-entrypoint-initdb.d): runs deploy/bootstrap.sql once,
# when the data directory is first created. Passwords come from the environment.
set -euo pipefail
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
  -v db="${TENANTDESK_DB:-tenantdesk}" \
  -v owner_password="${TENANTDESK_OWNER_PASSWORD:?set TENANTDESK_OWNER_PASSWORD}" \
  -v app_password="${TENANTDESK_APP_PASSWORD:?set TENANTDESK_APP_PASSWORD}" \
  -f /tenantdesk/bootstrap.sql
