-- The message to the applicant written with a decision (the officer's own words beside the
-- reason code), so the decision letter quotes that message and no other.
ALTER TABLE case_events ADD COLUMN message_id TEXT;
