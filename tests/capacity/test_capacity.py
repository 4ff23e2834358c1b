"""The long-range capacity plan: cases with a known answer."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest

import planner
from planner.capacity import (
    CapacitySettings,
    HiringClass,
    TenureBand,
    WeeklyDemand,
    WeekProfile,
    Workforce,
    capacity_plan,
    period_requirements,
    week_requirement,
)
from planner.capacity.hiring import solve_hiring
from planner.capacity.supply import base_supply, class_options
from planner.errors import InputError

WEEK0 = date(2027, 1, 4)
HOURS = np.arange(48) / 2
DAY = np.where((HOURS >= 8) & (HOURS < 20), np.exp(-(((HOURS - 12) / 4) ** 2)), 0.0)
PROFILE = WeekProfile.from_day(DAY, 1800.0, weekday_shares=[1.2, 1.1, 1, 1, 1, 0.5, 0.2])


def _demand(calls, aht=300.0, **kw) -> WeeklyDemand:
    starts = tuple(WEEK0 + timedelta(weeks=i) for i in range(len(calls)))
    return WeeklyDemand(starts, tuple(float(c) for c in calls), (aht,), **kw)


def test_a_weeks_requirement_is_the_sum_of_the_interval_requirements_it_was_built_from():
    calls = [8000.0, 12000.0, 30000.0]
    band = {"calls_low": tuple(0.9 * c for c in calls), "calls_high": tuple(1.2 * c for c in calls)}
    targets = planner.Targets(service_level=0.85, answer_time=30)
    model = planner.ErlangA(patience=150.0)
    settings = CapacitySettings(targets, model, efficiency=0.9, shrinkage=(0.3, 0.25, 0.35))
    table = period_requirements(_demand(calls, 280.0, **band), PROFILE, settings)
    for i, c in enumerate(calls):
        week = week_requirement(c, 280.0, PROFILE, settings)
        assert len(week) == 7 * 48 and week["calls"].sum() == pytest.approx(c)
        want = planner.required_agents(week["calls"].to_numpy(), 280.0, 1800.0, targets,
                                       model=model)  # fmt: skip
        np.testing.assert_array_equal(week["agents"].to_numpy(), want)
        hours = planner.hours(want, 1800.0)
        assert table.loc[i, "agent_hours"] == pytest.approx(hours, rel=1e-12)
        shrink = settings.shrinkage[i]  # type: ignore[index]
        assert table.loc[i, "required_fte"] == pytest.approx(hours / 0.9 / (1 - shrink) / 40)
    assert (table["required_fte_low"] < table["required_fte"]).all()
    assert (table["required_fte"] < table["required_fte_high"]).all()
    # pooling: ten times the calls need fewer than ten times the people
    small = period_requirements(_demand([1000.0]), PROFILE, CapacitySettings())["required_fte"][0]
    large = period_requirements(_demand([10000.0]), PROFILE, CapacitySettings())["required_fte"][0]
    assert large < 10 * small * 0.8


def _steady(headcount: int, **kind) -> Workforce:
    """No attrition, one hiring class kind."""
    cls = HiringClass("class", recruit_weeks=3, train_weeks=5, min_size=1, max_size=100, **kind)
    return Workforce((TenureBand("all", None, 0.0, headcount),), (cls,), salary_per_week=1000.0,
                     short_cost=10_000.0)  # fmt: skip


def test_constant_demand_and_no_attrition_hires_exactly_the_gap_at_the_lead_time():
    demand = _demand([20000.0] * 30)
    hours = period_requirements(demand, PROFILE, CapacitySettings())["agent_hours"][0]
    settings = CapacitySettings(hours_per_fte=hours / 52)  # 52 FTE required: a gap of 12
    required = period_requirements(demand, PROFILE, settings)["required_fte"][0]
    assert required == pytest.approx(52.0, rel=1e-12)
    plan = capacity_plan(demand, PROFILE, settings, _steady(40), paths=0)
    gap = 12
    assert plan.classes[["size"]].to_dict("list") == {"size": [gap]}
    row = plan.classes.iloc[0]
    assert row["training_start"] == pd.Timestamp(WEEK0 + timedelta(weeks=3))
    assert row["recruit_from"] == pd.Timestamp(WEEK0)
    assert row["go_live"] == pd.Timestamp(WEEK0 + timedelta(weeks=8))
    weeks = plan.weeks
    np.testing.assert_allclose(weeks["productive_fte"][:8], 40.0)
    np.testing.assert_allclose(weeks["productive_fte"][8:], 40.0 + gap)
    np.testing.assert_allclose(weeks["short_fte"][:8], required - 40, rtol=1e-9)
    np.testing.assert_allclose(weeks["short_fte"][8:], 0.0, atol=1e-9)
    np.testing.assert_allclose(weeks["headcount"][3:], 40.0 + gap)
    assert weeks["trainees"][3:8].tolist() == [gap] * 5 and weeks["trainees"][8:].sum() == 0
    assert weeks["starting"][3] == gap and weeks["going_live"][8] == gap
    # where it is short, the service level falls below the target; after, it meets it
    assert (weeks["service_level"][:8] < 0.8).all() and (weeks["service_level"][8:] >= 0.8).all()
    assert plan.cost["salaries"] == pytest.approx(1000.0 * weeks["headcount"].sum())
    assert plan.cost["total"] == pytest.approx(plan.cost.drop("total").sum())


def test_a_ramp_delays_the_productive_fte_by_its_integral():
    ramp = (0.25, 0.5, 0.75)
    weeks = 30
    steady = class_options(_steady(0), weeks)
    ramped = class_options(_steady(0, ramp=ramp), weeks)
    np.testing.assert_array_equal(steady.heads, ramped.heads)
    lost = (steady.productive - ramped.productive).sum(axis=1)
    live = np.maximum(weeks - (ramped.start + 5), 0)
    # each hire loses (1 - ramp) of a week in each ramp week the horizon holds
    np.testing.assert_allclose(lost, [sum(1 - r for r in ramp[:n]) for n in np.minimum(live, 3)])
    j = 0  # the first class: live from week 8, at 0.25, 0.5, 0.75, then 1
    np.testing.assert_allclose(ramped.productive[j, 7:13], [0, 0.25, 0.5, 0.75, 1, 1])
    # with attrition, productivity times the people still there
    leaving = Workforce((TenureBand("new", 13, 0.5), TenureBand("old", None, 0.2)),
                        (HiringClass("c", 0, 2, ramp=ramp),))  # fmt: skip
    opts = class_options(leaving, 10)
    np.testing.assert_allclose(opts.productive[0, 2:5], opts.heads[0, 2:5] * np.array(ramp))


def test_attrition_alone_matches_the_closed_form():
    """Today's new band sits mid-band (tenure 6 of 13) and leaves at its rate for 7
    weeks, then at the tenured rate; the tenured leave at theirs all along. The
    Monte Carlo's mean headcount stays within its 99.9% confidence interval."""
    force = Workforce((TenureBand("new", 13, 0.6, 30), TenureBand("tenured", None, 0.2, 120)))
    t = np.arange(40)
    new = 30 * (1 - 0.6) ** (np.minimum(t, 7) / 52) * (1 - 0.2) ** (np.maximum(t - 7, 0) / 52)
    old = 120 * (1 - 0.2) ** (t / 52)
    np.testing.assert_allclose(base_supply(force, 40), new + old, rtol=1e-12)
    plan = capacity_plan(_demand([100.0] * 40), PROFILE, CapacitySettings(), force, paths=4000,
                         seed=3)  # fmt: skip
    np.testing.assert_allclose(plan.weeks["headcount"], new + old, rtol=1e-12)
    from planner.capacity.risk import SCORES, draw_paths

    drawn = draw_paths(force, class_options(force, 40), np.zeros(0),
                       np.zeros((len(SCORES), 40)), paths=4000,
                       rng=np.random.default_rng(3), rho=0.9)  # fmt: skip
    mean = drawn.heads.mean(axis=0)
    half = 3.29 * drawn.heads.std(axis=0, ddof=1) / np.sqrt(4000)
    assert (np.abs(mean - (new + old)) <= half + 1e-12).all()


