"""Workload CSV reading and scenario files."""

from __future__ import annotations

import io
import pickle
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import example, given, strategies

import planner
from planner import (
    InputError,
    Scenario,
    ScenarioError,
    Targets,
    erlang_model,
    read_workload_csv,
    requirements,
)
from planner.scenario import file as sf

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = [
    p for p in sorted((ROOT / "scenarios").glob("*.toml")) if not planner.scenario.is_center_file(p)
]  # one queue (the multi-skill files: tests/scenario/test_center_scenario.py)


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
        model=erlang_model(scenario.mean_patience),
    )  # fmt: skip
    assert table.equals(direct)
    assert (table["agents"] > 0).all()


@pytest.mark.parametrize(
    "targets",
    [
        Targets(service_level=None, asa=30, max_abandon=None),
        Targets(max_abandon=None, max_occupancy=0.9),
        Targets(),
    ],
)
def test_targets_switched_off_round_trip_as_false(targets):
    # TOML has no null: a target on by default (service level, abandonment cap)
    # that is switched off is written as false and read back as None.
    scenario = Scenario(name="t", interval=1800, calls=(10.0,), aht=(180.0,), targets=targets)
    text = scenario.dumps()
    assert Scenario.loads(text).targets == targets
    if targets.max_abandon is None:
        assert "max_abandon = false" in text


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
        ("[staffing]\npatience = -5\n", "'staffing.patience' must be > 0"),
        ("[targets]\nservice_level = 'high'\n", "'service_level' must be a number"),
        ("[targets]\nservice_level = 0\n", "'service_level' must be in \\(0, 1\\]"),
        ("staffing = 3\n", "'staffing' must be a table"),
        ("[targets]\nanswer_time = false\n", "'targets.answer_time' cannot be false"),
        ("[targets]\nmax_abandon = true\n", "'targets.max_abandon' must be a number or false"),
        (
            "[targets]\nservice_level = false\nasa = 30\nmax_abandon = false\n"
            "[staffing]\npatience = 60\n",
            "an ASA target without 'max_abandon' can be met by letting callers hang up",
        ),
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


def test_bundled_scenarios_cover_small_to_large():
    peaks = {p.stem: Scenario.load(p).requirements()["agents"].max() for p in SCENARIOS}
    assert {"retail_bank", "help_desk", "utility"} <= set(peaks)
    assert peaks["help_desk"] < 20 and peaks["utility"] > 1000


def test_scenario_simulates_its_plan_with_its_settings():
    s = Scenario.load(ROOT / "scenarios" / "help_desk.toml")
    res = s.simulate(replications=5)
    direct = planner.simulate(
        s.workload().set_index("interval_start"), s.requirements()["agents"], interval=900,
        handle=s.handle, patience=s.patience, answer_time=60, replications=5, seed=7,
    )  # fmt: skip
    pd.testing.assert_frame_equal(res.to_frame(), direct.to_frame())
    assert s.patience == planner.Lognormal(90, 0.8)
    assert s.mean_patience == 90


def test_plan_and_cost():
    s = Scenario(
        name="x", interval=1800, calls=[100, 200], aht=180, shrinkage=0.3, plan=[14, 25],
        cost_per_hour=30,
    )  # fmt: skip
    assert s.planned_agents().tolist() == [14, 25]
    cost = s.cost()
    assert cost["agent_hours"] == 19.5
    assert cost["scheduled_hours"] == (20 + 36) * 0.5  # ceil(14 / 0.7), ceil(25 / 0.7)
    assert cost["cost"] == cost["scheduled_hours"] * 30
    assert Scenario.loads(s.dumps()) == s
    assert np.isnan(Scenario(name="y", interval=1800, calls=[1], aht=100).cost()["cost"])


def test_currency_is_an_iso_code_kept_in_the_file_and_said_beside_costs():
    s = Scenario(name="x", interval=1800, calls=[100], aht=180, cost_per_hour=30,
                 currency=" eur ")  # fmt: skip
    assert s.currency == "EUR"
    assert 'currency = "EUR"' in s.dumps()
    assert Scenario.loads(s.dumps()) == s
    assert s.with_changes(currency="gbp").currency == "GBP"
    assert s.with_changes(currency=None).currency is None
    # 14 agents for half an hour at 30 an hour
    assert planner.money(s.summary()["cost"], s.currency) == "EUR 210.00"
    assert planner.money(1234567.891) == "1,234,567.89"
    assert planner.money(float("nan"), "EUR") == "-"
    for bad in ("", "EU", "EURO", "€", "E1R", True):
        with pytest.raises(planner.InputError, match="three-letter ISO 4217"):
            s.with_changes(currency=bad)


