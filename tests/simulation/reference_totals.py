"""The simulation totals computed with plain numpy, as planner did before they were
compiled: an independent reference for tests of :mod:`planner.simulation.outcomes`.

One change from that version: callers who leave the queue exactly at a period
boundary (new agents answer them there) leave before the period turns, so the
intermediate counts of such a simultaneous batch are not a peak of the new
period (before, 5 callers answered at once at a boundary left a peak of 105
in a period whose queue never exceeded 101).
"""

from __future__ import annotations

import numpy as np

from planner._validate import FloatArray, IntArray
from planner.simulation.day import Callers, Day
from planner.simulation.outcomes import leave_times, outcome_codes


def _path(
    times: FloatArray, steps: FloatArray, bounds: FloatArray
) -> tuple[IntArray, FloatArray, FloatArray]:  # the levels of a count, for its peaks
    """A count that moves by ``steps`` at ``times``, cut into segments at ``bounds``.

    Returns each segment's period, length and value; segments before the first
    bound or after the last are dropped (steps before the first still count).
    At equal times decreases come first.
    """
    # Decreases, then bounds, then increases: a stable sort keeps that order at equal times.
    down = steps < 0
    t = np.concatenate([times[down], bounds, times[~down]])
    d = np.concatenate([steps[down], np.zeros(bounds.size), steps[~down]])
    order = np.argsort(t, kind="stable")
    t = t[order]
    value = np.cumsum(d[order])
    length = np.diff(t, append=t[-1])
    # a decrease at a bound happens before the period turns
    side = np.where(d[order] < 0, 0, 1)
    period = (
        np.where(
            side == 0,
            np.searchsorted(bounds, t, side="left"),
            np.searchsorted(bounds, t, side="right"),
        )
        - 1
    )
    keep = (period >= 0) & (period < bounds.size - 1)
    return period[keep], length[keep], value[keep]


def _time_inside(starts: FloatArray, ends: FloatArray, bounds: FloatArray) -> FloatArray:
    """Per period, the total length of the spans ``[starts, ends)`` inside it, seconds.

    The time spent before ``b`` is ``sum((b - start)+) - sum((b - end)+)``,
    evaluated at every bound from sorted starts and ends and their cumulative
    sums; no sort of the merged events is needed.
    """

    def before(x: FloatArray) -> FloatArray:
        x = np.sort(x)
        k = np.searchsorted(x, bounds)
        total = np.concatenate([[0.0], np.cumsum(x)])
        return k * bounds - total[k]

    return np.diff(before(starts) - before(ends))


def _sum_by(period: IntArray, weights: FloatArray, periods: int) -> FloatArray:
    return np.bincount(period, weights=weights, minlength=periods).astype(np.float64)


def reference_totals(
    callers: Callers,
    start: FloatArray,
    overtime: FloatArray,
    day: Day,
    answer_time: float,
    lo: int = 0,
    hi: int | None = None,
) -> dict[str, FloatArray]:
    """Every figure in :data:`TOTALS` for periods ``lo..hi`` (default: all, warm-up included).

    ``start`` must hold the answer times of every caller who arrived up to
    period ``hi``, and ``overtime`` the ``(from, to)`` pairs of calls finished
    off duty (see :class:`~planner.simulation.engines.Answers`). Only those
    callers are looked at: the ones who arrived in the window, and the earlier
    ones still busy or waiting when it begins.
    """
    hi = day.periods - 1 if hi is None else hi
    size = hi - lo + 1
    end = day.end
    first, stop = (int(i) for i in np.searchsorted(callers.period, [lo, hi + 1]))
    if lo > 0:
        s_pre = start[:first]
        answered_pre = np.isfinite(s_pre)
        busy_after = answered_pre & (s_pre + callers.handle[:first] > day.bounds[lo])
        wait_after = leave_times(callers.head(first), s_pre, day) > day.bounds[lo]
        idx = np.concatenate([np.flatnonzero(busy_after | wait_after), np.arange(first, stop)])
        callers = Callers(
            callers.arrival[idx], callers.handle[idx], callers.gives_up_at[idx], callers.period[idx]
        )
        start = start[idx]
    else:
        callers = callers.head(stop)
        start = start[:stop]
    code = outcome_codes(callers, start, day)
    answered = code == 0
    abandoned = code == 1
    leave = leave_times(callers, start, day)
    wait = leave - callers.arrival
    per = callers.period - lo
    inside = per >= 0  # callers who arrived in the window

    def count(mask: np.ndarray, weights: FloatArray | None = None) -> FloatArray:
        mask = mask & inside
        w = mask.astype(np.float64) if weights is None else np.where(mask, weights, 0.0)
        return _sum_by(np.where(inside, per, 0), w, size)

    out = {
        "calls": count(np.ones(per.size, dtype=bool)),
        "answered": count(answered),
        "abandoned": count(abandoned),
        "queued_at_end": count(code == 2),
        "waited": count(wait > 0),
        "answered_within": count(answered & (wait <= answer_time)),
        "abandoned_within": count(abandoned & (wait <= answer_time)),
        "answered_wait": count(answered, wait),
        "length": np.diff(day.bounds)[lo : hi + 1],
    }
    bounds = day.bounds[lo : hi + 2]

    # Agent-seconds on calls, and on duty (plus calls finished after going off duty).
    s = start[answered]
    out["busy_time"] = _time_inside(s, s + callers.handle[answered], bounds)
    out["staffed_time"] = day.agents[lo : hi + 1] * out["length"] + _time_inside(
        overtime[:, 0], overtime[:, 1], bounds
    )

    # Callers waiting: the integral of the queue length, and its peak.
    queued = wait > 0
    a = callers.arrival[queued]
    gone = leave[queued]
    out["queue_time"] = _time_inside(a, gone, bounds)
    gone = gone[gone < end]
    period, _, waiting = _path(
        np.concatenate([a, gone]),
        np.concatenate([np.ones(a.size), -np.ones(gone.size)]),
        bounds,
    )
    most = np.zeros(size)
    np.maximum.at(most, period, waiting)
    out["max_queue"] = most
    return out
