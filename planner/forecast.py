"""Forecast interval volumes and AHT from history, chosen and calibrated on that history.

:func:`fit` prepares what every method shares (:func:`_prepare`):

1. **Special, closed and missing days**: public holidays (``holidays``
   package) and dates the user lists, weekdays with no calls in most weeks
   (closed), days missing from the export and a first or last day the
   export cut short. The methods' windows skip them; series that must be
   unbroken see them replaced by the same weekday's recent ordinary days.
2. **Calls per day** by an exponential-smoothing model (statsmodels
   ``ETSModel``: additive errors, damped trend, weekly seasonality), for the
   ``ets`` method.
3. **Intraday profiles**: each weekday's share of the day per interval,
   every ordinary day weighted by age (half-life ``profile_weeks``).
4. **AHT** per weekday and interval: the handled-weighted average over the
   last ``profile_weeks`` weeks, falling back to the interval's average over
   all weekdays and then to the overall AHT.

It then backtests the candidate methods (:mod:`planner.forecasters`) on
rolling weekly origins inside the history, keeps the best (or the average
of the best few) and calibrates prediction bands on its errors there. A
special day in the horizon is forecast at the ratio its kind showed in the
history (actual over the replaced value, median over past special days), or
at ``special_day_factor`` when given or when there is none to learn from,
with the intraday profile past special days had. Bands are prediction
intervals for what will be offered, not confidence intervals for a mean.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from os import PathLike
from typing import Any, ParamSpec, TypeVar

import numpy as np
import pandas as pd
from scipy.special import ndtri
from threadpoolctl import threadpool_limits

from planner._validate import FloatArray
from planner.calendars import SpecialDay, read_calendar
from planner.errors import InputError
from planner.forecasters import (
    METHODS,
    WINDOWS,
    Bands,
    Calibration,
    Grid,
    Method,
    combine,
    predict,
    wape,
)
from planner.io import History, read_history

__all__ = [
    "FittedForecast",
    "backtest",
    "day_label",
    "fit",
    "parse_date",
    "parse_horizon",
    "special_day_names",
]


# Interval forecasts further ahead than this are guesswork, and long to print.
MAX_HORIZON_DAYS = 731


def parse_horizon(horizon: int | str | pd.Timedelta) -> int:
    """Whole days from ``14``, ``"14d"``, ``"2w"`` or a Timedelta."""
    if isinstance(horizon, bool):
        raise InputError(f"'horizon' must be a number of days, like 14 or '2w': {horizon!r}")
    if isinstance(horizon, int | np.integer):
        days = int(horizon)
    elif isinstance(horizon, pd.Timedelta):
        days = horizon.days
    else:
        text = str(horizon).strip().lower()
        try:
            if text.endswith("w"):
                days = int(text[:-1]) * 7
            elif text.endswith("d"):
                days = int(text[:-1])
            else:
                days = int(text)
        except ValueError:
            raise InputError(
                f"'horizon' must be a number of days, like 14, '14d' or '2w': {horizon!r}"
            ) from None
    if days < 1:
        raise InputError(f"'horizon' must be at least one day: {horizon!r}")
    if days > MAX_HORIZON_DAYS:
        raise InputError(
            f"'horizon' is at most {MAX_HORIZON_DAYS} days (two years) ahead: {horizon!r}"
        )
    return days


def parse_date(name: str, value: date | str) -> date:
    """A calendar date from a date or ``YYYY-MM-DD`` text; anything else is an InputError."""
    try:
        stamp = pd.Timestamp(value)
    except (ValueError, TypeError):
        raise InputError(f"'{name}' must be a date YYYY-MM-DD: {value!r}") from None
    if pd.isna(stamp):
        raise InputError(f"'{name}' must be a date YYYY-MM-DD: {value!r}")
    return stamp.date()


def special_day_names(
    first: date, last: date, country: str | None = None, extra: Iterable[date | str] = ()
) -> dict[date, str]:
    """Special days from ``first`` to ``last``: public holidays of ``country`` by name,
    and the ``extra`` dates given (named "special day")."""
    import holidays as holiday_calendars  # imported when needed: it is slow to load

    if country is not None and not isinstance(country, str):
        raise InputError(f"'country' must be a country code like 'US': {country!r}")
    days = {parse_date("special_days", d): "special day" for d in _dates(extra)}
    if country:
        try:
            cal = holiday_calendars.country_holidays(
                country, years=range(first.year, last.year + 1)
            )
        except NotImplementedError:
            raise InputError(
                f"'country' is not known to the holidays package: {country!r}"
            ) from None
        days |= {d: str(name) for d, name in cal.items() if first <= d <= last}
    return days


def _dates(extra: object) -> tuple[Any, ...]:
    """``special_days`` as a tuple, or an InputError when it is not a list of dates."""
    if isinstance(extra, str | date) or not isinstance(extra, Iterable):
        raise InputError(f"'special_days' must be a list of dates YYYY-MM-DD: {extra!r}")
    return tuple(extra)


def day_label(day: date, names: dict[date, str] | None = None) -> str:
    """A date as planners read it: ``"Mon 25 May 2026 (Memorial Day)"``.

    Examples
    --------
    >>> day_label(date(2026, 5, 25), {date(2026, 5, 25): "Memorial Day"})
    'Mon 25 May 2026 (Memorial Day)'
    """
    label = pd.Timestamp(day).strftime("%a %d %b %Y")
    name = (names or {}).get(day)
    return f"{label} ({name})" if name else label


# A special day's volume, relative to an ordinary same weekday, by kind: below
# CLOSED_BELOW it was closed, from NORMAL_FROM to NORMAL_TO an ordinary day.
CLOSED_BELOW, NORMAL_FROM, NORMAL_TO = 0.05, 0.9, 1.1


def day_kind(volume: float) -> str:
    """``"closed"``, ``"reduced"``, ``"normal"`` or ``"busier"``, for a special day's volume
    relative to an ordinary same weekday."""
    if volume < CLOSED_BELOW:
        return "closed"
    if volume < NORMAL_FROM:
        return "reduced"
    return "normal" if volume <= NORMAL_TO else "busier"


@dataclass(frozen=True, eq=False)
class _Base:
    """What every method shares, fitted from one history (see :func:`_prepare`)."""

    history: History
    daily: pd.Series
    closed: frozenset[int]
    special: frozenset[date]
    special_factor: float
    profiles: pd.DataFrame
    special_profile: pd.Series
    aht: pd.DataFrame
    grid: Grid
    ets: Any
    names: dict[date, str] = field(default_factory=dict)
    # holiday name -> (its latest occurrence in the history, the volume it had)
    learned: dict[str, tuple[date, float]] = field(default_factory=dict)
    after_closure: float | None = None  # the open day after a closed special day
    given_factor: bool = False  # special_day_factor was the user's
    examples: int = 0  # special days in the history, open or closed
    holidays: frozenset[str] = frozenset()  # names from the country's public holidays
    calendar: dict[date, SpecialDay] = field(default_factory=dict)  # the user's, overriding

    def factor(self, day: pd.Timestamp) -> float | None:
        """A day's volume relative to an ordinary day: None for an ordinary day, 0 when
        closed. In order: closed weekdays; the user's calendar; ``special_day_factor``
        when given; what the holiday did last time in the history; a public holiday the
        history never had is an ordinary day; the user's other special days are at the
        median of the history's special days; the open day after a closure."""
        if day.weekday() in self.closed:
            return 0.0
        d = day.date()
        entry = self.calendar.get(d)
        if entry is not None and entry.volume is not None:
            return None if entry.volume == 1 else entry.volume
        if d in self.special:
            if self.given_factor:
                return self.special_factor
            name = self.names.get(d, "")
            if name in self.learned:
                volume = self.learned[name][1]
                return None if day_kind(volume) == "normal" else volume
            if name in self.holidays and entry is None:
                return None
            return self.special_factor
        if self.after_closure is not None:
            before = day - pd.Timedelta(days=1)
            while before.weekday() in self.closed:
                before -= pd.Timedelta(days=1)
            if before.date() in self.special and self.factor(before) == 0:
                return self.after_closure
        return None

    def reduced(self, day: pd.Timestamp) -> bool:
        """Whether a day opens with the profile of the history's reduced special days
        (a special day below the normal volume), rather than its weekday's."""
        f = self.factor(day)
        return day.date() in self.special and f is not None and 0 < f < NORMAL_FROM

    def notes(self, days: pd.DatetimeIndex) -> list[str]:
        """What the forecast of ``days`` assumes about their special days, one line each."""
        out = []
        for day in days:
            d = day.date()
            if d not in self.special or day.weekday() in self.closed:
                continue
            name = self.names.get(d, "special day")
            label = day_label(d, self.names)
            f = self.factor(day)
            as_ = "an ordinary day" if f is None else _volume_words(f)
            entry = self.calendar.get(d)
            if entry is not None and entry.volume is not None:
                out.append(f"{label}: {as_}, as your calendar says")
            elif self.given_factor:
                out.append(f"{label}: at {f:.0%} of an ordinary day (special_day_factor)")
            elif name in self.learned:
                last, volume = self.learned[name]
                out.append(
                    f"{label}: {as_}, as the history shows it last time "
                    f"({day_kind(volume)} on {pd.Timestamp(last):%d %b %Y}, at {volume:.0%})"
                )
            elif name in self.holidays and entry is None:
                out.append(
                    f"{label}: warning: no {name} in the history, so it is forecast as an "
                    "ordinary day; if the center closes or runs reduced then, say so in a "
                    "calendar (calendar=, --calendar)"
                )
            elif self.examples:
                out.append(
                    f"{label}: no {name} in the history; {as_}, the median of its "
                    f"{self.examples} special day(s)"
                )
            else:
                out.append(
                    f"{label}: the history has no special day to learn from; assumed at "
                    f"{f:.0%} of an ordinary day (set special_day_factor, or give a history "
                    "with holidays)"
                )
            if f == 0 and self.after_closure is not None:
                out.append(
                    f"the open day after it: at {self.after_closure:.0%} of an ordinary day, "
                    "as days after closures were in the history"
                )
        return out

    def ets_daily(self, days: pd.DatetimeIndex) -> pd.Series:
        """The ETS forecast of calls per ordinary day, for days after the history."""
        ahead = int((days[-1] - self.daily.index[-1]).days)
        mean = np.asarray(self.ets.forecast(ahead), dtype=np.float64)
        index = pd.date_range(self.daily.index[-1] + pd.Timedelta(days=1), periods=ahead)
        return pd.Series(mean, index=index).reindex(days)

    def points(self, members: Sequence[Method], days: pd.DatetimeIndex) -> FloatArray:
        """Calls per day (rows) and slot of ``grid``: the members' average, with closed
        weekdays and closed special days at 0, open special days at their factor with
        their own profile, and the day after a closure at its factor."""
        origin = len(self.grid.days)
        daily = self.ets_daily(days) if any(m.name == "ets" for m in members) else None
        parts = [
            predict(m, self.grid, origin, days, daily=daily, profiles=self.profiles)
            for m in members
        ]
        out = combine(parts)
        share = self.special_profile.reindex(self.grid.slots).fillna(0.0).to_numpy()
        for j, day in enumerate(days):
            f = self.factor(day)
            if f is None:
                continue
            if self.reduced(day):
                out[j] = out[j].sum() * f * share
            else:
                out[j] = out[j] * f
        return out

    def open_slots(self, day: pd.Timestamp) -> np.ndarray:
        """Which slots of ``grid`` a day is open in (by its weekday's or the special profile)."""
        if self.factor(day) == 0:
            return np.zeros(len(self.grid.slots), dtype=bool)
        share = self.special_profile if self.reduced(day) else self.profiles.loc[day.weekday()]
        return share.reindex(self.grid.slots).fillna(0.0).to_numpy() > 0


