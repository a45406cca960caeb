"""HTML of the run page and the tenant's index: one file each, no scripts, no outside assets,
so a page opens from the reports folder as well as through Airflow."""

from __future__ import annotations

from html import escape
from typing import Any

import pandas as pd

from bo_oscommerce.reports.chart import set_aside_chart, trend

EXAMPLES = 3  # example rows per reason on the page
LISTED = 1000  # rows per reason listed behind "all rows"; the CSV has every one
KEYS_SHOWN = 12

STYLE = """
body{font:14px/1.45 system-ui,sans-serif;margin:1.5rem;color:#1d2733;max-width:80rem}
h1{font-size:1.4rem;margin:0 0 .3rem}h2{font-size:1.15rem;margin:1.6rem 0 .4rem}
h3{font-size:1rem;margin:1rem 0 .3rem}
table{border-collapse:collapse;margin:.3rem 0}th,td{border:1px solid #d5dbe1;padding:.2rem .5rem;
text-align:left;vertical-align:top}th{background:#eef2f5}td.n{text-align:right}
.meta td:first-child{color:#5b6875}.state{font-weight:600;padding:.1rem .5rem;border-radius:.3rem}
.success{background:#d9f2df;color:#17612c}.failed{background:#fbdcdc;color:#8c1d1d}
.stop{border-left:4px solid #c0392b;background:#fdf1f0;padding:.5rem .8rem;margin:.6rem 0}
pre{white-space:pre-wrap;margin:.3rem 0}.sum-line{font-family:ui-monospace,monospace}
.balanced::after{content:" \\2713";color:#17612c}.unbalanced{color:#8c1d1d;font-weight:600}
code{background:#f3f5f7;padding:0 .2rem}details{margin:.3rem 0}summary{cursor:pointer;color:#1f5fa8}
.muted{color:#5b6875}.better{color:#17612c}.worse{color:#8c1d1d}
"""
COUNT_COLUMNS = (
    ("extracted", "extracted"),
    ("inserted", "inserted"),
    ("updated", "updated"),
    ("unchanged", "unchanged"),
    ("hidden", "hidden"),
    ("kept_out", "kept out"),
    ("set_aside", "set aside"),
    ("cleaned", "cleaned"),
)


def _e(value: Any) -> str:
    return escape("" if value is None else str(value))


def _document(title: str, body: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width"><title>{_e(title)}</title>'
        f"<style>{STYLE}</style></head><body>\n{body}\n</body></html>\n"
    )


def _table(header: list[str], rows: list[list[Any]], numeric: set[int] | None = None) -> str:
    numeric = numeric or set()
    head = "".join(f"<th>{_e(h)}</th>" for h in header)
    head = f"<thead><tr>{head}</tr></thead>" if any(header) else ""
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="n">{_e(v)}</td>' if i in numeric else f"<td>{_e(v)}</td>"
            for i, v in enumerate(row)
        )
        + "</tr>"
        for row in rows
    )
    return f"<table>{head}<tbody>{body}</tbody></table>"


def sum_line(entity: dict[str, Any]) -> str:
    parts = " + ".join(
        f"{entity.get(key, 0)} {label}" for key, label in COUNT_COLUMNS[1:7] if key != "cleaned"
    )
    cleaned = entity.get("cleaned", 0)
    note = f" (values of {cleaned} row(s) cleaned by a rule)" if cleaned else ""
    if entity["balanced"]:
        return (
            f'<p class="sum-line balanced" data-entity="{_e(entity["entity"])}">'
            f"{_e(entity['entity'])}: {entity['extracted']} extracted = {parts}{_e(note)}</p>"
        )
    missing = int(entity["extracted"]) - int(entity["accounted"])
    return (
        f'<p class="sum-line unbalanced" data-entity="{_e(entity["entity"])}">'
        f"{_e(entity['entity'])}: {entity['extracted']} extracted &ne; {parts}: "
        f"{missing} row(s) not accounted for{_e(note)}</p>"
    )


def _stops(record: dict[str, Any]) -> str:
    out = []
    for stop in record["stopped"]:
        what = (
            "The connection test failed: nothing was read or written."
            if stop["task"] == "check_connections"
            else f"The run stopped at task <code>{_e(stop['task'])}</code>."
        )
        out.append(
            f'<div class="stop" data-task="{_e(stop["task"])}"><strong>{what}</strong> '
            f'<span class="muted">(try {_e(stop.get("try_number"))}, {_e(stop["at"])})</span>'
            f"<pre>{_e(stop['error'])}</pre></div>"
        )
    return "".join(out)


