"""Numerics shared by the models solved as Markov chains (internal to planner.models).

- :func:`uniformization_weights`: the Poisson weights of uniformized steps, for
  the chance that a pure-death chain (a waiting caller moving up the queue)
  ends within a time.
- :func:`waits` / :func:`waits_upto`: a waiting caller's fate with ``j``
  callers ahead, for the queues of Erlang X and chat (kept per queue).
- :func:`stationary`: the stationary distribution of a chain given by its
  transitions, solved as a banded system (Erlang X and blending).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

import numpy as np
from scipy import linalg
from scipy.special import gammaln

from planner._validate import FloatArray
from planner.errors import InputError

__all__ = ["Deepest", "stationary", "uniformization_weights", "waits", "waits_upto"]


# Completions within the answer time followed, at most (agents x service rate x T: 5,000
# agents answering 3-minute calls within 5 minutes make 8,300).
MAX_STEPS = 10_000_000


def uniformization_weights(mean: float) -> FloatArray:
    """P(K = k), k = 0 .. kmax, of a Poisson count of mean ``mean`` (steps of a chain
    uniformized at rate q over a time t, mean = q t); cut at ``mean + 12 sqrt(mean) +
    30``, where the mass left out is far below 1e-16. Log space, no overflow."""
    if mean > MAX_STEPS:  # e.g. a handle time of a nanosecond against a 20 s answer time
        raise InputError(
            f"the wait within the answer time takes {mean:,.0f} service completions to "
            f"follow, at most {MAX_STEPS:,.0f}: check that the handle times are in seconds"
        )
    steps = int(mean + 12.0 * np.sqrt(mean) + 30)
    k = np.arange(steps + 1)
    if mean <= 0:
        return (k == 0).astype(np.float64)
    return np.exp(k * np.log(mean) - mean - gammaln(k + 1))


def waits(
    agents: int, mu: float, theta: float, depth: int, answer_time: float
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray]:
    """For a caller with ``j = 0 .. depth - 1`` callers ahead in the queue: P(answered),
    E[wait; answered], P(answered within T), P(virtual wait <= T) and E[virtual wait].

    ``agents`` serve at rate ``mu`` each (per second); every waiting caller hangs up
    at rate ``theta``; ``answer_time`` is T in seconds."""
    j = np.arange(depth, dtype=np.float64)
    up = agents * mu + j * theta  # rate the caller moves up a place (or is answered)
    leave = up + theta
    with np.errstate(divide="ignore"):
        answered = np.exp(np.cumsum(np.log(up / leave)))
        virtual_mean = np.cumsum(1.0 / up)
    wait = answered * np.cumsum(1.0 / leave)
    within = np.zeros(depth)
    virtual = np.zeros(depth)
    if depth == 0:
        return answered, wait, within, virtual, virtual_mean
    if answer_time > 0:
        # uniformization of the pure-death chains: one step at rate q moves up with
        # probability up/q, hangs up with theta/q (not for the virtual wait), else stays
        q = float(leave[-1])
        weights = uniformization_weights(q * answer_time)
        f = np.zeros(depth)  # P(answered within N steps | j ahead)
        g = np.zeros(depth)  # the same without hanging up
        p_up, p_stay = up / q, 1.0 - leave / q
        p_stay_v = 1.0 - up / q
        for w in weights[1:]:
            f = p_up * np.concatenate(([1.0], f[:-1])) + p_stay * f
            g = p_up * np.concatenate(([1.0], g[:-1])) + p_stay_v * g
            within += w * f
            virtual += w * g
    return answered, wait, within, virtual, virtual_mean


class Deepest:
    """Solutions kept by key, the last ``size`` used (safe across the app's threads),
    each the deepest asked for so far: a shallower question reads a prefix of it."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._kept: OrderedDict[Hashable, tuple[FloatArray, ...]] = OrderedDict()
        self._lock = threading.Lock()

    def get(
        self,
        key: Hashable,
        deep_enough: Callable[[tuple[FloatArray, ...]], bool],
        solve: Callable[[tuple[FloatArray, ...] | None], tuple[FloatArray, ...]],
    ) -> tuple[FloatArray, ...]:
        """The kept solution of ``key`` if ``deep_enough``, else ``solve(kept or None)``
        (read-only arrays), kept in its place."""
        with self._lock:
            kept = self._kept.get(key)
        if kept is None or not deep_enough(kept):
            kept = solve(kept)
            for a in kept:
                a.flags.writeable = False
        with self._lock:
            self._kept[key] = kept
            self._kept.move_to_end(key)
            while len(self._kept) > self.size:
                self._kept.popitem(last=False)
        return kept


_WAITS = Deepest(256)


def waits_upto(
    agents: int, mu: float, theta: float, depth: int, answer_time: float
) -> tuple[FloatArray, ...]:
    """:func:`waits` for at least ``depth`` queue places, kept (the last 256 queues):
    a place's figures do not depend on how deep the queue may get, so any depth
    below reads a prefix of the deepest computed."""

    def solve(kept: tuple[FloatArray, ...] | None) -> tuple[FloatArray, ...]:
        deeper = max(-(-depth // 128) * 128, 2 * kept[0].size if kept is not None else 0)
        return waits(agents, mu, theta, deeper, answer_time)

    return _WAITS.get((agents, mu, theta, answer_time), lambda kept: kept[0].size >= depth, solve)


def stationary(
    src: np.ndarray,
    dst: np.ndarray,
    rate: FloatArray,
    size: int,
    ref: int,
    *,
    order: np.ndarray | None = None,
    tries: int = 1,
) -> FloatArray:
    """Stationary distribution of a chain on states ``0 .. size - 1`` that moves from
    ``src`` to ``dst`` at ``rate`` (per second; self-loops allowed and ignored).

    The balance equations are solved as a banded system with state ``s`` numbered
    ``order[s]`` (default: as given): number the states along the chain's shorter
    axis so every move stays within a narrow band. One equation, of state ``ref``,
    is replaced by ``pi[ref] = 1``; it must hold mass well above rounding, so with
    ``tries`` > 1 the solve is repeated from the largest state found until the
    balance holds to 1e-10 of the largest flow."""
    moved = src != dst
    src, dst, rate = src[moved], dst[moved], rate[moved]
    out_rate = np.bincount(src, weights=rate, minlength=size)
    number = np.arange(size) if order is None else np.asarray(order)
    i, j = number[dst], number[src]  # equation i gets inflow from unknown j
    band = max(int(np.abs(i - j).max(initial=0)), 1)
    diagonal = np.empty(size)
    diagonal[number] = -out_rate
    for attempt in range(max(tries, 1)):
        at = int(number[ref])
        keep = i != at
        cells = (band + i[keep] - j[keep]) * size + j[keep]
        ab = np.bincount(cells, weights=rate[keep], minlength=(2 * band + 1) * size)
        ab = ab.reshape(2 * band + 1, size)
        ab[band] += diagonal
        ab[band, at] = 1.0
        rhs = np.zeros(size)
        rhs[at] = 1.0
        solved = linalg.solve_banded((band, band), ab, rhs, check_finite=False)
        pi = np.clip(solved[number], 0.0, None)
        pi /= pi.sum()
        if attempt + 1 == tries:
            break
        flow = out_rate * pi
        inflow = np.bincount(dst, weights=rate * pi[src], minlength=size)
        if np.abs(inflow - flow).max() <= 1e-10 * max(float(flow.max()), 1e-300):
            break
        ref = int(np.argmax(pi))
    return pi
