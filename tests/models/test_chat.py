"""Chat with concurrency: the published example, Erlang A and C at one chat, the chain
solved another way, and staffing that is the fewest agents meeting the targets."""

from __future__ import annotations

import re

import numpy as np
import pytest
from scipy import linalg

from planner import Chat, InputError, Targets, erlang_a, required_agents
from planner.models import asa, chat, service_level

HANDLE = [180.0, 210.0, 240.0]  # seconds per chat at 1, 2, 3 chats held


def required_chat_agents(chats, handle, interval, targets, patience=None):
    """The chat requirement: the one search under the Chat model (handle as given)."""
    handle = tuple(np.atleast_1d(handle).tolist())
    model = Chat(handle=handle, patience=patience)
    return required_agents(chats, handle[0], interval, targets, model=model)


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
    a = erlang_a(agents, chats * 180 / 3600, 180, patience, answer_time=20)
    for name in ("service_level", "asa", "abandon_rate", "occupancy"):
        assert float(getattr(c, name)) == pytest.approx(float(getattr(a, name)), rel=1e-9)


def test_one_chat_at_a_time_without_patience_is_erlang_c():
    c = chat(12, 200, 180, 3600)
    assert float(c.service_level) == pytest.approx(
        float(service_level(12, 10.0, 180, answer_time=20)), rel=1e-9
    )
    assert float(c.asa) == pytest.approx(float(asa(12, 10.0, 180)), rel=1e-9)
    unstable = chat(3, 300, HANDLE, 3600)  # 300 chats an hour, 3 x 3 / 240 s = 135 an hour
    assert unstable.service_level == 0 and np.isinf(unstable.asa) and unstable.occupancy == 1


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


def _bank_with_chat():
    from planner import ChatChannel, Scenario

    bank = Scenario.load("scenarios/retail_bank.toml")
    chat_targets = Targets(service_level=0.8, answer_time=60)
    channel = ChatChannel(chats=[c / 3 for c in bank.calls], handle=HANDLE, patience=90,
                          targets=chat_targets)  # fmt: skip
    return bank.with_changes(chat=channel)


def test_a_scenario_staffs_its_chat_team_and_saves_it():
    from planner import Scenario
    from planner.channels import chat_requirements

    s = _bank_with_chat()
    assert Scenario.loads(s.dumps()) == s and "[channels.chat]" in s.dumps()
    table = s.channel_requirements("chat")
    chat_targets = Targets(service_level=0.8, answer_time=60)
    want = required_chat_agents([c / 3 for c in s.calls], HANDLE, s.interval, chat_targets, 90)
    assert table["agents"].tolist() == want.tolist()
    assert table["interval_start"].tolist() == s.workload()["interval_start"].tolist()
    m = chat(want, [c / 3 for c in s.calls], HANDLE, s.interval, patience=90, answer_time=60)
    np.testing.assert_allclose(table["service_level"], m.service_level, rtol=1e-12)
    # every channel and the total, as separate teams
    staff = s.staff_requirements()
    assert (staff["total_agents"] == staff["calls_agents"] + staff["chat_agents"]).all()
    assert staff["calls_agents"].tolist() == s.requirements()["agents"].tolist()
    # the same table from a plain workload
    day = s.workload()[["interval_start"]].assign(chats=[c / 3 for c in s.calls])
    again = chat_requirements(day, HANDLE, s.interval, Targets(service_level=0.8, answer_time=60),
                              s.shrinkage, 90)  # fmt: skip
    assert again["scheduled"].tolist() == table["scheduled"].tolist()


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ("[channels.chat]\nchats = [1]\nhandle = [180]\n", "the chat channel has 1 intervals"),
        ("[channels.email]\nitems = [1]\n", r"\[channels.email\] needs 'aht'"),
        ("[channels.fax]\npages = [1]\n", "unknown key 'channels.fax'"),
        ("[channels.chat]\nhandle = [180]\n", r"\[channels.chat\] needs 'chats'"),
        ("[channels.chat]\nchats = 'x'\nhandle = [180]\n", "'chats' must be"),
        ("[channels.chat]\nchats = [1]\nhandle = [180]\ncolour = 1\n", "channels.chat.colour"),
    ],
)
def test_bad_chat_sections_name_the_file(section, message):
    from planner import Scenario, ScenarioError

    base = Scenario.load("scenarios/help_desk.toml").dumps()
    with pytest.raises(ScenarioError, match=message) as err:
        Scenario.loads(base + section, source="x.toml")
    assert str(err.value).startswith("x.toml: ")


