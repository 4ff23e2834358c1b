"""Deferred work (email, back office): items that may wait hours but carry a
response-time promise, e.g. 90% taken up within 4 business hours.

The model
---------
Items arrive at random (Poisson) at each interval's rate, day and night;
``agents[t]`` agents work them in interval ``t`` (nobody while closed), one
item at a time, each taking an exponential handle time of mean ``aht``.
Items wait first in, first out, and never leave; the backlog carries from one
interval to the next, overnight too. The horizon (a day or a week) runs
``warmup`` times first, from ``backlog`` items waiting, so that its start
carries what a repeat leaves (last night's, last weekend's items); the items
of its last intervals are followed into the next repeat.

An item is on time when an agent takes it up within ``deadline`` seconds of
its arrival, counted in open hours only (``clock="business"``, the default: an
item that arrives at night is due ``deadline`` open seconds after the
opening) or on the calendar (``clock="calendar"``).

It is solved exactly up to a fine split of the interval. The number of items
in the system is a birth-death chain carried through each interval by
uniformization. An arriving item finds ``r`` items ahead of it; while it
waits every agent is busy with one of them, so they leave at rate
``agents / aht``, and the item is taken up once fewer than ``agents`` are
ahead. Items arriving in one of ``blocks`` equal parts of an interval are
followed together to their deadline (the part's middle sets the deadline).
Agents going off duty are chosen as :func:`~planner.simulate` chooses them
(spread over the agents ranked idle first, busy ones by when they took their
item up, never by when it will end, so those who stay keep exponential handle
times) and finish the item in hand off the plan, as there.

Staffing (:func:`required_deferred_agents`) goes through the warm-up and the
horizon in time order and staffs each interval with the fewest agents such
that every item waiting then, and every item arriving in it, would meet the
target if that many stayed on duty until its deadline: a backlog is worked
off at an even pace, not at the last moment. The last interval before an
item's deadline is checked exactly. The plan is then run as it stands (the
warm-up too) and an agent added before the deadline of any interval whose
items would miss, until none do; a plan that cannot finish a horizon's items
within a horizon first gets agents where the load per agent is highest.
One agent fewer in an interval, kept until the deadlines of the items then in
hand, misses the target; with more agents planned later in that window it may
not (the rule does not count on them): ``minimal=True`` then takes away every
agent the target can spare.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from planner import _validate as v
from planner._deferred_chain import Interval, RoomError, Run, Timeline, finished_leaving
from planner._validate import FloatArray, IntArray
from planner.errors import InputError
from planner.staffing import fewest, scheduled

__all__ = [
    "deferred",
    "deferred_requirements",
    "required_deferred_agents",
]

Clock = Literal["business", "calendar"]
# Items in the system the chain is solved for, at most (it grows as needed).
MAX_ITEMS = 200_000
# The chain's work on one pass over the horizon, at most: states x uniformized steps.
# Measured on a 2-core machine: one interval of 3,000 items (1 h deadline) 6.1e8, staffed
# in 4 s; a week of 15,800 emails (4 h deadline) 1.4e9 in 11 s, of 23,700 3.1e9 in 16 s;
# one interval of 6,000 items 2.4e9 in 22 s. Past it the work grows to minutes and hours
# (15,000 items in one interval: 8.4e9; the utility's calls as items: 1.2e11), so it is
# refused up front.
MAX_WORK = 4e9
_COLUMNS = (
    "items", "agents", "open", "on_time", "backlog", "backlog_p90", "handled", "occupancy",
)  # fmt: skip


# -- checks --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Work:
    """Checked inputs of one deferred-work problem."""

    items: FloatArray
    aht: FloatArray
    interval: float
    deadline: float
    open: np.ndarray
    clock: Clock
    parts: int
    backlog: int
    warmup: int

    def run(self, size: int) -> Run:
        """A run at the start of the first repeat, ``backlog`` items waiting."""
        tl = self.timeline(self.warmup + self.cycles_for_deadline() + 3)
        return Run(tl, self.aht, self.parts, size, self.backlog)

    def timeline(self, cycles: int) -> Timeline:
        per_agent = np.where(self.open, self.interval / self.aht, 0.0)
        counted = (
            np.where(self.open, self.interval, 0.0)
            if self.clock == "business"
            else np.full(self.items.size, self.interval)
        )
        return Timeline(self.interval, self.items, per_agent, counted, self.deadline, cycles)

    def first_size(self) -> int:
        """Room for the backlog a plan meeting its deadlines leaves: about the items of
        the longest stretch from an arrival to its deadline, with a margin."""
        tl = self.timeline(self.cycles_for_deadline() + 2)
        x = np.arange(self.items.size) * self.interval
        reach = float(np.max(tl.due(x) - x))
        span = int(np.ceil(reach / self.interval)) + 1
        window = np.convolve(np.tile(self.items, 2 + span // self.items.size), np.ones(span))
        most = float(window.max())
        return int(min(1.5 * most + 10 * np.sqrt(most) + 64 + self.backlog, MAX_ITEMS))

    def work(self) -> float:
        """The chain's work on one pass over the horizon (states x uniformized steps,
        about): the room for the backlog times each interval's arrivals and as many
        finished items, over the repeats solved."""
        cycles = self.warmup + self.cycles_for_deadline() + 3
        return self.first_size() * 2.0 * float(self.items.sum()) * cycles

    def cycles_for_deadline(self) -> int:
        counted = self.interval * (self.open.sum() if self.clock == "business" else self.open.size)
        return int(np.ceil(self.deadline / counted)) + 1


def check_work(
    items: ArrayLike,
    aht: ArrayLike,
    interval: float,
    deadline: float,
    open_intervals: ArrayLike | None,
    clock: str,
    parts: int,
    backlog: int = 0,
    warmup: int = 1,
) -> _Work:
    counts = np.atleast_1d(v.nonnegative("items", items)).astype(np.float64)
    if counts.ndim != 1:
        raise InputError("'items' must be one number per interval")
    seconds = v.single("interval", interval, v.positive)
    handle = np.atleast_1d(v.positive("aht", aht)).astype(np.float64)
    if handle.size == 1:
        handle = np.full(counts.size, handle[0])
    elif handle.shape != counts.shape:
        raise InputError(
            f"'aht' must be one number or one per interval ({counts.size}): {handle.size} given"
        )
    due = v.single("deadline", deadline, v.positive)
    if due < seconds:
        raise InputError(
            f"'deadline' ({due:g} s) is shorter than the interval ({seconds:g} s): "
            "deferred work is planned interval by interval; use the call formulas for "
            "answers within minutes"
        )
    if open_intervals is None:
        opened = np.ones(counts.size, dtype=bool)
    else:
        raw = np.atleast_1d(np.asarray(open_intervals))
        if raw.shape != counts.shape or not np.isin(raw, [0, 1, True, False]).all():
            raise InputError(
                f"'open_intervals' must be True or False for each of the {counts.size} intervals"
            )
        opened = raw.astype(bool)
    if not opened.any():
        raise InputError("no interval is open: nobody would ever work the items")
    if clock not in ("business", "calendar"):
        raise InputError(f"'clock' must be 'business' or 'calendar': {clock!r}")
    parts = v.whole("blocks", parts, 1, 60)
    backlog = v.whole("backlog", backlog, 0, MAX_ITEMS // 2)
    warmup = v.whole("warmup", warmup, 0, 20)
    work = _Work(
        counts,
        handle,
        seconds,
        due,
        opened,
        clock,  # type: ignore[arg-type]
        int(parts),
        int(backlog),
        int(warmup),  # type: ignore[arg-type]
    )
    if work.work() > MAX_WORK:
        raise InputError(
            f"{counts.sum():,.0f} items with a {due / 3600:g} h deadline are too many for the "
            f"exact backlog model: about {work.work():.2g} state-steps a pass over the "
            f"horizon, at most {MAX_WORK:.2g} (minutes to hours of solving). Split the items "
            "between teams, or shorten the deadline"
        )
    return work


# -- one plan ------------------------------------------------------------------------------


def _reachable(work: _Work, target: float) -> None:
    """An InputError naming the first interval whose items the team, closed until
    after their deadline, could not take up in time often enough for ``target``."""
    tl = work.timeline(work.cycles_for_deadline() + 2)
    parts = (np.arange(work.parts) + 0.5) / work.parts
    for t in np.flatnonzero(work.items > 0):
        x = (t + parts) * work.interval
        served = tl.work(tl.due(x)) - tl.work(x) > 0
        if served.mean() < target:
            raise InputError(
                f"items arriving in interval {t} are due before the team opens again: "
                f"no staffing takes up {target:.0%} of them within the deadline (a longer "
                "deadline, longer opening hours, or clock='business')"
            )


def _warmed(work: _Work, plan: IntArray, size: int) -> tuple[Run, int]:
    """A run after ``warmup`` repeats of ``plan`` (and the first global interval after)."""
    run = work.run(size)
    periods = work.items.size
    for g in range(work.warmup * periods):
        run.commit(g, run.through(g, int(plan[g % periods])))
    return run, work.warmup * periods


def _capacity(work: _Work, plan: IntArray) -> float:
    """Items ``plan`` finishes in a repeat of the horizon, busy all the time."""
    return float(np.sum(np.where(work.open, plan, 0) * work.interval / work.aht))


def _keeps_up(work: _Work, plan: IntArray) -> None:
    """An InputError when the plan cannot finish a horizon's items in a horizon."""
    capacity = _capacity(work, plan)
    if capacity <= float(work.items.sum()) and work.items.any():
        raise InputError(
            f"the plan finishes at most {capacity:,.1f} items per repeat of the horizon, "
            f"fewer than the {float(work.items.sum()):,.1f} that arrive: the backlog would "
            "grow without end; add agents"
        )


