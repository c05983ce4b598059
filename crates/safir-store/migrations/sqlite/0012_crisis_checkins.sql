-- Safety check-ins and the welfare board (sqlite).
--
-- crisis_checkins gains the region the person was registered in (copied when the check-in is
-- made, so the board's live counts are one GROUP BY over this table joined by primary key)
-- and a `is_current` flag (the person's latest check-in in the crisis, the one an answer
-- goes to). alert_id becomes optional: people imported from a PFIF feed have the status of
-- their notes without any alert of ours. SQLite cannot drop NOT NULL, so the table is rebuilt.

CREATE TABLE crisis_checkins_new (
    id                TEXT PRIMARY KEY,
    -- NULL for statuses imported from PFIF notes.
    alert_id          TEXT REFERENCES crisis_alerts(id) ON DELETE CASCADE,
    crisis_id         TEXT,
    registration_id   TEXT NOT NULL REFERENCES crisis_registrations(id) ON DELETE CASCADE,
    -- waiting | safe | need_help | not_in_area | superseded
    status            TEXT NOT NULL,
    note              TEXT NOT NULL,
    lat               REAL,
    lon               REAL,
    -- The consular emergency case opened for "need help".
    case_id           TEXT,
    created_at        TEXT NOT NULL,
    answered_at       TEXT,
    reminded_at       TEXT,
    -- The region of the person's place in the crisis country when the check-in was made.
    region            TEXT NOT NULL DEFAULT '',
    -- The person's latest check-in in its crisis (1) or an earlier one (0).
    is_current        INTEGER NOT NULL DEFAULT 1,
    UNIQUE (alert_id, registration_id)
);
INSERT INTO crisis_checkins_new (id, alert_id, crisis_id, registration_id, status, note, lat, lon,
    case_id, created_at, answered_at, reminded_at)
    SELECT id, alert_id, crisis_id, registration_id, status, note, lat, lon, case_id, created_at,
        answered_at, reminded_at FROM crisis_checkins;
DROP TABLE crisis_checkins;
ALTER TABLE crisis_checkins_new RENAME TO crisis_checkins;
CREATE INDEX crisis_checkins_crisis ON crisis_checkins(crisis_id, is_current, status);
CREATE INDEX crisis_checkins_registration ON crisis_checkins(registration_id, crisis_id, is_current);

-- People imported from a PFIF document into a crisis: a presence registration each, keyed by
-- the PFIF person_record_id so importing the same document twice adds nobody.
CREATE TABLE crisis_imports (
    registration_id   TEXT PRIMARY KEY REFERENCES crisis_registrations(id) ON DELETE CASCADE,
    crisis_id         TEXT NOT NULL REFERENCES crises(id) ON DELETE CASCADE,
    person_record_id  TEXT NOT NULL,
    source_url        TEXT NOT NULL,
    imported_by       TEXT REFERENCES users(id) ON DELETE SET NULL,
    imported_at       TEXT NOT NULL,
    UNIQUE (crisis_id, person_record_id)
);
