-- A person confirmed that the shop account linked to this contact is the contact's: BO's data
-- may go into it from now on (reset DAG, scope confirm_customer).
UPDATE osc_kunde
SET bestaetigt = 1
WHERE gp_id = :gp_id
