-- What the sync knows of every contact's shop account: the link, whether BO's data may go
-- into it, its own address book entry, and each side's values after the last sync.
SELECT gp_id, osc_customers_id, osc_address_book_id, bestaetigt, willkommen_offen, stand_bo,
       stand_shop
FROM osc_kunde
ORDER BY gp_id
