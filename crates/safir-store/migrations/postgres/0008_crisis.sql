-- Citizens abroad and crisis response (postgres): registrations of residence, trips and
-- crisis presence; travel-advice subscriptions; crises; CAP alerts with their audience,
-- one delivery row per recipient and channel, and the safety check-ins that answer them.

-- A person abroad: a signed-in citizen's residence or trip, or (crisis mode) someone who filled
-- the "register your presence" form without an account, verified by a code.
CREATE TABLE crisis_registrations (
    id                  TEXT PRIMARY KEY,
    -- NULL for presence registrations made without an account.
    user_id             TEXT REFERENCES users(id) ON DELETE CASCADE,
    -- residence | trip | presence
    kind                TEXT NOT NULL,
    -- The crisis a presence registration answers.
    crisis_id           TEXT,
    full_name           TEXT NOT NULL,
    email               TEXT,
    -- E.164, e.g. +971501234567
    phone               TEXT,
    lang                TEXT NOT NULL,
    -- Preferred channels, comma separated: email,sms
    channels            TEXT NOT NULL,
    -- Companions (JSON array of {name, relation, age}); counts kept as columns for sorting.
    companions          TEXT NOT NULL,
    adults              INTEGER NOT NULL,
    children            INTEGER NOT NULL,
    -- Vulnerability flags staff sort by.
    elderly             BOOLEAN NOT NULL,
    medical             BOOLEAN NOT NULL,
    vulnerability_note  TEXT NOT NULL,
    emergency_name      TEXT NOT NULL,
    emergency_phone     TEXT NOT NULL,
    emergency_email     TEXT NOT NULL,
    -- NULL until the contact is verified (presence form); set at creation for account holders.
    verified_at         TIMESTAMPTZ,
    verify_code_hash    TEXT,
    verify_attempts     INTEGER NOT NULL DEFAULT 0,
    consent_at          TIMESTAMPTZ NOT NULL,
    created_at          TIMESTAMPTZ NOT NULL,
    updated_at          TIMESTAMPTZ NOT NULL,
    -- When the privacy purge removes this registration (trip end + retention); NULL: never
    -- (residence, until the person deletes it).
    purge_after         TIMESTAMPTZ
);
CREATE INDEX crisis_registrations_user ON crisis_registrations(user_id);
CREATE INDEX crisis_registrations_crisis ON crisis_registrations(crisis_id);
CREATE INDEX crisis_registrations_purge ON crisis_registrations(purge_after);
CREATE INDEX crisis_registrations_phone ON crisis_registrations(phone);

-- Where a registration places the person: one row per country/region/city leg, with dates
-- (NULL = open-ended) and optional coordinates. The audience of an alert is resolved here.
CREATE TABLE crisis_places (
    id               TEXT PRIMARY KEY,
    registration_id  TEXT NOT NULL REFERENCES crisis_registrations(id) ON DELETE CASCADE,
    country          TEXT NOT NULL,
    region           TEXT NOT NULL,
    city             TEXT NOT NULL,
    lat              DOUBLE PRECISION,
    lon              DOUBLE PRECISION,
    starts_on        TEXT,
    ends_on          TEXT
);
CREATE INDEX crisis_places_registration ON crisis_places(registration_id);
CREATE INDEX crisis_places_country ON crisis_places(country, ends_on);
CREATE INDEX crisis_places_lat_lon ON crisis_places(lat, lon);

-- Travel-advice subscriptions per country and channel: pending until confirmed (double
-- opt-in by email link or SMS reply), then active until unsubscribed.
CREATE TABLE advice_subscriptions (
    id               TEXT PRIMARY KEY,
    country          TEXT NOT NULL,
    -- email | sms
    channel          TEXT NOT NULL,
    address          TEXT NOT NULL,
    lang             TEXT NOT NULL,
    -- pending | active | unsubscribed
    status           TEXT NOT NULL,
    -- SHA-256 of the confirm/unsubscribe token (the token itself is only in the link).
    token_hash       TEXT NOT NULL UNIQUE,
    created_at       TIMESTAMPTZ NOT NULL,
    confirmed_at     TIMESTAMPTZ,
    unsubscribed_at  TIMESTAMPTZ,
    UNIQUE (country, channel, address)
);
CREATE INDEX advice_subscriptions_active ON advice_subscriptions(country, status);

-- Partner systems that receive alerts as signed webhooks (HMAC-SHA256 of the body).
CREATE TABLE crisis_webhooks (
    id          TEXT PRIMARY KEY,
    mission_id  TEXT REFERENCES missions(id),
    name        TEXT NOT NULL,
    url         TEXT NOT NULL,
    secret      TEXT NOT NULL,
    -- Countries it wants alerts for (space separated alpha-2); empty = all.
    countries   TEXT NOT NULL,
    enabled     BOOLEAN NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL
);

-- A crisis declared by staff for an area; while open, the presence form is available.
CREATE TABLE crises (
    id                 TEXT PRIMARY KEY,
    mission_id         TEXT NOT NULL REFERENCES missions(id),
    title_ar           TEXT NOT NULL,
    title_en           TEXT NOT NULL,
    country            TEXT NOT NULL,
    -- The area (the target JSON of safir_domain::crisis::geo::Target).
    area               TEXT NOT NULL,
    -- open | closed
    status             TEXT NOT NULL,
    presence_open      BOOLEAN NOT NULL,
    -- Minutes after delivery before non-responders get a reminder.
    reminder_minutes   INTEGER NOT NULL,
    declared_by        TEXT REFERENCES users(id) ON DELETE SET NULL,
    declared_at        TIMESTAMPTZ NOT NULL,
    closed_at          TIMESTAMPTZ
);
CREATE INDEX crises_status ON crises(status);