def _volume_words(volume: float) -> str:
    """``"closed"`` or ``"at 60% of an ordinary day"``."""
    return "closed" if volume == 0 else f"at {volume:.0%} of an ordinary day"


@dataclass(frozen=True, eq=False)
class FittedForecast:
    """A fitted interval forecaster; make it with :func:`fit`.

    Attributes
    ----------
    history : the history it was fitted to.
    method : the forecaster chosen, e.g. ``"weekday_median(k=5)"`` or
        ``"mean of ets + weekday_mean(k=4)"`` (see :data:`planner.forecasters.METHODS`).
    backtest_table : why: every candidate's pooled WAPE, MAPE and bias over
        the rolling-origin backtest on the history, the coverage its 90%
        band would have had (each fold's band calibrated on the other
        folds), and which was chosen.
    daily : calls per day as the ETS model saw them (special and missing days replaced).
    closed : weekdays (0 = Monday) treated as closed.
    special : special days known to the model (history and horizon).
    special_factor : volume of a special day relative to an ordinary one.
    profiles : share of the day's calls per weekday (rows) and interval start
        (columns, seconds after midnight).
    aht : AHT (seconds) per weekday and interval start, same shape.
    calibration : the backtest's ratios of actual to forecast by lead week, behind
        every band (:class:`planner.forecasters.Bands`).
    """

    history: History
    method: str
    backtest_table: pd.DataFrame
    calibration: Bands
    _base: _Base = field(repr=False)
    _members: tuple[Method, ...] = field(repr=False)

    @property
    def interval(self) -> float:
        return self.history.interval

    @property
    def daily(self) -> pd.Series:
        return self._base.daily

    @property
    def closed(self) -> frozenset[int]:
        return self._base.closed

    @property
    def special(self) -> frozenset[date]:
        return self._base.special

    @property
    def special_factor(self) -> float:
        return self._base.special_factor

    @property
    def profiles(self) -> pd.DataFrame:
        return self._base.profiles

    @property
    def holidays(self) -> pd.DataFrame:
        """What each special day in the history was, by name: ``last`` (its latest
        occurrence), ``volume`` (calls relative to the ordinary day it replaced) and
        ``kind`` (closed, reduced, normal or busier); the forecast repeats it."""
        rows = {
            name: {"last": last, "volume": volume, "kind": day_kind(volume)}
            for name, (last, volume) in self._base.learned.items()
        }
        table = pd.DataFrame.from_dict(rows, orient="index", columns=["last", "volume", "kind"])
        table.index.name = "name"
        return table.sort_values("last")

    @property
    def day_names(self) -> dict[date, str]:
        """Special days (history and the next 400 days) by name: public holidays, your
        special days and your calendar's."""
        return dict(self._base.names)

    @property
    def special_profile(self) -> pd.Series:
        return self._base.special_profile

    @property
    def aht(self) -> pd.DataFrame:
        return self._base.aht

    def _days(self, horizon: int | str) -> pd.DatetimeIndex:
        days = parse_horizon(horizon)
        return pd.date_range(self.daily.index[-1] + pd.Timedelta(days=1), periods=days)

    def daily_forecast(self, horizon: int | str, alpha: float = 0.1) -> pd.DataFrame:
        """Calls per day from the day after the history's last: ``mean``, ``pi_lower``,
        ``pi_upper`` (1 - alpha prediction interval, from the backtest's errors) and
        ``sd`` (the interval's half width over the normal quantile, for comparison)."""
        if not 0 < alpha < 1:
            raise InputError(f"'alpha' must be in (0, 1): {alpha!r}")
        days = self._days(horizon)
        mean = self._base.points(self._members, days).sum(axis=1)
        lead = np.arange(1, len(days) + 1)
        lower = self.calibration.day(mean, alpha / 2, lead)
        upper = self.calibration.day(mean, 1 - alpha / 2, lead)
        return pd.DataFrame(
            {
                "mean": mean,
                "pi_lower": lower,
                "pi_upper": upper,
                "sd": (upper - lower) / (2 * ndtri(1 - alpha / 2)),
            },
            index=days,
        )

    def notes(self, horizon: int | str) -> list[str]:
        """What the forecast of the next ``horizon`` days assumes about its special days:
        closed or at what volume, learned from which example, or assumed for want of one."""
        return self._base.notes(self._days(horizon))

    def forecast(self, horizon: int | str) -> pd.DataFrame:
        """Calls and AHT (seconds) for every open interval of the next ``horizon`` days."""
        return self.summary_frame(horizon)[["calls", "aht"]]

    def summary_frame(self, horizon: int | str, alpha: float = 0.1) -> pd.DataFrame:
        """Per open interval: ``calls`` (mean), ``calls_lower``/``calls_upper`` (1 - alpha
        prediction interval from the backtest's errors), ``calls_sd`` (its half width over
        the normal quantile) and ``aht`` (seconds); index ``interval_start``.
        """
        if not 0 < alpha < 1:
            raise InputError(f"'alpha' must be in (0, 1): {alpha!r}")
        days = self._days(horizon)
        points = self._base.points(self._members, days)
        slots = self._base.grid.slots
        z = ndtri(1 - alpha / 2)
        parts = []
        for j, day in enumerate(days):
            open_ = self._base.open_slots(day)
            if not open_.any():
                continue
            mean = points[j, open_]
            lower = self.calibration.interval(mean, alpha / 2, j + 1)
            upper = self.calibration.interval(mean, 1 - alpha / 2, j + 1)
            parts.append(
                pd.DataFrame(
                    {
                        "calls": mean,
                        "calls_lower": lower,
                        "calls_upper": upper,
                        "calls_sd": (upper - lower) / (2 * z),
                        "aht": self.aht.loc[day.weekday()].reindex(slots[open_]).to_numpy(),
                    },
                    index=day + pd.to_timedelta(slots[open_], unit="s"),
                )
            )
        columns = ["calls", "calls_lower", "calls_upper", "calls_sd", "aht"]
        out = pd.concat(parts) if parts else pd.DataFrame(columns=columns, dtype=float)
        out.index = pd.DatetimeIndex(out.index, name="interval_start")
        return out

    def quantile(self, horizon: int | str, q: float) -> pd.Series:
        """Calls per interval at quantile ``q`` of what the backtest's errors say."""
        return self.calls_at_quantile(self.summary_frame(horizon), q)

    def calls_at_quantile(self, frame: pd.DataFrame, q: float) -> pd.Series:
        """Calls at quantile ``q`` for the intervals of a :meth:`summary_frame`."""
        if not 0 < q < 1:
            raise InputError(f"'quantile' must be in (0, 1): {q!r}")
        stamps = pd.DatetimeIndex(frame.index)
        lead = np.asarray((stamps.normalize() - self.daily.index[-1]).days)
        return pd.Series(self.calibration.interval(frame["calls"].to_numpy(), q, lead), stamps)


