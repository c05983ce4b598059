-- A travel-advice subscription deleted (with its person's data) takes its address out of the
-- alerts' delivery records, as a deleted registration does (0026): the messages not yet sent
-- are not sent, and the rows kept for the alerts' counts no longer hold the address. Both
-- also clear the row's last error, where a gateway or mail relay often repeats the address
-- ("The 'To' number +33… is not valid", "550 <a@b.example>: Recipient address rejected").
-- The index finds a subscription's rows.
CREATE INDEX crisis_deliveries_subscription ON crisis_deliveries(recipient_id)
    WHERE recipient_kind = 'subscription';

CREATE TRIGGER advice_subscriptions_forget_deliveries
AFTER DELETE ON advice_subscriptions
BEGIN
    DELETE FROM crisis_deliveries
     WHERE recipient_kind = 'subscription' AND recipient_id = OLD.id
       AND status IN ('queued', 'sending');
    UPDATE crisis_deliveries SET address = '', last_error = NULL
     WHERE recipient_kind = 'subscription' AND recipient_id = OLD.id;
END;

DROP TRIGGER crisis_registrations_forget_deliveries;

CREATE TRIGGER crisis_registrations_forget_deliveries
AFTER DELETE ON crisis_registrations
BEGIN
    DELETE FROM crisis_deliveries
     WHERE recipient_kind = 'registration' AND recipient_id = OLD.id
       AND status IN ('queued', 'sending');
    UPDATE crisis_deliveries SET address = '', last_error = NULL
     WHERE recipient_kind = 'registration' AND recipient_id = OLD.id;
END;

-- What was deleted before: its errors go too.
UPDATE crisis_deliveries SET last_error = NULL WHERE address = '' AND last_error IS NOT NULL;
