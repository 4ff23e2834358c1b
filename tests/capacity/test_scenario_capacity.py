"""A scenario file's [capacity] section, its what-ifs and Scenario.capacity_plan."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import planner
from planner.capacity import CapacitySettings, WeekProfile, capacity_plan
from planner.errors import InputError

ROOT = Path(__file__).parents[2]
BANK = ROOT / "scenarios" / "retail_bank.toml"


@pytest.fixture(scope="module")
def bank() -> planner.Scenario:
    return planner.Scenario.load(BANK)


def test_the_bundled_bank_plans_months_ahead_from_its_day(bank):
    """Scenario.capacity_plan is capacity_plan on the day's shape, AHT, targets and model."""
    c = bank.capacity
    assert c is not None and c.weeks == 78 and len(c.workforce.bands) == 3
    plan = bank.capacity_plan()
    calls = np.asarray(bank.calls)
    aht = float((calls * np.asarray(bank.aht)).sum() / calls.sum())
    demand = c.weekly_demand(calls.sum(), aht)
    assert demand.calls[0] == pytest.approx(calls.sum() * sum(c.weekday_weights))
    assert demand.calls[52] == pytest.approx(demand.calls[0] * 1.06)
    profile = WeekProfile.from_day(calls, bank.interval, start=bank.start,
                                   weekday_shares=np.asarray(c.weekday_weights))  # fmt: skip
    settings = CapacitySettings(bank.targets, bank.model, c.efficiency, bank.shrinkage,
                                c.hours_per_fte)  # fmt: skip
    direct = capacity_plan(demand, profile, settings, c.workforce, paths=c.paths, seed=c.seed)
    pd.testing.assert_frame_equal(plan.weeks, direct.weeks)
    pd.testing.assert_frame_equal(plan.classes, direct.classes)
    assert plan.gap <= 1e-3 and len(plan.classes) > 0
    # Sunday closed: no calls in its intervals
    assert profile.shares[6].sum() == 0


def test_the_section_round_trips_through_the_file(bank, tmp_path):
    text = bank.dumps()
    assert "[capacity]" in text and "[[capacity.class]]" in text and "tenured" in text
    again = planner.Scenario.loads(text)
    assert again == bank and again.capacity == bank.capacity
    # a demand file, relative to the scenario's folder, is kept as written
    weeks = pd.DataFrame({"week_start": pd.date_range("2027-01-04", periods=3, freq="7D"),
                          "calls": [20000, 21000, 22000], "aht": [280, 280, 290]})  # fmt: skip
    weeks.to_csv(tmp_path / "weeks.csv", index=False)
    data = planner.Scenario.loads(text).to_dict()
    data["capacity"]["demand"] = "weeks.csv"
    path = tmp_path / "s.toml"
    import tomli_w

    path.write_text(tomli_w.dumps(data), encoding="utf-8")
    loaded = planner.Scenario.load(path)
    assert loaded.capacity.demand.calls == (20000.0, 21000.0, 22000.0)
    assert planner.Scenario.loads(loaded.dumps(), base_dir=str(tmp_path)) == loaded
    assert len(loaded.capacity_plan().weeks) == 3


def test_what_ifs_change_the_plan_as_a_manager_expects(bank):
    base = bank.capacity_plan()
    leaving = bank.capacity_plan(attrition=1.5)
    assert leaving.classes["size"].sum() > base.classes["size"].sum()
    growing = bank.capacity_plan(growth=0.2)
    assert growing.weeks["required_fte"].iloc[-1] > base.weeks["required_fte"].iloc[-1]
    slower = bank.capacity_plan(lead_time=4)
    assert slower.classes["training_start"].min() > base.classes["training_start"].min()
    smaller = bank.capacity_plan(class_size=8)
    assert smaller.classes["size"].max() <= 8
    with pytest.raises(InputError, match="needs a scenario with a \\[capacity\\] section"):
        planner.Scenario.load(ROOT / "scenarios" / "utility.toml").capacity_plan(growth=0.1)
    with pytest.raises(InputError, match="no \\[capacity\\] section"):
        planner.Scenario.load(ROOT / "scenarios" / "utility.toml").capacity_plan()


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda c: c.update(headcount=3), "unknown key 'capacity.headcount'"),
        (lambda c: c.pop("start"), "needs 'start'"),
        (lambda c: c.pop("band"), "needs \\[\\[capacity.band\\]\\]"),
        (lambda c: c["band"][0].update(tenure=3), "unknown key 'tenure'"),
        (lambda c: c.update(weekday_weights=[1, 2]), "7 numbers"),
        (lambda c: c.update(demand="nowhere.csv"), "no demand file"),
        (lambda c: c["class"][0].update(min_size=30), "max_size"),
        (lambda c: c.update(start="next week"), "must be a date"),
    ],
)
def test_a_bad_section_names_the_file_and_the_key(bank, edit, message):
    data = bank.to_dict()
    edit(data["capacity"])
    import tomli_w

    with pytest.raises(planner.ScenarioError, match=message):
        planner.Scenario.loads(tomli_w.dumps(data), source="bank.toml")
    with pytest.raises(planner.ScenarioError, match=r"^bank\.toml: "):
        planner.Scenario.loads(tomli_w.dumps(data), source="bank.toml")


