"""Chart geometry for the HTML brief: where each point, line and label goes (the template draws them).

Numbers only: the SVG itself is written by templates/charts.svg.j2, so nothing here builds markup.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime

from voicejournal.core.brief import Review
from voicejournal.core.wording import day


@dataclass
class Label:
    x: float
    y: float
    text: str
    anchor: str = "start"


@dataclass
class Dot:
    x: float
    y: float
    r: float
    color: str = "#2f6f73"
    opacity: float | None = None
    title: str = ""


@dataclass
class MoodChart:
    width: int
    height: int
    left: float
    right: float
    top: float
    plot_h: float
    band_x: float  # the shaded period since the last session
    band_w: float
    grid: list[Label] = field(default_factory=list)  # y of each grid line, with its label
    sessions: list[Label] = field(default_factory=list)  # x of each session line, with its label
    path: str = ""
    dots: list[Dot] = field(default_factory=list)
    axis: list[Label] = field(default_factory=list)
    empty: Label | None = None


@dataclass
class ThemeRow:
    label: Label
    dots: list[Dot]


@dataclass
class ThemesChart:
    width: int
    height: int
    band_x: float
    band_y: float
    band_w: float
    band_h: float
    since: Label
    rows: list[ThemeRow]
    axis: list[Label]


def mood_chart(review: Review, width: int = 680, height: int = 220) -> MoodChart:
    """Mood (1-5) per entry over this period and the one before, sessions marked."""
    points = review.mood.before + review.mood.points
    left, right, top, bottom = 44, 16, 18, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    t0, t1 = review.previous_start, review.end
    span = max((t1 - t0).total_seconds(), 1.0)

    def x(dt: datetime) -> float:
        return left + plot_w * min(1.0, max(0.0, (dt - t0).total_seconds() / span))

    def y(value: float) -> float:
        return top + plot_h * (5 - value) / 4

    chart = MoodChart(
        width, height, left, width - right, top, plot_h, x(review.start), x(t1) - x(review.start)
    )
    chart.grid = [Label(left - 6, y(v), label, "end") for v, label in ((1, "1 low"), (3, "3"), (5, "5 good"))]
    chart.sessions = [
        Label(x(s.start), top, f"session {day(s.start)}")
        for s in [review.since_session, *review.sessions]
        if s is not None
    ]
    # Each entry is a dot; a line joins them in time order.
    line = [(x(p.when), y(p.value)) for p in sorted(points, key=lambda p: p.when)]
    if len(line) > 1:
        chart.path = " ".join(f"{'M' if i == 0 else 'L'}{px:.1f},{py:.1f}" for i, (px, py) in enumerate(line))
    chart.dots = [
        Dot(
            x(p.when),
            y(p.value),
            4.5,
            "#2f6f73" if p.when >= review.start else "#9aa5b1",
            title=f"{day(p.when)}: {p.value}",
        )
        for p in points
    ]
    chart.axis = [
        Label(x(dt), height - 14, day(dt), anchor)
        for dt, anchor in ((t0, "start"), (review.start, "middle"), (t1, "end"))
    ]
    if not points:
        chart.empty = Label(left + plot_w / 2, top + plot_h / 2, "No mood noted yet", "middle")
    return chart


def themes_chart(review: Review, width: int = 680) -> ThemesChart | None:
    """How often each main theme came up, day by day (or week by week)."""
    names = list(review.theme_series)
    if not names or not review.buckets:
        return None
    label_w, top, row_h = 120, 26, 30
    cell = (width - label_w - 10) / len(review.buckets)
    height = top + row_h * len(names) + 24
    peak = max(1, max(max(v) for v in review.theme_series.values()))
    start_x = label_w + cell * sum(1 for b in review.buckets if b < review.start)
    rows = []
    for r, name in enumerate(names):
        cy = top + r * row_h + row_h / 2 - 4
        dots = []
        for i, count in enumerate(review.theme_series[name]):
            cx = label_w + cell * (i + 0.5)
            if count:
                radius = min(3 + 8 * math.sqrt(count / peak), cell / 2 + 2)
                dots.append(Dot(cx, cy, radius, opacity=0.35 + 0.6 * count / peak, title=f"{name}: {count}"))
            else:
                dots.append(Dot(cx, cy, 1.5, "#d9e2ec"))
        rows.append(ThemeRow(Label(label_w - 8, cy + 4, name, "end"), dots))
    return ThemesChart(
        width=width,
        height=height,
        band_x=start_x,
        band_y=top - 8,
        band_w=width - 10 - start_x,
        band_h=row_h * len(names) + 8,
        since=Label(start_x + 4, top - 12, f"since {day(review.start)}"),
        rows=rows,
        axis=[
            Label(label_w, height - 6, day(review.buckets[0])),
            Label(width - 10, height - 6, day(review.end), "end"),
        ],
    )
