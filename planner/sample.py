"""A synthetic contact-center history from a known process: the bundled sample data.

:func:`generate_history` draws interval history (offered, handled, abandoned,
answered within 20 s, AHT) from a process whose every part is known, so
that tests can check what a forecast recovers:

- daily volume ``base * (1 + trend) ** week * weekly[weekday]``;
- an intraday profile per weekday (weekdays: a morning peak and a smaller
  one after lunch; Saturday: one late-morning hump; Sunday closed by default);
- public holidays (from the ``holidays`` package) at ``holiday_factor`` of an
  ordinary day's volume, with a Saturday-like profile (0: closed, no rows),
  and the first open day after one at ``after_holiday_factor``; the ones
  named in ``holiday_volumes`` are open as ordinary days at that volume
  (1.2: 20% busier);
- negative-binomial noise: every day's volume is multiplied by a gamma
  variable with mean 1 and CV ``day_cv``, and intervals are Poisson given it;
- optionally, what real exports also show: intraday noise beyond Poisson
  (each interval's share multiplied by a log-normal deviation with CV
  ``interval_cv``, correlated 0.6 with its neighbour's), ``outlier_days``
  ordinary days at 1.4 to 2 times their volume, and ``missing_days`` open
  weekdays lost from the export (no rows);
- AHT that varies by time of day (longer early and late) around ``aht``,
  with lognormal handle times averaged over the interval's calls.

``data/make_sample.py`` writes ``data/sample_history.csv`` with the defaults;
the app, the CLI and the notebooks use that file.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "SAMPLE",
    "SAMPLE_CALENDAR_PATH",
    "SAMPLE_PATH",
    "WEEKLY",
    "generate_calls",
    "generate_history",
    "intraday_profile",
    "sample_calendar",
    "sample_history",
]

SAMPLE_PATH = Path(__file__).resolve().parents[1] / "data" / "sample_history.csv"
# The sample bank's own calendar: closed on every US public holiday (its history
# has no rows on them), through the year after the history.
SAMPLE_CALENDAR_PATH = SAMPLE_PATH.with_name("sample_calendar.csv")
WEEKLY = (1.18, 1.06, 1.0, 0.97, 0.93, 0.45, 0.0)  # Monday .. Sunday, relative volume
# The bundled sample's settings: what real exports show besides the seasons.
SAMPLE: dict[str, Any] = {
    "day_cv": 0.06,
    "interval_cv": 0.16,
    "outlier_days": 3,
    "missing_days": 2,
    "holiday_factor": 0.0,
    "after_holiday_factor": 1.25,
}


def _bump(hours: np.ndarray, center: float, width: float) -> np.ndarray:
    return np.exp(-0.5 * ((hours - center) / width) ** 2)


def intraday_profile(weekday: int, interval: float = 1800.0) -> pd.Series:
    """Share of a day's calls in each interval (index: seconds after midnight); sums to 1."""
    if weekday == 6:
        return pd.Series(dtype=float)
    open_h, close_h = (9.0, 17.0) if weekday == 5 else (8.0, 20.0)
    starts = np.arange(open_h * 3600, close_h * 3600, interval)
    hours = (starts + interval / 2) / 3600
    if weekday == 5:
        shape = _bump(hours, 11.5, 2.2)
    else:
        shape = _bump(hours, 10.5, 1.6) + 0.7 * _bump(hours, 14.5, 1.8) + 0.15
    if weekday == 0:
        shape = shape * (1 + 0.25 * _bump(hours, 9.0, 1.0))  # Monday's early rush
    return pd.Series(shape / shape.sum(), index=starts)


def _aht_by_hour(hours: np.ndarray, aht: float) -> np.ndarray:
    return aht * (1 + 0.12 * _bump(hours, 8.5, 1.2) + 0.18 * _bump(hours, 19.5, 1.2)
                  - 0.06 * _bump(hours, 13.0, 1.5))  # fmt: skip