def _weekday_mean_fill(series: pd.Series, holes: pd.Series) -> pd.Series:
    """Replace the ``holes`` by the mean of the same weekday in the 4 weeks around them."""
    index = pd.DatetimeIndex(series.index)
    replaced = {}
    for day in index[holes.to_numpy()]:
        near = [day + pd.Timedelta(weeks=k) for k in (-2, -1, 1, 2)]
        values = [series[d] for d in near if d in series.index and not holes.get(d, True)]
        if not values:  # look further out
            same = series[(index.day_of_week == day.weekday()) & ~holes.to_numpy()]
            values = [same.mean()] if len(same) else [0.0]
        replaced[day] = float(np.mean(values))
    out = series.copy()
    out.update(pd.Series(replaced, dtype=float))
    return out


def _history(h: History | pd.DataFrame | str) -> History:
    return h if isinstance(h, History) else read_history(h)


def _prepare(
    h: History,
    country: str | None,
    special_days: Iterable[date | str],
    special_day_factor: float | None,
    profile_weeks: int,
    calendar: Mapping[date, SpecialDay] | None = None,
) -> _Base:
    """Special, closed and missing days, the ETS model of calls per day, profiles and AHT."""
    frame = h.frame
    by_day = h.days
    span = pd.date_range(by_day.index[0], by_day.index[-1], freq="D")
    daily = by_day.reindex(span)
    horizon_end = (span[-1] + pd.Timedelta(days=400)).date()
    public = special_day_names(span[0].date(), horizon_end, country)
    names = public | special_day_names(span[0].date(), horizon_end, None, special_days)
    calendar = dict(calendar or {})
    names |= {  # a calendar entry without a name keeps the holiday's
        d: entry.name
        for d, entry in calendar.items()
        if entry.name != "special day" or d not in names
    }
    special = set(names)
    # Weekdays without calls in most weeks are closed.
    present = daily.fillna(0) > 0
    closed = frozenset(int(wd) for wd in range(7) if present[span.day_of_week == wd].mean() < 0.25)
    is_special = pd.Series([d.date() in special for d in span], index=span)
    is_closed = pd.Series(span.day_of_week.isin(list(closed)), index=span)
    # A first or last day cut short by the export (fewer intervals than its weekday
    # usually has) would look like a quiet day: treat it as missing.
    rows = frame["calls"].groupby(pd.DatetimeIndex(frame.index).normalize()).size()
    usual = rows.groupby(pd.DatetimeIndex(rows.index).day_of_week).median()
    partial = pd.Series(False, index=span)
    for day in (rows.index[0], rows.index[-1]):
        if rows[day] < 0.75 * usual[day.weekday()]:
            partial[day] = True
    # The first open day after a special day with no rows (a closure) is its own kind.
    follows = np.zeros(len(span), dtype=bool)
    for i, day in enumerate(span[:-1]):
        if is_special[day] and not is_closed[day] and not daily[day] > 0:  # no rows, or 0
            j = i + 1
            while j < len(span) and is_closed[span[j]]:
                j += 1
            if j < len(span) and not is_special[span[j]]:
                follows[j] = True
    after = pd.Series(follows, index=span)
    holes = (daily.isna() | is_special | partial | after) & ~is_closed
    fitted = _weekday_mean_fill(daily.fillna(0.0).where(~is_closed, 0.0), holes)
    # What each special day did, relative to the ordinary day it replaces: a special
    # day on an open weekday with no rows was closed (0). Each holiday is learned
    # from its own occurrences, the latest one counting.
    past = is_special & ~is_closed & (fitted > 0)
    ratio = (daily.fillna(0.0) / fitted.where(fitted > 0))[past]
    stamps_past = pd.DatetimeIndex(ratio.index)
    learned = {
        names[d.date()]: (d.date(), float(r))
        for d, r in zip(stamps_past, ratio.to_numpy(), strict=True)
    }
    # A special day that was an ordinary day is one: back in the methods' windows.
    normal = pd.Series(False, index=span)
    normal[stamps_past[[day_kind(r) == "normal" for r in ratio.to_numpy()]]] = True
    holes &= ~normal
    given = special_day_factor is not None
    if special_day_factor is None:
        special_day_factor = float(np.median(ratio)) if len(ratio) else 0.5
    seen_after = after & daily.notna() & (fitted > 0)
    after_closure = (
        float(np.median(daily[seen_after] / fitted[seen_after])) if seen_after.any() else None
    )
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel  # slow to load: when needed

    with warnings.catch_warnings():
        # statsmodels' convergence chatter; the fit is checked below
        warnings.simplefilter("ignore")
        ets = ETSModel(
            fitted.astype(float).asfreq("D"),
            error="add",
            trend="add",
            damped_trend=True,
            seasonal="add",
            seasonal_periods=7,
        ).fit(disp=False)
    if not np.isfinite(ets.llf):
        raise InputError("the daily model did not fit this history (log-likelihood not finite)")
    # Intraday profiles and AHT from the recent ordinary days.
    recent_start = span[-1] - pd.Timedelta(weeks=profile_weeks) + pd.Timedelta(days=1)
    stamps = pd.DatetimeIndex(frame.index)
    day_of = stamps.normalize()
    unusual = set(special) - {d.date() for d in span[normal.to_numpy()]}
    ordinary = ~pd.Series(day_of.date, index=stamps).isin(unusual).to_numpy()
    kinds = zip(stamps_past, map(day_kind, ratio.to_numpy()), strict=True)
    reduced_days = {d.date() for d, kind in kinds if kind == "reduced"}
    on_reduced = pd.Series(day_of.date, index=stamps).isin(reduced_days).to_numpy()
    recent = (day_of >= recent_start) & ordinary
    slot = (stamps - day_of).total_seconds()
    table = pd.DataFrame(
        {
            "weekday": stamps.day_of_week,
            "slot": slot,
            "calls": frame["calls"].to_numpy(),
            "weight": frame.get("handled", frame["calls"]).to_numpy(),
            "aht": frame["aht"].to_numpy(),
        }
    )
    slots = np.sort(table["slot"].unique())
    use = table[recent]
    if use.empty:
        use = table[ordinary]
    # Shares from every ordinary day, weighted by age (half-life: profile_weeks), so a
    # stable profile is estimated from many weeks and a drifting one follows the drift.
    age = (span[-1] - day_of).days.to_numpy()
    weighted = table.assign(calls=table["calls"] * 0.5 ** (age / (7.0 * profile_weeks)))[ordinary]
    volume = weighted.pivot_table(index="weekday", columns="slot", values="calls", aggfunc="sum")
    volume = volume.reindex(index=range(7), columns=slots).fillna(0.0)
    totals = volume.sum(axis=1)
    profiles = volume.div(totals.where(totals > 0, 1.0), axis=0)
    sp_rows = table[on_reduced]
    if len(sp_rows):
        sp = sp_rows.groupby("slot")["calls"].sum().reindex(slots).fillna(0.0)
        special_profile = sp / sp.sum() if sp.sum() > 0 else profiles.mean()
    else:
        special_profile = profiles.loc[[d for d in range(7) if d not in closed]].mean()
    aht = _aht_table(use, slots, table)
    grid = Grid.of(frame["calls"], ~(holes | is_closed))
    return _Base(
        history=h,
        daily=fitted,
        closed=closed,
        special=frozenset(special),
        special_factor=special_day_factor,
        profiles=profiles,
        special_profile=special_profile,
        aht=aht,
        grid=grid,
        ets=ets,
        names=names,
        learned=learned,
        after_closure=after_closure,
        given_factor=given,
        examples=len(ratio),
        holidays=frozenset(public.values()),
        calendar=calendar,
    )


