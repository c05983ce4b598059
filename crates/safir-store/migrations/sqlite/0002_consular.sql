-- Consular services: the catalogue each mission offers, cases with their state history,
-- and the messages and internal notes on each case.

CREATE TABLE consular_services (
    id               TEXT PRIMARY KEY,
    mission_id       TEXT NOT NULL REFERENCES missions(id),
    code             TEXT NOT NULL,
    kind             TEXT NOT NULL,
    name_ar          TEXT NOT NULL,
    name_en          TEXT NOT NULL,
    instructions_ar  TEXT NOT NULL,
    instructions_en  TEXT NOT NULL,
    -- One required document per line, "Arabic | English".
    documents        TEXT NOT NULL,
    fee_minor        INTEGER NOT NULL,
    currency         TEXT NOT NULL,
    processing_days  INTEGER NOT NULL,
    -- Space-separated visa categories (visa services only).
    visa_types       TEXT NOT NULL,
    enabled          INTEGER NOT NULL,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    UNIQUE (mission_id, code)
);

-- The next case number per mission and year: one row, bumped in the submitting transaction.
CREATE TABLE case_counters (
    mission_id  TEXT NOT NULL REFERENCES missions(id),
    year        INTEGER NOT NULL,
    last        INTEGER NOT NULL,
    PRIMARY KEY (mission_id, year)
);

CREATE TABLE cases (
    id                TEXT PRIMARY KEY,
    reference         TEXT UNIQUE,
    mission_id        TEXT NOT NULL REFERENCES missions(id),
    service_id        TEXT NOT NULL REFERENCES consular_services(id),
    kind              TEXT NOT NULL,
    applicant_id      TEXT NOT NULL REFERENCES users(id),
    state             TEXT NOT NULL,
    priority          INTEGER NOT NULL,
    assignee_id       TEXT REFERENCES users(id),
    -- The form as the applicant typed it (JSON object of strings): drafts may be incomplete.
    form              TEXT NOT NULL,
    -- Short searchable summary: the applicant's name as on the form.
    applicant_name    TEXT NOT NULL,
    lang              TEXT NOT NULL,
    idempotency_key   TEXT,
    decision_reason   TEXT,
    escalation_level  INTEGER NOT NULL DEFAULT 0,
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL,
    submitted_at      TEXT,
    state_changed_at  TEXT NOT NULL,
    acknowledged_at   TEXT,
    -- When the processing-time target (or, for emergencies, the acknowledgement deadline)
    -- runs out; an open case past it is in breach.
    due_at            TEXT,
    closed_at         TEXT,
    -- Drafts are removed after this instant unless submitted.
    expires_at        TEXT,
    UNIQUE (applicant_id, idempotency_key)
);
CREATE INDEX cases_queue ON cases(mission_id, state, priority, submitted_at);
CREATE INDEX cases_applicant ON cases(applicant_id, created_at);
CREATE INDEX cases_assignee ON cases(assignee_id, state);
CREATE INDEX cases_closed ON cases(state, closed_at);
CREATE INDEX cases_drafts ON cases(state, expires_at);
CREATE INDEX cases_due ON cases(mission_id, due_at);

-- Every transition, in order: the applicant's timeline and the SLA board read it.
CREATE TABLE case_events (
    id          TEXT PRIMARY KEY,
    case_id     TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    at          TEXT NOT NULL,
    actor_id    TEXT REFERENCES users(id),
    action      TEXT NOT NULL,
    from_state  TEXT NOT NULL,
    to_state    TEXT NOT NULL,
    reason      TEXT
);
CREATE INDEX case_events_case ON case_events(case_id, at);
CREATE INDEX case_events_state ON case_events(to_state, at);

-- Messages between applicant and mission, and officers' internal notes (never shown to the
-- applicant).
CREATE TABLE case_messages (
    id          TEXT PRIMARY KEY,
    case_id     TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    author_id   TEXT REFERENCES users(id),
    from_staff  INTEGER NOT NULL,
    internal    INTEGER NOT NULL,
    body        TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
CREATE INDEX case_messages_case ON case_messages(case_id, created_at);
