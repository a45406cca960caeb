-- A scheduled stock run's first look at BO (looks.py): the latest stock booking and the
-- articles linked to the shop (new links, changes, links cleared). Equal to the last quiet
-- run's: no quantity to send.
SELECT (SELECT MAX(geaendert_am) FROM lagerbestand) AS lagerbestand_stand,
       (SELECT COUNT(*) FROM artikel WHERE osc_products_id IS NOT NULL) AS verknuepft,
       (SELECT MAX(geaendert_am) FROM artikel) AS artikel_stand
