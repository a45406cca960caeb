"""Artikel (BO articles) -> osCommerce products, as pure pandas.

Business rules:
- price from the tenant's price source (list price or shop price); a price that includes VAT is
  converted to net with the rate of the article's VAT key, because osCommerce stores net prices
  and adds tax itself; rounded to the shop column's decimals (osCommerce: decimal(15,4));
- products_status is 1 only for articles in the web and marked visible; an article that left the
  web, or whose product group did, is hidden (status 0), never deleted: old orders reference it;
- texts per osCommerce language, falling back to the default language, then to the BO name;
  each is made to fit the shop's column (see ``text.fit_text``);
- weight rounded to the shop column's decimals; a missing weight is sent as 0;
- quantity from the tenant's stock source (see ``stock.py``).
"""

from __future__ import annotations

from collections.abc import Collection

import numpy as np
import pandas as pd

from bo_oscommerce.config import TenantSettings
from bo_oscommerce.field_maps import PRODUCT_TEXTS, PRODUCTS
from bo_oscommerce.shop.columns import ShopColumns, metadata_columns
from bo_oscommerce.transform.categories import text_rows
from bo_oscommerce.transform.common import Cleaned, is_in, pivot_texts, to_timestamp
from bo_oscommerce.transform.stock import FRACTION_RULE, quantities

# why an article that is in the shop is hidden there (see shop/products.py)
HIDE_LEFT_WEB = "article left the web (im_web)"
HIDE_GROUP_OFFLINE = "product group is not in the web"
HIDE_DELETED = "article was deleted in BO"  # also sets the quantity to 0
HIDE_SET_ASIDE = "set aside after it was in the shop (see the set-aside reasons)"


def net_price(
    price: pd.Series, vat_rate: pd.Series, includes_vat: bool, decimals: int = 4
) -> pd.Series:
    """Net price rounded to ``decimals``; unknown rate with a gross price gives no price."""
    price = pd.to_numeric(price, errors="coerce").astype("float64")
    if not includes_vat:
        return price.round(decimals)
    # object first: a rate mapped through a string key can be pyarrow decimal, which
    # to_numeric cannot take when it holds a missing value (unknown VAT key)
    rate = pd.to_numeric(vat_rate.astype(object), errors="coerce").astype("float64")
    return (price / (1.0 + rate / 100.0)).round(decimals)


def _not_a_number(values: pd.Series) -> pd.Series:
    numbers = pd.to_numeric(values, errors="coerce")
    return values.astype(object).where(values.notna() & numbers.isna(), None)


def build_products(
    articles: pd.DataFrame,
    vat: pd.DataFrame,
    stock: pd.DataFrame,
    settings: TenantSettings,
    columns: ShopColumns | None = None,
    offline_groups: Collection[str] = (),
) -> tuple[pd.DataFrame, pd.DataFrame, Cleaned]:
    """Articles as products rows, plus the articles to hide.

    Returns ``(products, hide, cleaned)``: ``products`` holds one row per web article of a web
    product group with the osCommerce columns and ``<field>__<language code>`` text columns;
    ``hide`` holds the articles that left the web or whose group is in ``offline_groups``
    (``artikel_nr``, ``osc_products_id``, ``osc_abgleich_stand``, ``stand``, ``osc_texte``,
    ``texte``, ``reason``; ``osc_products_id`` NA: not in the shop, kept out). ``columns``:
    the shop's real columns (default: upstream osCommerce 2.3).
    """
    columns = columns or metadata_columns(["products", "products_description"])
    cleaned = Cleaned()
    web, hide = _shown_and_hidden(_with_markers(articles), offline_groups)
    quantity_spec = columns.spec("products", "products_quantity")
    qty = quantities(stock, settings.stock_source, int(quantity_spec.max_value or 0) or None)
    qty = qty.set_index("artikel_nr")
    products = _product_rows(web, vat, qty, settings, columns, cleaned)
    texts = pivot_texts(
        articles[is_in(articles["artikel_nr"], web["artikel_nr"])],
        key="artikel_nr",
        languages=settings.languages,
        default_language=settings.default_language,
        fields={"text_bezeichnung": "products_name", "internettext": "products_description"},
        fallback={"products_name": "bezeichnung"},
        cleaned=cleaned,
    )
    products = products.merge(texts, on="artikel_nr", how="left")
    products = PRODUCT_TEXTS.fit(
        products, columns, products["artikel_nr"], cleaned, list(settings.languages.values())
    )
    _stock_rules(products["artikel_nr"], qty, quantity_spec.max_value, cleaned)
    return products, hide.reset_index(drop=True), cleaned


