-- The schedule forms a mission's opening hours and closures were added with: each rendering
-- carries a random key, so that a double click or a retried request adds one rule (two equal
-- rules add up, each slot offering twice its seats) and one closure.
ALTER TABLE appointment_rules ADD COLUMN request_key TEXT;
CREATE UNIQUE INDEX appointment_rules_request_key ON appointment_rules(mission_id, request_key)
    WHERE request_key IS NOT NULL;
ALTER TABLE appointment_closures ADD COLUMN request_key TEXT;
CREATE UNIQUE INDEX appointment_closures_request_key ON appointment_closures(mission_id, request_key)
    WHERE request_key IS NOT NULL;
