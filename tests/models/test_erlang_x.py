"""Erlang X: published figures, Erlang A and C as special cases, a brute-force chain,
and the balance every exact solution keeps."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import linalg

from planner import ErlangX, InputError, Targets, required_agents
from planner.models import asa, erlang_a, erlang_x, service_level


def test_ccmath_published_example():
    # CCmath's Erlang X demo: 4 calls/min, AHT 3 min, 14 agents, T = 20 s, patience 1 min,
    # 100 lines, no redials: ASA 0.10 min, service level 87.97% (virtual waiting time),
    # about 86.15% answered within T over offered, abandonment 7.43%, occupancy 79.34%.
    kw = {"answer_time": 20, "lines": 100}
    virtual = erlang_x(14, 12.0, 180, 60, sl_definition="virtual", **kw)
    assert virtual.service_level == pytest.approx(0.8797, abs=1e-4)  # printed to 2 decimals
    assert round(float(virtual.virtual_wait) / 60, 2) == 0.10  # their "ASA"
    assert round(float(virtual.abandon_rate), 4) == 0.0743
    assert round(float(virtual.occupancy), 4) == 0.7934
    offered = erlang_x(14, 12.0, 180, 60, **kw)
    assert round(float(offered.service_level), 4) == 0.8615
    assert float(offered.blocking) < 1e-50  # 100 lines are never all busy here


@pytest.mark.parametrize(
    ("agents", "traffic", "aht", "patience"),
    [(14, 12.0, 180, 60), (5, 8.0, 300, 120), (120, 118.5, 240, 200), (2000, 1990.0, 180, 90)],
)
def test_without_redials_and_line_limits_it_is_erlang_a(agents, traffic, aht, patience):
    x = erlang_x(agents, traffic, aht, patience, answer_time=20)
    a = erlang_a(agents, traffic, aht, patience, answer_time=20)
    assert x.service_level == pytest.approx(a.service_level, rel=1e-9, abs=1e-12)
    assert x.asa == pytest.approx(a.asa, rel=1e-9, abs=1e-9)
    assert x.abandon_rate == pytest.approx(a.abandon_rate, rel=1e-9, abs=1e-12)
    assert x.occupancy == pytest.approx(a.occupancy, rel=1e-9)
    assert x.truncated_mass < 1e-9 and x.redial_share == 0 and x.repeat_share == 0


def test_with_infinite_patience_it_is_erlang_c():
    agents = np.array([13, 14, 20, 260])
    traffic = np.array([12.0, 12.0, 12.0, 250.0])
    x = erlang_x(agents, traffic, 180, np.inf, answer_time=20)
    np.testing.assert_allclose(
        x.service_level, service_level(agents, traffic, 180, answer_time=20), rtol=1e-9
    )
    np.testing.assert_allclose(x.asa, asa(agents, traffic, 180), rtol=1e-8)
    assert np.all(x.abandon_rate == 0)
    with pytest.raises(InputError, match="never settles"):
        erlang_x(10, 12.0, 180, np.inf, answer_time=20)


def _brute_force(s, lam, mu, theta, lines, p, gamma, orbit):
    """The chain built state by state (dense), with the orbit cut at ``orbit``."""
    states = [(n, m) for m in range(orbit + 1) for n in range(lines + 1)]
    index = {st: i for i, st in enumerate(states)}
    q = np.zeros((len(states), len(states)))

    def move(a, b, rate):
        if rate > 0 and b in index:
            q[index[a], index[b]] += rate

    for n, m in states:
        if n < lines:
            move((n, m), (n + 1, m), lam)
            move((n, m), (n + 1, m - 1), m * gamma)
        else:
            move((n, m), (n, m + 1), lam * p)
            move((n, m), (n, m - 1), m * gamma * (1 - p))
        move((n, m), (n - 1, m), min(n, s) * mu)
        waiting = max(n - s, 0) * theta
        if m < orbit:
            move((n, m), (n - 1, m + 1), waiting * p)
            move((n, m), (n - 1, m), waiting * (1 - p))
        else:
            move((n, m), (n - 1, m), waiting)
    np.fill_diagonal(q, -q.sum(axis=1))
    a = np.vstack([q.T, np.ones(len(states))])
    b = np.zeros(len(states) + 1)
    b[-1] = 1
    pi = linalg.lstsq(a, b)[0]
    return {st: pi[i] for st, i in index.items()}


def test_the_chain_with_redials_and_lines_matches_brute_force():
    s, lam, mu, theta, lines, p, gamma = 3, 1 / 20, 1 / 60, 1 / 45, 6, 0.6, 1 / 120
    pi = _brute_force(s, lam, mu, theta, lines, p, gamma, orbit=60)
    occupancy = sum(w * min(n, s) for (n, _), w in pi.items()) / s
    blocked_time = sum(w for (n, _), w in pi.items() if n == lines)
    orbit_mean = sum(w * m for (_, m), w in pi.items())
    x = erlang_x(s, lam / mu, 1 / mu, 1 / theta, answer_time=20, lines=lines,
                 redial_probability=p, redial_delay=1 / gamma, tolerance=1e-12)  # fmt: skip
    assert x.occupancy == pytest.approx(occupancy, rel=1e-8)
    redials = gamma * orbit_mean
    assert x.redial_share == pytest.approx(redials / (lam + redials), rel=1e-8)
    # what an attempt sees: fresh calls the time average, redials it weighted by the orbit
    blocked = lam * blocked_time + gamma * sum(w * m for (n, m), w in pi.items() if n == lines)
    assert x.blocking == pytest.approx(blocked / (lam + redials), rel=1e-8)
    assert blocked_time > 0.01  # the lines are a real limit here


@pytest.mark.parametrize(
    "kw",
    [
        {"lines": 16, "redial_probability": 0.5, "redial_delay": 300},
        {"redial_probability": 0.5, "redial_delay": 300},
        {"redial_probability": 0.3, "redial_delay": 60, "fcr": 0.8},
        {"lines": 20, "fcr": 0.7},
    ],
)
def test_every_answered_or_lost_attempt_is_accounted_for(kw):
    # Time averages (occupancy) and what arriving attempts see (answered, hung up,
    # blocked) come from different sums; the carried load ties them together:
    # busy agents = attempts answered x AHT (Little's law).
    agents, traffic, aht = 12, 12.0, 180
    x = erlang_x(agents, traffic, aht, 60, answer_time=20, **kw)
    answered = 1 - float(x.abandon_rate) - float(x.blocking)
    assert x.occupancy * agents == pytest.approx(float(x.offered_traffic) * answered, rel=1e-8)
    # repeats: the unresolved share of answered calls comes back as fresh calls
    fcr = kw.get("fcr", 1.0)
    repeats = float(x.fresh_traffic) - traffic
    assert repeats == pytest.approx((1 - fcr) * float(x.offered_traffic) * answered, rel=1e-8)
    assert float(x.repeat_share) == pytest.approx(repeats / float(x.fresh_traffic), rel=1e-9)
    # redials are the redialling share of the attempts lost
    p = kw.get("redial_probability", 0.0)
    lost = float(x.abandon_rate) + float(x.blocking)
    assert float(x.redial_share) == pytest.approx(p * lost, rel=1e-6)


def test_more_agents_give_better_service_and_uncertainty_costs_service():
    x = erlang_x(np.arange(10, 22), 12.0, 180, 60, answer_time=20, redial_probability=0.4)
    assert np.all(np.diff(x.service_level) > 0) and np.all(np.diff(x.abandon_rate) < 0)
    sure = erlang_x(15, 12.0, 180, 60, answer_time=20)
    unsure = erlang_x(15, 12.0, 180, 60, answer_time=20, volume_cv=0.15)
    assert unsure.service_level < sure.service_level  # convex around the forecast
    assert unsure.abandon_rate > sure.abandon_rate


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"redial_probability": 1.0}, r"'redial_probability' must be in \[0, 1\)"),
        ({"lines": 10}, "'agents' exceeds 'lines'"),
        ({"lines": 0}, "'lines' must be a whole number >= 1"),
        ({"fcr": 0}, r"'fcr' must be in \(0, 1\]"),
        ({"sl_definition": "fast"}, "'sl_definition' must be"),
        ({"redial_delay": -5}, "'redial_delay' must be > 0"),
        ({"volume_cv": [0.1]}, "'volume_cv' must be a single number"),
    ],
)
def test_bad_input_is_named(kw, message):
    with pytest.raises(InputError, match=message):
        erlang_x(14, 12.0, 180, 60, answer_time=20, **kw)
    with pytest.raises(InputError, match="'patience' must be > 0"):
        erlang_x(14, 12.0, 180, 0, answer_time=20)


def test_staffing_under_erlang_x_is_minimal_and_follows_the_model():
    from planner import ErlangA, ErlangX, Scenario, Targets, required_agents

    targets = Targets(service_level=0.8, answer_time=20)
    calls = np.array([40.0, 120.0, 240.0, 0.0])
    model = ErlangX(patience=90, redial_probability=0.5, redial_delay=300, fcr=0.85)
    need = required_agents(calls, 180, 1800, targets, model=model)
    plain = required_agents(calls, 180, 1800, targets, model=ErlangA(patience=90))
    assert need[-1] == 0 and np.all(need >= plain) and need[2] > plain[2]
    for c, n in zip(calls[:3], need[:3], strict=True):
        at = erlang_x([n - 1, n], c * 180 / 1800, 180, 90, answer_time=20, redial_probability=0.5,
                      redial_delay=300, fcr=0.85)  # fmt: skip
        met = targets.met({k: getattr(at, k) for k in ("service_level", "abandon_rate",
                                                        "occupancy", "asa")})  # fmt: skip
        assert met.tolist() == [False, True]
    # a scenario carries the model in its file, and its tables are the model's
    bank = Scenario.load("scenarios/retail_bank.toml")
    redials = bank.with_changes(redial_probability=0.5, fcr=0.85)
    assert Scenario.loads(redials.dumps()) == redials
    assert "[erlang_x]" in redials.dumps()
    table = redials.requirements()
    x = erlang_x(table["agents"], table["traffic"], table["aht"], bank.mean_patience,
                 answer_time=20, redial_probability=0.5, fcr=0.85)  # fmt: skip
    np.testing.assert_allclose(table["service_level"], x.service_level, rtol=1e-12)
    np.testing.assert_allclose(table["repeat_share"], x.repeat_share, rtol=1e-12)
    assert (table["agents"] >= bank.requirements()["agents"]).all()


def test_the_command_line_staffs_by_erlang_x_as_the_library_does(capsys):
    import pandas as pd

    from planner import Scenario
    from planner.cli import main

    argv = ["requirements", "--scenario", "scenarios/help_desk.toml", "--redial-probability",
            "0.4", "--lines", "60", "--format", "csv"]  # fmt: skip
    assert main(argv) == 0
    shown = pd.read_csv(pd.io.common.StringIO(capsys.readouterr().out))
    want = Scenario.load("scenarios/help_desk.toml").with_changes(
        redial_probability=0.4, lines=60
    ).requirements()  # fmt: skip
    assert shown["agents"].tolist() == want["agents"].tolist()
    np.testing.assert_allclose(shown["blocking"], want["blocking"], rtol=1e-9)
    assert main([*argv[:-2], "--fcr", "0"]) == 2
    assert "'fcr' must be in (0, 1]" in capsys.readouterr().err


def test_a_scenario_file_section_is_checked():
    from planner import Scenario, ScenarioError

    base = Scenario.load("scenarios/help_desk.toml").dumps()
    for section, message in [
        ("[erlang_x]\ncolour = 1\n", "unknown key 'erlang_x.colour'"),
        ("[erlang_x]\nredial_probability = 2\n", "'redial_probability' must be in"),
        ("[erlang_x]\nlines = 'many'\n", "'lines' must be a whole number"),
    ]:
        with pytest.raises(ScenarioError, match=message):
            Scenario.loads(base + section, source="x.toml")


# Simulation of the same callers: a long steady day (2 h of warm-up), 40 days.
STEADY = {"calls": [120.0] * 16, "aht": [180.0] * 16}


@pytest.mark.parametrize(
    ("behaviour", "metrics"),
    [
        ({"redial_probability": 0.5, "redial_delay": 300, "fcr": 0.8},
         ("service_level", "abandon_rate", "occupancy", "asa", "redial_share", "repeat_share")),
        ({"lines": 16, "redial_probability": 0.5, "redial_delay": 300},
         ("service_level", "abandon_rate", "blocking", "redial_share", "occupancy")),
    ],
)  # fmt: skip
@pytest.mark.slow
def test_simulation_agrees_with_the_chain(behaviour, metrics):
    from planner import simulate

    chain = erlang_x(14, 12.0, 180, 60, answer_time=20, **behaviour)
    sim = simulate(STEADY, 14, interval=1800, patience=60, replications=40, seed=3,
                   warmup=7200, repeat_delay=600, **behaviour)  # fmt: skip
    assert sim.engine == "simpy"
    # each metric's 95% CI over the replications holds the chain's value; with several
    # metrics checked, a Bonferroni level keeps the family at 95% too
    level = 1 - 0.05 / len(metrics)
    for metric in metrics:
        low, high = sim.day(metric).confidence_interval(level)
        assert low <= float(getattr(chain, metric)) <= high, (metric, low, high)


def test_simulated_attempts_are_recorded_and_reproducible():
    from planner import simulate

    kw = {"interval": 1800, "patience": 60, "replications": 3, "seed": 5, "lines": 15,
          "redial_probability": 0.5, "fcr": 0.7, "repeat_delay": 600}  # fmt: skip
    kw["record_calls"] = True
    first = simulate(STEADY, 13, **kw)
    again = simulate(STEADY, 13, **kw)
    pd_records = first.records
    assert set(pd_records["attempt"]) == {"first", "redial", "repeat"}
    assert "blocked" in set(pd_records["outcome"])
    assert pd_records.equals(again.records)
    # the recorded attempts add up to the reported shares
    day = pd_records.groupby("replication")["attempt"].value_counts().unstack()
    redials = (day["redial"] / day.sum(axis=1)).mean()  # each day's share, averaged
    assert first.day("redial_share").mean == pytest.approx(redials, rel=1e-9)
    with pytest.raises(InputError, match="simulated by engine='simpy'"):
        simulate(STEADY, 13, engine="fast", **kw)


@pytest.mark.parametrize("volume_cv", [0.0, 0.15])
@pytest.mark.parametrize("basis", ["offered", "answered"])
def test_without_redials_or_lines_the_search_decides_on_erlang_a_s_closed_forms(volume_cv, basis):
    """Without redials, repeat contacts or lines the chain is Erlang A's: the search's
    test uses the closed forms (averaged over the volume nodes as the chain's are),
    which agree with the chain's measures, and the requirement is the chain's."""
    from planner.models.base import Load

    rng = np.random.default_rng(11)
    calls = rng.uniform(1, 600, 30)
    load = Load.of(calls, 240.0, 1800.0)
    agents = np.floor(load.traffic * rng.uniform(0.8, 1.3, 30)) + 1
    model = ErlangX(patience=150.0, volume_cv=volume_cv)
    targets = Targets(service_level=0.8, answer_time=20, asa=30, sl_basis=basis)
    chain = model.measures(agents, load, targets)
    closed = model._erlang_a_mix(agents, load, 20.0, basis)
    for name, value in closed.items():
        np.testing.assert_allclose(value, chain[name], rtol=1e-9, atol=1e-12, err_msg=name)
    need = required_agents(calls, 240.0, 1800.0, targets, model=model)
    assert targets.met(model.measures(need.astype(float), load, targets)).all()
    fewer = np.maximum(need - 1, 0).astype(float)
    assert not targets.met(model.measures(fewer, load, targets)).any()
