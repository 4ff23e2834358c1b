"""Forecast interval volumes and AHT from history; backtest against seasonal naive.

The model has three parts, fitted from a :class:`~planner.io.History`:

1. **Daily totals**: an exponential-smoothing state-space model (statsmodels
   ``ETSModel``: additive errors, damped additive trend, additive weekly
   seasonality) fitted to calls per day. Special days (public holidays from
   the ``holidays`` package and any dates the user lists), days missing from
   the export and a first or last day the export cut short are replaced by
   the same weekday's average of the weeks around them before fitting, so
   they do not distort the model; weekdays with no calls in most weeks are
   treated as closed (forecast 0).
2. **Intraday profiles**: for each weekday, each interval's share of the
   day's calls over the last ``profile_weeks`` weeks (special days left out),
   so Monday's morning rush is not spread over Friday.
3. **AHT** per weekday and interval: the handled-weighted average over the
   same weeks, falling back to the interval's average over all weekdays and
   then to the overall AHT.

A special day in the horizon is forecast at the ratio its kind showed in the
history (actual over the replaced value, median over past special days), or
at ``special_day_factor`` when given or when there is none to learn from,
with the intraday profile past special days had (the weekday's otherwise).

Prediction intervals for calls combine the daily model's interval (normal,
from its variance) with Poisson variation within the day:
``var = (share * sd_day)**2 + mean``. They are prediction intervals for what
will be offered, not confidence intervals for a mean.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import ndtri

from planner.errors import InputError
from planner.io import History, read_history
from planner.report import requirements
from planner.staffing import Targets

__all__ = [
    "FittedForecast",
    "backtest",
    "day_label",
    "fit",
    "forecast_requirements",
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


def _special_days(
    first: date, last: date, country: str | None, extra: Iterable[date | str]
) -> set[date]:
    return set(special_day_names(first, last, country, extra))


def special_day_names(
    first: date, last: date, country: str | None = None, extra: Iterable[date | str] = ()
) -> dict[date, str]:
    """Special days from ``first`` to ``last``: public holidays of ``country`` by name,
    and the ``extra`` dates given (named "special day")."""
    import holidays as holiday_calendars  # imported when needed: it is slow to load

    days = {parse_date("special_days", d): "special day" for d in extra}
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


@dataclass(frozen=True, eq=False)
class FittedForecast:
    """A fitted interval forecaster (see the module notes); make it with :func:`fit`.

    Attributes
    ----------
    history : the history it was fitted to.
    daily : calls per day as fitted (special and missing days replaced).
    closed : weekdays (0 = Monday) treated as closed.
    special : special days known to the model (history and horizon).
    special_factor : volume of a special day relative to an ordinary one.
    profiles : share of the day's calls per weekday (rows) and interval start
        (columns, seconds after midnight).
    aht : AHT (seconds) per weekday and interval start, same shape.
    """

    history: History
    daily: pd.Series
    closed: frozenset[int]
    special: frozenset[date]
    special_factor: float
    profiles: pd.DataFrame
    special_profile: pd.Series
    aht: pd.DataFrame
    _ets: Any = field(repr=False)

    @property
    def interval(self) -> float:
        return self.history.interval

    def daily_forecast(self, horizon: int | str, alpha: float = 0.1) -> pd.DataFrame:
        """Calls per day from the day after the history's last: ``mean``, ``pi_lower``,
        ``pi_upper`` (1 - alpha prediction interval) and ``sd``."""
        days = parse_horizon(horizon)
        if not 0 < alpha < 1:
            raise InputError(f"'alpha' must be in (0, 1): {alpha!r}")
        n = len(self.daily)
        frame = self._ets.get_prediction(start=n, end=n + days - 1).summary_frame(alpha=alpha)
        z = ndtri(1 - alpha / 2)
        out = pd.DataFrame(
            {
                "mean": frame["mean"].to_numpy(),
                "sd": (frame["pi_upper"] - frame["pi_lower"]).to_numpy() / (2 * z),
            },
            index=pd.date_range(self.daily.index[-1] + pd.Timedelta(days=1), periods=days),
        )
        for day in pd.DatetimeIndex(out.index):
            if day.weekday() in self.closed:
                out.loc[day, ["mean", "sd"]] = 0.0
            elif day.date() in self.special:
                out.loc[day, ["mean", "sd"]] *= self.special_factor
        out["mean"] = out["mean"].clip(lower=0)
        out["pi_lower"] = (out["mean"] - z * out["sd"]).clip(lower=0)
        out["pi_upper"] = out["mean"] + z * out["sd"]
        return out[["mean", "pi_lower", "pi_upper", "sd"]]

    def forecast(self, horizon: int | str) -> pd.DataFrame:
        """Calls and AHT (seconds) for every open interval of the next ``horizon`` days."""
        return self.summary_frame(horizon)[["calls", "aht"]]

    def summary_frame(self, horizon: int | str, alpha: float = 0.1) -> pd.DataFrame:
        """Per interval: ``calls`` (mean), ``calls_lower``/``calls_upper`` (1 - alpha
        prediction interval), ``calls_sd`` and ``aht`` (seconds); index ``interval_start``.
        """
        daily = self.daily_forecast(horizon, alpha)
        z = ndtri(1 - alpha / 2)
        parts = []
        for day in pd.DatetimeIndex(daily.index):
            row = daily.loc[day]
            if row["mean"] <= 0 and day.weekday() in self.closed:
                continue
            special = day.date() in self.special
            share = self.special_profile if special else self.profiles.iloc[day.weekday()]
            share = share[share > 0]
            if share.empty:
                continue
            mean = row["mean"] * share.to_numpy()
            sd = np.sqrt((share.to_numpy() * row["sd"]) ** 2 + mean)
            aht = self.aht.loc[day.weekday()].reindex(share.index).to_numpy()
            parts.append(
                pd.DataFrame(
                    {
                        "calls": mean,
                        "calls_lower": np.clip(mean - z * sd, 0, None),
                        "calls_upper": mean + z * sd,
                        "calls_sd": sd,
                        "aht": aht,
                    },
                    index=day + pd.to_timedelta(share.index.to_numpy(), unit="s"),
                )
            )
        columns = ["calls", "calls_lower", "calls_upper", "calls_sd", "aht"]
        out = pd.concat(parts) if parts else pd.DataFrame(columns=columns, dtype=float)
        out.index = pd.DatetimeIndex(out.index, name="interval_start")
        return out

    def quantile(self, horizon: int | str, q: float) -> pd.Series:
        """Calls per interval at quantile ``q`` of the prediction distribution (normal)."""
        if not 0 < q < 1:
            raise InputError(f"'quantile' must be in (0, 1): {q!r}")
        frame = self.summary_frame(horizon)
        return (frame["calls"] + ndtri(q) * frame["calls_sd"]).clip(lower=0)


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


def fit(
    history: History | pd.DataFrame | str,
    *,
    country: str | None = None,
    special_days: Iterable[date | str] = (),
    special_day_factor: float | None = None,
    profile_weeks: int = 8,
) -> FittedForecast:
    """Fit the interval forecaster to ``history`` (see the module notes).

    Parameters
    ----------
    history : a :class:`~planner.io.History`, or anything :func:`~planner.io.read_history` reads.
    country : holidays of this country (``holidays`` package code, e.g. ``"US"``,
        ``"GB"``, ``"DE"``) are special days.
    special_days : more special days (dates or ISO strings), past or future.
    special_day_factor : volume of a special day relative to an ordinary one;
        by default learned from the special days in the history (0.5 when
        there are none).
    profile_weeks : weeks of history behind the intraday profiles and AHT.

    Examples
    --------
    >>> from planner.sample import generate_history
    >>> model = fit(generate_history(weeks=12), country="US")
    >>> week = model.forecast("7d")
    >>> sorted(week.index.normalize().unique().day_name())[:2]
    ['Friday', 'Monday']
    """
    h = history if isinstance(history, History) else read_history(history)
    if isinstance(profile_weeks, bool) or not isinstance(profile_weeks, int) or profile_weeks < 1:
        raise InputError(f"'profile_weeks' must be a whole number >= 1: {profile_weeks!r}")
    if special_day_factor is not None and not special_day_factor >= 0:
        raise InputError(f"'special_day_factor' must be >= 0: {special_day_factor!r}")
    frame = h.frame
    by_day = h.days
    span = pd.date_range(by_day.index[0], by_day.index[-1], freq="D")
    if len(span) < 21:
        raise InputError(
            f"history must cover at least 3 weeks to forecast; it covers {len(span)} days"
        )
    daily = by_day.reindex(span)
    special = _special_days(
        span[0].date(), (span[-1] + pd.Timedelta(days=400)).date(), country, special_days
    )
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
    holes = (daily.isna() | is_special | partial) & ~is_closed
    fitted = _weekday_mean_fill(daily.fillna(0.0).where(~is_closed, 0.0), holes)
    # What special days did, relative to the ordinary day they replace.
    past = is_special & daily.notna() & ~is_closed & (fitted > 0)
    if special_day_factor is None:
        special_day_factor = float(np.median(daily[past] / fitted[past])) if past.any() else 0.5
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
    ordinary = ~pd.Series(day_of.date, index=stamps).isin(special).to_numpy()
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
    volume = use.pivot_table(index="weekday", columns="slot", values="calls", aggfunc="sum")
    volume = volume.reindex(index=range(7), columns=slots).fillna(0.0)
    totals = volume.sum(axis=1)
    profiles = volume.div(totals.where(totals > 0, 1.0), axis=0)
    sp_rows = table[~ordinary]
    if len(sp_rows):
        sp = sp_rows.groupby("slot")["calls"].sum().reindex(slots).fillna(0.0)
        special_profile = sp / sp.sum() if sp.sum() > 0 else profiles.mean()
    else:
        special_profile = profiles.loc[[d for d in range(7) if d not in closed]].mean()
    aht = _aht_table(use, slots, table)
    return FittedForecast(
        history=h,
        daily=fitted,
        closed=closed,
        special=frozenset(special),
        special_factor=special_day_factor,
        profiles=profiles,
        special_profile=special_profile,
        aht=aht,
        _ets=ets,
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


def _seasonal_naive(history: History, start: pd.Timestamp, days: int) -> pd.Series:
    """Calls per interval: the same interval one week (or whole weeks) before ``start``."""
    weeks = -(-days // 7)
    frame = history.frame["calls"]
    lag = pd.Timedelta(weeks=weeks)
    source = frame[
        (frame.index >= start - lag) & (frame.index < start - lag + pd.Timedelta(days=days))
    ]
    return pd.Series(source.to_numpy(), index=pd.DatetimeIndex(source.index) + lag)


def _errors(forecast: pd.Series, actual: pd.Series) -> tuple[float, float]:
    """WAPE and MAPE of ``forecast`` against ``actual`` on actual's intervals."""
    f = forecast.reindex(actual.index).fillna(0.0).to_numpy()
    a = actual.to_numpy()
    wape = float(np.abs(f - a).sum() / a.sum()) if a.sum() > 0 else np.nan
    pos = a > 0
    mape = float(np.mean(np.abs(f[pos] - a[pos]) / a[pos])) if pos.any() else np.nan
    return wape, mape