def _until(h: History, end: pd.Timestamp) -> History:
    """The history before ``end``."""
    return History(h.frame[h.frame.index < end], h.interval, h.filled, h.missing_days, h.notes)


def _candidates(method: str, weeks: int | None) -> list[Method]:
    """The forecasters a method name stands for (``auto``: all of them)."""
    windows = WINDOWS if weeks is None else (weeks,)
    every = {
        "seasonal_naive": [Method("seasonal_naive")],
        "weekday_mean": [Method("weekday_mean", k) for k in windows],
        "weekday_median": [Method("weekday_median", k) for k in windows],
        "weekday_profile": [Method("weekday_profile", k) for k in windows],
        "weekly_level": [Method("weekly_level", k) for k in windows],
        "ets": [Method("ets")],
        "holt_winters": [Method("holt_winters")],
    }
    if method == "auto":  # every method, and the baselines a planner already has
        out = [m for group in every.values() for m in group]
        return out + [m for m in BASELINES.values() if m not in out]
    if method not in every:
        raise InputError(f"'method' must be 'auto' or one of {list(METHODS)}: {method!r}")
    return every[method]


# Days a backtest fold forecasts: two weeks, so bands know the second week's errors;
# methods are chosen on the first (SELECT_DAYS), where plans are made.
FOLD_DAYS, SELECT_DAYS = 14, 7


