"""Call-level logs: recognised, aggregated to the intervals a known process gave, and
time stamps without a date refused."""

import io

import numpy as np
import pandas as pd
import pytest

from planner import InputError, forecast, read_history
from planner.calls import read_calls
from planner.io import is_call_log
from planner.sample import generate_calls, generate_history


@pytest.fixture(scope="module")
def known():
    """Five weeks of interval history, and a call log drawn to have exactly its totals."""
    intervals = generate_history(weeks=5, seed=12)
    return intervals, generate_calls(intervals, seed=12)


def test_a_call_log_aggregates_to_the_known_interval_totals(known):
    intervals, log = known
    truth = read_history(intervals).frame
    text = log.to_csv(index=False)
    history = read_history(io.StringIO(text), name="calls.csv")
    assert history.notes[0].startswith(f"a call-level log: {len(log):,} calls, counted in 30-")
    assert "one row per call, not per interval" in history.notes[0]
    got = history.frame.reindex(truth.index)
    for column in ("calls", "handled", "abandoned", "answered_within"):
        np.testing.assert_array_equal(got[column].to_numpy(), truth[column].to_numpy())
    # AHT: the mean talk time of the interval's answered calls, which the log's talk times
    # were scaled to (printed to full precision)
    np.testing.assert_allclose(got["aht"], truth["aht"], rtol=1e-12)
    assert history.interval == 1800
    # intervals inside a day with no calls are there, with 0; none outside the log's days
    assert len(history.frame) == len(truth)


def test_queues_are_read_one_at_a_time_or_together(known):
    _, log = known
    calls = read_calls(log)
    assert sorted(calls.queues) == ["cards", "loans"]
    cards = calls.history("cards").frame
    loans = calls.history("loans").frame
    total = calls.history().frame
    both = cards["calls"].add(loans["calls"], fill_value=0).reindex(total.index, fill_value=0)
    np.testing.assert_array_equal(both.to_numpy(), total["calls"].to_numpy())
    assert any("2 queues added together" in n for n in calls.history().notes)
    assert (log["Queue"] == "cards").sum() == cards["calls"].sum()
    with pytest.raises(InputError, match="queue 'fraud' is not in the log"):
        calls.history("fraud")
    fifteen = read_calls(log, interval=900).history()
    assert fifteen.interval == 900 and fifteen.frame["calls"].sum() == len(log)


def test_a_call_log_forecasts_like_its_interval_report(known):
    intervals, log = known
    by_calls = forecast.fit(read_history(log), country="US", folds=1)
    by_report = forecast.fit(read_history(intervals), country="US", folds=1)
    np.testing.assert_allclose(
        by_calls.forecast(7)["calls"], by_report.forecast(7)["calls"], rtol=1e-9
    )


def test_date_and_time_in_two_columns_are_joined():
    text = (
        "Date,Time,Queue,Wait,Talk,Hold,Wrap,Status\n"
        "2026-03-02,08:03:10,cards,12,200,10,30,Answered\n"
        "2026-03-02,08:20:00,cards,95,,,,Abandoned\n"
        "2026-03-03,9:41 AM,loans,25,300,0,0,Handled\n"
    )
    history = read_history(io.StringIO(text))
    frame = history.frame
    assert "'Date' and 'Time' joined" in history.notes[0]
    assert frame.loc["2026-03-02 08:00", "calls"] == 2
    assert frame.loc["2026-03-02 08:00", "aht"] == 240  # talk + hold + wrap
    assert frame.loc["2026-03-03 09:30", "answered_within"] == 0  # waited 25 s > 20 s
    # an interval report with a date column and a time column likewise
    report = read_history(
        io.StringIO("Date,Interval,Offered,AHT\n2026-03-02,08:00,10,200\n2026-03-02,08:30,12,210\n")
    )
    assert list(report.frame.index) == [pd.Timestamp("2026-03-02 08:00"),
                                        pd.Timestamp("2026-03-02 08:30")]  # fmt: skip


def test_times_without_a_date_are_refused():
    with pytest.raises(InputError, match=r"line 3: column 'Time' has a time without a date: "
                       r"'08:20:00'\. Add the date"):  # fmt: skip
        read_history(io.StringIO("Time,Wait,Talk\n2026-03-02 08:03,1,100\n08:20:00,3,90\n"))
    with pytest.raises(InputError, match=r"line 2: column 'Interval' has a time without a date"):
        read_history(io.StringIO("Interval,Offered,AHT\n08:00,10,200\n08:30,12,210\n"))


def test_outcomes_and_flags():
    text = "Start,Wait,Abandoned\n2026-03-02 08:01,5,no\n2026-03-02 08:02,40,yes\n"
    log = read_calls(io.StringIO(text))
    assert log.calls["outcome"].tolist() == ["answered", "abandoned"]
    with pytest.raises(InputError, match="line 2: column 'Outcome': 'voicemail' is neither"):
        read_calls(io.StringIO("Start,Outcome\n2026-03-02 08:01,voicemail\n"))
    # no talk time anywhere: an AHT must be given
    with pytest.raises(InputError, match="no talk or handle time for any answered call"):
        read_history(io.StringIO(text))
    assert read_history(io.StringIO(text), aht=240).frame["aht"].iloc[0] == 240
    assert is_call_log(["Call Start", "Queue", "Talk Time"])
    assert not is_call_log(["Interval", "Offered", "AHT"])
    with pytest.raises(InputError, match="'queue' picks a queue of a call-level log"):
        read_history(io.StringIO("Interval,Offered,AHT\n2026-03-02 08:00,1,2\n"), queue="x")
