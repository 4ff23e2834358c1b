"""Discrete-event simulation of a contact-center day (see :func:`simulate`)."""

from planner.simulation.chat import ChatSimulation, simulate_chat
from planner.simulation.distributions import (
    Deterministic,
    Distribution,
    Empirical,
    Exponential,
    Gamma,
    Lognormal,
)
from planner.simulation.results import METRICS, Estimate, SimulationResult
from planner.simulation.run import simulate
from planner.simulation.search import SimulatedStaffing, interval_confidence, simulated_staffing
from planner.simulation.settings import SimulationSettings
from planner.simulation.verdicts import SimulationVerdict, verdict

__all__ = [
    "METRICS",
    "ChatSimulation",
    "Deterministic",
    "Distribution",
    "Empirical",
    "Estimate",
    "Exponential",
    "Gamma",
    "Lognormal",
    "SimulatedStaffing",
    "SimulationResult",
    "SimulationSettings",
    "SimulationVerdict",
    "interval_confidence",
    "simulate",
    "simulate_chat",
    "simulated_staffing",
    "verdict",
]
