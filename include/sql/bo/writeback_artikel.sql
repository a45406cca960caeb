-- osCommerce products id of an article, and the change marker it was synced from.
UPDATE artikel
SET osc_products_id = :osc_products_id,
    osc_abgleich_stand = :osc_abgleich_stand
WHERE artikel_nr = :artikel_nr
