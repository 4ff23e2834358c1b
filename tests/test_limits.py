"""Work a model cannot finish in minutes is refused up front, with the limit named;
a limit that never binds is solved as none. Each case once hung or ran out of memory."""

from __future__ import annotations

import numpy as np
import pytest

import planner
from planner.deferred_work import MAX_WORK
from planner.errors import InputError


def test_lines_the_queue_never_reaches_are_no_limit():
    many = planner.erlang_x(14, 10.0, 180, 120, lines=10**8)
    none = planner.erlang_x(14, 10.0, 180, 120)
    assert float(many.service_level) == pytest.approx(float(none.service_level), abs=1e-12)
    assert float(many.blocking) == 0.0
    # just above the threshold, where the finite chain is still solved: the same answer
    near = planner.erlang_x(14, 10.0, 180, 120, lines=9_000)
    assert float(near.service_level) == pytest.approx(float(none.service_level), abs=1e-9)


def test_lines_that_fill_up_past_the_chain_limit_are_refused():
    # callers who never hang up, on fewer agents than the load: the lines fill
    with pytest.raises(InputError, match="at most 2,000,000 lines"):
        planner.erlang_x(5, 10.0, 180, np.inf, lines=10**7)


def test_handle_times_far_too_short_are_refused_not_allocated():
    with pytest.raises(InputError, match="handle times are in seconds"):
        planner.chat(5, 240, [180, 1e-9], 3600)


def test_deferred_work_too_large_to_solve_is_refused_with_its_size():
    with pytest.raises(InputError, match="too many for the exact backlog model") as err:
        planner.required_deferred_agents([15_000], 300, 1800, 3600, 0.9)
    assert f"{MAX_WORK:.2g}" in str(err.value)
    # the retail bank's calls as items stay well inside the limit
    bank = planner.Scenario.load("scenarios/retail_bank.toml")
    work = planner.deferred_work.check_work(
        bank.calls, float(np.mean(bank.aht)), bank.interval, 4 * 3600.0, None, "business", 10
    )
    assert work.work() < MAX_WORK / 2
    # a week of 15,800 emails with a 4 h deadline (the bench's; staffed in about 11 s) is not
    # refused: the limit once stopped it, and `make bench` with it
    quarter = np.arange(96) / 4
    weekday, hour = np.repeat(np.arange(7), 96), np.tile(quarter, 7)
    weekdays = (weekday < 5) & (hour >= 8) & (hour < 18)
    open_ = weekdays | ((weekday == 5) & (hour >= 9) & (hour < 13))
    items = np.tile(8 + 60 * np.exp(-(((quarter - 12.5) / 3.5) ** 2)), 7)
    week = planner.deferred_work.check_work(items, 480.0, 900.0, 4 * 3600.0, open_, "business", 4)
    assert round(items.sum()) == 15_798 and week.work() < MAX_WORK / 2


def test_replications_past_the_callers_limit_are_refused():
    with pytest.raises(InputError, match="callers to simulate, at most 2,000,000,000"):
        planner.simulate(
            {"calls": [100.0] * 4, "aht": [180.0] * 4},
            [14] * 4,
            interval=1800,
            replications=10**9,
        )


def test_more_sweep_workers_than_the_machine_can_run_are_refused():
    bank = planner.Scenario.load("scenarios/retail_bank.toml")
    with pytest.raises(InputError, match="'workers' must be at most"):
        planner.sweep(bank, [{}], workers=100_000)


def test_a_gap_past_100_percent_is_refused():
    bank = planner.Scenario.load("scenarios/retail_bank.toml")
    with pytest.raises(InputError, match="'mip_gap' must be in \\(0, 1\\]"):
        bank.schedule(mip_gap=2)
