"""Many call types served by agent groups with overlapping skills, simulated.

A :class:`Center` is the call types (each its own queue, with its calls and
handle time per interval, its patience and its targets) and the agent groups
(each with the call types it takes, in its order of priority, its agents per
interval and, where they differ, its own handle times). :func:`simulate_center`
routes every call as an ACD does (see :mod:`planner.simulation.skills_engine`)
over ``replications`` days and reports per call type and per group, with
confidence intervals, and who answered what.

Common random numbers: call type ``k``'s callers come from the seed's
replication child, as :func:`planner.simulate` draws them, for the first type,
and from that child's ``3 + k``-th child for the others; a group's staffing or
skills never changes who calls. A one-type, one-group center is therefore
:func:`planner.simulate` call for call.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, cast

import numpy as np
import pandas as pd

from planner import _validate as v
from planner._validate import FloatArray, IntArray
from planner.errors import InputError
from planner.simulation.day import Callers, Day, draw_callers
from planner.simulation.distributions import Distribution, Exponential, as_distribution
from planner.simulation.outcomes import keyed_totals
from planner.simulation.results import SimulationResult, metrics_from_totals
from planner.simulation.run import Seed, check_seed, day_totals, workers
from planner.simulation.skills_engine import merge_order, run_skills
from planner.simulation.skills_simpy import run_skills_simpy
from planner.targets import SLBasis, Targets

__all__ = ["AgentGroup", "CallType", "Center", "CenterResult", "simulate_center"]


@dataclass(frozen=True)
class CallType:
    """One queue: ``calls`` offered per interval (expected; Poisson arrivals), ``aht``
    seconds (one, or one per interval), ``patience`` (a distribution, a mean in
    seconds for an exponential, or None: nobody hangs up), the ``handle`` time's
    shape (rescaled to the AHT; default exponential) and its ``targets``."""

    name: str
    calls: tuple[float, ...]
    aht: float | tuple[float, ...]
    patience: Distribution | float | None = None
    handle: Distribution | float | None = None
    targets: Targets = field(default_factory=Targets)

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise InputError(f"a call type's 'name' must be text: {self.name!r}")
        calls = v.nonnegative(f"call type {self.name!r}: calls", self.calls)
        if calls.ndim != 1 or calls.size == 0:
            raise InputError(f"call type {self.name!r}: 'calls' must be one number per interval")
        object.__setattr__(self, "calls", tuple(float(x) for x in calls))
        aht = v.positive(f"call type {self.name!r}: aht", self.aht)
        if aht.ndim == 0:
            object.__setattr__(self, "aht", float(aht))
        elif aht.shape == calls.shape:
            object.__setattr__(self, "aht", tuple(float(x) for x in aht))
        else:
            raise InputError(
                f"call type {self.name!r}: 'aht' must be one number or one per interval "
                f"({calls.size}): {aht.size} given"
            )
        if self.patience is not None:
            object.__setattr__(
                self, "patience", as_distribution(f"{self.name} patience", self.patience)
            )
        handle = Exponential(1.0) if self.handle is None else self.handle
        object.__setattr__(self, "handle", as_distribution(f"{self.name} handle", handle))
        if not isinstance(self.targets, Targets):
            raise InputError(f"call type {self.name!r}: 'targets' must be a Targets")

    def aht_per_interval(self) -> FloatArray:
        """Handle time per interval, seconds."""
        return np.broadcast_to(np.asarray(self.aht, dtype=np.float64), (len(self.calls),))


@dataclass(frozen=True)
class AgentGroup:
    """Agents with the same skills: the call types they take, first the one they take
    first (a list), or each with a priority (a mapping; lower first, ties go to the
    longest wait); ``agents`` on duty per interval (or one number for all); their own
    ``aht`` per call type where it differs from the type's (seconds); ``cost_per_hour``
    of one paid hour; ``overflow_after``: call types of its skills it takes only once
    a call has waited this long (seconds; the call then overflows to it)."""

    name: str
    skills: Sequence[str] | Mapping[str, int]
    agents: int | tuple[int, ...]
    aht: Mapping[str, float] = field(default_factory=dict)
    cost_per_hour: float | None = None
    overflow_after: Mapping[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise InputError(f"a group's 'name' must be text: {self.name!r}")
        skills = self.skills
        if isinstance(skills, str) or not isinstance(skills, Sequence | Mapping) or not skills:
            raise InputError(f"group {self.name!r}: 'skills' must name call types: {skills!r}")
        # a mapping; (type, priority) pairs, as kept here (so a copy reads back); or a list
        pairs = isinstance(skills, Mapping) or all(
            isinstance(x, tuple) and len(x) == 2 and isinstance(x[0], str) for x in skills
        )
        ranked = dict(skills) if pairs else {s: i for i, s in enumerate(skills)}  # type: ignore[arg-type]
        if not pairs and len(ranked) < len(skills):
            raise InputError(f"group {self.name!r}: a skill is named twice: {list(skills)!r}")
        for skill, priority in ranked.items():
            v.whole(f"group {self.name!r}: priority of {skill!r}", priority, 0)
        object.__setattr__(self, "skills", tuple(sorted(ranked.items(), key=lambda kv: kv[1])))
        if isinstance(self.agents, bool) or np.asarray(self.agents).dtype == bool:
            raise InputError(f"group {self.name!r}: 'agents' must be counts: {self.agents!r}")
        agents = v.count(f"group {self.name!r}: agents", self.agents)
        object.__setattr__(
            self, "agents", int(agents) if agents.ndim == 0 else tuple(int(x) for x in agents)
        )
        if not isinstance(self.aht, Mapping):
            raise InputError(f"group {self.name!r}: 'aht' maps call types to seconds")
        object.__setattr__(
            self, "aht",
            {k: float(v.single(f"group {self.name!r}: aht of {k!r}", x, v.positive))
             for k, x in self.aht.items()},
        )  # fmt: skip
        if not isinstance(self.overflow_after, Mapping):
            raise InputError(f"group {self.name!r}: 'overflow_after' maps call types to seconds")
        object.__setattr__(
            self, "overflow_after",
            {k: v.single(f"group {self.name!r}: overflow_after of {k!r}", x, v.nonnegative)
             for k, x in self.overflow_after.items()},
        )  # fmt: skip
        if self.cost_per_hour is not None:
            cost = v.single(
                f"group {self.name!r}: cost_per_hour", self.cost_per_hour, v.nonnegative
            )
            object.__setattr__(self, "cost_per_hour", cost)

    @property
    def priority(self) -> dict[str, int]:
        """Call type -> this group's priority for it (lower first)."""
        return dict(self.skills)  # type: ignore[arg-type]

    def agents_per_interval(self, intervals: int) -> IntArray:
        return v.plan(f"group {self.name!r}: agents", self.agents, intervals)


