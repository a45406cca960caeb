"""Articles the checks set aside are not checked again while nothing they read changed (the
set-aside memo, transform/set_aside.py), against a real shop on MariaDB and a real BO: the
report still lists them with their reasons; a change of the article (even within the same
second of its change marker) or of what the checks read makes them due again."""

from __future__ import annotations

import pytest
from tests.integration.conftest import rows, scalar, sync, touch

from bo_oscommerce.sync import step
from bo_oscommerce.transform.set_aside import STILL_SET_ASIDE

pytestmark = pytest.mark.integration

MEMOS = "SELECT artikel_nr FROM artikel WHERE osc_ausgesondert IS NOT NULL ORDER BY artikel_nr"


@pytest.fixture
def checked_keys(monkeypatch):
    """The article numbers each products validation saw (the real validation, watched)."""
    seen: list[set[str]] = []
    real = step.validate

    def watched(frame, suite, cache=None):
        if suite.entity == "products":
            seen.append(set(frame["artikel_nr"]))
        return real(frame, suite, cache)

    monkeypatch.setattr(step, "validate", watched)
    return seen


def _reasons(report) -> dict[str, set[str]]:
    aside = report.set_aside
    return {key: set(aside.loc[aside["key"] == key, "reason"]) for key in set(aside["key"])}


def test_set_aside_articles_are_listed_not_checked_until_they_change(
    bo_mariadb, flavoured_shop, staging, checked_keys
):
    bo, shop = bo_mariadb, flavoured_shop.engine
    first = sync(bo, shop, full=True, key="first")["products"]
    reasons = _reasons(first)
    assert len(reasons) >= 5
    assert [r[0] for r in rows(bo, MEMOS)] == sorted(reasons)

    checked_keys.clear()
    second = sync(bo, shop, key="second")["products"]
    assert _reasons(second) == reasons
    assert set(second.set_aside["value"]) == {STILL_SET_ASIDE}
    assert not set().union(*checked_keys) & set(reasons)

    # fixed within the same second as the last change: the content counts, not the marker
    negative = next(k for k, r in reasons.items() if r == {"price is negative"})
    marker = scalar(bo, "SELECT geaendert_am FROM artikel WHERE artikel_nr = :n", n=negative)
    touch(bo, "UPDATE artikel SET ladenpreis = 12.50 WHERE artikel_nr = :n", n=negative)
    assert scalar(bo, "SELECT geaendert_am FROM artikel WHERE artikel_nr = :n", n=negative) == marker
    third = sync(bo, shop, key="third")["products"]
    assert third.inserted == 1 and negative not in _reasons(third)
    assert rows(shop, "SELECT products_status FROM products WHERE products_model = :m",
                m=negative) == [(1,)]  # fmt: skip
    assert scalar(bo, "SELECT osc_ausgesondert FROM artikel WHERE artikel_nr = :n", n=negative) is None

    # what the checks read besides the article changed: every set-aside article is checked again
    no_class = sorted(
        k for k, r in reasons.items()
        if r == {"VAT key has no osCommerce tax class (umsatzsteuer.osc_tax_class_id)"}
    )  # fmt: skip
    vat_keys = {scalar(bo, "SELECT ust_schluessel FROM artikel WHERE artikel_nr = :n", n=n)
                for n in no_class}  # fmt: skip
    checked_keys.clear()
    for vat_key in vat_keys:
        touch(bo, "UPDATE umsatzsteuer SET osc_tax_class_id = 1 WHERE ust_schluessel = :k",
              k=vat_key)  # fmt: skip
    fourth = sync(bo, shop, key="fourth")["products"]
    assert set(reasons) - {negative} <= set().union(*checked_keys)
    assert STILL_SET_ASIDE not in set(fourth.set_aside["value"])
    assert fourth.inserted == len(no_class)
    assert [r[0] for r in rows(bo, MEMOS)] == sorted(set(reasons) - {negative, *no_class})

    checked_keys.clear()
    fifth = sync(bo, shop, key="fifth")["products"]
    assert set(fifth.set_aside["value"]) == {STILL_SET_ASIDE}
    assert not set().union(*checked_keys) & set(reasons)
