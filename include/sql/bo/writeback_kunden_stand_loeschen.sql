-- Forget what the sync knew of a contact's shop account (written again by
-- writeback_kunden_stand.sql in the same transaction, or gone with the link).
DELETE FROM osc_kunde
WHERE gp_id = :gp_id
