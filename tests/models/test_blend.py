"""Blending: phone agents filling idle time with deferred items, against Erlang A, a
dense solve, the flows every solution keeps, and separate teams."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import sparse
from scipy.sparse.linalg import spsolve

from planner import InputError, Targets, blend, blended_staffing, erlang_a
from planner.models.blending import _solve


def test_with_every_agent_kept_for_calls_it_is_erlang_a():
    r = blend(14, 100, 180, 1800, item_aht=600, reserve=14, patience=300)
    a = erlang_a(14, 10.0, 180, 300, answer_time=20)
    assert r.service_level == pytest.approx(float(a.service_level), rel=1e-9)
    assert r.asa == pytest.approx(float(a.asa), rel=1e-9)
    assert r.abandon_rate == pytest.approx(float(a.abandon_rate), rel=1e-9, abs=1e-12)
    assert r.items_done == 0


def _generator(n, lam, mu, nu, theta, reserve, queue):
    """The chain's generator written state by state, the states as (e, c) pairs."""
    width, height = n + queue + 1, n - reserve + 1

    def settle(c, e):
        return min(e + max(max(n - e - c, 0) - reserve, 0), n - reserve)

    states = [(e, c) for e in range(height) for c in range(width)]
    index = {st: i for i, st in enumerate(states)}
    rows, cols, rates = [], [], []
    for e, c in states:
        moves = [((settle(c + 1, e), c + 1), lam if c < width - 1 else 0.0),
                 ((settle(c - 1, e), c - 1), min(c, n - e) * mu if c > 0 else 0.0),
                 ((settle(c, e - 1), c), e * nu),
                 ((settle(c - 1, e), c - 1), max(c - (n - e), 0) * theta)]  # fmt: skip
        for to, rate in moves:
            if rate > 0 and to != (e, c):
                rows += [index[e, c], index[e, c]]
                cols += [index[to], index[e, c]]
                rates += [rate, -rate]
    size = len(states)
    return sparse.csr_matrix((rates, (rows, cols)), shape=(size, size))


def test_the_chain_matches_a_dense_solve():
    case = (4, 0.02, 1 / 120, 1 / 300, 1 / 200, 1, 12)
    q = _generator(*case).toarray()
    a = np.vstack([q.T, np.ones(len(q))])
    dense = np.linalg.lstsq(a, np.r_[np.zeros(len(q)), 1.0], rcond=None)[0]
    np.testing.assert_allclose(_solve(*case).ravel(), dense, atol=1e-12)


def test_a_long_queue_matches_a_sparse_solve():
    """14 x 1,041 states, no patience, 95% of the agents on calls: the case that was
    slow while the states were numbered along the calls (band 1,041, not 15)."""
    case = (16, 97.46 / 1800, 1 / 280.6, 1 / 138.8, 0.0, 3, 1024)
    q = _generator(*case).T.tolil()
    q[0, :] = np.ones(q.shape[0])  # one balance equation is redundant: normalise there
    rhs = np.zeros(q.shape[0])
    rhs[0] = 1.0
    reference = spsolve(q.tocsc(), rhs)
    np.testing.assert_allclose(_solve(*case).ravel(), reference, atol=1e-12)
    r = blend(16, 97.46, 280.6, 1800, item_aht=138.8, reserve=3, answer_time=30)
    e, c = np.divmod(np.arange(reference.size), 16 + 1024 + 1)
    busy = np.minimum(c, 16 - e)
    assert r.call_occupancy == pytest.approx((reference * busy).sum() / 16, rel=1e-10)
    assert r.items_done == pytest.approx((reference * e).sum() / 138.8 * 1800, rel=1e-10)


@pytest.mark.parametrize(("agents", "reserve"), [(14, 0), (14, 2), (43, 3), (8, 5)])
def test_calls_and_items_balance(agents, reserve):
    # calls answered x AHT = agent time on calls, and items done = agent time on items /
    # item AHT: the time averages and what arriving callers see agree
    calls = {14: 100, 43: 300, 8: 50}[agents]
    r = blend(agents, calls, 180, 1800, item_aht=600, reserve=reserve, patience=300)
    assert r.call_occupancy * agents * 1800 == pytest.approx(
        calls * (1 - r.abandon_rate) * 180, rel=1e-8
    )
    assert r.items_done * 600 == pytest.approx((r.occupancy - r.call_occupancy) * agents * 1800,
                                               rel=1e-9)  # fmt: skip
    assert 0 <= r.service_level <= 1 and r.p_wait <= 1


