"""Staffing found by simulation, against the Erlang plan and the targets."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import special

from planner import (
    ErlangA,
    InputError,
    Lognormal,
    Targets,
    required_agents,
    simulate,
    simulated_staffing,
)
from planner.simulation.search import interval_confidence

INTERVAL = 1800.0
DAY = {"calls": [80, 200, 320, 300, 180, 60], "aht": [240.0] * 6}


def test_plan_meets_every_target_in_its_own_simulation():
    targets = Targets(service_level=0.8, answer_time=20, max_abandon=0.05, max_occupancy=0.9)
    plan = simulated_staffing(
        DAY,
        targets,
        interval=INTERVAL,
        handle=Lognormal(240, 1.3),
        patience=Lognormal(150, 1.0),
        replications=15,
        seed=8,
    )
    assert plan.met and (plan.confidence >= 0.95).all()
    res = plan.result
    # the confidence pools every confirmation pass at the final staffing; the last
    # pass alone puts every target's mean on the right side of its limit
    assert (interval_confidence(res.per_interval, targets) > 0.5).all()
    assert (res["service_level"].mean >= 0.8).all()
    assert (res["abandon_rate"].mean <= 0.05).all()
    assert (res["occupancy"].mean <= 0.9).all()
    np.testing.assert_array_equal(res.agents, plan.agents)
    # the result is an independent simulation, reproduced by simulate() from its seed
    assert res.seed != 8
    again = simulate(
        DAY,
        plan.agents,
        interval=INTERVAL,
        handle=Lognormal(240, 1.3),
        patience=Lognormal(150, 1.0),
        replications=res.replications,
        seed=res.seed,
    )
    np.testing.assert_array_equal(
        again.per_interval["service_level"], res.per_interval["service_level"]
    )


def test_each_interval_is_as_small_as_the_targets_allow():
    # On the search's own callers, one agent fewer in interval k leaves k (or an
    # interval before it) short of 95% confidence, unless the interval is marked
    # uncertain (more replications might have saved the agent).
    targets = Targets(service_level=0.8, answer_time=20)
    kw = {"interval": INTERVAL, "handle": Lognormal(240, 1.3), "seed": 4}
    plan = simulated_staffing(DAY, targets, replications=15, **kw)
    assert plan.replications.min() >= 15
    for k in range(len(plan.agents)):
        fewer = plan.searched.copy()
        fewer[k] -= 1
        res = simulate(DAY, fewer, replications=int(plan.replications[k]), **kw)
        conf = interval_confidence(res.per_interval, targets)
        assert plan.uncertain[k] or (conf[: k + 1] < 0.95).any(), k
        assert not plan.uncertain[k] or (conf[: k + 1] > 0.05).all(), k


def test_starts_from_erlang_and_reports_the_difference():
    targets = Targets(service_level=0.8, answer_time=20)
    plan = simulated_staffing(DAY, targets, interval=INTERVAL, replications=10, seed=1)
    erlang = required_agents(DAY["calls"], 240.0, INTERVAL, targets)
    np.testing.assert_array_equal(plan.erlang, erlang)
    np.testing.assert_array_equal(plan.difference, plan.agents - plan.erlang)
    table = plan.to_frame()
    assert table["erlang_agents"].tolist() == erlang.tolist()
    assert table["difference"].tolist() == plan.difference.tolist()
    np.testing.assert_allclose(
        table["erlang_service_level"], plan.erlang_result["service_level"].mean
    )
    summary = plan.summary()
    assert summary["difference_hours"] == pytest.approx(plan.difference.sum() * 0.5)


@pytest.mark.slow
def test_exponential_steady_state_matches_erlang_c_within_an_agent():
    # Constant load, warm-up, exponential times: Erlang C is exact in the long run.
    # One interval's service level is noisy (about +-0.08 over 30 replications at
    # 39 agents, where one agent is worth 0.07), so this needs 200 replications
    # (+-0.03) to pin each interval within an agent.
    flat = {"calls": [250] * 6, "aht": [240.0] * 6}
    targets = Targets(service_level=0.8, answer_time=20)
    plan = simulated_staffing(
        flat, targets, interval=INTERVAL, replications=200, seed=2, warmup=3600
    )
    assert np.abs(plan.difference).max() <= 1


def test_more_variable_handle_times_need_more_agents_for_an_asa_target():
    # In steady state the mean wait grows with (1 + cv^2) / 2 (Pollaczek-Khinchine,
    # and approximately so with many agents), so an ASA target needs fewer agents
    # than Erlang C when handle times vary little, and more when they vary a lot.
    flat = {"calls": [250] * 4, "aht": [240.0] * 4}
    targets = Targets(service_level=None, asa=15)
    kw = {"interval": INTERVAL, "replications": 40, "seed": 6, "warmup": 7200}
    steady = simulated_staffing(flat, targets, handle=Lognormal(240, 0.4), **kw)
    wild = simulated_staffing(flat, targets, handle=Lognormal(240, 2.0), **kw)
    assert steady.agents.sum() < steady.erlang.sum() <= wild.agents.sum()
    assert wild.agents.sum() - steady.agents.sum() >= 4


def test_bad_targets():
    with pytest.raises(InputError, match=r"'targets' must be a planner\.Targets"):
        simulated_staffing(DAY, {"service_level": 0.8}, interval=INTERVAL)
    loose = Targets(service_level=None, asa=30, max_abandon=None)
    with pytest.raises(InputError, match=r"letting callers hang up.*max_abandon"):
        simulated_staffing(DAY, loose, interval=INTERVAL, patience=60.0)


def test_resumed_replays_total_exactly_like_a_fresh_run():
    # The search's Replay resumes the fast engine from snapshots and totals only
    # the periods that can change; any sequence of plans must give the figures
    # of a fresh simulation of that plan.
    from planner.simulation.day import Day, draw_callers
    from planner.simulation.distributions import Exponential
    from planner.simulation.engines import run_fast
    from planner.simulation.outcomes import period_totals
    from planner.simulation.search import Replay

    k = 6
    bounds = INTERVAL * np.arange(k + 1.0)
    base = np.array([12, 25, 40, 38, 20, 8])
    for serve_queue in (False, True):
        template = Day(bounds, base, 0, serve_queue)
        callers = draw_callers(
            template,
            np.array([80.0, 200, 320, 300, 180, 60]),
            None,
            Exponential(240),
            Lognormal(200, 1.0),
            0.0,
            np.random.SeedSequence(9),
        )
        replay = Replay(callers, k)
        rng = np.random.default_rng(1)
        plan = base.copy()
        for step in range(60):
            hi = step % k if step < 30 else int(rng.integers(0, k))
            plan[int(rng.integers(0, k))] += int(rng.integers(-3, 4))
            plan = np.maximum(plan, 0)
            day = template.with_agents(plan)
            got = replay.totals(day, hi, 20.0)
            fresh = run_fast(callers, day)
            want = period_totals(callers, fresh.start, fresh.overtime, day, 20.0, hi=hi)
            for key, value in want.items():
                np.testing.assert_allclose(got[key], value, rtol=1e-12, atol=1e-6, err_msg=key)


def test_search_with_the_simpy_engine_finds_the_same_plan():
    targets = Targets(service_level=0.8, answer_time=20, max_abandon=0.06)
    small = {"calls": [40, 90, 120, 70], "aht": [240.0] * 4}
    kw = {"interval": INTERVAL, "patience": 200, "replications": 6, "seed": 3}
    fast = simulated_staffing(small, targets, **kw)
    simpy = simulated_staffing(small, targets, engine="simpy", **kw)
    np.testing.assert_array_equal(fast.agents, simpy.agents)


def test_an_undefined_metric_meets_no_target_unless_nobody_called():
    nan = float("nan")
    # three replications x four intervals: callers but nobody answered (no ASA) in
    # one replication, callers answered fast, nobody called, and one replication
    # that nobody called in (left out)
    metrics = {
        "calls": np.array([[5.0, 8.0, 0.0, 0.0], [4.0, 9.0, 0.0, 3.0], [4.0, 9.0, 0.0, 2.0]]),
        "asa": np.array([[nan, 3.0, nan, nan], [2.0, 5.0, nan, 4.0], [1.0, 4.0, nan, 6.0]]),
    }
    targets = Targets(service_level=None, asa=30, max_abandon=None)
    # ASA means 4 s (sd 1, 3 replications) and 5 s (sd 1.41, 2): Student t with 2
    # and 1 degrees of freedom at (30 - mean) / standard error
    want = [0.0, special.stdtr(2, 26 / (1 / np.sqrt(3))), 1.0, special.stdtr(1, 25 / 1.0)]
    np.testing.assert_allclose(interval_confidence(metrics, targets), want, rtol=1e-12)


@pytest.mark.parametrize(
    "targets",
    [
        Targets(service_level=None, asa=30),
        Targets(service_level=0.8, answer_time=20, sl_basis="answered"),
    ],
)
def test_targets_that_losing_callers_would_meet_get_staffing_that_answers(targets):
    # The issue's cases: with patience 10 s these returned 0 agents at 100%
    # abandonment, "met". The default abandonment cap (10%) now binds.
    plan = simulated_staffing(
        {"calls": [100, 100, 100], "aht": [180] * 3}, targets, interval=1800,
        patience=10.0, replications=20, seed=1,
    )  # fmt: skip
    assert plan.met and (plan.agents >= 10).all()
    assert (plan.result["abandon_rate"].mean <= 0.10).all()
    assert (plan.result["answered"].mean > 85).all()


def _fresh_check(day, plan, targets, kw, seed, replications):
    """Per interval, the confidence on a fresh seed that the plan meets the targets."""
    fresh = simulate(
        day, plan.agents, replications=replications, seed=seed,
        answer_time=targets.answer_time, sl_basis=targets.sl_basis, **kw,
    )  # fmt: skip
    return interval_confidence(fresh.per_interval, targets, abandons="patience" in kw), fresh


@pytest.mark.slow
def test_the_issue_s_ramping_day_holds_on_a_fresh_seed():
    # 16 intervals, 50 -> 400 -> 50 calls, AHT 240, lognormal CV 1.2, patience 150:
    # with 20 fixed replications the plan missed 80/20 in 5 of 16 intervals when
    # re-simulated on another seed with 2,000 replications (lowest 0.746).
    calls = np.round(np.concatenate([np.linspace(50, 400, 8), np.linspace(400, 50, 8)]))
    day = {"calls": calls, "aht": [240.0] * 16}
    kw = {"interval": INTERVAL, "handle": Lognormal(240, 1.2), "patience": 150.0}
    targets = Targets(service_level=0.8, answer_time=20)
    plan = simulated_staffing(day, targets, replications=20, seed=1, **kw)
    assert plan.met and (plan.confidence >= 0.95).all()
    fresh_conf, fresh = _fresh_check(day, plan, targets, kw, 2024, 2000)
    # 2,000 fresh replications estimate each interval's mean within about 0.005:
    # no interval falls short of 80%, nor is shown to miss the abandonment cap
    assert (fresh["service_level"].mean >= 0.8).all(), fresh["service_level"].mean
    assert (fresh_conf > 0.05).all()


_small_days = st.fixed_dictionaries(
    {
        "calls": st.lists(st.integers(20, 300), min_size=2, max_size=4),
        "aht": st.sampled_from([150.0, 240.0, 360.0]),
        "cv": st.sampled_from([0.5, 1.0, 1.5]),
        "patience": st.sampled_from([None, 90.0, 300.0]),
        "target": st.sampled_from(
            [
                Targets(service_level=0.8, answer_time=20),
                Targets(service_level=0.9, answer_time=30, max_abandon=0.05),
                Targets(service_level=None, asa=20),
                Targets(service_level=0.7, answer_time=60, max_occupancy=0.85),
            ]
        ),
        "seed": st.integers(0, 10_000),
    }
)


@pytest.mark.slow
@settings(max_examples=20, derandomize=True, deadline=None)
@given(_small_days)
def test_a_plan_reported_as_met_holds_on_a_fresh_seed(case):
    # The search's claim, per interval: the expected metrics meet the targets with
    # at least the stated confidence (>= 0.95). 1,000 replications on a seed it never
    # saw must not show any interval missing (their own one-sided 99% bound clears
    # the limit unless the claim was wrong, which the stated confidence allows in
    # under 5% of intervals: with the fixed examples here, none).
    day = {"calls": case["calls"], "aht": [case["aht"]] * len(case["calls"])}
    kw = {"interval": INTERVAL, "handle": Lognormal(case["aht"], case["cv"])}
    if case["patience"] is not None:
        kw["patience"] = case["patience"]
    targets = case["target"]
    plan = simulated_staffing(day, targets, replications=20, seed=case["seed"], **kw)
    if not plan.met:
        assert (plan.confidence < 0.95).any()
        return
    assert (plan.confidence >= 0.95).all()
    fresh_conf, _ = _fresh_check(day, plan, targets, kw, case["seed"] + 77_777, 1000)
    assert (fresh_conf > 0.01).all(), (plan.agents, plan.confidence, fresh_conf)


def test_confirmation_uses_independent_seeds_and_reports_them():
    plan = simulated_staffing(DAY, Targets(), interval=INTERVAL, replications=8, seed=5)
    seed = plan.result.seed
    assert isinstance(seed, np.random.SeedSequence) and seed.entropy == 5
    assert seed.spawn_key[0] == 2**31 and seed.spawn_key[1] == plan.passes
    assert plan.result.replications == 32  # 4 x the search's replications
    assert plan.erlang_result.seed is seed  # both plans on the same callers


def test_confidence_and_replication_limits_are_checked():
    for bad, message in (
        ({"confidence": 0.4}, r"'confidence' must be in \(0\.5, 1\)"),
        ({"confidence": 1.0}, r"'confidence' must be in \(0\.5, 1\)"),
        ({"max_replications": 5, "replications": 10}, "'max_replications' must be a whole"),
        ({"max_passes": 0}, "'max_passes' must be a whole number >= 1"),
    ):
        with pytest.raises(InputError, match=message):
            simulated_staffing(DAY, Targets(), interval=INTERVAL, **bad)


def test_higher_confidence_costs_agents_never_saves_them():
    kw = {"interval": INTERVAL, "handle": Lognormal(240, 1.0), "replications": 20, "seed": 3}
    loose = simulated_staffing(DAY, Targets(), confidence=0.6, **kw)
    strict = simulated_staffing(DAY, Targets(), confidence=0.99, **kw)
    assert loose.agents.sum() < strict.agents.sum()
    assert (strict.confidence >= 0.99).all() or not strict.met


# Stationary intervals with exponential handle times and patience, started in steady
# state: Erlang A is the truth. 60 calls of 240 s per half hour, patience 150 s: 10
# agents give 81.4% in 20 s, 9 give 71.8%, so against 76% the minimal plan is 10 in
# every interval, with margins of about five standard errors at 40 replications.
_STEADY = {"calls": [60.0] * 6, "aht": [240.0] * 6}
_STEADY_OPTIONS = {"interval": INTERVAL, "patience": 150.0, "warmup": 3600.0}
_STEADY_TARGETS = Targets(service_level=0.76, answer_time=20, max_abandon=0.15)


def test_the_plan_in_steady_state_is_erlang_a_s_minimal_plan():
    truth = required_agents(_STEADY["calls"], 240, INTERVAL, _STEADY_TARGETS,
                            model=ErlangA(patience=150))  # fmt: skip
    assert truth.tolist() == [10] * 6
    plan = simulated_staffing(_STEADY, _STEADY_TARGETS, replications=40, seed=5,
                              **_STEADY_OPTIONS)  # fmt: skip
    assert plan.agents.tolist() == truth.tolist() and plan.met
    assert (plan.one_fewer < 0.95).all()  # every last agent is needed, and says so


def test_the_removal_pass_takes_back_every_agent_the_targets_can_spare():
    """From one agent too many everywhere (what confirmation passes can leave), the
    removal on common random numbers comes down to the minimal plan and no further."""
    from planner.simulation.run import Experiment
    from planner.simulation.search import _Search

    exp = Experiment.of(_STEADY, {**_STEADY_OPTIONS, "replications": 120, "seed": 9})
    start = np.full(6, 11, dtype=np.int64)
    with _Search(exp, _STEADY_TARGETS, "fast", 0.95, start) as search:
        removed, one_fewer = search.remove(np.full(6, 120))
        assert search.plan.tolist() == [10] * 6 and removed.all()
        assert (one_fewer >= 0.95).all()  # 11 -> 10 kept every target
        again, below = search.remove(np.full(6, 120))
        assert search.plan.tolist() == [10] * 6 and not again.any()
        assert (below < 0.95).all()  # 10 -> 9 would not
