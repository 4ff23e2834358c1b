"""Months ahead: the long-range capacity plan (how many people to hire, and when).

Weekly demand (:class:`WeeklyDemand`, given or :func:`forecast_weeks` from history)
becomes required FTE through the interval
models (:func:`period_requirements`), today's staff and the hiring classes
(:class:`Workforce`) become expected productive FTE, and :func:`capacity_plan`
chooses the classes at least cost and draws the plan's risk.
"""

from planner.capacity.demand import WeeklyDemand
from planner.capacity.plan import CapacityPlan, capacity_plan
from planner.capacity.requirement import (
    CapacitySettings,
    WeekProfile,
    period_requirements,
    week_requirement,
)
from planner.capacity.weekly import forecast_weeks
from planner.capacity.workforce import HiringClass, TenureBand, Workforce

__all__ = [
    "CapacityPlan",
    "CapacitySettings",
    "HiringClass",
    "TenureBand",
    "WeekProfile",
    "WeeklyDemand",
    "Workforce",
    "capacity_plan",
    "forecast_weeks",
    "period_requirements",
    "week_requirement",
]
