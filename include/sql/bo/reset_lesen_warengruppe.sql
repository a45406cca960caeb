-- What a reset of one product group clears: its shop category id and sync marks.
SELECT warengruppe_nr AS schluessel, osc_categories_id AS osc_id, osc_abgleich_stand, osc_texte
FROM warengruppe
WHERE warengruppe_nr = :schluessel
