-- "Alles zuruecksetzen": forget every osCommerce id and flag of the catalog in BO. The next
-- run matches shop rows again (products by model, categories by name and parent).
-- auftrag.osc_orders_id is deliberately kept: it is what makes an order import exactly once.
UPDATE warengruppe SET osc_categories_id = NULL, osc_abgleich_stand = NULL;
UPDATE artikel SET osc_products_id = NULL, osc_abgleich_stand = NULL, osc_menge = NULL;
UPDATE gespraechspartner SET osc_customers_id = NULL, osc_abgleich_stand = NULL;
