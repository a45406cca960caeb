"""The Phoenix demo shop (``make demo SHOP=phoenix``) without a server: its settings follow the
SQLite demo shop's, a missing dump and a foreign database are refused before anything runs."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from bo_oscommerce_fixtures import demo_phoenix, demo_shop


def test_settings_are_the_sqlite_demo_shops() -> None:
    sqlite = {r["configuration_key"]: r["configuration_value"] for r in demo_shop.CONFIGURATION}
    phoenix = {**demo_phoenix.MY_STORE, **demo_phoenix.MODULES}
    assert phoenix.pop("STORE_ZONE") == "88"  # the SQLite demo shop has no zone setting
    assert phoenix == {k: sqlite[k] for k in phoenix}


def test_missing_dump_says_where(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    missing = tmp_path / "phoenix" / "phoenix-1.1.0.6.sql"
    monkeypatch.setattr(demo_phoenix, "PHOENIX_SQL", missing)
    with pytest.raises(FileNotFoundError, match="SHOP=phoenix") as raised:
        demo_phoenix.phoenix_dump()
    assert str(missing) in str(raised.value)


def test_only_demo_databases_are_replaced(tmp_path: Path) -> None:
    engine = sa.create_engine("mysql+pymysql://root@127.0.0.1:3306/shop")  # never connects
    with pytest.raises(ValueError, match="not a demo database"):
        demo_phoenix.load_dump(engine, tmp_path / "dump.sql")
