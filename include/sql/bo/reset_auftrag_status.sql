-- Forget the shop status reported for an order: the next status run compares it with the
-- shop again (the order's shop id stays, so it is never imported twice).
UPDATE auftrag
SET osc_status_gemeldet = NULL
WHERE auftrag_nr = :auftrag_nr
