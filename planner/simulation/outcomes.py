"""Per-period totals of one replication, computed from callers and answers.

Both engines return only answer times and overtime; everything reported is
derived here, from the same records, so the engines agree on every figure
when they agree on those. Call-based figures count callers in the period they
arrived; time-based ones (busy time, queue length) split time at the period
boundaries. The totals are one pass over the callers in a loop compiled
with numba (the search for a plan totals a window of the day thousands of
times).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from planner._validate import FloatArray, IntArray
from planner.simulation.day import Callers, Day

# Totals that add up across periods (and across the day); "max_queue" is the
# one that does not: the day's is the largest of its periods'.
TOTALS = (
    "calls",  # callers who arrived (offered calls), count
    "answered",  # answered (after the last interval too, with serve_queue), count
    "abandoned",  # hung up before being answered, count
    "queued_at_end",  # still waiting when the simulation stopped, count
    "waited",  # not answered on arrival, count
    "answered_within",  # answered within the answer time, count
    "abandoned_within",  # hung up within the answer time, count
    "answered_wait",  # total wait of answered callers, seconds
    "busy_time",  # agent-seconds on calls
    "staffed_time",  # agent-seconds on duty, plus calls finished after going off duty
    "queue_time",  # caller-seconds waiting: the integral of the queue length
    "length",  # period length, seconds
    "max_queue",  # most callers waiting at once
)


def outcome_codes(callers: Callers, start: FloatArray, day: Day) -> IntArray:
    """0 answered, 1 abandoned, 2 still waiting when the simulation stopped."""
    answered = np.isfinite(start)
    # (no patience: an infinite gives_up_at, never reached even when the day never ends)
    abandoned = ~answered & (callers.gives_up_at <= day.until) & np.isfinite(callers.gives_up_at)
    return np.where(answered, 0, np.where(abandoned, 1, 2)).astype(np.int64)


def leave_times(callers: Callers, start: FloatArray, day: Day) -> FloatArray:
    """When each caller left the queue: answered, hung up, or (never) the end of the day."""
    out = np.where(np.isfinite(start), start, np.minimum(callers.gives_up_at, day.until))
    # still waiting when the simulation stopped: counted until the end of the day
    return np.where(np.isfinite(out), out, day.end)


_INDEX = {name: i for i, name in enumerate(TOTALS)}
_CALLS, _ANSWERED, _ABANDONED, _QUEUED_AT_END, _WAITED = range(5)
_ANSWERED_WITHIN, _ABANDONED_WITHIN, _ANSWERED_WAIT, _BUSY, _STAFFED = range(5, 10)
_QUEUE_TIME, _LENGTH, _MAX_QUEUE = range(10, 13)


@njit(cache=True, nogil=True)
def _spread(
    out: FloatArray, row: int, x0: float, x1: float, bounds: FloatArray
) -> None:  # pragma: no cover - compiled
    """Add the length of ``[x0, x1)`` inside each period to ``out[row]``."""
    last = bounds.size - 1
    if x1 <= bounds[0] or x0 >= bounds[last] or x1 <= x0:
        return
    p: int = max(int(np.searchsorted(bounds, x0, side="right")) - 1, 0)
    while p < last and bounds[p] < x1:
        lo = max(x0, bounds[p])
        hi = min(x1, bounds[p + 1])
        if hi > lo:
            out[row, p] += hi - lo
        p += 1


@njit(cache=True, nogil=True)
def _totals(
    arrival: FloatArray,
    handle: FloatArray,
    gives_up_at: FloatArray,
    period: IntArray,
    start: FloatArray,
    overtime: FloatArray,
    bounds: FloatArray,
    agents: IntArray,
    answer_time: float,
    until: float,
    end_of_day: float,
    lo: int,
    scan: int,
    first: int,
    stop: int,
) -> FloatArray:  # pragma: no cover - compiled
    """The totals of periods ``lo..`` (``bounds`` are theirs), see :func:`period_totals`."""
    size = bounds.size - 1
    out = np.zeros((13, size))
    b0 = bounds[0]
    # when callers join and leave the queue, for its peaks
    joins = np.empty(stop)
    leaves = np.empty(stop)
    n_joins = 0
    n_leaves = 0
    level = 0.0  # callers waiting at b0, before those who leave then
    for i in range(scan, stop):
        a = arrival[i]
        s = start[i]
        answered = s < np.inf
        abandoned = False
        if answered:
            leave = s
        else:
            leave = min(gives_up_at[i], until)
            abandoned = gives_up_at[i] <= until and gives_up_at[i] < np.inf
            if leave == np.inf:
                leave = end_of_day  # still waiting when the simulation stopped
        wait = leave - a
        if i >= first:  # arrived in the window: count them
            p = period[i] - lo
            out[_CALLS, p] += 1.0
            if wait > 0:
                out[_WAITED, p] += 1.0
            if answered:
                out[_ANSWERED, p] += 1.0
                out[_ANSWERED_WAIT, p] += wait
                if wait <= answer_time:
                    out[_ANSWERED_WITHIN, p] += 1.0
            elif abandoned:
                out[_ABANDONED, p] += 1.0
                if wait <= answer_time:
                    out[_ABANDONED_WITHIN, p] += 1.0
            else:
                out[_QUEUED_AT_END, p] += 1.0
        if answered:
            _spread(out, _BUSY, s, s + handle[i], bounds)
        if wait > 0 and leave >= b0:
            _spread(out, _QUEUE_TIME, a, leave, bounds)
            if a < b0:
                level += 1.0
            else:
                joins[n_joins] = a
                n_joins += 1
            if leave < end_of_day:
                leaves[n_leaves] = leave
                n_leaves += 1
    for j in range(overtime.shape[0]):
        _spread(out, _STAFFED, overtime[j, 0], overtime[j, 1], bounds)
    for p in range(size):
        out[_LENGTH, p] = bounds[p + 1] - bounds[p]
        out[_STAFFED, p] += agents[p] * out[_LENGTH, p]
    # The queue's peak in each period: at equal times callers leave first, then
    # the period turns, then callers join; a change at a bound is the new period's.
    times = np.concatenate((leaves[:n_leaves], joins[:n_joins]))
    order = np.argsort(times, kind="mergesort")  # stable: leavers first at equal times
    j = 0
    for p in range(size):
        while j < order.size and (
            times[order[j]] < bounds[p] or (times[order[j]] == bounds[p] and order[j] < n_leaves)
        ):
            level += -1.0 if order[j] < n_leaves else 1.0
            j += 1
        peak = level  # when the period turns
        while j < order.size and times[order[j]] < bounds[p + 1]:
            level += -1.0 if order[j] < n_leaves else 1.0
            peak = max(peak, level)
            j += 1
        out[_MAX_QUEUE, p] = peak
    return out


def exit_times(callers: Callers, start: FloatArray, day: Day) -> FloatArray:
    """When each caller left the system: the end of their call, or when they left the queue."""
    leave = leave_times(callers, start, day)
    return np.where(np.isfinite(start), start + callers.handle, leave)


def period_totals(
    callers: Callers,
    start: FloatArray,
    overtime: FloatArray,
    day: Day,
    answer_time: float,
    lo: int = 0,
    hi: int | None = None,
    scan: int = 0,
) -> dict[str, FloatArray]:
    """Every figure in :data:`TOTALS` for periods ``lo..hi`` (default: all, warm-up included).

    ``start`` must hold the answer times of every caller who arrived up to
    period ``hi``, and ``overtime`` the ``(from, to)`` pairs of calls finished
    off duty (see :class:`~planner.simulation.engines.Answers`). Callers who
    arrived in the window are counted; the earlier ones add the busy and
    waiting time they spend in it. Callers before index ``scan`` are not
    looked at: the caller must know they all left (hung up, or finished their
    call) before period ``lo`` began.
    """
    hi = day.periods - 1 if hi is None else hi
    first, stop = (int(i) for i in np.searchsorted(callers.period, [lo, hi + 1]))
    scan = min(scan, first)
    table = _totals(
        np.ascontiguousarray(callers.arrival, dtype=np.float64),
        np.ascontiguousarray(callers.handle, dtype=np.float64),
        np.ascontiguousarray(callers.gives_up_at, dtype=np.float64),
        np.ascontiguousarray(callers.period, dtype=np.int64),
        np.ascontiguousarray(start, dtype=np.float64),
        np.ascontiguousarray(overtime, dtype=np.float64).reshape(-1, 2),
        np.ascontiguousarray(day.bounds[lo : hi + 2], dtype=np.float64),
        np.ascontiguousarray(day.agents[lo : hi + 1], dtype=np.int64),
        float(answer_time),
        float(day.until),
        day.end,
        lo,
        scan,
        first,
        stop,
    )
    return {name: table[i] for name, i in _INDEX.items()}


@njit(cache=True, nogil=True)
def _buckets(key: IntArray, keys: int) -> tuple[IntArray, IntArray]:  # pragma: no cover - compiled
    """Positions with each key ``0..keys-1`` in their order (a stable counting sort; a
    negative key is left out): ``index[first[k]:first[k + 1]]`` are key ``k``'s."""
    first = np.zeros(keys + 1, dtype=np.int64)
    for i in range(key.size):
        if key[i] >= 0:
            first[key[i] + 1] += 1
    for k in range(keys):
        first[k + 1] += first[k]
    index = np.empty(first[keys], dtype=np.int64)
    fill = first[:keys].copy()
    for i in range(key.size):
        k = key[i]
        if k >= 0:
            index[fill[k]] = i
            fill[k] += 1
    return index, first


