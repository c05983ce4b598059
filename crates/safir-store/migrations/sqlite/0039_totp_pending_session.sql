-- The session a pending (not yet confirmed) authenticator secret was shown to, by its stored
-- id hash: only that session may confirm it, and any other one opening the setup page gets a
-- new secret, so whoever once saw the page elsewhere does not know the one its owner turns on.
ALTER TABLE users ADD COLUMN totp_pending_session TEXT;