@dataclass
class _Scores:
    """One candidate's backtest: per fold, actual and forecast calls per day (rows) and
    slot, and each row's lead (days after the fold's origin, from 1)."""

    actual: list[FloatArray] = field(default_factory=list)
    forecast: list[FloatArray] = field(default_factory=list)
    lead: list[np.ndarray] = field(default_factory=list)

    def add(self, actual: FloatArray, forecast: FloatArray, lead: np.ndarray) -> None:
        self.actual.append(actual)
        self.forecast.append(forecast)
        self.lead.append(lead)

    def pairs(
        self, folds: Sequence[int] | None = None, week: int | None = 0
    ) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
        """Interval and day pairs (actual, forecast, day actual, day forecast) of
        ``folds`` (default all), in lead ``week`` (0: days 1-7, 1: the later ones;
        None: all)."""
        parts: list[list[FloatArray]] = [[], [], [], []]
        for i in range(len(self.actual)) if folds is None else folds:
            rows = self.lead[i] <= SELECT_DAYS if week == 0 else self.lead[i] > SELECT_DAYS
            if week is None:
                rows = np.ones(len(self.lead[i]), dtype=bool)
            a, f = self.actual[i][rows], self.forecast[i][rows]
            for part, value in zip(parts, (a, f, a.sum(axis=1), f.sum(axis=1)), strict=True):
                part.append(value.reshape(-1))
        empty = np.zeros(0)
        return tuple(np.concatenate(p) if p else empty for p in parts)  # type: ignore[return-value]

    def bands(self, folds: Sequence[int] | None = None) -> Bands:
        """Calibrations of the first lead week and, with 10 days of them at least, of
        the second."""
        weeks = [Calibration.of(*self.pairs(folds, 0))]
        later = self.pairs(folds, 1)
        if later[2].size >= 10:
            weeks.append(Calibration.of(*later))
        return Bands(tuple(weeks))

    def wape(self) -> float:
        a, f, _, _ = self.pairs()
        return wape(a, f)

    def fold_wapes(self) -> np.ndarray:
        """Each fold's WAPE over its first week."""
        return np.array([wape(*self.pairs([i])[:2]) for i in range(len(self.actual))])

    def fold_bias(self) -> np.ndarray:
        """Each fold's first-week bias: forecast over actual calls, minus 1."""
        out = []
        for i in range(len(self.actual)):
            a, f, _, _ = self.pairs([i])
            out.append(f.sum() / a.sum() - 1 if a.sum() > 0 else 0.0)
        return np.array(out)

    @classmethod
    def blend(cls, parts: Sequence[_Scores]) -> _Scores:
        """The pairs of the members' average forecast (the same folds and actuals)."""
        out = cls(actual=parts[0].actual, lead=parts[0].lead)
        for i in range(len(parts[0].actual)):
            out.forecast.append(combine([p.forecast[i] for p in parts]))
        return out

    def row(self) -> dict[str, float]:
        """Pooled first-week WAPE, MAPE and bias, and the coverage of 90% bands on every
        lead, each fold's band calibrated on the other folds (held-out coverage)."""
        a, f, _, _ = self.pairs()
        inside = [0, 0, 0, 0]  # intervals inside, intervals, days inside, days
        folds = range(len(self.actual))
        for i in folds if len(self.actual) > 1 else ():
            bands = self.bands([j for j in folds if j != i])
            fa, ff, lead = self.actual[i], self.forecast[i], self.lead[i]
            rows = np.repeat(lead, fa.shape[1])
            fa, ff = fa.reshape(-1), ff.reshape(-1)
            ok = (fa >= bands.interval(ff, 0.05, rows)) & (fa <= bands.interval(ff, 0.95, rows))
            inside[0] += int(ok[ff > 0].sum())
            inside[1] += int((ff > 0).sum())
            da, df = self.actual[i].sum(axis=1), self.forecast[i].sum(axis=1)
            ok = (da >= bands.day(df, 0.05, lead)) & (da <= bands.day(df, 0.95, lead))
            inside[2] += int(ok[df > 0].sum())
            inside[3] += int((df > 0).sum())
        return {
            "wape": wape(a, f),
            "mape": _mape(a, f),
            "bias": float((f.sum() - a.sum()) / a.sum()) if a.sum() > 0 else np.nan,
            "coverage_90": inside[0] / inside[1] if inside[1] else np.nan,
            "day_coverage_90": inside[2] / inside[3] if inside[3] else np.nan,
        }


