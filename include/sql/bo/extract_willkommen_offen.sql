-- Accounts the sync created whose welcome e-mail with the password link is still to be sent.
SELECT gp_id, osc_customers_id
FROM osc_kunde
WHERE willkommen_offen = 1
ORDER BY gp_id
