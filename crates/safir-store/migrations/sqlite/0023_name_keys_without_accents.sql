-- Name keys now leave out the accents of Latin, Greek and Cyrillic letters (Élodie → elodie),
-- so that a name typed without them is found. Keys with a letter outside ASCII are emptied;
-- `name_key::fill` writes them again after the migrations, a thousand rows a transaction.
UPDATE cases SET applicant_name_key = '' WHERE applicant_name_key GLOB '*[^ -~]*';
UPDATE crisis_registrations SET full_name_key = '' WHERE full_name_key GLOB '*[^ -~]*';
UPDATE users SET display_name_key = '' WHERE display_name_key GLOB '*[^ -~]*';
