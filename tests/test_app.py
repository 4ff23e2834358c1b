"""The Streamlit page, driven headlessly with streamlit's AppTest."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import planner
from planner import Scenario

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ROOT / "scenarios" / "retail_bank.toml"


@pytest.fixture
def app() -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_default_scenario_numbers_match_the_library(app):
    expected = Scenario.load(DEFAULT).requirements()
    shown = app.dataframe[0].value
    assert shown["agents"].tolist() == expected["agents"].tolist()
    assert shown["scheduled"].tolist() == expected["scheduled"].tolist()
    shown_metrics = metrics(app)
    day = planner.day_summary(expected, 1800)
    assert shown_metrics["Peak agents on the phones"] == str(expected["agents"].max())
    assert shown_metrics["Calls offered"] == f"{expected['calls'].sum():,.0f}"
    assert shown_metrics["Day service level"] == f"{day['service_level']:.1%}"
    assert shown_metrics["Day abandon rate"] == f"{day['abandon_rate']:.1%}"
    assert shown["service_level"].to_numpy() == pytest.approx(100 * expected["service_level"])


def test_sidebar_what_if_recomputes(app):
    app.slider(key="service_level").set_value(0.95)
    app.slider(key="max_occupancy").set_value(1.0)
    app.checkbox(key="use_patience").uncheck()
    app.slider(key="shrinkage").set_value(0.4)
    app.run()
    assert not app.exception, [e.message for e in app.exception]
    base = Scenario.load(DEFAULT)
    expected = dataclasses.replace(
        base,
        targets=dataclasses.replace(base.targets, service_level=0.95, max_occupancy=None),
        patience=None,
        shrinkage=0.4,
    ).requirements()
    shown = app.dataframe[0].value
    assert shown["agents"].tolist() == expected["agents"].tolist()
    assert shown["scheduled"].tolist() == expected["scheduled"].tolist()
    assert "abandon_rate" not in shown
    assert "Day ASA (s)" in metrics(app)


def test_bad_scenario_file_shows_a_message_not_a_traceback(tmp_path, monkeypatch):
    bad = tmp_path / "bad.toml"
    bad.write_text('name = "x"\ninterval = 1800\n[workload]\ncalls = [1, -1]\naht = 180\n')
    monkeypatch.setattr("sys.argv", ["app.py", "--scenario", str(bad)])
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    assert not at.exception
    assert "'calls' must be >= 0" in at.error[0].value


def page(name: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    at.radio(key="page").set_value(name).run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def test_calculator_power_of_one():
    at = page("Calculator")
    assert metrics(at)["Agents needed"] == "14"  # Call Centre Helper: 100 calls, 180 s, 80/20
    table = at.dataframe[0].value
    assert table["agents"].tolist() == [12, 13, 14, 15, 16, 17]
    expected = planner.interval_metrics([12, 13, 14, 15, 16, 17], 100, 180, 1800, planner.Targets())
    assert table["service_level"].to_numpy() == pytest.approx(100 * expected["service_level"])
    at.number_input(key="calc_calls").set_value(250).run()
    at.checkbox(key="calc_use_patience").check().run()
    want = planner.required_agents(250, 180, 1800, planner.Targets(), 120)
    assert metrics(at)["Agents needed"] == str(want)


def test_intraday_planner_on_the_sample_and_edits():
    at = page("Intraday planner")
    model = planner.forecast.fit(planner.read_history(planner.sample.SAMPLE_PATH), country="US")
    expected = planner.forecast_requirements(model, 7, planner.Targets(), shrinkage=0.3)
    first_day = sorted({t.date() for t in expected.index})[0]
    day = expected[[t.date() == first_day for t in expected.index]]
    shown = at.dataframe[-1].value  # the result under the editable table
    assert shown["agents"].tolist() == day["agents"].tolist()
    assert shown["scheduled"].tolist() == day["scheduled"].tolist()
    assert shown["service_level"].to_numpy() == pytest.approx(100 * day["service_level"])


def test_simulation_page_matches_the_library():
    at = page("Simulation")
    scenario = Scenario.load(DEFAULT)
    res = scenario.simulate()
    assert metrics(at)["Day service level (simulated)"] == f"{res.day('service_level').mean:.1%}"
    shown = at.dataframe[0].value
    assert shown["service_level"].to_numpy() == pytest.approx(res["service_level"].mean)


def test_compare_page_costs():
    at = page("Compare scenarios")
    shown = at.dataframe[0].value
    desk = Scenario.load(ROOT / "scenarios" / "help_desk.toml")
    row = shown[shown["scenario"] == desk.name].iloc[0]
    assert row["paid hours"] == pytest.approx(desk.cost()["scheduled_hours"])
    assert row["cost"] == pytest.approx(desk.cost()["cost"])
