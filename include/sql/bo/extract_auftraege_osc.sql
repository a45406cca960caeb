-- Every BO order that came from the shop: its osCommerce orders id and the status reported.
SELECT auftrag_nr, osc_orders_id, osc_status_gemeldet
FROM auftrag
WHERE osc_orders_id IS NOT NULL
ORDER BY osc_orders_id
