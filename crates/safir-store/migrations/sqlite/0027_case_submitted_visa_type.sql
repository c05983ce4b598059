-- The visa category an application was sent with: it stays valid for the case when the mission
-- stops offering it to new applicants, whatever the form holds later (a save while the mission
-- waits for information is not checked until it is sent).
ALTER TABLE cases ADD COLUMN submitted_visa_type TEXT;
UPDATE cases SET submitted_visa_type = json_extract(form, '$.visa_type')
 WHERE kind = 'visa' AND state <> 'draft' AND json_valid(form);
