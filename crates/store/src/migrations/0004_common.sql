-- Version 4: cases (PROC-1, CASE-*, REC-*). Projections of the case records; rebuilt
-- from the records like every other projection.
CREATE TABLE cases (
    number TEXT PRIMARY KEY,
    agency TEXT NOT NULL,
    item TEXT NOT NULL,
    procedure_code TEXT NOT NULL,
    party_name TEXT NOT NULL,
    party_id TEXT,
    stage TEXT NOT NULL,
    terminal BIGINT NOT NULL,
    opened_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    seq BIGINT NOT NULL,
    doc TEXT NOT NULL
);
CREATE INDEX cases_agency ON cases (agency, terminal);
CREATE INDEX cases_party ON cases (party_id);
CREATE TABLE case_steps (
    seq BIGINT PRIMARY KEY,
    case_no TEXT NOT NULL,
    action TEXT NOT NULL,
    doc TEXT NOT NULL
);
CREATE INDEX case_steps_case ON case_steps (case_no, seq);
CREATE TABLE case_approvals (
    seq BIGINT PRIMARY KEY,
    case_no TEXT NOT NULL,
    doc TEXT NOT NULL
);
CREATE INDEX case_approvals_case ON case_approvals (case_no, seq);
CREATE TABLE evidence (
    case_no TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    seq BIGINT NOT NULL,
    stored_at BIGINT NOT NULL,
    deleted_seq BIGINT,
    doc TEXT NOT NULL,
    PRIMARY KEY (case_no, sha256)
);
CREATE TABLE case_numbers (scope TEXT PRIMARY KEY, n BIGINT NOT NULL);
CREATE TABLE case_settings (agency TEXT PRIMARY KEY, doc TEXT NOT NULL);
CREATE TABLE platform_settings (key TEXT PRIMARY KEY, doc TEXT NOT NULL);
CREATE TABLE review_catalogues (
    agency TEXT NOT NULL,
    version BIGINT NOT NULL,
    effective_from TEXT NOT NULL,
    doc TEXT NOT NULL,
    PRIMARY KEY (agency, version)
);
-- PROC-1: agencies' adaptations of the shipped procedure definitions, as written.
CREATE TABLE procedure_defs (
    code TEXT NOT NULL,
    version BIGINT NOT NULL,
    agency TEXT NOT NULL,
    kind TEXT NOT NULL,
    file TEXT NOT NULL,
    source TEXT NOT NULL,
    PRIMARY KEY (code, version)
);