@dataclass(frozen=True)
class Center:
    """Call types and agent groups over intervals of ``interval`` seconds.

    A call of a type goes to the groups that take it in order of the priority
    they give it (then the order listed). Every call type must be taken by some
    group, every skill must be a call type, and every per-interval list must have
    one entry per interval.
    """

    call_types: tuple[CallType, ...]
    groups: tuple[AgentGroup, ...]
    interval: float

    def __post_init__(self) -> None:
        types, groups = tuple(self.call_types), tuple(self.groups)
        if not types or not all(isinstance(t, CallType) for t in types):
            raise InputError("a center needs call types (CallType)")
        if not groups or not all(isinstance(g, AgentGroup) for g in groups):
            raise InputError("a center needs agent groups (AgentGroup)")
        object.__setattr__(self, "call_types", types)
        object.__setattr__(self, "groups", groups)
        object.__setattr__(self, "interval", v.single("interval", self.interval, v.positive))
        for what, names in (("call type", [t.name for t in types]),
                            ("group", [g.name for g in groups])):  # fmt: skip
            twice = sorted({n for n in names if names.count(n) > 1})
            if twice:
                raise InputError(f"two {what}s are named {twice[0]!r}")
        known = {t.name for t in types}
        k = len(types[0].calls)
        for t in types:
            if len(t.calls) != k:
                raise InputError(
                    f"call type {t.name!r} has {len(t.calls)} intervals, {types[0].name!r} {k}"
                )
        for g in groups:
            unknown = sorted(set(g.priority) - known) + sorted(
                (set(g.aht) | set(g.overflow_after)) - set(g.priority)
            )
            if unknown:
                raise InputError(
                    f"group {g.name!r}: {unknown[0]!r} is not one of its call types "
                    f"({', '.join(sorted(g.priority))}) or not a call type ({', '.join(known)})"
                )
            g.agents_per_interval(k)
        for t in types:
            if not any(t.name in g.priority for g in groups):
                raise InputError(
                    f"call type {t.name!r}: no group takes it (give a group the skill)"
                )
            if all(g.overflow_after.get(t.name, 0.0) > 0 for g in groups if t.name in g.priority):
                raise InputError(
                    f"call type {t.name!r}: every group that takes it does so after a delay "
                    "(overflow_after); give one group the skill without a delay"
                )

    @property
    def intervals(self) -> int:
        return len(self.call_types[0].calls)

    def routing_order(self) -> list[list[int]]:
        """Per call type, the groups its calls go to, in turn."""
        return [
            sorted((g for g, grp in enumerate(self.groups) if t.name in grp.priority),
                   key=lambda g: (self.groups[g].priority[t.name], g))
            for t in self.call_types
        ]  # fmt: skip