def _with_markers(articles: pd.DataFrame) -> pd.DataFrame:
    """One row per article with its change marker (``stand``: the newest of the article's and
    its texts' changes), the marker and text count BO last wrote back, and its text count."""
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
    return main.assign(
        stand=stand.to_numpy(),
        osc_products_id=pd.array(main["osc_products_id"], dtype="Int64"),
        osc_abgleich_stand=to_timestamp(main["osc_abgleich_stand"]).to_numpy(),
        osc_texte=pd.array(main["osc_texte"], dtype="Int64")
        if "osc_texte" in main
        else pd.array([pd.NA] * len(main), dtype="Int64"),
        texte=main["artikel_nr"].map(text_rows(articles, "artikel_nr")).fillna(0).astype("int64"),
    )


def _shown_and_hidden(
    main: pd.DataFrame, offline_groups: Collection[str]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Web articles of web groups, and the others with why they are hidden."""
    in_web = main["im_web"].astype(int) == 1
    group_offline = main["warengruppe_nr"].isin(set(offline_groups))
    shown = in_web & ~group_offline
    left = main.loc[~shown]  # extracted because in the web, or because in the shop
    hide = left[
        ["artikel_nr", "osc_products_id", "osc_abgleich_stand", "stand", "osc_texte", "texte"]
    ].assign(reason=np.where(in_web[~shown], HIDE_GROUP_OFFLINE, HIDE_LEFT_WEB))
    return main.loc[shown].reset_index(drop=True), hide


def _product_rows(
    web: pd.DataFrame,
    vat: pd.DataFrame,
    qty: pd.DataFrame,
    settings: TenantSettings,
    columns: ShopColumns,
    cleaned: Cleaned,
) -> pd.DataFrame:
    """The products columns (net price, tax class, status, weight, quantity) and what the
    checks and the write-back need besides."""
    vat_by_key = vat.assign(ust_schluessel=vat["ust_schluessel"].astype(str)).set_index(
        "ust_schluessel"
    )
    tax_key = web["ust_schluessel"].astype("string")
    rate = tax_key.map(vat_by_key["satz"])
    tax_class = tax_key.map(vat_by_key["osc_tax_class_id"])
    price_column = "listenpreis" if settings.price_source == "list" else "ladenpreis"
    price_spec = columns.spec("products", "products_price")
    weight_spec = columns.spec("products", "products_weight")
    weight = pd.to_numeric(web["gewicht"], errors="coerce").astype("float64")
    source = web.assign(
        artikel_nr=web["artikel_nr"].astype(str),
        products_price=net_price(
            web[price_column], rate, settings.price_includes_vat, price_spec.scale or 0
        ),
        products_tax_class_id=pd.array(tax_class, dtype="Int64"),
        products_status=np.where(web["web_sichtbar"].astype(int) == 1, 1, 0),
        # with images copied (settings.images) the images step names the file: not BO's path
        bildpfad=None if settings.images else web["bildpfad"].where(web["bildpfad"].notna(), None),
        products_weight=weight.fillna(0).round(weight_spec.scale or 0),
        products_quantity=pd.array(
            web["artikel_nr"].map(qty["products_quantity"]).fillna(0), dtype="Int64"
        ),
    )
    products = pd.concat(
        [
            source[["artikel_nr"]],
            PRODUCTS.frame(source),
            pd.DataFrame(
                {
                    # BO's price when it is text that is no number (e.g. '24,90'): set aside
                    "price_text": _not_a_number(web[price_column]),
                    "ust_schluessel": tax_key.astype(object),
                    "warengruppe_nr": web["warengruppe_nr"].where(
                        web["warengruppe_nr"].notna(), None
                    ),
                    "master_id": web["master_id"].where(web["master_id"].notna(), None),
                    "osc_products_id": web["osc_products_id"],
                    "osc_abgleich_stand": web["osc_abgleich_stand"],
                    "osc_texte": web["osc_texte"],
                    "texte": web["texte"],
                    "stand": web["stand"],
                }
            ),
        ],
        axis=1,
    )
    cleaned.add("weight missing in BO: sent as 0", products.loc[weight.isna(), "artikel_nr"])
    return products


def _stock_rules(
    in_products: pd.Series, qty: pd.DataFrame, maximum: object, cleaned: Cleaned
) -> None:
    """The stock cleaning rules that fired for the products' first quantities."""
    cleaned.add(
        "negative stock sent as 0", in_products[in_products.isin(qty.index[qty["negative"]])]
    )
    cleaned.add(
        f"stock above the shop's maximum sent as {maximum}",
        in_products[in_products.isin(qty.index[qty["capped"]])],
    )
    cleaned.add(FRACTION_RULE, in_products[in_products.isin(qty.index[qty["fraction"]])])