@pytest.mark.parametrize(("calls", "aht", "items"), [(100, 180, 40), (20, 300, 5), (300, 240, 60)])
def test_a_blended_team_is_no_larger_than_separate_teams_and_is_the_fewest(calls, aht, items):
    targets = Targets()
    s = blended_staffing(calls, aht, 1800, targets, items=items, item_aht=600, patience=300)
    assert s.agents <= s.call_agents + s.item_agents and s.blended and s.saving >= 1
    assert s.items_done >= items

    def meets(n, reserve):
        r = blend(n, calls, aht, 1800, item_aht=600, reserve=reserve, patience=300)
        ok = targets.met({"service_level": r.service_level, "asa": r.asa,
                          "abandon_rate": r.abandon_rate})  # fmt: skip
        return bool(ok), r.items_done

    assert meets(s.agents, s.reserve) == (True, pytest.approx(s.items_done))
    if s.reserve > 0:  # one fewer kept for calls misses their targets
        assert meets(s.agents, s.reserve - 1)[0] is False
    # one agent fewer: no reserve both meets the call targets and finishes the items
    # a larger reserve only helps the calls and only takes from the items: with one
    # agent fewer, the fewest kept that serve the calls must leave items undone
    n = s.agents - 1
    kept = next((k for k in range(n + 1) if meets(n, k)[0]), None)
    assert kept is None or meets(n, kept)[1] < items


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"reserve": 20}, "'reserve' must be at most 14"),
        ({"reserve": -1}, "'reserve' must be a whole number >= 0"),
        ({"item_aht": 0}, "'item_aht' must be > 0"),
        ({"agents": 0}, "'agents' must be a whole number >= 1"),
    ],
)
def test_bad_blend_input_is_named(kw, message):
    args = {"agents": 14, "calls": 100, "aht": 180, "interval": 1800, "item_aht": 600,
            "reserve": 2, "patience": 300} | kw  # fmt: skip
    with pytest.raises(InputError, match=message):
        blend(**args)
    with pytest.raises(InputError, match="busy by design"):
        blended_staffing(100, 180, 1800, Targets(max_occupancy=0.9), items=10, item_aht=600)


def _small_with_email():
    from planner import EmailChannel, Scenario

    return Scenario(
        name="small", interval=1800, calls=(60, 100, 40), aht=(180, 200, 180), start="09:00",
        targets=Targets(service_level=0.8, answer_time=20, max_occupancy=0.9),
        patience=300, shrinkage=0.3, cost_per_hour=30,
        channels=(EmailChannel(items=(20, 30, 10), aht=600, deadline=7200),),
    )  # fmt: skip


def test_a_scenario_blends_its_calls_with_its_email_items(tmp_path, capsys):
    import dataclasses

    import pandas as pd

    from planner.cli import main

    s = _small_with_email()
    table = s.blended_requirements()
    targets = dataclasses.replace(s.targets, max_occupancy=None)
    for i, row in table.iterrows():
        b = blended_staffing(s.calls[i], s.aht[i], 1800, targets, items=s.channel("email").items[i],
                             item_aht=600, patience=300)  # fmt: skip
        assert (row["agents"], row["reserve"], row["saving"]) == (b.agents, b.reserve, b.saving)
        assert row["call_agents"] + row["item_agents"] >= row["agents"]
        assert row["service_level"] == pytest.approx(float(b.result.service_level))
    assert table["scheduled"].tolist() == [int(np.ceil(a / 0.7 - 1e-9)) for a in table["agents"]]
    path = tmp_path / "small_email.toml"
    s.save(path)
    assert main(["requirements", "--channel", "blend", "--scenario", str(path),
                 "--format", "csv"]) == 0  # fmt: skip
    shown = pd.read_csv(pd.io.common.StringIO(capsys.readouterr().out))
    assert shown["agents"].tolist() == table["agents"].tolist()
    assert shown["saving"].tolist() == table["saving"].tolist()
    with pytest.raises(InputError, match="has no email channel"):
        s.with_changes(email=None).blended_requirements()
