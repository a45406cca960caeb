"""Tenants file: defaults and overrides, per-tenant errors, whole-file errors, shipped file."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
import yaml

from bo_oscommerce.config import (
    DEFAULT_TENANTS_FILE,
    TenantConfig,
    TenantConfigError,
    TenantSettings,
    load_config,
    parse_config,
    tenants_file,
)

VALID = """
defaults:
  price_source: shop
  price_includes_vat: true
  stock_source: available
  languages: {D: de, E: en}
  default_language: D
  schedules:
    catalog: "@daily"
    stock: "*/15 * * * *"
  order_statuses: {pending: 1, processing: 2, delivered: 3}

tenants:
  nord:
    name: Nord GmbH
    bo_conn_id: bo_nord
    shop_conn_id: shop_nord
  sued:
    name: Süd KG
    bo_conn_id: bo_sued
    shop_conn_id: shop_sued
    price_source: list
    price_includes_vat: false
    stock_source: total
    schedules:
      stock: "0 * * * *"
    order_statuses:
      delivered: 5
  archiv:
    active: false
    bo_conn_id: bo_archiv
    shop_conn_id: shop_archiv
"""

TWO_GOOD = """
  good_one:
    bo_conn_id: bo_1
    shop_conn_id: shop_1
  good_two:
    bo_conn_id: bo_2
    shop_conn_id: shop_2