def _report(work: _Work, plan: IntArray, size: int) -> pd.DataFrame:
    run, first = _warmed(work, plan, size)
    periods = work.items.size
    rows = []
    ends: list[FloatArray] = []
    n = np.arange(size + 1)
    for t in range(periods):
        g = first + t
        step = run.through(g, int(plan[t]))
        waiting = np.maximum(n - step.agents, 0)
        cdf = np.cumsum(step.end)
        busy = float(step.blocks[-1] @ np.minimum(n, step.agents))
        ends.append(step.end)
        rows.append(
            {
                "backlog": float(step.end @ waiting),
                "backlog_p90": float(waiting[int(np.searchsorted(cdf, 0.9))]),
                "handled": busy * work.interval / work.aht[t],
                "occupancy": busy / step.agents if step.agents else 0.0,
            }
        )
        run.commit(g, step)
    for t in range(periods):  # items finished by agents going off duty count where they end
        p_end = ends[t]
        rows[t]["handled"] += finished_leaving(p_end, int(plan[t]), int(plan[(t + 1) % periods]))
    g = first + periods
    while any(run.share(first + t) is None for t in range(periods)):
        run.commit(g, run.through(g, int(plan[g % periods])))
        g += 1
    out = pd.DataFrame(rows)
    out.insert(0, "items", work.items)
    out.insert(1, "agents", plan)
    out.insert(2, "open", work.open)
    out.insert(3, "on_time", [run.share(first + t) for t in range(periods)])
    out.loc[out["items"] == 0, "on_time"] = np.nan
    return out[list(_COLUMNS)]


