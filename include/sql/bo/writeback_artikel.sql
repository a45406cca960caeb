-- osCommerce products id of an article, the change marker and the number of text rows it was
-- synced from, and, for a product just created with its quantity, that quantity (osc_menge;
-- NULL leaves it alone).
UPDATE artikel
SET osc_products_id = :osc_products_id,
    osc_abgleich_stand = :osc_abgleich_stand,
    osc_texte = :osc_texte,
    osc_menge = COALESCE(:osc_menge, osc_menge)
WHERE artikel_nr = :artikel_nr
