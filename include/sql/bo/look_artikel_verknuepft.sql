-- An incremental products run's drift check (sync/products.py) reads every linked article and
-- every product the shop shows only when this, or the shop's side, changed since its last
-- check found nothing: the links (how many, the sum of their ids) and the latest change of a
-- linked article. Its search for deleted articles (extract_artikel_geloescht.sql) likewise,
-- with BO's articles and the sync's recorded links (how many of each).
SELECT (SELECT COUNT(*) FROM artikel) AS artikel,
       (SELECT COUNT(*) FROM osc_bindung WHERE entitaet = 'products') AS bindungen,
       l.verknuepft,
       l.ids,
       l.artikel_stand
FROM (SELECT COUNT(*) AS verknuepft,
             SUM(osc_products_id) AS ids,
             MAX(geaendert_am) AS artikel_stand
      FROM artikel
      WHERE osc_products_id IS NOT NULL) l
