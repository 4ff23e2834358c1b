"""Staffing that meets the targets in simulation, found interval by interval.

The search starts from the Erlang requirement and walks the intervals in
order, each from its Erlang value plus the correction its predecessor
needed (neighbours need alike corrections). For interval ``k`` it looks for
the fewest agents such that interval ``k`` meets every target (mean over the
replications) and no earlier interval that met its targets stops meeting
them: a caller who arrives in ``k`` may be answered in ``k + 1``, and the
queue left at the end of ``k - 1`` is served by interval ``k``'s agents, so
each interval is judged with the staffing of its neighbours in place.

Under FCFS callers who arrive after interval ``k`` cannot change what
happens to those before, so only callers up to the end of ``k`` are
simulated at that step; the fast engine resumes from the last point the
change leaves intact (:class:`Replay`), and every plan sees the same callers
(common random numbers), so a change of one agent is not lost in noise. A
final simulation of the whole day checks the plan; if a later change broke
an earlier interval, another pass follows (at most ``max_passes``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Unpack

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from planner._validate import FloatArray, IntArray
from planner.errors import InputError
from planner.report import hours
from planner.simulation.day import Callers, Day
from planner.simulation.engines import FastState, advance, close_periods, columns_of
from planner.simulation.outcomes import TOTALS, period_totals
from planner.simulation.results import Estimate, SimulationResult, metrics_from_totals
from planner.simulation.run import (
    DayOptions,
    Engine,
    Experiment,
    _whole,
    engine_name,
)
from planner.staffing import Targets, check_search_targets, required_agents

__all__ = ["SimulatedStaffing", "simulated_staffing"]


class Replay:
    """One replication's callers, re-simulated from the latest point a new plan leaves intact.

    The fast engine's state before the first caller of each period is kept
    with the staffing it depends on; a new plan resumes from the latest one
    it agrees with, and only the periods from there on are totalled again.
    This turns the search's many evaluations of nearly equal plans into work
    proportional to one or two intervals each, not to the day so far.
    """

    def __init__(self, callers: Callers, periods: int) -> None:
        self.callers = callers
        self.columns = columns_of(callers)
        self.firsts = np.searchsorted(callers.period, np.arange(periods + 1)).tolist()
        self.start = np.full(len(callers), np.inf)
        self.snapshots: dict[int, tuple[FastState, tuple[int, ...]]] = {}
        self.cache: dict[str, FloatArray] = {}
        self.cache_plan = np.zeros(0, dtype=np.int64)

    def totals(self, day: Day, hi: int, answer_time: float) -> dict[str, FloatArray]:
        """Totals of periods ``0..hi`` for callers who arrive in them (see period_totals)."""
        agents = day.agents.tolist()
        valid = [
            q
            for q, (_, deps) in self.snapshots.items()
            if q <= hi and tuple(agents[: len(deps)]) == deps
        ]
        r = max(valid, default=0)
        state = self.snapshots[r][0].copy() if valid else FastState.opening(day)
        for q in range(r, hi + 1):
            self.snapshots[q] = (state.copy(), tuple(agents[: state.period + 1]))
            advance(state, self.columns, self.firsts[q + 1], day, self.start)
        for q in [q for q in self.snapshots if q > hi]:
            del self.snapshots[q]  # taken before start[] changed below them
        close_periods(state, day, hi)
        overtime = state.overtime
        known = len(self.cache_plan)  # periods 0..known-1 are cached
        if 0 < r <= known and np.array_equal(self.cache_plan[:r], day.agents[:r]):
            window = period_totals(
                self.callers, self.start, overtime, day, answer_time, lo=r, hi=hi
            )
            self.cache = {key: np.concatenate([self.cache[key][:r], window[key]]) for key in window}
        else:
            self.cache = period_totals(
                self.callers, self.start, overtime, day, answer_time, lo=0, hi=hi
            )
        self.cache_plan = day.agents[: hi + 1].copy()
        return self.cache


def _meets(metrics: dict[str, np.ndarray], targets: Targets) -> np.ndarray:
    """Per interval: does the mean over replications meet every target?

    An interval nobody called in (in any replication) meets them; an
    undefined metric where callers were offered (nobody answered, so no ASA)
    does not.
    """
    means = {name: np.asarray(Estimate(values).mean) for name, values in metrics.items()}
    quiet = ~(np.nan_to_num(means["calls"]) > 0)
    return np.asarray(targets.met(means)) | quiet


@dataclass(frozen=True, eq=False)
class SimulatedStaffing:
    """The staffing that meets the targets in simulation, beside the Erlang plan.

    Attributes
    ----------
    agents : agents per interval that meet the targets in simulation.
    erlang : the Erlang C (or Erlang A, with a patience) requirement.
    result : simulation of ``agents``.
    erlang_result : simulation of ``erlang`` on the same callers.
    met : whether every interval meets its targets with ``agents`` (False
        only if the passes ran out).
    passes, evaluations : how much searching it took (evaluations count
        simulated plans, each over every replication).
    """

    agents: IntArray
    erlang: IntArray
    result: SimulationResult
    erlang_result: SimulationResult
    targets: Targets
    met: bool
    passes: int
    evaluations: int

    @property
    def difference(self) -> IntArray:
        """Agents per interval, simulation minus Erlang."""
        return self.agents - self.erlang

    def to_frame(self) -> pd.DataFrame:
        """Per interval: both plans, the difference, and what each achieves in simulation."""
        out = pd.DataFrame(
            {"erlang_agents": self.erlang, "agents": self.agents, "difference": self.difference},
            index=pd.Index(list(self.result.labels)),
        )
        metrics = ["service_level", "asa", "occupancy"]
        if self.result.day("abandoned").mean > 0 or self.targets.max_abandon is not None:
            metrics.append("abandon_rate")
        for metric in metrics:
            out[f"erlang_{metric}"] = self.erlang_result[metric].mean
            est = self.result[metric]
            out[metric] = est.mean
            out[f"{metric}_ci_low"], out[f"{metric}_ci_high"] = est.confidence_interval()
        return out

    def summary(self) -> pd.Series:
        """Agent-hours of each plan (on the phones, before shrinkage) and their difference."""
        interval = self.result.interval
        return pd.Series(
            {
                "erlang_agent_hours": hours(self.erlang, interval),
                "agent_hours": hours(self.agents, interval),
                "difference_hours": hours(self.difference, interval),
                "intervals_changed": int(np.count_nonzero(self.difference)),
                "erlang_service_level": self.erlang_result.day("service_level").mean,
                "service_level": self.result.day("service_level").mean,
            }
        )


def simulated_staffing(
    workload: pd.DataFrame | Mapping[str, ArrayLike],
    targets: Targets,
    *,
    engine: Engine = "auto",
    max_passes: int = 3,
    **day: Unpack[DayOptions],
) -> SimulatedStaffing:
    """Fewest agents per interval that meet ``targets`` in simulation.

    ``workload``, ``engine`` and the day's options (``interval``, ``handle``,
    ``patience``, ``replications``, ``seed``, ``dispersion``, ``warmup``,
    ``close``: :class:`~planner.simulation.run.DayOptions`) are those of
    :func:`planner.simulate`; ``max_passes`` bounds the search's passes over
    the day. ``targets`` gives the
    service-level definition (``answer_time``, ``sl_basis``) and the targets,
    each judged on the mean over replications. The search starts from
    :func:`planner.required_agents` with the mean handle time and (if given)
    the mean patience, and moves one agent at a time (see the module notes).

    The plan is as precise as its replications: one interval's simulated
    service level is noisy (at 85% occupancy, about +-0.08 over 30
    replications of a 30-minute interval, where one agent is worth about
    0.07), so small plans need 100 or more replications to be right within
    an agent. ``to_frame()`` shows each interval's confidence interval.

    Examples
    --------
    >>> from planner import Lognormal
    >>> day = {"calls": [60, 120, 90], "aht": [240, 240, 240]}
    >>> plan = simulated_staffing(day, Targets(), interval=1800,
    ...                           handle=Lognormal(240, cv=0.5), seed=3)
    >>> plan.erlang.tolist(), plan.agents.tolist(), plan.met
    ([11, 20, 16], [10, 20, 15], True)
    >>> bool((plan.result["service_level"].mean >= 0.8).all())
    True
    """
    exp = Experiment.of(workload, day)
    check_search_targets(targets, exp.patience is not None)
    wl = exp.workload
    name = engine_name(engine)
    max_passes = _whole("max_passes", max_passes, 1)
    aht = wl.aht if wl.aht is not None else exp.handle.mean
    mean_patience = None if exp.patience is None else exp.patience.mean
    erlang = np.asarray(
        required_agents(wl.calls, aht, exp.interval, targets, mean_patience), dtype=np.int64
    ).reshape(-1)
    plan = erlang.copy()
    evaluations = 0
    first = exp.first
    replays = [
        Replay(exp.callers(r), len(exp.bounds) - 1) if name == "fast" else None
        for r in range(exp.replications)
    ]

    def meets_upto(k: int) -> np.ndarray:
        nonlocal evaluations
        evaluations += 1
        day = exp.day(plan)
        per_rep = [
            replay.totals(day, k + first, targets.answer_time)
            if replay is not None
            else exp.totals(plan, name, targets.answer_time, r, upto=k)[0]
            for r, replay in enumerate(replays)
        ]
        skip = first if replays[0] is not None else 0  # exp.totals drops the warm-up itself
        stacked = {key: np.stack([t[key][skip : skip + k + 1] for t in per_rep]) for key in TOTALS}
        return _meets(metrics_from_totals(stacked, targets.sl_basis), targets)

    # Enough agents for any target: every caller answered at once, occupancy met.
    ceiling = np.ceil(2 * erlang + 10 + (wl.calls * aht / exp.interval) * 2).astype(np.int64)
    met = False
    passes = 0
    while passes < max_passes and not met:
        passes += 1
        accepted = np.ones(0, dtype=bool)  # which intervals so far meet their targets
        for k in range(len(plan)):
            if passes == 1 and k > 0 and erlang[k] > 0:
                # Neighbours need alike corrections: start from the one just found.
                plan[k] = max(1, erlang[k] + plan[k - 1] - erlang[k - 1])
            now = meets_upto(k)
            protect = accepted[:k] if accepted.size >= k else now[:k]

            def ok(now: np.ndarray, k: int = k, protect: np.ndarray = protect) -> bool:
                return bool(now[k] and now[:k][protect].all())

            if ok(now):
                accepted = now
                while plan[k] > 0:
                    plan[k] -= 1
                    now = meets_upto(k)
                    if not ok(now):
                        plan[k] += 1
                        break
                    accepted = now
            else:
                while True:
                    plan[k] += 1
                    now = meets_upto(k)
                    if ok(now):
                        accepted = now
                        break
                    if plan[k] >= ceiling[k]:
                        raise InputError(
                            f"no staffing up to {plan[k]} agents meets the targets in "
                            f"interval {wl.labels[k]!r} in simulation"
                        )
        met = bool(meets_upto(len(plan) - 1).all())

    def run(agents: IntArray) -> SimulationResult:
        # The callers the search already drew (common random numbers), not new ones.
        return exp.result(agents, name, targets.answer_time, targets.sl_basis)

    return SimulatedStaffing(
        agents=plan,
        erlang=erlang,
        result=run(plan),
        erlang_result=run(erlang),
        targets=targets,
        met=met,
        passes=passes,
        evaluations=evaluations,
    )
