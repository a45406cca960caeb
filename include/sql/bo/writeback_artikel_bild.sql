-- What the images step sent for an article (transform/images.py Memo); NULL: nothing.
UPDATE artikel
SET osc_bild = :osc_bild
WHERE artikel_nr = :artikel_nr
