"""Two engines for one FCFS queue served by a staffing plan; both return start times.

Both engines take the same :class:`~planner.simulation.day.Callers` and
:class:`~planner.simulation.day.Day` and return, for every caller, the time an
agent answered (seconds, engine clock), or ``inf`` for callers who abandoned or
were still waiting at the end of the day. The rules they share:

- a waiting caller is answered as soon as fewer agents are busy than are on
  duty; callers are answered in order of arrival (FCFS);
- when the staffing drops, busy agents finish their call before they leave, so
  nobody new is answered until the busy count is below the new staffing;
- a caller still waiting at their deadline (arrival + patience) hangs up; one
  answered exactly at the deadline is answered;
- the queue and calls in progress carry across every interval boundary;
- after the end of the day nobody new calls; either the last interval's
  agents answer the callers still waiting (``Day.serve_queue``), or nobody
  is on duty and the day stops.

:func:`run_simpy` is a SimPy event model of these rules, the reference that
can be extended (priorities, skills). :func:`run_fast` is exact for them
without an event list: under FCFS a caller's fate depends only on earlier
callers, so it walks the callers in arrival order with a heap of the end times
of calls in progress (the multi-server waiting-time recursion, extended to a
staffing plan that changes by period).
"""

from __future__ import annotations

import heapq
import math
from array import array
from collections import deque
from collections.abc import Callable

import numpy as np
import simpy
from simpy.events import NORMAL, URGENT, Event, EventPriority

from planner._validate import FloatArray
from planner.simulation.day import Callers, Day

__all__ = ["ENGINES", "run_fast", "run_simpy"]

_INF = math.inf


def run_fast(callers: Callers, day: Day) -> FloatArray:
    """Answer times by the waiting-time recursion (``inf``: not answered).

    Within a period it is Kiefer and Wolfowitz's recursion: a heap holds one
    free-from time per agent on duty, and each caller is answered at the later
    of their arrival and the earliest free-from time, unless that is past
    their deadline. Around a staffing change (and while more agents are busy
    than on duty) the heap holds only the end times of calls in progress, and
    the answer time is searched event by event: the next call end or the
    next period, whichever comes first.
    """
    bounds = [*day.bounds.tolist(), _INF]  # bounds[p + 1] ends period p
    agents = [*day.agents.tolist(), day.after]  # and after the day
    start = array("d")  # answer times, appended in arrival order
    answer = start.append
    free: list[float] = []  # free-from times of agents (ends of calls in progress)
    pop, push, replace = heapq.heappop, heapq.heappush, heapq.heapreplace
    clock = -_INF  # no caller can be answered before this (FCFS)
    p = 0
    on_duty, next_bound = agents[0], bounds[1]
    limit = -_INF  # below this the recursion holds; -inf sends the first caller to the search
    # Iterating memoryviews makes Python floats on the fly: cheaper than .tolist().
    arrival, handle, deadline = (
        memoryview(np.ascontiguousarray(x, dtype=np.float64))  # type: ignore[arg-type]  # numpy stubs lack Buffer
        for x in (callers.arrival, callers.handle, callers.deadline)
    )
    for t, h, d in zip(arrival, handle, deadline):  # noqa: B905 - equal by construction
        s = free[0] if free else -_INF
        if s < t:
            s = t
        if s < limit:  # the common case: answered (or not) within the period
            clock = s
            if s <= d:
                answer(s)
                replace(free, s + h)
            else:
                answer(_INF)
            continue
        s = t if t > clock else clock
        while True:
            while s >= next_bound:
                p += 1
                on_duty, next_bound = agents[p], bounds[p + 1]
            while free and free[0] <= s:
                pop(free)
            if len(free) < on_duty:
                break
            # Full: wait for the next call to end or the next period, whichever is first.
            end = free[0] if free else _INF
            s = end if end < next_bound else next_bound
            if s == _INF:
                break
        if s == _INF:
            break  # nobody is ever free again: every later caller is unanswered too
        clock = s
        if s <= d:
            answer(s)
            push(free, s + h)
        else:
            answer(_INF)
        if len(free) <= on_duty and on_duty > 0:
            # Back to the recursion, with the free agents free from the clock on: no later
            # caller may be answered before it (FCFS) or before this period began.
            free.extend([s] * (on_duty - len(free)))
            heapq.heapify(free)
            limit = next_bound
        else:
            limit = -_INF
    start.extend([_INF] * (len(callers) - len(start)))
    return np.frombuffer(start, dtype=np.float64)


class _At(Event):
    """An event that fires ``delay`` seconds from now with the given priority."""

    def __init__(
        self, env: simpy.Environment, delay: float, priority: EventPriority, value: int
    ) -> None:
        # Inlined like simpy.Timeout: the event is triggered when created.
        self.env = env
        self.callbacks = []
        self._value = value
        self._ok = True
        env.schedule(self, priority, delay)


def run_simpy(callers: Callers, day: Day) -> FloatArray:
    """Answer times from a SimPy event model (``inf``: not answered).

    Staffing changes and call ends are urgent events and arrivals and
    hang-ups normal ones, so that at equal times the ties resolve as in
    :func:`run_fast`: boundaries first, then ends, then everything else.
    Arrivals and boundaries are all scheduled at time 0, so their times are
    the callers' arrival times exactly. The model runs until the end of the
    day, or with ``serve_queue`` until no event is left.
    """
    env = simpy.Environment()
    handle = callers.handle.tolist()
    patience = (callers.deadline - callers.arrival).tolist()
    n = len(handle)
    start = [_INF] * n
    state = [0] * n  # 0 waiting or not yet arrived, 1 answered, 2 hung up
    queue: deque[int] = deque()  # waiting callers; those who hung up are skipped
    agents = day.agents.tolist()
    duty = [0, 0]  # [agents on duty, agents busy]

    def answer(i: int) -> None:
        state[i] = 1
        start[i] = env.now
        duty[1] += 1
        _At(env, handle[i], URGENT, i).callbacks.append(end_call)

    def dispatch() -> None:
        while duty[1] < duty[0] and queue:
            i = queue.popleft()
            if state[i] == 0:
                answer(i)

    def end_call(_: Event) -> None:
        duty[1] -= 1
        dispatch()

    def hang_up(event: Event) -> None:
        i = event._value
        if state[i] == 0:
            state[i] = 2

    def arrive(event: Event) -> None:
        i = event._value
        if duty[1] < duty[0]:  # somebody is free, so nobody is waiting
            answer(i)
        else:
            queue.append(i)
            if patience[i] < _INF:
                _At(env, patience[i], NORMAL, i).callbacks.append(hang_up)

    def staff(event: Event) -> None:
        p = event._value
        duty[0] = agents[p] if p < len(agents) else day.after
        dispatch()

    for p, bound in enumerate(day.bounds.tolist()):
        _At(env, bound, URGENT, p).callbacks.append(staff)
    for i, t in enumerate(callers.arrival.tolist()):
        _At(env, t, NORMAL, i).callbacks.append(arrive)
    env.run(until=None if day.serve_queue else day.horizon)
    return np.array(start, dtype=np.float64)


ENGINES: dict[str, Callable[[Callers, Day], FloatArray]] = {"fast": run_fast, "simpy": run_simpy}
