-- A scheduled orders run's first look at BO (looks.py): what the orders steps read from BO
-- besides the shop. The shop's orders imported so far and the delivery notes (new, changed
-- or deleted); equal to the last quiet run's: nothing for the run to do on BO's side.
SELECT (SELECT COUNT(*) FROM auftrag WHERE osc_orders_id IS NOT NULL) AS auftraege,
       (SELECT MAX(osc_orders_id) FROM auftrag) AS hoechste_bestellung,
       (SELECT COUNT(*) FROM lieferschein) AS lieferscheine,
       (SELECT MAX(geaendert_am) FROM lieferschein) AS lieferscheine_stand
