-- Product groups with their names per language (one row per group and language; a group
-- without texts comes once with sprache NULL). Always the whole tree: parents decide children.
SELECT w.warengruppe_nr,
       w.bezeichnung,
       w.ober_warengruppe_nr,
       w.sortierung,
       w.im_web,
       w.osc_categories_id,
       w.osc_abgleich_stand,
       w.osc_texte,
       w.geaendert_am,
       t.sprache,
       t.bezeichnung  AS text_bezeichnung,
       t.geaendert_am AS text_geaendert_am
FROM warengruppe w
LEFT JOIN warengruppe_text t ON t.warengruppe_nr = w.warengruppe_nr
ORDER BY w.warengruppe_nr, t.sprache
