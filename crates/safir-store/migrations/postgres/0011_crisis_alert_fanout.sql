-- When the fan-out of an alert finished writing its delivery and check-in rows. An alert is
-- completed only after that, once no delivery is left queued.
ALTER TABLE crisis_alerts ADD COLUMN fanout_at TIMESTAMPTZ;
-- The public CAP feed lists published alerts newest first.
CREATE INDEX crisis_alerts_status ON crisis_alerts(status, sent_at);
