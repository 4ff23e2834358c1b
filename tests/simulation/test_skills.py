"""Many call types and agent groups: routing, and the cases it must reduce to exactly."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import planner
from planner.errors import InputError
from planner.simulation.day import Callers, Day, draw_callers
from planner.simulation.distributions import Exponential, Lognormal
from planner.simulation.engines import run_fast
from planner.simulation.outcomes import keyed_totals, period_totals
from planner.simulation.skills import AgentGroup, CallType, Center, Merged, simulate_center
from planner.simulation.skills_engine import merge_order

INTERVAL = 1800.0


def _day(agents, serve_queue=True) -> Day:
    agents = np.asarray(agents, dtype=np.int64)
    return Day(INTERVAL * np.arange(agents.size + 1.0), agents, 0, serve_queue)


def _callers(day: Day, calls, aht, patience, seed) -> Callers:
    return draw_callers(
        day, np.asarray(calls, dtype=float), np.asarray(aht, dtype=float), Exponential(1.0),
        patience, 0.0, np.random.SeedSequence(seed),
    )  # fmt: skip


def _run(
    types: list[Callers], groups: list[np.ndarray], rank, serve_queue=True, factor=None,
    delay=None, engine="fast",
):  # fmt: skip
    """The skills engine on call types' callers (merged in arrival order) and groups'
    staffing; returns answer times and groups in each type's own order, and overtime."""
    merged = Merged.of(types)
    periods = groups[0].size
    rank = np.asarray(rank, dtype=np.int64)
    agents = np.column_stack(
        [np.stack(groups), np.stack(groups)[:, -1] if serve_queue else np.zeros(len(groups))]
    ).astype(np.int64)
    routes = np.full((len(types), len(groups)), -1, dtype=np.int64)
    for q in range(len(types)):
        mine = sorted(
            (g for g in range(len(groups)) if rank[g, q] >= 0), key=lambda g: (rank[g, q], g)
        )
        routes[q, : len(mine)] = mine
    factor = np.ones((len(types), len(groups), periods)) if factor is None else factor
    delay = np.zeros(rank.shape) if delay is None else np.asarray(delay, dtype=float)
    bounds = INTERVAL * np.arange(periods + 1.0)
    start, by, over = merged.run(engine, factor, bounds, agents, rank, routes, delay)
    back = np.empty_like(merged.order)
    back[merged.order] = np.arange(merged.order.size)
    return start[back], by[back], over[over[:, 0] < bounds[-1]]


@pytest.mark.parametrize("serve_queue", [True, False])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_one_type_and_one_group_is_the_fast_engine_call_for_call(seed, serve_queue):
    """Staffing that rises and drops, callers who hang up: every answer time and every
    overtime row is the fast engine's."""
    rng = np.random.default_rng(seed)
    agents = rng.integers(3, 14, 12)
    agents[5] = 0  # nobody on duty for an interval
    day = _day(agents, serve_queue)
    calls = rng.uniform(20, 80, 12)
    callers = _callers(day, calls, rng.uniform(150, 300, 12), Exponential(200.0), seed)
    fast = run_fast(callers, day)
    start, by, over = _run([callers], [agents], [[0]], serve_queue)
    np.testing.assert_array_equal(start, fast.start)
    assert set(by[np.isfinite(start)]) <= {0} and (by[~np.isfinite(start)] == -1).all()
    np.testing.assert_array_equal(np.sort(over[:, 1]), np.sort(fast.overtime[:, 1]))
    assert (over[:, 0] == np.sort(over[:, 0])).all() or over.size == 0


def test_two_types_and_one_group_of_every_skill_are_one_pooled_queue():
    """Both types at the same priority (the longest wait first) on one group of
    generalists: first come, first served over both, as one queue of all the calls."""
    day = _day([9, 12, 12, 8, 10, 6])
    a = _callers(day, [30, 50, 40, 40, 30, 20], [240] * 6, Exponential(180.0), 11)
    b = _callers(day, [20, 30, 35, 30, 20, 10], [240] * 6, Exponential(180.0), 12)
    start, _, _ = _run([a, b], [day.agents], [[0, 0]])
    order = np.argsort(np.concatenate([a.arrival, b.arrival]), kind="stable")
    pooled = Callers(*(np.concatenate([getattr(a, n), getattr(b, n)])[order]
                       for n in ("arrival", "handle", "gives_up_at", "period")))  # fmt: skip
    fast = run_fast(pooled, day)
    np.testing.assert_array_equal(start[order], fast.start)


