-- Since when the applicant's word waits for the mission: set by their first message (or
-- answer) after the mission last wrote to them, cleared when the mission writes. The queue
-- shows such a case as having a new message.
ALTER TABLE cases ADD COLUMN awaiting_reply_since TIMESTAMPTZ;
