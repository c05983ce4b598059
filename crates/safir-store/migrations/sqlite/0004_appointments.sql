-- Consular appointments (sqlite): weekly opening rules and closures per mission (local wall-clock
-- dates and times in the mission's zone, as text), one counter row per bookable slot, and
-- the bookings (UTC instants).

CREATE TABLE appointment_rules (
    id            TEXT PRIMARY KEY,
    mission_id    TEXT NOT NULL REFERENCES missions(id) ON DELETE CASCADE,
    -- NULL: open to every service.
    service       TEXT,
    -- ISO 8601: 1 = Monday … 7 = Sunday.
    weekday       INTEGER NOT NULL,
    start_time    TEXT NOT NULL,
    end_time      TEXT NOT NULL,
    slot_minutes  INTEGER NOT NULL,
    capacity      INTEGER NOT NULL,
    valid_from    TEXT NOT NULL,
    valid_until   TEXT,
    created_at    TEXT NOT NULL
);
CREATE INDEX appointment_rules_mission ON appointment_rules(mission_id);

CREATE TABLE appointment_closures (
    id          TEXT PRIMARY KEY,
    mission_id  TEXT NOT NULL REFERENCES missions(id) ON DELETE CASCADE,
    first_day   TEXT NOT NULL,
    last_day    TEXT NOT NULL,
    reason_ar   TEXT NOT NULL,
    reason_en   TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
CREATE INDEX appointment_closures_mission ON appointment_closures(mission_id, last_day);

-- One row per slot that has ever been booked: the conditional increment of booked is what
-- keeps a slot from being overbooked under concurrent requests.
CREATE TABLE appointment_slots (
    mission_id  TEXT NOT NULL REFERENCES missions(id) ON DELETE CASCADE,
    -- The service code the slot is for, or '*' for every service.
    scope       TEXT NOT NULL,
    starts_at   TEXT NOT NULL,
    ends_at     TEXT NOT NULL,
    capacity    INTEGER NOT NULL,
    booked      INTEGER NOT NULL DEFAULT 0 CHECK (booked >= 0),
    PRIMARY KEY (mission_id, scope, starts_at)
);

CREATE TABLE appointments (
    id              TEXT PRIMARY KEY,
    mission_id      TEXT NOT NULL REFERENCES missions(id) ON DELETE CASCADE,
    user_id         TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    service         TEXT NOT NULL,
    -- A consular case this appointment belongs to, if any (no foreign key: cases are
    -- another context's table).
    case_id         TEXT,
    scope           TEXT NOT NULL,
    starts_at       TEXT NOT NULL,
    ends_at         TEXT NOT NULL,
    -- booked, cancelled, rescheduled
    status          TEXT NOT NULL,
    -- The language the applicant booked in; their confirmation and reminder use it.
    lang            TEXT NOT NULL,
    rescheduled_to  TEXT,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
-- One person holds at most one live booking at a given time at a mission.
CREATE UNIQUE INDEX appointments_one_per_person_and_time
    ON appointments(user_id, mission_id, starts_at) WHERE status = 'booked';
CREATE INDEX appointments_mission_time ON appointments(mission_id, starts_at);
CREATE INDEX appointments_user_time ON appointments(user_id, starts_at);
