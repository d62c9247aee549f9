-- Version 7: official documents (CASE-6, LOG-5). `documents` projects `document_issued`
-- records; `document_numbers` counts each scope (agency, kind, year) like `case_numbers`;
-- `document_settings` holds each agency's numbering patterns and remedy bodies.
CREATE TABLE documents (
    code TEXT PRIMARY KEY,
    case_no TEXT NOT NULL,
    kind TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    seq BIGINT NOT NULL,
    doc TEXT NOT NULL
);
CREATE INDEX documents_case ON documents (case_no, seq);
CREATE INDEX documents_sha256 ON documents (sha256);
CREATE TABLE document_numbers (scope TEXT PRIMARY KEY, n BIGINT NOT NULL);
CREATE TABLE document_settings (agency TEXT PRIMARY KEY, doc TEXT NOT NULL);
