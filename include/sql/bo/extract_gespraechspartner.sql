-- Contacts for the shop, with their Adresse and the Staat's osCommerce country: web contacts,
-- plus contacts that left the web but have a shop customer. One row per contact.
-- :full_sync = 0 selects only contacts whose contact or address changed since their last sync.
SELECT g.gp_id,
       g.adress_nr,
       g.anrede,
       g.vorname,
       g.nachname,
       g.email,
       g.geburtstag,
       g.newsletter,
       g.im_web,
       g.osc_customers_id,
       g.osc_abgleich_stand,
       g.geaendert_am,
       a.firma,
       a.strasse,
       a.plz,
       a.ort,
       a.region,
       a.telefon,
       a.staat_id,
       a.geaendert_am AS adresse_geaendert_am,
       s.iso2,
       s.osc_countries_id
FROM gespraechspartner g
JOIN adresse a ON a.adress_nr = g.adress_nr
LEFT JOIN staat s ON s.staat_id = a.staat_id
WHERE (g.im_web = 1 OR g.osc_customers_id IS NOT NULL)
  AND (:full_sync = 1
       OR g.osc_abgleich_stand IS NULL
       OR g.geaendert_am > g.osc_abgleich_stand
       OR a.geaendert_am > g.osc_abgleich_stand)
ORDER BY g.gp_id
