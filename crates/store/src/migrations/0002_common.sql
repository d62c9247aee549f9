-- Version 2: the verifiable log (LOG-1..4).

-- One leaf per record, written in the record's transaction: the record's salt and the
-- commitment SHA-256("zhifa/record/v1\n" ‖ salt ‖ canonical record bytes), hex. The
-- commitment is the public log entry; the salt never leaves the platform except to those
-- allowed to see the record.
CREATE TABLE log_leaves (
    seq BIGINT PRIMARY KEY,
    salt TEXT NOT NULL,
    commitment TEXT NOT NULL
);

-- C2SP tlog-tiles hash tiles (height 8), hex. Partial tiles grow in place; full tiles
-- (width 256) never change. Entry bundles are made from log_leaves when asked for.
CREATE TABLE log_tiles (
    level BIGINT NOT NULL,
    idx BIGINT NOT NULL,
    width BIGINT NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (level, idx)
);

-- Every checkpoint the platform signed (C2SP signed note), with its witnesses'
-- cosignature lines added as they arrive.
CREATE TABLE log_checkpoints (
    size BIGINT PRIMARY KEY,
    root TEXT NOT NULL,
    note TEXT NOT NULL,
    signed_at BIGINT NOT NULL
);
CREATE TABLE log_cosignatures (
    size BIGINT NOT NULL,
    witness TEXT NOT NULL,
    line TEXT NOT NULL,
    PRIMARY KEY (size, witness)
);
