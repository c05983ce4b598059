-- A moved booking points at the one it became (`rescheduled_to`); the calendar entry of a
-- booking is named after the first booking of its chain, found by walking these links back.
CREATE INDEX appointments_rescheduled_to ON appointments (rescheduled_to)
    WHERE rescheduled_to IS NOT NULL;
