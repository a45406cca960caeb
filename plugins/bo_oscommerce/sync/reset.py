"""Zuruecksetzen: forget what BO knows of the shop, for one record or for the whole tenant,
and say what was cleared. A single record is synced again at once (``resync``).

Order ids are never cleared: ``auftrag.osc_orders_id`` is what keeps an order from being
imported twice. Resetting an order link forgets the shop status reported for it, so the next
status steps compare it with the shop again (writing nothing the shop already has).
``confirm_customer`` is no reset: it confirms a contact's link to a shop account the sync did
not create, so BO's data may go into it. What the sync knows of each customer link
(``osc_kunde``) survives a reset: a contact found again on the same account is still the
sync's own, with its last states.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import pandas as pd

from bo_oscommerce.bo import io as bo_io
from bo_oscommerce.field_maps import (
    BESTAETIGEN_KUNDE,
    RESET_AUFTRAG_STATUS,
    UNLINK_ARTIKEL,
    UNLINK_GESPRAECHSPARTNER,
    UNLINK_WARENGRUPPE,
)
from bo_oscommerce.fields import FieldMap
from bo_oscommerce.sync.report import EntityReport
from bo_oscommerce.sync.run import Run
from bo_oscommerce.sync.writeback import bindings, unbind, write


@dataclass(frozen=True)
class Scope:
    read: str  # BO statement: the record's stored shop id and marks
    clear: FieldMap  # the declared BO statement that forgets them (its key: the record's)
    entity: str | None  # its links in osc_bindung
    numeric: bool  # the BO key is a number

    @property
    def parameter(self) -> str:
        (key,) = self.clear.targets()
        return key


SCOPES = {
    "article": Scope("reset_lesen_artikel", UNLINK_ARTIKEL, "products", False),
    "product_group": Scope("reset_lesen_warengruppe", UNLINK_WARENGRUPPE, "categories", False),
    "customer": Scope("reset_lesen_gespraechspartner", UNLINK_GESPRAECHSPARTNER, "customers", True),
    "order": Scope("reset_lesen_auftrag", RESET_AUFTRAG_STATUS, None, True),
}
# BO statements of the reset, for the connection test
RESET_READS = {
    **{scope.read: {"schluessel": 0} for scope in SCOPES.values()},
    "reset_zaehlen": {},
}


def _key(scope: Scope, key: str) -> Any:
    key = (key or "").strip()
    if not key:
        raise ValueError("name the record to reset in 'key' (its BO number)")
    if scope.numeric:
        if not key.isdigit():
            raise ValueError(f"{key!r} is not a BO number ({scope.parameter})")
        return int(key)
    return key


CONFIRM = "confirm_customer"


def confirm_customer(run: Run, key: str) -> dict[str, Any]:
    """A person confirmed that the shop account linked to contact ``key`` is the contact's:
    from now on BO's data goes into it (and the customer's edits into BO)."""
    gp_id = _key(SCOPES["customer"], key)
    state = bo_io.query(run.bo, "extract_kunden_stand")
    row = state[state["gp_id"].astype(int) == gp_id]
    if row.empty:
        raise ValueError(
            f"{run.settings.label}: contact {gp_id} has no shop account linked yet; the "
            "customers run links it by e-mail first"
        )
    write(run.bo, BESTAETIGEN_KUNDE, [{"gp_id": gp_id}])
    return {
        "scope": CONFIRM,
        "key": str(gp_id),
        "cleared": {"bestaetigt (was)": str(int(row["bestaetigt"].iloc[0])),
                    "osc_customers_id": str(int(row["osc_customers_id"].iloc[0]))},
        "links_removed": [],
    }  # fmt: skip


def reset_record(run: Run, scope_name: str, key: str) -> dict[str, Any]:
    """Clear one record's shop id, marks and links in one BO transaction; what was cleared."""
    if scope_name == CONFIRM:
        return confirm_customer(run, key)
    if scope_name not in SCOPES:
        raise ValueError(f"scope {scope_name!r}: choose one of {sorted(SCOPES)} or everything")
    scope = SCOPES[scope_name]
    value = _key(scope, key)
    before = bo_io.query(run.bo, scope.read, {"schluessel": value})
    if before.empty:
        raise ValueError(f"{run.settings.label}: BO has no {scope_name} {value!r}")
    links = pd.DataFrame(columns=["bo_schluessel", "osc_id", "osc_schluessel"])
    if scope.entity:
        links = bindings(run.bo, scope.entity)
        links = links[links["bo_schluessel"].astype(str) == str(value)]
    with run.bo.begin() as conn:
        write(conn, scope.clear, [{scope.parameter: value}])
        for fields, rows in unbind(scope.entity, [str(value)]) if scope.entity else []:
            write(conn, fields, rows)
    cleared = {k: v for k, v in before.iloc[0].to_dict().items() if k != "schluessel"}
    return {
        "scope": scope_name,
        "key": str(value),
        "cleared": {k: (None if pd.isna(v) else str(v)) for k, v in cleared.items()},
        "links_removed": links.astype(str).to_dict("records"),
    }


def reset_everything(run: Run) -> dict[str, Any]:
    """Alles zuruecksetzen: every osCommerce id, mark and link of the catalog and contacts."""
    counts = bo_io.query(run.bo, "reset_zaehlen")
    bo_io.execute_script(run.bo, "reset_osc_ids")
    return {
        "scope": "everything",
        "key": "",
        "cleared": {str(r.was): int(r.anzahl) for r in counts.itertuples(index=False)},
        "links_removed": [],
    }


def resync(run: Run, scope_name: str, key: str) -> list[EntityReport]:
    """Sync just the reset record (a product group: the categories step, which writes only
    what differs from the shop)."""
    from bo_oscommerce.sync.categories import sync_categories
    from bo_oscommerce.sync.customers import sync_customers_to_shop
    from bo_oscommerce.sync.order_status import report_status
    from bo_oscommerce.sync.products import sync_products
    from bo_oscommerce.sync.run import extract

    value = str(_key(SCOPES["customer" if scope_name == CONFIRM else scope_name], key))
    one = dataclasses.replace(run, full=True, only=frozenset({value}))
    if scope_name == "article":
        return [sync_products(one, extract(one)["paths"])]
    if scope_name == "product_group":
        full = dataclasses.replace(run, full=True)
        return [sync_categories(full, extract(full)["paths"])]
    if scope_name in ("customer", CONFIRM):
        return [sync_customers_to_shop(one)]
    return [report_status(one, "processing"), report_status(one, "delivered")]
