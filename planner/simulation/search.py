"""Staffing that meets the targets in simulation, with a stated confidence.

The search starts from the Erlang requirement and walks the intervals in
order, each from its Erlang value plus the correction its predecessor
needed (neighbours need alike corrections). For interval ``k`` it looks for
the fewest agents such that interval ``k`` meets every target *with
confidence* and interval ``k - 1`` does not stop doing so: a caller who
arrives in ``k`` may be answered in ``k + 1``, and the queue left at the end
of ``k - 1`` is served by interval ``k``'s agents, so each interval is
judged with the staffing of its neighbours in place.

Confidence. Each target is about the expected value of an interval's
metric over days (the mean of the replications estimates it). An interval
meets a target with confidence ``c`` when the one-sided Student t bound at
level ``c`` clears it (:func:`interval_confidence`); the search asks for
``confidence`` (0.95 by default). Where one agent fewer is neither clearly
enough nor clearly too few, the interval gets more replications (doubling,
up to ``max_replications``); if that does not settle it, the interval keeps
the agent and is reported as ``uncertain``. A metric that is undefined
where callers came (nobody answered, so no ASA) never meets a target.

Confirmation. The plan found is then simulated on callers drawn from an
independent seed, with more replications than the search used (4 x
``replications``, or the most any interval used): an interval whose claim
was right passes, one that the search's luck favoured does not. Intervals
that fall short get the agents the shortfall calls for (at what one agent
was worth in the search) and the plan is simulated on another independent
seed, up to ``max_passes`` times. Every pass judges every interval on all
the independent replications at its staffing, pooled over the passes that
had no more agents beside it than now (more beside only help it): one short
there gets agents, whatever an earlier pass alone said.

Removal. Agents a pass added on one seed's luck are then taken back where
the targets can spare them: one agent fewer in each interval in turn, on
callers of the removal's own (common random numbers across its tries, drawn
independently of the search's and the passes', so the search's luck is not
trusted again) at the confirmation's replications, kept where the interval
and its neighbours still meet every target at the stated confidence. A
removal is confirmed on another independent seed; where that falls short
the agent comes back (or, with none to give back, agents are added as a
pass adds them), and the plan is confirmed again (at most four passes more).
Each interval's confidence is that of the independent simulations at its
final staffing, pooled, so none was used to choose its agents; ``one_fewer``
gives, per interval, the evidence for its last agent.

Speed. Under FCFS callers who arrive after interval ``k`` cannot change what
happens to those before, so only callers up to the end of ``k`` are
simulated at that step; the fast engine resumes from the last point the
change leaves intact (:class:`Replay`), and every plan sees the same callers
(common random numbers), so a change of one agent is not lost in noise.
Memory: the search keeps the callers of every replication it has used
(about 100 bytes each); ``max_replications`` is lowered so that at most
:data:`MAX_SEARCH_CALLERS` expected callers are kept.
"""

from __future__ import annotations

from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Unpack

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy import special

from planner import _validate as v
from planner._validate import FloatArray, IntArray
from planner.errors import InputError
from planner.models import erlang_model
from planner.report import hours
from planner.simulation.day import Callers, Day
from planner.simulation.engines import FastState, advance, close_periods, columns_of
from planner.simulation.outcomes import TOTALS, exit_times, period_totals
from planner.simulation.results import Estimate, SimulationResult, metrics_from_totals
from planner.simulation.run import (
    DayOptions,
    Engine,
    Experiment,
    _scalar,
    engine_name,
    workers,
)
from planner.staffing import required_agents
from planner.targets import Targets

__all__ = ["MAX_SEARCH_CALLERS", "SimulatedStaffing", "interval_confidence", "simulated_staffing"]

