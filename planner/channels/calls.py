"""The calls channel: a scenario's calls, staffed under its queueing model.

The calls are the scenario's own workload (``[workload]`` and ``[staffing]`` in its
file), not a ``[channels.*]`` section; :attr:`planner.Scenario.calls_channel` builds
this channel from them, so every team of a scenario is staffed through one protocol.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from planner.channels.base import Channel, Day
from planner.models import ErlangC, IntervalModel
from planner.report import day_summary, evaluate_plan, requirements
from planner.targets import Targets

__all__ = ["CallsChannel"]


@dataclass(frozen=True, kw_only=True)
class CallsChannel(Channel):
    """Calls per interval with their handle time, staffed under ``model``.

    Attributes
    ----------
    calls : offered calls per interval.
    aht : average handle time per interval, seconds.
    model : the queueing model (:mod:`planner.models`); Erlang C by default.
    targets : its own targets, or None for the day's.
    """

    calls: tuple[float, ...]
    aht: tuple[float, ...]
    model: IntervalModel = field(default_factory=ErlangC)
    targets: Targets | None = None

    name: ClassVar[str] = "calls"
    offered: ClassVar[str] = "calls"
    service: ClassVar[str] = "service_level"

    @property
    def columns(self) -> tuple[str, ...]:
        return self.model.columns

    def contacts(self) -> tuple[float, ...]:
        return self.calls

    def workload(self, day: Day) -> pd.DataFrame:
        """One row per interval: ``interval_start``, ``calls``, ``aht`` (seconds)."""
        return day.frame().assign(calls=list(self.calls), aht=list(self.aht))

    def requirements(self, day: Day) -> pd.DataFrame:
        return requirements(
            self.workload(day), self.targets or day.targets, day.interval, day.shrinkage,
            model=self.model,
        )  # fmt: skip

    def evaluate(self, day: Day, agents: ArrayLike) -> pd.DataFrame:
        return evaluate_plan(
            self.workload(day), agents, self.targets or day.targets, day.interval,
            day.shrinkage, model=self.model,
        )  # fmt: skip

    def day_summary(self, table: pd.DataFrame, interval: float) -> pd.Series:
        """The day's figures (:func:`planner.day_summary`: calls, peak agents, hours,
        call-weighted service level, ASA, occupancy and abandon rate)."""
        return day_summary(table, interval)

    def scaled(self, factor: float) -> CallsChannel:
        return CallsChannel(
            calls=tuple((np.asarray(self.calls) * factor).tolist()), aht=self.aht,
            model=self.model, targets=self.targets,
        )  # fmt: skip
