"""Rows set aside per entity over a tenant's last runs: an inline SVG line chart (no script)
and a one-line verdict per entity, so a reviewer sees at a glance where quality is going."""

from __future__ import annotations

from html import escape
from typing import Any

CHART_RUNS = 30
WIDTH, HEIGHT, PAD = 720, 220, 36
COLORS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf")


def _series(runs: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], dict[str, list]]:
    """Oldest first: the last CHART_RUNS runs, and entity -> [(position, set aside, run)]."""
    chosen = list(reversed(runs[:CHART_RUNS]))
    series: dict[str, list[tuple[int, int, dict[str, Any]]]] = {}
    for position, run in enumerate(chosen):
        for entity, counts in run["entities"].items():
            series.setdefault(entity, []).append((position, int(counts["set_aside"]), run))
    return chosen, series


def set_aside_chart(runs: list[dict[str, Any]]) -> str:
    chosen, series = _series(runs)
    if not series:
        return "<p class='muted'>No entity runs yet.</p>"
    top = max(1, *(n for points in series.values() for _, n, _ in points))
    span = max(1, len(chosen) - 1)

    def x(position: int) -> float:
        return PAD + position * (WIDTH - 2 * PAD) / span

    def y(value: int) -> float:
        return HEIGHT - PAD - value * (HEIGHT - 2 * PAD) / top

    parts = [
        f'<svg class="chart" role="img" width="{WIDTH}" height="{HEIGHT + 20 * len(series)}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT + 20 * len(series)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>Rows set aside per entity, last {len(chosen)} runs (oldest left)</title>",
        f'<line x1="{PAD}" y1="{HEIGHT - PAD}" x2="{WIDTH - PAD}" y2="{HEIGHT - PAD}" '
        'stroke="#8795a1"/>',
        f'<line x1="{PAD}" y1="{PAD}" x2="{PAD}" y2="{HEIGHT - PAD}" stroke="#8795a1"/>',
        f'<text x="4" y="{PAD + 4}" font-size="11">{top}</text>',
        f'<text x="4" y="{HEIGHT - PAD + 4}" font-size="11">0</text>',
        f'<text x="{PAD}" y="{HEIGHT - PAD + 16}" font-size="11">older</text>',
        f'<text x="{WIDTH - PAD - 30}" y="{HEIGHT - PAD + 16}" font-size="11">newest</text>',
    ]
    for i, (entity, points) in enumerate(sorted(series.items())):
        color = COLORS[i % len(COLORS)]
        name = escape(entity)
        coords = " ".join(f"{x(p):.1f},{y(n):.1f}" for p, n, _ in points)
        parts.append(
            f'<polyline class="series" data-entity="{name}" fill="none" stroke="{color}" '
            f'stroke-width="2" points="{coords}"/>'
        )
        for p, n, run in points:
            parts.append(
                f'<circle class="point" data-entity="{name}" data-set-aside="{n}" '
                f'cx="{x(p):.1f}" cy="{y(n):.1f}" r="3" fill="{color}"><title>{name}: {n} set '
                f"aside, {escape(str(run['kind']))} run {escape(str(run['run_id']))}</title>"
                "</circle>"
            )
        legend_y = HEIGHT + 20 * i + 4
        parts.append(
            f'<rect x="{PAD}" y="{legend_y - 9}" width="12" height="10" fill="{color}"/>'
            f'<text class="legend" x="{PAD + 18}" y="{legend_y}" font-size="12">{name}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def trend(runs: list[dict[str, Any]]) -> str:
    """Per entity: set aside in its newest run against its run before."""
    from bo_oscommerce.console.views import from_index

    latest, _ = from_index(runs)
    if not latest:
        return ""
    items = []
    for entity, counts in latest.items():
        verdict = counts.trend
        if verdict in ("better", "worse"):
            verdict = f"{verdict} (was {counts.before})"
        css = counts.trend if counts.trend in ("better", "worse") else "muted"
        items.append(
            f'<li class="trend" data-entity="{escape(entity)}">{escape(entity)}: {counts.now} set '
            f'aside in the newest run, <span class="{css}">{verdict}</span></li>'
        )
    return f"<ul>{''.join(items)}</ul>"
