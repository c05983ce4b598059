-- A registration deleted (by its person, by the purge, with its account) takes its contact out
-- of the alerts' delivery records: the messages not yet sent are not sent, and the rows kept
-- for the alerts' counts no longer hold the address. The index finds a registration's rows.
CREATE INDEX crisis_deliveries_registration ON crisis_deliveries(recipient_id)
    WHERE recipient_kind = 'registration';

CREATE TRIGGER crisis_registrations_forget_deliveries
AFTER DELETE ON crisis_registrations
BEGIN
    DELETE FROM crisis_deliveries
     WHERE recipient_kind = 'registration' AND recipient_id = OLD.id
       AND status IN ('queued', 'sending');
    UPDATE crisis_deliveries SET address = ''
     WHERE recipient_kind = 'registration' AND recipient_id = OLD.id;
END;
