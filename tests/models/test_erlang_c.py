"""Erlang B and Erlang C against published values and an mpmath reference."""

from __future__ import annotations

import mpmath
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from planner import InputError, asa, erlang_b, erlang_c, occupancy, service_level, traffic
from planner.models import _kernels

# Call Centre Helper, "Erlang C Formula - Made Simple" (also the README of the R
# package ErlangC): 100 calls / 30 min, AHT 180 s, 80% in 20 s, A = 10 Erlangs.
# agents, P(wait), service level, ASA (s), occupancy
CALL_CENTRE_HELPER = [
    (11, 0.6821182, 0.3896138, 122.78, 0.9091),
    (12, 0.4493882, 0.640158, 40.44, 0.8333),
    (13, 0.2852705, 0.7955948, 17.12, 0.7692),
    (14, 0.1741319, 0.88835, 7.836, 0.7143),
]


@pytest.mark.parametrize(("agents", "p_wait", "sl", "speed", "occ"), CALL_CENTRE_HELPER)
def test_call_centre_helper_worked_example(agents, p_wait, sl, speed, occ):
    a = traffic(100, 180, 1800)
    assert a == pytest.approx(10.0)
    assert erlang_c(agents, a) == pytest.approx(p_wait, abs=5e-8)
    assert service_level(agents, a, 180, answer_time=20) == pytest.approx(sl, abs=5e-7)
    assert asa(agents, a, 180) == pytest.approx(speed, abs=5e-3)
    assert occupancy(agents, a) == pytest.approx(occ, abs=5e-5)


def test_mitan_step_by_step_example():
    # mitan.co.uk step-by-step Erlang C: 360 calls / 30 min, AHT 240 s, 55 agents,
    # T = 15 s: P(wait) 0.2387, ASA 8.184 s, SL 0.8459.
    a = traffic(360, 240, 1800)
    assert erlang_c(55, a) == pytest.approx(0.2387, abs=5e-5)
    assert asa(55, a, 240) == pytest.approx(8.184, abs=5e-4)
    assert service_level(55, a, 240, answer_time=15) == pytest.approx(0.8459, abs=5e-5)


# Tijms, A First Course in Stochastic Models (2003), Table 5.3.2: the smallest
# number of servers c with P(wait) <= alpha.
TIJMS = {
    1: (2, 3, 3),
    5: (7, 8, 9),
    10: (12, 14, 16),
    50: (54, 58, 61),
    100: (106, 111, 115),
    250: (259, 268, 274),
    500: (512, 525, 533),
    1000: (1017, 1034, 1046),
}


@pytest.mark.parametrize("load", sorted(TIJMS))
def test_tijms_table_5_3_2(load):
    counts = np.arange(load, load + 200)
    p_wait = erlang_c(counts, float(load))
    for alpha, expected in zip((0.5, 0.2, 0.1), TIJMS[load], strict=True):
        assert counts[np.argmax(p_wait <= alpha)] == expected


def test_tijms_heavy_traffic_value():
    # Tijms (2003): c = 100 servers at rho = 0.95 give P(wait) = 0.506.
    assert erlang_c(100, 95.0) == pytest.approx(0.506, abs=5e-4)


def test_erlang_b_textbook_values():
    # Classic Erlang B table values (e.g. Cooper, Introduction to Queueing
    # Theory, Table I): B(1, 1) = 0.5, B(2, 1) = 0.2, B(10, 10) = 0.2146,
    # B(30, 20) = 0.0085.
    assert erlang_b(1, 1.0) == pytest.approx(0.5, rel=1e-14)
    assert erlang_b(2, 1.0) == pytest.approx(0.2, rel=1e-14)
    assert erlang_b(10, 10.0) == pytest.approx(0.2146, abs=5e-5)
    assert erlang_b(30, 20.0) == pytest.approx(0.0085, abs=5e-5)


