"""Point forecasts of calls per interval, one function per method, and calibrated bands.

Every method reads the history as a :class:`Grid` (one row per calendar day,
one column per interval of the day) up to an origin day, and forecasts
whole days after it. Special days, closed weekdays and days missing from the
export are :class:`Grid` rows that are not ``ordinary``: the window methods
skip them, the smoothing methods see them replaced by an ordinary day's
value. What a special or closed day in the horizon gets is decided by the
caller (:mod:`planner.forecast`), the same for every method.

Bands come from errors the method made in a rolling-origin backtest, not
from a model's variance formula: :class:`Calibration` keeps the ratios
actual / forecast, by size of forecast (small intervals are relatively
noisier), and a forecast's quantile ``q`` is the forecast times the ratios'
quantile ``q``. Day totals get their own ratios.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from planner._validate import FloatArray

__all__ = ["METHODS", "WINDOWS", "Bands", "Calibration", "Grid", "Method", "conformal", "predict"]

# The methods by name, with what each does.
METHODS: dict[str, str] = {
    "weekday_mean": "mean of the same interval on the last k ordinary same weekdays",
    "weekday_median": "median of the same interval on the last k ordinary same weekdays",
    "seasonal_naive": "the same interval on the most recent ordinary same weekday",
    "weekday_profile": "mean day total of the last k ordinary same weekdays x the weekday's "
    "intraday profile over the profile weeks (steadier shares than a window of k days)",
    "weekly_level": "the last k weeks' level (the median of their days, each over its "
    "weekday's share of the week) x the weekday's share x its intraday profile",
    "ets": "calls per day by exponential smoothing (ETS) x each weekday's intraday profile",
    "holt_winters": "Holt-Winters on the interval series with a weekly season, which holds "
    "the daily and the weekly cycle at once",
}
# Weeks a window method may look back (chosen by backtest).
WINDOWS = (4, 6, 8)


@dataclass(frozen=True)
class Method:
    """One forecaster: a method name and, for the window methods, the weeks ``k``."""

    name: str
    k: int | None = None

    def __str__(self) -> str:
        return self.name if self.k is None else f"{self.name}(k={self.k})"


@dataclass(frozen=True)
class Grid:
    """Calls per calendar day (rows) and interval of the day (columns).

    ``calls`` is NaN on days with no rows; ``ordinary`` marks days with rows
    that are neither special, nor on a closed weekday, nor cut short by the
    export. ``fill`` is an ordinary-day stand-in for every day (its weekday's
    recent ordinary days), used where a method needs an unbroken series.
    """

    days: pd.DatetimeIndex
    slots: np.ndarray  # seconds after midnight
    calls: FloatArray
    ordinary: np.ndarray
    fill: FloatArray

    @classmethod
    def of(cls, calls: pd.Series, ordinary_days: pd.Series) -> Grid:
        """From calls per interval (index: interval start) and a bool per day of the span."""
        stamps = pd.DatetimeIndex(calls.index)
        day = stamps.normalize()
        slot = np.asarray((stamps - day).total_seconds())
        days = pd.DatetimeIndex(ordinary_days.index)
        slots = np.sort(np.unique(slot))
        table = np.full((len(days), len(slots)), np.nan)
        present = np.zeros(len(days), dtype=bool)
        rows = days.get_indexer(day)
        cols = np.searchsorted(slots, slot)
        present[rows] = True
        table[present] = 0.0  # an interval missing from a day with rows: nobody called
        table[rows, cols] = calls.to_numpy(dtype=np.float64)
        ordinary = ordinary_days.to_numpy(dtype=bool) & present
        fill = table.copy()
        for i in np.flatnonzero(~ordinary).tolist():
            same = _window(days, ordinary, i, days[i].weekday(), 4, before=len(days))
            fill[i] = table[same].mean(axis=0) if same.size else 0.0
        return cls(days, slots, table, ordinary, fill)


def _window(
    days: pd.DatetimeIndex, ordinary: np.ndarray, around: int, weekday: int, k: int, before: int
) -> np.ndarray:
    """Row numbers of up to ``k`` ordinary days on ``weekday`` before row ``before``,
    nearest to row ``around`` first (the most recent ones when forecasting)."""
    rows = np.flatnonzero(ordinary[:before] & (days[:before].day_of_week == weekday))
    if rows.size == 0:
        return rows
    order = np.argsort(np.abs(rows - around), kind="stable")
    return np.sort(rows[order[:k]])


def _window_forecast(
    grid: Grid, origin: int, targets: pd.DatetimeIndex, k: int, stat: Callable
) -> FloatArray:
    out = np.zeros((len(targets), len(grid.slots)))
    for j, day in enumerate(targets):
        rows = _window(grid.days, grid.ordinary, origin, day.weekday(), k, before=origin)
        if rows.size:
            out[j] = stat(grid.calls[rows], axis=0)
    return out


def _ets_forecast(
    grid: Grid, origin: int, targets: pd.DatetimeIndex, daily: pd.Series, profiles: pd.DataFrame
) -> FloatArray:
    totals = daily.reindex(targets).to_numpy(dtype=np.float64)
    shares = profiles.reindex(columns=grid.slots).fillna(0.0)
    weekday = shares.to_numpy()[targets.day_of_week]
    return np.clip(totals, 0, None)[:, None] * weekday


def _weekly_level(
    grid: Grid, origin: int, targets: pd.DatetimeIndex, k: int, profiles: pd.DataFrame
) -> FloatArray:
    """Day totals from the level of the last ``k`` weeks (the median over all their
    days, so an outlier day does not move it), carried to each target day by the
    trend of the last 16 weeks.

    The weekday pattern (each weekday's share of a week) weights every week
    by age with an 8-week half-life: a day's own noise averages out over
    many weeks, where a window of a few same weekdays keeps it.
    """
    totals = grid.fill[:origin].sum(axis=1)
    weekdays = np.asarray(grid.days[:origin].day_of_week)
    weight = 0.5 ** ((origin - 1 - np.arange(origin)) / 56.0)
    index = np.zeros(7)
    for w in range(7):
        same = weekdays == w
        index[w] = np.average(totals[same], weights=weight[same]) if same.any() else 0.0
    if index.mean() <= 0:
        return np.zeros((len(targets), len(grid.slots)))
    index = index / index.mean()
    window = slice(max(origin - 7 * k, 0), origin)
    open_ = index[weekdays[window]] > 0
    level = float(np.median(totals[window][open_] / index[weekdays[window]][open_]))
    weeks = totals[(origin % 7) : origin].reshape(-1, 7).sum(axis=1)[-16:]
    slope = 0.0
    if weeks.size >= 6 and (weeks > 0).all():  # growth per week, log-linear, at most 3%
        slope = float(np.clip(np.polyfit(np.arange(weeks.size), np.log(weeks), 1)[0], -0.03, 0.03))
    center = origin - 7 * min(k, origin // 7) / 2  # the window's middle, in days
    ahead = (np.asarray((targets - grid.days[0]).days) + 0.5 - center) / 7
    shares = profiles.reindex(columns=grid.slots).fillna(0.0).to_numpy()
    wd = np.asarray(targets.day_of_week)
    return (level * index[wd] * np.exp(slope * ahead))[:, None] * shares[wd]


def _holt_winters(grid: Grid, origin: int, targets: pd.DatetimeIndex) -> FloatArray:
    from statsmodels.tsa.holtwinters import ExponentialSmoothing  # slow to load: when needed

    width = len(grid.slots)
    series = grid.fill[:origin].reshape(-1)
    ahead = int((targets[-1] - grid.days[origin - 1]).days)
    if origin < 15:  # two weekly cycles at least
        return _window_forecast(grid, origin, targets, 4, np.mean)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # statsmodels' convergence chatter
        model = ExponentialSmoothing(
            series, seasonal="add", seasonal_periods=7 * width, initialization_method="heuristic"
        ).fit()
        path = np.asarray(model.forecast(ahead * width)).reshape(ahead, width)
    offsets = np.asarray((targets - grid.days[origin - 1]).days) - 1
    return np.clip(path[offsets], 0, None)


def predict(
    method: Method,
    grid: Grid,
    origin: int,
    targets: pd.DatetimeIndex,
    *,
    daily: pd.Series | None = None,
    profiles: pd.DataFrame | None = None,
) -> FloatArray:
    """Calls per target day (rows) and interval (``grid.slots``), from days before row ``origin``.

    ``daily`` (the ETS forecast of calls per day, indexed by date) and
    ``profiles`` (share of the day per weekday and slot) serve ``ets``.
    """
    if method.name == "weekday_mean":
        return _window_forecast(grid, origin, targets, method.k or 4, np.mean)
    if method.name == "weekday_median":
        return _window_forecast(grid, origin, targets, method.k or 5, np.median)
    if method.name == "seasonal_naive":
        return _window_forecast(grid, origin, targets, 1, np.mean)
    if method.name == "weekday_profile":
        assert profiles is not None
        totals = _window_forecast(grid, origin, targets, method.k or 4, np.mean).sum(axis=1)
        shares = profiles.reindex(columns=grid.slots).fillna(0.0).to_numpy()
        return totals[:, None] * shares[targets.day_of_week]
    if method.name == "weekly_level":
        assert profiles is not None
        return _weekly_level(grid, origin, targets, method.k or 4, profiles)
    if method.name == "ets":
        assert daily is not None and profiles is not None
        return _ets_forecast(grid, origin, targets, daily, profiles)
    if method.name == "holt_winters":
        return _holt_winters(grid, origin, targets)
    raise ValueError(f"unknown method {method.name!r}")  # pragma: no cover - checked by fit


def conformal(ratios: FloatArray, q: float) -> float:
    """Quantile ``q`` of sorted ``ratios`` at the split-conformal position (n + 1) q,
    interpolated between order statistics (``numpy``'s "weibull"): a band between the
    quantiles q and 1 - q of n past errors holds a new, exchangeable one with
    probability 1 - 2q on average, where the usual (n - 1) q + 1 position holds it
    less often in small samples (5 weeks of days: 0.85 for a 90% band)."""
    if ratios.size == 0:
        return 1.0
    return float(np.quantile(ratios, q, method="weibull"))


@dataclass(frozen=True)
class Calibration:
    """Ratios actual / forecast from a backtest: per interval by forecast size, and per day.

    ``edges`` split interval forecasts into bins of about equal counts;
    ``ratios[b]`` are bin ``b``'s ratios, sorted; ``days`` the day totals'.
    """

    edges: FloatArray
    ratios: tuple[FloatArray, ...]
    days: FloatArray

    @classmethod
    def of(
        cls,
        actual: FloatArray,
        forecast: FloatArray,
        day_actual: FloatArray,
        day_forecast: FloatArray,
        bins: int = 5,
    ) -> Calibration:
        """From paired interval and day figures of a backtest (forecasts > 0 only)."""
        keep = forecast > 0
        a, f = actual[keep], forecast[keep]
        bins = max(1, min(bins, a.size // 60))
        edges = np.quantile(f, np.linspace(0, 1, bins + 1)[1:-1]) if bins > 1 else np.zeros(0)
        which = np.searchsorted(edges, f, side="right")
        ratios = tuple(np.sort(a[which == b] / f[which == b]) for b in range(bins))
        d = day_forecast > 0
        return cls(edges, ratios, np.sort(day_actual[d] / day_forecast[d]))

    def interval(self, forecast: FloatArray, q: float) -> FloatArray:
        """Quantile ``q`` of calls per interval, given the forecasts."""
        forecast = np.asarray(forecast, dtype=np.float64)
        which = np.searchsorted(self.edges, forecast, side="right")
        factor = np.array([conformal(r, q) for r in self.ratios])
        return forecast * factor[which]

    def day(self, forecast: FloatArray, q: float) -> FloatArray:
        """Quantile ``q`` of calls per day, given the day forecasts."""
        return np.asarray(forecast, dtype=np.float64) * conformal(self.days, q)


@dataclass(frozen=True)
class Bands:
    """Calibrations by lead week: ``weeks[0]`` from the backtest's errors 1 to 7 days
    ahead, ``weeks[1]`` from 8 to 14 days ahead (used for every later day), when the
    backtest had enough of them."""

    weeks: tuple[Calibration, ...]

    def _by_week(self, lead: int | np.ndarray) -> np.ndarray:
        week = (np.asarray(lead, dtype=np.int64) - 1) // 7
        return np.clip(week, 0, len(self.weeks) - 1)

    def _by_lead(
        self, forecast: FloatArray, lead: int | np.ndarray, quantile: Callable[..., FloatArray]
    ) -> FloatArray:
        """``quantile(calibration, forecasts)`` of each forecast's lead week."""
        forecast = np.asarray(forecast, dtype=np.float64)
        week = np.broadcast_to(self._by_week(lead), forecast.shape)
        out = np.empty_like(forecast)
        for w in np.unique(week).tolist():
            at = week == w
            out[at] = quantile(self.weeks[w], forecast[at])
        return out

    def interval(self, forecast: FloatArray, q: float, lead: int | np.ndarray = 1) -> FloatArray:
        """Quantile ``q`` of calls per interval for forecasts ``lead`` days ahead (1 = the
        day after the history; one lead, or one per forecast)."""
        return self._by_lead(forecast, lead, lambda c, f: c.interval(f, q))

    def day(self, forecast: FloatArray, q: float, lead: int | np.ndarray = 1) -> FloatArray:
        """Quantile ``q`` of calls per day, for day forecasts ``lead`` days ahead."""
        return self._by_lead(forecast, lead, lambda c, f: c.day(f, q))


def wape(actual: FloatArray, forecast: FloatArray) -> float:
    """Sum of absolute errors over the sum of actual calls (NaN without calls)."""
    total = float(np.sum(actual))
    return float(np.sum(np.abs(forecast - actual)) / total) if total > 0 else np.nan


def combine(parts: Sequence[FloatArray]) -> FloatArray:
    """The average of several methods' forecasts."""
    return np.mean(np.stack(parts), axis=0)
