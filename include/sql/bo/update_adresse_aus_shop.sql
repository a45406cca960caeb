-- A change the customer made to the address in the shop (address_book_process.php, or another
-- entry made primary) written into the contact's Adresse; fields BO changed are passed as BO
-- has them.
UPDATE adresse
SET firma = :firma,
    strasse = :strasse,
    plz = :plz,
    ort = :ort,
    staat_id = :staat_id,
    region = :region,
    telefon = :telefon,
    geaendert_am = :geaendert_am
WHERE adress_nr = :adress_nr
