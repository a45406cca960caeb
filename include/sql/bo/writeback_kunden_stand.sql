-- What the sync knows of a contact's shop account after this run.
INSERT INTO osc_kunde (gp_id, osc_customers_id, osc_address_book_id, bestaetigt,
                       willkommen_offen, stand_bo, stand_shop, geaendert_am)
VALUES (:gp_id, :osc_customers_id, :osc_address_book_id, :bestaetigt, :willkommen_offen,
        :stand_bo, :stand_shop, :geaendert_am)
