-- The last number of a range after nummern_reservieren.sql: the reserved block ends here.
SELECT letzte_nr
FROM nummernkreis
WHERE name = :name
