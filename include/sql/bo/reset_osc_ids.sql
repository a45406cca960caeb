-- "Alles zuruecksetzen": forget every osCommerce id and flag of the catalog and the contacts
-- in BO, and every link the sync recorded. The next run matches shop rows again (products by
-- model, categories by parent and name, customers by e-mail).
-- auftrag.osc_orders_id is deliberately kept: it is what makes an order import exactly once.
UPDATE warengruppe SET osc_categories_id = NULL, osc_abgleich_stand = NULL, osc_texte = NULL;
UPDATE artikel SET osc_products_id = NULL, osc_abgleich_stand = NULL, osc_menge = NULL,
                   osc_texte = NULL, osc_ausgesondert = NULL, osc_bild = NULL;
UPDATE gespraechspartner SET osc_customers_id = NULL, osc_abgleich_stand = NULL;
DELETE FROM osc_bindung;
