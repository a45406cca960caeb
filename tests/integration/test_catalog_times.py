"""Times: BO change markers with fractions of a second never keep a row "changed"."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from tests.integration.conftest import bo_fingerprint, fingerprint, rows, sync

pytestmark = pytest.mark.integration


def _fractional_markers(bo, synced_precision: int) -> None:
    """BO keeps microseconds in geaendert_am; osc_abgleich_stand with ``synced_precision``."""
    with bo.begin() as conn:
        for table in ("artikel", "warengruppe"):
            conn.execute(sa.text(f"ALTER TABLE {table} MODIFY geaendert_am TIMESTAMP(6) NOT NULL"))
            conn.execute(sa.text(
                f"ALTER TABLE {table} MODIFY osc_abgleich_stand TIMESTAMP({synced_precision}) NULL"
            ))
        for table in ("artikel_text", "warengruppe_text"):
            conn.execute(sa.text(f"ALTER TABLE {table} MODIFY geaendert_am TIMESTAMP(6) NOT NULL"))
        for table in ("artikel", "warengruppe", "artikel_text", "warengruppe_text"):
            conn.execute(sa.text(
                f"UPDATE {table} SET geaendert_am = geaendert_am + INTERVAL 123456 MICROSECOND"
            ))


@pytest.mark.parametrize("synced_precision", [6, 0], ids=["same-precision", "whole-seconds"])
def test_fractional_markers_do_not_keep_rows_changed(bo_mariadb, flavoured_shop, staging, synced_precision):
    bo, shop = bo_mariadb, flavoured_shop.engine
    _fractional_markers(bo, synced_precision)
    first = sync(bo, shop, full=True, key="first")
    assert rows(bo, "SELECT MICROSECOND(geaendert_am) FROM artikel WHERE artikel_nr = 'A-000002'") == [(123456,)]
    if synced_precision == 6:
        assert rows(bo, "SELECT geaendert_am = osc_abgleich_stand FROM artikel WHERE artikel_nr = 'A-000002'") == [(1,)]
    before_shop, before_bo = fingerprint(shop), bo_fingerprint(bo)
    again = sync(bo, shop, key="second")
    for report in again.values():
        assert (report.inserted, report.updated, report.written_back) == (0, 0, 0), report.counts()
    assert fingerprint(shop) == before_shop
    assert bo_fingerprint(bo) == before_bo
    if synced_precision == 6:  # nothing is even read again but rows set aside or kept out
        kept_out = first["products"].counts()["kept_out"]
        assert again["products"].extracted == first["products"].set_aside_rows + kept_out
