-- osCommerce customers id of a contact and the change marker it was synced from.
UPDATE gespraechspartner
SET osc_customers_id = :osc_customers_id,
    osc_abgleich_stand = :osc_abgleich_stand
WHERE gp_id = :gp_id