def test_two_types_with_their_own_groups_are_two_independent_queues():
    rng = np.random.default_rng(5)
    days = [_day(rng.integers(4, 12, 8)), _day(rng.integers(2, 8, 8))]
    a = _callers(days[0], rng.uniform(30, 60, 8), [200] * 8, Exponential(150.0), 21)
    b = _callers(days[1], rng.uniform(10, 30, 8), [320] * 8, Lognormal(240.0, 1.0), 22)
    start, by, _ = _run([a, b], [days[0].agents, days[1].agents], [[0, -1], [-1, 0]])
    n = len(a)
    np.testing.assert_array_equal(start[:n], run_fast(a, days[0]).start)
    np.testing.assert_array_equal(start[n:], run_fast(b, days[1]).start)
    assert set(by[:n][np.isfinite(start[:n])]) == {0}
    assert set(by[n:][np.isfinite(start[n:])]) == {1}


def _hand(arrival, handle, queue_of):
    """Callers given by hand (no one hangs up), split by type."""
    out = []
    for q in sorted(set(queue_of)):
        idx = [i for i, k in enumerate(queue_of) if k == q]
        out.append(
            Callers(
                np.array([arrival[i] for i in idx], dtype=float),
                np.array([handle[i] for i in idx], dtype=float),
                np.full(len(idx), np.inf),
                np.zeros(len(idx), dtype=np.int64),
            )
        )
    return out  # fmt: skip


def test_a_freed_agent_takes_the_type_it_ranks_first_then_the_longest_wait():
    # one agent, A first then B: A at 0 (busy until 100), B at 10, A at 20 -> A at 100
    types = _hand([0.0, 10.0, 20.0], [100.0, 50.0, 30.0], [0, 1, 0])
    start, _, _ = _run(types, [np.array([1])], [[0, 1]])
    assert start.tolist() == [0.0, 100.0, 130.0]  # A's two calls, then B's
    # the same ranks for both: the longest wait, B
    start, _, _ = _run(types, [np.array([1])], [[0, 0]])
    assert start.tolist() == [0.0, 150.0, 100.0]


def test_a_call_goes_to_the_group_that_ranks_it_first_then_the_longest_idle_agent():
    # A's specialists rank A 0, the generalists rank it 1: an A call at 10 goes to a
    # specialist although a generalist has been idle longer (from 0)
    types = _hand([10.0, 20.0, 30.0], [500.0, 500.0, 500.0], [0, 0, 0])
    start, by, _ = _run(types, [np.array([1]), np.array([2])], [[0], [1]])
    assert start.tolist() == [10.0, 20.0, 30.0] and by.tolist() == [0, 1, 1]


def test_a_group_with_its_own_handle_time():
    # the generalists take 1.5 times as long on A
    types = _hand([0.0, 1.0], [100.0, 100.0], [0, 0])
    factor = np.array([[[1.0], [1.5]]])
    start, by, _ = _run(types, [np.array([1]), np.array([1])], [[0], [1]], factor=factor)
    assert by.tolist() == [0, 1] and start.tolist() == [0.0, 1.0]


def _center(**kw) -> Center:
    desk = [40.0, 60.0, 55.0, 30.0]
    return Center(
        call_types=(
            CallType("cards", tuple(desk), 240.0, patience=180.0, **kw),
            CallType("loans", tuple(x / 2 for x in desk), (300.0, 300.0, 320.0, 320.0),
                     patience=Lognormal(200.0, 1.0)),
        ),
        groups=(
            AgentGroup("cards team", ["cards"], (5, 7, 7, 4)),
            AgentGroup("loans team", ["loans"], 3),
            AgentGroup("generalists", {"loans": 0, "cards": 1}, (2, 3, 3, 2),
                       aht={"cards": 270.0}, cost_per_hour=30.0, overflow_after={"cards": 20.0}),
        ),
        interval=INTERVAL,
    )  # fmt: skip