def _cli(capsys, *argv: str) -> tuple[int, str, str]:
    from planner.cli import main

    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_the_command_line_shows_what_the_library_returns(bank, capsys, tmp_path):
    """`planner capacity`: every week's figures as CSV equal Scenario.capacity_plan's;
    the classes table and the cost line too; what-ifs and settings reach the plan."""
    import io
    import json

    code, out, _ = _cli(capsys, "capacity", str(BANK), "--format", "csv")
    assert code == 0
    shown = pd.read_csv(io.StringIO(out))
    plan = bank.capacity_plan()
    want = plan.weeks.assign(week_start=plan.weeks["week_start"].dt.strftime("%Y-%m-%d"))
    pd.testing.assert_frame_equal(shown, want, check_dtype=False, rtol=1e-12)
    code, out, _ = _cli(capsys, "capacity", str(BANK), "--classes", "--attrition", "1.3",
                        "--quantile", "0.9", "--seed", "5", "--format", "json")  # fmt: skip
    rows = json.loads(out)
    changed = bank.with_changes(attrition=1.3)
    import dataclasses

    changed = dataclasses.replace(changed, capacity=dataclasses.replace(
        changed.capacity, quantile=0.9, seed=5))  # fmt: skip
    classes = changed.capacity_plan().classes
    assert [r["size"] for r in rows] == classes["size"].tolist()
    assert [r["go_live"] for r in rows] == classes["go_live"].dt.strftime("%Y-%m-%d").tolist()
    code, out, _ = _cli(capsys, "capacity", str(BANK))
    assert f"total {plan.cost['total']:,.0f}" in out
    assert f"{len(plan.classes)} classes, {int(plan.classes['size'].sum())} hires" in out
    target = tmp_path / "weeks.csv"
    code, _, err = _cli(capsys, "capacity", str(BANK), "--out", str(target))
    assert code == 0 and "wrote 78 weeks" in err and len(pd.read_csv(target)) == 78
    code, _, err = _cli(capsys, "capacity", str(ROOT / "scenarios" / "utility.toml"))
    assert code == 2 and "no [capacity] section" in err
    code, _, err = _cli(capsys, "capacity", str(BANK), "--quantile", "2")
    assert code == 2 and "'--quantile' must be in" in err


def test_a_sweep_over_attrition_and_lead_time_is_each_variations_own_plan(bank, tmp_path):
    """sweep(evaluate="capacity"): one row per variation and week, each the plan of the
    scenario with that variation; summarize_sweep's figures are that plan's; a resumed
    sweep reads what it saved."""
    from concurrent.futures import ThreadPoolExecutor

    variations = planner.grid(attrition=[1.0, 1.5], lead_time=[0, 4])
    with ThreadPoolExecutor(2) as pool:
        weeks = planner.sweep(bank, variations, evaluate="capacity", executor=pool,
                              out=tmp_path, progress=False)  # fmt: skip
    assert len(weeks) == 4 * 78
    summary = planner.summarize_sweep(weeks)
    for i, v in enumerate(variations):
        plan = bank.capacity_plan(**v)
        row = summary.loc[i]
        assert (row["attrition"], row["lead_time"]) == (v["attrition"], v["lead_time"])
        assert row["hires"] == plan.classes["size"].sum()
        assert row["classes"] == len(plan.classes)
        assert row["cost"] == pytest.approx(plan.cost["total"], rel=1e-12)
        assert row["short_fte_weeks"] == pytest.approx(plan.weeks["short_fte"].sum())
        assert row["weeks_likely_short"] == (plan.weeks["p_short"] > 0.2).sum()
        mine = weeks[weeks["variation"] == i]
        np.testing.assert_allclose(mine["productive_fte"], plan.weeks["productive_fte"])
    assert summary.loc[2, "hires"] > summary.loc[0, "hires"]  # more leave: more hired
    again = planner.sweep(bank, variations, evaluate="capacity", out=tmp_path,
                          executor=ThreadPoolExecutor(1), progress=False)  # fmt: skip
    pd.testing.assert_frame_equal(again.reset_index(drop=True), weeks.reset_index(drop=True))
    utility = planner.Scenario.load(ROOT / "scenarios" / "utility.toml")
    with pytest.raises(InputError, match="needs a scenario with a \\[capacity\\] section"):
        planner.sweep(utility, [{}], evaluate="capacity")


