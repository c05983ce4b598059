-- The form a registration was made with: each rendering of the registration form carries a
-- random key, so that a double click or a retried request stores the registration once. An
-- account holder's key is theirs alone; a presence form's (no account) is its crisis's, and is
-- a digest of the key and of what was typed, so that the same form sent again with other
-- details is a registration of its own.
ALTER TABLE crisis_registrations ADD COLUMN request_key TEXT;
CREATE UNIQUE INDEX crisis_registrations_request_user ON crisis_registrations(user_id, request_key)
    WHERE request_key IS NOT NULL AND user_id IS NOT NULL;
CREATE UNIQUE INDEX crisis_registrations_request_crisis ON crisis_registrations(crisis_id, request_key)
    WHERE request_key IS NOT NULL AND user_id IS NULL;
