"""Staffing that meets the targets in simulation, found interval by interval.

The search starts from the Erlang requirement and walks the intervals in
order. For interval ``k`` it looks for the fewest agents such that interval
``k`` meets every target (mean over the replications) and no earlier interval
that met its targets stops meeting them: a caller who arrives in ``k`` may be
answered in ``k + 1``, and the queue left at the end of ``k - 1`` is served
by interval ``k``'s agents, so each interval is judged with the staffing of
its neighbours in place. Under FCFS callers who arrive after interval ``k``
cannot change what happens to those before, so only callers up to the end of
``k`` are simulated at that step, and every plan sees the same callers
(common random numbers), so a change of one agent is not lost in noise. A
final simulation of the whole day checks the plan; if a later change broke
an earlier interval, another pass follows (at most ``max_passes``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from planner.errors import InputError
from planner.simulation.day import IntArray
from planner.simulation.distributions import Distribution
from planner.simulation.results import Estimate, SimulationResult, metrics_from_totals
from planner.simulation.run import (
    Close,
    Engine,
    Experiment,
    Workload,
    _whole,
    engine_name,
    simulate,
)
from planner.staffing import Targets, required_agents

__all__ = ["SimulatedStaffing", "simulated_staffing"]


def _meets(metrics: dict[str, np.ndarray], targets: Targets) -> np.ndarray:
    """Per interval: does the mean over replications meet every target?

    Metrics undefined in every replication (an interval nobody called in) meet
    the targets that depend on them.
    """

    def mean(name: str) -> np.ndarray:
        return np.asarray(Estimate(metrics[name]).mean)

    ok = np.ones(metrics["offered"].shape[-1], dtype=bool)
    with np.errstate(invalid="ignore"):
        if targets.service_level is not None:
            ok &= ~(mean("service_level") < targets.service_level)
        if targets.asa is not None:
            ok &= ~(mean("asa") > targets.asa)
        if targets.max_abandon is not None:
            ok &= ~(mean("abandon_rate") > targets.max_abandon)
        if targets.max_occupancy is not None:
            ok &= ~(mean("occupancy") > targets.max_occupancy)
    return ok


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
        hours = self.result.interval / 3600.0
        return pd.Series(
            {
                "erlang_agent_hours": float(self.erlang.sum() * hours),
                "agent_hours": float(self.agents.sum() * hours),
                "difference_hours": float(self.difference.sum() * hours),
                "intervals_changed": int(np.count_nonzero(self.difference)),
                "erlang_service_level": self.erlang_result.day("service_level").mean,
                "service_level": self.result.day("service_level").mean,
            }
        )


def simulated_staffing(
    workload: pd.DataFrame | Mapping[str, ArrayLike],
    targets: Targets,
    *,
    interval: float,
    handle: Distribution | float | None = None,
    patience: Distribution | float | None = None,
    replications: int = 20,
    seed: int | np.random.SeedSequence | None = None,
    dispersion: float = 0.0,
    warmup: float = 0.0,
    close: Close = "serve_queue",
    engine: Engine = "auto",
    max_passes: int = 3,
) -> SimulatedStaffing:
    """Fewest agents per interval that meet ``targets`` in simulation.

    Parameters are those of :func:`planner.simulate`; ``targets`` gives the
    service-level definition (``answer_time``, ``sl_basis``) and the targets,
    each judged on the mean over replications. The search starts from
    :func:`planner.required_agents` with the mean handle time and (if given)
    the mean patience, and moves one agent at a time (see the module notes).

    Examples
    --------
    >>> from planner import Lognormal
    >>> day = {"calls": [60, 120, 90], "aht": [240, 240, 240]}
    >>> plan = simulated_staffing(day, Targets(), interval=1800,
    ...                           handle=Lognormal(240, cv=0.5), seed=3)
    >>> plan.erlang.tolist(), plan.agents.tolist(), plan.met
    ([11, 20, 16], [10, 20, 16], True)
    >>> bool((plan.result["service_level"].mean >= 0.8).all())
    True
    """
    if not isinstance(targets, Targets):
        raise InputError(f"'targets' must be a planner.Targets: {targets!r}")
    wl = Workload.of(workload)
    name = engine_name(engine)
    max_passes = _whole("max_passes", max_passes, 1)
    exp = Experiment(
        wl,
        interval=interval,
        handle=handle,
        patience=patience,
        replications=replications,
        seed=seed,
        dispersion=dispersion,
        warmup=warmup,
        close=close,
    )
    aht = wl.aht if wl.aht is not None else exp.handle.mean
    mean_patience = None if exp.patience is None else exp.patience.mean
    erlang = np.asarray(
        required_agents(wl.calls, aht, exp.interval, targets, mean_patience), dtype=np.int64
    ).reshape(-1)
    plan = erlang.copy()
    evaluations = 0

    def meets_upto(k: int) -> np.ndarray:
        nonlocal evaluations
        evaluations += 1
        per_rep = [
            exp.totals(plan, name, targets.answer_time, r, upto=k)[0]
            for r in range(exp.replications)
        ]
        stacked = {key: np.stack([t[key][: k + 1] for t in per_rep]) for key in per_rep[0]}
        return _meets(metrics_from_totals(stacked, targets.sl_basis), targets)

    # Enough agents for any target: every caller answered at once, occupancy met.
    ceiling = np.ceil(2 * erlang + 10 + (wl.calls * aht / exp.interval) * 2).astype(np.int64)
    met = False
    passes = 0
    while passes < max_passes and not met:
        passes += 1
        for k in range(len(plan)):
            before = meets_upto(k)
            protect = before[:k]

            def ok(k: int = k, protect: np.ndarray = protect) -> bool:
                now = meets_upto(k)
                return bool(now[k] and now[:k][protect].all())

            if before[k]:
                while plan[k] > 0:
                    plan[k] -= 1
                    if not ok():
                        plan[k] += 1
                        break
            else:
                while True:
                    plan[k] += 1
                    if ok():
                        break
                    if plan[k] >= ceiling[k]:
                        raise InputError(
                            f"no staffing up to {plan[k]} agents meets the targets in "
                            f"interval {wl.labels[k]!r} in simulation"
                        )
        met = bool(meets_upto(len(plan) - 1).all())

    def run(agents: IntArray) -> SimulationResult:
        return simulate(
            workload,
            agents,
            interval=exp.interval,
            handle=exp.handle,
            patience=exp.patience,
            answer_time=targets.answer_time,
            sl_basis=targets.sl_basis,
            replications=exp.replications,
            seed=np.random.SeedSequence(exp.seed),
            dispersion=exp.dispersion,
            warmup=exp.warmup,
            close=exp.close,
            engine=name,
        )

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
