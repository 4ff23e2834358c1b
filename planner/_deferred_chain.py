"""The chains behind :mod:`planner.deferred_work` (internal): the count in system
through each interval, and the blocks of items followed to their deadlines.

See :mod:`planner.deferred_work` for the model. :class:`Run` moves through the
intervals one at a time (``through`` gives an interval's chain for a number of
agents, ``commit`` moves on with it), so staffing can try agent counts before
it moves on.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike
from scipy import stats

from planner._deferred_kernels import carry, on_time_if_kept, poisson_pmf, serve
from planner._validate import FloatArray, IntArray
from planner.errors import InputError
from planner.simulation.engines import leaving_ranks

__all__ = ["MAX_EVENTS", "Interval", "RoomError", "Run", "Timeline", "finished_leaving"]

# Arrivals and finished items expected in one interval, at most (the uniformized
# steps of an interval are held in memory).
MAX_EVENTS = 50_000
_TOP_MASS = 1e-9  # chance at the top of the truncated chain that makes it grow


@dataclass(frozen=True)
class Timeline:
    """The horizon's intervals, repeated: deadlines and work per agent between times
    (seconds from the start of the first interval)."""

    interval: float
    items: FloatArray
    per_agent: FloatArray  # items one agent finishes in each interval (0 while closed)
    counted: FloatArray  # seconds of each interval counted toward a deadline
    deadline: float
    cycles: int
    _count: FloatArray = field(init=False)
    _work: FloatArray = field(init=False)

    def __post_init__(self) -> None:
        reps = self.cycles
        zero = np.zeros(1)
        object.__setattr__(
            self, "_count", np.concatenate([zero, np.cumsum(np.tile(self.counted, reps))])
        )
        object.__setattr__(
            self, "_work", np.concatenate([zero, np.cumsum(np.tile(self.per_agent, reps))])
        )

    @property
    def size(self) -> int:
        return self.items.size

    def _at(self, prefix: FloatArray, per: FloatArray, x: FloatArray) -> FloatArray:
        g = np.minimum((x // self.interval).astype(np.int64), prefix.size - 2)
        frac = x / self.interval - g
        return prefix[g] + per[g % self.size] * frac

    def work(self, x: ArrayLike) -> FloatArray:
        """Items one agent on duty finishes from time 0 to ``x``."""
        return self._at(self._work, self.per_agent, np.asarray(x, dtype=np.float64))

    def due(self, x: ArrayLike) -> FloatArray:
        """The deadline of items arriving at ``x``: the first time ``deadline`` counted
        seconds later."""
        x = np.asarray(x, dtype=np.float64)
        target = self._at(self._count, self.counted, x) + self.deadline
        g = np.searchsorted(self._count, target, side="left") - 1
        if np.any(g >= self._count.size - 1):
            raise AssertionError("deadline past the repeated horizon")  # pragma: no cover
        per = self.counted[g % self.size]
        return (g + (target - self._count[g]) / per) * self.interval


class RoomError(Exception):
    """The truncated chain is too short: solve again with more room."""


@dataclass
class Interval:
    """What one interval leaves: the count in system at its end and its averages."""

    agents: int
    end: FloatArray
    blocks: FloatArray  # rows: each part's time average, then the whole interval's


class Run:
    """The chain and the blocks of waiting items, interval after interval."""

    def __init__(
        self, tl: Timeline, aht: FloatArray, parts: int, size: int, backlog: int = 0
    ) -> None:
        self.tl, self.aht, self.parts, self.size = tl, aht, parts, size
        if backlog >= size:
            raise RoomError
        self.p = np.zeros(size + 1)
        self.p[backlog] = 1.0
        self._rows = np.zeros((64, size + 1))  # the waiting rows live in _rows[_head:_tail]
        self._head = self._tail = 0
        self.taken = np.zeros(0)
        self.due = np.zeros(0)
        self.group = np.zeros(0, dtype=np.int64)
        self.weight = np.zeros(0)  # each row's share of its interval's items
        self.done: dict[int, float] = {}  # arrival interval -> share taken up, resolved rows
        self.on_duty = 0  # agents in the interval last moved through
        edges = np.linspace(0.0, 1.0, parts + 1)
        self.edges = edges
        self._weights: dict[tuple[float, int], tuple[FloatArray, FloatArray]] = {}

    @property
    def waiting(self) -> FloatArray:
        """One row per block of items still waiting: the chance of ``r`` items ahead."""
        return self._rows[self._head : self._tail]

    def _append(self, fresh: FloatArray) -> None:
        count = self._tail - self._head
        if self._tail + fresh.shape[0] > self._rows.shape[0]:
            room = max(2 * (count + fresh.shape[0]), 64)
            rows = (
                np.zeros((room, self._rows.shape[1])) if room > self._rows.shape[0] else self._rows
            )
            rows[:count] = self._rows[self._head : self._tail]
            rows[count:] = 0.0
            self._rows, self._head, self._tail = rows, 0, count
        self._rows[self._tail : self._tail + fresh.shape[0]] = fresh
        self._tail += fresh.shape[0]

    # -- the chain through one interval -------------------------------------------------
    def _uniform(self, total: float) -> tuple[FloatArray, FloatArray]:
        key = (round(total, 12), self.parts)
        if total > MAX_EVENTS:
            raise InputError(
                f"an interval with {total:,.0f} arrivals and finished items expected is past "
                f"the {MAX_EVENTS:,} this model solves in one piece: use shorter intervals"
            )
        if key not in self._weights:
            steps = int(stats.poisson.isf(1e-15, total)) + 2 if total > 0 else 1
            k = np.arange(steps)
            end = stats.poisson.pmf(k, total) if total > 0 else np.eye(1)[0]
            rows = []
            for a, b in zip(self.edges[:-1], self.edges[1:], strict=True):
                rows.append(_block_weights(k, total, a, b))
            rows.append(_block_weights(k, total, 0.0, 1.0))
            self._weights[key] = (np.asarray(end, dtype=np.float64), np.array(rows))
        return self._weights[key]

    def through(self, g: int, agents: int) -> Interval:
        """The chain through global interval ``g`` with ``agents`` on duty."""
        tl = self.tl
        t = g % tl.size
        rate = tl.items[t] / tl.interval
        mu = 1.0 / self.aht[t]
        steps, blocks = self._uniform((rate + agents * mu) * tl.interval)
        start = _off_duty(self.p, self.on_duty, agents)
        rows, first = carry(start, rate, agents, mu, steps.size)
        span = slice(first, first + rows.shape[1])
        end = np.zeros(self.p.size)
        end[span] = steps @ rows
        avg = np.zeros((blocks.shape[0], self.p.size))
        avg[:, span] = blocks @ rows
        if end[-1] > _TOP_MASS:
            raise RoomError
        return Interval(agents, end, avg)

    # -- the rolling check ---------------------------------------------------------------
    def arrivals(
        self, g: int, blocks: FloatArray
    ) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
        """Interval ``g``'s arrivals as rows: the count in system they find (from the
        interval's block averages), their arrival times (a part's middle), deadlines
        and weights. While closed with a business clock every arrival has the same
        deadline, so the interval is one row."""
        tl = self.tl
        if tl.counted[g % tl.size] == 0:
            x = np.array([(g + 0.5) * tl.interval])
            return blocks[-1:].copy(), x, tl.due(x), np.ones(1)
        x = (g + (self.edges[:-1] + self.edges[1:]) / 2) * tl.interval
        return blocks[:-1].copy(), x, tl.due(x), np.full(self.parts, 1.0 / self.parts)

    def meets(self, g: int, step: Interval, target: float) -> bool:
        """Would every waiting item, and every item of interval ``g``, meet ``target``
        with ``step.agents`` on duty until its deadline?"""
        tl = self.tl
        start = g * tl.interval
        n = step.agents
        shares = self.taken.copy()
        if self.waiting.shape[0]:
            per_agent = tl.work(self.due) - tl.work(start)
            waiting = _ahead_after(self.waiting, self.on_duty, n)
            shares += _on_time_if_kept(waiting, per_agent, n)
        rows, x, due, weight = self.arrivals(g, step.blocks)
        new = _on_time_if_kept(rows, tl.work(due) - tl.work(x), n)
        if tl.items[g % tl.size] > 0 and float(new @ weight) < target:
            return False
        if not shares.size:
            return True
        groups, which = np.unique(self.group, return_inverse=True)
        sums = np.bincount(which, weights=shares * self.weight)
        for a, total in zip(groups.tolist(), sums.tolist(), strict=True):
            if tl.items[a % tl.size] > 0 and self.done.get(a, 0.0) + total < target:
                return False
        return True

    # -- moving on -----------------------------------------------------------------------
    def commit(self, g: int, step: Interval) -> None:
        """Move through interval ``g`` as ``step`` says: blocks are served, those due
        in it are resolved, the interval's arrivals join."""
        tl = self.tl
        n = step.agents
        start, stop = g * tl.interval, (g + 1) * tl.interval
        if self.waiting.shape[0]:
            if n < self.on_duty:
                self._rows[self._head : self._tail] = _ahead_after(self.waiting, self.on_duty, n)
            if n:
                last = int(np.searchsorted(self.due, stop, side="left"))  # the rest stay
                ends = self.due[:last]
                means = n * (tl.work(ends) - tl.work(start))
                on_duty = np.full(last, n, dtype=np.int64)
                self.taken[:last] += serve(self.waiting[:last], means, on_duty)
                if last < self.due.size:
                    whole = n * float(tl.work(stop) - tl.work(start))
                    self.taken[last:] += _serve_all(self.waiting[last:], whole, n)
            gone = int(np.searchsorted(self.due, stop, side="right"))  # due in order
            for a, share, w in zip(
                self.group[:gone], self.taken[:gone], self.weight[:gone], strict=True
            ):
                self.done[int(a)] = self.done.get(int(a), 0.0) + float(share * w)
            if gone:
                self._head += gone
                self.taken = self.taken[gone:]
                self.due, self.group = self.due[gone:], self.group[gone:]
                self.weight = self.weight[gone:]
        fresh, x, due, weight = self.arrivals(g, step.blocks)
        fresh /= fresh.sum(axis=1, keepdims=True)
        means = n * (tl.work(stop) - tl.work(x))
        taken = serve(fresh, means, np.full(fresh.shape[0], n, dtype=np.int64))
        self._append(fresh)
        self.taken = np.concatenate([self.taken, taken])
        self.due = np.concatenate([self.due, due])
        self.group = np.concatenate([self.group, np.full(fresh.shape[0], g, dtype=np.int64)])
        self.weight = np.concatenate([self.weight, weight])
        self.p = step.end
        self.on_duty = n

    def share(self, a: int) -> float | None:
        """The on-time share of interval ``a``'s items, once all are resolved."""
        if np.any(self.group == a):
            return None
        return self.done.get(a, 0.0)