def _backtest_candidates(
    h: History, candidates: list[Method], folds: int, **prep: Any
) -> dict[Method, _Scores]:
    """Rolling weekly origins over the last ``folds`` weeks, each forecasting up to
    :data:`FOLD_DAYS` days: each candidate's pairs."""
    days = pd.date_range(h.days.index[0], h.days.index[-1], freq="D")
    full = Grid.of(h.frame["calls"], pd.Series(True, index=days))
    scores = {m: _Scores() for m in candidates}
    for j in range(folds, 0, -1):
        origin = len(days) - 7 * j
        targets = days[origin : origin + FOLD_DAYS]
        base = _prepare(_until(h, days[origin]), **prep)
        have = ~np.isnan(full.calls[origin : origin + len(targets), 0])  # days the history has
        if not have[:SELECT_DAYS].any():
            continue
        actual = _actual_on(full, origin, len(targets), base.grid.slots)[have]
        lead = np.arange(1, len(targets) + 1)[have]
        for m in candidates:
            scores[m].add(actual, base.points([m], targets)[have], lead)
    return scores


def _label(members: Sequence[Method]) -> str:
    """``"weekly_level(k=4)"``, or ``"mean of a + b"`` for an average."""
    return str(members[0]) if len(members) == 1 else "mean of " + " + ".join(map(str, members))


def _members(label: str, candidates: Sequence[Method]) -> tuple[Method, ...]:
    """The candidates a label of :func:`_label` names."""
    by_name = {str(m): m for m in candidates}
    names = label.removeprefix("mean of ").split(" + ")
    return tuple(by_name[n] for n in names)


_P = ParamSpec("_P")
_R = TypeVar("_R")


def _one_blas_thread(func: Callable[_P, _R]) -> Callable[_P, _R]:
    """Run ``func`` with the BLAS on one thread: its fits are many small ones (ETS,
    least squares on a few weeks), which BLAS threads only slow down by contention
    on a small machine."""

    @functools.wraps(func)
    def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        with threadpool_limits(limits=1, user_api="blas"):
            return func(*args, **kwargs)

    return wrapper


