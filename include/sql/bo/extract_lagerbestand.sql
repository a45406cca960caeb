-- Stock per article over all warehouses: total (bestand) and available (bestand - reserviert),
-- with the quantity last sent to the shop (osc_menge).
SELECT a.artikel_nr,
       a.osc_products_id,
       a.osc_menge,
       COALESCE(SUM(l.bestand), 0)                AS gesamt,
       COALESCE(SUM(l.bestand - l.reserviert), 0) AS verfuegbar
FROM artikel a
LEFT JOIN lagerbestand l ON l.artikel_nr = a.artikel_nr
WHERE a.im_web = 1 OR a.osc_products_id IS NOT NULL
GROUP BY a.artikel_nr, a.osc_products_id, a.osc_menge
ORDER BY a.artikel_nr
