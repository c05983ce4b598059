-- The trail is read newest first, a page at a time, filtered by who acted or what was acted
-- on ("who read this case?", a person's data download). With every staff read on record it
-- grows by millions of rows, and a filter no index serves reads all of them. actor_id and
-- action have their indexes since 0001; these two complete the set. On SQLite every index
-- ends with the rowid, which is seq, so a filtered page is a walk down one index, newest first;
-- on PostgreSQL repeated values share one index entry, which keeps the index cheap to write.
CREATE INDEX audit_log_actor_label ON audit_log(actor_label);
-- Lists of cases and other reads of no single record leave target_id empty: not indexed.
CREATE INDEX audit_log_target ON audit_log(target_id) WHERE target_id IS NOT NULL;
