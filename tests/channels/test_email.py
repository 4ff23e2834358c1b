"""Deferred work (email, back office) against a deadline: the model, staffing and
the scenario's email channel."""

from __future__ import annotations

import dataclasses
import re

import numpy as np
import pandas as pd
import pytest

import planner.deferred_work as dw
from planner import (
    EmailChannel,
    InputError,
    deferred,
    deferred_requirements,
    erlang_c,
    required_deferred_agents,
    simulate,
)
from planner.scenario import Scenario, ScenarioError
from planner.scenario import file as sf

TAU = 1800.0
# A day of 16 half hours: open 8 of them (the rest nights, compressed), items all day.
ITEMS = np.array([2, 2, 2, 6, 10, 14, 16, 14, 12, 10, 8, 6, 4, 2, 2, 2], dtype=float)
OPEN = np.array([0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0], dtype=bool)


@pytest.mark.parametrize(("traffic", "agents", "deadline"), [(8.0, 10, 1800.0),
                                                             (9.0, 10, 1800.0),
                                                             (4.0, 6, 3600.0)])  # fmt: skip
def test_steady_load_is_erlang_c(traffic, agents, deadline):
    """Same items and agents every interval: the M/M/N wait, P(W > D) = C e^-(N mu - lam) D."""
    aht = 600.0
    rate = traffic / aht
    c = float(erlang_c(agents, traffic))
    out = deferred([rate * TAU] * 48, agents, aht, TAU, deadline, warmup=20)  # 20 days first
    expected = 1 - c * np.exp(-(agents / aht - rate) * deadline)
    np.testing.assert_allclose(out["on_time"], expected, atol=1e-7)
    np.testing.assert_allclose(out["backlog"], c * traffic / (agents - traffic), rtol=1e-5)
    np.testing.assert_allclose(out["occupancy"], traffic / agents, rtol=1e-6)


