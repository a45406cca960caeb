-- The quantity last sent to the shop, so the next stock run sends only changes.
UPDATE artikel
SET osc_menge = :osc_menge
WHERE artikel_nr = :artikel_nr
