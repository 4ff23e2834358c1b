"""A scenario's whole plan as one Excel workbook: the figures of every page, sheet by sheet.

The app's "Download the whole plan" and ``planner workbook`` write it: the
day's summary, the staffing per interval (and every team's, with other
channels), and, when given, the schedule (shifts, roster, coverage with its
service) and a simulation (per interval and for the day). Every number is the
library's own, so the workbook reads back to what the pages show.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from planner.report import binding_targets, day_summary, to_excel
from planner.scenario.model import Scenario
from planner.schedule import Schedule
from planner.simulation import SimulationResult


def plan_sheets(
    scenario: Scenario,
    schedule: Schedule | None = None,
    simulation: SimulationResult | None = None,
) -> dict[str, pd.DataFrame]:
    """The workbook's tables by sheet name: ``summary`` (figure, value, unit),
    ``staffing`` (:meth:`Scenario.evaluate` with the target that drives each
    interval), ``teams`` (:meth:`Scenario.staff_requirements`, with other
    channels), ``shifts``, ``roster`` and ``coverage`` (:meth:`Schedule.intervals`)
    with a ``schedule``, ``simulation`` and ``simulated day`` with a
    ``simulation`` (:meth:`SimulationResult.to_frame` and ``summary``).

    ``schedule`` and ``simulation`` must be the scenario's own (the caller
    keeps them with the scenario they were made for).
    """
    table = with_drivers(scenario, scenario.evaluate())
    day = scenario.summary()
    money = scenario.currency or "cost units"
    rows: list[tuple[str, Any, str]] = [
        ("scenario", scenario.name, ""),
        ("interval", scenario.interval, "seconds"),
        ("first interval", scenario.start, "clock time"),
        ("calls offered", day["calls"], "calls"),
        ("peak agents on the phones", int(day["peak_agents"]), "agents"),
        ("agent hours", day["agent_hours"], "hours"),
        ("shrinkage", scenario.shrinkage, "fraction"),
        ("scheduled agent hours", day["scheduled_hours"], "hours"),
        ("day service level", day["service_level"], "fraction of offered calls"),
        ("day ASA", day["asa"], "seconds"),
    ]
    if scenario.day is not None:
        rows.insert(1, ("day", scenario.day, "date"))
    if "abandon_rate" in day:
        rows.append(("day abandon rate", day["abandon_rate"], "fraction of offered calls"))
    if scenario.cost_per_hour is not None:
        rows.append(("cost per paid hour", scenario.cost_per_hour, money))
        rows.append(("cost of the day", day["cost"], money))
    sheets: dict[str, pd.DataFrame] = {"summary": pd.DataFrame(), "staffing": table}
    if scenario.channels:
        sheets["teams"] = scenario.staff_requirements().reset_index()
    if schedule is not None:
        served = schedule.intervals()
        rows += [
            ("people scheduled", schedule.people, "people"),
            ("paid hours scheduled", schedule.scheduled_hours, "hours"),
            ("cost of the schedule", schedule.cost, money),
            ("schedule's gap from HiGHS's bound", schedule.gap, "fraction of its cost"),
            ("schedule's service level", _served(schedule), "fraction of offered calls"),
        ]
        sheets |= {"shifts": schedule.shifts, "roster": schedule.roster, "coverage": served}
    if simulation is not None:
        level = simulation.day("service_level")
        low, high = level.confidence_interval()
        rows += [
            ("simulated day service level", level.mean, "fraction of offered calls"),
            ("its confidence interval, low", low, f"{simulation.level:.0%} interval"),
            ("its confidence interval, high", high, f"{simulation.level:.0%} interval"),
            ("replications", simulation.replications, "days simulated"),
        ]
        sheets["simulation"] = simulation.to_frame()
        sheets["simulated day"] = simulation.summary()
    sheets["summary"] = pd.DataFrame(rows, columns=["figure", "value", "unit"])
    return sheets


def with_drivers(scenario: Scenario, table: pd.DataFrame) -> pd.DataFrame:
    """The scenario's :meth:`~Scenario.evaluate` ``table`` with ``driven_by``: the target
    that decides each interval's agents (:func:`planner.binding_targets`), as the
    Scenario page shows it and the workbook's staffing sheet holds it."""
    return table.assign(
        driven_by=binding_targets(
            table, table["agents"], scenario.targets, scenario.interval, model=scenario.model
        )
    )


def _served(schedule: Schedule) -> float:
    """The schedule's service level over its days, weighted by offered calls."""
    return float(day_summary(schedule.service(), schedule.interval)["service_level"])


def plan_workbook(
    scenario: Scenario,
    schedule: Schedule | None = None,
    simulation: SimulationResult | None = None,
) -> bytes:
    """:func:`plan_sheets` as a formatted Excel workbook (.xlsx bytes)."""
    return to_excel(plan_sheets(scenario, schedule, simulation))
