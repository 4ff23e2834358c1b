"""Multi-skill scenario files: [[queue]] and [[group]] tables, read, written and run."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import planner
from planner import CenterScenario, ScenarioError

ROOT = Path(__file__).resolve().parents[2]

SMALL = """
name = "N-design"
interval = 1800
start = "09:00"

[staffing]
shrinkage = 0.25
currency = "EUR"

[simulation]
replications = 12
seed = 5

[[queue]]
name = "cards"
calls = [50, 80, 70, 40]
aht = 240
patience = 180
targets = { service_level = 0.8, answer_time = 20 }

[[queue]]
name = "loans"
calls = [20, 30, 30, 15]
aht = [360, 360, 380, 380]
patience = { kind = "lognormal", mean = 240, cv = 1.0 }
handle = { kind = "gamma", cv = 0.7 }
targets = { service_level = 0.7, answer_time = 30, max_abandon = 0.08 }

[[group]]
name = "cards"
skills = ["cards"]
agents = "required"
cost_per_hour = 30

[[group]]
name = "loans"
skills = ["loans"]
agents = "required"
cost_per_hour = 32

[[group]]
name = "generalists"
skills = { loans = 0, cards = 1 }
aht = { cards = 260 }
overflow_after = { cards = 10 }
cost_per_hour = 34
"""


def test_the_bundled_bank_is_a_multi_skill_scenario_that_reads_back_the_same():
    bank = planner.load_scenario(ROOT / "scenarios" / "bank_skills.toml")
    assert isinstance(bank, CenterScenario) and bank.required
    assert [q.name for q in bank.queues] == ["cards EN", "cards FR", "loans EN", "loans FR"]
    assert len(bank.groups) == 6 and bank.interval_starts()[0] == "08:00"
    assert bank.groups[5].priority == {"loans FR": 0, "cards FR": 0, "loans EN": 1, "cards EN": 1}
    assert CenterScenario.loads(bank.dumps()) == bank
    # a given plan reads back as given
    given = bank.with_changes(group_agents={g.name: 3 for g in bank.groups})
    assert not given.required and CenterScenario.loads(given.dumps()) == given
    # the one-queue files still read as they did
    desk = planner.load_scenario(ROOT / "scenarios" / "help_desk.toml")
    assert desk == planner.Scenario.load(ROOT / "scenarios" / "help_desk.toml")


def test_a_file_round_trips_through_save_and_load(tmp_path):
    small = CenterScenario.loads(SMALL)
    assert small.groups[2].agents == 0 and small.required  # no agents: required
    path = tmp_path / "small.toml"
    small.save(path)
    assert planner.load_scenario(path) == small
    assert small.queues[1].targets.max_abandon == 0.08
    assert small.queues[1].patience == planner.Lognormal(240.0, 1.0)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda t: t.replace("name = \"loans\"\ncalls", "name = \"loans\"\ncals"),
         r"\[\[queue\]\] 2 \('loans'\): unknown key 'cals'"),
        (lambda t: t.replace('skills = ["cards"]', 'skills = ["card"]'),
         "'card' is not one of its call types"),
        (lambda t: t.replace('skills = ["loans"]\nagents = "required"',
                             'skills = ["loans"]\nagents = 4'),
         r"give 'agents' for every \[\[group\]\] .* given for 1 of 3"),
        (lambda t: t.replace("aht = 240", "aht = 0"), "aht"),
        (lambda t: t.replace("calls = [50, 80, 70, 40]", "calls = [50, -80, 70, 40]"),
         "calls"),
        (lambda t: t.replace("[simulation]", "[simulation]\nwarmup = 60"),
         "unknown key 'simulation.warmup'"),
        (lambda t: t.replace('agents = "required"\ncost_per_hour = 30', 'agents = "lots"'),
         "'agents' must be \"required\""),
        (lambda t: t.replace('[[group]]\nname = "loans"\nskills = ["loans"]',
                             '[[group]]\nname = "loans"\nskills = ["cards"]')
         .replace("skills = { loans = 0, cards = 1 }", "skills = { cards = 1 }")
         .replace("aht = { cards = 260 }\n", ""),
         "call type 'loans': no group takes it"),
    ],
)  # fmt: skip
def test_a_bad_file_names_the_queue_or_group_and_the_key(change, message):
    with pytest.raises(ScenarioError, match=message):
        CenterScenario.loads(change(SMALL))


def test_the_one_queue_reader_points_to_the_multi_skill_one(tmp_path):
    path = tmp_path / "multi.toml"
    path.write_text(SMALL, encoding="utf-8")
    with pytest.raises(ScenarioError, match="multi-skill center; read it with"):
        planner.Scenario.load(path)


def test_the_scenarios_methods_are_the_librarys_functions():
    small = CenterScenario.loads(SMALL)
    found = small.staffing()
    direct = planner.staff_center(small.center, replications=12, seed=5)
    pd.testing.assert_frame_equal(found.agents, direct.agents)
    assert found.agent_hours == direct.agent_hours and found.cost == direct.cost
    table = small.staffing_table(found)
    assert table["interval_start"].tolist() == ["09:00", "09:30", "10:00", "10:30"]
    assert (table["agents"] == found.agents.sum(axis=1).to_numpy()).all()
    assert (table["pooled"] == planner.staffing_bounds(small.center)["pooled"]).all()
    assert (table["confidence loans"] == found.confidence.loc["loans"].to_numpy()).all()
    summary = small.staffing_summary(found).set_index("staffing")
    assert summary.loc["total", "agent_hours"] == found.agent_hours
    assert summary.loc["total", "scheduled_hours"] == pytest.approx(found.agent_hours / 0.75)
    assert summary.loc["total", "cost"] == pytest.approx(found.cost / 0.75)
    # simulate: the plan found, simulated as simulate_center does
    result = small.simulate(found)
    plan = small.plan(found)
    assert [g.agents for g in plan.groups] == [
        tuple(int(x) for x in found.agents[g.name]) for g in small.groups
    ]
    again = planner.simulate_center(plan, replications=12, seed=5)
    rows = small.simulation_table(result)
    loans = rows[(rows["kind"] == "queue") & (rows["name"] == "loans")]
    assert np.array_equal(loans["service_level"].to_numpy(),
                          again.call_types["loans"]["service_level"].mean)  # fmt: skip
    gen = rows[(rows["kind"] == "group") & (rows["name"] == "generalists")]
    assert np.array_equal(gen["occupancy"].to_numpy(),
                          again.groups["generalists"]["occupancy"].mean)  # fmt: skip
    assert len(rows) == 4 * (2 + 3)
    with pytest.raises(planner.InputError, match="unknown option 'replication'"):
        small.simulate(found, replication=3)


def test_what_ifs_per_queue_volume_and_per_group_cost():
    small = CenterScenario.loads(SMALL)
    more = small.with_changes(calls_factor=1.1, queue_calls={"loans": 2.0})
    assert more.queues[0].calls == pytest.approx(tuple(1.1 * c for c in small.queues[0].calls))
    assert more.queues[1].calls == pytest.approx(tuple(2.2 * c for c in small.queues[1].calls))
    dear = small.with_changes(group_cost={"generalists": 40.0})
    assert dear.groups[2].cost_per_hour == 40.0 and dear.groups[0].cost_per_hour == 30.0
    with pytest.raises(planner.InputError, match="no group is named 'generalist'"):
        small.with_changes(group_cost={"generalist": 40.0})
    with pytest.raises(planner.InputError, match="given for every group or none"):
        small.with_changes(group_agents={"cards": 4})


def test_a_sweep_of_a_multi_skill_scenario_per_queue_volume_and_group_cost(tmp_path):
    """sweep() of a CenterScenario: each variation staffed as CenterScenario does for the
    varied scenario, one row per interval with each group's agents; summarized per
    variation; saved and resumed like any sweep."""
    from concurrent.futures import ThreadPoolExecutor

    small = CenterScenario.loads(SMALL)
    assert set(planner.center_axes(small)) == {
        "volume", "volume cards", "volume loans", "cost cards", "cost loans", "cost generalists",
    }  # fmt: skip
    variations = planner.grid(**{"volume loans": [1.0, 1.5], "cost generalists": [34.0, 60.0]})
    with ThreadPoolExecutor(2) as pool:
        table = planner.sweep(small, variations, executor=pool, out=tmp_path, progress=False,
                              evaluate="simulation")  # fmt: skip
    assert len(table) == 4 * small.intervals
    last = small.with_changes(queue_calls={"loans": 1.5}, group_cost={"generalists": 60.0})
    assert planner.vary(small, variations[3]) == last
    found = last.staffing()
    rows = table[table["variation"] == 3]
    assert rows["generalists"].tolist() == found.agents["generalists"].tolist()
    assert rows["center_agent_hours"].iloc[0] == found.agent_hours
    result = last.simulate(found)
    np.testing.assert_allclose(rows["sim_service_level loans"],
                               result.call_types["loans"]["service_level"].mean)  # fmt: skip
    summary = planner.summarize_sweep(table)
    assert summary.loc[3, "agent_hours"] == found.agent_hours and summary.loc[3, "met"] == found.met
    assert summary.loc[3, "volume loans"] == 1.5 and summary.loc[3, "currency"] == "EUR"
    assert summary.loc[1, "agent_hours"] < summary.loc[3, "agent_hours"]  # more loan calls
    with ThreadPoolExecutor(2) as pool:  # resumed: every variation read back
        again = planner.sweep(small, variations, executor=pool, out=tmp_path, progress=False,
                              evaluate="simulation")  # fmt: skip
    assert again.attrs["reused"] == 4
    with pytest.raises(planner.InputError, match="unknown variation axis 'cost card'"):
        planner.sweep(small, [{"cost card": 30.0}], progress=False)
    with pytest.raises(planner.InputError, match="not for shifts"):
        planner.sweep(small, variations, evaluate="schedule", progress=False)


def test_queue_and_group_entries_must_be_tables():
    with pytest.raises(ScenarioError, match=r"\[\[queue\]\] 2 must be a table"):
        queue = {"name": "q", "calls": [1.0], "aht": 200}
        CenterScenario.from_dict({"name": "x", "interval": 1800, "queue": [queue, 3],
                                  "group": [{}]})  # fmt: skip
    with pytest.raises(ScenarioError, match="'group' must be one or more"):
        CenterScenario.loads("group = []\n" + SMALL.split("[[group]]")[0])