"""


def _write(tmp_path: Path, content: str, name: str = "tenants.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(content), encoding="utf-8")
    return path


def _with_broken(broken: str) -> TenantConfig:
    """Two good tenants plus ``broken`` (YAML of one more tenant, indented by two spaces)."""
    text = "tenants:\n" + TWO_GOOD + textwrap.indent(textwrap.dedent(broken), "  ")
    return parse_config(yaml.safe_load(text))


def test_valid_file_with_several_tenants(tmp_path: Path) -> None:
    config = load_config(_write(tmp_path, VALID))
    assert config.errors == {}
    assert list(config.tenants) == ["archiv", "nord", "sued"]
    nord = config.get("nord")
    assert isinstance(nord, TenantSettings)
    assert (nord.id, nord.name, nord.bo_conn_id, nord.shop_conn_id) == (
        "nord",
        "Nord GmbH",
        "bo_nord",
        "shop_nord",
    )
    assert nord.label == "tenant 'nord'"


def test_tenant_inherits_the_defaults(tmp_path: Path) -> None:
    nord = load_config(_write(tmp_path, VALID)).get("nord")
    assert nord.price_source == "shop"
    assert nord.price_includes_vat is True
    assert nord.stock_source == "available"
    assert nord.languages == {"D": "de", "E": "en"}
    assert nord.default_language == "D"
    assert (nord.schedules.catalog, nord.schedules.stock) == ("@daily", "*/15 * * * *")
    assert nord.active is True


def test_tenant_overrides_win_and_nested_sections_merge_key_wise(tmp_path: Path) -> None:
    sued = load_config(_write(tmp_path, VALID)).get("sued")
    assert sued.price_source == "list"
    assert sued.price_includes_vat is False
    assert sued.stock_source == "total"
    # only schedules.stock is the tenant's own; catalog still comes from the defaults
    assert sued.schedules.stock == "0 * * * *"
    assert sued.schedules.catalog == "@daily"
    assert (
        sued.order_statuses.pending,
        sued.order_statuses.processing,
        sued.order_statuses.delivered,
    ) == ([1], 2, 5)


def test_null_schedule_means_manual_runs_only() -> None:
    raw = yaml.safe_load(
        """
        defaults: {schedules: {catalog: "@hourly"}}
        tenants:
          manual: {bo_conn_id: b, shop_conn_id: s, schedules: {catalog: null}}
        """
    )
    manual = parse_config(raw).get("manual")
    assert manual.schedules.catalog is None
    assert manual.schedules.stock == "@hourly"  # the model default (a safety net)


def test_tenant_languages_replace_the_default_mapping() -> None:
    # a German-only shop must be able to drop English: the mapping names the shop's languages
    raw = yaml.safe_load(
        """
        defaults: {languages: {D: de, E: en}}
        tenants:
          german: {bo_conn_id: b, shop_conn_id: s, languages: {D: de}}
          french: {bo_conn_id: b, shop_conn_id: s, languages: {D: de, F: fr}}
        """
    )
    config = parse_config(raw)
    assert config.errors == {}
    assert config.get("german").languages == {"D": "de"}
    assert config.get("french").languages == {"D": "de", "F": "fr"}


def test_no_defaults_section_uses_the_model_defaults() -> None:
    config = parse_config(yaml.safe_load("tenants:\n" + TWO_GOOD))
    one = config.get("good_one")
    assert (one.price_source, one.price_includes_vat, one.stock_source) == (
        "list",
        False,
        "available",
    )
    assert one.languages == {"D": "de", "E": "en"}


def test_inactive_tenants_are_loaded_but_not_active(tmp_path: Path) -> None:
    config = load_config(_write(tmp_path, VALID))
    assert "archiv" in config.tenants
    assert config.get("archiv").active is False
    assert [t.id for t in config.active] == ["nord", "sued"]


@pytest.mark.parametrize(
    ("broken", "field", "message"),
    [
        (
            "bad_price:\n  bo_conn_id: b\n  shop_conn_id: s\n  price_source: retail\n",
            "price_source",
            "'list' or 'shop'",
        ),
        ("no_shop:\n  bo_conn_id: b\n", "shop_conn_id", "Field required"),
        (
            "bad_lang:\n  bo_conn_id: b\n  shop_conn_id: s\n  languages: {D: de, E: ENG}\n",
            "languages",
            "'ENG'",
        ),
        (
            "bad_default:\n  bo_conn_id: b\n  shop_conn_id: s\n  default_language: F\n",
            "default_language",
            "'F'",
        ),
        (
            "bad_stock:\n  bo_conn_id: b\n  shop_conn_id: s\n  stock_source: maybe\n",
            "stock_source",
            "'available' or 'total'",
        ),
        (
            "typo:\n  bo_conn_id: b\n  shop_conn_id: s\n  price_sorce: list\n",
            "price_sorce",
            "Extra inputs are not permitted",
        ),
        (
            "bad_sched:\n  bo_conn_id: b\n  shop_conn_id: s\n  schedules: {catalogue: x}\n",
            "schedules.catalogue",
            "Extra inputs",
        ),
    ],
)
def test_broken_tenant_is_reported_and_others_still_load(
    broken: str, field: str, message: str
) -> None:
    tenant_id = broken.split(":", 1)[0]
    config = _with_broken(broken)
    assert sorted(config.tenants) == ["good_one", "good_two"]
    assert list(config.errors) == [tenant_id]
    error = config.errors[tenant_id]
    assert error.startswith(f"tenant {tenant_id!r}")
    assert field in error
    assert message in error
    with pytest.raises(ValueError, match=tenant_id):
        config.get(tenant_id)


@pytest.mark.parametrize("tenant_id", ["Demo", "1shop", "shop-nord", "x" * 41])
def test_bad_tenant_id_is_reported(tenant_id: str) -> None:
    config = _with_broken(f"{tenant_id}:\n  bo_conn_id: b\n  shop_conn_id: s\n")
    assert sorted(config.tenants) == ["good_one", "good_two"]
    assert "'id'" in config.errors[tenant_id]
    assert "lower-case letters" in config.errors[tenant_id]


def test_numeric_tenant_id_does_not_hide_the_other_tenants() -> None:
    config = _with_broken("123:\n  bo_conn_id: b\n  shop_conn_id: s\n")
    assert sorted(config.tenants) == ["good_one", "good_two"]
    assert list(config.errors) == ["123"]
    assert "'id'" in config.errors["123"]


def test_tenant_that_is_no_mapping() -> None:
    config = _with_broken("listed: [a, b]\n")
    assert sorted(config.tenants) == ["good_one", "good_two"]
    assert "mapping" in config.errors["listed"]


def test_unknown_tenant_raises_key_error() -> None:
    config = parse_config(yaml.safe_load("tenants:\n" + TWO_GOOD))
    with pytest.raises(KeyError, match="nobody"):
        config.get("nobody")


def test_broken_defaults_break_the_whole_file(tmp_path: Path) -> None:
    path = _write(tmp_path, "defaults: {price_source: cheap}\ntenants:\n" + TWO_GOOD)
    with pytest.raises(TenantConfigError, match="price_source") as info:
        load_config(path)
    assert str(path) in str(info.value)


@pytest.mark.parametrize("content", ["", "tenants: [a, b]\n", "- just\n- a list\n"])
def test_file_without_a_tenants_mapping(tmp_path: Path, content: str) -> None:
    path = _write(tmp_path, content)
    with pytest.raises(TenantConfigError, match="tenants") as info:
        load_config(path)
    assert str(path) in str(info.value)


def test_missing_file_names_the_path(tmp_path: Path) -> None:
    path = tmp_path / "nowhere" / "tenants.yaml"
    with pytest.raises(TenantConfigError) as info:
        load_config(path)
    assert str(path) in str(info.value)
    assert "not found" in str(info.value)


def test_invalid_yaml_names_the_path(tmp_path: Path) -> None:
    path = _write(tmp_path, "tenants:\n  demo: {bo_conn_id: [unclosed\n")
    with pytest.raises(TenantConfigError) as info:
        load_config(path)
    assert str(path) in str(info.value)
    assert "not valid YAML" in str(info.value)


def test_tenants_file_comes_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _write(tmp_path, VALID, name="elsewhere.yaml")
    monkeypatch.setenv("BO_OSC_TENANTS_FILE", str(path))
    assert tenants_file() == path
    assert sorted(load_config().tenants) == ["archiv", "nord", "sued"]
    monkeypatch.delenv("BO_OSC_TENANTS_FILE")
    assert tenants_file() == DEFAULT_TENANTS_FILE


def test_shipped_tenants_file_loads_without_errors() -> None:
    assert DEFAULT_TENANTS_FILE.is_file()
    config = load_config(DEFAULT_TENANTS_FILE)
    assert config.errors == {}
    assert config.tenants
    demo = config.get("demo")
    assert demo.active is True
    assert demo.price_source == "shop" and demo.price_includes_vat is True
    assert demo.languages == {"D": "de", "E": "en"}
    assert demo.schedules.catalog is None and demo.schedules.stock is None


def test_shop_time_is_the_shops_local_wall_clock() -> None:
    from datetime import UTC, datetime

    from bo_oscommerce.config import parse_config

    def tenant(**values):
        raw = {"bo_conn_id": "b", "shop_conn_id": "s", **values}
        return parse_config({"tenants": {"t": raw}}).get("t")

    winter = datetime(2026, 11, 26, 11, 0, 0, 654321, tzinfo=UTC)
    summer = datetime(2026, 7, 1, 10, 0, 0, tzinfo=UTC)
    assert tenant().shop_time(winter) == datetime(2026, 11, 26, 12, 0, 0)  # CET, whole seconds
    assert tenant().shop_time(summer) == datetime(2026, 7, 1, 12, 0, 0)  # CEST
    assert tenant(shop_timezone="America/New_York").shop_time(winter) == datetime(2026, 11, 26, 6)
    # the night the clocks go back: two UTC hours, two distinct local times
    assert tenant().shop_time(datetime(2026, 10, 25, 0, 30, tzinfo=UTC)) == datetime(2026, 10, 25, 2, 30)
    assert tenant().shop_time(datetime(2026, 10, 25, 1, 30, tzinfo=UTC)) == datetime(2026, 10, 25, 2, 30)


def test_unknown_time_zone_is_a_settings_error() -> None:
    from bo_oscommerce.config import parse_config

    config = parse_config(
        {"tenants": {"t": {"bo_conn_id": "b", "shop_conn_id": "s", "shop_timezone": "Mars/Olympus"}}}
    )
    assert "shop_timezone" in config.errors["t"] and "Mars/Olympus" in config.errors["t"]


def _order_settings(**values: object) -> str:
    config = parse_config({"tenants": {"t": {"bo_conn_id": "b", "shop_conn_id": "s", **values}}})
    return config.errors.get("t", "")


def test_order_status_settings_that_would_move_an_order_backwards_are_refused() -> None:
    assert "a pending status cannot be Processing or Delivered" in _order_settings(
        order_statuses={"pending": [1, 2]}
    )
    assert "Processing and Delivered must be different" in _order_settings(
        order_statuses={"processing": 3}
    )
    assert "order_hold_statuses [1] are among the order_statuses" in _order_settings(
        order_hold_statuses=[1, 5]
    )
    assert "order_import_statuses is gone" in _order_settings(order_import_statuses=[1])
    fine = parse_config({"tenants": {"t": {"bo_conn_id": "b", "shop_conn_id": "s",
                                           "order_statuses": {"pending": 7},
                                           "order_hold_statuses": [5]}}}).get("t")  # fmt: skip
    assert (fine.order_statuses.pending, fine.order_hold_statuses) == ([7], [5])
