"""Charts drawn on the server as SVG (the CSP allows no script libraries): the geometry is
computed here, the templates only place it (web/_bar_chart.html, web/_ranking_chart.html).

Every chart carries its figures three ways: the value axis, a tooltip on each bar (its <title>,
also what a screen reader reads), and the table the template puts beside it.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal

from patron.core.formats import format_date, format_money, format_month, format_number, format_short_day

WIDTH, HEIGHT = 640, 200
LEFT = 64  # room left of the plot for the value axis' labels
TOP, BOTTOM = 10, 22  # room above the highest bar and below the baseline for the category labels
MAX_LABELS = 12  # more bars than this: label only every n-th one
GAP = 0.2  # share of each slot left empty between bars
TICKS = 4  # value axis: zero and this many steps up to the highest value
ROW_HEIGHT, RANKING_LABEL_WIDTH = 24, 200  # ranking charts: one row per item, its name on the left


@dataclass(frozen=True)
class Point:
    """One bar's data: the short label under it, the long one of its tooltip, and its value."""

    label: str
    title: str
    value: Decimal | int


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
class Tick:
    y: float
    label: str


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    left: int
    baseline: float
    label_y: float
    bars: list[Bar]
    ticks: list[Tick]

    @property
    def tick_label_x(self) -> int:
        return self.left - 6


def bar_chart(points: Sequence[Point], format_value: Callable[[Decimal | int], str]) -> BarChart | None:
    """Vertical bars on an even axis with a labelled value axis; negative values draw below the
    baseline. None when there is nothing to draw."""
    if not points:
        return None
    values = [Decimal(point.value) for point in points]
    whole = all(isinstance(point.value, int) for point in points)  # counts: ticks on whole numbers
    step = _nice_step(max(max(values), -min(values), Decimal("0")) / TICKS, whole=whole)
    high = _round_up(max(max(values), Decimal("0")), step)
    low = -_round_up(-min(min(values), Decimal("0")), step)
    span = float(high - low) or 1.0
    plot = HEIGHT - TOP - BOTTOM
    baseline = TOP + plot * float(high) / span
    slot = (WIDTH - LEFT) / len(points)
    label_every = -(-len(points) // MAX_LABELS)  # ceiling division
    bars = []
    for index, (point, value) in enumerate(zip(points, values, strict=True)):
        height = plot * abs(float(value)) / span
        bars.append(Bar(x=round(LEFT + index * slot + slot * GAP / 2, 1), width=round(slot * (1 - GAP), 1),
                        y=round(baseline - height if value >= 0 else baseline, 1), height=round(height, 1),
                        label=point.label if index % label_every == 0 else "",
                        title=f"{point.title}: {format_value(point.value)}", negative=value < 0))
    ticks = [Tick(y=round(baseline - plot * float(tick) / span, 1), label=format_value(int(tick) if whole else tick))
             for tick in _tick_values(high, low, step)]
    return BarChart(width=WIDTH, height=HEIGHT, left=LEFT, baseline=round(baseline, 1), label_y=HEIGHT - 6,
                    bars=bars, ticks=ticks)


def _nice_step(rough: Decimal, *, whole: bool) -> Decimal:
    """The smallest 1, 2 or 5 times a power of ten at least ``rough`` (at least 1 for counts), so
    the axis reads 0, 50, 100, 150 rather than 0, 37.41, 74.82."""
    if rough <= 0:
        return Decimal(1)
    power = Decimal(10) ** rough.adjusted()  # the power of ten of the leading digit
    step = next(power * factor for factor in (1, 2, 5, 10) if power * factor >= rough)
    return max(step, Decimal(1)) if whole else step


def _round_up(value: Decimal, step: Decimal) -> Decimal:
    return (value / step).to_integral_value(rounding=ROUND_CEILING) * step


def _tick_values(high: Decimal, low: Decimal, step: Decimal) -> list[Decimal]:
    """Zero, and every ``step`` up to the highest value and down to the lowest."""
    ticks = [Decimal(0)]
    for end, direction in ((high, 1), (low, -1)):
        ticks += [step * direction * index for index in range(1, int(abs(end) / step) + 1)]
    return ticks


@dataclass(frozen=True)
class RankingRow:
    y: float
    width: float
    label: str
    value: str
    title: str

    @property
    def figure_x(self) -> float:
        return round(RANKING_LABEL_WIDTH + self.width + 6, 1)


@dataclass(frozen=True)
class RankingChart:
    width: int
    height: int
    label_width: int
    row_height: int
    rows: list[RankingRow]

    @property
    def text_y(self) -> int:
        return self.row_height - 8

    @property
    def bar_height(self) -> int:
        return self.row_height - 8


def ranking_chart(points: Sequence[Point], format_value: Callable[[Decimal | int], str],
                  *, scale: Decimal | int | None = None) -> RankingChart | None:
    """Horizontal bars, one row per item, its name left and its figure at the bar's end; bars
    are drawn against ``scale`` (e.g. 100 for percentages), else against the largest value."""
    if not points:
        return None
    largest = float(scale if scale is not None else max(Decimal(point.value) for point in points)) or 1.0
    plot = WIDTH - RANKING_LABEL_WIDTH - LEFT  # the figure goes right of the bar
    rows = [RankingRow(y=index * ROW_HEIGHT, width=round(plot * max(float(point.value), 0.0) / largest, 1),
                       label=point.label, value=format_value(point.value),
                       title=f"{point.title}: {format_value(point.value)}")
            for index, point in enumerate(points)]
    return RankingChart(width=WIDTH, height=ROW_HEIGHT * len(rows), label_width=RANKING_LABEL_WIDTH,
                        row_height=ROW_HEIGHT, rows=rows)


# --- the charts of the pages ------------------------------------------------------------------

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
    return bar_chart([Point(format_month(month, short=True), format_month(month), by_month.get(month, Decimal("0")))
                      for month in _months(min(by_month), max(by_month))],
                     lambda value: format_money(value, currency))


def daily_bars(days: Sequence[tuple[datetime.date, Decimal | int]], *, money: bool) -> BarChart | None:
    """One bar per day (an amount of money, or a count)."""
    return bar_chart([Point(format_short_day(day), format_date(day), value) for day, value in days],
                     format_money if money else format_count)


def format_count(value: Decimal | int) -> str:
    return format_number(value, decimals=0)
