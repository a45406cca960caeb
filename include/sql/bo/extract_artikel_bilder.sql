-- The image of every web article that has a shop product (images step, sync/images.py): BO's
-- path, the product, and what the step last sent (osc_bild).
SELECT artikel_nr, bildpfad, osc_products_id, osc_bild
FROM artikel
WHERE im_web = 1 AND osc_products_id IS NOT NULL
ORDER BY artikel_nr
