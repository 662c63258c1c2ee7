"""The geometry of a post's star chart (templates/chart.html): coordinates as the SVG shows them.

Worked out in Python, once a chart, instead of in template macros called for every point (a post's
history has a point a month: 36 and more on a post approved three years ago). The numbers are written
with one decimal (``%.1f``), as the chart always was.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

WIDTH, HEIGHT = 320, 132
LEFT, RIGHT, TOP, BOTTOM = 30, 12, 10, 26
PLOT_W, PLOT_H = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
COMMENDED = ("batch_commend", "review_commend")


@dataclass(frozen=True)
class Mark:
    kind: str  # "revoked" (a cross where the line ends) or "commended" (a ring)
    x: str
    y: str


@dataclass(frozen=True)
class StarChart:
    grid: tuple[tuple[int, str], ...]  # (stars, y) of the six grid lines, 0★ to 5★
    line: str  # the step line's path data
    marks: tuple[Mark, ...]
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right: int = WIDTH - RIGHT
    bottom: int = HEIGHT - 6  # the axis labels' baseline


def _y(stars: float) -> str:
    return "%.1f" % (TOP + (5 - stars) * PLOT_H / 5)


def star_chart(changes: Sequence[Any]) -> StarChart:
    """``changes``: a post's history, oldest first (each with ``before``, ``after``, ``status``, ``reason``)."""
    n = len(changes)
    step = PLOT_W / (n if n > 0 else 1)

    def x(i: int) -> str:
        return "%.1f" % (LEFT + i * step)

    line = [f"M{x(0)} {_y(changes[0].before if n else 0)}"]
    marks = []
    for i, c in enumerate(changes, 1):
        line.append(f" H{x(i)} V{_y(c.after)}")
        if c.status == "revoked" and i == n:
            marks.append(Mark("revoked", "%.1f" % (LEFT + i * step - 5), "%.1f" % (TOP + PLOT_H - 5)))
        elif c.reason in COMMENDED:
            marks.append(Mark("commended", x(i), _y(c.after)))
    return StarChart(tuple((s, _y(s)) for s in range(6)), "".join(line), tuple(marks))