-- Alerts: draft -> pending_approval -> sending -> completed | cancelled. Update and Cancel
-- alerts reference the original.
CREATE TABLE crisis_alerts (
    id                TEXT PRIMARY KEY,
    -- CAP identifier (unique, public).
    identifier        TEXT NOT NULL UNIQUE,
    crisis_id         TEXT REFERENCES crises(id),
    mission_id        TEXT NOT NULL REFERENCES missions(id),
    -- Alert | Update | Cancel
    msg_type          TEXT NOT NULL,
    references_id     TEXT REFERENCES crisis_alerts(id),
    -- draft | pending_approval | sending | completed | cancelled
    status            TEXT NOT NULL,
    headline_ar       TEXT NOT NULL,
    headline_en       TEXT NOT NULL,
    description_ar    TEXT NOT NULL,
    description_en    TEXT NOT NULL,
    instruction_ar    TEXT NOT NULL,
    instruction_en    TEXT NOT NULL,
    category          TEXT NOT NULL,
    event             TEXT NOT NULL,
    response_type     TEXT NOT NULL,
    urgency           TEXT NOT NULL,
    severity          TEXT NOT NULL,
    certainty         TEXT NOT NULL,
    onset             TIMESTAMPTZ,
    expires           TIMESTAMPTZ,
    -- The target (safir_domain::crisis::geo::Target as JSON) and its description.
    target            TEXT NOT NULL,
    area_desc         TEXT NOT NULL,
    -- Audience at the last preview / at send: JSON {"email": n, "sms": n, "webhook": n, "people": n}.
    audience          TEXT NOT NULL,
    -- Imported CAP: the sender and identifier of the original.
    source            TEXT NOT NULL,
    created_by        TEXT REFERENCES users(id) ON DELETE SET NULL,
    approved_by       TEXT REFERENCES users(id) ON DELETE SET NULL,
    created_at        TIMESTAMPTZ NOT NULL,
    updated_at        TIMESTAMPTZ NOT NULL,
    submitted_at      TIMESTAMPTZ,
    approved_at       TIMESTAMPTZ,
    sent_at           TIMESTAMPTZ,
    completed_at      TIMESTAMPTZ,
    cancelled_at      TIMESTAMPTZ
);
CREATE INDEX crisis_alerts_crisis ON crisis_alerts(crisis_id);
CREATE INDEX crisis_alerts_sent ON crisis_alerts(sent_at);

-- One row per recipient per channel per alert. The UNIQUE key is what makes a double click,
-- a retried request or a restart unable to send a second message.
CREATE TABLE crisis_deliveries (
    id               TEXT PRIMARY KEY,
    alert_id         TEXT NOT NULL REFERENCES crisis_alerts(id) ON DELETE CASCADE,
    -- registration id, subscription id or webhook id
    recipient_id     TEXT NOT NULL,
    -- registration | subscription | webhook
    recipient_kind   TEXT NOT NULL,
    -- email | sms | webhook
    channel          TEXT NOT NULL,
    address          TEXT NOT NULL,
    lang             TEXT NOT NULL,
    -- queued | sent | delivered | failed
    status           TEXT NOT NULL,
    attempts         INTEGER NOT NULL,
    last_error       TEXT,
    -- The channel's id for the message (SMS gateway sid), for delivery receipts.
    provider_id      TEXT,
    created_at       TIMESTAMPTZ NOT NULL,
    sent_at          TIMESTAMPTZ,
    delivered_at     TIMESTAMPTZ,
    failed_at        TIMESTAMPTZ,
    UNIQUE (alert_id, recipient_id, channel)
);
CREATE INDEX crisis_deliveries_status ON crisis_deliveries(alert_id, status);
CREATE INDEX crisis_deliveries_provider ON crisis_deliveries(provider_id);

-- A safety check-in: one per registration per alert. waiting until answered; a new alert's
-- check-in supersedes the person's previous unanswered one in the same crisis.
CREATE TABLE crisis_checkins (
    id                TEXT PRIMARY KEY,
    alert_id          TEXT NOT NULL REFERENCES crisis_alerts(id) ON DELETE CASCADE,
    crisis_id         TEXT,
    registration_id   TEXT NOT NULL REFERENCES crisis_registrations(id) ON DELETE CASCADE,
    -- waiting | safe | need_help | not_in_area | superseded
    status            TEXT NOT NULL,
    note              TEXT NOT NULL,
    lat               DOUBLE PRECISION,
    lon               DOUBLE PRECISION,
    -- The consular emergency case opened for "need help".
    case_id           TEXT,
    created_at        TIMESTAMPTZ NOT NULL,
    answered_at       TIMESTAMPTZ,
    reminded_at       TIMESTAMPTZ,
    UNIQUE (alert_id, registration_id)
);
CREATE INDEX crisis_checkins_crisis ON crisis_checkins(crisis_id, status);
CREATE INDEX crisis_checkins_registration ON crisis_checkins(registration_id, status);
