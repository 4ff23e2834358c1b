"""planner: capacity planning for contact centers.

Forecasts from interval history, queueing models behind one protocol (Erlang
C, A and X, chat, blending), one staffing search, deferred work by deadline,
simulation with replications, shifts, many queues and skills, the long-range
capacity plan, scenario files, sweeps and a command line.
Times are in seconds, volumes in contacts per interval, traffic in Erlangs.

The names below are imported on first use (PEP 562), so ``import planner``
costs no more than the modules a program touches.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# The public API, grouped by the module that holds each name: one table, from
# which __all__ is built and which tests/test_docs.py checks against the docs.
_API: dict[str, tuple[str, ...]] = {
    "planner.models": (
        "ErlangC", "ErlangA", "ErlangX", "Chat", "Blend", "IntervalModel", "Load", "erlang_model",
        "erlang_b", "erlang_c", "service_level", "asa", "occupancy", "traffic",
        "erlang_a", "ErlangAResult", "erlang_x", "ErlangXResult", "chat", "ChatResult",
        "blend", "BlendResult",
    ),
    "planner._validate": ("SLBasis",),
    "planner.targets": ("Targets",),
    "planner.staffing": (
        "required_agents", "interval_metrics", "scheduled_staff", "blended_staffing",
        "BlendedStaffing",
    ),
    "planner.report": (
        "requirements", "evaluate_plan", "binding_targets", "day_summary", "hours",
        "money", "power_of_one", "forecast_requirements", "weekly_summary",
    ),
    "planner.channels": ("Channel", "CallsChannel", "ChatChannel", "EmailChannel"),
    "planner.deferred_work": ("deferred", "required_deferred_agents", "deferred_requirements"),
    "planner.simulation": (
        "simulate", "SimulationResult", "Estimate", "METRICS", "simulated_staffing",
        "simulate_chat", "SimulatedStaffing", "interval_confidence", "Distribution",
        "Exponential", "Lognormal", "Gamma", "Deterministic", "Empirical", "verdict",
        "SimulationVerdict",
    ),
    "planner.simulation.skills": (
        "CallType", "AgentGroup", "Center", "CenterResult", "simulate_center",
    ),
    "planner.simulation.skills_bounds": ("staffing_bounds",),
    "planner.simulation.skills_approx": ("approximate_center",),
    "planner.simulation.skills_staffing": ("staff_center", "CenterStaffing"),
    "planner.schedule": ("ShiftTemplate", "Break", "Schedule"),
    "planner.capacity": (
        "WeeklyDemand", "WeekProfile", "CapacitySettings", "TenureBand", "HiringClass",
        "Workforce", "CapacityPlan", "capacity_plan", "period_requirements", "week_requirement",
        "forecast_weeks",
    ),
    "planner.io": ("read_history", "read_workload_csv"),
    "planner.history": ("History",),
    "planner.calls": ("read_calls", "CallLog"),
    "planner.calendars": ("read_calendar", "SpecialDay"),
    "planner.forecast": ("FittedForecast", "backtest"),
    "planner.scenario": (
        "Scenario", "ScenarioError", "SimulationSettings", "WHATIFS", "WhatIf", "CenterScenario",
        "load_scenario",
    ),
    "planner.scenario.workbook": ("plan_sheets", "plan_workbook"),
    "planner.sweeps": ("sweep", "grid", "vary", "summarize_sweep", "AXES", "center_axes"),
    "planner.errors": ("InputError",),
}  # fmt: skip
# Subpackages and modules that are part of the API under their own name.
_MODULES = ("forecast", "models")

_WHERE = {name: module for module, names in _API.items() for name in names}
__all__ = [*_WHERE, *_MODULES]
__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        value = getattr(importlib.import_module(_WHERE[name]), name)
    else:  # a submodule (planner.schedule, planner.sample, ...), as a plain package has
        try:
            value = importlib.import_module(f"planner.{name}")
        except ModuleNotFoundError as err:
            if err.name != f"planner.{name}":
                raise
            raise AttributeError(f"module 'planner' has no attribute {name!r}") from None
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


if TYPE_CHECKING:  # for type checkers and editors: the same names, imported eagerly
    from planner import forecast, models
    from planner._validate import SLBasis
    from planner.calendars import SpecialDay, read_calendar
    from planner.calls import CallLog, read_calls
    from planner.capacity import (
        CapacityPlan,
        CapacitySettings,
        HiringClass,
        TenureBand,
        WeeklyDemand,
        WeekProfile,
        Workforce,
        capacity_plan,
        forecast_weeks,
        period_requirements,
        week_requirement,
    )
    from planner.channels import CallsChannel, Channel, ChatChannel, EmailChannel
    from planner.deferred_work import (
        deferred,
        deferred_requirements,
        required_deferred_agents,
    )
    from planner.errors import InputError
    from planner.forecast import FittedForecast, backtest
    from planner.history import History
    from planner.io import read_history, read_workload_csv
    from planner.models import (
        Blend,
        BlendResult,
        Chat,
        ChatResult,
        ErlangA,
        ErlangAResult,
        ErlangC,
        ErlangX,
        ErlangXResult,
        IntervalModel,
        Load,
        asa,
        blend,
        chat,
        erlang_a,
        erlang_b,
        erlang_c,
        erlang_model,
        erlang_x,
        occupancy,
        service_level,
        traffic,
    )
    from planner.report import (
        binding_targets,
        day_summary,
        evaluate_plan,
        forecast_requirements,
        hours,
        money,
        power_of_one,
        requirements,
        weekly_summary,
    )
    from planner.scenario import (
        WHATIFS,
        CenterScenario,
        Scenario,
        ScenarioError,
        SimulationSettings,
        WhatIf,
        load_scenario,
    )
    from planner.scenario.workbook import plan_sheets, plan_workbook
    from planner.schedule import Break, Schedule, ShiftTemplate
    from planner.simulation import (
        METRICS,
        Deterministic,
        Distribution,
        Empirical,
        Estimate,
        Exponential,
        Gamma,
        Lognormal,
        SimulatedStaffing,
        SimulationResult,
        SimulationVerdict,
        interval_confidence,
        simulate,
        simulate_chat,
        simulated_staffing,
        verdict,
    )
    from planner.simulation.skills import (
        AgentGroup,
        CallType,
        Center,
        CenterResult,
        simulate_center,
    )
    from planner.simulation.skills_approx import approximate_center
    from planner.simulation.skills_bounds import staffing_bounds
    from planner.simulation.skills_staffing import CenterStaffing, staff_center
    from planner.staffing import (
        BlendedStaffing,
        blended_staffing,
        interval_metrics,
        required_agents,
        scheduled_staff,
    )
    from planner.sweeps import AXES, center_axes, grid, summarize_sweep, sweep, vary
    from planner.targets import Targets
