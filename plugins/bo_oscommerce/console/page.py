"""The console's HTML: one row per tenant, most urgent first, and the buttons that start
runs through Airflow's own REST API as the logged-in user (the browser's session cookie),
so Airflow's permissions and audit log apply to every press."""

from __future__ import annotations

import json
from datetime import datetime
from urllib.parse import quote

from bo_oscommerce.console.sources import age
from bo_oscommerce.console.views import RANK_NAMES, SHOWN_KINDS, DagState, TenantView
from bo_oscommerce.reports.pages import STYLE, _e

CONSOLE_STYLE = """
body{max-width:none}table.console td{font-size:13px}table.console ul{margin:0;padding-left:1rem}
tr.rank-problem td:first-child{border-left:4px solid #c0392b}
tr.rank-warning td:first-child{border-left:4px solid #d68910}
tr.rank-fine td:first-child{border-left:4px solid #27ae60}
tr.rank-idle{color:#5b6875}li.problem{color:#8c1d1d}li.warning{color:#7d5100}
.queued,.running{background:#e3ecf8;color:#1f4f8a}.paused{background:#f1e7c9;color:#6b5200}
.inactive,.invalid{background:#eceff1;color:#37474f}.invalid{background:#fbdcdc;color:#8c1d1d}
.active{background:#d9f2df;color:#17612c}
td.actions button{margin:.1rem 0}.started{margin-top:.2rem}.started.failed{color:#8c1d1d}
"""

SCRIPT = """
const root = document.body.dataset.airflowRoot;
document.addEventListener('click', async (event) => {
  const button = event.target.closest('button.trigger');
  if (!button) return;
  const row = button.closest('tr');
  const out = row.querySelector('.started');
  const conf = JSON.parse(button.dataset.conf);
  if (button.dataset.mode) conf.mode = row.querySelector(button.dataset.mode).value;
  const dag = button.dataset.dag;
  button.disabled = true;
  out.className = 'started';
  out.textContent = 'starting ' + button.textContent + '…';
  try {
    const response = await fetch(root + 'api/v2/dags/' + encodeURIComponent(dag) + '/dagRuns', {
      method: 'POST', credentials: 'same-origin',
      headers: {'content-type': 'application/json', accept: 'application/json'},
      body: JSON.stringify({logical_date: null, conf: conf,
                            note: 'Operator\\'s console: ' + button.textContent}),
    });
    const body = await response.json().catch(() => ({}));
    out.replaceChildren();
    if (!response.ok) {
      const detail = typeof body.detail === 'string' ? body.detail : JSON.stringify(body.detail);
      out.className = 'started failed';
      out.textContent =
        button.textContent + ': not started (' + response.status + ' ' + detail + ')';
      return;
    }
    const run = body.dag_run_id;
    const link = document.createElement('a');
    link.href = root + 'dags/' + encodeURIComponent(dag) + '/runs/' + encodeURIComponent(run);
    link.target = '_top';
    link.textContent = run;
    link.className = 'run';
    link.dataset.dag = dag;
    const report = document.createElement('a');
    report.href = 'dag-run/' + encodeURIComponent(dag) + '/' + encodeURIComponent(run);
    report.textContent = 'report';
    out.append(button.textContent + ': started ', link, ' (', report, ')');
    if (row.querySelector('td[data-dag="' + dag + '"] .paused'))
      out.append(' — the DAG is paused: the run waits until it is unpaused');
  } catch (error) {
    out.className = 'started failed';
    out.textContent = button.textContent + ': not started (' + error + ')';
  } finally {
    button.disabled = false;
  }
});
"""


def _badge(text: str, css: str | None = None) -> str:
    return f'<span class="state {_e(css or text)}">{_e(text)}</span>'


def _dag_cell(dag: DagState, now: datetime) -> str:
    if not dag.known:
        return f'<td class="dag" data-dag="{_e(dag.dag_id)}">{_badge("not loaded", "failed")}</td>'
    parts = [_badge("paused")] if dag.paused else []
    last = dag.last
    if last is None:
        parts.append('<span class="muted">no run yet</span>')
    else:
        run = f"{quote(dag.dag_id, safe='')}/{quote(last.run_id, safe='')}"
        parts += [
            _badge(last.state),
            f'<span class="age" title="{_e(last.since)}">{_e(age(last.since, now))}</span>',
            f'<a href="dag-run/{run}" class="report">report</a>',
            f'<a href="../dags/{run.replace("/", "/runs/", 1)}" target="_top">run</a>',
        ]
    state = last.state if last else "none"
    return (f'<td class="dag" data-dag="{_e(dag.dag_id)}" data-state="{_e(state)}">'
            f'{" ".join(parts)}</td>')  # fmt: skip


def _waiting_cell(view: TenantView) -> str:
    waiting = view.waiting
    if waiting is None:
        return '<td class="n waiting"></td>'
    if waiting.count is None:
        what = "counting…" if waiting.pending else "unknown"
        return f'<td class="n waiting" data-count="" title="{_e(waiting.problem)}">{what}</td>'
    when = f"counted {waiting.counted_at:%H:%M:%S} UTC" if waiting.counted_at else ""
    return f'<td class="n waiting" data-count="{waiting.count}" title="{when}">{waiting.count}</td>'


