-- Version 5: TOTP second factors (SEC-1), kept beside the records like password hashes:
-- enrolments and rejected codes are records (SEC-4); the secrets never are. A login whose
-- password was right but whose code is still awaited holds a short-lived pending entry.
CREATE TABLE totp_secrets (
    login TEXT PRIMARY KEY,
    secret TEXT NOT NULL,
    confirmed_at BIGINT,
    last_step BIGINT NOT NULL
);
CREATE TABLE totp_pending (
    id_sha256 TEXT PRIMARY KEY,
    login TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
