"""The field maps are the one declaration of what the sync writes: each BO statement's
parameters are its map's fields, and the checks, texts and frames come from the maps."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from bo_oscommerce import field_maps
from bo_oscommerce.field_maps import STATEMENTS
from bo_oscommerce.fields import Field, FieldMap
from bo_oscommerce.quality.suites import customers_suite, orders_suite
from bo_oscommerce.shop.columns import ColumnSpec, ShopColumns, metadata_columns
from bo_oscommerce.sqlfiles import load_statement
from bo_oscommerce.transform.common import Cleaned

SQL = Path(__file__).resolve().parents[2] / "include" / "sql" / "bo"
WRITES = re.compile(r"^(insert|writeback|update|link|unlink|bestaetigen|reset_auftrag|nummern_res)")


def parameters(name: str) -> set[str]:
    text = "\n".join(
        line for line in load_statement(f"bo/{name}.sql").splitlines()
        if not line.strip().startswith("--")
    )  # fmt: skip
    return set(re.findall(r"(?<!:):([a-z_]+)", text))


@pytest.mark.parametrize("name", sorted(STATEMENTS))
def test_each_statements_parameters_are_its_declaration(name):
    declared = STATEMENTS[name].targets()
    assert len(declared) == len(set(declared)), f"{name}: a field declared twice"
    assert parameters(name) == set(declared)


def test_every_write_statement_is_declared():
    files = {p.stem for p in SQL.glob("*.sql") if WRITES.match(p.stem)}
    assert files, "no write statements found"
    assert files == set(STATEMENTS)


def test_records_are_the_statements_parameters_in_plain_python():
    frame = pd.DataFrame(
        {"gp_id": pd.array([7], dtype="Int64"), "osc_customers_id": [3.0],
         "osc_abgleich_stand": [pd.Timestamp("2026-01-02 03:04:05")], "extra": ["left out"]}
    )  # fmt: skip
    (record,) = field_maps.WRITEBACK_GESPRAECHSPARTNER.records(frame)
    assert record == {"gp_id": 7, "osc_customers_id": 3.0,
                      "osc_abgleich_stand": pd.Timestamp("2026-01-02 03:04:05").to_pydatetime()}
    assert type(record["osc_abgleich_stand"]).__name__ == "datetime"


def test_create_only_fields_are_left_out_of_updates():
    assert "customers_password" in field_maps.CUSTOMERS.targets()
    assert "customers_password" not in field_maps.CUSTOMERS.targets(created=False)
    assert "products_quantity" not in field_maps.PRODUCTS.targets(created=False)
    # a customer's own password is never among the fields kept in step
    merged = {c for cols in field_maps.CUSTOMERS.merged().values() for c in cols}
    assert "customers_password" not in merged


def test_frames_come_from_the_declared_sources():
    source = pd.DataFrame({"vorname": ["  Anna ", None], "gender": ["f", None]}, dtype=object)
    fields = FieldMap("customers", (field_maps.CUSTOMERS.get("customers_gender"),
                                    field_maps.CUSTOMERS.get("customers_firstname")))  # fmt: skip
    frame = fields.frame(source)
    assert frame["customers_firstname"].tolist() == ["Anna", ""]
    assert frame["customers_gender"].tolist() == ["f", None]


def test_texts_are_fitted_and_named_by_their_owner():
    columns = ShopColumns([ColumnSpec("auftrag", "liefer_name", "varchar", max_chars=10),
                           ColumnSpec("auftrag", "email", "varchar", max_chars=100)])  # fmt: skip
    frame = pd.DataFrame({"osc_orders_id": [1, 2], "liefer_name": ["x" * 500, "Anna"],
                          "email": ["a@b.de", "c@d.de"]})  # fmt: skip
    cleaned = Cleaned()
    fitted = field_maps.AUFTRAG.fit(frame, columns, frame["osc_orders_id"].astype(str), cleaned)
    assert fitted["liefer_name"].tolist() == ["x" * 10, "Anna"]
    assert cleaned.rules == {"BO auftrag.liefer_name cut to 10 characters": ["1"]}
    assert frame.at[0, "liefer_name"] == "x" * 500  # the input is left as it was


def test_checks_come_from_the_labelled_fields():
    columns = metadata_columns(["customers", "address_book"])
    suite = customers_suite(columns, [81])
    checked = {c.kwargs.get("column") for c in suite.checks}
    labelled = {f.target for m in (field_maps.CUSTOMERS, field_maps.ADDRESS_BOOK) for f in m
                if f.label}  # fmt: skip
    assert labelled <= checked
    assert "customers_password" not in checked
    visible = [c for c in suite.checks if c.kwargs == {"column": "customers_lastname",
                                                        "regex": r"\S"}]  # fmt: skip
    assert len(visible) == 1


def test_a_target_missing_in_bo_gets_no_check():
    class Without:
        def has(self, table: str, column: str) -> bool:
            return False

    assert orders_suite(Without()).checks[-1].kwargs["column"] == "buyer_invalid"
    assert FieldMap("t", (Field("a", label="a"),)).checks(Without()) == []