def test_one_type_and_one_group_is_simulate_for_every_figure():
    calls, aht = [40.0, 60.0, 55.0, 30.0], [240.0, 260.0, 250.0, 240.0]
    plan = [6, 9, 8, 4]
    center = Center((CallType("calls", tuple(calls), tuple(aht), patience=150.0),),
                    (AgentGroup("agents", ["calls"], tuple(plan)),), INTERVAL)  # fmt: skip
    got = simulate_center(center, replications=8, seed=3)
    want = planner.simulate({"calls": calls, "aht": aht}, plan, interval=INTERVAL, patience=150.0,
                            replications=8, seed=3, answer_time=20.0)  # fmt: skip
    mine = got.call_types["calls"]
    for metric in ("calls", "answered", "abandoned", "service_level", "asa", "abandon_rate",
                   "p_wait", "mean_queue", "max_queue"):  # fmt: skip
        np.testing.assert_array_equal(mine.per_interval[metric], want.per_interval[metric])
        np.testing.assert_array_equal(mine.per_day[metric], want.per_day[metric])
    team = got.groups["agents"]
    np.testing.assert_array_equal(team.per_interval["occupancy"], want.per_interval["occupancy"])
    assert got.routing.loc["calls", "agents"] == pytest.approx(want.per_day["answered"].mean())


def test_a_center_reports_each_type_and_group_and_who_answered_what():
    center = _center()
    res = simulate_center(center, replications=6, seed=9)
    assert set(res.call_types) == {"cards", "loans"} and len(res.groups) == 3
    # a group copied with dataclasses.replace keeps its skills and priorities
    copy = dataclasses.replace(center.groups[2], agents=4)
    assert copy.skills == center.groups[2].skills and copy.agents == 4
    # every answered call is in the routing matrix, and only groups with the skill answer
    answered = sum(r.per_day["answered"].mean() for r in res.call_types.values())
    assert res.routing.to_numpy().sum() == pytest.approx(answered)
    assert (
        res.routing.loc["loans", "cards team"] == 0 and res.routing.loc["cards", "loans team"] == 0
    )
    assert res.routing.loc["cards", "generalists"] > 0
    for name, result in res.groups.items():
        occ = result.per_interval["occupancy"]
        assert np.all((occ >= 0) & (occ <= 1)), name
    # the same seed, the same day; more generalists serve cards better (common callers)
    again = simulate_center(center, replications=6, seed=9)
    np.testing.assert_array_equal(again.call_types["cards"].per_day["service_level"],
                                  res.call_types["cards"].per_day["service_level"])  # fmt: skip
    more = Center(center.call_types, (*center.groups[:2], AgentGroup(
        "generalists", {"loans": 0, "cards": 1}, 6, aht={"cards": 270.0})), INTERVAL)  # fmt: skip
    better = simulate_center(more, replications=6, seed=9)
    np.testing.assert_array_equal(better.call_types["cards"].per_day["calls"],
                                  res.call_types["cards"].per_day["calls"])  # fmt: skip
    assert (better.call_types["cards"].day("service_level").mean
            > res.call_types["cards"].day("service_level").mean)  # fmt: skip


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda c: Center(c.call_types, (AgentGroup("x", ["fraud"], 2), *c.groups), INTERVAL),
         "'fraud' is not one of its call types"),
        (lambda c: Center(c.call_types, c.groups[:1], INTERVAL), "call type 'loans': no group"),
        (lambda c: Center(c.call_types, (*c.groups, c.groups[0]), INTERVAL),
         "two groups are named 'cards team'"),
        (lambda c: Center(c.call_types, (AgentGroup("short", ["cards"], (1, 2)), *c.groups),
                          INTERVAL), "group 'short': agents"),
        (lambda c: CallType("neg", (1.0, -2.0), 180.0), "neg"),
        (lambda c: AgentGroup("g", ["cards"], 3, aht={"cards": 0.0}), "aht of 'cards'"),
        (lambda c: AgentGroup("g", [], 3), "'skills' must name call types"),
        (lambda c: AgentGroup("g", ["a", "a"], 3), "named twice"),
        (lambda c: Center(c.call_types, (AgentGroup("x", ["cards"], 2, overflow_after={"loans": 5}),
                                         *c.groups), INTERVAL), "'loans' is not one of its"),
        (lambda c: Center(c.call_types[:1], (AgentGroup("x", ["cards"], 2,
                                                        overflow_after={"cards": 30}),), INTERVAL),
         "every group that takes it does so after a delay"),
    ],
)  # fmt: skip
def test_bad_centers_are_refused_naming_what_is_wrong(make, message):
    with pytest.raises(InputError, match=message):
        make(_center())


