"""The simulation against queueing theory, with tolerances from its own confidence intervals.

With constant rates, exponential handle times (and patience) and a warm-up,
the long-run figures of the simulation must agree with Erlang C and Erlang A.
Each case checks four metrics, so each is held to its 99.75% t-interval
(Bonferroni: a 1% chance per case that a correct simulation fails, fixed by
the seed). The intervals are also required to be narrow, so that agreement
means something.
"""

from __future__ import annotations

import numpy as np
import pytest

from planner import Deterministic, Lognormal, asa, erlang_a, erlang_c, service_level, simulate

LEVEL = 1 - 0.01 / 4
T = 20.0  # answer time, seconds
INTERVAL = 1800.0


def steady(agents, traffic, aht, patience, intervals, replications, engine="fast", seed=11):
    calls = traffic * INTERVAL / aht
    return simulate(
        {"calls": [calls] * intervals, "aht": [aht] * intervals},
        agents,
        interval=INTERVAL,
        patience=patience,
        answer_time=T,
        replications=replications,
        seed=seed,
        warmup=3600.0,
        engine=engine,
    )


def check(res, reference, widest):
    for metric, expected in reference.items():
        est = res.day(metric)
        low, high = est.confidence_interval(LEVEL)
        assert low <= expected <= high, (metric, expected, est)
        assert high - low < 2 * widest[metric], (metric, est)


ERLANG_C = [
    # agents, traffic (Erlangs), aht (s), intervals, replications
    pytest.param(14, 10.0, 180.0, 16, 40, id="Call Centre Helper 14 agents"),
    pytest.param(10, 8.0, 180.0, 16, 60, id="80% busy, 10 agents"),
    pytest.param(300, 285.0, 180.0, 12, 40, id="300 agents at 95%"),
]


@pytest.mark.parametrize(("agents", "traffic", "aht", "intervals", "reps"), ERLANG_C)
def test_agrees_with_erlang_c(agents, traffic, aht, intervals, reps):
    res = steady(agents, traffic, aht, None, intervals, reps)
    reference = {
        "p_wait": erlang_c(agents, traffic),
        "service_level": service_level(agents, traffic, aht, answer_time=T),
        "asa": asa(agents, traffic, aht),
        "occupancy": traffic / agents,
    }
    widest = {"p_wait": 0.08, "service_level": 0.05, "asa": 0.25 * reference["asa"] + 1}
    check(res, reference, widest | {"occupancy": 0.02})
    assert res.day("abandoned").mean == 0


ERLANG_A = [
    # agents, traffic, aht, patience (s), intervals, replications
    pytest.param(13, 10.0, 180.0, 300.0, 16, 40, id="pyworkforce 13 agents"),
    pytest.param(50, 60.0, 240.0, 120.0, 12, 30, id="overloaded by 20%"),
    pytest.param(500, 500.0, 300.0, 300.0, 8, 30, id="500 agents, critical load"),
]


@pytest.mark.parametrize(("agents", "traffic", "aht", "patience", "intervals", "reps"), ERLANG_A)
def test_agrees_with_erlang_a(agents, traffic, aht, patience, intervals, reps):
    res = steady(agents, traffic, aht, patience, intervals, reps)
    ref = erlang_a(agents, traffic, aht, patience, answer_time=T)
    reference = {
        "p_wait": ref.p_wait,
        "service_level": ref.service_level,
        "asa": ref.asa,
        "abandon_rate": ref.abandon_rate,
    }
    widest = {
        "p_wait": 0.08,
        "service_level": 0.05,
        "asa": 0.2 * ref.asa + 1,
        "abandon_rate": 0.25 * ref.abandon_rate + 0.002,
    }
    check(res, reference, widest)


def test_simpy_engine_agrees_with_erlang_a_too():
    res = steady(13, 10.0, 180.0, 300.0, 16, 40, engine="simpy")
    ref = erlang_a(13, 10.0, 180.0, 300.0, answer_time=T)
    check(
        res,
        {"service_level": ref.service_level, "abandon_rate": ref.abandon_rate},
        {"service_level": 0.03, "abandon_rate": 0.01},
    )


def test_littles_law_against_erlang_c():
    # Mean queue length Lq = P(wait) * A / (N - A) (Erlang C), and Lq = lambda * Wq.
    agents, traffic, aht = 12, 10.0, 180.0
    res = steady(agents, traffic, aht, None, 16, 60)
    lq = erlang_c(agents, traffic) * traffic / (agents - traffic)
    low, high = res.day("mean_queue").confidence_interval(0.99)
    assert low <= lq <= high
    assert high - low < 0.4 * lq


