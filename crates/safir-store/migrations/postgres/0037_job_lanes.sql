-- Two lanes in the job queue: bulk work (one message per subscriber of a fan-out) is claimed
-- only when no other job is due, so an escalation or a password reset enqueued behind
-- thousands of messages does not wait for them. The index serves each lane as one range, and
-- every lookup by state that the older index served.
ALTER TABLE jobs ADD COLUMN lane SMALLINT NOT NULL DEFAULT 0;
CREATE INDEX jobs_lane_ready ON jobs(state, lane, run_at);
DROP INDEX jobs_ready;
