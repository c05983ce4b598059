-- Presence registrations: how many verification codes were sent (the first one counts), so
-- a person can ask for a new code a bounded number of times.
ALTER TABLE crisis_registrations ADD COLUMN verify_sends INTEGER NOT NULL DEFAULT 1;