def _brute(target, base, options, force) -> float:
    """The least cost over every class size each option allows (0, or min to max)."""
    kinds = [force.classes[c] for c in options.kind]
    choices = [[0, *range(k.min_size, k.max_size + 1)] for k in kinds]
    best = np.inf
    for sizes in itertools.product(*choices):
        x = np.array(sizes, dtype=float)
        if force.training_seats is not None and (x @ options.training > force.training_seats).any():
            continue
        prod = base + x @ options.productive
        need = np.maximum(target - prod, 0.0)
        if force.overtime_cost < force.price_of_short:
            over = np.minimum(need, force.overtime_cap * prod)
        else:
            over = np.zeros_like(need)
        cost = (x @ (force.salary_per_week * options.heads.sum(axis=1))
                + sum(k.cost_per_hire * s + (k.cost_per_class if s else 0)
                      for k, s in zip(kinds, sizes, strict=True))
                + force.overtime_cost * over.sum()
                + force.price_of_short * (need - over).sum())  # fmt: skip
        best = min(best, cost)
    return best


@pytest.mark.parametrize("seats", [None, 4])
def test_the_hiring_programme_equals_brute_force_on_a_small_case(seats):
    force = Workforce(
        (TenureBand("new", 4, 0.7, 2), TenureBand("old", None, 0.3, 10)),
        (HiringClass("long", 1, 2, 2, 4, cost_per_hire=300.0, cost_per_class=900.0,
                     ramp=(0.5,), every_weeks=2),
         HiringClass("short", 0, 1, 1, 3, cost_per_hire=800.0, cost_per_class=200.0)),
        salary_per_week=500.0, training_seats=seats, overtime_cap=0.1, overtime_cost=700.0,
        short_cost=1500.0,
    )  # fmt: skip
    weeks = 6
    target = np.array([11.0, 12.5, 14.0, 16.0, 15.0, 17.5])
    base = base_supply(force, weeks)
    options = class_options(force, weeks)
    assert len(options) == 2 + 5
    got = solve_hiring(target, base, options, force)
    assert got.objective == pytest.approx(_brute(target, base, options, force), rel=1e-7)


