-- The (alert_id, status) index duplicates the claim index (alert_id, channel, status): every
-- query by alert and status names the channels and uses that one. One index fewer to write
-- for each of a fan-out's rows.
DROP INDEX crisis_deliveries_status;
