"""Two engines for one FCFS queue served by a staffing plan.

Both engines take the same :class:`~planner.simulation.day.Callers` and
:class:`~planner.simulation.day.Day` and return :class:`Answers`: for every
caller the time an agent answered (seconds, engine clock; ``inf`` for callers
who hung up or were never answered), and the overtime of agents who finished
a call after their shift. The rules they share:

- callers are answered in order of arrival (FCFS), by any free agent on duty;
- a caller still waiting at ``gives_up_at`` (arrival + patience) hangs up; one
  answered exactly then is answered;
- the queue and calls in progress carry across every interval boundary;
- when the staffing rises, the new agents are free at the boundary; when it
  drops from n to n - d, d agents go off duty at the boundary, spread evenly
  over the agents ranked idle first, then busy by the time they answered
  their call (ranks ``floor((j + 1/2) n / d)``, like a random choice of who
  leaves but reproducible). Busy ones finish their call first (overtime);
  nobody who stays has to wait for them. Who leaves never depends on when a
  call will end, so with exponential handle times those who stay keep fresh
  ones (the rule the deferred-work model follows);
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
heap at each staffing change), in a loop compiled with numba.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import simpy
from numba import njit
from simpy.events import NORMAL, URGENT, Event, EventPriority

from planner._validate import FloatArray, IntArray
from planner.simulation.day import Callers, Day

__all__ = [
    "ENGINES",
    "Answers",
    "Attempts",
    "Columns",
    "FastState",
    "Returns",
    "advance",
    "columns_of",
    "leaving_ranks",
    "run_fast",
    "run_returns",
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


@dataclass(frozen=True, slots=True)
class Attempts(Answers):
    """:class:`Answers` of a day with callers who call again: every attempt as
    ``callers`` (in order of arrival), its ``kind`` (0 first, 1 redial, 2 repeat)
    and whether it was ``blocked`` (every line busy)."""

    callers: Callers
    kind: IntArray
    blocked: np.ndarray


def _overtime(pairs: list[tuple[float, float]], day: Day) -> FloatArray:
    """The pairs as an array, without those after the end of the day."""
    return _overtime_after(np.array(pairs, dtype=np.float64).reshape(-1, 2), day)


def _overtime_after(pairs: FloatArray, day: Day) -> FloatArray:
    """The ``(from, to)`` rows that begin before the end of the day."""
    return pairs[pairs[:, 0] < day.end]


def leaving_ranks(n: int, d: int) -> list[int]:
    """Ranks (0 to n - 1) of the d agents who go off duty when staffing drops from n."""
    return [((2 * j + 1) * n) // (2 * d) for j in range(d)]


# The fast engine's loop is compiled (numba), once per machine: the compiled
# code is cached beside this module. It keeps the agents' free-from times in
# a binary heap (free[:size], with when each answered in began[:size]) and the
# overtime pairs in a preallocated array.


@njit(cache=True, nogil=True)
def _sift_down(
    heap: FloatArray, began: FloatArray, size: int, pos: int
) -> None:  # pragma: no cover - compiled
    item, since = heap[pos], began[pos]
    while True:
        child = 2 * pos + 1
        if child >= size:
            break
        if child + 1 < size and heap[child + 1] < heap[child]:
            child += 1
        if heap[child] >= item:
            break
        heap[pos], began[pos] = heap[child], began[child]
        pos = child
    heap[pos], began[pos] = item, since


@njit(cache=True, nogil=True)
def _sift_up(heap: FloatArray, began: FloatArray, pos: int) -> None:  # pragma: no cover - compiled
    item, since = heap[pos], began[pos]
    while pos > 0:
        parent = (pos - 1) // 2
        if heap[parent] <= item:
            break
        heap[pos], began[pos] = heap[parent], began[parent]
        pos = parent
    heap[pos], began[pos] = item, since


@njit(cache=True, nogil=True)
def _restaff(
    free: FloatArray,
    began: FloatArray,
    size: int,
    bound: float,
    n_new: int,
    over: FloatArray,
    n_over: int,
) -> tuple[int, int]:  # pragma: no cover - compiled
    """The heap after the staffing changes to ``n_new`` at ``bound``: (size, n_over)."""
    if n_new >= size:
        for j in range(size, n_new):  # free from the boundary
            free[j] = bound
            began[j] = bound
            _sift_up(free, began, j)
        return n_new, n_over
    # idle ones (free before the bound) first, by free-from time; then busy ones by
    # when they answered, ties by the end of the call
    by_end = np.argsort(free[:size], kind="mergesort")
    n_idle = 0
    while n_idle < size and free[by_end[n_idle]] < bound:
        n_idle += 1
    busy = by_end[n_idle:]
    ranked = np.concatenate((by_end[:n_idle], busy[np.argsort(began[busy], kind="mergesort")]))
    d = size - n_new
    j = 0
    gone = size // (2 * d)  # leaving_ranks(size, d), in increasing order
    kept = np.empty(n_new, dtype=np.int64)
    write = 0
    for rank in range(size):
        k = ranked[rank]
        if j < d and rank == gone:
            if free[k] >= bound:
                over[n_over, 0] = bound
                over[n_over, 1] = free[k]
                n_over += 1
            j += 1
            gone = ((2 * j + 1) * size) // (2 * d)
        else:
            kept[write] = k
            write += 1
    kept = kept[np.argsort(free[kept], kind="mergesort")]
    ends, since = free[kept], began[kept]
    free[:n_new] = ends
    began[:n_new] = since
    return n_new, n_over  # sorted by free-from time, so a heap


@njit(cache=True, nogil=True)
def _advance(
    arrival: FloatArray,
    handle: FloatArray,
    gives_up_at: FloatArray,
    index: int,
    stop: int,
    free: FloatArray,
    began: FloatArray,
    size: int,
    period: int,
    bounds: FloatArray,
    agents: IntArray,
    over: FloatArray,
    n_over: int,
    start: FloatArray,
) -> tuple[int, int, int]:  # pragma: no cover - compiled
    """Callers ``index`` to ``stop - 1`` (see :func:`advance`): (size, period, n_over)."""
    inf = np.inf
    next_bound = bounds[period + 1]
    for i in range(index, stop):
        t = arrival[i]
        s = free[0] if size > 0 else inf
        if s < t:
            s = t
        if s >= next_bound:  # not in this period: move on, restaffing at each boundary
            while s >= next_bound and next_bound < inf:
                period += 1
                size, n_over = _restaff(free, began, size, next_bound, agents[period], over, n_over)
                next_bound = bounds[period + 1]
                s = free[0] if size > 0 else inf
                if s < t:
                    s = t
            if s == inf:
                start[i] = inf
                continue
        if s <= gives_up_at[i]:
            start[i] = s
            free[0] = s + handle[i]
            began[0] = s
            _sift_down(free, began, size, 0)
        else:
            start[i] = inf
    return size, period, n_over


def _extended(day: Day) -> tuple[FloatArray, IntArray]:
    """Bounds with ``inf`` after the last (bounds[p + 1] ends period p), and agents
    with those on duty after the day."""
    bounds = np.append(day.bounds.astype(np.float64), np.inf)
    agents = np.append(day.agents.astype(np.int64), day.after)
    return bounds, agents


def _drops(agents: IntArray) -> int:
    """Agents going off duty over the day: the most overtime pairs it can have."""
    return int(np.maximum(agents[:-1] - agents[1:], 0).sum()) if agents.size > 1 else 0


@dataclass(slots=True)
class FastState:
    """The fast engine between two callers: everything needed to resume it.

    ``free[:size]`` is a heap with one free-from time per agent on duty in
    period ``period`` (times before now: idle), ``began[:size]`` when each of
    them answered the call in hand (moved with ``free``), ``index`` the next
    caller, and ``over[:n_over]`` the ``(from, to)`` overtime pairs so far. The
    state depends on the staffing of periods ``0..period`` only.
    """

    index: int
    free: FloatArray
    began: FloatArray
    size: int
    period: int
    over: FloatArray = field(default_factory=lambda: np.zeros((0, 2)))
    n_over: int = 0

    @classmethod
    def opening(cls, day: Day) -> FastState:
        """Before the first caller: the first period's agents, all free."""
        n = int(day.agents[0])
        free = np.full(max(int(day.agents.max(initial=0)), day.after, 1), float(day.bounds[0]))
        return cls(0, free, free.copy(), n, 0)

    @property
    def overtime(self) -> FloatArray:
        """The ``(from, to)`` pairs so far, one row each."""
        return self.over[: self.n_over]

    def copy(self) -> FastState:
        return FastState(
            self.index, self.free.copy(), self.began.copy(), self.size, self.period,
            self.over.copy(), self.n_over,
        )  # fmt: skip

    def fit(self, agents: IntArray) -> None:
        """Room for a staffing (agents per period, then after the day, as
        :func:`_extended` gives them): every agent on duty, every overtime pair."""
        need = max(int(agents.max()), 1)
        if self.free.size < need:
            self.free = np.concatenate([self.free, np.zeros(need - self.free.size)])
            self.began = np.concatenate([self.began, np.zeros(need - self.began.size)])
        pairs = self.n_over + _drops(agents[self.period :])
        if self.over.shape[0] < pairs:
            grown = np.zeros((pairs, 2))
            grown[: self.n_over] = self.over[: self.n_over]
            self.over = grown


