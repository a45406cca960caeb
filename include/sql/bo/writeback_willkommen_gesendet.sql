-- The welcome e-mail with the password link went out.
UPDATE osc_kunde
SET willkommen_offen = 0
WHERE gp_id = :gp_id
