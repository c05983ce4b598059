#!/usr/bin/env python3
"""The job queue's claim statement with a backlog, before and after the bulk lane, side by side.

    python3 bench/jobs/claim.py [BACKLOG] [CLAIMS]

Builds two SQLite databases holding the same jobs: "before" with the `jobs` table as migration
0001 left it, "after" as 0037 leaves it (the lane column, the index on state, lane, run_at in
place of the one on state, run_at). Each gets BACKLOG bulk jobs that are due (a travel-advice
change to every subscriber of a country) and one normal job due after them (an escalation).
Then CLAIMS claims with each database's statement, alternating, each rolled back so the backlog
stays whole:

  before  ORDER BY run_at over both states (the claim up to this change)
  after   expired leases, then the normal lane, then the bulk lane, each one index range

and says which job each statement claims first; then again with the escalation gone (the
claims of the fan-out itself). Both databases are analysed (`ANALYZE`), as an
operator may do: the planner then works from statistics, the case where the "after" statement
needs its `INDEXED BY`. SQLite from Python's own module: this measures the statement, not
Safir's Rust around it.
"""
import sqlite3
import statistics
import sys
import time

BACKLOG = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
CLAIMS = int(sys.argv[2]) if len(sys.argv) > 2 else 200

BASE = """
CREATE TABLE jobs (
    id TEXT PRIMARY KEY, kind TEXT NOT NULL, payload TEXT NOT NULL, idempotency_key TEXT UNIQUE,
    state TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, max_attempts INTEGER NOT NULL,
    run_at TEXT NOT NULL, locked_by TEXT, locked_until TEXT, last_error TEXT,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
CREATE INDEX jobs_ready ON jobs(state, run_at);
ALTER TABLE jobs ADD COLUMN lane SMALLINT NOT NULL DEFAULT 0;
"""
LANES = "CREATE INDEX jobs_lane_ready ON jobs(state, lane, run_at); DROP INDEX jobs_ready;"


def database(schema):
    db = sqlite3.connect(":memory:", isolation_level=None)
    db.executescript(schema)
    db.execute("BEGIN")
    db.executemany(
        "INSERT INTO jobs VALUES (?, 'email.send', '{}', NULL, 'queued', 0, 16, ?, NULL, NULL, NULL, ?, ?, 1)",
        (
            (f"bulk-{i:07}", f"2026-12-07 08:00:{i % 60:02}.{i:06}+00:00", "t", "t")
            for i in range(BACKLOG)
        ),
    )
    db.execute(
        "INSERT INTO jobs VALUES ('escalation', 'consular.escalate', '{}', NULL, 'queued', 0, 16,"
        " '2026-12-07 09:00:00+00:00', NULL, NULL, NULL, 't', 't', 0)"
    )
    db.execute("COMMIT")
    db.execute("ANALYZE")
    return db


DBS = {"before": database(BASE), "after": database(BASE + LANES)}

NOW = "2026-12-07 10:00:00+00:00"
SET = "UPDATE jobs SET state = 'running', attempts = attempts + 1, locked_by = 'w', locked_until = ?1, updated_at = ?1 "
BEFORE = (
    SET
    + "WHERE id = (SELECT id FROM jobs WHERE ((state = 'queued' AND run_at <= ?1) OR "
    "(state = 'running' AND locked_until < ?1)) ORDER BY run_at LIMIT 1) RETURNING id"
)
AFTER = (
    SET
    + "WHERE id = COALESCE("
    "(SELECT id FROM jobs INDEXED BY jobs_lane_ready WHERE state = 'running' AND locked_until < ?1 ORDER BY locked_until LIMIT 1), "
    "(SELECT id FROM jobs INDEXED BY jobs_lane_ready WHERE state = 'queued' AND lane = 0 AND run_at <= ?1 ORDER BY run_at LIMIT 1), "
    "(SELECT id FROM jobs INDEXED BY jobs_lane_ready WHERE state = 'queued' AND lane = 1 AND run_at <= ?1 ORDER BY run_at LIMIT 1)) "
    "RETURNING id"
)


def claim(db, sql):
    db.execute("BEGIN")
    t = time.perf_counter()
    got = db.execute(sql, (NOW,)).fetchone()
    elapsed = time.perf_counter() - t
    db.execute("ROLLBACK")
    return elapsed, got[0]


def phase(title):
    times = {"before": [], "after": []}
    first = {}
    for _ in range(CLAIMS):
        for name, sql in (("before", BEFORE), ("after", AFTER)):
            elapsed, got = claim(DBS[name], sql)
            times[name].append(elapsed)
            first[name] = got
    print(title)
    for name in ("before", "after"):
        t = sorted(times[name])
        median = 1e3 * statistics.median(t)
        p99 = 1e3 * t[int(0.99 * (len(t) - 1))]
        print(f"  {name:6}  median {median:8.3f} ms   p99 {p99:8.3f} ms   claims first: {first[name]}")


print(f"{BACKLOG} bulk jobs due; {CLAIMS} claims with each statement, alternating, each rolled back")
phase("with one escalation due after the bulk jobs:")
for db in DBS.values():
    db.execute("DELETE FROM jobs WHERE id = 'escalation'")
phase("with the bulk jobs alone (every claim of a fan-out):")
