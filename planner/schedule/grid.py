"""The requirement's intervals on a clock, and the share of each a span of time covers."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
from numpy.typing import NDArray

from planner._validate import FloatArray

__all__ = ["DAY", "Grid", "open_mask"]

DAY = 86400.0


@dataclass(frozen=True)
class Grid:
    """The requirement's intervals on a clock: ``days`` days of ``n`` intervals of
    ``interval`` seconds from ``origin`` (seconds after midnight) each; ``wrap``:
    the horizon is cyclic (a span past its end continues at its start)."""

    days: int
    n: int
    interval: float
    origin: float
    wrap: bool

    @cached_property
    def edges(self) -> FloatArray:
        """Start of every interval, seconds from the first day's midnight (flat)."""
        per_day = self.origin + np.arange(self.n) * self.interval
        return (np.arange(self.days)[:, None] * DAY + per_day[None, :]).reshape(-1)

    @property
    def close(self) -> float:
        """The day's last interval's end, seconds after midnight."""
        return self.origin + self.n * self.interval

    def fits(self, start: float, length: float) -> bool:
        """A shift from ``start`` (seconds after midnight) for ``length`` seconds fits:
        always with wrap, else within the day's intervals."""
        return self.wrap or (start >= self.origin - 1e-9 and start + length <= self.close + 1e-9)

    def span(self, begin: float, end: float) -> tuple[NDArray[np.int64], FloatArray]:
        """The intervals ``[begin, end)`` (seconds from the first midnight) touches and
        the share of each it covers, as (indices, shares)."""
        horizon = self.days * DAY
        pieces = [(begin, end)]
        if self.wrap and end > horizon:  # what runs past the end continues at the start
            pieces = [(begin, horizon), (max(begin - horizon, 0.0), end - horizon)]
        index, share = [], []
        edges = self.edges
        for lo, hi in pieces:
            first = int(np.searchsorted(edges + self.interval, lo, side="right"))
            last = int(np.searchsorted(edges, hi, side="left"))
            at = np.arange(first, last)
            inside = np.minimum(edges[at] + self.interval, hi) - np.maximum(edges[at], lo)
            keep = inside > 1e-9
            index.append(at[keep])
            share.append(inside[keep] / self.interval)
        return np.concatenate(index), np.concatenate(share)

    def duty(
        self, begin: float, length: float, breaks: tuple[tuple[float, float], ...] = ()
    ) -> FloatArray:
        """Share of each interval one person is on duty: a shift from ``begin``
        (seconds from the first midnight) for ``length`` seconds, less ``breaks``
        (start after ``begin``, length; seconds)."""
        out = np.zeros(self.days * self.n)
        at, share = self.span(begin, begin + length)
        np.add.at(out, at, share)
        for offset, seconds in breaks:
            at, share = self.span(begin + offset, begin + offset + seconds)
            np.add.at(out, at, -share)
        return out


def open_mask(hours: dict[int, tuple[float, float] | None], grid: Grid, first: int) -> np.ndarray:
    """Per interval of the grid: inside its weekday's opening hours (weekdays from
    ``first``; hours as :func:`planner.schedule.opening_hours` gives them)."""
    clock = grid.origin + np.arange(grid.n) * grid.interval
    mask = np.ones((grid.days, grid.n), dtype=bool)
    for d in range(grid.days):
        w = (first + d) % 7
        if w in hours:
            span = hours[w]
            mask[d] = False if span is None else (clock >= span[0]) & (clock < span[1] - 1e-9)
    return mask.reshape(-1)
