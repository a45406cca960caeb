-- Its Gespraechspartner: web flag set, osCommerce customers id stored (unique: a second run
-- that imports the same shop customer fails here and imports nothing).
INSERT INTO gespraechspartner (gp_id, adress_nr, anrede, vorname, nachname, email, geburtstag,
                               newsletter, im_web, osc_customers_id, osc_abgleich_stand,
                               geaendert_am)
VALUES (:gp_id, :adress_nr, :anrede, :vorname, :nachname, :email, :geburtstag, :newsletter, 1,
        :osc_customers_id, :geaendert_am, :geaendert_am)
