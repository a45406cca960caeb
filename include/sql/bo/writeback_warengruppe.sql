-- osCommerce categories id of a product group, and the change marker it was synced from.
UPDATE warengruppe
SET osc_categories_id = :osc_categories_id,
    osc_abgleich_stand = :osc_abgleich_stand
WHERE warengruppe_nr = :warengruppe_nr
