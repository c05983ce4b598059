-- The admin form a staff account was created with: each rendering of the form carries a
-- random key, so that the same form sent twice (a double click, a retried request) is told
-- apart from an address already taken by someone else.
ALTER TABLE users ADD COLUMN request_key TEXT;
