"""Simulated chat: agents who hold several chats at once (:func:`simulate_chat`).

Each chat brings an amount of work (mean 1, the handle-time shape); an agent
holding ``j`` chats works each at speed ``1 / handle[j - 1]`` per second, so
with exponential work a chat held at concurrency ``j`` ends at rate
``1 / handle[j - 1]``, as in :func:`planner.chat`. A new chat goes to the agent
on duty holding fewest (the lowest-numbered among equals); with every slot
full it waits first come, first served, and leaves at its patience. When a
chat ends, the agent takes the chat at the head of the queue. Routing:

- ``"least_loaded"``: chats stay with their agent, so holdings can drift apart
  after chats end (as in most chat platforms);
- ``"even"``: when a chat ends and another agent holds two or more chats more,
  one moves over, so holdings never differ by more than one: the chain of
  :func:`planner.chat` exactly.

When the staffing drops, the agents holding fewest go off duty and finish their
chats first; when it rises the new agents are free at the boundary. Two
engines run these rules: a compiled loop (``engine="fast"``, numba) and a
SimPy event model (``engine="simpy"``, the reference); from the same seed they
give every chat the same fate. Replications draw from their own seeds.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd
from numba import njit
from numpy.typing import ArrayLike

from planner import _validate as v
from planner._validate import FloatArray, IntArray
from planner.errors import InputError
from planner.simulation.day import Day, draw_callers
from planner.simulation.distributions import Distribution, as_distribution
from planner.simulation.results import Estimate
from planner.simulation.run import check_seed

__all__ = ["ChatSimulation", "simulate_chat"]

Routing = Literal["least_loaded", "even"]
_METRICS = ("service_level", "asa", "abandon_rate", "occupancy", "mean_concurrency")


@njit(cache=True, nogil=True)
def _run(
    arrival: FloatArray,
    work: FloatArray,
    gives_up_at: FloatArray,
    bounds: FloatArray,
    agents: IntArray,
    handle: FloatArray,
    even: bool,
    slot_time: FloatArray,
    held_time: FloatArray,
) -> FloatArray:  # pragma: no cover - compiled
    """One replication: each chat's answer time (``inf``: it left or was never
    answered). ``slot_time[p]`` and ``held_time[p]`` gather, per period, the
    chat-seconds in service with agents on duty and the seconds agents on duty held
    at least one chat."""
    k = handle.size
    most = int(agents.max()) if agents.size else 0
    count = np.zeros(most, dtype=np.int64)
    left = np.zeros((most, k))  # remaining work of each chat held
    last = np.zeros(most)  # when each agent's chats were last brought up to date
    duty = np.zeros(most, dtype=np.bool_)
    start = np.full(arrival.size, np.inf)
    queue = np.empty(arrival.size, dtype=np.int64)
    q_head, q_tail = 0, 0
    nxt = 0  # next arrival
    period = -1
    now = bounds[0]
    end = bounds[-1]

    while True:
        # the next completion
        t_done, who = np.inf, -1
        for a in range(most):
            j = count[a]
            if j > 0:
                smallest = left[a, 0]
                for c in range(1, j):
                    if left[a, c] < smallest:
                        smallest = left[a, c]
                t = last[a] + smallest * handle[j - 1]
                if t < t_done:
                    t_done, who = t, a
        t_arrive = arrival[nxt] if nxt < arrival.size else np.inf
        t_bound = bounds[period + 1] if period + 1 < bounds.size else np.inf
        t = min(t_done, t_arrive, t_bound)
        if t == np.inf:
            break
        # time in service up to t, split over the periods it spans
        in_service = 0
        holding = 0
        for a in range(most):  # agents on duty (those finishing after their shift: overtime)
            if duty[a]:
                in_service += count[a]
                holding += 1 if count[a] > 0 else 0
        if 0 <= period < slot_time.size and t > now:  # not after the day
            slot_time[period] += in_service * (min(t, end) - now) if now < end else 0.0
            held_time[period] += holding * (min(t, end) - now) if now < end else 0.0
        now = t
        freed = -1
        if t_bound <= t_done and t_bound <= t_arrive:  # a boundary first
            period += 1
            if period >= agents.size:  # the day is over: nobody new; the queue is served
                continue
            want = agents[period]
            on = 0
            for a in range(most):
                on += 1 if duty[a] else 0
            if want > on:  # new agents: the lowest-numbered off duty and holding none first
                for a in range(most):
                    if on < want and not duty[a] and count[a] == 0:
                        duty[a] = True
                        last[a] = now
                        on += 1
                for a in range(most):
                    if on < want and not duty[a]:
                        duty[a] = True
                        on += 1
                freed = 0
            elif want < on:  # those holding fewest go off duty, finishing their chats
                while on > want:
                    pick, fewest = -1, k + 1
                    for a in range(most):
                        if duty[a] and count[a] < fewest:
                            pick, fewest = a, count[a]
                    duty[pick] = False
                    on -= 1
        elif t_done <= t_arrive:  # a chat ends
            a = who
            j = count[a]
            for c in range(j):
                left[a, c] -= (now - last[a]) / handle[j - 1]
            last[a] = now
            done = 0
            for c in range(1, j):
                if left[a, c] < left[a, done]:
                    done = c
            left[a, done] = left[a, j - 1]
            count[a] = j - 1
            if even and duty[a]:  # move a chat over from an agent holding two or more more
                donor, most_held = -1, count[a] + 1
                for b in range(most):
                    if b != a and count[b] > most_held:
                        donor, most_held = b, count[b]
                if donor >= 0:
                    jb = count[donor]
                    for c in range(jb):
                        left[donor, c] -= (now - last[donor]) / handle[jb - 1]
                    last[donor] = now
                    left[a, count[a]] = left[donor, jb - 1]
                    count[a] += 1
                    count[donor] = jb - 1
            freed = 0
        else:  # an arrival joins the queue
            queue[q_tail] = nxt
            q_tail += 1
            nxt += 1
            freed = 0
        if freed < 0:
            continue
        # hand out waiting chats while a slot is free (those past their patience leave)
        while q_head < q_tail:
            i = queue[q_head]
            if gives_up_at[i] < now:
                q_head += 1
                continue
            pick, fewest = -1, k
            for a in range(most):
                if duty[a] and count[a] < fewest:
                    pick, fewest = a, count[a]
            if pick < 0:
                break
            j = count[pick]
            for c in range(j):
                left[pick, c] -= (now - last[pick]) / handle[j - 1]
            last[pick] = now
            left[pick, j] = work[i]
            count[pick] = j + 1
            start[i] = now
            q_head += 1
    return start


def _run_simpy(
    arrival: FloatArray,
    work: FloatArray,
    gives_up_at: FloatArray,
    bounds: FloatArray,
    agents: IntArray,
    handle: FloatArray,
    even: bool,
    slot_time: FloatArray,
    held_time: FloatArray,
) -> FloatArray:
    """The rules of :func:`_run` as a SimPy event model (the reference the compiled
    loop is checked against): arrivals, chat ends and staffing changes are events;
    an agent's next chat end is rescheduled whenever what it holds changes."""
    import simpy

    k = handle.size
    most = int(agents.max()) if agents.size else 0
    env = simpy.Environment(initial_time=float(bounds[0]))
    held: list[list[float]] = [[] for _ in range(most)]  # remaining work per chat held
    last = [float(bounds[0])] * most
    duty = [False] * most
    version = [0] * most
    start = np.full(arrival.size, np.inf)
    queue: list[int] = []
    period = [-1]  # the current period, and when time was last accounted
    stamp = [float(bounds[0])]
    end = float(bounds[-1])

    def account() -> None:  # service time since the last event, to its period
        now, p = env.now, period[0]
        if 0 <= p < slot_time.size and stamp[0] < end:
            span = min(now, end) - stamp[0]
            slot_time[p] += sum(len(held[a]) for a in range(most) if duty[a]) * span
            held_time[p] += sum(1 for a in range(most) if duty[a] and held[a]) * span
        stamp[0] = now

    def update(a: int) -> None:  # bring agent a's chats up to now
        if held[a]:
            speed = handle[len(held[a]) - 1]
            held[a] = [x - (env.now - last[a]) / speed for x in held[a]]
        last[a] = env.now

    def schedule(a: int) -> None:  # agent a's next chat end, replacing any before
        version[a] += 1
        if held[a]:
            when = last[a] + min(held[a]) * handle[len(held[a]) - 1]
            mine = version[a]
            ev = env.timeout(max(when - env.now, 0.0))
            ev.callbacks.append(functools.partial(_call, finish, a, mine))

    def hand_out() -> None:  # waiting chats to free slots, first come first served
        while queue:
            i = queue[0]
            if gives_up_at[i] < env.now:
                queue.pop(0)
                continue
            free = [a for a in range(most) if duty[a] and len(held[a]) < k]
            if not free:
                return
            pick = min(free, key=lambda a: (len(held[a]), a))
            update(pick)
            held[pick].append(float(work[i]))
            start[i] = env.now
            queue.pop(0)
            schedule(pick)

    def finish(a: int, mine: int) -> None:
        if mine != version[a]:
            return  # rescheduled since
        account()
        update(a)
        done = min(range(len(held[a])), key=lambda c: held[a][c])
        held[a][done] = held[a][-1]
        held[a].pop()
        if even and duty[a]:
            donors = [b for b in range(most) if b != a and len(held[b]) > len(held[a]) + 1]
            if donors:
                donor = max(donors, key=lambda b: (len(held[b]), -b))
                update(donor)
                held[a].append(held[donor].pop())
                schedule(donor)
        schedule(a)
        hand_out()

    def arrivals():  # type: ignore[no-untyped-def]
        for i in range(arrival.size):
            yield env.timeout(max(float(arrival[i]) - env.now, 0.0))
            account()
            queue.append(i)
            hand_out()

    def staffing():  # type: ignore[no-untyped-def]
        for p in range(agents.size + 1):
            yield env.timeout(max(float(bounds[p]) - env.now, 0.0))
            account()
            period[0] = p
            if p >= agents.size:
                return
            want, on = int(agents[p]), sum(duty)
            if want > on:
                for a in sorted(range(most), key=lambda a: (len(held[a]) > 0, a)):
                    if on < want and not duty[a]:
                        duty[a] = True
                        if not held[a]:
                            last[a] = env.now
                        on += 1
            while on > want:
                leaving = min((a for a in range(most) if duty[a]), key=lambda a: (len(held[a]), a))
                duty[leaving] = False
                on -= 1
            hand_out()

    env.process(staffing())
    env.process(arrivals())
    env.run()
    return start