# The most expected callers the search keeps in memory over all its replications.
MAX_SEARCH_CALLERS = 20_000_000
# Confirmation seeds: children of the user's seed with this first key (replications
# use keys 0, 1, 2, ...), one per pass.
_CONFIRM_KEY = 2**31
# The removal pass's callers: another child of the user's seed.
_REMOVAL_KEY = 2**31 - 1


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
        # the latest exit (end of call, or leaving the queue) of callers 0..i, for
        # skipping in the totals the callers gone before a period began
        self.reach = np.zeros(len(callers))
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
        lo, stop = self.firsts[r], self.firsts[hi + 1]
        c = self.callers
        changed = Callers(
            c.arrival[lo:stop], c.handle[lo:stop], c.gives_up_at[lo:stop], c.period[lo:stop]
        )
        exits = exit_times(changed, self.start[lo:stop], day)
        if lo > 0 and stop > lo:
            exits[0] = max(exits[0], self.reach[lo - 1])
        if stop > lo:
            self.reach[lo:stop] = np.maximum.accumulate(exits)
        known = len(self.cache_plan)  # periods 0..known-1 are cached
        if 0 < r <= known and np.array_equal(self.cache_plan[:r], day.agents[:r]):
            gone = int(np.searchsorted(self.reach[:lo], day.bounds[r], side="left"))
            window = period_totals(
                self.callers, self.start, overtime, day, answer_time, lo=r, hi=hi, scan=gone
            )
            self.cache = {key: np.concatenate([self.cache[key][:r], window[key]]) for key in window}
        else:
            self.cache = period_totals(
                self.callers, self.start, overtime, day, answer_time, lo=0, hi=hi
            )
        self.cache_plan = day.agents[: hi + 1].copy()
        return self.cache