def _simulated_on_time(items, plan, aht, deadline, open_, clock, reps, warmup=1):
    """Per interval of the reported repeat: simulated share taken up by the deadline and
    its standard error (a ratio over replications)."""
    periods = len(items)
    repeats = warmup + 3
    res = simulate(
        {"calls": np.tile(items, repeats), "aht": np.full(periods * repeats, aht)},
        np.tile(plan, repeats), interval=TAU, patience=None, replications=reps, seed=11,
        record_calls=True,
    )  # fmt: skip
    rec = res.records
    rec = rec[
        (rec.arrival >= warmup * periods * TAU) & (rec.arrival < (warmup + 1) * periods * TAU)
    ]
    work = dw.check_work(items, aht, TAU, deadline, open_, clock, 4)
    due = work.timeline(repeats + work.cycles_for_deadline() + 2).due(rec.arrival.to_numpy())
    frame = pd.DataFrame({
        "t": (rec.arrival.to_numpy() // TAU).astype(int) % periods,
        "ok": rec.answered_at.to_numpy() <= due,
        "rep": rec.replication.to_numpy(),
    })  # fmt: skip
    g = frame.groupby(["t", "rep"]).ok.agg(["sum", "count"]).unstack(fill_value=0)
    hits, counts = g["sum"], g["count"]
    share = hits.sum(axis=1) / counts.sum(axis=1)
    resid = hits.sub(counts.mul(share, axis=0))
    se = np.sqrt((resid**2).sum(axis=1) / (reps * (reps - 1))) / counts.mean(axis=1)
    return share.reindex(range(periods)).to_numpy(), se.reindex(range(periods)).to_numpy()


@pytest.mark.parametrize("clock", ["business", "calendar"])
@pytest.mark.slow
def test_staffing_meets_the_target_in_simulation_and_the_model_agrees(clock):
    """The staffed plan, simulated (SimPy-free fast engine, agents finishing the item in
    hand when they go off duty): every interval's share within the deadline agrees
    with the model, and meets the target, within Bonferroni bounds of 400 days."""
    aht, target = 900.0, 0.9
    deadline = 2 * 3600.0 if clock == "business" else 6 * 3600.0  # nights are 4 h
    plan = required_deferred_agents(
        ITEMS, aht, TAU, deadline, target, open_intervals=OPEN, clock=clock
    )
    model = deferred(ITEMS, plan, aht, TAU, deadline, open_intervals=OPEN, clock=clock)
    assert np.all(plan[~OPEN] == 0)
    assert np.all(model["on_time"] >= target)
    share, se = _simulated_on_time(ITEMS, plan, aht, deadline, OPEN, clock, reps=400)
    vary = se > 0
    z = 3.4  # two-sided 95% over 16 intervals, Bonferroni
    assert np.all(np.abs(share[vary] - model["on_time"].to_numpy()[vary]) <= z * se[vary])
    assert np.all(share[vary] >= target - z * se[vary])
    assert np.all(share[~vary] >= target)


@pytest.mark.slow
def test_the_model_follows_the_simulator_when_staffing_drops_with_items_in_hand():
    """A day whose staffing drops while every agent is busy (a calendar deadline of
    10 hours, so the last open interval's items must be taken up before closing):
    agents going off duty are chosen as the simulator chooses them, whatever their
    item's end, so the rest keep exponential handle times and the model holds. With
    2,000 days the standard error is about 0.7 points, so a 2-point gap is 3 of
    them; choosing the leavers by the end of their item put interval 37 five
    standard errors below the model."""
    op = np.array([14 <= t < 38 for t in range(48)])
    items = np.where(op, 12.0, 3.0)
    items[18:26] = 18.0
    plan = np.zeros(48, dtype=np.int64)
    plan[14:38] = np.array([9, 9, 8, 8, 10, 10, 11, 11, 9, 7, 7, 9, 10, 10, 8, 8, 8, 6, 6, 7,
                            7, 5, 5, 4]) + 2  # fmt: skip
    model = deferred(items, plan, 900.0, TAU, 36000.0, open_intervals=op, clock="calendar")
    share, se = _simulated_on_time(items, plan, 900.0, 36000.0, op, "calendar", reps=2000)
    expected = model["on_time"].to_numpy()
    # a normal interval is sound where the share is well inside (0, 1): there within
    # Bonferroni bounds; near 1 (a few late items in 2,000 days) within half a point
    inside = (se > 0) & (expected < 0.98)
    z = 2.8  # two-sided 95% over the intervals inside, Bonferroni (at most 10)
    assert inside.sum() <= 10 and {37, 42} <= set(np.flatnonzero(inside))
    gap = share - expected
    assert np.all(np.abs(gap[inside]) <= z * se[inside]), np.flatnonzero(inside)
    assert np.all(np.abs(gap[~inside]) <= 0.005)
    assert se[37] < 0.0075 and expected[37] < 0.8  # the rule matters here


def test_each_interval_has_the_fewest_agents_the_rule_allows():
    """Replaying the rule's last pass: in every open interval, its agents pass the check
    (every item in hand meets the target if they stay until its deadline) and one
    fewer fails it."""
    aht, deadline, target = 900.0, 2 * 3600.0, 0.9
    work = dw.check_work(ITEMS, aht, TAU, deadline, OPEN, "business", 4)
    run = work.run(work.first_size())
    dw._pass(run, work, 0, np.zeros(ITEMS.size, dtype=np.int64), target)  # the warm-up
    for t in range(ITEMS.size):
        g = ITEMS.size + t
        if not OPEN[t]:
            run.commit(g, run.through(g, 0))
            continue
        step = dw._fewest_now(run, g, 1, target)
        assert run.meets(g, run.through(g, step.agents), target)
        if step.agents:
            assert not run.meets(g, run.through(g, step.agents - 1), target)
        run.commit(g, step)


def test_a_short_busy_horizon_where_agents_clear_every_item_waiting():
    # Two half hours, 100 and 300 items of 280 s: the agents the second needs finish far
    # more than are waiting (the Poisson count of completions lies past every row), which
    # raised "negative dimensions not allowed". The plan keeps up, and one fewer agent in
    # the busy interval does not.
    plan = required_deferred_agents([100, 300], 280, 1800, 3600, 0.9)
    table = deferred([100, 300], plan, 280, 1800, 3600)
    assert (table["on_time"] >= 0.9).all()
    with pytest.raises(InputError, match="the backlog would grow without end"):
        deferred([100, 300], plan - np.array([0, 1]), 280, 1800, 3600)


DAY = np.arange(48) / 2  # a day of half hours, open 08:00-20:00, items day and night
DAY_ITEMS = np.round(
    4 + 26 * np.exp(-(((DAY - 11) / 3.5) ** 2)) + 8 * np.exp(-(((DAY - 16) / 2) ** 2)), 1
)
DAY_OPEN = (DAY >= 8) & (DAY < 20)


@pytest.mark.parametrize(("aht", "hours"), [(300.0, 2.0), (600.0, 4.0)])
@pytest.mark.slow
def test_minimal_staffing_misses_with_one_agent_fewer_anywhere(aht, hours):
    """``minimal=True``: one agent fewer in any interval leaves a plan that misses the
    target for some interval's items (or cannot keep up); the rule's plan is at most
    a few agent-intervals more."""
    deadline = hours * 3600
    rule = required_deferred_agents(DAY_ITEMS, aht, TAU, deadline, 0.9, open_intervals=DAY_OPEN)
    plan = required_deferred_agents(DAY_ITEMS, aht, TAU, deadline, 0.9, open_intervals=DAY_OPEN,
                                    minimal=True)  # fmt: skip
    assert (
        deferred(DAY_ITEMS, plan, aht, TAU, deadline, open_intervals=DAY_OPEN)["on_time"].min()
        >= 0.9
    )
    assert plan.sum() <= rule.sum() <= plan.sum() + 3
    for t in np.flatnonzero(plan):
        fewer = plan.copy()
        fewer[t] -= 1
        try:
            out = deferred(DAY_ITEMS, fewer, aht, TAU, deadline, open_intervals=DAY_OPEN)
        except InputError as err:
            assert "add agents" in str(err)
        else:
            assert out["on_time"].min() < 0.9


def test_backlog_curve_and_flows():
    """Items carried overnight show in the backlog at the opening; finished items add up
    to the arrivals over a repeat once the warm-up has settled."""
    aht, deadline = 900.0, 2 * 3600.0
    plan = required_deferred_agents(ITEMS, aht, TAU, deadline, 0.9, open_intervals=OPEN)
    out = deferred(ITEMS, plan, aht, TAU, deadline, open_intervals=OPEN, warmup=8)
    first_open = int(np.argmax(OPEN))
    assert out["backlog"].iloc[first_open - 1] > out["backlog"].iloc[0] > 0  # builds overnight
    assert np.all(out["backlog_p90"] >= np.floor(out["backlog"]) - 1)
    assert out["handled"].sum() == pytest.approx(ITEMS.sum(), rel=1e-3)
    assert np.all(out.loc[~OPEN, "handled"] == 0)
    assert np.all((out["occupancy"] >= 0) & (out["occupancy"] <= 1))


def test_requirements_table_equals_the_functions():
    df = pd.DataFrame({"items": ITEMS})
    table = deferred_requirements(df, 900.0, TAU, 7200.0, 0.9, 0.25, open_intervals=OPEN)
    plan = required_deferred_agents(ITEMS, 900.0, TAU, 7200.0, 0.9, open_intervals=OPEN)
    np.testing.assert_array_equal(table["agents"], plan)
    np.testing.assert_array_equal(table["scheduled"], np.ceil(plan / 0.75 - 1e-9).astype(int))
    service = deferred(ITEMS, plan, 900.0, TAU, 7200.0, open_intervals=OPEN)
    pd.testing.assert_series_equal(table["on_time"], service["on_time"])
    pd.testing.assert_series_equal(table["backlog"], service["backlog"])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"deadline": 600.0}, "shorter than the interval"),
        ({"items": [5, -1, 3]}, "'items' must be >= 0"),
        ({"aht": 0}, "'aht' must be > 0"),
        ({"open_intervals": [1, 0]}, "'open_intervals' must be True or False for each"),
        ({"open_intervals": [0, 0, 0]}, "no interval is open"),
        ({"clock": "wall"}, "'clock' must be"),
        ({"blocks": 0}, "'blocks' must be"),
        ({"backlog": -3}, "'backlog' must be"),
        ({"warmup": 1.5}, "'warmup' must be"),
        ({"target": 1.0}, "'target' must be below 1"),
        ({"target": 0.0}, "'target' must be in (0, 1]"),
    ],
)
def test_bad_input_is_a_clear_error(kwargs, message):
    args = {"items": [5, 8, 3], "aht": 300.0, "interval": TAU, "deadline": 3600.0,
            "target": 0.9}  # fmt: skip
    args.update(kwargs)
    target = args.pop("target")
    with pytest.raises(InputError, match=re.escape(message)):
        required_deferred_agents(args.pop("items"), args.pop("aht"), args.pop("interval"),
                                 args.pop("deadline"), target, **args)  # fmt: skip