@dataclass(frozen=True, slots=True)
class Columns:
    """Arrival, handle and ``gives_up_at`` of the callers, contiguous float arrays."""

    arrival: FloatArray
    handle: FloatArray
    gives_up_at: FloatArray


def columns_of(callers: Callers) -> Columns:
    """The callers' columns as the compiled loop reads them."""
    return Columns(
        *(
            np.ascontiguousarray(x, dtype=np.float64)
            for x in (callers.arrival, callers.handle, callers.gives_up_at)
        )
    )


def advance(state: FastState, columns: Columns, stop: int, day: Day, start: FloatArray) -> None:
    """Answer callers ``state.index`` to ``stop - 1``, writing their answer times to ``start``.

    Each caller is answered at the later of their arrival and the earliest
    free-from time, unless that is past their ``gives_up_at`` (``start`` is then
    ``inf``); the agent is then free from the end of the call. When that
    time falls in a later period, the heap is restaffed at each boundary on
    the way: new agents are free from the boundary, and leaving ones are
    taken at :func:`leaving_ranks` of the agents ranked idle first, then busy
    ones by when they answered (see the module notes).
    """
    bounds, agents = _extended(day)
    state.fit(agents)
    state.size, state.period, state.n_over = _advance(
        columns.arrival,
        columns.handle,
        columns.gives_up_at,
        state.index,
        stop,
        state.free,
        state.began,
        state.size,
        state.period,
        bounds,
        agents,
        state.over,
        state.n_over,
        start,
    )
    state.index = stop