@dataclass(frozen=True)
class CenterResult:
    """What :func:`simulate_center` found.

    ``call_types``: per call type, a :class:`~planner.SimulationResult` of its callers
    (``agents`` there: those of the groups that take it; occupancy is a group's
    figure and NaN here). ``groups``: per group, one of the calls it answered
    (``calls``, ``answered``, waits) with its ``occupancy``. ``routing``: calls
    answered per day, mean over replications, call types by groups.
    """

    call_types: dict[str, SimulationResult]
    groups: dict[str, SimulationResult]
    routing: pd.DataFrame
    replications: int
    seed: Any
    level: float


def _seed(root: np.random.SeedSequence, r: int, k: int) -> np.random.SeedSequence:
    """Call type ``k``'s callers in replication ``r`` (see the module notes)."""
    key = (*root.spawn_key, r) if k == 0 else (*root.spawn_key, r, 3 + k)
    return np.random.SeedSequence(root.entropy, spawn_key=key)


@dataclass(frozen=True)
class _Prepared:
    center: Center
    bounds: FloatArray
    agents: IntArray  # groups x (intervals + 1), the last column after the day
    rank: IntArray
    order: IntArray
    factor: FloatArray  # call types x groups x intervals
    serve_queue: bool
    delay: FloatArray  # groups x call types, seconds
    same_handle: bool = False  # no group has handle times of its own


def _prepare(center: Center, close: str) -> _Prepared:
    if close not in ("serve_queue", "stop"):
        raise InputError(f"'close' must be 'serve_queue' or 'stop': {close!r}")
    k = center.intervals
    bounds = center.interval * np.arange(k + 1, dtype=np.float64)
    agents = np.stack([g.agents_per_interval(k) for g in center.groups])
    after = agents[:, -1] if close == "serve_queue" else np.zeros(len(center.groups), np.int64)
    n_types, n_groups = len(center.call_types), len(center.groups)
    rank = np.full((n_groups, n_types), -1, dtype=np.int64)
    factor = np.ones((n_types, n_groups, k))
    delay = np.zeros((n_groups, n_types))
    for g, grp in enumerate(center.groups):
        for q, t in enumerate(center.call_types):
            if t.name in grp.priority:
                rank[g, q] = grp.priority[t.name]
                delay[g, q] = grp.overflow_after.get(t.name, 0.0)
            if t.name in grp.aht:
                factor[q, g] = grp.aht[t.name] / t.aht_per_interval()
    routes = center.routing_order()
    order = np.full((n_types, n_groups), -1, dtype=np.int64)
    for q, groups in enumerate(routes):
        order[q, : len(groups)] = groups
    return _Prepared(
        center, bounds, np.column_stack([agents, after]).astype(np.int64), rank, order, factor,
        close == "serve_queue", delay, bool((factor == 1.0).all()),
    )  # fmt: skip