def _call(fn: Callable[[int, int], None], a: int, mine: int, _event: object) -> None:
    """A SimPy callback: ``fn(a, mine)`` once the event fires."""
    fn(a, mine)


@dataclass(frozen=True)
class ChatSimulation:
    """Replications of a chat day: per-interval estimates (mean and confidence
    interval across replications) of ``service_level`` (answered within
    ``answer_time`` over offered chats), ``asa`` (seconds), ``abandon_rate``,
    ``occupancy`` (chat slots of agents on duty in use) and ``mean_concurrency``
    (chats per agent on duty holding any); ``table`` has them side by side."""

    estimates: dict[str, Estimate]
    level: float
    offered: FloatArray = field(repr=False, default_factory=lambda: np.zeros((0, 0)))

    def __getitem__(self, metric: str) -> Estimate:
        return self.estimates[metric]

    def day(self, metric: str) -> Estimate:
        """The whole day's ``service_level`` or ``abandon_rate``: each replication's
        intervals weighted by the chats offered in them, then across replications."""
        if metric not in ("service_level", "abandon_rate"):
            raise KeyError(f"day figures are 'service_level' and 'abandon_rate': {metric!r}")
        values = np.nan_to_num(self.estimates[metric].values)
        total = self.offered.sum(axis=1)
        with np.errstate(invalid="ignore"):
            per_day = np.where(total > 0, (values * self.offered).sum(axis=1) / total, np.nan)
        return Estimate(per_day, self.level, (0.0, 1.0))

    @property
    def table(self) -> pd.DataFrame:
        out = {}
        for name, est in self.estimates.items():
            low, high = est.confidence_interval(self.level)
            out[name] = est.mean
            out[f"{name}_ci_low"] = low
            out[f"{name}_ci_high"] = high
        return pd.DataFrame(out)


