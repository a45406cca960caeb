-- A look at BO's stock (looks.py; the stock step of a catalog run, sync/stock.py): the latest
-- stock booking and the bookings' sums (a booking changed or deleted without a new stamp),
-- the articles linked to the shop (new links, changes, links cleared) and the quantities last
-- sent. Equal to those of the last run that found nothing to send: no quantity to send.
SELECT (SELECT MAX(geaendert_am) FROM lagerbestand) AS lagerbestand_stand,
       (SELECT COUNT(*) FROM lagerbestand) AS buchungen,
       (SELECT SUM(bestand) FROM lagerbestand) AS bestand,
       (SELECT SUM(reserviert) FROM lagerbestand) AS reserviert,
       (SELECT COUNT(*) FROM artikel WHERE osc_products_id IS NOT NULL) AS verknuepft,
       (SELECT SUM(osc_menge) FROM artikel) AS gesendet,
       (SELECT MAX(geaendert_am) FROM artikel) AS artikel_stand
