-- The set-aside memo of an article (transform/set_aside.py): what the checks saw when they set
-- it aside; NULL once the article is loaded.
UPDATE artikel
SET osc_ausgesondert = :osc_ausgesondert
WHERE artikel_nr = :artikel_nr
