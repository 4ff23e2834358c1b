"""Benchmark: the long-range capacity plan.

An 18-month weekly plan (78 weeks) for a center of about 250 people with 3
tenure bands and 2 kinds of hiring class, 1,000 Monte Carlo paths: the time
of each step and of the whole plan, to the expected requirement and to its
90% quantile. Then the pooling effect: required FTE from the interval models
against the flat-occupancy spreadsheet method (``calls x AHT / occupancy``)
for a center of about 20 agents and one of about 1,000, same targets.
Run with ``make bench`` or ``python bench/bench_capacity.py``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import numpy as np

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
)
from planner.capacity.requirement import fte_at_scores
from planner.capacity.risk import SCORES

HOURS = np.arange(48) / 2
DAY = np.where((HOURS >= 8) & (HOURS < 20), np.exp(-(((HOURS - 12.5) / 4) ** 2)), 0.0)
PROFILE = WeekProfile.from_day(DAY, 1800.0, weekday_shares=[1.2, 1.1, 1.0, 1.0, 1.0, 0.5, 0.2])
SETTINGS = CapacitySettings(
    planner.Targets(max_abandon=0.05),
    planner.ErlangA(patience=180.0),
    efficiency=0.92,
    shrinkage=0.32,
)
WEEKS = 78


def demand(weekly_calls: float) -> WeeklyDemand:
    """78 weeks from 2027-01-04: 8% a year of growth, a yearly swing of 12%, a 90% band
    of +-6% at first, widening with the horizon."""
    w = np.arange(WEEKS)
    calls = weekly_calls * 1.08 ** (w / 52) * (1 + 0.12 * np.sin(2 * np.pi * (w - 6) / 52))
    half = 0.06 * np.sqrt(1 + w / 13)
    starts = tuple(date(2027, 1, 4) + timedelta(weeks=int(i)) for i in w)
    return WeeklyDemand(starts, tuple(calls), (310.0,), calls_low=tuple(calls * np.exp(-half)),
                        calls_high=tuple(calls * np.exp(half)))  # fmt: skip


def workforce() -> Workforce:
    return Workforce(
        (TenureBand("first 90 days", 13, 0.55, 20), TenureBand("first year", 52, 0.35, 60),
         TenureBand("tenured", None, 0.18, 170)),
        (HiringClass("standard", recruit_weeks=4, train_weeks=6, min_size=8, max_size=20,
                     cost_per_hire=2500.0, cost_per_class=8000.0,
                     ramp=(0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95), every_weeks=4),
         HiringClass("fast track", recruit_weeks=2, train_weeks=3, min_size=3, max_size=10,
                     cost_per_hire=4000.0, cost_per_class=5000.0, ramp=(0.4, 0.6, 0.8, 0.9),
                     every_weeks=2)),
        salary_per_week=850.0, training_seats=30, overtime_cap=0.05, overtime_cost=1300.0,
    )  # fmt: skip


def timed(label: str, func: Callable[[], Any]) -> Any:
    t0 = time.perf_counter()
    out = func()
    print(f"  {label:52}{time.perf_counter() - t0:8.2f} s")
    return out


def flat_fte(weekly_calls: float, aht: float, occupancy: float) -> float:
    """The spreadsheet: workload hours over occupancy, shrinkage and hours per FTE."""
    hours = weekly_calls * aht / 3600.0
    return hours / occupancy / SETTINGS.efficiency / (1 - 0.32) / SETTINGS.hours_per_fte


def main() -> None:
    d, force = demand(60_000.0), workforce()
    print(f"{WEEKS}-week plan, {force.headcount} people today in 3 tenure bands, "
          "2 class kinds, 1,000 paths")  # fmt: skip
    table = timed("required FTE per week (78 x 336 intervals, Erlang A)",
                  lambda: period_requirements(d, PROFILE, SETTINGS))  # fmt: skip
    timed("required FTE at 17 band scores (for the paths)",
          lambda: fte_at_scores(d, PROFILE, SETTINGS, SCORES))  # fmt: skip
    plan = timed(
        "capacity_plan, to the expected requirement",
        lambda: capacity_plan(d, PROFILE, SETTINGS, force, paths=1000, seed=1),
    )
    safe = timed("capacity_plan, to the 90% quantile (3 rounds)",
                 lambda: capacity_plan(d, PROFILE, SETTINGS, force, paths=1000, seed=1,
                                       quantile=0.9))  # fmt: skip
    for label, p in (("expected", plan), ("90% quantile", safe)):
        w = p.weeks
        print(f"  {label}: {len(p.classes)} classes, {int(p.classes['size'].sum())} hires; "
              f"short {w['short_fte'].sum():.1f} FTE-weeks; weeks with P(short) > 20%: "
              f"{int((w['p_short'] > 0.2).sum())}; cost {p.cost['total']:,.0f} "
              f"(gap {p.gap:.2%}, {p.status.split('(')[-1].rstrip(')')})")  # fmt: skip
    print(f"  required FTE {table['required_fte'].min():.1f} to {table['required_fte'].max():.1f}")
    print("pooling: required FTE from the interval models against the flat-occupancy "
          "spreadsheet (80/20, at most 5% abandoning, Erlang A at 180 s patience, 32% shrinkage, "
          "schedules 92% efficient)")  # fmt: skip
    print(f"  {'center':28}{'calls/week':>11}{'models':>9}{'at 85%':>9}{'diff':>8}"
          f"{'load/agents':>13}")  # fmt: skip
    for label, calls in (("about 20 agents", 2_400.0), ("about 1,000 agents", 150_000.0)):
        one = WeeklyDemand((date(2027, 1, 4),), (calls,), (310.0,))
        row = period_requirements(one, PROFILE, SETTINGS).iloc[0]
        flat = flat_fte(calls, 310.0, 0.85)
        occupancy = calls * 310.0 / 3600.0 / row["agent_hours"]
        print(f"  {label:28}{calls:11,.0f}{row['required_fte']:9.1f}{flat:9.1f}"
              f"{row['required_fte'] - flat:+8.1f}{occupancy:13.1%}")  # fmt: skip


if __name__ == "__main__":
    main()
