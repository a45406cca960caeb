-- What a reset of one order link clears: the shop status reported for it (its shop order id
-- stays: it keeps the import exactly-once).
SELECT auftrag_nr AS schluessel, osc_orders_id AS osc_id, osc_status_gemeldet
FROM auftrag
WHERE auftrag_nr = :schluessel
