"""Erlang A's first guess of the staffing requirement (planner.models._erlang_a_guess)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from scipy import special

from planner import ErlangA, Targets, required_agents
from planner.models import IntervalModel, Load
from planner.models import _erlang_a_guess as guess_module
from planner.models import erlang as erlang_module


@pytest.mark.parametrize("shape", [1.5, 3.0, 10.0, 100.0, 2000.0])
def test_temme_expansion_is_as_close_as_the_module_says(shape):
    # the module's docstring: relative error below 5e-3 at shape 1.5, 3e-5 at 100,
    # from 0.4 to 1.8 times the shape (measured: 4.0e-3, 1.3e-3, 2.9e-4, 2.6e-5, 1.3e-6)
    bound = {1.5: 5e-3, 3.0: 1.5e-3, 10.0: 3.5e-4, 100.0: 3e-5, 2000.0: 2e-6}[shape]
    for z in shape * np.linspace(0.4, 1.8, 29):
        lower = np.exp(guess_module._log_p(shape, z))
        upper = np.exp(guess_module._log_q(shape, z))
        assert lower == pytest.approx(special.gammainc(shape, z), rel=bound)
        assert upper == pytest.approx(special.gammaincc(shape, z), rel=bound)


def _random_days(seed: int, days: int):
    """Days of 96 intervals: loads from 0.5 to 3,000 calls, handle times one per
    day or per interval, every service-level basis, sometimes an occupancy cap."""
    rng = np.random.default_rng(seed)
    for day in range(days):
        calls = rng.uniform(0.5, 3000, 96) * (1.0 if day % 3 else rng.uniform(0.01, 1.0))
        aht = rng.uniform(60, 900, 96) if day % 2 else np.full(96, rng.uniform(60, 900))
        kw = {
            "service_level": float(rng.uniform(0.5, 0.98)),
            "answer_time": float(rng.uniform(5, 120)),
            "sl_basis": ("offered", "answered", "offered_excl_short_abandons")[day % 3],
            "max_abandon": float(rng.uniform(0.01, 0.3)),
        }
        if day % 4 == 0:
            kw["max_occupancy"] = float(rng.uniform(0.7, 0.95))
        yield calls, aht, Targets(**kw), ErlangA(patience=float(rng.uniform(10, 2000)))


def test_the_guess_is_almost_always_the_requirement():
    # Measured on these 60 days: 5,733 of 5,760 guesses exact, none more than 1 off
    # (5,737 and 2 before the guess was interpolated on the days of one handle time).
    off = []
    for calls, aht, targets, model in _random_days(7, 60):
        need = required_agents(calls, aht, 900, targets, model=model)
        off.append(model.guess(Load.of(calls, aht, 900), targets) - need)
    off = np.concatenate(off)
    assert np.mean(off == 0) >= 0.99
    assert np.abs(off).max() <= 2


def test_the_search_answer_does_not_depend_on_the_guess(monkeypatch):
    # The guess only saves evaluations: a guess off by any amount, tried with one
    # fewer (close_guess) or alone, gives the same fewest agents.
    for calls, aht, targets, model in _random_days(11, 8):
        exact = required_agents(calls, aht, 900, targets, model=model)
        for shift in (-7.0, -1.0, 1.0, 5.0):
            for close in (True, False):
                with monkeypatch.context() as m:
                    m.setattr(ErlangA, "close_guess", close)
                    real = ErlangA.guess

                    def shifted(self, load, t, real=real, shift=shift):
                        return np.maximum(real(self, load, t) + shift, 0.0)

                    m.setattr(ErlangA, "guess", shifted)
                    assert required_agents(calls, aht, 900, targets, model=model).tolist() == (
                        exact.tolist()
                    )


def test_a_week_is_confirmed_in_one_exact_evaluation(erlang_evaluations):
    # bench/bench_required_agents.py's week: the guess and one fewer, at once
    calls = np.random.default_rng(2026).uniform(10, 2000, 672)
    evaluations = erlang_evaluations
    model = ErlangA(patience=180.0)
    targets = Targets(service_level=0.8, answer_time=20.0)
    need = required_agents(calls, 240, 900, targets, model=model)
    assert evaluations["n"] == 1
    m = model.measures(np.concatenate([need - 1.0, need]), Load.of(np.tile(calls, 2), 240, 900),
                       targets)  # fmt: skip
    met = (m["service_level"] >= 0.8) & (m["abandon_rate"] <= targets.max_abandon)
    assert not met[:672].any() and met[672:].all()


def test_a_model_copy_with_other_patience_guesses_for_itself():
    # the guess reads the patience of the model it is called on, per interval
    calls, aht = np.full(4, 300.0), np.full(4, 240.0)
    targets = Targets(service_level=0.8, answer_time=20.0)
    patient = ErlangA(patience=(30.0, 300.0, 3000.0, 30000.0))
    guesses = patient.guess(Load.of(calls, aht, 900), targets)
    assert guesses.tolist() == required_agents(calls, aht, 900, targets, model=patient).tolist()
    assert (
        dataclasses.replace(patient, patience=30.0)
        .guess(Load.of(calls, aht, 900), targets)
        .tolist()
        == [guesses[0]] * 4
    )


def test_interpolation_is_exact_for_cubics():
    # four nodes around each point: a cubic comes back to rounding, inside and past the ends
    nodes = 1.5 + 0.75 * np.arange(16)
    cubic = np.polynomial.Polynomial([0.3, -1.2, 0.5, 0.02])
    at = np.random.default_rng(1).uniform(1.0, 14.0, 200)
    assert guess_module.interpolate(nodes, cubic(nodes), at) == pytest.approx(cubic(at), abs=1e-9)


def test_guesses_from_nodes_are_as_close_as_guesses_per_interval(monkeypatch):
    # one handle time and patience for the day: 16 interpolated counts guess as well
    # as a count per interval (the same answers on the hit-rate test's days)
    guesses = {}
    for per_interval in (False, True):
        with monkeypatch.context() as m:
            if per_interval:
                m.setattr(erlang_module, "_NODE_SHARE", 10**9)
            guesses[per_interval] = [
                model.guess(Load.of(calls, 240.0, 900), targets)
                for calls, _, targets, model in _random_days(5, 20)
            ]
    nodes, each = np.concatenate(guesses[False]), np.concatenate(guesses[True])
    assert np.mean(nodes == each) >= 0.99
    assert np.abs(nodes - each).max() <= 1


def _pair_cases(seed: int, size: int):
    """Random agent counts, loads (some without calls) and patiences (seconds)."""
    rng = np.random.default_rng(seed)
    calls = rng.uniform(0, 3000, size) * rng.choice([0.0, 1.0, 1.0, 1.0, 1e-3], size)
    aht = rng.uniform(60, 900, size)
    agents = np.floor(calls * aht / 900 * rng.uniform(0.5, 1.5, size)) + rng.integers(0, 4, size)
    return agents, Load.of(calls, aht, 900), rng.uniform(10, 2000, size)


@pytest.mark.parametrize("basis", ["offered", "answered", "offered_excl_short_abandons"])
@pytest.mark.parametrize("asa", [None, 30.0])
def test_the_pair_test_equals_two_tests(basis, asa):
    # ErlangA.meets_and_fewer takes Erlang B at one agent fewer by the recursion: the
    # same verdicts as testing both counts (the base class's way)
    for seed in range(3):
        agents, load, patience = _pair_cases(seed, 400)
        targets = Targets(service_level=0.8, answer_time=20.0, asa=asa, max_abandon=0.1,
                          sl_basis=basis)  # fmt: skip
        fewer = np.flatnonzero(agents >= 1)[::2]
        for model in (ErlangA(patience=300.0), ErlangA(patience=tuple(patience))):
            ok, fewer_ok = model.meets_and_fewer(agents, fewer, load, targets)
            both = IntervalModel.meets_and_fewer(model, agents, fewer, load, targets)
            assert ok.tolist() == both[0].tolist()
            assert fewer_ok.tolist() == both[1].tolist()