def _scores(
    metrics: Mapping[str, FloatArray], targets: Targets, abandons: bool
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Per interval: the confidence of :func:`interval_confidence`, and for the target
    that sets it, how far the mean is on the right side of the limit and its
    standard error (both in the metric's unit)."""
    calls = np.asarray(metrics["calls"], dtype=np.float64)
    size = calls.shape[-1]
    out, gap, sem = np.ones(size), np.full(size, np.inf), np.zeros(size)
    called = calls > 0
    for name, (limit, compare) in targets.limits(abandons=abandons).items():
        values = np.asarray(metrics[name], dtype=np.float64)
        broken = (called & np.isnan(values)).any(axis=0)
        est = Estimate(np.where(called, values, np.nan))  # replications nobody called in: out
        n = np.asarray(est.n)
        mean, se = np.asarray(est.mean), np.nan_to_num(np.asarray(est.sem))  # 0: no spread
        side = (mean - limit) * (1.0 if compare is np.greater_equal else -1.0)
        spread = (n > 1) & (se > 0)
        with np.errstate(divide="ignore", invalid="ignore"):
            conf = special.stdtr(np.where(n > 1, n - 1, 1), np.where(spread, side / se, 0.0))
        conf = np.where(spread, conf, np.asarray(compare(mean, limit), dtype=float))
        conf = np.where(n == 0, 1.0, np.where(broken, 0.0, conf))
        side = np.where(n == 0, np.inf, np.where(broken, -np.inf, side))
        binds = conf < out
        out = np.where(binds, conf, out)
        gap = np.where(binds, side, gap)
        sem = np.where(binds, se, sem)
    return out, gap, sem


def interval_confidence(
    metrics: Mapping[str, FloatArray], targets: Targets, *, abandons: bool = True
) -> FloatArray:
    """Per interval, the confidence that the expected metrics meet every target.

    ``metrics`` maps each metric to an array (replications, intervals), as
    :func:`~planner.simulation.results.metrics_from_totals` gives them, with
    ``calls`` among them. For each target, the confidence is the level of the
    one-sided Student t confidence bound on the metric's mean that just
    reaches the target's limit (0.5 when the mean is on it; near 1 when the
    mean is many standard errors on the right side); the interval's is the
    least over its targets. Replications where nobody called are left out.
    An interval where callers came but a metric is undefined in some
    replication (nobody answered, so no ASA) gets 0; one nobody called in
    gets 1. With no spread (or a single replication) it is 1 or 0 by
    whether the mean meets the target. Without abandonment (``abandons``
    False) the abandonment cap is not checked.

    Examples
    --------
    >>> sl = np.array([[0.84, 0.78], [0.86, 0.80], [0.82, 0.79], [0.88, 0.83]])
    >>> calls = np.full_like(sl, 100.0)
    >>> t = Targets(service_level=0.8, max_abandon=None)
    >>> interval_confidence({"calls": calls, "service_level": sl}, t).round(3).tolist()
    [0.985, 0.5]
    """
    return _scores(metrics, targets, abandons)[0]


@dataclass(frozen=True, eq=False)
class SimulatedStaffing:
    """The staffing that meets the targets in simulation, beside the Erlang plan.

    Attributes
    ----------
    agents : agents per interval that meet the targets in simulation.
    searched : the plan the search found, before confirmation added agents
        where an independent simulation showed it short.
    erlang : the Erlang C (or Erlang A, with a patience) requirement.
    result : simulation of ``agents`` on callers from an independent seed
        (the last confirmation pass), not those the search chose it on.
    erlang_result : simulation of ``erlang`` on the same callers as ``result``.
    targets : the targets met.
    met : whether every interval meets its targets with ``level``
        confidence in ``result`` (False only if the passes ran out).
    level : the confidence asked for.
    confidence : per interval, the confidence that the expected metrics meet
        every target (:func:`interval_confidence`), from every independent
        simulation (confirmation pass) at its final staffing with no more
        agents beside it, their replications pooled.
    replications : per interval, the replications the search used there.
    uncertain : per interval, True where one agent fewer might also have
        met the targets, but ``max_replications`` could not tell.
    passes : independent simulations run to confirm the plan (1 when the
        search's plan was confirmed at once and nothing could be removed).
    evaluations : plans simulated by the search and the removal (each over its
        replications).
    removed : per interval, True where the removal pass took an agent away (and
        the confirmation after it kept the removal).
    one_fewer : per interval, the evidence for its last agent: the least
        confidence of the interval and its neighbours with one agent fewer, on
        the removal pass's own callers (common random numbers across its tries)
        at the confirmation's replications; below ``level`` means the agent is
        needed. NaN where the interval has no agent.
    """

    agents: IntArray
    searched: IntArray
    erlang: IntArray
    result: SimulationResult
    erlang_result: SimulationResult
    targets: Targets
    met: bool
    level: float
    confidence: FloatArray
    replications: IntArray
    uncertain: np.ndarray
    passes: int
    evaluations: int
    removed: np.ndarray
    one_fewer: FloatArray

    @property
    def difference(self) -> IntArray:
        """Agents per interval, simulation minus Erlang."""
        return self.agents - self.erlang

    def to_frame(self) -> pd.DataFrame:
        """Per interval: both plans, the difference, the confidence that the plan
        meets the targets, and what each plan achieves in simulation."""
        out = pd.DataFrame(
            {
                "erlang_agents": self.erlang,
                "agents": self.agents,
                "difference": self.difference,
                "confidence": self.confidence,
                "replications": self.replications,
                "uncertain": self.uncertain,
                "one_fewer_confidence": self.one_fewer,
                "removed": self.removed,
            },
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
                "least_confidence": float(np.min(self.confidence)),
                "uncertain_intervals": int(np.count_nonzero(self.uncertain)),
                "removed_agents": int(np.count_nonzero(self.removed)),
                "spare_last_agents": int(np.count_nonzero(self.one_fewer >= self.level)),
            }
        )


class _Search:
    """The state of one search: the plan, the replications in use and their replays."""

    def __init__(
        self,
        exp: Experiment,
        targets: Targets,
        engine: str,
        level: float,
        start: IntArray,
    ) -> None:
        self.exp = exp
        self.targets = targets
        self.engine = engine
        self.level = level
        self.plan = start.copy()
        self.slopes = np.full(len(start), np.nan)
        self.abandons = exp.patience is not None
        self.replays: list[Replay] = []
        self.evaluations = 0
        # The compiled engine and totals release the GIL: replications run side by side.
        self.pool = ThreadPoolExecutor(max_workers=workers())

    def __enter__(self) -> _Search:
        return self

    def __exit__(self, *exc: object) -> None:
        self.pool.shutdown()
        self.replays.clear()

    def _replay(self, r: int) -> Replay:
        while len(self.replays) <= r:
            callers = self.exp.callers(len(self.replays))
            self.replays.append(Replay(callers, len(self.exp.bounds) - 1))
        return self.replays[r]

    def scores_at(self, k: int, reps: IntArray) -> tuple[FloatArray, FloatArray, FloatArray]:
        """:func:`_scores` of intervals ``k - 1`` and ``k`` under the current plan, each
        judged on its first ``reps[j]`` replications (one entry when ``k`` is 0).

        Interval ``k``'s agents change what happens to the callers of ``k - 1``
        who are still waiting when it begins; earlier callers would have to
        wait over a whole interval (the confirmation sees them if they do).
        """
        return self.window(max(k - 1, 0), k, reps)

    def window(self, lo: int, hi: int, reps: IntArray) -> tuple[FloatArray, FloatArray, FloatArray]:
        """:func:`_scores` of intervals ``lo`` to ``hi`` under the current plan, each
        judged on its first ``reps[j]`` replications (callers who arrive after
        ``hi`` are not simulated: under FCFS they change nothing before)."""
        self.evaluations += 1
        exp, first = self.exp, self.exp.first
        day = exp.day(self.plan)
        count = int(reps[lo : hi + 1].max())
        if self.engine == "fast":
            replays = [self._replay(r) for r in range(count)]
            answer_time = self.targets.answer_time
            per_rep = list(
                self.pool.map(lambda replay: replay.totals(day, hi + first, answer_time), replays)
            )
            per_rep = [{key: t[key][first:] for key in TOTALS} for t in per_rep]
        else:  # the SimPy engine simulates the day so far from the start
            per_rep = [
                exp.totals(self.plan, self.engine, self.targets.answer_time, r, upto=hi)[0]
                for r in range(count)
            ]
        stacked = {key: np.stack([t[key][lo : hi + 1] for t in per_rep]) for key in TOTALS}
        metrics = metrics_from_totals(stacked, self.targets.sl_basis)
        size = hi + 1 - lo
        conf, gap, sem = np.empty(size), np.empty(size), np.empty(size)
        for j in range(size):
            some = {key: m[: reps[lo + j], j : j + 1] for key, m in metrics.items()}
            parts = _scores(some, self.targets, self.abandons)
            conf[j], gap[j], sem[j] = (float(part[0]) for part in parts)
        return conf, gap, sem

    def remove(self, reps: IntArray) -> tuple[np.ndarray, FloatArray]:
        """One agent fewer in each interval in turn, on this search's own callers (common
        random numbers, ``reps[j]`` replications for interval ``j``): kept where
        intervals ``k - 1`` to ``k + 1`` still meet the targets at the level (or, for
        one short already, lose nothing). Returns which intervals lost an agent, and
        per interval the least confidence of those three at one agent fewer (the
        evidence for its last agent; NaN where it has none)."""
        size = len(self.plan)
        removed = np.zeros(size, dtype=bool)
        fewer_conf = np.full(size, np.nan)
        for k in range(size):
            if self.plan[k] == 0:
                continue
            lo, hi = max(k - 1, 0), min(k + 1, size - 1)
            now = self.window(lo, hi, reps)[0]
            self.plan[k] -= 1
            fewer = self.window(lo, hi, reps)[0]
            fewer_conf[k] = float(fewer.min())
            if np.all((fewer >= self.level) | (fewer >= now)):
                removed[k] = True
            else:
                self.plan[k] += 1
        return removed, fewer_conf

    def interval(
        self, k: int, reps: IntArray, accepted: FloatArray, ceiling: int
    ) -> tuple[FloatArray, float]:
        """Fewest agents for interval ``k`` at ``reps[k]`` replications.

        Returns the confidence of intervals ``k - 1`` and ``k`` there, and
        that of interval ``k`` (with the one before, which it must not break)
        at one agent fewer (``nan`` where none fewer exists). Secant steps on the binding
        target's mean jump near the answer: with common random numbers the
        mean moves smoothly with the agents, and the answer is where it
        clears the limit by ``t`` standard errors. Single steps then make sure
        it is the fewest agents that reach ``level`` where one fewer does not.
        """
        protect = k > 0 and accepted[k - 1] >= self.level  # the one before met its targets
        goal = float(special.stdtrit(max(int(reps[k]) - 1, 1), self.level))
        seen: dict[int, tuple[float, float, float, FloatArray]] = {}

        def score(n: int) -> tuple[float, float, float, FloatArray]:
            if n not in seen:
                if n > ceiling:
                    label = self.exp.workload.labels[k]
                    raise InputError(
                        f"no staffing up to {ceiling} agents meets the targets in "
                        f"interval {label!r} in simulation"
                    )
                self.plan[k] = n
                conf, gap, sem = self.scores_at(k, reps)
                least = float(min(conf[-1], conf[0] if protect else 1.0))
                seen[n] = (least, float(gap[-1]), float(sem[-1]), conf)
            return seen[n]

        n = int(self.plan[k])
        prev: tuple[int, float] | None = None
        for _ in range(4):
            c, gap, sem, _ = score(n)
            if prev is None or not np.isfinite(gap):
                step = 1 if c < self.level else -1
            else:
                slope = (gap - prev[1]) / (n - prev[0])
                if not slope > 0 or not np.isfinite(slope):
                    break
                step = int(np.clip(np.ceil((goal * sem - gap) / slope), -16, 16))
            target = max(n + step, 0)
            if step == 0 or target in seen:
                break
            prev, n = (n, gap), target
        if score(n)[0] >= self.level:
            while n > 0 and score(n - 1)[0] >= self.level:
                n -= 1
        else:
            while score(n)[0] < self.level:
                n += 1
        self.plan[k] = n
        if n - 1 in seen:  # what one agent is worth here, in the binding metric
            self.slopes[k] = seen[n][1] - seen[n - 1][1]
        return score(n)[3], seen[n - 1][0] if n - 1 in seen else np.nan


def simulated_staffing(
    workload: pd.DataFrame | Mapping[str, ArrayLike],
    targets: Targets,
    *,
    engine: Engine = "auto",
    confidence: float = 0.95,
    max_replications: int | None = None,
    max_passes: int = 5,
    **day: Unpack[DayOptions],
) -> SimulatedStaffing:
    """Fewest agents per interval that meet ``targets`` in simulation, with confidence.

    ``workload``, ``engine`` and the day's options (``interval``, ``handle``,
    ``patience``, ``replications``, ``seed``, ``dispersion``, ``warmup``,
    ``close``: :class:`~planner.simulation.run.DayOptions`) are those of
    :func:`planner.simulate`; ``targets`` gives the service-level definition
    (``answer_time``, ``sl_basis``) and the targets, each about the
    expected value of an interval's metric. The search starts from
    :func:`planner.required_agents` with the mean handle time and (if given)
    the mean patience, and moves one agent at a time (see the module notes).

    Parameters
    ----------
    confidence : how sure each interval must be to meet its targets, in
        (0.5, 1): the one-sided confidence bound at this level must clear
        every target.
    max_replications : most replications spent on one interval whose
        decision is uncertain (default 8 x ``replications``, lowered to keep
        at most :data:`MAX_SEARCH_CALLERS` callers in memory).
    max_passes : independent simulations run to confirm the plan (>= 1, each
        with 4 x ``replications``, or the most an interval used); an interval
        short of ``confidence`` in one gets the agents its shortfall calls for
        before the next. The removal pass adds one or two more.
    replications : (a day option) replications every interval starts with.

    Notes
    -----
    The plan is as precise as its replications: one interval's simulated
    service level is noisy (at 85% occupancy, about +-0.08 over 30
    replications of a 30-minute interval, where one agent is worth about
    0.07), so an interval either gets more replications or keeps a margin.

    Examples
    --------
    >>> from planner import Lognormal
    >>> day = {"calls": [60, 120, 90], "aht": [240, 240, 240]}
    >>> plan = simulated_staffing(day, Targets(), interval=1800,
    ...                           handle=Lognormal(240, cv=0.5), seed=3)
    >>> plan.erlang.tolist(), plan.agents.tolist(), plan.met
    ([11, 20, 16], [11, 20, 16], True)
    >>> bool((plan.confidence >= 0.95).all())
    True
    """
    exp = Experiment.of(workload, day)
    if exp.returning:
        raise InputError(
            "simulated_staffing does not search with redials, repeat contacts or lines yet: "
            "staff with Erlang X (required_agents(..., model=ErlangX(...))) and check the "
            "plan with simulate"
        )
    mean_patience = None if exp.patience is None else exp.patience.mean
    erlang_model(mean_patience).check(targets)
    wl = exp.workload
    name = engine_name(engine)
    level = _scalar("confidence", confidence, v.positive)
    if not 0.5 < level < 1:
        raise InputError(f"'confidence' must be in (0.5, 1): {confidence!r}")
    max_passes = v.whole("max_passes", max_passes, 1)
    start_reps = exp.replications
    if max_replications is None:
        most = 4 * start_reps
        per_rep = max(float(exp._expected.sum()) * (1.0 + exp.dispersion), 1.0)
        most = max(start_reps, min(most, int(MAX_SEARCH_CALLERS // per_rep)))
    else:
        most = v.whole("max_replications", max_replications, start_reps)
    aht = wl.aht if wl.aht is not None else exp.handle.mean
    erlang = np.asarray(
        required_agents(wl.calls, aht, exp.interval, targets, model=erlang_model(mean_patience)),
        dtype=np.int64,
    ).reshape(-1)
    search = _Search(exp, targets, name, level, erlang)
    plan = search.plan
    k_all = len(plan)
    reps = np.full(k_all, start_reps, dtype=np.int64)
    accepted = np.zeros(k_all)
    uncertain = np.zeros(k_all, dtype=bool)
    # Enough agents for any target: every caller answered at once, occupancy met.
    ceiling = np.ceil(2 * erlang + 10 + (wl.calls * aht / exp.interval) * 2).astype(np.int64)
    passes = 0
    seen: list[tuple[IntArray, dict[str, FloatArray]]] = []  # each pass: plan, metrics

    def confirmed_now() -> tuple[SimulationResult, FloatArray, FloatArray, FloatArray]:
        """The plan on a fresh seed, and per interval the scores of every pass so far
        with its agents and no more beside it (their replications pooled)."""
        nonlocal passes
        passes += 1
        confirm.reseed(exp.child_seed(_CONFIRM_KEY, passes))
        (res,) = confirm.results([plan.copy()], name, targets.answer_time, targets.sl_basis)
        seen.append((plan.copy(), res.per_interval))
        conf, gap, sem = np.empty(k_all), np.empty(k_all), np.empty(k_all)
        for k in range(k_all):
            lo, hi = max(k - 1, 0), min(k + 2, k_all)
            # passes with this interval's agents and no more beside it than now: more
            # agents beside only help it, so those passes can only understate it
            alike = [m for p, m in seen if p[k] == plan[k] and np.all(p[lo:hi] <= plan[lo:hi])]
            pooled = {
                key: np.concatenate([m[key][:, k : k + 1] for m in alike]) for key in alike[0]
            }
            conf[k], gap[k], sem[k] = (
                float(x[0]) for x in _scores(pooled, targets, search.abandons)
            )
        return res, conf, gap, sem

    with search:  # its threads and replays are let go at the end
        for k in range(k_all):
            if k > 0 and erlang[k] > 0:
                # Neighbours need alike corrections: start from the one just found.
                plan[k] = max(1, erlang[k] + plan[k - 1] - erlang[k - 1])
            while True:
                conf_upto, below = search.interval(k, reps, accepted, int(ceiling[k]))
                # One agent fewer meets the targets on the mean, but not with confidence:
                # spend the replications that would tell, if they are few enough.
                df = max(int(reps[k]) - 1, 1)
                lean = float(special.stdtrit(df, min(max(below, 1e-6), 1 - 1e-6)))
                unsure = bool(0.5 < below < level)  # nan compares False
                need = np.ceil(reps[k] * (special.stdtrit(df, level) / lean) ** 2) if unsure else 0
                if unsure and need <= most:
                    reps[k] = min(max(int(need), 2 * reps[k]), most)
                    continue
                uncertain[k] = unsure
                break
            accepted[max(k - 1, 0) : k + 1] = conf_upto
        searched = plan.copy()
        # Confirmation: more replications than the search used, so that an interval
        # whose claim was right passes, and one the search's luck favoured does not.
        confirm = exp.drawn_again(max(4 * start_reps, int(reps.max())), (_CONFIRM_KEY, 0))
        goal = float(special.stdtrit(confirm.replications - 1, level))

        def short_of(conf: FloatArray, gap: FloatArray, sem: FloatArray) -> None:
            """Give the intervals short of the level the agents their shortfall calls for
            (at what one agent was worth in the search; one at least)."""
            short = conf < level
            with np.errstate(divide="ignore", invalid="ignore"):
                more = np.ceil((goal * sem - gap) / search.slopes)
            more = np.where(np.isfinite(more), np.clip(more, 1, 16), 1).astype(np.int64)
            plan[short] += more[short]

        # Every pass judges every interval on all the independent replications at its
        # staffing: one short gets agents, whatever an earlier pass alone said.
        result, conf, gap, sem = confirmed_now()
        while (conf < level).any() and passes < max_passes:
            short_of(conf, gap, sem)
            result, conf, gap, sem = confirmed_now()
        # Removal: an agent the targets can spare, tried interval by interval on callers
        # of their own (common random numbers across the tries, independent of the
        # search's and the passes'), as many replications as a confirmation; then
        # confirmed on a fresh seed, the agent given back where that falls short.
        kept = min(confirm.replications, max(most, start_reps))  # its callers stay in memory
        trial = exp.drawn_again(kept, (_REMOVAL_KEY,))
        with _Search(trial, targets, name, level, plan.copy()) as removal:
            removed, one_fewer = removal.remove(np.full(k_all, kept))
            search.evaluations += removal.evaluations
            plan[:] = removal.plan
        for _ in range(3 if removed.any() else 0):  # at most four passes more
            result, conf, gap, sem = confirmed_now()
            short = conf < level
            if not short.any():
                break
            near = short.copy()  # a short interval, or one beside it
            near[1:] |= short[:-1]
            near[:-1] |= short[1:]
            back = removed & near
            if back.any():
                plan[back] += 1
                removed &= ~back
            else:  # nothing to give back there: agents, as a confirmation pass adds them
                short_of(conf, gap, sem)
        else:
            if removed.any():
                result, conf, gap, sem = confirmed_now()
    # Erlang's plan on the last pass's callers (the seed sets them), for comparison
    (erlang_result,) = confirm.results([erlang], name, targets.answer_time, targets.sl_basis)
    return SimulatedStaffing(
        agents=plan,
        searched=searched,
        erlang=erlang,
        result=result,
        erlang_result=erlang_result,
        targets=targets,
        met=bool((conf >= level).all()),
        level=level,
        confidence=conf,
        replications=reps,
        uncertain=uncertain,
        passes=passes,
        evaluations=search.evaluations,
        removed=removed,
        one_fewer=one_fewer,
    )