@pytest.mark.parametrize("serve_queue", [True, False])
@pytest.mark.parametrize("seed", range(8))
def test_both_engines_give_every_call_the_same_fate_on_random_centers(seed, serve_queue):
    """Random skills and priorities (ties too), overflow delays, staffing that rises and
    drops per group (to none at times), patience, handle times by group: the compiled
    loop and the SimPy event model agree on every answer time, group and overtime row."""
    rng = np.random.default_rng(100 + seed)
    n_types, n_groups, periods = int(rng.integers(2, 5)), int(rng.integers(2, 6)), 8
    skilled = rng.random((n_groups, n_types)) < 0.5
    rank = np.where(skilled, rng.integers(0, 3, (n_groups, n_types)), -1)
    delay = np.where(rng.random((n_groups, n_types)) < 0.4, rng.uniform(5, 120, rank.shape), 0.0)
    for q in range(n_types):  # every type taken by some group at once
        g = int(rng.integers(n_groups))
        rank[g, q], delay[g, q] = max(rank[g, q], 0), 0.0
    staffing = [rng.integers(0, 6, periods) for _ in range(n_groups)]
    day = _day(np.ones(periods, dtype=np.int64), serve_queue)
    types = [
        _callers(day, rng.uniform(5, 40, periods), rng.uniform(150, 400, periods),
                 Exponential(float(rng.uniform(60, 400))), 1000 * seed + q)
        for q in range(n_types)
    ]  # fmt: skip
    factor = rng.uniform(0.7, 1.5, (n_types, n_groups, periods))
    kw = {"serve_queue": serve_queue, "factor": factor, "delay": delay}
    start, by, over = _run(types, staffing, rank, **kw)
    s_start, s_by, s_over = _run(types, staffing, rank, **kw, engine="simpy")
    np.testing.assert_array_equal(s_start, start)
    np.testing.assert_array_equal(s_by, by)
    key = np.lexsort((over[:, 1], over[:, 0], over[:, 2]))
    s_key = np.lexsort((s_over[:, 1], s_over[:, 0], s_over[:, 2]))
    np.testing.assert_array_equal(s_over[s_key], over[key])
    # a real test: many calls answered, by several groups, and some hung up
    assert np.isfinite(start).sum() > 100 and len(set(by[by >= 0])) >= 2
    assert np.isinf(start).any()


def test_a_call_overflows_to_a_group_after_its_delay():
    # cards: one specialist (busy 0-100 on the first call); generalists take cards only
    # after 30 s. The second call (at 10) goes to an idle generalist at 40.
    types = _hand([0.0, 10.0], [100.0, 50.0], [0, 0])
    start, by, _ = _run(types, [np.array([1]), np.array([1])], [[0], [0]], delay=[[0.0], [30.0]])
    assert start.tolist() == [0.0, 40.0] and by.tolist() == [0, 1]
    # the generalist busy on its own type until 60: it takes the call then (waited 50 s)
    two = _hand([0.0, 10.0, 0.0], [100.0, 50.0, 60.0], [0, 0, 1])
    start, by, _ = _run(two, [np.array([1]), np.array([1])], [[0, -1], [0, 0]],
                        delay=[[0.0, 0.0], [30.0, 0.0]])  # fmt: skip
    assert start.tolist() == [0.0, 60.0, 0.0] and by.tolist() == [0, 1, 1]
    # the specialist frees first (at 100) when the delay is longer than the wait
    start, by, _ = _run(types, [np.array([1]), np.array([1])], [[0], [0]], delay=[[0.0], [95.0]])
    assert start.tolist() == [0.0, 100.0] and by.tolist() == [0, 0]


