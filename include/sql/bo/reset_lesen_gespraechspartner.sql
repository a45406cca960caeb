-- What a reset of one contact clears: its shop customer id and sync mark.
SELECT gp_id AS schluessel, osc_customers_id AS osc_id, osc_abgleich_stand
FROM gespraechspartner
WHERE gp_id = :schluessel