def _meets(work: _Work, plan: IntArray, target: float, size: int) -> bool:
    """Does ``plan`` give every interval's items ``target`` (as :func:`deferred` runs it)?
    Stops at the first interval that misses."""
    run, first = _warmed(work, plan, size)
    periods = work.items.size
    waiting = [a for a in range(first, first + periods) if work.items[a - first] > 0]
    g = first
    while waiting:
        run.commit(g, run.through(g, int(plan[g % periods])))
        g += 1
        while waiting and (share := run.share(waiting[0])) is not None:
            if share < target:
                return False
            waiting.pop(0)
    return True


def _trimmed(work: _Work, plan: IntArray, target: float, size: int) -> IntArray:
    """``plan`` less every agent it can spare: one at a time, in time order, while every
    interval's items still meet ``target``, until none can go."""
    out = plan.copy()
    changed = True
    while changed:
        changed = False
        for t in np.flatnonzero(out > 0):
            out[t] -= 1
            room = _capacity(work, out) > work.items.sum() or not work.items.any()
            if room and _meets(work, out, target, size):
                changed = True
            else:
                out[t] += 1
    return out


def _grown(solve: Callable[[int], Any], size: int) -> Any:
    """``solve(size)``, doubling the chain's room until nothing overflows it."""
    while True:
        try:
            return solve(size)
        except RoomError:
            if size >= MAX_ITEMS:
                raise InputError(
                    f"the backlog would pass {MAX_ITEMS:,} items: add agents or shorten the "
                    "closed hours"
                ) from None
            size = min(2 * size, MAX_ITEMS)


