-- An incremental catalog run's look at BO's article texts (sync/run.py, ADR 16): how many there
-- are, the latest change and how many texts carry it (a second text changed within the second
-- of the latest). Equal to those of the last run whose extract found no article due for its
-- texts alone: no text changed since, so the extract asks only the articles' own columns.
-- Served by idx_artikel_text_geaendert_am.
SELECT t.texte,
       t.texte_stand,
       (SELECT COUNT(*) FROM artikel_text n WHERE n.geaendert_am = t.texte_stand) AS am_stand
FROM (SELECT COUNT(*) AS texte, MAX(geaendert_am) AS texte_stand FROM artikel_text) t
