-- A shop order as a BO Auftrag (osc_orders_id unique: a second import of it fails here).
INSERT INTO auftrag (auftrag_nr, adress_nr, gp_id, auftragsdatum, email, liefer_name,
                     liefer_firma, liefer_strasse, liefer_plz, liefer_ort, liefer_staat_id,
                     rechnung_name, rechnung_firma, rechnung_strasse, rechnung_plz, rechnung_ort,
                     rechnung_staat_id, zahlungsart, zahlungsinfo, waehrung, waehrungsfaktor,
                     bemerkung, summe_netto, summe_steuer, summe_brutto, versandkosten,
                     versand_ust_satz, osc_orders_id, osc_status_bei_import, geaendert_am)
VALUES (:auftrag_nr, :adress_nr, :gp_id, :auftragsdatum, :email, :liefer_name, :liefer_firma,
        :liefer_strasse, :liefer_plz, :liefer_ort, :liefer_staat_id, :rechnung_name,
        :rechnung_firma, :rechnung_strasse, :rechnung_plz, :rechnung_ort, :rechnung_staat_id,
        :zahlungsart, :zahlungsinfo, :waehrung, :waehrungsfaktor, :bemerkung, :summe_netto,
        :summe_steuer, :summe_brutto, :versandkosten, :versand_ust_satz, :osc_orders_id,
        :osc_status_bei_import, :geaendert_am)
