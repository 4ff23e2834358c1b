"""Chat with concurrency: the published example, Erlang A and C at one chat, the chain
solved another way, and staffing that is the fewest agents meeting the targets."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import linalg

from planner import InputError, Targets, erlang_a
from planner.chat import chat, required_chat_agents
from planner.queueing import asa, service_level

HANDLE = [180.0, 210.0, 240.0]  # seconds per chat at 1, 2, 3 chats held


def test_ccmath_published_chat_example():
    # 4 chats/min, handle 3/3.5/4 min at 1/2/3 concurrent, 5 agents, patience 1 min,
    # T = 20 s: ASA 0.22 min, abandonment 15.44%, occupancy 86.78% (its printed
    # service level, 75.44%, does not reproduce, and is not checked).
    r = chat(5, 240, HANDLE, 3600, patience=60)
    assert round(float(r.abandon_rate), 4) == 0.1544
    assert round(float(r.occupancy), 4) == 0.8678
    assert round(float(r.virtual_wait) / 60, 2) == 0.22  # their ASA
    assert 0 < r.asa < r.virtual_wait  # answered chats waited less than the virtual wait


@pytest.mark.parametrize(
    ("agents", "chats", "patience"), [(12, 200, 120), (3, 30, 300), (60, 1100, 90)]
)
def test_one_chat_at_a_time_is_erlang_a(agents, chats, patience):
    c = chat(agents, chats, 180, 3600, patience=patience)
    a = erlang_a(agents, chats * 180 / 3600, 180, patience, 20)
    for name in ("service_level", "asa", "abandon_rate", "occupancy"):
        assert float(getattr(c, name)) == pytest.approx(float(getattr(a, name)), rel=1e-9)


def test_one_chat_at_a_time_without_patience_is_erlang_c():
    c = chat(12, 200, 180, 3600)
    assert float(c.service_level) == pytest.approx(
        float(service_level(12, 10.0, 180, 20)), rel=1e-9
    )
    assert float(c.asa) == pytest.approx(float(asa(12, 10.0, 180)), rel=1e-9)
    with pytest.raises(InputError, match="never settles"):
        chat(3, 300, HANDLE, 3600)


def test_the_chain_matches_a_dense_solve_of_its_generator():
    # states: chats in the system; an agent holding j chats finishes them at j / h_j,
    # the chats spread evenly; beyond every slot, chats wait and leave at 1/patience
    agents, k, lam, theta = 3, 3, 2.5 / 60, 1 / 90
    top = agents * k + 80
    q = np.zeros((top + 1, top + 1))
    for c in range(top + 1):
        if c < top:
            q[c, c + 1] = lam
        if c > 0:
            served = min(c, agents * k)
            rate = 0.0
            for a in range(agents):  # agent a holds ceil/floor of an even spread
                j = served // agents + (1 if a < served % agents else 0)
                rate += j / HANDLE[j - 1] if j else 0.0
            q[c, c - 1] = rate + max(c - agents * k, 0) * theta
    np.fill_diagonal(q, -q.sum(axis=1))
    pi = linalg.lstsq(np.vstack([q.T, np.ones(top + 1)]), np.r_[np.zeros(top + 1), 1.0])[0]
    slots = np.minimum(np.arange(top + 1), agents * k)
    r = chat(agents, lam * 3600, HANDLE, 3600, patience=90)
    assert float(r.occupancy) == pytest.approx(slots @ pi / (agents * k), rel=1e-9)
    waiting = np.maximum(np.arange(top + 1) - agents * k, 0)
    assert float(r.abandon_rate) == pytest.approx(theta * (waiting @ pi) / lam, rel=1e-9)
    assert float(r.p_wait) == pytest.approx(pi[agents * k :].sum(), rel=1e-9)


def test_chat_staffing_is_the_fewest_agents_meeting_the_targets():
    targets = Targets(service_level=0.8, answer_time=30, max_abandon=0.05)
    chats = np.array([0.0, 12, 80, 240, 900])
    need = required_chat_agents(chats, HANDLE, 1800, targets, patience=120)
    assert need[0] == 0
    for c, n in zip(chats[1:], need[1:], strict=True):
        both = chat([n - 1, n], c, HANDLE, 1800, patience=120, answer_time=30)
        met = targets.met({k: getattr(both, k) for k in ("service_level", "abandon_rate",
                                                          "occupancy")})  # fmt: skip
        assert met.tolist() == [False, True]
    # holding more chats at once needs fewer agents than one at a time
    single = required_chat_agents(chats, 180, 1800, targets, patience=120)
    assert np.all(need <= single) and need[-1] < single[-1]


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"handle": []}, "'handle' must be seconds per chat"),
        ({"handle": [180, 0]}, "'handle' must be > 0"),
        ({"agents": -1}, "'agents' must be a whole number"),
        ({"patience": 0}, "'patience' must be > 0"),
        ({"sl_basis": "offered_excl_short_abandons"}, "'sl_basis' for chat"),
    ],
)
def test_bad_chat_input_is_named(kw, message):
    args = {"agents": 5, "chats": 240, "handle": HANDLE, "interval": 3600, "patience": 60}
    with pytest.raises(InputError, match=message):
        chat(**(args | kw))