def test_scenarios_pickle_for_process_pools():
    for path in SCENARIOS:
        s = Scenario.load(path)
        assert pickle.loads(pickle.dumps(s)) == s


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ("[staffing]\nplan = [10]\n", "'plan' needs 'required' or one agent count per interval"),
        ("[staffing]\nplan = 'lots'\n", "'staffing.plan' must be 'required' or a list"),
        ("[staffing]\nplan = [10, -1]\n", "'plan' must be a whole number >= 0"),
        ("[staffing]\ncost_per_hour = -3\n", "'cost_per_hour' must be >= 0"),
        ("[staffing]\ncurrency = 'euro'\n", "'currency' must be a three-letter ISO 4217"),
        ("[staffing]\ncurrency = 978\n", "'currency' must be a three-letter ISO 4217"),
        ("[staffing]\npatience = { kind = 'weibull', mean = 90 }\n",
         "'staffing.patience.kind' must be one of"),
        ("[staffing]\npatience = { kind = 'lognormal', mean = 90, sd = 3 }\n",
         "unknown key 'staffing.patience.sd'"),
        ("[staffing]\npatience = { kind = 'lognormal', mean = 90 }\n",
         "'staffing.patience' of kind 'lognormal' needs 'cv'"),
        ("[staffing]\npatience = { kind = 'gamma', mean = 90, cv = -1 }\n",
         "'Gamma.cv' must be > 0"),
        ("[staffing]\npatience = { kind = 'gamma', mean = 'long', cv = 1 }\n",
         "'staffing.patience.mean' must be a number"),
        ("[simulation]\nreplications = 0\n", "'replications' must be a whole number >= 1"),
        ("[simulation]\nclose = 'never'\n", "'close' must be 'serve_queue' or 'stop'"),
        ("[simulation]\nreps = 3\n", "unknown key 'simulation.reps'"),
        ("[simulation]\nwarmup = -60\n", "'warmup' must be >= 0"),
    ],
)  # fmt: skip
def test_extended_scenario_errors_name_file_and_key(extra, message):
    with pytest.raises(ScenarioError, match=message) as err:
        Scenario.loads(BASE + extra, source="day.toml")
    assert str(err.value).startswith("day.toml: ")


HISTORY = """
name = "Bank from history"
interval = 1800
[workload]
history = "../data/sample_history.csv"
day = "2026-05-26"
country = "US"
calendar = "../data/sample_calendar.csv"
"""


@pytest.mark.slow
def test_workload_forecast_from_a_history_reference(tmp_path):
    s = Scenario.loads(HISTORY, source="x.toml", base_dir=str(ROOT / "scenarios"))
    model = planner.forecast.fit(
        planner.read_history(ROOT / "data" / "sample_history.csv"),
        country="US",
        calendar=ROOT / "data" / "sample_calendar.csv",
    )
    day = model.forecast(3)
    day = day[day.index.normalize() == pd.Timestamp("2026-05-26")]
    assert s.start == "08:00" and len(s.calls) == len(day)
    np.testing.assert_allclose(s.calls, day["calls"].round(2))
    # saved with the reference, not the numbers; loads back the same
    copy = tmp_path / "copy.toml"
    s.save(copy)
    assert "history" in copy.read_text() and "calls" not in copy.read_text()
    assert 'calendar = "../data/sample_calendar.csv"' in copy.read_text()
    assert Scenario.loads(copy.read_text(), base_dir=str(ROOT / "scenarios")) == s


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("2026-05-26", "2026-01-20"), "'day' must be after the history"),
        (("interval = 1800", "interval = 900"), "differs from the history's"),
        (("sample_history.csv", "nope.csv"), "cannot read history file"),
        (("sample_calendar.csv", "nope.csv"), "cannot read calendar file"),
        (('country = "US"', 'country = "US"\ncalls = [1]'), "either 'history' or 'calls'"),
    ],
)
def test_history_reference_errors(change, message):
    with pytest.raises(ScenarioError, match=message):
        Scenario.loads(HISTORY.replace(*change), source="x.toml", base_dir=str(ROOT / "scenarios"))


def test_changing_a_history_scenario_does_not_refit(monkeypatch):
    import dataclasses

    s = Scenario.loads(HISTORY, source="x.toml", base_dir=str(ROOT / "scenarios"))

    def no_fit(*args, **kwargs):
        raise AssertionError("a forecast was fitted again")

    monkeypatch.setattr(planner.forecast, "fit", no_fit)
    cheaper = dataclasses.replace(s, shrinkage=0.3)
    assert cheaper.calls == s.calls and cheaper.history == s.history
    assert s.with_changes(service_level=0.9).requirements()["agents"].sum() > 0
    # new calls are no longer the forecast: the reference is dropped, the numbers saved
    busier = s.with_changes(calls=tuple(c * 1.1 for c in s.calls))
    assert busier.history is None and "calls" in busier.dumps()
    with pytest.raises(InputError, match=r"Scenario\.from_history"):
        Scenario(name="x", interval=1800, history="../data/sample_history.csv")


