-- Normalization now folds the Greek final sigma (ς) to σ, as case folding does, so a name
-- typed in capitals (ΟΔΥΣΣΕΥΣ) and one typed in lower case (Οδυσσευς) share a key. Keys
-- written before that still hold ς: emptied here, `name_key::fill` writes them again after
-- the statements, as it does for any row without a key.
UPDATE cases SET applicant_name_key = '' WHERE applicant_name_key LIKE '%ς%';
UPDATE crisis_registrations SET full_name_key = '' WHERE full_name_key LIKE '%ς%';
UPDATE users SET display_name_key = '' WHERE display_name_key LIKE '%ς%';
