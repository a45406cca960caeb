-- A scheduled customers run's first look at BO (looks.py): contacts and addresses, new,
-- changed or deleted, and the links to shop customers. Equal to the last quiet run's: no
-- contact to send.
SELECT (SELECT COUNT(*) FROM gespraechspartner) AS kontakte,
       (SELECT MAX(geaendert_am) FROM gespraechspartner) AS kontakte_stand,
       (SELECT COUNT(*) FROM gespraechspartner WHERE osc_customers_id IS NOT NULL) AS verknuepft,
       (SELECT COUNT(*) FROM adresse) AS adressen,
       (SELECT MAX(geaendert_am) FROM adresse) AS adressen_stand
