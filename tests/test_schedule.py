"""Shifts from a requirement (HiGHS MILP): known optima, bounds, breaks, soft coverage."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planner import InputError, Scenario, day_summary, money
from planner.schedule import Break, ShiftTemplate, schedule

CYCLIC = [6, 6, 6, 6, 6, 8, 9, 12, 18, 22, 25, 21, 21, 20, 18, 21, 21, 24, 24, 18, 18, 18, 12, 8]
HOUR = 3600.0


def test_known_optimum_of_the_cyclic_day():
    # 8-hour shifts starting on any hour of a 24/7 day: 55 people (a published
    # shift-scheduling example); the LP relaxation reaches 55 too, so the gap is 0.
    s = schedule(CYCLIC, [ShiftTemplate("8h", 8 * HOUR)], interval=HOUR, wrap=True)
    assert s.shifts["count"].sum() == 55
    assert s.coverage["short"].max() == 0
    assert s.objective == pytest.approx(55 * 8) and s.scheduled_hours == 55 * 8
    assert s.lp_bound == pytest.approx(55 * 8, rel=1e-6) and s.gap == pytest.approx(0, abs=1e-9)
    # without wrapping, no shift may run past midnight
    flat = schedule(CYCLIC, [ShiftTemplate("8h", 8 * HOUR)], interval=HOUR)
    assert flat.coverage["short"].max() == 0 and flat.shifts["count"].sum() >= 55
    assert (flat.shifts["start"] <= "16:00").all()


@settings(max_examples=25, derandomize=True, deadline=None)
@given(
    need=st.lists(st.integers(0, 30), min_size=8, max_size=24),
    length=st.sampled_from([4, 6, 8]),
    wrap=st.booleans(),
)
def test_hard_coverage_is_never_short_and_the_bound_is_honest(need, length, wrap):
    templates = [ShiftTemplate("long", length * HOUR, cost_per_hour=1.0),
                 ShiftTemplate("short", 4 * HOUR, cost_per_hour=1.2)]  # fmt: skip
    try:
        s = schedule(need, templates, interval=HOUR, wrap=wrap)
    except InputError as err:  # a day shorter than the shortest shift
        assert "no shift" in str(err)
        return
    assert s.coverage["short"].max() == 0
    # the LP relaxation bounds HiGHS's bound, which bounds the answer, and the gap is theirs
    assert s.lp_bound <= s.bound + 1e-6 <= s.objective + 2e-6
    if s.objective > 0:
        assert s.gap == pytest.approx((s.objective - s.bound) / s.objective, abs=1e-9)
    assert s.gap <= 1e-4  # solved to HiGHS's tolerance
    # the schedule's own figures add up
    assert s.cost == pytest.approx(s.shifts["cost"].sum())
    assert s.scheduled_hours == pytest.approx(s.shifts["paid_hours"].sum())


def test_breaks_leave_their_interval_and_unpaid_ones_are_not_paid():
    lunch = Break(length=1800, earliest=3 * HOUR, latest=5 * HOUR, paid=False)
    t = ShiftTemplate("day", 8 * HOUR, starts=("08:00",), breaks=(lunch,), cost_per_hour=20)
    need = [0] * 16 + [3] * 16 + [0] * 16  # 30-minute intervals, 08:00-16:00
    s = schedule(need, [t], interval=1800)
    row = s.shifts.iloc[0]
    assert row["start"] == "08:00" and row["end"] == "16:00"
    assert row["breaks"].endswith("unpaid")
    # one lunch at a time leaves 3 people short in its interval, so a fourth is needed,
    # and the solver staggers the lunches
    assert s.shifts["count"].sum() == 4
    lunches = s.shifts.loc[s.shifts.index.repeat(s.shifts["count"]), "breaks"]
    assert lunches.value_counts().max() <= 1  # never two at lunch at once
    assert s.coverage["short"].max() == 0
    assert s.scheduled_hours == pytest.approx(s.shifts["count"].sum() * 7.5)
    assert s.cost == pytest.approx(s.scheduled_hours * 20)


def test_soft_coverage_on_a_budget_keeps_more_service_than_cutting_evenly():
    # The bank's day on 15% fewer paid hours than hard coverage needs, two ways:
    # cut every interval's requirement by 15% and cover that (hard), or give soft
    # coverage the same paid hours and let it leave short the intervals where an
    # agent answers fewest calls in time.
    bank = Scenario.load("scenarios/retail_bank.toml")
    table = bank.requirements()
    need = table["agents"].to_numpy()
    day = {"earliest": bank.start, "every": 1800}
    t = [ShiftTemplate("8h", 8 * HOUR, latest="12:00", **day),
         ShiftTemplate("4h", 4 * HOUR, latest="16:00", **day)]  # fmt: skip
    kw = {"interval": bank.interval, "start": bank.start}
    hard = schedule(need, t, **kw)
    even = schedule(np.floor(need * 0.85), t, **kw)
    assert even.scheduled_hours < hard.scheduled_hours
    soft = schedule(need, t, coverage="soft", paid_hours=even.scheduled_hours, workload=table,
                    targets=bank.targets, model=bank.model, **kw)  # fmt: skip
    assert soft.scheduled_hours <= even.scheduled_hours + 1e-9
    assert soft.coverage["short"].sum() > 0
    how = {"targets": bank.targets, "model": bank.model}
    day_soft = day_summary(soft.service(table, **how), bank.interval)
    day_even = day_summary(even.service(table, **how), bank.interval)
    assert day_soft["service_level"] > day_even["service_level"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"templates": [ShiftTemplate("early", 4 * HOUR, starts=("00:00",))]},
            "no shift covers interval 04:00",
        ),
        ({"paid_hours": 10.0}, "no schedule covers every interval within 10 paid hours"),
        ({"templates": [ShiftTemplate("8h", 8 * HOUR, max_count=3)]}, "max_count of 8h"),
        ({"coverage": "maybe"}, "'coverage' must be 'hard' or 'soft'"),
        (
            {"templates": [ShiftTemplate("quarter", 900)]},
            r"shift 'quarter' \(15 min\) is shorter than an interval \(60 min\)",
        ),
        # soft without a budget or a value per call: leaving everything short is free
        ({"coverage": "soft"}, r"soft coverage needs a budget \(paid_hours, --paid-hours\)"),
        ({"coverage": "soft", "value_per_call": -1}, "'value_per_call' must be > 0"),
        ({"required": [-1, 2]}, "'required' must be a whole number >= 0"),
    ],
)
def test_infeasible_rules_and_bad_input_get_a_message(kwargs, message):
    args = {"required": CYCLIC[:12], "templates": [ShiftTemplate("8h", 8 * HOUR)],
            "interval": HOUR} | kwargs  # fmt: skip
    with pytest.raises(InputError, match=message):
        schedule(**args)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: ShiftTemplate("x", -1), "'length' must be > 0"),
        (lambda: ShiftTemplate("x", 30 * HOUR), "at most 24 h"),
        (lambda: ShiftTemplate("x", 4 * HOUR, starts=("25:00",)).start_times(), "clock time"),
        (
            lambda: ShiftTemplate("x", 4 * HOUR, breaks=(Break(1800, 3 * HOUR, 4 * HOUR),)),
            "does not fit",
        ),
        (lambda: ShiftTemplate("x", 4 * HOUR, min_count=3, max_count=2), "'max_count'"),
        (lambda: Break(900, 7200, 3600), "window ends before it begins"),
    ],
)
def test_templates_are_checked(make, message):
    with pytest.raises(InputError, match=message):
        make()


def test_days_off_patterns_and_a_week_of_24_7_cover():
    # One agent around the clock all week, 8-hour shifts on any hour, 5 days on and
    # 2 days off together: 21 shift-days need at least 4.2 people; with each person
    # on the same start every day they work, HiGHS proves 6 is the fewest.
    t = ShiftTemplate("8h", 8 * HOUR)
    assert len(t.patterns()) == 7  # the two days off together, around Sunday too
    assert len(ShiftTemplate("x", HOUR, consecutive_off=False).patterns()) == 21
    weekdays = ShiftTemplate("x", HOUR, work_days=(0, 1, 2, 3, 4, 5))
    assert weekdays.patterns() == [(0, 1, 2, 3, 4), (1, 2, 3, 4, 5)]  # Sundays off
    s = schedule(np.ones(7 * 24), [t], interval=HOUR, horizon="week", wrap=True)
    assert s.coverage["short"].max() == 0
    assert s.lp_bound == pytest.approx(4.2 * 40)
    assert s.shifts["count"].sum() == 6 and s.gap <= 1e-4
    assert s.scheduled_hours == 6 * 40
    assert s.coverage.index[0] == "Mon 00:00" and s.coverage.index[-1] == "Sun 23:00"
    assert all(len(d.split()) == 5 for d in s.shifts["days"])
    # the same week as 7 rows
    again = schedule(np.ones((7, 24)), [t], interval=HOUR, horizon="week", wrap=True)
    assert again.scheduled_hours == s.scheduled_hours


TEMPLATES = """
[[shift]]
name = "full time"
length = "8h"
every = "30min"
earliest = "08:00"
latest = "12:00"
cost_per_hour = 20

