-- Every article that has a shop product, lean: lets an incremental run hide the articles of a
-- product group that left the web, and show again those of a group that came back, though
-- the articles themselves did not change. Set-aside articles (osc_ausgesondert) are hidden on
-- purpose.
SELECT artikel_nr, warengruppe_nr, osc_products_id, im_web, web_sichtbar, osc_ausgesondert
FROM artikel
WHERE osc_products_id IS NOT NULL
ORDER BY artikel_nr
