-- What "Alles zuruecksetzen" clears, counted before it runs.
SELECT 'product groups' AS was, COUNT(*) AS anzahl FROM warengruppe
WHERE osc_categories_id IS NOT NULL OR osc_abgleich_stand IS NOT NULL
UNION ALL
SELECT 'articles', COUNT(*) FROM artikel
WHERE osc_products_id IS NOT NULL OR osc_abgleich_stand IS NOT NULL
UNION ALL
SELECT 'contacts', COUNT(*) FROM gespraechspartner
WHERE osc_customers_id IS NOT NULL OR osc_abgleich_stand IS NOT NULL
UNION ALL
SELECT 'links (osc_bindung)', COUNT(*) FROM osc_bindung
