-- VAT keys with their rate and osCommerce tax class (tax_class.tax_class_id).
SELECT ust_schluessel, bezeichnung, satz, osc_tax_class_id
FROM umsatzsteuer
ORDER BY ust_schluessel
