-- The form a crisis was declared with, and the form a new alert draft was written on: each
-- rendering of those forms carries a random key, so that a double click or a retried request
-- declares one crisis (one presence form, one welfare board) and opens one draft.
ALTER TABLE crises ADD COLUMN request_key TEXT;
CREATE UNIQUE INDEX crises_request_key ON crises(mission_id, request_key)
    WHERE request_key IS NOT NULL;
ALTER TABLE crisis_alerts ADD COLUMN request_key TEXT;
CREATE UNIQUE INDEX crisis_alerts_request_key ON crisis_alerts(mission_id, request_key)
    WHERE request_key IS NOT NULL;
