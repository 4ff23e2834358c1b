"""Two engines for one FCFS queue served by a staffing plan.

Both engines take the same :class:`~planner.simulation.day.Callers` and
:class:`~planner.simulation.day.Day` and return :class:`Answers`: for every
caller the time an agent answered (seconds, engine clock; ``inf`` for callers
who hung up or were never answered), and the overtime of agents who finished
a call after their shift. The rules they share:

- callers are answered in order of arrival (FCFS), by any free agent on duty;
- a caller still waiting at their deadline (arrival + patience) hangs up; one
  answered exactly at the deadline is answered;
- the queue and calls in progress carry across every interval boundary;
- when the staffing rises, the new agents are free at the boundary; when it
  drops from n to n - d, d agents go off duty at the boundary, spread evenly
  over the agents ranked idle first, then busy by the time their call ends
  (ranks ``floor((j + 1/2) n / d)``, like a random choice of who leaves but
  reproducible). Busy ones finish their call first (overtime); nobody who
  stays has to wait for them;
- at equal times a boundary comes before a call that ends then, and call ends
  before arrivals and hang-ups;
- after the end of the day nobody new calls; either the last interval's
  agents answer the callers still waiting (``Day.serve_queue``), or everybody
  goes off duty and the day stops.

:func:`run_simpy` is a SimPy event model of these rules, the reference that
can be extended (priorities, skills). :func:`run_fast` is exact for them
without an event list: under FCFS a caller's fate depends only on earlier
callers, so it walks the callers in arrival order with a heap of the agents'
free-from times (Kiefer and Wolfowitz's multi-server recursion, changing the
heap at each staffing change).
"""

from __future__ import annotations

import heapq
import math
from array import array
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import simpy
from simpy.events import NORMAL, URGENT, Event, EventPriority

from planner._validate import FloatArray
from planner.simulation.day import Callers, Day

__all__ = [
    "ENGINES",
    "Answers",
    "FastState",
    "advance",
    "columns_of",
    "leaving_ranks",
    "run_fast",
    "run_simpy",
]

_INF = math.inf


@dataclass(frozen=True, slots=True)
class Answers:
    """What an engine found: answer times, and overtime after shifts ended.

    ``start[i]`` is when caller ``i`` was answered (``inf``: never);
    ``overtime`` has one row ``(from, to)`` per call an agent finished after
    going off duty (seconds, engine clock).
    """

    start: FloatArray
    overtime: FloatArray


def _overtime(pairs: list[tuple[float, float]], day: Day) -> FloatArray:
    """The pairs as an array, without those after the end of the day."""
    out = np.array(pairs, dtype=np.float64).reshape(-1, 2)
    return out[out[:, 0] < day.end]


