"""Erlang A (M/M/n+M) against published values, an oracle and a brute-force chain."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from brute_force import erlang_a_brute, erlang_a_stationary
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from planner import ErlangA, InputError, Targets, erlang_a, erlang_c, required_agents, service_level
from planner import asa as erlang_c_asa


def test_pyworkforce_documentation_example():
    # pyworkforce documentation (ErlangA): 100 contacts / 30 min, AHT 180 s,
    # T = 20 s, mean patience 300 s: 13 agents give SL 0.858 (answered within T
    # over offered), occupancy 0.750, P(abandon) 0.025, P(wait) 0.226 and a
    # mean queue time of all arrivals of 0.125 min; 12 agents give SL 0.772.
    r = erlang_a(13, 10.0, 180, 300, answer_time=20)
    assert r.service_level == pytest.approx(0.858, abs=5e-4)
    assert r.occupancy == pytest.approx(0.750, abs=5e-4)
    assert r.abandon_rate == pytest.approx(0.025, abs=5e-4)
    assert r.p_wait == pytest.approx(0.226, abs=5e-4)
    # Exponential patience: abandonment hazard theta while waiting, so the mean
    # wait of all arrivals is P(abandon) * patience.
    assert r.abandon_rate * 300 / 60 == pytest.approx(0.125, abs=5e-4)
    assert erlang_a(12, 10.0, 180, 300, answer_time=20).service_level == pytest.approx(
        0.772, abs=5e-4
    )


def test_patience_equal_to_aht_is_an_infinite_server_system():
    # When mean patience equals AHT every caller leaves at rate mu whether
    # waiting or served, so the number in system is Poisson(A) (M/M/inf):
    # P(wait) = P(X >= n), P(abandon) = E[(X - n)+] / A. n = A = 100 gives
    # 0.5133 and 0.0399.
    a, n = 100.0, 100
    x = np.arange(0, 400)
    pmf = stats.poisson.pmf(x, a)
    r = erlang_a(n, a, 180, 180, answer_time=20)
    assert r.p_wait == pytest.approx(pmf[x >= n].sum(), rel=1e-10)
    assert r.abandon_rate == pytest.approx((np.maximum(x - n, 0) * pmf).sum() / a, rel=1e-10)
    assert r.p_wait == pytest.approx(0.5133, abs=5e-5)
    assert r.abandon_rate == pytest.approx(0.0399, abs=5e-5)


BRUTE_CASES = [
    # agents, traffic (Erl), aht (s), patience (s), answer time (s)
    (13, 10.0, 180, 300, 20),
    (5, 8.0, 300, 60, 30),  # understaffed: agents < traffic
    (30, 25.0, 240, 120, 10),
    (3, 0.5, 600, 30, 60),
    (50, 45.0, 200, 1000, 20),
    (1, 2.0, 120, 45, 0),
    (120, 118.0, 300, 400, 30),
    (5, 50.0, 100, 1000, 30),  # ten times overloaded: about 450 callers queue
]


@pytest.mark.parametrize("case", BRUTE_CASES)
def test_matches_brute_force_markov_chain(case):
    overloaded = case[1] > 2 * case[0]
    ref = erlang_a_brute(*case, depth=1200 if overloaded else 500)
    *args, t = case
    r = erlang_a(*args, answer_time=t)
    for name in ("p_wait", "abandon_rate", "answered_within", "abandoned_within", "asa"):
        assert getattr(r, name) == pytest.approx(ref[name], rel=1e-9, abs=1e-12), name
    assert r.service_level == r.answered_within
    # Abandonment rate equals theta times the mean queue length (lambda P(Ab) = theta E[Q]).
    _, a, aht, patience, _ = case
    assert a / aht * r.abandon_rate == pytest.approx(ref["mean_queue"] / patience, rel=1e-9)


@pytest.mark.parametrize(
    "case",
    [
        # agents, traffic, aht, patience: agents * patience / aht from 1e6 to 1e8
        (2000, 2000.0, 100, 5e4),
        (2000, 1990.0, 100, 5e5),
        (500, 520.0, 200, 1e6),  # overloaded: a queue of about 1e5 callers
        (3000, 2900.0, 60, 3e4),
        (20_000, 20_000.0, 240, 1e6),
    ],
)
def test_very_patient_callers_match_the_birth_death_chain(case):
    # Large shapes are where scipy's lower incomplete gamma loses accuracy in
    # its tail (the series takes over there) and where closed forms cancel.
    p_wait, abandon_rate = erlang_a_stationary(*case)
    r = erlang_a(*case, answer_time=20)
    assert r.p_wait == pytest.approx(p_wait, rel=1e-9)
    assert r.abandon_rate == pytest.approx(abandon_rate, rel=1e-4, abs=1e-8)


def test_absurd_patience_at_full_load_is_refused_not_a_hang():
    with pytest.raises(InputError, match="queue lengths"):
        erlang_a(100, 100.0, 100, 1e14, answer_time=20)
    with pytest.raises(InputError, match="queue lengths"):
        erlang_a(1, 1e17, 100, 100, answer_time=20)
    # The same patience with spare agents is fine: the queue stays short.
    assert erlang_a(14, 10.0, 180, 1e15, answer_time=20).abandon_rate < 1e-10


def test_service_level_bases():
    r = erlang_a(12, 10.0, 180, 120, answer_time=20)
    excl = erlang_a(12, 10.0, 180, 120, answer_time=20, sl_basis="offered_excl_short_abandons")
    answered = erlang_a(12, 10.0, 180, 120, answer_time=20, sl_basis="answered")
    assert excl.service_level == pytest.approx(r.answered_within / (1 - r.abandoned_within))
    assert answered.service_level == pytest.approx(r.answered_within / (1 - r.abandon_rate))
    assert r.service_level < excl.service_level < answered.service_level
    with pytest.raises(InputError, match="'sl_basis'"):
        erlang_a(12, 10.0, 180, 120, answer_time=20, sl_basis="handled")


def test_stable_when_agents_do_not_exceed_traffic():
    r = erlang_a(np.array([0, 1, 50, 100, 150]), 150.0, 240, 180, answer_time=20)
    assert np.all(np.isfinite(r.abandon_rate))
    assert np.all(np.diff(r.abandon_rate) < 0)
    assert r.abandon_rate[0] == 1.0
    assert r.asa[0] == np.inf  # nobody is ever answered with no agents
    # With no agents every caller abandons, after exactly their patience.
    assert r.abandoned_within[0] == pytest.approx(1 - np.exp(-20 / 180))
    # Capacity bound: at most n / A of offered calls can be served.
    served = 1 - r.abandon_rate
    assert np.all(served[1:] <= np.array([1, 50, 100, 150]) / 150 + 1e-12)


def test_zero_traffic():
    r = erlang_a([0, 5], 0.0, 180, 120, answer_time=20)
    assert r.p_wait.tolist() == [0.0, 0.0]
    assert r.abandon_rate.tolist() == [0.0, 0.0]
    assert r.service_level.tolist() == [1.0, 1.0]
    assert r.asa.tolist() == [0.0, 0.0]


def test_no_intervals():
    # empty arrays in, empty arrays out: measures and staffing
    r = erlang_a(np.zeros(0), np.zeros(0), 180, 120, answer_time=20)
    assert r.p_wait.shape == r.service_level.shape == r.asa.shape == (0,)
    staffing = required_agents(np.zeros(0), 180, 900, Targets(), model=ErlangA(patience=120))
    assert staffing.shape == (0,)


@pytest.mark.parametrize("patience", [60.0, 600.0, 3600.0])
def test_large_traffic_has_no_nan_and_is_consistent(patience):
    a = 20_000.0
    n = np.array([1, 100, 10_000, 19_500, 20_000, 20_100, 20_300, 21_000, 30_000])
    r = erlang_a(n, a, 240, patience, answer_time=20)
    for name in ("p_wait", "abandon_rate", "service_level", "asa", "occupancy"):
        values = getattr(r, name)
        assert not np.isnan(values).any(), name
    assert np.all(np.diff(r.abandon_rate) <= 0)
    assert np.all(np.diff(r.service_level) >= -1e-12)
    # Deep overload: nearly all the capacity is used and the excess abandons.
    assert r.occupancy[2] == pytest.approx(1.0, abs=1e-6)
    assert r.abandon_rate[2] == pytest.approx(0.5, abs=1e-3)


def test_large_traffic_near_critical_load_matches_brute_force():
    # A few hundred agents near critical load, deep enough a queue to matter.
    case = (400, 400.0, 240, 300, 20)
    ref = erlang_a_brute(*case, depth=900)
    *args, t = case
    r = erlang_a(*args, answer_time=t)
    for name in ("p_wait", "abandon_rate", "answered_within", "asa"):
        assert getattr(r, name) == pytest.approx(ref[name], rel=1e-8), name


def test_tends_to_erlang_c_as_patience_grows():
    # Erlang A differs from Erlang C by O(aht / patience); the formulas must
    # follow that all the way, with no loss of accuracy for huge patience.
    agents, a, aht, t = 14, 10.0, 180.0, 20.0
    c_measures = (
        erlang_c(agents, a),
        service_level(agents, a, aht, answer_time=t),
        erlang_c_asa(agents, a, aht),
    )
    gaps = []
    for patience in (1e3, 1e4, 1e5, 1e6, 1e8, 1e10, 1e12, 1e15):
        r = erlang_a(agents, a, aht, patience, answer_time=t)
        assert r.abandon_rate < 10 * aht / patience
        rel = [
            abs(got / want - 1)
            for got, want in zip((r.p_wait, r.service_level, r.asa), c_measures, strict=True)
        ]
        assert max(rel) < 100 * aht / patience, (patience, rel)
        gaps.append(rel[1])
    assert all(later < earlier for earlier, later in itertools.pairwise(gaps))


@given(
    n=st.integers(1, 300),
    a=st.floats(0.05, 300.0),
    aht=st.floats(30.0, 1200.0),
    patience=st.floats(5.0, 3000.0),
    t=st.floats(0.0, 300.0),
)
def test_measures_are_probabilities_and_improve_with_agents(n, a, aht, patience, t):
    r = erlang_a(np.array([n, n + 1]), a, aht, patience, answer_time=t)
    for name in ("p_wait", "abandon_rate", "service_level", "occupancy"):
        values = getattr(r, name)
        assert np.all((values >= 0) & (values <= 1)), name
    assert np.all(r.asa >= 0)
    assert np.all(r.answered_within + r.abandoned_within <= 1 + 1e-12)
    assert r.service_level[1] >= r.service_level[0] - 1e-12
    assert r.abandon_rate[1] <= r.abandon_rate[0] + 1e-12
    assert r.asa[1] <= r.asa[0] * (1 + 1e-9) + 1e-12


@given(
    n=st.integers(1, 60),
    a=st.floats(0.1, 60.0),
    patience=st.floats(10.0, 2000.0),
    t=st.floats(0.0, 120.0),
)
def test_patience_grows_towards_erlang_c_monotonically(n, a, patience, t):
    # More patient callers queue more: P(wait) rises with patience and is
    # bounded by Erlang C's where that queue is stable.
    low = erlang_a(n, a, 180, patience, answer_time=t)
    high = erlang_a(n, a, 180, patience * 4, answer_time=t)
    assert high.p_wait >= low.p_wait - 1e-12
    assert high.abandon_rate <= low.abandon_rate + 1e-12
    if n > a:
        assert high.p_wait <= erlang_c(n, a) + 1e-12


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"patience": 0.0}, "patience"),
        ({"patience": -10.0}, "patience"),
        ({"aht": 0.0}, "aht"),
        ({"answer_time": -1.0}, "answer_time"),
        ({"traffic": float("nan")}, "traffic"),
        ({"agents": -2}, "agents"),
    ],
)
def test_bad_input(kwargs, name):
    args = {"agents": 10, "traffic": 8.0, "aht": 180, "patience": 120, "answer_time": 20} | kwargs
    with pytest.raises(InputError, match=f"'{name}'"):
        erlang_a(**args)