@_one_blas_thread
def fit(
    history: History | pd.DataFrame | str,
    *,
    method: str = "auto",
    weeks: int | None = None,
    country: str | None = None,
    special_days: Iterable[date | str] = (),
    special_day_factor: float | None = None,
    profile_weeks: int = 8,
    folds: int | None = None,
    calendar: Mapping[Any, Any] | str | PathLike[str] | None = None,
) -> FittedForecast:
    """Fit an interval forecaster to ``history``, chosen and calibrated on it.

    Parameters
    ----------
    history : a :class:`~planner.io.History`, or anything :func:`~planner.io.read_history` reads.
    method : ``"auto"`` (default) backtests every method of
        :data:`planner.forecasters.METHODS` on rolling weekly origins within
        the history (each fold sees only the days before its origin) and
        keeps the lowest pooled WAPE, or the average of the best two or
        three when that is lower still. A method's name uses it alone (the
        window methods still choose their weeks ``k`` by backtest).
    weeks : the window methods' ``k`` (default: chosen from 4, 6 and 8).
    country : holidays of this country (``holidays`` package code, e.g. ``"US"``,
        ``"GB"``, ``"DE"``) are special days.
    special_days : more special days (dates or ISO strings), past or future.
    special_day_factor : volume of every special day relative to an ordinary
        one. By default each public holiday is what its latest occurrence in
        the history was (closed, reduced, normal or busier); one the history
        never had is an ordinary day (and :meth:`FittedForecast.notes` warns);
        your ``special_days`` are at the median of the history's special
        days (0.5 when there are none).
    calendar : the center's own closures and special days, overriding all of
        the above for its dates: a CSV or TOML file, or ``{date: volume}``
        (see :func:`planner.calendars.read_calendar`).
    profile_weeks : half-life, in weeks, of the weights behind the intraday
        profiles (every ordinary day counts, the recent ones most), and the
        weeks behind the AHT.
    folds : weekly origins in the backtest (default: up to 6, as the history allows).

    Prediction bands come from the chosen method's errors in that backtest
    (see :class:`planner.forecasters.Calibration`), so they are as wide as
    the method's real misses, over-dispersion within the day included.

    Examples
    --------
    >>> from planner.sample import generate_history
    >>> model = fit(generate_history(weeks=12), country="US")
    >>> week = model.forecast("7d")
    >>> sorted(week.index.normalize().unique().day_name())[:2]
    ['Friday', 'Monday']
    >>> bool(model.backtest_table.loc[model.method, "chosen"])
    True
    """
    h = _history(history)
    if isinstance(profile_weeks, bool) or not isinstance(profile_weeks, int) or profile_weeks < 1:
        raise InputError(f"'profile_weeks' must be a whole number >= 1: {profile_weeks!r}")
    if special_day_factor is not None and not special_day_factor >= 0:
        raise InputError(f"'special_day_factor' must be >= 0: {special_day_factor!r}")
    if weeks is not None and (isinstance(weeks, bool) or not isinstance(weeks, int) or weeks < 1):
        raise InputError(f"'weeks' must be a whole number >= 1: {weeks!r}")
    candidates = _candidates(method, weeks)
    span = (h.days.index[-1] - h.days.index[0]).days + 1
    if span < 28:
        raise InputError(
            "history must cover at least 4 weeks to forecast (3 to fit, 1 to measure the "
            f"forecast's errors on); it covers {span} days"
        )
    most = (span - 21) // 7
    if folds is None:
        folds = min(6, most)
    elif isinstance(folds, bool) or not isinstance(folds, int) or not 1 <= folds <= most:
        raise InputError(f"'folds' must be a whole number from 1 to {most} here: {folds!r}")
    prep: dict[str, Any] = {
        "country": country,
        "special_days": _dates(special_days),
        "special_day_factor": special_day_factor,
        "profile_weeks": profile_weeks,
        "calendar": None if calendar is None else read_calendar(calendar),
    }
    base = _prepare(h, **prep)
    scores = _backtest_candidates(h, candidates, folds, **prep)
    pairs = {str(m): scores[m] for m in candidates}
    if method == "auto":
        # The best of each family, averaged by twos and threes: an average often beats
        # each. A candidate that lost every fold to the best plain baseline, or missed
        # to one side by more than 3% in every fold, stays out of averages.
        reference = min(BASELINES.values(), key=lambda m: scores[m].wape())
        beaten = scores[reference].fold_wapes()
        ranked = sorted(candidates, key=lambda m: scores[m].wape())
        leaders: list[Method] = []
        for m in ranked:
            bias = scores[m].fold_bias()
            loses = bool((scores[m].fold_wapes() > beaten).all()) and m != reference
            one_sided = bool((bias > 0.03).all() or (bias < -0.03).all())
            if all(m.name != n.name for n in leaders) and not loses and not one_sided:
                leaders.append(m)
        for size in (2, 3):
            if len(leaders) >= size:
                pairs[_label(leaders[:size])] = _Scores.blend([scores[m] for m in leaders[:size]])
    rows = {label: p.row() for label, p in pairs.items()}
    label = min(rows, key=lambda key: rows[key]["wape"])
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = "method"
    table["chosen"] = table.index == label
    table = table.sort_values("wape")
    chosen = _members(label, candidates)
    return FittedForecast(
        history=h,
        method=label,
        backtest_table=table,
        calibration=pairs[label].bands(),
        _base=base,
        _members=chosen,
    )


def _aht_table(use: pd.DataFrame, slots: np.ndarray, table: pd.DataFrame) -> pd.DataFrame:
    """Handled-weighted AHT per weekday and slot, with fallbacks to slot and overall means."""
    ok = use[np.isfinite(use["aht"]) & (use["weight"] > 0)]
    if ok.empty:
        ok = table[np.isfinite(table["aht"]) & (table["weight"] > 0)]
    if ok.empty:
        raise InputError("the history has no AHT for any interval with handled calls")
    work = ok.assign(w_aht=ok["aht"] * ok["weight"])
    by_cell = work.pivot_table(
        index="weekday", columns="slot", values=["w_aht", "weight"], aggfunc="sum"
    )
    cell = (by_cell["w_aht"] / by_cell["weight"]).reindex(index=range(7), columns=slots)
    by_slot = work.groupby("slot")[["w_aht", "weight"]].sum()
    slot_mean = (by_slot["w_aht"] / by_slot["weight"]).reindex(slots)
    overall = work["w_aht"].sum() / work["weight"].sum()
    return cell.fillna(slot_mean).fillna(overall)


# The spreadsheet baselines a planner already has, which a forecast must beat.
BASELINES = {
    "seasonal_naive": Method("seasonal_naive"),
    "mean4": Method("weekday_mean", 4),
    "median5": Method("weekday_median", 5),
}


