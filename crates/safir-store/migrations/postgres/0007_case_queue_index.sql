-- The officers' queue of open cases, in its display order. With the history of a busy
-- mission (tens of thousands of closed cases) the queue read every open case of the mission
-- and sorted them on each view; this index serves a page straight from its first entries.
-- The predicate is the queue's open-state list, word for word, so both planners match it.
CREATE INDEX cases_open_queue ON cases(mission_id, priority, submitted_at, id)
    WHERE state IN ('submitted', 'in_review', 'needs_info', 'approved', 'ready_for_collection');
