"""Compiled inner loops of :mod:`planner.deferred_work` (internal).

Two chains, both over whole numbers of items:

- the number of items in the system (waiting or in service), a birth-death
  chain carried through an interval by uniformization;
- for a block of items that arrived together, how many items are ahead of
  each still waiting: while it waits every agent is busy with items ahead,
  which leave at rate ``agents / aht``, so the count ahead falls by a Poisson
  number per stretch of time, and the item is taken up once fewer items are
  ahead than agents are on duty.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from planner._validate import FloatArray, IntArray

__all__ = ["carry", "on_time_if_kept", "poisson_pmf", "serve"]


@njit(cache=True, nogil=True)
def carry(
    p: FloatArray, arrival_rate: float, agents: int, service_rate: float, count: int
) -> tuple[FloatArray, int]:  # pragma: no cover - compiled
    """The first ``count`` uniformized steps of the count in system from ``p``.

    Returns the steps as rows of a matrix over the states ``first ..
    first + width - 1`` that they can reach (chances below 1e-18 at the ends of
    the support dropped), and ``first``; weighing the rows by Poisson chances
    gives the distribution at any time of the interval, or its time average.
    """
    size = p.size
    top = size - 1
    rate = arrival_rate + agents * service_rate
    lo, hi = 0, top
    while hi > 0 and abs(p[hi]) < 1e-18:
        hi -= 1
    while lo < hi and abs(p[lo]) < 1e-18:
        lo += 1
    reach = count if rate > 0 else 0
    first, last = max(lo - reach, 0), min(hi + reach, top)
    width = last - first + 1
    rows = np.zeros((count, width))
    up = np.zeros(width)
    down = np.zeros(width)
    for i in range(width):
        n = first + i
        up[i] = arrival_rate / rate if (rate > 0 and n < top) else 0.0
        down[i] = min(n, agents) * service_rate / rate if rate > 0 else 0.0
    v = np.zeros(width)
    for n in range(lo, hi + 1):
        v[n - first] = p[n]
    w = np.zeros(width)
    a, b = lo - first, hi - first  # the support within the window
    for k in range(count):
        for i in range(a, b + 1):
            rows[k, i] = v[i]
        if k == count - 1:
            break
        if rate == 0.0:
            for j in range(k + 1, count):
                for i in range(a, b + 1):
                    rows[j, i] = v[i]
            break
        na, nb = max(a - 1, 0), min(b + 1, width - 1)
        for i in range(na, nb + 1):
            x = 0.0
            if a <= i <= b:
                x = v[i] * (1.0 - up[i] - down[i])
            if a <= i - 1 <= b:
                x += v[i - 1] * up[i - 1]
            if a <= i + 1 <= b:
                x += v[i + 1] * down[i + 1]
            w[i] = x
        for i in range(a, b + 1):
            v[i] = 0.0
        v, w = w, v
        a, b = na, nb
        while b > a and abs(v[b]) < 1e-18:
            v[b] = 0.0
            b -= 1
        while a < b and abs(v[a]) < 1e-18:
            v[a] = 0.0
            a += 1
    return rows, first


@njit(cache=True, nogil=True)
def serve(
    waiting: FloatArray, means: FloatArray, agents: IntArray
) -> FloatArray:  # pragma: no cover - compiled
    """Blocks of waiting items through one stretch of time, in place.

    Row ``i`` of ``waiting`` is the chance an item of block ``i`` still waits with
    ``r`` items ahead; first those with fewer than ``agents[i]`` ahead are taken
    up, then a Poisson(``means[i]``) number ahead leave, then again those below
    ``agents[i]``. Returns each row's chance taken up in the stretch.
    """
    rows, size = waiting.shape
    taken = np.zeros(rows)
    for i in range(rows):
        row = waiting[i]
        floor = min(agents[i], size)
        m = means[i]
        if floor == 0:
            continue  # nobody on duty: nothing moves
        lo, hi = 0, size - 1  # the row's support; chances below 1e-18 at its ends dropped
        while lo <= hi and row[lo] < 1e-18:
            row[lo] = 0.0
            lo += 1
        while hi >= lo and row[hi] < 1e-18:
            row[hi] = 0.0
            hi -= 1
        if hi < lo:
            continue
        before = 0.0
        for r in range(lo, hi + 1):
            before += row[r]
        for r in range(lo, min(floor, hi + 1)):
            row[r] = 0.0
        lo = max(lo, floor)
        if m > 0.0 and hi >= lo:
            spread = 9.0 * math.sqrt(m) + 10.0
            k_lo = max(int(m - spread), 0)
            k_hi = min(int(m + spread) + 1, hi)
            pmf = poisson_pmf(m, 0, k_hi)
            new = np.zeros(hi + 1)
            for r in range(lo, hi + 1):
                x = row[r]
                if x < 1e-300:
                    continue
                for k in range(k_lo, min(k_hi, r) + 1):
                    new[r - k] += x * pmf[k]
            for r in range(lo, hi + 1):
                row[r] = 0.0
            for r in range(floor, hi + 1):
                row[r] = new[r]
        after = 0.0
        for r in range(floor, hi + 1):
            after += row[r]
        taken[i] = before - after
    return taken


@njit(cache=True, nogil=True)
def on_time_if_kept(
    waiting: FloatArray, means_per_agent: FloatArray, agents: int, offset: int = 0
) -> FloatArray:  # pragma: no cover - compiled
    """Each row's chance of being taken up by its deadline if ``agents`` stay on duty:
    ``means_per_agent[i]`` items one agent finishes from now to row ``i``'s deadline.
    With ``r`` ahead, that is 1 below ``agents``, else P(Poisson >= r - agents + 1).
    Column ``c`` of ``waiting`` is ``r = offset + c`` items ahead."""
    rows, size = waiting.shape
    agents = agents - offset  # in columns
    out = np.zeros(rows)
    for i in range(rows):
        row = waiting[i]
        lo, hi = 0, size - 1
        while lo <= hi and row[lo] == 0.0:
            lo += 1
        while hi >= lo and row[hi] == 0.0:
            hi -= 1
        total = 0.0
        for r in range(lo, min(agents, hi + 1)):
            total += row[r]
        first = max(lo, agents)
        if hi >= first:
            m = (agents + offset) * means_per_agent[i]
            spread = 12.0 * math.sqrt(m) + 30.0
            j_lo = max(int(m - spread), 0)  # P(K >= j) is 1 below, 0 above j_hi
            j_hi = int(m + spread) + 1
            pmf = poisson_pmf(m, j_lo, j_hi)
            tail = np.zeros(j_hi - j_lo + 2)  # tail[j - j_lo] = P(K >= j)
            for j in range(j_hi, j_lo - 1, -1):
                tail[j - j_lo] = tail[j - j_lo + 1] + pmf[j - j_lo]
            for r in range(first, hi + 1):
                x = row[r]
                if x == 0.0:
                    continue
                j = r - agents + 1
                if j <= j_lo:
                    total += x * min(tail[0], 1.0) if j == j_lo else x
                elif j <= j_hi:
                    total += x * min(tail[j - j_lo], 1.0)
        out[i] = total
    return out


@njit(cache=True)
def poisson_pmf(mean: float, lo: int, hi: int) -> FloatArray:  # pragma: no cover
    """P(K = k) for k = lo..hi of a Poisson count (log space)."""
    out = np.zeros(hi - lo + 1)
    if mean == 0.0:
        if lo == 0:
            out[0] = 1.0
        return out
    # from the mode both ways by the ratio mean / k (one exp), no overflow or underflow
    mode = min(max(int(mean), lo), hi)
    out[mode - lo] = math.exp(mode * math.log(mean) - mean - math.lgamma(mode + 1.0))
    for k in range(mode + 1, hi + 1):
        out[k - lo] = out[k - 1 - lo] * mean / k
    for k in range(mode - 1, lo - 1, -1):
        out[k - lo] = out[k + 1 - lo] * (k + 1) / mean
    return out
