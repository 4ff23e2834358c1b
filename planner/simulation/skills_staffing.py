"""Staffing per group and interval that meets every call type's targets in simulation.

The search (a local search on common random numbers, chosen for being plain to
check and to explain; the cutting-plane methods of Cezik & L'Ecuyer need many
more simulations per step):

1. **Start** from the skills cover (:func:`skill_cover`, an integer programme
   in the spirit of Bhulai, Koole & Pot's skill transfers): per interval, the
   least costly agents per group such that for every set of call types, the
   groups that take one of them have at least the agents that set needs as one
   Erlang pool. By Erlang, every staffing that meets the targets satisfies it,
   so the search starts from below, where pooling already shows (equal costs
   per hour: all agents in the groups with most skills). Started from the
   dedicated teams instead, the search
   found 1,639.5 / 2,367.5 / 654.5 agent hours on the bench's N-design, its
   5-type, 8-group center and the bundled bank, against 1,628.5 / 2,300 / 652
   from the cover, in 17 / 68 / 26 s against 7 / 52 / 21 s.
2. **Add**, on the search's callers: wherever a call type misses a target in an
   interval with the stated confidence (the one-sided t bound of
   :func:`~planner.interval_confidence` over the replications), one agent more
   for the cheapest group that takes it at once; again until none misses.
3. **Pool**, on the same callers (every try sees the same days, so one agent
   is not lost in noise): in each interval, three agents more in a group with
   several skills (a larger pool saves more than one agent at a time shows),
   then as many fewer in each other group that shares a skill with it
   (dearest first) as every type's targets allow with confidence; kept, and
   tried again, while the agents let go cost more than those added.
4. **Transfer**: one agent of a group to a group with more skills (at no more
   cost per hour) where every target still holds, so that the removals find
   what pooling saves.
5. **Remove**: in each interval, agents one at a time, dearest groups first,
   kept off while every target still holds with confidence. Steps 4 and 5
   repeat up to ``rounds`` times while they let someone go.
6. **Confirm** on callers from an independent seed, adding as in 2 where the
   search's luck showed too well; the confidence reported is this simulation's.

Steps 3 to 5 change one interval at a time, and a change reaches only that
interval and the next ones while the queues it left longer or shorter drain
(minutes, in any center: :data:`_SETTLE`, half an hour, is ample). Each of
their tries therefore simulates a window: the interval tried, the intervals
within half an hour after it (whose targets are checked too) and half an hour
before it to fill the queues, on the search's callers of that window. A try
costs a window, not a day (a tenth of a day of 48 half hours), and the days
saved buy more of them: the per-interval margin a confidence bound keeps
shrinks with the square root of the days. Steps 2 and 6 simulate whole days.

Occupancy is a group's figure, not a call type's: a ``max_occupancy`` on a call
type is refused.
"""

from __future__ import annotations

import dataclasses
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import Bounds, LinearConstraint, milp

from planner import _validate as v
from planner._validate import FloatArray, IntArray
from planner.errors import InputError
from planner.report import hours
from planner.simulation.day import Callers
from planner.simulation.results import metrics_from_totals
from planner.simulation.run import Seed, check_seed, workers
from planner.simulation.search import interval_confidence
from planner.simulation.skills import (
    Center,
    Merged,
    _callers,
    _prepare,
    _Prepared,
    _replication,
)
from planner.simulation.skills_bounds import pooled_agents, staffing_bounds

__all__ = ["CenterStaffing", "staff_center"]

# Spawn keys of the search's and the confirmation's callers, past any replication's.
_SEARCH, _CONFIRM = 1_000_000, 1_000_001


@dataclass(frozen=True)
class CenterStaffing:
    """What :func:`staff_center` found.

    ``agents``: one row per interval, one column per group. ``confidence``: per
    call type (rows) and interval, the confidence that it meets its targets, from
    the confirmation's independent simulation. ``agent_hours`` and ``cost`` (at
    each group's ``cost_per_hour``; None when a group has none) of the staffing;
    ``bounds``: :func:`~planner.staffing_bounds` of the center; ``met``: whether
    every type met its targets with the stated confidence in every interval.
    """

    agents: pd.DataFrame
    confidence: pd.DataFrame
    agent_hours: float
    cost: float | None
    bounds: pd.DataFrame
    met: bool
    replications: int
    seed: Any
    evaluations: int

    def applied(self, center: Center) -> Center:
        """``center`` with this staffing's agents per interval in each of its groups."""
        groups = tuple(
            dataclasses.replace(g, agents=tuple(int(x) for x in self.agents[g.name]))
            for g in center.groups
        )
        return Center(center.call_types, groups, center.interval)


