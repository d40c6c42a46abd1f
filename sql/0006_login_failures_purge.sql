-- Every failed login (and failed current-password check) runs auth_login_failed, whose first
-- statement purges entries older than a day: `delete from login_failures where failed_at < …`.
-- The (key, failed_at) index cannot serve a range on failed_at alone, so the purge was a
-- sequential scan of the whole table on every failure, growing with the failures themselves.
create index login_failures_failed_at_idx on login_failures (failed_at);
