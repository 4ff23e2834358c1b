"""The SimPy event model of a multi-skill center: the reference for the compiled loop.

The rules are those of :mod:`planner.simulation.skills_engine`, written as events:
staffing changes and call ends are urgent events and arrivals and hang-ups
normal ones, every staffing change scheduled first, so at equal times a bound
comes first, then call ends, then arrivals and hang-ups. Each agent is kept by
name: idle since when, or busy on which call since when. It takes the same
arrays as :func:`~planner.simulation.skills_engine.run_skills` and returns the
same answer times, groups and overtime (tested on random centers).
"""

from __future__ import annotations

import functools
from collections import deque

import numpy as np
import simpy
from simpy.events import NORMAL, URGENT, Event

from planner._validate import FloatArray, IntArray
from planner.simulation.engines import _At, leaving_ranks

_INF = float("inf")


def _idle_key(idle_since: dict[int, float], agent: int) -> tuple[float, int]:
    """Idle agents, longest idle first."""
    return idle_since[agent], agent


def _busy_key(on_call: dict[int, tuple[int, float, float]], agent: int) -> tuple[float, float]:
    """Busy agents by when they answered, ties by the end of the call."""
    return on_call[agent][1], on_call[agent][2]


def run_skills_simpy(
    arrival: FloatArray,
    handle: FloatArray,
    gives_up_at: FloatArray,
    queue: IntArray,
    period: IntArray,
    members: IntArray,
    first_member: IntArray,
    handle_factor: FloatArray,
    bounds: FloatArray,
    agents: IntArray,
    rank: IntArray,
    order: IntArray,
    delay: FloatArray,
) -> tuple[FloatArray, IntArray, FloatArray]:
    """See :func:`~planner.simulation.skills_engine.run_skills`. A call that waits is
    opened to each group that takes it after a delay by an event then, scheduled
    before its hang-up (so at equal times it is still there to be answered)."""
    env = simpy.Environment()
    n = arrival.size
    n_groups, n_types = rank.shape
    start = [_INF] * n
    by = [-1] * n
    waiting = [0] * n  # 1 while in a queue
    queues: list[deque[int]] = [deque() for _ in range(n_types)]
    # per group, its agents on duty: agent id -> (idle since, or None) and the call
    idle_since: list[dict[int, float]] = [{} for _ in range(n_groups)]
    on_call: list[dict[int, tuple[int, float, float]]] = [{} for _ in range(n_groups)]
    next_id = [0]
    overtime: list[tuple[float, float, int]] = []
    ranks = rank.tolist()
    delays = delay.tolist()
    routes = [[g for g in row if g >= 0] for row in order.tolist()]
    later = [[g for g in range(n_groups) if ranks[g][q] >= 0 and delays[g][q] > 0]
             for q in range(n_types)]  # fmt: skip

    def took(c: int, g: int) -> float:
        return float(handle[c] * handle_factor[queue[c], g, period[c]])

    def answer(c: int, g: int, agent: int) -> None:
        waiting[c] = 0
        start[c] = env.now
        by[c] = g
        end = env.now + took(c, g)
        on_call[g][agent] = (c, env.now, end)
        _At(env, end - env.now, URGENT, agent).callbacks.append(functools.partial(end_call, g=g))

    def next_call(g: int) -> int:
        """The waiting call group ``g`` takes next: the type it ranks first, then the
        longest wait (-1: none)."""
        best, best_key = -1, (_INF, _INF)
        for q in range(n_types):
            if ranks[g][q] < 0:
                continue
            line = queues[q]
            while line and not waiting[line[0]]:
                line.popleft()
            if line and env.now >= arrival[line[0]] + delays[g][q]:
                key = (ranks[g][q], float(arrival[line[0]]))
                if key < best_key:
                    best, best_key = line[0], key
        if best >= 0:
            queues[queue[best]].popleft()
        return best

    def free(g: int, agent: int) -> None:
        c = next_call(g)
        if c >= 0:
            answer(c, g, agent)
        else:
            idle_since[g][agent] = env.now

    def end_call(event: Event, *, g: int) -> None:
        agent = event._value
        if agent in on_call[g]:  # else it went off duty
            del on_call[g][agent]
            free(g, agent)

    def opens(event: Event, *, g: int) -> None:
        """A waiting call's delay for group ``g`` is over: the head of its queue goes to
        ``g``'s longest-idle agent, if it has one and the head waited its delay too."""
        q = int(queue[event._value])
        line = queues[q]
        while line and not waiting[line[0]]:
            line.popleft()
        if line and idle_since[g] and env.now >= arrival[line[0]] + delays[g][q]:
            c = line.popleft()
            agent = min(idle_since[g], key=functools.partial(_idle_key, idle_since[g]))
            del idle_since[g][agent]
            answer(c, g, agent)

    def hang_up(event: Event) -> None:
        waiting[event._value] = 0

    def arrive(event: Event) -> None:
        c = event._value
        q = int(queue[c])
        line = queues[q]
        while line and not waiting[line[0]]:
            line.popleft()
        if not line:
            for g in routes[q]:
                if idle_since[g] and delays[g][q] == 0:
                    agent = min(idle_since[g], key=functools.partial(_idle_key, idle_since[g]))
                    del idle_since[g][agent]
                    answer(c, g, agent)
                    return
        line.append(c)
        waiting[c] = 1
        for g in later[q]:
            at = float(arrival[c] + delay[g, q])
            _At(env, at - env.now, NORMAL, c).callbacks.append(functools.partial(opens, g=g))
        if gives_up_at[c] < _INF:
            _At(env, float(gives_up_at[c]) - env.now, NORMAL, c).callbacks.append(hang_up)

    def staff(event: Event) -> None:
        p = event._value
        fresh = []
        for g in range(n_groups):
            size = len(idle_since[g]) + len(on_call[g])
            want = int(agents[g, p])
            if want >= size:
                for _ in range(want - size):
                    fresh.append((g, next_id[0]))
                    next_id[0] += 1
                continue
            idle = sorted(idle_since[g], key=functools.partial(_idle_key, idle_since[g]))
            busy = sorted(on_call[g], key=functools.partial(_busy_key, on_call[g]))
            ranked = idle + busy
            for r in leaving_ranks(size, size - want):
                agent = ranked[r]
                if agent in idle_since[g]:
                    del idle_since[g][agent]
                else:
                    overtime.append((env.now, on_call[g].pop(agent)[2], g))
        for g, agent in fresh:
            free(g, agent)

    for p, bound in enumerate(bounds[:-1].tolist()):
        _At(env, bound, URGENT, p).callbacks.append(staff)
    for c in range(n):
        _At(env, float(arrival[c]), NORMAL, c).callbacks.append(arrive)
    env.run()
    over = np.array(overtime, dtype=np.float64).reshape(-1, 3)
    return np.array(start), np.array(by, dtype=np.int64), over
