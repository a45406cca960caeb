-- Reserve :anzahl numbers of the number range :name (BO's Nummernkreis). Runs in the
-- transaction that uses them: a concurrent run waits here until this one commits.
UPDATE nummernkreis
SET letzte_nr = letzte_nr + :anzahl
WHERE name = :name