def test_littles_law_on_every_sample_path():
    # Without warm-up, the integral of the queue length over the day equals the
    # total time callers spent waiting (those still waiting at the end: until the end).
    res = simulate(
        {"calls": [300, 500, 400], "aht": [200, 200, 200]},
        [30, 45, 32],
        interval=INTERVAL,
        close="stop",
        patience=Lognormal(120, 1.0),
        replications=3,
        seed=5,
        record_calls=True,
    )
    queue_time = res.per_interval["mean_queue"] * INTERVAL
    for r, calls in res.records.groupby("replication"):
        assert np.isclose(queue_time[r].sum(), calls["wait"].sum(), rtol=1e-9)


def test_pollaczek_khinchine_for_non_exponential_handle_times():
    # One agent, no abandonment: M/G/1 mean wait = lambda E[S^2] / (2 (1 - rho)).
    aht, rho = 100.0, 0.7
    for handle in (Lognormal(aht, 1.5), Deterministic(aht)):
        res = simulate(
            {"calls": [rho * INTERVAL / aht] * 40, "aht": [aht] * 40},
            1,
            interval=INTERVAL,
            handle=handle,
            replications=200,
            seed=3,
            warmup=4 * 3600.0,
        )
        second_moment = handle.variance + aht**2
        wq = (rho / aht) * second_moment / (2 * (1 - rho))
        low, high = res.day("asa").confidence_interval(0.995)
        assert low <= wq <= high, (handle, wq, res.day("asa"))
        assert high - low < 0.3 * wq


def test_conservation_of_callers():
    res = simulate(
        {"calls": [200, 400, 300], "aht": [240, 240, 240]},
        [20, 30, 10],  # the last interval is short of agents: callers left at the end
        interval=INTERVAL,
        close="stop",
        patience=Lognormal(600, 0.5),
        replications=5,
        seed=2,
        record_calls=True,
    )
    per = res.per_interval
    np.testing.assert_array_equal(
        per["calls"], per["answered"] + per["abandoned"] + per["queued_at_end"]
    )
    assert res.day("queued_at_end").mean > 0
    counts = res.records.groupby(["replication", "outcome"]).size().unstack(fill_value=0)
    np.testing.assert_array_equal(counts["answered"], per["answered"].sum(axis=1))
    np.testing.assert_array_equal(counts["abandoned"], per["abandoned"].sum(axis=1))
    np.testing.assert_array_equal(counts["queued_at_end"], per["queued_at_end"].sum(axis=1))
    np.testing.assert_array_equal(counts.sum(axis=1), per["calls"].sum(axis=1))


def test_serving_the_queue_after_the_day_leaves_nobody_waiting():
    res = simulate(
        {"calls": [200, 400, 300], "aht": [240, 240, 240]},
        [20, 30, 10],
        interval=INTERVAL,
        patience=Lognormal(600, 0.5),
        replications=5,
        seed=2,
        record_calls=True,
    )
    per = res.per_interval
    np.testing.assert_array_equal(per["calls"], per["answered"] + per["abandoned"])
    assert (per["queued_at_end"] == 0).all()
    assert (res.records["answered_at"] > 3 * INTERVAL).any()
    stopped = simulate(
        {"calls": [200, 400, 300], "aht": [240, 240, 240]},
        [20, 30, 10],
        interval=INTERVAL,
        patience=Lognormal(600, 0.5),
        replications=5,
        seed=2,
        close="stop",
    )
    # the same callers; only the last interval's differ
    for metric in ("answered", "abandoned", "service_level", "occupancy", "max_queue"):
        np.testing.assert_array_equal(
            res.per_interval[metric][:, :2], stopped.per_interval[metric][:, :2]
        )
    assert (res.per_interval["answered"][:, 2] > stopped.per_interval["answered"][:, 2]).all()


@pytest.mark.parametrize("close", ["serve_queue", "stop"])
def test_nobody_on_duty_and_nobody_hangs_up_leaves_everyone_waiting(close):
    res = simulate(
        {"calls": [50, 50], "aht": [200, 200]}, [0, 0], interval=INTERVAL, replications=3,
        seed=1, close=close,
    )  # fmt: skip
    per = res.per_interval
    np.testing.assert_array_equal(per["queued_at_end"], per["calls"])
    assert per["answered"].sum() == 0 and per["abandoned"].sum() == 0
