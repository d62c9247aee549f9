-- Version 3: credentials and sessions (SEC-1). Operational state kept beside the records:
-- a password change, a login attempt and a logout are records (SEC-4); the password hash
-- and the session secrets are not, so that no record ever holds them.
CREATE TABLE credentials (
    login TEXT PRIMARY KEY,
    phc TEXT NOT NULL,
    failed BIGINT NOT NULL,
    locked_until BIGINT,
    changed_at BIGINT NOT NULL
);
CREATE TABLE sessions (
    id_sha256 TEXT PRIMARY KEY,
    login TEXT NOT NULL,
    csrf TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    last_seen BIGINT NOT NULL
);
CREATE INDEX sessions_login ON sessions (login);