# Seconds a staffing change is followed after its interval, and simulated before it
# to fill the queues: the queues of a center forget their past within minutes.
_SETTLE = 1800.0
# Windows of callers kept at once (the search goes interval by interval).
_WINDOWS = 16
# Agents the pooling step adds to a group at once (measured on the bench's centers
# and the bundled bank: 3 finds 1-4% fewer agent hours than 1, in 1.3-1.4 times the
# time; 2 finds less than 3, and 4 about as much: more on the bank, less on the
# N-design).
_POOL = 3
# Call types up to which the cover's constraints are every subset of them (2^types - 1).
_EVERY_SUBSET = 8


def _subsets(center: Center) -> list[tuple[int, ...]]:
    """The sets of call types whose pools the cover asks for: every non-empty subset
    (up to :data:`_EVERY_SUBSET` types), else each type, each group's skills and all."""
    n = len(center.call_types)
    if n <= _EVERY_SUBSET:
        return [tuple(q for q in range(n) if m >> q & 1) for m in range(1, 1 << n)]
    names = [t.name for t in center.call_types]
    sets = {(q,) for q in range(n)} | {tuple(range(n))}
    sets |= {tuple(sorted(names.index(x) for x in g.priority)) for g in center.groups}
    return sorted(sets)


def skill_cover(center: Center, rate: FloatArray) -> IntArray:
    """The least costly agents per group (rows) and interval such that, for every set of
    call types :func:`_subsets` gives, the agents of the groups that take one of them at
    least number what the set needs as one pool (:func:`pooled_agents`): a necessary
    condition of any staffing meeting every target, so a lower bound by Erlang, and the
    search's start. One small integer programme per interval (HiGHS); among staffings of
    equal cost, agents with more skills."""
    names = [t.name for t in center.call_types]
    sets = _subsets(center)
    need = np.stack([pooled_agents(center, s) for s in sets])  # sets x intervals
    touch = np.array(
        [[float(any(names[q] in g.priority for q in s)) for g in center.groups] for s in sets]
    )
    skills = np.array([len(g.priority) for g in center.groups], dtype=np.float64)
    cost = rate * (1.0 - 1e-6 * skills / skills.max())
    out = np.zeros((len(center.groups), center.intervals), dtype=np.int64)
    for i in range(center.intervals):
        if not need[:, i].any():
            continue
        res = milp(cost, constraints=LinearConstraint(touch, lb=need[:, i]),
                   integrality=np.ones(len(cost)), bounds=Bounds(0, np.inf))  # fmt: skip
        if res.x is None:  # pragma: no cover - every set is taken by some group
            raise InputError(f"no staffing covers interval {i}: {res.message}")
        out[:, i] = np.round(res.x).astype(np.int64)
    return out


def _cut(c: Callers, a: int, b: int, shift: float) -> Callers:
    """The callers of periods ``a`` to ``b - 1``, on a clock starting ``shift`` s later."""
    m = (c.period >= a) & (c.period < b)
    return Callers(c.arrival[m] - shift, c.handle[m], c.gives_up_at[m] - shift, c.period[m] - a)


def _slice(center: Center, a: int, b: int) -> Center:
    """The center over intervals ``a`` to ``b - 1`` (groups' agents left at 0)."""
    types = tuple(
        dataclasses.replace(t, calls=t.calls[a:b],
                            aht=t.aht if isinstance(t.aht, float) else t.aht[a:b])
        for t in center.call_types
    )  # fmt: skip
    groups = tuple(dataclasses.replace(g, agents=0) for g in center.groups)
    return Center(types, groups, center.interval)


