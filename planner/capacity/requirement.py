"""Required FTE per week, from the interval models, not a flat occupancy factor.

Each week's calls are spread over a representative week (:class:`WeekProfile`:
the share of a week's calls in each day and interval), every interval is
staffed by the one search (:func:`planner.required_agents`) with the plan's
targets and queueing model, and the week's agent hours become paid hours and
FTE::

    scheduled_hours = agent_hours / efficiency / (1 - shrinkage)
    required_fte    = scheduled_hours / hours_per_fte

``efficiency`` is the share of paid hours a schedule puts where the
requirement is (shifts never fit a requirement exactly: measured by
:meth:`planner.Scenario.schedule` on a week, or given), ``shrinkage`` the
week's (a calendar: vacation peaks, training weeks). Because small teams need
proportionally more agents than large ones (pooling), this differs from
``calls * aht / occupancy`` by more the smaller the center.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from planner import _validate as v
from planner._validate import FloatArray, IntArray
from planner.capacity.demand import WeeklyDemand
from planner.errors import InputError
from planner.history import History
from planner.models.base import IntervalModel
from planner.report import SECONDS_PER_HOUR
from planner.staffing import required_agents
from planner.targets import Targets

__all__ = ["CapacitySettings", "WeekProfile", "period_requirements", "week_requirement"]

DAYS = 7
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@dataclass(frozen=True, eq=False)
class WeekProfile:
    """How a week's calls spread: ``shares[d, i]``, the share of the week's calls in
    interval ``i`` of day ``d`` (Monday first; they sum to 1), intervals of
    ``interval`` seconds from clock time ``start``."""

    shares: FloatArray
    interval: float
    start: str = "00:00"

    def __post_init__(self) -> None:
        shares = v.nonnegative("shares", self.shares)
        if shares.ndim != 2 or shares.shape[0] != DAYS or shares.shape[1] == 0:
            raise InputError(f"'shares' must be 7 days x intervals: shape {shares.shape}")
        if not np.isclose(shares.sum(), 1.0, atol=1e-9):
            raise InputError(f"a week profile's shares must sum to 1: {shares.sum()!r}")
        object.__setattr__(self, "shares", shares)
        object.__setattr__(self, "interval", v.single("interval", self.interval, v.positive))
        v.clock_seconds("start", self.start)

    @classmethod
    def from_day(
        cls,
        calls: FloatArray,
        interval: float,
        *,
        start: str = "00:00",
        weekday_shares: FloatArray | None = None,
    ) -> WeekProfile:
        """Every day shaped like ``calls`` (a day's calls per interval), the days
        weighted by ``weekday_shares`` (7 numbers, Monday first; default equal)."""
        day = v.nonnegative("calls", calls)
        if day.ndim != 1 or day.sum() <= 0:
            raise InputError("a week profile needs a day with calls in some interval")
        days = np.full(DAYS, 1.0 / DAYS) if weekday_shares is None else v.nonnegative(
            "weekday_shares", weekday_shares)  # fmt: skip
        if days.shape != (DAYS,) or days.sum() <= 0:
            raise InputError(f"'weekday_shares' must be 7 numbers, Monday first: {days!r}")
        shares = np.outer(days / days.sum(), day / day.sum())
        return cls(shares, float(interval), start)

    @classmethod
    def from_history(cls, history: History) -> WeekProfile:
        """The history's own week: each weekday's and interval's share of its weeks'
        calls (summed over the history, so busy weeks weigh more), from the first
        interval any day opens to the last any day has."""
        frame = history.frame
        stamps = pd.DatetimeIndex(frame.index)
        seconds = (stamps - stamps.normalize()).total_seconds().to_numpy()
        first = float(seconds.min())
        slot = np.round((seconds - first) / history.interval).astype(np.int64)
        k = int(slot.max()) + 1
        shares = np.zeros((DAYS, k))
        np.add.at(shares, (stamps.day_of_week.to_numpy(), slot), frame["calls"].to_numpy(float))
        if shares.sum() <= 0:
            raise InputError("the history has no calls to shape a week with")
        return cls(shares / shares.sum(), history.interval, v.clock_label(first))

    @property
    def intervals(self) -> int:
        """Intervals a day."""
        return int(self.shares.shape[1])

    def frame(self) -> pd.DataFrame:
        """One row per day and interval: ``day``, ``interval_start`` (clock time),
        ``share`` of the week's calls."""
        first = v.clock_seconds("start", self.start)
        clock = [v.clock_label(first + i * self.interval) for i in range(self.intervals)]
        return pd.DataFrame({
            "day": np.repeat(WEEKDAYS, self.intervals),
            "interval_start": clock * DAYS,
            "share": self.shares.ravel(),
        })  # fmt: skip


@dataclass(frozen=True)
class CapacitySettings:
    """How a week's requirement becomes FTE: ``targets`` and queueing ``model`` (Erlang
    C by default) per interval, ``efficiency`` of schedules (paid hours the requirement
    uses, in (0, 1]), ``shrinkage`` (one fraction, or one per week of the plan) and
    ``hours_per_fte`` (paid hours of one FTE a week)."""

    targets: Targets = field(default_factory=Targets)
    model: IntervalModel | None = None
    efficiency: float = 1.0
    shrinkage: float | tuple[float, ...] = 0.0
    hours_per_fte: float = 40.0

    def __post_init__(self) -> None:
        if not isinstance(self.targets, Targets):
            raise InputError(f"'targets' must be Targets: {self.targets!r}")
        object.__setattr__(self, "efficiency", v.single("efficiency", self.efficiency, v.fraction))
        shrink = v.shrinkage_fraction("shrinkage", self.shrinkage)
        object.__setattr__(self, "shrinkage", float(shrink) if shrink.ndim == 0
                           else tuple(shrink.tolist()))  # fmt: skip
        hours = v.single("hours_per_fte", self.hours_per_fte, v.positive)
        if hours > 168:
            raise InputError(f"'hours_per_fte' is paid hours a week, at most 168: {hours!r}")
        object.__setattr__(self, "hours_per_fte", hours)

    def shrinkage_for(self, weeks: int) -> FloatArray:
        """The shrinkage of each of ``weeks`` weeks."""
        if isinstance(self.shrinkage, float):
            return np.full(weeks, self.shrinkage)
        if len(self.shrinkage) != weeks:
            raise InputError(
                f"'shrinkage' has {len(self.shrinkage)} weeks; the plan has {weeks}: give one "
                "number, or one per week"
            )
        return np.asarray(self.shrinkage)


def _agents(calls: FloatArray, aht: FloatArray, profile: WeekProfile, settings: CapacitySettings
            ) -> IntArray:  # fmt: skip
    """Agents per week (rows) and interval of the week (7 x intervals, columns) for
    ``calls`` per week at ``aht`` seconds."""
    week = np.asarray(calls, dtype=np.float64)[:, None] * profile.shares.ravel()[None, :]
    handle = np.broadcast_to(np.asarray(aht, dtype=np.float64)[:, None], week.shape)
    return np.asarray(required_agents(week, handle, profile.interval, settings.targets,
                                      model=settings.model), dtype=np.int64)  # fmt: skip


def _fte(agents: IntArray, profile: WeekProfile, settings: CapacitySettings, shrinkage: FloatArray,
         other: FloatArray | float = 0.0) -> tuple[FloatArray, FloatArray, FloatArray]:  # fmt: skip
    """Agent hours (with ``other`` teams' agent hours), scheduled hours and FTE of each
    week's agents."""
    agent_hours = agents.sum(axis=-1) * profile.interval / SECONDS_PER_HOUR + other
    scheduled = agent_hours / settings.efficiency / (1.0 - shrinkage)
    return agent_hours, scheduled, scheduled / settings.hours_per_fte


def week_requirement(
    calls: float, aht: float, profile: WeekProfile, settings: CapacitySettings
) -> pd.DataFrame:
    """One week of ``calls`` at ``aht`` seconds, interval by interval: ``day``,
    ``interval_start``, ``calls`` and ``agents`` required (what a week's row of
    :func:`period_requirements` adds up)."""
    table = profile.frame()
    table["calls"] = float(calls) * table.pop("share").to_numpy()
    table["agents"] = _agents(np.array([calls]), np.array([aht]), profile, settings)[0]
    return table


def period_requirements(
    demand: WeeklyDemand, profile: WeekProfile, settings: CapacitySettings
) -> pd.DataFrame:
    """Required FTE per week (see the module notes): one row per week with
    ``week_start``, ``calls``, ``aht``, ``other_agent_hours`` (the other teams', where
    the demand has them), ``agent_hours`` (on the phones, every team),
    ``scheduled_hours`` (paid), ``shrinkage``, ``required_fte`` and, with a band in
    ``demand``, ``required_fte_low`` / ``required_fte_high`` at its bounds."""
    return requirement_table(demand, profile, settings)[0]


def requirement_table(
    demand: WeeklyDemand, profile: WeekProfile, settings: CapacitySettings
) -> tuple[pd.DataFrame, IntArray]:
    """:func:`period_requirements`'s table and the calls' agents per week (rows) and
    interval of the week (columns) it was made from."""
    if not isinstance(demand, WeeklyDemand):
        raise InputError(f"'demand' must be a WeeklyDemand: {demand!r}")
    if not isinstance(profile, WeekProfile):
        raise InputError(f"'profile' must be a WeekProfile: {profile!r}")
    shrinkage = settings.shrinkage_for(demand.weeks)
    aht = np.asarray(demand.aht)
    calls_team = _agents(np.asarray(demand.calls), aht, profile, settings)
    agent_hours, scheduled, fte = _fte(calls_team, profile, settings, shrinkage, demand.other)
    out = demand.frame()[["week_start", "calls", "aht"]]
    if demand.other_agent_hours is not None:
        out["other_agent_hours"] = demand.other
    out["agent_hours"] = agent_hours
    out["scheduled_hours"] = scheduled
    out["shrinkage"] = shrinkage
    out["required_fte"] = fte
    if demand.calls_low is not None and demand.calls_high is not None:
        for name, calls in (("low", demand.calls_low), ("high", demand.calls_high)):
            agents = _agents(np.asarray(calls), aht, profile, settings)
            out[f"required_fte_{name}"] = _fte(agents, profile, settings, shrinkage,
                                               demand.other)[2]  # fmt: skip
    return out, calls_team


def fte_at_scores(
    demand: WeeklyDemand, profile: WeekProfile, settings: CapacitySettings, scores: FloatArray
) -> FloatArray:
    """Required FTE of every week (columns) with its calls at each standard normal
    score of ``scores`` (rows; see :meth:`WeeklyDemand.calls_at`): what the Monte Carlo
    interpolates between."""
    shrinkage = settings.shrinkage_for(demand.weeks)
    aht = np.asarray(demand.aht)
    calls = demand.calls_at(np.asarray(scores, dtype=np.float64)[:, None])
    agents = _agents(calls.ravel(), np.tile(aht, len(scores)), profile, settings)
    fte = _fte(agents, profile, settings, np.tile(shrinkage, len(scores)),
               np.tile(demand.other, len(scores)))[2]  # fmt: skip
    return fte.reshape(len(scores), demand.weeks)
