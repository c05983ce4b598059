-- A travel-advice subscription deleted (with its person's data) takes its address out of the
-- alerts' delivery records, as a deleted registration does (0026): the messages not yet sent
-- are not sent, and the rows kept for the alerts' counts no longer hold the address. The
-- index finds a subscription's rows.
CREATE INDEX crisis_deliveries_subscription ON crisis_deliveries(recipient_id)
    WHERE recipient_kind = 'subscription';

CREATE TRIGGER advice_subscriptions_forget_deliveries
AFTER DELETE ON advice_subscriptions
BEGIN
    DELETE FROM crisis_deliveries
     WHERE recipient_kind = 'subscription' AND recipient_id = OLD.id
       AND status IN ('queued', 'sending');
    UPDATE crisis_deliveries SET address = ''
     WHERE recipient_kind = 'subscription' AND recipient_id = OLD.id;
END;