def generate_history(
    *,
    start: date | str = "2026-01-05",
    weeks: int = 20,
    interval: float = 1800.0,
    base: float = 3000.0,
    trend: float = 0.004,
    weekly: tuple[float, ...] = WEEKLY,
    aht: float = 280.0,
    day_cv: float = 0.05,
    country: str | None = "US",
    holiday_factor: float = 0.3,
    holiday_volumes: dict[str, float] | None = None,
    after_holiday_factor: float = 1.2,
    interval_cv: float = 0.0,
    outlier_days: int = 0,
    missing_days: int = 0,
    seed: int = 2026,
) -> pd.DataFrame:
    """Interval history as an ACD would export it (see the module notes).

    Returns one row per open interval: ``Interval`` (start, local time),
    ``Offered``, ``Handled``, ``Abandoned``, ``Answered in 20s`` and ``AHT``
    (seconds, blank where nothing was handled).
    """
    rng = np.random.default_rng(seed)
    first = pd.Timestamp(start).normalize()
    days = pd.date_range(first, periods=7 * weeks, freq="D")
    import holidays as holiday_calendars  # slow to load: only when drawing

    named = (
        holiday_calendars.country_holidays(country, years=range(first.year, days[-1].year + 1))
        if country
        else {}
    )
    # holidays the center keeps open, at their own volume with the weekday's profile
    kept = {d: (holiday_volumes or {})[n] for d, n in named.items() if n in (holiday_volumes or {})}
    special = set(named) - set(kept)
    # What real exports also have, drawn from a stream of their own (with all three at
    # 0 the history is the same as without them): outlier days (an outage, a mailing),
    # weekdays lost from the export, and intraday noise beyond Poisson.
    extra = np.random.default_rng([seed, 1])
    ordinary = [d for d in days[7:-7] if weekly[d.weekday()] > 0 and d.date() not in special]
    picked = extra.choice(len(ordinary), size=outlier_days + missing_days, replace=False)
    outliers = {ordinary[i]: extra.uniform(1.4, 2.0) for i in picked[:outlier_days]}
    lost = {ordinary[i] for i in picked[outlier_days:]}
    rows = []
    after_holiday = False
    for day in days:
        weekday = day.weekday()
        week = (day - first).days / 7
        level = base * (1 + trend) ** week * weekly[weekday]
        is_holiday = day.date() in special
        profile = intraday_profile(5 if is_holiday else weekday, interval)
        if level <= 0 or profile.empty or (is_holiday and holiday_factor == 0):  # no rows
            after_holiday = after_holiday or is_holiday
            continue
        if is_holiday:
            level *= holiday_factor / weekly[weekday] * weekly[0]  # a quiet, Saturday-like day
        elif after_holiday:
            level *= after_holiday_factor
        after_holiday = is_holiday
        level *= kept.get(day.date(), 1.0)
        day_level = level * rng.gamma(1 / day_cv**2, day_cv**2) * outliers.get(day, 1.0)
        shares = profile.to_numpy()
        if interval_cv > 0:  # smooth log-normal deviations from the profile, mean 1
            z = np.zeros(len(shares))
            z[0] = extra.normal(0, interval_cv)
            for i in range(1, len(z)):
                z[i] = 0.6 * z[i - 1] + extra.normal(0, interval_cv * np.sqrt(1 - 0.36))
            shares = shares * np.exp(z - interval_cv**2 / 2)
        offered = rng.poisson(day_level * shares)
        if day in lost:
            continue
        hours = (profile.index.to_numpy() + interval / 2) / 3600
        mean_aht = _aht_by_hour(hours, aht)
        abandon_p = np.clip(0.02 + 0.04 * profile.to_numpy() / profile.max(), 0, 1)
        abandoned = rng.binomial(offered, abandon_p)
        handled = offered - abandoned
        sigma = np.sqrt(np.log1p(0.9**2))  # handle times lognormal, CV 0.9
        mean_of_calls = np.array(
            [
                rng.lognormal(np.log(m) - sigma**2 / 2, sigma, n).mean() if n else np.nan
                for m, n in zip(mean_aht, handled, strict=True)
            ]
        )
        within = rng.binomial(handled, 0.8)
        for t, o, h, a, w, x in zip(
            profile.index, offered, handled, abandoned, within, mean_of_calls, strict=True
        ):
            rows.append(
                {
                    "Interval": day + pd.Timedelta(seconds=float(t)),
                    "Offered": int(o),
                    "Handled": int(h),
                    "Abandoned": int(a),
                    "Answered in 20s": int(w),
                    "AHT": round(float(x), 1) if np.isfinite(x) else None,
                }
            )
    return pd.DataFrame(rows)