def _set_aside_cell(view: TenantView) -> str:
    items = "".join(
        f'<li data-entity="{_e(entity)}" data-set-aside="{s.now}" data-trend="{_e(s.trend)}">'
        f"{_e(entity)}: {s.now}"
        + (f' <span class="{_e(s.trend)}">({_e(s.trend)}, was {s.before})</span>'
           if s.before is not None and s.trend != "unchanged" else "")
        + "</li>"
        for entity, s in view.set_aside.items()
        if s.now or s.before
    )  # fmt: skip
    return f'<td class="set-aside">{f"<ul>{items}</ul>" if items else ""}</td>'


def _connection_cell(view: TenantView) -> str:
    failure = view.connection
    if failure is None:
        return '<td class="connection"></td>'
    state = "passed since" if failure.passed_since else "still failing"
    return (
        f'<td class="connection" data-passed-since="{str(failure.passed_since).lower()}">'
        f"{_e(failure.at)} ({_e(failure.kind)} run), {_e(state)}"
        f'<pre class="muted">{_e(failure.message)}</pre></td>'
    )


def _actions_cell(view: TenantView) -> str:
    if view.status != "active" or not view.triggerable:
        return '<td class="actions"></td>'
    ids = {kind: f"bo_osc_{view.tenant}_{kind}" for kind in ("catalog", "orders")}
    buttons = []
    if "orders" in view.triggerable:
        buttons.append(_button("Import orders now", ids["orders"], {"criteria": ["import"]}))
    if "catalog" in view.triggerable:
        buttons.append(
            '<select class="mode" aria-label="catalog sync mode">'
            '<option value="incremental">incremental</option><option value="full">full</option>'
            "</select> "
            + _button("Sync catalog now", ids["catalog"], {}, mode="select.mode")
        )
        buttons.append(_button("Test connection", ids["catalog"], {"entities": []}))
    return (f'<td class="actions">{"<br>".join(buttons)}'
            '<div class="started" aria-live="polite"></div></td>')  # fmt: skip


def _button(label: str, dag_id: str, conf: dict, mode: str = "") -> str:
    extra = f' data-mode="{_e(mode)}"' if mode else ""
    return (f'<button type="button" class="trigger" data-dag="{_e(dag_id)}" '
            f"data-conf='{_e(json.dumps(conf))}'{extra}>{_e(label)}</button>")  # fmt: skip


def _row(view: TenantView, now: datetime) -> str:
    rank = RANK_NAMES[view.rank]
    status = _badge(view.status) + (
        f'<div class="muted reason">{_e(view.reason)}</div>' if view.reason else ""
    ) + (f'<div class="muted shop">{_e(view.shop)}</div>' if view.shop else "")
    notes = "".join(f'<li class="{RANK_NAMES[r]}">{_e(text)}</li>' for r, text in view.attention)
    dags = "".join(
        _dag_cell(view.dags[kind], now) if kind in view.dags else '<td class="dag"></td>'
        for kind in SHOWN_KINDS
    )
    orders_aside = "" if view.orders_set_aside is None else str(view.orders_set_aside)
    return (
        f'<tr class="tenant rank-{rank}" data-tenant="{_e(view.tenant)}" data-rank="{rank}">'
        f'<td class="who"><a href="{quote(view.tenant, safe="")}/index.html">{_e(view.tenant)}'
        f'</a><div class="muted">{_e(view.name if view.name != view.tenant else "")}</div></td>'
        f'<td class="status">{status}</td>'
        f'<td class="attention">{f"<ul>{notes}</ul>" if notes else ""}</td>{dags}'
        f"{_waiting_cell(view)}"
        f'<td class="n orders-set-aside">{_e(orders_aside)}</td>'
        f"{_set_aside_cell(view)}{_connection_cell(view)}{_actions_cell(view)}</tr>"
    )


HEADER = (
    "tenant", "status", "needs attention", *SHOWN_KINDS, "new orders waiting",
    "orders set aside", "rows set aside", "last connection-test failure", "actions",
)  # fmt: skip


def console_page(views: list[TenantView], now: datetime, airflow_root: str) -> str:
    """``airflow_root``: the Airflow UI's base path ("/" unless behind a prefix)."""
    counts = {name: sum(1 for v in views if RANK_NAMES[v.rank] == name)
              for name in RANK_NAMES.values()}  # fmt: skip
    head = "".join(f"<th>{_e(h)}</th>" for h in HEADER)
    rows = "".join(_row(v, now) for v in views)
    body = (
        "<h1>bo-oscommerce: operator's console</h1>"
        f'<p class="muted summary">{len(views)} tenant(s): {counts["problem"]} with a problem, '
        f'{counts["warning"]} with a warning, {counts["fine"]} fine, {counts["idle"]} inactive. '
        f"As of {now:%Y-%m-%d %H:%M:%S} UTC; new orders are counted live in the shops "
        "(at most 30 s old). Each tenant's name opens its reports.</p>"
        + (f'<table class="console"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>'
           if views else "<p>No tenants you may read.</p>")
    )  # fmt: skip
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width">'
        "<title>bo-oscommerce console</title>"
        f"<style>{STYLE}{CONSOLE_STYLE}</style></head>"
        f'<body data-airflow-root="{_e(airflow_root)}">\n{body}\n'
        f"<script>{SCRIPT}</script></body></html>\n"
    )