def test_an_overflow_delay_longer_than_the_day_is_no_skill():
    rng = np.random.default_rng(8)
    day = _day(np.ones(6, dtype=np.int64))
    types = [_callers(day, rng.uniform(20, 40, 6), [240] * 6, Exponential(120.0), 31),
             _callers(day, rng.uniform(5, 15, 6), [300] * 6, Exponential(120.0), 32)]  # fmt: skip
    staffing = [rng.integers(3, 8, 6), rng.integers(1, 4, 6)]
    never = _run(types, staffing, [[0, -1], [1, 0]], delay=[[0.0, 0.0], [1e9, 0.0]])
    without = _run(types, staffing, [[0, -1], [-1, 0]])
    np.testing.assert_array_equal(never[0], without[0])
    np.testing.assert_array_equal(never[1], without[1])
    # and with a short delay the generalists help: fewer cards callers hang up
    soon = _run(types, staffing, [[0, -1], [1, 0]], delay=[[0.0, 0.0], [20.0, 0.0]])
    n = len(types[0])
    assert np.isinf(soon[0][:n]).sum() < np.isinf(without[0][:n]).sum()


def test_simulate_center_on_either_engine_gives_the_same_figures():
    center = _center()
    fast = simulate_center(center, replications=3, seed=4)
    slow = simulate_center(center, replications=3, seed=4, engine="simpy")
    for name in fast.call_types:
        for metric in ("service_level", "asa", "abandon_rate", "answered"):
            np.testing.assert_array_equal(
                slow.call_types[name].per_interval[metric],
                fast.call_types[name].per_interval[metric],
            )
    for name in fast.groups:
        np.testing.assert_array_equal(
            slow.groups[name].per_interval["occupancy"], fast.groups[name].per_interval["occupancy"]
        )
    with pytest.raises(InputError, match="'engine' must be"):
        simulate_center(center, engine="numba")


def test_the_bounds_one_type_is_erlang_and_pooling_never_needs_more():
    from planner import staffing_bounds

    calls, aht = (40.0, 60.0, 0.0, 30.0), 240.0
    one = Center((CallType("calls", calls, aht, patience=150.0),),
                 (AgentGroup("agents", ["calls"], 1),), INTERVAL)  # fmt: skip
    table = staffing_bounds(one)
    want = planner.required_agents(calls, aht, INTERVAL, planner.Targets(),
                                   model=planner.ErlangA(patience=150.0))  # fmt: skip
    assert table["dedicated calls"].tolist() == table["pooled"].tolist() == list(want)
    assert table.attrs["agent_hours"]["pooled"] == planner.hours(want, INTERVAL)
    # two halves of that queue: dedicated needs more, pooled is the whole queue's
    half = tuple(c / 2 for c in calls)
    halves = (CallType("a", half, aht, patience=150.0), CallType("b", half, aht, patience=150.0))
    two = Center(halves, (AgentGroup("all", ["a", "b"], 1),), INTERVAL)
    split = staffing_bounds(two)
    assert split["pooled"].tolist() == list(want)
    assert (split["dedicated"] >= split["pooled"]).all() and (
        split["dedicated"] > split["pooled"]
    ).any()
    # the bank-like center: pooling never needs more, whatever the mix
    bounds = staffing_bounds(_center())
    assert (bounds["pooled"] <= bounds["dedicated"]).all()
    assert set(bounds.columns) == {"dedicated cards", "dedicated loans", "dedicated", "pooled"}