def finished_leaving(p: FloatArray, before: int, after: int) -> float:
    """Mean items finished by agents going off duty (``before`` to ``after``), off the
    plan: see :func:`_off_duty`."""
    if after >= before:
        return 0.0
    return float((p - _off_duty(p, before, after)) @ np.arange(p.size))


def _on_time_if_kept(waiting: FloatArray, per_agent: FloatArray, agents: int) -> FloatArray:
    """:func:`~planner._deferred_kernels.on_time_if_kept` on the columns the rows use."""
    used = np.flatnonzero(waiting.any(axis=0))
    if not used.size:
        return np.zeros(waiting.shape[0])
    lo, hi = int(used[0]), int(used[-1])
    return on_time_if_kept(waiting[:, lo : hi + 1], per_agent, agents, lo)


def _serve_all(waiting: FloatArray, mean: float, agents: int) -> FloatArray:
    """:func:`~planner._deferred_kernels.serve` for rows that all see the same stretch
    (Poisson(``mean``) leave, ``agents`` on duty), in place, by one FFT convolution."""
    before = waiting.sum(axis=1)
    waiting[:, :agents] = 0.0
    support = np.flatnonzero(waiting.max(axis=0) >= 1e-18)
    if not support.size or mean == 0:
        return before - waiting.sum(axis=1)
    lo, hi = int(support[0]), int(support[-1])
    spread = 9.0 * np.sqrt(mean) + 10.0
    k_lo, k_hi = max(int(mean - spread), 0), min(int(mean + spread) + 1, hi)
    if k_lo > k_hi:  # far more leave than are waiting (past 9 sd): every row is served
        waiting[:, lo : hi + 1] = 0.0
        return before - waiting.sum(axis=1)
    pmf = poisson_pmf(mean, k_lo, k_hi)
    block = waiting[:, lo : hi + 1]
    length = block.shape[1] + pmf.size - 1
    size = 1 << int(np.ceil(np.log2(length)))
    # new[r - k] += row[r] pmf[k]: correlate the rows with the pmf
    spectrum = np.fft.rfft(block[:, ::-1], size, axis=1) * np.fft.rfft(pmf, size)[None, :]
    moved = np.fft.irfft(spectrum, size, axis=1)[:, :length][:, ::-1]
    # moved[:, j] holds r - k = lo - k_hi + j
    first = lo - k_hi
    waiting[:, lo : hi + 1] = 0.0
    keep = np.arange(length) + first >= agents
    cols = np.arange(length)[keep] + first
    waiting[:, cols] = np.clip(moved[:, keep], 0.0, None)
    return before - waiting.sum(axis=1)


