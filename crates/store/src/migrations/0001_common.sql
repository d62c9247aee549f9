-- Zhifa schema, version 1. Common to SQLite and PostgreSQL: integers are BIGINT, text is TEXT,
-- dates are ISO-8601 text, structured values are JSON text in `doc` columns.

CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);

-- The spine (REC-2): append-only; the backend-specific part adds the triggers that refuse
-- UPDATE and DELETE. `seq` is gapless from 0 and will be the record's log leaf index.
CREATE TABLE records (
    seq BIGINT PRIMARY KEY,
    kind TEXT NOT NULL,
    subject TEXT NOT NULL,
    actor TEXT NOT NULL,
    recorded_at BIGINT NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX records_subject ON records (subject, seq);

-- Projections of the records, written in the same transaction; rebuildable from records.
CREATE TABLE agencies (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    region TEXT NOT NULL,
    level TEXT NOT NULL,
    status TEXT NOT NULL,
    domains TEXT NOT NULL,
    entrusted_by TEXT,
    doc TEXT NOT NULL
);
CREATE TABLE officers (
    staff_no TEXT PRIMARY KEY,
    agency TEXT NOT NULL,
    name TEXT NOT NULL,
    employment TEXT NOT NULL,
    exam_passed_on TEXT,
    doc TEXT NOT NULL
);
CREATE INDEX officers_agency ON officers (agency, staff_no);
CREATE TABLE certificates (
    number TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    status TEXT NOT NULL,
    expires_on TEXT NOT NULL,
    doc TEXT NOT NULL
);
CREATE INDEX certificates_holder ON certificates (holder);
CREATE TABLE training (
    staff_no TEXT NOT NULL,
    year BIGINT NOT NULL,
    hours BIGINT NOT NULL,
    PRIMARY KEY (staff_no, year)
);
CREATE TABLE reviewers (
    agency TEXT NOT NULL,
    staff_no TEXT NOT NULL,
    since TEXT NOT NULL,
    until_date TEXT,
    PRIMARY KEY (agency, staff_no, since)
);
CREATE TABLE items (
    code TEXT PRIMARY KEY,
    version BIGINT NOT NULL,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    domain TEXT NOT NULL,
    agency TEXT NOT NULL,
    exercising TEXT NOT NULL,
    in_force BIGINT NOT NULL,
    doc TEXT NOT NULL
);
CREATE INDEX items_agency ON items (exercising, code);
CREATE TABLE item_versions (
    code TEXT NOT NULL,
    version BIGINT NOT NULL,
    effective_from TEXT NOT NULL,
    change TEXT NOT NULL,
    doc TEXT NOT NULL,
    seq BIGINT NOT NULL,
    PRIMARY KEY (code, version)
);
CREATE TABLE inspection_list (
    code TEXT PRIMARY KEY,
    domain TEXT NOT NULL,
    agency TEXT NOT NULL,
    item_code TEXT NOT NULL,
    doc TEXT NOT NULL
);
CREATE TABLE calendar_years (year BIGINT PRIMARY KEY, doc TEXT NOT NULL);
CREATE TABLE accounts (login TEXT PRIMARY KEY, doc TEXT NOT NULL);
CREATE TABLE tokens (
    id TEXT PRIMARY KEY,
    login TEXT NOT NULL,
    token_sha256 TEXT NOT NULL UNIQUE,
    label TEXT NOT NULL,
    revoked BIGINT NOT NULL
);
