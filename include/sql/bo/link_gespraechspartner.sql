-- Neukunden holen: a shop customer whose e-mail is this contact's is linked, not created again.
-- Only a contact without a shop customer is linked (the unique key on osc_customers_id keeps
-- a shop customer on one contact).
UPDATE gespraechspartner
SET osc_customers_id = :osc_customers_id,
    osc_abgleich_stand = :osc_abgleich_stand
WHERE gp_id = :gp_id AND osc_customers_id IS NULL
