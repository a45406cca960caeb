"""The report pages from records: sums that do not add up are marked, merchant data is text."""

from __future__ import annotations

import pandas as pd

from bo_oscommerce.reports.chart import set_aside_chart, trend
from bo_oscommerce.reports.pages import index_page, run_page
from bo_oscommerce.reports.record import balance

COUNTS = {"inserted": 3, "updated": 1, "unchanged": 5, "hidden": 0, "kept_out": 1, "set_aside": 2}


def record(entity: dict) -> dict:
    return {
        "tenant": "t1", "tenant_name": "T1", "dag_id": "bo_osc_t1_catalog", "kind": "catalog",
        "run_id": "manual__1", "run_type": "manual", "started": "2026-11-27T10:00:00+00:00",
        "finished": "2026-11-27T10:01:00+00:00", "params": {}, "state": "success",
        "stopped": [], "entities": [entity], "extras": {}, "folder": "bo_osc_t1_catalog/manual__1",
    }  # fmt: skip


def test_balance_counts_every_part_once():
    assert balance({"extracted": 12, **COUNTS}) == {"accounted": 12, "balanced": True}
    assert balance({"extracted": 13, **COUNTS}) == {"accounted": 12, "balanced": False}


def test_a_row_not_accounted_for_is_marked_on_the_page():
    summary = {"entity": "products", "extracted": 13, "cleaned": 0, **COUNTS}
    page = run_page(record({**summary, **balance(summary)}), {})
    assert 'class="sum-line unbalanced"' in page
    assert "1 row(s) not accounted for" in page
    assert "1 unaccounted" in page


def test_merchant_data_is_shown_as_text_never_as_markup():
    reason = "name <b>bold</b>"
    summary = {"entity": "products", "extracted": 12, "cleaned": 0, **COUNTS,
               "set_aside_reasons": {reason: 1}}  # fmt: skip
    quarantine = pd.DataFrame(
        [{"key": "<script>alert(1)</script>", "reason": reason, "column": "products_name",
          "value": '"><img src=x onerror=alert(2)>', "expectation": ""}]
    )  # fmt: skip
    page = run_page(record({**summary, **balance(summary)}), {"products": quarantine})
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<img src=x" not in page and "<b>bold</b>" not in page


def test_index_and_chart_show_the_newest_run_first_and_the_trend():
    runs = [
        {"dag_id": "d", "kind": "catalog", "run_id": f"r{i}", "run_type": "manual",
         "started": f"2026-11-2{i}T10:00:00+00:00", "finished": None, "state": "success",
         "folder": f"d/r{i}", "stopped_at": [],
         "entities": {"products": {"extracted": 10, "inserted": 0, "updated": 0, "unchanged": 10 - n,
                                   "hidden": 0, "kept_out": 0, "set_aside": n, "cleaned": 0,
                                   "balanced": True}}}
        for i, n in ((3, 1), (2, 4))
    ]  # fmt: skip
    table = index_page("t1", "T1", runs).split("<h2>Runs</h2>")[1]
    assert table.index(">r3<") < table.index(">r2<")
    chart = set_aside_chart(runs)
    assert chart.count('class="point"') == 2 and 'data-set-aside="4"' in chart
    assert "better (was 4)" in trend(runs)


def test_each_entity_says_which_shop_flavour_the_step_found():
    summary = {"entity": "orders", "extracted": 12, "cleaned": 0, **COUNTS, "shop": "CE Phoenix Cart 1.1"}
    page = run_page(record({**summary, **balance(summary)}), {})
    assert '<p class="shop">Shop: CE Phoenix Cart 1.1</p>' in page
    older = {"entity": "orders", "extracted": 12, "cleaned": 0, **COUNTS}  # a report from before
    assert 'class="shop"' not in run_page(record({**older, **balance(older)}), {})
