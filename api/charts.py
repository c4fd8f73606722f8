"""Where sources disagree, drawn: each claim's figure against the date it was stated.

Server-side SVG, so that a page needs no script and no network: one series per claimant, told
apart by colour (the Okabe-Ito palette, which colour-blind readers can tell apart) and by shape
(the second cue). A figure given as a range is a bar; an open bound ("up to 4,000", "more than
15,000") is a bar that ends in an arrow pointing the way it is open; an approximate figure is
drawn dashed; a derived one hollow; a hedged claim faint. A date known only to the month or year
is a horizontal stroke across that span. Every mark links to its claim and carries the statement
and chain as its tooltip; the table under the chart is its text alternative.

The chart draws the page of claims the page already lists (at most 100), so it costs what that
page costs, whatever the graph holds.
"""

from __future__ import annotations

import calendar
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from graph.read import ClaimRecord, date_span

WIDTH, HEIGHT = 720, 320
LEFT, RIGHT, TOP, BOTTOM = 70, 20, 20, 40
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442")
SHAPES = ("circle", "square", "triangle", "diamond")
ARROW = 14   # pixels of the stroke that shows an open bound


@dataclass(frozen=True)
class Mark:
    href: str
    tooltip: str
    x0: float           # the stated date's span, in pixels (equal for a day)
    x1: float
    y_low: float         # the figure's bounds, in pixels (equal for one figure)
    y_high: float
    open_up: bool        # a lower bound only ("more than")
    open_down: bool      # an upper bound only ("up to")
    colour: str
    shape: str
    dashed: bool
    hollow: bool
    faint: bool

    @property
    def x(self) -> float:
        return (self.x0 + self.x1) / 2


@dataclass(frozen=True)
class Series:
    label: str
    colour: str
    shape: str
    count: int


@dataclass
class Chart:
    unit: str
    marks: list[Mark]
    series: list[Series]
    y_ticks: list[tuple[float, str]]
    x_ticks: list[tuple[float, str]]
    left_out: int                 # claims of the page with no figure, no date or another unit
    drawn: list[str] = field(default_factory=list)   # the claims drawn (IRIs), in the page's order
    width: int = WIDTH
    height: int = HEIGHT
    plot: tuple = field(default=(LEFT, TOP, WIDTH - RIGHT, HEIGHT - BOTTOM))


def figure_chart(claims: list[ClaimRecord], href, claimant_label, chain_of) -> Chart | None:
    """The chart of `claims` (in the page's order). `href(claim)`, `claimant_label(iri)` and
    `chain_of(claim)` come from the page; a mark's tooltip reads "statement (claimant CHAIN;
    stated DATE)", so chain_of gives the rest of that sentence (" via X via Y, in OUTLET").
    None when nothing can be drawn."""
    valued = [c for c in claims if c.value is not None and c.stated and c.value.bounds != (None, None)]
    if not valued:
        return None
    unit = Counter((c.value.unit or "").casefold() for c in valued).most_common(1)[0][0]
    drawn = [c for c in valued if (c.value.unit or "").casefold() == unit]
    spans = {c.iri: _span(c.stated) for c in drawn}
    first = min(s[0] for s in spans.values())
    last = max(s[1] for s in spans.values())
    days = max((last - first).days, 1)
    top = max(max(b for b in c.value.bounds if b is not None) for c in drawn) * 1.1 or 1.0
    x0, y0, x1, y1 = LEFT, TOP, WIDTH - RIGHT, HEIGHT - BOTTOM

    def x_of(d: date) -> float:
        return x0 + (x1 - x0) * (d - first).days / days

    def y_of(v: float) -> float:
        return y1 - (y1 - y0) * v / top

    order = list(dict.fromkeys(c.claimant for c in drawn))
    style = {iri: (PALETTE[i % len(PALETTE)], SHAPES[(i // len(PALETTE) + i) % len(SHAPES)])
             for i, iri in enumerate(order)}
    marks = []
    for c in drawn:
        low, high = c.value.bounds
        colour, shape = style[c.claimant]
        start, end = spans[c.iri]
        marks.append(Mark(
            href=href(c), tooltip=f"{c.statement} ({claimant_label(c.claimant)}{chain_of(c)}; "
                                  f"stated {c.stated})",
            x0=round(x_of(start), 1), x1=round(x_of(end), 1),
            y_low=round(y_of(low if low is not None else high), 1),
            y_high=round(y_of(high if high is not None else low), 1),
            open_up=high is None, open_down=low is None, colour=colour, shape=shape,
            dashed=c.value.approximate, hollow=c.value.derived, faint=c.modality != "asserted"))
    counts = Counter(c.claimant for c in drawn)
    series = [Series(claimant_label(iri), *style[iri], counts[iri]) for iri in order]
    y_ticks = [(round(y_of(top * k / 4), 1), f"{top * k / 4:,.0f}") for k in range(5)]
    x_ticks = [(round(x_of(first), 1), first.isoformat()), (round(x_of(last), 1), last.isoformat())]
    return Chart(unit or "(no unit)", marks, series, y_ticks, x_ticks, len(claims) - len(drawn),
                 [c.iri for c in drawn])


def _span(stated: str) -> tuple[date, date]:
    """The first and last day of a partial date (date_span's "-31" is a bound for comparing
    strings, not a day every month has)."""
    first, _ = date_span(stated, "statedOn")
    start = date.fromisoformat(first)
    if len(stated) == 10:
        return start, start
    if len(stated) == 4:
        return start, date(start.year, 12, 31)
    return start, date(start.year, start.month, calendar.monthrange(start.year, start.month)[1])

