-- A look at BO's stock (looks.py; the stock step of a catalog run, sync/stock.py): the latest
-- stock booking and the bookings' sums (a booking changed or deleted without a new stamp),
-- the articles linked to the shop (new links, changes, links cleared) and the quantities last
-- sent. Equal to those of the last run that found nothing to send: no quantity to send.
-- One pass over each table.
SELECT l.lagerbestand_stand, l.buchungen, l.bestand, l.reserviert,
       a.verknuepft, a.gesendet, a.artikel_stand
FROM (SELECT MAX(geaendert_am) AS lagerbestand_stand,
             COUNT(*) AS buchungen,
             SUM(bestand) AS bestand,
             SUM(reserviert) AS reserviert
      FROM lagerbestand) l
CROSS JOIN (SELECT COUNT(osc_products_id) AS verknuepft,
                   SUM(osc_menge) AS gesendet,
                   MAX(geaendert_am) AS artikel_stand
            FROM artikel) a
