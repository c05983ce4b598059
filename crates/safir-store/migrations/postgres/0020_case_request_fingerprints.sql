-- What the request that created a case with an idempotency key asked for (a SHA-256 of its
-- service and form): a retry with the same key must ask for the same, or it is refused
-- rather than answered with a case made for another request.
ALTER TABLE cases ADD COLUMN idempotency_fingerprint TEXT;
