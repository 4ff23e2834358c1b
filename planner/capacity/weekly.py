"""Weekly demand for the months ahead, forecast from interval history.

The history is summed to whole weeks (Monday to Sunday; a week the history
only partly covers is left out), then each week's log calls are fitted by
least squares (statsmodels OLS) on

- a level and a trend (weeks),
- the time of year, as three pairs of yearly sines and cosines, once the
  history holds a year of weeks (52): with less, a yearly pattern cannot be
  told from trend and noise, and the forecast says so in its notes,
- the public holidays of ``country`` falling on a weekday of the week (their
  count), once the history holds a week with one.

The band is the fit's prediction interval (it widens with the horizon, as the
trend's uncertainty grows), taken back from logs: ``band_level`` of the
weeks should fall inside. AHT is each week's calls-weighted handle time,
forecast by the same level and time of year without trend (a handle time
rarely trends for long), or by the last 13 weeks' mean with less than a year.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from planner import _validate as v
from planner.capacity.demand import MAX_WEEKS, WeeklyDemand
from planner.errors import InputError
from planner.forecast import special_day_names
from planner.history import History

__all__ = ["forecast_weeks", "weekly_history"]

YEAR = 52  # weeks of history a yearly pattern needs
HARMONICS = 3  # pairs of yearly sines and cosines


def weekly_history(history: History) -> pd.DataFrame:
    """The history's whole weeks: one row per Monday (``week_start``), ``calls`` (summed)
    and ``aht`` (seconds, weighted by calls). The first and the last week are left out
    when they hold fewer intervals than the usual week (the export cuts them)."""
    if not isinstance(history, History):
        raise InputError(f"'history' must be a planner.History: {history!r}")
    frame = history.frame
    stamps = pd.DatetimeIndex(frame.index)
    days = stamps.normalize()
    monday = days - pd.to_timedelta(days.day_of_week, unit="D")
    calls = frame["calls"].to_numpy(dtype=np.float64)
    aht = frame["aht"].to_numpy(dtype=np.float64)
    handled = np.where(np.isfinite(aht), calls, 0.0)
    table = pd.DataFrame({
        "week_start": monday, "calls": calls, "work": np.where(handled > 0, aht * handled, 0.0),
        "handled": handled, "day": days,
    })  # fmt: skip
    weeks = table.groupby("week_start").agg(
        calls=("calls", "sum"), work=("work", "sum"), handled=("handled", "sum"),
        rows=("day", "size"),
    )  # fmt: skip
    # whole weeks only: the history's first and last may be cut (fewer rows than usual)
    usual = weeks["rows"].median()
    for edge in (weeks.index[0], weeks.index[-1]):
        if len(weeks) and edge in weeks.index and weeks.loc[edge, "rows"] < usual:
            weeks = weeks.drop(edge)
    with np.errstate(invalid="ignore", divide="ignore"):
        weeks["aht"] = np.where(weeks["handled"] > 0, weeks["work"] / weeks["handled"], np.nan)
    out = weeks[["calls", "aht"]].reset_index()
    return out


def _design(starts: pd.DatetimeIndex, t: np.ndarray, seasonal: bool, holidays: np.ndarray | None,
            trend: bool = True) -> np.ndarray:  # fmt: skip
    cols = [np.ones(len(t))]
    if trend:
        cols.append(t)
    if seasonal:
        year = 2 * np.pi * (starts.day_of_year.to_numpy() + 3) / 365.25  # the week's middle
        for k in range(1, HARMONICS + 1):
            cols += [np.sin(k * year), np.cos(k * year)]
    if holidays is not None:
        cols.append(holidays)
    return np.column_stack(cols)


def _holidays(starts: pd.DatetimeIndex, country: str | None) -> np.ndarray:
    """Public holidays of ``country`` on a weekday of each week."""
    if not country or len(starts) == 0:
        return np.zeros(len(starts))
    first = starts[0].date()
    last = (starts[-1] + pd.Timedelta(days=6)).date()
    days = special_day_names(first, last, country)
    out = np.zeros(len(starts))
    for d in days:
        if d.weekday() < 5:
            i = int((pd.Timestamp(d) - starts[0]).days // 7)
            if 0 <= i < len(starts):
                out[i] += 1
    return out


def forecast_weeks(
    history: History,
    weeks: int,
    *,
    country: str | None = None,
    band_level: float = 0.9,
) -> WeeklyDemand:
    """Calls and AHT for the ``weeks`` weeks after the history's last whole week, with a
    ``band_level`` band (see the module notes); ``country``: public holidays by the
    ``holidays`` package (e.g. ``"US"``). The result's ``notes`` say what the history
    was too short to know."""
    import statsmodels.api as sm  # imported when needed: it is slow to load

    weeks = v.whole("weeks", weeks, 1, MAX_WEEKS)
    level = v.single("band_level", band_level, v.fraction)
    past = weekly_history(history)
    n = len(past)
    if n < 4:
        raise InputError(
            f"a weekly forecast needs at least 4 whole weeks of history (Monday to Sunday): "
            f"this one has {n}"
        )
    if (past["calls"] <= 0).any():
        empty = past.loc[past["calls"] <= 0, "week_start"].iloc[0]
        raise InputError(f"the week of {empty:%Y-%m-%d} has no calls: a weekly forecast needs "
                         "calls in every whole week of the history")  # fmt: skip
    starts = pd.DatetimeIndex(past["week_start"])
    ahead = pd.DatetimeIndex([starts[-1] + pd.Timedelta(weeks=i + 1) for i in range(weeks)])
    t = np.arange(n, dtype=np.float64)
    t_ahead = n + np.arange(weeks, dtype=np.float64)
    seasonal = n >= YEAR
    notes = [f"fitted on {n} whole weeks of history, {starts[0]:%Y-%m-%d} to "
             f"{starts[-1] + pd.Timedelta(days=6):%Y-%m-%d}"]  # fmt: skip
    if not seasonal:
        notes.append(
            f"{n} weeks is under a year: no yearly pattern (peaks, summer lulls) can be "
            "learnt; the forecast is a trend alone, and its band cannot include the "
            "seasons it has not seen"
        )
    both = _holidays(pd.DatetimeIndex(starts.append(ahead)), country)
    holidays_past, holidays_ahead = both[:n], both[n:]
    use_holidays = bool(country) and holidays_past.any()
    if country and not use_holidays:
        notes.append(f"no {country} public holiday fell on a weekday of the history: their "
                     "effect cannot be learnt")  # fmt: skip
    x = _design(starts, t, seasonal, holidays_past if use_holidays else None)
    x_ahead = _design(ahead, t_ahead, seasonal, holidays_ahead if use_holidays else None)
    fit = sm.OLS(np.log(past["calls"].to_numpy()), x).fit()
    frame = fit.get_prediction(x_ahead).summary_frame(alpha=1.0 - level)
    calls = np.exp(frame["mean"].to_numpy())
    low = np.exp(frame["obs_ci_lower"].to_numpy())
    high = np.exp(frame["obs_ci_upper"].to_numpy())
    known = past["aht"].notna().to_numpy()
    if not known.any():
        raise InputError("the history has no handle times: a weekly forecast needs AHT")
    if seasonal:
        xa = _design(starts[known], t[known], True, None, trend=False)
        aht_fit = sm.OLS(past["aht"].to_numpy()[known], xa).fit()
        aht = aht_fit.predict(_design(ahead, t_ahead, True, None, trend=False))
    else:
        aht = np.full(weeks, float(past["aht"][known].iloc[-13:].mean()))
        notes.append("AHT: the mean of the last 13 weeks")
    aht = np.maximum(aht, 1.0)
    return WeeklyDemand(
        tuple(d.date() for d in ahead), tuple(calls), tuple(aht), calls_low=tuple(low),
        calls_high=tuple(high), band_level=level, notes=tuple(notes),
    )  # fmt: skip
