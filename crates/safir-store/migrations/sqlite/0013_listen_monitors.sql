-- Listening: stored datasets, monitors over them, their subscribers and the alerts they
-- raised (sqlite).
--
-- A dataset is a list of archive files; its messages are imported into memory at each
-- check and never stored here (the archives stay the source of truth). Timestamps of
-- messages are milliseconds since the Unix epoch, as in the archives (`*_ms`); times of our
-- own actions are UTC timestamps.

CREATE TABLE listen_datasets (
    id                TEXT PRIMARY KEY,
    name              TEXT NOT NULL UNIQUE,
    -- JSON list of file paths.
    sources           TEXT NOT NULL,
    -- An importer name (cnt-csv, twarc2, …); NULL means detected from the content.
    input_format      TEXT,
    created_by        TEXT REFERENCES users(id) ON DELETE SET NULL,
    created_at        TEXT NOT NULL,
    last_imported_at  TEXT,
    message_count     INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE listen_monitors (
    id                TEXT PRIMARY KEY,
    dataset_id        TEXT NOT NULL REFERENCES listen_datasets(id) ON DELETE CASCADE,
    name              TEXT NOT NULL UNIQUE,
    -- JSON object {keywords, hashtags, accounts, languages}, each a list of strings.
    query             TEXT NOT NULL,
    -- Matching messages in the window that raise an alert.
    threshold         INTEGER NOT NULL CHECK (threshold >= 1),
    window_minutes    INTEGER NOT NULL CHECK (window_minutes >= 1),
    cooldown_minutes  INTEGER NOT NULL CHECK (cooldown_minutes >= 0),
    enabled           INTEGER NOT NULL DEFAULT 1,
    created_by        TEXT REFERENCES users(id) ON DELETE SET NULL,
    created_at        TEXT NOT NULL,
    -- The end of the window of the last alert: later windows start after it, so a message
    -- is reported once.
    last_checked_ms   INTEGER,
    last_alert_at     TEXT
);
CREATE INDEX listen_monitors_dataset ON listen_monitors(dataset_id, enabled);

CREATE TABLE listen_monitor_subscribers (
    monitor_id        TEXT NOT NULL REFERENCES listen_monitors(id) ON DELETE CASCADE,
    user_id           TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    PRIMARY KEY (monitor_id, user_id)
);

CREATE TABLE listen_alerts (
    id                TEXT PRIMARY KEY,
    monitor_id        TEXT NOT NULL REFERENCES listen_monitors(id) ON DELETE CASCADE,
    raised_at         TEXT NOT NULL,
    matches           INTEGER NOT NULL,
    window_start_ms   INTEGER NOT NULL,
    window_end_ms     INTEGER NOT NULL,
    -- JSON list of sample messages {id, user, username, time_ms, text}.
    sample            TEXT NOT NULL
);
CREATE INDEX listen_alerts_monitor ON listen_alerts(monitor_id, raised_at);
