-- Consular documents (SQLite). The bytes live content-addressed on disk under
-- <data_dir>/uploads/sha256/ab/cd/<hex>; a row is one upload of them. case_id is not a
-- foreign key: documents are authorized by owner and mission, without reading cases.

CREATE TABLE documents (
    id             TEXT PRIMARY KEY,
    owner_id       TEXT NOT NULL REFERENCES users(id),
    mission_id     TEXT REFERENCES missions(id),
    case_id        TEXT,
    kind           TEXT NOT NULL,
    sha256         TEXT NOT NULL,
    media_type     TEXT NOT NULL,
    size_bytes     INTEGER NOT NULL,
    width          INTEGER,
    height         INTEGER,
    original_name  TEXT NOT NULL,
    scan_status    TEXT NOT NULL,
    scanned_at     TEXT,
    created_at     TEXT NOT NULL,
    deleted_at     TEXT
);
CREATE INDEX documents_owner ON documents(owner_id, created_at);
CREATE INDEX documents_case ON documents(case_id);
CREATE INDEX documents_sha256 ON documents(sha256);