def leaving_ranks(n: int, d: int) -> list[int]:
    """Ranks (0 to n - 1) of the d agents who go off duty when staffing drops from n."""
    return [((2 * j + 1) * n) // (2 * d) for j in range(d)]


@dataclass(slots=True)
class FastState:
    """The fast engine between two callers: everything needed to resume it.

    ``free`` is a heap with one free-from time per agent on duty in period
    ``period`` (times before now: idle), ``index`` the next caller, and
    ``overtime`` the ``(from, to)`` pairs so far. The state depends on the
    staffing of periods ``0..period`` only.
    """

    index: int
    free: list[float]
    period: int
    overtime: list[tuple[float, float]] = field(default_factory=list)

    @classmethod
    def opening(cls, day: Day) -> FastState:
        """Before the first caller: the first period's agents, all free."""
        return cls(0, [float(day.bounds[0])] * int(day.agents[0]), 0)

    def copy(self) -> FastState:
        return FastState(self.index, self.free.copy(), self.period, self.overtime.copy())


def columns_of(callers: Callers) -> tuple[memoryview, memoryview, memoryview]:
    """Arrival, handle and deadline columns as memoryviews, for :func:`advance`.

    Iterating memoryviews makes Python floats on the fly: cheaper than .tolist().
    """
    return tuple(  # type: ignore[return-value]
        memoryview(np.ascontiguousarray(x, dtype=np.float64))  # type: ignore[arg-type]
        for x in (callers.arrival, callers.handle, callers.deadline)
    )


def _restaff(
    free: list[float], bound: float, n_new: int, overtime: list[tuple[float, float]]
) -> list[float]:
    """The heap after the staffing changes to ``n_new`` at ``bound``."""
    n_old = len(free)
    if n_new >= n_old:
        free.extend([bound] * (n_new - n_old))  # free from the boundary
        heapq.heapify(free)
        return free
    ranked = sorted(free)  # idle (free before the bound) first, then busy by end time
    gone = set(leaving_ranks(n_old, n_old - n_new))
    stay = []
    for rank, t in enumerate(ranked):
        if rank not in gone:
            stay.append(t)
        elif t >= bound:
            overtime.append((bound, t))
    return stay  # sorted, so a heap


def advance(
    state: FastState,
    columns: tuple[memoryview, memoryview, memoryview],
    stop: int,
    day: Day,
    out: array,
) -> None:
    """Answer callers ``state.index`` to ``stop - 1``, appending their answer times to ``out``.

    Each caller is answered at the later of their arrival and the earliest
    free-from time, unless that is past their deadline; the agent is then
    free from the end of the call. When that time falls in a later period,
    the heap is restaffed at each boundary on the way (see :func:`_restaff`).
    """
    bounds = [*day.bounds.tolist(), _INF]  # bounds[p + 1] ends period p
    agents = [*day.agents.tolist(), day.after]  # and after the day
    answer = out.append
    replace = heapq.heapreplace
    free, p, overtime = state.free, state.period, state.overtime
    next_bound = bounds[p + 1]
    arrival, handle, deadline = (col[state.index : stop] for col in columns)
    for t, h, d in zip(arrival, handle, deadline):  # noqa: B905 - equal by construction
        s = free[0] if free else _INF
        if s < t:
            s = t
        if s >= next_bound:  # not in this period: move on, restaffing at each boundary
            while s >= next_bound < _INF:
                p += 1
                free = _restaff(free, next_bound, agents[p], overtime)
                next_bound = bounds[p + 1]
                s = free[0] if free else _INF
                if s < t:
                    s = t
            if s == _INF:
                answer(_INF)
                continue
        if s <= d:
            answer(s)
            replace(free, s + h)
        else:
            answer(_INF)
    state.index, state.free, state.period = stop, free, p


def close_periods(state: FastState, day: Day, last: int) -> None:
    """Restaff at the boundaries up to the start of period ``last`` (for their overtime)."""
    bounds = day.bounds.tolist()
    agents = day.agents.tolist()
    while state.period < min(last, day.periods - 1):
        state.period += 1
        state.free = _restaff(
            state.free, bounds[state.period], agents[state.period], state.overtime
        )


def run_fast(callers: Callers, day: Day) -> Answers:
    """Answers by the waiting-time recursion; see :func:`advance`."""
    out = array("d")
    state = FastState.opening(day)
    advance(state, columns_of(callers), len(callers), day, out)
    close_periods(state, day, day.periods - 1)
    return Answers(np.frombuffer(out, dtype=np.float64), _overtime(state.overtime, day))


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


def run_simpy(callers: Callers, day: Day) -> Answers:
    """Answers from a SimPy event model.

    Staffing changes and call ends are urgent events and arrivals and
    hang-ups normal ones; staffing changes are scheduled first, so at equal
    times they come before call ends, as in :func:`run_fast`. Arrivals and
    boundaries are all scheduled at time 0, so their times are the callers'
    arrival times exactly. The model runs until the end of the day, or with
    ``serve_queue`` until no event is left.
    """
    env = simpy.Environment()
    handle = callers.handle.tolist()
    patience = (callers.deadline - callers.arrival).tolist()
    n = len(handle)
    start = [_INF] * n
    state = [0] * n  # 0 waiting or not yet arrived, 1 answered, 2 hung up
    queue: deque[int] = deque()  # waiting callers; those who hung up are skipped
    agents = [*day.agents.tolist(), day.after]
    on_call: dict[int, float] = {}  # caller -> end of call, for agents on duty
    idle = [0]  # agents on duty and free
    overtime: list[tuple[float, float]] = []

    def answer(i: int) -> None:
        state[i] = 1
        start[i] = env.now
        idle[0] -= 1
        on_call[i] = env.now + handle[i]
        _At(env, handle[i], URGENT, i).callbacks.append(end_call)

    def dispatch() -> None:
        while idle[0] > 0 and queue:
            i = queue.popleft()
            if state[i] == 0:
                answer(i)

    def end_call(event: Event) -> None:
        if on_call.pop(event._value, None) is not None:  # else the agent went off duty
            idle[0] += 1
            dispatch()

    def hang_up(event: Event) -> None:
        i = event._value
        if state[i] == 0:
            state[i] = 2

    def arrive(event: Event) -> None:
        i = event._value
        if idle[0] > 0:  # somebody is free, so nobody is waiting
            answer(i)
        else:
            queue.append(i)
            if patience[i] < _INF:
                _At(env, patience[i], NORMAL, i).callbacks.append(hang_up)

    def staff(event: Event) -> None:
        p = event._value
        n_old = idle[0] + len(on_call) if p > 0 else 0
        n_new = agents[p]
        if n_new >= n_old:
            idle[0] += n_new - n_old
        else:
            busy = sorted(on_call.items(), key=lambda item: item[1])
            for rank in leaving_ranks(n_old, n_old - n_new):
                if rank < idle[0]:
                    continue  # counted below
                caller, end = busy[rank - idle[0]]
                del on_call[caller]
                overtime.append((env.now, end))
            idle[0] = n_new - len(on_call)
        dispatch()

    for p, bound in enumerate(day.bounds.tolist()):
        _At(env, bound, URGENT, p).callbacks.append(staff)
    for i, t in enumerate(callers.arrival.tolist()):
        _At(env, t, NORMAL, i).callbacks.append(arrive)
    env.run(until=None if day.serve_queue else day.end)
    return Answers(np.array(start, dtype=np.float64), _overtime(overtime, day))


ENGINES: dict[str, Callable[[Callers, Day], Answers]] = {"fast": run_fast, "simpy": run_simpy}