class _Judge:
    """Confidence per call type and interval of a staffing, on fixed callers: over the
    whole day, or over a window round one interval (:meth:`near`)."""

    def __init__(
        self, prep: _Prepared, drawn: list[list[Callers]], level: float, pool: ThreadPoolExecutor
    ) -> None:
        self.prep, self.drawn, self.level, self.pool = prep, drawn, level, pool
        self.count = 0
        self.reach = max(1, int(np.ceil(_SETTLE / prep.center.interval)))
        self.merged = [Merged.of(d) for d in drawn]
        self.windows: dict[tuple[int, int], tuple[_Prepared, list[list[Callers]], list[Merged]]]
        self.windows = {}

    def __call__(self, agents: IntArray) -> FloatArray:
        """Per call type and interval of the day."""
        return self._confidence(self.prep, self.drawn, self.merged, agents, 0)

    def near(self, agents: IntArray, at: int) -> FloatArray:
        """Per call type, for interval ``at`` and the next ones a change at ``at`` can
        reach (:data:`_SETTLE`), simulated from empty ``reach`` intervals before it: the
        callers of that window only, so a try costs a fraction of a day."""
        k = self.prep.center.intervals
        a, b = max(0, at - self.reach), min(k, at + self.reach + 1)
        if (a, b) not in self.windows:
            if len(self.windows) >= _WINDOWS:
                self.windows.pop(next(iter(self.windows)))
            shift = float(self.prep.bounds[a])
            self.windows[a, b] = (
                _prepare(
                    _slice(self.prep.center, a, b),
                    "stop" if b == k and not self.prep.serve_queue else "serve_queue",
                ),
                drawn := [[_cut(c, a, b, shift) for c in day] for day in self.drawn],
                [Merged.of(d) for d in drawn],
            )
        return self._confidence(*self.windows[a, b], agents, a)[:, at - a :]

    def _confidence(
        self,
        prep: _Prepared,
        drawn: list[list[Callers]],
        merged: list[Merged],
        agents: IntArray,
        a: int,
    ) -> FloatArray:
        """On ``prep``'s intervals, from ``a`` in the day; after them, the next interval's
        agents (or, at the day's end, the day's rule)."""
        self.count += 1
        b = a + prep.center.intervals
        day = self.prep
        if b < day.center.intervals:
            after = agents[:, b]
        else:
            after = agents[:, -1] if day.serve_queue else np.zeros(len(agents), dtype=np.int64)
        trial = dataclasses.replace(
            prep, agents=np.column_stack([agents[:, a:b], after]).astype(np.int64)
        )
        done = list(
            self.pool.map(
                lambda d, m: _replication(trial, d, with_groups=False, merged=m)[0], drawn, merged
            )
        )
        out = []
        for q, t in enumerate(prep.center.call_types):
            stacked = {name: np.stack([d[q][name] for d in done]) for name in done[0][q]}
            metrics = metrics_from_totals(stacked, t.targets.sl_basis)
            out.append(interval_confidence(metrics, t.targets, abandons=t.patience is not None))
        return np.array(out)


def _add_until_met(
    agents: IntArray, judge: _Judge, cheapest: list[int], rounds: int
) -> tuple[IntArray, FloatArray]:
    """One agent more for the cheapest group of each type short in an interval, until
    none is; the staffing and its confidence."""
    for _ in range(rounds):
        conf = judge(agents)
        short = conf < judge.level
        if not short.any():
            return agents, conf
        for q, k in zip(*np.nonzero(short), strict=True):
            agents[cheapest[q], k] += 1
        if agents.max() > v.MAX_AGENTS:
            break
    raise InputError(
        f"no staffing found within {rounds} rounds of adding agents: check the targets "
        "(a service level near 1, an abandonment cap near 0?)"
    )


def _improve(agents: IntArray, judge: _Judge, rate: FloatArray, rounds: int) -> None:
    """Steps 3 to 5 of the module notes, in place; each try is judged on the window
    round the interval it changes (:meth:`_Judge.near`)."""
    center = judge.prep.center
    n_groups, k = agents.shape

    def meets(i: int) -> bool:
        return bool((judge.near(agents, i) >= judge.level).all())

    # pool: a few agents more in a group of several skills (a larger pool saves more
    # than one agent at a time shows), where that lets agents of other groups go
    # whose hours cost more than theirs; again while it does
    several = [g for g, grp in enumerate(center.groups) if len(grp.priority) > 1]
    skills = [set(grp.priority) for grp in center.groups]
    dearest = sorted(range(n_groups), key=lambda g: -rate[g])
    for i in range(k):
        for h in several:
            saved = True
            while saved:
                agents[h, i] += _POOL
                gone = []
                for g in dearest:  # those it can stand in for, in part at least
                    if g == h or not skills[g] & skills[h]:
                        continue
                    while agents[g, i] > 0:
                        agents[g, i] -= 1
                        if not meets(i):
                            agents[g, i] += 1
                            break
                        gone.append(g)
                saved = rate[gone].sum() > _POOL * rate[h]
                if not saved:  # as it was
                    agents[h, i] -= _POOL
                    for g in gone:
                        agents[g, i] += 1
    for _ in range(rounds):  # until a round lets nobody go
        before = agents.sum()
        for i in range(k):
            # transfer: one agent of a group with fewer skills to one with more, where
            # that costs no more and every target still holds (it lets the removals
            # find what pooling saves)
            for h in several:
                for g in dearest:
                    if (
                        g == h
                        or agents[g, i] == 0
                        or rate[h] > rate[g]
                        or not skills[g] < skills[h]
                    ):
                        continue
                    agents[g, i] -= 1
                    agents[h, i] += 1
                    if not meets(i):
                        agents[g, i] += 1
                        agents[h, i] -= 1
            # remove: dearest groups first
            for g in dearest:
                while agents[g, i] > 0:
                    agents[g, i] -= 1
                    if not meets(i):
                        agents[g, i] += 1
                        break
        if agents.sum() == before:
            break