def test_a_deadline_that_falls_while_closed_is_an_error():
    with pytest.raises(InputError, match="items arriving in interval 0 are due before the team"):
        required_deferred_agents(
            ITEMS, 900.0, TAU, 3600.0, 0.9, open_intervals=OPEN, clock="calendar"
        )


def test_an_interval_too_busy_for_the_chain_is_refused_up_front():
    # 60,000 items in one interval: hours of solving (the work limit comes before the
    # 50,000 events an interval the chain holds in one piece)
    with pytest.raises(InputError, match="too many for the exact backlog model"):
        deferred([60_000.0], 1200, 60.0, 3600.0, 7200.0)


def test_no_items_need_no_agents():
    assert required_deferred_agents([0, 0, 0], 300.0, TAU, 3600.0, 0.9).tolist() == [0, 0, 0]
    out = deferred([0, 0, 0], 0, 300.0, TAU, 3600.0)
    assert out["on_time"].isna().all() and (out["backlog"] == 0).all()


def test_plans_that_cannot_be_run_are_errors():
    with pytest.raises(InputError, match="must be 0 while closed"):
        deferred([5, 5], [2, 1], 300.0, TAU, 3600.0, open_intervals=[1, 0])
    with pytest.raises(InputError, match=re.escape("fewer than the 20.0 that arrive")):
        deferred([10, 10], [1, 1], 1800.0, TAU, 3600.0)