def backtest(
    history: History | pd.DataFrame | str,
    horizon: int | str = 7,
    folds: int = 4,
    **fit_kwargs,
) -> pd.DataFrame:
    """Rolling-origin backtest of the model against seasonal naive (same interval last week).

    Fold ``k`` fits on the history before its origin and forecasts the next
    ``horizon`` days; origins step back ``horizon`` days from the end. WAPE is
    the sum of absolute interval errors over the sum of actual calls; MAPE
    the mean absolute percentage error over intervals with calls. The result
    has one row per fold and a last row ``"all"`` pooling the folds.
    """
    h = history if isinstance(history, History) else read_history(history)
    days = parse_horizon(horizon)
    if isinstance(folds, bool) or not isinstance(folds, int) or folds < 1:
        raise InputError(f"'folds' must be a whole number >= 1: {folds!r}")
    last = h.frame.index[-1].normalize()
    rows, pooled_f, pooled_n, pooled_a = [], [], [], []
    for k in range(folds, 0, -1):
        origin = last + pd.Timedelta(days=1) - pd.Timedelta(days=days * k)
        train = History(
            h.frame[h.frame.index < origin], h.interval, h.filled, h.missing_days, h.notes
        )
        actual = h.frame["calls"][
            (h.frame.index >= origin) & (h.frame.index < origin + pd.Timedelta(days=days))
        ]
        model = fit(train, **fit_kwargs)
        # Forecast from the day after training ends to the fold's end.
        gap = (origin - model.daily.index[-1]).days - 1
        predicted = model.forecast(days + gap)["calls"]
        naive = _seasonal_naive(h, origin, days)
        wm, mm = _errors(predicted, actual)
        wn, mn = _errors(naive, actual)
        rows.append(
            (str(origin.date()), str((origin + pd.Timedelta(days=days - 1)).date()), wm, mm, wn, mn)
        )
        pooled_f.append(predicted.reindex(actual.index).fillna(0.0))
        pooled_n.append(naive.reindex(actual.index).fillna(0.0))
        pooled_a.append(actual)
    actual_all = pd.concat(pooled_a)
    wm, mm = _errors(pd.concat(pooled_f), actual_all)
    wn, mn = _errors(pd.concat(pooled_n), actual_all)
    rows.append((rows[0][0], rows[-1][1], wm, mm, wn, mn))
    return pd.DataFrame(
        rows,
        columns=["start", "end", "model_wape", "model_mape", "naive_wape", "naive_mape"],
        index=pd.Index([*range(1, folds + 1), "all"], name="fold"),
    )


def forecast_requirements(
    model: FittedForecast,
    horizon: int | str,
    targets: Targets,
    *,
    shrinkage: float = 0.0,
    patience: float | None = None,
    quantile: float | None = None,
) -> pd.DataFrame:
    """Staffing requirement for every forecast interval (see :func:`planner.requirements`).

    With ``quantile`` (e.g. 0.9) each interval is staffed for that quantile
    of its predicted calls instead of the mean: insurance against forecast
    error, at the cost of more agents. The table keeps ``calls_mean`` and
    ``calls_lower``/``calls_upper`` (90% prediction interval) beside ``calls``.
    """
    frame = model.summary_frame(horizon)
    calls = frame["calls"] if quantile is None else model.quantile(horizon, quantile)
    table = pd.DataFrame(
        {
            "calls": calls.to_numpy(),
            "aht": frame["aht"].to_numpy(),
            "calls_mean": frame["calls"].to_numpy(),
            "calls_lower": frame["calls_lower"].to_numpy(),
            "calls_upper": frame["calls_upper"].to_numpy(),
        },
        index=frame.index,
    )
    return requirements(table, targets, model.interval, shrinkage, patience)
