-- One-time, idempotent set-up that needs a superuser: roles, the database, extensions.
-- Run with psql: psql -v db=tenantdesk -v owner_password=… -v app_password=… -f bootstrap.sql
-- Everything else (tables, policies, grants) is a migration in sql/, applied as the owner role.
\set ON_ERROR_STOP on
set client_min_messages = warning;
-- Roles are cluster-wide: two bootstraps at once (tests make scratch databases in parallel) would
-- update the same pg_authid rows and one would fail with "tuple concurrently updated". The lock
-- is the session's, so it is released at `\connect` below, once the roles are done.
select pg_advisory_lock(hashtext('tenantdesk bootstrap roles')) \gset

-- The owner of the schema; migrations run as it. Not a superuser.
select format('create role tenantdesk_owner login nosuperuser nocreaterole nocreatedb password %L', :'owner_password')
 where not exists (select from pg_roles where rolname = 'tenantdesk_owner') \gexec
-- The role the service logs in as: owns nothing, no superuser, no BYPASSRLS, no table privileges
-- of its own. It may only SET ROLE to the two roles below, inside a transaction.
select format('create role tenantdesk_app login nosuperuser nobypassrls nocreaterole nocreatedb password %L', :'app_password')
 where not exists (select from pg_roles where rolname = 'tenantdesk_app') \gexec
select 'create role tenantdesk_tenant nologin nosuperuser nobypassrls'
 where not exists (select from pg_roles where rolname = 'tenantdesk_tenant') \gexec
select 'create role tenantdesk_platform nologin nosuperuser nobypassrls'
 where not exists (select from pg_roles where rolname = 'tenantdesk_platform') \gexec
-- Keep the attributes right even for roles made earlier by hand.
alter role tenantdesk_app nosuperuser nobypassrls;
alter role tenantdesk_owner nosuperuser;
grant tenantdesk_tenant to tenantdesk_app with inherit false, set true;
grant tenantdesk_platform to tenantdesk_app with inherit false, set true;

select format('create database %I owner tenantdesk_owner', :'db')
 where not exists (select from pg_database where datname = :'db') \gexec
select format('revoke all on database %I from public', :'db') \gexec
select format('grant connect, temporary on database %I to tenantdesk_app', :'db') \gexec

\connect :db
set client_min_messages = warning;
-- pgvector is not a trusted extension: a superuser creates it.
create extension if not exists vector;
alter schema public owner to tenantdesk_owner;
revoke create on schema public from public;
grant usage on schema public to tenantdesk_tenant, tenantdesk_platform;
