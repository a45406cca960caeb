-- Every contact, lean: its e-mail and shop customer, to match shop customers by e-mail and to
-- know which shop customers BO already has.
SELECT gp_id, email, osc_customers_id, im_web
FROM gespraechspartner
ORDER BY gp_id
