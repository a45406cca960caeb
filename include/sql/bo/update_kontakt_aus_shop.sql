-- A change the customer made in the shop (account_edit.php, account_newsletters.php) written
-- into the contact: only when BO did not change the field too (the sync decides per field;
-- fields it does not change are passed as they are in BO).
UPDATE gespraechspartner
SET anrede = :anrede,
    vorname = :vorname,
    nachname = :nachname,
    geburtstag = :geburtstag,
    newsletter = :newsletter,
    geaendert_am = :geaendert_am,
    osc_abgleich_stand = :geaendert_am
WHERE gp_id = :gp_id