def deferred(
    items: ArrayLike,
    agents: ArrayLike,
    aht: ArrayLike,
    interval: float,
    deadline: float,
    *,
    open_intervals: ArrayLike | None = None,
    clock: Clock = "business",
    blocks: int = 4,
    backlog: int = 0,
    warmup: int = 1,
) -> pd.DataFrame:
    """The service a plan gives deferred work, interval by interval (see the module notes).

    Parameters
    ----------
    items : items arriving per interval (emails, cases), the horizon's intervals.
    agents : agents working them per interval (whole numbers; none while closed).
    aht : seconds per item, one number or one per interval.
    interval : interval length, seconds.
    deadline : the promise, seconds (>= the interval), counted by ``clock``.
    open_intervals : True for each interval the team works (default: all).
    clock : ``"business"`` (only open intervals count toward the deadline) or
        ``"calendar"``.
    blocks : parts of an interval whose items are followed together (more is finer).
    backlog : items waiting when the first warm-up repeat starts.
    warmup : repeats of the horizon under the plan before the one reported, so its
        start carries the backlog a repeat leaves (nights, weekends); the items of
        its last intervals are followed into the next repeat.

    Returns
    -------
    One row per interval: ``items``, ``agents``, ``open``, ``on_time`` (share of the
    interval's items taken up by their deadline; NaN with no items), ``backlog``
    (mean items waiting at the interval's end), ``backlog_p90`` (its 90th
    percentile), ``handled`` (mean items finished in it) and ``occupancy``.

    Examples
    --------
    >>> day = deferred([30, 30, 30, 30], 3, 120, 1800, 3600)
    >>> round(float(day["occupancy"].mean()), 2), bool(day["on_time"].min() > 0.8)
    (0.67, True)
    """
    work = check_work(
        items, aht, interval, deadline, open_intervals, clock, blocks, backlog, warmup
    )
    plan = v.plan("agents", agents, work.items.size)
    if np.any(plan[~work.open] > 0):
        t = int(np.argmax((plan > 0) & ~work.open))
        raise InputError(f"'agents' must be 0 while closed: {int(plan[t])} at interval {t}")
    _keeps_up(work, plan)
    return _grown(lambda size: _report(work, plan, size), work.first_size())


# -- staffing ------------------------------------------------------------------------------


def _fewest_now(run: Run, g: int, guess: int, target: float) -> Interval:
    """The fewest agents in interval ``g`` meeting the rolling check (from ``guess``), by
    the one staffing search (:func:`planner.staffing.fewest`)."""
    cache: dict[int, tuple[Interval, bool]] = {}

    def test(n: int) -> bool:
        if n not in cache:
            step = run.through(g, n)
            cache[n] = (step, run.meets(g, step, target))
        return cache[n][1]

    cap = run.size + 1  # every item ahead taken up at once
    n = fewest(test, min(max(guess, 0), cap), lowest=0, cap=cap)
    if n is None:
        raise RoomError
    test(n)
    return cache[n][0]


def _pass(run: Run, work: _Work, g: int, guide: IntArray, target: float) -> IntArray:
    """The rolling rule over one repeat of the horizon from global interval ``g``."""
    plan = np.zeros(work.items.size, dtype=np.int64)
    for t in range(work.items.size):
        if work.open[t]:
            guess = int(guide[t]) if guide.any() else int(plan[t - 1]) if t else 0
            step = _fewest_now(run, g + t, guess, target)
        else:
            step = run.through(g + t, 0)
        plan[t] = step.agents
        run.commit(g + t, step)
    return plan