def test_planning_to_a_quantile_lowers_the_risk_of_being_short():
    w = np.arange(52)
    calls = 15000 * (1 + 0.01 * w)
    demand = _demand(calls, calls_low=tuple(calls * 0.85), calls_high=tuple(calls * 1.15))
    force = Workforce(
        (TenureBand("new", 13, 0.6, 5), TenureBand("tenured", None, 0.3, 55)),
        (HiringClass("class", 2, 4, 5, 25, 2000.0, 5000.0, (0.6, 0.8), every_weeks=4),),
        salary_per_week=900.0, overtime_cap=0.05, overtime_cost=1500.0,
    )  # fmt: skip
    settings = CapacitySettings(planner.Targets(), planner.ErlangA(patience=180.0), 0.9, 0.3)
    mean = capacity_plan(demand, PROFILE, settings, force, paths=500, seed=7)
    safe = capacity_plan(demand, PROFILE, settings, force, paths=500, seed=7, quantile=0.9)
    again = capacity_plan(demand, PROFILE, settings, force, paths=500, seed=7, quantile=0.9)
    pd.testing.assert_frame_equal(safe.weeks, again.weeks)  # one seed, one answer
    late = slice(12, None)  # after the first classes can go live
    assert safe.weeks["p_short"][late].mean() < mean.weeks["p_short"][late].mean()
    assert safe.classes["size"].sum() > mean.classes["size"].sum()
    assert (safe.weeks["target_fte"] >= safe.weeks["required_fte"] - 1e-9).all()
    # planned to the expected requirement, about half the late weeks' paths are short
    assert 0.2 < mean.weeks["p_short"][late].mean() < 0.8


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: TenureBand("x", 13, 1.0), "annual_attrition"),
        (lambda: Workforce((TenureBand("a", None, 0.1), TenureBand("b", None, 0.1))),
         "open-ended"),
        (lambda: Workforce((TenureBand("a", 20, 0.1), TenureBand("b", 10, 0.1),
                            TenureBand("c", None, 0.1))), "in order"),
        (lambda: HiringClass("c", 2, 2, min_size=5, max_size=3), "max_size"),
        (lambda: HiringClass("c", 2, 2, ramp=(0.5, 1.5)), "ramp"),
        (lambda: WeeklyDemand((WEEK0, WEEK0 + timedelta(days=8)), (1.0, 2.0), (300.0,)), "7 days"),
        (lambda: _demand([100.0, -5.0]), "calls"),
        (lambda: _demand([100.0], calls_low=(120.0,), calls_high=(130.0,)), "must hold"),
        (lambda: CapacitySettings(efficiency=0.0), "efficiency"),
        (lambda: capacity_plan(_demand([1.0]), PROFILE, CapacitySettings(shrinkage=(0.1, 0.2)),
                               _steady(1), paths=0), "one per week"),
        (lambda: capacity_plan(_demand([1.0]), PROFILE, CapacitySettings(), _steady(1),
                               quantile=0.3), "quantile"),
        (lambda: Workforce((TenureBand("a", None, 0.1),), transfers=("x",)), "transfers"),
    ],
)  # fmt: skip
def test_bad_input_gets_a_clear_error(build, message):
    with pytest.raises(InputError, match=message):
        build()


