-- The shop status reported for an order (Processing, Delivered), after the shop has it.
UPDATE auftrag
SET osc_status_gemeldet = :osc_status_gemeldet
WHERE auftrag_nr = :auftrag_nr
