-- The applicant's form is saved as they type, from every tab it is open in: each save counts
-- a revision and names the tab (a random key of the page) that made it. A save from a tab
-- drawn before another tab's save is refused instead of writing its older values over them.
ALTER TABLE cases ADD COLUMN form_rev INTEGER NOT NULL DEFAULT 0;
ALTER TABLE cases ADD COLUMN form_editor TEXT;
