-- Names as staff searches compare them, folded by the text engine's normalization when the
-- name is written (Unicode lowercase, Arabic letter variants, diacritics and tatweel): the
-- consular queue's applicants, the crisis board's registered people and the admin's users. So "احمد" finds
-- "أحمد" and "élodie" finds "Élodie" on both backends (SQLite's LOWER folds ASCII only). Rows
-- written before get their key from `name_key::fill`, which migrating runs after the
-- statements.
ALTER TABLE cases ADD COLUMN applicant_name_key TEXT NOT NULL DEFAULT '';
ALTER TABLE crisis_registrations ADD COLUMN full_name_key TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN display_name_key TEXT NOT NULL DEFAULT '';
-- The rows still without a key, which every migration run looks for: a look-up, not a scan of
-- the tables, and nothing to write once the rows have their keys.
CREATE INDEX cases_name_key_missing ON cases(id) WHERE applicant_name_key = '';
CREATE INDEX crisis_registrations_name_key_missing ON crisis_registrations(id)
    WHERE full_name_key = '';
CREATE INDEX users_name_key_missing ON users(id) WHERE display_name_key = '';