def _off_duty(p: FloatArray, before: int, after: int) -> FloatArray:
    """The count in system once ``before - after`` agents go off duty: idle ones and busy
    ones are chosen as :func:`~planner.simulate` chooses them (spread over the agents
    ranked idle first, busy ones by when they took their item up, so the rest keep
    exponential handle times), and a busy one finishes the item in hand off the
    plan, so that item no longer waits for or holds an agent on duty."""
    if after >= before:
        return p
    n = np.arange(p.size)
    ranks = np.asarray(leaving_ranks(before, before - after))
    idle = before - np.minimum(n, before)
    busy_leaving = (ranks[None, :] >= idle[:, None]).sum(axis=1)
    return np.bincount(n - busy_leaving, weights=p, minlength=p.size).astype(np.float64)


def _ahead_after(waiting: FloatArray, before: int, after: int) -> FloatArray:
    """Blocks of waiting items once ``before - after`` agents go off duty: every agent is
    busy while an item waits, so each leaving one finishes an item that was ahead."""
    if after >= before or not waiting.shape[0]:
        return waiting
    d = before - after
    out = np.zeros_like(waiting)
    out[:, :-d] = waiting[:, d:]
    return out


def _block_weights(k: IntArray, total: float, a: float, b: float) -> FloatArray:
    """Weights of uniformized steps for the time average over fractions ``a..b`` of
    an interval whose uniformized rate x length is ``total``."""
    if total == 0:
        out = np.zeros(k.size)
        out[0] = 1.0
        return out
    upper = stats.poisson.sf(k, total * b)
    lower = stats.poisson.sf(k, total * a) if a > 0 else np.zeros(k.size)
    return (upper - lower) / (total * (b - a))