def _mp_erlang_b(n: int, a: float) -> mpmath.mpf:
    """Erlang B as Poisson pmf / cdf in 60-digit arithmetic (independent of scipy)."""
    with mpmath.workdps(60):
        a = mpmath.mpf(a)
        pmf = mpmath.exp(n * mpmath.log(a) - a - mpmath.loggamma(n + 1))
        cdf = mpmath.gammainc(n + 1, a, mpmath.inf, regularized=True)
        return pmf / cdf


@pytest.mark.parametrize(
    ("n", "a"),
    [
        (0, 3.0),
        (1, 0.01),
        (5, 0.01),
        (10, 200.0),  # traffic far above agents: the series branch
        (100, 20_000.0),
        (10_000, 20_000.0),
        (19_990, 20_000.0),
        (20_000, 20_000.0),
        (20_150, 20_000.0),
        (20_600, 20_000.0),
        (3_000, 2_950.5),
        (50, 49.99),
    ],
)
def test_erlang_b_matches_mpmath(n, a):
    expected = float(_mp_erlang_b(n, a))
    assert erlang_b(n, a) == pytest.approx(expected, rel=1e-9, abs=1e-300)


def test_large_traffic_is_finite_and_consistent():
    a = 20_000.0
    n = np.arange(19_000, 21_000, 7)
    for values in (
        erlang_b(n, a),
        erlang_c(n, a),
        service_level(n, a, 240, answer_time=20),
        asa(n, a, 240),
    ):
        assert not np.isnan(values).any()
    c = erlang_c(n, a)
    assert np.all(c[n <= a] == 1.0)
    assert np.all(np.diff(c) <= 0)
    # Halfin-Whitt: N = A + beta sqrt(A) gives P(wait) ~ [1 + beta Phi/phi]^-1;
    # the approximation error shrinks like 1/sqrt(A), a few 1e-3 here.
    for beta, approx in ((0.5, 0.5045), (1.0, 0.2234), (1.5, 0.0847), (2.0, 0.0269)):
        exact = erlang_c(round(a + beta * np.sqrt(a)), a)
        assert exact == pytest.approx(approx, abs=5e-3)
        hw = 1.0 / (1.0 + beta * stats.norm.cdf(beta) / stats.norm.pdf(beta))
        assert hw == pytest.approx(approx, abs=1e-4)


def test_unstable_queue_is_not_an_error():
    assert erlang_c(10, 10.0) == 1.0
    assert erlang_c(5, 10.0) == 1.0
    assert service_level(10, 12.0, 180, answer_time=20) == 0.0
    assert asa(10, 12.0, 180) == np.inf
    assert occupancy(10, 12.0) == 1.0


def test_zero_traffic():
    assert erlang_b(0, 0.0) == 1.0
    assert erlang_b(3, 0.0) == 0.0
    assert erlang_c(0, 0.0) == 0.0
    assert service_level(0, 0.0, 180, answer_time=20) == 1.0
    assert asa(0, 0.0, 180) == 0.0
    assert occupancy(0, 0.0) == 0.0


def test_scalars_in_scalars_out_and_broadcasting():
    assert np.ndim(erlang_c(14, 10.0)) == 0
    assert isinstance(erlang_c(14, 10.0), float)
    grid = erlang_c(np.arange(11, 15)[:, None], np.array([9.0, 10.0]))
    assert grid.shape == (4, 2)
    assert grid[3, 1] == pytest.approx(CALL_CENTRE_HELPER[3][1], abs=5e-8)
    sl = service_level([13, 14], 10.0, 180, answer_time=[20, 20])
    assert sl.shape == (2,)


