-- The highest osCommerce orders id BO has an Auftrag for (NULL: none yet). The order watcher
-- compares it with the shop's highest orders id when it starts: a higher one in the shop
-- means orders may wait for import.
SELECT MAX(osc_orders_id) AS osc_orders_id
FROM auftrag
