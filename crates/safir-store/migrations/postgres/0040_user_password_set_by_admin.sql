-- When an administrator (on the admin pages or from the shell) last set the account's
-- password: while set, its owner must choose their own before doing anything else, and after
-- seven days the password set for them no longer signs in. Cleared when the owner sets one.
ALTER TABLE users ADD COLUMN password_set_by_admin_at TIMESTAMPTZ;