def _callers(prep: _Prepared, root: np.random.SeedSequence, r: int) -> list[Callers]:
    k = prep.center.intervals
    day = Day(prep.bounds, np.zeros(k, dtype=np.int64), 0, prep.serve_queue)
    return [
        draw_callers(day, np.asarray(t.calls), t.aht_per_interval(), cast(Distribution, t.handle),
                     cast("Distribution | None", t.patience), 0.0, _seed(root, r, q))
        for q, t in enumerate(prep.center.call_types)
    ]  # fmt: skip


ENGINES: dict[str, Callable[..., tuple[FloatArray, IntArray, FloatArray]]] = {
    "fast": run_skills,
    "simpy": run_skills_simpy,
}


@dataclass(frozen=True)
class Merged:
    """Every call type's callers in one order of arrival, as the engines read them:
    contiguous ``cols`` (arrival, handle, gives_up_at, period), each caller's type
    ``queue``, and ``members[first_member[q]:first_member[q + 1]]`` the positions of
    type ``q``'s callers in order; ``order`` takes the types' callers, one type after
    another, to this order (ties: call type order, then arrival)."""

    cols: dict[str, np.ndarray]
    queue: IntArray
    members: IntArray
    first_member: IntArray
    order: IntArray

    @classmethod
    def of(cls, drawn: Sequence[Callers]) -> Merged:
        sizes = [len(c) for c in drawn]
        queue = np.repeat(np.arange(len(drawn), dtype=np.int64), sizes)
        first_member = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
        order = merge_order(np.concatenate([c.arrival for c in drawn]), first_member)
        cols = {
            name: np.ascontiguousarray(np.concatenate([getattr(c, name) for c in drawn])[order])
            for name in ("arrival", "handle", "gives_up_at", "period")
        }
        cols["period"] = cols["period"].astype(np.int64)
        queue = queue[order]
        members = np.empty(len(order), dtype=np.int64)
        members[order] = np.arange(len(order))  # the inverse of order
        return cls(cols, queue, members, first_member, order)

    def run(
        self, engine: str, factor: FloatArray, bounds: FloatArray, agents: IntArray,
        rank: IntArray, order: IntArray, delay: FloatArray,
    ) -> tuple[FloatArray, IntArray, FloatArray]:  # fmt: skip
        """The engine's answer times, groups (in this order) and overtime rows; ``bounds``
        without the ``inf`` the engines add after the last."""
        c = self.cols
        return ENGINES[engine](
            c["arrival"], c["handle"], c["gives_up_at"], self.queue, c["period"], self.members,
            self.first_member, factor, np.append(bounds, np.inf), agents, rank, order, delay,
        )  # fmt: skip


def _replication(
    prep: _Prepared,
    drawn: list[Callers],
    engine: str = "fast",
    with_groups: bool = True,
    merged: Merged | None = None,
) -> tuple[list[Any], list[Any], FloatArray]:
    """One day: per call type and, ``with_groups``, per group their totals and the
    routing counts (without: none, and zero counts; a staffing search needs neither).
    ``merged``: ``Merged.of(drawn)`` when the caller keeps it (a search's fixed days)."""
    merged = Merged.of(drawn) if merged is None else merged
    cols, queue = merged.cols, merged.queue
    start, by, over = merged.run(
        engine, prep.factor, prep.bounds, prep.agents, prep.rank, prep.order, prep.delay
    )
    over = over[over[:, 0] < prep.bounds[-1]]
    center = prep.center
    k = center.intervals
    types, groups = len(center.call_types), len(center.groups)
    everyone = Callers(cols["arrival"], cols["handle"], cols["gives_up_at"], cols["period"])
    day = Day(prep.bounds, np.zeros(k, dtype=np.int64), 0, prep.serve_queue)
    type_totals = keyed_totals(
        queue, types, everyone, start, np.zeros((0, 3)), day, np.zeros((types, k), np.int64),
        np.array([t.targets.answer_time for t in center.call_types]),
    )  # fmt: skip
    routing = np.zeros((types, groups))
    if not with_groups:
        return type_totals, [], routing
    served = by >= 0
    if not prep.same_handle:  # each group takes a call as long as its factor says
        took = np.zeros(len(start))
        took[served] = cols["handle"][served] * prep.factor[queue[served], by[served],
                                                            cols["period"][served]]  # fmt: skip
        everyone = Callers(everyone.arrival, took, everyone.gives_up_at, everyone.period)
    group_totals = keyed_totals(
        by, groups, everyone, start, over, day, prep.agents[:, :k], np.zeros(groups)
    )
    pairs = queue[served] * groups + by[served]
    routing += np.bincount(pairs, minlength=routing.size).reshape(routing.shape)
    return type_totals, group_totals, routing