@njit(cache=True, nogil=True)
def _keyed_totals(
    index: IntArray,
    first: IntArray,
    arrival: FloatArray,
    handle: FloatArray,
    gives_up_at: FloatArray,
    period: IntArray,
    start: FloatArray,
    overtime: FloatArray,
    bounds: FloatArray,
    agents: IntArray,
    answer_time: FloatArray,
    until: float,
    end_of_day: float,
) -> FloatArray:  # pragma: no cover - compiled
    """:func:`_totals` of the whole day for each key's callers ``index[first[k]:first[k + 1]]``
    (in order of arrival), with that key's ``agents[k]``, ``answer_time[k]`` and the
    ``overtime`` rows ``(from, to, key)`` whose key is ``k``."""
    keys = first.size - 1
    size = bounds.size - 1
    out = np.empty((keys, 13, size))
    for k in range(keys):
        n = first[k + 1] - first[k]
        a = np.empty(n)
        h = np.empty(n)
        g = np.empty(n)
        p = np.empty(n, dtype=np.int64)
        s = np.empty(n)
        for j in range(n):
            i = index[first[k] + j]
            a[j] = arrival[i]
            h[j] = handle[i]
            g[j] = gives_up_at[i]
            p[j] = period[i]
            s[j] = start[i]
        rows = 0
        for r in range(overtime.shape[0]):
            if overtime[r, 2] == k:
                rows += 1
        over = np.empty((rows, 2))
        rows = 0
        for r in range(overtime.shape[0]):
            if overtime[r, 2] == k:
                over[rows, 0] = overtime[r, 0]
                over[rows, 1] = overtime[r, 1]
                rows += 1
        stop = int(np.searchsorted(p, size))
        out[k] = _totals(a, h, g, p, s, over, bounds, agents[k], answer_time[k], until,
                         end_of_day, 0, 0, 0, stop)  # fmt: skip
    return out


