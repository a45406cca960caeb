-- Forget an article's shop product: the row behind the stored id is gone, or is no longer
-- this article's (the next run that has the article in the web links or creates it again).
UPDATE artikel
SET osc_products_id = NULL,
    osc_abgleich_stand = NULL,
    osc_menge = NULL,
    osc_texte = NULL,
    osc_ausgesondert = NULL,
    osc_bild = NULL
WHERE artikel_nr = :artikel_nr