def test_the_capacity_page_example_runs_and_its_figures_are_what_it_says():
    """docs/capacity.md: its example runs, and the figures its text quotes are the
    example's (hires and classes of the 90% plan, weeks at risk)."""
    import re
    from pathlib import Path

    page = (Path(__file__).parents[2] / "docs" / "capacity.md").read_text(encoding="utf-8")
    code = re.findall(r"```python\n(.*?)```", page, re.S)[0]
    scope: dict = {}
    exec(compile(code, "docs/capacity.md", "exec"), scope)
    plan = scope["plan"]
    hires, classes = int(plan.classes["size"].sum()), len(plan.classes)
    risky = int((plan.weeks["p_short"] > 0.2).sum())
    assert f"the 90% plan hires {hires} in {classes}\nclasses and leaves {risky}" in page
    assert plan.gap <= 1e-3 and "Optimal" in plan.status


def test_the_last_weeks_of_the_horizon_are_staffed_like_the_others():
    """Attrition wears today's staff down; the classes keep up to the last week (the
    plan looks past its horizon)."""
    force = Workforce(
        (TenureBand("new", 13, 0.6, 10), TenureBand("tenured", None, 0.4, 60)),
        (HiringClass("class", 2, 4, 3, 15, 2000.0, 3000.0, (0.6, 0.8), every_weeks=2),),
        salary_per_week=900.0,
    )  # fmt: skip
    demand = _demand([15000.0] * 40)
    plan = capacity_plan(demand, PROFILE, CapacitySettings(shrinkage=0.3), force, paths=0)
    weeks = plan.weeks
    short = weeks["short_fte"].to_numpy()
    assert weeks["productive_fte"].iloc[-1] < weeks["productive_fte"].iloc[0]
    # short a little now and then (a class is at least 3 people), but the end is like
    # the middle: planned to the horizon alone, the last weeks ran 1.7 to 5 FTE short
    assert short.max() < 3.0, short.round(2)
    assert short[-8:].mean() <= short[10:32].mean() + 0.25, short.round(2)
    # classes that start training in the horizon are shown (one may go live after it)
    assert (plan.classes["training_start"] <= pd.Timestamp(WEEK0 + timedelta(weeks=39))).all()


def test_a_monthly_table_becomes_the_whole_weeks_inside_its_months():
    """Each month's calls spread evenly over its days: a week inside April holds 7/30 of
    it; a week across April and May adds their days, its AHT weighted by their calls."""
    table = pd.DataFrame({"month": ["2027-04", "2027-05", "2027-06"],
                          "calls": [300_000.0, 341_000.0, 360_000.0], "aht": [300.0, 310.0, 320.0],
                          "calls_low": [270_000.0, 310_000.0, 324_000.0],
                          "calls_high": [330_000.0, 372_000.0, 396_000.0]})  # fmt: skip
    d = WeeklyDemand.from_months(table)
    assert d.week_start[0] == date(2027, 4, 5) and d.week_start[-1] == date(2027, 6, 21)
    assert d.weeks == 12 and d.calls[0] == pytest.approx(70_000.0)
    across = d.week_start.index(date(2027, 4, 26))  # Apr 26-30 and May 1-2
    assert d.calls[across] == pytest.approx(5 * 10_000 + 2 * 11_000)
    assert d.aht[across] == pytest.approx((50_000 * 300 + 22_000 * 310) / 72_000)
    assert d.calls_low[0] == pytest.approx(63_000.0) and d.calls_high[0] == pytest.approx(77_000.0)
    with pytest.raises(InputError, match="follow one another"):
        WeeklyDemand.from_months(table.iloc[[0, 2]])
    with pytest.raises(InputError, match="month, calls, aht"):
        WeeklyDemand.from_months(table.drop(columns="aht"))
