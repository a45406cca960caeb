-- The stock watcher's look at BO (every watch_stock_seconds): the latest change to any
-- warehouse stock row. Served by idx_lagerbestand_geaendert_am; an installation whose BO
-- books stock elsewhere names here what changes with every booking.
SELECT MAX(geaendert_am) AS stand
FROM lagerbestand
