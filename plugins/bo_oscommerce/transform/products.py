"""Artikel (BO articles) -> osCommerce products, as pure pandas.

Business rules:
- price from the tenant's price source (list price or shop price); a price that includes VAT is
  converted to net with the rate of the article's VAT key, because osCommerce stores net prices
  and adds tax itself; rounded to 4 decimals (decimal(15,4));
- products_status is 1 only for articles in the web and marked visible; an article that left the
  web is hidden (status 0), never deleted, because old orders reference it;
- texts per osCommerce language, falling back to the default language, then to the BO name;
- quantity from the tenant's stock source (see ``stock.py``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from bo_oscommerce.config import TenantSettings
from bo_oscommerce.transform.categories import Cleaned
from bo_oscommerce.transform.common import pivot_texts, to_timestamp
from bo_oscommerce.transform.stock import quantities
from bo_oscommerce.transform.text import cut_to_width, strip_four_byte

PRODUCTS_NAME_WIDTH = 64


def net_price(price: pd.Series, vat_rate: pd.Series, includes_vat: bool) -> pd.Series:
    """Net price rounded to 4 decimals; unknown rate with a gross price gives no price."""
    price = pd.to_numeric(price, errors="coerce").astype("float64")
    if not includes_vat:
        return price.round(4)
    # object first: a rate mapped through a string key can be pyarrow decimal, which
    # to_numeric cannot take when it holds a missing value (unknown VAT key)
    rate = pd.to_numeric(vat_rate.astype(object), errors="coerce").astype("float64")
    return (price / (1.0 + rate / 100.0)).round(4)


def build_products(
    articles: pd.DataFrame,
    vat: pd.DataFrame,
    stock: pd.DataFrame,
    settings: TenantSettings,
) -> tuple[pd.DataFrame, pd.DataFrame, Cleaned]:
    """Articles as products rows, plus the articles to hide.

    Returns ``(products, hide, cleaned)``: ``products`` holds one row per web article with the
    osCommerce columns and ``<field>__<language code>`` text columns; ``hide`` holds articles
    that left the web but are in the shop (``artikel_nr``, ``osc_products_id``, ``stand``).
    """
    cleaned = Cleaned()
    main = articles.drop_duplicates("artikel_nr").reset_index(drop=True)
    text_changed = (
        articles.assign(t=to_timestamp(articles["text_geaendert_am"]))
        .groupby("artikel_nr", sort=False)["t"]
        .max()
    )
    stand = pd.concat(
        [
            to_timestamp(main["geaendert_am"]),
            text_changed.reindex(main["artikel_nr"]).reset_index(drop=True),
        ],
        axis=1,
    ).max(axis=1)
    main = main.assign(
        stand=stand.to_numpy(),
        osc_products_id=pd.array(main["osc_products_id"], dtype="Int64"),
        osc_abgleich_stand=to_timestamp(main["osc_abgleich_stand"]).to_numpy(),
    )

    in_web = main["im_web"].astype(int) == 1
    hide = main.loc[
        ~in_web & main["osc_products_id"].notna(),
        ["artikel_nr", "osc_products_id", "osc_abgleich_stand", "stand"],
    ]
    web = main.loc[in_web].reset_index(drop=True)

    vat_by_key = vat.assign(ust_schluessel=vat["ust_schluessel"].astype(str)).set_index(
        "ust_schluessel"
    )
    tax_key = web["ust_schluessel"].astype("string")
    rate = tax_key.map(vat_by_key["satz"])
    tax_class = tax_key.map(vat_by_key["osc_tax_class_id"])
    price_column = "listenpreis" if settings.price_source == "list" else "ladenpreis"

    qty = quantities(stock, settings.stock_source).set_index("artikel_nr")
    products = pd.DataFrame(
        {
            "artikel_nr": web["artikel_nr"].astype(str),
            "products_model": web["artikel_nr"].astype(str),
            "products_price": net_price(web[price_column], rate, settings.price_includes_vat),
            "ust_schluessel": tax_key.astype(object),
            "products_tax_class_id": pd.array(tax_class, dtype="Int64"),
            "products_status": np.where(web["web_sichtbar"].astype(int) == 1, 1, 0),
            "products_image": web["bildpfad"].where(web["bildpfad"].notna(), None),
            "products_weight": pd.to_numeric(web["gewicht"], errors="coerce").fillna(0).round(2),
            "products_quantity": pd.array(
                web["artikel_nr"].map(qty["products_quantity"]).fillna(0), dtype="Int64"
            ),
            "warengruppe_nr": web["warengruppe_nr"].where(web["warengruppe_nr"].notna(), None),
            "master_id": web["master_id"].where(web["master_id"].notna(), None),
            "osc_products_id": web["osc_products_id"],
            "osc_abgleich_stand": web["osc_abgleich_stand"],
            "stand": web["stand"],
        }
    )
    texts = pivot_texts(
        articles[articles["im_web"].astype(int) == 1],  # the long rows of the web articles
        key="artikel_nr",
        languages=settings.languages,
        default_language=settings.default_language,
        fields={"text_bezeichnung": "products_name", "internettext": "products_description"},
        fallback={"products_name": "bezeichnung"},
    )
    products = products.merge(texts, on="artikel_nr", how="left")
    for code in settings.languages.values():
        for field in ("products_name", "products_description"):
            column = f"{field}__{code}"
            products[column], had = strip_four_byte(products[column])
            cleaned.add(f"4-byte characters removed from {field}", products.loc[had, "artikel_nr"])
        column = f"products_name__{code}"
        products[column], too_long = cut_to_width(products[column], PRODUCTS_NAME_WIDTH)
        cleaned.add(
            f"products_name cut to {PRODUCTS_NAME_WIDTH} characters",
            products.loc[too_long, "artikel_nr"],
        )
    negative = products["artikel_nr"].isin(qty.index[qty["negative"]])
    cleaned.add("negative stock sent as 0", products.loc[negative, "artikel_nr"])
    return products, hide.reset_index(drop=True), cleaned
