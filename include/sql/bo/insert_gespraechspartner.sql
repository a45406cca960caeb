-- Its Gespraechspartner with its osCommerce customers id (unique: a second run that imports
-- the same shop customer fails here and imports nothing). im_web is 1 for a shop customer, 0
-- for the buyer of an order whose shop account is gone (so no sync opens it again).
INSERT INTO gespraechspartner (gp_id, adress_nr, anrede, vorname, nachname, email, geburtstag,
                               newsletter, im_web, osc_customers_id, osc_abgleich_stand,
                               geaendert_am)
VALUES (:gp_id, :adress_nr, :anrede, :vorname, :nachname, :email, :geburtstag, :newsletter, :im_web,
        :osc_customers_id, :geaendert_am, :geaendert_am)
