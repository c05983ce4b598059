-- When the confirmation now pending was asked for. A YES by SMS confirms only what was asked
-- in the last day (a stranger's request weeks old is no longer confirmed with the person's
-- own), and a second request within a minute (a double click) sends nothing new, so the
-- first message's link keeps working.
ALTER TABLE advice_subscriptions ADD COLUMN requested_at TIMESTAMPTZ;
UPDATE advice_subscriptions SET requested_at = created_at;
