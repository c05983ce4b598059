-- A draft deleted at its expiry hands its documents back to the applicant's own list; the id
-- of the draft they left is kept, so that when the applicant sends the form of that draft
-- again (from a page left open), the new draft takes its documents back.
ALTER TABLE documents ADD COLUMN purged_from_case TEXT;