def test_with_changes_reads_what_ifs_as_a_planner_means_them():
    s = Scenario(
        name="x", interval=1800, calls=[100, 200], aht=180, patience=planner.Lognormal(90, 1.2),
        handle=planner.Gamma(1.0, 0.7), plan=[14, 25],
    )  # fmt: skip
    assert s.with_changes(patience=120).patience == planner.Lognormal(120, 1.2)  # shape kept
    assert s.with_changes(patience_cv=0.5).patience == planner.Lognormal(90, 0.5)
    assert s.with_changes(handle_cv=1.5).handle == planner.Lognormal(1.0, 1.5)
    assert s.with_changes(patience=None, max_abandon=None).patience is None
    assert s.with_changes(plan="required").plan is None
    assert s.with_changes(plan=np.array([15, 26])).plan == (15, 26)  # a numpy plan too
    changed = s.with_changes(service_level=0.9, answer_time=30, replications=50, seed=3)
    assert (changed.targets.service_level, changed.targets.answer_time) == (0.9, 30)
    assert (changed.simulation.replications, changed.simulation.seed) == (50, 3)
    assert changed.targets.sl_basis == s.targets.sl_basis
    # the sweep's workload axes are what-ifs too, from the one registry
    louder = s.with_changes(volume=1.1, aht_seconds=20, staffing_offset=-2)
    assert louder.calls == pytest.approx((110, 220)) and louder.aht == (200, 200)
    assert louder.plan == (12, 23)
    with pytest.raises(InputError, match="unknown scenario change 'colour'"):
        s.with_changes(colour=1.1)
    with pytest.raises(InputError, match="'patience_cv' needs a patience"):
        Scenario(name="x", interval=1800, calls=[1], aht=180).with_changes(patience_cv=1.0)


@pytest.mark.parametrize(
    "dist",
    [planner.Exponential(200), planner.Lognormal(200, 1.3), planner.Gamma(200, 0.6),
     planner.Deterministic(200), planner.Empirical([100, 200, 400])],
    ids=repr,
)  # fmt: skip
def test_distributions_convert_themselves(dist):
    assert sf.distribution_from_table(sf.distribution_table(dist)) == dist
    moved = dist.with_mean(300)
    assert type(moved) is type(dist)
    assert moved.mean == pytest.approx(300) and moved.cv == pytest.approx(dist.cv)
    assert pickle.loads(pickle.dumps(dist)) == dist


def test_one_registry_of_what_ifs_serves_every_front_end():
    from planner import AXES
    from planner.cli import _ERLANG_X_FLAGS, _TARGET_FLAGS
    from planner.scenario import WHATIFS

    # the sweep's axes, the CLI's flags and with_changes read the same registry
    assert set(AXES) == {name for name, w in WHATIFS.items() if w.axis}
    assert {"volume", "chat_volume", "email_deadline", "paid_hours"} <= set(AXES)
    assert set(_TARGET_FLAGS) == {"service_level", "answer_time", "asa", "max_abandon",
                                  "max_occupancy"}  # fmt: skip
    assert "lines" in _ERLANG_X_FLAGS and all(WHATIFS[f].flag for f in _ERLANG_X_FLAGS)
    bank = Scenario.load("scenarios/retail_bank.toml")
    values = {"service_level": 0.9, "answer_time": 30, "volume": 1.1, "aht_factor": 1.1,
              "aht_seconds": 10, "staffing_offset": 1}  # fmt: skip
    for name, w in WHATIFS.items():
        assert w.meaning and w.part, name
        if w.axis and w.part in ("targets", "workload"):
            assert bank.with_changes(**{name: values[name]}) != bank, name


@given(strategies.floats(min_value=0, max_value=1e300, allow_nan=False))
@example(30600.0)
@example(1e300)
def test_a_duration_written_as_text_reads_back_exactly(seconds):
    from planner.schedule import duration_seconds, duration_text

    assert duration_seconds("d", duration_text(seconds)) == seconds


def test_template_durations_are_written_as_people_write_them():
    from planner.schedule import duration_text

    assert [duration_text(x) for x in (30600.0, 1800.0, 900.0, 45.0)] == [
        "8.5h", "30min", "15min", 45.0
    ]  # fmt: skip
