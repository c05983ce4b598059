-- The admin form a partner webhook was added with: each rendering carries a random key, so
-- that the same form sent twice (a double click, a refreshed result page) adds one webhook.
-- Before, each sending added another with the same address and a secret of its own, and the
-- partner received every alert twice, one copy failing its signature check.
ALTER TABLE crisis_webhooks ADD COLUMN request_key TEXT;
CREATE UNIQUE INDEX crisis_webhooks_request_key ON crisis_webhooks(request_key)
    WHERE request_key IS NOT NULL;
