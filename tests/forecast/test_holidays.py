"""Holidays as the center keeps them: learned per holiday, unseen ones ordinary, the
center's calendar over both."""

import io
import re

import numpy as np
import pandas as pd
import pytest

from planner import InputError, forecast, read_history
from planner.calendars import SpecialDay, read_calendar
from planner.sample import generate_history

LABOR_DAY_2026 = pd.Timestamp("2026-09-07")


@pytest.fixture(scope="module")
def kept_open():
    """64 weeks of hourly history: US holidays closed, except Labor Day (open, 30% busier
    than a Monday) and Columbus Day (open, an ordinary Monday); no noise beyond Poisson
    but 3% a day, so a day's figure is good to a few percent."""
    frame = generate_history(
        start="2025-06-02", weeks=64, interval=3600, day_cv=0.03, trend=0.0,
        holiday_factor=0.0, after_holiday_factor=1.0,
        holiday_volumes={"Labor Day": 1.3, "Columbus Day": 1.0}, seed=8,
    )  # fmt: skip
    return read_history(frame)


def _monday_after(model: forecast.FittedForecast, day: pd.Timestamp) -> float:
    daily = model.daily_forecast("30d")["mean"]
    return float(daily[day] / daily[day + pd.Timedelta(weeks=1)])


def test_a_holiday_learned_as_open_and_busier(kept_open):
    model = forecast.fit(kept_open, country="US")
    # Labor Day 2025 had 1.3 x a Monday: Labor Day 2026 is forecast so, with the weekday's
    # profile (busier, not a quiet holiday) and said; 3% day noise on each of the days
    # behind the figure keeps it within 0.1
    assert _monday_after(model, LABOR_DAY_2026) == pytest.approx(1.3, abs=0.1)
    assert (
        model._base.open_slots(LABOR_DAY_2026).sum()
        == model._base.open_slots(LABOR_DAY_2026 + pd.Timedelta(weeks=1)).sum()
    )
    notes = model.notes("30d")
    assert any(
        "Labor Day" in n and "as the history shows it last time (busier on 01 Sep 2025" in n
        for n in notes
    ), notes
    # Columbus Day 2025 was an ordinary Monday: it stays one, in the windows and ahead
    assert model.holidays.loc["Columbus Day", "kind"] == "normal"
    assert model.holidays.loc["Memorial Day", "kind"] == "closed"


def test_an_unseen_holiday_is_an_ordinary_day_with_a_warning():
    # 19 weeks from January: no Memorial Day in the history. The old rule (the median
    # of the history's special days, all closed) forecast it at 0 calls.
    h = read_history(generate_history(weeks=19, holiday_factor=0.0, seed=2))
    model = forecast.fit(h, country="US")
    memorial = pd.Timestamp("2026-05-25")
    daily = model.daily_forecast("21d")["mean"]
    assert daily[memorial] == pytest.approx(daily[memorial + pd.Timedelta(weeks=1)], rel=0.05)
    warning = [n for n in model.notes("21d") if "Memorial Day" in n]
    assert len(warning) == 1 and "warning: no Memorial Day in the history" in warning[0]
    assert "ordinary day" in warning[0] and "calendar" in warning[0]
    # the center's calendar says it closes: closed, and said so
    closed = forecast.fit(h, country="US", calendar={memorial.date(): "closed"})
    assert closed.daily_forecast("21d")["mean"][memorial] == 0
    assert any("closed, as your calendar says" in n for n in closed.notes("21d"))


def test_the_calendar_overrides_what_the_history_learned(kept_open, tmp_path):
    csv = tmp_path / "calendar.csv"
    csv.write_text("date,name,volume\n2026-09-07,Labor Day,closed\n2026-09-14,Fair,1.5\n")
    model = forecast.fit(kept_open, country="US", calendar=csv)
    daily = model.daily_forecast("30d")["mean"]
    assert daily[LABOR_DAY_2026] == 0
    fair = pd.Timestamp("2026-09-14")
    assert daily[fair] / daily[fair + pd.Timedelta(weeks=1)] == pytest.approx(1.5, rel=1e-9)
    assert model.day_names[fair.date()] == "Fair"
    toml = tmp_path / "calendar.toml"
    toml.write_text('[[day]]\ndate = 2026-09-07\nvolume = "normal"\n')
    normal = forecast.fit(kept_open, country="US", calendar=toml)
    assert _monday_after(normal, LABOR_DAY_2026) == pytest.approx(1.0, abs=0.05)


def test_reading_calendars():
    text = "Date,Name,Volume\n2026-12-24,Christmas Eve,reduced 0.6\n2026-12-25,,closed\n"
    days = read_calendar(io.StringIO(text))
    assert days == {
        pd.Timestamp("2026-12-24").date(): SpecialDay("Christmas Eve", 0.6),
        pd.Timestamp("2026-12-25").date(): SpecialDay("special day", 0.0),
    }
    assert read_calendar({"2026-12-31": 1.2, "2027-01-02": None}) == {
        pd.Timestamp("2026-12-31").date(): SpecialDay(volume=1.2),
        pd.Timestamp("2027-01-02").date(): SpecialDay(volume=None),
    }
    for bad, said in (
        ("date,volume\n2026-12-24,lots\n", "line 2: volume must be 'closed', 'normal'"),
        ("date,volume\n24/13/2026,closed\n", "line 2: 'date' must be a date"),
        ("date,volume\n2026-12-24,-1\n", "line 2: volume must be 'closed'"),
        ("day,volume\n2026-12-24,1\n", "line 1: no 'date' column"),
        ("date,volume\n2026-12-24,1\n2026-12-24,0\n", "line 3: 2026-12-24 is listed twice"),
        ("date,volume,why\n2026-12-24,1,x\n", "line 2: unknown key(s) ['why']"),
    ):
        with pytest.raises(InputError, match=re.escape(said)):
            read_calendar(io.StringIO(bad))
    stream = io.StringIO("[[day]]\ndate = 2026-12-24\nfactor = 0\n")
    stream.name = "mine.toml"
    with pytest.raises(InputError, match=r"mine.toml: \[\[day\]\] number 1: unknown key"):
        read_calendar(stream)


def test_plain_baselines_are_the_spreadsheets_beside_the_holiday_aware_ones():
    # Presidents' Day (Mon 16 Feb) is open at 30% of a Monday. A spreadsheet's "same day
    # last week" forecasts Mon 23 Feb from it; the holiday-aware baseline from 9 Feb.
    frame = generate_history(weeks=8, seed=6)
    h = read_history(frame)
    h = h.__class__(
        h.frame[h.frame.index < pd.Timestamp("2026-03-02")], h.interval, h.filled,
        h.missing_days, h.notes,
    )  # fmt: skip
    result = forecast.backtest(h, horizon=7, folds=1, country="US")
    fold = result.loc[1]
    stamps = pd.DatetimeIndex(h.frame.index)
    table = h.frame["calls"].groupby([stamps.normalize(), stamps - stamps.normalize()]).sum()
    table = table.unstack(fill_value=0.0)  # days x time of day, every slot any day has
    actual, plain = [], []
    for d in pd.date_range("2026-02-23", "2026-02-28"):
        actual.append(table.loc[d].to_numpy())
        plain.append(table.loc[d - pd.Timedelta(weeks=1)].to_numpy())
    a, f = np.concatenate(actual), np.concatenate(plain)
    assert fold["naive_wape"] == pytest.approx(np.abs(f - a).sum() / a.sum(), rel=1e-12)
    assert fold["naive_aware_wape"] < fold["naive_wape"]