def _reason_block(entity: str, reason: str, rows: pd.DataFrame, count: int) -> str:
    shown = rows.head(EXAMPLES)
    examples = _table(
        ["key", "column", "value"],
        [[r.key, r.column, r.value] for r in shown.itertuples(index=False)],
    )
    listed = rows.head(LISTED)
    more = f" (first {LISTED}; the CSV has all)" if len(rows) > LISTED else ""
    full = _table(
        ["key", "column", "value", "check"],
        [[r.key, r.column, r.value, r.expectation] for r in listed.itertuples(index=False)],
    )
    return (
        f'<div class="reason" data-entity="{_e(entity)}"><h3>{_e(reason)} '
        f'<span class="muted">({count} row(s))</span></h3>{examples}'
        f"<details><summary>all {len(rows)} row(s) with this reason{more}</summary>"
        f"{full}</details></div>"
    )


def _keys(keys: list[str]) -> str:
    head = ", ".join(_e(k) for k in keys[:KEYS_SHOWN])
    if len(keys) <= KEYS_SHOWN:
        return head
    return (
        f"{head}, &hellip; <details><summary>all {len(keys)} keys</summary>"
        f"{', '.join(_e(k) for k in keys)}</details>"
    )


def _reason_list(title: str, reasons: dict[str, list[str]], css: str) -> str:
    if not reasons:
        return ""
    rows = "".join(
        f"<tr><td>{_e(reason)}</td><td class='n'>{len(keys)}</td><td>{_keys(keys)}</td></tr>"
        for reason, keys in reasons.items()
    )
    return (
        f'<h3>{_e(title)}</h3><table class="{css}"><thead><tr><th>rule / reason</th>'
        f"<th>rows</th><th>keys</th></tr></thead><tbody>{rows}</tbody></table>"
    )


def _entity_section(entity: dict[str, Any], quarantine: pd.DataFrame) -> str:
    name = entity["entity"]
    parts = [f'<section id="entity-{_e(name)}"><h2>{_e(name)}</h2>']
    if entity.get("shop"):
        parts.append(f'<p class="shop">Shop: {_e(entity["shop"])}</p>')
    if entity.get("failed"):
        parts.append(f'<div class="stop"><pre>{_e(entity["failed"])}</pre></div>')
    reasons = entity.get("set_aside_reasons") or {}
    if reasons:
        parts.append(
            f"<h3>Set aside</h3><p>{entity['set_aside']} row(s), by reason; every row is in "
            f'<a href="quarantine_{_e(name)}.csv">quarantine_{_e(name)}.csv</a>.</p>'
        )
        for reason, count in reasons.items():
            rows = quarantine[quarantine["reason"] == reason] if len(quarantine) else quarantine
            parts.append(_reason_block(name, reason, rows, count))
    parts.append(_reason_list("Cleaning rules that fired", entity.get("cleaned_rules"), "cleaned"))
    parts.append(_reason_list("Hidden in the shop", entity.get("hidden_reasons"), "hidden"))
    parts.append(_reason_list("Kept out of the target", entity.get("kept_out_reasons"), "kept"))
    stale = entity.get("stale_ids") or []
    if stale:
        parts.append(
            "<h3>Stored shop ids that no longer fit (synced again)</h3>"
            + _table(
                ["key", "stored id", "problem"],
                [[s.get("key"), s.get("stored_id"), s.get("problem")] for s in stale],
            )
        )
    for title, rows in (entity.get("details") or {}).items():
        if rows:
            columns = list(dict.fromkeys(k for row in rows for k in row))
            parts.append(
                f"<h3>{_e(title)}</h3>"
                + _table(columns, [[row.get(c, "") for c in columns] for row in rows[:LISTED]])
            )
    notes = entity.get("notes") or []
    if notes:
        parts.append("<h3>Notes</h3><ul>" + "".join(f"<li>{_e(n)}</li>" for n in notes) + "</ul>")
    parts.append("</section>")
    return "".join(parts)


def _reset(reset: dict[str, Any]) -> str:
    what = "everything" if reset["scope"] == "everything" else f"{reset['scope']} {reset['key']}"
    cleared = _table(["cleared", "value before"], [[k, v] for k, v in reset["cleared"].items()])
    links = reset.get("links_removed") or []
    removed = (
        "<h3>Links removed (osc_bindung)</h3>"
        + _table(["BO key", "shop id", "natural key"], [list(link.values()) for link in links])
        if links
        else ""
    )
    return f'<h2>Reset: {_e(what)}</h2><div class="reset">{cleared}{removed}</div>'


