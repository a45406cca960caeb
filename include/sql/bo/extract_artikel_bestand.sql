-- Stock of the articles extract_artikel selects (same condition), for the quantity a new
-- product starts with: total (bestand) and available (bestand - reserviert). A full run's
-- extract; an incremental run reads the stock of the articles it extracted by number
-- (extract_artikel_bestand_von); the stock step reads every article's stock itself
-- (extract_lagerbestand).
SELECT a.artikel_nr,
       COALESCE(SUM(l.bestand), 0)                AS gesamt,
       COALESCE(SUM(l.bestand - l.reserviert), 0) AS verfuegbar
FROM artikel a
LEFT JOIN lagerbestand l ON l.artikel_nr = a.artikel_nr
WHERE (a.im_web = 1 OR a.osc_products_id IS NOT NULL)
  AND (:full_sync = 1
       OR a.osc_abgleich_stand IS NULL
       OR a.geaendert_am > a.osc_abgleich_stand
       OR EXISTS (SELECT 1 FROM artikel_text c
                  WHERE c.artikel_nr = a.artikel_nr AND c.geaendert_am > a.osc_abgleich_stand)
       OR (SELECT COUNT(*) FROM artikel_text n WHERE n.artikel_nr = a.artikel_nr)
          <> COALESCE(a.osc_texte, -1))
GROUP BY a.artikel_nr
ORDER BY a.artikel_nr
