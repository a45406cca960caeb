-- Every article number with its osCommerce products id: the articles of order positions.
SELECT artikel_nr, osc_products_id
FROM artikel
ORDER BY artikel_nr
