-- Safety check-ins and the welfare board (postgres).
--
-- crisis_checkins gains the region the person was registered in (copied when the check-in is
-- made, so the board's live counts are one GROUP BY over this table joined by primary key)
-- and a `is_current` flag (the person's latest check-in in the crisis, the one an answer
-- goes to). alert_id becomes optional: people imported from a PFIF feed have the status of
-- their notes without any alert of ours.

ALTER TABLE crisis_checkins ALTER COLUMN alert_id DROP NOT NULL;
ALTER TABLE crisis_checkins ADD COLUMN region TEXT NOT NULL DEFAULT '';
ALTER TABLE crisis_checkins ADD COLUMN is_current BOOLEAN NOT NULL DEFAULT TRUE;
DROP INDEX crisis_checkins_crisis;
DROP INDEX crisis_checkins_registration;
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
    imported_at       TIMESTAMPTZ NOT NULL,
    UNIQUE (crisis_id, person_record_id)
);