[[shift.break]]
length = "30min"
earliest = "3h"
latest = "5h"
paid = false

[[shift]]
name = "part time"
length = "4h"
every = "30min"
earliest = "08:00"
latest = "16:00"
cost_per_hour = 22
max_count = 10
work_days = ["Mon", "Tue", "Wed", "Thu", "Fri"]
"""


def test_the_command_line_schedules_a_scenario_as_the_library_does(tmp_path, capsys):
    import pandas as pd

    from planner.cli import main
    from planner.scenario.file import read_templates

    path = tmp_path / "shifts.toml"
    path.write_text(TEMPLATES)
    templates = read_templates(str(path))
    assert [t.name for t in templates] == ["full time", "part time"]
    assert templates[0].breaks[0] == Break(1800, 3 * HOUR, 5 * HOUR, paid=False)
    assert templates[1].work_days == (0, 1, 2, 3, 4) and templates[1].max_count == 10
    argv = ["schedule", "--scenario", "scenarios/retail_bank.toml", "--templates", str(path),
            "--format", "csv"]  # fmt: skip
    assert main(argv) == 0
    out, err = capsys.readouterr()
    shifts = pd.read_csv(pd.io.common.StringIO(out))
    bank = Scenario.load("scenarios/retail_bank.toml")
    # the file's templates with the scenario's other [schedule] rules
    rules = bank.scheduling
    want = schedule(bank.requirements()["agents"], templates, interval=1800, start=bank.start,
                    shrinkage=rules.shrinkage, max_part_time=rules.max_part_time)  # fmt: skip
    assert shifts["count"].tolist() == want.shifts["count"].tolist()
    assert f"{want.people} people, {want.scheduled_hours:,.1f} paid hours" in err
    assert main([*argv, "--intervals"]) == 0
    coverage = pd.read_csv(pd.io.common.StringIO(capsys.readouterr()[0]))
    assert (coverage["short"] == 0).all()
    service = want.service(bank.workload(), bank.targets, bank.model)
    np.testing.assert_allclose(coverage["service_level"], service["service_level"], rtol=1e-12)
    # the scenario's own templates, without --templates
    argv = ["schedule", "--scenario", "scenarios/retail_bank.toml", "--format", "csv"]
    assert main(argv) == 0
    out, err = capsys.readouterr()
    own = bank.schedule()
    assert pd.read_csv(pd.io.common.StringIO(out))["count"].tolist() == own.shifts["count"].tolist()
    assert f"{own.people} people, {own.scheduled_hours:,.1f} paid hours" in err
    assert f"cost {money(own.cost, 'USD')};" in err  # the scenario's currency
    # each person's days of a 2-week rotation, with the rules from the command line
    argv = [*argv, "--horizon", "week", "--rotation-weeks", "2", "--time-limit", "20",
            "--mip-gap", "0.001", "--roster"]  # fmt: skip
    assert main(argv) == 0
    roster = pd.read_csv(pd.io.common.StringIO(capsys.readouterr()[0]), keep_default_na=False)
    week = bank.schedule(horizon="week", rotation_weeks=2, time_limit=20, mip_gap=0.001)
    assert roster.astype(str).equals(week.roster.astype(str))
    assert roster["person"].nunique() == week.people and set(roster["week"]) == {1, 2}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[[shift]]\nname = 'x'\n", "shift 1: missing key 'length'"),
        ("[[shift]]\nlength = '8 hours'\n", "'length' must be a duration like 8h"),
        ("[[shift]]\nlength = '8h'\ncolour = 'red'\n", "unknown key 'colour'"),
        ("[[shift]]\nlength = '8h'\nwork_days = ['Funday']\n", "'work_days' takes Mon"),
        ("[[shift]]\nlength = '30h'\n", r"shift 1 \(shift 1\): 'length' is at most 24 h"),
        ("title = 'x'\n", "unknown key 'title'"),
        ("[[shift]\n", "not valid TOML"),
    ],
)
def test_bad_templates_files_name_the_shift_and_key(tmp_path, text, message):
    from planner.scenario.file import read_templates

    path = tmp_path / "t.toml"
    path.write_text(text)
    with pytest.raises(InputError, match=message):
        read_templates(str(path))


def test_a_schedule_simulated_on_demand_matches_its_coverage():
    bank = Scenario.load("scenarios/retail_bank.toml")
    table = bank.requirements()
    t = [ShiftTemplate("8h", 8 * HOUR, every=1800, earliest=bank.start, latest="12:00")]
    s = schedule(table["agents"], t, interval=bank.interval, start=bank.start)
    res = s.simulate(table, patience=bank.patience, replications=5, seed=1)
    assert res.agents.tolist() == np.floor(s.coverage["scheduled"]).astype(int).tolist()
    assert list(res.labels) == list(s.coverage.index)
    # hard coverage of the Erlang requirement: about the targets in simulation too
    assert res.day("service_level").mean > 0.7


DAY16 = [2] * 4 + [6] * 8 + [3] * 4  # hourly, 06:00-22:00
FULL = ShiftTemplate("ft", 8 * HOUR, cost_per_hour=20)
PART = ShiftTemplate("pt", 4 * HOUR, cost_per_hour=15, part_time=True)


def test_a_part_time_share_caps_part_time_people():
    free = schedule(DAY16, [FULL, PART], interval=HOUR, start="06:00")
    capped = schedule(DAY16, [FULL, PART], interval=HOUR, start="06:00", max_part_time=0.25)
    part = capped.shifts.loc[capped.shifts["shift"] == "pt", "count"].sum()
    assert part <= 0.25 * capped.people + 1e-9
    assert free.shifts.loc[free.shifts["shift"] == "pt", "count"].sum() > 0.25 * free.people
    assert capped.cost >= free.cost and capped.coverage["short"].max() == 0
    assert schedule(DAY16, [FULL, PART], interval=HOUR, start="06:00",
                    max_part_time=0).shifts["shift"].eq("ft").all()  # fmt: skip


def test_shrinkage_turns_agents_into_people_on_duty_and_back():
    s = schedule(DAY16, [FULL, PART], interval=HOUR, start="06:00", shrinkage=0.3)
    np.testing.assert_array_equal(s.coverage["required"], np.ceil(np.array(DAY16) / 0.7))
    agents = np.floor(s.coverage["scheduled"] * 0.7 + 1e-9)
    np.testing.assert_array_equal(s.coverage["agents"], agents)
    assert (s.coverage["agents"] >= np.array(DAY16)).all()  # hard: the agents are there
    # paid hours are never below the perfectly flexible scheduled hours
    flexible = day_summary(Scenario(name="d", interval=HOUR, calls=[1] * 16, aht=60,
                                    shrinkage=0.3, plan=DAY16).evaluate(), HOUR)  # fmt: skip
    assert s.scheduled_hours >= flexible["scheduled_hours"] - 1e-9


def test_opening_hours_keep_people_home_while_closed():
    week = np.tile(DAY16, (7, 1))
    week[6] = 0  # Sunday closed
    week[5, :3] = 0  # Saturday opens at 09:00
    hours = {"Sun": None, "Sat": ("09:00", "22:00")}
    s = schedule(week, [FULL, PART], interval=HOUR, start="06:00", horizon="week",
                 open_hours=hours)  # fmt: skip
    on = s.coverage["scheduled"].to_numpy().reshape(7, 16)
    assert on[6].sum() == 0 and on[5, :3].sum() == 0
    assert s.coverage["short"].max() == 0
    assert not s.shifts["days"].str.contains("Sun").any()
    # a requirement while closed is named
    with pytest.raises(InputError, match="interval Sat 06:00 needs 2 agents but is outside"):
        schedule(np.tile(DAY16, (7, 1)), [FULL, PART], interval=HOUR, start="06:00",
                 horizon="week", open_hours=hours)  # fmt: skip
    # the same week starting on a Wednesday: the same plan, its labels rotated
    turned = schedule(np.roll(week, -2, axis=0), [FULL, PART], interval=HOUR, start="06:00",
                      horizon="week", open_hours=hours, first_weekday="Wed")  # fmt: skip
    assert turned.coverage.index[0] == "Wed 06:00"
    assert turned.cost == pytest.approx(s.cost) and turned.people == s.people
    for bad, message in [({"Funday": None}, "takes Mon"), ({"Sat": ("18:00", "09:00")}, "closes")]:
        with pytest.raises(InputError, match=message):
            schedule(week, [FULL], interval=HOUR, start="06:00", horizon="week", open_hours=bad)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"templates": [PART], "max_part_time": 0.5}, "max_part_time 50%"),
        (
            {
                "templates": [FULL, ShiftTemplate("pt", 4 * HOUR, part_time=True, min_count=10)],
                "max_part_time": 0.2,
                "paid_hours": 200,
            },
            "min_count of pt",
        ),
        ({"max_part_time": 1.5}, r"'max_part_time' must be in \[0, 1\]"),
        ({"shrinkage": 1.0}, r"'shrinkage' must be in \[0, 1\)"),
    ],
)
def test_rules_that_conflict_are_named(kwargs, message):
    args = {"required": DAY16, "templates": [FULL, PART], "interval": HOUR, "start": "06:00"}
    with pytest.raises(InputError, match=message):
        schedule(**(args | kwargs))


SECTION = """
[schedule]
shrinkage = 0.2
max_part_time = 0.3
open_hours = { Sun = false }

