-- osCommerce categories id of a product group, and the change marker and number of text rows
-- it was synced from.
UPDATE warengruppe
SET osc_categories_id = :osc_categories_id,
    osc_abgleich_stand = :osc_abgleich_stand,
    osc_texte = :osc_texte
WHERE warengruppe_nr = :warengruppe_nr