def close_periods(state: FastState, day: Day, last: int) -> None:
    """Restaff at the boundaries up to the start of period ``last`` (for their overtime)."""
    state.fit(_extended(day)[1])
    bounds = day.bounds.tolist()
    agents = day.agents.tolist()
    while state.period < min(last, day.periods - 1):
        state.period += 1
        state.size, state.n_over = _restaff(
            state.free, state.began, state.size, bounds[state.period], agents[state.period],
            state.over, state.n_over,
        )  # fmt: skip


def run_fast(callers: Callers, day: Day) -> Answers:
    """Answers by the waiting-time recursion; see :func:`advance`."""
    start = np.empty(len(callers), dtype=np.float64)
    state = FastState.opening(day)
    advance(state, columns_of(callers), len(callers), day, start)
    close_periods(state, day, day.periods - 1)
    return Answers(start, _overtime_after(state.overtime, day))


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
    start, _, overtime = _simpy_model(callers, day, None)
    return Answers(start, overtime)


class Returns:
    """What :func:`run_returns` needs to make callers call again (see
    :class:`planner.simulation.run.CallersReturn` for the rules).

    ``attempt(kind, at, by)`` adds an attempt arriving at ``at`` (engine clock) of
    ``kind`` 1 (a redial) or 2 (a repeat) by caller ``by``, drawing its handle time
    and patience, or returns False when it would arrive after the end of the day.
    """

    lines: int | None

    def hung_up(self, i: int, now: float) -> float | None:  # pragma: no cover - protocol
        """When caller ``i``, who hung up (or was blocked) at ``now``, redials, or None."""
        raise NotImplementedError

    def resolved(self, i: int, now: float) -> float | None:  # pragma: no cover - protocol
        """When caller ``i``, whose call ended at ``now`` unresolved, calls again, or None."""
        raise NotImplementedError

    def draw(self, at: float) -> tuple[float, float, int]:  # pragma: no cover - protocol
        """Handle time, patience (seconds) and period of an attempt arriving at ``at``."""
        raise NotImplementedError


def run_returns(callers: Callers, day: Day, returns: Returns) -> Attempts:
    """The SimPy model with callers who call again (redials after hanging up or
    finding every line busy, repeats after an unresolved call) and a limit on lines:
    the answers of every attempt, the first ones and those added (see :class:`Attempts`).
    """
    start, extra, overtime = _simpy_model(callers, day, returns)
    arrival = np.concatenate([callers.arrival, extra["arrival"]])
    order = np.argsort(arrival, kind="stable")
    blocked = extra["blocked"]
    gives_up_at = np.concatenate([callers.gives_up_at, extra["gives_up_at"]])
    gives_up_at[blocked] = arrival[blocked]  # a blocked attempt leaves at once
    every = Callers(
        arrival[order],
        np.concatenate([callers.handle, extra["handle"]])[order],
        gives_up_at[order],
        np.concatenate([callers.period, extra["period"]]).astype(np.int64)[order],
    )
    kind = np.concatenate([np.zeros(len(callers), np.int64), extra["kind"]])[order]
    return Attempts(start[order], overtime, every, kind, blocked[order])


