-- Delivery work state. A batch of delivery rows is claimed by a worker ('sending') until
-- lease_until; a worker that dies loses its claim when the lease ends and the rows are claimed
-- again. A temporary failure puts a row back in the queue, not before not_before (backoff,
-- or the gateway's Retry-After).
ALTER TABLE crisis_deliveries ADD COLUMN lease_until TIMESTAMPTZ;
ALTER TABLE crisis_deliveries ADD COLUMN not_before TIMESTAMPTZ;
-- The claim scans one alert and channel in queue order.
CREATE INDEX crisis_deliveries_claim ON crisis_deliveries(alert_id, channel, status);
