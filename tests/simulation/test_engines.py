"""The two simulation engines: hand-checked days, and agreement on random ones."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from planner.simulation.day import Callers, Day
from planner.simulation.engines import run_fast, run_simpy
from planner.simulation.outcomes import outcome_codes, period_totals

INF = math.inf
ENGINES = pytest.mark.parametrize("run", [run_fast, run_simpy], ids=["fast", "simpy"])


def make(bounds, agents, arrival, handle, patience=None, serve_queue=False):
    arrival = np.asarray(arrival, dtype=float)
    patience = np.full(arrival.size, INF) if patience is None else np.asarray(patience, float)
    bounds = np.asarray(bounds, dtype=float)
    period = np.searchsorted(bounds, arrival, side="right") - 1
    callers = Callers(arrival, np.asarray(handle, float), arrival + patience, period)
    return callers, Day(bounds, np.asarray(agents, dtype=np.int64), 0, serve_queue)


@ENGINES
def test_fcfs_with_two_agents(run):
    callers, day = make([0, 100], [2], [0, 1, 2, 3], [10, 10, 10, 1])
    assert run(callers, day).start.tolist() == [0, 1, 10, 11]


@ENGINES
def test_busy_agents_finish_their_call_when_staffing_drops(run):
    # Two agents busy until 15 and 16; from 10 one is on duty. Of the two ranked
    # by the end of their call, rank floor(1/2 * 2 / 1) = 1 goes off duty: it
    # finishes its call (overtime 10 to 16), and the caller at 12 is answered
    # by the one who stays, at 15.
    callers, day = make([0, 10, 30], [2, 1], [0, 1, 12], [15, 15, 5])
    answers = run(callers, day)
    assert answers.start.tolist() == [0, 1, 15]
    assert answers.overtime.tolist() == [[10, 16]]


@ENGINES
def test_idle_and_busy_agents_leave_in_proportion(run):
    # Four on duty at 10: two idle, busy until 14 and 18. Two go off duty:
    # ranks 1 (idle) and 3 (busy until 18). The caller at 11 takes the idle one
    # who stays, who is free again for the caller at 12.
    callers, day = make([0, 10, 30], [4, 2], [0, 1, 11, 12], [14, 17, 1, 1])
    answers = run(callers, day)
    assert answers.start.tolist() == [0, 1, 11, 12]
    assert answers.overtime.tolist() == [[10, 18]]


def test_leaving_ranks_are_spread_evenly():
    from planner.simulation.engines import leaving_ranks

    assert leaving_ranks(10, 1) == [5]
    assert leaving_ranks(10, 2) == [2, 7]
    assert leaving_ranks(5, 5) == [0, 1, 2, 3, 4]
    for n in range(1, 40):
        for d in range(1, n + 1):
            ranks = leaving_ranks(n, d)
            assert len(set(ranks)) == d and min(ranks) >= 0 and max(ranks) < n


@ENGINES
def test_new_agents_answer_the_queue_at_the_boundary(run):
    callers, day = make([0, 10, 20], [1, 2], [0, 5, 6], [100, 1, 1])
    assert run(callers, day).start.tolist() == [0, 10, 11]


@ENGINES
def test_nobody_on_duty_means_waiting_for_the_next_interval(run):
    callers, day = make([0, 10, 20, 30], [1, 0, 1], [1, 12, 13], [20, 1, 1])
    # caller 0's agent goes off duty at 10 and finishes the call (to 21);
    # nobody is answered in [10, 20); the agent on duty from 20 answers both.
    answers = run(callers, day)
    assert answers.start.tolist() == [1, 20, 21]
    assert answers.overtime.tolist() == [[10, 21]]


@ENGINES
def test_abandoned_callers_do_not_hold_their_place(run):
    callers, day = make([0, 100], [1], [0, 1, 2], [10, 5, 5], patience=[50, 5, 50])
    start = run(callers, day).start
    assert start.tolist() == [0, INF, 10]
    assert outcome_codes(callers, start, day).tolist() == [0, 1, 0]


@ENGINES
def test_a_caller_answered_exactly_at_the_deadline_is_answered(run):
    callers, day = make([0, 100], [1], [0, 5], [10, 1], patience=[50, 5])
    assert run(callers, day).start.tolist() == [0, 10]


@ENGINES
def test_callers_left_waiting_at_the_end_of_the_day(run):
    callers, day = make([0, 10], [1], [0, 1, 2], [20, 1, 1], patience=[50, 5, 50])
    start = run(callers, day).start
    assert start.tolist() == [0, INF, INF]
    # caller 1 hung up at 6; caller 2 (gives_up_at 52) was still waiting at 10
    assert outcome_codes(callers, start, day).tolist() == [0, 1, 2]


@ENGINES
def test_last_agents_answer_the_queue_after_the_day_when_asked(run):
    callers, day = make([0, 10], [1], [0, 1, 2], [20, 1, 1], [50, 5, 50], serve_queue=True)
    start = run(callers, day).start
    assert start.tolist() == [0, INF, 20]
    assert outcome_codes(callers, start, day).tolist() == [0, 1, 0]
    # callers who would wait past their patience still hang up after the day
    callers, day = make([0, 10], [1], [0, 9], [20, 1], [50, 5], serve_queue=True)
    start = run(callers, day).start
    assert outcome_codes(callers, start, day).tolist() == [0, 1]


@ENGINES
def test_no_agents_all_day(run):
    callers, day = make([0, 10, 20], [0, 0], [1, 2, 15], [1, 1, 1], patience=[3, 30, 3])
    start = run(callers, day).start
    assert np.isinf(start).all()
    assert outcome_codes(callers, start, day).tolist() == [1, 2, 1]


def test_totals_of_a_hand_checked_day():
    # One agent; intervals [0, 10) and [10, 20). Calls: 0-6, 2-8 (waited 4), 3 hangs up at 5.
    callers, day = make([0, 10, 20], [1, 1], [0, 2, 3], [6, 2, 9], patience=[9, 9, 2])
    answers = run_fast(callers, day)
    t = period_totals(callers, answers.start, answers.overtime, day, answer_time=3)
    assert t["calls"].tolist() == [3, 0]
    assert t["answered"].tolist() == [2, 0]
    assert t["abandoned"].tolist() == [1, 0]
    assert t["waited"].tolist() == [2, 0]
    assert t["answered_within"].tolist() == [1, 0]  # waits 0 and 4
    assert t["abandoned_within"].tolist() == [1, 0]  # hung up after 2 s
    assert t["answered_wait"].tolist() == [4, 0]
    assert t["busy_time"].tolist() == [8, 0]
    assert t["staffed_time"].tolist() == [10, 10]
    assert t["queue_time"].tolist() == [6, 0]  # 2 to 6 for caller 2, 3 to 5 for caller 3
    assert t["max_queue"].tolist() == [2, 0]


def test_staffed_time_counts_agents_finishing_calls_after_their_shift():
    callers, day = make([0, 10, 20], [2, 0], [0, 1], [15, 12])
    answers = run_fast(callers, day)
    t = period_totals(callers, answers.start, answers.overtime, day, answer_time=20)
    assert t["busy_time"].tolist() == [19, 8]  # 15 + 13 - 9 in the first, 5 + 3 in the second
    assert t["staffed_time"].tolist() == [20, 8]


times = st.integers(0, 40).map(lambda x: x / 2)  # on a half-second grid: many ties


@st.composite
def days(draw):
    periods = draw(st.integers(1, 4))
    length = draw(st.sampled_from([5.0, 10.0]))
    agents = draw(st.lists(st.integers(0, 3), min_size=periods, max_size=periods))
    n = draw(st.integers(0, 30))
    arrival = sorted(draw(st.lists(times, min_size=n, max_size=n)))
    handle = draw(st.lists(times.filter(lambda x: x > 0), min_size=n, max_size=n))
    patience = draw(st.lists(st.one_of(times, st.just(INF)), min_size=n, max_size=n))
    bounds = length * np.arange(periods + 1)
    arrival = [min(a, bounds[-1] - 0.5) for a in arrival]
    return make(bounds, agents, arrival, handle, patience, draw(st.booleans()))


@given(days())
def test_engines_agree_on_every_caller_even_with_ties(case):
    callers, day = case
    fast, simpy = run_fast(callers, day), run_simpy(callers, day)
    np.testing.assert_array_equal(fast.start, simpy.start)
    np.testing.assert_array_equal(np.sort(fast.overtime, axis=0), np.sort(simpy.overtime, axis=0))


@given(days())
def test_every_answer_respects_the_rules(case):
    callers, day = case
    answers = run_fast(callers, day)
    start = answers.start
    answered = np.isfinite(start)
    assert (start[answered] >= callers.arrival[answered]).all()
    assert (start[answered] <= callers.gives_up_at[answered]).all()
    if not day.serve_queue:
        assert (start[answered] < day.end).all()
    # FCFS: answer times rise with arrival order
    assert (np.diff(start[answered]) >= 0).all()
    # never more agents busy than on duty (plus those finishing off duty) when answering
    ends = start[answered] + callers.handle[answered]
    late = answers.overtime
    for s in start[answered]:
        busy = np.sum((start[answered] <= s) & (ends > s))
        off_duty = np.sum((late[:, 0] <= s) & (late[:, 1] > s))
        p = np.searchsorted(day.bounds, s, side="right") - 1
        assert busy - off_duty <= (day.agents[p] if p < day.periods else day.after)


@given(days(), st.integers(0, 3), st.sampled_from([0.0, 2.0, 5.0]))
def test_compiled_totals_equal_the_plain_numpy_reference(case, lo, answer_time):
    """The compiled one-pass totals against the numpy reference they replaced
    (tests/simulation/reference_totals.py), over the whole day and over a later window."""
    from reference_totals import reference_totals

    callers, day = case
    answers = run_fast(callers, day)
    lo = min(lo, day.periods - 1)
    for window in ((0, None), (lo, None)):
        got = period_totals(callers, answers.start, answers.overtime, day, answer_time, *window)
        want = reference_totals(callers, answers.start, answers.overtime, day, answer_time,
                                *window)  # fmt: skip
        assert set(got) == set(want)
        for name in want:
            np.testing.assert_allclose(got[name], want[name], rtol=1e-9, atol=1e-9, err_msg=name)
