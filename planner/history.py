"""Interval history, checked: what every forecast reads."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from planner import _validate as v
from planner.errors import InputError

__all__ = ["History"]


@dataclass(frozen=True)
class History:
    """Interval history, checked: one row per interval start.

    Attributes
    ----------
    frame : indexed by ``interval_start`` (local wall-clock time, naive),
        with ``calls`` (offered calls per interval), ``aht`` (seconds, NaN where
        nothing was handled) and whichever of ``handled``, ``abandoned`` and
        ``answered_within`` the source had.
    interval : interval length, seconds.
    filled : interval starts missing inside a day's open hours, added with 0
        calls (ACD exports usually leave out intervals nobody called in).
    missing_days : days between the first and the last with no rows at all
        (not filled: a closed day and a lost export look the same).
    notes : what was found and cleaned, one line each.
    """

    frame: pd.DataFrame
    interval: float
    filled: pd.DatetimeIndex
    missing_days: tuple[date, ...]
    notes: tuple[str, ...]

    def rollup(self, interval: float) -> History:
        """The same history in longer intervals (e.g. 5-minute data as 30-minute).

        ``interval`` (seconds) must be a whole multiple of this history's and
        divide a day. Counts are summed; AHT is weighted by handled calls
        (offered calls without a handled column).

        Examples
        --------
        >>> import io
        >>> from planner.io import read_history
        >>> h = read_history(io.StringIO(
        ...     "Interval,Offered,AHT\\n2026-03-02 08:00,4,200\\n2026-03-02 08:15,6,300\\n"))
        >>> half = h.rollup(1800)
        >>> half.interval, half.frame["calls"].tolist(), half.frame["aht"].tolist()
        (1800.0, [10.0], [260.0])
        """
        seconds = float(v.positive("interval", interval)) if np.ndim(interval) == 0 else 0.0
        ratio = seconds / self.interval
        if not (ratio >= 1 and ratio == int(ratio) and 86400 % seconds == 0):
            raise InputError(
                f"'interval' must be a whole multiple of {self.interval:g} s that divides a "
                f"day: {interval!r}"
            )
        if ratio == 1:
            return self
        frame = self.frame
        weight = frame["handled"] if "handled" in frame else frame["calls"]
        stamps = pd.DatetimeIndex(frame.index)
        bucket = stamps.floor(f"{int(seconds)}s")
        counts = [c for c in ("calls", "handled", "abandoned", "answered_within") if c in frame]
        grouped = frame[counts].groupby(bucket).sum()
        # The export's first or last interval may be cut: fewer rows than that time of
        # day usually has. It would read as a quiet interval; it is dropped and said.
        rows = pd.Series(1, index=stamps).groupby(bucket).sum()
        slot = pd.DatetimeIndex(rows.index) - pd.DatetimeIndex(rows.index).normalize()
        usual = rows.groupby(slot).median()
        notes = [f"rolled up from {self.interval / 60:g}- to {seconds / 60:g}-minute intervals"]
        for edge, which in ((rows.index[-1], "last"), (rows.index[0], "first")):
            edge_slot = edge - edge.normalize()
            if len(rows) > 1 and rows[edge] < usual[edge_slot] and edge in grouped.index:
                grouped = grouped.drop(edge)
                notes.append(
                    f"the {which} {seconds / 60:g}-minute interval ({edge}) dropped: it holds "
                    f"{rows[edge]} of the usual {usual[edge_slot]:g} "
                    f"{self.interval / 60:g}-minute intervals (the export is cut inside it)"
                )
        keep = bucket.isin(grouped.index)
        frame, weight, bucket = frame[keep], weight[keep], bucket[keep]
        handle = (frame["aht"] * weight).fillna(0.0).groupby(bucket).sum()
        handled = weight.where(frame["aht"].notna(), 0.0).groupby(bucket).sum()
        with np.errstate(invalid="ignore", divide="ignore"):
            grouped["aht"] = np.where(handled > 0, handle / handled, np.nan)
        grouped.index.name = "interval_start"
        filled = pd.DatetimeIndex(self.filled.floor(f"{int(seconds)}s").unique())
        return History(grouped, seconds, filled, self.missing_days, (*self.notes, *notes))

    @property
    def days(self) -> pd.Series:
        """Offered calls per calendar day (days with no rows are absent)."""
        return self.frame["calls"].groupby(pd.DatetimeIndex(self.frame.index).normalize()).sum()
