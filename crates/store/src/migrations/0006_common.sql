-- Version 6: publication of decisions (PUB-4..7, PUB-9) and complaints (CMP-1).
-- Projections of the records; rebuilt from them like every other projection.
CREATE TABLE publication_policies (agency TEXT PRIMARY KEY, doc TEXT NOT NULL);
-- Every decided case with its publication due date (PUB-4, CAL-1).
CREATE TABLE decisions_due (
    case_no TEXT PRIMARY KEY,
    decision_seq BIGINT NOT NULL,
    agency TEXT NOT NULL,
    kind TEXT NOT NULL,
    decided_on TEXT NOT NULL,
    due TEXT NOT NULL,
    provisional BIGINT NOT NULL
);
CREATE INDEX decisions_due_due ON decisions_due (due);
CREATE TABLE publications (
    id TEXT PRIMARY KEY,
    case_no TEXT NOT NULL,
    agency TEXT NOT NULL,
    kind TEXT NOT NULL,
    decided_on TEXT NOT NULL,
    due TEXT NOT NULL,
    until_date TEXT NOT NULL,
    fine_fen BIGINT NOT NULL,
    seq BIGINT NOT NULL,
    published_at BIGINT NOT NULL,
    withdrawn_seq BIGINT,
    withdrawn_at BIGINT,
    withdrawal TEXT,
    expired_seq BIGINT,
    expired_at BIGINT,
    doc TEXT NOT NULL
);
CREATE INDEX publications_decided ON publications (decided_on);
CREATE INDEX publications_case ON publications (case_no);
CREATE TABLE complaints (
    tracking TEXT PRIMARY KEY,
    agency TEXT,
    received_at BIGINT NOT NULL,
    seq BIGINT NOT NULL,
    doc TEXT NOT NULL
);