def simulate_center(
    center: Center,
    *,
    replications: int = 20,
    seed: Seed | None = None,
    close: str = "serve_queue",
    level: float = 0.95,
    engine: str = "auto",
) -> CenterResult:
    """Simulate ``center`` ``replications`` times (see the module notes).

    ``close``: callers still waiting at the end of the last interval are answered by
    its agents (``"serve_queue"``) or left waiting (``"stop"``), as in
    :func:`planner.simulate`. Each call type's service level is within its own
    ``targets.answer_time``, on its ``targets.sl_basis`` (offered calls by default).
    ``engine``: ``"fast"`` (the compiled event loop; ``"auto"``) or ``"simpy"`` (the
    SimPy event model); both give every call the same fate.
    """
    if not isinstance(center, Center):
        raise InputError(f"'center' must be a Center: {center!r}")
    replications = v.whole("replications", replications, 1)
    level = v.single("level", level, v.fraction)
    if level >= 1:
        raise InputError(f"'level' must be in (0, 1): {level!r}")
    if engine not in ("auto", "fast", "simpy"):
        raise InputError(f"'engine' must be 'auto', 'fast' or 'simpy': {engine!r}")
    name = "simpy" if engine == "simpy" else "fast"
    prep = _prepare(center, close)
    root = check_seed(seed)

    def one(r: int) -> tuple[list[Any], list[Any], FloatArray]:
        return _replication(prep, _callers(prep, root, r), name)

    with ThreadPoolExecutor(max_workers=workers()) as pool:
        done = list(pool.map(one, range(replications)))
    k = center.intervals
    # what reproduces the run, as simulate keeps it: the entropy, or the child given
    shown: Seed = root if root.spawn_key else root.entropy  # type: ignore[assignment]

    def result(totals: list[dict[str, FloatArray]], agents: IntArray, answer_time: float,
               basis: SLBasis = "offered") -> SimulationResult:  # fmt: skip
        stacked = {name: np.stack([t[name] for t in totals]) for name in totals[0]}
        return SimulationResult(
            agents=agents, interval=center.interval, labels=list(range(k)),
            answer_time=answer_time, sl_basis=basis, replications=replications,
            seed=shown, engine=name, level=level,
            per_interval=metrics_from_totals(stacked, basis),
            per_day=metrics_from_totals(day_totals(stacked), basis),
        )  # fmt: skip

    types = {}
    for q, t in enumerate(center.call_types):
        serving = [g for g in range(len(center.groups)) if prep.rank[g, q] >= 0]
        agents = prep.agents[serving, :k].sum(axis=0)
        types[t.name] = result(
            [d[0][q] for d in done], agents, t.targets.answer_time, t.targets.sl_basis
        )
    groups = {
        grp.name: result([d[1][g] for d in done], prep.agents[g, :k], 0.0)
        for g, grp in enumerate(center.groups)
    }
    routing = pd.DataFrame(
        np.mean([d[2] for d in done], axis=0),
        index=pd.Index([t.name for t in center.call_types], name="call_type"),
        columns=pd.Index([g.name for g in center.groups], name="group"),
    )
    return CenterResult(types, groups, routing, replications, shown, level)
