"""Hand-made BO extract frames for the transform and quality tests.

Column lists follow ``include/sql/bo/extract_*.sql``; numbers come as ``Decimal`` like they do
from MariaDB, ``sprache`` is None for a row of an article or group without texts.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pandas as pd

from bo_oscommerce.config import TenantSettings

ARTICLE_COLUMNS = [
    "artikel_nr", "bezeichnung", "warengruppe_nr", "ust_schluessel", "listenpreis", "ladenpreis",
    "gewicht", "bildpfad", "im_web", "web_sichtbar", "master_id", "osc_products_id",
    "osc_abgleich_stand", "geaendert_am", "sprache", "text_bezeichnung", "internettext",
    "text_geaendert_am",
]  # fmt: skip
GROUP_COLUMNS = [
    "warengruppe_nr", "bezeichnung", "ober_warengruppe_nr", "sortierung", "im_web",
    "osc_categories_id", "osc_abgleich_stand", "geaendert_am", "sprache", "text_bezeichnung",
    "text_geaendert_am",
]  # fmt: skip
STOCK_COLUMNS = ["artikel_nr", "osc_products_id", "osc_menge", "gesamt", "verfuegbar"]

CHANGED = "2024-03-01 10:00:00"
TEXT_CHANGED = "2024-03-02 11:00:00"


def article(nr: str, **values: Any) -> dict[str, Any]:
    """One extract row of a visible web article in group G1, VAT key 19, without texts."""
    row: dict[str, Any] = {
        "artikel_nr": nr,
        "bezeichnung": f"BO-Name {nr}",
        "warengruppe_nr": "G1",
        "ust_schluessel": "19",
        "listenpreis": Decimal("119.0000"),
        "ladenpreis": Decimal("59.5000"),
        "gewicht": Decimal("1.250"),
        "bildpfad": None,
        "im_web": 1,
        "web_sichtbar": 1,
        "master_id": None,
        "osc_products_id": None,
        "osc_abgleich_stand": None,
        "geaendert_am": CHANGED,
        "sprache": None,
        "text_bezeichnung": None,
        "internettext": None,
        "text_geaendert_am": None,
    }
    row.update(values)
    return row


def text(nr: str, sprache: str, name: str | None, description: str | None = None) -> dict:
    """The extract row of article ``nr`` joined with its text in BO language ``sprache``."""
    return article(
        nr,
        sprache=sprache,
        text_bezeichnung=name,
        internettext=description,
        text_geaendert_am=TEXT_CHANGED,
    )


def articles(*rows: dict[str, Any]) -> pd.DataFrame:
    return pd.DataFrame(list(rows), columns=ARTICLE_COLUMNS)


def vat() -> pd.DataFrame:
    """VAT keys: 19 % and 7 % with a tax class, 16 % (old rate) without one."""
    return pd.DataFrame(
        {
            "ust_schluessel": ["19", "7", "16"],
            "bezeichnung": ["voller Satz", "ermäßigter Satz", "alter Satz"],
            "satz": [Decimal("19.00"), Decimal("7.00"), Decimal("16.00")],
            "osc_tax_class_id": [1, 2, None],
        }
    )


def stock(*rows: tuple[str, Any, Any, Any, Any]) -> pd.DataFrame:
    """Rows of (artikel_nr, osc_products_id, osc_menge, gesamt, verfuegbar)."""
    return pd.DataFrame(list(rows), columns=STOCK_COLUMNS)


def no_stock() -> pd.DataFrame:
    return stock()


def group(nr: str, parent: str | None = None, **values: Any) -> dict[str, Any]:
    """One extract row of a web product group without texts."""
    row: dict[str, Any] = {
        "warengruppe_nr": nr,
        "bezeichnung": f"Gruppe {nr}",
        "ober_warengruppe_nr": parent,
        "sortierung": 0,
        "im_web": 1,
        "osc_categories_id": None,
        "osc_abgleich_stand": None,
        "geaendert_am": CHANGED,
        "sprache": None,
        "text_bezeichnung": None,
        "text_geaendert_am": None,
    }
    row.update(values)
    return row


def group_text(nr: str, sprache: str, name: str, parent: str | None = None, **values: Any) -> dict:
    return group(
        nr,
        parent,
        sprache=sprache,
        text_bezeichnung=name,
        text_geaendert_am=TEXT_CHANGED,
        **values,
    )


def groups(*rows: dict[str, Any]) -> pd.DataFrame:
    return pd.DataFrame(list(rows), columns=GROUP_COLUMNS)


def settings(**values: Any) -> TenantSettings:
    """A tenant with the model defaults (list price, net, available stock, D->de, E->en)."""
    return TenantSettings(id="test", bo_conn_id="bo_test", shop_conn_id="shop_test", **values)