def test_a_center_staffed_in_simulation_meets_every_type_on_a_fresh_seed():
    """The staffing staff_center reports as met: simulated again on callers of another
    seed with more days, no call type is below its targets in any interval by more than
    its confidence interval allows; one type and one group lands on Erlang A or just
    above it (the confidence asked for)."""
    from planner import staff_center

    calls = (60.0,) * 6
    one = Center((CallType("calls", calls, 240.0, patience=180.0),),
                 (AgentGroup("agents", ["calls"], 1),), INTERVAL)  # fmt: skip
    found = staff_center(one, replications=40, seed=1)
    erlang = planner.required_agents(calls, 240.0, INTERVAL, planner.Targets(),
                                     model=planner.ErlangA(patience=180.0))  # fmt: skip
    got = found.agents["agents"].to_numpy()
    assert found.met and ((got >= erlang) & (got <= erlang + 2)).all()
    # an N-design: cards and loans specialists, generalists who take both
    center = Center(
        (CallType("cards", (50.0, 80.0, 70.0, 40.0), 240.0, patience=180.0),
         CallType("loans", (20.0, 30.0, 30.0, 15.0), 360.0, patience=240.0)),
        (AgentGroup("cards", ["cards"], 1), AgentGroup("loans", ["loans"], 1),
         AgentGroup("generalists", {"loans": 0, "cards": 1}, 1)),
        INTERVAL,
    )  # fmt: skip
    plan = staff_center(center, replications=30, seed=2)
    assert plan.met and plan.confidence.to_numpy().min() >= 0.95
    staffed = plan.applied(center)
    assert [g.agents for g in staffed.groups] == [
        tuple(int(x) for x in plan.agents[g.name]) for g in center.groups
    ]
    again = simulate_center(staffed, replications=200, seed=99)
    for name, result in again.call_types.items():
        _, high = result["service_level"].confidence_interval()
        assert (high >= 0.8).all(), name
        low, _ = result["abandon_rate"].confidence_interval()
        assert (low <= 0.10).all(), name
    assert plan.agent_hours == pytest.approx(planner.hours(plan.agents.to_numpy(), INTERVAL))
    with pytest.raises(InputError, match="occupancy is a group's figure"):
        capped = planner.Targets(max_occupancy=0.8)
        staff_center(Center((CallType("c", (5.0,), 200.0, targets=capped),),
                            (AgentGroup("g", ["c"], 1),), INTERVAL))  # fmt: skip


def test_a_call_types_service_level_is_on_its_own_basis():
    center = _center()
    answered = planner.Targets(sl_basis="answered")
    other = Center((dataclasses.replace(center.call_types[0], targets=answered),
                    *center.call_types[1:]), center.groups, INTERVAL)  # fmt: skip
    plain = simulate_center(center, replications=4, seed=5).call_types["cards"]
    based = simulate_center(other, replications=4, seed=5).call_types["cards"]
    assert based.sl_basis == "answered" and plain.sl_basis == "offered"
    # over answered calls, abandonment does not count against the level
    assert based.day("service_level").mean > plain.day("service_level").mean


@pytest.mark.parametrize("close", ["serve_queue", "stop"])
def test_a_search_window_is_the_day_where_the_day_was_empty_before_it(monkeypatch, close):
    """staff_center's tries simulate a window of the day from empty (its module notes):
    where nobody called before the window, the window's figures are the whole day's,
    interval for interval, with the day's rule at its close."""
    from concurrent.futures import ThreadPoolExecutor

    from planner.simulation import skills_staffing as ss
    from planner.simulation.skills import _callers, _prepare

    monkeypatch.setattr(ss, "_SETTLE", 2 * INTERVAL)  # reach: two intervals
    center = Center(
        (CallType("cards", (0.0, 0.0, 40.0, 60.0, 50.0, 30.0), 240.0, patience=180.0),
         CallType("loans", (0.0, 0.0, 20.0, 30.0, 25.0, 15.0), 360.0, patience=240.0)),
        (AgentGroup("cards", ["cards"], (0, 0, 5, 7, 6, 4)),
         AgentGroup("loans", ["loans"], (0, 0, 3, 4, 3, 2)),
         AgentGroup("generalists", {"loans": 0, "cards": 1}, (0, 0, 1, 2, 2, 1))),
        INTERVAL,
    )  # fmt: skip
    prep = _prepare(center, close)
    root = np.random.SeedSequence(4)
    drawn = [_callers(prep, root, r) for r in range(30)]
    agents = prep.agents[:, :-1].copy()
    with ThreadPoolExecutor(2) as pool:
        judge = ss._Judge(prep, drawn, 0.95, pool)
        day = judge(agents)
        window = judge.near(agents, 4)  # intervals 2 to 5, from empty at interval 2
        assert list(judge.windows) == [(2, 6)]
        np.testing.assert_allclose(window, day[:, 4:], rtol=1e-12)
        assert 0.0 < day[:, 4:].min() < 1.0  # not a case where every answer is the same
        # a window that ends before the day (the next interval's agents after it): its
        # intervals whose callers are all answered or gone within it are the day's (so
        # are intervals 2 and 3 here, with these callers: seed 4)
        early = judge.near(agents, 2)  # intervals 0 to 4
        assert (0, 5) in judge.windows
        np.testing.assert_allclose(early[:, :2], day[:, 2:4], rtol=1e-12)


