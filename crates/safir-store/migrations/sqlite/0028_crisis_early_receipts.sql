-- A delivery receipt can come before the batch its message went out in is marked sent: the
-- gateway reports within seconds, and a batch is marked when it ends. It waits here, keyed by
-- the gateway's message id, and marking the batch applies it. The daily crisis purge drops
-- the ones no message claimed within a day.
CREATE TABLE crisis_early_receipts (
    provider_id TEXT PRIMARY KEY,
    delivered   INTEGER NOT NULL,
    detail      TEXT NOT NULL,
    received_at TEXT NOT NULL
);
