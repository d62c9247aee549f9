-- Version 8: SEC-1 — a password set by an administrator (a new account's first password,
-- or a reset) must be changed by its owner before anything else.
ALTER TABLE credentials ADD COLUMN must_change BIGINT NOT NULL DEFAULT 0;
