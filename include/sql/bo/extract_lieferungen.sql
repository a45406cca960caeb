-- Delivery notes of orders from the shop whose "Delivered" is not reported yet, with the
-- tracking numbers; an order is due once one of its notes is vollstaendig (final delivery).
SELECT a.auftrag_nr, a.osc_orders_id, a.osc_status_gemeldet, l.lieferschein_nr,
       l.lieferdatum, l.sendungsnummer, l.vollstaendig
FROM auftrag a
JOIN lieferschein l ON l.auftrag_nr = a.auftrag_nr
WHERE a.osc_orders_id IS NOT NULL
  AND (a.osc_status_gemeldet IS NULL OR a.osc_status_gemeldet <> :delivered)
ORDER BY a.auftrag_nr, l.lieferschein_nr
