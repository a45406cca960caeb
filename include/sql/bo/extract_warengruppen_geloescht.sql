-- Product groups the sync linked that BO no longer has (deleted in BO): their categories go.
SELECT b.bo_schluessel AS warengruppe_nr, b.osc_id AS osc_categories_id, b.osc_schluessel
FROM osc_bindung b
WHERE b.entitaet = 'categories'
  AND NOT EXISTS (SELECT 1 FROM warengruppe w WHERE w.warengruppe_nr = b.bo_schluessel)
ORDER BY b.bo_schluessel
