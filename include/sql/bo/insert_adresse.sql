-- A new Adresse for a shop customer BO does not know (Neukunde).
INSERT INTO adresse (adress_nr, firma, strasse, plz, ort, staat_id, region, telefon,
                     geaendert_am)
VALUES (:adress_nr, :firma, :strasse, :plz, :ort, :staat_id, :region, :telefon, :geaendert_am)
