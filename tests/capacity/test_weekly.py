"""Weekly demand forecast from interval history: cases with a known answer."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from planner.capacity.weekly import forecast_weeks, weekly_history
from planner.errors import InputError
from planner.forecast import special_day_names
from planner.history import History


def _history(
    weeks: int,
    noise: float = 0.0,
    holiday_dip: float = 0.0,
    seed: int = 1,
    first: str = "2024-01-01",
) -> tuple[History, pd.Series]:
    """Hourly history 08:00-20:00 every day for ``weeks`` weeks from a Monday: weekly
    calls 10,000 x 1.001^week x (1 + 0.2 sin(time of year)), times lognormal noise per
    week and (1 - holiday_dip) per US weekday holiday; AHT 300 s + 20 s of season."""
    rng = np.random.default_rng(seed)
    start = pd.Timestamp(first)
    truth = {}
    rows = []
    holidays = special_day_names(start.date(), (start + pd.Timedelta(weeks=weeks)).date(), "US")
    for w in range(weeks):
        monday = start + pd.Timedelta(weeks=w)
        year = 2 * np.pi * (monday.day_of_year + 3) / 365.25
        total = 10_000 * 1.001**w * (1 + 0.2 * np.sin(year))
        total *= (1 - holiday_dip) ** sum(
            1 for d in holidays if d.weekday() < 5 and 0 <= (pd.Timestamp(d) - monday).days < 7
        )
        total *= np.exp(noise * rng.standard_normal())
        truth[monday] = total
        aht = 300 + 20 * np.cos(year)
        for d in range(7):
            for h in range(8, 20):
                rows.append((monday + pd.Timedelta(days=d, hours=h), total / 84, aht))
    frame = pd.DataFrame(rows, columns=["interval_start", "calls", "aht"]).set_index(
        "interval_start"
    )
    return History(frame, 3600.0, pd.DatetimeIndex([]), (), ()), pd.Series(truth)  # fmt: skip


def test_whole_weeks_sum_the_history():
    history, truth = _history(10)
    cut = History(history.frame.iloc[30:-5], 3600.0, pd.DatetimeIndex([]), (), ())
    weeks = weekly_history(cut)
    assert len(weeks) == 8  # the first and last weeks are cut: left out
    np.testing.assert_allclose(weeks["calls"], truth.iloc[1:9].to_numpy())


def test_two_years_learn_the_season_and_the_trend():
    """Without noise, the next year's weeks are the process's own to within 2%."""
    history, _ = _history(104)
    _, truth = _history(156)
    demand = forecast_weeks(history, 52)
    assert pd.Timestamp(demand.week_start[0]) == truth.index[104]  # the week after
    want = truth.iloc[104:].to_numpy()
    np.testing.assert_allclose(demand.calls, want, rtol=0.02)
    np.testing.assert_allclose(demand.aht, 300 + 20 * np.cos(
        2 * np.pi * (truth.index[104:].day_of_year + 3) / 365.25), rtol=0.01)  # fmt: skip
    assert not any("under a year" in n for n in demand.notes)


def test_the_band_holds_about_its_share_of_the_weeks():
    """5% weekly noise: the 90% band covers the next year's actual weeks in about 90%
    of them (at least 75% of 52: 3.5 standard errors below 90%), on three seeds."""
    for seed in (1, 2, 3):
        history, _ = _history(104, noise=0.05, seed=seed)
        _, truth = _history(156, noise=0.05, seed=seed)
        demand = forecast_weeks(history, 52)
        actual = truth.iloc[104:].to_numpy()
        inside = (np.asarray(demand.calls_low) <= actual) & (
            actual <= np.asarray(demand.calls_high)
        )
        assert inside.mean() >= 0.75, (seed, inside.mean())
        width = np.log(np.asarray(demand.calls_high) / np.asarray(demand.calls_low))
        assert width[-1] > width[0]  # wider further out


def test_holidays_lower_their_weeks():
    """15% fewer calls in a week per US weekday holiday: with the country, the holiday
    weeks of the next year are forecast within 3% on average; without, further off."""
    history, _ = _history(104, holiday_dip=0.15)
    _, truth = _history(156, holiday_dip=0.15)
    with_days = forecast_weeks(history, 52, country="US")
    without = forecast_weeks(history, 52)
    starts = pd.DatetimeIndex(with_days.week_start)
    days = special_day_names(starts[0].date(), (starts[-1] + pd.Timedelta(days=6)).date(), "US")
    marked = np.zeros(52, dtype=bool)
    for d in days:
        if d.weekday() < 5:
            marked[(pd.Timestamp(d) - starts[0]).days // 7] = True
    actual = truth.iloc[104:].to_numpy()
    error_with = np.abs(np.asarray(with_days.calls) / actual - 1)[marked].mean()
    error_without = np.abs(np.asarray(without.calls) / actual - 1)[marked].mean()
    assert marked.sum() >= 8 and error_with < 0.03 and error_without > 2 * error_with


def test_under_a_year_says_what_it_cannot_know():
    history, _ = _history(20)
    demand = forecast_weeks(history, 30)
    assert any("under a year" in n for n in demand.notes)
    assert any("last 13 weeks" in n for n in demand.notes)
    with pytest.raises(InputError, match="at least 4 whole weeks"):
        forecast_weeks(_history(3)[0], 10)
