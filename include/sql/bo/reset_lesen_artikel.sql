-- What a reset of one article clears: its shop product id and sync marks.
SELECT artikel_nr AS schluessel, osc_products_id AS osc_id, osc_abgleich_stand, osc_menge,
       osc_texte, osc_ausgesondert, osc_bild
FROM artikel
WHERE artikel_nr = :schluessel