def _staff(work: _Work, target: float, size: int) -> tuple[IntArray, pd.DataFrame]:
    """The rolling rule over ``warmup`` repeats and then the horizon. Then, as the
    plan itself runs the warm-up: room to finish a horizon's items in a horizon
    (an agent more where the load per agent is highest), and an agent more in the
    last open interval before the deadline of any interval whose items miss the
    target, until none do. Returns the plan and its :func:`_report`."""
    periods = work.items.size
    run = work.run(size)
    plan = np.zeros(periods, dtype=np.int64)
    for w in range(work.warmup + 1):
        plan = _pass(run, work, w * periods, plan, target)
    tl = work.timeline(work.cycles_for_deadline() + 2)
    opened = np.flatnonzero(work.open)
    while work.items.any() and _capacity(work, plan) <= work.items.sum():  # the busiest first
        load = work.items[opened] * work.aht[opened] / (plan[opened] + 1.0)
        plan[opened[int(np.argmax(load))]] += 1
    for _ in range(2 * periods):
        report = _report(work, plan, size)
        short = np.flatnonzero(report["on_time"].fillna(1.0).to_numpy() < target)
        if not short.size:
            return plan, report
        for t in short:
            u = int(float(tl.due((t + 0.5) * work.interval)) // work.interval) % periods
            while not work.open[u]:
                u = (u - 1) % periods
            plan[u] += 1
    raise InputError(  # pragma: no cover - not seen
        "no plan found that meets the target"
    )


def required_deferred_agents(
    items: ArrayLike,
    aht: ArrayLike,
    interval: float,
    deadline: float,
    target: float,
    *,
    open_intervals: ArrayLike | None = None,
    clock: Clock = "business",
    blocks: int = 4,
    backlog: int = 0,
    warmup: int = 1,
    minimal: bool = False,
) -> IntArray:
    """Agents per interval for deferred work: ``target`` (a share in (0, 1)) of every
    interval's items taken up within ``deadline`` seconds. Intervals in time
    order, each with the fewest agents that would meet the target for every
    item then waiting or arriving if they stayed until its deadline (see the
    module notes); nobody while closed. Parameters as :func:`deferred`, and:

    minimal : then take agents away one at a time, in time order, while every
        interval's items still meet the target (each try runs the plan as
        :func:`deferred` does), until none can go: one agent fewer in any
        interval then misses the target. Slower (a try per interval and round)
        and more uneven from one interval to the next.

    Examples
    --------
    >>> items = [20, 40, 60, 40, 20, 10]  # the last half hour closed
    >>> opened = [1, 1, 1, 1, 1, 0]
    >>> required_deferred_agents(items, 300, 1800, 7200, 0.9, open_intervals=opened).tolist()
    [5, 6, 9, 6, 6, 0]
    """
    work = check_work(
        items, aht, interval, deadline, open_intervals, clock, blocks, backlog, warmup
    )
    return _required(work, target, minimal)[0]


def _required(work: _Work, target: float, minimal: bool) -> tuple[IntArray, pd.DataFrame]:
    """:func:`required_deferred_agents` for checked work: the plan and what it gives."""
    share = v.single("target", target, v.fraction)
    if share >= 1:
        raise InputError(
            "'target' must be below 1: no finite staffing takes up every item in time "
            f"for sure: {share!r}"
        )
    _reachable(work, share)
    if not isinstance(minimal, bool):
        raise InputError(f"'minimal' must be True or False: {minimal!r}")

    def solve(size: int) -> tuple[IntArray, pd.DataFrame]:
        plan, report = _staff(work, share, size)
        if not minimal:
            return plan, report
        plan = _trimmed(work, plan, share, size)
        return plan, _report(work, plan, size)

    return _grown(solve, work.first_size())


def deferred_requirements(
    df: pd.DataFrame,
    aht: ArrayLike,
    interval: float,
    deadline: float,
    target: float,
    shrinkage: float = 0.0,
    *,
    open_intervals: ArrayLike | None = None,
    clock: Clock = "business",
    blocks: int = 4,
    backlog: int = 0,
    warmup: int = 1,
    minimal: bool = False,
) -> pd.DataFrame:
    """The deferred-work requirement for a table with ``items`` per interval.

    Returns a copy of ``df`` with ``agents`` (:func:`required_deferred_agents`),
    ``scheduled`` (after ``shrinkage``) and the service at that staffing
    (:func:`deferred`): ``open``, ``on_time``, ``backlog``, ``backlog_p90``,
    ``handled``, ``occupancy``.
    """
    if not isinstance(df, pd.DataFrame) or "items" not in df.columns:
        raise InputError("the deferred workload needs an 'items' column (items per interval)")
    items = v.nonnegative("items", df["items"].to_numpy(dtype=np.float64))
    work = check_work(
        items, aht, interval, deadline, open_intervals, clock, blocks, backlog, warmup
    )
    agents, service = _required(work, target, minimal)  # the plan and, once, its service
    out = df.copy()
    out["agents"] = agents
    out["scheduled"] = scheduled(
        agents.astype(np.float64), v.shrinkage_fraction("shrinkage", shrinkage)
    )
    for name in _COLUMNS[2:]:
        out[name] = service[name].to_numpy()
    return out