[[schedule.shift]]
name = "full time"
length = "8.5h"
earliest = "08:00"
latest = "11:30"
every = "30min"
cost_per_hour = 20

[[schedule.shift.break]]
length = "30min"
earliest = "3h"
latest = "5h"
paid = false

[[schedule.shift]]
name = "part time"
length = "4h"
earliest = "08:00"
latest = "16:00"
every = "30min"
cost_per_hour = 18
part_time = true
"""


def _bank_with(section: str) -> Scenario:
    import tomli_w

    from planner.scenario.file import to_dict

    base = to_dict(Scenario.load("scenarios/retail_bank.toml"))
    base.pop("schedule")
    return Scenario.loads(tomli_w.dumps(base) + section, source="bank.toml")


def test_a_scenario_schedules_by_its_schedule_section_and_saves_it():
    from planner.schedule import ScheduleSettings

    s = _bank_with(SECTION)
    assert isinstance(s.scheduling, ScheduleSettings) and len(s.scheduling.templates) == 2
    assert Scenario.loads(s.dumps()) == s  # round trip
    got = s.schedule()
    want = schedule(s.requirements()["agents"], s.scheduling.templates, interval=s.interval,
                    start=s.start, shrinkage=0.2, max_part_time=0.3)  # fmt: skip
    assert got.shifts.equals(want.shifts) and got.cost == want.cost
    # what the schedule delivers is the library's figure for its agents
    service = got.service()
    expected = s.with_changes(plan=tuple(got.coverage["agents"])).evaluate()
    np.testing.assert_allclose(service["service_level"], expected["service_level"], rtol=1e-12)
    # what-ifs change the rules by name
    looser = s.schedule(max_part_time=0.6, schedule_shrinkage=0.1)
    assert looser.cost < got.cost
    # a week: the day on Mon-Sat (Sunday closed), Saturday at half the calls
    week = s.with_changes(horizon="week", week_factors={"Sat": 0.5})
    load = week.schedule_workload()
    assert len(load) == 7 * 24 and load["calls"].iloc[-24:].sum() == 0
    np.testing.assert_allclose(load["calls"].iloc[5 * 24 : 6 * 24], np.array(s.calls) * 0.5)
    plan = week.schedule()
    assert plan.coverage.index[0] == "Mon 08:00" and plan.coverage["short"].max() == 0
    assert plan.coverage["scheduled"].iloc[-24:].sum() == 0
    assert (plan.shifts["days"].str.split().str.len() == 5).all()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("max_part_time = 0.3", "max_part_time = 3"), r"bank.toml: schedule: 'max_part_time'"),
        (("max_part_time = 0.3", "colour = 'red'"), "unknown key 'schedule.colour'"),
        (("part_time = true", "part_time = 1"), "'part_time' must be true or false"),
        (("paid = false", "paid = 'no'"), "'paid' must be true or false"),
        (("Sun = false", "Sun = true"), "give \\[open, close\\]"),
        (('length = "4h"', 'length = "40h"'), "at most 24 h"),
    ],
)
def test_bad_schedule_sections_name_the_file_and_key(change, message):
    from planner.scenario import ScenarioError

    with pytest.raises(ScenarioError, match=message) as err:
        _bank_with(SECTION.replace(*change))
    assert str(err.value).count("bank.toml") == 1


def test_a_scenario_without_templates_says_how_to_add_them():
    from planner.cli import main

    plain = Scenario.load("scenarios/help_desk.toml")
    with pytest.raises(InputError, match=r"no shift templates: add a \[schedule\]"):
        plain.schedule()
    with pytest.raises(InputError, match="the scenario has no shift templates"):
        plain.with_changes(max_part_time=0.2)
    assert main(["schedule", "--scenario", "scenarios/help_desk.toml"]) == 2


def test_sweeps_vary_shift_rules_and_keep_going_past_infeasible_ones(tmp_path):
    from planner.sweeps import grid, summarize_sweep, sweep, vary

    bank = Scenario.load("scenarios/retail_bank.toml")
    variations = grid(max_part_time=[0.0, 0.4], start_every=[1800, 3600])
    table = sweep(bank, variations, evaluate="schedule", workers=1, out=tmp_path, progress=False)
    summary = summarize_sweep(table)
    for i, variation in enumerate(variations):
        row = summary.loc[i]
        try:
            want = vary(bank, variation).schedule()
        except InputError as err:  # 0% part time and hourly starts leave 19:30 open
            assert row["schedule_error"] == str(err) and np.isnan(row["people"])
            continue
        assert row["schedule_error"] == ""
        assert row["people"] == want.people and row["cost"] == pytest.approx(want.cost)
        assert row["scheduled_hours"] == pytest.approx(want.scheduled_hours)
        day = day_summary(want.service(), bank.interval)
        assert row["erlang_service_level"] == pytest.approx(day["service_level"], rel=1e-12)
    assert summary["schedule_error"].ne("").sum() == 1
    # hourly starts cost at least as much as half-hourly ones, under the same cap
    assert summary.loc[3, "cost"] >= summary.loc[2, "cost"]
    # a second run reads every variation back from its file
    again = sweep(bank, variations, evaluate="schedule", workers=1, out=tmp_path, progress=False)
    assert again.attrs["reused"] == 4 and summarize_sweep(again).equals(summary)
    # a budget axis makes coverage soft, within the budget
    budget = sweep(bank, grid(paid_hours=[450]), evaluate="schedule", workers=1, progress=False)
    row = summarize_sweep(budget).iloc[0]
    assert row["scheduled_hours"] <= 450 and row["short_intervals"] > 0
    with pytest.raises(InputError, match="'start_every' needs a scenario with shift templates"):
        vary(Scenario.load("scenarios/help_desk.toml"), {"start_every": 900})
