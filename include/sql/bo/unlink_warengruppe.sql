-- Forget a product group's category: it was removed (the group left the web), is gone, or is
-- no longer this group's.
UPDATE warengruppe
SET osc_categories_id = NULL,
    osc_abgleich_stand = NULL,
    osc_texte = NULL
WHERE warengruppe_nr = :warengruppe_nr