def _simpy_model(
    callers: Callers, day: Day, returns: Returns | None
) -> tuple[FloatArray, dict[str, np.ndarray], FloatArray]:
    """The event model: answer times of every attempt, the attempts added by
    ``returns`` (arrays by name) and the overtime pairs."""
    env = simpy.Environment()
    handle = callers.handle.tolist()
    patience = (callers.gives_up_at - callers.arrival).tolist()
    arrivals = callers.arrival.tolist()
    n = len(handle)
    start = [_INF] * n
    state = [0] * n  # 0 waiting or not yet arrived, 1 answered, 2 hung up, 3 blocked
    added: dict[str, list[float]] = {k: [] for k in ("arrival", "handle", "gives_up_at", "period")}
    kinds: list[int] = []
    queue: deque[int] = deque()  # waiting callers; those who hung up are skipped
    waiting = [0]  # callers in the queue who have not hung up
    agents = [*day.agents.tolist(), day.after]
    on_call: dict[int, float] = {}  # caller -> end of call, for agents on duty
    talking = [0]  # calls in progress, on duty or not (they hold a line)
    idle = [0]  # agents on duty and free
    overtime: list[tuple[float, float]] = []
    lines = None if returns is None else returns.lines

    def again(at: float | None, kind: int) -> None:
        """A new attempt at ``at`` (none when None, or after the end of the day)."""
        if at is None or at >= day.end:
            return
        h, p, period = returns.draw(at)  # type: ignore[union-attr]
        handle.append(h)
        patience.append(p)
        arrivals.append(at)
        start.append(_INF)
        state.append(0)
        added["arrival"].append(at)
        added["handle"].append(h)
        added["gives_up_at"].append(at + p)
        added["period"].append(period)
        kinds.append(kind)
        _At(env, at - env.now, NORMAL, len(handle) - 1).callbacks.append(arrive)

    def answer(i: int) -> None:
        state[i] = 1
        start[i] = env.now
        idle[0] -= 1
        talking[0] += 1
        on_call[i] = env.now + handle[i]
        _At(env, handle[i], URGENT, i).callbacks.append(end_call)

    def dispatch() -> None:
        while idle[0] > 0 and queue:
            i = queue.popleft()
            if state[i] == 0:
                waiting[0] -= 1
                answer(i)

    def end_call(event: Event) -> None:
        i = event._value
        talking[0] -= 1
        if on_call.pop(i, None) is not None:  # else the agent went off duty
            idle[0] += 1
            dispatch()
        if returns is not None:
            again(returns.resolved(i, env.now), 2)

    def hang_up(event: Event) -> None:
        i = event._value
        if state[i] == 0:
            state[i] = 2
            waiting[0] -= 1
            if returns is not None:
                again(returns.hung_up(i, env.now), 1)

    def arrive(event: Event) -> None:
        i = event._value
        if lines is not None and talking[0] + waiting[0] >= lines:
            state[i] = 3  # every line busy
            patience[i] = 0.0
            again(returns.hung_up(i, env.now), 1)  # type: ignore[union-attr]
        elif idle[0] > 0:  # somebody is free, so nobody is waiting
            answer(i)
        else:
            queue.append(i)
            waiting[0] += 1
            if patience[i] < _INF:
                _At(env, patience[i], NORMAL, i).callbacks.append(hang_up)

    def staff(event: Event) -> None:
        p = event._value
        n_old = idle[0] + len(on_call) if p > 0 else 0
        n_new = agents[p]
        if n_new >= n_old:
            idle[0] += n_new - n_old
        else:
            # busy ones by when they answered, ties by the end of the call
            busy = sorted(on_call.items(), key=lambda item: (start[item[0]], item[1]))
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
    for i, t in enumerate(arrivals[:n]):
        _At(env, t, NORMAL, i).callbacks.append(arrive)
    env.run(until=None if day.serve_queue else day.end)
    blocked = np.array(state, dtype=np.int64) == 3
    extra: dict[str, np.ndarray] = {k: np.array(val, dtype=np.float64) for k, val in added.items()}
    extra["kind"] = np.array(kinds, dtype=np.int64)
    extra["blocked"] = blocked
    return np.array(start, dtype=np.float64), extra, _overtime(overtime, day)


ENGINES: dict[str, Callable[[Callers, Day], Answers]] = {"fast": run_fast, "simpy": run_simpy}
