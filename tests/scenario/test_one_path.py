"""One path through the code: the CLI, the library and the app give the same figures.

``planner simulate --scenario X``, ``Scenario.load(X).simulate()`` and the
app's simulation page must simulate the same model (the scenario's handle
and patience distributions, plan, replications and seed) and so show the
same numbers, for every bundled scenario and for one that sets a plan.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

import planner
from planner.cli import main

ROOT = Path(__file__).resolve().parents[2]
BUNDLED = [  # one queue (multi-skill files: test_center_scenario.py and test_cli.py)
    p for p in sorted((ROOT / "scenarios").glob("*.toml")) if not planner.scenario.is_center_file(p)
]


@pytest.fixture(scope="module")
def with_plan(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The help desk with a plan of its own: two agents short of the requirement."""
    desk = planner.Scenario.load(ROOT / "scenarios" / "help_desk.toml")
    plan = tuple(int(max(a - 2, 1)) for a in desk.requirements()["agents"])
    path = tmp_path_factory.mktemp("plan") / "desk_plan.toml"
    desk.with_changes(plan=plan, replications=8).save(path)
    return path


def _cli(capsys: pytest.CaptureFixture[str], path: Path) -> pd.DataFrame:
    code = main(["simulate", "--scenario", str(path), "--format", "csv"])
    out, err = capsys.readouterr()
    assert code == 0, err
    return pd.read_csv(io.StringIO(out))


def _app(path: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setattr("sys.argv", ["app.py", "--scenario", str(path)])
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180).run()
    at.switch_page("app_pages/simulation.py").run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def _check(path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch):
    scenario = planner.Scenario.load(path)
    res = scenario.simulate()
    # The library simulates the scenario's own model.
    assert res.replications == scenario.simulation.replications
    assert res.seed == scenario.simulation.seed
    np.testing.assert_array_equal(res.agents, scenario.planned_agents())

    cli = _cli(capsys, path)
    assert cli["agents"].tolist() == res.agents.tolist()
    assert cli["interval_start"].tolist() == scenario.workload()["interval_start"].tolist()
    for metric in ("service_level", "abandon_rate", "asa", "occupancy"):
        np.testing.assert_allclose(cli[metric], res[metric].mean, rtol=1e-12, equal_nan=True)
        low, high = res[metric].confidence_interval()
        np.testing.assert_allclose(cli[f"{metric}_ci_low"], low, rtol=1e-12, equal_nan=True)
        np.testing.assert_allclose(cli[f"{metric}_ci_high"], high, rtol=1e-12, equal_nan=True)

    at = _app(path, monkeypatch)
    shown = at.dataframe[0].value  # the page's one table
    assert shown["agents"].tolist() == res.agents.tolist()
    np.testing.assert_allclose(shown["service_level"], res["service_level"].mean, rtol=1e-12)
    np.testing.assert_allclose(shown["abandon_rate"], res["abandon_rate"].mean, rtol=1e-12)
    # The dashed Erlang line is the formula at the plan simulated, not at the requirement.
    erlang = scenario.evaluate()
    np.testing.assert_allclose(shown["formula_service_level"], erlang["service_level"])
    cards = {m.label: m.value for m in at.metric}
    assert cards["Day service level (simulated)"] == f"{res.day('service_level').mean:.1%}"
    assert cards["Abandon rate (simulated)"] == f"{res.day('abandon_rate').mean:.1%}"
    return scenario, erlang


@pytest.mark.parametrize("path", BUNDLED, ids=[p.stem for p in BUNDLED])
def test_cli_library_and_app_simulate_the_same_scenario(path, capsys, monkeypatch):
    _check(path, capsys, monkeypatch)


def test_a_scenario_plan_is_what_every_entry_point_simulates(with_plan, capsys, monkeypatch):
    scenario, erlang = _check(with_plan, capsys, monkeypatch)
    required = scenario.requirements()["agents"].to_numpy()
    assert (erlang["agents"].to_numpy() == required - 2).any()  # the plan, not the requirement
    assert (erlang["service_level"] < scenario.requirements()["service_level"]).any()
