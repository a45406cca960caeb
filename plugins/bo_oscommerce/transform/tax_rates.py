"""The shop's tax rates by class and place, as ``tep_get_tax_rate`` and
``tep_get_tax_description`` (``includes/functions/general.php``) find them.

A rate applies where its geo zone holds the country (zone 0: all its zones) and the zone; a
rate whose geo zone lists no place at all applies everywhere (the shop's LEFT JOIN). Rates of
one priority add up, priorities compound: ``((1 + a) * (1 + b) - 1) * 100``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from bo_oscommerce.transform.order_totals import TaxChoice

UNKNOWN_TAX_RATE = "Unknown tax rate"  # TEXT_UNKNOWN_TAX_RATE


@dataclass(frozen=True)
class TaxRateRow:
    """One row of tax_rates LEFT JOIN zones_to_geo_zones."""

    tax_class_id: int
    country_id: int | None  # zone_country_id; None: the geo zone lists no place
    zone_id: int | None
    priority: int
    rate: Decimal
    description: str


class TaxTable:
    """Every tax rate of the shop, answering for a class, country and zone."""

    def __init__(self, rows: Iterable[TaxRateRow]) -> None:
        self._by_class: dict[int, list[TaxRateRow]] = {}
        for row in rows:
            self._by_class.setdefault(int(row.tax_class_id), []).append(row)

    def classes(self) -> list[int]:
        return sorted(self._by_class)

    def _applying(self, class_id: int, country_id: int, zone_id: int) -> list[TaxRateRow]:
        return [
            r
            for r in self._by_class.get(int(class_id), [])
            if r.country_id in (None, 0, country_id) and r.zone_id in (None, 0, zone_id)
        ]

    def choice(self, class_id: int, country_id: int, zone_id: int) -> TaxChoice:
        """The rate (as the shop's float) and description of ``class_id`` at that place."""
        rows = self._applying(class_id, country_id, zone_id)
        if not rows:
            return TaxChoice(0.0, UNKNOWN_TAX_RATE)
        by_priority: dict[int, Decimal] = {}
        for row in rows:
            by_priority[row.priority] = by_priority.get(row.priority, Decimal(0)) + row.rate
        multiplier = 1.0
        for priority in sorted(by_priority):
            multiplier *= 1.0 + float(by_priority[priority]) / 100
        description = " + ".join(r.description for r in sorted(rows, key=lambda r: r.priority))
        return TaxChoice((multiplier - 1.0) * 100, description)
