-- Articles the sync linked that BO no longer has (deleted in BO): their products are hidden.
SELECT b.bo_schluessel AS artikel_nr, b.osc_id AS osc_products_id
FROM osc_bindung b
WHERE b.entitaet = 'products'
  AND NOT EXISTS (SELECT 1 FROM artikel a WHERE a.artikel_nr = b.bo_schluessel)
ORDER BY b.bo_schluessel
