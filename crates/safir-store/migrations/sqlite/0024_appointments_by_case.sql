-- A case's page shows the appointments booked for it.
CREATE INDEX appointments_case ON appointments (case_id)
    WHERE case_id IS NOT NULL;
