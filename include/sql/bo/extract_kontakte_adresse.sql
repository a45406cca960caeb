-- Every contact with its Adresse and shop customer: the buyers of imported orders.
SELECT gp_id, adress_nr, email, osc_customers_id
FROM gespraechspartner
ORDER BY gp_id
