-- The applicant's name as the queue's search compares it, folded by the text engine's
-- normalization when the name is written (Unicode lowercase, Arabic letter variants,
-- diacritics and tatweel), so that "احمد" finds "أحمد" and "élodie" finds "Élodie" on both
-- backends: SQLite's LOWER folds ASCII only. Rows written before are filled in by
-- `cases::fill_name_keys`, which migrating runs after the statements.
ALTER TABLE cases ADD COLUMN applicant_name_key TEXT NOT NULL DEFAULT '';