def test_the_command_line_staffs_chat_as_the_library_does(tmp_path, capsys):
    import pandas as pd

    from planner import Scenario
    from planner.cli import main

    argv = ["requirements", "--channel", "chat", "--calls", "240", "--aht", "180",
            "--interval", "3600", "--handle", "180,210,240", "--patience", "60",
            "--format", "csv"]  # fmt: skip
    assert main(argv) == 0
    shown = pd.read_csv(pd.io.common.StringIO(capsys.readouterr().out))
    assert shown["agents"].tolist() == [required_chat_agents(240, HANDLE, 3600, Targets(), 60)]
    # a scenario's own channel, and the total of its teams
    path = tmp_path / "bank.toml"
    _bank_with_chat().save(path)
    assert main(["requirements", "--channel", "total", "--scenario", str(path),
                 "--format", "csv"]) == 0  # fmt: skip
    total = pd.read_csv(pd.io.common.StringIO(capsys.readouterr().out))
    assert total["total_agents"].tolist() == Scenario.load(path).staff_requirements()[
        "total_agents"].tolist()  # fmt: skip
    assert main([*argv[:-2], "--concurrency", "2"]) == 2
    assert "give --handle or --concurrency, not both" in capsys.readouterr().err


def test_sweeps_vary_the_chat_volume_and_total_every_team():
    from planner import Scenario, hours
    from planner.sweeps import grid, summarize_sweep, sweep, vary

    s = _bank_with_chat()
    table = sweep(s, grid(chat_volume=[1.0, 1.5], volume=[1.0]), workers=1, progress=False)
    summary = summarize_sweep(table)
    for i, factor in enumerate([1.0, 1.5]):
        varied = vary(s, {"chat_volume": factor, "volume": 1.0})
        chat_team = varied.channel_requirements("chat")
        row = summary.loc[i]
        assert row["chat_agent_hours"] == pytest.approx(hours(chat_team["agents"], 1800))
        total = varied.summary()["scheduled_hours"] + hours(chat_team["scheduled"], 1800)
        assert row["total_scheduled_hours"] == pytest.approx(total)
        assert row["total_cost"] == pytest.approx(total * s.cost_per_hour)
    assert summary.loc[1, "chat_agent_hours"] > summary.loc[0, "chat_agent_hours"]
    with pytest.raises(InputError, match="'chat_volume' needs a scenario with"):
        vary(Scenario.load("scenarios/help_desk.toml"), {"chat_volume": 1.2})


def _day_means(estimate):
    """Per replication, the mean over the day's intervals (a replication's figure)."""
    return np.nanmean(estimate.values, axis=1)


@pytest.mark.parametrize(
    ("chats", "agents", "handle", "patience"),
    [(240.0, 5, [180.0, 210.0, 240.0], 60.0),  # CCmath's example
     (400.0, 12, [150.0, 190.0], 120.0),
     (150.0, 7, [200.0], 90.0)],  # one chat at a time: Erlang A
)  # fmt: skip
def test_simulated_chat_agrees_with_the_chain(chats, agents, handle, patience):
    """Even routing is the chain's model: every measure's day mean over 60 days lies
    within its 99.5% interval (Bonferroni over 5 measures and 3 cases, about 97.5%)."""
    from scipy import stats

    from planner.simulation import simulate_chat

    sim = simulate_chat([chats] * 6, agents, handle, 3600, patience=patience, routing="even",
                        replications=60, seed=4, warmup=3600)  # fmt: skip
    exact = chat(agents, chats, handle, 3600, patience=patience)
    z = stats.t.ppf(1 - 0.005 / 2, 59)
    for name in ("service_level", "abandon_rate", "occupancy", "mean_concurrency", "asa"):
        days = _day_means(sim[name])
        half = z * days.std(ddof=1) / np.sqrt(days.size)
        assert abs(days.mean() - float(getattr(exact, name))) <= half, name
    if len(handle) == 1:
        a = erlang_a(agents, chats * handle[0] / 3600, handle[0], patience, answer_time=20.0)
        assert abs(_day_means(sim["abandon_rate"]).mean() - float(a.abandon_rate)) < 0.02


