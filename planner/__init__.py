"""planner: capacity planning for contact centers.

Forecasts from interval history, queueing formulas (Erlang B, C, A and X),
staffing requirements per interval, simulation of a day with replications,
scenario files and a command line.
Times are in seconds, volumes in calls per interval, traffic in Erlangs.
"""

from planner import forecast
from planner._validate import SLBasis
from planner.blend import BlendedStaffing, BlendResult, blend, blended_staffing
from planner.chat import ChatResult, chat, required_chat_agents
from planner.deferred_work import (
    DeferredChannel,
    deferred,
    deferred_requirements,
    required_deferred_agents,
)
from planner.erlangx import ErlangXResult, erlang_x
from planner.errors import InputError
from planner.forecast import FittedForecast, backtest, forecast_requirements
from planner.io import History, read_history, read_workload_csv
from planner.queueing import (
    ErlangAResult,
    asa,
    erlang_a,
    erlang_b,
    erlang_c,
    occupancy,
    service_level,
    traffic,
)
from planner.report import (
    binding_targets,
    day_summary,
    evaluate_plan,
    hours,
    requirements,
    summarize,
)
from planner.scenario import Scenario, ScenarioError, SimulationSettings
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
    interval_confidence,
    simulate,
    simulate_chat,
    simulated_staffing,
)
from planner.staffing import Targets, interval_metrics, required_agents, scheduled_staff
from planner.sweeps import AXES, grid, summarize_sweep, sweep, vary

__all__ = [  # noqa: RUF022 - grouped by module, as the README lists it
    # queueing formulas (planner.queueing)
    "erlang_b",
    "erlang_c",
    "service_level",
    "asa",
    "occupancy",
    "erlang_a",
    "ErlangAResult",
    "erlang_x",
    "ErlangXResult",
    # chat with concurrency (planner.chat)
    "chat",
    "ChatResult",
    "required_chat_agents",
    # email and back office against a deadline (planner.deferred_work)
    "deferred",
    "required_deferred_agents",
    "deferred_requirements",
    "DeferredChannel",
    # blending calls with deferred work (planner.blend)
    "blend",
    "BlendResult",
    "blended_staffing",
    "BlendedStaffing",
    "SLBasis",
    "traffic",
    # staffing (planner.staffing)
    "Targets",
    "required_agents",
    "scheduled_staff",
    "interval_metrics",
    # the report layer (planner.report): a plan's figures and the day's roll-up
    "requirements",
    "evaluate_plan",
    "binding_targets",
    "day_summary",
    "hours",
    "summarize",
    # simulation (planner.simulation)
    "simulate",
    "SimulationResult",
    "Estimate",
    "METRICS",
    "simulated_staffing",
    "simulate_chat",
    "SimulatedStaffing",
    "interval_confidence",
    "Distribution",
    "Exponential",
    "Lognormal",
    "Gamma",
    "Deterministic",
    "Empirical",
    # shifts from a requirement (planner.schedule: the function is planner.schedule.schedule)
    "ShiftTemplate",
    "Break",
    "Schedule",
    # history and forecasts (planner.io, planner.forecast: fit)
    "read_history",
    "History",
    "forecast",
    "FittedForecast",
    "backtest",
    "forecast_requirements",
    # scenarios and files (planner.scenario, planner.io)
    "Scenario",
    "ScenarioError",
    "SimulationSettings",
    "read_workload_csv",
    # sweeps (planner.sweeps)
    "sweep",
    "grid",
    "vary",
    "summarize_sweep",
    "AXES",
    # errors
    "InputError",
]
__version__ = "0.1.0"