def test_email_channel_in_a_scenario_file(tmp_path):
    bank = Scenario.load("scenarios/retail_bank.toml")
    items = tuple(float(x) for x in np.round(np.asarray(bank.calls) * 0.2))
    email = EmailChannel(items=items, aht=480, deadline=4 * 3600, target=0.85,
                         open_hours=("09:00", "17:00"))  # fmt: skip
    scenario = bank.with_changes(email=email)
    path = tmp_path / "bank_email.toml"
    sf.save(scenario, path)
    again = Scenario.load(path)
    assert again.channel("email") == email
    strict = dataclasses.replace(email, minimal=True, clock="calendar", warmup=3, backlog=5)
    assert sf.channel_from_table("email", sf.channel_table(strict)) == strict
    table = again.channel_requirements("email")
    opened = email.open_intervals(bank.start, bank.interval)
    expected = deferred_requirements(
        pd.DataFrame({"items": items}), 480, bank.interval, 4 * 3600, 0.85, bank.shrinkage,
        open_intervals=opened,
    )  # fmt: skip
    np.testing.assert_array_equal(table["agents"], expected["agents"])
    assert np.all(table.loc[~opened, "agents"] == 0)
    total = again.staff_requirements()
    np.testing.assert_array_equal(total["email_agents"], table["agents"])
    np.testing.assert_array_equal(
        total["total_agents"], total["calls_agents"] + total["email_agents"]
    )


def test_email_channel_errors_name_the_key(tmp_path):
    text = sf.dumps(Scenario.load("scenarios/retail_bank.toml"))
    bad = text + "\n[channels.email]\nitems = [1]\naht = 300\ndeadline = 3600\nreply = 1\n"
    with pytest.raises(ScenarioError, match=re.escape("unknown key 'channels.email.reply'")):
        Scenario.loads(bad)
    short = text + "\n[channels.email]\nitems = [1]\naht = 300\ndeadline = 3600\n"
    with pytest.raises(ScenarioError, match="email channel has 1 intervals"):
        Scenario.loads(short)


def _bank_with_email():
    bank = Scenario.load("scenarios/retail_bank.toml")
    items = tuple(float(x) for x in np.round(np.asarray(bank.calls) * 0.2))
    return bank.with_changes(email=EmailChannel(
        items=items, aht=480, deadline=4 * 3600, target=0.85, open_hours=("09:00", "17:00")
    ))  # fmt: skip