def test_simulated_chat_over_a_day_with_changing_staff():
    """Agents going off duty finish their chats: with nobody leaving the queue, every
    chat is answered, and each interval's figures stay in their ranges."""
    from planner.simulation import simulate_chat

    sim = simulate_chat([60, 200, 300, 120], [3, 8, 10, 2], [180.0, 210.0, 240.0], 1800,
                        replications=10, seed=2)  # fmt: skip
    assert np.all(sim["abandon_rate"].values == 0)
    assert np.all((sim["occupancy"].values >= 0) & (sim["occupancy"].values <= 1))
    conc = sim["mean_concurrency"].values
    assert np.all((conc[~np.isnan(conc)] >= 1) & (conc[~np.isnan(conc)] <= 3))
    table = sim.table
    assert list(table.columns[:3]) == ["service_level", "service_level_ci_low",
                                       "service_level_ci_high"]  # fmt: skip
    assert len(table) == 4
    # least-loaded routing (no moves) gives the same kind of day, and is reproducible
    again = simulate_chat([60, 200, 300, 120], [3, 8, 10, 2], [180.0, 210.0, 240.0], 1800,
                          replications=10, seed=2)  # fmt: skip
    np.testing.assert_array_equal(again["asa"].values, sim["asa"].values)


def test_a_simulated_chat_day_weights_its_intervals_by_chats():
    """The day's service level is chats answered in time over chats offered, each
    replication's busy intervals counting for more than its quiet ones."""
    from planner.simulation import simulate_chat

    sim = simulate_chat([20, 400], [1, 6], [180.0, 210.0], 1800, patience=60,
                        replications=8, seed=4)  # fmt: skip
    offered = sim.offered
    assert offered.shape == (8, 2) and (offered[:, 1] > offered[:, 0]).all()
    values = sim["service_level"].values
    per_day = (values * offered).sum(axis=1) / offered.sum(axis=1)
    assert sim.day("service_level").mean == pytest.approx(per_day.mean(), rel=1e-12)
    assert sim.day("service_level").mean != pytest.approx(values.mean(), rel=1e-3)
    with pytest.raises(KeyError, match="day figures"):
        sim.day("asa")


@pytest.mark.parametrize("routing", ["least_loaded", "even"])
@pytest.mark.parametrize(
    ("chats", "agents", "patience"),
    [([240, 240, 240], 5, 60.0), ([60, 200, 300, 120], [3, 8, 10, 2], None)],
)
def test_the_two_chat_engines_agree(routing, chats, agents, patience):
    """The compiled loop and the SimPy event model: the same figures from the same seed."""
    from planner.simulation import simulate_chat

    runs = [simulate_chat(chats, agents, [180.0, 210.0, 240.0], 1800, patience=patience,
                          routing=routing, replications=3, seed=5, engine=engine)
            for engine in ("fast", "simpy")]  # fmt: skip
    for name in ("service_level", "asa", "abandon_rate", "occupancy", "mean_concurrency"):
        np.testing.assert_allclose(runs[0][name].values, runs[1][name].values, atol=1e-9)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"engine": "turbo"}, "'engine' must be"),
        ({"handle": []}, "'handle' must be 1 to 64"),
        ({"agents": [1, 2, 3]}, "'agents' must be one"),
        ({"routing": "random"}, "'routing' must be"),
        ({"replications": 1}, "'replications' must be"),
        ({"chats": [-1, 2]}, "'chats' must be >= 0"),
        ({"patience": 0}, "'patience' must be > 0"),
        ({"seed": -1}, "'seed' must be a whole number >= 0"),
    ],
)
def test_simulated_chat_bad_input(kwargs, message):
    from planner.simulation import simulate_chat

    args = {"chats": [10, 20], "agents": 2, "handle": [180, 200]} | kwargs
    with pytest.raises(InputError, match=re.escape(message)):
        simulate_chat(args.pop("chats"), args.pop("agents"), args.pop("handle"), 1800, **args)
