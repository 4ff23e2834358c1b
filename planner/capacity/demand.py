"""Calls and handle time per week over a capacity plan's horizon, with a band.

A plan runs in weeks: ``calls`` offered in each week (count per week), ``aht``
(seconds) and, where the volume was forecast, a prediction band: ``calls_low``
and ``calls_high``, the bounds of a central interval of ``band_level`` (0.9: 5%
and 95%). The band is read as lognormal: the week's calls are
``calls * exp(z * sigma)`` with ``z`` standard normal and ``sigma`` the
band's half-width in log terms over the normal quantile.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date
from statistics import NormalDist

import numpy as np
import pandas as pd

from planner import _validate as v
from planner._validate import FloatArray
from planner.errors import InputError

__all__ = ["WeeklyDemand"]

MAX_WEEKS = 260  # five years of weeks: a plan past that is not a capacity plan


@dataclass(frozen=True)
class WeeklyDemand:
    """Weekly demand: ``week_start`` (the first day of each week), ``calls`` (offered
    calls per week), ``aht`` (seconds) and optionally ``calls_low`` / ``calls_high``,
    a ``band_level`` central prediction band of the calls. ``notes``: what the
    forecast could not know (a short history, say)."""

    week_start: tuple[date, ...]
    calls: tuple[float, ...]
    aht: tuple[float, ...]
    calls_low: tuple[float, ...] | None = None
    calls_high: tuple[float, ...] | None = None
    band_level: float = 0.9
    notes: tuple[str, ...] = ()
    other_agent_hours: tuple[float, ...] | None = None

    def __post_init__(self) -> None:
        starts = tuple(pd.Timestamp(d).date() for d in self.week_start)
        n = len(starts)
        if not 1 <= n <= MAX_WEEKS:
            raise InputError(f"a capacity plan needs 1 to {MAX_WEEKS} weeks of demand: got {n}")
        gaps = np.diff(np.array(starts, dtype="datetime64[D]")).astype(int)
        if (gaps != 7).any():
            at = int(np.flatnonzero(gaps != 7)[0]) + 1
            raise InputError(
                f"weeks must follow one another, 7 days apart: week {at + 1} starts "
                f"{starts[at]}, {int(gaps[at - 1])} days after {starts[at - 1]}"
            )
        labels = [str(d) for d in starts]
        calls = v.nonnegative("calls", list(self.calls), labels)
        aht = v.positive("aht", list(self.aht), labels)
        if aht.ndim == 1 and aht.size == 1 and n > 1:
            aht = np.full(n, float(aht[0]))
        for name, arr in (("calls", calls), ("aht", aht)):
            if arr.shape != (n,):
                raise InputError(f"'{name}' must have one number per week ({n}): {arr.size}")
        object.__setattr__(self, "week_start", starts)
        object.__setattr__(self, "calls", tuple(calls.tolist()))
        object.__setattr__(self, "aht", tuple(aht.tolist()))
        if (self.calls_low is None) != (self.calls_high is None):
            raise InputError("give both 'calls_low' and 'calls_high', or neither")
        if self.calls_low is not None and self.calls_high is not None:
            low = v.nonnegative("calls_low", list(self.calls_low), labels)
            high = v.nonnegative("calls_high", list(self.calls_high), labels)
            if low.shape != (n,) or high.shape != (n,):
                raise InputError(f"the band must have one low and one high per week ({n})")
            bad = np.flatnonzero((low > calls) | (high < calls) | ((low == 0) & (calls > 0)))
            if bad.size:
                i = int(bad[0])
                raise InputError(
                    f"week {starts[i]}: the band ({low[i]:g} to {high[i]:g}) must hold the "
                    f"calls ({calls[i]:g}), with a low above 0 where calls are"
                )
            object.__setattr__(self, "calls_low", tuple(low.tolist()))
            object.__setattr__(self, "calls_high", tuple(high.tolist()))
        level = v.single("band_level", self.band_level, v.fraction)
        if level >= 1:
            raise InputError(f"'band_level' must be below 1: {self.band_level!r}")
        object.__setattr__(self, "band_level", level)
        object.__setattr__(self, "notes", tuple(str(x) for x in self.notes))
        if self.other_agent_hours is not None:
            other = v.nonnegative("other_agent_hours", list(self.other_agent_hours), labels)
            if other.shape != (n,):
                raise InputError(f"'other_agent_hours' must have one number per week ({n})")
            object.__setattr__(self, "other_agent_hours", tuple(other.tolist()))

    @property
    def weeks(self) -> int:
        return len(self.calls)

    @property
    def sigma(self) -> FloatArray:
        """Per week, the standard deviation of the log of the calls the band implies
        (0 without a band; the wider side where it is not symmetric in log terms)."""
        if self.calls_low is None or self.calls_high is None:
            return np.zeros(self.weeks)
        calls = np.asarray(self.calls)
        with np.errstate(divide="ignore", invalid="ignore"):
            up = np.log(np.asarray(self.calls_high) / calls)
            down = np.log(calls / np.asarray(self.calls_low))
        spread = np.where(calls > 0, np.maximum(up, down), 0.0)
        return spread / NormalDist().inv_cdf(0.5 + self.band_level / 2)

    @property
    def other(self) -> FloatArray:
        """Agent hours of the other teams per week (zeros without them)."""
        if self.other_agent_hours is None:
            return np.zeros(self.weeks)
        return np.asarray(self.other_agent_hours)

    def calls_at(self, z: FloatArray) -> FloatArray:
        """The calls of each week at standard normal score ``z`` (broadcast against the
        weeks, last axis)."""
        return np.asarray(self.calls) * np.exp(np.asarray(z) * self.sigma)

    def frame(self) -> pd.DataFrame:
        """One row per week: ``week_start``, ``calls``, ``aht`` and the band's columns."""
        out = pd.DataFrame({"week_start": pd.to_datetime(list(self.week_start)),
                            "calls": self.calls, "aht": self.aht})  # fmt: skip
        if self.calls_low is not None:
            out["calls_low"] = self.calls_low
            out["calls_high"] = self.calls_high
        return out

    @classmethod
    def from_months(cls, table: pd.DataFrame, *, band_level: float = 0.9) -> WeeklyDemand:
        """Weeks from a monthly table: ``month`` (its first day, or any day of it),
        ``calls`` (the month's), ``aht`` and optionally ``calls_low`` / ``calls_high``.
        Each month's calls (and band) are spread evenly over its days, and each whole week
        (Monday to Sunday) inside the months sums its days; AHT is weighted by calls."""
        missing = {"month", "calls", "aht"} - set(table.columns)
        if missing:
            raise InputError(
                f"a monthly demand table needs the columns month, calls, aht: {sorted(missing)} "
                f"missing (it has {list(table.columns)})"
            )
        try:
            months = pd.DatetimeIndex(pd.to_datetime(table["month"])).to_period("M")
        except (ValueError, TypeError) as err:
            raise InputError(f"'month' must hold dates (YYYY-MM or YYYY-MM-DD): {err}") from None
        labels = [str(m) for m in months]
        if len(set(labels)) != len(labels) or any(
            b != a + 1 for a, b in itertools.pairwise(months)
        ):
            raise InputError(f"months must follow one another, once each: {labels}")
        columns = {"calls": v.nonnegative, "aht": v.positive,
                   "calls_low": v.nonnegative, "calls_high": v.nonnegative}  # fmt: skip
        given = {name: check(name, table[name].to_numpy(), labels)
                 for name, check in columns.items() if name in table}  # fmt: skip
        days = pd.date_range(months[0].start_time, months[-1].end_time.normalize(), freq="D")
        month_of = days.to_period("M")
        index = np.searchsorted(np.asarray(months.asi8), np.asarray(month_of.asi8))
        per_day = {name: (x / months.days_in_month.to_numpy())[index]
                   for name, x in given.items() if name != "aht"}  # fmt: skip
        aht = given["aht"][index]
        first = days[0] + pd.Timedelta(days=(7 - days[0].day_of_week) % 7)  # a Monday
        weeks = (len(days) - (first - days[0]).days) // 7
        if weeks < 1:
            raise InputError("the months hold no whole week (Monday to Sunday)")
        start = (first - days[0]).days
        span = slice(start, start + 7 * weeks)
        weekly = {name: x[span].reshape(weeks, 7).sum(axis=1) for name, x in per_day.items()}
        work = (per_day["calls"] * aht)[span].reshape(weeks, 7).sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            week_aht = np.where(weekly["calls"] > 0, work / weekly["calls"],
                                aht[span].reshape(weeks, 7).mean(axis=1))  # fmt: skip
        band = {}
        if "calls_low" in weekly or "calls_high" in weekly:
            band = {"calls_low": tuple(weekly.get("calls_low", ())),
                    "calls_high": tuple(weekly.get("calls_high", ()))}  # fmt: skip
        starts = tuple(d.date() for d in pd.date_range(first, periods=weeks, freq="7D"))
        return cls(starts, tuple(weekly["calls"]), tuple(week_aht), band_level=band_level,
                   **band)  # type: ignore[arg-type]  # fmt: skip

    @classmethod
    def from_table(cls, table: pd.DataFrame, *, band_level: float = 0.9) -> WeeklyDemand:
        """From a table with ``week_start``, ``calls``, ``aht`` and optionally
        ``calls_low`` and ``calls_high`` (one row per week, in order)."""
        missing = {"week_start", "calls", "aht"} - set(table.columns)
        if missing:
            raise InputError(
                f"a demand table needs the columns week_start, calls, aht: {sorted(missing)} "
                f"missing (it has {list(table.columns)})"
            )
        band = {}
        if "calls_low" in table or "calls_high" in table:
            band = {"calls_low": tuple(table.get("calls_low", [])),
                    "calls_high": tuple(table.get("calls_high", []))}  # fmt: skip
        return cls(tuple(table["week_start"]), tuple(table["calls"]), tuple(table["aht"]),
                   band_level=band_level, **band)  # type: ignore[arg-type]  # fmt: skip