def simulate_chat(
    chats: ArrayLike,
    agents: ArrayLike,
    handle: ArrayLike,
    interval: float,
    *,
    patience: float | Distribution | None = None,
    work: Distribution | None = None,
    answer_time: float = 20.0,
    routing: Routing = "least_loaded",
    engine: Literal["fast", "simpy"] = "fast",
    replications: int = 20,
    seed: int | Sequence[int] | np.random.SeedSequence = 0,
    warmup: float = 0.0,
    level: float = 0.95,
) -> ChatSimulation:
    """Simulate chat agents holding several chats at once (see the module notes).

    Parameters
    ----------
    chats : chats offered per interval (Poisson arrivals at that rate).
    agents : chat agents on duty per interval (whole numbers), or one number.
    handle : seconds per chat when an agent holds 1, 2, ... k chats.
    interval : interval length, seconds.
    patience : mean seconds a waiting chat stays (exponential), a distribution,
        or None: nobody leaves.
    work : shape of a chat's work (rescaled to mean 1; default exponential).
    answer_time : service-level threshold T, seconds.
    routing : ``"least_loaded"`` or ``"even"``.
    engine : ``"fast"`` (the compiled loop) or ``"simpy"`` (the same rules as a
        SimPy event model, slower); both give the same chats the same fates.
    replications, seed : independent days and the seed they are spawned from (a
        whole number >= 0, a list of them, or a SeedSequence).
    warmup : seconds simulated first at the first interval's rate and staffing,
        left out of the results.
    level : confidence level of the intervals.
    """
    rate = np.atleast_1d(v.nonnegative("chats", chats)).astype(np.float64)
    h = np.atleast_1d(v.positive("handle", handle)).astype(np.float64)
    if h.ndim != 1 or not 1 <= h.size <= 64:
        raise InputError(f"'handle' must be 1 to 64 seconds per chat by chats held: {handle!r}")
    n = np.atleast_1d(v.count("agents", agents)).astype(np.int64)
    if n.size == 1:
        n = np.full(rate.size, n[0])
    if n.shape != rate.shape:
        raise InputError(f"'agents' must be one number or one per interval ({rate.size})")
    seconds = v.single("interval", interval, v.positive)
    t = v.single("answer_time", answer_time, v.nonnegative)
    lead = v.single("warmup", warmup, v.nonnegative)
    if routing not in ("least_loaded", "even"):
        raise InputError(f"'routing' must be 'least_loaded' or 'even': {routing!r}")
    if engine not in ("fast", "simpy"):
        raise InputError(f"'engine' must be 'fast' or 'simpy': {engine!r}")
    run = _run if engine == "fast" else _run_simpy
    replications = v.whole("replications", replications, 2)
    patience_dist = None if patience is None else as_distribution("patience", patience)
    shape = work or as_distribution("work", 1.0)
    if lead == 0:
        bounds = seconds * np.arange(rate.size + 1, dtype=np.float64)
        expected, plan = rate, n
    else:  # a first period of warm-up, at the first interval's rate and staffing
        bounds = np.concatenate([[0.0], lead + seconds * np.arange(rate.size + 1)])
        expected = np.concatenate([[rate[0] * lead / seconds], rate])
        plan = np.concatenate([[n[0]], n])
    first = 0 if lead == 0 else 1
    day = Day(bounds, plan, first)
    mean_one = np.ones(plan.size)  # work rescaled to mean 1
    values = {name: np.full((replications, rate.size), np.nan) for name in _METRICS}
    counts = np.zeros((replications, rate.size))  # chats offered per replication and interval
    for r, child in enumerate(check_seed(seed).spawn(replications)):
        callers = draw_callers(day, expected, mean_one, shape, patience_dist, 0.0, child)
        arrival, gives_up_at, period = callers.arrival, callers.gives_up_at, callers.period
        slot = np.zeros(plan.size)
        held = np.zeros(plan.size)
        start = run(
            arrival, callers.handle, gives_up_at, bounds, plan, h, routing == "even", slot, held
        )
        wait = start - arrival
        answered = np.isfinite(start)
        for p in range(first, plan.size):
            mine = period == p
            offered = int(mine.sum())
            col = p - first
            counts[r, col] = offered
            if offered:
                values["service_level"][r, col] = (
                    float(np.sum(answered & mine & (wait <= t))) / offered
                )
                values["abandon_rate"][r, col] = (
                    float(np.sum(mine & ~answered & (gives_up_at < np.inf))) / offered
                )
                got = mine & answered
                if got.any():
                    values["asa"][r, col] = float(wait[got].mean())
            capacity = plan[p] * h.size * (bounds[p + 1] - bounds[p])
            # sums of many stretches: a full interval may come out a rounding above 1
            values["occupancy"][r, col] = min(slot[p] / capacity, 1.0) if capacity else np.nan
            conc = min(slot[p] / held[p], float(h.size)) if held[p] else np.nan
            values["mean_concurrency"][r, col] = conc
    limits = {"asa": (0.0, np.inf), "mean_concurrency": (0.0, float(h.size))}
    share = v.single("level", level, v.fraction)
    estimates = {
        name: Estimate(vals, share, limits.get(name, (0.0, 1.0))) for name, vals in values.items()
    }
    return ChatSimulation(estimates, share, counts)
