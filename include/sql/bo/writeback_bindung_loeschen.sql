-- Remove a link: before it is written anew, or when its BO row or shop row is gone.
DELETE FROM osc_bindung
WHERE entitaet = :entitaet AND bo_schluessel = :bo_schluessel
