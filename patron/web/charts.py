"""Charts drawn on the server as SVG (the CSP allows no script libraries): the geometry is
computed here, the template only places it."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from patron.core.formats import format_money, format_month

WIDTH, HEIGHT = 640, 200
TOP, BOTTOM = 10, 22  # room above the highest bar and below the baseline for the month labels
MAX_LABELS = 12  # more months than this: label only every n-th bar
GAP = 0.2  # share of each slot left empty between bars


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str  # under the bar ("" when labels are thinned out)
    title: str  # the tooltip and the text a screen reader reads
    negative: bool

    @property
    def center(self) -> float:
        return round(self.x + self.width / 2, 1)


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    baseline: float
    label_y: float
    bars: list[Bar]


def _months(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    months, month = [], first.replace(day=1)
    while month <= last:
        months.append(month)
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    return months


def monthly_bars(spend: list[tuple[datetime.date, Decimal]], currency: str | None = None) -> BarChart | None:
    """One bar per month from the first month to the last (months without sales get an empty
    bar, so the time axis is even); net returns draw below the baseline."""
    if not spend:
        return None
    by_month = {month.replace(day=1): amount for month, amount in spend}
    months = _months(min(by_month), max(by_month))
    values = [by_month.get(month, Decimal("0")) for month in months]
    high, low = max(max(values), Decimal("0")), min(min(values), Decimal("0"))
    span = float(high - low) or 1.0
    plot = HEIGHT - TOP - BOTTOM
    baseline = TOP + plot * float(high) / span
    slot = WIDTH / len(months)
    step = -(-len(months) // MAX_LABELS)  # ceiling division
    bars = []
    for index, (month, value) in enumerate(zip(months, values, strict=True)):
        height = plot * abs(float(value)) / span
        bars.append(Bar(x=round(index * slot + slot * GAP / 2, 1), width=round(slot * (1 - GAP), 1),
                        y=round(baseline - height if value >= 0 else baseline, 1), height=round(height, 1),
                        label=format_month(month, short=True) if index % step == 0 else "",
                        title=f"{format_month(month)}: {format_money(value, currency)}", negative=value < 0))
    return BarChart(width=WIDTH, height=HEIGHT, baseline=round(baseline, 1), label_y=HEIGHT - 6, bars=bars)
