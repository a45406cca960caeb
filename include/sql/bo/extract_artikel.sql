-- Articles for the shop, one row per article and text language (sprache NULL: no texts).
-- Web articles, plus articles that left the web but are still in the shop (to hide them).
-- :full_sync = 0 selects only articles changed since their last sync (osc_abgleich_stand), or
-- whose number of text rows differs from the last sync (a text was deleted: osc_texte), and
-- those set aside at their last check (osc_ausgesondert: the products step skips those whose
-- memo still matches). :texte_pruefen = 0 leaves out the two text questions (an index look-up
-- each, per article): a run asks them only while BO's texts changed since the last run that
-- found no article due for its texts alone (look_artikel_texte.sql, sync/run.py); nur_texte
-- marks such an article.
SELECT a.artikel_nr,
       a.bezeichnung,
       a.warengruppe_nr,
       a.ust_schluessel,
       a.listenpreis,
       a.ladenpreis,
       a.gewicht,
       a.bildpfad,
       a.im_web,
       a.web_sichtbar,
       a.master_id,
       a.osc_products_id,
       a.osc_abgleich_stand,
       a.osc_texte,
       a.osc_ausgesondert,
       a.geaendert_am,
       t.sprache,
       t.bezeichnung  AS text_bezeichnung,
       t.internettext,
       t.geaendert_am AS text_geaendert_am,
       CASE WHEN :full_sync = 0
                 AND a.osc_abgleich_stand IS NOT NULL
                 AND a.osc_ausgesondert IS NULL
                 AND COALESCE(a.geaendert_am > a.osc_abgleich_stand, 0) = 0
            THEN 1 ELSE 0 END AS nur_texte
FROM artikel a
LEFT JOIN artikel_text t ON t.artikel_nr = a.artikel_nr
WHERE (a.im_web = 1 OR a.osc_products_id IS NOT NULL)
  AND (:full_sync = 1
       OR a.osc_abgleich_stand IS NULL
       OR a.osc_ausgesondert IS NOT NULL
       OR a.geaendert_am > a.osc_abgleich_stand
       OR (:texte_pruefen = 1
           AND (EXISTS (SELECT 1 FROM artikel_text c
                        WHERE c.artikel_nr = a.artikel_nr
                          AND c.geaendert_am > a.osc_abgleich_stand)
                OR (SELECT COUNT(*) FROM artikel_text n WHERE n.artikel_nr = a.artikel_nr)
                   <> COALESCE(a.osc_texte, -1))))
ORDER BY a.artikel_nr, t.sprache