def test_a_section_with_history_forecasts_its_weeks_and_shapes_them_like_the_history(
    bank, tmp_path
):
    """[capacity] history = "...": the weeks are forecast_weeks of that history (a sample
    of under a year says so), shaped by its own week; the file keeps the reference."""
    import tomli_w

    from planner.capacity.weekly import forecast_weeks
    from planner.io import read_history

    sample = ROOT / "data" / "sample_history.csv"
    data = bank.to_dict()
    for key in ("start", "growth", "volume_band"):  # the forecast's own, not grown
        data["capacity"].pop(key)
    data["capacity"] |= {"history": str(sample), "country": "US", "weeks": 26}
    path = tmp_path / "s.toml"
    path.write_text(tomli_w.dumps(data), encoding="utf-8")
    loaded = planner.Scenario.load(path)
    c = loaded.capacity
    want = forecast_weeks(read_history(sample), 26, country="US")
    assert c.demand == want and c.start == want.week_start[0]
    assert any("under a year" in note for note in c.demand.notes)
    plan = loaded.capacity_plan()
    assert len(plan.weeks) == 26 and plan.weeks["calls"].tolist() == list(want.calls)
    assert c.profile is not None and c.profile.interval == 1800.0
    again = planner.Scenario.loads(loaded.dumps(), base_dir=str(tmp_path))
    assert again == loaded and again.capacity.history_file == str(sample)
    grown = loaded.capacity_plan(growth=0.1)  # on top of the forecast
    assert grown.weeks["calls"].iloc[-1] == pytest.approx(want.calls[-1] * 1.1 ** (25 / 52))
    data["capacity"]["start"] = "2020-01-06"
    path.write_text(tomli_w.dumps(data), encoding="utf-8")
    with pytest.raises(planner.ScenarioError, match="the week after the history"):
        planner.Scenario.load(path)


def test_efficiency_measured_on_the_scenarios_shifts(bank):
    """efficiency = "schedule": the people required on duty over the shifts' paid hours
    of Scenario.schedule(), and the schedule's shrinkage (its breaks are in the shifts)."""
    import dataclasses

    shifts = bank.schedule()
    want = shifts.coverage["required"].sum() * bank.interval / 3600 / shifts.scheduled_hours
    measured = bank.schedule_efficiency()
    assert measured == pytest.approx(want, rel=1e-12) and 0.5 < measured < 1
    section = dataclasses.replace(bank.capacity, efficiency="schedule")
    plan = dataclasses.replace(bank, capacity=section).capacity_plan()
    given = dataclasses.replace(bank.capacity, efficiency=measured,
                                shrinkage=bank.schedule_shrinkage())  # fmt: skip
    same = dataclasses.replace(bank, capacity=given).capacity_plan()
    pd.testing.assert_frame_equal(plan.weeks, same.weeks)
    text = dataclasses.replace(bank, capacity=section).dumps()
    assert 'efficiency = "schedule"' in text
    with pytest.raises(InputError, match="or 'schedule'"):
        dataclasses.replace(bank.capacity, efficiency="measured")


def test_the_other_channels_teams_are_planned_with_the_calls(bank):
    """A scenario with a chat team: each week adds, per weekday, the chat team's
    requirement for the day at the weekday's weight times the week's growth, and the
    required FTE is every team's hours made FTE."""
    chat = planner.ChatChannel.from_calls([c * 0.3 for c in bank.calls], 300.0, concurrency=2,
                                          patience=60.0)  # fmt: skip
    both = bank.with_changes(chat=chat)
    plan = both.capacity_plan()
    c = bank.capacity
    day = bank.as_day()
    first = sum(
        float(chat.scaled(round(w / 0.005) * 0.005).requirements(day)["agents"].sum()) * 0.5
        for w in c.weekday_weights if w > 0
    )  # fmt: skip
    weeks = plan.weeks
    assert weeks["other_agent_hours"].iloc[0] == pytest.approx(first)
    alone = bank.capacity_plan().weeks
    calls_hours = alone["required_fte"] * c.hours_per_fte * c.efficiency * (1 - bank.shrinkage)
    want = (calls_hours + weeks["other_agent_hours"]) / c.efficiency / (1 - bank.shrinkage) / (
        c.hours_per_fte)  # fmt: skip
    np.testing.assert_allclose(weeks["required_fte"], want, rtol=1e-12)
    assert weeks["other_agent_hours"].iloc[-1] > weeks["other_agent_hours"].iloc[0]  # growth
    assert plan.classes["size"].sum() > bank.capacity_plan().classes["size"].sum()