def staff_center(
    center: Center,
    *,
    replications: int = 100,
    seed: Seed | None = None,
    confidence: float = 0.95,
    close: str = "serve_queue",
    max_rounds: int = 200,
    rounds: int = 1,
) -> CenterStaffing:
    """The least costly staffing per group and interval found to meet every call type's
    targets in simulation (see the module notes), on ``replications`` days (more days,
    a smaller margin: on the bench's N-design 1,628.5 agent hours with 100 days in 7 s,
    between the Erlang bounds 1,663.5 and 1,593); ``rounds`` of transfers and removals
    (a second round found 0.5 / 2 / 0 agent hours less on the bench's centers and the
    bundled bank, in 1.3 / 1.2 / 1.0 times the time)."""
    if not isinstance(center, Center):
        raise InputError(f"'center' must be a Center: {center!r}")
    replications = v.whole("replications", replications, 2, 10_000)
    rounds = v.whole("rounds", rounds, 0, 20)
    level = v.single("confidence", confidence, v.fraction)
    if not 0.5 <= level < 1:
        raise InputError(f"'confidence' must be in [0.5, 1): {confidence!r}")
    for t in center.call_types:
        if t.targets.max_occupancy is not None:
            raise InputError(
                f"call type {t.name!r}: occupancy is a group's figure, not a call type's; "
                "leave max_occupancy out of its targets"
            )
    prep = _prepare(center, close)
    root = check_seed(seed)
    rate = np.array([1.0 if g.cost_per_hour is None else g.cost_per_hour for g in center.groups])
    # per type, the groups that take it at once, cheapest first (then routing order)
    routes = center.routing_order()
    cheapest = []
    for q, groups in enumerate(routes):
        now = [g for g in groups if prep.delay[g, q] == 0]
        cheapest.append(min(now, key=lambda g: (rate[g], now.index(g))))
    bounds = staffing_bounds(center)
    agents = skill_cover(center, rate)

    def callers(key: int) -> list[list[Callers]]:
        child = np.random.SeedSequence(root.entropy, spawn_key=(*root.spawn_key, key))
        return [_callers(prep, child, r) for r in range(replications)]

    with ThreadPoolExecutor(max_workers=workers()) as pool:
        judge = _Judge(prep, callers(_SEARCH), level, pool)
        agents, conf = _add_until_met(agents, judge, cheapest, max_rounds)
        _improve(agents, judge, rate, rounds)
        confirm = _Judge(prep, callers(_CONFIRM), level, pool)
        agents, conf = _add_until_met(agents, confirm, cheapest, max_rounds)
    step = center.interval
    group_hours = np.array([hours(a, step) for a in agents])
    costed = all(g.cost_per_hour is not None for g in center.groups)
    return CenterStaffing(
        agents=pd.DataFrame(agents.T, columns=[g.name for g in center.groups]).rename_axis(
            "interval"
        ),
        confidence=pd.DataFrame(conf, index=[t.name for t in center.call_types]),
        agent_hours=float(group_hours.sum()),
        cost=float(group_hours @ rate) if costed else None,
        bounds=bounds,
        met=bool((conf >= level).all()),
        replications=replications,
        seed=root if root.spawn_key else root.entropy,
        evaluations=judge.count + confirm.count,
    )
