"""Workload CSV reading and scenario files."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from planner import InputError, Scenario, ScenarioError, Targets, read_workload_csv, requirements

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = sorted((ROOT / "scenarios").glob("*.toml"))


def test_read_workload_csv_keeps_other_columns_and_matches_names_loosely():
    text = "Start, Calls ,AHT\n08:00,100,180\n\n08:30,0,200.5\n"
    frame = read_workload_csv(io.StringIO(text))
    assert frame.columns.tolist() == ["Start", "calls", "aht"]
    assert frame["calls"].tolist() == [100.0, 0.0]
    assert frame["aht"].tolist() == [180.0, 200.5]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty file"),
        ("calls\n1\n", r"line 1: missing column\(s\) \['aht'\]"),
        ("calls,aht\n", "no interval rows"),
        ("calls,aht\n10,180\n10\n", "line 3: expected 2 fields, got 1"),
        ("calls,aht\n10,180\n-1,180\n", "line 3: column 'calls' must be a number >= 0"),
        ("calls,aht\n10,180\n\n5,0\n", "line 4: column 'aht' must be a number > 0"),
        ("calls,aht\nten,180\n", "line 2: column 'calls' must be a number >= 0.*'ten'"),
        ("calls,aht\n,180\n", "line 2: column 'calls'"),
        ("calls,aht\nnan,180\n", "line 2: column 'calls'"),
    ],
)
def test_read_workload_csv_errors_name_the_line(text, message):
    with pytest.raises(InputError, match=message):
        read_workload_csv(io.StringIO(text))


def test_read_workload_csv_missing_file(tmp_path):
    with pytest.raises(InputError, match="cannot read workload file"):
        read_workload_csv(tmp_path / "nope.csv")


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.name)
def test_bundled_scenarios_load_and_round_trip(path, tmp_path):
    scenario = Scenario.load(path)
    copy = tmp_path / "copy.toml"
    scenario.save(copy)
    assert Scenario.load(copy) == scenario
    table = scenario.requirements()
    direct = requirements(
        scenario.workload(), scenario.targets, scenario.interval, scenario.shrinkage,
        scenario.patience,
    )  # fmt: skip
    assert table.equals(direct)
    assert (table["agents"] > 0).all()


def test_default_scenario_is_bundled():
    assert (ROOT / "scenarios" / "retail_bank.toml") in SCENARIOS


def test_workload_clock_times():
    s = Scenario(name="x", interval=900, calls=[1, 2, 3], aht=200, start="23:30")
    assert s.workload()["interval_start"].tolist() == ["23:30", "23:45", "00:00"]
    assert s.aht == (200.0, 200.0, 200.0)


def test_round_trip_keeps_every_field():
    s = Scenario(
        name="help desk",
        description="long calls",
        interval=1800,
        calls=[10, 12],
        aht=[600, 660],
        start="09:00",
        targets=Targets(service_level=0.7, answer_time=60, asa=45, max_abandon=0.1),
        shrinkage=0.25,
        patience=90,
    )
    assert Scenario.loads(s.dumps()) == s


BASE = """
name = "t"
interval = 1800
[workload]
calls = [10, 20]
aht = 180
"""


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ("colour = 'red'\n", "unknown key 'colour'"),
        ("[targets]\nservice_lvl = 0.8\n", "unknown key 'targets.service_lvl'"),
        ("[staffing]\nshrinkage = 1.2\n", "'shrinkage' must be in \\[0, 1\\): 1.2"),
        ("[staffing]\npatience = -5\n", "'patience' must be > 0"),
        ("[targets]\nservice_level = 'high'\n", "'service_level' must be a number"),
        ("[targets]\nservice_level = 0\n", "'service_level' must be in \\(0, 1\\]"),
        ("staffing = 3\n", "'staffing' must be a table"),
    ],
)
def test_scenario_errors_name_file_and_key(extra, message):
    # Top-level keys must come before the tables in TOML.
    text = extra + BASE if not extra.startswith("[") else BASE + extra
    with pytest.raises(ScenarioError, match=message) as err:
        Scenario.loads(text, source="day.toml")
    assert str(err.value).startswith("day.toml: ")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("name = 't'\ninterval = 1800\n", "missing key 'workload'"),
        ("name = 't'\ninterval = 900\n[workload]\ncalls = [1]\n", "needs both 'calls' and 'aht'"),
        (BASE.replace("aht = 180", "aht = [180]"), "'aht' must be one number or one per interval"),
        (BASE.replace("calls = [10, 20]", "calls = [10, -2]"), "'calls' must be >= 0"),
        (BASE.replace("interval = 1800", "interval = 0"), "'interval' must be > 0"),
        (BASE + "start = '25:00'\n", "'start' must be a clock time"),
        ("name = = 1", "not valid TOML"),
    ],
)
def test_scenario_content_errors(text, message):
    with pytest.raises(ScenarioError, match=message):
        Scenario.loads(text, source="day.toml")


def test_missing_scenario_file(tmp_path):
    with pytest.raises(ScenarioError, match="cannot read scenario file"):
        Scenario.load(tmp_path / "nope.toml")
