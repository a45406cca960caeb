-- Record a link (after writeback_bindung_loeschen.sql removed the old one, same transaction).
INSERT INTO osc_bindung (entitaet, bo_schluessel, osc_id, osc_schluessel)
VALUES (:entitaet, :bo_schluessel, :osc_id, :osc_schluessel)