def test_the_approximation_is_erlang_where_the_center_is_one_queue_or_dedicated_teams():
    """approximate_center: one type and one group is Erlang A for its agents; types with
    their own groups are each their own Erlang; a group of both skills counts its spare
    agents for each type (its module notes)."""
    from planner import approximate_center

    calls = (40.0, 60.0, 0.0, 30.0)
    one = Center((CallType("calls", calls, 240.0, patience=180.0),),
                 (AgentGroup("agents", ["calls"], (6, 9, 2, 5)),), INTERVAL)  # fmt: skip
    got = approximate_center(one)["calls"]
    want = planner.interval_metrics((6, 9, 2, 5), calls, 240.0, INTERVAL, planner.Targets(),
                                    model=planner.ErlangA(patience=180.0))  # fmt: skip
    np.testing.assert_allclose(got["agents"], [6, 9, 2, 5])
    for name in ("service_level", "asa", "abandon_rate"):
        np.testing.assert_allclose(got[name], want[name], rtol=1e-12)
    two = Center(
        (CallType("cards", (40.0, 60.0), 240.0, patience=180.0),
         CallType("loans", (20.0, 30.0), 360.0)),
        (AgentGroup("cards", ["cards"], (6, 9)), AgentGroup("loans", ["loans"], (5, 7))),
        INTERVAL,
    )  # fmt: skip
    got = approximate_center(two)
    loans = planner.interval_metrics((5, 7), (20.0, 30.0), 360.0, INTERVAL, planner.Targets())
    np.testing.assert_allclose(got["loans"]["service_level"], loans["service_level"])
    assert (got["loans"]["abandon_rate"] == 0).all()  # Erlang C: nobody abandons
    # generalists: the load they carry for a type plus their spare agents
    n = Center(two.call_types, (*two.groups, AgentGroup("both", {"loans": 0, "cards": 1}, 4)),
               INTERVAL)  # fmt: skip
    shared = approximate_center(n)
    assert (shared["cards"]["agents"] > got["cards"]["agents"]).all()
    assert (shared["cards"]["agents"] <= got["cards"]["agents"] + 4 + 1e-9).all()
    assert (shared["cards"]["service_level"] >= got["cards"]["service_level"]).all()
    # one group too small for both in the second interval (14 Erlangs, 12 agents): the
    # skill it ranks first keeps its agents; in the first (9.3 Erlangs) order is moot
    ranked = {
        first: approximate_center(Center(
            two.call_types, (AgentGroup("both", {first: 0, second: 1}, 12),), INTERVAL))
        for first, second in (("loans", "cards"), ("cards", "loans"))
    }  # fmt: skip
    for name, other in (("loans", "cards"), ("cards", "loans")):
        level, behind = ranked[name][name]["service_level"], ranked[other][name]["service_level"]
        assert level[0] == pytest.approx(behind[0]) and level[1] > behind[1] + 0.1
    with pytest.raises(InputError, match="must be a Center"):
        approximate_center("center")