def test_the_command_line_staffs_email_as_the_library_does(tmp_path, capsys):
    from planner.cli import main

    items = [float(x) for x in ITEMS]
    csv = tmp_path / "day.csv"
    pd.DataFrame({"calls": items, "aht": 900.0}).to_csv(csv, index=False)
    argv = ["requirements", str(csv), "--channel", "email", "--interval", "1800",
            "--deadline", "7200", "--open-hours", "01:30-05:30", "--format", "csv"]  # fmt: skip
    assert main(argv) == 0
    shown = pd.read_csv(pd.io.common.StringIO(capsys.readouterr().out))
    plan = required_deferred_agents(ITEMS, 900.0, TAU, 7200.0, 0.9, open_intervals=OPEN)
    assert shown["agents"].tolist() == plan.tolist()
    service = deferred(ITEMS, plan, 900.0, TAU, 7200.0, open_intervals=OPEN)
    np.testing.assert_allclose(shown["on_time"], service["on_time"], rtol=1e-9)
    assert main([*argv, "--minimal"]) == 0
    shown_minimal = pd.read_csv(pd.io.common.StringIO(capsys.readouterr().out))
    least = required_deferred_agents(
        ITEMS, 900.0, TAU, 7200.0, 0.9, open_intervals=OPEN, minimal=True
    )
    assert shown_minimal["agents"].tolist() == least.tolist()
    np.testing.assert_allclose(shown["backlog"], service["backlog"], rtol=1e-9)
    # a scenario's own channel, the flags changing it, and the total of its teams
    path = tmp_path / "bank.toml"
    sf.save(_bank_with_email(), path)
    assert main(["requirements", "--channel", "email", "--scenario", str(path),
                 "--target", "0.95", "--format", "csv"]) == 0  # fmt: skip
    shown = pd.read_csv(pd.io.common.StringIO(capsys.readouterr().out))
    again = Scenario.load(path)
    expected = again.with_changes(
        email=dataclasses.replace(again.channel("email"), target=0.95)
    ).channel_requirements("email")  # fmt: skip
    assert shown["agents"].tolist() == expected["agents"].tolist()
    assert main(["requirements", "--channel", "total", "--scenario", str(path),
                 "--format", "csv"]) == 0  # fmt: skip
    total = pd.read_csv(pd.io.common.StringIO(capsys.readouterr().out))
    assert total["email_agents"].tolist() == again.channel_requirements("email")["agents"].tolist()
    assert main(["requirements", "--calls", "5", "--aht", "300", "--deadline", "3600"]) == 2
    assert "are for --channel email" in capsys.readouterr().err
    assert main(["requirements", "--channel", "email", "--calls", "5", "--aht", "300"]) == 2
    assert "--channel email needs --deadline" in capsys.readouterr().err
    assert main([*argv[:-2], "--open-hours", "nine"]) == 2
    assert "--open-hours must be HH:MM-HH:MM: 'nine'" in capsys.readouterr().err


def test_sweeps_vary_the_email_channel_and_total_every_team():
    from planner import hours
    from planner.sweeps import grid, summarize_sweep, sweep, vary

    s = _bank_with_email()
    axes = grid(email_volume=[1.0, 1.5], email_deadline=[4 * 3600.0])
    summary = summarize_sweep(sweep(s, axes, workers=1, progress=False))
    for i, factor in enumerate([1.0, 1.5]):
        varied = vary(s, {"email_volume": factor, "email_deadline": 4 * 3600.0})
        team = varied.channel_requirements("email")
        row = summary.loc[i]
        assert row["email_agent_hours"] == pytest.approx(hours(team["agents"], 1800))
        items = team["items"].to_numpy()
        share = float(team["on_time"].fillna(1.0).to_numpy() @ items / items.sum())
        assert row["email_on_time"] == pytest.approx(share)
        total = varied.summary()["scheduled_hours"] + hours(team["scheduled"], 1800)
        assert row["total_scheduled_hours"] == pytest.approx(total)
    assert summary.loc[1, "email_agent_hours"] > summary.loc[0, "email_agent_hours"]
    with pytest.raises(InputError, match="'email_volume' needs a scenario with"):
        vary(Scenario.load("scenarios/retail_bank.toml"), {"email_volume": 2.0})
