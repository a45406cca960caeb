-- Countries (Staat) with their osCommerce countries id.
SELECT staat_id, iso2, bezeichnung, osc_countries_id
FROM staat
ORDER BY staat_id