@pytest.mark.parametrize(
    ("call", "name", "bad"),
    [
        (lambda x: erlang_b(x, 10.0), "agents", -1),
        (lambda x: erlang_b(x, 10.0), "agents", 2.5),
        (lambda x: erlang_c(10, x), "traffic", -0.5),
        (lambda x: erlang_c(10, x), "traffic", np.nan),
        (lambda x: service_level(10, 5.0, x, answer_time=20), "aht", 0.0),
        (lambda x: service_level(10, 5.0, 180, answer_time=x), "answer_time", -1.0),
        (lambda x: asa(10, 5.0, x), "aht", -3.0),
        (lambda x: traffic(x, 180, 1800), "calls", np.nan),
        (lambda x: traffic(100, 180, x), "interval", 0),
    ],
)
def test_bad_input_names_parameter_and_value(call, name, bad):
    with pytest.raises(InputError, match=f"'{name}'") as err:
        call(bad)
    assert str(bad) in str(err.value) or repr(float(bad)) in str(err.value)
    assert isinstance(err.value, ValueError)


def test_bad_array_input_says_where():
    with pytest.raises(InputError, match=r"'aht' must be > 0 and finite: -5.0 \(at index 2\)"):
        asa(10, 5.0, [180, 180, -5])


@given(
    a=st.floats(0.01, 3000.0),
    extra=st.integers(1, 400),
    t=st.floats(0.0, 600.0),
    aht=st.floats(10.0, 3600.0),
)
def test_service_level_rises_with_agents(a, extra, t, aht):
    n = np.floor(a) + np.arange(extra, extra + 3)
    p = erlang_c(n, a)
    sl = service_level(n, a, aht, answer_time=t)
    assert np.all((p >= 0) & (p <= 1))
    assert np.all((sl >= 0) & (sl <= 1))
    assert np.all(np.diff(sl) >= -1e-12)
    assert np.all(np.diff(p) <= 1e-12)
    assert np.all(np.diff(asa(n, a, aht)) <= 1e-9)


@given(n=st.integers(0, 25_000), a=st.floats(0.01, 25_000.0))
def test_erlang_b_is_a_probability_and_below_erlang_c(n, a):
    b = erlang_b(n, a)
    c = erlang_c(n, a)
    assert 0.0 <= b <= 1.0
    assert 0.0 <= c <= 1.0
    assert b <= c + 1e-12
    if n > 0:
        # The recursion B(n) = a B(n-1) / (n + a B(n-1)) holds at every n.
        prev = erlang_b(n - 1, a)
        assert b == pytest.approx(a * prev / (n + a * prev), rel=1e-9, abs=1e-300)


def test_mismatched_shapes_are_named():
    with pytest.raises(InputError, match=r"'agents' \(2,\), 'traffic' \(3,\)"):
        erlang_c([1, 2], [1.0, 2.0, 3.0])


@pytest.mark.parametrize(("n", "a"), [(1, 0.01), (1, 5.0), (2, 0.3), (14, 10.0), (30, 29.5),
                                      (545, 533.0), (20_150, 20_000.0), (10, 200.0)])  # fmt: skip
def test_erlang_b_one_agent_fewer_from_the_recursion_matches_mpmath(n, a):
    # B(n - 1) from B(n) by the recursion run backwards (B(n) <= 1/2), or directly
    log_b = _kernels.log_erlang_b(np.array([float(n)]), np.array([a]))
    fewer = _kernels.log_erlang_b_fewer(np.array([float(n)]), np.array([a]), log_b)
    assert np.exp(fewer[0]) == pytest.approx(float(_mp_erlang_b(n - 1, a)), rel=1e-12)


@given(n=st.integers(1, 5_000), a=st.floats(0.01, 5_000.0))
def test_erlang_b_one_agent_fewer_equals_the_direct_value(n, a):
    log_b = _kernels.log_erlang_b(np.array([float(n)]), np.array([a]))
    fewer = _kernels.log_erlang_b_fewer(np.array([float(n)]), np.array([a]), log_b)
    direct = _kernels.log_erlang_b(np.array([n - 1.0]), np.array([a]))
    assert np.exp(fewer[0]) == pytest.approx(np.exp(direct[0]), rel=1e-11)
