-- Stock of the given articles (:nummern, a list): an incremental run's changed articles, for
-- the quantity a new product starts with (total and available, as extract_artikel_bestand).
SELECT a.artikel_nr,
       COALESCE(SUM(l.bestand), 0)                AS gesamt,
       COALESCE(SUM(l.bestand - l.reserviert), 0) AS verfuegbar
FROM artikel a
LEFT JOIN lagerbestand l ON l.artikel_nr = a.artikel_nr
WHERE a.artikel_nr IN :nummern
GROUP BY a.artikel_nr
ORDER BY a.artikel_nr