def _before_counts(extras: dict[str, Any]) -> str:
    """What the run did besides syncing rows: a reset, the orders waiting at its start."""
    out = [_reset(extras["reset"])] if extras.get("reset") else []
    new_orders = extras.get("new_orders")
    if new_orders:
        out.append(
            f"<p>New shop orders waiting for import at the start: "
            f"<strong>{_e(new_orders.get('waiting'))}</strong></p>"
        )
    return "".join(out)


def _reconciliation(extras: dict[str, Any]) -> str:
    reconciliation = extras.get("reconciliation")
    if not reconciliation:
        return ""
    out = ["<h2>Reconciliation</h2>"]
    for name, items in reconciliation.items():
        out.append(f"<h3>{_e(name.replace('_', ' '))} ({len(items)})</h3>")
        columns = list(dict.fromkeys(k for item in items for k in item))
        if items:
            out.append(_table(columns, [[i.get(c) for c in columns] for i in items]))
    return "".join(out)


def run_page(record: dict[str, Any], quarantines: dict[str, pd.DataFrame]) -> str:
    """The page of one run: who, when, counts and the sum line per entity, reasons, rules."""
    entities = record["entities"]
    meta = _table(
        ["", ""],
        [
            ["tenant", f"{record['tenant']} ({record.get('tenant_name') or ''})"],
            ["DAG", record["dag_id"]],
            ["run", record["run_id"]],
            ["run type", record["run_type"]],
            ["started", record["started"]],
            ["report written", record["finished"]],
            ["parameters", ", ".join(f"{k}={v}" for k, v in (record["params"] or {}).items())],
        ],
    ).replace("<table>", '<table class="meta">', 1)
    totals = _table(
        ["entity", *[label for _, label in COUNT_COLUMNS], "sums"],
        [
            [
                e["entity"],
                *[e.get(key, 0) for key, _ in COUNT_COLUMNS],
                "ok"
                if e["balanced"]
                else f"{int(e['extracted']) - int(e['accounted'])} unaccounted",
            ]
            for e in entities
        ],
        numeric=set(range(1, len(COUNT_COLUMNS) + 1)),
    )
    counts = totals if entities else "<p>No entity was synced in this run.</p>"
    extras = record.get("extras") or {}
    body = (
        f'<p><a href="../../index.html">&larr; all runs of {_e(record["tenant"])}</a></p>'
        f"<h1>Data-quality report: {_e(record['dag_id'])}</h1>"
        f'<p>State: <span class="state {_e(record["state"])}">{_e(record["state"])}</span></p>'
        f"{meta}{_stops(record)}{_before_counts(extras)}<h2>Counts</h2>{counts}"
        + "".join(sum_line(e) for e in entities)
        + "".join(
            _entity_section(e, quarantines.get(e["entity"], pd.DataFrame())) for e in entities
        )
        + _reconciliation(extras)
    )
    return _document(f"{record['dag_id']} {record['run_id']}", body)


def index_page(tenant: str, tenant_name: str, runs: list[dict[str, Any]]) -> str:
    """A tenant's runs, newest first, with the set-aside chart over the last runs."""
    rows = []
    for run in runs:
        ents = run["entities"].values()
        rows.append(
            "<tr>"
            f"<td>{_e(run['started'])}</td><td>{_e(run['kind'])}</td>"
            f'<td><a href="{_e(run["folder"])}/report.html">{_e(run["run_id"])}</a></td>'
            f'<td><span class="state {_e(run["state"])}">{_e(run["state"])}</span>'
            + (f" at {_e(', '.join(run['stopped_at']))}" if run["stopped_at"] else "")
            + "</td>"
            + "".join(
                f'<td class="n">{sum(int(e.get(k, 0)) for e in ents)}</td>'
                for k in ("extracted", "inserted", "updated", "set_aside", "cleaned")
            )
            + f"<td>{_e(', '.join(run['entities']))}</td></tr>"
        )
    table = (
        "<table class='runs'><thead><tr><th>started</th><th>DAG</th><th>run</th><th>state</th>"
        "<th>extracted</th><th>inserted</th><th>updated</th><th>set aside</th><th>cleaned</th>"
        f"<th>entities</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )
    body = (
        f"<h1>Data-quality reports: {_e(tenant)}</h1><p class='muted'>{_e(tenant_name)}: "
        f"the last {len(runs)} run(s), newest first.</p>"
        f"<h2>Rows set aside per entity</h2>{set_aside_chart(runs)}{trend(runs)}"
        f"<h2>Runs</h2>{table if runs else '<p>No runs reported yet.</p>'}"
    )
    return _document(f"Reports of {tenant}", body)


def missing_page(message: str) -> str:
    return _document("No report", f"<h1>No report</h1><p>{_e(message)}</p>")