@_one_blas_thread
def backtest(
    history: History | pd.DataFrame | str,
    horizon: int | str = 7,
    folds: int = 4,
    **fit_kwargs: Any,
) -> pd.DataFrame:
    """Rolling-origin backtest of :func:`fit` against a planner's baselines.

    Fold ``k`` fits on the history before its origin (the fit chooses and
    calibrates its method on that part alone) and forecasts the next
    ``horizon`` days; origins step back ``horizon`` days from the end. Only
    days the history has are scored. The baselines, from the same days
    before the origin: ``naive`` (the same interval on the most recent same
    weekday), ``mean4`` (mean of the last 4 same weekdays) and ``median5``
    (median of the last 5), each plain (the spreadsheet's: the last days
    the export has on that weekday, holidays included, and every day
    forecast alike) and holiday-aware (``*_aware_wape``: the same windows
    without special, closed or missing days, and special days forecast as
    :func:`fit` does).

    Columns: ``start``, ``end``, ``method`` (what the fit chose), WAPE and
    MAPE of the model and of ``naive``, WAPE of ``mean4`` and ``median5``,
    the same three holiday-aware, and ``coverage`` and ``day_coverage``:
    the share of held-out intervals
    and days inside the model's 90% prediction band. WAPE is the sum of
    absolute interval errors over the sum of actual calls; MAPE the mean
    absolute percentage error over intervals with calls. A last row
    ``"all"`` pools the folds.
    """
    h = _history(history)
    days = parse_horizon(horizon)
    if isinstance(folds, bool) or not isinstance(folds, int) or folds < 1:
        raise InputError(f"'folds' must be a whole number >= 1: {folds!r}")
    span = pd.date_range(h.days.index[0], h.days.index[-1], freq="D")
    if len(span) - days * folds < 28:
        raise InputError(
            f"{folds} fold(s) of {days} days leave less than 4 weeks to fit on: the history "
            f"covers {len(span)} days"
        )
    full = Grid.of(h.frame["calls"], pd.Series(True, index=span))
    rows = []
    pooled: dict[str, list[FloatArray]] = {}
    for k in range(folds, 0, -1):
        origin = len(span) - days * k
        targets = span[origin : origin + days]
        model = fit(_until(h, span[origin]), **fit_kwargs)
        base = model._base
        have = ~np.isnan(full.calls[origin : origin + days, 0])
        if not have.any():
            continue
        slots = base.grid.slots
        actual = _actual_on(full, origin, days, slots)[have]
        lead = np.arange(1, days + 1)[have]
        shown = {"model": base.points(model._members, targets)[have]}
        for name, m in BASELINES.items():
            # plain: the spreadsheet's, from the last days with rows, whatever they were
            plain = predict(m, full, origin, targets)
            shown[name] = _on_slots(plain, full.slots, slots)[have]
            shown[f"{name}_aware"] = base.points([m], targets)[have]
        f = shown["model"]
        rows_lead = np.repeat(lead, f.shape[1]).reshape(f.shape)
        lower = model.calibration.interval(f, 0.05, rows_lead)
        upper = model.calibration.interval(f, 0.95, rows_lead)
        inside = ((actual >= lower) & (actual <= upper))[f > 0]
        day_f = f.sum(axis=1)
        day_a = actual.sum(axis=1)
        day_in = (day_a >= model.calibration.day(day_f, 0.05, lead)) & (
            day_a <= model.calibration.day(day_f, 0.95, lead)
        )
        parts = {"actual": actual, **shown, "inside": inside, "day_inside": day_in[day_f > 0]}
        for key, value in parts.items():
            pooled.setdefault(key, []).append(np.asarray(value, dtype=np.float64).reshape(-1))
        rows.append(
            _fold_row(
                str(targets[0].date()), str(targets[-1].date()), model.method,
                {key: value.reshape(-1) for key, value in parts.items()},
            )
        )  # fmt: skip
    whole = {key: np.concatenate(value) for key, value in pooled.items()}
    rows.append(_fold_row(rows[0][0], rows[-1][1], "", whole))
    columns = [
        "start", "end", "method", "model_wape", "model_mape", "naive_wape", "naive_mape",
        "mean4_wape", "median5_wape", "naive_aware_wape", "mean4_aware_wape",
        "median5_aware_wape", "coverage", "day_coverage",
    ]  # fmt: skip
    return pd.DataFrame(
        rows, columns=columns, index=pd.Index([*range(1, len(rows)), "all"], name="fold")
    )


def _on_slots(table: FloatArray, from_slots: np.ndarray, slots: np.ndarray) -> FloatArray:
    """Calls per day (rows) on ``from_slots`` moved to ``slots``; calls in slots
    ``slots`` lacks count in its first (every method misses them alike)."""
    rows = np.nan_to_num(table)
    cols = np.searchsorted(from_slots, slots)
    out = np.zeros((rows.shape[0], len(slots)))
    known = cols < len(from_slots)
    known[known] = from_slots[cols[known]] == slots[known]
    out[:, known] = rows[:, cols[known]]
    out[:, 0] += rows.sum(axis=1) - out.sum(axis=1)
    return out


def _actual_on(full: Grid, origin: int, days: int, slots: np.ndarray) -> FloatArray:
    """Actual calls of ``days`` days from ``origin`` on ``slots`` (see :func:`_on_slots`)."""
    return _on_slots(full.calls[origin : origin + days], full.slots, slots)


def _mape(actual: FloatArray, forecast: FloatArray) -> float:
    """Mean absolute percentage error over intervals with calls."""
    pos = actual > 0
    if not pos.any():
        return np.nan
    return float(np.mean(np.abs(forecast[pos] - actual[pos]) / actual[pos]))


def _fold_row(start: str, end: str, method: str, p: dict[str, FloatArray]) -> tuple:
    a = p["actual"]
    return (
        start, end, method,
        wape(a, p["model"]), _mape(a, p["model"]),
        wape(a, p["seasonal_naive"]), _mape(a, p["seasonal_naive"]),
        wape(a, p["mean4"]), wape(a, p["median5"]),
        wape(a, p["seasonal_naive_aware"]), wape(a, p["mean4_aware"]),
        wape(a, p["median5_aware"]),
        float(np.mean(p["inside"])), float(np.mean(p["day_inside"])),
    )  # fmt: skip
