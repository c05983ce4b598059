-- E-visas (PostgreSQL): the register of issued visas with their signed payloads, and the per
-- mission and year counter behind their numbers. Dates are DATE, times TIMESTAMPTZ.

CREATE TABLE evisas (
    id              TEXT PRIMARY KEY,
    visa_number     TEXT NOT NULL UNIQUE,
    -- The visa case that approved it; no foreign key, cases live in their own context.
    case_id         TEXT,
    mission_id      TEXT NOT NULL REFERENCES missions(id),
    holder_id       TEXT NOT NULL REFERENCES users(id),
    holder_name     TEXT NOT NULL,
    passport_number TEXT NOT NULL,
    nationality     TEXT NOT NULL,
    birth_date      DATE NOT NULL,
    visa_type       TEXT NOT NULL,
    entries         TEXT NOT NULL,
    valid_from      DATE NOT NULL,
    valid_until     DATE NOT NULL,
    max_stay_days   INTEGER NOT NULL,
    mission_code    TEXT NOT NULL,
    -- base64url of the exact signed bytes and of the Ed25519 signature.
    payload         TEXT NOT NULL,
    signature       TEXT NOT NULL,
    key_id          TEXT NOT NULL,
    issued_at       TIMESTAMPTZ NOT NULL,
    issued_by       TEXT REFERENCES users(id),
    revoked_at      TIMESTAMPTZ,
    revoked_by      TEXT REFERENCES users(id),
    revoke_reason   TEXT
);
CREATE INDEX evisas_holder ON evisas(holder_id, issued_at);
CREATE INDEX evisas_mission ON evisas(mission_id, issued_at);
CREATE INDEX evisas_case ON evisas(case_id);

CREATE TABLE evisa_counters (
    mission_id  TEXT NOT NULL REFERENCES missions(id),
    year        INTEGER NOT NULL,
    last        INTEGER NOT NULL,
    PRIMARY KEY (mission_id, year)
);