def sample_history() -> pd.DataFrame:
    """The bundled sample (``data/sample_history.csv``), or the same data generated afresh."""
    if SAMPLE_PATH.exists():
        return pd.read_csv(SAMPLE_PATH)
    return generate_history(**SAMPLE)


def sample_calendar() -> pd.DataFrame:
    """The sample bank's calendar (``data/sample_calendar.csv``): every US public holiday
    from the sample's first day to the end of the year after its last, closed."""
    import holidays as holiday_calendars

    first = pd.Timestamp("2026-01-05")
    named = holiday_calendars.country_holidays("US", years=range(first.year, first.year + 2))
    rows = [(str(d), str(n), "closed") for d, n in sorted(named.items()) if d >= first.date()]
    return pd.DataFrame(rows, columns=["date", "name", "volume"])


def generate_calls(
    history: pd.DataFrame,
    *,
    interval: float = 1800.0,
    queues: tuple[str, ...] = ("cards", "loans"),
    answer_time: float = 20.0,
    seed: int = 2026,
) -> pd.DataFrame:
    """A call-level log (one row per call) whose interval totals are ``history``'s exactly.

    ``history`` is a :func:`generate_history` table. Each interval's offered calls
    arrive at uniform times within it, in one of ``queues`` at random; its
    ``Answered in 20s`` calls wait up to ``answer_time``, the other handled calls
    longer, and abandoned ones leave with no talk time. Talk times are lognormal
    (CV 0.9), scaled so that their mean is the interval's AHT. Columns: ``Call
    Start``, ``Queue``, ``Wait`` and ``Talk`` (seconds) and ``Outcome``.
    """
    rng = np.random.default_rng(seed)
    sigma = np.sqrt(np.log1p(0.9**2))
    parts = []
    columns = zip(
        pd.to_datetime(history["Interval"]),
        history["Offered"].to_numpy(dtype=np.int64),
        history["Handled"].to_numpy(dtype=np.int64),
        history["Answered in 20s"].to_numpy(dtype=np.int64),
        history["AHT"].to_numpy(dtype=np.float64),
        strict=True,
    )
    for interval_start, offered, handled, within, aht in columns:
        if offered == 0:
            continue
        start = interval_start + pd.to_timedelta(
            np.sort(rng.uniform(0, interval, offered)), unit="s"
        )
        order = rng.permutation(offered)  # which calls are answered, and which in time
        answered = np.zeros(offered, dtype=bool)
        answered[order[:handled]] = True
        fast = np.zeros(offered, dtype=bool)
        fast[order[:within]] = True
        wait = np.where(
            fast, rng.uniform(0, answer_time, offered), rng.uniform(answer_time + 1, 240, offered)
        )
        talk = np.zeros(offered)
        if handled:
            draws = rng.lognormal(0.0, sigma, handled)
            talk[answered] = draws / draws.mean() * aht
        parts.append(
            pd.DataFrame(
                {
                    "Call Start": start.strftime("%Y-%m-%d %H:%M:%S.%f"),
                    "Queue": rng.choice(list(queues), offered),
                    "Wait": wait.round(1),
                    "Talk": talk,
                    "Outcome": np.where(answered, "answered", "abandoned"),
                }
            )
        )
    return pd.concat(parts, ignore_index=True)
