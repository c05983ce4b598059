-- The trail of one person (what they did, what was done to their account) is read newest
-- first, a page at a time, for their data download: with the record's number in the index,
-- each page is one range of it rather than every record of theirs fetched and sorted again.
DROP INDEX audit_log_actor;
CREATE INDEX audit_log_actor ON audit_log(actor_id, seq);
DROP INDEX audit_log_target;
CREATE INDEX audit_log_target ON audit_log(target_id, seq) WHERE target_id IS NOT NULL;
