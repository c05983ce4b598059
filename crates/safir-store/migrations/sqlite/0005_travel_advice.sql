-- Travel advice per country: every published version is kept (append-only), and one row per
-- country points at the version in force.

CREATE TABLE travel_advice_versions (
    id                       TEXT PRIMARY KEY,
    country                  TEXT NOT NULL,
    version                  INTEGER NOT NULL,
    level                    INTEGER NOT NULL CHECK (level BETWEEN 1 AND 4),
    summary_ar               TEXT NOT NULL,
    summary_en               TEXT NOT NULL,
    safety_and_security_ar   TEXT NOT NULL,
    safety_and_security_en   TEXT NOT NULL,
    entry_requirements_ar    TEXT NOT NULL,
    entry_requirements_en    TEXT NOT NULL,
    health_ar                TEXT NOT NULL,
    health_en                TEXT NOT NULL,
    local_laws_ar            TEXT NOT NULL,
    local_laws_en            TEXT NOT NULL,
    change_summary_ar        TEXT NOT NULL,
    change_summary_en        TEXT NOT NULL,
    published_at             TEXT NOT NULL,
    published_by             TEXT REFERENCES users(id) ON DELETE SET NULL,
    UNIQUE (country, version)
);
CREATE INDEX travel_advice_versions_published ON travel_advice_versions(published_at);

CREATE TABLE travel_advice (
    country       TEXT PRIMARY KEY,
    version_id    TEXT NOT NULL REFERENCES travel_advice_versions(id),
    version       INTEGER NOT NULL,
    level         INTEGER NOT NULL,
    updated_at    TEXT NOT NULL
);