def keyed_totals(
    key: IntArray,
    keys: int,
    callers: Callers,
    start: FloatArray,
    overtime: FloatArray,
    day: Day,
    agents: IntArray,
    answer_time: FloatArray,
) -> list[dict[str, FloatArray]]:
    """:func:`period_totals` of the whole day for each of ``keys`` sets of callers in one
    compiled pass: caller ``i`` counts for ``key[i]`` (negative: for none), set ``k``
    with ``agents[k]`` on duty (one per period of ``day``), answer time ``answer_time[k]``
    (seconds) and the ``overtime`` rows ``(from, to, k)``. ``callers`` in order of arrival."""
    index, first = _buckets(np.ascontiguousarray(key, dtype=np.int64), keys)
    table = _keyed_totals(
        index,
        first,
        np.ascontiguousarray(callers.arrival, dtype=np.float64),
        np.ascontiguousarray(callers.handle, dtype=np.float64),
        np.ascontiguousarray(callers.gives_up_at, dtype=np.float64),
        np.ascontiguousarray(callers.period, dtype=np.int64),
        np.ascontiguousarray(start, dtype=np.float64),
        np.ascontiguousarray(overtime, dtype=np.float64).reshape(-1, 3),
        np.ascontiguousarray(day.bounds, dtype=np.float64),
        np.ascontiguousarray(agents, dtype=np.int64).reshape(keys, day.periods),
        np.ascontiguousarray(answer_time, dtype=np.float64),
        float(day.until),
        day.end,
    )
    return [{name: table[k, i] for name, i in _INDEX.items()} for k in range(keys)]
