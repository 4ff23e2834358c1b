"""simulate(): distributions, arrivals, seeds, results and bad input."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import planner
from planner import (
    METRICS,
    Deterministic,
    Empirical,
    Estimate,
    Exponential,
    Gamma,
    InputError,
    Lognormal,
    Targets,
    simulate,
    simulated_staffing,
)
from planner.simulation.day import Day, draw_callers

DISTRIBUTIONS = [
    Exponential(240),
    Lognormal(mean=240, cv=1.2),
    Gamma(mean=240, cv=0.5),
    Deterministic(240),
    Empirical([60, 120, 200, 580]),
]


def variance_se(x: np.ndarray) -> float:
    """Standard error of the sample variance of ``x``, from its fourth central moment.

    Var(s^2) = (mu4 - sigma^4 (n - 3) / (n - 1)) / n for independent draws; the
    moments are estimated from the sample, so heavy tails widen it as they should.
    """
    n = x.size
    d = x - x.mean()
    m2, m4 = (d**2).mean(), (d**4).mean()
    return math.sqrt(max(m4 - m2**2 * (n - 3) / (n - 1), 0.0) / n)


@pytest.mark.parametrize("dist", DISTRIBUTIONS, ids=repr)
def test_distribution_samples_match_their_moments(dist):
    x = dist.sample(200_000, np.random.default_rng(1))
    assert x.shape == (200_000,)
    assert (x >= 0).all()
    # mean and variance each within 4 of their standard errors
    assert abs(x.mean() - dist.mean) <= 4 * math.sqrt(dist.variance / x.size) + 1e-9
    assert abs(x.var(ddof=1) - dist.variance) <= 4 * variance_se(x) + 1e-9


@pytest.mark.parametrize("dist", DISTRIBUTIONS, ids=repr)
def test_distribution_repr_pastes_back(dist):
    ns = {name: getattr(planner, name) for name in planner.__all__}
    assert eval(repr(dist), ns) == dist


def test_lognormal_shape_matches_scipy():
    d = Lognormal(mean=185, cv=1.2)
    sigma = math.sqrt(math.log1p(1.2**2))
    ref = stats.lognorm(s=sigma, scale=185 / math.sqrt(1 + 1.2**2))
    x = d.sample(50_000, np.random.default_rng(4))
    assert stats.kstest(x, ref.cdf).pvalue > 0.001
    assert ref.mean() == pytest.approx(d.mean)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: Exponential(0), "'Exponential.mean' must be > 0"),
        (lambda: Lognormal(240, -1), "'Lognormal.cv' must be > 0"),
        (lambda: Gamma(float("nan"), 1), "'Gamma.mean' must be a number"),
        (lambda: Deterministic(-5), "'Deterministic.value' must be > 0"),
        (lambda: Empirical([]), "'Empirical.values' must be a non-empty"),
        (lambda: Empirical([10, -1]), "'Empirical.values' must be >= 0"),
        (lambda: Empirical([0, 0]), "mean > 0"),
    ],
)
def test_bad_distribution_parameters_are_named(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def callers_for(expected, *, aht=None, handle=None, dispersion=0.0, seed=0, interval=1800.0):
    k = len(expected)
    day = Day(interval * np.arange(k + 1.0), np.zeros(k, dtype=np.int64), 0)
    return draw_callers(
        day,
        np.asarray(expected, float),
        None if aht is None else np.asarray(aht, float),
        handle or Exponential(1.0),
        Exponential(100),
        dispersion,
        np.random.SeedSequence(seed),
    )


def test_arrivals_follow_the_interval_rates():
    expected = [50.0, 400.0, 120.0]
    counts = np.array(
        [np.bincount(callers_for(expected, seed=s).period, minlength=3) for s in range(300)]
    )
    # Poisson: mean and variance both equal the expected calls (4 standard errors)
    se_mean = np.sqrt(np.array(expected) / 300)
    assert (abs(counts.mean(axis=0) - expected) < 4 * se_mean).all()
    for k, lam in enumerate(expected):
        x = counts[:, k].astype(float)
        assert abs(x.var(ddof=1) - lam) < 4 * variance_se(x), k
    c = callers_for(expected, seed=1)
    assert (np.diff(c.arrival) >= 0).all()
    assert ((c.arrival >= 1800 * c.period) & (c.arrival < 1800 * (c.period + 1))).all()
    # within an interval arrival times are uniform (a Poisson process)
    within = (c.arrival % 1800) / 1800
    assert stats.kstest(within, "uniform").pvalue > 0.001


def test_over_dispersion_inflates_the_day_total_variance():
    # Gamma-Poisson: Var = m + cv^2 m^2 with m = 1000 and cv = 0.1, i.e. 11,000.
    totals = np.array([len(callers_for([1000.0], dispersion=0.1, seed=s)) for s in range(400)])
    assert totals.mean() == pytest.approx(1000, abs=4 * math.sqrt(11_000 / 400))
    # each sample variance within 4 of its standard errors
    x = totals.astype(float)
    assert abs(x.var(ddof=1) - 11_000) < 4 * variance_se(x)
    plain = np.array([len(callers_for([1000.0], seed=s)) for s in range(400)]).astype(float)
    assert abs(plain.var(ddof=1) - 1000) < 4 * variance_se(plain)
    # and the two are told apart: the gap is many standard errors wide
    assert x.var(ddof=1) - plain.var(ddof=1) > 4 * math.hypot(variance_se(x), variance_se(plain))


def test_handle_times_take_each_interval_aht():
    c = callers_for([2000.0, 2000.0], aht=[120.0, 400.0], handle=Lognormal(50, cv=1.0), seed=3)
    for k, aht in enumerate([120.0, 400.0]):
        h = c.handle[c.period == k]
        assert abs(h.mean() - aht) < 4 * aht / math.sqrt(h.size)


DAY = pd.DataFrame({"calls": [120, 300, 260, 90], "aht": [240, 240, 260, 220]})
PLAN = [18, 40, 36, 14]


def run(**kw):
    args = {"interval": 1800, "patience": Lognormal(180, 1.0), "replications": 8, "seed": 42}
    return simulate(DAY, kw.pop("plan", PLAN), **(args | kw))


def test_same_seed_same_numbers_and_both_engines_agree():
    a, b = run(record_calls=True), run(record_calls=True)
    pd.testing.assert_frame_equal(a.to_frame(), b.to_frame())
    pd.testing.assert_frame_equal(a.records, b.records)
    c = run(engine="simpy", record_calls=True)
    pd.testing.assert_frame_equal(a.to_frame(), c.to_frame())
    pd.testing.assert_frame_equal(a.records, c.records)
    assert run(seed=43).to_frame()["mean"].tolist() != a.to_frame()["mean"].tolist()


def test_seed_none_is_recorded_so_the_run_can_be_repeated():
    a = run(seed=None)
    pd.testing.assert_frame_equal(a.to_frame(), run(seed=a.seed).to_frame())


def test_replications_draw_from_the_seeds_children_and_leave_the_seed_alone():
    root = np.random.SeedSequence(2024)
    twenty = run(seed=root, replications=20)
    assert root.n_children_spawned == 0
    ten = run(seed=root, replications=10)
    np.testing.assert_array_equal(
        ten.per_interval["service_level"], twenty.per_interval["service_level"][:10]
    )
    child = root.spawn(3)[2]
    res = run(seed=child)
    assert res.seed is child
    pd.testing.assert_frame_equal(res.to_frame(), run(seed=res.seed).to_frame())


def test_replications_are_independent_streams():
    res = run(record_calls=True)
    firsts = res.records.groupby("replication")["arrival"].first()
    assert firsts.nunique() == res.replications


def test_the_offered_calls_metric_has_one_name():
    res = simulate(DAY, PLAN, interval=1800, replications=3, seed=1)
    assert res.day("calls").mean > 0
    with pytest.raises(KeyError, match="unknown metric 'offered'"):
        res.day("offered")


def test_common_random_numbers_across_staffing_plans():
    cols = ["replication", "interval_start", "arrival", "handle_time", "patience"]
    a = run(record_calls=True).records[cols]
    b = run(plan=[s + 3 for s in PLAN], record_calls=True).records[cols]
    pd.testing.assert_frame_equal(a, b)
    # so that one plan's advantage is seen in every replication, not blurred by noise
    sl_a = run().per_day["service_level"]
    sl_b = run(plan=[s + 3 for s in PLAN]).per_day["service_level"]
    assert (sl_b >= sl_a).all()


def test_warm_up_starts_the_day_with_a_queue():
    cold = run(plan=[11, 40, 36, 14], replications=20)
    warm = run(plan=[11, 40, 36, 14], replications=20, warmup=3600)
    # 120 calls * 240 s / 1800 s = 16 Erlangs on 11 agents: overloaded from the start
    assert warm["max_queue"].mean[0] > cold["max_queue"].mean[0]
    assert warm["abandon_rate"].mean[0] > cold["abandon_rate"].mean[0]


def test_records_describe_every_call():
    res = run(record_calls=True, warmup=1800)
    calls = res.records
    assert list(calls.columns) == [
        "replication",
        "interval_start",
        "arrival",
        "handle_time",
        "patience",
        "wait",
        "answered_at",
        "outcome",
    ]
    assert (calls["arrival"] >= 0).all()  # warm-up callers are left out
    answered = calls["outcome"] == "answered"
    np.testing.assert_allclose(
        calls.loc[answered, "answered_at"] - calls.loc[answered, "arrival"],
        calls.loc[answered, "wait"],
        atol=1e-9,
    )
    abandoned = calls["outcome"] == "abandoned"
    np.testing.assert_allclose(
        calls.loc[abandoned, "wait"], calls.loc[abandoned, "patience"], rtol=1e-12
    )
    assert calls["answered_at"][~answered].isna().all()
    assert res.per_interval["calls"].sum() == len(calls)


def test_service_level_bases():
    kw = {"plan": [14, 34, 30, 11], "replications": 10}
    offered = run(sl_basis="offered", **kw).day("service_level").mean
    excl = run(sl_basis="offered_excl_short_abandons", **kw).day("service_level").mean
    answered = run(sl_basis="answered", **kw).day("service_level").mean
    assert offered < excl < answered


def test_result_tables():
    res = run()
    tidy = res.to_frame()
    assert list(tidy.columns) == [
        "interval_start",
        "agents",
        "metric",
        "mean",
        "ci_low",
        "ci_high",
        "n",
    ]
    assert len(tidy) == len(METRICS) * len(PLAN)
    sl = tidy[tidy["metric"] == "service_level"]
    np.testing.assert_allclose(sl["mean"], res["service_level"].mean)
    assert (sl["ci_low"] <= sl["mean"]).all() and (sl["mean"] <= sl["ci_high"]).all()
    summary = res.summary()
    assert list(summary.index) == list(METRICS)
    assert summary.loc["calls", "mean"] == pytest.approx(res.day("calls").mean)
    wide = res.table()
    assert wide["agents"].tolist() == PLAN
    assert "service_level_ci_high" in wide.columns
    with pytest.raises(KeyError, match="unknown metric 'sla'"):
        res["sla"]


def test_day_figures_pool_the_intervals():
    res = run()
    per = res.per_interval
    answered = per["answered"].sum(axis=1)
    asa = (per["asa"] * per["answered"]).sum(axis=1) / answered
    np.testing.assert_allclose(res.per_day["asa"], asa)
    np.testing.assert_allclose(res.per_day["max_queue"], per["max_queue"].max(axis=1))


def test_estimate_is_a_student_t_interval():
    values = np.array([0.81, 0.77, 0.86, 0.8, 0.9, 0.84])
    est = Estimate(values, level=0.9)
    ref = stats.t.interval(0.9, len(values) - 1, loc=values.mean(), scale=stats.sem(values))
    np.testing.assert_allclose(est.confidence_interval(), ref)
    # NaN (undefined in a replication) is left out, per column
    est = Estimate(np.array([[1.0, np.nan], [3.0, np.nan], [5.0, 2.0]]))
    np.testing.assert_array_equal(est.n, [3, 1])
    np.testing.assert_array_equal(est.mean, [3.0, 2.0])
    assert np.isnan(est.confidence_interval()[0][1])  # one replication: no interval


def test_interval_without_calls_has_no_service_level_not_a_fake_one():
    res = simulate({"calls": [50, 0], "aht": [200, 200]}, [6, 2], interval=1800, seed=1)
    assert np.isnan(res["service_level"].mean[1])
    assert res["service_level"].n[1] == 0
    assert res["calls"].mean[1] == 0


def test_handle_distribution_used_as_is_without_an_aht_column():
    res = simulate(
        {"calls": [100]}, 10, interval=1800, handle=Deterministic(90), seed=1, record_calls=True
    )
    assert (res.records["handle_time"] == 90).all()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"plan": [18, 40]}, r"'plan' needs one agent count per interval \(4\)"),
        ({"plan": [18, -1, 36, 14]}, "'plan' must be a whole number >= 0: -1.0"),
        ({"plan": [18, 40.5, 36, 14]}, "'plan' must be a whole number >= 0: 40.5"),
        ({"plan": True}, "not True/False"),
        ({"plan": [18, 2e6, 36, 14]}, "'plan' is at most 1,000,000 agents per interval"),
        ({"interval": 0}, "'interval' must be > 0"),
        ({"replications": 0}, "'replications' must be a whole number >= 1"),
        ({"dispersion": -0.1}, "'dispersion' must be >= 0"),
        ({"warmup": -60}, "'warmup' must be >= 0"),
        ({"answer_time": -1}, "'answer_time' must be >= 0"),
        ({"engine": "gpu"}, "'engine' must be 'auto', 'fast' or 'simpy'"),
        ({"sl_basis": "answred"}, "'sl_basis' must be"),
        ({"level": 1.0}, "'level' must be in"),
        ({"patience": -5}, "'patience' must be > 0"),
        ({"handle": "lognormal"}, "'handle' must be a distribution"),
        ({"replications": True}, "'replications' must be a whole number >= 1"),
        ({"replications": 2.5}, "'replications' must be a whole number >= 1"),
        ({"seed": -3}, "'seed' must be a whole number >= 0"),
        ({"seed": 1.5}, "'seed' must be a whole number >= 0"),
        ({"seed": "abc"}, "'seed' must be a whole number >= 0"),
        ({"seed": True}, "'seed' must be a whole number >= 0"),
        ({"seed": [1, -2]}, "'seed' must be a whole number >= 0"),
        ({"seed": []}, "'seed' must be a whole number >= 0"),
    ],
)
def test_bad_arguments_are_named(kwargs, message):
    with pytest.raises(InputError, match=message):
        run(**kwargs)
    if "plan" not in kwargs and "answer_time" not in kwargs and "engine" not in kwargs:
        # the search takes the same day options and checks them the same way
        day = {k: val for k, val in kwargs.items() if k not in ("sl_basis", "level")}
        if day:
            with pytest.raises(InputError, match=message):
                simulated_staffing(
                    {"calls": [40, 60], "aht": [200, 200]}, Targets(), **{"interval": 1800, **day}
                )


def test_good_seeds_are_reproducible():
    for seed in (0, 2**70, [1, 2], np.int64(4)):
        first, again = run(seed=seed), run(seed=seed)
        assert np.array_equal(first.per_interval["answered"], again.per_interval["answered"])


@pytest.mark.parametrize(
    ("workload", "message"),
    [
        (
            {"calls": [10, -3], "aht": [200, 200]},
            r"'calls' must be >= 0 and finite: -3.0 \(row 1\)",
        ),
        ({"calls": [10, 20], "aht": [200, 0]}, r"'aht' must be > 0 and finite: 0.0 \(row 1\)"),
        ({"calls": [10, "x"], "aht": [200, 200]}, r"'calls' must be a number: 'x' \(row 1\)"),
        ({"volume": [10]}, "'workload' needs a 'calls' column"),
        ({"calls": []}, "'workload' has no intervals"),
        ({"calls": [10, 20], "aht": [200]}, "equal lengths"),
        ({"calls": [10]}, "give the workload an 'aht' column or a 'handle' distribution"),
    ],
)
def test_bad_workloads_are_named(workload, message):
    with pytest.raises(InputError, match=message):
        simulate(workload, 5, interval=1800)


def test_day_level_over_dispersion_reaches_simulate():
    # Var(day total) = m + cv^2 m^2: with m = 970 and cv = 0.3, about 85,651 (sd 293);
    # plain Poisson gives 970 (sd 31). Each sample variance is within 4 of its
    # standard errors of its formula.
    m = float(DAY["calls"].sum())
    plain = run(replications=60).per_day["calls"]
    noisy = run(replications=60, dispersion=0.3).per_day["calls"]
    assert abs(plain.var(ddof=1) - m) < 4 * variance_se(plain)
    assert abs(noisy.var(ddof=1) - (m + 0.09 * m**2)) < 4 * variance_se(noisy)


def test_memory_does_not_grow_with_replications():
    # Replications are streamed: each one's callers are dropped once totalled (numpy
    # reports its allocations to tracemalloc; the totals kept are a few kB). Comparing
    # two runs of several replications was flaky: how many replications overlap on the
    # threads at their peak varies from run to run.
    import tracemalloc

    from planner.simulation.run import workers

    day = {"calls": [5_000] * 4, "aht": [240.0] * 4}

    def peak(replications: int) -> int:
        tracemalloc.start()
        simulate(day, 700, interval=1800, patience=120, replications=replications, seed=1)
        _, top = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        return top

    peak(1)  # the first run also loads the compiled engine
    one = peak(1)  # one replication's callers and totals
    many = peak(20 * workers())
    # at most one replication per thread is in memory at once, however many run: the
    # peak stays within the threads' count of single replications (with half of one
    # spare for the results), where keeping every replication's callers would make it
    # grow with them (20 times the threads, here)
    assert many < (workers() + 0.5) * one, (one, many, workers())


def test_the_verdict_says_what_misses_and_when_it_cannot_tell():
    from planner import Targets, verdict
    from planner.simulation import interval_confidence

    targets = Targets(service_level=0.8, answer_time=20, max_abandon=None)
    day = {"calls": [100, 100, 100], "aht": [180, 180, 180]}
    short = simulate(day, [10, 16, 11], interval=1800, replications=30, seed=3)
    said = verdict(short, targets, abandons=False)
    assert said.missed.tolist() == [True, False, True]  # 10 and 11 agents for 10 Erlangs
    np.testing.assert_array_equal(
        said.missed, interval_confidence(short.per_interval, targets, abandons=False) < 0.025
    )
    assert "service_level" in said.day_missed and not said.met
    ample = verdict(simulate(day, 18, interval=1800, replications=30, seed=3), targets)
    assert ample.met and not ample.uncertain
    few = simulate(day, 18, interval=1800, replications=4, seed=3)
    assert verdict(few, targets, abandons=False).uncertain


def test_arrival_times_are_drawn_in_order_as_uniform_order_statistics():
    """Within each interval the times come out sorted, and they are the order
    statistics of uniforms: the k-th of n has mean k / (n + 1), and pooled they are
    uniform (Kolmogorov-Smirnov)."""
    from scipy import stats

    from planner.simulation.day import ordered_uniforms

    rng = np.random.default_rng(7)
    counts = np.array([0, 1, 4, 0, 250])
    u = ordered_uniforms(counts, rng)
    assert u.size == counts.sum() and ((u >= 0) & (u < 1)).all()
    groups = np.split(u, np.cumsum(counts)[:-1])
    assert all((np.diff(g) > 0).all() for g in groups)
    draws = np.stack([ordered_uniforms(np.array([4]), rng) for _ in range(20_000)])
    # the k-th of 4 is Beta(k, 5 - k): mean k / 5, sd at most 0.2, so 20,000 draws
    # put each mean within 5 standard errors (0.007) of it
    np.testing.assert_allclose(draws.mean(axis=0), np.arange(1, 5) / 5, atol=0.007)
    assert stats.kstest(draws.ravel(), "uniform").pvalue > 0.001
