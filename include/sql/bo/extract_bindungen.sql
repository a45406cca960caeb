-- The links the sync made for one entity ('categories', 'products', 'customers'): BO key,
-- shop id and the natural key the shop row carried when last written.
SELECT bo_schluessel, osc_id, osc_schluessel
FROM osc_bindung
WHERE entitaet = :entitaet
ORDER BY bo_schluessel