@given(
    st.lists(
        st.lists(st.integers(0, 6).map(float), max_size=12).map(sorted), min_size=1, max_size=5
    )
)
@settings(max_examples=200, deadline=None)
def test_merging_call_types_is_a_stable_sort_of_their_arrivals(runs) -> None:
    """Ties (many here) go to the earlier call type, then the run's own order."""
    arrival = np.array([x for run in runs for x in run], dtype=float)
    first = np.concatenate([[0], np.cumsum([len(r) for r in runs])]).astype(np.int64)
    expected = np.argsort(arrival, kind="stable")
    np.testing.assert_array_equal(merge_order(arrival, first), expected)


@pytest.mark.parametrize("serve_queue", [True, False])
def test_totals_of_every_type_and_group_in_one_pass_equal_each_totalled_alone(serve_queue):
    """keyed_totals (what a replication reports per call type and per group) against
    period_totals on each key's callers and overtime taken out by hand."""
    day = _day([3, 5, 2, 4], serve_queue)
    callers = Merged.of([_callers(day, [30, 50, 20, 40], [200.0] * 4, Exponential(90.0), s)
                         for s in (1, 2)])  # fmt: skip
    c = callers.cols
    everyone = Callers(c["arrival"], c["handle"], c["gives_up_at"], c["period"])
    rng = np.random.default_rng(3)
    n = len(c["arrival"])
    start = np.where(rng.random(n) < 0.7, c["arrival"] + rng.exponential(60.0, n), np.inf)
    key = rng.integers(-1, 3, n)
    over = np.array([[1800.0, 1900.0, 0], [3600.0, 3700.0, 2], [3600.0, 4000.0, 0]])
    agents = rng.integers(0, 6, (3, 4))
    answer_time = np.array([20.0, 0.0, 60.0])
    table = keyed_totals(key, 3, everyone, start, over, day, agents, answer_time)
    for k in range(3):
        mine = np.flatnonzero(key == k)
        alone = period_totals(
            Callers(*(col[mine] for col in (c["arrival"], c["handle"], c["gives_up_at"],
                                             c["period"]))),
            start[mine], over[over[:, 2] == k][:, :2], day.with_agents(agents[k]),
            answer_time[k],
        )  # fmt: skip
        assert table[k].keys() == alone.keys()
        for name in alone:
            np.testing.assert_array_equal(table[k][name], alone[name], err_msg=name)


@pytest.mark.parametrize(
    "rates", [(1.0, 1.0, 1.0), (1.0, 1.2, 1.9), (1.0, 1.0, 2.5), (2.0, 1.0, 1.5)]
)
def test_the_skills_cover_is_the_least_cost_staffing_every_pool_allows(rates):
    """staff_center's start against brute force: per interval, every staffing of the
    three groups up to the dedicated teams' size, the cheapest whose groups cover each
    set of call types' Erlang pool (cards alone, loans alone, both); with equal costs,
    as many generalists as that cost allows."""
    from itertools import product

    from planner.simulation.skills_bounds import pooled_agents
    from planner.simulation.skills_staffing import skill_cover

    center = Center(
        (CallType("cards", (50.0, 80.0, 0.0, 40.0), 240.0, patience=180.0),
         CallType("loans", (20.0, 30.0, 10.0, 0.0), 360.0, patience=240.0)),
        (AgentGroup("cards", ["cards"], 1), AgentGroup("loans", ["loans"], 1),
         AgentGroup("generalists", {"loans": 0, "cards": 1}, 1)),
        INTERVAL,
    )  # fmt: skip
    rate = np.array(rates)
    got = skill_cover(center, rate)
    cards, loans, both = (pooled_agents(center, s) for s in ([0], [1], [0, 1]))
    for i in range(center.intervals):
        top = int(cards[i] + loans[i])
        best = min(
            (float(rate @ n), -int(n[2]), tuple(n))
            for n in map(np.array, product(range(top + 1), repeat=3))
            if n[0] + n[2] >= cards[i] and n[1] + n[2] >= loans[i] and n.sum() >= both[i]
        )
        assert float(rate @ got[:, i]) == pytest.approx(best[0]), i
        if len(set(rates)) == 1:
            assert got[2, i] == -best[1], i
    assert (got.sum(axis=0) >= both).all()
    if rates[2] >= rates[0] + rates[1]:  # a generalist costs two specialists: none
        assert not got[2].any()
