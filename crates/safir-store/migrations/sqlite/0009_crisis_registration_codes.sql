-- Presence registrations are verified by a code that stops working after a while; the
-- registration keeps when that is and which channel carried it.
ALTER TABLE crisis_registrations ADD COLUMN verify_expires_at TEXT;
ALTER TABLE crisis_registrations ADD COLUMN verify_channel TEXT;
CREATE INDEX crisis_registrations_email ON crisis_registrations(email);
CREATE INDEX advice_subscriptions_address ON advice_subscriptions(address);
