-- Forget a contact's shop customer: the row behind the stored id is gone, or is no longer this
-- contact's (another e-mail).
UPDATE gespraechspartner
SET osc_customers_id = NULL,
    osc_abgleich_stand = NULL
WHERE gp_id = :gp_id
